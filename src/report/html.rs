//! `trialsim report`: one self-contained HTML file that leads with the answer. First a short
//! summary (for the primary endpoint and each family: power at the planned size with its Monte
//! Carlo interval, the sample size needed for the target with its Monte Carlo range, and the
//! expected exaggeration of significant estimates), then the curves, then the details (the
//! sample-size search, the scenario in words, what it implies, the full tables, methods and
//! provenance). Tables are HTML tables; a print style sheet gives clean pages from print-to-PDF.
//! The page is well-formed XML as well as HTML, so tests can parse it. The figures are also
//! embedded as JSON (`<script type="application/json" id="trialsim-results">`).

use super::results::{decimals_for, fmt_pm};
use crate::montecarlo::Row;
use crate::montecarlo::search::SampleSize;
use crate::scenario::{FamilyKind, Scenario};
use serde_json::Value;
use std::fmt::Write;

/// Everything a report shows.
pub struct ReportData<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Metadata (run info, scenario, truths) as written to result files.
    pub meta: Value,
    /// Replicates per sample size.
    pub reps: u64,
    /// Rows at the scenario's own size.
    pub own: &'a [Row],
    /// Rows over the grid of N.
    pub grid: &'a [Row],
    /// The sample-size search for the primary criterion, if one was run.
    pub sample_size: Option<&'a SampleSize>,
    /// Sample-size searches for the other families' headline figures: the criterion
    /// (`FAMILY:HYPOTHESIS`) and the search, or why it could not run.
    pub family_sizes: Vec<(String, Result<SampleSize, String>)>,
    /// Text of `validate` (implied quantities).
    pub implied: String,
    /// Power-curve SVG.
    pub power_svg: Option<String>,
    /// SVG of the primary sample-size search's evaluated points.
    pub size_svg: Option<String>,
    /// Learning-curve SVG.
    pub learning_svg: Option<String>,
    /// The command that made the report.
    pub command: String,
}

/// Escape text for HTML (and XML).
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) fn find<'a>(rows: &'a [Row], fam: &str, hyp: &str, metric: &str) -> Option<&'a Row> {
    rows.iter()
        .find(|r| r.family == fam && r.hypothesis == hyp && r.metric == metric)
}

/// `value (low–high)`: an estimate with its 95 % Monte Carlo interval, rounded to what its SE
/// supports (the column header or sentence says what the parentheses hold).
pub fn fmt_ci(r: &Row) -> String {
    if r.value.is_nan() {
        return "\u{2013}".into();
    }
    let d = decimals_for(r.mc_se).max(2);
    if r.ci_low.is_finite() && r.ci_high.is_finite() {
        format!(
            "{:.d$} ({:.d$}\u{2013}{:.d$})",
            r.value, r.ci_low, r.ci_high
        )
    } else {
        fmt_pm(r.value, r.mc_se)
    }
}

/// A table with figures as rows and N as columns, split into tables of at most `per` sizes.
fn grid_tables(o: &mut String, d: &ReportData, per: usize) {
    let mut ns: Vec<usize> = d.grid.iter().map(|r| r.n_total).collect();
    ns.sort_unstable();
    ns.dedup();
    let cols = super::results::default_selection(d.scenario);
    for chunk in ns.chunks(per.max(1)) {
        let _ = write!(o, "<table><thead><tr><th>figure</th>");
        for n in chunk {
            let _ = write!(o, "<th>N = {n}</th>");
        }
        let _ = writeln!(o, "</tr></thead><tbody>");
        for (f, h, m) in &cols {
            let label = if m == "power" {
                format!("{f}: {h} power")
            } else {
                format!("{f}: {h} {m}")
            };
            let _ = write!(o, "<tr><td>{}</td>", esc(&label));
            for n in chunk {
                let v = d
                    .grid
                    .iter()
                    .find(|r| {
                        r.n_total == *n && &r.family == f && &r.hypothesis == h && &r.metric == m
                    })
                    .map_or("\u{2013}".into(), |r| fmt_pm(r.value, r.mc_se));
                let _ = write!(o, "<td>{v}</td>");
            }
            let _ = writeln!(o, "</tr>");
        }
        let _ = writeln!(o, "</tbody></table>");
    }
}

