//! The `arms` section: per-arm biomarker change, symptom improvement, dropout and time courses.

use super::checker::{Checker, per_region};
use super::design::cov_ref;
use crate::scenario::spec::*;
use crate::scenario::types::{Arm, Covariate, Region};
use std::collections::BTreeMap;

/// What the arms need from the sections resolved before them.
pub(super) struct ArmContext<'a> {
    /// Regions in file order.
    pub regions: &'a [Region],
    /// Their names.
    pub names: &'a [String],
    /// Visit names (first = baseline).
    pub visits: &'a [String],
    /// Pre-treatment covariates.
    pub covariates: &'a [Covariate],
    /// Whether the design is a crossover.
    pub crossover: bool,
}

/// Resolve every arm of `design.arms` (in design order) with its entry in `arms`, if any.
/// The joint correlation matrices are left empty (filled in once every section is valid).
pub(super) fn resolve_arms(ck: &mut Checker, spec: &ScenarioSpec, cx: &ArmContext) -> Vec<Arm> {
    let d = &spec.design;
    for k in spec.arms.keys() {
        if !d.arms.iter().any(|a| &a.name == k) {
            let known: Vec<&str> = d.arms.iter().map(|a| a.name.as_str()).collect();
            ck.err(
                format!("arms.{k}"),
                format!(
                    "no arm named '{k}' in design.arms (arms are: {})",
                    known.join(", ")
                ),
            );
        }
    }
    let empty = ArmEffects {
        change: PerRegion::default(),
        change_pct: PerRegion::default(),
        change_sd: PerRegion::default(),
        change_sd_pct: PerRegion::default(),
        baseline_change_corr: PerRegion::default(),
        baseline_improvement_corr: PerRegion::default(),
        change_improvement_corr: PerRegion::default(),
        improvement_mean: 0.0,
        improvement_sd: 8.0,
        dropout: 0.0,
        dropout_log_or_per_sd: 0.0,
        dropout_per_visit: None,
        dropout_mar_log_or: 0.0,
        time_course: None,
        late_fraction: 0.0,
        late_time_course: None,
        improvement_covariates: BTreeMap::new(),
        carryover: PerRegion::default(),
    };
    d.arms
        .iter()
        .map(|a| resolve_arm(ck, a, spec.arms.get(&a.name).unwrap_or(&empty), cx))
        .collect()
}

fn resolve_arm(ck: &mut Checker, a: &ArmSpec, e: &ArmEffects, cx: &ArmContext) -> Arm {
    let p = format!("arms.{}", a.name);
    let (kappa, tau) = change_moments(ck, &p, e, cx);
    let rho_bc = correlations(ck, &p, "baseline_change_corr", &e.baseline_change_corr, cx);
    let rho_bs = correlations(
        ck,
        &p,
        "baseline_improvement_corr",
        &e.baseline_improvement_corr,
        cx,
    );
    let rho_cs = correlations(
        ck,
        &p,
        "change_improvement_corr",
        &e.change_improvement_corr,
        cx,
    );
    ck.finite(&format!("{p}.improvement_mean"), e.improvement_mean);
    ck.non_negative(&format!("{p}.improvement_sd"), e.improvement_sd);
    ck.probability(&format!("{p}.dropout"), e.dropout);
    ck.finite(
        &format!("{p}.dropout_log_or_per_sd"),
        e.dropout_log_or_per_sd,
    );
    let dropout_per_visit = super::dropout::per_visit(ck, &p, e, cx.visits, cx.crossover);
    let time_course = course(ck, &p, "time_course", &e.time_course, cx.visits);
    ck.probability(&format!("{p}.late_fraction"), e.late_fraction);
    if e.late_fraction > 0.0 && e.late_time_course.is_none() {
        ck.err(
            format!("{p}.late_time_course"),
            "late_fraction > 0 needs a late_time_course",
        );
    }
    let late_time_course = match &e.late_time_course {
        None => time_course.clone(),
        some => course(ck, &p, "late_time_course", some, cx.visits),
    };
    let mut improvement_covs = Vec::new();
    for (name, c) in &e.improvement_covariates {
        let path = format!("{p}.improvement_covariates.{name}");
        ck.finite(&path, *c);
        if let Some(r) = cov_ref(ck, cx.covariates, path, name) {
            improvement_covs.push((r, *c));
        }
    }
    let (carryover, carry_given) =
        per_region(ck, &format!("{p}.carryover"), &e.carryover, cx.names);
    if !cx.crossover && carry_given.iter().any(|&g| g) {
        ck.err(
            format!("{p}.carryover"),
            "only crossover designs have carry-over",
        );
    }
    Arm {
        time_course,
        late_fraction: e.late_fraction,
        late_time_course,
        improvement_covs,
        carryover,
        name: a.name.clone(),
        ratio: a.ratio,
        kappa,
        tau,
        rho_bc,
        rho_bs,
        rho_cs,
        improvement_mean: e.improvement_mean,
        improvement_sd: e.improvement_sd,
        dropout: e.dropout,
        dropout_log_or: e.dropout_log_or_per_sd,
        dropout_per_visit,
        dropout_mar_log_or: e.dropout_mar_log_or,
        joint: Vec::new(),
        joint_chol: Vec::new(),
        joint_panels: Default::default(),
        observed_panels: None,
    }
}

