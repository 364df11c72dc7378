//! One simulated cohort as a tidy CSV (one row per subject) or JSON.

use super::RunInfo;
use crate::model::Cohort;
use crate::scenario::{DesignKind, Scenario, Sizes};
use serde_json::{Value, json};

fn fmt_value(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x:.decimals$}")
    }
}

fn fmt_flag(x: Option<bool>) -> &'static str {
    match x {
        None => "",
        Some(true) => "1",
        Some(false) => "0",
    }
}

/// Column names of the cohort table.
pub fn columns(s: &Scenario, truth: bool) -> Vec<String> {
    let scale = s.symptoms.spec.scale.to_lowercase();
    let crossover = s.design_kind == DesignKind::Crossover;
    let mut cols: Vec<String> = ["id", "group", "arm"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    cols.extend(s.covariates.iter().map(|c| c.name.clone()));
    if !crossover {
        for v in &s.visits {
            cols.push(format!("{scale}_{v}"));
        }
        let nv = s.visits.len();
        for rule in ["responder", "remitter"] {
            if nv == 2 {
                cols.push(rule.to_string());
            } else {
                cols.extend(s.visits[1..].iter().map(|v| format!("{rule}_{v}")));
            }
        }
    }
    cols.push("dropped_out".into());
    let (first, second) = scan_labels(s);
    for r in &s.regions {
        cols.push(format!("{}_{first}", r.name));
        cols.push(format!("{}_{second}", r.name));
    }
    if truth {
        if !crossover {
            cols.push("late_responder".into());
            cols.push("improvement_true".into());
        }
        for r in &s.regions {
            cols.push(format!("{}_true_baseline", r.name));
            cols.push(format!(
                "{}_true_{}",
                r.name,
                if crossover { "effect" } else { "change" }
            ));
        }
    }
    cols
}

/// Labels of the two scans: the baseline and scan visits, or the two crossover periods.
fn scan_labels(s: &Scenario) -> (String, String) {
    if s.design_kind == DesignKind::Crossover {
        ("period1".into(), "period2".into())
    } else {
        (s.visits[0].clone(), s.visits[s.scan_visit].clone())
    }
}

/// Rows of the cohort table as strings (empty cell = missing). Biomarker values carry 6 decimals.
pub fn rows(s: &Scenario, c: &Cohort, truth: bool) -> Vec<Vec<String>> {
    let r = s.n_regions();
    let nv = s.visits.len();
    let crossover = s.design_kind == DesignKind::Crossover;
    let score_dec = if s.symptoms.spec.integer { 0 } else { 3 };
    (0..c.n_subjects())
        .map(|i| {
            let g = c.group_of(i);
            let arm = if g == 0 {
                String::new()
            } else if crossover {
                format!("{}-{}", s.arms[g - 1].name, s.arms[2 - g].name)
            } else {
                s.arms[g - 1].name.clone()
            };
            let mut row = vec![
                (i + 1).to_string(),
                if g == 0 { "control" } else { "patient" }.to_string(),
                arm,
            ];
            for j in 0..s.covariates.len() {
                row.push(fmt_value(c.covariates[i * c.n_covariates + j], 4));
            }
            if !crossover {
                for v in 0..nv {
                    row.push(fmt_value(c.score(i, v), score_dec));
                }
                for v in 1..nv {
                    row.push(
                        fmt_flag(if g == 0 { None } else { c.responder(s, i, v) }).to_string(),
                    );
                }
                for v in 1..nv {
                    row.push(fmt_flag(if g == 0 { None } else { c.remitter(s, i, v) }).to_string());
                }
            }
            row.push(if c.dropped[i] { "1" } else { "0" }.to_string());
            for j in 0..r {
                row.push(fmt_value(c.baseline[i * r + j], 6));
                row.push(fmt_value(c.followup[i * r + j], 6));
            }
            if truth {
                if !crossover {
                    row.push(if g == 0 {
                        String::new()
                    } else {
                        (c.late[i] as u8).to_string()
                    });
                    row.push(fmt_value(c.improvement[i], 6));
                }
                for j in 0..r {
                    row.push(fmt_value(c.true_baseline[i * r + j], 6));
                    row.push(fmt_value(c.true_change[i * r + j], 6));
                }
            }
            row
        })
        .collect()
}

/// The cohort as CSV text.
pub fn to_csv(s: &Scenario, c: &Cohort, truth: bool) -> String {
    let mut out = super::csv_line(&columns(s, truth));
    out.push('\n');
    for row in rows(s, c, truth) {
        out.push_str(&super::csv_line(&row));
        out.push('\n');
    }
    out
}

/// Metadata recorded beside a cohort: seed, generator, version, sizes, resolved scenario.
pub fn metadata(s: &Scenario, sizes: &Sizes, info: &RunInfo) -> Value {
    json!({
        "run": info,
        "sizes": sizes,
        "scenario": s.spec,
    })
}

/// The cohort as JSON: metadata plus `subjects`, one object per subject (missing values are null).
pub fn to_json(s: &Scenario, c: &Cohort, sizes: &Sizes, info: &RunInfo, truth: bool) -> String {
    let cols = columns(s, truth);
    let subjects: Vec<Value> = rows(s, c, truth)
        .into_iter()
        .map(|row| {
            let obj: serde_json::Map<String, Value> = cols
                .iter()
                .zip(row)
                .map(|(k, v)| {
                    let val = if v.is_empty() {
                        Value::Null
                    } else if k == "id" || k == "group" || k == "arm" {
                        Value::String(v)
                    } else {
                        serde_json::from_str(&v).unwrap_or(Value::String(v))
                    };
                    (k.clone(), val)
                })
                .collect();
            Value::Object(obj)
        })
        .collect();
    let mut meta = metadata(s, sizes, info);
    meta["subjects"] = Value::Array(subjects);
    let mut text = serde_json::to_string_pretty(&meta).expect("JSON of plain values");
    text.push('\n');
    text
}
