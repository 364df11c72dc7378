//! Scenarios: parse, validate, resolve defaults.
//!
//! A [`ScenarioSpec`] is the JSON file as written; a [`Scenario`] is the validated, resolved form the
//! rest of the pipeline uses: every per-region value in region order, absolute units, Cholesky factors
//! computed once, analysis families resolved to indices.
//!
//! ```
//! let s = trialsim::scenario::load("ketamine-ampar-2026").unwrap();
//! assert_eq!(s.n_controls, 49);
//! assert_eq!(s.n_patients, 34);
//! ```

pub mod builtin;
pub mod implied;
pub mod prediction;
mod provenance;
pub mod spec;

pub use provenance::unsourced_numbers;
pub use spec::*;

use crate::error::{Problem, ScenarioError};
use crate::stats::linalg;
pub use prediction::{FeatureSet, PredictionConfig};
use statrs::distribution::{ContinuousCDF, Normal};
use std::collections::BTreeMap;

/// One region, resolved to absolute units.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// Name.
    pub name: String,
    /// Control mean (mu).
    pub mu: f64,
    /// Between-subject SD of the true value (sigma).
    pub sigma: f64,
    /// Measurement-error SD of one scan (test-retest CV times mu).
    pub meas_sd: f64,
    /// True patient shift (patients minus controls), absolute.
    pub delta: f64,
}

impl Region {
    /// Test-retest intraclass correlation of one scan: sigma^2 / (sigma^2 + e^2).
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
    /// Joint correlation of (baseline~, change~, improvement~), `(2R+1)^2`, row-major.
    pub joint: Vec<f64>,
    /// Its lower Cholesky factor.
    pub joint_chol: Vec<f64>,
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
    /// Multiplicity adjustment.
    pub multiplicity: Multiplicity,
    /// Index of the gating family.
    pub gate: Option<usize>,
    /// Alternative.
    pub alternative: Alternative,
    /// Prediction settings (prediction families only).
    pub prediction: Option<PredictionConfig>,
    /// Visits analysed (clinical: one hypothesis per endpoint and visit; others: one visit).
    pub visits: Vec<usize>,
    /// Characteristics adjusted for by a clinical ANCOVA.
    pub adjust: Vec<CovRef>,
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
    /// Significance level.
    pub alpha: f64,
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
}

/// Group sizes of one simulated trial.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sizes {
    /// Controls.
    pub controls: usize,
    /// Patients per arm (expected counts; simple randomisation draws them per trial).
    pub arms: Vec<usize>,
}

impl Sizes {
    /// Patients in all arms.
    pub fn patients(&self) -> usize {
        self.arms.iter().sum()
    }
    /// Everybody enrolled.
    pub fn total(&self) -> usize {
        self.controls + self.patients()
    }
}

/// Split `n` into parts proportional to `weights` by the largest-remainder rule (ties to the earlier
/// part), so the parts always add up to `n`.
///
/// ```
/// assert_eq!(trialsim::scenario::largest_remainder(35, &[1.0, 1.0]), vec![18, 17]);
/// assert_eq!(trialsim::scenario::largest_remainder(10, &[1.0, 2.0]), vec![3, 7]);
/// ```
pub fn largest_remainder(n: usize, weights: &[f64]) -> Vec<usize> {
    let total: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| n as f64 * w / total).collect();
    let mut parts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut left = n - parts.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.partial_cmp(&ra)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

impl Scenario {
    /// Sizes as written in the scenario.
    pub fn own_sizes(&self) -> Sizes {
        self.sizes_with(self.n_controls, self.n_patients)
    }

    /// Sizes for the given numbers of controls and patients (arms split by ratio).
    pub fn sizes_with(&self, controls: usize, patients: usize) -> Sizes {
        let ratios: Vec<f64> = self.arms.iter().map(|a| a.ratio).collect();
        let arms = if ratios.is_empty() {
            Vec::new()
        } else {
            largest_remainder(patients, &ratios)
        };
        Sizes { controls, arms }
    }

    /// Sizes for a total enrolment `n`, keeping the scenario's proportions: controls and patients
    /// split by the largest-remainder rule in the scenario's control:patient ratio, then patients
    /// split across arms by the allocation ratios the same way.
    pub fn sizes_for_total(&self, n: usize) -> Sizes {
        let split = largest_remainder(n, &[self.n_controls as f64, self.n_patients as f64]);
        self.sizes_with(split[0], split[1])
    }

    /// Number of regions.
    pub fn n_regions(&self) -> usize {
        self.regions.len()
    }

    /// Index of a region by name.
    pub fn region_index(&self, name: &str) -> Option<usize> {
        self.regions.iter().position(|r| r.name == name)
    }

    /// The scenario with only the named family and the families it is gated by (the others cannot
    /// change its results), e.g. for a sample-size search on one criterion.
    pub fn only_family(&self, name: &str) -> Result<Scenario, Vec<Problem>> {
        let mut keep = Vec::new();
        let mut cur = self.families.iter().position(|f| f.name == name);
        while let Some(i) = cur {
            keep.push(self.families[i].name.clone());
            cur = self.families[i].gate;
        }
        let mut spec = self.spec.clone();
        if spec.analysis.families.is_empty() {
            spec.analysis.families = default_families(&spec);
        }
        spec.analysis.families.retain(|f| keep.contains(&f.name));
        resolve(spec)
    }

    /// Names of the hypotheses of a family, in order.
    pub fn hypotheses(&self, f: &Family) -> Vec<String> {
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
                        Endpoint::Change => self.symptoms.change_name(),
                        Endpoint::Response => "response".to_string(),
                        Endpoint::Remission => "remission".to_string(),
                    };
                    f.visits.iter().map(move |&v| {
                        if f.visits.len() > 1 {
                            format!("{base}@{}", self.visits[v])
                        } else {
                            base.clone()
                        }
                    })
                })
                .collect(),
            _ => f
                .regions
                .iter()
                .map(|&r| self.regions[r].name.clone())
                .collect(),
        }
    }
}

