//! t-tests (Welch, Student, one-sample/paired) and one-way ANCOVA with one covariate, all from
//! sufficient statistics.
//!
//! Every function returns a [`TestOutcome`]; a test that cannot be computed (too few values, zero
//! variance) returns [`TestOutcome::invalid`] rather than a NaN p-value that could be mistaken for a
//! result. Callers count invalid tests as non-rejections and report how often they happened.

use super::Alternative;
use super::dist::{t_sf, t975};
use super::moments::{BiSummary, Summary};

/// Result of one test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestOutcome {
    /// Point estimate (difference, mean change, correlation, risk difference).
    pub estimate: f64,
    /// Lower end of the two-sided 95 % confidence interval.
    pub ci_low: f64,
    /// Upper end of the 95 % confidence interval.
    pub ci_high: f64,
    /// Test statistic.
    pub statistic: f64,
    /// Degrees of freedom (NaN where not applicable).
    pub df: f64,
    /// p-value for the requested alternative; NaN when the test could not be computed.
    pub p: f64,
}

impl TestOutcome {
    /// A test that could not be computed.
    pub fn invalid() -> Self {
        TestOutcome {
            estimate: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
            statistic: f64::NAN,
            df: f64::NAN,
            p: f64::NAN,
        }
    }

    /// Whether the test produced a p-value.
    pub fn is_valid(&self) -> bool {
        self.p.is_finite()
    }
}

/// The pieces of a t-test: estimate, standard error and degrees of freedom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TStat {
    /// Point estimate.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Degrees of freedom.
    pub df: f64,
}

impl TStat {
    /// The exact test outcome.
    pub fn outcome(&self, alt: Alternative) -> TestOutcome {
        from_t(self.estimate, self.se, self.df, alt)
    }

    /// Estimate, confidence interval and statistic, without a p-value (NaN): for Monte Carlo
    /// decisions, which need only where the statistic falls among critical values (see
    /// [`crate::stats::multiplicity::reject_from_brackets`]).
    pub fn without_p(&self) -> TestOutcome {
        from_t_ci(self.estimate, self.se, self.df, None)
    }

    /// [`TStat::without_p`] with the df's placement on the quantile tables already found (the
    /// same result, one placement fewer).
    pub fn without_p_at(&self, nodes: Option<&crate::stats::dist::Nodes>) -> TestOutcome {
        from_t_ci(self.estimate, self.se, self.df, nodes)
    }
}

/// Estimate, CI and statistic of a t-type test, without the p-value (NaN).
fn from_t_ci(
    estimate: f64,
    se: f64,
    df: f64,
    nodes: Option<&crate::stats::dist::Nodes>,
) -> TestOutcome {
    if !(se > 0.0) || !(df > 0.0) || !estimate.is_finite() {
        return TestOutcome::invalid();
    }
    let q = match nodes {
        Some(n) => crate::stats::dist::t975_table().at(n),
        None => t975(df),
    };
    TestOutcome {
        estimate,
        ci_low: estimate - q * se,
        ci_high: estimate + q * se,
        statistic: estimate / se,
        df,
        p: f64::NAN,
    }
}

/// p-value of a t statistic for the alternative.
pub fn t_pvalue(t: f64, df: f64, alt: Alternative) -> f64 {
    match alt {
        Alternative::TwoSided => (2.0 * t_sf(t.abs(), df)).min(1.0),
        Alternative::Greater => t_sf(t, df),
        Alternative::Less => t_sf(-t, df),
    }
}

/// Outcome of a t-type test from an estimate, its standard error and df.
pub fn from_t(estimate: f64, se: f64, df: f64, alt: Alternative) -> TestOutcome {
    let mut o = from_t_ci(estimate, se, df, None);
    if o.statistic.is_finite() {
        o.p = t_pvalue(o.statistic, df, alt);
    }
    o
}

/// Welch's unequal-variance t-test of mean(a) - mean(b) with Welch-Satterthwaite df.
///
/// ```
/// use trialsim::stats::{moments::Summary, ttest::welch};
/// use trialsim::scenario::Alternative;
/// let a = Summary { n: 10.0, mean: 1.0, var: 1.0 };
/// let b = Summary { n: 20.0, mean: 0.0, var: 4.0 };
/// let r = welch(&a, &b, Alternative::TwoSided);
/// // scipy.stats.ttest_ind_from_stats(1, 1, 10, 0, 2, 20, equal_var=False): t = 1.8257418583505536,
/// // p = 0.07857958786913388 (SciPy 1.17.1)
/// assert!((r.statistic - 1.8257418583505536).abs() < 1e-12);
/// assert!((r.p - 0.07857958786913388).abs() < 1e-10);
/// ```
pub fn welch(a: &Summary, b: &Summary, alt: Alternative) -> TestOutcome {
    welch_stat(a, b).outcome(alt)
}

/// The pieces of Welch's test (NaN when it cannot be computed).
pub fn welch_stat(a: &Summary, b: &Summary) -> TStat {
    if a.n < 2.0 || b.n < 2.0 {
        return TStat {
            estimate: f64::NAN,
            se: f64::NAN,
            df: f64::NAN,
        };
    }
    let (va, vb) = (a.var / a.n, b.var / b.n);
    let se2 = va + vb;
    let df = se2 * se2 / (va * va / (a.n - 1.0) + vb * vb / (b.n - 1.0));
    TStat {
        estimate: a.mean - b.mean,
        se: se2.sqrt(),
        df,
    }
}

