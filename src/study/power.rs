//! `Study::power()`: simulate many trials at one or more sizes.

use super::Study;
use crate::error::{RunError, Setting};
use crate::limits;
use crate::montecarlo::shard::{self, Partial};
use crate::montecarlo::truth::{self, Truths};
use crate::montecarlo::{self, BLOCK, Metric, ResultTable, RunSettings, SimPath, Total};
use crate::scenario::{Grow, Scenario, Sizes};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// How far a run has come, passed to the progress callback after every wave of blocks.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Trials simulated so far (over all sizes).
    pub done: u64,
    /// Trials the run will simulate at most.
    pub total: u64,
}

type ProgressFn<'a> = Box<dyn FnMut(Progress) + 'a>;

/// The varied parameters and their values at one grid point.
pub type GridValues = Vec<(String, f64)>;

/// A configured power run (a builder): [`Study::power`], then settings, then [`PowerRun::run`].
///
/// ```
/// let study = trialsim::Study::load("peer-comparison").unwrap();
/// let curve = study.power().reps(128).seed(3).n_grid(vec![40, 80]).run().unwrap();
/// assert_eq!(curve.reps_run, vec![128, 128]);
/// assert!(curve.table.get(80, "regions", "any", "power").is_some());
/// ```
pub struct PowerRun<'a> {
    study: &'a Study,
    settings: RunSettings,
    threads_given: bool,
    sizes: Option<Vec<Sizes>>,
    size_error: Option<String>,
    precision: Option<f64>,
    shard: Option<(u64, u64)>,
    progress: Option<ProgressFn<'a>>,
    cancel: Option<&'a AtomicBool>,
    /// Total sizes asked for with `n`/`n_grid`, split again at every grid point (whose ratios
    /// may differ).
    totals: Option<Vec<usize>>,
    vary: Vec<(String, Vec<f64>)>,
    grow: Grow,
    alpha: Option<f64>,
}

impl<'a> PowerRun<'a> {
    pub(super) fn new(study: &'a Study) -> Self {
        PowerRun {
            study,
            settings: RunSettings::default(),
            threads_given: false,
            sizes: None,
            size_error: None,
            precision: None,
            shard: None,
            progress: None,
            cancel: None,
            totals: None,
            vary: Vec::new(),
            grow: Grow::All,
            alpha: None,
        }
    }

    run_settings!("size");

    /// Which groups [`PowerRun::n`] and [`PowerRun::n_grid`] count and vary: [`Grow::All`]
    /// (the default: every N is a total split in the scenario's proportions),
    /// [`Grow::Patients`] (N patients, controls held at the scenario's) or [`Grow::Controls`].
    ///
    /// ```
    /// use trialsim::scenario::Grow;
    /// let study = trialsim::Study::load("ketamine-ampar-2026").unwrap();
    /// let run = study.power().grow(Grow::Patients).n_grid(vec![20, 40]);
    /// let sizes = run.planned_sizes();
    /// assert_eq!((sizes[1].controls, sizes[1].patients()), (49, 40));
    /// ```
    pub fn grow(mut self, grow: Grow) -> Self {
        self.grow = grow;
        self
    }

