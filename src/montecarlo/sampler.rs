//! How each simulated trial is drawn ([`Sampler`]: summary statistics, subjects, or both), and the
//! per-worker buffers a run lends its workers.

use super::SimPath;
use super::summary_model;
use crate::analysis::{Analyzer, Data, TrialResult};
use crate::error::RunError;
use crate::model::Cohort;
use crate::model::summary::{ControlsModel, SummaryDraw, SummaryModel};
use crate::scenario::{Scenario, Sizes};

/// How each trial of a run is drawn.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// Every group as sufficient statistics ([`SummaryModel`]).
    Summary(SummaryModel),
    /// The patients subject by subject, the controls as statistics ([`ControlsModel`]): chosen by
    /// [`SimPath::Auto`] when the plan reads only the controls' baseline means and variances.
    Mixed(ControlsModel),
    /// Every subject.
    Subjects,
}

impl Sampler {
    /// The sampler for `path`: [`SimPath::Subject`] draws every subject, [`SimPath::Summary`] only
    /// statistics (an error when that is not exact), [`SimPath::Auto`] the fastest exact one.
    pub fn new(s: &Scenario, path: SimPath) -> Result<Self, RunError> {
        Ok(match summary_model(s, path)? {
            Some(m) => Sampler::Summary(m),
            None if path == SimPath::Auto => match ControlsModel::new(s) {
                Some(c) if s.n_regions() > 0 => Sampler::Mixed(c),
                _ => Sampler::Subjects,
            },
            None => Sampler::Subjects,
        })
    }

    /// Draw replicate `rep` into the buffers and say what the analyses read.
    pub fn draw<'a>(
        &self,
        s: &Scenario,
        sizes: &Sizes,
        seed: u64,
        rep: u64,
        cohort: &'a mut Cohort,
        sd: &'a mut SummaryDraw,
    ) -> Data<'a> {
        match self {
            Sampler::Summary(m) => {
                sd.draw(s, m, sizes, seed, rep);
                Data::Summaries(sd)
            }
            Sampler::Mixed(c) => {
                cohort.draw_patients(s, sizes, seed, rep);
                sd.draw_controls(s, c, sizes.controls, seed, rep);
                Data::Mixed(cohort, sd)
            }
            Sampler::Subjects => {
                cohort.draw(s, sizes, seed, rep);
                Data::Subjects(cohort)
            }
        }
    }
}

/// Per-worker buffers of a run: rayon's `map_init` starts a worker for almost every block, so the
/// buffers (and the analyses' per-scenario caches) are lent from a pool kept for the whole run
/// instead of being rebuilt each time. Nothing in them carries from one trial to the next.
pub(super) struct Workspace {
    pub(super) cohort: Cohort,
    pub(super) sd: SummaryDraw,
    pub(super) an: Analyzer,
    pub(super) tr: TrialResult,
}

/// A workspace lent from the run's pool, given back when the worker ends.
pub(super) struct Lent<'a> {
    pub(super) ws: Option<Workspace>,
    pool: &'a std::sync::Mutex<Vec<Workspace>>,
}

impl<'a> Lent<'a> {
    pub(super) fn take(pool: &'a std::sync::Mutex<Vec<Workspace>>, s: &Scenario) -> Self {
        let spare = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let ws = spare.unwrap_or_else(|| Workspace {
            cohort: Cohort::default(),
            sd: SummaryDraw::default(),
            an: Analyzer::default(),
            tr: TrialResult::new(s),
        });
        Lent { ws: Some(ws), pool }
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(ws) = self.ws.take() {
            let mut spare = self.pool.lock().unwrap_or_else(|e| e.into_inner());
            spare.push(ws);
        }
    }
}
