//! Analyses of one simulated trial (docs/model.md, section 3): every family of the scenario's plan, each
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

mod graphs;
pub mod mmrm;
pub mod prediction;
mod rank;
pub mod replication;
mod tabled;

use crate::model::Cohort;
use crate::scenario::{Endpoint, Family, FamilyKind, Scenario, TestKind};
use crate::stats::moments::{self as summary, CoMoments, Moments};
use crate::stats::ttest::TestOutcome;
use crate::stats::{correlation, fisher, multiplicity, ols, ttest};

/// What a trial's analyses read: the subjects, or (on the summary path) each group's drawn
/// sufficient statistics.
#[derive(Debug, Clone, Copy)]
pub enum Data<'a> {
    /// Subject-level data.
    Subjects(&'a Cohort),
    /// Group means and scatter matrices.
    Summaries(&'a crate::model::summary::SummaryDraw),
    /// The patients at subject level, the controls as statistics (only their `controls` are read).
    Mixed(&'a Cohort, &'a crate::model::summary::SummaryDraw),
}

impl<'a> Data<'a> {
    fn cohort(&self) -> &'a Cohort {
        match self {
            Data::Subjects(c) | Data::Mixed(c, _) => c,
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
            Data::Summaries(d) | Data::Mixed(_, d) => d.controls_baseline(r),
        }
    }

    fn patients_baseline(&self, r: usize) -> summary::Summary {
        match self {
            Data::Subjects(c) | Data::Mixed(c, _) => {
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
            Data::Subjects(c) | Data::Mixed(c, _) => change_moments(c, k, r).summary(),
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
    /// Rejections at the family's alpha after adjustment (or the graph) and gating.
    pub reject: Vec<bool>,
    /// Prediction families: one outcome per model (empty otherwise).
    pub models: Vec<prediction::ModelOutcome>,
}

/// Results of every family in one trial.
#[derive(Debug, Clone)]
pub struct TrialResult {
    /// In plan order.
    pub families: Vec<FamilyResult>,
    /// Per family: the TOST margins in natural units (empty for other families), computed once
    /// per scenario because `margin_d` on a clinical family needs the exact score-change SD.
    margins: Vec<Vec<f64>>,
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
            margins: s
                .families
                .iter()
                .map(|f| replication::natural_margins(s, f))
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
    tstats: Vec<ttest::TStat>,
    brackets: Vec<Option<usize>>,
    /// Per (family, testable hypotheses): the procedure's level tables (a short list searched
    /// in order: a family rarely sees more than one or two counts).
    level_cache: Vec<((usize, usize), LevelTables)>,
    /// Per hypothesis of the family being decided: its df's placement on the quantile tables.
    nodes: Vec<Option<crate::stats::dist::Nodes>>,
    mmrm: mmrm::MmrmScratch,
    rank: rank::RankScratch,
    graph: graphs::GraphWork,
    /// This trial's subject-level summaries, each computed on first use in one pass over the
    /// subjects (several families read them): per arm, (baseline, change) of every region
    /// (empty: not yet), and the patients' baselines of every region.
    arm_changes: Vec<Vec<summary::BiSummary>>,
    patients_base: Vec<summary::Summary>,
    co: Vec<CoMoments>,
    mo: Vec<Moments>,
    /// Per (family, testable hypotheses, df): the critical values of a correlation family's
    /// levels (see `tabled`).
    critical_cache: Vec<((usize, usize, u64), Vec<f64>)>,
}

/// Families larger than this decide from exact p-values instead of tabled critical values.
const MAX_TABLED_LEVELS: usize = 64;

/// Levels of a procedure and the critical-value table of each.
type LevelTables = std::sync::Arc<Vec<(f64, std::sync::Arc<crate::stats::dist::QuantileTable>)>>;

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
        for a in self.arm_changes.iter_mut() {
            a.clear();
        }
        self.patients_base.clear();
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
                let mut rng = crate::rng::stream(
                    seed,
                    replicate,
                    crate::rng::name_stream(crate::rng::STREAM_FOLDS, &f.name),
                );
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
            let alpha = s.family_alpha(f);
            let in_cross_graph = s.graphical.as_ref().is_some_and(|g| g.has_family(fi));
            let tabled = f.replication.is_none()
                && matches!(
                    f.kind,
                    FamilyKind::BaselineDifference
                        | FamilyKind::ArmChange
                        | FamilyKind::WithinArmChange
                )
                && f.test != TestKind::Wilcoxon
                && f.graph.is_none()
                && !in_cross_graph;
            let tabled_correlation = f.kind == FamilyKind::Correlation
                && f.test != TestKind::Spearman
                && f.replication.is_none()
                && f.graph.is_none()
                && !in_cross_graph;
            if tabled || tabled_correlation {
                if tabled {
                    self.t_stats(data, f);
                    self.decide_t_family(fi, s, f, fr);
                } else {
                    self.decide_correlation_family(fi, s, data, f, fr);
                }
                for r in fr.reject.iter_mut() {
                    *r &= tested;
                }
            } else {
                if f.replication.is_some() {
                    replication::outcomes(data, f, &out.margins[fi], &mut fr.outcomes);
                } else {
                    self.family_outcomes(s, data, f, &mut fr.outcomes);
                }
                for (a, o) in fr.adjusted.iter_mut().zip(&fr.outcomes) {
                    *a = o.p;
                }
                match &f.graph {
                    Some(g) => {
                        self.adj.clear();
                        self.adj.extend_from_slice(&fr.adjusted);
                        graphs::within(g, &self.adj, &mut self.graph, &mut fr.adjusted);
                    }
                    None => multiplicity::adjust(&mut fr.adjusted, f.multiplicity, &mut self.idx),
                }
                for (r, a) in fr.reject.iter_mut().zip(&fr.adjusted) {
                    // Members of the cross-family graph are decided once its last family is in.
                    *r = tested && !in_cross_graph && *a <= alpha;
                }
            }
            if let Some(cg) = &s.graphical
                && cg.last_family() == fi
            {
                graphs::across(cg, s.alpha, &mut self.graph, out);
            }
        }
    }

    fn family_outcomes(&mut self, s: &Scenario, data: &Data, f: &Family, out: &mut [TestOutcome]) {
        let nr = s.n_regions();
        let alt = f.alternative;
        let (a1, a2) = f.arms;
        match f.kind {
            FamilyKind::BaselineDifference
            | FamilyKind::ArmChange
            | FamilyKind::WithinArmChange => {
                // Wilcoxon, or t-tests under a graph (which needs exact p-values).
                if f.test == TestKind::Wilcoxon {
                    rank::biomarker(&mut self.rank, data.cohort(), f, out);
                } else {
                    self.t_stats(data, f);
                    for (o, t) in out.iter_mut().zip(&self.tstats) {
                        *o = t.outcome(alt);
                    }
                }
            }
            FamilyKind::Clinical if f.test == TestKind::Mmrm => {
                self.mmrm.outcomes(s, data.cohort(), f, out);
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
                // Standard 2x2 crossover analysis: half the period difference, compared between
                // the two sequences by a two-sample t-test; (d1 - d2) / 2 estimates arm a1 - arm a2.
                for (h, &r) in f.regions.iter().enumerate() {
                    let half_diff = |g: usize| match data {
                        Data::Summaries(d) => d.half_difference(g - 1, r),
                        _ => {
                            let c = data.cohort();
                            let mut m = Moments::default();
                            for i in c.group_range(g) {
                                m.push((c.baseline[i * nr + r] - c.followup[i * nr + r]) / 2.0);
                            }
                            m.summary()
                        }
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
                        _ => correlation::pearson(&change_improvement(c, f, r), alt),
                    };
                }
            }
            FamilyKind::Prediction => unreachable!("prediction families are evaluated in analyse"),
        }
    }
}