    /// Significance level instead of the scenario's `analysis.alpha` (checked: in (0, 1)).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = Some(alpha);
        self
    }

    /// One total size N, split over the groups by the scenario's ratios.
    pub fn n(self, n: usize) -> Self {
        self.n_grid(vec![n])
    }

    /// A grid of total sizes (a power curve).
    pub fn n_grid(mut self, ns: Vec<usize>) -> Self {
        if ns.len() > limits::MAX_GRID {
            self.size_error = Some(format!(
                "{} sizes in the grid, more than the limit of {}",
                ns.len(),
                limits::MAX_GRID
            ));
            return self;
        }
        if let Some(&n) = ns.iter().find(|&&n| n > limits::MAX_SUBJECTS) {
            self.size_error = Some(format!(
                "N = {n} is more than the limit of {} subjects per trial",
                limits::MAX_SUBJECTS
            ));
            return self;
        }
        self.sizes = None;
        self.totals = Some(ns);
        self
    }

    /// Explicit group sizes, one entry per point of the curve.
    pub fn sizes(mut self, sizes: Vec<Sizes>) -> Self {
        self.sizes = Some(sizes);
        self.totals = None;
        self
    }

    /// Vary a scenario parameter over `values` (a what-if grid): `param` is a path as in the
    /// scenario's `provenance` map (`arms.ketamine.improvement_mean`) or `effect_scale` (see
    /// [`Study::with_value`]). Several calls give the product grid, the first parameter varying
    /// slowest. Every point is simulated at every size with the same seed (common random
    /// numbers); the result's rows are in point order, then size order, and
    /// [`PowerResult::grid`] says which rows belong to which point.
    ///
    /// ```
    /// let study = trialsim::Study::load("peer-comparison").unwrap();
    /// let r = study.power().reps(64).seed(1).n_grid(vec![40, 80])
    ///     .vary("effect_scale", vec![0.5, 1.0]).run().unwrap();
    /// assert_eq!(r.grid.len(), 2);
    /// assert_eq!(r.reps_run, vec![64; 4]);
    /// assert_eq!(r.grid[1].values, vec![("effect_scale".to_string(), 1.0)]);
    /// ```
    pub fn vary(mut self, param: &str, values: Vec<f64>) -> Self {
        self.vary.push((param.to_string(), values));
        self
    }

    /// The grid points' studies, each with its parameter values (empty without [`PowerRun::vary`]).
    /// Every point is checked: an invalid one is a [`RunError::InvalidPoint`].
    pub fn grid_studies(&self) -> Result<Vec<(GridValues, Study)>, RunError> {
        super::vary::grid_studies(self.study, &self.vary)
    }

    /// The sizes of one grid point's study.
    fn point_sizes(&self, study: &Study) -> Option<Vec<Sizes>> {
        match &self.totals {
            Some(ns) => Some(
                ns.iter()
                    .map(|&n| study.scenario().grown_sizes(n, self.grow))
                    .collect(),
            ),
            None => self.sizes.clone(),
        }
    }

    /// Stop each size once every power's Monte Carlo SE is below `se` (checked every 4,096
    /// trials, so where a run stops does not depend on the thread count).
    pub fn precision(mut self, se: f64) -> Self {
        self.precision = Some(se);
        self
    }

    /// Simulate only shard `k` of `m` (disjoint block ranges); see [`PowerRun::run_partial`].
    pub fn shard(mut self, k: u64, m: u64) -> Self {
        self.shard = Some((k, m));
        self
    }

    /// Called after every wave of blocks with the trials done so far.
    pub fn on_progress(mut self, f: impl FnMut(Progress) + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// A flag another thread may set to stop the run between blocks ([`RunError::Cancelled`]).
    pub fn cancel_flag(mut self, flag: &'a AtomicBool) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// The sizes the run will simulate.
    pub fn planned_sizes(&self) -> Vec<Sizes> {
        self.point_sizes(self.study)
            .unwrap_or_else(|| vec![self.study.scenario().own_sizes()])
    }

    /// Check every setting; nothing is simulated.
    pub fn check(&self) -> Result<(), RunError> {
        if let Some(a) = self.alpha {
            let study = self.study.with_alpha(a)?;
            return self.rebind(&study).check();
        }
        let s = self.study.scenario();
        if s.families.is_empty() {
            return Err(RunError::NoFamilies);
        }
        if self.settings.reps == 0 || self.settings.reps > limits::MAX_REPS {
            return Err(RunError::setting(
                Setting::Reps,
                format!(
                    "must be between 1 and {}, got {}",
                    limits::MAX_REPS,
                    self.settings.reps
                ),
            ));
        }
        if let Some(e) = &self.size_error {
            return Err(RunError::setting(Setting::Sizes, e.clone()));
        }
        if self.threads_given && self.settings.threads == 0 {
            return Err(RunError::setting(Setting::Threads, "must be > 0"));
        }
        if let Some(p) = self.precision {
            if !(p > 0.0 && p < 0.5) {
                return Err(RunError::setting(
                    Setting::Precision,
                    format!("must be in (0, 0.5), got {p}"),
                ));
            }
            if self.shard.is_some() {
                return Err(RunError::setting(
                    Setting::Precision,
                    "an early stop depends on all replicates and cannot be sharded; give the number of trials instead",
                ));
            }
        }
        if let Some((k, m)) = self.shard
            && (k == 0 || k > m)
        {
            return Err(RunError::setting(
                Setting::Shard,
                format!("expected K/M with 1 <= K <= M, got {k}/{m}"),
            ));
        }
        let sizes = self.planned_sizes();
        if sizes.is_empty() {
            return Err(RunError::setting(Setting::Sizes, "no sizes to simulate"));
        }
        if !self.vary.is_empty() {
            if self.shard.is_some() {
                return Err(RunError::setting(
                    Setting::Vary,
                    "a what-if grid cannot be sharded; shard one point at a time (edit the scenario)",
                ));
            }
            for (_, study) in self.grid_studies()? {
                self.point_run(&study).check()?;
            }
            return Ok(());
        }
        for z in &sizes {
            let total = z.controls.checked_add(z.patients());
            if total.is_none_or(|t| t > limits::MAX_SUBJECTS) {
                return Err(RunError::setting(
                    Setting::Sizes,
                    format!(
                        "{} controls and {:?} per arm exceed the limit of {} subjects per trial",
                        z.controls,
                        z.arms,
                        limits::MAX_SUBJECTS
                    ),
                ));
            }
            runnable(s, z, self.shard.is_some())?;
        }
        montecarlo::summary_model(s, self.settings.path)?;
        Ok(())
    }

    /// A run of one grid point's study with these settings (no grid, progress or shard).
    fn point_run<'b>(&self, study: &'b Study) -> PowerRun<'b>
    where
        'a: 'b,
    {
        PowerRun {
            study,
            settings: self.settings.clone(),
            threads_given: self.threads_given,
            sizes: self.point_sizes(study),
            size_error: None,
            precision: self.precision,
            shard: None,
            progress: None,
            cancel: self.cancel,
            totals: None,
            vary: Vec::new(),
            grow: self.grow,
            alpha: None,
        }
    }

    /// This run on another study (the same study with `--alpha` applied), taking over every
    /// setting, the progress callback included.
    fn rebind<'b>(&self, study: &'b Study) -> PowerRun<'b>
    where
        'a: 'b,
    {
        PowerRun {
            study,
            settings: self.settings.clone(),
            threads_given: self.threads_given,
            sizes: self.sizes.clone(),
            size_error: self.size_error.clone(),
            precision: self.precision,
            shard: self.shard,
            progress: None,
            cancel: self.cancel,
            totals: self.totals.clone(),
            vary: self.vary.clone(),
            grow: self.grow,
            alpha: None,
        }
    }

    /// Run every grid point, concatenating their rows.
    fn run_grid(mut self) -> Result<PowerResult, RunError> {
        self.check()?;
        let start = Instant::now();
        let points = self.grid_studies()?;
        let per_point = self.planned_sizes().len() as u64 * self.settings.reps;
        let total = per_point * points.len() as u64;
        let mut rows = Vec::new();
        let mut reps_run = Vec::new();
        let mut not_run = Vec::new();
        let mut grid = Vec::new();
        let mut progress = self.progress.take();
        for (i, (values, study)) in points.into_iter().enumerate() {
            let truths = truth::truths(study.scenario());
            let totals = {
                let mut sub = self.point_run(&study);
                if let Some(f) = progress.as_mut() {
                    let offset = i as u64 * per_point;
                    sub.progress = Some(Box::new(move |p: Progress| {
                        f(Progress {
                            done: offset + p.done,
                            total,
                        })
                    }));
                }
                sub.simulate(&truths)?
            };
            let first = rows.len();
            for st in &totals {
                let acc = st.total.finish();
                reps_run.push(acc.reps);
                rows.extend(st.rows(study.scenario(), &acc, &truths));
                not_run.extend(st.not_run_rows());
            }
            grid.push(GridPoint {
                values,
                rows: first..rows.len(),
                truths,
                study,
            });
        }
        let truths = truth::truths(self.study.scenario());
        Ok(PowerResult {
            table: ResultTable { rows },
            reps: self.settings.reps,
            reps_run,
            seed: self.settings.seed,
            precision: self.precision,
            elapsed_secs: Some(start.elapsed().as_secs_f64()),
            truths,
            study: self.study.clone(),
            grid,
            not_run,
        })
    }

    fn resolved_settings(&self) -> RunSettings {
        let mut set = self.settings.clone();
        // More threads than cores only adds overhead; the results do not depend on the count.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if !self.threads_given || set.threads > cores {
            set.threads = cores;
        }
        set
    }

    /// Simulate, returning the exact totals per size.
    fn simulate(&mut self, truths: &Truths) -> Result<Vec<SizeTotal>, RunError> {
        self.check()?;
        let s = self.study.scenario();
        let set = self.resolved_settings();
        let sizes = self.planned_sizes();
        let blocks = match self.shard {
            Some(km) => shard::blocks(set.reps, km),
            None => 0..montecarlo::n_blocks(set.reps),
        };
        // With a precision target the stopping checks fall at fixed multiples of 4096 trials.
        let wave = if self.precision.is_some() {
            4096 / BLOCK
        } else {
            set.threads.max(1) as u64 * montecarlo::WAVE_PER_THREAD
        };
        let per_size = (blocks.end * BLOCK).min(set.reps) - blocks.start * BLOCK;
        let total_trials = sizes.len() as u64 * per_size;
        let precision = self.precision;
        let cancel = self.cancel;
        let mut out = Vec::new();
        for (k, z) in sizes.iter().enumerate() {
            let done_before = k as u64 * per_size;
            let progress = &mut self.progress;
            // Families that cannot run at this size are left out (and reported), not fatal.
            let (reduced, not_run) = runnable(s, z, self.shard.is_some())?;
            let reduced_truths = reduced.as_ref().map(truth::truths);
            let (s, truths) = match (&reduced, &reduced_truths) {
                (Some(r), Some(t)) => (r, t),
                _ => (s, truths),
            };
            let total = montecarlo::run_blocks_cancellable(
                s,
                z,
                &set,
                blocks.clone(),
                wave,
                truths,
                cancel,
                |t| {
                    if let Some(f) = progress.as_mut() {
                        f(Progress {
                            done: done_before + t.acc.reps,
                            total: total_trials,
                        });
                    }
                    match precision {
                        None => true,
                        Some(p) => montecarlo::diagnosands(s, z, &t.finish(), truths)
                            .iter()
                            .filter(|r| r.metric == Metric::Power)
                            // Continue while any power's SE is above the target (or undefined).
                            .any(|r| r.mc_se.is_nan() || r.mc_se >= p),
                    }
                },
            )?;
            out.push(SizeTotal {
                sizes: z.clone(),
                total,
                reduced: reduced.zip(reduced_truths),
                not_run,
            });
        }
        Ok(out)
    }

    /// Run and return the result table.
    pub fn run(mut self) -> Result<PowerResult, RunError> {
        if let Some(a) = self.alpha {
            let study = self.study.with_alpha(a)?;
            let mut sub = self.rebind(&study);
            sub.progress = self.progress.take();
            return sub.run();
        }
        if !self.vary.is_empty() {
            return self.run_grid();
        }
        if self.shard.is_some() {
            return Err(RunError::setting(
                Setting::Shard,
                "a shard gives a partial result: call run_partial and merge the parts",
            ));
        }
        self.check()?;
        let start = Instant::now();
        let s = self.study.scenario();
        let truths = truth::truths(s);
        let totals = self.simulate(&truths)?;
        let mut rows = Vec::new();
        let mut reps_run = Vec::new();
        let mut not_run = Vec::new();
        for st in &totals {
            let acc = st.total.finish();
            reps_run.push(acc.reps);
            rows.extend(st.rows(s, &acc, &truths));
            not_run.extend(st.not_run_rows());
        }
        Ok(PowerResult {
            table: ResultTable { rows },
            reps: self.settings.reps,
            reps_run,
            seed: self.settings.seed,
            precision: self.precision,
            elapsed_secs: Some(start.elapsed().as_secs_f64()),
            truths,
            study: self.study.clone(),
            grid: Vec::new(),
            not_run,
        })
    }

    /// Run one shard (set with [`PowerRun::shard`]) and return its partial result, to be merged
    /// with the others by [`Study::merge`].
    pub fn run_partial(mut self) -> Result<Partial, RunError> {
        if let Some(a) = self.alpha {
            let study = self.study.with_alpha(a)?;
            return self.rebind(&study).run_partial();
        }
        let Some(km) = self.shard else {
            return Err(RunError::setting(
                Setting::Shard,
                "run_partial needs a shard K of M",
            ));
        };
        self.check()?;
        let truths = truth::truths(self.study.scenario());
        let results = self.simulate(&truths)?;
        Ok(Partial {
            trialsim_partial: shard::FORMAT,
            version: env!("CARGO_PKG_VERSION").into(),
            seed: self.settings.seed,
            reps: self.settings.reps,
            shard: km,
            path: self.settings.path,
            scenario: self.study.spec_json(),
            results: results.into_iter().map(|st| (st.sizes, st.total)).collect(),
            digest: String::new(),
        }
        .seal())
    }
}