/// The report as HTML.
pub fn html(d: &ReportData) -> String {
    let s = d.scenario;
    let mut o = String::new();
    let title = format!("trialsim report: {}", s.spec.name);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><title>{}</title>\n<style>{}</style></head><body>\n<h1>{}</h1>\n<p>{}</p>\n",
        esc(&title),
        super::page::CSS,
        esc(&title),
        esc(&s.spec.description)
    );
    let own_n = d.own.first().map_or(0, |r| r.n_total);
    let target = d.sample_size.map(|ss| ss.target);

    // 1. The answer.
    super::answer::summary(&mut o, d, target);

    // 2. The curves.
    let _ = writeln!(
        o,
        "<section id=\"curve\" class=\"top\">\n<h2>Power by sample size</h2>"
    );
    if let Some(svg) = &d.power_svg {
        let _ = writeln!(
            o,
            "<figure>{svg}<figcaption>Power of each family's headline figure by total N; bands are 95 % Monte Carlo \
             intervals, the horizontal line the target, the vertical line the N chosen for the primary endpoint.</figcaption></figure>"
        );
    }
    if let Some(svg) = &d.size_svg {
        let _ = writeln!(
            o,
            "<figure>{svg}<figcaption>The sample-size search for the primary endpoint: only the sizes it simulated, \
             each with its 95 % Monte Carlo interval; the shaded band is the range of N consistent with Monte Carlo \
             error.</figcaption></figure>"
        );
    }
    if let Some(svg) = &d.learning_svg {
        let _ = writeln!(
            o,
            "<figure>{svg}<figcaption>Prediction accuracy by total N.</figcaption></figure>"
        );
    }
    let _ = writeln!(o, "</section>");

    // 3. The details.
    let _ = writeln!(
        o,
        "<section id=\"details\" class=\"top\">\n<h2>Details</h2>"
    );
    sample_size_section(&mut o, d);
    scenario_section(&mut o, s);
    let _ = writeln!(
        o,
        "<section id=\"implied\" class=\"detail\">\n<h3>What the scenario implies</h3>\n{}</section>",
        super::page::text_to_html(&d.implied)
    );
    power_section(&mut o, d, own_n);
    let _ = writeln!(
        o,
        "<section id=\"grid\" class=\"detail\">\n<h3>Power by sample size, in figures</h3>\
         <p>{} simulated trials per N; \u{b1} is the Monte Carlo standard error.</p>",
        d.reps
    );
    grid_tables(&mut o, d, 6);
    let _ = writeln!(o, "</section>");
    prediction_section(&mut o, d, own_n);
    let _ = writeln!(
        o,
        "<section id=\"methods\" class=\"detail\">\n<h3>Methods</h3>\n<p>{}</p>\n</section>",
        esc(&methods(d))
    );
    let run = &d.meta["run"];
    let _ = writeln!(
        o,
        "<section id=\"reproducibility\">\n<h3>Reproducibility</h3>\n<p>trialsim {}, seed {}, generator: {}. Command: <code>{}</code>. \
         The same command with the same version reproduces every figure exactly.</p>\n</section>\n</section>",
        esc(run["version"].as_str().unwrap_or("")),
        run["seed"],
        esc(run["generator"].as_str().unwrap_or("")),
        esc(&d.command)
    );
    let mut data = d.meta.clone();
    data["rows_own"] = super::results::rows_json(d.own);
    data["rows_grid"] = super::results::rows_json(d.grid);
    if let Some(ss) = d.sample_size {
        data["sample_size"] = serde_json::json!({"grow": ss.grow, "held": ss.held, "n": ss.n, "n_low": ss.n_low, "n_high": ss.n_high, "n_total": ss.total_at(ss.n), "n_total_low": ss.total_at(ss.n_low), "n_total_high": ss.total_at(ss.n_high), "target": ss.target});
    }
    // Escaped so that neither HTML nor XML sees markup in the data.
    let json = serde_json::to_string(&data)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let _ = writeln!(
        o,
        "<script type=\"application/json\" id=\"trialsim-results\">{json}</script>\n</body></html>"
    );
    o
}

