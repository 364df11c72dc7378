//! The scenario file format, exactly as written in JSON.
//!
//! Every struct rejects unknown fields, so a misspelt key is an error instead of a silently ignored
//! setting. Defaults are filled in by serde; re-serialising a parsed [`ScenarioSpec`] therefore gives
//! the *resolved* scenario with every default spelled out, which is what result files record.

pub use super::graphspec::{CrossGraphSpec, GraphSpec, MultiplicitySpec};
pub use super::prediction::FeatureSet;
pub use crate::stats::{Alternative, Multiplicity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole study: who is enrolled, what is measured, what the arms do, how it is analysed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Short identifier, e.g. `ketamine-ampar-2026`.
    pub name: String,
    /// One-line description shown by `trialsim scenarios`.
    #[serde(default)]
    pub description: String,
    /// Sources cited by the `provenance` notes, e.g. `"[K2-2026] Mol Psychiatry 2026 ..."`.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Where each number comes from: JSON path (segments joined by `.`, array items by their `name`,
    /// `*` matches any segment) to a note starting with a source tag or `assumption:`.
    #[serde(default)]
    pub provenance: BTreeMap<String, String>,
    /// Group sizes, arms and allocation.
    pub design: Design,
    /// The biomarker measures (regions); leave out for a study without biomarkers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measures: Option<Measures>,
    /// Per-arm effects, keyed by arm name. Arms not listed have no effect.
    #[serde(default)]
    pub arms: BTreeMap<String, ArmEffects>,
    /// The symptom scale.
    #[serde(default)]
    pub symptoms: Symptoms,
    /// The analysis plan used by `power` and `sample-size`.
    #[serde(default)]
    pub analysis: AnalysisPlan,
    /// Design priors: parameter path (or `effect_scale`) to a distribution
    /// ([`super::prior`]); simulated by the assurance runs, ignored by fixed-value runs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub priors: BTreeMap<String, super::prior::PriorSpec>,
}

/// Group sizes, arms and allocation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// Number of healthy controls.
    pub controls: usize,
    /// Number of patients (all arms together).
    pub patients: usize,
    /// Treatment arms, in order. The first two are compared by default.
    pub arms: Vec<ArmSpec>,
    /// How patients are allocated to arms.
    #[serde(default)]
    pub allocation: Allocation,
    /// Whether controls are scanned again at follow-up (they have no true change).
    #[serde(default)]
    pub rescan_controls: bool,
    /// Probability that a rescanned control misses the follow-up scan.
    #[serde(default)]
    pub control_dropout: f64,
    /// `parallel` (default: each patient gets one arm) or `crossover` (each subject gets both arms
    /// in random order; the two scans are the two periods).
    #[serde(default)]
    pub kind: DesignKind,
    /// Visit names; the first is baseline. Symptoms are rated at every visit. Default
    /// `["baseline", "follow_up"]`.
    #[serde(default = "default_visits")]
    pub visits: Vec<String>,
    /// Visit of the second scan (default: the last visit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_visit: Option<String>,
    /// Patient characteristics measured before treatment (normal), usable in allocation, in the
    /// improvement model and as ANCOVA adjustments.
    #[serde(default)]
    pub covariates: Vec<CovariateSpec>,
    /// Allocation model when `allocation` is `logistic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation_model: Option<AllocationModel>,
    /// Crossover: period effect (period 2 minus period 1) per region, in the unit.
    #[serde(default)]
    pub period_effect: PerRegion,
}

/// Parallel-group or crossover.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum DesignKind {
    /// Each patient receives one arm.
    #[default]
    Parallel,
    /// Each subject receives both arms, one per period, in a random order (2x2 crossover).
    Crossover,
}

/// A pre-treatment patient characteristic, normally distributed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CovariateSpec {
    /// Name (not `baseline_score`, which names the baseline symptom score).
    pub name: String,
    /// Mean.
    pub mean: f64,
    /// SD (> 0).
    pub sd: f64,
}

