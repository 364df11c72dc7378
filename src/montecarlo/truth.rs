//! The true value of every hypothesis' estimand, against which bias, RMSE, coverage and type S/M
//! errors are measured.
//!
//! - Biomarker mean differences (baseline shift, arm change, within-arm change) have closed forms:
//!   measurement error adds no bias to a mean, so the truth is exactly delta or kappa.
//! - Symptom endpoints (score change, response, remission) depend on truncation, clamping and
//!   rounding of the scale. Their truth is exact ([`crate::model::exact`]): a finite sum over the
//!   baseline score on an integer scale (`exact_sum`), Gauss-Legendre quadrature on a continuous
//!   one (`quadrature`), with normal CDFs over the latent improvement inside; SE 0.
//! - Correlations of *observed* change with *observed* improvement are attenuated by measurement
//!   error, clamping and rounding. Their truth is exact too ([`change_improvement_corr`]: one sum
//!   over the baseline score of normal integrals, by Stein's identity). For Spearman the
//!   population value is taken from the Pearson one by the bivariate-normal identity
//!   6/pi asin(r/2) (an approximation, said so in the output as `exact_normal_approx`).
//! - Prediction families: see [`PredictionTruth::method`].
//!
//! Whether a hypothesis is null is decided exactly from the parameters, never from a sample.

use crate::analysis::prediction::Holdout;
use crate::analysis::prediction::exact::ExactTruth;
use crate::model::Cohort;
use crate::model::exact::{improvement_moments, symptom_truth};
use crate::scenario::PredictionConfig;
use crate::scenario::{Endpoint, FamilyKind, Scenario, Sizes, TestKind};

/// Patients per arm in the population sample used for non-closed-form truths.
pub const TRUTH_N: usize = 1_000_000;
const CHUNK: usize = 50_000;
/// Seed of the population sample (fixed: the truth does not depend on the run's seed).
pub const TRUTH_SEED: u64 = 0x7472_7574_6873_696d;

/// The true value of one hypothesis' estimand.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Truth {
    /// True value on the scale of the estimate.
    pub value: f64,
    /// Monte Carlo SE of `value` (0 for closed forms).
    pub se: f64,
    /// Whether the null hypothesis is true (decided from the parameters).
    pub is_null: bool,
    /// How the value was obtained: `closed_form`, `exact_sum`, `quadrature`, `population_sample` or
    /// `population_sample_normal_approx`.
    pub source: &'static str,
}

/// Everything the diagnosands are measured against.
#[derive(Debug, Clone)]
pub struct Truths {
    /// Per family (plan order), per hypothesis; empty for prediction families.
    pub hypotheses: Vec<Vec<Truth>>,
    /// Per family (plan order); the default (empty) value for non-prediction families.
    pub prediction: Vec<PredictionTruth>,
    /// Per family (plan order): the large independent sample on which each trial's fitted model is
    /// scored (empty for non-prediction families).
    pub holdouts: Vec<Holdout>,
}

/// The truth behind a prediction family.
#[derive(Debug, Clone, Default)]
pub struct PredictionTruth {
    /// Patients in the holdout sample.
    pub holdout_n: usize,
    /// Best achievable AUC of the features (see [`optimal_auc`]).
    pub auc_optimal: f64,
    /// Its Monte Carlo SE (Hanley & McNeil 1982 on the evaluation sample; 0 when exact).
    pub auc_optimal_se: f64,
    /// How the true metrics are obtained: `exact` (see [`crate::analysis::prediction::exact`]:
    /// every trial's model scored on the exact population law) or `holdout_sample` (scored on
    /// one fixed sample of [`HOLDOUT_N`] patients, whose own error is in no SE).
    pub method: &'static str,
}

/// Patients in the holdout sample of a prediction family.
pub const HOLDOUT_N: usize = 20_000;
/// Patients in the samples used to estimate the optimal AUC (fit, then evaluate).
pub const OPTIMAL_FIT_N: usize = 100_000;
/// Patients in the evaluation sample of the optimal AUC.
pub const OPTIMAL_EVAL_N: usize = 200_000;

/// Truths for every family and hypothesis of the plan, in plan order.
pub fn truths(s: &Scenario) -> Truths {
    truths_with(s, TRUTH_N)
}

