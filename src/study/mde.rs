//! `Study::mde()`: the minimum detectable effect, the smallest `effect_scale` (or another
//! parameter) at which a criterion reaches its target at a given size.
//!
//! The search is the sample-size search's, over a number instead of N: every value is simulated
//! with the same seed (common random numbers: the trials at two values share every random draw,
//! so the estimated power is close to monotone in the value), and three bisections give the
//! smallest value whose estimate reaches the target and the range consistent with Monte Carlo
//! error (the smallest value whose 95 % upper bound reaches it, and the smallest whose lower bound
//! does). Power must grow with the parameter over `[lo, hi]`; if the target is not reached at `hi`
//! the result says so, nothing is extrapolated.

use super::Study;
use super::vary::EFFECT_SCALE;
use crate::error::{RunError, Setting};
use crate::montecarlo::search::Criterion;
use crate::montecarlo::{self, Metric, Row, RunSettings, SimPath, truth};
use crate::scenario::{Endpoint, FamilyKind, Scenario, Sizes};
use std::time::Instant;

type StepFn<'a> = Box<dyn FnMut(f64, &Row) + 'a>;

/// A configured minimum-detectable-effect search (a builder): [`Study::mde`], settings,
/// [`MdeRun::run`].
///
/// ```
/// let study = trialsim::Study::load("peer-comparison").unwrap();
/// let r = study.mde("regions:r01", 0.8).reps(512).seed(1).threads(1).hi(3.0).run().unwrap();
/// let k = r.value.expect("reached within [lo, hi]");
/// assert!(k > 0.0 && k < 3.0 && r.value_low.unwrap() <= k);
/// ```
pub struct MdeRun<'a> {
    study: &'a Study,
    criterion: String,
    target: f64,
    param: String,
    n: Option<usize>,
    lo: f64,
    hi: f64,
    tolerance: Option<f64>,
    settings: RunSettings,
    threads_given: bool,
    step: Option<StepFn<'a>>,
}

impl Study {
    /// A search for the smallest effect at which `criterion` (`FAMILY:HYPOTHESIS`) reaches
    /// `target`: see [`MdeRun`].
    pub fn mde(&self, criterion: &str, target: f64) -> MdeRun<'_> {
        MdeRun {
            study: self,
            criterion: criterion.to_string(),
            target,
            param: EFFECT_SCALE.to_string(),
            n: None,
            lo: 0.0,
            hi: 2.0,
            tolerance: None,
            settings: RunSettings::default(),
            threads_given: false,
            step: None,
        }
    }
}

impl<'a> MdeRun<'a> {
    /// The parameter searched (a scenario path, see [`Study::with_value`]). Default
    /// `effect_scale`.
    pub fn param(mut self, path: &str) -> Self {
        self.param = path.to_string();
        self
    }

    /// Total N (split by the scenario's ratios). Default: the scenario's own sizes.
    pub fn n(mut self, n: usize) -> Self {
        self.n = Some(n);
        self
    }

    /// Lower end of the search. Default 0.
    pub fn lo(mut self, lo: f64) -> Self {
        self.lo = lo;
        self
    }

    /// Upper end of the search. Default 2.
    pub fn hi(mut self, hi: f64) -> Self {
        self.hi = hi;
        self
    }

    /// Stop bisecting when the bracket is this narrow. Default (hi - lo) / 2^12.
    pub fn tolerance(mut self, tol: f64) -> Self {
        self.tolerance = Some(tol);
        self
    }

    run_settings!("evaluated value");

    /// Called after each evaluated value with the criterion's row there.
    pub fn on_step(mut self, f: impl FnMut(f64, &Row) + 'a) -> Self {
        self.step = Some(Box::new(f));
        self
    }

    /// The study at `value`, reduced to the criterion's family, and its sizes.
    fn point(&self, crit: &Criterion, value: f64) -> Result<(Scenario, Sizes), RunError> {
        let study = self.study.with_value(&self.param, value)?;
        let only = study.only_family(&crit.family)?;
        let sizes = match self.n {
            Some(n) => only.sizes_for_total(n),
            None => only.own_sizes(),
        };
        montecarlo::check_sizes(&only, &sizes)?;
        Ok((only, sizes))
    }

