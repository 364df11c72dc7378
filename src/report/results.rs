//! Result tables of `power` and `sample-size`: CSV, JSON and the terminal summary.
//!
//! CSV and JSON hold the same tidy table, one row per (n_total, family, hypothesis, metric).

use super::{RunInfo, csv_field, csv_num};
use crate::montecarlo::Row;
use crate::montecarlo::search::SampleSize;
use crate::montecarlo::truth::Truths;
use crate::scenario::Scenario;
use serde_json::{Value, json};
use std::fmt::Write;

/// Column names of the tidy table.
pub const COLUMNS: [&str; 11] = [
    "n_total",
    "n_controls",
    "n_patients",
    "family",
    "hypothesis",
    "metric",
    "value",
    "mc_se",
    "ci_low",
    "ci_high",
    "reps",
];

/// The rows as CSV (missing numbers are empty cells).
pub fn to_csv(rows: &[Row]) -> String {
    let mut o = COLUMNS.join(",");
    o.push('\n');
    for r in rows {
        let _ = writeln!(
            o,
            "{},{},{},{},{},{},{},{},{},{},{}",
            r.n_total,
            r.n_controls,
            r.n_patients,
            csv_field(&r.family),
            csv_field(&r.hypothesis),
            r.metric,
            csv_num(r.value),
            csv_num(r.mc_se),
            csv_num(r.ci_low),
            csv_num(r.ci_high),
            r.reps
        );
    }
    o
}

/// Truth table for the metadata: one entry per hypothesis.
pub fn truths_json(s: &Scenario, truths: &Truths) -> Value {
    let mut out = Vec::new();
    for ((f, ts), pt) in s
        .families
        .iter()
        .zip(&truths.hypotheses)
        .zip(&truths.prediction)
    {
        if f.prediction.is_some() {
            for h in s.hypotheses(f) {
                out.push(
                    json!({"family": f.name, "hypothesis": h, "metric": "auc_optimal",
                                "value": num(pt.auc_optimal), "se": num(pt.auc_optimal_se),
                                "holdout_n": pt.holdout_n,
                                "source": "population_sample_logistic_fit"}),
                );
            }
            continue;
        }
        for (h, t) in s.hypotheses(f).iter().zip(ts) {
            out.push(
                json!({"family": f.name, "hypothesis": h, "value": num(t.value),
                            "se": num(t.se), "is_null": t.is_null, "source": t.source}),
            );
        }
    }
    Value::Array(out)
}

fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// Rows as JSON values (NaN as null).
pub fn rows_json(rows: &[Row]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                json!({"n_total": r.n_total, "n_controls": r.n_controls, "n_patients": r.n_patients,
                       "family": r.family, "hypothesis": r.hypothesis, "metric": r.metric,
                       "value": num(r.value), "mc_se": num(r.mc_se), "ci_low": num(r.ci_low),
                       "ci_high": num(r.ci_high), "reps": r.reps})
            })
            .collect(),
    )
}

/// Metadata of a run: tool, version, seed, generator, replicates, resolved scenario, truths.
pub fn metadata(
    s: &Scenario,
    info: &RunInfo,
    reps: u64,
    truths: &Truths,
    wall_seconds: Option<f64>,
) -> Value {
    let mut run = serde_json::to_value(info).expect("plain struct");
    run["reps"] = json!(reps);
    if let Some(t) = wall_seconds {
        run["wall_seconds"] = json!((t * 1000.0).round() / 1000.0);
    }
    json!({"run": run, "scenario": s.spec, "truths": truths_json(s, truths)})
}

/// The full JSON document of a `power` run.
pub fn power_json(meta: Value, rows: &[Row]) -> String {
    let mut doc = meta;
    doc["rows"] = rows_json(rows);
    serde_json::to_string_pretty(&doc).expect("JSON of plain values") + "\n"
}

/// The full JSON document of a `sample-size` run.
pub fn sample_size_json(meta: Value, ss: &SampleSize) -> String {
    let mut doc = meta;
    let rows: Vec<Row> = ss.evaluated.values().flatten().cloned().collect();
    doc["sample_size"] = json!({
        "criterion": format!("{}:{}:{}", ss.criterion.family, ss.criterion.hypothesis, ss.criterion.metric),
        "target": ss.target,
        "reached": ss.n.is_some(),
        "grow": ss.grow,
        "held": ss.held,
        "n": ss.n,
        "n_low": ss.n_low,
        "n_high": ss.n_high,
        "n_total": ss.total_at(ss.n),
        "n_total_low": ss.total_at(ss.n_low),
        "n_total_high": ss.total_at(ss.n_high),
        "searched": [ss.range.0, ss.range.1],
        "at_n": ss.at_n.as_ref().map(|r| rows_json(std::slice::from_ref(r))[0].clone()),
    });
    doc["rows"] = rows_json(&rows);
    serde_json::to_string_pretty(&doc).expect("JSON of plain values") + "\n"
}

