//! Monte Carlo: replicate trials, aggregate sufficient statistics, turn them into diagnosands.
//!
//! Replicates are processed in fixed blocks of [`BLOCK`]; each block's statistics are summed in
//! replicate order and blocks are merged in block order, so the result does not depend on the number
//! of threads. Only counts and sums are kept (memory does not grow with the number of replicates).
//!
//! ```
//! use trialsim::{montecarlo::{self, RunSettings}, scenario};
//! let s = scenario::load("ketamine-ampar-2026").unwrap();
//! let truths = montecarlo::truth::truths_with(&s, 50_000);
//! let settings = RunSettings { reps: 200, seed: 1, threads: 1, ..Default::default() };
//! let acc = montecarlo::run(&s, &s.own_sizes(), &settings, &truths).unwrap();
//! let rows = montecarlo::diagnosands(&s, &s.own_sizes(), &acc, &truths);
//! let p = rows.iter().find(|r| r.family == "clinical" && r.hypothesis == "madrs_change" && r.metric == "power").unwrap();
//! assert!(p.value > 0.0 && p.value < 1.0 && p.mc_se > 0.0);
//! ```

mod metric;
mod sampler;
pub mod search;
pub mod shard;
mod table;
pub mod truth;

use crate::analysis::TrialResult;
use crate::error::{RunError, Setting};
use crate::model::summary::SummaryModel;
use crate::scenario::{Scenario, Sizes};
use crate::stats::fisher::wilson_z;
use rayon::prelude::*;
use sampler::{Lent, Workspace};
use serde::Serialize;
use truth::Truths;
mod predacc;
pub use metric::Metric;
pub use predacc::{Hist, MetricAcc, ModelAcc};
pub use sampler::Sampler;
pub use table::ResultTable;

/// Replicates per block: the unit of deterministic summation and of sharding.
pub const BLOCK: u64 = 64;

/// Blocks per thread in one wave of a run (the workers meet after every wave to merge, report
/// progress and check stopping rules; fewer meetings leave the threads idle less often). Results
/// do not depend on it: blocks are merged in block order.
pub const WAVE_PER_THREAD: u64 = 32;

/// How many replicates, which seed, how many threads, which simulation path.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Number of simulated trials.
    pub reps: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (results do not depend on it).
    pub threads: usize,
    /// Subject-level or summary-statistics simulation.
    pub path: SimPath,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            reps: 1000,
            seed: 1,
            threads: 1,
            path: SimPath::Auto,
        }
    }
}

/// How each trial is simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimPath {
    /// The summary path where it is exact for the scenario, else the controls as statistics and
    /// the patients as subjects where that is exact ([`Sampler::Mixed`]), else every subject.
    #[default]
    Auto,
    /// Every subject (always valid).
    Subject,
    /// Group means and scatter matrices (an error where it is not exact).
    Summary,
}

/// The summary model to use under `path`, or why the requested summary path is not exact.
pub fn summary_model(s: &Scenario, path: SimPath) -> Result<Option<SummaryModel>, RunError> {
    match path {
        SimPath::Subject => Ok(None),
        SimPath::Auto => Ok(SummaryModel::new(s).ok()),
        SimPath::Summary => SummaryModel::new(s).map(Some).map_err(|why| {
            RunError::setting(
                Setting::Path,
                format!(
                    "the summary path is not exact for this scenario: {why}; use the subject path or auto"
                ),
            )
        }),
    }
}

/// Per-hypothesis sums.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct HypAcc {
    /// Trials where the test could be computed.
    pub valid: u64,
    /// Trials where the hypothesis was rejected (after multiplicity and gates).
    pub reject: u64,
    /// Sum of estimates (valid trials).
    pub sum_est: f64,
    /// Sum of squared estimates.
    pub sum_est2: f64,
    /// Sum of squared errors (estimate - truth).
    pub sum_err2: f64,
    /// Sum of fourth powers of errors (for the SE of the RMSE).
    pub sum_err4: f64,
    /// Trials whose 95 % CI covered the truth.
    pub covered: u64,
    /// Trials with a CI.
    pub with_ci: u64,
    /// Rejections with the wrong sign (non-null truths).
    pub wrong_sign: u64,
    /// Sum of |estimate| / |truth| over rejections (non-null truths).
    pub sum_ratio: f64,
    /// Sum of squared ratios.
    pub sum_ratio2: f64,
}

