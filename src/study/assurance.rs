//! Planning under uncertainty: simulate with parameters drawn from the scenario's design priors.
//!
//! Every simulated trial first draws its true parameters from the priors (one uniform per prior, in
//! path order, from its own random stream keyed by (seed, replicate), see [`PRIOR_STREAM`]), builds
//! the scenario with those values ([`Study::with_value`] for each path, then
//! [`Study::with_effect_scale`] for `effect_scale`), and simulates the trial exactly as a
//! fixed-value run would, from the same subject streams (common random numbers with the
//! fixed-value run and across sizes). Runs without priors never touch this module, so their
//! results are unchanged.
//!
//! Reported per hypothesis (metric names in the result rows):
//! - `assurance`: the share of trials that reject, i.e. power averaged over the prior;
//! - `assurance_expected_sign`: rejections whose estimate has the sign of the effect at the point
//!   values (the success a planner hopes for), and `prior_expected_sign`, the share of draws whose
//!   true effect has that sign (its limit as N grows);
//! - `conditional_power_q10` ... `_q90`: quantiles of the power over the prior, by binning (see
//!   [`AssuranceRun::run`]);
//! - the usual truth-based figures (bias, RMSE, coverage, type S and M), each trial against its
//!   own drawn truth; `true_value` is the mean drawn truth.
//!
//! Prediction families are left out (their truths come from large population samples that cannot
//! be redrawn per trial); the result names them.

use super::Study;
use super::vary::{EFFECT_SCALE, set_path};
use crate::analysis::{Analyzer, TrialResult};
use crate::error::{Problem, RunError, ScenarioError, Setting};
use crate::model::Cohort;
use crate::model::summary::SummaryDraw;
use crate::montecarlo::truth::{self, Truth, Truths};
use crate::montecarlo::{
    Accumulator, BLOCK, Metric, Row, RunSettings, Sampler, SimPath, check_sizes, diagnosands,
    n_blocks, summary_model,
};
use crate::scenario::prior::{Prior, PriorSpec};
use crate::scenario::{FamilyKind, Scenario, ScenarioSpec, Sizes};
use rand::RngExt;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

/// Stream id of the prior draws (a name-derived id far from the subject and allocation streams).
pub const PRIOR_STREAM: u64 = 0x7072_696f_7273_0000;

/// Quantiles of conditional power reported.
pub const QUANTILES: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 0.9];

/// One parameter's prior, checked against the scenario.
#[derive(Debug, Clone, Serialize)]
pub struct DesignPrior {
    /// Parameter path or `effect_scale`.
    pub path: String,
    /// The prior as written.
    pub spec: PriorSpec,
    /// The parameter's value in the scenario (1 for `effect_scale`; NaN when the field is left
    /// to its default).
    pub point: f64,
    /// Its value when every effect is null (`effect_scale` 0); None for a parameter that is not
    /// an effect (effect_scale leaves it alone).
    pub null: Option<f64>,
    /// Quantiles of the prior at [`QUANTILES`].
    pub quantiles: Vec<f64>,
    /// Prior probability that the parameter is at the null or on its other side from the point
    /// value (None without a null or when the point value is the null).
    pub p_null_or_opposite: Option<f64>,
    #[serde(skip)]
    prior: Prior,
}

impl DesignPrior {
    /// The parameter value at prior probability `u`.
    pub fn quantile(&self, u: f64) -> f64 {
        self.prior.quantile(u)
    }
}

