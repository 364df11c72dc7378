//! The `analysis` section: the significance level, the default families and each family resolved.

use super::checker::Checker;
use super::graphs::resolve_graph;
use super::prediction::resolve_prediction;
use crate::scenario::spec::*;
use crate::scenario::types::{CovRef, Family, family_hypotheses};

/// The default analysis plan (used when `analysis.families` is empty).
pub(in crate::scenario) fn default_families(spec: &ScenarioSpec) -> Vec<FamilySpec> {
    let base = |name: &str, kind| FamilySpec {
        name: name.into(),
        kind,
        test: None,
        arms: None,
        arm: None,
        regions: None,
        endpoints: None,
        multiplicity: Multiplicity::Holm.into(),
        gate: None,
        alternative: Alternative::TwoSided,
        alpha: None,
        target: None,
        features: None,
        baseline_score: None,
        models: None,
        penalty: None,
        validation: None,
        threshold: None,
        select: None,
        auc_target: None,
        visits: None,
        visit: None,
        adjust: None,
        primary: None,
        mmrm: None,
        margin: None,
        margin_d: None,
        original_n: None,
    };
    if spec.design.kind == DesignKind::Crossover {
        return vec![base("crossover", FamilyKind::Crossover)];
    }
    let regions = spec
        .measures
        .as_ref()
        .is_some_and(|m| !m.regions.is_empty());
    let mut out = Vec::new();
    if regions && spec.design.controls > 0 && spec.design.patients > 0 {
        out.push(base("baseline", FamilyKind::BaselineDifference));
    }
    if spec.design.patients > 0 && spec.design.arms.len() >= 2 {
        out.push(base("clinical", FamilyKind::Clinical));
        if regions {
            out.push(base("biomarker_change", FamilyKind::ArmChange));
        }
    }
    if regions && spec.design.patients > 0 && !spec.design.arms.is_empty() {
        out.push(base("mechanism", FamilyKind::Correlation));
    }
    out
}

/// The significance level and the families (the defaults when none are listed).
pub(super) fn resolve_plan(
    ck: &mut Checker,
    spec: &ScenarioSpec,
    region_names: &[String],
) -> Vec<Family> {
    let plan = &spec.analysis;
    if !(plan.alpha > 0.0 && plan.alpha < 1.0) {
        ck.err(
            "analysis.alpha",
            format!("must be in (0, 1), got {}", plan.alpha),
        );
    }
    let family_specs = if plan.families.is_empty() {
        default_families(spec)
    } else {
        plan.families.clone()
    };
    let primaries: Vec<usize> = (0..family_specs.len())
        .filter(|&i| family_specs[i].primary == Some(true))
        .collect();
    if primaries.len() > 1 {
        let names: Vec<&str> = primaries
            .iter()
            .map(|&i| family_specs[i].name.as_str())
            .collect();
        ck.err(
            format!("analysis.families[{}].primary", primaries[1]),
            format!(
                "only one family can be primary; {} are marked ({}): keep \"primary\": true on one",
                names.len(),
                names.join(", ")
            ),
        );
    }
    let mut families: Vec<Family> = Vec::new();
    for (i, f) in family_specs.iter().enumerate() {
        let p = format!("analysis.families[{i}]");
        if let Some(fam) = resolve_family(ck, &p, f, spec, region_names, &families) {
            families.push(fam);
        }
    }
    families
}

