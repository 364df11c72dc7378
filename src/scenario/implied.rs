//! What a scenario implies that a planner cannot see directly: effects in the unit and in SD units,
//! reliabilities, and the attenuation of true correlations by measurement error.
//!
//! Classical test theory: an observed value is true + independent error, so its reliability is
//! var(true) / var(observed), and an observed correlation is the true one times
//! sqrt(reliability_x * reliability_y). A change score has two scan errors: 2 e^2.

use super::Scenario;
use serde::Serialize;

/// Implied quantities of one region.
#[derive(Debug, Clone, Serialize)]
pub struct RegionImplied {
    /// Region name.
    pub region: String,
    /// Patient shift in the unit.
    pub shift: f64,
    /// Patient shift in SDs of the true value, pooled over the groups:
    /// delta / sqrt((sigma^2 + sigma_p^2) / 2) ([`crate::scenario::Region::pooled_sigma`]).
    pub shift_d_true: f64,
    /// Patient shift in SDs of the observed scan (the pooled true SD and measurement error).
    pub shift_d_observed: f64,
    /// Measurement-error SD of one scan.
    pub meas_sd: f64,
    /// Test-retest ICC of one scan.
    pub icc: f64,
    /// Per arm, in design order.
    pub arms: Vec<ArmRegionImplied>,
}

/// Implied quantities of one region in one arm.
#[derive(Debug, Clone, Serialize)]
pub struct ArmRegionImplied {
    /// Arm name.
    pub arm: String,
    /// Mean true change in the unit.
    pub change: f64,
    /// Mean change in SDs of the observed change score.
    pub change_d_observed: f64,
    /// Reliability of the observed change score.
    pub change_reliability: f64,
    /// True change-improvement correlation.
    pub change_improvement_true: f64,
    /// Observed change-improvement correlation (approximate: ignores clamping of the scale).
    pub change_improvement_observed: f64,
    /// True baseline-improvement correlation.
    pub baseline_improvement_true: f64,
    /// Observed baseline-improvement correlation (approximate: ignores clamping).
    pub baseline_improvement_observed: f64,
}

/// Reliability of the observed symptom improvement: rounding both scores to integers adds the
/// rounding error of the follow-up score (uniform, variance 1/12) to the true improvement.
pub fn improvement_reliability(s: &Scenario, arm: usize) -> f64 {
    let v2 = s.arms[arm].improvement_sd.powi(2);
    let err = if s.symptoms.spec.integer {
        1.0 / 12.0
    } else {
        0.0
    };
    if v2 + err == 0.0 {
        return 1.0;
    }
    v2 / (v2 + err)
}

/// sd^2 / (sd^2 + e2): the share of a scan's variance that is between subjects.
fn reliability(sd: f64, e2: f64) -> f64 {
    let v = sd * sd;
    if v + e2 == 0.0 { 1.0 } else { v / (v + e2) }
}

/// Implied quantities for every region.
///
/// ```
/// let s = trialsim::scenario::load("ketamine-ampar-2026").unwrap();
/// let imp = trialsim::scenario::implied::implied(&s);
/// let hab = imp.iter().find(|r| r.region == "habenula").unwrap();
/// assert!(hab.icc < 0.5); // partial-volume noise dominates the tiny habenula
/// ```
pub fn implied(s: &Scenario) -> Vec<RegionImplied> {
    s.regions
        .iter()
        .enumerate()
        .map(|(r, reg)| {
            let e2 = reg.meas_sd * reg.meas_sd;
            let icc = reg.icc();
            let arms = s
                .arms
                .iter()
                .enumerate()
                .map(|(k, arm)| {
                    let rel_c = arm.change_reliability(reg, r);
                    let rel_s = improvement_reliability(s, k);
                    let sd_change_obs = (arm.tau[r].powi(2) + 2.0 * e2).sqrt();
                    ArmRegionImplied {
                        arm: arm.name.clone(),
                        change: arm.kappa[r],
                        change_d_observed: if sd_change_obs > 0.0 {
                            arm.kappa[r] / sd_change_obs
                        } else {
                            f64::NAN
                        },
                        change_reliability: rel_c,
                        change_improvement_true: arm.rho_cs[r],
                        change_improvement_observed: arm.rho_cs[r] * (rel_c * rel_s).sqrt(),
                        baseline_improvement_true: arm.rho_bs[r],
                        // Patients' scans: their own between-subject SD.
                        baseline_improvement_observed: arm.rho_bs[r]
                            * (reliability(reg.sigma_patients, e2) * rel_s).sqrt(),
                    }
                })
                .collect();
            RegionImplied {
                region: reg.name.clone(),
                shift: reg.delta,
                shift_d_true: reg.delta / reg.pooled_sigma(),
                shift_d_observed: reg.delta / (reg.pooled_sigma().powi(2) + e2).sqrt(),
                meas_sd: reg.meas_sd,
                icc,
                arms,
            }
        })
        .collect()
}