impl Study {
    /// The scenario's design priors, each checked: the path names a numeric field that can be
    /// edited (not a group size or the analysis plan), the scenario stays valid at the prior's
    /// median, and the prior itself is well formed.
    ///
    /// ```
    /// let text = r#"{"name": "x", "design": {"controls": 20, "patients": 20,
    ///   "arms": [{"name": "p", "ratio": 1}]},
    ///   "measures": {"regions": [{"name": "r", "control_mean": 1, "between_sd": 0.1,
    ///                              "patient_shift_d": 0.5}]},
    ///   "priors": {"measures.regions.r.patient_shift_d": {"normal": {"mean": 0.5, "sd": 0.2}}}}"#;
    /// let study = trialsim::Study::from_json("x.json", text).unwrap();
    /// let p = &study.design_priors().unwrap()[0];
    /// assert_eq!((p.point, p.null), (0.5, Some(0.0)));
    /// assert!((p.p_null_or_opposite.unwrap() - 0.0062096653257761).abs() < 1e-9); // Phi(-2.5)
    /// ```
    pub fn design_priors(&self) -> Result<Vec<DesignPrior>, ScenarioError> {
        let base = self.without_priors();
        let mut problems = Vec::new();
        let mut out = Vec::new();
        let zero = base.with_effect_scale(0.0).ok().map(|s| s.spec_json());
        let json = base.spec_json();
        for (path, spec) in &self.scenario.spec.priors {
            let at = format!("priors.{path}");
            let prior = match Prior::new(spec, &at) {
                Ok(p) => p,
                Err(p) => {
                    problems.extend(p);
                    continue;
                }
            };
            let mut problem = |message: String| {
                problems.push(Problem {
                    path: at.clone(),
                    message,
                })
            };
            if path.starts_with("design.") || path.starts_with("analysis.") {
                problem(
                    "group sizes and the analysis plan cannot have a prior (they are choices, not \
                     unknowns); give a prior to an effect, e.g. arms.ARM.improvement_mean or \
                     effect_scale"
                        .into(),
                );
                continue;
            }
            let median = prior.quantile(0.5);
            let (point, null) = if path == EFFECT_SCALE {
                (1.0, Some(0.0))
            } else {
                let segs: Vec<&str> = path.split('.').collect();
                let point = get_path(&json, &segs).unwrap_or(f64::NAN);
                // An effect is a field that effect_scale 0 moves (from a value off its null).
                let moved = base
                    .with_value(path, point.max(0.0) + 1.0)
                    .ok()
                    .and_then(|s| s.with_effect_scale(0.0).ok())
                    .and_then(|s| get_path(&s.spec_json(), &segs))
                    .is_some_and(|v| v != point.max(0.0) + 1.0);
                let null = if moved {
                    zero.as_ref().and_then(|z| get_path(z, &segs))
                } else {
                    None
                };
                (point, null)
            };
            if let Err(e) = base.with_value(path, median) {
                problem(format!(
                    "cannot set this parameter to the prior's median {median}: {e}"
                ));
                continue;
            }
            let p_null_or_opposite = match null {
                Some(n) if point.is_finite() && point > n => Some(prior.cdf(n)),
                Some(n) if point.is_finite() && point < n => Some(1.0 - prior.cdf(n)),
                _ => None,
            };
            out.push(DesignPrior {
                path: path.clone(),
                spec: spec.clone(),
                point,
                null,
                quantiles: QUANTILES.iter().map(|&u| prior.quantile(u)).collect(),
                p_null_or_opposite,
                prior,
            });
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(ScenarioError::Invalid {
                file: self.label.clone(),
                problems,
            })
        }
    }

    /// The study at its point values (the priors removed).
    pub fn without_priors(&self) -> Study {
        if self.scenario.spec.priors.is_empty() {
            return self.clone();
        }
        let mut spec = self.scenario.spec.clone();
        spec.priors.clear();
        let scenario = crate::scenario::resolve(spec).expect("the priors do not affect validity");
        Study {
            scenario,
            label: self.label.clone(),
            text: None,
        }
    }

    /// An assurance run over the scenario's priors: configure it, then [`AssuranceRun::run`].
    pub fn assurance(&self) -> AssuranceRun<'_> {
        AssuranceRun {
            study: self,
            settings: RunSettings::default(),
            threads_given: false,
            sizes: None,
            family: None,
        }
    }
}

/// The number at `path` in a scenario's JSON (the first match of a wildcard; a number standing
/// for every region answers for each region).
fn get_path(v: &Value, segs: &[&str]) -> Option<f64> {
    let (head, rest) = segs.split_first()?;
    let child = match v {
        Value::Number(n) if rest.is_empty() => return n.as_f64(),
        Value::Object(m) if *head == "*" => {
            return m
                .values()
                .find_map(|c| get_path(c, rest).or_else(|| num(c, rest)));
        }
        Value::Object(m) => m.get(*head).or_else(|| m.get("*"))?,
        Value::Array(items) => {
            items
                .iter()
                .enumerate()
                .find(|(i, c)| {
                    *head == "*"
                        || c.get("name").and_then(Value::as_str) == Some(head)
                        || i.to_string() == *head
                })?
                .1
        }
        _ => return None,
    };
    if rest.is_empty() {
        return match child {
            Value::Number(n) => n.as_f64(),
            Value::Object(m) => m.get("*").or_else(|| m.values().next())?.as_f64(),
            _ => None,
        };
    }
    get_path(child, rest)
}

