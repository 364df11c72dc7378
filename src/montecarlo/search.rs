//! Sample-size search: the smallest total N at which a criterion reaches its target.
//!
//! Every candidate N is simulated with the same seed; because each group draws subjects from its own
//! stream, the trial at a larger N contains the trial at a smaller N (common random numbers), so the
//! estimated power is close to monotone in N and bisection is sound. The search reports three N:
//! the smallest N whose estimate reaches the target, and the range consistent with Monte Carlo error
//! (the smallest N whose 95 % upper bound reaches it, and the smallest whose lower bound does).
//! Nothing is extrapolated: if the target is not reached within `max_n`, the result says so.

use super::Metric;
use super::{
    Row, RunSettings, check_sizes, diagnosands, n_blocks, run_blocks_cancellable, truth::Truths,
};
use crate::error::{RunError, Setting};
use crate::scenario::{Grow, Scenario};
use serde::Serialize;
use std::collections::BTreeMap;

/// What to size for: `FAMILY:HYPOTHESIS[:METRIC]`, metric `power` by default. For a prediction
/// family the hypothesis is a model and the metric one of its accuracy figures, e.g.
/// `prediction:ridge:assurance_auc_true` or `prediction:ridge:auc_gap` (a gap to the optimum, which
/// is reached when it falls to the target).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    /// Family name.
    pub family: String,
    /// Hypothesis (region, endpoint, `any`, `all`, `at_least_k`).
    pub hypothesis: String,
    /// Metric (a proportion that grows with N, such as `power`).
    pub metric: Metric,
}

impl std::str::FromStr for Criterion {
    type Err = RunError;
    fn from_str(text: &str) -> Result<Self, RunError> {
        let parts: Vec<&str> = text.split(':').collect();
        if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty()) {
            return Err(RunError::setting(
                Setting::Criterion,
                format!(
                    "expected FAMILY:HYPOTHESIS[:METRIC], e.g. clinical:madrs_change or \
                     biomarker_change:any:power, got '{text}'"
                ),
            ));
        }
        Ok(Criterion {
            family: parts[0].into(),
            hypothesis: parts[1].into(),
            metric: Metric::from(*parts.get(2).unwrap_or(&"power")),
        })
    }
}

impl Criterion {
    /// Check that the scenario has this family and hypothesis.
    pub fn check(&self, s: &Scenario) -> Result<(), RunError> {
        let Some(f) = s.families.iter().find(|f| f.name == self.family) else {
            let names: Vec<&str> = s.families.iter().map(|f| f.name.as_str()).collect();
            return Err(RunError::setting(
                Setting::Criterion,
                format!(
                    "no family '{}' in the analysis plan (families: {})",
                    self.family,
                    names.join(", ")
                ),
            ));
        };
        let hyps = s.hypotheses(f);
        if f.prediction.is_some() {
            if !hyps.contains(&self.hypothesis) {
                return Err(RunError::setting(
                    Setting::Criterion,
                    format!(
                        "prediction family '{}' has no model '{}'; models: {}",
                        self.family,
                        self.hypothesis,
                        hyps.join(", ")
                    ),
                ));
            }
            let known = [
                "auc_cv",
                "auc_true",
                "auc_apparent",
                "auc_gap",
                "optimism_auc",
                "assurance_auc_cv",
                "assurance_auc_true",
                "balanced_accuracy_cv",
                "balanced_accuracy_true",
                "brier_cv",
                "brier_true",
                "calibration_slope_true",
                "expected_shrinkage",
                "calibration_slope_true_below_0.8",
                "calibration_slope_true_below_0.9",
            ];
            if !known.contains(&self.metric.as_str()) {
                return Err(RunError::setting(
                    Setting::Criterion,
                    format!(
                        "metric '{}' cannot be sized for; use one of {}",
                        self.metric,
                        known.join(", ")
                    ),
                ));
            }
            return Ok(());
        }
        let k = hyps.len();
        let ok = hyps.contains(&self.hypothesis)
            || self.hypothesis == "any"
            || self.hypothesis == "all"
            || self
                .hypothesis
                .strip_prefix("at_least_")
                .and_then(|x| x.parse::<usize>().ok())
                .is_some_and(|x| (2..=k).contains(&x));
        if !ok {
            return Err(RunError::setting(
                Setting::Criterion,
                format!(
                    "family '{}' has no hypothesis '{}'; use one of {}, any, all, at_least_2..at_least_{k}",
                    self.family,
                    self.hypothesis,
                    hyps.join(", ")
                ),
            ));
        }
        if self.metric != Metric::Power {
            return Err(RunError::setting(
                Setting::Criterion,
                format!("metric '{}' cannot be sized for; use power", self.metric),
            ));
        }
        Ok(())
    }

