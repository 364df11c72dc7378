"""Independent reference values for src/stats/bucss.rs (BUCSS, Anderson, Kelley & Maxwell 2017).

Our own SciPy implementation of the truncated-likelihood quantile (not BUCSS's code):
  F(delta) = P(c < |T| <= |t_obs| ; df, delta) / P(|T| > c ; df, delta),  T ~ noncentral t(df, delta)
with c = t_{1 - alpha_prior/2, df} (c = 0, i.e. no truncation, when alpha_prior is None).
F decreases in delta; the corrected noncentrality solves F(delta) = assurance (brentq), i.e. it is
the (1 - assurance) quantile of the likelihood in BUCSS's sense; assurance 0.5 is median-unbiased.
The planned n is the smallest n with two-sided power >= target at noncentrality delta*sqrt(n/n_eff):
  two groups: n_eff = harmonic mean of n1, n2 (d = delta*sqrt(2/n_eff)), planned df = 2n - 2;
  paired / one sample: n_eff = n, planned df = n - 1;
  correlation (one-predictor regression, fixed-x noncentrality lambda = N f^2): n_eff = N,
  planned df = N_new - 2.
Also prints the BUCSS-convention variant (ncp rounded to a 0.001 grid, harmonic mean rounded up and
down, the larger n returned) for the documented examples, to show where the conventions agree.

Run: python3 scripts/reference/bucss.py   (SciPy 1.17.1, NumPy; prints one line per case)
"""
import numpy as np
from scipy import stats, optimize


def tm(delta, t, df, c):
    """Truncated distribution function of |T| at |t| (two-sided selection)."""
    t = abs(t)
    d = stats.nct(df, delta) if delta != 0 else stats.t(df)
    cdf_abs = lambda x: d.cdf(x) - d.cdf(-x)
    if c == 0.0:
        return cdf_abs(t)
    return (cdf_abs(t) - cdf_abs(c)) / (1.0 - cdf_abs(c))


def corrected_ncp(t, df, alpha_prior, assurance):
    c = 0.0 if alpha_prior is None else stats.t.ppf(1 - alpha_prior / 2, df)
    if abs(t) <= c:
        return "not significant"
    f = lambda x: tm(x, t, df, c) - assurance
    if f(0.0) <= 0:
        return 0.0
    hi = 1.0
    while f(hi) > 0:
        hi *= 2
    return optimize.brentq(f, 0.0, hi, xtol=1e-13, rtol=1e-13)


def power(ncp, df, alpha):
    c = stats.t.ppf(1 - alpha / 2, df)
    return stats.nct.sf(c, df, ncp) + stats.nct.cdf(-c, df, ncp)


def smallest_n(delta, n_eff, df_of, n_min, alpha, target, cap=10**7):
    ok = lambda n: power(delta * np.sqrt(n / n_eff), df_of(n), alpha) >= target
    lo, hi = n_min, n_min
    while not ok(hi):
        lo, hi = hi, hi * 2
        if hi > cap:
            return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi if not ok(lo) else lo


def two_sample(t, n1, n2, alpha_prior, assurance, target=0.8, alpha=0.05):
    df = n1 + n2 - 2
    n_eff = 2.0 / (1.0 / n1 + 1.0 / n2)
    delta = corrected_ncp(t, df, alpha_prior, assurance)
    naive = smallest_n(abs(t), n_eff, lambda n: 2 * n - 2, 2, alpha, target)
    if isinstance(delta, str) or delta == 0.0:
        return delta, None, None, naive
    n = smallest_n(delta, n_eff, lambda n: 2 * n - 2, 2, alpha, target)
    return delta, delta * np.sqrt(2.0 / n_eff), n, naive


def one_sample(t, n, alpha_prior, assurance, target=0.8, alpha=0.05):
    delta = corrected_ncp(t, n - 1, alpha_prior, assurance)
    naive = smallest_n(abs(t), n, lambda m: m - 1, 2, alpha, target)
    if isinstance(delta, str) or delta == 0.0:
        return delta, None, None, naive
    return delta, delta / np.sqrt(n), smallest_n(delta, n, lambda m: m - 1, 2, alpha, target), naive


def correlation(r, n, alpha_prior, assurance, target=0.8, alpha=0.05):
    t = r * np.sqrt(n - 2) / np.sqrt(1 - r * r)
    delta = corrected_ncp(t, n - 2, alpha_prior, assurance)
    naive = smallest_n(abs(t), n, lambda m: m - 2, 3, alpha, target)
    if isinstance(delta, str) or delta == 0.0:
        return t, delta, None, None, naive
    f2 = delta**2 / n
    rho = np.sqrt(f2 / (1 + f2))
    return t, delta, rho, smallest_n(delta, n, lambda m: m - 2, 3, alpha, target), naive


def bucss_grid_two_sample(t, n1, n2, alpha_prior, assurance, target=0.8, alpha=0.05):
    """BUCSS's own convention (its documented behaviour, our code): the harmonic mean of n1, n2
    rounded up and rounded down, each treated as an equal-n study (df = 2 nr - 2); the ncp taken
    on a grid of step 0.001 (the grid point nearest the root, as BUCSS's argmin |F - assurance|
    does for a monotone F); the larger n and the smaller ncp returned."""
    nh = 2.0 / (1.0 / n1 + 1.0 / n2)
    out_n, out_ncp = [], []
    for nr in (int(np.ceil(nh)), int(np.floor(nh))):
        df = 2 * nr - 2
        root = corrected_ncp(t, df, alpha_prior, assurance)
        ncp = round(root / 0.001) * 0.001
        out_ncp.append(ncp)
        out_n.append(smallest_n(ncp, nr, lambda n: 2 * n - 2, 2, alpha, target))
    return max(out_n), min(out_ncp)


if __name__ == "__main__":
    print("two_sample(t, n1, n2, alpha_prior, assurance) -> (ncp, d, n_per_group, naive_n)")
    for args in [
        (3.0, 50, 55, 0.05, 0.9),
        (3.0, 20, 20, 0.05, 0.8),
        (2.02, 17, 17, None, 0.5),
        (2.02, 17, 17, None, 0.8),
        (2.02, 17, 17, 0.05, 0.8),
        (2.5, 30, 30, 0.05, 0.5),
        (2.1, 20, 20, 0.05, 0.8),
    ]:
        print("two_sample", args, two_sample(*args))
    print("one_sample(t, n, alpha_prior, assurance) -> (ncp, d, n, naive_n)")
    for args in [(3.0, 20, 0.05, 0.8), (2.5, 40, None, 0.8)]:
        print("one_sample", args, one_sample(*args))
    print("correlation(r, n, alpha_prior, assurance) -> (t, ncp, rho, n, naive_n)")
    for args in [(0.4, 50, 0.05, 0.8), (0.35, 60, None, 0.8), (0.5, 30, 0.05, 0.5)]:
        print("correlation", args, correlation(*args))
    print("BUCSS grid convention, README example:", bucss_grid_two_sample(3.0, 50, 55, 0.05, 0.9))
    print("BUCSS grid convention, man-page example n=20:", bucss_grid_two_sample(3.0, 20, 20, 0.05, 0.8))