/// Load a scenario from a file path, or from the built-in set by name.
pub fn load(name_or_path: &str) -> Result<Scenario, ScenarioError> {
    let (label, text) = read_text(name_or_path)?;
    parse(&label, &text)
}

/// The JSON text of a scenario file, or of a built-in scenario by name, with the label used in
/// messages (the path, or `built-in:NAME`). A file of that name wins over a built-in.
pub fn read_text(name_or_path: &str) -> Result<(String, String), ScenarioError> {
    let path = std::path::Path::new(name_or_path);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Io {
            file: name_or_path.to_string(),
            source: e,
        })?;
        return Ok((name_or_path.to_string(), text));
    }
    match builtin::get(name_or_path) {
        Some(text) => Ok((format!("built-in:{name_or_path}"), text.to_string())),
        None => Err(ScenarioError::NotFound(name_or_path.to_string())),
    }
}

/// Parse and validate scenario JSON text; `file` names it in error messages.
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let spec: ScenarioSpec = match serde_path_to_error::deserialize(de) {
        Ok(s) => s,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(ScenarioError::Syntax {
                    file: file.to_string(),
                    line: inner.line(),
                    column: inner.column(),
                    message: strip_position(&inner.to_string()),
                });
            }
            let path = if path == "." { String::new() } else { path };
            return Err(ScenarioError::Invalid {
                file: file.to_string(),
                problems: vec![Problem {
                    path,
                    message: format!(
                        "{} (line {}, column {})",
                        strip_position(&inner.to_string()),
                        inner.line(),
                        inner.column()
                    ),
                }],
            });
        }
    };
    resolve(spec).map_err(|problems| ScenarioError::Invalid {
        file: file.to_string(),
        problems,
    })
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Collects problems while validating.
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }
    fn finite(&mut self, path: &str, v: f64) -> bool {
        if !v.is_finite() {
            self.err(path, format!("must be a finite number, got {v}"));
            return false;
        }
        true
    }
    fn positive(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && v <= 0.0 {
            self.err(path, format!("must be > 0, got {v}"));
        }
    }
    fn non_negative(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && v < 0.0 {
            self.err(path, format!("must be >= 0, got {v}"));
        }
    }
    fn probability(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && !(0.0..1.0).contains(&v) {
            self.err(path, format!("must be a probability in [0, 1), got {v}"));
        }
    }
    fn correlation(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && !(-1.0..=1.0).contains(&v) {
            self.err(path, format!("must be a correlation in [-1, 1], got {v}"));
        }
    }
}

/// Resolve a per-region value; unknown region names are reported.
fn per_region(
    ck: &mut Checker,
    path: &str,
    v: &PerRegion,
    names: &[String],
) -> (Vec<f64>, Vec<bool>) {
    let r = names.len();
    match v {
        PerRegion::All(x) => {
            ck.finite(path, *x);
            (vec![*x; r], vec![true; r])
        }
        PerRegion::ByRegion(map) => {
            let default = map.get("*").copied();
            let mut out = vec![default.unwrap_or(0.0); r];
            let mut given = vec![default.is_some(); r];
            for (k, x) in map {
                let p = format!("{path}.{k}");
                ck.finite(&p, *x);
                if k == "*" {
                    continue;
                }
                match names.iter().position(|n| n == k) {
                    Some(i) => {
                        out[i] = *x;
                        given[i] = true;
                    }
                    None => ck.err(
                        p,
                        format!("unknown region '{k}'; regions are: {}", names.join(", ")),
                    ),
                }
            }
            (out, given)
        }
    }
}

fn correlation_matrix(ck: &mut Checker, path: &str, v: &CorrelationValue, r: usize) -> Vec<f64> {
    let mut m = vec![0.0; r * r];
    match v {
        CorrelationValue::Exchangeable(rho) => {
            ck.correlation(path, *rho);
            for i in 0..r {
                for j in 0..r {
                    m[i * r + j] = if i == j { 1.0 } else { *rho };
                }
            }
        }
        CorrelationValue::Matrix(rows) => {
            if rows.len() != r || rows.iter().any(|row| row.len() != r) {
                ck.err(
                    path,
                    format!("must be a {r} x {r} matrix (one row and column per region, in region order)"),
                );
                return identity(r);
            }
            for i in 0..r {
                for j in 0..r {
                    let x = rows[i][j];
                    let p = format!("{path}[{i}][{j}]");
                    ck.correlation(&p, x);
                    if i == j && x != 1.0 {
                        ck.err(p, format!("diagonal must be 1, got {x}"));
                    } else if j > i && x != rows[j][i] {
                        ck.err(
                            p,
                            format!(
                                "matrix must be symmetric: {x} != [{j}][{i}] = {}",
                                rows[j][i]
                            ),
                        );
                    }
                    m[i * r + j] = x;
                }
            }
        }
    }
    m
}

fn identity(r: usize) -> Vec<f64> {
    let mut m = vec![0.0; r * r];
    for i in 0..r {
        m[i * r + i] = 1.0;
    }
    m
}