    /// Whether the target is an upper limit (the metric falls with N: gaps, optimism, Brier score)
    /// rather than a level to reach.
    pub fn at_most(&self) -> bool {
        matches!(self.metric.as_str(), "auc_gap" | "optimism_auc")
            || self.metric.as_str().starts_with("brier")
            || self
                .metric
                .as_str()
                .starts_with("calibration_slope_true_below_")
    }

    /// The row of this criterion among a run's rows.
    pub fn pick<'a>(&self, rows: &'a [Row]) -> Option<&'a Row> {
        rows.iter().find(|r| {
            r.family == self.family && r.hypothesis == self.hypothesis && r.metric == self.metric
        })
    }
}

/// The outcome of a sample-size search.
#[derive(Debug, Clone, Serialize)]
pub struct SampleSize {
    /// The criterion sized for.
    pub criterion: Criterion,
    /// The target value.
    pub target: f64,
    /// Smallest N whose estimate reaches the target (None: not reached within `max_n`).
    pub n: Option<usize>,
    /// Smallest N whose upper 95 % MC bound reaches the target (the optimistic end).
    pub n_low: Option<usize>,
    /// Smallest N whose lower 95 % MC bound reaches the target (None: not within `max_n`).
    pub n_high: Option<usize>,
    /// The criterion's row at `n`.
    pub at_n: Option<Row>,
    /// The smallest and largest N searched.
    pub range: (usize, usize),
    /// Every N evaluated, with its full result rows.
    pub evaluated: BTreeMap<usize, Vec<Row>>,
    /// The groups grown: N (and `n_low`, `n_high`, `range`, the keys of `evaluated`) counts
    /// these; every row also carries the total, controls and patients.
    pub grow: Grow,
    /// The groups held at the scenario's sizes while the others grew, with those sizes.
    pub held: Vec<Held>,
}

impl SampleSize {
    /// Everybody enrolled at the grown size `n` (one of the evaluated sizes), e.g. the total at
    /// [`SampleSize::n`].
    pub fn total_at(&self, n: Option<usize>) -> Option<usize> {
        self.evaluated.get(&n?)?.first().map(|r| r.n_total)
    }

    /// One sentence on the groups: what grew and what was held, e.g. `patients grown, controls
    /// held at 49`.
    pub fn groups_note(&self) -> String {
        let held: Vec<String> = self
            .held
            .iter()
            .map(|h| format!("{} held at {}", h.group, h.n))
            .collect();
        match self.grow {
            Grow::All => "all groups grown in the scenario's proportions".into(),
            g if held.is_empty() => format!("{} grown", g.as_str()),
            g => format!("{} grown, {}", g.as_str(), held.join(", ")),
        }
    }
}

/// A group held at a fixed size during a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Held {
    /// `controls` or an arm's name.
    pub group: String,
    /// Its size.
    pub n: usize,
}

/// Smallest total N at which every family has the subjects it needs.
pub fn min_total(s: &Scenario) -> usize {
    min_grown(s, Grow::All)
}

/// Smallest size of the grown groups at which every family has the subjects it needs (100,000
/// when no size will do, e.g. a held group is too small).
pub fn min_grown(s: &Scenario, grow: Grow) -> usize {
    (2..100_000)
        .find(|&n| check_sizes(s, &s.grown_sizes(n, grow)).is_ok())
        .unwrap_or(100_000)
}

/// Smallest n in `[lo, hi]` whose row satisfies `pred`, if the row at `hi` does (bisection on a
/// predicate that is monotone in n; `eval` caches, so every n is simulated once). Shared by the
/// power and the assurance searches.
pub fn bisect_smallest<E>(
    lo: usize,
    hi: usize,
    eval: &mut impl FnMut(usize) -> Result<Row, E>,
    pred: &dyn Fn(&Row) -> bool,
) -> Result<Option<usize>, E> {
    if !pred(&eval(hi)?) {
        return Ok(None);
    }
    let (mut a, mut b) = (lo, hi);
    if pred(&eval(a)?) {
        return Ok(Some(a));
    }
    while b - a > 1 {
        let m = a + (b - a) / 2;
        if pred(&eval(m)?) {
            b = m;
        } else {
            a = m;
        }
    }
    Ok(Some(b))
}

