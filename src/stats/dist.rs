//! Distribution functions the tests and the closed-form checks need.
//!
//! statrs supplies the central t and normal; it has no noncentral t, so [`nct_cdf`] implements
//! Lenth's algorithm AS 243 (Applied Statistics 38, 1989, 185-189). statrs' t quantile degrades for
//! very large df, so above [`HUGE_DF`] the normal is used instead.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use statrs::function::{beta::beta_reg, gamma::ln_gamma};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Degrees of freedom above which the t distribution is replaced by the standard normal
/// (the difference in a two-sided 5 % critical value is below 1e-5 there).
pub const HUGE_DF: f64 = 1e5;

fn std_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("valid")
}

/// Standard normal CDF.
///
/// ```
/// // statrs 0.19 erfc is accurate to about 1e-12 here.
/// assert!((trialsim::stats::dist::norm_cdf(1.959963984540054) - 0.975).abs() < 1e-11);
/// ```
pub fn norm_cdf(x: f64) -> f64 {
    std_normal().cdf(x)
}

/// Standard normal quantile.
pub fn norm_quantile(p: f64) -> f64 {
    std_normal().inverse_cdf(p)
}

/// Upper tail P(T > t) of Student's t with `df` degrees of freedom.
///
/// ```
/// // scipy.stats.t.sf(2.0, 10) = 0.03669401738537018 (SciPy 1.17.1)
/// assert!((trialsim::stats::dist::t_sf(2.0, 10.0) - 0.03669401738537018).abs() < 1e-12);
/// ```
pub fn t_sf(t: f64, df: f64) -> f64 {
    if t.is_nan() || !(df > 0.0) {
        return f64::NAN;
    }
    if df > HUGE_DF {
        // The incomplete beta is unreliable for shape parameters this large; a normalising
        // transformation is accurate to O(1/df^2) (below 1e-9 here).
        let z = t * (1.0 - 1.0 / (4.0 * df)) / (1.0 + t * t / (2.0 * df)).sqrt();
        return std_normal().sf(z);
    }
    // P(T > t) = I_x(df/2, 1/2) / 2 with x = df / (df + t^2), for t >= 0. The incomplete beta keeps
    // full relative precision in the tail, unlike 1 - cdf.
    let x = df / (df + t * t);
    let tail = 0.5 * beta_reg(0.5 * df, 0.5, x);
    if t >= 0.0 { tail } else { 1.0 - tail }
}