fn sample_size_section(o: &mut String, d: &ReportData) {
    let _ = writeln!(o, "<section id=\"sample-size\">\n<h3>Sample size</h3>");
    match d.sample_size {
        Some(ss) => {
            let label = format!(
                "{}:{}:{}",
                ss.criterion.family, ss.criterion.hypothesis, ss.criterion.metric
            );
            match (&ss.n, &ss.at_n) {
                (Some(n), Some(r)) => {
                    let _ = writeln!(
                        o,
                        "<p>The smallest number of {} with {} \u{2265} {} is <b>{n}</b> ({}; <b>{}</b> enrolled: {} controls, {} patients), where it measured {} \
                         (95 % Monte Carlo interval {:.3}\u{2013}{:.3}, {} trials). {} consistent with Monte Carlo error: {} to {}.</p>",
                        ss.grow.counts(),
                        esc(&label),
                        ss.target,
                        esc(&ss.groups_note()),
                        r.n_total,
                        r.n_controls,
                        r.n_patients,
                        fmt_pm(r.value, r.mc_se),
                        r.ci_low,
                        r.ci_high,
                        r.reps,
                        ss.grow.counts(),
                        ss.n_low.map_or("\u{2013}".into(), |x| x.to_string()),
                        ss.n_high
                            .map_or(format!("more than {}", ss.range.1), |x| x.to_string())
                    );
                }
                _ => {
                    let _ = writeln!(
                        o,
                        "<p>The target {} \u{2265} {} is <b>not reached</b> up to N = {}.</p>",
                        esc(&label),
                        ss.target,
                        ss.range.1
                    );
                }
            }
        }
        None => {
            let _ = writeln!(o, "<p>No sample-size search was requested.</p>");
        }
    }
    let _ = writeln!(o, "</section>");
}

fn scenario_section(o: &mut String, s: &Scenario) {
    let sizes = s.own_sizes();
    let _ = writeln!(
        o,
        "<section id=\"scenario\" class=\"detail\">\n<h3>The scenario</h3>"
    );
    let arms: Vec<String> = s
        .arms
        .iter()
        .zip(&sizes.arms)
        .map(|(a, n)| format!("{} ({n})", esc(&a.name)))
        .collect();
    let _ = writeln!(
        o,
        "<p>{} design: {} controls and {} patients in arms {}; visits {}; allocation: {}. {} measure(s){}.</p>",
        if s.design_kind == crate::scenario::DesignKind::Crossover {
            "Crossover"
        } else {
            "Parallel-group"
        },
        s.n_controls,
        s.n_patients,
        arms.join(", "),
        esc(&s.visits.join(", ")),
        s.spec.design.allocation,
        s.n_regions(),
        if s.n_regions() > 0 {
            format!(" in {}", esc(&s.unit))
        } else {
            String::new()
        }
    );
    if s.n_regions() > 0 {
        let _ = write!(
            o,
            "<table><thead><tr><th>measure</th><th>control mean</th><th>between-subject SD</th><th>test-retest CV</th><th>patient shift</th>"
        );
        for a in &s.arms {
            let _ = write!(o, "<th>change on {}</th>", esc(&a.name));
        }
        let _ = writeln!(o, "</tr></thead><tbody>");
        for (r, reg) in s.regions.iter().enumerate() {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{:.4}</td><td>{:.4}</td><td>{:.3}</td><td>{:+.4}</td>",
                esc(&reg.name),
                reg.mu,
                reg.sigma,
                reg.meas_sd / reg.mu,
                reg.delta
            );
            for a in &s.arms {
                let _ = write!(o, "<td>{:+.4}</td>", a.kappa[r]);
            }
            let _ = writeln!(o, "</tr>");
        }
        let _ = writeln!(o, "</tbody></table>");
    }
    for a in &s.arms {
        let _ = writeln!(
            o,
            "<p>Arm {}: symptom improvement {:.1} \u{b1} {:.1} {} points, dropout {:.0} %.</p>",
            esc(&a.name),
            a.improvement_mean,
            a.improvement_sd,
            esc(&s.symptoms.spec.scale),
            a.dropout * 100.0
        );
    }
    if !s.spec.sources.is_empty() {
        let _ = writeln!(o, "<p>Sources:</p><ul>");
        for src in &s.spec.sources {
            let _ = writeln!(o, "<li>{}</li>", esc(src));
        }
        let _ = writeln!(o, "</ul>");
    }
    let _ = writeln!(o, "</section>");
}

