"""Reference values for src/stats/assurance.rs: assurance of a two-sided two-sample t-test with a
normal prior on d, A = integral power(d) N(d; m, s) dd, by scipy.integrate.quad over m +- 12 s (power from scipy.stats.nct, Boost's noncentral t), and MDEs re-solved with brentq.

Run: python3 scripts/reference/assurance.py   (SciPy 1.17.1)
"""
import numpy as np
from scipy import stats, integrate, optimize


def tails(c, df, ncp):
    # SciPy 1.17.1's nct returns NaN for a far tail (below about 1e-20, e.g. cdf(-1.98, 126, 10));
    # that tail is then zero to double precision against the other one, which is near 1.
    up = np.nan_to_num(stats.nct.sf(c, df, ncp), nan=0.0)
    lo = np.nan_to_num(stats.nct.cdf(-c, df, ncp), nan=0.0)
    return up + lo


def power2(d, n1, n2, alpha=0.05):
    df = n1 + n2 - 2
    ncp = d / np.sqrt(1 / n1 + 1 / n2)
    return tails(stats.t.ppf(1 - alpha / 2, df), df, ncp)


def power1(d, n, alpha=0.05):
    df = n - 1
    return tails(stats.t.ppf(1 - alpha / 2, df), df, d * np.sqrt(n))


def assurance(n1, n2, m, s, alpha=0.05):
    f = lambda d: power2(d, n1, n2, alpha) * stats.norm.pdf(d, m, s)
    # m +- 12 s holds all but 4e-33 of the prior; the breakpoint at 0 helps quad with the dip.
    lo, hi = m - 12 * s, m + 12 * s
    pts = [0.0] if lo < 0.0 < hi else None
    v, e = integrate.quad(f, lo, hi, epsabs=1e-13, epsrel=1e-12, limit=400, points=pts)
    return v, e


if __name__ == "__main__":
    for (n1, n2, m, s) in [(64, 64, 0.5, 0.2), (17, 17, 0.69, 0.35), (40, 30, 0.1, 0.3), (100, 100, 0.0, 0.1)]:
        v, e = assurance(n1, n2, m, s)
        print(f"assurance n1={n1} n2={n2} prior N({m}, {s}^2): {v!r} (quad error {e:.1e})")
    for (n1, n2, a, p) in [(64, 64, 0.05, 0.8), (30, 60, 0.05, 0.8), (20, 20, 0.05, 1 / 3)]:
        d = optimize.brentq(lambda d: power2(d, n1, n2, a) - p, 1e-6, 5, xtol=1e-14)
        print(f"mde two-sample {n1}/{n2} alpha {a} power {p}: {d!r}")
    for (n, a, p) in [(30, 0.05, 0.8), (12, 0.01, 0.9)]:
        d = optimize.brentq(lambda d: power1(d, n, a) - p, 1e-6, 5, xtol=1e-14)
        print(f"mde paired {n} alpha {a} power {p}: {d!r}")
