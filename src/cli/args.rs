//! Command-line arguments: parsing only; the work is done by the library.

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

/// Settings shared by the Monte Carlo commands.
#[derive(Debug, clap::Args)]
pub struct McArgs {
    /// Simulated trials per sample size.
    #[arg(long, default_value_t = 1000)]
    pub reps: u64,
    /// Master seed (same seed, same results, whatever the thread count).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output file; the format follows the extension (.json or .csv; a CSV gets FILE.meta.json
    /// beside it with the seed, generator, version, resolved scenario and true values).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Leave the wall-clock time out of the JSON, so that repeated runs give identical bytes.
    #[arg(long)]
    pub no_timing: bool,
    /// Simulation path: `summary` draws each group's means and scatter matrix (exact, much faster,
    /// only for plans of t-tests and ANCOVA on complete data), `subject` draws every subject,
    /// `auto` picks summary where it is exact (otherwise the controls' statistics with the
    /// patients subject by subject, where that is exact).
    #[arg(long, value_enum, default_value_t = PathArg::Auto)]
    pub path: PathArg,
}

/// Plot options.
#[derive(Debug, clap::Args)]
pub struct PlotArgs {
    /// Write the power curve(s) against N as an SVG (800 x 500).
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Hypotheses to draw, FAMILY:HYPOTHESIS (repeatable; default each family's `any` and each
    /// clinical endpoint).
    #[arg(long = "plot-hypothesis", value_name = "FAMILY:HYPOTHESIS")]
    pub plot_hypotheses: Vec<String>,
    /// Write the prediction learning curve (mean CV, true and optimal AUC against N) as an SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub learning_plot: Option<PathBuf>,
}

/// Group sizes and the significance level, instead of the scenario's.
#[derive(Debug, clap::Args)]
pub struct SizeArgs {
    /// Number of controls (default: the scenario's design.controls).
    #[arg(long)]
    pub controls: Option<usize>,
    /// Number of patients, split across arms by the allocation ratios (default: the scenario's).
    #[arg(long)]
    pub patients: Option<usize>,
    /// Patients in one arm, ARM=N (repeatable; name every arm, e.g. --arm ketamine=20 --arm
    /// placebo=20; the allocation ratios become these sizes).
    #[arg(long = "arm", value_name = "ARM=N")]
    pub arms: Vec<String>,
    /// Significance level, instead of the scenario's analysis.alpha (between 0 and 1).
    #[arg(long)]
    pub alpha: Option<f64>,
}

/// Which groups a search or a curve grows.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GrowArg {
    /// Patients only (controls held at the scenario's number).
    Patients,
    /// Controls only (patients held).
    Controls,
    /// Everybody, in the scenario's proportions.
    All,
}

impl From<GrowArg> for trialsim::scenario::Grow {
    fn from(g: GrowArg) -> Self {
        match g {
            GrowArg::Patients => trialsim::scenario::Grow::Patients,
            GrowArg::Controls => trialsim::scenario::Grow::Controls,
            GrowArg::All => trialsim::scenario::Grow::All,
        }
    }
}

/// A scenario argument: any file path or built-in name; the built-in names are offered by the
/// shell completions.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioName;

impl clap::builder::TypedValueParser for ScenarioName {
    type Value = String;
    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }
    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            trialsim::scenario::builtin::BUILTIN
                .iter()
                .map(|(name, _)| clap::builder::PossibleValue::new(*name)),
        ))
    }
}

