//! The resolved scenario types: regions, arms, symptoms, families and the scenario itself.

use super::prediction::PredictionConfig;
use super::spec::*;
use std::collections::BTreeMap;

/// One region, resolved to absolute units.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// Name.
    pub name: String,
    /// Control mean (mu).
    pub mu: f64,
    /// Between-subject SD of the controls' true value (sigma).
    pub sigma: f64,
    /// Between-subject SD of the patients' true value (sigma_p; equal to sigma unless the region
    /// sets `patient_between_sd` or `patient_sd_ratio`).
    pub sigma_patients: f64,
    /// Measurement-error SD of one scan (test-retest CV times mu).
    pub meas_sd: f64,
    /// True patient shift (patients minus controls), absolute.
    pub delta: f64,
}

impl Region {
    /// Pooled between-subject SD used for the true standardised shift: the root mean square of
    /// the two groups' SDs, sqrt((sigma^2 + sigma_p^2) / 2) (equal weights, so it does not
    /// depend on the group sizes; sigma when the SDs are equal).
    pub fn pooled_sigma(&self) -> f64 {
        ((self.sigma * self.sigma + self.sigma_patients * self.sigma_patients) / 2.0).sqrt()
    }

    /// Test-retest intraclass correlation of one scan (controls): sigma^2 / (sigma^2 + e^2).
    pub fn icc(&self) -> f64 {
        let v = self.sigma * self.sigma;
        v / (v + self.meas_sd * self.meas_sd)
    }
}

/// A reference to a pre-treatment characteristic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CovRef {
    /// `design.covariates[i]`.
    Covariate(usize),
    /// The baseline symptom score.
    BaselineScore,
}

/// A resolved covariate.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariate {
    /// Name.
    pub name: String,
    /// Mean.
    pub mean: f64,
    /// SD.
    pub sd: f64,
}

/// Resolved logistic allocation of two arms.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocationLogit {
    /// Index of the arm whose probability is modelled.
    pub arm: usize,
    /// Intercept (log odds at the covariate means).
    pub intercept: f64,
    /// Coefficients per characteristic (applied to deviations from the mean).
    pub coefficients: Vec<(CovRef, f64)>,
}

/// One arm, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// Name.
    pub name: String,
    /// Allocation ratio.
    pub ratio: f64,
    /// Mean true change per region (kappa), absolute.
    pub kappa: Vec<f64>,
    /// SD of true change per region (tau), absolute.
    pub tau: Vec<f64>,
    /// Baseline-change correlation per region.
    pub rho_bc: Vec<f64>,
    /// Baseline-improvement correlation per region.
    pub rho_bs: Vec<f64>,
    /// Change-improvement correlation per region.
    pub rho_cs: Vec<f64>,
    /// Mean symptom improvement.
    pub improvement_mean: f64,
    /// SD of symptom improvement.
    pub improvement_sd: f64,
    /// Dropout probability (at average improvement).
    pub dropout: f64,
    /// Log odds ratio of dropout per SD of improvement.
    pub dropout_log_or: f64,
    /// Monotone dropout: probability of dropping out in each post-baseline interval (entry `j`:
    /// before visit `j + 1`); empty = none.
    pub dropout_per_visit: Vec<f64>,
    /// Log odds ratio of interval dropout per baseline SD of the last observed score (MAR).
    pub dropout_mar_log_or: f64,
    /// Joint correlation of (baseline~, change~, improvement~), `(2R+1)^2`, row-major.
    pub joint: Vec<f64>,
    /// Its lower Cholesky factor.
    pub joint_chol: Vec<f64>,
    /// The same factor stored for fast products (one per simulated patient).
    pub joint_panels: crate::stats::linalg::LowerPanels,
    /// Cholesky factor (stored for fast products) of the covariance of one patient's observed
    /// vector: baseline scan minus its mean, observed change (follow-up minus baseline scan)
    /// minus kappa, per region, then the standardised improvement
    /// ([`crate::scenario::observed_cov`]); `None` when that covariance is singular (a region
    /// whose change neither varies nor carries measurement error).
    pub observed_panels: Option<crate::stats::linalg::LowerPanels>,
    /// Fraction of the final improvement reached at each visit.
    pub time_course: Vec<f64>,
    /// Probability of being a late responder.
    pub late_fraction: f64,
    /// Time course of late responders.
    pub late_time_course: Vec<f64>,
    /// Improvement per unit of each characteristic above its mean.
    pub improvement_covs: Vec<(CovRef, f64)>,
    /// Crossover carry-over per region (absolute).
    pub carryover: Vec<f64>,
}

