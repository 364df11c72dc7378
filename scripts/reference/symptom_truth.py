"""Independent reference values for src/model/exact.rs (tests/exact_truth.rs).

Brute-force numerical integration of the model as written in MODEL.md / src/model/mod.rs, without
any of the CDF algebra of exact.rs: the baseline score is the truncated normal (scipy truncnorm),
rounded and clamped on an integer scale; the latent improvement I given m0 is normal; the visit
score is round_half_away(clip(m0 - c I, scale)) and is evaluated on a fine midpoint grid of I.
Run: python3 scripts/reference/symptom_truth.py   (numpy 2.x, scipy 1.17)
"""
import numpy as np
from scipy.stats import truncnorm, norm

def truth(mu0, sd0, inc_lo, inc_hi, smin, smax, integer, arm, frac=0.5, rem_max=10.0, cov_var=0.0):
    lo, hi = max(inc_lo, smin), min(inc_hi, smax)
    tn = truncnorm((lo - mu0) / sd0, (hi - mu0) / sd0, loc=mu0, scale=sd0)
    if integer:
        kmin, kmax = np.ceil(inc_lo), np.floor(inc_hi)
        ks = np.arange(kmin, kmax + 1)
        edges_lo = np.where(ks == kmin, lo, np.maximum(ks - 0.5, lo))
        edges_hi = np.where(ks == kmax, hi, np.minimum(ks + 0.5, hi))
        m0s, w0 = ks, tn.cdf(edges_hi) - tn.cdf(edges_lo)
    else:
        n = 4000
        a, b = max(lo, mu0 - 12 * sd0), min(hi, mu0 + 12 * sd0)
        h = (b - a) / n
        m0s = a + h * (np.arange(n) + 0.5)
        w0 = tn.pdf(m0s) * h
    sd_i = np.sqrt(arm["sd"] ** 2 + cov_var)
    ngrid = 4_000_000 if integer else 20_000
    z = -12 + 24 * (np.arange(ngrid) + 0.5) / ngrid
    wz = norm.pdf(z) * 24 / ngrid
    resp = rem = imp = 0.0
    for m0, w in zip(m0s, w0):
        I = arm["mean"] + arm["slope"] * (m0 - mu0) + sd_i * z
        for c, wc in arm["courses"]:
            x = np.clip(m0 - c * I, smin, smax)
            f = np.sign(x) * np.floor(np.abs(x) + 0.5) if integer else x
            ww = w * wc
            resp += ww * np.sum(wz * (f <= (1 - frac) * m0 + 1e-9))
            rem += ww * np.sum(wz * (f <= rem_max))
            imp += ww * np.sum(wz * (m0 - f))
    return resp, rem, imp

flag = dict(mu0=34, sd0=6, inc_lo=22, inc_hi=60, smin=0, smax=60)
print("flagship ketamine", truth(**flag, integer=True, arm=dict(mean=8.1, sd=10.0, slope=0, courses=[(1, 1)])))
print("flagship placebo", truth(**flag, integer=True, arm=dict(mean=2.5, sd=5.2, slope=0, courses=[(1, 1)])))
tr = dict(mu0=33, sd0=7, inc_lo=25.5, inc_hi=40, smin=0, smax=45)
for integer in (True, False):
    for v, courses in ((1, [(0.5, 0.7), (0.1, 0.3)]), (2, [(1.0, 0.7), (0.7, 0.3)])):
        a = dict(mean=20, sd=9, slope=0.2, courses=courses)
        print("tricky", integer, "a visit", v, truth(**tr, integer=integer, arm=a, cov_var=(1.5 * 2) ** 2))
    print("tricky", integer, "b", truth(**tr, integer=integer, arm=dict(mean=6, sd=5, slope=0, courses=[(1, 1)])))
