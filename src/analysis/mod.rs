//! Analyses of one simulated trial (MODEL.md section 4): every family of the scenario's plan, each
//! hypothesis tested on complete cases, multiplicity applied within families and gates across them.
//!
//! ```
//! use trialsim::{analysis::{Analyzer, Data, TrialResult}, model::Cohort, scenario};
//! let s = scenario::load("ketamine-ampar-2026").unwrap();
//! let mut cohort = Cohort::default();
//! cohort.draw(&s, &s.own_sizes(), 7, 0);
//! let mut result = TrialResult::new(&s);
//! Analyzer::default().analyse(&s, &Data::Subjects(&cohort), 7, 0, &[], &mut result);
//! assert_eq!(result.families.len(), s.families.len());
//! ```

pub mod correlation;
pub mod dist;
pub mod fisher;
pub mod multiplicity;
pub mod ols;
pub mod prediction;
pub mod summary;
pub mod ttest;

use crate::model::Cohort;
use crate::scenario::{Endpoint, Family, FamilyKind, Scenario, TestKind};
use summary::{CoMoments, Moments};
use ttest::TestOutcome;

/// What a trial's analyses read: the subjects, or (on the summary path) each group's drawn
/// sufficient statistics.
#[derive(Debug, Clone, Copy)]
pub enum Data<'a> {
    /// Subject-level data.
    Subjects(&'a Cohort),
    /// Group means and scatter matrices.
    Summaries(&'a crate::model::summary::SummaryDraw),
}

impl<'a> Data<'a> {
    fn cohort(&self) -> &'a Cohort {
        match self {
            Data::Subjects(c) => c,
            Data::Summaries(_) => {
                unreachable!("the summary path is used only for summary-only plans")
            }
        }
    }

    fn controls_baseline(&self, r: usize) -> summary::Summary {
        match self {
            Data::Subjects(c) => {
                let mut m = Moments::default();
                for i in c.group_range(0) {
                    m.push(c.baseline[i * c.n_regions + r]);
                }
                m.summary()
            }
            Data::Summaries(d) => d.controls_baseline(r),
        }
    }

    fn patients_baseline(&self, r: usize) -> summary::Summary {
        match self {
            Data::Subjects(c) => {
                let mut m = Moments::default();
                for i in c.patient_range() {
                    m.push(c.baseline[i * c.n_regions + r]);
                }
                m.summary()
            }
            Data::Summaries(d) => d.patients_baseline(r),
        }
    }

    fn change(&self, k: usize, r: usize) -> summary::BiSummary {
        match self {
            Data::Subjects(c) => change_moments(c, k, r).summary(),
            Data::Summaries(d) => d.change(k, r),
        }
    }
}

/// Results of one family in one trial.
#[derive(Debug, Clone)]
pub struct FamilyResult {
    /// False when the family's gate failed (then nothing in it is rejected).
    pub tested: bool,
    /// One outcome per hypothesis.
    pub outcomes: Vec<TestOutcome>,
    /// Multiplicity-adjusted p-values.
    pub adjusted: Vec<f64>,
    /// Rejections at the scenario's alpha after adjustment and gating.
    pub reject: Vec<bool>,
    /// Prediction families: one outcome per model (empty otherwise).
    pub models: Vec<prediction::ModelOutcome>,
}

/// Results of every family in one trial.
#[derive(Debug, Clone)]
pub struct TrialResult {
    /// In plan order.
    pub families: Vec<FamilyResult>,
}

impl TrialResult {
    /// Buffers sized for the scenario's plan.
    pub fn new(s: &Scenario) -> Self {
        TrialResult {
            families: s
                .families
                .iter()
                .map(|f| {
                    let h = s.hypotheses(f).len();
                    let (h, m) = if f.kind == FamilyKind::Prediction {
                        (0, h)
                    } else {
                        (h, 0)
                    };
                    FamilyResult {
                        tested: false,
                        outcomes: vec![TestOutcome::invalid(); h],
                        adjusted: vec![f64::NAN; h],
                        reject: vec![false; h],
                        models: vec![prediction::ModelOutcome::NAN; m],
                    }
                })
                .collect(),
        }
    }
}

/// Reusable scratch space for analysing trials (one per worker thread).
#[derive(Debug, Default)]
pub struct Analyzer {
    xs: Vec<f64>,
    ys: Vec<f64>,
    idx: Vec<usize>,
    pred: prediction::PredScratch,
    ols: ols::Ols,
    adj: Vec<f64>,
    tables: Vec<(u64, std::sync::Arc<dist::QuantileTable>)>,
}

