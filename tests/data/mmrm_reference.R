# Reference values for src/stats/mmrm (trialsim); R 4.2.2, nlme 3.1-162, numDeriv 2016.8-1.1.
# Run from the repository root:
#   Rscript tests/data/mmrm_reference.R
# Writes tests/data/mmrm_monotone.csv and tests/data/mmrm_intermittent.csv (wide: id, arm, base,
# y1..yT; NA = missing) and prints the reference values pasted into src/stats/mmrm/tests.rs.
#
# Fits: nlme::gls with unstructured covariance (corSymm + varIdent), REML and ML, tight tolerances.
# Satterthwaite df: an independent dense computation here (not nlme, not Rust): the REML (or ML)
# log-likelihood and its analytic gradient written out with full n*T matrices as functions of the
# T(T+1)/2 distinct elements of Sigma; numDeriv::jacobian (Richardson) of the gradient at the
# optimum gives the observed information; numDeriv::grad of v(sigma) = c' (X' V^-1 X)^-1 c gives g;
# df = 2 v^2 / (g' (-Hess)^-1 g)  (Satterthwaite 1946; the definition used by the mmrm package,
# whose theta covariance is the inverse Hessian of the REML/ML objective).
suppressMessages({library(nlme); library(numDeriv)})
options(digits = 17)

make_data <- function(seed, n, T, pattern) {
  set.seed(seed)
  arm <- rep(0:1, length.out = n)
  base <- round(rnorm(n, 30, 5), 1)
  Sig <- 16 * outer(1:T, 1:T, function(a, b) 0.6^abs(a - b)) * outer(sqrt(1:T), sqrt(1:T))
  L <- t(chol(Sig))
  mu <- sapply(1:T, function(t) -2 * t - 1.5 * t * arm + 0.3 * (base - 30))
  y <- round(mu + t(L %*% matrix(rnorm(n * T), T, n)), 2)
  if (pattern == "monotone") {
    # MAR: dropout after visit t more likely when the observed score at t is poor (high)
    for (i in 1:n) for (t in 2:T) {
      if (is.na(y[i, t - 1]) || runif(1) < plogis(-2.5 + 0.25 * (y[i, t - 1] + 2 * (t - 1)))) y[i, t:T] <- NA
      if (is.na(y[i, t])) break
    }
    y[3, ] <- NA  # a subject with no post-baseline visit: contributes nothing
  } else {
    y[matrix(runif(n * T) < 0.2, n, T)] <- NA
  }
  d <- data.frame(id = 1:n, arm = arm, base = base, y)
  names(d)[4:(3 + T)] <- paste0("y", 1:T)
  d
}

to_long <- function(d, T) {
  l <- do.call(rbind, lapply(1:T, function(t) data.frame(id = d$id, arm = d$arm, base = d$base,
                                                          vis = t, y = d[[paste0("y", t)]])))
  l <- l[order(l$id, l$vis), ]
  l$visit <- factor(l$vis, levels = 1:T)
  l
}

