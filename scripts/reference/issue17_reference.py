"""Independent reference values for tests/issue17.rs (issue 17: Wilcoxon, group variances).

Run: python3 scripts/reference/issue17_reference.py   (NumPy 2.4.6, SciPy 1.17.1)
Nothing here uses trialsim: the trial is re-simulated from its definition.
"""
import numpy as np
from scipy import stats

rng = np.random.default_rng(20261122)

# 1. Wilcoxon power, unequal variances: patients N(1.08, 0.15^2) n=20 vs controls N(1.00, 0.10^2)
#    n=25, two-sided exact Mann-Whitney at 0.05 (scipy method='exact' = R's exact wilcox.test).
N = 200_000
x = rng.normal(1.08, 0.15, size=(N, 20))
y = rng.normal(1.00, 0.10, size=(N, 25))
p = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact", axis=1).pvalue
pw = np.mean(p <= 0.05)
print(f"wilcoxon_power {pw:.6f} se {np.sqrt(pw * (1 - pw) / N):.6f} (N={N})")

# 2. Student vs Welch type I error, unequal variances and unequal n: patients n=15 SD 0.2,
#    controls n=40 SD 0.1, no shift, two-sided 0.05.
N = 1_000_000
x = rng.normal(1.0, 0.2, size=(N, 15))
y = rng.normal(1.0, 0.1, size=(N, 40))
ps = stats.ttest_ind(x, y, axis=1, equal_var=True).pvalue
pwl = stats.ttest_ind(x, y, axis=1, equal_var=False).pvalue
for name, q in [("student", ps), ("welch", pwl)]:
    r = np.mean(q <= 0.05)
    print(f"{name}_type1 {r:.6f} se {np.sqrt(r * (1 - r) / N):.6f} (N={N})")
