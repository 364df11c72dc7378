//! The statistics layer: distributions, tests, intervals, multiplicity, moments, linear algebra,
//! ridge logistic regression, prediction metrics and cross-validation. Nothing here knows about
//! scenarios, cohorts or trials; every routine takes plain numbers and is checked against an
//! independent reference (closed forms, R, SciPy) in its unit tests or in `tests/reference.rs`.

pub mod assurance;
pub mod bucss;
pub mod correlation;
pub mod cv;
pub mod dist;
pub mod exact;
pub mod fisher;
pub mod graphical;
pub mod linalg;
pub mod logistic;
pub mod metrics;
pub mod mmrm;
pub mod moments;
pub mod multiplicity;
pub mod ols;
pub mod quad;
pub mod riley;
pub mod span;
pub mod telescopes;
pub mod tost;
pub mod ttest;
pub mod wilcoxon;

use serde::{Deserialize, Serialize};

/// Multiplicity adjustment within a family.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Multiplicity {
    /// No adjustment.
    None,
    /// Bonferroni.
    Bonferroni,
    /// Holm step-down.
    #[default]
    Holm,
    /// Hochberg step-up.
    Hochberg,
    /// Benjamini-Hochberg false discovery rate.
    Bh,
}

/// Alternative hypothesis. Directions refer to the estimate as reported (first group minus second,
/// follow-up minus baseline, or the correlation).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Alternative {
    /// Two-sided.
    #[default]
    TwoSided,
    /// Estimate > 0.
    Greater,
    /// Estimate < 0.
    Less,
}