/// Simulation path.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PathArg {
    /// Summary where exact, else controls as statistics where exact, subject otherwise.
    Auto,
    /// Every subject.
    Subject,
    /// Group sufficient statistics.
    Summary,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the built-in scenarios.
    #[command(
        after_help = "Example:\n  trialsim scenarios\n  trialsim scenarios --show peer-comparison > my-study.json\n  trialsim validate my-study.json"
    )]
    Scenarios {
        /// Print this built-in scenario's JSON (a template to edit) instead of the list.
        #[arg(long, value_name = "NAME", value_parser = ScenarioName, hide_possible_values = true)]
        show: Option<String>,
    },
    /// Check scenario files and print what they imply (effects in SD units, reliabilities,
    /// attenuated correlations).
    #[command(
        after_help = "Example:\n  trialsim validate scenarios/ketamine-ampar-2026.json my-study.json"
    )]
    Validate {
        /// Scenario files or built-in names (default: the flagship scenario).
        #[arg(value_parser = ScenarioName, hide_possible_values = true)]
        scenarios: Vec<String>,
        /// List every number without a provenance entry (by default more than a few are counted).
        #[arg(long)]
        provenance: bool,
    },
    /// Draw one simulated cohort and write it as a table, one row per subject.
    #[command(after_help = "Example:\n  trialsim simulate --seed 1 --patients 60 --out cohort.csv")]
    Simulate {
        /// Scenario file or built-in name.
        #[arg(default_value = trialsim::scenario::builtin::DEFAULT, value_parser = ScenarioName, hide_possible_values = true)]
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
    /// Estimate power, error rates and estimation error by simulating many trials.
    #[command(
        after_help = "Examples:\n  trialsim power\n  trialsim power --reps 5000 --n-grid 60:300:20 --out curve.csv\n  trialsim power my-study.json --n 120 --out result.json"
    )]
    Power {
        /// Scenario file or built-in name.
        #[arg(default_value = trialsim::scenario::builtin::DEFAULT, value_parser = ScenarioName, hide_possible_values = true)]
        scenario: String,
        /// Total enrolled N (groups keep the scenario's proportions; default: the scenario's sizes).
        #[arg(long, conflicts_with = "n_grid")]
        n: Option<usize>,
        /// Grid of total N, FROM:TO:STEP (a power curve).
        #[arg(long)]
        n_grid: Option<String>,
        /// What --n and --n-grid count and vary: all (default; the groups keep the scenario's
        /// proportions), patients (controls held) or controls (patients held).
        #[arg(long, value_enum)]
        grow: Option<GrowArg>,
        /// Group sizes and alpha.
        #[command(flatten)]
        sizes: SizeArgs,
        /// Run only shard K of M (disjoint blocks of replicates) and write a partial result to
        /// --out PART.json; combine the M partials with `trialsim merge`.
        #[arg(long, value_name = "K/M")]
        shard: Option<String>,
        /// Stop early, at a multiple of 4096 trials, once every power's Monte Carlo SE is below
        /// this (--reps is then the maximum).
        #[arg(long, value_name = "SE")]
        precision: Option<f64>,
        /// What-if grid: PARAM=FROM:TO:STEP or PARAM=v1,v2,... (repeatable: the product grid).
        /// PARAM is a scenario path as in its provenance map (arms.ketamine.improvement_mean,
        /// measures.regions.habenula.test_retest_cv, analysis.alpha) or effect_scale (every
        /// effect times one number; see the README). One row block per point, same seed.
        #[arg(long, value_name = "PARAM=VALUES")]
        vary: Vec<String>,
        /// Plots and their selection.
        #[command(flatten)]
        plots: PlotArgs,
        /// Monte Carlo settings.
        #[command(flatten)]
        mc: McArgs,
    },
    /// Find the minimum detectable effect: the smallest effect_scale (or --vary-param) at which a
    /// criterion reaches the target at a given N.
    #[command(
        after_help = "Examples:\n  trialsim mde --criterion clinical:madrs_change --target 0.8\n  trialsim mde peer-comparison --criterion regions:r01 --n 128 --reps 4000\n  trialsim mde --criterion clinical:madrs_change --vary-param arms.ketamine.improvement_mean --lo 2.5 --hi 20"
    )]
    Mde {
        /// Scenario file or built-in name.
        #[arg(default_value = trialsim::scenario::builtin::DEFAULT, value_parser = ScenarioName, hide_possible_values = true)]
        scenario: String,
        /// FAMILY:HYPOTHESIS (a region, an endpoint, any, all or at_least_k; default: the primary
        /// family's headline figure, when the scenario marks one).
        #[arg(long)]
        criterion: Option<String>,
        /// Target power.
        #[arg(long, default_value_t = 0.8)]
        target: f64,
        /// Total enrolled N (default: the scenario's sizes).
        #[arg(long)]
        n: Option<usize>,
        /// The parameter searched: a scenario path (default effect_scale).
        #[arg(long, default_value = "effect_scale")]
        vary_param: String,
        /// Lower end of the search.
        #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
        lo: f64,
        /// Upper end of the search.
        #[arg(long, default_value_t = 2.0, allow_hyphen_values = true)]
        hi: f64,
        /// Stop bisecting when the bracket is this narrow (default (hi - lo) / 4096).
        #[arg(long)]
        tolerance: Option<f64>,
        /// Monte Carlo settings.
        #[command(flatten)]
        mc: McArgs,
    },
    /// Write one self-contained HTML report: the scenario, what it implies, power at its own size
    /// and over a grid of N (with plots), prediction accuracy, a sample-size answer and a methods
    /// paragraph.
    #[command(
        after_help = "Example:\n  trialsim report --out report.html\n  trialsim report my-study.json --reps 5000 --criterion clinical:madrs_change --target 0.9 --out report.html"
    )]
    Report {
        /// Scenario file or built-in name.
        #[arg(default_value = trialsim::scenario::builtin::DEFAULT, value_parser = ScenarioName, hide_possible_values = true)]
        scenario: String,
        /// Output file (.html).
        #[arg(long, short)]
        out: PathBuf,
        /// Grid of total N for the power curve, FROM:TO:STEP (default: from the smallest usable N
        /// to three times the scenario's own, in 8 steps).
        #[arg(long)]
        n_grid: Option<String>,
        /// Sample-size criterion FAMILY:HYPOTHESIS[:METRIC] (default: the primary family's headline
        /// figure, else the first family's first figure).
        #[arg(long)]
        criterion: Option<String>,
        /// Group sizes and alpha.
        #[command(flatten)]
        sizes: SizeArgs,
        /// Target of the criterion.
        #[arg(long, default_value_t = 0.8)]
        target: f64,
        /// Largest total N for the sample-size search.
        #[arg(long, default_value_t = 1000)]
        max_n: usize,
        /// Simulated trials per sample size.
        #[arg(long, default_value_t = 1000)]
        reps: u64,
        /// Master seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Example:\n  trialsim completions bash > /etc/bash_completion.d/trialsim"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Combine the partial results of `power --shard K/M` into the result of one unsharded run.
    #[command(
        after_help = "Example (GNU parallel):\n  parallel trialsim power --reps 100000 --seed 7 --shard {}/4 --out part{}.json ::: 1 2 3 4\n  trialsim merge part*.json --out result.json"
    )]
    Merge {
        /// Partial result files (every shard 1..M of one run, in any order).
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Output file (.json or .csv).
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Find the smallest N that reaches a target (power) for one criterion, growing the groups its
    /// analysis uses.
    #[command(
        name = "sample-size",
        after_help = "Examples:\n  trialsim sample-size --criterion clinical:madrs_change --target 0.8\n  trialsim sample-size --criterion ampar_change:habenula --controls 0\n  trialsim sample-size --criterion baseline:any --grow patients --target 0.9 --reps 4000"
    )]
    SampleSize {
        /// Scenario file or built-in name.
        #[arg(default_value = trialsim::scenario::builtin::DEFAULT, value_parser = ScenarioName, hide_possible_values = true)]
        scenario: String,
        /// FAMILY:HYPOTHESIS[:METRIC]; hypothesis is a region, an endpoint, any, all or at_least_k
        /// (default: the primary family's headline figure, when the scenario marks one).
        #[arg(long)]
        criterion: Option<String>,
        /// Target value of the metric.
        #[arg(long, default_value_t = 0.8)]
        target: f64,
        /// Largest N to consider (of the groups grown).
        #[arg(long, default_value_t = 1000)]
        max_n: usize,
        /// The groups grown: default those the criterion's family analyses (patients, or
        /// everybody for a baseline patients-vs-controls family); the others are held at the
        /// scenario's (or --controls/--patients) sizes.
        #[arg(long, value_enum)]
        grow: Option<GrowArg>,
        /// Group sizes held, and alpha.
        #[command(flatten)]
        sizes: SizeArgs,
        /// What-if grid: PARAM=FROM:TO:STEP or PARAM=v1,v2,... (repeatable: the product grid),
        /// as for `power --vary`; the sample size at every point, same seed.
        #[arg(long, value_name = "PARAM=VALUES")]
        vary: Vec<String>,
        /// Size for assurance (power averaged over the scenario's `priors`) instead of power:
        /// the smallest N whose assurance reaches this target.
        #[arg(long, value_name = "TARGET", conflicts_with = "vary")]
        assurance: Option<f64>,
        /// Plots and their selection.
        #[command(flatten)]
        plots: PlotArgs,
        /// Monte Carlo settings.
        #[command(flatten)]
        mc: McArgs,
    },
    /// Size a replication from a published result, correcting for publication bias and
    /// uncertainty (BUCSS, Anderson, Kelley & Maxwell 2017), with the face-value answer beside it.
    #[command(
        after_help = "Examples:\n  trialsim replicate --t 2.02 --n 17,17 --assurance 0.8 --power 0.8\n  trialsim replicate --t 3 --n 50,55 --alpha-prior 0.05 --assurance 0.9\n  trialsim replicate --r 0.4 --n 50 --alpha-prior 0.05"
    )]
    Replicate {
        /// Published t statistic (two groups, or paired with --paired).
        #[arg(long, allow_hyphen_values = true)]
        t: Option<f64>,
        /// Published correlation r.
        #[arg(long, allow_hyphen_values = true, conflicts_with = "t")]
        r: Option<f64>,
        /// Original sizes: N1,N2 for two groups; N for paired or a correlation.
        #[arg(long)]
        n: String,
        /// The t is a paired (one-sample) t.
        #[arg(long)]
        paired: bool,
        /// Correct for publication bias: the original was published because p < this.
        #[arg(long)]
        alpha_prior: Option<f64>,
        /// Assurance: 0.5 corrects bias only; higher values also guard against uncertainty.
        #[arg(long, default_value_t = 0.8)]
        assurance: f64,
        /// Target power of the replication.
        #[arg(long, default_value_t = 0.8)]
        power: f64,
        /// Two-sided alpha of the replication.
        #[arg(long, default_value_t = 0.05)]
        alpha: f64,
        /// Largest n searched.
        #[arg(long, default_value_t = 100_000)]
        max_n: usize,
        /// Round as the BUCSS R package does (harmonic mean, a 0.001 grid), to reproduce its numbers.
        #[arg(long)]
        bucss_rounding: bool,
    },
    /// Serve the planner web page and its JSON API on this machine (offline; Ctrl-C stops).
    #[command(
        after_help = "Examples:\n  trialsim serve --open\n  trialsim serve --port 8080\n\nThe API (POST /api/validate, /api/power, /api/sample-size; GET/DELETE /api/jobs/ID) is described in the README."
    )]
    Serve {
        /// Port (0: any free port).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to bind; the default lets only this machine connect.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Open the page in the default browser.
        #[arg(long)]
        open: bool,
    },
}