/// Per-family sums.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct FamAcc {
    /// Trials where the family's gate passed.
    pub tested: u64,
    /// Trials with at least k rejections, index k-1.
    pub at_least: Vec<u64>,
    /// Trials where every non-null hypothesis was rejected.
    pub all_true: u64,
    /// Trials with at least one false rejection.
    pub any_false: u64,
    /// Sum and sum of squares of true discoveries.
    pub td: (f64, f64),
    /// Sum and sum of squares of false discoveries.
    pub fd: (f64, f64),
    /// Sum and sum of squares of the false discovery proportion.
    pub fdp: (f64, f64),
    /// Per hypothesis.
    pub hyps: Vec<HypAcc>,
    /// Per model (prediction families only).
    pub models: Vec<ModelAcc>,
}

/// Everything aggregated over replicates.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct Accumulator {
    /// Replicates added.
    pub reps: u64,
    /// Per family, in plan order.
    pub families: Vec<FamAcc>,
}

impl Accumulator {
    /// Empty accumulator for the scenario's plan.
    pub fn new(s: &Scenario) -> Self {
        Accumulator {
            reps: 0,
            families: s
                .families
                .iter()
                .map(|f| {
                    let h = s.hypotheses(f).len();
                    if f.kind == crate::scenario::FamilyKind::Prediction {
                        let target = f.prediction.as_ref().map_or(0.7, |c| c.auc_target);
                        return FamAcc {
                            models: vec![ModelAcc::new(target); h],
                            ..Default::default()
                        };
                    }
                    FamAcc {
                        at_least: vec![0; h],
                        hyps: vec![HypAcc::default(); h],
                        ..Default::default()
                    }
                })
                .collect(),
        }
    }

    /// Add one trial.
    pub fn add(&mut self, tr: &TrialResult, truths: &Truths) {
        self.reps += 1;
        for (((fa, fr), ft), pt) in self
            .families
            .iter_mut()
            .zip(&tr.families)
            .zip(&truths.hypotheses)
            .zip(&truths.prediction)
        {
            fa.tested += fr.tested as u64;
            for (ma, mo) in fa.models.iter_mut().zip(&fr.models) {
                ma.add(mo);
            }
            let _ = pt;
            let (mut td, mut fd, mut rejected, mut all) = (0u64, 0u64, 0usize, true);
            for (((ha, o), &rej), t) in fa.hyps.iter_mut().zip(&fr.outcomes).zip(&fr.reject).zip(ft)
            {
                if rej {
                    rejected += 1;
                    if t.is_null {
                        fd += 1;
                    } else {
                        td += 1;
                    }
                }
                if !t.is_null && !rej {
                    all = false;
                }
                if !o.is_valid() {
                    continue;
                }
                ha.valid += 1;
                ha.reject += rej as u64;
                ha.sum_est += o.estimate;
                ha.sum_est2 += o.estimate * o.estimate;
                let e = o.estimate - t.value;
                ha.sum_err2 += e * e;
                ha.sum_err4 += e * e * e * e;
                if o.ci_low.is_finite() && o.ci_high.is_finite() {
                    ha.with_ci += 1;
                    ha.covered += (o.ci_low <= t.value && t.value <= o.ci_high) as u64;
                }
                if rej && !t.is_null {
                    ha.wrong_sign += (o.estimate.signum() != t.value.signum()) as u64;
                    let ratio = o.estimate.abs() / t.value.abs();
                    ha.sum_ratio += ratio;
                    ha.sum_ratio2 += ratio * ratio;
                }
            }
            for k in 0..rejected {
                fa.at_least[k] += 1;
            }
            fa.all_true += all as u64;
            fa.any_false += (fd > 0) as u64;
            let (tdf, fdf) = (td as f64, fd as f64);
            fa.td.0 += tdf;
            fa.td.1 += tdf * tdf;
            fa.fd.0 += fdf;
            fa.fd.1 += fdf * fdf;
            let fdp = if rejected > 0 {
                fdf / rejected as f64
            } else {
                0.0
            };
            fa.fdp.0 += fdp;
            fa.fdp.1 += fdp * fdp;
        }
    }

    /// Add another accumulator's sums (used in block order).
    pub fn merge(&mut self, o: &Accumulator) {
        self.reps += o.reps;
        for (a, b) in self.families.iter_mut().zip(&o.families) {
            a.tested += b.tested;
            for (x, y) in a.at_least.iter_mut().zip(&b.at_least) {
                *x += y;
            }
            a.all_true += b.all_true;
            a.any_false += b.any_false;
            for (x, y) in [(&mut a.td, &b.td), (&mut a.fd, &b.fd), (&mut a.fdp, &b.fdp)] {
                x.0 += y.0;
                x.1 += y.1;
            }
            for (m, n) in a.models.iter_mut().zip(&b.models) {
                m.merge(n);
            }
            for (h, g) in a.hyps.iter_mut().zip(&b.hyps) {
                h.valid += g.valid;
                h.reject += g.reject;
                h.sum_est += g.sum_est;
                h.sum_est2 += g.sum_est2;
                h.sum_err2 += g.sum_err2;
                h.sum_err4 += g.sum_err4;
                h.covered += g.covered;
                h.with_ci += g.with_ci;
                h.wrong_sign += g.wrong_sign;
                h.sum_ratio += g.sum_ratio;
                h.sum_ratio2 += g.sum_ratio2;
            }
        }
    }
}

