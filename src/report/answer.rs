//! "The answer", the first section of the report: the primary endpoint's sentence and, per family
//! headline figure, the power at the planned size, the sample size needed for the target and the
//! expected exaggeration of significant estimates.

use super::html::{ReportData, esc, find, fmt_ci};
use crate::montecarlo::Row;
use crate::montecarlo::search::SampleSize;
use crate::scenario::{FamilyKind, Scenario};
use std::fmt::Write;

/// The sample-size answer of one search in words (HTML).
fn size_cell(ss: &SampleSize) -> String {
    match (&ss.n, &ss.at_n) {
        (Some(n), at) => {
            let groups = at
                .as_ref()
                .map(|r| format!(" ({} controls, {} patients)", r.n_controls, r.n_patients))
                .unwrap_or_default();
            let range = match (ss.n_low, ss.n_high) {
                (Some(a), Some(b)) => format!("; MC range {a}\u{2013}{b}"),
                (Some(a), None) => format!("; MC range {a} to more than {}", ss.range.1),
                _ => String::new(),
            };
            match ss.grow {
                crate::scenario::Grow::All => format!("N = <b>{n}</b>{groups}{range}"),
                g => format!(
                    "<b>{n}</b> {} ({}){}",
                    g.counts(),
                    esc(&ss.groups_note()),
                    range
                ),
            }
        }
        (None, _) => format!("not reached by N = {}", ss.range.1),
    }
}

/// Type M (mean exaggeration of significant estimates) for a hypothesis, or the range over a
/// family's hypotheses for `any`/`all`.
fn type_m_cell(s: &Scenario, rows: &[Row], fam: &str, hyp: &str) -> String {
    if let Some(r) = find(rows, fam, hyp, "type_m") {
        return if r.value.is_finite() {
            format!("{:.2}", r.value)
        } else {
            "\u{2013} (no significant trial)".into()
        };
    }
    let Some(f) = s.families.iter().find(|f| f.name == fam) else {
        return "\u{2013}".into();
    };
    let ms: Vec<(String, f64)> = s
        .hypotheses(f)
        .into_iter()
        .filter_map(|h| {
            find(rows, fam, &h, "type_m")
                .filter(|r| r.value.is_finite())
                .map(|r| (h.clone(), r.value))
        })
        .collect();
    match ms.len() {
        0 => "\u{2013} (no true effect)".into(),
        1 => format!("{:.2} ({})", ms[0].1, esc(&ms[0].0)),
        _ => {
            let lo = ms.iter().map(|m| m.1).fold(f64::INFINITY, f64::min);
            let (hn, hi) = ms
                .iter()
                .fold((String::new(), f64::NEG_INFINITY), |acc, m| {
                    if m.1 > acc.1 { (m.0.clone(), m.1) } else { acc }
                });
            format!(
                "{lo:.2}\u{2013}{hi:.2} over {} hypotheses with an effect (largest: {})",
                ms.len(),
                esc(&hn)
            )
        }
    }
}

/// The headline figures of each family: `any` power, or each endpoint of a clinical family.
pub fn headline_criteria(s: &Scenario) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in &s.families {
        match f.kind {
            FamilyKind::Prediction => {}
            FamilyKind::Clinical => {
                for h in s.hypotheses(f) {
                    out.push((f.name.clone(), h));
                }
            }
            _ => out.push((f.name.clone(), "any".into())),
        }
    }
    out
}