/// Like [`truths`] with a chosen population size per arm (rounded up to whole chunks); the
/// prediction samples are scaled by the same factor relative to [`TRUTH_N`] (at least 10,000).
pub fn truths_with(s: &Scenario, n_per_arm: usize) -> Truths {
    let scale = |n: usize| {
        ((n as f64 * n_per_arm as f64 / TRUTH_N as f64) as usize)
            .max(10_000)
            .min(n)
    };
    let (prediction, holdouts) = s
        .families
        .iter()
        .map(|f| match &f.prediction {
            None => (PredictionTruth::default(), Holdout::default()),
            Some(cfg) => {
                if let Some(e) = ExactTruth::new(s, cfg)
                    && let Some(auc_optimal) = e.optimal_auc()
                {
                    let t = PredictionTruth {
                        holdout_n: 0,
                        auc_optimal,
                        auc_optimal_se: 0.0,
                        method: "exact",
                    };
                    let h = Holdout {
                        exact: Some(std::sync::Arc::new(e)),
                        ..Holdout::default()
                    };
                    return (t, h);
                }
                // Keyed by the family's name: its truth does not depend on its place in the plan.
                let tag = |k: u64| crate::rng::name_stream(k, &f.name);
                let holdout = arm_sample(s, cfg, scale(HOLDOUT_N), tag(1_000));
                let fit = arm_sample(s, cfg, scale(OPTIMAL_FIT_N), tag(2_000));
                let eval = arm_sample(s, cfg, scale(OPTIMAL_EVAL_N), tag(3_000));
                let (auc_optimal, auc_optimal_se) = optimal_auc(cfg, &fit, &eval);
                let t = PredictionTruth {
                    holdout_n: holdout.y.len(),
                    auc_optimal,
                    auc_optimal_se,
                    method: "holdout_sample",
                };
                (t, holdout)
            }
        })
        .unzip();
    Truths {
        hypotheses: hypothesis_truths(s),
        prediction,
        holdouts,
    }
}

/// Population version of the scenario: no dropout, no failed scans, blocked allocation.
fn population_scenario(s: &Scenario) -> Scenario {
    s.population()
}

/// Features and targets of `n` patients of the family's arm (population version), drawn from
/// the truth seed with the given stream tag.
pub fn arm_sample(s: &Scenario, cfg: &PredictionConfig, n: usize, tag: u64) -> Holdout {
    use rayon::prelude::*;
    let pop_s = population_scenario(s);
    // Chunks in parallel, concatenated in chunk order (independent of the thread count).
    let parts: Vec<(Vec<f64>, Vec<bool>)> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|j| {
            let m = CHUNK.min(n - j * CHUNK);
            let mut arms = vec![0; s.arms.len()];
            arms[cfg.arm] = m;
            let mut c = Cohort::default();
            c.draw(
                &pop_s,
                &Sizes { controls: 0, arms },
                TRUTH_SEED ^ tag.rotate_left(40),
                j as u64,
            );
            let (mut x, mut y) = (Vec::new(), Vec::new());
            crate::analysis::prediction::extract(cfg, &pop_s, &c, &mut x, &mut y);
            (x, y)
        })
        .collect();
    let mut out = Holdout::default();
    for (x, y) in parts {
        out.x.extend_from_slice(&x);
        out.y.extend_from_slice(&y);
    }
    out
}

/// The best achievable AUC of the family's features: an unpenalised logistic model fitted on one
/// large sample, its AUC measured on another. When the features are jointly normal with the latent
/// improvement and the target is a threshold of it (the model without the baseline score), the
/// Bayes-optimal score is monotone in one linear index of the features, and the logistic fit
/// estimates that index's direction consistently (Li & Duan 1989), so this is the optimum up to
/// sampling error; with the baseline score among the features it is an approximation.
pub fn optimal_auc(cfg: &PredictionConfig, fit: &Holdout, eval: &Holdout) -> (f64, f64) {
    use crate::stats::cv::{Model, Penalty, Pipeline, Samples, Scratch, Threshold};
    use crate::stats::metrics::auc;
    let p = cfg.n_features();
    let pipe = Pipeline {
        model: Model::Ridge,
        penalty: Penalty::Fixed(0.0),
        select: None,
        threshold: Threshold::Prevalence,
    };
    let rows: Vec<usize> = (0..fit.y.len()).collect();
    let mut rng = crate::rng::stream(TRUTH_SEED, 0, 0);
    let fitted = pipe.fit(
        Samples {
            x: &fit.x,
            p,
            y: &fit.y,
        },
        &rows,
        &mut rng,
        &mut Scratch::default(),
    );
    let mut z = Vec::new();
    let score: Vec<f64> = (0..eval.y.len())
        .map(|i| fitted.predict(&eval.x[i * p..(i + 1) * p], &mut z))
        .collect();
    let a = auc(&score, &eval.y, &mut Vec::new());
    let n1 = eval.y.iter().filter(|&&v| v).count() as f64;
    let n0 = eval.y.len() as f64 - n1;
    (a, hanley_mcneil_se(a, n1, n0))
}

/// Standard error of an AUC from n1 positives and n0 negatives (Hanley & McNeil 1982).
pub fn hanley_mcneil_se(a: f64, n1: f64, n0: f64) -> f64 {
    let q1 = a / (2.0 - a);
    let q2 = 2.0 * a * a / (1.0 + a);
    ((a * (1.0 - a) + (n1 - 1.0) * (q1 - a * a) + (n0 - 1.0) * (q2 - a * a)) / (n1 * n0)).sqrt()
}

