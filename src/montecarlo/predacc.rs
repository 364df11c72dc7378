//! Aggregation of prediction metrics over replicates: sums for means and SDs, and fixed-bin
//! histograms for quantiles, so memory does not grow with the number of replicates and merging is
//! exact (integer counts).

use super::truth::PredictionTruth;
use crate::analysis::prediction::ModelOutcome;
use crate::stats::fisher::wilson_z;
use crate::stats::metrics::Metrics;
use serde::{Deserialize, Serialize};

/// One reported figure: (value, mc_se, ci_low, ci_high, reps).
pub type Figure = (f64, f64, f64, f64, u64);

/// Bins of a histogram: quantiles of metrics on [0, 1] are resolved to 1/4000 = 0.00025.
pub const BINS: usize = 4000;
const Z95: f64 = 1.959963984540054;

/// A fixed-bin histogram on [0, 1]; an unbounded metric (the calibration slope) is mapped there by
/// u = 1/2 + atan(x)/pi first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hist {
    /// Counts per bin.
    pub counts: Vec<u64>,
    /// Whether values are mapped by atan.
    pub unbounded: bool,
}

impl Hist {
    fn new(unbounded: bool) -> Self {
        Hist {
            counts: vec![0; BINS],
            unbounded,
        }
    }
    fn push(&mut self, x: f64) {
        let u = if self.unbounded {
            0.5 + x.atan() / std::f64::consts::PI
        } else {
            x.clamp(0.0, 1.0)
        };
        let b = ((u * BINS as f64) as usize).min(BINS - 1);
        self.counts[b] += 1;
    }
    fn value_at_bin(&self, b: usize) -> f64 {
        let u = (b as f64 + 0.5) / BINS as f64;
        if self.unbounded {
            ((u - 0.5) * std::f64::consts::PI).tan()
        } else {
            u
        }
    }
    /// The value of the r-th smallest observation (0-based, clamped), to bin resolution.
    pub fn at_rank(&self, r: f64) -> f64 {
        let total: u64 = self.counts.iter().sum();
        if total == 0 {
            return f64::NAN;
        }
        let r = r.clamp(0.0, total as f64 - 1.0) as u64;
        let mut seen = 0;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen > r {
                return self.value_at_bin(b);
            }
        }
        self.value_at_bin(BINS - 1)
    }
}

/// Sums and histogram of one metric.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetricAcc {
    /// Trials where the metric was defined.
    pub n: u64,
    /// Sum.
    pub sum: f64,
    /// Sum of squares.
    pub sum2: f64,
    /// Distribution.
    pub hist: Hist,
}

impl MetricAcc {
    fn new(unbounded: bool) -> Self {
        MetricAcc {
            n: 0,
            sum: 0.0,
            sum2: 0.0,
            hist: Hist::new(unbounded),
        }
    }
    fn push(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        self.n += 1;
        self.sum += x;
        self.sum2 += x * x;
        self.hist.push(x);
    }
    fn merge(&mut self, o: &MetricAcc) {
        self.n += o.n;
        self.sum += o.sum;
        self.sum2 += o.sum2;
        for (a, b) in self.hist.counts.iter_mut().zip(&o.hist.counts) {
            *a += b;
        }
    }
    fn mean_sd(&self) -> (f64, f64) {
        let n = self.n as f64;
        if self.n == 0 {
            return (f64::NAN, f64::NAN);
        }
        let m = self.sum / n;
        let v = if self.n > 1 {
            ((self.sum2 - self.sum * self.sum / n) / (n - 1.0)).max(0.0)
        } else {
            f64::NAN
        };
        (m, v.sqrt())
    }
}

const SETS: [&str; 3] = ["cv", "apparent", "true"];
const QUANTILES: [(f64, &str); 5] = [
    (0.05, "q05"),
    (0.25, "q25"),
    (0.5, "q50"),
    (0.75, "q75"),
    (0.95, "q95"),
];

