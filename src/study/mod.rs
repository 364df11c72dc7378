//! The library's front door: one scenario, the runs a planner asks of it.
//!
//! Every front end (the command line, the Python package, the web page) makes the same calls:
//! load a [`Study`] from a built-in name, a file, JSON text or a scenario built in code, then run
//! [`Study::power`] or [`Study::sample_size`], configured as builders and returning typed results.
//! The run owns the truths, the replicate schedule, early stopping at a chosen precision, shards
//! and their merge.
//!
//! ```
//! use trialsim::Study;
//! let study = Study::load("peer-comparison").unwrap();
//! let result = study.power().reps(256).seed(7).threads(1).run().unwrap();
//! let power = result.table.get(study.scenario().own_sizes().total(), "regions", "any", "power").unwrap();
//! assert!(power.value > 0.0 && power.value < 1.0 && power.mc_se > 0.0);
//! ```

/// The settings every run builder shares (trials, seed, threads, simulation path), written once.
/// The builder needs fields `settings: RunSettings` and `threads_given: bool`.
macro_rules! run_settings {
    ($what:literal) => {
        #[doc = concat!("Simulated trials per ", $what, " (the maximum when a precision is set). Default 1000.")]
        pub fn reps(mut self, reps: u64) -> Self {
            self.settings.reps = reps;
            self
        }

        /// Master seed, the same at every point (common random numbers). Default 1.
        pub fn seed(mut self, seed: u64) -> Self {
            self.settings.seed = seed;
            self
        }

        /// Worker threads (results do not depend on it; capped at the cores). Default: every core.
        pub fn threads(mut self, threads: usize) -> Self {
            self.settings.threads = threads;
            self.threads_given = true;
            self
        }

        /// Subject-level or summary-statistics simulation. Default [`SimPath::Auto`].
        pub fn path(mut self, path: SimPath) -> Self {
            self.settings.path = path;
            self
        }
    };
}

pub mod assurance;
mod assurance_size;
mod groups;
mod mde;
mod power;
pub mod riley;
mod sample_size;
mod size_grid;
pub mod vary;

pub use assurance::{AssuranceResult, AssuranceRun, DesignPrior};
pub use assurance_size::AssuranceSize;
pub use groups::GroupSizes;
pub use mde::{Effect, MdeResult, MdeRun, UpperLimit};
pub use power::{GridPoint, NotRun, PowerResult, PowerRun, Progress};
pub use riley::RileyAnswer;
pub use sample_size::{SampleSizeResult, SampleSizeRun};
pub use size_grid::SizeGridPoint;
pub use vary::VaryError;

use crate::error::{RunError, ScenarioError};
use crate::montecarlo::shard::Partial;
use crate::montecarlo::{self, Row, truth};
use crate::scenario::{self, Scenario, ScenarioSpec};

/// A scenario ready to be simulated.
#[derive(Debug, Clone)]
pub struct Study {
    scenario: Scenario,
    label: String,
    text: Option<String>,
}

impl Study {
    /// A built-in scenario by name, or a scenario file by path.
    ///
    /// ```
    /// let study = trialsim::Study::load("ketamine-ampar-2026").unwrap();
    /// assert_eq!(study.scenario().own_sizes().total(), 83);
    /// ```
    pub fn load(name_or_path: &str) -> Result<Study, ScenarioError> {
        let (label, text) = scenario::read_text(name_or_path)?;
        Study::from_json(&label, &text)
    }

    /// A scenario given as JSON text; `label` names it in messages (a file name, say).
    ///
    /// ```
    /// let text = trialsim::scenario::builtin::get("null").unwrap();
    /// let study = trialsim::Study::from_json("mine.json", text).unwrap();
    /// assert_eq!(study.label(), "mine.json");
    /// ```
    pub fn from_json(label: &str, text: &str) -> Result<Study, ScenarioError> {
        let scenario = scenario::parse(label, text)?;
        let study = Study {
            scenario,
            label: label.to_string(),
            text: Some(text.to_string()),
        };
        // Prior paths are checked against the scenario here, so that `validate` and every run
        // refuse a prior on a field that does not exist.
        if !study.scenario.spec.priors.is_empty() {
            study.design_priors()?;
        }
        Ok(study)
    }

    /// A scenario given as a JSON value (a Python dict, a web request's body).
    pub fn from_value(label: &str, value: serde_json::Value) -> Result<Study, ScenarioError> {
        let text = serde_json::to_string_pretty(&value).expect("JSON values serialise");
        Study::from_json(label, &text)
    }

