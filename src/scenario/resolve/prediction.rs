//! Prediction settings of a family.

use super::checker::Checker;
use crate::scenario::prediction::{FeatureSet, PredictionConfig};
use crate::scenario::spec::*;
use crate::stats::cv::{Penalty, Threshold, Validation};

/// The prediction settings of a family; errors for prediction fields on other kinds.
pub(super) fn resolve_prediction(
    ck: &mut Checker,
    p: &str,
    f: &FamilySpec,
    arm: usize,
    regions: &[usize],
    visit: usize,
    design: &Design,
) -> Option<PredictionConfig> {
    use crate::stats::cv::Model;
    if f.kind != FamilyKind::Prediction {
        let given = [
            ("target", f.target.is_some()),
            ("features", f.features.is_some()),
            ("baseline_score", f.baseline_score.is_some()),
            ("models", f.models.is_some()),
            ("penalty", f.penalty.is_some()),
            ("validation", f.validation.is_some()),
            ("threshold", f.threshold.is_some()),
            ("select", f.select.is_some()),
            ("auc_target", f.auc_target.is_some()),
        ];
        for (field, is) in given {
            if is {
                ck.err(
                    format!("{p}.{field}"),
                    "only prediction families take this field",
                );
            }
        }
        return None;
    }
    let target = f.target.unwrap_or(Endpoint::Response);
    if target == Endpoint::Change {
        ck.err(format!("{p}.target"), "must be response or remission");
    }
    let models = f
        .models
        .clone()
        .unwrap_or_else(|| vec![Model::Ridge, Model::BestRegion]);
    if models.is_empty() {
        ck.err(
            format!("{p}.models"),
            "must name at least one model (ridge, best_region)",
        );
    }
    for (i, m) in models.iter().enumerate() {
        if models[..i].contains(m) {
            ck.err(
                format!("{p}.models[{i}]"),
                format!("duplicate model {}", m.name()),
            );
        }
    }
    let (penalty, threshold, validation) = cv_settings(ck, p, f);
    check_folds(ck, p, &validation, design, arm);
    let features = f.features.unwrap_or_default();
    let baseline_score = f.baseline_score.unwrap_or(false);
    let n_features =
        regions.len() * if features == FeatureSet::Both { 2 } else { 1 } + baseline_score as usize;
    if let Some(k) = f.select
        && (k == 0 || k > n_features)
    {
        ck.err(
            format!("{p}.select"),
            format!("must be between 1 and the number of features ({n_features}), got {k}"),
        );
    }
    let auc_target = f.auc_target.unwrap_or(0.7);
    if !(auc_target > 0.0 && auc_target < 1.0) {
        ck.err(
            format!("{p}.auc_target"),
            format!("must be in (0, 1), got {auc_target}"),
        );
    }
    Some(PredictionConfig {
        arm,
        visit,
        target,
        regions: regions.to_vec(),
        features,
        baseline_score,
        models,
        penalty,
        select: f.select,
        threshold,
        validation,
        auc_target,
    })
}

/// Ridge penalty, classification threshold and validation scheme of a prediction family.
fn cv_settings(ck: &mut Checker, p: &str, f: &FamilySpec) -> (Penalty, Threshold, Validation) {
    let penalty = match f.penalty {
        None | Some(PenaltySpec::Named(PenaltyName::Cv)) => Penalty::InnerCv,
        Some(PenaltySpec::Value(l)) => {
            if !(l >= 0.0 && l.is_finite()) {
                ck.err(
                    format!("{p}.penalty"),
                    format!("must be >= 0 or \"cv\", got {l}"),
                );
            }
            Penalty::Fixed(l)
        }
    };
    let threshold = match f.threshold {
        None | Some(ThresholdSpec::Named(ThresholdName::Prevalence)) => Threshold::Prevalence,
        Some(ThresholdSpec::Value(t)) => {
            if !(t > 0.0 && t < 1.0) {
                ck.err(
                    format!("{p}.threshold"),
                    format!("must be in (0, 1) or \"prevalence\", got {t}"),
                );
            }
            Threshold::Fixed(t)
        }
    };
    let v = f.validation.clone().unwrap_or(ValidationSpec {
        scheme: ValidationScheme::Kfold,
        folds: 5,
        repeats: 10,
    });
    if v.scheme != ValidationScheme::Loo && v.folds < 2 {
        ck.err(
            format!("{p}.validation.folds"),
            format!("must be >= 2, got {}", v.folds),
        );
    }
    if v.scheme == ValidationScheme::RepeatedKfold && v.repeats < 1 {
        ck.err(format!("{p}.validation.repeats"), "must be >= 1");
    }
    if v.repeats > crate::limits::MAX_CV_REPEATS {
        ck.err(
            format!("{p}.validation.repeats"),
            format!(
                "{} is above the limit of {} repeats",
                v.repeats,
                crate::limits::MAX_CV_REPEATS
            ),
        );
    }
    let validation = match v.scheme {
        ValidationScheme::Kfold => Validation::KFold(v.folds),
        ValidationScheme::RepeatedKfold => Validation::Repeated(v.folds, v.repeats),
        ValidationScheme::Loo => Validation::Loo,
    };
    (penalty, threshold, validation)
}

/// More folds than the arm has patients at the scenario's own size leaves folds without a subject:
/// every prediction would be untestable, so it is refused here.
fn check_folds(ck: &mut Checker, p: &str, v: &Validation, design: &Design, arm: usize) {
    let folds = match v {
        Validation::KFold(k) | Validation::Repeated(k, _) => *k,
        Validation::Loo => return,
    };
    if design.patients > crate::limits::MAX_SUBJECTS
        || design.arms.is_empty()
        || arm >= design.arms.len()
    {
        return; // reported elsewhere
    }
    let ratios: Vec<f64> = design.arms.iter().map(|a| a.ratio).collect();
    let in_arm = crate::scenario::largest_remainder(design.patients, &ratios)[arm];
    if folds > in_arm {
        ck.err(
            format!("{p}.validation.folds"),
            format!(
                "more folds ({folds}) than subjects: arm '{}' has {in_arm} patients at the scenario's size",
                design.arms[arm].name
            ),
        );
    }
}