/// Validate a parsed spec and resolve it. Returns every problem found.
pub fn resolve(spec: ScenarioSpec) -> Result<Scenario, Vec<Problem>> {
    let mut ck = Checker {
        problems: Vec::new(),
    };
    if spec.name.trim().is_empty() {
        ck.err("name", "must not be empty");
    }

    // ---- design
    let d = &spec.design;
    if d.controls + d.patients == 0 {
        ck.err("design", "controls + patients must be > 0");
    }
    if d.patients > 0 && d.arms.is_empty() {
        ck.err(
            "design.arms",
            "patients need at least one arm, e.g. [{\"name\": \"treatment\"}]",
        );
    }
    for (i, a) in d.arms.iter().enumerate() {
        let p = format!("design.arms[{i}]");
        if a.name.trim().is_empty() {
            ck.err(format!("{p}.name"), "must not be empty");
        }
        if d.arms[..i].iter().any(|b| b.name == a.name) {
            ck.err(
                format!("{p}.name"),
                format!("duplicate arm name '{}'", a.name),
            );
        }
        ck.positive(&format!("{p}.ratio"), a.ratio);
    }
    ck.probability("design.control_dropout", d.control_dropout);

    // ---- measures
    let no_measures = Measures {
        unit: String::new(),
        correlation: Correlations::default(),
        scan_failure: 0.0,
        regions: Vec::new(),
    };
    let m = spec.measures.as_ref().unwrap_or(&no_measures);
    ck.probability("measures.scan_failure", m.scan_failure);
    if spec.measures.is_some() && m.regions.is_empty() {
        ck.err(
            "measures.regions",
            "must list at least one region (leave out \"measures\" for a study without biomarkers)",
        );
    }
    let names: Vec<String> = m.regions.iter().map(|r| r.name.clone()).collect();
    let mut regions = Vec::new();
    for (i, r) in m.regions.iter().enumerate() {
        let p = format!("measures.regions[{i}]");
        if r.name.trim().is_empty() {
            ck.err(format!("{p}.name"), "must not be empty");
        }
        if names[..i].contains(&r.name) {
            ck.err(
                format!("{p}.name"),
                format!("duplicate region name '{}'", r.name),
            );
        }
        ck.positive(&format!("{p}.control_mean"), r.control_mean);
        ck.positive(&format!("{p}.between_sd"), r.between_sd);
        ck.non_negative(&format!("{p}.test_retest_cv"), r.test_retest_cv);
        let delta = match (r.patient_shift_d, r.patient_shift_pct) {
            (Some(_), Some(_)) => {
                ck.err(
                    format!("{p}.patient_shift_pct"),
                    "give patient_shift_d or patient_shift_pct, not both",
                );
                0.0
            }
            (Some(dd), None) => {
                ck.finite(&format!("{p}.patient_shift_d"), dd);
                dd * r.between_sd
            }
            (None, Some(pct)) => {
                ck.finite(&format!("{p}.patient_shift_pct"), pct);
                pct / 100.0 * r.control_mean
            }
            (None, None) => 0.0,
        };
        regions.push(Region {
            name: r.name.clone(),
            mu: r.control_mean,
            sigma: r.between_sd,
            meas_sd: r.test_retest_cv * r.control_mean,
            delta,
        });
    }
    let nr = regions.len();
    let c_b = correlation_matrix(
        &mut ck,
        "measures.correlation.baseline",
        &m.correlation.baseline,
        nr,
    );
    let c_c = correlation_matrix(
        &mut ck,
        "measures.correlation.change",
        &m.correlation.change,
        nr,
    );

    // ---- visits, covariates, allocation, crossover
    let nv = d.visits.len();
    if nv < 2 {
        ck.err(
            "design.visits",
            "must name at least two visits, baseline first",
        );
    }
    for (i, v) in d.visits.iter().enumerate() {
        if v.trim().is_empty() || d.visits[..i].contains(v) {
            ck.err(
                format!("design.visits[{i}]"),
                format!("visit names must be unique and non-empty, got '{v}'"),
            );
        }
    }
    let visit_index = |ck: &mut Checker, path: &str, name: &str| -> usize {
        match d.visits.iter().position(|v| v == name) {
            Some(0) => {
                ck.err(
                    path,
                    format!("'{name}' is the baseline visit; name a later visit"),
                );
                nv.saturating_sub(1)
            }
            Some(i) => i,
            None => {
                ck.err(
                    path,
                    format!(
                        "unknown visit '{name}'; visits are: {}",
                        d.visits.join(", ")
                    ),
                );
                nv.saturating_sub(1)
            }
        }
    };
    let scan_visit = match &d.scan_visit {
        None => nv.saturating_sub(1),
        Some(v) => visit_index(&mut ck, "design.scan_visit", v),
    };
    let mut covariates: Vec<Covariate> = Vec::new();
    for (i, c) in d.covariates.iter().enumerate() {
        let p = format!("design.covariates[{i}]");
        if c.name.trim().is_empty()
            || c.name == "baseline_score"
            || covariates.iter().any(|o| o.name == c.name)
        {
            ck.err(
                format!("{p}.name"),
                format!(
                    "must be unique, non-empty and not 'baseline_score', got '{}'",
                    c.name
                ),
            );
        }
        ck.finite(&format!("{p}.mean"), c.mean);
        ck.positive(&format!("{p}.sd"), c.sd);
        covariates.push(Covariate {
            name: c.name.clone(),
            mean: c.mean,
            sd: c.sd,
        });
    }
    let cov_names: Vec<String> = covariates.iter().map(|c| c.name.clone()).collect();
    let cov_ref = |ck: &mut Checker, path: String, name: &str| -> Option<CovRef> {
        if name == "baseline_score" {
            return Some(CovRef::BaselineScore);
        }
        match cov_names.iter().position(|c| c == name) {
            Some(i) => Some(CovRef::Covariate(i)),
            None => {
                let mut known = cov_names.clone();
                known.push("baseline_score".into());
                ck.err(
                    path,
                    format!("unknown covariate '{name}'; known: {}", known.join(", ")),
                );
                None
            }
        }
    };
    let allocation_logit = match (&d.allocation, &d.allocation_model) {
        (Allocation::Logistic, None) => {
            ck.err(
                "design.allocation_model",
                "allocation \"logistic\" needs an allocation_model",
            );
            None
        }
        (Allocation::Logistic, Some(am)) => {
            if d.arms.len() != 2 {
                ck.err(
                    "design.allocation",
                    "logistic allocation needs exactly two arms",
                );
            }
            let arm = match d.arms.iter().position(|a| a.name == am.arm) {
                Some(i) => i,
                None => {
                    ck.err(
                        "design.allocation_model.arm",
                        format!("unknown arm '{}'", am.arm),
                    );
                    0
                }
            };
            ck.finite("design.allocation_model.intercept", am.intercept);
            let mut coefficients = Vec::new();
            for (name, c) in &am.coefficients {
                let path = format!("design.allocation_model.coefficients.{name}");
                ck.finite(&path, *c);
                if let Some(r) = cov_ref(&mut ck, path, name) {
                    coefficients.push((r, *c));
                }
            }
            Some(AllocationLogit {
                arm,
                intercept: am.intercept,
                coefficients,
            })
        }
        (_, Some(_)) => {
            ck.err(
                "design.allocation_model",
                "only used with \"allocation\": \"logistic\"",
            );
            None
        }
        _ => None,
    };
    let crossover = d.kind == DesignKind::Crossover;
    if crossover {
        if d.arms.len() != 2 {
            ck.err(
                "design.arms",
                "a crossover design has exactly two arms (the two conditions)",
            );
        }
        if d.controls > 0 {
            ck.err(
                "design.controls",
                "a crossover design has no control group: set controls to 0",
            );
        }
        if d.allocation == Allocation::Logistic {
            ck.err(
                "design.allocation",
                "crossover sequences are randomised: use blocked or simple",
            );
        }
        if spec.measures.is_none() {
            ck.err(
                "measures",
                "a crossover design compares measures: give at least one region",
            );
        }
    }
    let period_effect = {
        let (v, given) = per_region(&mut ck, "design.period_effect", &d.period_effect, &names);
        if !crossover && given.iter().any(|&g| g) {
            ck.err(
                "design.period_effect",
                "only crossover designs have a period effect",
            );
        }
        v
    };

    // ---- arms
    for k in spec.arms.keys() {
        if !d.arms.iter().any(|a| &a.name == k) {
            let known: Vec<&str> = d.arms.iter().map(|a| a.name.as_str()).collect();
            ck.err(
                format!("arms.{k}"),
                format!(
                    "no arm named '{k}' in design.arms (arms are: {})",
                    known.join(", ")
                ),
            );
        }
    }
    let empty = ArmEffects {
        change: PerRegion::default(),
        change_pct: PerRegion::default(),
        change_sd: PerRegion::default(),
        change_sd_pct: PerRegion::default(),
        baseline_change_corr: PerRegion::default(),
        baseline_improvement_corr: PerRegion::default(),
        change_improvement_corr: PerRegion::default(),
        improvement_mean: 0.0,
        improvement_sd: 8.0,
        dropout: 0.0,
        dropout_log_or_per_sd: 0.0,
        time_course: None,
        late_fraction: 0.0,
        late_time_course: None,
        improvement_covariates: BTreeMap::new(),
        carryover: PerRegion::default(),
    };
    let mut arms = Vec::new();
    for a in &d.arms {
        let e = spec.arms.get(&a.name).unwrap_or(&empty);
        let p = format!("arms.{}", a.name);
        let (abs, abs_given) = per_region(&mut ck, &format!("{p}.change"), &e.change, &names);
        let (pct, pct_given) =
            per_region(&mut ck, &format!("{p}.change_pct"), &e.change_pct, &names);
        let (sd, sd_given) = per_region(&mut ck, &format!("{p}.change_sd"), &e.change_sd, &names);
        let (sdp, sdp_given) = per_region(
            &mut ck,
            &format!("{p}.change_sd_pct"),
            &e.change_sd_pct,
            &names,
        );
        let mut kappa = vec![0.0; nr];
        let mut tau = vec![0.0; nr];
        for r in 0..nr {
            let mu = regions[r].mu;
            if abs_given[r] && pct_given[r] {
                ck.err(
                    format!("{p}.change_pct.{}", names[r]),
                    "region has both change and change_pct; give one",
                );
            }
            kappa[r] = if pct_given[r] {
                pct[r] / 100.0 * mu
            } else {
                abs[r]
            };
            if sd_given[r] && sdp_given[r] {
                ck.err(
                    format!("{p}.change_sd_pct.{}", names[r]),
                    "region has both change_sd and change_sd_pct; give one",
                );
            }
            tau[r] = if sdp_given[r] {
                sdp[r] / 100.0 * mu
            } else {
                sd[r]
            };
            if tau[r] < 0.0 {
                let field = if sdp_given[r] {
                    "change_sd_pct"
                } else {
                    "change_sd"
                };
                ck.err(
                    format!("{p}.{field}.{}", names[r]),
                    format!("must be >= 0, got {}", tau[r]),
                );
            }
        }
        let mut corr = |field: &str, v: &PerRegion| {
            let path = format!("{p}.{field}");
            let (vals, _) = per_region(&mut ck, &path, v, &names);
            for (r, x) in vals.iter().enumerate() {
                if x.is_finite() && !(-1.0..=1.0).contains(x) {
                    ck.err(
                        format!("{path}.{}", names[r]),
                        format!("must be a correlation in [-1, 1], got {x}"),
                    );
                }
            }
            vals
        };
        let rho_bc = corr("baseline_change_corr", &e.baseline_change_corr);
        let rho_bs = corr("baseline_improvement_corr", &e.baseline_improvement_corr);
        let rho_cs = corr("change_improvement_corr", &e.change_improvement_corr);
        ck.finite(&format!("{p}.improvement_mean"), e.improvement_mean);
        ck.non_negative(&format!("{p}.improvement_sd"), e.improvement_sd);
        ck.probability(&format!("{p}.dropout"), e.dropout);
        ck.finite(
            &format!("{p}.dropout_log_or_per_sd"),
            e.dropout_log_or_per_sd,
        );
        let course = |ck: &mut Checker, field: &str, v: &Option<Vec<f64>>| -> Vec<f64> {
            let path = format!("{p}.{field}");
            match v {
                None => (0..nv).map(|i| if i == 0 { 0.0 } else { 1.0 }).collect(),
                Some(tc) => {
                    if tc.len() != nv {
                        ck.err(
                            &path,
                            format!(
                                "must have one entry per visit ({nv}: {}), got {}",
                                d.visits.join(", "),
                                tc.len()
                            ),
                        );
                    } else if tc[0] != 0.0 {
                        ck.err(format!("{path}[0]"), "the baseline entry must be 0");
                    }
                    for (i, x) in tc.iter().enumerate() {
                        ck.finite(&format!("{path}[{i}]"), *x);
                    }
                    let mut out = tc.clone();
                    out.resize(nv, 1.0);
                    out
                }
            }
        };
        let time_course = course(&mut ck, "time_course", &e.time_course);
        ck.probability(&format!("{p}.late_fraction"), e.late_fraction);
        if e.late_fraction > 0.0 && e.late_time_course.is_none() {
            ck.err(
                format!("{p}.late_time_course"),
                "late_fraction > 0 needs a late_time_course",
            );
        }
        let late_time_course = match &e.late_time_course {
            None => time_course.clone(),
            some => course(&mut ck, "late_time_course", some),
        };
        let mut improvement_covs = Vec::new();
        for (name, c) in &e.improvement_covariates {
            let path = format!("{p}.improvement_covariates.{name}");
            ck.finite(&path, *c);
            if let Some(r) = cov_ref(&mut ck, path, name) {
                improvement_covs.push((r, *c));
            }
        }
        let (carryover, carry_given) =
            per_region(&mut ck, &format!("{p}.carryover"), &e.carryover, &names);
        if !crossover && carry_given.iter().any(|&g| g) {
            ck.err(
                format!("{p}.carryover"),
                "only crossover designs have carry-over",
            );
        }
        arms.push(Arm {
            time_course,
            late_fraction: e.late_fraction,
            late_time_course,
            improvement_covs,
            carryover,
            name: a.name.clone(),
            ratio: a.ratio,
            kappa,
            tau,
            rho_bc,
            rho_bs,
            rho_cs,
            improvement_mean: e.improvement_mean,
            improvement_sd: e.improvement_sd,
            dropout: e.dropout,
            dropout_log_or: e.dropout_log_or_per_sd,
            joint: Vec::new(),
            joint_chol: Vec::new(),
        });
    }

    // ---- symptoms
    let s = &spec.symptoms;
    ck.finite("symptoms.baseline_mean", s.baseline_mean);
    ck.positive("symptoms.baseline_sd", s.baseline_sd);
    ck.finite("symptoms.scale_min", s.scale_min);
    ck.finite("symptoms.scale_max", s.scale_max);
    if s.scale_min >= s.scale_max {
        ck.err(
            "symptoms.scale_max",
            format!("must be > scale_min ({}), got {}", s.scale_min, s.scale_max),
        );
    }
    if s.inclusion_min > s.inclusion_max {
        ck.err(
            "symptoms.inclusion_max",
            format!(
                "must be >= inclusion_min ({}), got {}",
                s.inclusion_min, s.inclusion_max
            ),
        );
    }
    if !(s.response_fraction > 0.0 && s.response_fraction <= 1.0) {
        ck.err(
            "symptoms.response_fraction",
            format!("must be in (0, 1], got {}", s.response_fraction),
        );
    }
    ck.finite("symptoms.remission_max", s.remission_max);
    let mut symptoms = SymptomModel {
        spec: s.clone(),
        cdf_lo: 0.0,
        cdf_hi: 1.0,
        rejection: true,
    };
    if s.baseline_sd > 0.0 && s.baseline_mean.is_finite() && s.inclusion_min <= s.inclusion_max {
        let n = Normal::new(s.baseline_mean, s.baseline_sd).expect("checked sd > 0");
        let lo = s.inclusion_min.max(s.scale_min);
        let hi = s.inclusion_max.min(s.scale_max);
        symptoms.cdf_lo = n.cdf(lo);
        symptoms.cdf_hi = n.cdf(hi);
        let mass = symptoms.cdf_hi - symptoms.cdf_lo;
        if d.patients > 0 && !(mass > 1e-9) {
            ck.err(
                "symptoms.inclusion_min",
                format!(
                    "the inclusion range [{lo}, {hi}] (within the scale) holds {mass:.2e} of the baseline \
                     distribution N({}, {}): widen it or move baseline_mean into it",
                    s.baseline_mean, s.baseline_sd
                ),
            );
        }
        symptoms.rejection = mass >= 0.25;
    }

    // ---- analysis
    let plan = &spec.analysis;
    if !(plan.alpha > 0.0 && plan.alpha < 1.0) {
        ck.err(
            "analysis.alpha",
            format!("must be in (0, 1), got {}", plan.alpha),
        );
    }
    let family_specs = if plan.families.is_empty() {
        default_families(&spec)
    } else {
        plan.families.clone()
    };
    let mut families: Vec<Family> = Vec::new();
    for (i, f) in family_specs.iter().enumerate() {
        let p = format!("analysis.families[{i}]");
        if let Some(fam) = resolve_family(&mut ck, &p, f, &spec, &names, &families) {
            families.push(fam);
        }
    }

    // ---- joint correlation matrices (only when the pieces are individually valid)
    let mut baseline_chol = Vec::new();
    let mut change_chol = Vec::new();
    if ck.problems.is_empty() {
        match linalg::cholesky(&c_c, nr) {
            Some(l) => change_chol = l,
            None => ck.err(
                "measures.correlation.change",
                format!(
                    "between-region change correlation matrix is not positive definite \
                     (smallest eigenvalue {:.4}); lower the correlations",
                    linalg::min_eigenvalue(&c_c, nr)
                ),
            ),
        }
        match linalg::cholesky(&c_b, nr) {
            Some(l) => baseline_chol = l,
            None => ck.err(
                "measures.correlation.baseline",
                format!(
                    "between-region baseline correlation matrix is not positive definite \
                     (smallest eigenvalue {:.4}); lower the correlations",
                    linalg::min_eigenvalue(&c_b, nr)
                ),
            ),
        }
        for arm in arms.iter_mut() {
            let joint = joint_matrix(&c_b, &c_c, arm, nr);
            match linalg::cholesky(&joint, 2 * nr + 1) {
                Some(l) => {
                    arm.joint = joint;
                    arm.joint_chol = l;
                }
                None => {
                    let (msg, min) = explain_not_pd(&joint, nr, &arm.name);
                    ck.err(
                        format!("arms.{}", arm.name),
                        format!(
                            "the joint correlation matrix of (baseline, change, improvement) is not \
                             positive definite (smallest eigenvalue {min:.4}); {msg}"
                        ),
                    );
                }
            }
        }
    }

    if !ck.problems.is_empty() {
        return Err(ck.problems);
    }
    Ok(Scenario {
        design_kind: d.kind,
        visits: d.visits.clone(),
        scan_visit,
        covariates,
        allocation_logit,
        period_effect,
        scan_failure: m.scan_failure,
        unit: m.unit.clone(),
        n_controls: d.controls,
        n_patients: d.patients,
        alpha: plan.alpha,
        spec,
        regions,
        arms,
        baseline_corr: c_b,
        baseline_chol,
        change_chol,
        symptoms,
        families,
    })
}

