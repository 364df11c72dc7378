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

fn resolve_region(ck: &mut Checker, i: usize, r: &RegionSpec, names: &[String]) -> Region {
    let p = format!("measures.regions[{i}]");
    if r.name.trim().is_empty() {
        ck.err(format!("{p}.name"), "must not be empty");
    }
    if names[..i].contains(&r.name) {
        ck.err(
            format!("{p}.name"),
            format!("duplicate region name '{}'", r.name),
        );
    }
    ck.positive(&format!("{p}.control_mean"), r.control_mean);
    ck.positive(&format!("{p}.between_sd"), r.between_sd);
    ck.non_negative(&format!("{p}.test_retest_cv"), r.test_retest_cv);
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
    Region {
        name: r.name.clone(),
        mu: r.control_mean,
        sigma: r.between_sd,
        meas_sd: r.test_retest_cv * r.control_mean,
        delta,
    }
}