    /// Run the search.
    pub fn run(mut self) -> Result<MdeResult, RunError> {
        if self.settings.reps == 0 {
            return Err(RunError::setting(Setting::Reps, "must be > 0"));
        }
        if self.threads_given && self.settings.threads == 0 {
            return Err(RunError::setting(Setting::Threads, "must be > 0"));
        }
        if !self.threads_given {
            self.settings.threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        }
        if !(self.target > 0.0 && self.target < 1.0) {
            return Err(RunError::setting(
                Setting::Target,
                format!("must be in (0, 1), got {}", self.target),
            ));
        }
        let (lo, asked_hi) = (self.lo, self.hi);
        if !(lo.is_finite() && asked_hi.is_finite() && lo < asked_hi) {
            return Err(RunError::setting(
                Setting::Vary,
                format!("the search range needs finite lo < hi, got [{lo}, {asked_hi}]"),
            ));
        }
        let tol = self.tolerance.unwrap_or((asked_hi - lo) / 4096.0);
        if !(tol > 0.0) {
            return Err(RunError::setting(
                Setting::Vary,
                format!("the tolerance must be > 0, got {tol}"),
            ));
        }
        let crit: Criterion = self.criterion.parse()?;
        crit.check(self.study.scenario())?;
        let start = Instant::now();
        // Both ends must be valid scenarios before anything is simulated. An upper end that is
        // not (e.g. correlations that stop being positive definite as effects grow) is lowered
        // to the largest valid value, found by bisection on validity to within the tolerance.
        self.point(&crit, lo)?;
        let (hi, upper_limited) = match self.point(&crit, asked_hi) {
            Ok(_) => (asked_hi, None),
            Err(RunError::InvalidPoint(why)) => {
                let (mut a, mut b) = (lo, asked_hi);
                while b - a > tol {
                    let m = a + (b - a) / 2.0;
                    match self.point(&crit, m) {
                        Ok(_) => a = m,
                        Err(RunError::InvalidPoint(_)) => b = m,
                        Err(e) => return Err(e),
                    }
                }
                (
                    a,
                    Some(UpperLimit {
                        asked: asked_hi,
                        largest_valid: a,
                        first_invalid: b,
                        why: why.to_string(),
                    }),
                )
            }
            Err(e) => return Err(e),
        };
        let at_most = crit.at_most();
        let target = self.target;
        let mut step = self.step.take();
        let mut evaluated: Vec<(f64, Vec<Row>)> = Vec::new();
        let mut eval = |x: f64| -> Result<Row, RunError> {
            if let Some((_, rows)) = evaluated.iter().find(|(v, _)| *v == x) {
                return Ok(crit.pick(rows).expect("criterion checked").clone());
            }
            let (s, sizes) = self.point(&crit, x)?;
            let truths = truth::truths(&s);
            let acc = montecarlo::run(&s, &sizes, &self.settings, &truths)?;
            let rows = montecarlo::diagnosands(&s, &sizes, &acc, &truths);
            let row = crit.pick(&rows).expect("criterion checked").clone();
            if let Some(f) = step.as_mut() {
                f(x, &row);
            }
            evaluated.push((x, rows));
            Ok(row)
        };
        let reach = |v: f64| if at_most { v <= target } else { v >= target };
        let bound = |r: &Row, optimistic: bool| {
            if at_most == optimistic {
                r.ci_low
            } else {
                r.ci_high
            }
        };
        // Smallest x in [lo, hi] (to within tol) with pred, if pred(hi) holds.
        let mut smallest = |pred: &dyn Fn(&Row) -> bool| -> Result<Option<f64>, RunError> {
            if !pred(&eval(hi)?) {
                return Ok(None);
            }
            if pred(&eval(lo)?) {
                return Ok(Some(lo));
            }
            let (mut a, mut b) = (lo, hi);
            while b - a > tol {
                let m = a + (b - a) / 2.0;
                if pred(&eval(m)?) {
                    b = m;
                } else {
                    a = m;
                }
            }
            Ok(Some(b))
        };
        let value = smallest(&|r: &Row| reach(r.value))?;
        let value_low = smallest(&|r: &Row| reach(bound(r, true)))?;
        let value_high = smallest(&|r: &Row| reach(bound(r, false)))?;
        let at_value = value.map(&mut eval).transpose()?;
        let (effects, sizes) = match value {
            Some(v) => {
                let (s, sizes) = self.point(&crit, v)?;
                let rows = &evaluated
                    .iter()
                    .find(|(x, _)| *x == v)
                    .expect("evaluated")
                    .1;
                (effects(&s, &crit, rows), sizes)
            }
            None => (Vec::new(), self.point(&crit, hi)?.1),
        };
        evaluated.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(MdeResult {
            criterion: crit,
            target,
            param: self.param.clone(),
            value,
            value_low,
            value_high,
            at_value,
            effects,
            sizes,
            range: (lo, hi),
            upper_limited,
            evaluated,
            reps: self.settings.reps,
            seed: self.settings.seed,
            elapsed_secs: start.elapsed().as_secs_f64(),
        })
    }
}