/// Power and accuracy at the planned size: one table per family, hypotheses as rows.
fn power_section(o: &mut String, d: &ReportData, own_n: usize) {
    let s = d.scenario;
    let _ = writeln!(
        o,
        "<section id=\"power\" class=\"detail\">\n<h3>Power and accuracy at N = {own_n}</h3>\n<p>{} simulated trials; \
         \u{b1} is the Monte Carlo standard error. Type M: mean exaggeration of significant estimates; RMSE and bias \
         are in the unit of the estimate.</p>",
        d.reps
    );
    for f in s
        .families
        .iter()
        .filter(|f| f.kind != FamilyKind::Prediction)
    {
        let _ = writeln!(
            o,
            "<h4>{}</h4>\n<table><thead><tr><th>hypothesis</th><th>power</th><th>true value</th><th>mean estimate</th>\
             <th>bias</th><th>RMSE</th><th>coverage</th><th>type M</th></tr></thead><tbody>",
            esc(&f.name)
        );
        for h in s.hypotheses(f).iter().map(String::as_str).chain(["any"]) {
            let cell = |m: &str| {
                find(d.own, &f.name, h, m).map_or("\u{2013}".to_string(), |r| {
                    if !r.value.is_finite() {
                        "\u{2013}".into()
                    } else if m == "power" || m == "coverage" {
                        fmt_pm(r.value, r.mc_se)
                    } else if m == "type_m" {
                        format!("{:.2}", r.value)
                    } else {
                        format!("{:+.4}", r.value)
                    }
                })
            };
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(h),
                cell("power"),
                cell("true_value"),
                cell("mean_estimate"),
                cell("bias"),
                cell("rmse"),
                cell("coverage"),
                cell("type_m")
            );
        }
        let _ = writeln!(o, "</tbody></table>");
    }
    let _ = writeln!(o, "</section>");
}

/// Prediction accuracy at the planned size: one table per family, figures as rows, models as
/// columns (ten figures side by side did not fit a page).
fn prediction_section(o: &mut String, d: &ReportData, own_n: usize) {
    let s = d.scenario;
    let pred: Vec<_> = s
        .families
        .iter()
        .filter(|f| f.prediction.is_some())
        .collect();
    if pred.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<section id=\"prediction\" class=\"detail\">\n<h3>Prediction accuracy at N = {own_n}</h3>"
    );
    let metrics = [
        ("auc_cv", "AUC, cross-validated"),
        ("auc_apparent", "AUC, apparent"),
        ("auc_true", "AUC in the population"),
        ("auc_optimal", "best AUC the features allow"),
        ("optimism_auc", "optimism of the apparent AUC"),
        ("balanced_accuracy_cv", "balanced accuracy, cross-validated"),
        ("brier_cv", "Brier score, cross-validated"),
        ("calibration_slope_cv", "calibration slope, cross-validated"),
        ("assurance_auc_cv", "P(cross-validated AUC \u{2265} target)"),
        ("assurance_auc_true", "P(population AUC \u{2265} target)"),
    ];
    for f in &pred {
        let models = s.hypotheses(f);
        let _ = write!(
            o,
            "<h4>{}</h4>\n<table><thead><tr><th>figure</th>",
            esc(&f.name)
        );
        for h in &models {
            let _ = write!(o, "<th>{}</th>", esc(h));
        }
        let _ = writeln!(o, "</tr></thead><tbody>");
        for (m, words) in metrics {
            let _ = write!(o, "<tr><td>{words}</td>");
            for h in &models {
                let v = find(d.own, &f.name, h, m)
                    .map_or("\u{2013}".into(), |r| fmt_pm(r.value, r.mc_se));
                let _ = write!(o, "<td>{v}</td>");
            }
            let _ = writeln!(o, "</tr>");
        }
        let _ = writeln!(o, "</tbody></table>");
    }
    let _ = writeln!(o, "</section>");
}