impl Accumulator {
    /// Every floating-point sum, in a fixed order (for exact totals).
    fn floats_mut(&mut self) -> Vec<&mut f64> {
        let mut v: Vec<&mut f64> = Vec::new();
        for f in &mut self.families {
            for (a, b) in [&mut f.td, &mut f.fd, &mut f.fdp] {
                v.push(a);
                v.push(b);
            }
            for h in &mut f.hyps {
                v.extend([
                    &mut h.sum_est,
                    &mut h.sum_est2,
                    &mut h.sum_err2,
                    &mut h.sum_err4,
                    &mut h.sum_ratio,
                    &mut h.sum_ratio2,
                ]);
            }
            for m in &mut f.models {
                v.extend(m.floats_mut());
            }
        }
        v
    }
}

/// Counts plus exact float sums of many blocks: the total does not depend on how blocks were
/// grouped into waves, threads or shards, so sharded runs merge to the same bytes.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Total {
    /// Integer counts and histograms (its float fields stay 0).
    pub acc: Accumulator,
    /// The float sums, exactly, in [`Accumulator`] field order.
    pub exact: Vec<crate::stats::exact::ExactSum>,
}

impl Total {
    /// An empty total for the scenario's plan.
    pub fn new(s: &Scenario) -> Self {
        let mut acc = Accumulator::new(s);
        let n = acc.floats_mut().len();
        Total {
            acc,
            exact: vec![crate::stats::exact::ExactSum::default(); n],
        }
    }

    /// Add one block's accumulator.
    pub fn add_block(&mut self, mut block: Accumulator) {
        for (e, x) in self.exact.iter_mut().zip(block.floats_mut()) {
            e.add(*x);
            *x = 0.0;
        }
        self.acc.merge(&block);
    }

    /// Add another total (e.g. another shard's).
    pub fn merge(&mut self, other: &Total) {
        self.acc.merge(&other.acc);
        for (a, b) in self.exact.iter_mut().zip(&other.exact) {
            a.merge(b);
        }
    }

    /// The accumulator with every float sum correctly rounded.
    pub fn finish(&self) -> Accumulator {
        let mut acc = self.acc.clone();
        for (x, e) in acc.floats_mut().into_iter().zip(&self.exact) {
            *x = e.value();
        }
        acc
    }
}

/// Number of blocks of `reps` replicates.
pub fn n_blocks(reps: u64) -> u64 {
    reps.div_ceil(BLOCK)
}

/// Simulate and analyse the replicates of `blocks` (block b holds replicates
/// `[b * BLOCK, min((b + 1) * BLOCK, reps))`) in waves of `wave` blocks, calling `on_wave` with
/// the running total after each wave; it returns false to stop early.
#[allow(clippy::too_many_arguments)]
pub fn run_blocks(
    s: &Scenario,
    sizes: &Sizes,
    settings: &RunSettings,
    blocks: std::ops::Range<u64>,
    wave: u64,
    truths: &Truths,
    on_wave: impl FnMut(&Total) -> bool,
) -> Result<Total, RunError> {
    run_blocks_cancellable(s, sizes, settings, blocks, wave, truths, None, on_wave)
}

