# Reference values for tests/issue17.rs. Run: Rscript scripts/reference/issue17_reference.R (R 4.x)
# Exact size of the two-sided exact Wilcoxon test at 0.05 with 12 and 15 observations.
m <- 12; n <- 15
u <- 0:(m * n)
p <- pmin(1, 2 * pmin(pwilcox(u, m, n), 1 - pwilcox(u - 1, m, n)))
cat(sprintf("exact_size_12_15 %.17g\n", sum(dwilcox(u, m, n)[p <= 0.05])))

# End-to-end analysis check: the data written into a drawn cohort by tests/issue17.rs.
x <- c(30,28,35,32,27,31,33,29) - c(12,20,15,22,18,10,25,14)        # drug improvement
y <- c(31,29,34,30,28,33,27,32,30,26) - c(25,27,20,28,22,30,21,26,24,23)  # placebo
g <- suppressWarnings(wilcox.test(x, y, alternative = "greater"))
t2 <- suppressWarnings(wilcox.test(x, y, conf.int = TRUE))
cat(sprintf("clinical W %.17g p_greater %.17g estimate %.17g ci %.17g %.17g\n",
            g$statistic, g$p.value, t2$estimate, t2$conf.int[1], t2$conf.int[2]))
pat <- c(0.9698, 0.9176, 1.0252, 1.0920, 1.1636, 1.0610, 0.9947, 0.9715, 1.1249, 1.2135,
         1.0773, 0.9267, 0.9542, 1.2100, 1.0703, 0.8768, 1.0416, 0.9337)
con <- c(0.9371, 0.9512, 0.9287, 1.0553, 0.9937, 0.9411, 1.0410)
b <- wilcox.test(pat, con, conf.int = TRUE)
cat(sprintf("baseline W %.17g p %.17g estimate %.17g ci %.17g %.17g\n",
            b$statistic, b$p.value, b$estimate, b$conf.int[1], b$conf.int[2]))