fn num(c: &Value, rest: &[&str]) -> Option<f64> {
    if rest.is_empty() { c.as_f64() } else { None }
}

/// A configured assurance run (a builder).
pub struct AssuranceRun<'a> {
    pub(super) study: &'a Study,
    pub(super) settings: RunSettings,
    pub(super) threads_given: bool,
    pub(super) sizes: Option<Sizes>,
    pub(super) family: Option<String>,
}

impl AssuranceRun<'_> {
    run_settings!("size");

    /// Total enrolment, split as the scenario splits it. Default: the scenario's own sizes.
    pub fn n(mut self, n: usize) -> Self {
        self.sizes = Some(self.study.scenario.sizes_for_total(n));
        self
    }

    /// Exact group sizes.
    pub fn sizes(mut self, sizes: Sizes) -> Self {
        self.sizes = Some(sizes);
        self
    }

    /// Simulate only this family (and the families gating it).
    pub fn family(mut self, name: &str) -> Self {
        self.family = Some(name.to_string());
        self
    }

    pub(super) fn plan(&mut self) -> Result<Plan, RunError> {
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
        Plan::new(self.study, self.family.as_deref())
    }

    /// Simulate `reps` trials, each from its own prior draw, at the chosen sizes.
    ///
    /// Conditional power quantiles (one prior only): the trials are put in B bins of equal prior
    /// probability by their draw's place u in the prior (B = reps / 100, between 5 and 20); each
    /// bin's rejection rate stands for the power over its slice of the prior; the q-quantile is the
    /// bin at rank ceil(q B) among the bins sorted by that rate, reported with the bin's binomial
    /// Monte Carlo SE. Approximate twice over: a bin averages the power over 1/B of the prior, and
    /// sorting noisy bins pushes the outer quantiles outwards by about one SE.
    pub fn run(mut self) -> Result<AssuranceResult, RunError> {
        let plan = self.plan()?;
        let sizes = self
            .sizes
            .clone()
            .unwrap_or_else(|| plan.base.scenario.own_sizes());
        plan.run(&sizes, &self.settings, None)
    }
}

/// The scenario and priors of an assurance run.
pub(super) struct Plan {
    pub(super) base: Study,
    json: Value,
    pub(super) priors: Vec<DesignPrior>,
    point_truths: Truths,
    pub(super) skipped: Vec<String>,
}

impl Plan {
    fn new(study: &Study, family: Option<&str>) -> Result<Plan, RunError> {
        let priors = study
            .design_priors()
            .map_err(|e| RunError::InvalidPoint(Box::new(e)))?;
        if priors.is_empty() {
            return Err(RunError::setting(
                Setting::Vary,
                format!(
                    "{} has no priors: add a top-level \"priors\" object, e.g. \
                     {{\"effect_scale\": {{\"normal\": {{\"mean\": 1, \"sd\": 0.5}}}}}}",
                    study.label()
                ),
            ));
        }
        let point = study.without_priors();
        let mut spec: ScenarioSpec = point.scenario.spec.clone();
        let skipped: Vec<String> = point
            .scenario
            .families
            .iter()
            .filter(|f| f.kind == FamilyKind::Prediction)
            .map(|f| f.name.clone())
            .collect();
        spec.analysis
            .families
            .retain(|f| f.kind != FamilyKind::Prediction);
        let mut base = Study::from_spec(point.label(), spec)
            .map_err(|e| RunError::InvalidPoint(Box::new(e)))?;
        if let Some(f) = family {
            base.scenario = base.only_family(f)?;
        }
        if base.scenario.families.is_empty() {
            return Err(RunError::NoFamilies);
        }
        Ok(Plan {
            json: base.spec_json(),
            point_truths: truth::truths(&base.scenario),
            base,
            priors,
            skipped,
        })
    }