/// Quantile of Student's t, accurate to about 1e-12: statrs' inverse as the start (the normal's
/// above [`HUGE_DF`], where statrs degrades), then Newton steps on the accurate upper tail
/// [`t_sf`] with the exact density.
///
/// ```
/// // scipy.stats.t.ppf(0.975, 10) = 2.228138851986274 (SciPy 1.17.1)
/// assert!((trialsim::stats::dist::t_quantile(0.975, 10.0) - 2.228138851986274).abs() < 1e-11);
/// // scipy.stats.t.ppf(0.975, 5e4) = 1.9600114310936798: statrs alone is off here
/// assert!((trialsim::stats::dist::t_quantile(0.975, 5e4) - 1.9600114310936798).abs() < 1e-11);
/// ```
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if !(df > 0.0 && p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    if df > HUGE_DF {
        // Fisher's expansion in 1/df (Abramowitz & Stegun 26.7.5); the next term is below 1e-14.
        let z = norm_quantile(p);
        let g1 = (z.powi(3) + z) / 4.0;
        let g2 = (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / 96.0;
        return z + g1 / df + g2 / (df * df);
    }
    let mut q = if df > 1e4 {
        norm_quantile(p)
    } else {
        StudentsT::new(0.0, 1.0, df).expect("df > 0").inverse_cdf(p)
    };
    // log of the density's normalising constant
    let ln_c =
        ln_gamma((df + 1.0) / 2.0) - ln_gamma(df / 2.0) - 0.5 * (df * std::f64::consts::PI).ln();
    for _ in 0..50 {
        let cdf = 1.0 - t_sf(q, df);
        let pdf = (ln_c - (df + 1.0) / 2.0 * (1.0 + q * q / df).ln()).exp();
        if !(pdf > 0.0) {
            break;
        }
        let step = (cdf - p) / pdf;
        q -= step;
        if step.abs() <= 1e-14 * q.abs().max(1.0) {
            break;
        }
    }
    q
}

/// [`t_quantile`] from a start `q0` already close to the answer (within about 1e-6): Newton steps
/// on the exact tail, stopping once a step is below 1e-8 (Newton's error squares, so the next
/// step would be below about 1e-15); the full [`t_quantile`] when that does not happen within a
/// few steps.
fn t_quantile_near(p: f64, df: f64, q0: f64) -> f64 {
    if !(df > 0.0 && df <= HUGE_DF && p > 0.0 && p < 1.0 && q0.is_finite()) {
        return t_quantile(p, df);
    }
    let ln_c =
        ln_gamma((df + 1.0) / 2.0) - ln_gamma(df / 2.0) - 0.5 * (df * std::f64::consts::PI).ln();
    let mut q = q0;
    for _ in 0..3 {
        let cdf = 1.0 - t_sf(q, df);
        let pdf = (ln_c - (df + 1.0) / 2.0 * (1.0 + q * q / df).ln()).exp();
        if !(pdf > 0.0) {
            break;
        }
        let step = (cdf - p) / pdf;
        q -= step;
        if step.abs() <= 1e-8 * q.abs().max(1.0) {
            return q;
        }
    }
    t_quantile(p, df)
}

/// CDF of the noncentral t distribution, P(T <= t) with `df` degrees of freedom and noncentrality
/// `delta`, by Lenth's AS 243 (series in incomplete beta functions, error bound 1e-12).
///
/// ```
/// // scipy.stats.nct.cdf(2.0, 10, 1.5) = 0.6591540724421909 (SciPy 1.17.1)
/// let p = trialsim::stats::dist::nct_cdf(2.0, 10.0, 1.5);
/// assert!((p - 0.6591540724421909).abs() < 1e-9);
/// ```
pub fn nct_cdf(t: f64, df: f64, delta: f64) -> f64 {
    const ERRMAX: f64 = 1e-12;
    const ITRMAX: usize = 10_000;
    if delta == 0.0 {
        return 1.0 - t_sf(t, df);
    }
    let (tt, del, neg) = if t < 0.0 {
        (-t, -delta, true)
    } else {
        (t, delta, false)
    };
    let mut tnc = 0.0;
    let x = tt * tt / (tt * tt + df);
    if x > 0.0 {
        let lambda = del * del;
        let mut p = 0.5 * (-0.5 * lambda).exp();
        let mut q = (2.0 / std::f64::consts::PI).sqrt() * p * del;
        // s = 0.5 - p, written so that it keeps its precision when lambda is small.
        let mut s = -0.5 * (-0.5 * lambda).exp_m1();
        let mut a = 0.5;
        let b = 0.5 * df;
        let rxb = (1.0 - x).powf(b);
        let albeta = ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
        let mut xodd = beta_reg(a, b, x);
        let mut godd = 2.0 * rxb * (a * x.ln() - albeta).exp();
        let mut xeven = 1.0 - rxb;
        let mut geven = b * x * rxb;
        tnc = p * xodd + q * xeven;
        let mut en = 1.0;
        for _ in 0..ITRMAX {
            a += 1.0;
            xodd -= godd;
            xeven -= geven;
            godd *= x * (a + b - 1.0) / a;
            geven *= x * (a + b - 0.5) / (a + 0.5);
            p *= lambda / (2.0 * en);
            q *= lambda / (2.0 * en + 1.0);
            s -= p;
            en += 1.0;
            tnc += p * xodd + q * xeven;
            let errbd = 2.0 * s * (xodd - godd);
            if errbd.abs() < ERRMAX {
                break;
            }
        }
    }
    tnc += norm_cdf(-del);
    let tnc = tnc.clamp(0.0, 1.0);
    if neg { 1.0 - tnc } else { tnc }
}

/// Closed-form power of Student's two-sample t-test (equal variances) for standardised difference
/// `d`, group sizes `n1`, `n2`, level `alpha`, two-sided: the noncentral-t probability of
/// |T| > t_{1-alpha/2, n1+n2-2} with noncentrality d / sqrt(1/n1 + 1/n2).
///
/// ```
/// // power.t.test(n = 20, delta = 0.8) in R; the same noncentral-t formula in SciPy 1.17.1
/// // (1 - nct.cdf(c, 38, ncp) + nct.cdf(-c, 38, ncp), c = t.ppf(0.975, 38)) gives 0.6934041966153817
/// let p = trialsim::stats::dist::power_two_sample_t(0.8, 20, 20, 0.05);
/// assert!((p - 0.6934041966153817).abs() < 1e-9);
/// ```
pub fn power_two_sample_t(d: f64, n1: usize, n2: usize, alpha: f64) -> f64 {
    let (n1, n2) = (n1 as f64, n2 as f64);
    let df = n1 + n2 - 2.0;
    let ncp = d / (1.0 / n1 + 1.0 / n2).sqrt();
    let crit = t_quantile(1.0 - alpha / 2.0, df);
    1.0 - nct_cdf(crit, df, ncp) + nct_cdf(-crit, df, ncp)
}

/// Closed-form power of the one-sample (or paired) t-test, two-sided, for standardised mean `d`
/// (mean over SD of the differences) and `n` pairs.
///
/// ```
/// // SciPy 1.17.1, noncentral t with df 14, ncp 0.5 sqrt(15): 0.43792671068850514
/// let p = trialsim::stats::dist::power_one_sample_t(0.5, 15, 0.05);
/// assert!((p - 0.43792671068850514).abs() < 1e-9);
/// ```
pub fn power_one_sample_t(d: f64, n: usize, alpha: f64) -> f64 {
    let n = n as f64;
    let df = n - 1.0;
    let ncp = d * n.sqrt();
    let crit = t_quantile(1.0 - alpha / 2.0, df);
    1.0 - nct_cdf(crit, df, ncp) + nct_cdf(-crit, df, ncp)
}

/// Approximate power of the two-sided test of zero Pearson correlation by Fisher's z: the test
/// statistic atanh(r) sqrt(n - 3) is about normal with mean atanh(rho) sqrt(n - 3).
///
/// ```
/// // SciPy 1.17.1: norm.cdf(atanh(0.3) sqrt(47) - 1.959964) + norm.cdf(-... - 1.959964) = 0.56436763896354
/// let p = trialsim::stats::dist::power_correlation_fisher_z(0.3, 50, 0.05);
/// assert!((p - 0.56436763896354).abs() < 1e-9);
/// ```
pub fn power_correlation_fisher_z(rho: f64, n: usize, alpha: f64) -> f64 {
    let m = rho.atanh() * ((n as f64) - 3.0).sqrt();
    let z = norm_quantile(1.0 - alpha / 2.0);
    norm_cdf(m - z) + norm_cdf(-m - z)
}

/// Grid points of a quantile table (in u = 1/df on [0, 1/3]).
const GRID: usize = 4096;
/// Below this df the table is not used (the quantile grows too steeply near df = 1).
const TABLE_MIN_DF: f64 = 3.0;

/// A precomputed Student-t quantile at one probability, as a function of df: cubic (4-point
/// Lagrange) interpolation in u = 1/df on a 4096-interval grid over df >= 3, exact (statrs) below.
/// The quantile is analytic in u, so the interpolation error is of order h^4 times its fourth
/// derivative; the test `table_matches_statrs` bounds the error over random df against statrs.
#[derive(Debug)]
pub struct QuantileTable {
    p: f64,
    values: Vec<f64>,
}

impl QuantileTable {
    fn build(p: f64) -> Self {
        let h = 1.0 / (3.0 * GRID as f64);
        let mut values: Vec<f64> = Vec::with_capacity(GRID + 3);
        for i in 0..=GRID + 2 {
            let u = i as f64 * h;
            let q = if u == 0.0 {
                norm_quantile(p)
            } else if i < 4 {
                t_quantile(p, 1.0 / u)
            } else {
                // The quantile is smooth in u: the cubic through the previous four nodes is off by
                // O(h^4) (below 1e-10), so one Newton step on the exact tail finishes it; this
                // replaces statrs' slow inverse as the start (most of a run's setup).
                let v = &values[i - 4..i];
                let start = 4.0 * v[3] - 6.0 * v[2] + 4.0 * v[1] - v[0];
                t_quantile_near(p, 1.0 / u, start)
            };
            values.push(q);
        }
        QuantileTable { p, values }
    }

    /// The quantile at `df` degrees of freedom.
    #[inline]
    pub fn get(&self, df: f64) -> f64 {
        match Nodes::at(df) {
            Some(n) => self.at(&n),
            None => t_quantile(self.p, df),
        }
    }

    /// The quantile at the df that `nodes` were placed for (tables at several probabilities
    /// share one placement; the result equals [`QuantileTable::get`] bit for bit).
    #[inline]
    pub fn at(&self, n: &Nodes) -> f64 {
        let v = &self.values[n.i - 1..n.i + 3];
        n.w[0] * v[0] + n.w[1] * v[1] + n.w[2] * v[2] + n.w[3] * v[3]
    }
}

/// Where a df falls on the tables' grid and its interpolation weights: computed once per df and
/// used for every probability's table ([`QuantileTable::at`]).
#[derive(Debug, Clone, Copy)]
pub struct Nodes {
    i: usize,
    w: [f64; 4],
}

impl Nodes {
    /// The placement of `df`, or `None` below the tables' range (df < 3, or NaN), where the
    /// quantile is computed directly.
    #[inline]
    pub fn at(df: f64) -> Option<Nodes> {
        if !(df >= TABLE_MIN_DF) {
            return None;
        }
        let x = (1.0 / df) * 3.0 * GRID as f64;
        // Nodes i-1, i, i+1, i+2 around x (clamped at the grid's ends); x >= 0, so truncation is
        // the floor.
        let i = (x as usize).clamp(1, GRID);
        let t = x - i as f64;
        // Lagrange weights for nodes -1, 0, 1, 2 at t.
        let w = [
            -t * (t - 1.0) * (t - 2.0) / 6.0,
            (t + 1.0) * (t - 1.0) * (t - 2.0) / 2.0,
            -(t + 1.0) * t * (t - 2.0) / 2.0,
            (t + 1.0) * t * (t - 1.0) / 6.0,
        ];
        Some(Nodes { i, w })
    }
}

/// The shared quantile table for probability `p` (built on first use, about 10 ms).
///
/// ```
/// // scipy.stats.t.ppf(0.975, 23.4) = 2.066702665217673 (SciPy 1.17.1)
/// let q = trialsim::stats::dist::quantile_table(0.975).get(23.4);
/// assert!((q - 2.066702665217673).abs() < 1e-9);
/// ```
pub fn quantile_table(p: f64) -> Arc<QuantileTable> {
    static TABLES: OnceLock<Mutex<HashMap<u64, Arc<QuantileTable>>>> = OnceLock::new();
    let map = TABLES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut guard = map.lock().unwrap_or_else(|e| e.into_inner());
    guard
        .entry(p.to_bits())
        .or_insert_with(|| Arc::new(QuantileTable::build(p)))
        .clone()
}

/// The 97.5 % t quantile (for 95 % confidence intervals), from the shared table.
#[inline]
pub fn t975(df: f64) -> f64 {
    t975_table().get(df)
}

/// The shared table of the 97.5 % t quantile.
pub fn t975_table() -> &'static QuantileTable {
    static T975: OnceLock<Arc<QuantileTable>> = OnceLock::new();
    T975.get_or_init(|| quantile_table(0.975))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_statrs() {
        // Deterministic pseudo-random df over [1, 1e6] on a log scale, plus the grid's edges.
        let table = quantile_table(0.975);
        let mut x: u64 = 12345;
        let mut worst: f64 = 0.0;
        for k in 0..3000 {
            x = crate::rng::splitmix64(x);
            let df = if k < 4 {
                [3.0, 3.0000001, 1e5, 2.999][k]
            } else {
                10f64.powf((x >> 11) as f64 / (1u64 << 53) as f64 * 6.0)
            };
            let exact = t_quantile(0.975, df);
            worst = worst.max((table.get(df) - exact).abs());
        }
        assert!(worst < 1e-9, "worst table error {worst}");
    }

    /// The table's nodes, found by one Newton step from the extrapolated neighbours, equal the
    /// full quantile routine (statrs start, Newton to 1e-14) at every node, for a central and a
    /// far-tail probability (a Holm level with many hypotheses).
    #[test]
    fn fast_nodes_equal_full_quantiles() {
        for p in [0.975, 1.0 - 0.05 / 48.0 / 2.0] {
            let t = QuantileTable::build(p);
            let h = 1.0 / (3.0 * GRID as f64);
            let mut worst: f64 = 0.0;
            for (i, v) in t.values.iter().enumerate().skip(1) {
                let full = t_quantile(p, 1.0 / (i as f64 * h));
                worst = worst.max((v - full).abs() / full);
            }
            assert!(worst < 1e-13, "p {p}: worst relative node error {worst}");
        }
    }

    #[test]
    fn quantiles_match_scipy() {
        // scipy.stats.t.ppf(p, df), SciPy 1.17.1
        let cases = [
            (0.975, 3.0, 3.1824463052837078),
            (0.975, 7.5, 2.333039626864974),
            (0.975, 50.0, 2.008559112100761),
            (0.975, 5e4, 1.9600114310936798),
            (0.975, 1e6, 1.959966356814107),
            (0.975, 1.5, 6.016663104427929),
            (0.999, 3.0, 10.214531852407383),
            (0.999, 5e4, 3.090395316625384),
            (0.999, 1.5, 52.18443000899263),
        ];
        for (p, df, want) in cases {
            let q = t_quantile(p, df);
            assert!(
                (q - want).abs() < 1e-10 * want,
                "t_quantile({p}, {df}) = {q}, SciPy {want}"
            );
            let tq = quantile_table(p).get(df);
            assert!(
                (tq - want).abs() < 1e-9 * want,
                "table({p}, {df}) = {tq}, SciPy {want}"
            );
        }
    }
}
