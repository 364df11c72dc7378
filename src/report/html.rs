//! `trialsim report`: one self-contained HTML file with the scenario in words, what it implies,
//! the power and accuracy tables, the plots (inline SVG), the sample-size answer, a methods
//! paragraph and the provenance of the run. The figures are also embedded as JSON
//! (`<script type="application/json" id="trialsim-results">`) so they can be checked and reused.

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
    /// The sample-size search, if one was run.
    pub sample_size: Option<&'a SampleSize>,
    /// Text of `validate` (implied quantities).
    pub implied: String,
    /// Power-curve SVG.
    pub power_svg: Option<String>,
    /// Learning-curve SVG.
    pub learning_svg: Option<String>,
    /// The command that made the report.
    pub command: String,
}

/// Escape text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn find<'a>(rows: &'a [Row], fam: &str, hyp: &str, metric: &str) -> Option<&'a Row> {
    rows.iter()
        .find(|r| r.family == fam && r.hypothesis == hyp && r.metric == metric)
}

/// The report as HTML.
pub fn html(d: &ReportData) -> String {
    let s = d.scenario;
    let mut o = String::new();
    let title = format!("trialsim report: {}", s.spec.name);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\
         body{{font-family:sans-serif;max-width:1000px;margin:2em auto;line-height:1.45}}\
         table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #bbb;padding:3px 8px;text-align:right}}\
         th{{background:#eee}}td:first-child,th:first-child{{text-align:left}}pre{{background:#f6f6f6;padding:1em;overflow-x:auto}}\
         </style></head><body>\n<h1>{}</h1>\n<p>{}</p>\n",
        esc(&title),
        esc(&title),
        esc(&s.spec.description)
    );

    // 1. The scenario in words.
    let sizes = s.own_sizes();
    let _ = writeln!(o, "<h2 id=\"scenario\">The scenario</h2>");
    let arms: Vec<String> = s
        .arms
        .iter()
        .zip(&sizes.arms)
        .map(|(a, n)| format!("{} ({n})", esc(&a.name)))
        .collect();
    let _ = writeln!(
        o,
        "<p>{} design: {} controls and {} patients in arms {}; visits {}; allocation {:?}. {} measure(s){}.</p>",
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
        let _ = writeln!(
            o,
            "<table><tr><th>measure</th><th>control mean</th><th>between-subject SD</th><th>test-retest CV</th><th>patient shift</th>"
        );
        for a in &s.arms {
            let _ = write!(o, "<th>change on {}</th>", esc(&a.name));
        }
        let _ = writeln!(o, "</tr>");
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
        let _ = writeln!(o, "</table>");
    }
    for a in &s.arms {
        let _ = writeln!(
            o,
            "<p>Arm {}: symptom improvement {:.1} &plusmn; {:.1} {} points, dropout {:.0} %.</p>",
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

    // 2. Implied quantities.
    let _ = writeln!(
        o,
        "<h2 id=\"implied\">What the scenario implies</h2>\n<pre>{}</pre>",
        esc(&d.implied)
    );

    // 3. Power at the scenario's size.
    let own_n = d.own.first().map_or(0, |r| r.n_total);
    let _ = writeln!(
        o,
        "<h2 id=\"power\">Power at N = {own_n}</h2>\n<p>{} simulated trials; &plusmn; is the Monte Carlo standard error.</p>",
        d.reps
    );
    let _ = writeln!(
        o,
        "<table><tr><th>family</th><th>hypothesis</th><th>power</th><th>true value</th><th>mean estimate</th><th>bias</th><th>coverage</th></tr>"
    );
    for f in s
        .families
        .iter()
        .filter(|f| f.kind != FamilyKind::Prediction)
    {
        for h in s.hypotheses(f).iter().map(String::as_str).chain(["any"]) {
            let cell = |m: &str| {
                find(d.own, &f.name, h, m).map_or("&ndash;".to_string(), |r| {
                    if m == "power" || m == "coverage" {
                        fmt_pm(r.value, r.mc_se)
                    } else {
                        format!("{:+.4}", r.value)
                    }
                })
            };
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&f.name),
                esc(h),
                cell("power"),
                cell("true_value"),
                cell("mean_estimate"),
                cell("bias"),
                cell("coverage")
            );
        }
    }
    let _ = writeln!(o, "</table>");

    // 4. Power curve.
    let _ = writeln!(o, "<h2 id=\"curve\">Power by sample size</h2>");
    if let Some(svg) = &d.power_svg {
        let _ = writeln!(o, "<div>{svg}</div>");
    }
    let mut ns: Vec<usize> = d.grid.iter().map(|r| r.n_total).collect();
    ns.dedup();
    let cols = super::results::default_selection(s);
    let _ = write!(o, "<table><tr><th>N</th>");
    for (f, h, m) in &cols {
        let _ = write!(o, "<th>{}:{} {}</th>", esc(f), esc(h), esc(m));
    }
    let _ = writeln!(o, "</tr>");
    for n in &ns {
        let _ = write!(o, "<tr><td>{n}</td>");
        for (f, h, m) in &cols {
            let v = d
                .grid
                .iter()
                .find(|r| r.n_total == *n && &r.family == f && &r.hypothesis == h && &r.metric == m)
                .map_or("&ndash;".into(), |r| fmt_pm(r.value, r.mc_se));
            let _ = write!(o, "<td>{v}</td>");
        }
        let _ = writeln!(o, "</tr>");
    }
    let _ = writeln!(o, "</table>");

    // 5. Prediction.
    let pred: Vec<_> = s
        .families
        .iter()
        .filter(|f| f.prediction.is_some())
        .collect();
    if !pred.is_empty() {
        let _ = writeln!(
            o,
            "<h2 id=\"prediction\">Prediction accuracy at N = {own_n}</h2>"
        );
        let metrics = [
            "auc_cv",
            "auc_apparent",
            "auc_true",
            "auc_optimal",
            "optimism_auc",
            "balanced_accuracy_cv",
            "brier_cv",
            "calibration_slope_cv",
            "assurance_auc_cv",
            "assurance_auc_true",
        ];
        let _ = write!(o, "<table><tr><th>family: model</th>");
        for m in metrics {
            let _ = write!(o, "<th>{m}</th>");
        }
        let _ = writeln!(o, "</tr>");
        for f in &pred {
            for h in s.hypotheses(f) {
                let _ = write!(o, "<tr><td>{}: {}</td>", esc(&f.name), esc(&h));
                for m in metrics {
                    let v = find(d.own, &f.name, &h, m)
                        .map_or("&ndash;".into(), |r| fmt_pm(r.value, r.mc_se));
                    let _ = write!(o, "<td>{v}</td>");
                }
                let _ = writeln!(o, "</tr>");
            }
        }
        let _ = writeln!(o, "</table>");
        if let Some(svg) = &d.learning_svg {
            let _ = writeln!(o, "<div>{svg}</div>");
        }
    }

    // 6. Sample size.
    let _ = writeln!(o, "<h2 id=\"sample-size\">Sample size</h2>");
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
                        "<p>The smallest number of {} with {} &ge; {} is <b>{n}</b> ({}; <b>{}</b> enrolled: {} controls, {} patients), where it measured {} \
                         (95 % Monte Carlo interval {:.3}&ndash;{:.3}, {} trials). {} consistent with Monte Carlo error: {} to {}.</p>",
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
                        ss.n_low.map_or("&ndash;".into(), |x| x.to_string()),
                        ss.n_high
                            .map_or(format!("more than {}", ss.range.1), |x| x.to_string())
                    );
                }
                _ => {
                    let _ = writeln!(
                        o,
                        "<p>The target {} &ge; {} is <b>not reached</b> up to N = {}.</p>",
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

    // 7. Methods.
    let _ = writeln!(
        o,
        "<h2 id=\"methods\">Methods</h2>\n<p>{}</p>",
        esc(&methods(d))
    );

    // 8. Reproducibility.
    let run = &d.meta["run"];
    let _ = writeln!(
        o,
        "<h2 id=\"reproducibility\">Reproducibility</h2>\n<p>trialsim {}, seed {}, generator: {}. Command: <code>{}</code>. \
         The same command with the same version reproduces every figure exactly.</p>",
        esc(run["version"].as_str().unwrap_or("")),
        run["seed"],
        esc(run["generator"].as_str().unwrap_or("")),
        esc(&d.command)
    );
    let mut data = d.meta.clone();
    data["rows_own"] = super::results::rows_json(d.own);
    data["rows_grid"] = super::results::rows_json(d.grid);
    if let Some(ss) = d.sample_size {
        data["sample_size"] = serde_json::json!({"grow": ss.grow, "held": ss.held, "n": ss.n, "n_total": ss.total_at(ss.n), "n_total_low": ss.total_at(ss.n_low), "n_total_high": ss.total_at(ss.n_high), "target": ss.target});
    }
    let json = serde_json::to_string(&data)
        .unwrap_or_default()
        .replace("</", "<\\/");
    let _ = writeln!(
        o,
        "<script type=\"application/json\" id=\"trialsim-results\">{json}</script>\n</body></html>"
    );
    o
}

/// A methods paragraph a planner can paste into a protocol.
pub fn methods(d: &ReportData) -> String {
    let s = d.scenario;
    let mut fams = Vec::new();
    for f in &s.families {
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
            FamilyKind::Clinical => {
                format!(
                    " ({:?} test for score change, Fisher's exact test for rates",
                    f.test
                )
                .to_lowercase()
                    + ")"
            }
            _ => format!(" ({:?} test)", f.test).to_lowercase(),
        };
        let adj = match (f.kind, f.multiplicity) {
            (FamilyKind::Prediction, _) => String::new(),
            (_, crate::scenario::Multiplicity::None) => ", no multiplicity adjustment".to_string(),
            (_, crate::scenario::Multiplicity::Bh) => {
                ", Benjamini-Hochberg FDR adjustment".to_string()
            }
            (_, m) => format!(", {m:?} adjustment"),
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
        fams.push(format!("'{}': {}{}{}{}", f.name, what, test, adj, gate));
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