/// Everything aggregated for one model of a prediction family.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelAcc {
    /// Trials added.
    pub trials: u64,
    /// 3 sets (cv, apparent, true) x [`Metrics::COUNT`] metrics, in [`Metrics::named`] order.
    pub metrics: Vec<MetricAcc>,
    /// Apparent minus true AUC.
    pub optimism: MetricAcc,
    /// Cross-validated minus true AUC.
    pub cv_error: MetricAcc,
    /// AUC target of the assurance figures.
    pub auc_target: f64,
    /// Trials whose cross-validated AUC reached the target.
    pub reach_cv: u64,
    /// Trials whose true AUC reached the target.
    pub reach_true: u64,
    /// Trials with a degenerate training fold or fit (one class only).
    pub degenerate: u64,
    /// Trials whose calibration slope in the population (new patients) fell below each of
    /// [`SLOPE_LIMITS`] (counted among trials where the slope exists).
    pub slope_true_below: [u64; 2],
}

/// Calibration-slope limits whose tail probabilities are reported (TRIPOD-oriented sizing:
/// Riley et al. 2019 target an expected shrinkage of 0.9; simulation-based tools such as
/// samplesizedev report P(slope < 0.8)).
pub const SLOPE_LIMITS: [f64; 2] = [0.8, 0.9];
const C: usize = Metrics::COUNT;
/// Index of the population ("true") AUC and calibration slope in [`ModelAcc::metrics`].
const TRUE_AUC: usize = 2 * C;
const TRUE_SLOPE: usize = 2 * C + 5;

impl ModelAcc {
    /// Empty accumulator.
    pub fn new(auc_target: f64) -> Self {
        let metrics = (0..3)
            .flat_map(|_| {
                Metrics::NAN
                    .named()
                    .map(|(name, _)| MetricAcc::new(name.starts_with("calibration")))
            })
            .collect();
        ModelAcc {
            trials: 0,
            metrics,
            optimism: MetricAcc::new(true),
            cv_error: MetricAcc::new(true),
            auc_target,
            reach_cv: 0,
            reach_true: 0,
            degenerate: 0,
            slope_true_below: [0; 2],
        }
    }

    /// Add one trial's outcome.
    pub fn add(&mut self, o: &ModelOutcome) {
        self.trials += 1;
        for (k, m) in [&o.cv, &o.apparent, &o.truth].iter().enumerate() {
            for (j, (_, v)) in m.named().iter().enumerate() {
                self.metrics[k * C + j].push(*v);
            }
        }
        let slope = o.truth.calibration_slope;
        if slope.is_finite() {
            for (count, limit) in self.slope_true_below.iter_mut().zip(SLOPE_LIMITS) {
                *count += (slope < limit) as u64;
            }
        }
        self.optimism.push(o.apparent.auc - o.truth.auc);
        self.cv_error.push(o.cv.auc - o.truth.auc);
        self.reach_cv += (o.cv.auc >= self.auc_target) as u64;
        self.reach_true += (o.truth.auc >= self.auc_target) as u64;
        self.degenerate += (o.degenerate_folds > 0 || o.degenerate_fit) as u64;
    }

    /// Every float sum, in a fixed order.
    pub(crate) fn floats_mut(&mut self) -> Vec<&mut f64> {
        let mut v = Vec::new();
        for m in self
            .metrics
            .iter_mut()
            .chain([&mut self.optimism, &mut self.cv_error])
        {
            v.push(&mut m.sum);
            v.push(&mut m.sum2);
        }
        v
    }

    /// Add another accumulator.
    pub fn merge(&mut self, o: &ModelAcc) {
        self.trials += o.trials;
        for (a, b) in self.metrics.iter_mut().zip(&o.metrics) {
            a.merge(b);
        }
        self.optimism.merge(&o.optimism);
        self.cv_error.merge(&o.cv_error);
        self.reach_cv += o.reach_cv;
        self.reach_true += o.reach_true;
        self.degenerate += o.degenerate;
        for (a, b) in self.slope_true_below.iter_mut().zip(o.slope_true_below) {
            *a += b;
        }
    }

