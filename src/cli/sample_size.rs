//! `trialsim sample-size`.

use super::args::{McArgs, PlotArgs};
use super::output;
use super::usage;
use anyhow::Result;
use trialsim::Study;
use trialsim::montecarlo::Row;
use trialsim::report::{self, results::fmt_pm};

pub fn run(
    name: &str,
    criterion: &str,
    target: f64,
    max_n: usize,
    plots: &PlotArgs,
    mc: &McArgs,
) -> Result<()> {
    let study = Study::load(name)?;
    output::warn_slips(&study);
    output::check_mc(mc)?;
    output::check_plots(study.scenario(), plots)?;
    let outs: Vec<&std::path::Path> = [&mc.out, &plots.plot]
        .into_iter()
        .flatten()
        .map(|p| p.as_path())
        .collect();
    output::check_outputs(&outs, &[std::path::Path::new(name)])?;
    let mut run = study
        .sample_size(criterion, target)
        .reps(mc.reps)
        .seed(mc.seed)
        .max_n(max_n)
        .path(output::sim_path(mc.path))
        .cancel_flag(output::interrupted())
        .on_step(|n, r| eprintln!("  N = {n:>5}: {} = {}", r.metric, fmt_pm(r.value, r.mc_se)));
    if let Some(t) = mc.threads {
        run = run.threads(t);
    }
    let result = run.run()?;
    let ss = &result.search;
    let crit = &ss.criterion;
    let s = result.study.scenario();
    let label = format!("{}:{}:{}", crit.family, crit.hypothesis, crit.metric);
    let cmp = if crit.at_most() { "<=" } else { ">=" };
    let mut out = output::Text::default();
    match (ss.n, &ss.at_n) {
        (Some(n), Some(r)) => {
            out.line(&format!(
                "Smallest total N with {label} {cmp} {target}: {n} ({} controls, {} patients); measured {} = {} \
                 (95 % MC interval {:.3}-{:.3}, {} trials)",
                r.n_controls,
                r.n_patients,
                crit.metric,
                fmt_pm(r.value, r.mc_se),
                r.ci_low,
                r.ci_high,
                r.reps
            ))?;
            let high = ss
                .n_high
                .map(|h| h.to_string())
                .unwrap_or_else(|| format!("more than {max_n} (not reached within --max-n)"));
            out.line(&format!(
                "N consistent with Monte Carlo error: {} to {high}",
                ss.n_low
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "-".into())
            ))?;
        }
        _ => {
            // When the features cannot reach the AUC asked for at any N, say so.
            if let Some(fi) = s.families.iter().position(|f| f.name == crit.family)
                && let Some(cfg) = &s.families[fi].prediction
            {
                let opt = result.truths.prediction[fi].auc_optimal;
                let asked = match crit.metric.as_str() {
                    "assurance_auc_true" | "assurance_auc_cv" => Some(cfg.auc_target),
                    "auc_true" | "auc_cv" => Some(target),
                    _ => None,
                };
                if let Some(a) = asked.filter(|&a| opt < a) {
                    out.line(&format!(
                        "The best achievable AUC of these features is {opt:.3} (a model fitted on a \
                         population sample), below {a}: no sample size can reach this target."
                    ))?;
                }
            }
            let at_max = ss.evaluated.get(&max_n).and_then(|rows| crit.pick(rows));
            out.line(&format!(
                "Target NOT reached: {label} is not {cmp} {target} at N = {max_n}{}. \
                 Raise --max-n or revise the design.",
                at_max
                    .map(|r| format!(" (measured {} there)", fmt_pm(r.value, r.mc_se)))
                    .unwrap_or_default()
            ))?;
        }
    }
    eprintln!(
        "searched {} sample sizes in {:.2} s",
        ss.evaluated.len(),
        result.elapsed_secs
    );
    let mut files = Vec::new();
    if let Some(path) = &mc.out {
        let exporter = output::exporter(path)?;
        files.extend(report::export::sample_size_files(
            &result,
            exporter.as_ref(),
            path,
            !mc.no_timing,
        ));
    }
    if let Some(path) = &plots.plot {
        let rows: Vec<Row> = ss.evaluated.values().flatten().cloned().collect();
        let svg = report::results::criterion_plot(s, mc.seed, &rows, crit, target, ss.n)
            .map_err(usage)?;
        files.push((path.clone(), svg));
    }
    output::write_files(&files)?;
    out.print()
}