impl Analyzer {
    /// Analyse one cohort under the scenario's plan into `out`. `seed` and `replicate` key the
    /// random fold assignments of prediction families; `holdouts[f]` is the large independent
    /// sample on which family f's fitted models are scored (needed for prediction families only).
    pub fn analyse(
        &mut self,
        s: &Scenario,
        data: &Data,
        seed: u64,
        replicate: u64,
        holdouts: &[prediction::Holdout],
        out: &mut TrialResult,
    ) {
        for (fi, f) in s.families.iter().enumerate() {
            let tested = match f.gate {
                None => true,
                Some(g) => out.families[g].tested && out.families[g].reject.iter().any(|&r| r),
            };
            let fr = &mut out.families[fi];
            fr.tested = tested;
            if let Some(cfg) = &f.prediction {
                let empty = prediction::Holdout::default();
                let holdout = holdouts.get(fi).unwrap_or(&empty);
                let mut rng =
                    crate::rng::stream(seed, replicate, crate::rng::STREAM_FOLDS + fi as u64);
                prediction::evaluate(
                    cfg,
                    s,
                    data.cohort(),
                    holdout,
                    &mut rng,
                    &mut self.pred,
                    &mut fr.models,
                );
                continue;
            }
            self.family_outcomes(s, data, f, &mut fr.outcomes);
            for (a, o) in fr.adjusted.iter_mut().zip(&fr.outcomes) {
                *a = o.p;
            }
            multiplicity::adjust(&mut fr.adjusted, f.multiplicity, &mut self.idx);
            for (r, a) in fr.reject.iter_mut().zip(&fr.adjusted) {
                *r = tested && *a <= s.alpha;
            }
        }
    }

    fn family_outcomes(&mut self, s: &Scenario, data: &Data, f: &Family, out: &mut [TestOutcome]) {
        let nr = s.n_regions();
        let alt = f.alternative;
        let (a1, a2) = f.arms;
        match f.kind {
            FamilyKind::BaselineDifference => {
                let (crit, strict) = self.critical(s.alpha, f.regions.len(), alt);
                for (h, &r) in f.regions.iter().enumerate() {
                    let (pat, con) = (data.patients_baseline(r), data.controls_baseline(r));
                    out[h] = two_sample_stat(f.test, &pat, &con).decide(alt, &crit, &strict);
                }
            }
            FamilyKind::ArmChange => {
                let (crit, strict) = self.critical(s.alpha, f.regions.len(), alt);
                for (h, &r) in f.regions.iter().enumerate() {
                    let (m1, m2) = (data.change(a1, r), data.change(a2, r));
                    let st = match f.test {
                        TestKind::Ancova => ttest::ancova_stat(&m1, &m2),
                        t => two_sample_stat(t, &m1.y(), &m2.y()),
                    };
                    out[h] = st.decide(alt, &crit, &strict);
                }
            }
            FamilyKind::WithinArmChange => {
                let (crit, strict) = self.critical(s.alpha, f.regions.len(), alt);
                for (h, &r) in f.regions.iter().enumerate() {
                    let st = ttest::one_sample_stat(&data.change(a1, r).y());
                    out[h] = st.decide(alt, &crit, &strict);
                }
            }
            FamilyKind::Clinical => {
                let c = data.cohort();
                let nvis = f.visits.len();
                for (ei, e) in f.endpoints.iter().enumerate() {
                    for (vi, &v) in f.visits.iter().enumerate() {
                        out[ei * nvis + vi] = match e {
                            Endpoint::Change => self.clinical_change(s, c, f, v),
                            Endpoint::Response | Endpoint::Remission => {
                                let count = |k: usize| {
                                    let (mut x, mut n) = (0u64, 0u64);
                                    for i in c.arm_range(k) {
                                        let r = if *e == Endpoint::Response {
                                            c.responder(s, i, v)
                                        } else {
                                            c.remitter(s, i, v)
                                        };
                                        if let Some(r) = r {
                                            n += 1;
                                            x += r as u64;
                                        }
                                    }
                                    (x, n)
                                };
                                let ((x1, n1), (x2, n2)) = (count(a1), count(a2));
                                fisher::fisher_exact(x1, n1, x2, n2, alt)
                            }
                        };
                    }
                }
            }
            FamilyKind::Crossover => {
                let c = data.cohort();
                // Standard 2x2 crossover analysis: half the period difference, compared between
                // the two sequences by a two-sample t-test; (d1 - d2) / 2 estimates arm a1 - arm a2.
                for (h, &r) in f.regions.iter().enumerate() {
                    let half_diff = |g: usize| {
                        let mut m = Moments::default();
                        for i in c.group_range(g) {
                            m.push((c.baseline[i * nr + r] - c.followup[i * nr + r]) / 2.0);
                        }
                        m.summary()
                    };
                    // Group 1 + k is the sequence that starts with arm k.
                    let (first, second) = (half_diff(1 + a1), half_diff(1 + a2));
                    out[h] = two_sample(f.test, &first, &second, alt);
                }
            }
            FamilyKind::Correlation => {
                let c = data.cohort();
                for (h, &r) in f.regions.iter().enumerate() {
                    out[h] = match f.test {
                        TestKind::Spearman => {
                            self.xs.clear();
                            self.ys.clear();
                            for i in c.arm_range(a1) {
                                self.xs
                                    .push(c.followup[i * nr + r] - c.baseline[i * nr + r]);
                                self.ys.push(c.observed_improvement(i, f.visits[0]));
                            }
                            correlation::spearman(&mut self.xs, &mut self.ys, &mut self.idx, alt)
                        }
                        _ => {
                            let mut m = CoMoments::default();
                            for i in c.arm_range(a1) {
                                m.push(
                                    c.followup[i * nr + r] - c.baseline[i * nr + r],
                                    c.observed_improvement(i, f.visits[0]),
                                );
                            }
                            correlation::pearson(&m.summary(), alt)
                        }
                    };
                }
            }
            FamilyKind::Prediction => unreachable!("prediction families are evaluated in analyse"),
        }
    }
}

