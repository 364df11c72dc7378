//! Scenarios: parse, validate, resolve defaults.
//!
//! A [`ScenarioSpec`] is the JSON file as written; a [`Scenario`] is the validated, resolved form the
//! rest of the pipeline uses: every per-region value in region order, absolute units, Cholesky factors
//! computed once, analysis families resolved to indices.
//!
//! ```
//! let s = trialsim::scenario::load("ketamine-ampar-2026").unwrap();
//! assert_eq!(s.n_controls, 49);
//! assert_eq!(s.n_patients, 34);
//! ```

pub mod builtin;
mod graphspec;
pub mod implied;
pub mod labels;
mod load;
pub mod prediction;
pub mod prior;
mod provenance;
mod resolve;
mod sizes;
pub mod spec;
mod types;
mod warnings;

pub use provenance::unsourced_numbers;
pub use spec::*;

pub use load::{load, parse, read_text};
pub use prediction::{FeatureSet, PredictionConfig};
pub use resolve::{observed_cov, resolve};
pub use sizes::{Grow, Shortfall, Sizes, largest_remainder};
pub use types::*;
pub use warnings::{Warning, spec_warnings};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_sums_and_ties() {
        assert_eq!(largest_remainder(34, &[1.0, 1.0]), vec![17, 17]);
        assert_eq!(largest_remainder(7, &[1.0, 1.0, 1.0]), vec![3, 2, 2]);
        assert_eq!(largest_remainder(0, &[1.0, 3.0]), vec![0, 0]);
        assert_eq!(largest_remainder(175, &[40.0, 135.0]), vec![40, 135]);
    }

    #[test]
    fn flagship_resolves_and_scales() {
        let s = load("ketamine-ampar-2026").unwrap();
        assert_eq!(s.own_sizes().arms, vec![17, 17]);
        let z = s.sizes_for_total(166);
        assert_eq!(z.total(), 166);
        assert_eq!(z.controls, 98);
        assert_eq!(z.arms, vec![34, 34]);
    }
}