/// One family; `None` when it has problems (they are in `ck`).
fn resolve_family(
    ck: &mut Checker,
    p: &str,
    f: &FamilySpec,
    spec: &ScenarioSpec,
    region_names: &[String],
    earlier: &[Family],
) -> Option<Family> {
    let n_before = ck.problems.len();
    ck.name(&format!("{p}.name"), &f.name);
    if earlier.iter().any(|e| e.name == f.name) {
        ck.err(
            format!("{p}.name"),
            format!("duplicate family name '{}'", f.name),
        );
    }
    let crossover_design = spec.design.kind == DesignKind::Crossover;
    if crossover_design != (f.kind == FamilyKind::Crossover) {
        ck.err(
            format!("{p}.kind"),
            if crossover_design {
                "a crossover design is analysed by crossover families only"
            } else {
                "crossover families need \"design\": {\"kind\": \"crossover\"}"
            },
        );
    }
    if f.kind != FamilyKind::Clinical && region_names.is_empty() {
        ck.err(
            format!("{p}.kind"),
            "this kind analyses biomarker regions, but the scenario has no measures",
        );
    }
    let arms = family_arms(ck, p, f, &spec.design);
    let test = family_test(ck, p, f);
    let regions = family_regions(ck, p, f, region_names);
    let replication = super::replication::resolve_replication(ck, p, f, test);
    let mut endpoints = family_endpoints(ck, p, f, test);
    if super::replication::is_replication(test) && f.endpoints.is_none() {
        // A replication test compares the score change; response and remission are binary.
        endpoints.retain(|e| *e == Endpoint::Change);
    }
    let gate = match &f.gate {
        None => None,
        Some(g) => match earlier.iter().position(|e| &e.name == g) {
            Some(i) => Some(i),
            None => {
                ck.err(
                    format!("{p}.gate"),
                    format!("'{g}' is not an earlier family; a gate must name a family listed before this one"),
                );
                None
            }
        },
    };
    let visits = family_visits(ck, p, f, &spec.design.visits);
    let adjust = family_adjust(ck, p, f, test, &spec.design.covariates);
    let mmrm = super::mmrm::family_mmrm(ck, p, f, test, &endpoints, &spec.design.visits);
    let prediction = resolve_prediction(ck, p, f, arms.0, &regions, visits[0], &spec.design);
    if let Some(a) = f.alpha
        && !(a > 0.0 && a < 1.0)
    {
        ck.err(format!("{p}.alpha"), format!("must be in (0, 1), got {a}"));
    }
    if ck.problems.len() > n_before {
        return None;
    }
    let mut fam = Family {
        name: f.name.clone(),
        kind: f.kind,
        test,
        arms,
        regions,
        endpoints,
        multiplicity: Multiplicity::None,
        graph: None,
        alpha: f.alpha,
        gate,
        alternative: f.alternative,
        prediction,
        visits,
        adjust,
        mmrm,
        replication,
    };
    match &f.multiplicity {
        MultiplicitySpec::Named(m) => fam.multiplicity = *m,
        MultiplicitySpec::Graphical { graphical } => {
            let path = format!("{p}.multiplicity.graphical");
            let m = family_hypotheses(&fam, "change", &spec.design.visits, region_names).len();
            fam.graph = Some(resolve_graph(
                ck,
                &path,
                graphical,
                m,
                "the family's hypotheses",
            )?);
        }
    }
    Some(fam)
}

fn find_arm(ck: &mut Checker, arm_names: &[&str], path: String, name: &str) -> usize {
    match arm_names.iter().position(|a| *a == name) {
        Some(i) => i,
        None => {
            ck.err(
                path,
                format!("unknown arm '{name}'; arms are: {}", arm_names.join(", ")),
            );
            0
        }
    }
}