/// Non-randomised allocation: P(arm) = logistic(intercept + sum coef * (x - mean(x))).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AllocationModel {
    /// The arm whose probability is modelled (the other of two arms gets the rest).
    pub arm: String,
    /// Log odds of that arm for a patient with every covariate at its mean.
    pub intercept: f64,
    /// Log odds ratio per unit of each covariate (`baseline_score` for the baseline symptom score).
    #[serde(default)]
    pub coefficients: BTreeMap<String, f64>,
}

/// One arm of the patient group.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ArmSpec {
    /// Arm name, used as key in `arms` and in analyses.
    pub name: String,
    /// Allocation ratio (relative weight), must be > 0.
    #[serde(default = "one")]
    pub ratio: f64,
}

/// Allocation of patients to arms.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Allocation {
    /// Exact counts in proportion to the ratios (largest remainder), as a blocked randomisation.
    #[default]
    Blocked,
    /// Each patient independently, with probability proportional to the ratio.
    Simple,
    /// By patient characteristics through `allocation_model` (non-randomised, two arms).
    Logistic,
}

/// The measures (regions) and their joint structure.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Measures {
    /// Unit of every measure, e.g. `SUVR`.
    #[serde(default = "suvr")]
    pub unit: String,
    /// Correlation between regions of the true baseline and of the true change.
    #[serde(default)]
    pub correlation: Correlations,
    /// Probability that a scan fails (all its regions missing).
    #[serde(default)]
    pub scan_failure: f64,
    /// The regions (at least one).
    pub regions: Vec<RegionSpec>,
}

/// Between-region correlations.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Correlations {
    /// Of true baseline values (one exchangeable value or a full matrix). Default 0.
    #[serde(default)]
    pub baseline: CorrelationValue,
    /// Of true changes (one exchangeable value or a full matrix). Default 0.
    #[serde(default)]
    pub change: CorrelationValue,
}

/// A correlation structure: one exchangeable value or a full matrix in region order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum CorrelationValue {
    /// Every pair of regions has this correlation.
    Exchangeable(f64),
    /// Full symmetric matrix with unit diagonal, rows in region order.
    Matrix(Vec<Vec<f64>>),
}

impl Default for CorrelationValue {
    fn default() -> Self {
        CorrelationValue::Exchangeable(0.0)
    }
}

/// One region (or any named continuous measure).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    /// Region name (unique).
    pub name: String,
    /// Mean of healthy controls (mu).
    pub control_mean: f64,
    /// Between-subject SD of the true value (sigma), in the unit.
    pub between_sd: f64,
    /// Test-retest within-subject coefficient of variation; measurement SD = cv * control_mean.
    #[serde(default)]
    pub test_retest_cv: f64,
    /// Patient shift as Cohen's d (in units of `between_sd`). Give this or `patient_shift_pct`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_shift_d: Option<f64>,
    /// Patient shift in percent of `control_mean`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_shift_pct: Option<f64>,
    /// Between-subject SD of the patients' true value, in the unit (default: `between_sd`, the
    /// controls'). Give this or `patient_sd_ratio`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_between_sd: Option<f64>,
    /// Patients' between-subject SD as a multiple of `between_sd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_sd_ratio: Option<f64>,
}

/// A value per region: one number for every region, or a map from region name to value
/// (regions not named get the map's `"*"` entry, or 0).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum PerRegion {
    /// Same value for every region.
    All(f64),
    /// Value by region name.
    ByRegion(BTreeMap<String, f64>),
}

impl Default for PerRegion {
    fn default() -> Self {
        PerRegion::ByRegion(BTreeMap::new())
    }
}