/// A methods paragraph a planner can paste into a protocol.
pub fn methods(d: &ReportData) -> String {
    let s = d.scenario;
    let mut fams = Vec::new();
    for (fi, f) in s.families.iter().enumerate() {
        let what = match f.kind {
            FamilyKind::BaselineDifference => "patients versus controls at baseline".to_string(),
            FamilyKind::ArmChange => format!(
                "the change from baseline, {} versus {}",
                s.arms[f.arms.0].name, s.arms[f.arms.1].name
            ),
            FamilyKind::WithinArmChange => {
                format!("the change from baseline within {}", s.arms[f.arms.0].name)
            }
            FamilyKind::Clinical => format!(
                "symptom outcomes, {} versus {}",
                s.arms[f.arms.0].name, s.arms[f.arms.1].name
            ),
            FamilyKind::Correlation => format!(
                "the correlation of biomarker change with symptom improvement in {}",
                s.arms[f.arms.0].name
            ),
            FamilyKind::Prediction => format!(
                "prediction of response in {} (cross-validated ridge logistic regression)",
                s.arms[f.arms.0].name
            ),
            FamilyKind::Crossover => {
                "the crossover treatment effect (2x2 crossover t-test)".to_string()
            }
        };
        let test = match f.kind {
            FamilyKind::Prediction => String::new(),
            _ => format!(" ({})", esc(&s.family_tests(f))),
        };
        let graph = s.graphical.as_ref().is_some_and(|g| g.has_family(fi));
        let adj = match (f.kind, f.multiplicity) {
            (FamilyKind::Prediction, _) => String::new(),
            _ if graph => ", decided by the graphical procedure across families".to_string(),
            _ if f.graph.is_some() => ", graphical multiplicity procedure".to_string(),
            (_, crate::scenario::Multiplicity::None) => ", no multiplicity adjustment".to_string(),
            (_, m) => format!(", {} adjustment", m.label()),
        };
        let gate = f
            .gate
            .map(|g| {
                format!(
                    ", tested only if family '{}' rejected a hypothesis",
                    s.families[g].name
                )
            })
            .unwrap_or_default();
        let level = f
            .alpha
            .map(|a| format!(", at its own alpha {a} ({:?})", f.alternative))
            .unwrap_or_default();
        fams.push(format!(
            "'{}': {}{}{}{}{}",
            f.name, what, test, adj, gate, level
        ));
    }
    let max_se = d
        .own
        .iter()
        .chain(d.grid)
        .filter(|r| r.metric == "power")
        .map(|r| r.mc_se)
        .fold(0.0, f64::max);
    let dec = decimals_for(max_se).max(3);
    format!(
        "Operating characteristics were estimated by Monte Carlo simulation with trialsim {} ({} simulated trials per \
         sample size). Each simulated trial drew controls and patients from the scenario '{}' (region-specific true values \
         with between-region correlation, test-retest measurement error on every scan, symptom improvement correlated with \
         the biomarker, truncated and clamped symptom scores, dropout and failed scans as missing data) and was analysed \
         on complete cases exactly as planned, at a two-sided alpha of {}: {}. Power is the share of simulated trials that \
         rejected a hypothesis after multiplicity adjustment; the largest Monte Carlo standard error of a reported power is \
         {:.dec$} (95 % intervals by the Wilson method). Bias, RMSE and coverage are measured against the true values the \
         scenario implies. Random numbers: {}, seed {}.",
        env!("CARGO_PKG_VERSION"),
        d.reps,
        s.spec.name,
        s.alpha,
        fams.join("; "),
        max_se,
        crate::rng::GENERATOR,
        d.meta["run"]["seed"]
    )
}