    /// Result rows: (metric, (value, mc_se, ci_low, ci_high, reps)).
    pub fn rows(&self, t: &PredictionTruth, n: u64) -> Vec<(String, Figure)> {
        let mut out = Vec::new();
        let names = Metrics::NAN.named();
        let prop = |x: u64, n: u64| {
            if n == 0 {
                return (f64::NAN, f64::NAN, f64::NAN, f64::NAN, 0);
            }
            let p = x as f64 / n as f64;
            let (lo, hi) = wilson_z(x as f64, n as f64, Z95);
            (p, (p * (1.0 - p) / n as f64).sqrt(), lo, hi, n)
        };
        let mean_row = |m: &MetricAcc| {
            let (mean, sd) = m.mean_sd();
            let se = sd / (m.n as f64).sqrt();
            (mean, se, mean - Z95 * se, mean + Z95 * se, m.n)
        };
        for (k, set) in SETS.iter().enumerate() {
            for (j, (metric, _)) in names.iter().enumerate() {
                let m = &self.metrics[k * C + j];
                let base = format!("{metric}_{set}");
                out.push((base.clone(), mean_row(m)));
                let (_, sd) = m.mean_sd();
                let se_sd = sd / (2.0 * (m.n as f64 - 1.0)).sqrt();
                out.push((
                    format!("{base}_sd"),
                    (sd, se_sd, sd - Z95 * se_sd, sd + Z95 * se_sd, m.n),
                ));
                let nf = m.n as f64;
                for (q, label) in QUANTILES {
                    // Distribution-free interval of a quantile from the binomial ranks.
                    let half = Z95 * (nf * q * (1.0 - q)).sqrt();
                    let v = m.hist.at_rank(nf * q);
                    let lo = m.hist.at_rank((nf * q - half).floor());
                    let hi = m.hist.at_rank((nf * q + half).ceil());
                    out.push((
                        format!("{base}_{label}"),
                        (v, (hi - lo) / (2.0 * Z95), lo, hi, m.n),
                    ));
                }
            }
        }
        let opt = t.auc_optimal;
        let ose = t.auc_optimal_se;
        out.push((
            "auc_optimal".into(),
            (opt, ose, opt - Z95 * ose, opt + Z95 * ose, 0),
        ));
        let (mt, _) = self.metrics[TRUE_AUC].mean_sd();
        let true_row = mean_row(&self.metrics[TRUE_AUC]);
        let gap = opt - mt;
        let gse = (true_row.1.powi(2) + ose * ose).sqrt();
        out.push((
            "auc_gap".into(),
            (gap, gse, gap - Z95 * gse, gap + Z95 * gse, true_row.4),
        ));
        out.push(("optimism_auc".into(), mean_row(&self.optimism)));
        out.push(("cv_bias_auc".into(), mean_row(&self.cv_error)));
        out.push(("assurance_auc_cv".into(), prop(self.reach_cv, n)));
        out.push(("assurance_auc_true".into(), prop(self.reach_true, n)));
        out.push(("degenerate_rate".into(), prop(self.degenerate, n)));
        // Riley's "expected shrinkage" is the expected calibration slope of the fitted model in
        // new patients: the mean of calibration_slope_true, repeated under its TRIPOD name.
        out.push((
            "expected_shrinkage".into(),
            mean_row(&self.metrics[TRUE_SLOPE]),
        ));
        let slopes = self.metrics[TRUE_SLOPE].n;
        for (count, limit) in self.slope_true_below.iter().zip(SLOPE_LIMITS) {
            out.push((
                format!("calibration_slope_true_below_{limit}"),
                prop(*count, slopes),
            ));
        }
        out.push(("untestable_rate".into(), prop(n - self.metrics[0].n, n)));
        out
    }
}
