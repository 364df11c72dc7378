//! # trialsim
//!
//! Simulates clinical trials with PET biomarkers before anyone runs them: virtual patient and control
//! cohorts with region-specific effects, measurement error, treatment responses and dropout; every
//! simulated trial analysed as the real study would be; power, sample size, estimation error and
//! prediction accuracy reported with their Monte Carlo uncertainty.
//!
//! The layers depend one way, one module per stage:
//! [`stats`] (distributions, tests, intervals, multiplicity, regression, metrics; knows nothing of
//! trials) <- [`scenario`] (parse, validate, resolve) <- [`model`] (draw one cohort) <-
//! [`analysis`] (tests, estimates, multiplicity on one trial) <- [`montecarlo`] (replicate,
//! aggregate, truths, sample size) <- [`study`] (the entry point that owns a run) <- [`report`]
//! (tables, JSON, CSV, plots, HTML). The model is described in `docs/model.md`.
//!
//! The front door is [`Study`]: load a scenario, configure a run, get a typed table.
//!
//! ```
//! let study = trialsim::Study::load("ketamine-ampar-2026").unwrap();
//! let result = study.power().reps(200).seed(1).run().unwrap();
//! let n = study.scenario().own_sizes().total();
//! let power = result.table.get(n, "clinical", "madrs_change", "power").unwrap();
//! println!("MADRS change: power {:.2} ± {:.2}", power.value, power.mc_se);
//! assert!(power.value > 0.2 && power.value < 0.8);
//! ```
#![deny(missing_docs)]
// `!(x > 0.0)` is deliberate throughout: it is true for NaN, which must count as invalid input.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod analysis;
pub mod error;
pub mod limits;
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

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