/// [`run_blocks`] that stops with [`RunError::Cancelled`] soon after `cancel` is set: blocks not
/// yet started are skipped.
#[allow(clippy::too_many_arguments)]
pub fn run_blocks_cancellable(
    s: &Scenario,
    sizes: &Sizes,
    settings: &RunSettings,
    blocks: std::ops::Range<u64>,
    wave: u64,
    truths: &Truths,
    cancel: Option<&std::sync::atomic::AtomicBool>,
    mut on_wave: impl FnMut(&Total) -> bool,
) -> Result<Total, RunError> {
    let cancelled = || cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
    check_sizes(s, sizes)?;
    let sampler = Sampler::new(s, settings.path)?;
    let threads = settings.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| {
            RunError::setting(Setting::Threads, format!("cannot start thread pool: {e}"))
        })?;
    let (seed, reps) = (settings.seed, settings.reps);
    let mut total = Total::new(s);
    let spare = std::sync::Mutex::new(Vec::new());
    let mut b = blocks.start;
    while b < blocks.end {
        let end = (b + wave.max(1)).min(blocks.end);
        let parts: Vec<Accumulator> = pool.install(|| {
            (b..end)
                .into_par_iter()
                .map_init(
                    || Lent::take(&spare, s),
                    |lent, blk| {
                        let Some(Workspace { cohort, sd, an, tr }) = lent.ws.as_mut() else {
                            unreachable!("a lent workspace is present until the worker ends")
                        };
                        let mut acc = Accumulator::new(s);
                        if cancelled() {
                            return acc;
                        }
                        for rep in blk * BLOCK..((blk + 1) * BLOCK).min(reps) {
                            let data = sampler.draw(s, sizes, seed, rep, cohort, sd);
                            an.analyse(s, &data, seed, rep, &truths.holdouts, tr);
                            acc.add(tr, truths);
                        }
                        acc
                    },
                )
                .collect()
        });
        for p in parts {
            total.add_block(p);
        }
        b = end;
        if cancelled() {
            return Err(RunError::Cancelled);
        }
        if !on_wave(&total) {
            break;
        }
    }
    Ok(total)
}

/// Simulate and analyse `settings.reps` trials at the given sizes.
pub fn run(
    s: &Scenario,
    sizes: &Sizes,
    settings: &RunSettings,
    truths: &Truths,
) -> Result<Accumulator, RunError> {
    if settings.reps == 0 {
        return Err(RunError::setting(Setting::Reps, "must be > 0"));
    }
    let wave = settings.threads.max(1) as u64 * WAVE_PER_THREAD;
    let total = run_blocks(
        s,
        sizes,
        settings,
        0..n_blocks(settings.reps),
        wave,
        truths,
        |_| true,
    )?;
    Ok(total.finish())
}

/// Sizes every family needs: two per compared group.
pub fn check_sizes(s: &Scenario, sizes: &Sizes) -> Result<(), RunError> {
    match s.size_shortfall(sizes) {
        Some(short) => Err(RunError::TooFewSubjects {
            family: short.family,
            group: short.group,
            need: short.need,
            have: short.have,
        }),
        None => Ok(()),
    }
}

/// One row of the tidy result table.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Row {
    /// Total enrolled.
    pub n_total: usize,
    /// Controls.
    pub n_controls: usize,
    /// Patients.
    pub n_patients: usize,
    /// Family name.
    pub family: String,
    /// Hypothesis (region, endpoint, `any`, `all`, `at_least_k`, or `family`).
    pub hypothesis: String,
    /// What the row measures.
    pub metric: Metric,
    /// Estimate.
    pub value: f64,
    /// Monte Carlo standard error.
    pub mc_se: f64,
    /// Lower end of the 95 % Monte Carlo interval (Wilson for proportions).
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
    /// Replicates the figure is based on (for conditional metrics: the conditioning count).
    pub reps: u64,
}

const Z95: f64 = 1.959963984540054;