/// Search the smallest N in `[min_total, max_n]` reaching `target` for the criterion.
pub fn sample_size(
    s: &Scenario,
    criterion: &Criterion,
    target: f64,
    settings: &RunSettings,
    max_n: usize,
    truths: &Truths,
    progress: impl FnMut(usize, &Row),
) -> Result<SampleSize, RunError> {
    sample_size_cancellable(
        s, criterion, target, settings, max_n, truths, None, progress,
    )
}

/// [`sample_size`] that stops with [`RunError::Cancelled`] soon after `cancel` is set.
#[allow(clippy::too_many_arguments)]
pub fn sample_size_cancellable(
    s: &Scenario,
    criterion: &Criterion,
    target: f64,
    settings: &RunSettings,
    max_n: usize,
    truths: &Truths,
    cancel: Option<&std::sync::atomic::AtomicBool>,
    progress: impl FnMut(usize, &Row),
) -> Result<SampleSize, RunError> {
    sample_size_grown(
        s,
        criterion,
        target,
        settings,
        max_n,
        truths,
        cancel,
        Grow::All,
        progress,
    )
}

/// [`sample_size_cancellable`] growing only the groups `grow` (N counts them; the other groups
/// keep the scenario's sizes).
#[allow(clippy::too_many_arguments)]
pub fn sample_size_grown(
    s: &Scenario,
    criterion: &Criterion,
    target: f64,
    settings: &RunSettings,
    max_n: usize,
    truths: &Truths,
    cancel: Option<&std::sync::atomic::AtomicBool>,
    grow: Grow,
    mut progress: impl FnMut(usize, &Row),
) -> Result<SampleSize, RunError> {
    criterion.check(s)?;
    if !(target > 0.0 && target < 1.0) {
        return Err(RunError::setting(
            Setting::Target,
            format!("must be in (0, 1), got {target}"),
        ));
    }
    if s.grown_sizes(max_n, grow)
        .checked_total()
        .is_none_or(|t| t > crate::limits::MAX_SUBJECTS)
    {
        return Err(RunError::setting(
            Setting::MaxN,
            format!(
                "{max_n} is more than the limit of {} subjects per trial",
                crate::limits::MAX_SUBJECTS
            ),
        ));
    }
    let at_most = criterion.at_most();
    let lo = min_grown(s, grow);
    if max_n < lo {
        // No size will do when a held group is too small: that is the family's shortfall.
        check_sizes(s, &s.grown_sizes(lo, grow))?;
        return Err(RunError::setting(
            Setting::MaxN,
            format!(
                "must be at least {lo} (the smallest N the analysis plan can run), got {max_n}"
            ),
        ));
    }
    let mut cache: BTreeMap<usize, Vec<Row>> = BTreeMap::new();
    let mut eval = |n: usize| -> Result<Row, RunError> {
        if let std::collections::btree_map::Entry::Vacant(slot) = cache.entry(n) {
            let sizes = s.grown_sizes(n, grow);
            let wave = settings.threads.max(1) as u64 * super::WAVE_PER_THREAD;
            let acc = run_blocks_cancellable(
                s,
                &sizes,
                settings,
                0..n_blocks(settings.reps),
                wave,
                truths,
                cancel,
                |_| true,
            )?
            .finish();
            let rows = diagnosands(s, &sizes, &acc, truths);
            progress(n, criterion.pick(&rows).expect("criterion checked"));
            slot.insert(rows);
        }
        Ok(criterion
            .pick(&cache[&n])
            .expect("criterion checked")
            .clone())
    };
    let mut smallest = |pred: &dyn Fn(&Row) -> bool| bisect_smallest(lo, max_n, &mut eval, pred);
    // "Reaching" the target: at least it, or for falling metrics at most it.
    let reach = |v: f64| if at_most { v <= target } else { v >= target };
    let n = smallest(&|r: &Row| reach(r.value))?;
    // The optimistic end of the interval reaches the target first, the pessimistic end last.
    let bound = |r: &Row, optimistic: bool| {
        if at_most == optimistic {
            r.ci_low
        } else {
            r.ci_high
        }
    };
    let n_low = smallest(&|r: &Row| reach(bound(r, true)))?;
    let n_high = smallest(&|r: &Row| reach(bound(r, false)))?;
    let at_n = match n {
        Some(n) => Some(eval(n)?),
        None => None,
    };
    Ok(SampleSize {
        criterion: criterion.clone(),
        target,
        n,
        n_low,
        n_high,
        at_n,
        range: (lo, max_n),
        evaluated: cache,
        grow,
        held: s
            .held_groups(grow)
            .into_iter()
            .map(|(group, n)| Held { group, n })
            .collect(),
    })
}
