//! The `trialsim` binary: parse arguments, call the library, print. Exit status 2 for bad usage or
//! input, 1 for other failures.

mod cli;

use anyhow::{Context, Result};
use clap::Parser;
use cli::{Cli, Command, Format};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;
use trialsim::{model::Cohort, montecarlo, report, scenario};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            if is_input_error(&e) {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// A bad command line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

/// Bad input (scenario or settings) gets status 2; everything else 1.
fn is_input_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<trialsim::ScenarioError>().is_some()
            || c.downcast_ref::<UsageError>().is_some()
            || c.downcast_ref::<trialsim::RunError>()
                .is_some_and(|r| r.is_input_error())
    })
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Scenarios => {
            for (name, text) in scenario::builtin::BUILTIN {
                let s = scenario::parse(name, text)?;
                println!("{name:<24} {}", s.spec.description);
            }
            Ok(())
        }
        Command::Validate { scenarios } => validate(scenarios),
        Command::Power {
            scenario,
            n,
            n_grid,
            shard,
            precision,
            plots,
            mc,
        } => power(
            &scenario,
            n,
            n_grid.as_deref(),
            shard.as_deref(),
            precision,
            &plots,
            &mc,
        ),
        Command::Merge { parts, out } => merge(&parts, &out),
        Command::Report {
            scenario,
            out,
            n_grid,
            criterion,
            target,
            max_n,
            reps,
            seed,
            threads,
        } => report_cmd(
            &scenario,
            &out,
            n_grid.as_deref(),
            criterion.as_deref(),
            target,
            max_n,
            reps,
            seed,
            threads,
        ),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "trialsim",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::SampleSize {
            scenario,
            criterion,
            target,
            max_n,
            plots,
            mc,
        } => sample_size(&scenario, &criterion, target, max_n, &plots, &mc),
        Command::Simulate {
            scenario,
            seed,
            controls,
            patients,
            out,
            format,
            truth,
        } => {
            let s = scenario::load(&scenario)?;
            let sizes = s.sizes_with(
                controls.unwrap_or(s.n_controls),
                patients.unwrap_or(s.n_patients),
            );
            if patients.unwrap_or(s.n_patients) > 0 && s.arms.is_empty() {
                return Err(UsageError(
                    "--patients: the scenario has no arms to put patients in".into(),
                )
                .into());
            }
            let mut c = Cohort::default();
            c.draw(&s, &sizes, seed, 0);
            let info = report::RunInfo::new(seed);
            let text = match format {
                Format::Csv => report::cohort::to_csv(&s, &c, truth),
                Format::Json => report::cohort::to_json(&s, &c, &sizes, &info, truth),
            };
            match out {
                None => print!("{text}"),
                Some(path) => {
                    if matches!(format, Format::Csv) {
                        let meta = report::cohort::metadata(&s, &sizes, &info);
                        let meta_path = meta_path(&path);
                        report::write_atomic(
                            &meta_path,
                            (serde_json::to_string_pretty(&meta)? + "\n").as_bytes(),
                        )
                        .with_context(|| format!("writing {}", meta_path.display()))?;
                    }
                    report::write_atomic(&path, text.as_bytes())
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("wrote {} subjects to {}", c.n_subjects(), path.display());
                }
            }
            Ok(())
        }
    }
}

/// `FILE.csv` -> `FILE.csv.meta.json`.
fn meta_path(p: &std::path::Path) -> std::path::PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(".meta.json");
    s.into()
}

fn validate(names: Vec<String>) -> Result<()> {
    let names = if names.is_empty() {
        vec![scenario::builtin::DEFAULT.to_string()]
    } else {
        names
    };
    let mut failed = 0;
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            println!();
        }
        let res = scenario::read_text(name)
            .and_then(|(label, text)| scenario::parse(&label, &text).map(|s| (label, text, s)));
        match res {
            Ok((label, text, s)) => {
                println!("{label}: ok");
                print!(
                    "{}",
                    report::validate::summary(&s, &scenario::unsourced_numbers(&text))
                );
            }
            Err(e) => {
                eprintln!("Error: {e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(trialsim::ScenarioError::SomeInvalid {
            failed,
            checked: names.len(),
        }
        .into());
    }
    Ok(())
}

