//! What-if grids ([`crate::study::PowerRun::vary`]): the tidy table with one extra column per
//! varied parameter (placed first), the terminal tables and the plot against the parameter.
//!
//! Runs without a grid never come here, so their files are unchanged.

use super::plot::{Curve, PlotSpec};
use super::{csv_num, results};
use crate::montecarlo::Row;
use crate::study::PowerResult;
use serde_json::{Value, json};
use std::fmt::Write;

/// The grid's columns: each varied parameter's name and its value on every row of the table.
pub fn columns(r: &PowerResult) -> Vec<(String, Vec<f64>)> {
    let Some(first) = r.grid.first() else {
        return Vec::new();
    };
    first
        .values
        .iter()
        .enumerate()
        .map(|(j, (name, _))| {
            let mut v = vec![f64::NAN; r.table.rows.len()];
            for p in &r.grid {
                for i in p.rows.clone() {
                    v[i] = p.values[j].1;
                }
            }
            (name.clone(), v)
        })
        .collect()
}

/// The rows as CSV with the grid's columns first.
pub fn to_csv(rows: &[Row], columns: &[(String, Vec<f64>)]) -> String {
    let plain = results::to_csv(rows);
    let mut o = String::new();
    for (i, line) in plain.lines().enumerate() {
        for (name, values) in columns {
            if i == 0 {
                o.push_str(name);
            } else {
                o.push_str(&csv_num(values[i - 1]));
            }
            o.push(',');
        }
        o.push_str(line);
        o.push('\n');
    }
    o
}

/// The rows as JSON objects with the grid's columns first.
pub fn rows_json(rows: &[Row], columns: &[(String, Vec<f64>)]) -> Value {
    let Value::Array(items) = results::rows_json(rows) else {
        unreachable!("rows_json gives an array")
    };
    Value::Array(
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let mut m = serde_json::Map::new();
                for (name, values) in columns {
                    m.insert(name.clone(), json!(values[i]));
                }
                if let Value::Object(rest) = item {
                    m.extend(rest);
                }
                Value::Object(m)
            })
            .collect(),
    )
}

/// The `vary` section of the metadata: the parameters and, per point, its values and truths.
pub fn meta(r: &PowerResult) -> Value {
    let params: Vec<&str> = r
        .grid
        .first()
        .map(|p| p.values.iter().map(|(n, _)| n.as_str()).collect())
        .unwrap_or_default();
    let points: Vec<Value> = r
        .grid
        .iter()
        .map(|p| {
            let values: serde_json::Map<String, Value> = p
                .values
                .iter()
                .map(|(n, v)| (n.clone(), json!(v)))
                .collect();
            json!({"values": values,
                   "truths": results::truths_json(p.study.scenario(), &p.truths)})
        })
        .collect();
    json!({"parameters": params, "seed_per_point": r.seed,
           "note": "every point simulated with the same seed (common random numbers); the scenario above is the base",
           "points": points})
}

