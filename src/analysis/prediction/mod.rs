//! Prediction of individual response from biomarkers (MODEL.md sections 4.6 and 5).
//!
//! For one simulated trial: take the complete cases of one arm, build the features (baseline
//! regions, observed change, both, optionally the baseline symptom score) and the target (responder
//! or remitter), then for each model report
//! - cross-validated metrics (every fitted step inside the training folds, see [`cv`]),
//! - apparent metrics (fitted and scored on the same trial),
//! - true metrics: the model fitted on the whole trial, scored on a large independent sample from
//!   the same scenario ([`Holdout`]).

pub mod cv;
pub mod logistic;
pub mod metrics;

use crate::model::Cohort;
use crate::rng::TrialRng;
use crate::scenario::{Endpoint, Scenario};
use cv::{Model, Penalty, Pipeline, Scratch, Threshold, Validation};
use metrics::{Metrics, metrics};
use serde::{Deserialize, Serialize};

/// Which biomarker values are features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FeatureSet {
    /// Observed baseline scans.
    #[default]
    Baseline,
    /// Observed change (follow-up minus baseline).
    Change,
    /// Both.
    Both,
}

/// A resolved prediction family.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionConfig {
    /// Arm whose patients are predicted.
    pub arm: usize,
    /// Visit at which response is assessed.
    pub visit: usize,
    /// Response or remission.
    pub target: Endpoint,
    /// Regions used.
    pub regions: Vec<usize>,
    /// Which scans.
    pub features: FeatureSet,
    /// Add the baseline symptom score as a feature.
    pub baseline_score: bool,
    /// Models compared.
    pub models: Vec<Model>,
    /// Ridge penalty.
    pub penalty: Penalty,
    /// Number of features kept by in-fold selection.
    pub select: Option<usize>,
    /// Classification threshold.
    pub threshold: Threshold,
    /// Validation scheme.
    pub validation: Validation,
    /// AUC target for assurance.
    pub auc_target: f64,
}

impl PredictionConfig {
    /// Number of feature columns.
    pub fn n_features(&self) -> usize {
        let per = match self.features {
            FeatureSet::Both => 2,
            _ => 1,
        };
        per * self.regions.len() + self.baseline_score as usize
    }

    /// The pipeline of one model.
    pub fn pipeline(&self, model: Model) -> Pipeline {
        Pipeline {
            model,
            penalty: self.penalty,
            select: self.select,
            threshold: self.threshold,
        }
    }

    /// Features and target of the arm's complete cases, appended to `x` (row-major) and `y`.
    pub fn extract(&self, s: &Scenario, c: &Cohort, x: &mut Vec<f64>, y: &mut Vec<bool>) {
        x.clear();
        y.clear();
        let nr = c.n_regions;
        let start = x.len();
        for i in c.arm_range(self.arm) {
            let target = match self.target {
                Endpoint::Remission => c.remitter(s, i, self.visit),
                _ => c.responder(s, i, self.visit),
            };
            let Some(t) = target else { continue };
            let row_start = x.len();
            let mut ok = true;
            for &r in &self.regions {
                let b = c.baseline[i * nr + r];
                let ch = c.followup[i * nr + r] - b;
                match self.features {
                    FeatureSet::Baseline => x.push(b),
                    FeatureSet::Change => x.push(ch),
                    FeatureSet::Both => {
                        x.push(b);
                        x.push(ch);
                    }
                }
            }
            if self.baseline_score {
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
        debug_assert_eq!((x.len() - start), y.len() * self.n_features());
    }
}

/// A large independent sample of the arm, scored by each trial's fitted model to give its true
/// out-of-sample accuracy.
#[derive(Debug, Clone, Default)]
pub struct Holdout {
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
    cfg.extract(s, c, &mut x, &mut y);
    let p = cfg.n_features();
    sc.rows.clear();
    sc.rows.extend(0..y.len());
    let rows = std::mem::take(&mut sc.rows);
    let data = cv::Samples { x: &x, p, y: &y };
    for (m, o) in cfg.models.iter().zip(out.iter_mut()) {
        if rows.len() < 2 {
            *o = ModelOutcome::NAN;
            continue;
        }
        let pipe = cfg.pipeline(*m);
        let (cvm, degenerate_folds) =
            pipe.cross_validate(data, &rows, cfg.validation, rng, &mut sc.cv);
        let (app, fitted) = pipe.apparent(data, &rows, rng, &mut sc.cv);
        sc.pred.clear();
        let n_hold = holdout.y.len();
        for i in 0..n_hold {
            let pr = fitted.predict(&holdout.x[i * p..(i + 1) * p], &mut sc.z);
            sc.pred.push(pr);
        }
        let truth = metrics(&sc.pred, &holdout.y, &[fitted.threshold], &mut sc.idx);
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
