//! Validation and resolution of a parsed spec, one file per section. Sections are checked in file
//! order so problems are reported in that order; every problem is collected before giving up.

mod arms;
mod checker;
mod design;
mod dropout;
mod graphs;
mod joint;
pub use joint::observed_cov;
mod measures;
mod mmrm;
mod plan;
mod prediction;
mod replication;
mod symptoms;

use super::spec::{DesignKind, FamilyKind, ScenarioSpec};
use super::types::Scenario;
use crate::error::Problem;
use checker::Checker;
pub(super) use plan::default_families;

/// Validate a parsed spec and resolve it. Returns every problem found.
pub fn resolve(spec: ScenarioSpec) -> Result<Scenario, Vec<Problem>> {
    let scenario = resolve_any_size(spec)?;
    // A scenario whose own sizes leave a family without enough subjects would only ever report
    // that family untestable (e.g. an arm ratio that gives an arm no patients).
    if let Some(short) = scenario.size_shortfall(&scenario.own_sizes()) {
        let path = if short.group == "controls" {
            "design.controls"
        } else {
            "design"
        };
        return Err(vec![Problem {
            path: path.into(),
            message: format!(
                "family '{}' needs at least {} subjects in group '{}', the scenario's sizes (and arm ratios) give {}",
                short.family, short.need, short.group, short.have
            ),
        }]);
    }
    Ok(scenario)
}

/// [`resolve`] without the check that every family can run at the scenario's own sizes: for
/// sizes set on the command line (`--controls 0`), where a family that cannot run is reported
/// as not run instead.
pub(crate) fn resolve_any_size(spec: ScenarioSpec) -> Result<Scenario, Vec<Problem>> {
    let mut ck = Checker {
        problems: Vec::new(),
    };
    if spec.name.trim().is_empty() {
        ck.err("name", "must not be empty");
    }
    let d = &spec.design;
    design::check_groups(&mut ck, d);
    let m = measures::resolve_measures(&mut ck, spec.measures.as_ref());
    let layout = design::resolve_layout(&mut ck, &spec, &m.names);
    if d.kind == DesignKind::Crossover {
        for (i, r) in m.regions.iter().enumerate() {
            if r.sigma_patients != r.sigma {
                ck.err(
                    format!("measures.regions[{i}].patient_between_sd"),
                    "a crossover design has no separate patient group: remove patient_between_sd / patient_sd_ratio",
                );
            }
        }
    }
    let cx = arms::ArmContext {
        regions: &m.regions,
        names: &m.names,
        visits: &d.visits,
        covariates: &layout.covariates,
        crossover: d.kind == DesignKind::Crossover,
    };
    let mut arms = arms::resolve_arms(&mut ck, &spec, &cx);
    let symptoms = symptoms::resolve_symptoms(&mut ck, &spec.symptoms, d.patients);
    let families = plan::resolve_plan(&mut ck, &spec, &m.names);
    for (path, p) in &spec.priors {
        if let Err(problems) = super::prior::Prior::new(p, &format!("priors.{path}")) {
            ck.problems.extend(problems);
        }
    }
    let graphical = graphs::resolve_cross_graph(&mut ck, &spec, &families, &m.names);
    if ck.problems.is_empty() {
        check_derived(&mut ck, &arms, &layout.period_effect);
    }
    // Joint correlation matrices only when the pieces are individually valid.
    let (baseline_chol, change_chol) = if ck.problems.is_empty() {
        joint::factorise(&mut ck, &m.c_b, &m.c_c, &m.regions, &mut arms)
    } else {
        (Vec::new(), Vec::new())
    };
    if !ck.problems.is_empty() {
        return Err(ck.problems);
    }
    let scenario = Scenario {
        design_kind: d.kind,
        visits: d.visits.clone(),
        scan_visit: layout.scan_visit,
        covariates: layout.covariates,
        allocation_logit: layout.allocation_logit,
        period_effect: layout.period_effect,
        scan_failure: m.scan_failure,
        unit: m.unit,
        allocation: d.allocation,
        control_dropout: d.control_dropout,
        rescan_controls: d.rescan_controls,
        n_controls: d.controls,
        n_patients: d.patients,
        alpha: spec.analysis.alpha,
        graphical,
        spec,
        regions: m.regions,
        arms,
        baseline_corr: m.c_b,
        baseline_chol,
        change_chol,
        symptoms,
        families,
    };
    Ok(scenario)
}

