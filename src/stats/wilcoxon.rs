//! Wilcoxon-Mann-Whitney two-sample rank test with the Hodges-Lehmann shift estimate and its
//! confidence interval, following R's `wilcox.test(x, y, conf.int = TRUE)` (R 4.2):
//!
//! - W is the rank sum of `x` in the pooled sample minus n_x (n_x + 1) / 2 (midranks for ties).
//! - The p-value is exact when n_x < 50, n_y < 50 and there are no ties in the pooled sample (the
//!   null distribution of W by the counting recursion, cached per pair of sizes); otherwise the
//!   normal approximation with the tie-corrected variance and a continuity correction of 1/2.
//! - The estimate is the median of the n_x n_y pairwise differences x_i - y_j. The exact interval
//!   takes order statistics of those differences at the `qwilcox` quantiles; the asymptotic one
//!   inverts the continuity-corrected normal test, whose statistic is a step function of the
//!   shift, so its limits are pairwise differences (R finds the same step by `uniroot` to 1e-4; we
//!   locate it exactly). R's asymptotic *estimate* is also a `uniroot` root of the uncorrected
//!   statistic: that is the median of the differences when n_x n_y is odd and some point between
//!   the two middle differences otherwise, where we return their midpoint (the Hodges-Lehmann
//!   estimate).
//!
//! All work buffers live in a caller-owned [`WilcoxonScratch`], so a Monte Carlo loop allocates
//! only on its first call with a new pair of sample sizes.

use super::Alternative;
use super::dist::{norm_cdf, norm_quantile};
use super::ttest::TestOutcome;
use std::collections::HashMap;

/// Sample-size bound below which (in both samples) the exact null distribution is used, as R.
pub const EXACT_BELOW: usize = 50;

/// Why a Wilcoxon test could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WilcoxonError {
    /// One of the samples has no values.
    #[error("each sample needs at least one value (sizes {n_x} and {n_y})")]
    Empty {
        /// Size of x.
        n_x: usize,
        /// Size of y.
        n_y: usize,
    },
    /// A value is NaN or infinite.
    #[error("value {value} at index {index} of sample {sample} is not finite")]
    NonFinite {
        /// 'x' or 'y'.
        sample: char,
        /// Position in that sample.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The confidence level is not strictly between 0 and 1.
    #[error("confidence level {0} is not in (0, 1)")]
    ConfLevel(f64),
    /// Every pooled value is equal, so the normal approximation has zero variance.
    #[error("all {n} observations are tied: the rank statistic has zero variance")]
    AllTied {
        /// Pooled sample size.
        n: usize,
    },
}

/// Result of [`wilcoxon`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wilcoxon {
    /// W as R reports it: rank sum of x minus n_x (n_x + 1) / 2 (the Mann-Whitney U of x).
    pub w: f64,
    /// p-value for the requested alternative.
    pub p: f64,
    /// Whether the p-value (and interval) came from the exact null distribution.
    pub exact: bool,
    /// Continuity-corrected normal deviate of the approximation (NaN when exact).
    pub z: f64,
    /// Hodges-Lehmann shift estimate (median of x_i - y_j); NaN when no interval was asked for.
    pub estimate: f64,
    /// Confidence interval for the shift, one-sided (an infinite end) for a one-sided alternative
    /// as R reports it; NaN when no interval was asked for.
    pub ci: (f64, f64),
}

/// Reusable work space: pooled values, pairwise differences and the exact null distributions
/// already computed (keyed by the unordered pair of sample sizes). One per thread.
#[derive(Debug, Default, Clone)]
pub struct WilcoxonScratch {
    pooled: Vec<(f64, bool)>,
    diffs: Vec<f64>,
    nulls: HashMap<(usize, usize), ExactNull>,
}

impl WilcoxonScratch {
    /// Empty scratch space.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Exact null distribution of W for sizes (m, n): probabilities and lower-tail sums.
#[derive(Debug, Clone)]
struct ExactNull {
    pmf: Vec<f64>,
    cdf: Vec<f64>,
}

impl ExactNull {
    /// P(W = u) by the recursion on the largest pooled value: it belongs to x with probability
    /// m / (m + n) and then beats all n values of y, so p_{m,n}(u) = m/(m+n) p_{m-1,n}(u - n) +
    /// n/(m+n) p_{m,n-1}(u). Probabilities (not counts) so nothing overflows; every term is
    /// positive, so small tail probabilities keep full relative precision.
    fn new(m: usize, n: usize) -> Self {
        let mut prev: Vec<Vec<f64>> = vec![vec![1.0]; n + 1];
        for i in 1..=m {
            let mut cur: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
            cur.push(vec![1.0]);
            for j in 1..=n {
                let (a, b) = (i as f64 / (i + j) as f64, j as f64 / (i + j) as f64);
                let mut f = vec![0.0; i * j + 1];
                for (u, &q) in prev[j].iter().enumerate() {
                    f[u + j] += a * q;
                }
                for (u, &q) in cur[j - 1].iter().enumerate() {
                    f[u] += b * q;
                }
                cur.push(f);
            }
            prev = cur;
        }
        let pmf = prev.swap_remove(n);
        let mut run = 0.0;
        let cdf = pmf
            .iter()
            .map(|&q| {
                run += q;
                run
            })
            .collect();
        ExactNull { pmf, cdf }
    }