/// The arms a family uses: the two compared, or the one analysed (then both equal).
fn family_arms(ck: &mut Checker, p: &str, f: &FamilySpec, design: &Design) -> (usize, usize) {
    let arm_names: Vec<&str> = design.arms.iter().map(|a| a.name.as_str()).collect();
    let two_arms = matches!(
        f.kind,
        FamilyKind::ArmChange | FamilyKind::Clinical | FamilyKind::Crossover
    );
    let one_arm = matches!(
        f.kind,
        FamilyKind::WithinArmChange | FamilyKind::Correlation | FamilyKind::Prediction
    );
    let mut arms = (0, 0);
    if two_arms {
        if f.arm.is_some() {
            ck.err(
                format!("{p}.arm"),
                "this kind compares two arms: use \"arms\": [\"a\", \"b\"]",
            );
        }
        match &f.arms {
            Some(v) if v.len() == 2 => {
                arms = (
                    find_arm(ck, &arm_names, format!("{p}.arms[0]"), &v[0]),
                    find_arm(ck, &arm_names, format!("{p}.arms[1]"), &v[1]),
                );
                if v[0] == v[1] {
                    ck.err(format!("{p}.arms"), "the two arms must differ");
                }
            }
            Some(v) => ck.err(
                format!("{p}.arms"),
                format!("must name exactly 2 arms, got {}", v.len()),
            ),
            None => {
                if arm_names.len() < 2 {
                    ck.err(
                        format!("{p}.arms"),
                        "this kind needs two arms in design.arms",
                    );
                }
                arms = (0, 1);
            }
        }
        if design.patients == 0 {
            ck.err(format!("{p}.kind"), "needs patients (design.patients is 0)");
        }
    } else if one_arm {
        if f.arms.is_some() {
            ck.err(
                format!("{p}.arms"),
                "this kind analyses one arm: use \"arm\": \"name\"",
            );
        }
        let a = match &f.arm {
            Some(name) => find_arm(ck, &arm_names, format!("{p}.arm"), name),
            None => {
                if arm_names.is_empty() {
                    ck.err(format!("{p}.arm"), "this kind needs an arm in design.arms");
                }
                0
            }
        };
        arms = (a, a);
        if design.patients == 0 {
            ck.err(format!("{p}.kind"), "needs patients (design.patients is 0)");
        }
    } else {
        if f.arm.is_some() || f.arms.is_some() {
            ck.err(
                format!("{p}.arms"),
                "baseline_difference compares all patients with controls; remove arm/arms",
            );
        }
        if design.patients == 0 || design.controls == 0 {
            ck.err(
                format!("{p}.kind"),
                "baseline_difference needs patients and controls",
            );
        }
    }
    arms
}

/// The test of a family: the one given, or the first that fits its kind.
fn family_test(ck: &mut Checker, p: &str, f: &FamilySpec) -> TestKind {
    let allowed: &[TestKind] = match f.kind {
        FamilyKind::BaselineDifference => &[
            TestKind::Welch,
            TestKind::Student,
            TestKind::Wilcoxon,
            TestKind::Tost,
            TestKind::SmallTelescopes,
        ],
        FamilyKind::ArmChange => &[
            TestKind::Welch,
            TestKind::Student,
            TestKind::Ancova,
            TestKind::Wilcoxon,
            TestKind::Tost,
            TestKind::SmallTelescopes,
        ],
        FamilyKind::Clinical => &[
            TestKind::Welch,
            TestKind::Student,
            TestKind::Ancova,
            TestKind::Wilcoxon,
            TestKind::Tost,
            TestKind::SmallTelescopes,
            TestKind::Mmrm,
        ],
        FamilyKind::WithinArmChange => &[TestKind::Paired],
        FamilyKind::Correlation => &[TestKind::Pearson, TestKind::Spearman],
        // Prediction has models, not tests; `test` is rejected below.
        FamilyKind::Prediction => &[TestKind::Welch],
        FamilyKind::Crossover => &[TestKind::Student, TestKind::Welch],
    };
    if f.kind == FamilyKind::Prediction && f.test.is_some() {
        ck.err(
            format!("{p}.test"),
            "prediction families have models, not tests: use \"models\"",
        );
    }
    let test = f.test.unwrap_or(allowed[0]);
    if !allowed.contains(&test) {
        let list: Vec<String> = allowed
            .iter()
            .map(|t| serde_json::to_string(t).unwrap_or_default())
            .collect();
        ck.err(
            format!("{p}.test"),
            format!(
                "{test:?} does not fit kind {:?}; use one of {}",
                f.kind,
                list.join(", ")
            ),
        );
    }
    test
}

/// Region indices a family tests (all when not given; none for clinical families).
fn family_regions(
    ck: &mut Checker,
    p: &str,
    f: &FamilySpec,
    region_names: &[String],
) -> Vec<usize> {
    let mut regions = Vec::new();
    if f.kind == FamilyKind::Clinical {
        if f.regions.is_some() {
            ck.err(
                format!("{p}.regions"),
                "clinical families test symptom endpoints, not regions",
            );
        }
    } else {
        match &f.regions {
            Some(list) => {
                if list.is_empty() {
                    ck.err(
                        format!("{p}.regions"),
                        "must name at least one region (or leave it out for all)",
                    );
                }
                for (j, name) in list.iter().enumerate() {
                    match region_names.iter().position(|n| n == name) {
                        Some(r) => regions.push(r),
                        None => ck.err(
                            format!("{p}.regions[{j}]"),
                            format!(
                                "unknown region '{name}'; regions are: {}",
                                region_names.join(", ")
                            ),
                        ),
                    }
                }
            }
            None => regions = (0..region_names.len()).collect(),
        }
    }
    regions
}

