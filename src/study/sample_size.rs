//! `Study::sample_size()`: the smallest N at which a criterion reaches its target.

use super::Study;
use crate::error::{RunError, Setting};
use crate::montecarlo::search::{self, Criterion, SampleSize};
use crate::montecarlo::truth::{self, Truths};
use crate::montecarlo::{Row, RunSettings, SimPath};
use crate::scenario::Grow;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

type StepFn<'a> = Box<dyn FnMut(usize, &Row) + 'a>;

/// A configured sample-size search (a builder).
///
/// ```
/// let study = trialsim::Study::load("peer-comparison").unwrap();
/// let r = study.sample_size("regions:any", 0.8).reps(256).seed(1).max_n(400).run().unwrap();
/// let n = r.search.n.expect("reached within max_n");
/// assert!(n <= 400 && r.search.n_low.unwrap() <= n);
/// ```
pub struct SampleSizeRun<'a> {
    study: &'a Study,
    criterion: String,
    target: f64,
    max_n: usize,
    settings: RunSettings,
    threads_given: bool,
    step: Option<StepFn<'a>>,
    cancel: Option<&'a AtomicBool>,
    grow: Option<Grow>,
    alpha: Option<f64>,
}

impl<'a> SampleSizeRun<'a> {
    pub(super) fn new(study: &'a Study, criterion: &str, target: f64) -> Self {
        SampleSizeRun {
            study,
            criterion: criterion.to_string(),
            target,
            max_n: 2000,
            settings: RunSettings::default(),
            threads_given: false,
            step: None,
            cancel: None,
            grow: None,
            alpha: None,
        }
    }

    run_settings!("evaluated size");

    /// Which groups grow (N counts them); the others are held at the scenario's sizes. Default:
    /// the groups the criterion's family (and its gates) analyses, by
    /// [`Scenario::grow_rule`](crate::scenario::Scenario::grow_rule): patients only, except for
    /// a baseline patients-vs-controls family, which grows everybody.
    ///
    /// ```
    /// use trialsim::scenario::Grow;
    /// let study = trialsim::Study::load("peer-comparison").unwrap();
    /// let r = study.sample_size("regions:any", 0.8).reps(64).max_n(200).run().unwrap();
    /// assert_eq!(r.search.grow, Grow::All);
    /// ```
    pub fn grow(mut self, grow: Grow) -> Self {
        self.grow = Some(grow);
        self
    }

    /// Significance level instead of the scenario's `analysis.alpha` (checked: in (0, 1)).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = Some(alpha);
        self
    }

    /// Largest N searched (of the grown groups, see [`SampleSizeRun::grow`]). Default 2000.
    pub fn max_n(mut self, max_n: usize) -> Self {
        self.max_n = max_n;
        self
    }

    /// Called after each evaluated size with the criterion's row there.
    pub fn on_step(mut self, f: impl FnMut(usize, &Row) + 'a) -> Self {
        self.step = Some(Box::new(f));
        self
    }

    /// A flag another thread may set to stop the search ([`RunError::Cancelled`]).
    pub fn cancel_flag(mut self, flag: &'a AtomicBool) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// The parsed criterion, checked against the scenario.
    pub fn criterion(&self) -> Result<Criterion, RunError> {
        let c: Criterion = self.criterion.parse()?;
        c.check(self.study.scenario())?;
        Ok(c)
    }

    /// The groups the search will grow.
    pub fn planned_grow(&self) -> Result<Grow, RunError> {
        let c = self.criterion()?;
        Ok(self.grow.unwrap_or_else(|| {
            self.study
                .scenario()
                .grow_rule(&c.family)
                .unwrap_or(Grow::All)
        }))
    }

    /// Run the search.
    pub fn run(mut self) -> Result<SampleSizeResult, RunError> {
        let with_alpha;
        let base = match self.alpha {
            Some(a) => {
                with_alpha = self.study.with_alpha(a)?;
                &with_alpha
            }
            None => self.study,
        };
        let full = base.scenario();
        if full.families.is_empty() {
            return Err(RunError::NoFamilies);
        }
        if self.settings.reps == 0 {
            return Err(RunError::setting(Setting::Reps, "must be > 0"));
        }
        if self.threads_given && self.settings.threads == 0 {
            return Err(RunError::setting(Setting::Threads, "must be > 0"));
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if !self.threads_given || self.settings.threads > cores {
            self.settings.threads = cores;
        }
        let crit = self.criterion()?;
        let grow = self.planned_grow()?;
        // Only the criterion's family (and its gates) is simulated: the others cannot change it.
        let only = base.only_family(&crit.family)?;
        let start = Instant::now();
        let truths = truth::truths(&only);
        let mut step = self.step.take();
        let search = search::sample_size_grown(
            &only,
            &crit,
            self.target,
            &self.settings,
            self.max_n,
            &truths,
            self.cancel,
            grow,
            |n, r| {
                if let Some(f) = step.as_mut() {
                    f(n, r)
                }
            },
        )?;
        let study = Study {
            scenario: only,
            label: base.label.clone(),
            text: None,
        };
        Ok(SampleSizeResult {
            search,
            reps: self.settings.reps,
            seed: self.settings.seed,
            elapsed_secs: start.elapsed().as_secs_f64(),
            truths,
            study,
        })
    }
}

/// The outcome of a sample-size search and what produced it.
#[derive(Debug, Clone)]
pub struct SampleSizeResult {
    /// The search: N, its Monte Carlo range, every evaluated size.
    pub search: SampleSize,
    /// Trials per evaluated size.
    pub reps: u64,
    /// Master seed.
    pub seed: u64,
    /// Wall time.
    pub elapsed_secs: f64,
    /// Truths of the simulated plan.
    pub truths: Truths,
    /// The plan that was simulated: the criterion's family and its gates.
    pub study: Study,
}
