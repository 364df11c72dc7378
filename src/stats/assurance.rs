//! Assurance (power averaged over a design prior; O'Hagan, Stevens & Campbell 2005) and the
//! minimum detectable effect of the two-sample and paired t-tests, both from the closed-form
//! noncentral-t power in [`super::dist`].

use super::dist::{power_one_sample_t, power_two_sample_t};
use super::quad::integrate;

/// Why a planning quantity cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanningError {
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
    /// The quadrature did not reach its tolerance.
    #[error("assurance integral did not converge (value {value}, error estimate {error:e})")]
    NotConverged {
        /// The value reached.
        value: f64,
        /// Its error estimate.
        error: f64,
    },
}

fn invalid(what: &'static str, value: f64, why: &'static str) -> PlanningError {
    PlanningError::InvalidInput { what, value, why }
}

/// An assurance and its numerical error bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assurance {
    /// Power of the two-sided test averaged over the prior on d.
    pub value: f64,
    /// Quadrature error estimate plus the prior mass left outside m +- 12 s (below 4e-33).
    pub error: f64,
}

/// Absolute tolerance of the assurance quadrature.
const TOL: f64 = 1e-11;

/// Assurance of Student's two-sided two-sample t-test at level `alpha` with groups `n1`, `n2`
/// when the standardised difference d has a normal prior N(`prior_mean`, `prior_sd`^2):
/// the integral of power(d) times the prior density, by adaptive Simpson over z = (d - m) / s on
/// [-12, 12] to 1e-11 (the tests compare with SciPy's `quad`). `prior_sd` = 0 gives the power.
///
/// ```
/// use trialsim::stats::assurance::assurance_two_sample_t;
/// // python3 scripts/reference/assurance.py: n 64/64, prior N(0.5, 0.2^2) -> 0.7141305395223622
/// let a = assurance_two_sample_t(64, 64, 0.05, 0.5, 0.2).unwrap();
/// assert!((a.value - 0.7141305395223622).abs() < 1e-9);
/// ```
pub fn assurance_two_sample_t(
    n1: usize,
    n2: usize,
    alpha: f64,
    prior_mean: f64,
    prior_sd: f64,
) -> Result<Assurance, PlanningError> {
    if n1 < 1 || n2 < 1 || n1 + n2 < 3 {
        return Err(invalid(
            "n1 + n2",
            (n1 + n2) as f64,
            "each >= 1, total >= 3",
        ));
    }
    check_alpha(alpha)?;
    if !prior_mean.is_finite() {
        return Err(invalid("prior_mean", prior_mean, "finite"));
    }
    if !(prior_sd >= 0.0 && prior_sd.is_finite()) {
        return Err(invalid("prior_sd", prior_sd, ">= 0 and finite"));
    }
    if prior_sd == 0.0 {
        return Ok(Assurance {
            value: power_two_sample_t(prior_mean, n1, n2, alpha),
            error: 0.0,
        });
    }
    let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let f = |z: f64| power_two_sample_t(prior_mean + prior_sd * z, n1, n2, alpha) * phi(z);
    let r = integrate(f, -12.0, 12.0, TOL);
    if !r.converged || !r.value.is_finite() {
        return Err(PlanningError::NotConverged {
            value: r.value,
            error: r.error,
        });
    }
    Ok(Assurance {
        value: r.value.clamp(0.0, 1.0),
        error: r.error + 4e-33,
    })
}

fn check_alpha(alpha: f64) -> Result<(), PlanningError> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(invalid("alpha", alpha, "in (0, 1)"));
    }
    Ok(())
}