/// The result of a power run: the tidy table and what produced it.
#[derive(Debug, Clone)]
pub struct PowerResult {
    /// One row per (size, family, hypothesis, metric).
    pub table: ResultTable,
    /// Trials asked for per size (the maximum when a precision was set).
    pub reps: u64,
    /// Trials actually simulated at each size, in size order.
    pub reps_run: Vec<u64>,
    /// Master seed.
    pub seed: u64,
    /// The precision target, if the run stopped early at one.
    pub precision: Option<f64>,
    /// Wall time of the run (None for merged shards).
    pub elapsed_secs: Option<f64>,
    /// The true values the figures were scored against.
    pub truths: Truths,
    /// The study that was run (the base scenario of a what-if grid).
    pub study: Study,
    /// The points of a what-if grid ([`PowerRun::vary`]), in row order; empty otherwise.
    pub grid: Vec<GridPoint>,
    /// Families left out at a size because a group was too small for their analysis (the other
    /// families' figures are in the table).
    pub not_run: Vec<NotRun>,
}

/// A family that was not run at one size: a group had fewer subjects than its analysis needs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NotRun {
    /// Total enrolled at that size.
    pub n_total: usize,
    /// Controls.
    pub n_controls: usize,
    /// Patients.
    pub n_patients: usize,
    /// The family.
    pub family: String,
    /// The group that is too small (`controls`, `patients` or an arm), possibly a gate's.
    pub group: String,
    /// Subjects the analysis needs in that group.
    pub need: usize,
    /// Subjects the group has.
    pub have: usize,
}