/// Diagnosands of one accumulator as rows (see README for every metric).
pub fn diagnosands(s: &Scenario, sizes: &Sizes, acc: &Accumulator, truths: &Truths) -> Vec<Row> {
    let mut rows = Vec::new();
    let n = acc.reps;
    let mk = |family: &str,
              hyp: &str,
              metric: &str,
              value: f64,
              se: f64,
              lo: f64,
              hi: f64,
              reps: u64| Row {
        n_total: sizes.total(),
        n_controls: sizes.controls,
        n_patients: sizes.patients(),
        family: family.to_string(),
        hypothesis: hyp.to_string(),
        metric: Metric::from(metric),
        value,
        mc_se: se,
        ci_low: lo,
        ci_high: hi,
        reps,
    };
    let prop = |x: u64, n: u64| -> (f64, f64, f64, f64) {
        if n == 0 {
            return (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
        }
        let p = x as f64 / n as f64;
        let (lo, hi) = wilson_z(x as f64, n as f64, Z95);
        (p, (p * (1.0 - p) / n as f64).sqrt(), lo, hi)
    };
    let mean = |s1: f64, s2: f64, n: u64| -> (f64, f64, f64, f64) {
        if n == 0 {
            return (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
        }
        let nf = n as f64;
        let m = s1 / nf;
        let var = if n > 1 {
            ((s2 - s1 * s1 / nf) / (nf - 1.0)).max(0.0)
        } else {
            f64::NAN
        };
        let se = (var / nf).sqrt();
        (m, se, m - Z95 * se, m + Z95 * se)
    };
    for (((f, fa), ft), pt) in s
        .families
        .iter()
        .zip(&acc.families)
        .zip(&truths.hypotheses)
        .zip(&truths.prediction)
    {
        let names = s.hypotheses(f);
        if let Some(cfg) = &f.prediction {
            for (name, ma) in names.iter().zip(&fa.models) {
                let _ = cfg;
                for (metric, v) in ma.rows(pt, n) {
                    rows.push(mk(&f.name, name, &metric, v.0, v.1, v.2, v.3, v.4));
                }
            }
            continue;
        }
        for ((name, h), t) in names.iter().zip(&fa.hyps).zip(ft) {
            let (p, se, lo, hi) = prop(h.reject, n);
            rows.push(mk(&f.name, name, "power", p, se, lo, hi, n));
            rows.push(mk(
                &f.name,
                name,
                "true_value",
                t.value,
                t.se,
                t.value - Z95 * t.se,
                t.value + Z95 * t.se,
                n,
            ));
            if h.valid < n {
                let (p, se, lo, hi) = prop(n - h.valid, n);
                rows.push(mk(&f.name, name, "untestable_rate", p, se, lo, hi, n));
            }
            let (m, se, lo, hi) = mean(h.sum_est, h.sum_est2, h.valid);
            rows.push(mk(&f.name, name, "mean_estimate", m, se, lo, hi, h.valid));
            let bse = (se * se + t.se * t.se).sqrt();
            let bias = m - t.value;
            rows.push(mk(
                &f.name,
                name,
                "bias",
                bias,
                bse,
                bias - Z95 * bse,
                bias + Z95 * bse,
                h.valid,
            ));
            if h.valid > 1 {
                let nf = h.valid as f64;
                let mse = h.sum_err2 / nf;
                let var4 = (h.sum_err4 / nf - mse * mse).max(0.0);
                let rmse = mse.sqrt();
                let se = if rmse > 0.0 {
                    (var4 / nf).sqrt() / (2.0 * rmse)
                } else {
                    0.0
                };
                rows.push(mk(
                    &f.name,
                    name,
                    "rmse",
                    rmse,
                    se,
                    (rmse - Z95 * se).max(0.0),
                    rmse + Z95 * se,
                    h.valid,
                ));
            }
            let (p, se, lo, hi) = prop(h.covered, h.with_ci);
            rows.push(mk(&f.name, name, "coverage", p, se, lo, hi, h.with_ci));
            // Type S and M describe significant differences, not equivalence or smaller effects.
            if !t.is_null && h.reject > 0 && f.replication.is_none() {
                let (p, se, lo, hi) = prop(h.wrong_sign, h.reject);
                rows.push(mk(&f.name, name, "type_s", p, se, lo, hi, h.reject));
                let (m, se, lo, hi) = mean(h.sum_ratio, h.sum_ratio2, h.reject);
                rows.push(mk(&f.name, name, "type_m", m, se, lo, hi, h.reject));
            }
        }
        let fam = &f.name;
        let (p, se, lo, hi) = prop(fa.at_least.first().copied().unwrap_or(0), n);
        rows.push(mk(fam, "any", "power", p, se, lo, hi, n));
        let n_true = ft.iter().filter(|t| !t.is_null).count();
        if n_true > 0 {
            let (p, se, lo, hi) = prop(fa.all_true, n);
            rows.push(mk(fam, "all", "power", p, se, lo, hi, n));
        }
        for k in 2..=fa.at_least.len() {
            let (p, se, lo, hi) = prop(fa.at_least[k - 1], n);
            rows.push(mk(fam, &format!("at_least_{k}"), "power", p, se, lo, hi, n));
        }
        let (m, se, lo, hi) = mean(fa.td.0, fa.td.1, n);
        rows.push(mk(fam, "family", "true_discoveries", m, se, lo, hi, n));
        let (m, se, lo, hi) = mean(fa.fd.0, fa.fd.1, n);
        rows.push(mk(fam, "family", "false_discoveries", m, se, lo, hi, n));
        let (p, se, lo, hi) = prop(fa.any_false, n);
        rows.push(mk(fam, "family", "fwer", p, se, lo, hi, n));
        let (m, se, lo, hi) = mean(fa.fdp.0, fa.fdp.1, n);
        rows.push(mk(fam, "family", "fdr", m, se, lo, hi, n));
        if f.gate.is_some() {
            let (p, se, lo, hi) = prop(fa.tested, n);
            rows.push(mk(fam, "family", "gate_passed", p, se, lo, hi, n));
        }
    }
    rows
}