/// Assemble the (2R+1) joint correlation of an arm from its named blocks.
fn joint_matrix(c_b: &[f64], c_c: &[f64], arm: &Arm, r: usize) -> Vec<f64> {
    let d = 2 * r + 1;
    let mut m = vec![0.0; d * d];
    let mut set = |i: usize, j: usize, v: f64| {
        m[i * d + j] = v;
        m[j * d + i] = v;
    };
    for i in 0..r {
        for j in 0..r {
            set(i, j, c_b[i * r + j]);
            set(r + i, r + j, c_c[i * r + j]);
        }
        set(i, r + i, arm.rho_bc[i]);
        set(i, 2 * r, arm.rho_bs[i]);
        set(r + i, 2 * r, arm.rho_cs[i]);
    }
    set(2 * r, 2 * r, 1.0);
    m
}

/// Name the blocks that make a joint matrix indefinite: first each block on its own, then each
/// cross block with the two diagonal blocks it links.
fn explain_not_pd(joint: &[f64], r: usize, arm: &str) -> (String, f64) {
    let d = 2 * r + 1;
    let min = linalg::min_eigenvalue(joint, d);
    let b: Vec<usize> = (0..r).collect();
    let c: Vec<usize> = (r..2 * r).collect();
    let s = vec![2 * r];
    let cat = |a: &[usize], b: &[usize]| a.iter().chain(b).copied().collect::<Vec<_>>();
    let candidates: Vec<(String, Vec<usize>)> = vec![
        ("measures.correlation.change".into(), c.clone()),
        (
            format!(
                "measures.correlation.baseline + arms.{arm}.baseline_change_corr + measures.correlation.change"
            ),
            cat(&b, &c),
        ),
        (
            format!("measures.correlation.baseline + arms.{arm}.baseline_improvement_corr"),
            cat(&b, &s),
        ),
        (
            format!("measures.correlation.change + arms.{arm}.change_improvement_corr"),
            cat(&c, &s),
        ),
    ];
    let mut culprits = Vec::new();
    for (name, idx) in candidates {
        let sub = linalg::submatrix(joint, d, &idx);
        if linalg::cholesky(&sub, idx.len()).is_none() {
            culprits.push(format!(
                "{name} (smallest eigenvalue {:.4})",
                linalg::min_eigenvalue(&sub, idx.len())
            ));
        }
    }
    let msg = if culprits.is_empty() {
        format!(
            "each block is valid alone, but together measures.correlation.baseline, \
             measures.correlation.change and arms.{arm}.baseline_change_corr, \
             baseline_improvement_corr and change_improvement_corr are inconsistent: \
             lower the improvement correlations or the between-region correlations"
        )
    } else {
        format!(
            "the blocks involved: {}; lower those correlations",
            culprits.join("; ")
        )
    };
    (msg, min)
}