impl std::fmt::Display for NotRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: not run at N = {} ({} controls, {} patients): needs {} {}, has {}",
            self.family,
            self.n_total,
            self.n_controls,
            self.n_patients,
            self.need,
            self.group,
            self.have
        )
    }
}

/// One size's simulation: its totals, and the reduced plan when some families could not run.
struct SizeTotal {
    sizes: Sizes,
    total: Total,
    reduced: Option<(Scenario, Truths)>,
    not_run: Vec<crate::scenario::Shortfall>,
}

impl SizeTotal {
    /// The result rows (scored with the plan that was run).
    fn rows(
        &self,
        s: &Scenario,
        acc: &montecarlo::Accumulator,
        truths: &Truths,
    ) -> Vec<montecarlo::Row> {
        match &self.reduced {
            Some((r, t)) => montecarlo::diagnosands(r, &self.sizes, acc, t),
            None => montecarlo::diagnosands(s, &self.sizes, acc, truths),
        }
    }

    fn not_run_rows(&self) -> impl Iterator<Item = NotRun> + '_ {
        self.not_run.iter().map(|sh| NotRun {
            n_total: self.sizes.total(),
            n_controls: self.sizes.controls,
            n_patients: self.sizes.patients(),
            family: sh.family.clone(),
            group: sh.group.clone(),
            need: sh.need,
            have: sh.have,
        })
    }
}

