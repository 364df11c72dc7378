//! Pearson and Spearman correlation tests.
//!
//! p-values use t = r sqrt((n-2)/(1-r^2)) with n-2 df (exact for Pearson under bivariate normality;
//! for Spearman the usual large-sample approximation, as `scipy.stats.spearmanr` and
//! R's `cor.test(method = "spearman", exact = FALSE)`). The 95 % interval uses Fisher's z with SE
//! 1/sqrt(n-3) for Pearson and sqrt(1.06/(n-3)) for Spearman (Fieller, Hartley & Pearson 1957).

use super::Alternative;
use super::dist::{norm_quantile, t_sf};
use super::moments::BiSummary;
use super::ttest::TestOutcome;

/// Pearson correlation test from a bivariate summary.
///
/// ```
/// use trialsim::stats::{moments::CoMoments, correlation::pearson};
/// use trialsim::scenario::Alternative;
/// let mut c = CoMoments::default();
/// for (x, y) in [(1.0, 2.0), (2.0, 1.0), (3.0, 4.0), (4.0, 3.0), (5.0, 6.0)] { c.push(x, y); }
/// let r = pearson(&c.summary(), Alternative::TwoSided);
/// // scipy.stats.pearsonr: r = 0.8219949365267865, p = 0.08770664700806553 (SciPy 1.17.1)
/// assert!((r.estimate - 0.8219949365267865).abs() < 1e-12);
/// assert!((r.p - 0.08770664700806553).abs() < 1e-10);
/// ```
pub fn pearson(s: &BiSummary, alt: Alternative) -> TestOutcome {
    if s.n < 3.0 || !(s.sxx > 0.0) || !(s.syy > 0.0) {
        return TestOutcome::invalid();
    }
    let r = (s.sxy / (s.sxx * s.syy).sqrt()).clamp(-1.0, 1.0);
    from_r(r, s.n, 1.0, alt)
}

/// [`pearson`] without its p-value (NaN): the estimate, interval, statistic and df, bit for bit,
/// for decisions read off critical values.
///
/// ```
/// use trialsim::stats::{moments::CoMoments, correlation::{pearson, pearson_without_p}};
/// use trialsim::scenario::Alternative;
/// let mut c = CoMoments::default();
/// for (x, y) in [(1.0, 2.0), (2.0, 1.0), (3.0, 4.0), (4.0, 3.0), (5.0, 6.0)] { c.push(x, y); }
/// let (a, b) = (pearson_without_p(&c.summary()), pearson(&c.summary(), Alternative::TwoSided));
/// assert!(a.p.is_nan());
/// assert_eq!((a.estimate, a.ci_low, a.statistic, a.df), (b.estimate, b.ci_low, b.statistic, b.df));
/// ```
pub fn pearson_without_p(s: &BiSummary) -> TestOutcome {
    if s.n < 3.0 || !(s.sxx > 0.0) || !(s.syy > 0.0) {
        return TestOutcome::invalid();
    }
    let r = (s.sxy / (s.sxx * s.syy).sqrt()).clamp(-1.0, 1.0);
    without_p(r, s.n, 1.0)
}

/// Test outcome for a correlation `r` from `n` pairs; `z_var_factor` scales the Fisher-z variance
/// (1 for Pearson, 1.06 for Spearman).
pub fn from_r(r: f64, n: f64, z_var_factor: f64, alt: Alternative) -> TestOutcome {
    let mut o = without_p(r, n, z_var_factor);
    let (t, df) = (o.statistic, o.df);
    o.p = match alt {
        Alternative::TwoSided => (2.0 * t_sf(t.abs(), df)).min(1.0),
        Alternative::Greater => t_sf(t, df),
        Alternative::Less => t_sf(-t, df),
    };
    o
}

/// [`from_r`] without the p-value (NaN).
fn without_p(r: f64, n: f64, z_var_factor: f64) -> TestOutcome {
    let df = n - 2.0;
    let t = if r.abs() >= 1.0 {
        r.signum() * f64::INFINITY
    } else {
        r * (df / (1.0 - r * r)).sqrt()
    };
    let (lo, hi) = if n > 3.0 {
        let z = r.clamp(-1.0 + 1e-15, 1.0 - 1e-15).atanh();
        let h = norm_quantile(0.975) * (z_var_factor / (n - 3.0)).sqrt();
        ((z - h).tanh(), (z + h).tanh())
    } else {
        (f64::NAN, f64::NAN)
    };
    TestOutcome {
        estimate: r,
        ci_low: lo,
        ci_high: hi,
        statistic: t,
        df,
        p: f64::NAN,
    }
}

/// Replace `v` by its ranks (1-based, ties get their average rank). `idx` is scratch space.
pub fn rank_in_place(v: &mut [f64], idx: &mut Vec<usize>) {
    idx.clear();
    idx.extend(0..v.len());
    idx.sort_unstable_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut ranks = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = avg;
        }
        i = j + 1;
    }
    v.copy_from_slice(&ranks);
}

/// Spearman rank correlation test of paired data (pairs with a missing member are dropped first).
/// `x` and `y` are overwritten with ranks.
///
/// ```
/// use trialsim::stats::correlation::spearman;
/// use trialsim::scenario::Alternative;
/// let mut x = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let mut y = vec![2.0, 1.0, 4.0, 3.0, 6.0, 6.0];
/// let r = spearman(&mut x, &mut y, &mut Vec::new(), Alternative::TwoSided);
/// // scipy.stats.spearmanr: statistic = 0.8696565534786727, p = 0.02437689168569078 (SciPy 1.17.1)
/// assert!((r.estimate - 0.8696565534786727).abs() < 1e-12);
/// assert!((r.p - 0.02437689168569078).abs() < 1e-10);
/// ```
pub fn spearman(
    x: &mut Vec<f64>,
    y: &mut Vec<f64>,
    idx: &mut Vec<usize>,
    alt: Alternative,
) -> TestOutcome {
    let mut k = 0;
    for i in 0..x.len() {
        if !x[i].is_nan() && !y[i].is_nan() {
            x[k] = x[i];
            y[k] = y[i];
            k += 1;
        }
    }
    x.truncate(k);
    y.truncate(k);
    if k < 3 {
        return TestOutcome::invalid();
    }
    rank_in_place(x, idx);
    rank_in_place(y, idx);
    let mut c = super::moments::CoMoments::default();
    for i in 0..k {
        c.push(x[i], y[i]);
    }
    let s = c.summary();
    if !(s.sxx > 0.0) || !(s.syy > 0.0) {
        return TestOutcome::invalid();
    }
    let r = (s.sxy / (s.sxx * s.syy).sqrt()).clamp(-1.0, 1.0);
    from_r(r, s.n, 1.06, alt)
}