    /// P(W <= q).
    fn lower(&self, q: usize) -> f64 {
        self.cdf[q.min(self.cdf.len() - 1)]
    }

    /// P(W >= w), by symmetry of the null about m n / 2 so that it is a sum of small terms.
    fn upper(&self, w: usize) -> f64 {
        let mn = self.pmf.len() - 1;
        if w == 0 {
            1.0
        } else {
            self.lower(mn - w.min(mn))
        }
    }

    /// R's `qwilcox(x, m, n)`: the smallest q with P(W <= q) >= x (with R's 10 eps slack).
    fn quantile(&self, x: f64) -> usize {
        let mn = self.pmf.len() - 1;
        let eps = 10.0 * f64::EPSILON;
        if x <= 0.5 {
            let x = x - eps;
            (0..=mn).find(|&q| self.cdf[q] >= x).unwrap_or(mn)
        } else {
            let x = 1.0 - x + eps;
            let mut p = 0.0;
            for (q, &f) in self.pmf.iter().enumerate() {
                p += f;
                if p > x {
                    return mn - q;
                }
            }
            0
        }
    }
}

/// Wilcoxon-Mann-Whitney test of a location shift between `x` and `y` (as R's
/// `wilcox.test(x, y, alternative, conf.level, conf.int = TRUE)`); `conf_level = None` skips the
/// estimate and interval (they are NaN), which saves sorting the n_x n_y differences.
///
/// ```
/// use trialsim::stats::{Alternative, wilcoxon::{wilcoxon, WilcoxonScratch}};
/// // R's ?wilcox.test example (Hollander & Wolfe 1973, p. 69):
/// // x <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46)
/// // y <- c(1.15, 0.88, 0.90, 0.74, 1.21)
/// // wilcox.test(x, y, alternative = "g")  # W = 35, p-value = 0.1272
/// let x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
/// let y = [1.15, 0.88, 0.90, 0.74, 1.21];
/// let r = wilcoxon(&x, &y, Alternative::Greater, None, &mut WilcoxonScratch::new()).unwrap();
/// assert_eq!(r.w, 35.0);
/// assert!(r.exact);
/// // sprintf("%.17g", wilcox.test(x, y, alternative = "g")$p.value) = 0.1272061272061272 (R 4.2.2)
/// assert!((r.p - 0.1272061272061272).abs() < 1e-12);
/// ```
pub fn wilcoxon(
    x: &[f64],
    y: &[f64],
    alt: Alternative,
    conf_level: Option<f64>,
    scratch: &mut WilcoxonScratch,
) -> Result<Wilcoxon, WilcoxonError> {
    let (nx, ny) = (x.len(), y.len());
    if nx == 0 || ny == 0 {
        return Err(WilcoxonError::Empty { n_x: nx, n_y: ny });
    }
    for (sample, v) in [('x', x), ('y', y)] {
        if let Some((index, &value)) = v.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(WilcoxonError::NonFinite {
                sample,
                index,
                value,
            });
        }
    }
    if let Some(c) = conf_level
        && !(c > 0.0 && c < 1.0)
    {
        return Err(WilcoxonError::ConfLevel(c));
    }
    let (w, tie_sum) = rank_statistic(x, y, 0.0, &mut scratch.pooled);
    let exact = nx < EXACT_BELOW && ny < EXACT_BELOW && tie_sum == 0.0;
    let mut r = Wilcoxon {
        w,
        p: f64::NAN,
        exact,
        z: f64::NAN,
        estimate: f64::NAN,
        ci: (f64::NAN, f64::NAN),
    };
    let null = if exact {
        Some(exact_null(&mut scratch.nulls, nx, ny))
    } else {
        None
    };
    if let Some(null) = null {
        // W is an integer here (no ties).
        let wi = w as usize;
        r.p = match alt {
            Alternative::TwoSided => {
                let p = if w > (nx * ny) as f64 / 2.0 {
                    null.upper(wi)
                } else {
                    null.lower(wi)
                };
                (2.0 * p).min(1.0)
            }
            Alternative::Greater => null.upper(wi),
            Alternative::Less => null.lower(wi),
        };
    } else {
        let z =
            normal_z(w, tie_sum, nx, ny, alt, true).ok_or(WilcoxonError::AllTied { n: nx + ny })?;
        r.z = z;
        r.p = match alt {
            Alternative::Less => norm_cdf(z),
            Alternative::Greater => norm_cdf(-z),
            Alternative::TwoSided => (2.0 * norm_cdf(-z.abs())).min(1.0),
        };
    }
    if let Some(level) = conf_level {
        let (est, ci) = shift_interval(x, y, alt, level, exact, scratch)?;
        r.estimate = est;
        r.ci = ci;
    }
    Ok(r)
}