/// The default analysis plan (used when `analysis.families` is empty).
fn default_families(spec: &ScenarioSpec) -> Vec<FamilySpec> {
    let base = |name: &str, kind| FamilySpec {
        name: name.into(),
        kind,
        test: None,
        arms: None,
        arm: None,
        regions: None,
        endpoints: None,
        multiplicity: Multiplicity::Holm,
        gate: None,
        alternative: Alternative::TwoSided,
        target: None,
        features: None,
        baseline_score: None,
        models: None,
        penalty: None,
        validation: None,
        threshold: None,
        select: None,
        auc_target: None,
        visits: None,
        visit: None,
        adjust: None,
    };
    if spec.design.kind == DesignKind::Crossover {
        return vec![base("crossover", FamilyKind::Crossover)];
    }
    let regions = spec
        .measures
        .as_ref()
        .is_some_and(|m| !m.regions.is_empty());
    let mut out = Vec::new();
    if regions && spec.design.controls > 0 && spec.design.patients > 0 {
        out.push(base("baseline", FamilyKind::BaselineDifference));
    }
    if spec.design.patients > 0 && spec.design.arms.len() >= 2 {
        out.push(base("clinical", FamilyKind::Clinical));
        if regions {
            out.push(base("ampar_change", FamilyKind::ArmChange));
        }
    }
    if regions && spec.design.patients > 0 && !spec.design.arms.is_empty() {
        out.push(base("mechanism", FamilyKind::Correlation));
    }
    out
}

