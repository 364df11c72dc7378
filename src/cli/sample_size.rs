//! `trialsim sample-size`.

use super::args::{McArgs, PlotArgs};
use super::output;
use super::usage;
use anyhow::Result;
use trialsim::Study;
use trialsim::montecarlo::Row;
use trialsim::report::{self, results::fmt_pm};

/// The command's options.
pub struct Args<'a> {
    pub scenario: &'a str,
    pub criterion: Option<&'a str>,
    pub target: f64,
    pub max_n: usize,
    pub grow: Option<super::args::GrowArg>,
    pub sizes: &'a super::args::SizeArgs,
    pub plots: &'a PlotArgs,
    pub mc: &'a McArgs,
}

pub fn run(a: &Args) -> Result<()> {
    let (name, target, max_n, plots, mc) = (a.scenario, a.target, a.max_n, a.plots, a.mc);
    let study = output::sized_study(Study::load(name)?, a.sizes)?;
    let criterion = output::criterion_or_default(study.scenario(), a.criterion)?;
    let criterion = criterion.as_str();
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
    if let Some(g) = a.grow {
        run = run.grow(g.into());
    }
    let grow = run.planned_grow()?;
    eprintln!(
        "growing {}; N counts {}",
        match grow {
            trialsim::scenario::Grow::All => "all groups in the scenario's proportions".to_string(),
            g => {
                let held: Vec<String> = study
                    .scenario()
                    .held_groups(g)
                    .iter()
                    .map(|(group, n)| format!("{group} held at {n}"))
                    .collect();
                format!("{} only ({})", g.as_str(), held.join(", "))
            }
        },
        grow.counts()
    );
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
                "Smallest number of {} with {label} {cmp} {target}: {n} ({}; {} enrolled: {} controls, {} patients); \
                 measured {} = {} (95 % MC interval {:.3}-{:.3}, {} trials)",
                ss.grow.counts(),
                ss.groups_note(),
                r.n_total,
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
                "{} consistent with Monte Carlo error: {} to {high}",
                ss.grow.counts(),
                ss.n_low
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "-".into())
            ))?;
        }
        _ => {
            // When the features cannot reach the AUC asked for at any N, say so.
            let mut unreachable = false;
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
                    unreachable = true;
                    out.line(&format!(
                        "The best achievable AUC of these features is {opt:.3} (a model fitted on a \
                         population sample), below {a}: no sample size can reach this target."
                    ))?;
                }
            }
            let at_max = ss.evaluated.get(&max_n).and_then(|rows| crit.pick(rows));
            // A larger N cannot help when no N can reach the target: then only the design can.
            let advice = if unreachable {
                "Revise the design (stronger features, a lower AUC target); a larger --max-n cannot help."
            } else {
                "Raise --max-n or revise the design."
            };
            out.line(&format!(
                "Target NOT reached: {label} is not {cmp} {target} at {max_n} {}{}. {advice}",
                ss.grow.counts(),
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
        let svg =
            report::results::criterion_plot(s, mc.seed, &rows, crit, target, ss.total_at(ss.n))
                .map_err(usage)?;
        files.push((path.clone(), svg));
    }
    output::write_files(&files)?;
    out.print()
}