fn settings(mc: &cli::McArgs) -> Result<montecarlo::RunSettings> {
    if mc.reps == 0 {
        return Err(UsageError("--reps: must be > 0".into()).into());
    }
    let threads = match mc.threads {
        Some(0) => return Err(UsageError("--threads: must be > 0".into()).into()),
        Some(t) => t,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    Ok(montecarlo::RunSettings {
        reps: mc.reps,
        seed: mc.seed,
        threads,
        path: match mc.path {
            cli::PathArg::Auto => montecarlo::SimPath::Auto,
            cli::PathArg::Subject => montecarlo::SimPath::Subject,
            cli::PathArg::Summary => montecarlo::SimPath::Summary,
        },
    })
}

/// Output kind by extension.
fn out_kind(path: &Path) -> Result<&'static str> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Ok("json"),
        Some("csv") => Ok("csv"),
        _ => Err(UsageError(format!(
            "--out {}: the file name must end in .json or .csv",
            path.display()
        ))
        .into()),
    }
}

fn parse_grid(text: &str) -> Result<Vec<usize>> {
    let bad = || {
        UsageError(format!(
            "--n-grid: expected FROM:TO:STEP with FROM <= TO and STEP > 0, e.g. 40:200:20, got '{text}'"
        ))
    };
    let parts: Vec<usize> = text
        .split(':')
        .map(|p| p.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    match parts[..] {
        [from, to, step] if from <= to && step > 0 => Ok((from..=to).step_by(step).collect()),
        _ => Err(bad().into()),
    }
}

fn write_results(
    path: &Path,
    meta: serde_json::Value,
    csv: impl FnOnce() -> String,
    json: impl FnOnce(serde_json::Value) -> String,
) -> Result<()> {
    match out_kind(path)? {
        "csv" => {
            let meta_path = meta_path(path);
            report::write_atomic(
                &meta_path,
                (serde_json::to_string_pretty(&meta)? + "\n").as_bytes(),
            )
            .with_context(|| format!("writing {}", meta_path.display()))?;
            report::write_atomic(path, csv().as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
        }
        _ => report::write_atomic(path, json(meta).as_bytes())
            .with_context(|| format!("writing {}", path.display()))?,
    }
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn power(
    name: &str,
    n: Option<usize>,
    grid: Option<&str>,
    shard: Option<&str>,
    precision: Option<f64>,
    plots: &cli::PlotArgs,
    mc: &cli::McArgs,
) -> Result<()> {
    let (s, set) = prepare(name, plots, mc)?;
    let shard = shard.map(montecarlo::shard::parse).transpose()?;
    if let Some(p) = precision {
        if !(p > 0.0 && p < 0.5) {
            return Err(UsageError(format!("--precision: must be in (0, 0.5), got {p}")).into());
        }
        if shard.is_some() {
            return Err(UsageError(
                "--precision and --shard: an early stop depends on all replicates; give --reps instead".into(),
            )
            .into());
        }
    }
    let json_out = mc
        .out
        .as_ref()
        .is_some_and(|p| out_kind(p).ok() == Some("json"));
    if shard.is_some() && !json_out {
        return Err(
            UsageError("--shard writes a partial result: give --out PART.json".into()).into(),
        );
    }
    let sizes: Vec<trialsim::Sizes> = match (n, grid) {
        (Some(n), _) => vec![s.sizes_for_total(n)],
        (None, Some(g)) => parse_grid(g)?
            .into_iter()
            .map(|n| s.sizes_for_total(n))
            .collect(),
        (None, None) => vec![s.own_sizes()],
    };
    for z in &sizes {
        montecarlo::check_sizes(&s, z)?;
    }
    montecarlo::summary_model(&s, set.path)?;
    let start = Instant::now();
    let truths = montecarlo::truth::truths(&s);
    let blocks = match shard {
        Some(km) => montecarlo::shard::blocks(set.reps, km),
        None => 0..montecarlo::n_blocks(set.reps),
    };
    // With --precision the stopping checks fall at fixed multiples of 4096 trials, so where a run
    // stops does not depend on the thread count.
    let wave = if precision.is_some() {
        4096 / montecarlo::BLOCK
    } else {
        (set.threads * 8) as u64
    };
    let per_size =
        (blocks.end * montecarlo::BLOCK).min(set.reps) - blocks.start * montecarlo::BLOCK;
    let bar = progress_bar(sizes.len() as u64 * per_size);
    let mut totals = Vec::new();
    for (k, z) in sizes.iter().enumerate() {
        let done_before = k as u64 * per_size;
        let total = montecarlo::run_blocks(&s, z, &set, blocks.clone(), wave, &truths, |t| {
            if let Some(b) = &bar {
                b.set_position(done_before + t.acc.reps);
            }
            match precision {
                None => true,
                Some(p) => {
                    let rows = montecarlo::diagnosands(&s, z, &t.finish(), &truths);
                    rows.iter()
                        .filter(|r| r.metric == "power")
                        // Continue while any power's SE is above the target (or undefined).
                        .any(|r| r.mc_se.is_nan() || r.mc_se >= p)
                }
            }
        })?;
        totals.push((z.clone(), total));
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let secs = start.elapsed().as_secs_f64();
    if let (Some(km), Some(path)) = (shard, &mc.out) {
        let part = montecarlo::shard::Partial {
            trialsim_partial: montecarlo::shard::FORMAT,
            version: env!("CARGO_PKG_VERSION").into(),
            seed: set.seed,
            reps: set.reps,
            shard: km,
            path: set.path,
            scenario: serde_json::to_value(&s.spec)?,
            results: totals,
        };
        report::write_atomic(path, (serde_json::to_string(&part)? + "\n").as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "shard {}/{}: {} blocks of {} trials in {:.2} s; wrote {} (combine with trialsim merge)",
            km.0,
            km.1,
            blocks.end - blocks.start,
            montecarlo::BLOCK,
            secs,
            path.display()
        );
        return Ok(());
    }
    let mut rows = Vec::new();
    let mut trials = 0;
    for (z, total) in &totals {
        let acc = total.finish();
        trials += acc.reps;
        rows.extend(montecarlo::diagnosands(&s, z, &acc, &truths));
    }
    print!("{}", report::results::summary(&s, &rows, set.reps));
    eprintln!(
        "{} trials in {:.2} s ({:.0} trials/s on {} threads)",
        trials,
        secs,
        trials as f64 / secs,
        set.threads
    );
    if let Some(path) = &mc.out {
        let mut meta = run_metadata(&s, &set, &truths, mc, secs);
        if let Some(p) = precision {
            // --reps was the maximum; each row's reps column holds the trials actually run.
            meta["run"]["precision"] = serde_json::json!(p);
        }
        write_results(
            path,
            meta,
            || report::results::to_csv(&rows),
            |m| report::results::power_json(m, &rows),
        )?;
    }
    write_plots(&s, set.seed, &rows, plots, None, None)?;
    Ok(())
}

/// Load the scenario and check every option of a Monte Carlo command before anything runs.
fn prepare(
    name: &str,
    plots: &cli::PlotArgs,
    mc: &cli::McArgs,
) -> Result<(trialsim::Scenario, montecarlo::RunSettings)> {
    let s = scenario::load(name)?;
    if s.families.is_empty() {
        return Err(UsageError(format!(
            "{name}: the analysis plan has no families (the design gives nothing to compare): \
             add analysis.families"
        ))
        .into());
    }
    let set = settings(mc)?;
    check_plot_args(&s, plots)?;
    if let Some(p) = &mc.out {
        out_kind(p)?;
    }
    Ok((s, set))
}

/// Check plot options before any simulation runs.
fn check_plot_args(s: &trialsim::Scenario, plots: &cli::PlotArgs) -> Result<()> {
    for p in [&plots.plot, &plots.learning_plot].into_iter().flatten() {
        if p.extension().and_then(|e| e.to_str()) != Some("svg") {
            return Err(UsageError(format!(
                "{}: plots are SVG files; name it FILE.svg",
                p.display()
            ))
            .into());
        }
    }
    for h in &plots.plot_hypotheses {
        let c: montecarlo::search::Criterion = h.parse().map_err(|_| {
            UsageError(format!(
                "--plot-hypothesis: expected FAMILY:HYPOTHESIS, got '{h}'"
            ))
        })?;
        c.check(s)
            .map_err(|e| UsageError(e.to_string().replace("--criterion", "--plot-hypothesis")))?;
    }
    if plots.learning_plot.is_some() && !s.families.iter().any(|f| f.prediction.is_some()) {
        return Err(UsageError(
            "--learning-plot: the analysis plan has no prediction family".into(),
        )
        .into());
    }
    Ok(())
}

/// Write the requested plots.
fn write_plots(
    s: &trialsim::Scenario,
    seed: u64,
    rows: &[montecarlo::Row],
    plots: &cli::PlotArgs,
    target: Option<f64>,
    mark: Option<usize>,
) -> Result<()> {
    if let Some(path) = &plots.plot {
        let chosen: Vec<(String, String)> = plots
            .plot_hypotheses
            .iter()
            .filter_map(|h| {
                let mut it = h.split(':');
                Some((it.next()?.to_string(), it.next()?.to_string()))
            })
            .collect();
        let svg = report::results::power_plot(s, seed, rows, &chosen, target, mark)
            .map_err(UsageError)?;
        report::write_atomic(path, svg.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = &plots.learning_plot {
        let svg = report::results::learning_plot(s, seed, rows).map_err(UsageError)?;
        report::write_atomic(path, svg.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// Metadata of a run's result file: wall time unless --no-timing.
fn run_metadata(
    s: &trialsim::Scenario,
    set: &montecarlo::RunSettings,
    truths: &montecarlo::truth::Truths,
    mc: &cli::McArgs,
    secs: f64,
) -> serde_json::Value {
    let info = report::RunInfo::new(set.seed);
    report::results::metadata(s, &info, set.reps, truths, (!mc.no_timing).then_some(secs))
}

/// A progress bar with ETA on standard error, only when it is a terminal.
fn progress_bar(len: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} trials  {per_sec}  ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

fn merge(parts: &[std::path::PathBuf], out: &Path) -> Result<()> {
    out_kind(out)?;
    let mut read = Vec::new();
    for p in parts {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        let part: montecarlo::shard::Partial = serde_json::from_str(&text).map_err(|e| {
            UsageError(format!(
                "{}: not a partial result of `power --shard` ({e})",
                p.display()
            ))
        })?;
        read.push((p.display().to_string(), part));
    }
    let parts = montecarlo::shard::check(read)?;
    let first = &parts[0];
    let spec: scenario::ScenarioSpec = serde_json::from_value(first.scenario.clone())?;
    let s = scenario::resolve(spec).map_err(|problems| trialsim::ScenarioError::Invalid {
        file: "merged scenario".into(),
        problems,
    })?;
    let truths = montecarlo::truth::truths(&s);
    let mut rows = Vec::new();
    for (i, (z, total)) in first.results.iter().enumerate() {
        let mut sum = total.clone();
        for p in &parts[1..] {
            sum.merge(&p.results[i].1);
        }
        rows.extend(montecarlo::diagnosands(&s, z, &sum.finish(), &truths));
    }
    print!("{}", report::results::summary(&s, &rows, first.reps));
    let info = report::RunInfo::new(first.seed);
    let meta = report::results::metadata(&s, &info, first.reps, &truths, None);
    write_results(
        out,
        meta,
        || report::results::to_csv(&rows),
        |m| report::results::power_json(m, &rows),
    )
}

fn sample_size(
    name: &str,
    criterion: &str,
    target: f64,
    max_n: usize,
    plots: &cli::PlotArgs,
    mc: &cli::McArgs,
) -> Result<()> {
    let (s, set) = prepare(name, plots, mc)?;
    let crit: montecarlo::search::Criterion = criterion.parse()?;
    crit.check(&s)?;
    // Only the criterion's family (and its gates) is simulated: the others cannot change it.
    let full = s;
    let s =
        full.only_family(&crit.family)
            .map_err(|problems| trialsim::ScenarioError::Invalid {
                file: name.to_string(),
                problems,
            })?;
    let start = Instant::now();
    let truths = montecarlo::truth::truths(&s);
    let ss = montecarlo::search::sample_size(&s, &crit, target, &set, max_n, &truths, |n, r| {
        eprintln!(
            "  N = {n:>5}: {} = {}",
            r.metric,
            report::results::fmt_pm(r.value, r.mc_se)
        );
    })?;
    let secs = start.elapsed().as_secs_f64();
    let label = format!("{}:{}:{}", crit.family, crit.hypothesis, crit.metric);
    let cmp = if crit.at_most() { "<=" } else { ">=" };
    match (ss.n, &ss.at_n) {
        (Some(n), Some(r)) => {
            println!(
                "Smallest total N with {label} {cmp} {target}: {n} ({} controls, {} patients); measured {} = {} \
                 (95 % MC interval {:.3}-{:.3}, {} trials)",
                r.n_controls,
                r.n_patients,
                crit.metric,
                report::results::fmt_pm(r.value, r.mc_se),
                r.ci_low,
                r.ci_high,
                r.reps
            );
            let high = ss
                .n_high
                .map(|h| h.to_string())
                .unwrap_or_else(|| format!("more than {max_n} (not reached within --max-n)"));
            println!(
                "N consistent with Monte Carlo error: {} to {high}",
                ss.n_low
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "-".into())
            );
        }
        _ => {
            // When the features cannot reach the AUC asked for at any N, say so.
            if let Some(fi) = s.families.iter().position(|f| f.name == crit.family)
                && let Some(cfg) = &s.families[fi].prediction
            {
                let opt = truths.prediction[fi].auc_optimal;
                let asked = match crit.metric.as_str() {
                    "assurance_auc_true" | "assurance_auc_cv" => Some(cfg.auc_target),
                    "auc_true" | "auc_cv" => Some(target),
                    _ => None,
                };
                if let Some(a) = asked.filter(|&a| opt < a) {
                    println!(
                        "The best achievable AUC of these features is {opt:.3} (a model fitted on a \
                         population sample), below {a}: no sample size can reach this target."
                    );
                }
            }
            let at_max = ss.evaluated.get(&max_n).and_then(|rows| crit.pick(rows));
            println!(
                "Target NOT reached: {label} is not {cmp} {target} at N = {max_n}{}. \
                 Raise --max-n or revise the design.",
                at_max
                    .map(|r| format!(
                        " (measured {} there)",
                        report::results::fmt_pm(r.value, r.mc_se)
                    ))
                    .unwrap_or_default()
            );
        }
    }
    eprintln!(
        "searched {} sample sizes in {secs:.2} s",
        ss.evaluated.len()
    );
    if let Some(path) = &mc.out {
        let meta = run_metadata(&s, &set, &truths, mc, secs);
        let rows: Vec<montecarlo::Row> = ss.evaluated.values().flatten().cloned().collect();
        write_results(
            path,
            meta,
            || report::results::to_csv(&rows),
            |m| report::results::sample_size_json(m, &ss),
        )?;
    }
    if let Some(path) = &plots.plot {
        let rows: Vec<montecarlo::Row> = ss.evaluated.values().flatten().cloned().collect();
        let svg = report::results::criterion_plot(&s, set.seed, &rows, &crit, target, ss.n)
            .map_err(UsageError)?;
        report::write_atomic(path, svg.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn report_cmd(
    name: &str,
    out: &Path,
    grid: Option<&str>,
    criterion: Option<&str>,
    target: f64,
    max_n: usize,
    reps: u64,
    seed: u64,
    threads: Option<usize>,
) -> Result<()> {
    if out.extension().and_then(|e| e.to_str()) != Some("html") {
        return Err(UsageError(format!(
            "--out {}: the report is an HTML file; name it FILE.html",
            out.display()
        ))
        .into());
    }
    let (label, text) = scenario::read_text(name)?;
    let s = scenario::parse(&label, &text)?;
    let mc = cli::McArgs {
        reps,
        seed,
        threads,
        out: None,
        no_timing: true,
        path: cli::PathArg::Auto,
    };
    let set = settings(&mc)?;
    let lo = montecarlo::search::min_total(&s);
    let ns: Vec<usize> = match grid {
        Some(g) => parse_grid(g)?,
        None => {
            let hi = (3 * s.own_sizes().total()).max(lo + 8);
            let step = (hi - lo).div_ceil(7).max(1);
            (lo..=hi).step_by(step).collect()
        }
    };
    let crit: montecarlo::search::Criterion = match criterion {
        Some(c) => c.parse()?,
        None => {
            let (f, h, _) = report::results::default_selection(&s)
                .into_iter()
                .find(|c| c.2 == "power")
                .ok_or_else(|| {
                    UsageError("--criterion: the plan has no power figure; name one".into())
                })?;
            montecarlo::search::Criterion {
                family: f,
                hypothesis: h,
                metric: "power".into(),
            }
        }
    };
    crit.check(&s)?;
    for &n in &ns {
        montecarlo::check_sizes(&s, &s.sizes_for_total(n))?;
    }
    let truths = montecarlo::truth::truths(&s);
    let own_sizes = s.own_sizes();
    eprintln!(
        "simulating {} trials at N = {} ...",
        reps,
        own_sizes.total()
    );
    let own = montecarlo::diagnosands(
        &s,
        &own_sizes,
        &montecarlo::run(&s, &own_sizes, &set, &truths)?,
        &truths,
    );
    let mut grid_rows = Vec::new();
    for &n in &ns {
        eprintln!("simulating {reps} trials at N = {n} ...");
        let z = s.sizes_for_total(n);
        grid_rows.extend(montecarlo::diagnosands(
            &s,
            &z,
            &montecarlo::run(&s, &z, &set, &truths)?,
            &truths,
        ));
    }
    eprintln!(
        "searching the sample size for {}:{}:{} ...",
        crit.family, crit.hypothesis, crit.metric
    );
    let only =
        s.only_family(&crit.family)
            .map_err(|problems| trialsim::ScenarioError::Invalid {
                file: label.clone(),
                problems,
            })?;
    let only_truths = montecarlo::truth::truths(&only);
    let ss = montecarlo::search::sample_size(
        &only,
        &crit,
        target,
        &set,
        max_n,
        &only_truths,
        |_, _| {},
    )?;
    let power_svg = report::results::power_plot(&s, seed, &grid_rows, &[], Some(target), ss.n).ok();
    let learning_svg = report::results::learning_plot(&s, seed, &grid_rows).ok();
    let info = report::RunInfo::new(seed);
    let meta = report::results::metadata(&s, &info, reps, &truths, None);
    let data = report::html::ReportData {
        scenario: &s,
        meta,
        reps,
        own: &own,
        grid: &grid_rows,
        sample_size: Some(&ss),
        implied: report::validate::summary(&s, &scenario::unsourced_numbers(&text)),
        power_svg,
        learning_svg,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    report::write_atomic(out, report::html::html(&data).as_bytes())
        .with_context(|| format!("writing {}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}
