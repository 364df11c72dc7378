"""Reference values for tost_power_student in src/stats/tost.rs.

Formula (Student TOST, equal variances sigma^2, groups n1, n2, df = n1 + n2 - 2, k = sqrt(1/n1+1/n2),
c = t_{1-alpha, df}): the estimate D ~ N(diff, sigma^2 k^2) is independent of the pooled variance,
X = df S^2 / sigma^2 ~ chi2_df, and equivalence is declared when low + c S k < D < high - c S k, so

  power = E_X[ max(0, Phi((high - diff - c k sigma sqrt(X/df)) / (sigma k))
                      - Phi((low - diff + c k sigma sqrt(X/df)) / (sigma k))) ].

(1) scipy.integrate.quad over X with the chi2 density (the Rust code integrates over sqrt(X/df)
with its own quadrature); (2) a simulation of raw normal data (Student t computed from the samples,
both one-sided tests at alpha), 10^6 trials per case, with its binomial SE.

Run: python3 scripts/reference/tost_power.py   (SciPy 1.17.1, NumPy; seed fixed)
"""
import numpy as np
from scipy import stats, integrate

CASES = [
    # diff, sd, low, high, n1, n2, alpha
    (0.0, 1.0, -0.5, 0.5, 50, 50, 0.05),
    (0.1, 1.0, -0.6, 0.4, 30, 40, 0.05),
    (0.0, 2.0, -1.0, 1.0, 20, 20, 0.05),
    (0.3, 1.0, -0.5, 0.5, 100, 80, 0.025),
    (0.0, 1.0, -0.4, 0.4, 10, 10, 0.05),
]


def power_quad(diff, sd, low, high, n1, n2, alpha):
    df = n1 + n2 - 2
    k = np.sqrt(1 / n1 + 1 / n2)
    c = stats.t.ppf(1 - alpha, df)
    se = sd * k
    # window empty beyond X_max: c k sd sqrt(X/df) >= (high - low)/2
    x_max = df * ((high - low) / (2 * c * se)) ** 2
    f = lambda x: max(
        0.0,
        stats.norm.cdf((high - diff - c * se * np.sqrt(x / df)) / se)
        - stats.norm.cdf((low - diff + c * se * np.sqrt(x / df)) / se),
    ) * stats.chi2.pdf(x, df)
    v, e = integrate.quad(f, 0.0, x_max, epsabs=1e-13, epsrel=1e-12, limit=500)
    return v, e


def power_sim(diff, sd, low, high, n1, n2, alpha, reps=1_000_000, seed=20251111):
    rng = np.random.default_rng(seed)
    df = n1 + n2 - 2
    c = stats.t.ppf(1 - alpha, df)
    hits = 0
    chunk = 50_000
    for _ in range(reps // chunk):
        x = rng.normal(diff, sd, size=(chunk, n1))
        y = rng.normal(0.0, sd, size=(chunk, n2))
        d = x.mean(1) - y.mean(1)
        sp2 = ((n1 - 1) * x.var(1, ddof=1) + (n2 - 1) * y.var(1, ddof=1)) / df
        se = np.sqrt(sp2 * (1 / n1 + 1 / n2))
        hits += np.count_nonzero(((d - low) / se > c) & ((d - high) / se < -c))
    p = hits / reps
    return p, np.sqrt(p * (1 - p) / reps)


if __name__ == "__main__":
    for case in CASES:
        v, e = power_quad(*case)
        p, se = power_sim(*case)
        print(f"{case}: quad {v!r} (error {e:.1e}); simulation {p!r} (SE {se:.2e})")