/// The terminal tables of a grid: one per family, one line per (point, N), the family's
/// headline figures (`any` power; each clinical endpoint; each model's mean CV and true AUC).
pub fn summary(r: &PowerResult) -> String {
    let s = r.study.scenario();
    let rows = &r.table.rows;
    let mut o = String::new();
    let Some(first) = r.grid.first() else {
        return results::summary(s, rows, r.reps);
    };
    let names: Vec<&str> = first.values.iter().map(|(n, _)| n.as_str()).collect();
    let _ = writeln!(
        o,
        "{}: what-if grid over {} ({} trials per point and N, the same seed at every point; ± is the Monte Carlo SE)",
        s.spec.name,
        names.join(" x "),
        r.reps
    );
    // Long paths are shown by their last segment, with a legend.
    let short: Vec<String> = names
        .iter()
        .map(|n| n.rsplit('.').next().unwrap_or(n).to_string())
        .collect();
    for (n, sh) in names.iter().zip(&short) {
        if n != sh {
            let _ = writeln!(o, "  {sh} = {n}");
        }
    }
    let widths: Vec<usize> = short.iter().map(|s| s.len().max(8)).collect();
    let selection = results::default_selection(s);
    for f in &s.families {
        let cols: Vec<&(String, String, String)> =
            selection.iter().filter(|c| c.0 == f.name).collect();
        if cols.is_empty() {
            continue;
        }
        let _ = writeln!(o, "\n{}:", f.name);
        let mut head = String::from(" ");
        for (sh, w) in short.iter().zip(&widths) {
            let _ = write!(head, " {sh:>w$}");
        }
        let _ = write!(head, " {:>6}", "N");
        for (_, h, m) in &cols {
            let label = if m == "power" {
                h.clone()
            } else {
                format!("{h} {m}")
            };
            let _ = write!(head, " {label:>18}");
        }
        let _ = writeln!(o, "{head}");
        for p in &r.grid {
            let prow = &rows[p.rows.clone()];
            for n in sizes(prow) {
                let mut line = String::from(" ");
                for ((_, v), w) in p.values.iter().zip(&widths) {
                    let _ = write!(line, " {:>w$}", format!("{v}"));
                }
                let _ = write!(line, " {n:>6}");
                for (fam, h, m) in &cols {
                    let cell = prow
                        .iter()
                        .find(|x| {
                            x.n_total == n
                                && &x.family == fam
                                && &x.hypothesis == h
                                && x.metric == m.as_str()
                        })
                        .map(|x| results::fmt_pm(x.value, x.mc_se))
                        .unwrap_or_else(|| "-".into());
                    let _ = write!(line, " {cell:>18}");
                }
                let _ = writeln!(o, "{line}");
            }
        }
    }
    o
}

fn sizes(rows: &[Row]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for r in rows {
        if !out.contains(&r.n_total) {
            out.push(r.n_total);
        }
    }
    out
}

/// Power against the first varied parameter, one curve per N (and per value of any further
/// parameter), for one FAMILY:HYPOTHESIS (default: the first family's headline figure).
pub fn plot(r: &PowerResult, chosen: Option<(&str, &str)>) -> Result<String, String> {
    let s = r.study.scenario();
    let Some(first) = r.grid.first() else {
        return Err("not a what-if grid".into());
    };
    let (fam, hyp) = match chosen {
        Some((f, h)) => (f.to_string(), h.to_string()),
        None => results::default_selection(s)
            .into_iter()
            .find(|c| c.2 == "power")
            .map(|c| (c.0, c.1))
            .ok_or("no power figure to plot")?,
    };
    let param = first.values[0].0.clone();
    let mut curves: Vec<Curve> = Vec::new();
    for p in &r.grid {
        let x = p.values[0].1;
        let others: Vec<String> = p.values[1..]
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        for row in &r.table.rows[p.rows.clone()] {
            if row.family != fam || row.hypothesis != hyp || row.metric != "power" {
                continue;
            }
            let mut label = format!("N = {}", row.n_total);
            if !others.is_empty() {
                label = format!("{label}, {}", others.join(", "));
            }
            let point = (x, row.value, row.ci_low, row.ci_high);
            match curves.iter_mut().find(|c| c.label == label) {
                Some(c) => c.points.push(point),
                None => curves.push(Curve {
                    label,
                    points: vec![point],
                }),
            }
        }
    }
    if curves.is_empty() {
        return Err(format!("no power figure for {fam}:{hyp} in the results"));
    }
    for c in &mut curves {
        c.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let spec = PlotSpec {
        title: format!("{}: power of {fam}:{hyp} against {param}", s.spec.name),
        x_label: param,
        y_label: format!(
            "Power (alpha {}; bands: 95 % Monte Carlo intervals)",
            s.alpha
        ),
        y_range: (0.0, 1.0),
        target: None,
        mark: None,
        legend_top: false,
        desc: format!(
            "trialsim {}; scenario {}; seed {} at every point; generator {}",
            env!("CARGO_PKG_VERSION"),
            s.spec.name,
            r.seed,
            crate::rng::GENERATOR
        ),
    };
    super::plot::svg(&spec, &curves)
}
