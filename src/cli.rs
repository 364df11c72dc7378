//! Command-line interface: argument parsing only; the work is done by the library.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Simulate clinical trials with PET biomarkers before anyone runs them.
#[derive(Debug, Parser)]
#[command(name = "trialsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Output format of a cohort.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// Tidy CSV, one row per subject (metadata in FILE.meta.json beside it).
    Csv,
    /// JSON with metadata and one object per subject.
    Json,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the built-in scenarios.
    Scenarios,
    /// Check scenario files and print what they imply (effects in SD units, reliabilities,
    /// attenuated correlations).
    #[command(
        after_help = "Example:\n  trialsim validate scenarios/ketamine-ampar-2026.json my-study.json"
    )]
    Validate {
        /// Scenario files or built-in names (default: the flagship scenario).
        scenarios: Vec<String>,
    },
    /// Draw one simulated cohort and write it as a table, one row per subject.
    #[command(after_help = "Example:\n  trialsim simulate --seed 1 --patients 60 --out cohort.csv")]
    Simulate {
        /// Scenario file or built-in name.
        #[arg(default_value = trialsim::scenario::builtin::DEFAULT)]
        scenario: String,
        /// Master seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Number of controls (default: the scenario's).
        #[arg(long)]
        controls: Option<usize>,
        /// Number of patients, split across arms by ratio (default: the scenario's).
        #[arg(long)]
        patients: Option<usize>,
        /// Output file (default: standard output).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Also write the true (error-free) values.
        #[arg(long)]
        truth: bool,
    },
}
