//! `sample-size --vary`: the sample size at every point of a what-if grid.
//!
//! Each point is the scenario edited as by [`Study::with_values`] and searched exactly as a
//! separate `sample-size` run of that edited scenario with the same settings and seed would be;
//! the grid only loops. Invalid points are reported before anything is simulated (as by
//! `power --vary`), never dropped.

use super::Study;
use super::sample_size::SampleSizeResult;
use crate::error::RunError;

/// One point of a sample-size what-if grid.
#[derive(Debug, Clone)]
pub struct SizeGridPoint {
    /// The varied parameters and their values here, in the order they were given.
    pub values: Vec<(String, f64)>,
    /// The search at this point.
    pub result: SampleSizeResult,
}

impl Study {
    /// The sample size at every point of the grid `vary` (parameter paths and their values; the
    /// first varies slowest): `search` is called with each point's edited study and runs its
    /// search (typically `|s| s.sample_size(criterion, target).reps(r).seed(seed).run()`).
    ///
    /// ```
    /// let study = trialsim::Study::load("peer-comparison").unwrap();
    /// let grid = study
    ///     .sample_size_grid(&[("effect_scale".into(), vec![1.0, 1.5])], |s| {
    ///         s.sample_size("regions:any", 0.8).reps(128).seed(1).max_n(400).run()
    ///     })
    ///     .unwrap();
    /// assert_eq!(grid.len(), 2);
    /// ```
    pub fn sample_size_grid(
        &self,
        vary: &[(String, Vec<f64>)],
        mut search: impl FnMut(&Study) -> Result<SampleSizeResult, RunError>,
    ) -> Result<Vec<SizeGridPoint>, RunError> {
        if vary.is_empty() {
            return Err(RunError::setting(
                crate::error::Setting::Vary,
                "a grid needs at least one parameter to vary",
            ));
        }
        let points = super::vary::grid_studies(self, vary)?;
        let mut out = Vec::with_capacity(points.len());
        for (values, study) in points {
            let result = search(&study)?;
            out.push(SizeGridPoint { values, result });
        }
        Ok(out)
    }
}