/// Decimals that a figure with this Monte Carlo SE supports (1 to 4).
pub fn decimals_for(se: f64) -> usize {
    if !(se > 0.0) {
        return 3;
    }
    ((-(2.0 * se).log10()).ceil() as i64).clamp(1, 4) as usize
}

/// `value ± se` rounded to what the SE supports.
pub fn fmt_pm(value: f64, se: f64) -> String {
    if value.is_nan() {
        return "-".into();
    }
    let d = decimals_for(se);
    format!("{value:.d$} ± {se:.d$}")
}

/// Rows by (N, family, hypothesis, metric): a linear search per cell made the summary quadratic in
/// the number of rows (half the run time of a 1,000-region scenario).
struct RowIndex<'a>(std::collections::HashMap<(usize, &'a str, &'a str, &'a str), &'a Row>);

impl<'a> RowIndex<'a> {
    fn new(rows: &'a [Row]) -> Self {
        let mut m = std::collections::HashMap::with_capacity(rows.len());
        for r in rows {
            // The first row of a key wins, as with the linear search it replaces.
            m.entry((
                r.n_total,
                r.family.as_str(),
                r.hypothesis.as_str(),
                r.metric.as_str(),
            ))
            .or_insert(r);
        }
        RowIndex(m)
    }
    fn find(&self, n: usize, fam: &str, hyp: &str, metric: &str) -> Option<&'a Row> {
        self.0.get(&(n, fam, hyp, metric)).copied()
    }
}

/// Provenance line of a plot: tool, version, scenario, seed, generator.
fn provenance(s: &Scenario, seed: u64) -> String {
    format!(
        "trialsim {}; scenario {}; seed {seed}; generator {}",
        env!("CARGO_PKG_VERSION"),
        s.spec.name,
        crate::rng::GENERATOR
    )
}

/// The figures shown across N by default: for each family its `any` power (clinical families:
/// each endpoint), for prediction families each model's mean cross-validated and true AUC.
pub fn default_selection(s: &Scenario) -> Vec<(String, String, String)> {
    let mut cols = Vec::new();
    for f in &s.families {
        match f.kind {
            crate::scenario::FamilyKind::Prediction => {
                for h in s.hypotheses(f) {
                    cols.push((f.name.clone(), h.clone(), "auc_cv".to_string()));
                    cols.push((f.name.clone(), h, "auc_true".to_string()));
                }
            }
            crate::scenario::FamilyKind::Clinical => {
                for h in s.hypotheses(f) {
                    cols.push((f.name.clone(), h, "power".to_string()));
                }
            }
            _ => cols.push((f.name.clone(), "any".into(), "power".to_string())),
        }
    }
    cols
}