# Dense log-likelihood as a function of the distinct elements of Sigma (lower triangle, by row:
# (1,1), (2,1), (2,2), (3,1), ...), the order used by the Rust code.
dense <- function(l, T, reml) {
  l <- l[!is.na(l$y), ]
  X <- model.matrix(~ 0 + visit + visit:arm + visit:base, l)
  ids <- split(seq_len(nrow(l)), l$id)
  unpack <- function(s) { S <- matrix(0, T, T); k <- 1
    for (a in 1:T) for (b in 1:a) { S[a, b] <- s[k]; S[b, a] <- s[k]; k <- k + 1 }; S }
  Vinv <- function(S) { Vi <- matrix(0, nrow(l), nrow(l)); ld <- 0
    for (r in ids) { v <- l$vis[r]; Vi[r, r] <- solve(S[v, v, drop = FALSE]);
      ld <- ld + determinant(S[v, v, drop = FALSE])$modulus }
    list(Vi = Vi, ld = as.numeric(ld)) }
  ll <- function(s) { S <- unpack(s); if (any(eigen(S, TRUE, TRUE)$values <= 0)) return(-1e100)
    w <- Vinv(S); A <- t(X) %*% w$Vi %*% X; b <- solve(A, t(X) %*% w$Vi %*% l$y)
    r <- l$y - X %*% b; N <- nrow(X); P <- ncol(X)
    if (reml) -0.5 * ((N - P) * log(2 * pi) + w$ld + as.numeric(determinant(A)$modulus) + sum(r * (w$Vi %*% r)))
    else -0.5 * (N * log(2 * pi) + w$ld + sum(r * (w$Vi %*% r))) }
  vc <- function(s, cc) { w <- Vinv(unpack(s)); as.numeric(t(cc) %*% solve(t(X) %*% w$Vi %*% X, cc)) }
  # Analytic gradient (Searle, Casella & McCulloch 1992, sec. 6.3 and 6.6): REML
  # -tr(P A_k)/2 + y'P A_k P y/2 with P = V^-1 - V^-1 X (X'V^-1X)^-1 X'V^-1; ML (beta profiled)
  # -tr(V^-1 A_k)/2 + r'V^-1 A_k V^-1 r/2; A_k = dV/dsigma_k. Its numerical Jacobian is a far more
  # accurate Hessian than second differences of the log-likelihood.
  gr <- function(s) { S <- unpack(s); w <- Vinv(S); Vi <- w$Vi
    A <- t(X) %*% Vi %*% X; P <- Vi - Vi %*% X %*% solve(A, t(X) %*% Vi)
    b <- solve(A, t(X) %*% Vi %*% l$y); u <- Vi %*% (l$y - X %*% b)
    M <- if (reml) P else Vi
    g <- c(); for (a in 1:T) for (bb in 1:a) {
      E <- matrix(0, T, T); E[a, bb] <- 1; E[bb, a] <- 1; Ak <- matrix(0, nrow(l), nrow(l))
      for (r in ids) { v <- l$vis[r]; Ak[r, r] <- E[v, v, drop = FALSE] }
      g <- c(g, -0.5 * sum(M * Ak) + 0.5 * sum(u * (Ak %*% u))) }
    g }
  est <- function(s) { w <- Vinv(unpack(s)); A <- t(X) %*% w$Vi %*% X
    list(beta = drop(solve(A, t(X) %*% w$Vi %*% l$y)), V = solve(A)) }
  list(ll = ll, gr = gr, vc = vc, est = est, X = X)
}

