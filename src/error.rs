//! Error types of the library.
//!
//! Input problems ([`ScenarioError`]) are kept apart from run-time failures so that the binary can
//! exit with status 2 for bad input and 1 for everything else.

use std::fmt;

/// One problem found in a scenario, located by its JSON path.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted JSON path of the offending field, e.g. `design.arms[1].ratio`.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Why a scenario could not be read or accepted.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{file}: cannot read file: {source}")]
    Io {
        /// File name as given by the user.
        file: String,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// The file is not valid JSON.
    #[error("{file}:{line}:{column}: invalid JSON: {message}")]
    Syntax {
        /// File name.
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// Parser message.
        message: String,
    },
    /// The JSON is well formed but does not describe a valid scenario.
    #[error("{file}: invalid scenario:\n{}", fmt_problems(problems))]
    Invalid {
        /// File name.
        file: String,
        /// Every problem found (validation does not stop at the first).
        problems: Vec<Problem>,
    },
    /// Neither a file nor a built-in scenario of that name exists.
    #[error(
        "{name}: no such file and no built-in scenario of that name{suggestion} (`trialsim scenarios` lists the built-ins)"
    )]
    NotFound {
        /// The name or path given.
        name: String,
        /// " (did you mean X?)" for a near miss of a built-in name, else empty.
        suggestion: String,
    },
    /// The path exists but is not a regular file (a directory, a fifo, a dangling link, ...).
    #[error("{file}: {what}")]
    NotAFile {
        /// The path given.
        file: String,
        /// What it is instead.
        what: String,
    },
    /// Several scenarios were checked and some failed (each was reported as it was checked).
    #[error("{failed} of {checked} scenarios are invalid (see above)")]
    SomeInvalid {
        /// How many failed.
        failed: usize,
        /// How many were checked.
        checked: usize,
    },
}

fn fmt_problems(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Which run setting a [`RunError::Setting`] is about. Front ends name it their own way (the
/// command line as a flag, `--max-n`; Python as a keyword, `max_n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Setting {
    /// Number of simulated trials.
    Reps,
    /// Worker threads.
    Threads,
    /// The Monte Carlo precision that stops a run early.
    Precision,
    /// A shard K of M.
    Shard,
    /// Group sizes (total N, a grid, per-group counts).
    Sizes,
    /// The criterion of a search (`FAMILY:HYPOTHESIS[:METRIC]`).
    Criterion,
    /// The target of a search.
    Target,
    /// The largest N of a search.
    MaxN,
    /// The simulation path.
    Path,
    /// A what-if grid over a scenario parameter.
    Vary,
    /// The significance level.
    Alpha,
    /// A plot request.
    Plot,
    /// Sizes of single groups (controls, patients, one arm).
    Groups,
    /// Which groups a search or curve grows.
    Grow,
}

impl Setting {
    /// The setting's name in the library's own terms (`max_n`).
    pub fn name(self) -> &'static str {
        match self {
            Setting::Reps => "reps",
            Setting::Threads => "threads",
            Setting::Precision => "precision",
            Setting::Shard => "shard",
            Setting::Sizes => "sizes",
            Setting::Criterion => "criterion",
            Setting::Target => "target",
            Setting::MaxN => "max_n",
            Setting::Path => "path",
            Setting::Vary => "vary",
            Setting::Alpha => "alpha",
            Setting::Plot => "plot",
            Setting::Groups => "groups",
            Setting::Grow => "grow",
        }
    }
}

/// Errors of a simulation run that are not the scenario's fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// A run setting is not usable (e.g. zero replicates, an unknown criterion).
    #[error("{}: {reason}", setting.name())]
    Setting {
        /// Which setting.
        setting: Setting,
        /// What is wrong, with the numbers involved.
        reason: String,
    },
    /// A group is too small for a family of the analysis plan.
    #[error(
        "family '{family}' needs at least {need} subjects in group '{group}', the sizes give {have}; \
         use a larger N"
    )]
    TooFewSubjects {
        /// The family.
        family: String,
        /// The group (controls, patients or an arm).
        group: String,
        /// The smallest size the family's analysis needs.
        need: usize,
        /// The size asked for.
        have: usize,
    },
    /// The scenario has nothing to analyse.
    #[error(
        "the analysis plan has no families (the design gives nothing to compare): add analysis.families"
    )]
    NoFamilies,
    /// A partial result cannot be merged.
    #[error("{file}: {reason}")]
    Partial {
        /// The partial result's name (file name).
        file: String,
        /// Why it was refused.
        reason: String,
    },
    /// The run was cancelled through its cancellation flag.
    #[error("the run was cancelled")]
    Cancelled,
    /// A point of a what-if grid is not a valid scenario (its label names the point; the problems
    /// name the fields).
    #[error("{0}")]
    InvalidPoint(Box<ScenarioError>),
}

impl RunError {
    /// A [`RunError::Setting`].
    pub fn setting(setting: Setting, reason: impl Into<String>) -> Self {
        RunError::Setting {
            setting,
            reason: reason.into(),
        }
    }

    /// Whether the error is the input's fault (bad settings or partial files) rather than a
    /// failure of the run.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, RunError::Cancelled)
    }
}
