//! Fisher's exact test for a 2x2 table, and the risk difference with Newcombe's interval.
//!
//! The two-sided p-value follows R's `fisher.test`: the sum of the hypergeometric probabilities of
//! all tables no more likely than the observed one (with a relative tolerance of 1e-7 for ties).

use super::Alternative;
use super::dist::norm_quantile;
use super::ttest::TestOutcome;
use statrs::function::factorial::ln_binomial;

/// Fisher's exact test of `x1` events of `n1` vs `x2` of `n2`; the estimate is the risk difference
/// x1/n1 - x2/n2 with Newcombe's hybrid score 95 % interval (method 10, Newcombe 1998).
///
/// ```
/// use trialsim::stats::fisher::fisher_exact;
/// use trialsim::scenario::Alternative;
/// // scipy.stats.fisher_exact([[7, 10], [2, 15]]).pvalue = 0.11753800519095291 (SciPy 1.17.1)
/// let r = fisher_exact(7, 17, 2, 17, Alternative::TwoSided);
/// assert!((r.estimate - 5.0 / 17.0).abs() < 1e-12);
/// assert!((r.p - 0.11753800519095291).abs() < 1e-12);
/// ```
pub fn fisher_exact(x1: u64, n1: u64, x2: u64, n2: u64, alt: Alternative) -> TestOutcome {
    if n1 == 0 || n2 == 0 {
        return TestOutcome::invalid();
    }
    let m = x1 + x2; // column total of events
    let n = n1 + n2;
    let lo = m.saturating_sub(n2);
    let hi = m.min(n1);
    // log P(X = k) for X ~ Hypergeometric(n1 drawn from n with m events).
    let denom = ln_binomial(n, m);
    let logp = |k: u64| ln_binomial(n1, k) + ln_binomial(n2, m - k) - denom;
    let p = match alt {
        Alternative::TwoSided => {
            let obs = logp(x1);
            let mut p = 0.0;
            for k in lo..=hi {
                let lk = logp(k);
                if lk <= obs + 1e-7f64.ln_1p() {
                    p += lk.exp();
                }
            }
            p
        }
        Alternative::Greater => (x1..=hi).map(|k| logp(k).exp()).sum(),
        Alternative::Less => (lo..=x1).map(|k| logp(k).exp()).sum(),
    };
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let (l1, u1) = wilson(x1, n1);
    let (l2, u2) = wilson(x2, n2);
    let d = p1 - p2;
    let lo_ci = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let hi_ci = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    TestOutcome {
        estimate: d,
        ci_low: lo_ci,
        ci_high: hi_ci,
        statistic: x1 as f64,
        df: f64::NAN,
        p: p.min(1.0),
    }
}

/// Wilson score 95 % interval for a proportion x/n.
///
/// ```
/// let (lo, hi) = trialsim::stats::fisher::wilson(5, 20);
/// // statsmodels proportion_confint(5, 20, method="wilson") = (0.11186, 0.46870)
/// assert!((lo - 0.11186).abs() < 1e-5 && (hi - 0.46870).abs() < 1e-5);
/// ```
pub fn wilson(x: u64, n: u64) -> (f64, f64) {
    wilson_z(x as f64, n as f64, norm_quantile(0.975))
}

/// Wilson score interval for a proportion x/n at normal quantile z.
pub fn wilson_z(x: f64, n: f64, z: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let p = x / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}
