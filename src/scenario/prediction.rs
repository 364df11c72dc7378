//! The resolved settings of a prediction family (what the scenario's `prediction` block says).

use crate::scenario::Endpoint;
use crate::stats::cv::{Model, Penalty, Pipeline, Threshold, Validation};
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
}
