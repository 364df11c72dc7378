//! The `measures` section: regions in absolute units and the between-region correlations.

use super::checker::{Checker, correlation_matrix};
use crate::scenario::spec::{Correlations, Measures, RegionSpec};
use crate::scenario::types::Region;

/// The resolved measures.
pub(super) struct ResolvedMeasures {
    /// Regions in file order.
    pub regions: Vec<Region>,
    /// Their names (also for regions whose values had problems).
    pub names: Vec<String>,
    /// Between-region correlation of true baseline (R x R).
    pub c_b: Vec<f64>,
    /// Between-region correlation of true change (R x R).
    pub c_c: Vec<f64>,
    /// Probability that a scan fails.
    pub scan_failure: f64,
    /// Unit of the measures.
    pub unit: String,
}

/// Resolve the measures; a study without `measures` has no regions.
pub(super) fn resolve_measures(ck: &mut Checker, given: Option<&Measures>) -> ResolvedMeasures {
    let no_measures = Measures {
        unit: String::new(),
        correlation: Correlations::default(),
        scan_failure: 0.0,
        regions: Vec::new(),
    };
    let m = given.unwrap_or(&no_measures);
    ck.probability("measures.scan_failure", m.scan_failure);
    if given.is_some() && m.regions.is_empty() {
        ck.err(
            "measures.regions",
            "must list at least one region (leave out \"measures\" for a study without biomarkers)",
        );
    }
    let names: Vec<String> = m.regions.iter().map(|r| r.name.clone()).collect();
    let regions: Vec<Region> = m
        .regions
        .iter()
        .enumerate()
        .map(|(i, r)| resolve_region(ck, i, r, &names))
        .collect();
    let nr = regions.len();
    if nr > crate::limits::MAX_MEASURES {
        ck.err(
            "measures.regions",
            format!(
                "{nr} regions is above the limit of {} measures",
                crate::limits::MAX_MEASURES
            ),
        );
        // No R x R matrices for a count that may be huge (validation stops before they are used).
        return ResolvedMeasures {
            regions,
            names,
            c_b: Vec::new(),
            c_c: Vec::new(),
            scan_failure: m.scan_failure,
            unit: m.unit.clone(),
        };
    }
    let c_b = correlation_matrix(
        ck,
        "measures.correlation.baseline",
        &m.correlation.baseline,
        nr,
    );
    let c_c = correlation_matrix(ck, "measures.correlation.change", &m.correlation.change, nr);
    ResolvedMeasures {
        regions,
        names,
        c_b,
        c_c,
        scan_failure: m.scan_failure,
        unit: m.unit.clone(),
    }
}

/// Values that pass the sign checks but leave every analysis undefined: a subnormal mean or SD, an
/// SD lost in the rounding of the mean, or a mean so large that its measurement SD overflows.
fn check_scale(ck: &mut Checker, p: &str, r: &RegionSpec) {
    use crate::limits::MIN_SD_TO_MEAN;
    let (mean, sd) = (r.control_mean, r.between_sd);
    if !(mean > 0.0 && sd > 0.0 && mean.is_finite() && sd.is_finite()) {
        return; // already reported
    }
    let mean_ok = ck.magnitude(&format!("{p}.control_mean"), mean);
    let sd_ok = ck.magnitude(&format!("{p}.between_sd"), sd);
    for (field, v) in [("control_mean", mean), ("between_sd", sd)] {
        if !v.is_normal() {
            ck.err(
                format!("{p}.{field}"),
                format!("{v:e} is too small to compute with (a subnormal number): change the unit"),
            );
        }
    }
    if mean_ok && sd_ok && sd < MIN_SD_TO_MEAN * mean {
        ck.err(
            format!("{p}.between_sd"),
            format!(
                "{sd:e} is less than {MIN_SD_TO_MEAN:e} of control_mean {mean:e}: the spread would be lost in rounding"
            ),
        );
    }
    if r.test_retest_cv.is_finite() && r.test_retest_cv >= 0.0 {
        ck.magnitude(&format!("{p}.test_retest_cv"), r.test_retest_cv * mean);
    }
    if let Some(d) = r.patient_shift_d.filter(|d| d.is_finite()) {
        ck.magnitude(&format!("{p}.patient_shift_d"), d * sd);
    }
    if let Some(pct) = r.patient_shift_pct.filter(|x| x.is_finite()) {
        ck.magnitude(&format!("{p}.patient_shift_pct"), pct / 100.0 * mean);
    }
}

fn resolve_region(ck: &mut Checker, i: usize, r: &RegionSpec, names: &[String]) -> Region {
    let p = format!("measures.regions[{i}]");
    ck.name(&format!("{p}.name"), &r.name);
    if names[..i].contains(&r.name) {
        ck.err(
            format!("{p}.name"),
            format!("duplicate region name '{}'", r.name),
        );
    }
    ck.positive(&format!("{p}.control_mean"), r.control_mean);
    ck.positive(&format!("{p}.between_sd"), r.between_sd);
    ck.non_negative(&format!("{p}.test_retest_cv"), r.test_retest_cv);
    check_scale(ck, &p, r);
    let delta = match (r.patient_shift_d, r.patient_shift_pct) {
        (Some(_), Some(_)) => {
            ck.err(
                format!("{p}.patient_shift_pct"),
                "give patient_shift_d or patient_shift_pct, not both",
            );
            0.0
        }
        (Some(dd), None) => {
            ck.finite(&format!("{p}.patient_shift_d"), dd);
            dd * r.between_sd
        }
        (None, Some(pct)) => {
            ck.finite(&format!("{p}.patient_shift_pct"), pct);
            pct / 100.0 * r.control_mean
        }
        (None, None) => 0.0,
    };
    let sigma_patients = match (r.patient_between_sd, r.patient_sd_ratio) {
        (Some(_), Some(_)) => {
            ck.err(
                format!("{p}.patient_sd_ratio"),
                "give patient_between_sd or patient_sd_ratio, not both",
            );
            r.between_sd
        }
        (Some(sd), None) => {
            ck.positive(&format!("{p}.patient_between_sd"), sd);
            if sd.is_finite() {
                ck.magnitude(&format!("{p}.patient_between_sd"), sd);
            }
            sd
        }
        (None, Some(ratio)) => {
            ck.positive(&format!("{p}.patient_sd_ratio"), ratio);
            if ratio.is_finite() {
                ck.magnitude(&format!("{p}.patient_sd_ratio"), ratio * r.between_sd);
            }
            ratio * r.between_sd
        }
        (None, None) => r.between_sd,
    };
    Region {
        name: r.name.clone(),
        mu: r.control_mean,
        sigma: r.between_sd,
        sigma_patients,
        meas_sd: r.test_retest_cv * r.control_mean,
        delta,
    }
}