/// What an arm does to the biomarker and to symptoms.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ArmEffects {
    /// Mean true change per region in the unit (kappa). Exclusive with `change_pct` per region.
    #[serde(default)]
    pub change: PerRegion,
    /// Mean true change per region in percent of `control_mean`.
    #[serde(default)]
    pub change_pct: PerRegion,
    /// SD of the true change between patients (tau), in the unit.
    #[serde(default)]
    pub change_sd: PerRegion,
    /// SD of the true change in percent of `control_mean`.
    #[serde(default)]
    pub change_sd_pct: PerRegion,
    /// Correlation of true baseline and true change, same region.
    #[serde(default)]
    pub baseline_change_corr: PerRegion,
    /// Correlation of true baseline with symptom improvement (the predictive biomarker).
    #[serde(default)]
    pub baseline_improvement_corr: PerRegion,
    /// Correlation of true change with symptom improvement (the mechanistic link).
    #[serde(default)]
    pub change_improvement_corr: PerRegion,
    /// Mean symptom improvement (baseline minus follow-up score), in scale points.
    #[serde(default)]
    pub improvement_mean: f64,
    /// SD of the symptom improvement between patients.
    #[serde(default = "default_improvement_sd")]
    pub improvement_sd: f64,
    /// Probability of missing the follow-up (scan and rating).
    #[serde(default)]
    pub dropout: f64,
    /// Log odds ratio of dropping out per SD of true improvement (0 = MCAR; negative = patients who
    /// improve less drop out more). `dropout` is then the probability at average improvement.
    #[serde(default)]
    pub dropout_log_or_per_sd: f64,
    /// Monotone dropout per visit interval: entry `j` is the probability of dropping out before
    /// post-baseline visit `j + 1` among patients still in the study (one entry per post-baseline
    /// visit, each in [0, 1)). Drawn on its own random stream, on top of `dropout`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dropout_per_visit: Option<Vec<f64>>,
    /// Missing at random: log odds ratio of dropping out in an interval per `symptoms.baseline_sd`
    /// of the last observed score above `symptoms.baseline_mean` (positive = patients with higher,
    /// i.e. worse, scores drop out more). Needs `dropout_per_visit`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropout_mar_log_or: f64,
    /// Fraction of the final improvement reached at each visit (first entry 0 = baseline).
    /// Default: 0 at baseline, 1 at every later visit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_course: Option<Vec<f64>>,
    /// Probability that a patient is a late responder.
    #[serde(default)]
    pub late_fraction: f64,
    /// Time course of late responders (required when `late_fraction` > 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_time_course: Option<Vec<f64>>,
    /// Added improvement per unit of each covariate above its mean (`baseline_score` allowed).
    #[serde(default)]
    pub improvement_covariates: BTreeMap<String, f64>,
    /// Crossover: effect carried into the next period after this arm, per region, in the unit.
    #[serde(default)]
    pub carryover: PerRegion,
}

/// The symptom scale and the response rules.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Symptoms {
    /// Scale name, e.g. `MADRS`; the clinical endpoint is called `<scale>_change` (lower case).
    #[serde(default = "madrs")]
    pub scale: String,
    /// Mean of the baseline score before inclusion.
    #[serde(default = "default_baseline_mean")]
    pub baseline_mean: f64,
    /// SD of the baseline score before inclusion.
    #[serde(default = "default_baseline_sd")]
    pub baseline_sd: f64,
    /// Lowest baseline score admitted.
    #[serde(default = "default_inclusion_min")]
    pub inclusion_min: f64,
    /// Highest baseline score admitted.
    #[serde(default = "default_scale_max")]
    pub inclusion_max: f64,
    /// Lowest possible score (follow-up is clamped here).
    #[serde(default)]
    pub scale_min: f64,
    /// Highest possible score.
    #[serde(default = "default_scale_max")]
    pub scale_max: f64,
    /// Whether scores are whole numbers.
    #[serde(default = "yes")]
    pub integer: bool,
    /// Response: follow-up <= (1 - response_fraction) * baseline, i.e. at least this fractional fall.
    #[serde(default = "half")]
    pub response_fraction: f64,
    /// Remission: follow-up <= remission_max.
    #[serde(default = "default_remission")]
    pub remission_max: f64,
    /// SD of an independent rating error added to the latent score at every post-baseline visit
    /// (before clamping and rounding); default 0. Drawn on its own random stream.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rating_sd: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Default for Symptoms {
    fn default() -> Self {
        serde_json::from_str("{}").expect("all symptom fields have defaults")
    }
}