report <- function(name, d, T, method) {
  l <- to_long(d, T)
  # Two passes: BFGS from nlme's default start, then Nelder-Mead from the BFGS estimate. nlme's
  # default nlminb stops at rel.tol 1e-10 on the log-likelihood, which leaves the covariance ~1e-5
  # from the optimum; these two passes get closer.
  fml <- y ~ 0 + visit + visit:arm + visit:base
  ctl <- function(m) glsControl(opt = "optim", optimMethod = m, msTol = 1e-15, tolerance = 1e-12,
                                msMaxIter = 20000, maxIter = 1000, returnObject = TRUE)
  fit0 <- gls(fml, data = l, correlation = corSymm(form = ~ vis | id),
              weights = varIdent(form = ~ 1 | visit), method = method, na.action = na.omit,
              control = ctl("BFGS"))
  cs <- corSymm(coef(fit0$modelStruct$corStruct, unconstrained = FALSE), form = ~ vis | id)
  vi <- varIdent(coef(fit0$modelStruct$varStruct, unconstrained = FALSE), form = ~ 1 | visit)
  fit <- gls(fml, data = l, correlation = cs, weights = vi, method = method, na.action = na.omit,
             control = ctl("Nelder-Mead"))
  cat("logLik BFGS pass:", format(as.numeric(logLik(fit0)), digits = 17), "\n")
  S <- getVarCov(fit, individual = which.max(table(l$id[!is.na(l$y)])))
  # getVarCov picks a complete subject's visits; every data set here has one with all T.
  stopifnot(nrow(S) == T)
  s <- c(); for (a in 1:T) for (b in 1:a) s <- c(s, S[a, b])
  D <- dense(l, T, method == "REML")
  # Our coefficient order: for visit t, (intercept, arm, base).
  cn <- names(coef(fit)); ord <- c()
  for (t in 1:T) ord <- c(ord, paste0("visit", t), paste0("visit", t, ":arm"), paste0("visit", t, ":base"))
  idx <- match(ord, cn); stopifnot(!anyNA(idx))
  cat("==", name, method, "\n")
  cat("gls beta:", format(coef(fit)[idx], digits = 17), "\n")
  cat("gls se:", format(sqrt(diag(vcov(fit)))[idx], digits = 17), "\n")
  cat("gls sigma (lower, by row):", format(s, digits = 17), "\n")
  cat("gls logLik:", format(as.numeric(logLik(fit)), digits = 17), "\n")
  cat("dense logLik at gls Sigma (no log|X'X| term):", format(D$ll(s), digits = 17), "\n")
  XtX <- crossprod(D$X)
  cat("gls logLik - 0.5 log|X'X|:", format(as.numeric(logLik(fit)) - 0.5 * as.numeric(determinant(XtX)$modulus), digits = 17), "\n")
  # Even so, gls stops ~1e-7..1e-5 (relative) short of the optimum in Sigma when the likelihood is
  # flat. Polish with Newton steps on the dense likelihood (analytic gradient, Hessian as its
  # Richardson-extrapolated numerical Jacobian); the reference values below are at the polished
  # optimum, and the distance from gls's estimate is printed.
  hess <- function(s) { H <- jacobian(D$gr, s); (H + t(H)) / 2 }
  s_gls <- s
  for (it in 1:4) s <- s + drop(solve(-hess(s), D$gr(s)))
  # Check the analytic gradient against numDeriv on the log-likelihood itself.
  cat("analytic vs numerical gradient at gls estimate, max abs diff:", format(max(abs(D$gr(s_gls) - grad(D$ll, s_gls))), digits = 3), "\n")
  cat("max relative change of Sigma from gls by polishing:", format(max(abs(s / s_gls - 1)), digits = 3), "\n")
  E <- D$est(s)
  stopifnot(identical(colnames(D$X), cn))
  cat("beta:", format(E$beta[idx], digits = 17), "\n")
  # For ML this is the ML (X'V^-1X)^-1; nlme's vcov for ML scales it by N / (N - P).
  cat("se:", format(sqrt(diag(E$V))[idx], digits = 17), "\n")
  cat("sigma (lower, by row):", format(s, digits = 17), "\n")
  cat("logLik:", format(D$ll(s), digits = 17), "\n")
  A <- solve(-hess(s))
  cat("relative Newton step left:", format(max(abs(A %*% D$gr(s) / s)), digits = 3), "\n")
  for (t in 1:T) {
    cc <- rep(0, length(cn)); cc[match(paste0("visit", t, ":arm"), cn)] <- 1
    v <- D$vc(s, cc); g <- grad(function(z) D$vc(z, cc), s)
    df <- 2 * v^2 / as.numeric(t(g) %*% A %*% g)
    est <- sum(cc * E$beta); se <- sqrt(v); tt <- est / se
    cat(sprintf("arm@visit%d: est %.17g se %.17g df %.17g t %.17g p %.17g\n", t, est, se, df, tt,
                2 * pt(-abs(tt), df)))
  }
}

d1 <- make_data(20240517, 60, 3, "monotone")
write.csv(d1, "tests/data/mmrm_monotone.csv", row.names = FALSE, na = "NA")
d2 <- make_data(777, 40, 4, "intermittent")
write.csv(d2, "tests/data/mmrm_intermittent.csv", row.names = FALSE, na = "NA")
cat("monotone: observed per visit", colSums(!is.na(d1[, 4:6])), "\n")
cat("intermittent: observed per visit", colSums(!is.na(d2[, 4:7])), "\n")
report("monotone", d1, 3, "REML")
report("monotone", d1, 3, "ML")
report("intermittent", d2, 4, "REML")
