//! Graphical multiplicity procedures (Bretz et al. 2009) in the analysis plan: a graph within a
//! family (`multiplicity.graphical`) and the cross-family graph (`analysis.graphical`).

use super::checker::Checker;
use super::plan::default_families;
use crate::scenario::spec::*;
use crate::scenario::types::{CrossGraph, Family, family_hypotheses};
use crate::stats::graphical::{Graph, GraphError};

/// A validated graph of `m` hypotheses (`what` names them in messages); `None` when invalid.
pub(super) fn resolve_graph(
    ck: &mut Checker,
    path: &str,
    g: &GraphSpec,
    m: usize,
    what: &str,
) -> Option<Graph> {
    if g.weights.len() != m {
        ck.err(
            format!("{path}.weights"),
            format!(
                "has {} weights for {m} hypotheses ({what}); give one weight per hypothesis",
                g.weights.len()
            ),
        );
        return None;
    }
    match Graph::new(g.weights.clone(), g.transitions.clone()) {
        Ok(graph) => Some(graph),
        Err(e) => {
            let field = match e {
                GraphError::Weight { .. } | GraphError::WeightSum { .. } => "weights",
                _ => "transitions",
            };
            ck.err(
                format!("{path}.{field}"),
                format!("{e} (Bretz et al. 2009: weights in [0, 1] summing to at most 1; transition rows in [0, 1], diagonal 0, summing to at most 1)"),
            );
            None
        }
    }
}

/// The analysis-level graph across families (`analysis.graphical`), whose nodes name hypotheses
/// as `family:hypothesis`. Every hypothesis of a family with a node must be a node, and such a
/// family must not carry its own multiplicity, alpha or gate (the graph decides it).
pub(super) fn resolve_cross_graph(
    ck: &mut Checker,
    spec: &ScenarioSpec,
    families: &[Family],
    region_names: &[String],
) -> Option<CrossGraph> {
    let g = spec.analysis.graphical.as_ref()?;
    let p = "analysis.graphical";
    if !ck.problems.is_empty() {
        // Family indices are only meaningful once every family resolved.
        return None;
    }
    let n_before = ck.problems.len();
    let family_specs = if spec.analysis.families.is_empty() {
        default_families(spec)
    } else {
        spec.analysis.families.clone()
    };
    let change = format!("{}_change", spec.symptoms.scale.to_lowercase());
    let names: Vec<Vec<String>> = families
        .iter()
        .map(|f| family_hypotheses(f, &change, &spec.design.visits, region_names))
        .collect();
    let mut nodes = Vec::new();
    for (k, label) in g.hypotheses.iter().enumerate() {
        let found = label.split_once(':').and_then(|(fam, h)| {
            let fi = families.iter().position(|f| f.name == fam)?;
            let hi = names[fi].iter().position(|n| n == h)?;
            Some((fi, hi))
        });
        match found {
            Some(node) if nodes.contains(&node) => ck.err(
                format!("{p}.hypotheses[{k}]"),
                format!("'{label}' is listed twice"),
            ),
            Some(node) => nodes.push(node),
            None => {
                let all: Vec<String> = families
                    .iter()
                    .zip(&names)
                    .filter(|(f, _)| f.kind != FamilyKind::Prediction)
                    .flat_map(|(f, hs)| hs.iter().map(move |h| format!("{}:{h}", f.name)))
                    .collect();
                ck.err(
                    format!("{p}.hypotheses[{k}]"),
                    format!(
                        "'{label}' is not a hypothesis of the plan; name them family:hypothesis, one of: {}",
                        all.join(", ")
                    ),
                );
            }
        }
    }
    let mut members: Vec<usize> = nodes.iter().map(|&(f, _)| f).collect();
    members.sort();
    members.dedup();
    for &fi in &members {
        let f = &families[fi];
        let fp = format!("analysis.families[{fi}]");
        if f.kind == FamilyKind::Prediction {
            ck.err(
                format!("{p}.hypotheses"),
                format!(
                    "prediction family '{}' has models, not hypotheses to test",
                    f.name
                ),
            );
            continue;
        }
        for (hi, h) in names[fi].iter().enumerate() {
            if !nodes.contains(&(fi, hi)) {
                ck.err(
                    format!("{p}.hypotheses"),
                    format!(
                        "'{}:{h}' is missing: a family in the graph has every hypothesis in it",
                        f.name
                    ),
                );
            }
        }
        let fs = family_specs.iter().find(|s| s.name == f.name);
        if fs.is_some_and(|s| {
            s.multiplicity != MultiplicitySpec::default()
                && s.multiplicity != Multiplicity::None.into()
        }) {
            ck.err(
                format!("{fp}.multiplicity"),
                format!(
                    "family '{}' is decided by analysis.graphical; remove its multiplicity",
                    f.name
                ),
            );
        }
        if f.alpha.is_some() {
            ck.err(format!("{fp}.alpha"), format!("family '{}' is tested at analysis.alpha by analysis.graphical; remove its alpha (give weights instead)", f.name));
        }
        if f.gate.is_some() {
            ck.err(format!("{fp}.gate"), format!("family '{}' is decided by analysis.graphical; express the gate as graph weights and transitions", f.name));
        }
    }
    // A family gated on a member must come after every member (the graph decides after the last).
    if let Some(&last) = members.last() {
        for (fi, f) in families.iter().enumerate() {
            if let Some(gi) = f.gate
                && members.contains(&gi)
                && fi < last
            {
                ck.err(
                    format!("analysis.families[{fi}].gate"),
                    format!("gates on '{}', which analysis.graphical decides after family '{}': list this family after it", families[gi].name, families[last].name),
                );
            }
        }
    }
    if ck.problems.len() > n_before {
        return None;
    }
    let graph = resolve_graph(
        ck,
        p,
        &GraphSpec {
            weights: g.weights.clone(),
            transitions: g.transitions.clone(),
        },
        nodes.len(),
        "analysis.graphical.hypotheses",
    )?;
    Some(CrossGraph { graph, nodes })
}