/// The summary section: the answer first.
pub(super) fn summary(o: &mut String, d: &ReportData, target: Option<f64>) {
    let s = d.scenario;
    let r0 = d.own.first();
    let own_n = r0.map_or(0, |r| r.n_total);
    let _ = writeln!(
        o,
        "<section id=\"summary\" class=\"top first\">\n<h2>The answer</h2>"
    );
    let primary = d.sample_size.map(|ss| &ss.criterion);
    if let (Some(ss), Some(c)) = (d.sample_size, primary) {
        let at = find(d.own, &c.family, &c.hypothesis, c.metric.as_str());
        let _ = writeln!(
            o,
            "<p class=\"answer\">Primary endpoint <b>{}: {}</b>: at the planned N = {own_n}, {} = {}. \
             To reach {} {} {}, the study needs {}.</p>",
            esc(&c.family),
            esc(&c.hypothesis),
            esc(c.metric.as_str()),
            at.map_or("\u{2013}".into(), |r| fmt_ci(r).replacen(
                " (",
                " (95 % Monte Carlo interval ",
                1
            )),
            esc(c.metric.as_str()),
            if c.at_most() { "\u{2264}" } else { "\u{2265}" },
            ss.target,
            size_cell(ss)
        );
    }
    let target_txt = target.map_or("the target".to_string(), |t| format!("{t}"));
    let _ = writeln!(
        o,
        "<table class=\"summary\"><thead><tr><th>What is tested</th><th>Power at the planned N = {own_n}{} (95 % MC interval)</th>\
         <th>N needed for power \u{2265} {target_txt}</th><th>Exaggeration of significant estimates (type M)</th></tr></thead><tbody>",
        r0.map_or(String::new(), |r| format!(
            " ({} controls, {} patients)",
            r.n_controls, r.n_patients
        ))
    );
    let mut lines: Vec<(String, String, String, bool)> = Vec::new();
    if let Some(c) = primary {
        lines.push((
            c.family.clone(),
            c.hypothesis.clone(),
            c.metric.to_string(),
            true,
        ));
    }
    for (f, h) in headline_criteria(s) {
        if !lines.iter().any(|l| l.0 == f && l.1 == h && l.2 == "power") {
            lines.push((f, h, "power".into(), false));
        }
    }
    for (f, h, m, is_primary) in &lines {
        let power = find(d.own, f, h, m).map_or("\u{2013}".into(), |r| {
            let v = fmt_ci(r);
            if m == "power" { v } else { format!("{m} {v}") }
        });
        let size = if *is_primary {
            d.sample_size.map_or("not searched".into(), size_cell)
        } else {
            let key = format!("{f}:{h}");
            match d.family_sizes.iter().find(|x| x.0 == key) {
                Some((_, Ok(ss))) => size_cell(ss),
                Some((_, Err(e))) => format!("not searched: {}", esc(e)),
                None => "not searched".into(),
            }
        };
        let what = if h == "any" {
            format!("{}: any of its hypotheses", esc(f))
        } else {
            format!("{}: {}", esc(f), esc(h))
        };
        let _ = writeln!(
            o,
            "<tr{}><td>{what}{}</td><td>{power}</td><td>{size}</td><td>{}</td></tr>",
            if *is_primary {
                " class=\"primary\""
            } else {
                ""
            },
            if *is_primary { " (primary)" } else { "" },
            type_m_cell(s, d.own, f, h)
        );
    }
    let _ = writeln!(o, "</tbody></table>");
    let pred: Vec<_> = s
        .families
        .iter()
        .filter(|f| f.prediction.is_some())
        .collect();
    if !pred.is_empty() {
        let _ = writeln!(
            o,
            "<table class=\"summary\"><thead><tr><th>Prediction model</th><th>Cross-validated AUC at N = {own_n} (95 % MC interval)</th>\
             <th>AUC of the fitted model in the population</th><th>Best AUC the features allow</th></tr></thead><tbody>"
        );
        for f in pred {
            for h in s.hypotheses(f) {
                let cell = |m: &str| find(d.own, &f.name, &h, m).map_or("\u{2013}".into(), fmt_ci);
                let _ = writeln!(
                    o,
                    "<tr><td>{}: {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&f.name),
                    esc(&h),
                    cell("auc_cv"),
                    cell("auc_true"),
                    cell("auc_optimal")
                );
            }
        }
        let _ = writeln!(o, "</tbody></table>");
    }
    let _ = writeln!(
        o,
        "<p class=\"note\">{} simulated trials per sample size. MC interval: 95 % Monte Carlo interval of the estimate \
         (Wilson). MC range: the sizes consistent with Monte Carlo error (the smallest N whose upper bound reaches the target \
         to the smallest whose lower bound does). Type M: how many times larger than the true effect a significant estimate \
         is on average; 1 means no exaggeration. Power of \u{201c}any\u{201d}: at least one hypothesis of the family \
         rejected after its multiplicity adjustment.</p>\n</section>",
        d.reps
    );
}