/// Power curves against total N (the default selection's power figures, or `chosen`
/// FAMILY:HYPOTHESIS pairs), with an optional target line and marked N.
pub fn power_plot(
    s: &Scenario,
    seed: u64,
    rows: &[Row],
    chosen: &[(String, String)],
    target: Option<f64>,
    mark: Option<usize>,
) -> Result<String, String> {
    let wanted: Vec<(String, String, String)> = if chosen.is_empty() {
        default_selection(s)
            .into_iter()
            .filter(|w| w.2 == "power")
            .collect()
    } else {
        chosen
            .iter()
            .map(|(f, h)| (f.clone(), h.clone(), "power".to_string()))
            .collect()
    };
    let mut ns: Vec<usize> = rows.iter().map(|r| r.n_total).collect();
    ns.sort_unstable();
    ns.dedup();
    if let [n] = ns[..] {
        // One size: a dot and its interval per hypothesis; a curve needs a grid of N.
        let dots: Vec<super::plot::Dot> = wanted
            .iter()
            .filter_map(|(f, h, m)| {
                rows.iter()
                    .find(|r| &r.family == f && &r.hypothesis == h && &r.metric == m)
                    .map(|r| super::plot::Dot {
                        label: format!("{f}: {h}"),
                        value: r.value,
                        low: r.ci_low,
                        high: r.ci_high,
                    })
            })
            .collect();
        if dots.is_empty() {
            return Err("no power figures to plot for the chosen hypotheses".into());
        }
        let r0 = &rows[0];
        return Ok(super::plot::dots_svg(
            &format!(
                "{}: power at N = {n} ({} controls, {} patients)",
                s.spec.name, r0.n_controls, r0.n_patients
            ),
            &format!(
                "Power (alpha {}); bars: 95 % Monte Carlo intervals",
                s.alpha
            ),
            target,
            &dots,
            &provenance(s, seed),
        ));
    }
    let curves = super::plot::curves_from_rows(rows, &wanted);
    if curves.is_empty() {
        return Err("no power figures to plot for the chosen hypotheses".into());
    }
    let spec = super::plot::PlotSpec {
        title: format!("{}: power by sample size", s.spec.name),
        x_label: "Total enrolled N (controls + patients)".into(),
        y_label: format!("Power (alpha {})", s.alpha),
        y_range: (0.0, 1.0),
        target,
        mark: mark.map(|n| (n as f64, format!("N = {n}"))),
        legend_top: false,
        desc: provenance(s, seed),
    };
    super::plot::svg(&spec, &curves)
}

/// The sample-size search's criterion at every N it evaluated (points with their 95 % Monte Carlo
/// intervals, no line between them), the target, the chosen N and the range of N consistent with
/// Monte Carlo error.
pub fn criterion_plot(s: &Scenario, seed: u64, ss: &SampleSize) -> Result<String, String> {
    let c = &ss.criterion;
    let mut points: Vec<(f64, f64, f64, f64)> = ss
        .evaluated
        .values()
        .flatten()
        .filter(|r| r.family == c.family && r.hypothesis == c.hypothesis && r.metric == c.metric)
        .map(|r| (r.n_total as f64, r.value, r.ci_low, r.ci_high))
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    if points.is_empty() {
        return Err("the search evaluated no sample size".into());
    }
    let target = ss.target;
    let y_max = points
        .iter()
        .map(|p| p.3)
        .filter(|v| v.is_finite())
        .fold(target, f64::max);
    // The axis counts everybody enrolled; a search that grew one group counts that group.
    let total = |n: Option<usize>| ss.total_at(n).or(n);
    let mc_range = match (total(ss.n_low), total(ss.n_high)) {
        (Some(a), Some(b)) => Some((a as f64, b as f64)),
        (Some(a), None) => Some((
            a as f64,
            total(Some(ss.range.1)).unwrap_or(ss.range.1) as f64,
        )),
        _ => None,
    };
    let spec = super::plot::PlotSpec {
        title: format!(
            "{}: sample size for {}:{}:{}",
            s.spec.name, c.family, c.hypothesis, c.metric
        ),
        x_label: "Total enrolled N (controls + patients)".into(),
        y_label: c.metric.to_string(),
        y_range: (
            0.0,
            if c.metric == "power" || c.metric.as_str().starts_with("assurance") {
                1.0
            } else {
                y_max * 1.1
            },
        ),
        target: Some(target),
        mark: total(ss.n).map(|n| (n as f64, format!("chosen N = {n}"))),
        legend_top: false,
        desc: provenance(s, seed),
    };
    super::plot::search_svg(&spec, &points, mc_range)
}

/// Learning curves of the prediction families: mean cross-validated, true and optimal AUC by N.
pub fn learning_plot(s: &Scenario, seed: u64, rows: &[Row]) -> Result<String, String> {
    let mut wanted = Vec::new();
    for f in s.families.iter().filter(|f| f.prediction.is_some()) {
        let models = s.hypotheses(f);
        for h in &models {
            for m in ["auc_cv", "auc_true"] {
                wanted.push((f.name.clone(), h.clone(), m.to_string()));
            }
        }
        // The optimum belongs to the features, not to a model: one curve per family.
        if let Some(first) = models.first() {
            wanted.push((f.name.clone(), first.clone(), "auc_optimal".to_string()));
        }
    }
    let mut curves = super::plot::curves_from_rows(rows, &wanted);
    for c in curves.iter_mut() {
        if c.label.ends_with("auc_optimal") {
            c.label = "optimal AUC of the features".into();
        }
    }
    if curves.is_empty() {
        return Err(
            "the analysis plan has no prediction family to draw a learning curve for".into(),
        );
    }
    let spec = super::plot::PlotSpec {
        title: format!("{}: prediction accuracy by sample size", s.spec.name),
        x_label: "Total enrolled N (controls + patients)".into(),
        y_label: "AUC (mean over simulated trials)".into(),
        y_range: (0.4, 1.0),
        target: None,
        mark: None,
        legend_top: true,
        desc: provenance(s, seed),
    };
    super::plot::svg(&spec, &curves)
}