/// The same test as a [`TestOutcome`] for the analysis layer: estimate = Hodges-Lehmann shift,
/// (ci_low, ci_high) = the two-sided 95 % interval whatever the alternative (as the t-tests
/// report), statistic = W, df = NaN, p for `alt`. Invalid (NaN p) when the test cannot be
/// computed.
pub fn wilcoxon_outcome(
    x: &[f64],
    y: &[f64],
    alt: Alternative,
    scratch: &mut WilcoxonScratch,
) -> TestOutcome {
    let Ok(r) = wilcoxon(x, y, alt, None, scratch) else {
        return TestOutcome::invalid();
    };
    let Ok((estimate, (lo, hi))) =
        shift_interval(x, y, Alternative::TwoSided, 0.95, r.exact, scratch)
    else {
        return TestOutcome::invalid();
    };
    TestOutcome {
        estimate,
        ci_low: lo,
        ci_high: hi,
        statistic: r.w,
        df: f64::NAN,
        p: r.p,
    }
}

fn exact_null(cache: &mut HashMap<(usize, usize), ExactNull>, m: usize, n: usize) -> &ExactNull {
    // The null of W depends on (m, n) only through the unordered pair.
    let key = (m.min(n), m.max(n));
    cache
        .entry(key)
        .or_insert_with(|| ExactNull::new(key.0, key.1))
}

/// W of the pooled sample (x - d, y) with midranks, and the tie sum sum(t^3 - t) over tie groups.
fn rank_statistic(x: &[f64], y: &[f64], d: f64, pooled: &mut Vec<(f64, bool)>) -> (f64, f64) {
    pooled.clear();
    pooled.extend(x.iter().map(|&v| (v - d, true)));
    pooled.extend(y.iter().map(|&v| (v, false)));
    pooled.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum_x = 0.0;
    let mut tie_sum = 0.0;
    let mut i = 0;
    while i < pooled.len() {
        let mut j = i + 1;
        while j < pooled.len() && pooled[j].0 == pooled[i].0 {
            j += 1;
        }
        // Ranks i+1 ..= j share their mean.
        let midrank = (i + 1 + j) as f64 / 2.0;
        let in_x = pooled[i..j].iter().filter(|p| p.1).count();
        rank_sum_x += midrank * in_x as f64;
        let t = (j - i) as f64;
        tie_sum += t * t * t - t;
        i = j;
    }
    let nx = x.len() as f64;
    (rank_sum_x - nx * (nx + 1.0) / 2.0, tie_sum)
}

/// Standard deviation of W under the null with the tie correction (zero when all are tied).
fn null_sd(tie_sum: f64, nx: usize, ny: usize) -> f64 {
    let (m, n) = (nx as f64, ny as f64);
    let nn = m + n;
    let v = (m * n / 12.0) * ((nn + 1.0) - tie_sum / (nn * (nn - 1.0)));
    v.max(0.0).sqrt()
}

/// Normal deviate of W (continuity-corrected towards the alternative when `correct`), or None
/// when the variance is zero.
fn normal_z(
    w: f64,
    tie_sum: f64,
    nx: usize,
    ny: usize,
    alt: Alternative,
    correct: bool,
) -> Option<f64> {
    let sd = null_sd(tie_sum, nx, ny);
    if !(sd > 0.0) {
        return None;
    }
    let dz = w - (nx * ny) as f64 / 2.0;
    Some((dz - correction(dz, alt, correct)) / sd)
}