/// The plan that can run at `z`: `None` when every family can, else the plan without the
/// families that cannot (with their shortfalls). No family at all, or a shard (whose parts must
/// all have the same plan), is a [`RunError::TooFewSubjects`].
fn runnable(
    s: &Scenario,
    z: &Sizes,
    strict: bool,
) -> Result<(Option<Scenario>, Vec<crate::scenario::Shortfall>), RunError> {
    let short = s.shortfalls(z);
    let Some(first) = short.first() else {
        return Ok((None, short));
    };
    if strict || short.len() == s.families.len() {
        return Err(RunError::TooFewSubjects {
            family: first.family.clone(),
            group: first.group.clone(),
            need: first.need,
            have: first.have,
        });
    }
    let keep: Vec<String> = s
        .families
        .iter()
        .filter(|f| !short.iter().any(|x| x.family == f.name))
        .map(|f| f.name.clone())
        .collect();
    let reduced = s.keep_families(&keep).map_err(|p| {
        RunError::setting(
            Setting::Sizes,
            format!(
                "the families that can run at this size do not form a plan: {}",
                p.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
    })?;
    Ok((Some(reduced), short))
}

/// One point of a what-if grid.
#[derive(Debug, Clone)]
pub struct GridPoint {
    /// The varied parameters and their values here, in the order they were given.
    pub values: Vec<(String, f64)>,
    /// This point's rows in [`PowerResult::table`].
    pub rows: std::ops::Range<usize>,
    /// The true values this point's figures were scored against.
    pub truths: Truths,
    /// The edited study.
    pub study: Study,
}

impl PowerResult {
    /// Total number of trials simulated.
    pub fn trials(&self) -> u64 {
        self.reps_run.iter().sum()
    }
}
