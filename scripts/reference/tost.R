# Reference values for the sample TOST in src/stats/tost.rs: each one-sided test is R's own
# t.test with mu shifted to the margin. Run: Rscript scripts/reference/tost.R
options(digits = 17)
set.seed(11)
x <- rnorm(14, 0.3, 1.0)
y <- rnorm(19, 0.0, 1.6)
cat("x: n", length(x), "mean", mean(x), "var", var(x), "\n")
cat("y: n", length(y), "mean", mean(y), "var", var(y), "\n")
for (m in list(c(-0.8, 1.2), c(-0.5, 0.5))) for (ve in c(TRUE, FALSE)) {
  lo <- t.test(x, y, mu = m[1], alternative = "greater", var.equal = ve)
  hi <- t.test(x, y, mu = m[2], alternative = "less", var.equal = ve)
  ci <- t.test(x, y, var.equal = ve, conf.level = 0.90)$conf.int
  cat(if (ve) "student" else "welch", "margins", m, ": t_low", lo$statistic, "p_low", lo$p.value,
      "t_high", hi$statistic, "p_high", hi$p.value, "df", lo$parameter, "ci90", ci, "\n")
}