/// Symptom endpoints of a clinical family (none for other kinds).
fn family_endpoints(ck: &mut Checker, p: &str, f: &FamilySpec, test: TestKind) -> Vec<Endpoint> {
    if f.kind == FamilyKind::Clinical {
        let e = f.endpoints.clone().unwrap_or_else(|| {
            if test == TestKind::Mmrm {
                vec![Endpoint::Change]
            } else {
                vec![Endpoint::Change, Endpoint::Response, Endpoint::Remission]
            }
        });
        if e.is_empty() {
            ck.err(format!("{p}.endpoints"), "must name at least one endpoint");
        }
        e
    } else {
        if f.endpoints.is_some() {
            ck.err(
                format!("{p}.endpoints"),
                "only clinical families have endpoints",
            );
        }
        Vec::new()
    }
}

/// Visits a family analyses: clinical families may analyse several, correlation and prediction one.
fn family_visits(ck: &mut Checker, p: &str, f: &FamilySpec, visits: &[String]) -> Vec<usize> {
    // Visits: clinical families may analyse several, correlation and prediction one.
    let nv = visits.len();
    let last = nv.saturating_sub(1);
    let find_visit = |ck: &mut Checker, path: String, name: &str| -> usize {
        match visits.iter().position(|v| v == name) {
            Some(i) if i > 0 => i,
            _ => {
                ck.err(
                    path,
                    format!(
                        "'{name}' is not a post-baseline visit; visits are: {}",
                        visits.join(", ")
                    ),
                );
                last
            }
        }
    };
    match f.kind {
        FamilyKind::Clinical => {
            if f.visit.is_some() {
                ck.err(
                    format!("{p}.visit"),
                    "clinical families take a list: \"visits\": [\"...\"]",
                );
            }
            match &f.visits {
                None => vec![last],
                Some(list) if list.is_empty() => {
                    ck.err(format!("{p}.visits"), "must name at least one visit");
                    vec![last]
                }
                Some(list) => list
                    .iter()
                    .enumerate()
                    .map(|(j, v)| find_visit(ck, format!("{p}.visits[{j}]"), v))
                    .collect(),
            }
        }
        FamilyKind::Correlation | FamilyKind::Prediction => {
            if f.visits.is_some() {
                ck.err(
                    format!("{p}.visits"),
                    "this kind uses one visit: \"visit\": \"...\"",
                );
            }
            vec![
                f.visit
                    .as_ref()
                    .map_or(last, |v| find_visit(ck, format!("{p}.visit"), v)),
            ]
        }
        _ => {
            if f.visits.is_some() || f.visit.is_some() {
                ck.err(
                    format!("{p}.visits"),
                    "only clinical, correlation and prediction families name visits",
                );
            }
            vec![last]
        }
    }
}

/// Characteristics adjusted for by a clinical ANCOVA.
fn family_adjust(
    ck: &mut Checker,
    p: &str,
    f: &FamilySpec,
    test: TestKind,
    covariates: &[CovariateSpec],
) -> Vec<CovRef> {
    match (
        &f.adjust,
        f.kind == FamilyKind::Clinical && matches!(test, TestKind::Ancova | TestKind::Mmrm),
    ) {
        (None, true) => vec![CovRef::BaselineScore],
        (None, false) => Vec::new(),
        (Some(_), false) => {
            ck.err(
                format!("{p}.adjust"),
                "only clinical families with \"test\": \"ancova\" or \"mmrm\" adjust for covariates",
            );
            Vec::new()
        }
        (Some(list), true) => {
            let mut out = Vec::new();
            for (j, name) in list.iter().enumerate() {
                if name == "baseline_score" {
                    out.push(CovRef::BaselineScore);
                } else if let Some(i) = covariates.iter().position(|c| &c.name == name) {
                    out.push(CovRef::Covariate(i));
                } else {
                    ck.err(
                        format!("{p}.adjust[{j}]"),
                        format!("unknown covariate '{name}'"),
                    );
                }
            }
            out
        }
    }
}