/// Student's pooled-variance two-sample t-test of mean(a) - mean(b).
///
/// ```
/// use trialsim::stats::{moments::Summary, ttest::student};
/// use trialsim::scenario::Alternative;
/// let a = Summary { n: 10.0, mean: 1.0, var: 1.0 };
/// let b = Summary { n: 20.0, mean: 0.0, var: 4.0 };
/// let r = student(&a, &b, Alternative::TwoSided);
/// // scipy.stats.ttest_ind_from_stats(1, 1, 10, 0, 2, 20): t = 1.4819171472698967,
/// // p = 0.14953009055425986 (SciPy 1.17.1)
/// assert!((r.statistic - 1.4819171472698967).abs() < 1e-12);
/// assert!((r.p - 0.14953009055425986).abs() < 1e-10);
/// ```
pub fn student(a: &Summary, b: &Summary, alt: Alternative) -> TestOutcome {
    student_stat(a, b).outcome(alt)
}

/// The pieces of Student's test (NaN when it cannot be computed).
pub fn student_stat(a: &Summary, b: &Summary) -> TStat {
    if a.n < 1.0 || b.n < 1.0 || a.n + b.n < 3.0 {
        return TStat {
            estimate: f64::NAN,
            se: f64::NAN,
            df: f64::NAN,
        };
    }
    let df = a.n + b.n - 2.0;
    let ssa = if a.n > 1.0 { a.var * (a.n - 1.0) } else { 0.0 };
    let ssb = if b.n > 1.0 { b.var * (b.n - 1.0) } else { 0.0 };
    let sp2 = (ssa + ssb) / df;
    TStat {
        estimate: a.mean - b.mean,
        se: (sp2 * (1.0 / a.n + 1.0 / b.n)).sqrt(),
        df,
    }
}

/// One-sample t-test of mean = 0 (the paired t-test when applied to differences).
///
/// ```
/// use trialsim::stats::{moments::Summary, ttest::one_sample};
/// use trialsim::scenario::Alternative;
/// let d = Summary { n: 12.0, mean: 0.5, var: 1.0 };
/// let r = one_sample(&d, Alternative::TwoSided);
/// // t = 0.5 sqrt(12) = 1.7320508; 2 * scipy.stats.t.sf(1.7320508075688772, 11) = 0.11117295276905716
/// assert!((r.p - 0.11117295276905716).abs() < 1e-10);
/// ```
pub fn one_sample(d: &Summary, alt: Alternative) -> TestOutcome {
    one_sample_stat(d).outcome(alt)
}

/// The pieces of the one-sample test (NaN when it cannot be computed).
pub fn one_sample_stat(d: &Summary) -> TStat {
    if d.n < 2.0 {
        return TStat {
            estimate: f64::NAN,
            se: f64::NAN,
            df: f64::NAN,
        };
    }
    TStat {
        estimate: d.mean,
        se: (d.var / d.n).sqrt(),
        df: d.n - 1.0,
    }
}

/// One-way ANCOVA of y on group and one covariate x with a common slope: the adjusted difference
/// between group a and group b, (my_a - my_b) - beta (mx_a - mx_b), with beta the pooled
/// within-group slope. Equivalent to the group coefficient of OLS `y ~ group + x` (df n - 3).
///
/// ```
/// use trialsim::stats::{moments::CoMoments, ttest::ancova};
/// use trialsim::scenario::Alternative;
/// let (mut a, mut b) = (CoMoments::default(), CoMoments::default());
/// for (x, y) in [(1.0, 2.0), (2.0, 2.5), (3.0, 4.5), (4.0, 4.0)] { a.push(x, y); }
/// for (x, y) in [(1.5, 1.0), (2.5, 1.5), (3.5, 3.0), (5.0, 3.5)] { b.push(x, y); }
/// let r = ancova(&a.summary(), &b.summary(), Alternative::TwoSided);
/// // statsmodels 0.15 OLS y ~ g + x on these 8 rows: coef g = 1.4879679144385034,
/// // se = 0.38309592745639504, p = 0.011594242824507906
/// assert!((r.ci_high - r.estimate) / 2.5705818366147395 - 0.38309592745639504 < 1e-9); // t(5) quantile
/// assert!((r.p - 0.011594242824507906).abs() < 1e-9);
/// assert!((r.estimate - 1.4879679144385034).abs() < 1e-9);
/// ```
pub fn ancova(a: &BiSummary, b: &BiSummary, alt: Alternative) -> TestOutcome {
    ancova_stat(a, b).outcome(alt)
}

/// The pieces of the one-covariate ANCOVA (NaN when it cannot be computed).
pub fn ancova_stat(a: &BiSummary, b: &BiSummary) -> TStat {
    let nan = TStat {
        estimate: f64::NAN,
        se: f64::NAN,
        df: f64::NAN,
    };
    let n = a.n + b.n;
    if a.n < 1.0 || b.n < 1.0 || n < 4.0 {
        return nan;
    }
    let sxx = a.sxx + b.sxx;
    let sxy = a.sxy + b.sxy;
    let syy = a.syy + b.syy;
    if !(sxx > 0.0) {
        return nan;
    }
    let beta = sxy / sxx;
    let rss = (syy - sxy * sxy / sxx).max(0.0);
    let df = n - 3.0;
    let s2 = rss / df;
    let dx = a.mx - b.mx;
    let est = (a.my - b.my) - beta * dx;
    let se = (s2 * (1.0 / a.n + 1.0 / b.n + dx * dx / sxx)).sqrt();
    TStat {
        estimate: est,
        se,
        df,
    }
}