/// The analysis plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AnalysisPlan {
    /// Significance level of every family that does not set its own `alpha`.
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// Families of hypotheses, tested in this order. Empty means the default plan (see README).
    #[serde(default)]
    pub families: Vec<FamilySpec>,
    /// A graphical multiplicity procedure across families (Bretz et al. 2009) at `alpha`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graphical: Option<CrossGraphSpec>,
}

impl Default for AnalysisPlan {
    fn default() -> Self {
        AnalysisPlan {
            alpha: default_alpha(),
            families: Vec::new(),
            graphical: None,
        }
    }
}

/// One family of hypotheses.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FamilySpec {
    /// Family name used in results and gates.
    pub name: String,
    /// What is tested.
    pub kind: FamilyKind,
    /// Test; each kind has its default (see README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<TestKind>,
    /// Two arms to compare (`arm_change`, `clinical`); default the first two arms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arms: Option<Vec<String>>,
    /// The arm analysed (`within_arm_change`, `correlation`); default the first arm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arm: Option<String>,
    /// Regions tested; default all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    /// Clinical endpoints (`clinical` only); default `["change", "response", "remission"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<Endpoint>>,
    /// Multiplicity adjustment within the family: a named procedure or a graph.
    #[serde(default)]
    pub multiplicity: MultiplicitySpec,
    /// Name of an earlier family that must have at least one rejection for this one to be tested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
    /// Alternative hypothesis.
    #[serde(default)]
    pub alternative: Alternative,
    /// Significance level of this family (default `analysis.alpha`), e.g. 0.025 for a one-sided
    /// primary beside two-sided 0.05 secondaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// Prediction: `response` (default) or `remission`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Endpoint>,
    /// Prediction: which scans are features (`baseline` default, `change`, `both`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<FeatureSet>,
    /// Prediction: add the baseline symptom score as a feature (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_score: Option<bool>,
    /// Prediction: models compared (default `["ridge", "best_region"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<crate::stats::cv::Model>>,
    /// Prediction: ridge penalty, a number or `"cv"` (inner cross-validation, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<PenaltySpec>,
    /// Prediction: validation scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<ValidationSpec>,
    /// Prediction: classification threshold, a probability or `"prevalence"` (the default: the
    /// training rows' prevalence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<ThresholdSpec>,
    /// Prediction: keep this many features, chosen inside each training fold by univariate AUC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<usize>,
    /// Prediction: the AUC whose attainment probability (assurance) is reported (default 0.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auc_target: Option<f64>,
    /// Clinical: the visits analysed (one hypothesis per endpoint and visit); default the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits: Option<Vec<String>>,
    /// Correlation and prediction: the visit whose improvement or response is used; default last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<String>,
    /// Clinical ANCOVA: covariates adjusted for (names from `design.covariates` or
    /// `baseline_score`); default `["baseline_score"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjust: Option<Vec<String>>,
    /// The study's primary family (at most one): its headline figure is the default criterion of
    /// `sample-size`, `mde` and `report`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// `"test": "tost"`: the equivalence margin in the estimate's natural units (equivalence is
    /// shown when the difference lies within (-margin, margin)). Exactly one of `margin` and
    /// `margin_d` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin: Option<f64>,
    /// `"test": "tost"`: the margin in SD units of the outcome (times its population SD, pooled
    /// over the two groups; see docs/model.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_d: Option<f64>,
    /// `"test": "small_telescopes"`: the original study's two group sizes, which define d33.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_n: Option<Vec<usize>>,
    /// Clinical MMRM: fitting options (`{"method": "reml" | "ml", "df": "satterthwaite"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mmrm: Option<MmrmSpec>,
}

/// Options of a clinical `"test": "mmrm"` family.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct MmrmSpec {
    /// Estimation method (default REML).
    #[serde(default)]
    pub method: MmrmMethod,
    /// Degrees of freedom of the contrast (default Satterthwaite).
    #[serde(default)]
    pub df: MmrmDf,
}

/// MMRM estimation method.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum MmrmMethod {
    /// Restricted maximum likelihood.
    #[default]
    Reml,
    /// Maximum likelihood.
    Ml,
}

