//! Equivalence by two one-sided tests (TOST; Schuirmann 1987) for a difference of two means,
//! with Student's or Welch's t as in [`super::ttest`], and the exact power of the Student TOST.
//!
//! With margins (low, high) in the estimate's units, equivalence is declared when both
//! H0: diff <= low and H0: diff >= high are rejected at level alpha, i.e. when the 1 - 2 alpha
//! confidence interval lies inside (low, high). The TOST p-value is the larger one-sided p.

use super::dist::{norm_cdf, t_quantile, t_sf};
use super::moments::Summary;
use super::quad::integrate;
use super::ttest::{TStat, student_stat, welch_stat};
use statrs::function::gamma::ln_gamma;

/// Which t-test each one-sided test uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Variance {
    /// Student's pooled-variance t (df n1 + n2 - 2).
    #[default]
    Student,
    /// Welch's unequal-variance t (Welch-Satterthwaite df).
    Welch,
}

/// Why a TOST cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TostError {
    /// The margins are not an interval.
    #[error("equivalence margins must satisfy low < high, both finite: got ({low}, {high})")]
    Margins {
        /// Lower margin.
        low: f64,
        /// Upper margin.
        high: f64,
    },
    /// An input is out of range.
    #[error("invalid input: {what} = {value} ({why})")]
    InvalidInput {
        /// The input's name.
        what: &'static str,
        /// Its value.
        value: f64,
        /// The accepted range.
        why: &'static str,
    },
    /// The samples do not give a standard error (too few values or no variance).
    #[error("the t statistic cannot be computed: n1 = {n1}, n2 = {n2}, standard error {se}")]
    NotComputable {
        /// First group size.
        n1: f64,
        /// Second group size.
        n2: f64,
        /// The standard error obtained.
        se: f64,
    },
}

/// Result of a TOST on a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TostOutcome {
    /// mean(a) - mean(b).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Degrees of freedom.
    pub df: f64,
    /// (estimate - low) / se.
    pub t_low: f64,
    /// (estimate - high) / se.
    pub t_high: f64,
    /// p-value of H0: diff <= low (upper tail).
    pub p_low: f64,
    /// p-value of H0: diff >= high (lower tail).
    pub p_high: f64,
    /// TOST p-value, max(p_low, p_high).
    pub p: f64,
    /// Lower end of the 1 - 2 alpha confidence interval.
    pub ci_low: f64,
    /// Upper end of the 1 - 2 alpha confidence interval.
    pub ci_high: f64,
    /// Whether equivalence is declared at alpha (p < alpha).
    pub equivalent: bool,
}

fn check(low: f64, high: f64, alpha: f64) -> Result<(), TostError> {
    if !(low.is_finite() && high.is_finite() && low < high) {
        return Err(TostError::Margins { low, high });
    }
    if !(alpha > 0.0 && alpha < 0.5) {
        return Err(TostError::InvalidInput {
            what: "alpha",
            value: alpha,
            why: "in (0, 0.5)",
        });
    }
    Ok(())
}

/// TOST of mean(a) - mean(b) against margins (`low`, `high`) at level `alpha` (each one-sided
/// test at alpha).
///
/// ```
/// use trialsim::stats::{moments::Summary, tost::{tost, Variance}};
/// // Rscript scripts/reference/tost.R: t.test(x, y, mu = 1.2, alternative = "less",
/// // var.equal = TRUE)$p.value = 0.01204502480781574
/// let a = Summary { n: 14.0, mean: -0.07651921737130028, var: 0.8596644113712725 };
/// let b = Summary { n: 19.0, mean: -0.5010980421885528, var: 0.8628555294839049 };
/// let r = tost(&a, &b, -0.8, 1.2, Variance::Student, 0.05).unwrap();
/// assert!((r.p - 0.01204502480781574).abs() < 1e-12);
/// assert!(r.equivalent);
/// ```
pub fn tost(
    a: &Summary,
    b: &Summary,
    low: f64,
    high: f64,
    variance: Variance,
    alpha: f64,
) -> Result<TostOutcome, TostError> {
    check(low, high, alpha)?;
    let TStat { estimate, se, df } = match variance {
        Variance::Student => student_stat(a, b),
        Variance::Welch => welch_stat(a, b),
    };
    if !(se > 0.0 && se.is_finite() && df > 0.0 && estimate.is_finite()) {
        return Err(TostError::NotComputable {
            n1: a.n,
            n2: b.n,
            se,
        });
    }
    let t_low = (estimate - low) / se;
    let t_high = (estimate - high) / se;
    let p_low = t_sf(t_low, df);
    let p_high = t_sf(-t_high, df);
    let p = p_low.max(p_high);
    let q = t_quantile(1.0 - alpha, df);
    Ok(TostOutcome {
        estimate,
        se,
        df,
        t_low,
        t_high,
        p_low,
        p_high,
        p,
        ci_low: estimate - q * se,
        ci_high: estimate + q * se,
        equivalent: p < alpha,
    })
}

