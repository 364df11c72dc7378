//! The `trialsim` binary: parse arguments, call the library, print. Exit status 2 for bad usage or
//! input, 1 for other failures.

mod cli;

use anyhow::{Context, Result};
use clap::Parser;
use cli::{Cli, Command, Format};
use std::process::ExitCode;
use trialsim::{model::Cohort, report, scenario};

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
