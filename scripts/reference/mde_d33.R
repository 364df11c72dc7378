# Reference values for src/stats/assurance.rs (MDE) and src/stats/telescopes.rs (d33).
# Run: Rscript scripts/reference/mde_d33.R   (R with the pwr package)
# pwr solves with uniroot's default tolerance (about 1e-4 in d); the tight values below solve the
# same two-sided noncentral-t power equation with R's pt() and uniroot(tol = 1e-13).
library(pwr)
options(digits = 15)
pow2 <- function(d, n1, n2, alpha) {
  df <- n1 + n2 - 2; ncp <- d / sqrt(1 / n1 + 1 / n2); c <- qt(1 - alpha / 2, df)
  1 - pt(c, df, ncp) + pt(-c, df, ncp)
}
pow1 <- function(d, n, alpha) {
  df <- n - 1; ncp <- d * sqrt(n); c <- qt(1 - alpha / 2, df)
  1 - pt(c, df, ncp) + pt(-c, df, ncp)
}
solve <- function(f, target) uniroot(function(d) f(d) - target, c(1e-6, 5), tol = 1e-13)$root
cat("pwr.t.test(n=64, power=.8)$d        ", pwr.t.test(n = 64, power = .8)$d, "\n")
cat("tight two-sample 64/64 power .8      ", solve(function(d) pow2(d, 64, 64, .05), .8), "\n")
cat("power.t.test(n=64, power=.8, tol=1e-13)$delta", power.t.test(n = 64, power = .8, tol = 1e-13)$delta, "\n")
cat("pwr.t2n.test(n1=30, n2=60, power=.8)$d", pwr.t2n.test(n1 = 30, n2 = 60, power = .8)$d, "\n")
cat("tight two-sample 30/60 power .8      ", solve(function(d) pow2(d, 30, 60, .05), .8), "\n")
cat("pwr.t.test(n=30, power=.8, type='paired')$d", pwr.t.test(n = 30, power = .8, type = "paired")$d, "\n")
cat("tight paired 30 power .8             ", solve(function(d) pow1(d, 30, .05), .8), "\n")
cat("tight paired 12 alpha .01 power .9   ", solve(function(d) pow1(d, 12, .01), .9), "\n")
cat("d33: pwr.t.test(n=20, power=1/3)$d   ", pwr.t.test(n = 20, power = 1 / 3)$d, "\n")
cat("tight d33 20/20                      ", solve(function(d) pow2(d, 20, 20, .05), 1 / 3), "\n")
cat("tight d33 50/50                      ", solve(function(d) pow2(d, 50, 50, .05), 1 / 3), "\n")
cat("tight d33 15/25                      ", solve(function(d) pow2(d, 15, 25, .05), 1 / 3), "\n")
cat("tight d33 17/17                      ", solve(function(d) pow2(d, 17, 17, .05), 1 / 3), "\n")
# small-telescopes p-value: pt(t_rep, df_rep, ncp = d33 * sqrt(n1 n2 / (n1 + n2)))
d33 <- solve(function(d) pow2(d, 20, 20, .05), 1 / 3)
cat("telescope p, t_rep = 0.5, n 50/50, d33(20/20)", pt(0.5, 98, d33 * sqrt(25)), "\n")
cat("telescope p, t_rep = -1.2, n 40/35, d33(20/20)", pt(-1.2, 73, d33 * sqrt(40 * 35 / 75)), "\n")
