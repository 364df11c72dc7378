//! Prediction of individual response from biomarkers (docs/model.md, sections 3.8 and 4.3).
//!
//! For one simulated trial: take the complete cases of one arm, build the features (baseline
//! regions, observed change, both, optionally the baseline symptom score) and the target (responder
//! or remitter), then for each model report
//! - cross-validated metrics (every fitted step inside the training folds, see [`cv`]),
//! - apparent metrics (fitted and scored on the same trial),
//! - true metrics: the model fitted on the whole trial, scored on a large independent sample from
//!   the same scenario ([`Holdout`]).

pub mod exact;

use crate::model::Cohort;
use crate::rng::TrialRng;
use crate::scenario::{Endpoint, FeatureSet, PredictionConfig, Scenario};
use crate::stats::cv::Scratch;
use crate::stats::metrics::{Metrics, metrics};

/// How each trial's fitted model is scored for its true out-of-sample accuracy: exactly
/// ([`exact::ExactTruth`]) when the family allows it, otherwise on a large independent sample of
/// the arm.
#[derive(Debug, Clone, Default)]
pub struct Holdout {
    /// The exact law of features and target, when available (then `x` and `y` are empty).
    pub exact: Option<std::sync::Arc<exact::ExactTruth>>,
    /// Features, row-major.
    pub x: Vec<f64>,
    /// Targets.
    pub y: Vec<bool>,
}

/// Results of one model in one trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelOutcome {
    /// Cross-validated.
    pub cv: Metrics,
    /// Apparent (in-sample).
    pub apparent: Metrics,
    /// On the large independent sample.
    pub truth: Metrics,
    /// Training folds that held one class only (the fold predicted the training prevalence).
    pub degenerate_folds: usize,
    /// Whether the whole-trial fit was degenerate (one class in the trial).
    pub degenerate_fit: bool,
}

impl ModelOutcome {
    /// Nothing could be computed.
    pub const NAN: ModelOutcome = ModelOutcome {
        cv: Metrics::NAN,
        apparent: Metrics::NAN,
        truth: Metrics::NAN,
        degenerate_folds: 0,
        degenerate_fit: true,
    };
}

/// Scratch space for prediction analyses.
#[derive(Debug, Default)]
pub struct PredScratch {
    x: Vec<f64>,
    y: Vec<bool>,
    rows: Vec<usize>,
    cv: Scratch,
    pred: Vec<f64>,
    z: Vec<f64>,
    idx: Vec<usize>,
}

/// Evaluate every model of the family on one cohort.
pub fn evaluate(
    cfg: &PredictionConfig,
    s: &Scenario,
    c: &Cohort,
    holdout: &Holdout,
    rng: &mut TrialRng,
    sc: &mut PredScratch,
    out: &mut [ModelOutcome],
) {
    let mut x = std::mem::take(&mut sc.x);
    let mut y = std::mem::take(&mut sc.y);
    extract(cfg, s, c, &mut x, &mut y);
    let p = cfg.n_features();
    sc.rows.clear();
    sc.rows.extend(0..y.len());
    let rows = std::mem::take(&mut sc.rows);
    let data = crate::stats::cv::Samples { x: &x, p, y: &y };
    for (m, o) in cfg.models.iter().zip(out.iter_mut()) {
        if rows.len() < 2 {
            *o = ModelOutcome::NAN;
            continue;
        }
        let pipe = cfg.pipeline(*m);
        let (cvm, degenerate_folds) =
            pipe.cross_validate(data, &rows, cfg.validation, rng, &mut sc.cv);
        let (app, fitted) = pipe.apparent(data, &rows, rng, &mut sc.cv);
        let truth = match &holdout.exact {
            Some(e) => e.metrics(&fitted),
            None => {
                sc.pred.clear();
                for i in 0..holdout.y.len() {
                    let pr = fitted.predict(&holdout.x[i * p..(i + 1) * p], &mut sc.z);
                    sc.pred.push(pr);
                }
                metrics(&sc.pred, &holdout.y, &[fitted.threshold], &mut sc.idx)
            }
        };
        *o = ModelOutcome {
            cv: cvm,
            apparent: app,
            truth,
            degenerate_folds,
            degenerate_fit: fitted.degenerate,
        };
    }
    sc.x = x;
    sc.y = y;
    sc.rows = rows;
}

/// Features and target of the arm's complete cases, appended to `x` (row-major) and `y`.
pub fn extract(
    cfg: &PredictionConfig,
    s: &Scenario,
    c: &Cohort,
    x: &mut Vec<f64>,
    y: &mut Vec<bool>,
) {
    x.clear();
    y.clear();
    let nr = c.n_regions;
    let start = x.len();
    for i in c.arm_range(cfg.arm) {
        let target = match cfg.target {
            Endpoint::Remission => c.remitter(s, i, cfg.visit),
            _ => c.responder(s, i, cfg.visit),
        };
        let Some(t) = target else { continue };
        let row_start = x.len();
        let mut ok = true;
        for &r in &cfg.regions {
            let b = c.baseline[i * nr + r];
            let ch = c.followup[i * nr + r] - b;
            match cfg.features {
                FeatureSet::Baseline => x.push(b),
                FeatureSet::Change => x.push(ch),
                FeatureSet::Both => {
                    x.push(b);
                    x.push(ch);
                }
            }
        }
        if cfg.baseline_score {
            x.push(c.score(i, 0));
        }
        if x[row_start..].iter().any(|v| v.is_nan()) {
            ok = false;
        }
        if ok {
            y.push(t);
        } else {
            x.truncate(row_start);
        }
    }
    debug_assert_eq!((x.len() - start), y.len() * cfg.n_features());
}