impl Analyzer {
    /// The t statistics of a t-test family, into `self.tstats`.
    fn t_stats(&mut self, data: &Data, f: &Family) {
        let (a1, a2) = f.arms;
        self.tstats.clear();
        for &r in &f.regions {
            let st = match f.kind {
                FamilyKind::BaselineDifference => two_sample_stat(
                    f.test,
                    &self.patients_baseline(data, r),
                    &data.controls_baseline(r),
                ),
                FamilyKind::ArmChange => {
                    let (m1, m2) = (self.change(data, a1, r), self.change(data, a2, r));
                    match f.test {
                        TestKind::Ancova => ttest::ancova_stat(&m1, &m2),
                        t => two_sample_stat(t, &m1.y(), &m2.y()),
                    }
                }
                _ => ttest::one_sample_stat(&self.change(data, a1, r).y()),
            };
            self.tstats.push(st);
        }
    }

    /// (baseline, change) of region r in arm k: from the drawn statistics, or from this trial's
    /// per-arm summaries (all regions in one pass over the arm's subjects, in subject order, so
    /// the same sums as region by region).
    fn change(&mut self, data: &Data, k: usize, r: usize) -> summary::BiSummary {
        let c = match data {
            Data::Summaries(d) => return d.change(k, r),
            Data::Subjects(c) | Data::Mixed(c, _) => c,
        };
        if self.arm_changes.len() <= k {
            self.arm_changes.resize_with(k + 1, Vec::new);
        }
        if self.arm_changes[k].is_empty() {
            let nr = c.n_regions;
            self.co.clear();
            self.co.resize(nr, CoMoments::default());
            for i in c.arm_range(k) {
                let (b, f) = (
                    &c.baseline[i * nr..(i + 1) * nr],
                    &c.followup[i * nr..(i + 1) * nr],
                );
                for ((m, &b), &f) in self.co.iter_mut().zip(b).zip(f) {
                    m.push(b, f - b);
                }
            }
            self.arm_changes[k].extend(self.co.iter().map(|m| m.summary()));
        }
        self.arm_changes[k][r]
    }

