//! `trialsim power`.

use super::args::{McArgs, PlotArgs};
use super::output::{self, Stdout};
use super::usage;
use anyhow::Result;
use std::path::Path;
use trialsim::{Study, montecarlo::shard, report};

/// The command's options.
pub struct Args<'a> {
    pub scenario: &'a str,
    pub n: Option<usize>,
    pub grid: Option<&'a str>,
    pub grow: Option<super::args::GrowArg>,
    pub sizes: &'a super::args::SizeArgs,
    pub shard: Option<&'a str>,
    pub precision: Option<f64>,
    pub vary: &'a [String],
    pub plots: &'a PlotArgs,
    pub mc: &'a McArgs,
}

pub fn run(a: &Args) -> Result<()> {
    let study = output::sized_study(Study::load(a.scenario)?, a.sizes)?;
    output::warn_slips(&study);
    let s = study.scenario();
    output::check_mc(a.mc)?;
    output::check_plots(s, a.plots)?;
    let outs: Vec<&Path> = [&a.mc.out, &a.plots.plot, &a.plots.learning_plot]
        .into_iter()
        .flatten()
        .map(|p| p.as_path())
        .collect();
    output::check_outputs(&outs, &[Path::new(a.scenario)])?;
    let mut run = study
        .power()
        .reps(a.mc.reps)
        .seed(a.mc.seed)
        .path(output::sim_path(a.mc.path))
        .cancel_flag(output::interrupted());
    if let Some(t) = a.mc.threads {
        run = run.threads(t);
    }
    if let Some(g) = a.grow {
        if a.n.is_none() && a.grid.is_none() {
            return Err(usage(
                "--grow says what --n or --n-grid counts: give one of them (or --controls/--patients for one size)",
            ));
        }
        run = run.grow(g.into());
    }
    run = match (a.n, a.grid) {
        (Some(n), _) => run.n(n),
        (None, Some(g)) => run.n_grid(output::parse_grid(g)?),
        (None, None) => run,
    };
    if let Some(p) = a.precision {
        run = run.precision(p);
    }
    for v in a.vary {
        let (param, values) = trialsim::study::vary::parse_param(v)?;
        run = run.vary(&param, values);
    }
    if !a.vary.is_empty() && a.plots.learning_plot.is_some() {
        return Err(usage(
            "--learning-plot cannot be drawn over a what-if grid (--vary)",
        ));
    }
    if !a.vary.is_empty() && a.plots.plot_hypotheses.len() > 1 {
        return Err(usage(
            "--plot with --vary draws one hypothesis against the parameter: give one --plot-hypothesis",
        ));
    }
    if let Some(text) = a.shard {
        let (k, m) = shard::parse(text)?;
        let path =
            a.mc.out
                .as_deref()
                .filter(|p| is_json(p))
                .ok_or_else(|| usage("--shard writes a partial result: give --out PART.json"))?;
        run = run.shard(k, m);
        run.check()?;
        let start = std::time::Instant::now();
        let part = run.run_partial()?;
        let blocks = shard::blocks(a.mc.reps, (k, m));
        output::write_files(&[(path.to_path_buf(), serde_json::to_string(&part)? + "\n")])?;
        eprintln!(
            "shard {k}/{m}: {} blocks of {} trials in {:.2} s; wrote {} (combine with trialsim merge)",
            blocks.end - blocks.start,
            trialsim::montecarlo::BLOCK,
            start.elapsed().as_secs_f64(),
            path.display()
        );
        return Ok(());
    }
    run.check()?;
    let bar = output::progress_bar();
    if let Some(b) = bar.clone() {
        run = run.on_progress(move |p| {
            b.set_length(p.total);
            b.set_position(p.done);
        });
    }
    let planned = run.planned_sizes();
    let result = run.run()?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let rows = &result.table.rows;
    let mut files = Vec::new();
    if let Some(path) = &a.mc.out {
        let exporter = output::exporter(path)?;
        files.extend(report::export::power_files(
            &result,
            exporter.as_ref(),
            path,
            !a.mc.no_timing,
        ));
    }
    if result.grid.is_empty() {
        files.extend(output::plot_files(s, a.mc.seed, rows, a.plots, None, None)?);
    } else if let Some(path) = &a.plots.plot {
        let chosen = a
            .plots
            .plot_hypotheses
            .first()
            .and_then(|h| h.split_once(':'));
        files.push((
            path.clone(),
            report::grid::plot(&result, chosen).map_err(usage)?,
        ));
    }
    // Files first: a closed standard output (`| head`) must not lose them.
    output::write_files(&files)?;
    if result.grid.is_empty() {
        let run = result.reps_run.iter().copied().max().unwrap_or(0);
        let mut text = report::results::summary(s, rows, run);
        if result.precision.is_some() && run < a.mc.reps {
            text.push_str(&format!(
                "(stopped at the precision target after {run} trials; at most {} were allowed)\n",
                a.mc.reps
            ));
        }
        for nr in &result.not_run {
            text.push_str(&format!("{nr}\n"));
        }
        Stdout::new().text(&text)?;
        if !s.spec.priors.is_empty() {
            let (text, files) = super::assurance::power_section(&study, &planned, a.mc)?;
            output::write_files(&files)?;
            Stdout::new().text(&text)?;
        }
    } else {
        Stdout::new().text(&report::grid::summary(&result))?;
    }
    let secs = result.elapsed_secs.unwrap_or(0.0);
    eprintln!(
        "{} trials in {:.2} s ({:.0} trials/s on {} threads)",
        result.trials(),
        secs,
        result.trials() as f64 / secs,
        a.mc.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    );
    Ok(())
}

fn is_json(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()) == Some("json")
}
