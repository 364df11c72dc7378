//! The command line: one file per command; each maps flags to library calls and prints.

mod args;
mod assurance;
mod mde;
mod merge;
mod output;
mod power;
mod replicate;
mod report;
mod sample_size;
mod simulate;
mod validate;

pub use args::Cli;
use args::Command;

use anyhow::Result;
use trialsim::{RunError, ScenarioError, Setting, scenario};

/// Run one command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Scenarios { show: Some(name) } => match scenario::builtin::get(&name) {
            Some(text) => output::Stdout::new().text(text),
            None => Err(usage(format!(
                "--show {name}: no built-in scenario of that name; built-ins: {}",
                scenario::builtin::BUILTIN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        },
        Command::Scenarios { show: None } => {
            let mut out = output::Stdout::new();
            for (name, text) in scenario::builtin::BUILTIN {
                let s = scenario::parse(name, text)?;
                out.line(&format!("{name:<24} {}", s.spec.description))?;
            }
            Ok(())
        }
        Command::Validate {
            scenarios,
            provenance,
        } => validate::run(scenarios, provenance),
        Command::Power {
            scenario,
            n,
            n_grid,
            grow,
            sizes,
            shard,
            precision,
            vary,
            plots,
            mc,
        } => power::run(&power::Args {
            scenario: &scenario,
            n,
            grid: n_grid.as_deref(),
            grow,
            sizes: &sizes,
            shard: shard.as_deref(),
            precision,
            vary: &vary,
            plots: &plots,
            mc: &mc,
        }),
        Command::Mde {
            scenario,
            criterion,
            target,
            n,
            vary_param,
            lo,
            hi,
            tolerance,
            mc,
        } => mde::run(&mde::Args {
            scenario: &scenario,
            criterion: criterion.as_deref(),
            target,
            n,
            param: &vary_param,
            lo,
            hi,
            tolerance,
            mc: &mc,
        }),
        Command::Merge { parts, out } => merge::run(&parts, &out),
        Command::Report {
            scenario,
            out,
            n_grid,
            criterion,
            sizes,
            target,
            max_n,
            reps,
            seed,
            threads,
        } => report::run(&report::Args {
            scenario: &scenario,
            out: &out,
            grid: n_grid.as_deref(),
            criterion: criterion.as_deref(),
            sizes: &sizes,
            target,
            max_n,
            reps,
            seed,
            threads,
        }),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "trialsim", &mut buf);
            output::Stdout::new().bytes(&buf)?;
            Ok(())
        }
        Command::Replicate {
            t,
            r,
            n,
            paired,
            alpha_prior,
            assurance,
            power,
            alpha,
            max_n,
            bucss_rounding,
        } => replicate::run(&replicate::Args {
            t,
            r,
            n,
            paired,
            alpha_prior,
            assurance,
            power,
            alpha,
            max_n,
            bucss_rounding,
        }),
        Command::Serve { port, host, open } => {
            let opts = trialsim::serve::ServeOptions {
                port,
                host,
                open,
                ..Default::default()
            };
            Ok(trialsim::serve::serve(opts)?)
        }
        Command::SampleSize {
            scenario,
            criterion,
            max_n,
            assurance: Some(a),
            mc,
            ..
        } => {
            let study = trialsim::Study::load(&scenario)?;
            let criterion = output::criterion_or_default(study.scenario(), criterion.as_deref())?;
            assurance::sample_size(&scenario, &criterion, a, max_n, &mc)
        }
        Command::SampleSize {
            scenario,
            criterion,
            target,
            max_n,
            grow,
            sizes,
            vary,
            plots,
            mc,
            ..
        } => {
            if vary.is_empty() {
                sample_size::run(&sample_size::Args {
                    scenario: &scenario,
                    criterion: criterion.as_deref(),
                    target,
                    max_n,
                    grow,
                    sizes: &sizes,
                    plots: &plots,
                    mc: &mc,
                })
            } else {
                sample_size::run_grid(
                    &scenario,
                    criterion.as_deref(),
                    target,
                    max_n,
                    &vary,
                    &sizes,
                    &plots,
                    &mc,
                )
            }
        }
        Command::Simulate {
            scenario,
            seed,
            controls,
            patients,
            out,
            format,
            truth,
        } => simulate::run(&scenario, seed, controls, patients, out, format, truth),
    }
}

/// A bad command line, worded for the user.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Shorthand for a usage error.
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    UsageError(msg.into()).into()
}

/// The command-line flag of a library setting.
fn flag(s: Setting) -> &'static str {
    match s {
        Setting::Reps => "--reps",
        Setting::Threads => "--threads",
        Setting::Precision => "--precision",
        Setting::Shard => "--shard",
        Setting::Sizes => "--n",
        Setting::Criterion => "--criterion",
        Setting::Target => "--target",
        Setting::MaxN => "--max-n",
        Setting::Path => "--path",
        Setting::Vary => "--vary",
        Setting::Alpha => "--alpha",
        Setting::Plot => "--plot",
        Setting::Groups => "--controls/--patients/--arm",
        Setting::Grow => "--grow",
        _ => "an option",
    }
}

/// The error as the user reads it: library settings named by their flags.
pub fn describe(e: &anyhow::Error) -> String {
    let mut parts = Vec::new();
    for c in e.chain() {
        match c.downcast_ref::<RunError>() {
            Some(RunError::Setting { setting, reason }) => {
                parts.push(format!("{}: {reason}", flag(*setting)));
                break;
            }
            _ => parts.push(c.to_string()),
        }
    }
    parts.join(": ")
}

/// Bad input (scenario or settings) gets status 2; everything else 1.
pub fn is_input_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<ScenarioError>().is_some()
            || c.downcast_ref::<UsageError>().is_some()
            || c.downcast_ref::<trialsim::study::MergeError>().is_some()
            || c.downcast_ref::<RunError>()
                .is_some_and(|r| r.is_input_error())
    })
}

/// Exit status: 2 for bad usage or input, 130 for an interrupted run, 1 for other failures.
pub fn exit_status(e: &anyhow::Error) -> u8 {
    if e.chain()
        .any(|c| matches!(c.downcast_ref::<RunError>(), Some(RunError::Cancelled)))
    {
        130
    } else if is_input_error(e) {
        2
    } else {
        1
    }
}

/// Whether the error is a closed standard output (`trialsim scenarios | head -1`).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
