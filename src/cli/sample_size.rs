//! `trialsim sample-size`.

use super::args::{McArgs, PlotArgs};
use super::output;
use super::usage;
use anyhow::Result;
use trialsim::Study;
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
    output::warn_slips(&study);
    output::check_mc(mc)?;
    output::check_plots(study.scenario(), plots)?;
    let outs: Vec<&std::path::Path> = [&mc.out, &plots.plot]
        .into_iter()
        .flatten()
        .map(|p| p.as_path())
        .collect();
    output::check_outputs(&outs, &[std::path::Path::new(name)])?;
    let mut run = configured(study.sample_size(criterion, target), max_n, mc);
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
    // Beside a prediction family's simulated answer, the closed-form answer for the same outcome.
    if let Some(fi) = s
        .families
        .iter()
        .position(|f| f.name == crit.family && f.prediction.is_some())
    {
        match trialsim::study::riley::riley_answer(s, fi, &result.truths.prediction[fi]) {
            Ok(r) => out.line(&r.sentence())?,
            Err(e) => out.line(&format!(
                "Riley et al. (2019) closed form not available: {e}"
            ))?,
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
        let svg = report::results::criterion_plot(s, mc.seed, ss).map_err(usage)?;
        files.push((path.clone(), svg));
    }
    output::write_files(&files)?;
    out.print()
}

/// `sample-size --vary`: one search per grid point, printed as a table.
#[allow(clippy::too_many_arguments)]
pub fn run_grid(
    name: &str,
    criterion: Option<&str>,
    target: f64,
    max_n: usize,
    vary: &[String],
    sizes: &super::args::SizeArgs,
    plots: &PlotArgs,
    mc: &McArgs,
) -> Result<()> {
    let study = output::sized_study(Study::load(name)?, sizes)?;
    output::warn_slips(&study);
    let criterion = output::criterion_or_default(study.scenario(), criterion)?;
    let criterion = criterion.as_str();
    output::check_mc(mc)?;
    if mc.out.is_some() || plots.plot.is_some() {
        return Err(usage(
            "sample-size --vary prints a table; --out and --plot are not supported with it \
             (run sample-size on one point for files, or power --vary --n-grid for a surface)",
        ));
    }
    let params = vary
        .iter()
        .map(|v| trialsim::study::vary::parse_param(v))
        .collect::<Result<Vec<_>, _>>()?;
    let grid = study.sample_size_grid(&params, |s| {
        let label: Vec<String> = params.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        eprintln!("{} ({})", s.label(), label.join(", "));
        configured(s.sample_size(criterion, target), max_n, mc).run()
    })?;
    let mut out = output::Text::default();
    let crit = &grid[0].result.search.criterion;
    let cmp = if crit.at_most() { "<=" } else { ">=" };
    // Say which groups N counts (the grow rule of the criterion's family), as the one-point search does.
    let first = &grid[0].result.search;
    let what = match first.grow {
        trialsim::scenario::Grow::All => "total N".to_string(),
        g => format!("number of {} ({})", g.counts(), first.groups_note()),
    };
    out.line(&format!(
        "Smallest {what} with {}:{}:{} {cmp} {target} at each grid point ({} trials per size, seed {}, max {max_n}):",
        crit.family, crit.hypothesis, crit.metric, mc.reps, mc.seed
    ))?;
    let mut header: Vec<String> = params.iter().map(|(p, _)| format!("{p:>14}")).collect();
    header.extend(
        ["N", "MC range", "measured", "reached"]
            .iter()
            .map(|h| format!("{h:>14}")),
    );
    out.line(&header.join(" "))?;
    for point in &grid {
        let ss = &point.result.search;
        let mut cells: Vec<String> = point
            .values
            .iter()
            .map(|(_, v)| format!("{v:>14}"))
            .collect();
        let n = ss.n.map_or_else(|| format!("> {max_n}"), |n| n.to_string());
        let range = match (ss.n_low, ss.n_high) {
            (Some(l), Some(h)) => format!("{l}-{h}"),
            (Some(l), None) => format!("{l}->{max_n}"),
            (None, _) => format!(">{max_n}"),
        };
        let measured = match &ss.at_n {
            Some(r) => fmt_pm(r.value, r.mc_se),
            None => ss
                .evaluated
                .get(&max_n)
                .and_then(|rows| crit.pick(rows))
                .map_or_else(|| "-".into(), |r| fmt_pm(r.value, r.mc_se)),
        };
        let reached = if ss.n.is_some() { "yes" } else { "NO" };
        cells.extend([n, range, measured, reached.to_string()].map(|c| format!("{c:>14}")));
        out.line(&cells.join(" "))?;
    }
    if grid.iter().any(|p| p.result.search.n.is_none()) {
        out.line(&format!(
            "NO: the target is not reached within --max-n {max_n} at that point (measured value at N = {max_n} shown)."
        ))?;
    }
    out.print()
}

/// A search with the command line's Monte Carlo settings, progress on stderr and Ctrl-C.
fn configured<'a>(
    run: trialsim::study::SampleSizeRun<'a>,
    max_n: usize,
    mc: &McArgs,
) -> trialsim::study::SampleSizeRun<'a> {
    let run = run
        .reps(mc.reps)
        .seed(mc.seed)
        .max_n(max_n)
        .path(output::sim_path(mc.path))
        .cancel_flag(output::interrupted())
        .on_step(|n, r| eprintln!("  N = {n:>5}: {} = {}", r.metric, fmt_pm(r.value, r.mc_se)));
    match mc.threads {
        Some(t) => run.threads(t),
        None => run,
    }
}
