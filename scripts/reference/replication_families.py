"""Reference values for tests/replication.rs (TOST and small-telescopes families).

Run: python3 scripts/reference/replication_families.py   (SciPy 1.17.1, NumPy)

TOST power of the Student TOST for two groups with common SD: SciPy quad over the chi-square
variable X = df S^2 / sd^2 (independent of the estimate):
    power = E_X[max(0, Phi((m - diff - c se sqrt(X/df)) / se) - Phi((-m - diff + c se sqrt(X/df)) / se))]
with c = t_{1-alpha, df}, se = sd sqrt(1/n1 + 1/n2). Checked by a NumPy simulation of raw data.

Small telescopes: the replication's Student t is noncentral t(df, ncp = d sqrt(n1 n2 / (n1 + n2)));
the test rejects when t <= nct.ppf(alpha, df, ncp33), so its power at d is
nct.cdf(nct.ppf(alpha, df, ncp33), df, ncp_d) (central t at d = 0).
"""
import numpy as np
from scipy import integrate, optimize, stats


def tost_power(diff, sd, m, n1, n2, alpha=0.05):
    df = n1 + n2 - 2
    se = sd * np.sqrt(1 / n1 + 1 / n2)
    c = stats.t.ppf(1 - alpha, df)

    def f(x):
        u = np.sqrt(x / df)
        w = stats.norm.cdf((m - diff - c * se * u) / se) - stats.norm.cdf((-m - diff + c * se * u) / se)
        return max(w, 0.0) * stats.chi2.pdf(x, df)

    # The window closes at u = m / (c se).
    xmax = df * (m / (c * se)) ** 2
    return integrate.quad(f, 0, xmax, epsabs=1e-13, epsrel=1e-12, limit=500)[0]


def tost_sim(diff, sd, m, n1, n2, alpha=0.05, reps=400_000, seed=12):
    rng = np.random.default_rng(seed)
    a = rng.normal(diff, sd, size=(reps, n1))
    b = rng.normal(0.0, sd, size=(reps, n2))
    df = n1 + n2 - 2
    d = a.mean(1) - b.mean(1)
    sp2 = (a.var(1, ddof=1) * (n1 - 1) + b.var(1, ddof=1) * (n2 - 1)) / df
    se = np.sqrt(sp2 * (1 / n1 + 1 / n2))
    c = stats.t.ppf(1 - alpha, df)
    ok = (d - c * se > -m) & (d + c * se < m)
    p = ok.mean()
    return p, np.sqrt(p * (1 - p) / reps)


def d33(n1, n2):
    df = n1 + n2 - 2
    k = np.sqrt(n1 * n2 / (n1 + n2))
    crit = stats.t.ppf(0.975, df)
    pw = lambda d: stats.nct.sf(crit, df, d * k) + stats.nct.cdf(-crit, df, d * k)
    return optimize.brentq(lambda d: pw(d) - 1 / 3, 1e-6, 3, xtol=1e-15)


def telescopes_power(d, dd33, n1, n2, alpha=0.05):
    df = n1 + n2 - 2
    k = np.sqrt(n1 * n2 / (n1 + n2))
    crit = stats.nct.ppf(alpha, df, dd33 * k)
    return stats.nct.cdf(crit, df, d * k)


sd_change = np.sqrt(1.0 + 2 * 0.5**2)  # change_sd 1, measurement SD 0.05 * 10 per scan
sd_base = np.sqrt(1.0 + 0.5**2)  # between_sd 1, measurement SD 0.5
print("sd_change", repr(sd_change), "sd_base", repr(sd_base))
cases = [
    ("arm_change 40/40 diff 0.2 margin 0.6", 0.2, sd_change, 0.6, 40, 40),
    ("baseline 30/45 diff 0.2 margin_d 0.5", 0.2, sd_base, 0.5 * sd_base, 30, 45),
    ("arm_change 40/40 at the margin 0.6", 0.6, sd_change, 0.6, 40, 40),
]
for name, diff, sd, m, n1, n2 in cases:
    q = tost_power(diff, sd, m, n1, n2)
    p, se = tost_sim(diff, sd, m, n1, n2)
    print(f"TOST {name}: quad {q!r}  simulation {p} (SE {se:.2e})")
D = d33(17, 17)
print("d33(17,17)", repr(D), "diff at d33 (arm_change SD):", repr(D * sd_change))
print("telescopes 50/50 at d = d33:", repr(telescopes_power(D, D, 50, 50)))
print("telescopes 50/50 at d = 0:", repr(telescopes_power(0.0, D, 50, 50)))
print("telescopes 30/30 at d = 0:", repr(telescopes_power(0.0, D, 30, 30)))
