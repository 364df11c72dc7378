//! The `design` section: arms and their ratios, visits, covariates, allocation and the crossover rules.

use super::checker::{Checker, per_region};
use crate::scenario::spec::*;
use crate::scenario::types::{AllocationLogit, CovRef, Covariate};

/// The parts of the design resolved after the measures (they need the region names).
pub(super) struct Layout {
    /// Index of the visit of the second scan.
    pub scan_visit: usize,
    /// Pre-treatment covariates.
    pub covariates: Vec<Covariate>,
    /// Logistic allocation, when allocation is `logistic`.
    pub allocation_logit: Option<AllocationLogit>,
    /// Crossover period effect per region.
    pub period_effect: Vec<f64>,
}

/// Group sizes, arm names and ratios, control dropout.
pub(super) fn check_groups(ck: &mut Checker, d: &Design) {
    use crate::limits::{MAX_ARMS, MAX_SUBJECTS};
    let per_trial = "subjects per trial";
    let c_ok = ck.at_most("design.controls", d.controls, MAX_SUBJECTS, per_trial);
    let p_ok = ck.at_most("design.patients", d.patients, MAX_SUBJECTS, per_trial);
    if c_ok && p_ok {
        // Both are <= 10^7, so the sum cannot overflow.
        let total = d.controls + d.patients;
        if total == 0 {
            ck.err("design", "controls + patients must be > 0");
        } else {
            ck.at_most(
                "design",
                total,
                MAX_SUBJECTS,
                "subjects per trial (controls + patients)",
            );
        }
    }
    ck.at_most("design.arms", d.arms.len(), MAX_ARMS, "arms");
    if d.patients > 0 && d.arms.is_empty() {
        ck.err(
            "design.arms",
            "patients need at least one arm, e.g. [{\"name\": \"treatment\"}]",
        );
    }
    for (i, a) in d.arms.iter().enumerate() {
        let p = format!("design.arms[{i}]");
        ck.name(&format!("{p}.name"), &a.name);
        if d.arms[..i].iter().any(|b| b.name == a.name) {
            ck.err(
                format!("{p}.name"),
                format!("duplicate arm name '{}'", a.name),
            );
        }
        ck.positive(&format!("{p}.ratio"), a.ratio);
    }
    let ratio_sum: f64 = d.arms.iter().map(|a| a.ratio).sum();
    if d.arms.iter().all(|a| a.ratio.is_finite() && a.ratio > 0.0) {
        if !ratio_sum.is_finite() {
            ck.err(
                "design.arms",
                format!("the ratios add up to {ratio_sum:e}: use smaller numbers (only their proportions matter)"),
            );
        } else if let Some(i) = d
            .arms
            .iter()
            .position(|a| !(a.ratio / ratio_sum).is_normal())
        {
            ck.err(
                format!("design.arms[{i}].ratio"),
                format!(
                    "{} is too small a share of the total {ratio_sum}",
                    d.arms[i].ratio
                ),
            );
        }
    }
    ck.probability("design.control_dropout", d.control_dropout);
}

/// Visits, covariates, allocation and the crossover rules (in this order, so problems are reported
/// in file order).
pub(super) fn resolve_layout(ck: &mut Checker, spec: &ScenarioSpec, names: &[String]) -> Layout {
    let d = &spec.design;
    let scan_visit = resolve_visits(ck, d);
    let covariates = resolve_covariates(ck, d);
    let allocation_logit = resolve_allocation(ck, d, &covariates);
    let crossover = d.kind == DesignKind::Crossover;
    if crossover {
        check_crossover(ck, spec);
    }
    let (period_effect, given) = per_region(ck, "design.period_effect", &d.period_effect, names);
    if !crossover && given.iter().any(|&g| g) {
        ck.err(
            "design.period_effect",
            "only crossover designs have a period effect",
        );
    }
    Layout {
        scan_visit,
        covariates,
        allocation_logit,
        period_effect,
    }
}

