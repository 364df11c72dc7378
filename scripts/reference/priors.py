"""Reference values for src/scenario/prior.rs and the assurance tests (SciPy, independent of the Rust code).

Posterior of Cohen's d from a published two-sample t under a flat prior:
  p(d | t) ~ nct.pdf(t, df, d * k), k = sqrt(n1 n2 / (n1 + n2)), df = n1 + n2 - 2,
optionally divided by P(|T| > t.ppf(1 - a/2, df) | d) (published because significant).
Tabulated on a fine grid (200001 points), cumulative trapezoid, quantiles by interpolation.
Run: python3 scripts/reference/priors.py
"""
import numpy as np
from scipy import stats, integrate

def post_t(t, n1, n2, alpha=None):
    k = np.sqrt(n1 * n2 / (n1 + n2)); df = n1 + n2 - 2
    d = np.linspace(t / k - 4, t / k + 4, 200001)
    f = stats.nct.pdf(t, df, d * k)
    if alpha is not None:
        c = stats.t.ppf(1 - alpha / 2, df)
        f = f / (stats.nct.sf(c, df, d * k) + np.nan_to_num(stats.nct.cdf(-c, df, d * k)))
    F = integrate.cumulative_trapezoid(f, d, initial=0); F /= F[-1]
    return d, F

def post_est(v, se, alpha):
    c = stats.norm.ppf(1 - alpha / 2)
    th = np.linspace(v - 12 * se, v + 12 * se, 200001)
    f = stats.norm.pdf((v - th) / se) / (stats.norm.cdf(-c - th / se) + stats.norm.cdf(-c + th / se))
    F = integrate.cumulative_trapezoid(f, th, initial=0); F /= F[-1]
    return th, F

us = [0.1, 0.25, 0.5, 0.75, 0.9]
for name, (x, F) in [("PLAIN_T 2.02 17/17", post_t(2.02, 17, 17)),
                     ("TRUNC_T 2.5 17/17 a=.05", post_t(2.5, 17, 17, 0.05)),
                     ("TRUNC_EST 5.6 se 2.5 a=.05", post_est(5.6, 2.5, 0.05))]:
    q = [float(np.interp(u, F, x)) for u in us]
    p0 = float(np.interp(0.0, x, F))
    print(name, "quantiles", [round(v, 6) for v in q], "P(<=0)", round(p0, 6))
