//! The smallest N whose assurance reaches a target, and the plateau when none does.
//!
//! Bisection as in [`crate::montecarlo::search`]: every N is simulated with the same seed, so the
//! prior draws and the subjects are common to every N (a larger trial contains the smaller one)
//! and the estimated assurance is close to monotone in N.

use super::assurance::{AssuranceResult, AssuranceRun, DesignPrior};
use crate::error::{RunError, Setting};
use crate::montecarlo::search::{Criterion, bisect_smallest, min_grown};
use crate::montecarlo::{Metric, Row};
use crate::scenario::Grow;
use serde::Serialize;
use std::collections::BTreeMap;

/// The outcome of an assurance-targeted sample-size search.
#[derive(Debug, Clone, Serialize)]
pub struct AssuranceSize {
    /// Family of the criterion.
    pub family: String,
    /// Hypothesis of the criterion.
    pub hypothesis: String,
    /// `assurance` or `assurance_expected_sign`.
    pub metric: String,
    /// The target.
    pub target: f64,
    /// Smallest N whose estimate reaches the target (None: not within `max_n`).
    pub n: Option<usize>,
    /// Smallest N whose upper 95 % MC bound reaches it.
    pub n_low: Option<usize>,
    /// Smallest N whose lower 95 % MC bound reaches it.
    pub n_high: Option<usize>,
    /// The criterion's row at `n`.
    pub at_n: Option<Row>,
    /// Smallest and largest N searched.
    pub range: (usize, usize),
    /// Every evaluated N and its full result.
    pub evaluated: BTreeMap<usize, AssuranceResult>,
    /// The priors.
    pub priors: Vec<DesignPrior>,
    /// Which groups N counts: the criterion family's grow rule (patients only unless the family
    /// compares patients with controls), the others held at the scenario's size.
    pub grow: Grow,
}

impl AssuranceSize {
    /// The criterion's row at every evaluated N, in increasing N (the assurance curve).
    pub fn curve(&self) -> Vec<(usize, Row)> {
        self.evaluated
            .iter()
            .filter_map(|(&n, r)| {
                r.get(&self.family, &self.hypothesis, &self.metric)
                    .map(|row| (n, row.clone()))
            })
            .collect()
    }

    /// The row of another metric of the criterion's hypothesis at N.
    pub fn other(&self, n: usize, metric: &str) -> Option<&Row> {
        self.evaluated
            .get(&n)?
            .get(&self.family, &self.hypothesis, metric)
    }
}

impl AssuranceRun<'_> {
    /// The smallest total N in [smallest runnable N, `max_n`] at which the criterion
    /// (`FAMILY:HYPOTHESIS[:assurance|assurance_expected_sign]`) reaches `target`; when it is not
    /// reached the result still holds the assurance at `max_n`, `max_n` / 2 and `max_n` / 4.
    ///
    /// ```
    /// # let text = r#"{"name": "x", "design": {"controls": 20, "patients": 20,
    /// #   "arms": [{"name": "p", "ratio": 1}]},
    /// #   "measures": {"regions": [{"name": "r", "control_mean": 1, "between_sd": 0.1,
    /// #                              "patient_shift_d": 0.5}]},
    /// #   "analysis": {"families": [{"name": "g", "kind": "baseline_difference", "test": "student"}]},
    /// #   "priors": {"measures.regions.r.patient_shift_d": {"normal": {"mean": 0.5, "sd": 0.1}}}}"#;
    /// let study = trialsim::Study::from_json("x.json", text).unwrap();
    /// let r = study.assurance().reps(256).sample_size("g:r", 0.5, 200).unwrap();
    /// assert!(r.n.is_some());
    /// ```
    pub fn sample_size(
        mut self,
        criterion: &str,
        target: f64,
        max_n: usize,
    ) -> Result<AssuranceSize, RunError> {
        self.sample_size_cancellable(criterion, target, max_n, None)
    }

    /// [`AssuranceRun::sample_size`] that stops soon after `cancel` is set.
    pub fn sample_size_cancellable(
        &mut self,
        criterion: &str,
        target: f64,
        max_n: usize,
        cancel: Option<&std::sync::atomic::AtomicBool>,
    ) -> Result<AssuranceSize, RunError> {
        let mut crit: Criterion = criterion.parse()?;
        let metric = match crit.metric.as_str() {
            "power" | "assurance" => "assurance",
            "assurance_expected_sign" => "assurance_expected_sign",
            other => {
                return Err(RunError::setting(
                    Setting::Criterion,
                    format!(
                        "metric '{other}' cannot be sized for by assurance; use assurance or \
                         assurance_expected_sign"
                    ),
                ));
            }
        };
        crit.metric = Metric::Power;
        crit.check(self.study.scenario())?;
        if !(target > 0.0 && target < 1.0) {
            return Err(RunError::setting(
                Setting::Target,
                format!("must be in (0, 1), got {target}"),
            ));
        }
        if max_n > crate::limits::MAX_SUBJECTS {
            return Err(RunError::setting(
                Setting::MaxN,
                format!(
                    "{max_n} is more than the limit of {} subjects per trial",
                    crate::limits::MAX_SUBJECTS
                ),
            ));
        }
        self.family = Some(crit.family.clone());
        let plan = self.plan()?;
        let s = &plan.base.scenario;
        // Grow the groups the criterion's family uses, as the power search does.
        let grow = s.grow_rule(&crit.family).unwrap_or(Grow::All);
        let lo = min_grown(s, grow);
        if max_n < lo {
            return Err(RunError::setting(
                Setting::MaxN,
                format!(
                    "must be at least {lo} (the smallest N the analysis plan can run), got {max_n}"
                ),
            ));
        }
        let mut cache: BTreeMap<usize, AssuranceResult> = BTreeMap::new();
        let settings = self.settings.clone();
        let (family, hyp) = (crit.family.clone(), crit.hypothesis.clone());
        let mut eval = |n: usize| -> Result<Row, RunError> {
            if let std::collections::btree_map::Entry::Vacant(slot) = cache.entry(n) {
                slot.insert(plan.run(&s.grown_sizes(n, grow), &settings, cancel)?);
            }
            cache[&n]
                .get(&family, &hyp, metric)
                .cloned()
                .ok_or_else(|| {
                    RunError::setting(
                        Setting::Criterion,
                        format!("{family}:{hyp} has no {metric} (its effect is null at the point values)"),
                    )
                })
        };
        let mut smallest =
            |pred: &dyn Fn(&Row) -> bool| bisect_smallest(lo, max_n, &mut eval, pred);
        let n = smallest(&|r: &Row| r.value >= target)?;
        let n_low = smallest(&|r: &Row| r.ci_high >= target)?;
        let n_high = smallest(&|r: &Row| r.ci_low >= target)?;
        let at_n = match n {
            Some(n) => Some(eval(n)?),
            None => {
                // The plateau: how the assurance levels off towards max_n.
                for k in [4, 2] {
                    if max_n / k >= lo {
                        eval(max_n / k)?;
                    }
                }
                None
            }
        };
        Ok(AssuranceSize {
            family: crit.family,
            hypothesis: crit.hypothesis,
            metric: metric.to_string(),
            target,
            n,
            n_low,
            n_high,
            at_n,
            range: (lo, max_n),
            evaluated: cache,
            priors: plan.priors.clone(),
            grow,
        })
    }
}