/// Mean (kappa) and SD (tau) of the true change per region, in absolute units.
fn change_moments(
    ck: &mut Checker,
    p: &str,
    e: &ArmEffects,
    cx: &ArmContext,
) -> (Vec<f64>, Vec<f64>) {
    let names = cx.names;
    let (abs, abs_given) = per_region(ck, &format!("{p}.change"), &e.change, names);
    let (pct, pct_given) = per_region(ck, &format!("{p}.change_pct"), &e.change_pct, names);
    let (sd, sd_given) = per_region(ck, &format!("{p}.change_sd"), &e.change_sd, names);
    let (sdp, sdp_given) = per_region(ck, &format!("{p}.change_sd_pct"), &e.change_sd_pct, names);
    let nr = cx.regions.len();
    let mut kappa = vec![0.0; nr];
    let mut tau = vec![0.0; nr];
    for r in 0..nr {
        let mu = cx.regions[r].mu;
        if abs_given[r] && pct_given[r] {
            ck.err(
                format!("{p}.change_pct.{}", names[r]),
                "region has both change and change_pct; give one",
            );
        }
        kappa[r] = if pct_given[r] {
            pct[r] / 100.0 * mu
        } else {
            abs[r]
        };
        if sd_given[r] && sdp_given[r] {
            ck.err(
                format!("{p}.change_sd_pct.{}", names[r]),
                "region has both change_sd and change_sd_pct; give one",
            );
        }
        tau[r] = if sdp_given[r] {
            sdp[r] / 100.0 * mu
        } else {
            sd[r]
        };
        if tau[r] < 0.0 {
            let field = if sdp_given[r] {
                "change_sd_pct"
            } else {
                "change_sd"
            };
            ck.err(
                format!("{p}.{field}.{}", names[r]),
                format!("must be >= 0, got {}", tau[r]),
            );
        }
    }
    (kappa, tau)
}

/// A per-region correlation field of an arm.
fn correlations(
    ck: &mut Checker,
    p: &str,
    field: &str,
    v: &PerRegion,
    cx: &ArmContext,
) -> Vec<f64> {
    let path = format!("{p}.{field}");
    let (vals, _) = per_region(ck, &path, v, cx.names);
    for (r, x) in vals.iter().enumerate() {
        if x.is_finite() && !(-1.0..=1.0).contains(x) {
            ck.err(
                format!("{path}.{}", cx.names[r]),
                format!("must be a correlation in [-1, 1], got {x}"),
            );
        }
    }
    vals
}

/// A time course (fraction of the final improvement per visit); by default 0 at baseline, 1 after.
fn course(
    ck: &mut Checker,
    p: &str,
    field: &str,
    v: &Option<Vec<f64>>,
    visits: &[String],
) -> Vec<f64> {
    let nv = visits.len();
    let path = format!("{p}.{field}");
    match v {
        None => (0..nv).map(|i| if i == 0 { 0.0 } else { 1.0 }).collect(),
        Some(tc) => {
            if tc.len() != nv {
                ck.err(
                    &path,
                    format!(
                        "must have one entry per visit ({nv}: {}), got {}",
                        visits.join(", "),
                        tc.len()
                    ),
                );
            } else if tc[0] != 0.0 {
                ck.err(format!("{path}[0]"), "the baseline entry must be 0");
            }
            for (i, x) in tc.iter().enumerate() {
                ck.finite(&format!("{path}[{i}]"), *x);
            }
            let mut out = tc.clone();
            out.resize(nv, 1.0);
            out
        }
    }
}
