"""Closed-form power of the flagship's primary endpoint (MADRS change, ketamine vs placebo, Welch
t-test, two-sided alpha 0.05) against the number of patients, with the scenario's 5 % dropout in
each arm taken as expected completers (0.95 x the arm's size, blocked 1:1 allocation).

Noncentral t with Welch-Satterthwaite degrees of freedom:
  se = sqrt(s1^2/m1 + s2^2/m2), ncp = delta/se, df = se^4 / ((s1^2/m1)^2/(m1-1) + (s2^2/m2)^2/(m2-1))
  power = P(T' > t_{1-a/2,df}) + P(T' < -t_{1-a/2,df}), T' ~ nct(df, ncp)
Scenario: arms.ketamine.improvement_mean 8.1, improvement_sd 10; arms.placebo 2.5, 5.2; dropout 0.05.
Run: python3 scripts/reference/welch_dropout_power.py   (SciPy 1.17.1)
"""
from math import sqrt, ceil, floor
from scipy import stats

d, s1, s2, keep, alpha = 8.1 - 2.5, 10.0, 5.2, 0.95, 0.05


def power(n):
    m1, m2 = keep * ceil(n / 2), keep * floor(n / 2)
    v1, v2 = s1**2 / m1, s2**2 / m2
    se = sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (m1 - 1) + v2**2 / (m2 - 1))
    t = stats.t.ppf(1 - alpha / 2, df)
    nc = d / se
    return stats.nct.sf(t, df, nc) + stats.nct.cdf(-t, df, nc)


for n in (40, 50, 60, 62, 64, 66, 68, 70, 72, 80):
    print(n, round(power(n), 4))
print("smallest n with power >= 0.8:", next(n for n in range(6, 400) if power(n) >= 0.8))