/// Every value derived from the inputs (absolute changes from percentages, SDs from CVs) must be
/// finite and of a magnitude whose squares stay finite; the field path names the input it came from.
fn check_derived(ck: &mut Checker, arms: &[crate::scenario::types::Arm], period: &[f64]) {
    for a in arms {
        let p = format!("arms.{}", a.name);
        for (field, v) in [
            ("change", &a.kappa),
            ("change_sd", &a.tau),
            ("carryover", &a.carryover),
        ] {
            if let Some(x) = v
                .iter()
                .find(|x| !x.is_finite() || x.abs() > crate::limits::MAX_MAGNITUDE)
            {
                ck.magnitude(&format!("{p}.{field}"), *x);
            }
        }
        ck.magnitude(&format!("{p}.improvement_mean"), a.improvement_mean);
        ck.magnitude(&format!("{p}.improvement_sd"), a.improvement_sd);
        ck.finite(&format!("{p}.dropout_log_or_per_sd"), a.dropout_log_or);
    }
    if let Some(x) = period
        .iter()
        .find(|x| x.abs() > crate::limits::MAX_MAGNITUDE)
    {
        ck.magnitude("design.period_effect", *x);
    }
}

impl Scenario {
    /// The scenario with only the named family and the families it is gated by (the others cannot
    /// change its results), e.g. for a sample-size search on one criterion. A family decided by
    /// `analysis.graphical` keeps every family of the graph.
    pub fn only_family(&self, name: &str) -> Result<Scenario, Vec<Problem>> {
        let mut keep = Vec::new();
        let mut cur = self.families.iter().position(|f| f.name == name);
        while let Some(i) = cur {
            keep.push(self.families[i].name.clone());
            cur = self.families[i].gate;
        }
        let mut spec = self.spec.clone();
        // A family decided by the graph across families needs every family of that graph.
        match &self.graphical {
            Some(g)
                if keep.iter().any(|k| {
                    let fi = self.families.iter().position(|f| &f.name == k);
                    fi.is_some_and(|fi| g.has_family(fi))
                }) =>
            {
                for &(fi, _) in &g.nodes {
                    if !keep.contains(&self.families[fi].name) {
                        keep.push(self.families[fi].name.clone());
                    }
                }
            }
            _ => spec.analysis.graphical = None,
        }
        if spec.analysis.families.is_empty() {
            spec.analysis.families = default_families(&spec);
        }
        spec.analysis.families.retain(|f| keep.contains(&f.name));
        resolve_any_size(spec)
    }

    /// The scenario with only the families `keep` (in plan order); the caller keeps every
    /// family's gate with it.
    pub fn keep_families(&self, keep: &[String]) -> Result<Scenario, Vec<Problem>> {
        let mut spec = self.spec_with_families();
        spec.analysis.families.retain(|f| keep.contains(&f.name));
        resolve_any_size(spec)
    }

    /// The spec with its analysis plan written out (the default families when none are listed),
    /// so that editing the design does not change the plan.
    pub(crate) fn spec_with_families(&self) -> ScenarioSpec {
        let mut spec = self.spec.clone();
        if spec.analysis.families.is_empty() {
            spec.analysis.families = default_families(&spec);
        }
        spec
    }

    /// The name of the family marked `"primary": true`, if any.
    pub fn primary_family(&self) -> Option<&str> {
        let name = self
            .spec
            .analysis
            .families
            .iter()
            .find(|f| f.primary == Some(true))?
            .name
            .as_str();
        self.families
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.name.as_str())
    }

    /// The default criterion of a sample-size search, `FAMILY:HYPOTHESIS[:METRIC]`: the primary
    /// family's headline figure (a clinical family's first endpoint, a prediction family's
    /// assurance of its first model, otherwise power for `any`). None without a primary family.
    pub fn default_criterion(&self) -> Option<String> {
        let name = self.primary_family()?;
        let f = self.families.iter().find(|f| f.name == name)?;
        let hyps = self.hypotheses(f);
        Some(match f.kind {
            FamilyKind::Prediction => format!("{name}:{}:assurance_auc_true", hyps.first()?),
            _ if hyps.len() == 1 || f.kind == FamilyKind::Clinical => {
                format!("{name}:{}", hyps.first()?)
            }
            _ => format!("{name}:any"),
        })
    }
}
