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
        "{0}: no such file and no built-in scenario of that name (`trialsim scenarios` lists the built-ins)"
    )]
    NotFound(String),
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

/// Errors of a simulation run that are not the scenario's fault.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The requested run settings are not usable (e.g. zero replicates, N too small for the groups).
    #[error("{0}")]
    BadSettings(String),
}