/// The outcome of a minimum-detectable-effect search.
#[derive(Debug, Clone)]
pub struct MdeResult {
    /// The criterion.
    pub criterion: Criterion,
    /// Its target.
    pub target: f64,
    /// The parameter searched (`effect_scale` or a scenario path).
    pub param: String,
    /// Smallest value whose estimate reaches the target (None: not reached at the upper end).
    pub value: Option<f64>,
    /// Smallest value whose upper 95 % MC bound reaches the target (the optimistic end).
    pub value_low: Option<f64>,
    /// Smallest value whose lower 95 % MC bound reaches the target (None: not within the range).
    pub value_high: Option<f64>,
    /// The criterion's row at `value`.
    pub at_value: Option<Row>,
    /// What `value` means for each hypothesis of the criterion (all the family's hypotheses
    /// for `any`, `all` and `at_least_k`).
    pub effects: Vec<Effect>,
    /// The group sizes simulated.
    pub sizes: Sizes,
    /// The search range (its upper end lowered when the one asked for is not a valid
    /// scenario; see `upper_limited`).
    pub range: (f64, f64),
    /// Set when the upper end asked for gives an invalid scenario: the search then ran up to the
    /// largest valid value.
    pub upper_limited: Option<UpperLimit>,
    /// Every value evaluated (ascending) with its result rows.
    pub evaluated: Vec<(f64, Vec<Row>)>,
    /// Trials per value.
    pub reps: u64,
    /// Master seed.
    pub seed: u64,
    /// Wall time.
    pub elapsed_secs: f64,
}

/// An upper end lowered to the largest value that gives a valid scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct UpperLimit {
    /// The upper end asked for.
    pub asked: f64,
    /// The largest value found valid (to within the search tolerance): the upper end used.
    pub largest_valid: f64,
    /// The smallest value found invalid (within the tolerance above `largest_valid`).
    pub first_invalid: f64,
    /// Why the asked upper end is invalid (the scenario's problems).
    pub why: String,
}

/// The effect a hypothesis has at the minimum detectable value.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    /// Family.
    pub family: String,
    /// Hypothesis.
    pub hypothesis: String,
    /// The true value of the estimand there (the `true_value` row), in its natural unit.
    pub value: f64,
    /// The SD it is measured against (None where no SD applies: proportions, correlations,
    /// crossover contrasts).
    pub sd: Option<f64>,
    /// `value / sd`: a standardised mean difference (Cohen's d; for a within-arm change d_z).
    pub d: Option<f64>,
    /// What the SD is.
    pub sd_is: &'static str,
}

/// The effects behind the criterion's hypotheses at one point.
fn effects(s: &Scenario, crit: &Criterion, rows: &[Row]) -> Vec<Effect> {
    let Some(f) = s.families.iter().find(|f| f.name == crit.family) else {
        return Vec::new();
    };
    let hyps = s.hypotheses(f);
    let chosen: Vec<String> = if hyps.contains(&crit.hypothesis) {
        vec![crit.hypothesis.clone()]
    } else {
        hyps
    };
    chosen
        .into_iter()
        .filter_map(|h| {
            let value = rows
                .iter()
                .find(|r| r.family == f.name && r.hypothesis == h && r.metric == Metric::TrueValue)?
                .value;
            let (sd, sd_is) = sd_of(s, f, &h);
            Some(Effect {
                family: f.name.clone(),
                hypothesis: h,
                value,
                sd,
                d: sd.map(|sd| value / sd),
                sd_is,
            })
        })
        .collect()
}

/// The SD of one observation of the hypothesis' outcome (observed scale: measurement error
/// included), pooled over the two groups compared.
fn sd_of(s: &Scenario, f: &crate::scenario::Family, h: &str) -> (Option<f64>, &'static str) {
    let pooled = |a: f64, b: f64| ((a * a + b * b) / 2.0).sqrt();
    let (a, b) = (&s.arms.get(f.arms.0), &s.arms.get(f.arms.1));
    let region = s.region_index(h);
    let change_sd = |arm: &crate::scenario::Arm, r: usize| {
        let e = s.regions[r].meas_sd;
        (arm.tau[r].powi(2) + 2.0 * e * e).sqrt()
    };
    match (f.kind, region) {
        (FamilyKind::BaselineDifference, Some(r)) => {
            let reg = &s.regions[r];
            (
                Some((reg.sigma.powi(2) + reg.meas_sd.powi(2)).sqrt()),
                "SD of one observed scan (between-subject and measurement error)",
            )
        }
        (FamilyKind::ArmChange, Some(r)) => match (a, b) {
            (Some(a), Some(b)) => (
                Some(pooled(change_sd(a, r), change_sd(b, r))),
                "pooled SD of the observed change score",
            ),
            _ => (None, ""),
        },
        (FamilyKind::WithinArmChange, Some(r)) => match a {
            Some(a) => (Some(change_sd(a, r)), "SD of the observed change score"),
            None => (None, ""),
        },
        (FamilyKind::Clinical, _)
            if h.starts_with(&s.symptoms.change_name())
                && f.endpoints.contains(&Endpoint::Change) =>
        {
            match (a, b) {
                (Some(a), Some(b)) => (
                    Some(pooled(a.improvement_sd, b.improvement_sd)),
                    "pooled SD of the true improvement (approximate: ignores the scale's rounding and limits)",
                ),
                _ => (None, ""),
            }
        }
        _ => (
            None,
            "no SD scale (a proportion, a correlation or a crossover contrast)",
        ),
    }
}