/// Exact power of the Student TOST: the probability of declaring equivalence when the true
/// difference is `diff`, the common SD `sd`, groups `n1`, `n2`, margins (`low`, `high`), level
/// `alpha`. With df = n1 + n2 - 2, k = sqrt(1/n1 + 1/n2), c = t_{1-alpha, df} and
/// u = S / sd (df u^2 ~ chi-square with df degrees of freedom, independent of the estimate),
///
/// power = integral over u of max(0, Phi((high - diff - c k sd u) / (k sd))
///                                   - Phi((low - diff + c k sd u) / (k sd))) f(u) du,
///
/// evaluated by adaptive Simpson (absolute tolerance 1e-12) on u in the range holding all but
/// about 1e-20 of the chi distribution, cut where the window closes,
/// u_max = (high - low) / (2 c k sd). Checked against SciPy's quad over the chi-square variable
/// and a 10^6-trial simulation of raw data.
///
/// ```
/// // python3 scripts/reference/tost_power.py: (0, 1, -0.5, 0.5, 50, 50, 0.05) -> 0.5978723283005546
/// let p = trialsim::stats::tost::tost_power_student(0.0, 1.0, -0.5, 0.5, 50, 50, 0.05).unwrap();
/// assert!((p - 0.5978723283005546).abs() < 1e-9);
/// ```
pub fn tost_power_student(
    diff: f64,
    sd: f64,
    low: f64,
    high: f64,
    n1: usize,
    n2: usize,
    alpha: f64,
) -> Result<f64, TostError> {
    check(low, high, alpha)?;
    if !(sd > 0.0 && sd.is_finite()) {
        return Err(TostError::InvalidInput {
            what: "sd",
            value: sd,
            why: "> 0 and finite",
        });
    }
    if !diff.is_finite() {
        return Err(TostError::InvalidInput {
            what: "diff",
            value: diff,
            why: "finite",
        });
    }
    if n1 < 1 || n2 < 1 || n1 + n2 < 3 {
        return Err(TostError::InvalidInput {
            what: "n1 + n2",
            value: (n1 + n2) as f64,
            why: "each >= 1, total >= 3",
        });
    }
    let df = (n1 + n2 - 2) as f64;
    let se = sd * (1.0 / n1 as f64 + 1.0 / n2 as f64).sqrt();
    let c = t_quantile(1.0 - alpha, df);
    let u_max = (high - low) / (2.0 * c * se);
    // The chi distribution of u: all but ~1e-20 of its mass lies in [lo, hi] (12 SDs of the
    // chi-square on either side, plus 80 on the right for small df where the tail is longer).
    let spread = 12.0 * (2.0 * df).sqrt();
    let u_lo = ((df - spread).max(0.0) / df).sqrt();
    let u_hi = ((df + spread + 80.0) / df).sqrt();
    let upper = u_max.min(u_hi);
    if upper <= u_lo {
        // The window is closed wherever the chi density is not negligible.
        return Ok(0.0);
    }
    // log density of u = sqrt(X / df), X ~ chi-square(df): 2 df u g(df u^2).
    let half = 0.5 * df;
    let ln_norm = (2.0 * df).ln() - half * std::f64::consts::LN_2 - ln_gamma(half);
    let density = |u: f64| {
        if u <= 0.0 {
            // The limit at u = 0: finite (u^(df-1) -> 1) for df = 1, zero above.
            return if df == 1.0 { ln_norm.exp() } else { 0.0 };
        }
        let x = df * u * u;
        (ln_norm + u.ln() + (half - 1.0) * x.ln() - 0.5 * x).exp()
    };
    let integrand = |u: f64| {
        let window =
            norm_cdf((high - diff - c * se * u) / se) - norm_cdf((low - diff + c * se * u) / se);
        window.max(0.0) * density(u)
    };
    let r = integrate(integrand, u_lo, upper, 1e-12);
    if !r.converged || !r.value.is_finite() {
        return Err(TostError::InvalidInput {
            what: "power integral",
            value: r.value,
            why: "quadrature did not converge",
        });
    }
    Ok(r.value.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> (Summary, Summary) {
        // Rscript scripts/reference/tost.R (set.seed(11); x <- rnorm(14, .3, 1); y <- rnorm(19, 0, 1.6))
        (
            Summary {
                n: 14.0,
                mean: -0.07651921737130028,
                var: 0.8596644113712725,
            },
            Summary {
                n: 19.0,
                mean: -0.5010980421885528,
                var: 0.8628555294839049,
            },
        )
    }

    #[test]
    fn sample_tost_matches_r_t_test() {
        let (a, b) = samples();
        // (variance, low, high, t_low, p_low, t_high, p_high, df, ci90 low, ci90 high), from R's
        // t.test(x, y, mu = margin, alternative = ..., var.equal = ...) and conf.level = 0.90:
        let cases = [
            (
                Variance::Student,
                -0.8,
                1.2,
                3.74574827047129,
                0.00036827500351738115,
                -2.371862445246057,
                0.01204502480781574,
                31.0,
                -0.12972868552816488,
                0.9788863351626699,
            ),
            (
                Variance::Welch,
                -0.8,
                1.2,
                3.7468337472981914,
                0.00040902246723516835,
                -2.3725497850070356,
                0.012359324129980875,
                28.199735050143293,
                -0.13126767118868668,
                0.9804253208231918,
            ),
            (
                Variance::Student,
                -0.5,
                0.5,
                2.8281066631136884,
                0.004066991244558968,
                -0.23069869474498567,
                0.40953233067948536,
                31.0,
                -0.12972868552816488,
                0.9788863351626699,
            ),
            (
                Variance::Welch,
                -0.5,
                0.5,
                2.8289262174524072,
                0.0042532938706074976,
                -0.23076554870020635,
                0.40958149705822466,
                28.199735050143293,
                -0.13126767118868668,
                0.9804253208231918,
            ),
        ];
        for (v, lo, hi, tl, pl, th, ph, df, cl, ch) in cases {
            let r = tost(&a, &b, lo, hi, v, 0.05).unwrap();
            let close = |x: f64, y: f64| (x - y).abs() < 1e-10 * y.abs().max(1.0);
            assert!(close(r.t_low, tl) && close(r.t_high, th), "{v:?} {r:?}");
            assert!(close(r.p_low, pl) && close(r.p_high, ph), "{v:?} {r:?}");
            assert!(
                close(r.df, df) && close(r.ci_low, cl) && close(r.ci_high, ch),
                "{v:?} {r:?}"
            );
            assert_eq!(r.p, r.p_low.max(r.p_high));
            // Equivalence iff the 90 % CI lies within the margins.
            assert_eq!(r.equivalent, cl > lo && ch < hi);
        }
    }

    #[test]
    fn power_matches_scipy_quad_and_simulation() {
        // python3 scripts/reference/tost_power.py: SciPy quad over the chi-square variable, and a
        // simulation of 10^6 raw-data trials with its SE.
        // (diff, sd, low, high, n1, n2, alpha, quad, simulation, SE)
        let cases = [
            (
                0.0,
                1.0,
                -0.5,
                0.5,
                50,
                50,
                0.05,
                0.5978723283005546,
                0.597594,
                4.90e-04,
            ),
            (
                0.1,
                1.0,
                -0.6,
                0.4,
                30,
                40,
                0.05,
                0.22870712692930778,
                0.229498,
                4.21e-04,
            ),
            (
                0.0,
                2.0,
                -1.0,
                1.0,
                20,
                20,
                0.05,
                0.030321177577127326,
                0.030251,
                1.71e-04,
            ),
            (
                0.3,
                1.0,
                -0.5,
                0.5,
                100,
                80,
                0.025,
                0.2626869887848657,
                0.261748,
                4.40e-04,
            ),
            (
                0.0,
                1.0,
                -0.4,
                0.4,
                10,
                10,
                0.05,
                3.9549798788380205e-05,
                4.4e-05,
                6.63e-06,
            ),
        ];
        for (d, sd, lo, hi, n1, n2, a, quad, sim, se) in cases {
            let p = tost_power_student(d, sd, lo, hi, n1, n2, a).unwrap();
            assert!((p - quad).abs() < 1e-9, "{d} {n1}/{n2}: {p} vs quad {quad}");
            assert!(
                (p - sim).abs() < 3.0 * se,
                "{d} {n1}/{n2}: {p} vs simulation {sim}"
            );
        }
    }

    #[test]
    fn power_at_the_margin_is_at_most_alpha() {
        // At diff = high the TOST's size is at most alpha: it is bounded by P(one-sided test of
        // the upper margin rejects) = alpha exactly. Allowance 1e-10 for the quadrature (1e-12
        // tolerance; n = 200 gives alpha + 2e-12).
        for n in [10usize, 40, 200] {
            let p = tost_power_student(0.5, 1.0, -0.5, 0.5, n, n, 0.05).unwrap();
            assert!((0.0..=0.05 + 1e-10).contains(&p), "n {n}: {p}");
        }
        // Large n: the size approaches alpha (the z-test limit; df = 19998).
        let p = tost_power_student(0.5, 1.0, -0.5, 0.5, 10_000, 10_000, 0.05).unwrap();
        assert!((p - 0.05).abs() < 1e-3, "{p}");
    }

    #[test]
    fn bad_input_is_an_error() {
        let (a, b) = samples();
        assert!(matches!(
            tost(&a, &b, 0.5, -0.5, Variance::Student, 0.05),
            Err(TostError::Margins { .. })
        ));
        assert!(tost(&a, &b, -0.5, 0.5, Variance::Student, 0.6).is_err());
        let one = Summary {
            n: 1.0,
            mean: 0.0,
            var: 0.0,
        };
        assert!(matches!(
            tost(&one, &one, -0.5, 0.5, Variance::Welch, 0.05),
            Err(TostError::NotComputable { .. })
        ));
        assert!(tost_power_student(0.0, 0.0, -0.5, 0.5, 20, 20, 0.05).is_err());
        assert!(tost_power_student(0.0, 1.0, -0.5, 0.5, 1, 1, 0.05).is_err());
        assert!(tost_power_student(f64::NAN, 1.0, -0.5, 0.5, 20, 20, 0.05).is_err());
    }
}
