//! Accuracy metrics of predicted probabilities for a binary outcome.

use super::logistic::{Fit, Logistic};

/// Metrics of one set of predictions. NaN marks a metric that is undefined for the data (e.g. AUC
/// with only one class present).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// Area under the ROC curve (Mann-Whitney form, ties count one half).
    pub auc: f64,
    /// Mean of sensitivity and specificity at the threshold.
    pub balanced_accuracy: f64,
    /// True-positive rate at the threshold (prediction >= threshold counts as positive).
    pub sensitivity: f64,
    /// True-negative rate at the threshold.
    pub specificity: f64,
    /// Mean squared difference of probability and outcome.
    pub brier: f64,
    /// Slope of the logistic recalibration of the outcome on logit(prediction): 1 is ideal, < 1
    /// means the predictions are too extreme (overfitting).
    pub calibration_slope: f64,
    /// Calibration-in-the-large: the intercept `a` of the logistic recalibration
    /// `logit P(y) = a + logit(prediction)` with the slope fixed at 1 (an offset). 0 is ideal;
    /// > 0 means the predictions are too low on average.
    pub calibration_intercept: f64,
}

impl Metrics {
    /// All metrics undefined.
    pub const NAN: Metrics = Metrics {
        auc: f64::NAN,
        balanced_accuracy: f64::NAN,
        sensitivity: f64::NAN,
        specificity: f64::NAN,
        brier: f64::NAN,
        calibration_slope: f64::NAN,
        calibration_intercept: f64::NAN,
    };

    /// Number of metrics in [`Metrics::named`].
    pub const COUNT: usize = 7;

    /// The metrics as (name, value) pairs in a fixed order.
    pub fn named(&self) -> [(&'static str, f64); Self::COUNT] {
        [
            ("auc", self.auc),
            ("balanced_accuracy", self.balanced_accuracy),
            ("sensitivity", self.sensitivity),
            ("specificity", self.specificity),
            ("brier", self.brier),
            ("calibration_slope", self.calibration_slope),
            ("calibration_intercept", self.calibration_intercept),
        ]
    }

    /// Element-wise mean of several metric sets (NaNs skipped per metric).
    pub fn mean(all: &[Metrics]) -> Metrics {
        let avg = |f: fn(&Metrics) -> f64| {
            let v: Vec<f64> = all.iter().map(f).filter(|x| x.is_finite()).collect();
            if v.is_empty() {
                f64::NAN
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        };
        Metrics {
            auc: avg(|m| m.auc),
            balanced_accuracy: avg(|m| m.balanced_accuracy),
            sensitivity: avg(|m| m.sensitivity),
            specificity: avg(|m| m.specificity),
            brier: avg(|m| m.brier),
            calibration_slope: avg(|m| m.calibration_slope),
            calibration_intercept: avg(|m| m.calibration_intercept),
        }
    }
}

/// AUC by the Mann-Whitney statistic: the probability that a random positive scores higher than a
/// random negative, ties counting one half. `idx` is scratch space. NaN without both classes.
///
/// ```
/// use trialsim::stats::metrics::auc;
/// // sklearn.metrics.roc_auc_score([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.4, 0.4]) = 0.6666666666666666
/// let a = auc(&[0.1, 0.4, 0.35, 0.8, 0.4, 0.4], &[false, false, true, true, false, true], &mut Vec::new());
/// assert!((a - 2.0 / 3.0).abs() < 1e-12);
/// ```
pub fn auc(score: &[f64], y: &[bool], idx: &mut Vec<usize>) -> f64 {
    let n = score.len();
    let n1 = y.iter().filter(|&&v| v).count();
    let n0 = n - n1;
    if n1 == 0 || n0 == 0 {
        return f64::NAN;
    }
    if n1 * n0 <= 256 && !score.iter().any(|s| s.is_nan()) {
        // Few pairs: count them (the same statistic with no sort; every partial sum is a
        // multiple of one half, exact in floating point, so the result is identical).
        idx.clear();
        idx.extend((0..n).filter(|&i| !y[i]));
        let mut wins = 0.0;
        for (&sa, _) in score.iter().zip(y).filter(|p| *p.1) {
            for &b in idx.iter() {
                let sb = score[b];
                wins += ((sa > sb) as u8 as f64) + 0.5 * ((sa == sb) as u8 as f64);
            }
        }
        return wins / (n1 as f64 * n0 as f64);
    }
    idx.clear();
    idx.extend(0..n);
    idx.sort_unstable_by(|&a, &b| score[a].total_cmp(&score[b]));
    // Sum of the (mid-)ranks of the positives.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && score[idx[j + 1]] == score[idx[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            if y[k] {
                rank_sum += mid;
            }
        }
        i = j + 1;
    }
    let (n1, n0) = (n1 as f64, n0 as f64);
    (rank_sum - n1 * (n1 + 1.0) / 2.0) / (n1 * n0)
}

