"""Exact coverage of the Newcombe (Wilson hybrid) risk-difference interval for the 10 vs 6 case
of tests/exact_truth.rs, by enumeration of both binomial counts (statsmodels' own interval).
The response rates are recomputed by the brute-force grid of symptom_truth.py.
Run: python3 scripts/reference/small_high_rate_coverage.py  (statsmodels 0.14, scipy 1.17)
"""
import numpy as np
from scipy.stats import binom
from statsmodels.stats.proportion import confint_proportions_2indep

def rates():
    # Same grid method as symptom_truth.py (MADRS defaults: baseline 34 +/- 6, inclusion 22-60, 0-60).
    from scipy.stats import truncnorm, norm
    tn = truncnorm((22 - 34) / 6, (60 - 34) / 6, loc=34, scale=6)
    ks = np.arange(22, 61)
    lo = np.where(ks == 22, 22, np.maximum(ks - 0.5, 22)); hi = np.where(ks == 60, 60, np.minimum(ks + 0.5, 60))
    w0 = tn.cdf(hi) - tn.cdf(lo)
    n = 4_000_000
    z = -12 + 24 * (np.arange(n) + 0.5) / n
    wz = norm.pdf(z) * 24 / n
    out = []
    for mean, sd in ((24, 8), (19, 8)):
        p = 0.0
        for m0, w in zip(ks, w0):
            f = np.floor(np.clip(m0 - (mean + sd * z), 0, 60) + 0.5)
            p += w * np.sum(wz * (f <= 0.5 * m0 + 1e-9))
        out.append(p)
    return out

p1, p2 = rates()
print("p1, p2, diff", p1, p2, p1 - p2)
n1, n2 = 10, 6
cov = 0.0
for x1 in range(n1 + 1):
    for x2 in range(n2 + 1):
        lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
        if lo <= p1 - p2 <= hi:
            cov += binom.pmf(x1, n1, p1) * binom.pmf(x2, n2, p2)
print("exact coverage", repr(cov))