    /// Baseline of region r over all patients, as [`Analyzer::change`] does for changes.
    fn patients_baseline(&mut self, data: &Data, r: usize) -> summary::Summary {
        let c = match data {
            Data::Summaries(d) => return d.patients_baseline(r),
            Data::Subjects(c) | Data::Mixed(c, _) => c,
        };
        if self.patients_base.is_empty() {
            let nr = c.n_regions;
            self.mo.clear();
            self.mo.resize(nr, Moments::default());
            for i in c.patient_range() {
                for (m, &b) in self.mo.iter_mut().zip(&c.baseline[i * nr..(i + 1) * nr]) {
                    m.push(b);
                }
            }
            self.patients_base
                .extend(self.mo.iter().map(|m| m.summary()));
        }
        self.patients_base[r]
    }

    /// Improvement at visit v, arm a1 minus arm a2: t-test, or ANCOVA adjusted for the family's
    /// characteristics (the baseline score alone uses the one-covariate formula).
    fn clinical_change(&mut self, s: &Scenario, c: &Cohort, f: &Family, v: usize) -> TestOutcome {
        let (a1, a2) = f.arms;
        let alt = f.alternative;
        if f.test == TestKind::Wilcoxon {
            return rank::clinical_change(&mut self.rank, c, f, v);
        }
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

/// (observed change of region r, improvement at the family's visit) in the family's first arm,
/// complete pairs: the data of a correlation family's hypothesis.
fn change_improvement(c: &Cohort, f: &Family, r: usize) -> summary::BiSummary {
    let nr = c.n_regions;
    let mut m = CoMoments::default();
    for i in c.arm_range(f.arms.0) {
        m.push(
            c.followup[i * nr + r] - c.baseline[i * nr + r],
            c.observed_improvement(i, f.visits[0]),
        );
    }
    m.summary()
}

/// (baseline score, improvement at visit v) in arm k, complete cases.
fn improvement_moments(c: &Cohort, k: usize, v: usize) -> CoMoments {
    let mut m = CoMoments::default();
    for i in c.arm_range(k) {
        m.push(c.score(i, 0), c.observed_improvement(i, v));
    }
    m
}