impl Arm {
    /// Reliability of an observed change score in region r: tau^2 / (tau^2 + 2 e^2).
    /// It is 0 when the true change does not vary between patients.
    pub fn change_reliability(&self, region: &Region, r: usize) -> f64 {
        let t2 = self.tau[r] * self.tau[r];
        let e2 = region.meas_sd * region.meas_sd;
        if t2 + 2.0 * e2 == 0.0 {
            return 1.0;
        }
        t2 / (t2 + 2.0 * e2)
    }
}

/// How the baseline symptom score is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct SymptomModel {
    /// Spec values.
    pub spec: Symptoms,
    /// Normal CDF at the inclusion limits (for inverse-CDF sampling).
    pub cdf_lo: f64,
    /// Normal CDF at the upper inclusion limit.
    pub cdf_hi: f64,
    /// Use rejection sampling (acceptance >= 0.25) rather than the inverse CDF.
    pub rejection: bool,
}

impl SymptomModel {
    /// Name of the score-change endpoint, e.g. `madrs_change`.
    pub fn change_name(&self) -> String {
        format!("{}_change", self.spec.scale.to_lowercase())
    }
}

/// A resolved family of hypotheses.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: FamilyKind,
    /// Test used for continuous hypotheses.
    pub test: TestKind,
    /// Arm indices: the two compared, or the one analysed (then both equal).
    pub arms: (usize, usize),
    /// Region indices tested (empty for `clinical`).
    pub regions: Vec<usize>,
    /// Endpoints (for `clinical`).
    pub endpoints: Vec<Endpoint>,
    /// Multiplicity adjustment (ignored when `graph` is set).
    pub multiplicity: Multiplicity,
    /// Graphical procedure over the family's hypotheses, in place of `multiplicity`.
    pub graph: Option<crate::stats::graphical::Graph>,
    /// The family's own significance level; `None` uses the scenario's (see
    /// [`Scenario::family_alpha`]).
    pub alpha: Option<f64>,
    /// Index of the gating family.
    pub gate: Option<usize>,
    /// Alternative.
    pub alternative: Alternative,
    /// Prediction settings (prediction families only).
    pub prediction: Option<PredictionConfig>,
    /// Visits analysed (clinical: one hypothesis per endpoint and visit; others: one visit).
    pub visits: Vec<usize>,
    /// Characteristics adjusted for by a clinical ANCOVA or MMRM.
    pub adjust: Vec<CovRef>,
    /// MMRM options (`"test": "mmrm"` only).
    pub mmrm: Option<MmrmSpec>,
    /// Replication-success test settings (`tost`, `small_telescopes`); None for other tests.
    pub replication: Option<Replication>,
}

/// A replication-success analysis of a two-group family.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Replication {
    /// Equivalence (TOST) within (-margin, margin).
    Tost(Margin),
    /// Small telescopes against the d33 of an original study with these group sizes.
    SmallTelescopes {
        /// The original study's group sizes.
        original_n: (usize, usize),
        /// The effect (in SD units) the original study had 33 % power to detect.
        d33: f64,
    },
}

/// An equivalence margin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Margin {
    /// In the estimate's natural units.
    Natural(f64),
    /// In units of the outcome's population SD (pooled over the two groups).
    Sd(f64),
}

/// A validated scenario ready to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The spec with every default filled in (what result files record).
    pub spec: ScenarioSpec,
    /// Regions in file order.
    pub regions: Vec<Region>,
    /// Arms in design order.
    pub arms: Vec<Arm>,
    /// Controls at the scenario's own size.
    pub n_controls: usize,
    /// Patients at the scenario's own size.
    pub n_patients: usize,
    /// Between-region correlation of true baseline (R x R).
    pub baseline_corr: Vec<f64>,
    /// Its Cholesky factor (used for controls).
    pub baseline_chol: Vec<f64>,
    /// Cholesky factor of the between-region correlation of true change (crossover effects).
    pub change_chol: Vec<f64>,
    /// Symptom model.
    pub symptoms: SymptomModel,
    /// Resolved analysis plan.
    pub families: Vec<Family>,
    /// Significance level (of families without their own).
    pub alpha: f64,
    /// Graphical procedure across families (`analysis.graphical`).
    pub graphical: Option<CrossGraph>,
    /// Parallel or crossover.
    pub design_kind: DesignKind,
    /// Visit names (first = baseline).
    pub visits: Vec<String>,
    /// Index of the visit of the second scan.
    pub scan_visit: usize,
    /// Pre-treatment covariates.
    pub covariates: Vec<Covariate>,
    /// Logistic allocation, when allocation is `logistic`.
    pub allocation_logit: Option<AllocationLogit>,
    /// Crossover period effect per region (absolute).
    pub period_effect: Vec<f64>,
    /// Probability that a scan fails.
    pub scan_failure: f64,
    /// Unit of the measures.
    pub unit: String,
    /// How patients are allocated to arms.
    pub allocation: Allocation,
    /// Probability that a control misses the second scan (used when controls are rescanned).
    pub control_dropout: f64,
    /// Whether controls are scanned a second time.
    pub rescan_controls: bool,
}