fn hypothesis_truths(s: &Scenario) -> Vec<Vec<Truth>> {
    let mut out = plain_truths(s);
    // Replication tests have their own nulls (outside the margins; at least d33).
    for (f, ts) in s.families.iter().zip(out.iter_mut()) {
        if f.replication.is_some() {
            use crate::analysis::replication::{is_null, natural_margins};
            let margins = natural_margins(s, f);
            for (h, t) in ts.iter_mut().enumerate() {
                t.is_null = is_null(s, f, h, t.value, &margins);
            }
        }
    }
    out
}

/// Truths with the null "no difference" (every family's estimand and its value).
fn plain_truths(s: &Scenario) -> Vec<Vec<Truth>> {
    s.families
        .iter()
        .map(|f| {
            let (a1, a2) = f.arms;
            let closed = |value: f64| Truth {
                value,
                se: 0.0,
                is_null: value == 0.0,
                source: "closed_form",
            };
            match f.kind {
                FamilyKind::Prediction => Vec::new(),
                FamilyKind::BaselineDifference => f
                    .regions
                    .iter()
                    .map(|&r| closed(s.regions[r].delta))
                    .collect(),
                FamilyKind::ArmChange => f
                    .regions
                    .iter()
                    .map(|&r| closed(s.arms[a1].kappa[r] - s.arms[a2].kappa[r]))
                    .collect(),
                FamilyKind::WithinArmChange => f
                    .regions
                    .iter()
                    .map(|&r| closed(s.arms[a1].kappa[r]))
                    .collect(),
                FamilyKind::Clinical => {
                    let same = same_improvement(&s.arms[a1], &s.arms[a2]);
                    f.endpoints
                        .iter()
                        .flat_map(|e| f.visits.iter().map(move |&v| (*e, v)))
                        .map(|(e, v)| {
                            if same {
                                return Truth {
                                    value: 0.0,
                                    se: 0.0,
                                    is_null: true,
                                    source: "closed_form",
                                };
                            }
                            let (t1, t2) = (symptom_truth(s, a1, v), symptom_truth(s, a2, v));
                            let value = match e {
                                Endpoint::Change => t1.improvement - t2.improvement,
                                Endpoint::Response => t1.response - t2.response,
                                Endpoint::Remission => t1.remission - t2.remission,
                            };
                            Truth {
                                value,
                                se: 0.0,
                                is_null: false,
                                source: if s.symptoms.spec.integer {
                                    "exact_sum"
                                } else {
                                    "quadrature"
                                },
                            }
                        })
                        .collect()
                }
                FamilyKind::Crossover => f
                    .regions
                    .iter()
                    .map(|&r| closed(s.arms[a1].kappa[r] - s.arms[a2].kappa[r]))
                    .collect(),
                FamilyKind::Correlation => f
                    .regions
                    .iter()
                    .map(|&r| {
                        let arm = &s.arms[a1];
                        if arm.rho_cs[r] == 0.0 || arm.tau[r] == 0.0 {
                            return Truth {
                                value: 0.0,
                                se: 0.0,
                                is_null: true,
                                source: "closed_form",
                            };
                        }
                        let rho = change_improvement_corr(s, a1, f.visits[0], r);
                        let se = 0.0;
                        if f.test == TestKind::Spearman {
                            let rs = 6.0 / std::f64::consts::PI * (rho / 2.0).asin();
                            Truth {
                                value: rs,
                                se,
                                is_null: false,
                                source: "exact_normal_approx",
                            }
                        } else {
                            Truth {
                                value: rho,
                                se,
                                is_null: false,
                                source: if s.symptoms.spec.integer {
                                    "exact_sum"
                                } else {
                                    "quadrature"
                                },
                            }
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Pearson correlation of the observed change of region `r` (follow-up minus baseline scan, both
/// with measurement error) with the observed improvement at `visit` in arm `k`: the change is
/// `kappa + tau w + errors`, w correlated with the latent improvement's standardised part only,
/// so Cov = tau * corr(w, s) * Cov(s, improvement), exact by [`improvement_moments`].
pub fn change_improvement_corr(s: &Scenario, k: usize, visit: usize, r: usize) -> f64 {
    let arm = &s.arms[k];
    let nr = s.n_regions();
    let dj = 2 * nr + 1;
    let (var_imp, cov_s) = improvement_moments(s, k, visit);
    let var_ch = arm.tau[r].powi(2) + 2.0 * s.regions[r].meas_sd.powi(2);
    arm.tau[r] * arm.joint[(nr + r) * dj + 2 * nr] * cov_s / (var_ch * var_imp).sqrt()
}

/// Whether two arms give the same distribution of symptom improvement at every visit.
fn same_improvement(a: &crate::scenario::Arm, b: &crate::scenario::Arm) -> bool {
    a.improvement_mean == b.improvement_mean
        && a.improvement_sd == b.improvement_sd
        && a.time_course == b.time_course
        && a.late_fraction == b.late_fraction
        && (a.late_fraction == 0.0 || a.late_time_course == b.late_time_course)
        && a.improvement_covs == b.improvement_covs
}