    /// The scenario at one draw of the priors.
    fn scenario_at(&self, values: &[f64]) -> Result<Scenario, String> {
        let mut scale = None;
        let mut json = None;
        for (p, &v) in self.priors.iter().zip(values) {
            if p.path == EFFECT_SCALE {
                scale = Some(v);
                continue;
            }
            let j = json.get_or_insert_with(|| self.json.clone());
            let segs: Vec<&str> = p.path.split('.').collect();
            set_path(j, &segs, v).map_err(|e| format!("{}: {e}", p.path))?;
        }
        let study = match json {
            None => self.base.clone(),
            Some(j) => {
                let spec: ScenarioSpec = serde_json::from_value(j).map_err(|e| e.to_string())?;
                Study::from_spec(self.base.label(), spec).map_err(|e| e.to_string())?
            }
        };
        match scale {
            None => Ok(study.scenario),
            Some(k) => study
                .with_effect_scale(k)
                .map(|s| s.scenario)
                .map_err(|e| e.to_string()),
        }
    }

    fn bins(&self, reps: u64) -> usize {
        if self.priors.len() == 1 {
            ((reps / 100) as usize).clamp(5, 20)
        } else {
            1
        }
    }

    pub(super) fn run(
        &self,
        sizes: &Sizes,
        settings: &RunSettings,
        cancel: Option<&std::sync::atomic::AtomicBool>,
    ) -> Result<AssuranceResult, RunError> {
        let s0 = &self.base.scenario;
        check_sizes(s0, sizes)?;
        // The path must be valid for the scenario at its point values (as for a fixed run).
        summary_model(s0, settings.path)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(settings.threads.max(1))
            .build()
            .map_err(|e| {
                RunError::setting(Setting::Threads, format!("cannot start thread pool: {e}"))
            })?;
        let bins = self.bins(settings.reps);
        let (seed, reps) = (settings.seed, settings.reps);
        let cancelled = || cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
        let parts: Vec<Block> = pool.install(|| {
            (0..n_blocks(reps))
                .into_par_iter()
                .map_init(
                    || {
                        (
                            Cohort::default(),
                            SummaryDraw::default(),
                            Analyzer::default(),
                            TrialResult::new(s0),
                        )
                    },
                    |(cohort, sd, an, tr), blk| {
                        let mut b = Block::new(s0, bins);
                        if cancelled() {
                            return b;
                        }
                        for rep in blk * BLOCK..((blk + 1) * BLOCK).min(reps) {
                            let mut g = crate::rng::stream(seed, rep, PRIOR_STREAM);
                            let us: Vec<f64> = self.priors.iter().map(|_| g.random()).collect();
                            let values: Vec<f64> = self
                                .priors
                                .iter()
                                .zip(&us)
                                .map(|(p, &u)| p.quantile(u))
                                .collect();
                            let s = match self.scenario_at(&values) {
                                Ok(s) => s,
                                Err(why) => {
                                    b.invalid += 1;
                                    b.first_invalid.get_or_insert_with(|| {
                                        format!("{} ({why})", describe(&self.priors, &values))
                                    });
                                    continue;
                                }
                            };
                            let truths = truth::truths(&s);
                            // A drawn scenario where the requested summary path is not exact
                            // is skipped, as before.
                            let Ok(sampler) = Sampler::new(&s, settings.path) else {
                                continue;
                            };
                            let data = sampler.draw(&s, sizes, seed, rep, cohort, sd);
                            an.analyse(&s, &data, seed, rep, &truths.holdouts, tr);
                            let bin = ((us[0] * bins as f64) as usize).min(bins - 1);
                            b.bins[bin].add(tr, &truths);
                            b.side.add(tr, &truths, &self.point_truths);
                        }
                        b
                    },
                )
                .collect()
        });
        if cancelled() {
            return Err(RunError::Cancelled);
        }
        let mut total = Block::new(s0, bins);
        for p in &parts {
            total.merge(p);
        }
        Ok(self.result(sizes, settings, &total))
    }
}