fn correction(dz: f64, alt: Alternative, correct: bool) -> f64 {
    if !correct {
        return 0.0;
    }
    match alt {
        Alternative::TwoSided => 0.5 * sign(dz),
        Alternative::Greater => 0.5,
        Alternative::Less => -0.5,
    }
}

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Hodges-Lehmann estimate and the confidence interval for the shift (exact or asymptotic).
fn shift_interval(
    x: &[f64],
    y: &[f64],
    alt: Alternative,
    level: f64,
    exact: bool,
    scratch: &mut WilcoxonScratch,
) -> Result<(f64, (f64, f64)), WilcoxonError> {
    let (nx, ny) = (x.len(), y.len());
    let d = &mut scratch.diffs;
    d.clear();
    for &a in x {
        d.extend(y.iter().map(|&b| a - b));
    }
    d.sort_unstable_by(f64::total_cmp);
    let nd = d.len();
    let est = if nd % 2 == 1 {
        d[nd / 2]
    } else {
        (d[nd / 2 - 1] + d[nd / 2]) / 2.0
    };
    let a = 1.0 - level;
    if exact {
        let null = exact_null(&mut scratch.nulls, nx, ny);
        let d = &scratch.diffs;
        // R: qu <- qwilcox(alpha, ...); if (qu == 0) qu <- 1; ql <- n.x*n.y - qu;
        // interval c(diffs[qu], diffs[ql + 1]) (1-based).
        let qu = |p: f64| null.quantile(p).max(1);
        let ci = match alt {
            Alternative::TwoSided => {
                let q = qu(a / 2.0);
                (d[q - 1], d[nd - q])
            }
            Alternative::Greater => (d[qu(a) - 1], f64::INFINITY),
            Alternative::Less => (f64::NEG_INFINITY, d[nd - qu(a)]),
        };
        return Ok((est, ci));
    }
    let ci = match alt {
        Alternative::TwoSided => (
            asymptotic_limit(x, y, alt, norm_quantile(1.0 - a / 2.0), scratch)?,
            asymptotic_limit(x, y, alt, norm_quantile(a / 2.0), scratch)?,
        ),
        Alternative::Greater => (
            asymptotic_limit(x, y, alt, norm_quantile(1.0 - a), scratch)?,
            f64::INFINITY,
        ),
        Alternative::Less => (
            f64::NEG_INFINITY,
            asymptotic_limit(x, y, alt, norm_quantile(a), scratch)?,
        ),
    };
    Ok((est, ci))
}

/// The shift d at which the continuity-corrected deviate z(d) of W for (x - d, y) crosses `zq`
/// (R's `root(zq)` in `wilcox.test`). z(d) is non-increasing and constant between consecutive
/// distinct pairwise differences (only within-sample ties there), so the crossing is the
/// difference separating the last interval with z > zq from the first with z < zq. Needs
/// `scratch.diffs` sorted.
fn asymptotic_limit(
    x: &[f64],
    y: &[f64],
    alt: Alternative,
    zq: f64,
    scratch: &mut WilcoxonScratch,
) -> Result<f64, WilcoxonError> {
    let (nx, ny) = (x.len(), y.len());
    let n = nx + ny;
    let d = &scratch.diffs;
    let (lo, hi) = (d[0], d[d.len() - 1]);
    // R first evaluates the statistic at the two extreme differences themselves.
    let at = |s: f64, pooled: &mut Vec<(f64, bool)>| {
        let (w, ties) = rank_statistic(x, y, s, pooled);
        normal_z(w, ties, nx, ny, alt, true).ok_or(WilcoxonError::AllTied { n })
    };
    if at(lo, &mut scratch.pooled)? - zq <= 0.0 {
        return Ok(lo);
    }
    if at(hi, &mut scratch.pooled)? - zq >= 0.0 {
        return Ok(hi);
    }
    // Between differences the pooled ties are those within x and within y only.
    let within = tie_sum_within(x, &mut scratch.pooled) + tie_sum_within(y, &mut scratch.pooled);
    let sd = null_sd(within, nx, ny);
    if !(sd > 0.0) {
        return Err(WilcoxonError::AllTied { n });
    }
    let half = (nx * ny) as f64 / 2.0;
    let d = &scratch.diffs;
    let mut i = 0;
    while i < d.len() {
        let mut j = i + 1;
        while j < d.len() && d[j] == d[i] {
            j += 1;
        }
        if j == d.len() {
            break;
        }
        // On (d[i], d[j]) the count of differences above the shift is d.len() - j.
        let dz = (d.len() - j) as f64 - half;
        let f = (dz - correction(dz, alt, true)) / sd - zq;
        if f < 0.0 {
            return Ok(d[i]);
        }
        if f == 0.0 {
            // z equals zq on the whole interval: any point is a root; take the middle.
            return Ok((d[i] + d[j]) / 2.0);
        }
        i = j;
    }
    Ok(hi)
}

/// sum(t^3 - t) over the tie groups of one sample.
fn tie_sum_within(v: &[f64], buf: &mut Vec<(f64, bool)>) -> f64 {
    buf.clear();
    buf.extend(v.iter().map(|&a| (a, true)));
    buf.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut s = 0.0;
    let mut i = 0;
    while i < buf.len() {
        let mut j = i + 1;
        while j < buf.len() && buf[j].0 == buf[i].0 {
            j += 1;
        }
        let t = (j - i) as f64;
        s += t * t * t - t;
        i = j;
    }
    s
}

#[cfg(test)]
#[path = "wilcoxon_tests.rs"]
mod tests;
