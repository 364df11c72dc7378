//! # trialsim
//!
//! Simulates clinical trials with PET biomarkers before anyone runs them: virtual patient and control
//! cohorts with region-specific effects, measurement error, treatment responses and dropout; every
//! simulated trial analysed as the real study would be; power, sample size, estimation error and
//! prediction accuracy reported with their Monte Carlo uncertainty.
//!
//! The pipeline runs one way, one module per stage:
//! [`scenario`] (parse, validate, resolve) -> [`model`] (draw one cohort) -> [`analysis`] (tests,
//! estimates, multiplicity) -> [`montecarlo`] (replicate, aggregate, grids, sample size) ->
//! [`report`] (tables, JSON, CSV).
//!
//! ```
//! let s = trialsim::scenario::load("null").unwrap();
//! let mut cohort = trialsim::model::Cohort::default();
//! cohort.draw(&s, &s.own_sizes(), 1, 0);
//! assert_eq!(cohort.n_subjects(), 83);
//! ```
#![deny(missing_docs)]
// `!(x > 0.0)` is deliberate throughout: it is true for NaN, which must count as invalid input.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod analysis;
pub mod error;
pub mod model;
pub mod montecarlo;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod serve;
pub mod stats;
pub mod study;

pub use error::{Problem, RunError, ScenarioError, Setting};
pub use scenario::{Scenario, Sizes};
pub use study::Study;