/// A resolved graph across families: its nodes as (family index, hypothesis index).
#[derive(Debug, Clone, PartialEq)]
pub struct CrossGraph {
    /// Weights and transitions.
    pub graph: crate::stats::graphical::Graph,
    /// Node k is hypothesis `nodes[k].1` of family `nodes[k].0`.
    pub nodes: Vec<(usize, usize)>,
}

impl CrossGraph {
    /// Whether family `fi` is decided by this graph.
    pub fn has_family(&self, fi: usize) -> bool {
        self.nodes.iter().any(|&(f, _)| f == fi)
    }

    /// The last family (in plan order) with a node: the graph is applied once it is analysed.
    pub fn last_family(&self) -> usize {
        self.nodes.iter().map(|&(f, _)| f).max().unwrap_or(0)
    }
}

impl Scenario {
    /// The multiplicity procedure of family `fi` in plain words: the procedure's name (`Holm`,
    /// ...), `graphical procedure` for a graph within the family, `graphical procedure across
    /// families` for a family decided by `analysis.graphical`.
    pub fn procedure_label(&self, fi: usize) -> String {
        let f = &self.families[fi];
        if self.graphical.as_ref().is_some_and(|g| g.has_family(fi)) {
            "graphical procedure across families".into()
        } else if f.graph.is_some() {
            "graphical procedure".into()
        } else {
            f.multiplicity.label().into()
        }
    }

    /// Significance level of a family: its own `alpha`, else the scenario's.
    pub fn family_alpha(&self, f: &Family) -> f64 {
        f.alpha.unwrap_or(self.alpha)
    }

    /// The population version of the scenario used for the true values of the estimands: no
    /// dropout, no failed scans, and blocked allocation (everyone's characteristics from their
    /// marginal law, i.e. the causal, randomised contrast).
    pub fn population(&self) -> Scenario {
        let mut pop = self.clone();
        pop.scan_failure = 0.0;
        for a in pop.arms.iter_mut() {
            a.dropout = 0.0;
            a.dropout_log_or = 0.0;
            a.dropout_per_visit.clear();
            a.dropout_mar_log_or = 0.0;
        }
        pop.allocation = Allocation::Blocked;
        // Keep the recorded spec in step with the resolved value.
        pop.spec.design.allocation = Allocation::Blocked;
        pop
    }

    /// Number of regions.
    pub fn n_regions(&self) -> usize {
        self.regions.len()
    }

    /// Index of a region by name.
    pub fn region_index(&self, name: &str) -> Option<usize> {
        self.regions.iter().position(|r| r.name == name)
    }

    /// Names of the hypotheses of a family, in order.
    pub fn hypotheses(&self, f: &Family) -> Vec<String> {
        let regions: Vec<String> = self.regions.iter().map(|r| r.name.clone()).collect();
        family_hypotheses(f, &self.symptoms.change_name(), &self.visits, &regions)
    }
}

/// Names of the hypotheses of a family, given the symptom change endpoint's name, the visit
/// names and the region names.
pub(crate) fn family_hypotheses(
    f: &Family,
    change_name: &str,
    visits: &[String],
    regions: &[String],
) -> Vec<String> {
    match f.kind {
        FamilyKind::Prediction => f
            .prediction
            .as_ref()
            .map(|c| c.models.iter().map(|m| m.name().to_string()).collect())
            .unwrap_or_default(),
        FamilyKind::Clinical => f
            .endpoints
            .iter()
            .flat_map(|e| {
                let base = match e {
                    Endpoint::Change => change_name.to_string(),
                    Endpoint::Response => "response".to_string(),
                    Endpoint::Remission => "remission".to_string(),
                };
                f.visits.iter().map(move |&v| {
                    if f.visits.len() > 1 {
                        format!("{base}@{}", visits[v])
                    } else {
                        base.clone()
                    }
                })
            })
            .collect(),
        _ => f.regions.iter().map(|&r| regions[r].clone()).collect(),
    }
}

/// Region names paired with a value, for diagnostics.
pub fn by_region<'a>(s: &'a Scenario, v: &'a [f64]) -> BTreeMap<&'a str, f64> {
    s.regions
        .iter()
        .map(|r| r.name.as_str())
        .zip(v.iter().copied())
        .collect()
}