/// Check the visit names; returns the index of the scan visit.
fn resolve_visits(ck: &mut Checker, d: &Design) -> usize {
    let nv = d.visits.len();
    if nv < 2 {
        ck.err(
            "design.visits",
            "must name at least two visits, baseline first",
        );
    }
    for (i, v) in d.visits.iter().enumerate() {
        if !ck.name(&format!("design.visits[{i}]"), v) {
            continue;
        }
        if d.visits[..i].contains(v) {
            ck.err(
                format!("design.visits[{i}]"),
                format!("visit names must be unique and non-empty, got '{v}'"),
            );
        }
    }
    match &d.scan_visit {
        None => nv.saturating_sub(1),
        Some(name) => match d.visits.iter().position(|v| v == name) {
            Some(0) => {
                ck.err(
                    "design.scan_visit",
                    format!("'{name}' is the baseline visit; name a later visit"),
                );
                nv.saturating_sub(1)
            }
            Some(i) => i,
            None => {
                ck.err(
                    "design.scan_visit",
                    format!(
                        "unknown visit '{name}'; visits are: {}",
                        d.visits.join(", ")
                    ),
                );
                nv.saturating_sub(1)
            }
        },
    }
}

fn resolve_covariates(ck: &mut Checker, d: &Design) -> Vec<Covariate> {
    let mut covariates: Vec<Covariate> = Vec::new();
    for (i, c) in d.covariates.iter().enumerate() {
        let p = format!("design.covariates[{i}]");
        let named = ck.name(&format!("{p}.name"), &c.name);
        if named && (c.name == "baseline_score" || covariates.iter().any(|o| o.name == c.name)) {
            ck.err(
                format!("{p}.name"),
                format!(
                    "must be unique, non-empty and not 'baseline_score', got '{}'",
                    c.name
                ),
            );
        }
        ck.magnitude(&format!("{p}.mean"), c.mean);
        ck.positive(&format!("{p}.sd"), c.sd);
        ck.magnitude(&format!("{p}.sd"), c.sd);
        covariates.push(Covariate {
            name: c.name.clone(),
            mean: c.mean,
            sd: c.sd,
        });
    }
    covariates
}

/// A characteristic by name: a covariate or `baseline_score`; unknown names are reported.
pub(super) fn cov_ref(
    ck: &mut Checker,
    covariates: &[Covariate],
    path: String,
    name: &str,
) -> Option<CovRef> {
    if name == "baseline_score" {
        return Some(CovRef::BaselineScore);
    }
    match covariates.iter().position(|c| c.name == name) {
        Some(i) => Some(CovRef::Covariate(i)),
        None => {
            let mut known: Vec<String> = covariates.iter().map(|c| c.name.clone()).collect();
            known.push("baseline_score".into());
            ck.err(
                path,
                format!("unknown covariate '{name}'; known: {}", known.join(", ")),
            );
            None
        }
    }
}

fn resolve_allocation(
    ck: &mut Checker,
    d: &Design,
    covariates: &[Covariate],
) -> Option<AllocationLogit> {
    match (&d.allocation, &d.allocation_model) {
        (Allocation::Logistic, None) => {
            ck.err(
                "design.allocation_model",
                "allocation \"logistic\" needs an allocation_model",
            );
            None
        }
        (Allocation::Logistic, Some(am)) => {
            if d.arms.len() != 2 {
                ck.err(
                    "design.allocation",
                    "logistic allocation needs exactly two arms",
                );
            }
            let arm = match d.arms.iter().position(|a| a.name == am.arm) {
                Some(i) => i,
                None => {
                    ck.err(
                        "design.allocation_model.arm",
                        format!("unknown arm '{}'", am.arm),
                    );
                    0
                }
            };
            ck.finite("design.allocation_model.intercept", am.intercept);
            let mut coefficients = Vec::new();
            for (name, c) in &am.coefficients {
                let path = format!("design.allocation_model.coefficients.{name}");
                ck.finite(&path, *c);
                if let Some(r) = cov_ref(ck, covariates, path, name) {
                    coefficients.push((r, *c));
                }
            }
            Some(AllocationLogit {
                arm,
                intercept: am.intercept,
                coefficients,
            })
        }
        (_, Some(_)) => {
            ck.err(
                "design.allocation_model",
                "only used with \"allocation\": \"logistic\"",
            );
            None
        }
        _ => None,
    }
}

fn check_crossover(ck: &mut Checker, spec: &ScenarioSpec) {
    let d = &spec.design;
    if d.arms.len() != 2 {
        ck.err(
            "design.arms",
            "a crossover design has exactly two arms (the two conditions)",
        );
    }
    if d.controls > 0 {
        ck.err(
            "design.controls",
            "a crossover design has no control group: set controls to 0",
        );
    }
    if d.allocation == Allocation::Logistic {
        ck.err(
            "design.allocation",
            "crossover sequences are randomised: use blocked or simple",
        );
    }
    if spec.measures.is_none() {
        ck.err(
            "measures",
            "a crossover design compares measures: give at least one region",
        );
    }
}