/// Widest line of the terminal tables that the grid layout aims for.
pub const TERMINAL_WIDTH: usize = 100;

/// Terminal summary of a power run: per family the family-wise figures, then per hypothesis power,
/// estimate, truth, bias, RMSE, exaggeration ratio (type M) and coverage with the estimate's unit.
/// With several N, power-curve tables instead (at most [`TERMINAL_WIDTH`] characters wide).
pub fn summary(s: &Scenario, rows: &[Row], reps: u64) -> String {
    let mut ns: Vec<usize> = rows.iter().map(|r| r.n_total).collect();
    ns.dedup();
    let index = RowIndex::new(rows);
    let mut o = String::new();
    if rows.is_empty() {
        return "no results: the analysis plan has no families\n".into();
    }
    if ns.len() > 1 {
        grid_tables(&mut o, s, rows, &ns, &index, reps);
        return o;
    }
    let n = ns[0];
    let r0 = &rows[0];
    let _ = writeln!(
        o,
        "{}: N = {} ({} controls, {} patients), {} simulated trials, alpha {}; ± is the Monte Carlo SE",
        s.spec.name, n, r0.n_controls, r0.n_patients, reps, s.alpha
    );
    for f in s.families.iter() {
        let _ = writeln!(o);
        let get = |h: &str, m: &str| index.find(n, &f.name, h, m);
        if !rows.iter().any(|r| r.family == f.name) {
            // A family skipped at this size (too few subjects): no empty table of dashes.
            let _ = writeln!(o, "{}: {}", f.name, s.family_label(f));
            let _ = writeln!(
                o,
                "  not run at this size (too few subjects; see the note below)"
            );
            continue;
        }
        if let Some(cfg) = &f.prediction {
            let _ = writeln!(
                o,
                "{}: {} (AUC target {} for assurance)",
                f.name,
                s.family_label(f),
                cfg.auc_target
            );
            let _ = writeln!(
                o,
                "  {:<12} {:>15} {:>15} {:>15} {:>15} {:>15} {:>13} {:>13}",
                "model",
                "AUC cv",
                "AUC apparent",
                "AUC true",
                "AUC optimal",
                "optimism",
                "P(cv>=t)",
                "P(true>=t)"
            );
            for h in s.hypotheses(f) {
                let cell = |m: &str| {
                    get(&h, m)
                        .map(|r| fmt_pm(r.value, r.mc_se))
                        .unwrap_or_else(|| "-".into())
                };
                let _ = writeln!(
                    o,
                    "  {:<12} {:>15} {:>15} {:>15} {:>15} {:>15} {:>13} {:>13}",
                    h,
                    cell("auc_cv"),
                    cell("auc_apparent"),
                    cell("auc_true"),
                    cell("auc_optimal"),
                    cell("optimism_auc"),
                    cell("assurance_auc_cv"),
                    cell("assurance_auc_true")
                );
            }
            continue;
        }
        let fig = |h: &str, m: &str| get(h, m).map(|r| fmt_pm(r.value, r.mc_se));
        let any = fig("any", "power").unwrap_or_default();
        let all = fig("all", "power").unwrap_or_else(|| "- (no true effects)".into());
        let fwer = fig("family", "fwer").unwrap_or_default();
        let fdr = fig("family", "fdr").unwrap_or_default();
        let _ = writeln!(o, "{}: {}", f.name, s.family_label(f));
        let _ = writeln!(
            o,
            "  power: any {any}   all {all}   FWER {fwer}   FDR {fdr}"
        );
        let hyps = s.hypotheses(f);
        let w = hyps.iter().map(|h| h.len()).max().unwrap_or(0).max(10);
        let _ = writeln!(
            o,
            "  {:<w$} {:>13} {:>9} {:>9} {:>9} {:>8} {:>6} {:>8}  unit",
            "hypothesis", "power", "truth", "mean est", "bias", "RMSE", "type M", "coverage"
        );
        for (i, h) in hyps.iter().enumerate() {
            let value = |m: &str| get(h, m).map(|r| r.value).unwrap_or(f64::NAN);
            let p = fig(h, "power").unwrap_or_default();
            let signed = |m: &str| dash(value(m), |v| format!("{v:+.4}"));
            let rmse = dash(value("rmse"), |v| format!("{v:.4}"));
            let type_m = dash(value("type_m"), |v| format!("{v:.2}"));
            let c = dash(value("coverage"), |v| format!("{v:.3}"));
            let _ = writeln!(
                o,
                "  {h:<w$} {p:>13} {:>9} {:>9} {:>9} {rmse:>8} {type_m:>6} {c:>8}  {}",
                signed("true_value"),
                signed("mean_estimate"),
                signed("bias"),
                s.hypothesis_unit(f, i)
            );
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "type M: mean exaggeration |estimate / truth| among significant estimates (1 = none)"
    );
    o
}

/// A number, or `-` when it is missing.
fn dash(v: f64, f: impl Fn(f64) -> String) -> String {
    if v.is_nan() { "-".into() } else { f(v) }
}

/// Power curves as tables: N down the side, the default selection's figures across, packed into
/// blocks no wider than [`TERMINAL_WIDTH`] (a column wider than that gets a block of its own).
/// Each column is headed by its family (at the family's first column in a block) and its
/// hypothesis.
fn grid_tables(
    o: &mut String,
    s: &Scenario,
    rows: &[Row],
    ns: &[usize],
    index: &RowIndex,
    reps: u64,
) {
    let _ = writeln!(
        o,
        "Power by total N ({reps} simulated trials per N; ± is the Monte Carlo SE)"
    );
    let _ = writeln!(
        o,
        "(any: power to reject at least one hypothesis of the family;"
    );
    let _ = writeln!(
        o,
        " AUC cv / AUC true: mean cross-validated / true AUC of a prediction model)"
    );
    let cols: Vec<(String, String, Vec<String>)> = default_selection(s)
        .into_iter()
        .map(|(f, h, m)| {
            let label = match m.as_str() {
                "power" => h.clone(),
                "auc_cv" => format!("{h} AUC cv"),
                "auc_true" => format!("{h} AUC true"),
                _ => format!("{h} {m}"),
            };
            let cells = ns
                .iter()
                .map(|&n| {
                    index
                        .find(n, &f, &h, &m)
                        .map(|r| fmt_pm(r.value, r.mc_se))
                        .unwrap_or_else(|| "-".into())
                })
                .collect();
            (f, label, cells)
        })
        .collect();
    let lead = format!("{:>7} {:>9} {:>9}", "N", "controls", "patients");
    let width = |k: usize, first_of_family: bool| {
        let (f, label, cells) = &cols[k];
        let fam = if first_of_family { f.len() } else { 0 };
        cells
            .iter()
            .map(|c| c.chars().count())
            .chain([label.len(), fam])
            .max()
            .unwrap_or(0)
    };
    let mut k = 0;
    while k < cols.len() {
        // Pack columns into this block while the line fits.
        let mut block: Vec<(usize, usize, bool)> = Vec::new();
        let mut used = lead.len();
        while k < cols.len() {
            let first = block.last().is_none_or(|&(j, _, _)| cols[j].0 != cols[k].0);
            let w = width(k, first);
            if !block.is_empty() && used + 2 + w > TERMINAL_WIDTH {
                break;
            }
            used += 2 + w;
            block.push((k, w, first));
            k += 1;
        }
        let _ = writeln!(o);
        let mut fam_line = " ".repeat(lead.len());
        let mut head = lead.clone();
        for &(j, w, first) in &block {
            let fam = if first { cols[j].0.as_str() } else { "" };
            let _ = write!(fam_line, "  {fam:>w$}");
            let _ = write!(head, "  {:>w$}", cols[j].1);
        }
        let _ = writeln!(o, "{}", fam_line.trim_end());
        let _ = writeln!(o, "{head}");
        for (i, &n) in ns.iter().enumerate() {
            let r0 = rows.iter().find(|r| r.n_total == n).expect("row for n");
            let _ = write!(o, "{:>7} {:>9} {:>9}", n, r0.n_controls, r0.n_patients);
            for &(j, w, _) in &block {
                let _ = write!(o, "  {:>w$}", cols[j].2[i]);
            }
            o.push('\n');
        }
    }
}
