//! Small telescopes (Simonsohn 2015, Psychological Science 26:559): d33 is the standardised effect
//! that the original two-group study (n1, n2) had 33 % power to detect with a two-sided Student
//! t-test at alpha 0.05; a replication "fails" informatively when its effect is significantly
//! smaller than d33, the one-sided test of H0: d >= d33 against d < d33.
//!
//! The replication's Student t (oriented so that the original effect is positive) has, at
//! d = d33, a noncentral t distribution with df n1 + n2 - 2 and noncentrality
//! d33 / sqrt(1/n1 + 1/n2); the p-value is its distribution function at the observed t. (This is
//! the exact test; Simonsohn's app uses the same noncentral t.)

use super::assurance::{PlanningError, mde_two_sample_t};
use super::dist::nct_cdf;

/// Level and power that define d33.
pub const D33_ALPHA: f64 = 0.05;
/// One third: the power that defines d33.
pub const D33_POWER: f64 = 1.0 / 3.0;

/// d33 of an original two-group study: the d at which Student's two-sided t-test at 0.05 with
/// groups `n1`, `n2` has power 1/3.
///
/// ```
/// // pwr::pwr.t.test(n = 20, power = 1/3)$d = 0.4959 (R); tight root 0.495889199033125
/// let d = trialsim::stats::telescopes::d33(20, 20).unwrap();
/// assert!((d - 0.495889199033125).abs() < 1e-9);
/// ```
pub fn d33(n1: usize, n2: usize) -> Result<f64, PlanningError> {
    mde_two_sample_t(n1, n2, D33_ALPHA, D33_POWER)
}

/// The small-telescopes test of one replication.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TelescopeTest {
    /// The d33 tested against.
    pub d33: f64,
    /// Replication's observed t.
    pub t: f64,
    /// Its degrees of freedom.
    pub df: f64,
    /// Noncentrality of d33 at the replication's sizes.
    pub ncp: f64,
    /// One-sided p-value of H0: d >= d33: P(T <= t) under noncentrality `ncp`.
    pub p: f64,
}

/// Tests H0: d >= `d33` with the replication's Student t `t_rep` (sign: the original effect's
/// direction positive) and group sizes `n1`, `n2`.
///
/// ```
/// use trialsim::stats::telescopes::{d33, small_telescopes};
/// // R: pt(0.5, 98, ncp = d33 * sqrt(25)) = 0.0238821475948841 with d33 for 20/20
/// let r = small_telescopes(0.5, 50, 50, d33(20, 20).unwrap()).unwrap();
/// assert!((r.p - 0.0238821475948841).abs() < 1e-9);
/// ```
pub fn small_telescopes(
    t_rep: f64,
    n1: usize,
    n2: usize,
    d33: f64,
) -> Result<TelescopeTest, PlanningError> {
    if !t_rep.is_finite() {
        return Err(PlanningError::InvalidInput {
            what: "t_rep",
            value: t_rep,
            why: "finite",
        });
    }
    if n1 < 1 || n2 < 1 || n1 + n2 < 3 {
        return Err(PlanningError::InvalidInput {
            what: "n1 + n2",
            value: (n1 + n2) as f64,
            why: "each >= 1, total >= 3",
        });
    }
    if !(d33 > 0.0 && d33.is_finite()) {
        return Err(PlanningError::InvalidInput {
            what: "d33",
            value: d33,
            why: "> 0 and finite",
        });
    }
    let (a, b) = (n1 as f64, n2 as f64);
    let df = a + b - 2.0;
    let ncp = d33 / (1.0 / a + 1.0 / b).sqrt();
    Ok(TelescopeTest {
        d33,
        t: t_rep,
        df,
        ncp,
        p: nct_cdf(t_rep, df, ncp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::moments::Moments;
    use crate::stats::ttest::student_stat;
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn d33_matches_r() {
        // Rscript scripts/reference/mde_d33.R (uniroot tol 1e-13 on R's pt); SciPy brentq agrees
        // for 20/20 (0.4958891990331621); pwr::pwr.t.test(n=20, power=1/3)$d = 0.495891720898332
        // (to pwr's tolerance). Not checked against a table in Simonsohn's paper itself.
        for (n1, n2, want) in [
            (20, 20, 0.495889199033125),
            (50, 50, 0.308737648774649),
            (15, 25, 0.512152162511848),
            (17, 17, 0.540485098370125),
        ] {
            let d = d33(n1, n2).unwrap();
            assert!((d - want).abs() < 1e-9, "{n1}/{n2}: {d} vs {want}");
        }
    }

    #[test]
    fn p_value_matches_r() {
        // R: pt(-1.2, 73, ncp = d33 * sqrt(40 * 35 / 75)) = 0.000446503151306787, d33 of 20/20
        let r = small_telescopes(-1.2, 40, 35, d33(20, 20).unwrap()).unwrap();
        assert!((r.p - 0.000446503151306787).abs() < 1e-12, "{}", r.p);
        assert_eq!(r.df, 73.0);
    }

    #[test]
    fn rejection_rate_is_alpha_at_d33() {
        // Replications of 30/30 drawn from normal data with true d = d33 of a 20/20 original: the
        // test at 0.05 rejects in 5 % of them (an independent check: simulated raw data, the
        // ordinary Student t, the noncentral-t p-value). 20000 replications: SE 0.00154.
        let d = d33(20, 20).unwrap();
        let (n1, n2, reps) = (30, 30, 20_000);
        let mut rejected = 0usize;
        for r in 0..reps {
            let mut rng = crate::rng::stream(2015, r as u64, 0);
            let (mut a, mut b) = (Moments::default(), Moments::default());
            for _ in 0..n1 {
                let z: f64 = StandardNormal.sample(&mut rng);
                a.push(z + d);
            }
            for _ in 0..n2 {
                let z: f64 = StandardNormal.sample(&mut rng);
                b.push(z);
            }
            let s = student_stat(&a.summary(), &b.summary());
            let test = small_telescopes(s.estimate / s.se, n1, n2, d).unwrap();
            if test.p < 0.05 {
                rejected += 1;
            }
        }
        let rate = rejected as f64 / reps as f64;
        let se = (0.05f64 * 0.95 / reps as f64).sqrt();
        assert!((rate - 0.05).abs() < 4.0 * se, "rate {rate}, SE {se}");
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(small_telescopes(f64::NAN, 20, 20, 0.5).is_err());
        assert!(small_telescopes(1.0, 1, 1, 0.5).is_err());
        assert!(small_telescopes(1.0, 20, 20, 0.0).is_err());
        assert!(d33(1, 1).is_err());
    }
}