fn resolve_family(
    ck: &mut Checker,
    p: &str,
    f: &FamilySpec,
    spec: &ScenarioSpec,
    region_names: &[String],
    earlier: &[Family],
) -> Option<Family> {
    let n_before = ck.problems.len();
    if f.name.trim().is_empty() {
        ck.err(format!("{p}.name"), "must not be empty");
    }
    if earlier.iter().any(|e| e.name == f.name) {
        ck.err(
            format!("{p}.name"),
            format!("duplicate family name '{}'", f.name),
        );
    }
    let arm_names: Vec<&str> = spec.design.arms.iter().map(|a| a.name.as_str()).collect();
    let find_arm = |ck: &mut Checker, path: String, name: &str| -> usize {
        match arm_names.iter().position(|a| *a == name) {
            Some(i) => i,
            None => {
                ck.err(
                    path,
                    format!("unknown arm '{name}'; arms are: {}", arm_names.join(", ")),
                );
                0
            }
        }
    };
    let crossover_design = spec.design.kind == DesignKind::Crossover;
    if crossover_design != (f.kind == FamilyKind::Crossover) {
        ck.err(
            format!("{p}.kind"),
            if crossover_design {
                "a crossover design is analysed by crossover families only"
            } else {
                "crossover families need \"design\": {\"kind\": \"crossover\"}"
            },
        );
    }
    if f.kind != FamilyKind::Clinical && region_names.is_empty() {
        ck.err(
            format!("{p}.kind"),
            "this kind analyses biomarker regions, but the scenario has no measures",
        );
    }
    let two_arms = matches!(
        f.kind,
        FamilyKind::ArmChange | FamilyKind::Clinical | FamilyKind::Crossover
    );
    let one_arm = matches!(
        f.kind,
        FamilyKind::WithinArmChange | FamilyKind::Correlation | FamilyKind::Prediction
    );
    let mut arms = (0, 0);
    if two_arms {
        if f.arm.is_some() {
            ck.err(
                format!("{p}.arm"),
                "this kind compares two arms: use \"arms\": [\"a\", \"b\"]",
            );
        }
        match &f.arms {
            Some(v) if v.len() == 2 => {
                arms = (
                    find_arm(ck, format!("{p}.arms[0]"), &v[0]),
                    find_arm(ck, format!("{p}.arms[1]"), &v[1]),
                );
                if v[0] == v[1] {
                    ck.err(format!("{p}.arms"), "the two arms must differ");
                }
            }
            Some(v) => ck.err(
                format!("{p}.arms"),
                format!("must name exactly 2 arms, got {}", v.len()),
            ),
            None => {
                if arm_names.len() < 2 {
                    ck.err(
                        format!("{p}.arms"),
                        "this kind needs two arms in design.arms",
                    );
                }
                arms = (0, 1);
            }
        }
        if spec.design.patients == 0 {
            ck.err(format!("{p}.kind"), "needs patients (design.patients is 0)");
        }
    } else if one_arm {
        if f.arms.is_some() {
            ck.err(
                format!("{p}.arms"),
                "this kind analyses one arm: use \"arm\": \"name\"",
            );
        }
        let a = match &f.arm {
            Some(name) => find_arm(ck, format!("{p}.arm"), name),
            None => {
                if arm_names.is_empty() {
                    ck.err(format!("{p}.arm"), "this kind needs an arm in design.arms");
                }
                0
            }
        };
        arms = (a, a);
        if spec.design.patients == 0 {
            ck.err(format!("{p}.kind"), "needs patients (design.patients is 0)");
        }
    } else {
        if f.arm.is_some() || f.arms.is_some() {
            ck.err(
                format!("{p}.arms"),
                "baseline_difference compares all patients with controls; remove arm/arms",
            );
        }
        if spec.design.patients == 0 || spec.design.controls == 0 {
            ck.err(
                format!("{p}.kind"),
                "baseline_difference needs patients and controls",
            );
        }
    }
    let allowed: &[TestKind] = match f.kind {
        FamilyKind::BaselineDifference => &[TestKind::Welch, TestKind::Student],
        FamilyKind::ArmChange | FamilyKind::Clinical => {
            &[TestKind::Welch, TestKind::Student, TestKind::Ancova]
        }
        FamilyKind::WithinArmChange => &[TestKind::Paired],
        FamilyKind::Correlation => &[TestKind::Pearson, TestKind::Spearman],
        // Prediction has models, not tests; `test` is rejected below.
        FamilyKind::Prediction => &[TestKind::Welch],
        FamilyKind::Crossover => &[TestKind::Student, TestKind::Welch],
    };
    if f.kind == FamilyKind::Prediction && f.test.is_some() {
        ck.err(
            format!("{p}.test"),
            "prediction families have models, not tests: use \"models\"",
        );
    }
    let test = f.test.unwrap_or(allowed[0]);
    if !allowed.contains(&test) {
        let list: Vec<String> = allowed
            .iter()
            .map(|t| serde_json::to_string(t).unwrap_or_default())
            .collect();
        ck.err(
            format!("{p}.test"),
            format!(
                "{test:?} does not fit kind {:?}; use one of {}",
                f.kind,
                list.join(", ")
            ),
        );
    }
    let mut regions = Vec::new();
    if f.kind == FamilyKind::Clinical {
        if f.regions.is_some() {
            ck.err(
                format!("{p}.regions"),
                "clinical families test symptom endpoints, not regions",
            );
        }
    } else {
        match &f.regions {
            Some(list) => {
                if list.is_empty() {
                    ck.err(
                        format!("{p}.regions"),
                        "must name at least one region (or leave it out for all)",
                    );
                }
                for (j, name) in list.iter().enumerate() {
                    match region_names.iter().position(|n| n == name) {
                        Some(r) => regions.push(r),
                        None => ck.err(
                            format!("{p}.regions[{j}]"),
                            format!(
                                "unknown region '{name}'; regions are: {}",
                                region_names.join(", ")
                            ),
                        ),
                    }
                }
            }
            None => regions = (0..region_names.len()).collect(),
        }
    }
    let endpoints = if f.kind == FamilyKind::Clinical {
        let e = f
            .endpoints
            .clone()
            .unwrap_or_else(|| vec![Endpoint::Change, Endpoint::Response, Endpoint::Remission]);
        if e.is_empty() {
            ck.err(format!("{p}.endpoints"), "must name at least one endpoint");
        }
        e
    } else {
        if f.endpoints.is_some() {
            ck.err(
                format!("{p}.endpoints"),
                "only clinical families have endpoints",
            );
        }
        Vec::new()
    };
    let gate = match &f.gate {
        None => None,
        Some(g) => match earlier.iter().position(|e| &e.name == g) {
            Some(i) => Some(i),
            None => {
                ck.err(
                    format!("{p}.gate"),
                    format!("'{g}' is not an earlier family; a gate must name a family listed before this one"),
                );
                None
            }
        },
    };
    // Visits: clinical families may analyse several, correlation and prediction one.
    let nv = spec.design.visits.len();
    let last = nv.saturating_sub(1);
    let find_visit = |ck: &mut Checker, path: String, name: &str| -> usize {
        match spec.design.visits.iter().position(|v| v == name) {
            Some(i) if i > 0 => i,
            _ => {
                ck.err(
                    path,
                    format!(
                        "'{name}' is not a post-baseline visit; visits are: {}",
                        spec.design.visits.join(", ")
                    ),
                );
                last
            }
        }
    };
    let visits = match f.kind {
        FamilyKind::Clinical => {
            if f.visit.is_some() {
                ck.err(
                    format!("{p}.visit"),
                    "clinical families take a list: \"visits\": [\"...\"]",
                );
            }
            match &f.visits {
                None => vec![last],
                Some(list) if list.is_empty() => {
                    ck.err(format!("{p}.visits"), "must name at least one visit");
                    vec![last]
                }
                Some(list) => list
                    .iter()
                    .enumerate()
                    .map(|(j, v)| find_visit(ck, format!("{p}.visits[{j}]"), v))
                    .collect(),
            }
        }
        FamilyKind::Correlation | FamilyKind::Prediction => {
            if f.visits.is_some() {
                ck.err(
                    format!("{p}.visits"),
                    "this kind uses one visit: \"visit\": \"...\"",
                );
            }
            vec![
                f.visit
                    .as_ref()
                    .map_or(last, |v| find_visit(ck, format!("{p}.visit"), v)),
            ]
        }
        _ => {
            if f.visits.is_some() || f.visit.is_some() {
                ck.err(
                    format!("{p}.visits"),
                    "only clinical, correlation and prediction families name visits",
                );
            }
            vec![last]
        }
    };
    let adjust = match (
        &f.adjust,
        f.kind == FamilyKind::Clinical && test == TestKind::Ancova,
    ) {
        (None, true) => vec![CovRef::BaselineScore],
        (None, false) => Vec::new(),
        (Some(_), false) => {
            ck.err(
                format!("{p}.adjust"),
                "only clinical families with \"test\": \"ancova\" adjust for covariates",
            );
            Vec::new()
        }
        (Some(list), true) => {
            let mut out = Vec::new();
            for (j, name) in list.iter().enumerate() {
                if name == "baseline_score" {
                    out.push(CovRef::BaselineScore);
                } else if let Some(i) = spec.design.covariates.iter().position(|c| &c.name == name)
                {
                    out.push(CovRef::Covariate(i));
                } else {
                    ck.err(
                        format!("{p}.adjust[{j}]"),
                        format!("unknown covariate '{name}'"),
                    );
                }
            }
            out
        }
    };
    let prediction = resolve_prediction(ck, p, f, arms.0, &regions, visits[0]);
    if ck.problems.len() > n_before {
        return None;
    }
    Some(Family {
        name: f.name.clone(),
        kind: f.kind,
        test,
        arms,
        regions,
        endpoints,
        multiplicity: f.multiplicity,
        gate,
        alternative: f.alternative,
        prediction,
        visits,
        adjust,
    })
}