    /// A scenario built in code.
    ///
    /// ```
    /// use trialsim::{Study, scenario::ScenarioSpec};
    /// let mut spec: ScenarioSpec = serde_json::from_str(
    ///     trialsim::scenario::builtin::get("peer-comparison").unwrap()).unwrap();
    /// spec.design.controls = 30;
    /// let study = Study::from_spec("edited", spec).unwrap();
    /// assert_eq!(study.scenario().own_sizes().controls, 30);
    /// ```
    pub fn from_spec(label: &str, spec: ScenarioSpec) -> Result<Study, ScenarioError> {
        let scenario = scenario::resolve(spec).map_err(|problems| ScenarioError::Invalid {
            file: label.to_string(),
            problems,
        })?;
        Ok(Study {
            scenario,
            label: label.to_string(),
            text: None,
        })
    }

    /// The resolved scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The name the scenario was loaded under (built-in name or file path).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The scenario as it was given (before defaults were filled in), as a JSON value.
    pub fn spec_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.scenario.spec).expect("the spec serialises")
    }

    /// Numbers in the scenario text that cite no source in its `provenance` map (empty for a
    /// scenario built in code).
    pub fn unsourced_numbers(&self) -> Vec<String> {
        self.text
            .as_deref()
            .map(scenario::unsourced_numbers)
            .unwrap_or_default()
    }

    /// The scenario reduced to one family of the plan (and the families that gate it): what a
    /// search for one criterion needs to simulate.
    pub(crate) fn only_family(&self, family: &str) -> Result<Scenario, RunError> {
        self.scenario.only_family(family).map_err(|problems| {
            RunError::setting(
                crate::error::Setting::Criterion,
                format!(
                    "the family cannot be run on its own: {}",
                    problems
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            )
        })
    }

    /// A power run: configure it, then call [`PowerRun::run`].
    pub fn power(&self) -> PowerRun<'_> {
        PowerRun::new(self)
    }

    /// A sample-size search for `criterion` (`FAMILY:HYPOTHESIS[:METRIC]`) reaching `target`.
    pub fn sample_size(&self, criterion: &str, target: f64) -> SampleSizeRun<'_> {
        SampleSizeRun::new(self, criterion, target)
    }

    /// Merge the partial results of one sharded run (each named, e.g. by its file) into the result
    /// one unsharded run gives, byte for byte.
    pub fn merge(parts: Vec<(String, Partial)>) -> Result<PowerResult, MergeError> {
        let names: Vec<(u64, String)> = parts.iter().map(|(n, p)| (p.shard.0, n.clone())).collect();
        // Each file's digest first, so that an edited file is named as such.
        for (name, p) in &parts {
            if p.digest != p.compute_digest() {
                return Err(RunError::Partial {
                    file: name.clone(),
                    reason: "its digest does not match its content: the file was edited or damaged after it was written".into(),
                }
                .into());
            }
        }
        let parts = montecarlo::shard::check(parts)?;
        let first = &parts[0];
        let spec: ScenarioSpec =
            serde_json::from_value(first.scenario.clone()).map_err(|e| RunError::Partial {
                file: "merge".into(),
                reason: format!("the embedded scenario cannot be read: {e}"),
            })?;
        let study = Study::from_spec("merged scenario", spec)?;
        let s = &study.scenario;
        for p in &parts {
            p.verify(s).map_err(|reason| RunError::Partial {
                file: names
                    .iter()
                    .find(|(k, _)| *k == p.shard.0)
                    .map_or_else(String::new, |(_, n)| n.clone()),
                reason,
            })?;
        }
        let truths = truth::truths(s);
        let mut rows: Vec<Row> = Vec::new();
        let mut reps_run = Vec::new();
        for (i, (z, total)) in first.results.iter().enumerate() {
            let mut sum = total.clone();
            for p in &parts[1..] {
                sum.merge(&p.results[i].1);
            }
            let acc = sum.finish();
            reps_run.push(acc.reps);
            rows.extend(montecarlo::diagnosands(s, z, &acc, &truths));
        }
        Ok(PowerResult {
            table: montecarlo::ResultTable { rows },
            reps: first.reps,
            reps_run,
            seed: first.seed,
            precision: None,
            elapsed_secs: None,
            truths,
            study,
            grid: Vec::new(),
            not_run: Vec::new(),
        })
    }
}

/// Why partial results could not be merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// The partials are inconsistent or malformed.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The embedded scenario is not valid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}