fn describe(priors: &[DesignPrior], values: &[f64]) -> String {
    priors
        .iter()
        .zip(values)
        .map(|(p, v)| format!("{} = {v:.6}", p.path))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Per-hypothesis sums that the fixed-truth accumulator does not keep.
#[derive(Debug, Clone, Default)]
pub(super) struct HypSide {
    pub(super) n: u64,
    sum_truth: f64,
    sum_truth2: f64,
    pub(super) nonnull: u64,
    err_n: u64,
    sum_err: f64,
    sum_err2: f64,
    pub(super) expected_truth: u64,
    pub(super) expected_reject: u64,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Side(pub(super) Vec<Vec<HypSide>>);

impl Side {
    fn new(s: &Scenario) -> Side {
        Side(
            s.families
                .iter()
                .map(|f| vec![HypSide::default(); s.hypotheses(f).len()])
                .collect(),
        )
    }

    fn add(&mut self, tr: &TrialResult, truths: &Truths, point: &Truths) {
        for (((fs, fr), ft), pt) in self
            .0
            .iter_mut()
            .zip(&tr.families)
            .zip(&truths.hypotheses)
            .zip(&point.hypotheses)
        {
            for (h, hs) in fs.iter_mut().enumerate() {
                let (o, rej, t) = (&fr.outcomes[h], fr.reject[h], ft[h]);
                hs.n += 1;
                hs.sum_truth += t.value;
                hs.sum_truth2 += t.value * t.value;
                hs.nonnull += !t.is_null as u64;
                if o.is_valid() {
                    let e = o.estimate - t.value;
                    hs.err_n += 1;
                    hs.sum_err += e;
                    hs.sum_err2 += e * e;
                }
                let sign = expected_sign(&pt[h]);
                if sign != 0.0 {
                    hs.expected_truth += (!t.is_null && t.value.signum() == sign) as u64;
                    hs.expected_reject +=
                        (rej && o.is_valid() && o.estimate.signum() == sign) as u64;
                }
            }
        }
    }

    fn merge(&mut self, o: &Side) {
        for (a, b) in self.0.iter_mut().flatten().zip(o.0.iter().flatten()) {
            a.n += b.n;
            a.sum_truth += b.sum_truth;
            a.sum_truth2 += b.sum_truth2;
            a.nonnull += b.nonnull;
            a.err_n += b.err_n;
            a.sum_err += b.sum_err;
            a.sum_err2 += b.sum_err2;
            a.expected_truth += b.expected_truth;
            a.expected_reject += b.expected_reject;
        }
    }
}

fn expected_sign(t: &Truth) -> f64 {
    if t.is_null || t.value == 0.0 {
        0.0
    } else {
        t.value.signum()
    }
}

struct Block {
    bins: Vec<Accumulator>,
    side: Side,
    invalid: u64,
    first_invalid: Option<String>,
}

impl Block {
    fn new(s: &Scenario, bins: usize) -> Block {
        Block {
            bins: vec![Accumulator::new(s); bins],
            side: Side::new(s),
            invalid: 0,
            first_invalid: None,
        }
    }

    fn merge(&mut self, o: &Block) {
        for (a, b) in self.bins.iter_mut().zip(&o.bins) {
            a.merge(b);
        }
        self.side.merge(&o.side);
        self.invalid += o.invalid;
        if self.first_invalid.is_none() {
            self.first_invalid.clone_from(&o.first_invalid);
        }
    }
}

/// The outcome of an assurance run at one set of sizes.
#[derive(Debug, Clone, Serialize)]
pub struct AssuranceResult {
    /// Group sizes simulated.
    pub sizes: Sizes,
    /// Result rows (metric names in the module documentation), in the tidy table's layout.
    pub rows: Vec<Row>,
    /// The priors, with their quantiles and null probabilities.
    pub priors: Vec<DesignPrior>,
    /// Trials asked for.
    pub reps: u64,
    /// Master seed.
    pub seed: u64,
    /// Bins of the conditional-power quantiles (1: not computed, several priors).
    pub bins: usize,
    /// Draws whose scenario was invalid (not simulated; every figure is over the valid ones).
    pub invalid_draws: u64,
    /// The first such draw and why.
    pub first_invalid: Option<String>,
    /// Prediction families left out of the run.
    pub skipped_families: Vec<String>,
}

impl AssuranceResult {
    /// The row of `family`:`hypothesis`:`metric`.
    pub fn get(&self, family: &str, hypothesis: &str, metric: &str) -> Option<&Row> {
        self.rows.iter().find(|r| {
            r.family == family && r.hypothesis == hypothesis && r.metric.as_str() == metric
        })
    }
}

#[path = "assurance_rows.rs"]
mod rows;

#[cfg(test)]
#[path = "assurance_tests.rs"]
mod tests;