/// The smallest d >= 0 at which `power(d)` reaches `target`, by bracketing then bisection to
/// 1e-12 (two-sided power rises from alpha at d = 0 towards 1 as d grows).
fn solve_d(power: impl Fn(f64) -> f64, alpha: f64, target: f64) -> Result<f64, PlanningError> {
    check_alpha(alpha)?;
    if !(target > alpha && target < 1.0) {
        return Err(invalid("power", target, "in (alpha, 1)"));
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while power(hi) < target {
        lo = hi;
        hi *= 2.0;
        if hi > 1e4 {
            return Err(invalid("power", target, "not reached below d = 1e4"));
        }
    }
    while hi - lo > 1e-12 {
        let mid = 0.5 * (lo + hi);
        if power(mid) < target {
            lo = mid
        } else {
            hi = mid
        }
    }
    Ok(0.5 * (lo + hi))
}

/// Minimum detectable standardised difference of Student's two-sided two-sample t-test: the d
/// with power `power` at level `alpha` with groups `n1`, `n2` (as `pwr::pwr.t2n.test` solves it).
///
/// ```
/// // Rscript scripts/reference/mde_d33.R: 64/64, power .8 -> 0.499069177965776
/// // (pwr::pwr.t.test(n=64, power=.8)$d = 0.49907, to its uniroot tolerance)
/// let d = trialsim::stats::assurance::mde_two_sample_t(64, 64, 0.05, 0.8).unwrap();
/// assert!((d - 0.499069177965776).abs() < 1e-9);
/// ```
pub fn mde_two_sample_t(
    n1: usize,
    n2: usize,
    alpha: f64,
    power: f64,
) -> Result<f64, PlanningError> {
    if n1 < 1 || n2 < 1 || n1 + n2 < 3 {
        return Err(invalid(
            "n1 + n2",
            (n1 + n2) as f64,
            "each >= 1, total >= 3",
        ));
    }
    solve_d(|d| power_two_sample_t(d, n1, n2, alpha), alpha, power)
}

/// Minimum detectable standardised mean difference (mean over SD of the differences) of the
/// two-sided paired (one-sample) t-test with `n` pairs.
///
/// ```
/// // Rscript scripts/reference/mde_d33.R: paired n = 30, power .8 -> 0.529235615112788
/// let d = trialsim::stats::assurance::mde_paired_t(30, 0.05, 0.8).unwrap();
/// assert!((d - 0.529235615112788).abs() < 1e-9);
/// ```
pub fn mde_paired_t(n: usize, alpha: f64, power: f64) -> Result<f64, PlanningError> {
    if n < 2 {
        return Err(invalid("n", n as f64, ">= 2"));
    }
    solve_d(|d| power_one_sample_t(d, n, alpha), alpha, power)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assurance_matches_scipy_quad() {
        // python3 scripts/reference/assurance.py (scipy.integrate.quad of nct power x normal pdf):
        let cases = [
            // n1=64 n2=64 prior N(0.5, 0.2^2): 0.7141305395223622 (quad error 7.1e-13)
            (64, 64, 0.5, 0.2, 0.7141305395223622),
            // n1=17 n2=17 prior N(0.69, 0.35^2): 0.5001775940646277 (quad error 2.6e-13)
            (17, 17, 0.69, 0.35, 0.5001775940646277),
            // n1=40 n2=30 prior N(0.1, 0.3^2): 0.23025292999774313 -- mass on both sides of zero
            (40, 30, 0.1, 0.3, 0.23025292999774313),
            // n1=100 n2=100 prior N(0, 0.1^2): 0.10895917501286945 -- centred on zero
            (100, 100, 0.0, 0.1, 0.10895917501286945),
        ];
        for (n1, n2, m, s, want) in cases {
            let a = assurance_two_sample_t(n1, n2, 0.05, m, s).unwrap();
            assert!(
                (a.value - want).abs() < 1e-9,
                "{n1}/{n2} N({m},{s}): {} vs {want}",
                a.value
            );
            assert!(a.error < 1e-9);
        }
        // A point prior is the power itself.
        let a = assurance_two_sample_t(20, 20, 0.05, 0.8, 0.0).unwrap();
        assert_eq!(a.value, power_two_sample_t(0.8, 20, 20, 0.05));
    }

    #[test]
    fn mde_matches_r() {
        // Rscript scripts/reference/mde_d33.R (uniroot tol 1e-13 on R's pt power); SciPy brentq in
        // scripts/reference/assurance.py agrees to 1e-12.
        // pwr.t2n.test(n1=30, n2=60, power=.8)$d = 0.633389 (to pwr's tolerance); tight 0.633393450564751
        let d = mde_two_sample_t(30, 60, 0.05, 0.8).unwrap();
        assert!((d - 0.633393450564751).abs() < 1e-9, "{d}");
        assert!((d - 0.633389089453525).abs() < 1e-4);
        // pwr.t.test(n=64, power=.8)$d = 0.499071991242571 (uniroot default tolerance)
        let d = mde_two_sample_t(64, 64, 0.05, 0.8).unwrap();
        assert!((d - 0.499071991242571).abs() < 1e-4);
        // pwr.t.test(n=30, power=.8, type="paired")$d = 0.529234471054348; tight 0.529235615112788
        let d = mde_paired_t(30, 0.05, 0.8).unwrap();
        assert!((d - 0.529235615112788).abs() < 1e-9);
        // paired 12, alpha .01, power .9: 1.31994525835059
        let d = mde_paired_t(12, 0.01, 0.9).unwrap();
        assert!((d - 1.31994525835059).abs() < 1e-9, "{d}");
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(mde_two_sample_t(64, 64, 0.05, 0.04).is_err());
        assert!(mde_two_sample_t(1, 1, 0.05, 0.8).is_err());
        assert!(mde_paired_t(1, 0.05, 0.8).is_err());
        assert!(mde_paired_t(10, 1.5, 0.8).is_err());
        assert!(assurance_two_sample_t(20, 20, 0.05, 0.5, -1.0).is_err());
        assert!(assurance_two_sample_t(20, 20, 0.05, f64::NAN, 1.0).is_err());
    }
}
