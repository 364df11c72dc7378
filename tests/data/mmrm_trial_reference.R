# Reference for the per-trial MMRM of a clinical "test": "mmrm" family (tests/mmrm_analysis.rs).
# R 4.2.2, nlme 3.1-162, numDeriv 2016.8-1.1. Run from the repository root:
#   ./target/release/trialsim simulate tests/data/tms-mmrm.json --seed 1 > tests/data/tms_mmrm_seed1.csv
#   Rscript tests/data/mmrm_trial_reference.R
# Reads the simulated cohort (175 patients, MADRS at baseline, end of treatment and follow-up,
# monotone MAR dropout), forms the observed improvement y_t = baseline - score_t, arm = 1 for
# accelerated, base = baseline - 30 (the family centres the baseline score at symptoms.baseline_mean),
# and fits y ~ 0 + visit + visit:arm + visit:base with an unstructured covariance by nlme::gls
# (corSymm + varIdent, REML), polished by Newton steps on an independently coded dense likelihood,
# with the Satterthwaite df from that likelihood's numerical observed information: the `report`
# function of tests/data/mmrm_reference.R, reused unchanged.
src <- readLines("tests/data/mmrm_reference.R")
eval(parse(text = src[1:(grep("^d1 <- make_data", src) - 1)]))
# On this data set optim's BFGS first pass (report's default) wanders out of the correlation range;
# use nlme's default nlminb for that pass (Nelder-Mead second pass and the Newton polish as before),
# and skip nlme's approximate variance of the covariance parameters (not used).
glsControl <- function(..., opt, optimMethod)
  nlme::glsControl(..., opt = if (optimMethod == "BFGS") "nlminb" else "optim",
                   optimMethod = optimMethod, apVar = FALSE)
x <- read.csv("tests/data/tms_mmrm_seed1.csv")
d <- data.frame(id = x$id, arm = as.numeric(x$arm == "accelerated"), base = x$madrs_baseline - 30,
                y1 = x$madrs_baseline - x$madrs_end_of_treatment,
                y2 = x$madrs_baseline - x$madrs_follow_up)
cat("observed per visit", colSums(!is.na(d[, 4:5])), "of", nrow(d), "\n")
report("tms-mmrm seed 1", d, 2, "REML")
report("tms-mmrm seed 1", d, 2, "ML")
