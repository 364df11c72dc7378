//! Distribution functions the tests and the closed-form checks need.
//!
//! statrs supplies the central t and normal; it has no noncentral t, so [`nct_cdf`] implements
//! Lenth's algorithm AS 243 (Applied Statistics 38, 1989, 185-189). statrs' t quantile degrades for
//! very large df, so above [`HUGE_DF`] the normal is used instead.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use statrs::function::{beta::beta_reg, gamma::ln_gamma};

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
/// assert!((trialsim::analysis::dist::norm_cdf(1.959963984540054) - 0.975).abs() < 1e-11);
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
/// assert!((trialsim::analysis::dist::t_sf(2.0, 10.0) - 0.03669401738537018).abs() < 1e-12);
/// ```
pub fn t_sf(t: f64, df: f64) -> f64 {
    if t.is_nan() || !(df > 0.0) {
        return f64::NAN;
    }
    if df > HUGE_DF {
        return std_normal().sf(t);
    }
    // P(T > t) = I_x(df/2, 1/2) / 2 with x = df / (df + t^2), for t >= 0. The incomplete beta keeps
    // full relative precision in the tail, unlike 1 - cdf.
    let x = df / (df + t * t);
    let tail = 0.5 * beta_reg(0.5 * df, 0.5, x);
    if t >= 0.0 { tail } else { 1.0 - tail }
}

/// Quantile of Student's t.
///
/// ```
/// // scipy.stats.t.ppf(0.975, 10) = 2.228138851986274 (SciPy 1.17.1)
/// assert!((trialsim::analysis::dist::t_quantile(0.975, 10.0) - 2.228138851986274).abs() < 1e-9);
/// ```
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if !(df > 0.0) {
        return f64::NAN;
    }
    if df > HUGE_DF {
        return norm_quantile(p);
    }
    StudentsT::new(0.0, 1.0, df).expect("df > 0").inverse_cdf(p)
}

/// CDF of the noncentral t distribution, P(T <= t) with `df` degrees of freedom and noncentrality
/// `delta`, by Lenth's AS 243 (series in incomplete beta functions, error bound 1e-12).
///
/// ```
/// // scipy.stats.nct.cdf(2.0, 10, 1.5) = 0.6591540724421909 (SciPy 1.17.1)
/// let p = trialsim::analysis::dist::nct_cdf(2.0, 10.0, 1.5);
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
/// let p = trialsim::analysis::dist::power_two_sample_t(0.8, 20, 20, 0.05);
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
/// let p = trialsim::analysis::dist::power_one_sample_t(0.5, 15, 0.05);
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
/// let p = trialsim::analysis::dist::power_correlation_fisher_z(0.3, 50, 0.05);
/// assert!((p - 0.56436763896354).abs() < 1e-9);
/// ```
pub fn power_correlation_fisher_z(rho: f64, n: usize, alpha: f64) -> f64 {
    let m = rho.atanh() * ((n as f64) - 3.0).sqrt();
    let z = norm_quantile(1.0 - alpha / 2.0);
    norm_cdf(m - z) + norm_cdf(-m - z)
}
