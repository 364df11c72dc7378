//! The `symptoms` section: the baseline score distribution truncated to the inclusion range.

use super::checker::Checker;
use crate::scenario::spec::Symptoms;
use crate::scenario::types::SymptomModel;
use statrs::distribution::{ContinuousCDF, Normal};

/// Check the symptom scale and resolve how baseline scores are drawn; `patients` is the number of
/// patients (an empty inclusion range is an error only when there are some).
pub(super) fn resolve_symptoms(ck: &mut Checker, s: &Symptoms, patients: usize) -> SymptomModel {
    ck.magnitude("symptoms.baseline_mean", s.baseline_mean);
    ck.positive("symptoms.baseline_sd", s.baseline_sd);
    ck.magnitude("symptoms.baseline_sd", s.baseline_sd);
    ck.magnitude("symptoms.scale_min", s.scale_min);
    ck.magnitude("symptoms.scale_max", s.scale_max);
    if s.scale_min >= s.scale_max {
        ck.err(
            "symptoms.scale_max",
            format!("must be > scale_min ({}), got {}", s.scale_min, s.scale_max),
        );
    }
    if s.inclusion_min > s.inclusion_max {
        ck.err(
            "symptoms.inclusion_max",
            format!(
                "must be >= inclusion_min ({}), got {}",
                s.inclusion_min, s.inclusion_max
            ),
        );
    }
    if !(s.response_fraction > 0.0 && s.response_fraction <= 1.0) {
        ck.err(
            "symptoms.response_fraction",
            format!("must be in (0, 1], got {}", s.response_fraction),
        );
    }
    ck.magnitude("symptoms.remission_max", s.remission_max);
    ck.non_negative("symptoms.rating_sd", s.rating_sd);
    ck.magnitude("symptoms.rating_sd", s.rating_sd);
    let mut symptoms = SymptomModel {
        spec: s.clone(),
        cdf_lo: 0.0,
        cdf_hi: 1.0,
        rejection: true,
    };
    if s.baseline_sd > 0.0 && s.baseline_mean.is_finite() && s.inclusion_min <= s.inclusion_max {
        let n = Normal::new(s.baseline_mean, s.baseline_sd).expect("checked sd > 0");
        let lo = s.inclusion_min.max(s.scale_min);
        let hi = s.inclusion_max.min(s.scale_max);
        symptoms.cdf_lo = n.cdf(lo);
        symptoms.cdf_hi = n.cdf(hi);
        let mass = symptoms.cdf_hi - symptoms.cdf_lo;
        if patients > 0 && !(mass > 1e-9) {
            ck.err(
                "symptoms.inclusion_min",
                format!(
                    "the inclusion range [{lo}, {hi}] (within the scale) holds {mass:.2e} of the baseline \
                     distribution N({}, {}): widen it or move baseline_mean into it",
                    s.baseline_mean, s.baseline_sd
                ),
            );
        }
        symptoms.rejection = mass >= 0.25;
    }
    symptoms
}