/// The prediction settings of a family; errors for prediction fields on other kinds.
fn resolve_prediction(
    ck: &mut Checker,
    p: &str,
    f: &FamilySpec,
    arm: usize,
    regions: &[usize],
    visit: usize,
) -> Option<PredictionConfig> {
    use crate::stats::cv::{Model, Penalty, Threshold, Validation};
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
    let validation = match v.scheme {
        ValidationScheme::Kfold => Validation::KFold(v.folds),
        ValidationScheme::RepeatedKfold => Validation::Repeated(v.folds, v.repeats),
        ValidationScheme::Loo => Validation::Loo,
    };
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

/// Region names paired with a value, for diagnostics.
pub fn by_region<'a>(s: &'a Scenario, v: &'a [f64]) -> BTreeMap<&'a str, f64> {
    s.regions
        .iter()
        .map(|r| r.name.as_str())
        .zip(v.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_sums_and_ties() {
        assert_eq!(largest_remainder(34, &[1.0, 1.0]), vec![17, 17]);
        assert_eq!(largest_remainder(7, &[1.0, 1.0, 1.0]), vec![3, 2, 2]);
        assert_eq!(largest_remainder(0, &[1.0, 3.0]), vec![0, 0]);
        assert_eq!(largest_remainder(175, &[40.0, 135.0]), vec![40, 135]);
    }

    #[test]
    fn flagship_resolves_and_scales() {
        let s = load("ketamine-ampar-2026").unwrap();
        assert_eq!(s.own_sizes().arms, vec![17, 17]);
        let z = s.sizes_for_total(166);
        assert_eq!(z.total(), 166);
        assert_eq!(z.controls, 98);
        assert_eq!(z.arms, vec![34, 34]);
    }
}
