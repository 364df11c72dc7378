# Independent simulation of tests/data/mar-mmrm.json (written from docs/model.md sections 2.2-2.8,
# not from the Rust code) and its analysis by nlme::gls (unstructured covariance, REML).
# R 4.2.2, nlme 3.1-162. Run from the repository root:
#   Rscript scripts/reference/mmrm_mar_power.R 2000 20261122
# Model: 60 + 60 patients (blocked); baseline MADRS m0 ~ N(30, 6^2) truncated to [20, 60]
# (continuous scale); latent improvement s = mean_arm + 8 z + 0.3 (m0 - 30), mean 12 (treat), 8;
# score at visit t = m0 - f_t s - 4 e_t, f = (0.5, 0.8, 1); before visit t a patient still in the
# study drops out with probability plogis(qlogis(0.15) + 1.5 (last observed score - 30) / 6).
# Analyses: MMRM y_t = m0 - score_t ~ 0 + visit + visit:arm + visit:base (base = m0 - 30),
# corSymm + varIdent, REML; arm contrast at week 6 with a t test on n_6 - 3 df (n_6 = patients
# observed at week 6; the Satterthwaite df of the Rust code is close to this for monotone data);
# complete-case ANCOVA at week 6: lm(y3 ~ arm + base). Truth of the week-6 difference: 4.
suppressMessages(library(nlme))
args <- commandArgs(TRUE)
reps <- as.integer(args[1]); set.seed(as.integer(args[2]))
one <- function() {
  n <- 120; arm <- rep(c(1, 0), each = n / 2)
  m0 <- numeric(n)
  for (i in 1:n) repeat { x <- rnorm(1, 30, 6); if (x >= 20 && x <= 60) { m0[i] <- x; break } }
  s <- ifelse(arm == 1, 12, 8) + 8 * rnorm(n) + 0.3 * (m0 - 30)
  f <- c(0.5, 0.8, 1)
  sc <- sapply(1:3, function(t) m0 - f[t] * s - 4 * rnorm(n))
  for (i in 1:n) {
    last <- m0[i]
    for (t in 1:3) {
      if (runif(1) < plogis(qlogis(0.15) + 1.5 * (last - 30) / 6)) { sc[i, t:3] <- NA; break }
      last <- sc[i, t]
    }
  }
  y <- m0 - sc
  l <- data.frame(id = rep(1:n, each = 3), vis = rep(1:3, n), arm = rep(arm, each = 3),
                  base = rep(m0 - 30, each = 3), y = as.vector(t(y)))
  l$visit <- factor(l$vis); l <- l[!is.na(l$y), ]
  fit <- try(gls(y ~ 0 + visit + visit:arm + visit:base, data = l,
                 correlation = corSymm(form = ~ vis | id), weights = varIdent(form = ~ 1 | visit),
                 method = "REML", control = glsControl(apVar = FALSE, msMaxIter = 500)), silent = TRUE)
  n3 <- sum(!is.na(y[, 3]))
  cc <- summary(lm(y[, 3] ~ arm + I(m0 - 30)))$coefficients["arm", 1]
  if (inherits(fit, "try-error")) return(c(NA, NA, cc, n3))
  est <- coef(fit)["visit3:arm"]; se <- sqrt(vcov(fit)["visit3:arm", "visit3:arm"])
  c(est, 2 * pt(-abs(est / se), n3 - 3), cc, n3)
}
r <- t(replicate(reps, one()))
ok <- !is.na(r[, 1])
pw <- mean(r[ok, 2] < 0.05)
cat("reps", reps, "fitted", sum(ok), "\n")
cat(sprintf("MMRM power at week 6 (alpha 0.05, two-sided): %.4f, MC SE %.4f\n", pw, sqrt(pw * (1 - pw) / sum(ok))))
cat(sprintf("MMRM mean estimate %.4f (truth 4), MC SE %.4f\n", mean(r[ok, 1]), sd(r[ok, 1]) / sqrt(sum(ok))))
cat(sprintf("complete-case ANCOVA mean estimate %.4f, MC SE %.4f\n", mean(r[, 3]), sd(r[, 3]) / sqrt(reps)))
cat(sprintf("mean patients observed at week 6: %.2f\n", mean(r[, 4])))