/// All metrics of predicted probabilities `p` for outcomes `y`; prediction i counts as positive when
/// `p[i] >= threshold[i]` (each out-of-fold prediction carries its own fold's threshold), or at the
/// single threshold when `threshold` has length 1.
///
/// ```
/// use trialsim::stats::metrics::metrics;
/// let m = metrics(&[0.9, 0.2, 0.6, 0.4], &[true, false, false, true], &[0.5], &mut Vec::new());
/// assert_eq!((m.sensitivity, m.specificity, m.balanced_accuracy), (0.5, 0.5, 0.5));
/// assert!((m.brier - (0.01 + 0.04 + 0.36 + 0.36) / 4.0).abs() < 1e-12);
/// ```
pub fn metrics(p: &[f64], y: &[bool], threshold: &[f64], idx: &mut Vec<usize>) -> Metrics {
    let n = p.len();
    if n == 0 {
        return Metrics::NAN;
    }
    let (mut tp, mut fn_, mut tn, mut fp) = (0.0, 0.0, 0.0, 0.0);
    let mut brier = 0.0;
    for (i, (&pi, &yi)) in p.iter().zip(y).enumerate() {
        let t = if threshold.len() == 1 {
            threshold[0]
        } else {
            threshold[i]
        };
        let pos = pi >= t;
        match (yi, pos) {
            (true, true) => tp += 1.0,
            (true, false) => fn_ += 1.0,
            (false, false) => tn += 1.0,
            (false, true) => fp += 1.0,
        }
        let d = pi - if yi { 1.0 } else { 0.0 };
        brier += d * d;
    }
    let sens = if tp + fn_ > 0.0 {
        tp / (tp + fn_)
    } else {
        f64::NAN
    };
    let spec = if tn + fp > 0.0 {
        tn / (tn + fp)
    } else {
        f64::NAN
    };
    Metrics {
        auc: auc(p, y, idx),
        balanced_accuracy: (sens + spec) / 2.0,
        sensitivity: sens,
        specificity: spec,
        brier: brier / n as f64,
        calibration_slope: calibration_slope(p, y),
        calibration_intercept: calibration_intercept(p, y),
    }
}

/// logit(p) with p clamped to [1e-12, 1 - 1e-12], as the calibration fits use it.
fn clamped_logit(q: f64) -> f64 {
    let q = q.clamp(1e-12, 1.0 - 1e-12);
    (q / (1.0 - q)).ln()
}

/// Calibration-in-the-large: the maximum-likelihood intercept `a` of `logit P(y) = a + logit(p)`
/// (logit(p) an offset, slope fixed at 1), by Newton's method on the one score equation
/// `sum(y - expit(a + logit p)) = 0`. NaN without both classes.
///
/// ```
/// use trialsim::stats::metrics::calibration_intercept;
/// // Predictions that are right on average in logit terms need no shift.
/// let a = calibration_intercept(&[0.5, 0.5], &[true, false]);
/// assert!(a.abs() < 1e-12);
/// ```
pub fn calibration_intercept(p: &[f64], y: &[bool]) -> f64 {
    let n1 = y.iter().filter(|&&v| v).count();
    if n1 == 0 || n1 == y.len() {
        return f64::NAN;
    }
    let lp: Vec<f64> = p.iter().map(|&q| clamped_logit(q)).collect();
    let mut a = 0.0f64;
    for _ in 0..200 {
        let (mut g, mut h) = (0.0, 0.0);
        for (&l, &yi) in lp.iter().zip(y) {
            let mu = 1.0 / (1.0 + (-(a + l)).exp());
            g += yi as u8 as f64 - mu;
            h += mu * (1.0 - mu);
        }
        if !(h > 0.0) {
            return f64::NAN;
        }
        // The score is monotone in a, so a damped Newton step always converges.
        let step = (g / h).clamp(-5.0, 5.0);
        a += step;
        if step.abs() < 1e-12 {
            return a;
        }
    }
    f64::NAN
}

/// Calibration slope: the coefficient of logit(p) in an unpenalised logistic regression of y on
/// logit(p) with intercept. NaN when the fit does not exist (one class, constant predictions,
/// separation).
pub fn calibration_slope(p: &[f64], y: &[bool]) -> f64 {
    let lp: Vec<f64> = p.iter().map(|&q| clamped_logit(q)).collect();
    let mut lr = Logistic::default();
    match lr.fit(&lp, 1, y, 0.0) {
        Fit::Converged => lr.beta[1],
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// Both paths (pair counting for few pairs, mid-ranks otherwise) equal the definition, the
    /// share of positive/negative pairs ordered correctly with ties one half, counted here
    /// directly, on scores with many ties.
    #[test]
    fn auc_equals_pair_definition() {
        let mut g = crate::rng::stream(9, 0, 0);
        for &n in &[5usize, 12, 17, 33, 60] {
            for _ in 0..20 {
                let s: Vec<f64> = (0..n).map(|_| (g.random::<f64>() * 6.0).floor()).collect();
                let y: Vec<bool> = (0..n).map(|_| g.random::<f64>() < 0.4).collect();
                let (mut wins, mut pairs) = (0.0, 0.0);
                for i in 0..n {
                    for j in 0..n {
                        if y[i] && !y[j] {
                            pairs += 1.0;
                            wins += if s[i] > s[j] {
                                1.0
                            } else if s[i] == s[j] {
                                0.5
                            } else {
                                0.0
                            };
                        }
                    }
                }
                let a = auc(&s, &y, &mut Vec::new());
                if pairs == 0.0 {
                    assert!(a.is_nan());
                } else {
                    assert_eq!(a, wins / pairs);
                }
            }
        }
    }
}