impl Analyzer {
    /// Critical-value tables at alpha and at alpha/m for the alternative (kept per worker).
    fn critical(
        &mut self,
        alpha: f64,
        m: usize,
        alt: crate::scenario::Alternative,
    ) -> (
        std::sync::Arc<dist::QuantileTable>,
        std::sync::Arc<dist::QuantileTable>,
    ) {
        (
            self.table(alpha, alt),
            self.table(alpha / m.max(1) as f64, alt),
        )
    }

    fn table(
        &mut self,
        alpha: f64,
        alt: crate::scenario::Alternative,
    ) -> std::sync::Arc<dist::QuantileTable> {
        let p = match alt {
            crate::scenario::Alternative::TwoSided => 1.0 - alpha / 2.0,
            _ => 1.0 - alpha,
        };
        if let Some((_, t)) = self.tables.iter().find(|(q, _)| *q == p.to_bits()) {
            return t.clone();
        }
        let t = dist::quantile_table(p);
        self.tables.push((p.to_bits(), t.clone()));
        t
    }

    /// Improvement at visit v, arm a1 minus arm a2: t-test, or ANCOVA adjusted for the family's
    /// characteristics (the baseline score alone uses the one-covariate formula).
    fn clinical_change(&mut self, s: &Scenario, c: &Cohort, f: &Family, v: usize) -> TestOutcome {
        let (a1, a2) = f.arms;
        let alt = f.alternative;
        if f.test != TestKind::Ancova {
            let (m1, m2) = (improvement_moments(c, a1, v), improvement_moments(c, a2, v));
            return two_sample(f.test, &m1.summary().y(), &m2.summary().y(), alt);
        }
        if f.adjust == [crate::scenario::CovRef::BaselineScore] {
            let (m1, m2) = (improvement_moments(c, a1, v), improvement_moments(c, a2, v));
            return ttest::ancova(&m1.summary(), &m2.summary(), alt);
        }
        self.ols.reset(f.adjust.len());
        for (k, group) in [(a1, true), (a2, false)] {
            for i in c.arm_range(k) {
                self.adj.clear();
                for &cv in &f.adjust {
                    // Centre at the population mean for conditioning.
                    let centre = match cv {
                        crate::scenario::CovRef::BaselineScore => s.symptoms.spec.baseline_mean,
                        crate::scenario::CovRef::Covariate(j) => s.covariates[j].mean,
                    };
                    self.adj.push(c.characteristic(i, cv) - centre);
                }
                self.ols
                    .push(group, c.observed_improvement(i, v), &self.adj);
            }
        }
        self.ols.group_effect(alt)
    }
}

fn two_sample_stat(test: TestKind, a: &summary::Summary, b: &summary::Summary) -> ttest::TStat {
    match test {
        TestKind::Student => ttest::student_stat(a, b),
        _ => ttest::welch_stat(a, b),
    }
}

fn two_sample(
    test: TestKind,
    a: &summary::Summary,
    b: &summary::Summary,
    alt: crate::scenario::Alternative,
) -> TestOutcome {
    match test {
        TestKind::Student => ttest::student(a, b, alt),
        _ => ttest::welch(a, b, alt),
    }
}

/// (baseline, change) of region r in arm k, complete cases.
fn change_moments(c: &Cohort, k: usize, r: usize) -> CoMoments {
    let nr = c.n_regions;
    let mut m = CoMoments::default();
    for i in c.arm_range(k) {
        let b = c.baseline[i * nr + r];
        m.push(b, c.followup[i * nr + r] - b);
    }
    m
}

/// (baseline score, improvement at visit v) in arm k, complete cases.
fn improvement_moments(c: &Cohort, k: usize, v: usize) -> CoMoments {
    let mut m = CoMoments::default();
    for i in c.arm_range(k) {
        m.push(c.score(i, 0), c.observed_improvement(i, v));
    }
    m
}