/// MMRM degrees-of-freedom method.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum MmrmDf {
    /// Satterthwaite (as the R package mmrm and lmerTest define it).
    #[default]
    Satterthwaite,
}

/// A ridge penalty: a number or `"cv"`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum PenaltySpec {
    /// Fixed lambda (glmnet scale: penalty on the mean log-likelihood).
    Value(f64),
    /// Chosen by inner cross-validation.
    Named(PenaltyName),
}

/// Named penalty choices.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyName {
    /// Inner cross-validation over a grid.
    Cv,
}

/// A classification threshold: a probability or `"prevalence"`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ThresholdSpec {
    /// Fixed probability.
    Value(f64),
    /// Named rule.
    Named(ThresholdName),
}

/// Named thresholds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdName {
    /// The training prevalence.
    Prevalence,
}

/// Validation scheme of a prediction family.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ValidationSpec {
    /// `kfold` (stratified, default), `repeated_kfold` or `loo`.
    #[serde(default)]
    pub scheme: ValidationScheme,
    /// Folds (default 5).
    #[serde(default = "five")]
    pub folds: usize,
    /// Repeats of `repeated_kfold` (default 10).
    #[serde(default = "ten")]
    pub repeats: usize,
}

/// Validation schemes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ValidationScheme {
    /// Stratified k-fold.
    #[default]
    Kfold,
    /// Repeated stratified k-fold.
    RepeatedKfold,
    /// Leave one out.
    Loo,
}

fn default_visits() -> Vec<String> {
    vec!["baseline".into(), "follow_up".into()]
}
fn five() -> usize {
    5
}
fn ten() -> usize {
    10
}

/// Kinds of families (docs/model.md, section 3).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FamilyKind {
    /// Patients vs controls at baseline, per region.
    BaselineDifference,
    /// Change between two arms, per region.
    ArmChange,
    /// Pre vs post within one arm, per region.
    WithinArmChange,
    /// Symptom endpoints between two arms.
    Clinical,
    /// Correlation of biomarker change with symptom improvement within an arm, per region.
    Correlation,
    /// Prediction of responders (or remitters) within an arm from biomarkers; one "hypothesis"
    /// per model.
    Prediction,
    /// Crossover treatment effect per region: the 2x2 crossover t-test on period differences.
    Crossover,
}

/// Statistical tests.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// Welch's unequal-variance t-test.
    Welch,
    /// Student's pooled-variance t-test.
    Student,
    /// ANCOVA: follow-up on baseline and group.
    Ancova,
    /// Paired t-test.
    Paired,
    /// Mixed model for repeated measures over all post-baseline visits (clinical change).
    Mmrm,
    /// Pearson correlation.
    Pearson,
    /// Spearman rank correlation.
    Spearman,
    /// Wilcoxon-Mann-Whitney rank-sum test with the Hodges-Lehmann shift estimate.
    Wilcoxon,
    /// Equivalence by two one-sided Student t-tests (TOST) against `margin` or `margin_d`.
    Tost,
    /// Small telescopes (Simonsohn 2015): is the effect significantly smaller than d33, the
    /// effect the original study (`original_n`) had 33 % power to detect?
    SmallTelescopes,
}

/// Clinical endpoints.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// Score change (baseline minus follow-up).
    Change,
    /// Response rate (Fisher's exact test).
    Response,
    /// Remission rate (Fisher's exact test).
    Remission,
}

fn one() -> f64 {
    1.0
}
fn yes() -> bool {
    true
}
fn half() -> f64 {
    0.5
}
fn suvr() -> String {
    "SUVR".into()
}
fn madrs() -> String {
    "MADRS".into()
}
fn default_improvement_sd() -> f64 {
    8.0
}
fn default_baseline_mean() -> f64 {
    34.0
}
fn default_baseline_sd() -> f64 {
    6.0
}
fn default_inclusion_min() -> f64 {
    22.0
}
fn default_scale_max() -> f64 {
    60.0
}
fn default_remission() -> f64 {
    10.0
}
fn default_alpha() -> f64 {
    0.05
}
