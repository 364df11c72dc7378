//! The `trialsim` binary: parse arguments, call the library, print. Exit status 2 for bad usage or
//! input, 1 for other failures.

mod cli;

use anyhow::{Context, Result};
use clap::Parser;
use cli::{Cli, Command, Format};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;
use trialsim::{RunError, model::Cohort, montecarlo, report, scenario};

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

/// Bad input (scenario or settings) gets status 2; everything else 1.
fn is_input_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<trialsim::ScenarioError>().is_some()
            || c.downcast_ref::<trialsim::RunError>()
                .is_some_and(|r| matches!(r, trialsim::RunError::BadSettings(_)))
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
            mc,
        } => power(&scenario, n, n_grid.as_deref(), &mc),
        Command::SampleSize {
            scenario,
            criterion,
            target,
            max_n,
            mc,
        } => sample_size(&scenario, &criterion, target, max_n, &mc),
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
                return Err(trialsim::RunError::BadSettings(
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
        return Err(RunError::BadSettings("--reps: must be > 0".into()).into());
    }
    let threads = match mc.threads {
        Some(0) => return Err(RunError::BadSettings("--threads: must be > 0".into()).into()),
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
        _ => Err(RunError::BadSettings(format!(
            "--out {}: the file name must end in .json or .csv",
            path.display()
        ))
        .into()),
    }
}

fn parse_grid(text: &str) -> Result<Vec<usize>> {
    let bad = || {
        RunError::BadSettings(format!(
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

fn power(name: &str, n: Option<usize>, grid: Option<&str>, mc: &cli::McArgs) -> Result<()> {
    let s = scenario::load(name)?;
    let set = settings(mc)?;
    if let Some(p) = &mc.out {
        out_kind(p)?;
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
    let mut rows = Vec::new();
    for z in &sizes {
        let acc = montecarlo::run(&s, z, &set, &truths)?;
        rows.extend(montecarlo::diagnosands(&s, z, &acc, &truths));
    }
    let secs = start.elapsed().as_secs_f64();
    print!("{}", report::results::summary(&s, &rows, set.reps));
    let trials = set.reps as f64 * sizes.len() as f64;
    eprintln!(
        "{} trials in {:.2} s ({:.0} trials/s on {} threads)",
        trials,
        secs,
        trials / secs,
        set.threads
    );
    if let Some(path) = &mc.out {
        let info = report::RunInfo::new(set.seed);
        let meta = report::results::metadata(
            &s,
            &info,
            set.reps,
            &truths,
            (!mc.no_timing).then_some(secs),
        );
        write_results(
            path,
            meta,
            || report::results::to_csv(&rows),
            |m| report::results::power_json(m, &rows),
        )?;
    }
    Ok(())
}

fn sample_size(
    name: &str,
    criterion: &str,
    target: f64,
    max_n: usize,
    mc: &cli::McArgs,
) -> Result<()> {
    let s = scenario::load(name)?;
    let set = settings(mc)?;
    if let Some(p) = &mc.out {
        out_kind(p)?;
    }
    let crit: montecarlo::search::Criterion = criterion.parse()?;
    crit.check(&s)?;
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
        let info = report::RunInfo::new(set.seed);
        let meta = report::results::metadata(
            &s,
            &info,
            set.reps,
            &truths,
            (!mc.no_timing).then_some(secs),
        );
        let rows: Vec<montecarlo::Row> = ss.evaluated.values().flatten().cloned().collect();
        write_results(
            path,
            meta,
            || report::results::to_csv(&rows),
            |m| report::results::sample_size_json(m, &ss),
        )?;
    }
    Ok(())
}
