//! The prediction pipeline and its cross-validation.
//!
//! Every fitted step runs on the training rows only: standardisation (means and SDs), feature
//! selection, the choice of the ridge penalty (inner cross-validation), the logistic fit and the
//! classification threshold. The held-out rows are touched only to be predicted.

use super::logistic::{Fit, Logistic};
use super::metrics::{Metrics, auc, metrics};
use super::span::Span;
use crate::rng::TrialRng;
use rand::RngExt;

/// The model family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// Ridge-penalised logistic regression on all (selected) features.
    Ridge,
    /// The single feature with the largest training AUC (either direction), in a univariate
    /// logistic model: the simple comparator.
    BestRegion,
}

impl Model {
    /// Name used in results.
    pub fn name(&self) -> &'static str {
        match self {
            Model::Ridge => "ridge",
            Model::BestRegion => "best_region",
        }
    }
}

/// The ridge penalty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Penalty {
    /// A fixed lambda.
    Fixed(f64),
    /// Chosen from [`LAMBDA_GRID`] by inner stratified cross-validation (log loss) within the
    /// training rows.
    InnerCv,
}

/// Penalties tried by inner cross-validation.
pub const LAMBDA_GRID: [f64; 7] = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0];

/// Penalty of the univariate comparator: tiny, only to keep separated fits finite.
const COMPARATOR_LAMBDA: f64 = 1e-3;

/// The classification threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// A fixed probability.
    Fixed(f64),
    /// The training rows' prevalence (so a model no better than chance classifies at random).
    Prevalence,
}

/// How performance is validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// Stratified k-fold.
    KFold(usize),
    /// Stratified k-fold repeated with new fold assignments; metrics averaged over repeats.
    Repeated(usize, usize),
    /// Leave one out (pooled predictions).
    Loo,
}

/// A complete pipeline specification.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pipeline {
    /// Model.
    pub model: Model,
    /// Ridge penalty.
    pub penalty: Penalty,
    /// Keep only this many features, ranked by training AUC (None: all).
    pub select: Option<usize>,
    /// Classification threshold.
    pub threshold: Threshold,
}

/// A pipeline fitted on training rows.
#[derive(Debug, Clone, Default)]
pub struct Fitted {
    means: Vec<f64>,
    sds: Vec<f64>,
    cols: Vec<usize>,
    lr: Logistic,
    constant: Option<f64>,
    /// Threshold for classifying its predictions.
    pub threshold: f64,
    /// Whether the fit fell back to predicting the training prevalence (one class in training).
    pub degenerate: bool,
}

impl Fitted {
    /// The linear predictor without its intercept: the model's ranking of rows, free of the
    /// fold-to-fold intercept shifts that bias pooled out-of-fold AUCs (see [`Pipeline::cross_validate`]).
    pub fn score(&self, row: &[f64], z: &mut Vec<f64>) -> f64 {
        if self.constant.is_some() {
            return 0.0;
        }
        z.clear();
        z.extend(
            self.cols
                .iter()
                .map(|&j| (row[j] - self.means[j]) / self.sds[j]),
        );
        self.lr.beta[1..]
            .iter()
            .zip(z.iter())
            .map(|(b, x)| b * x)
            .sum()
    }

    /// The fitted model on the raw feature scale: `Err(probability)` when it predicts a constant,
    /// otherwise `Ok((a, w))` with predicted probability `logistic(a + w . row)` (`w` has `p`
    /// entries, 0 for unselected features).
    pub fn linear(&self, p: usize) -> Result<(f64, Vec<f64>), f64> {
        if let Some(c) = self.constant {
            return Err(c);
        }
        let mut w = vec![0.0; p];
        let mut a = self.lr.beta[0];
        for (k, &j) in self.cols.iter().enumerate() {
            let b = self.lr.beta[1 + k] / self.sds[j];
            w[j] = b;
            a -= b * self.means[j];
        }
        Ok((a, w))
    }

    /// Predicted probability for one row of raw features.
    pub fn predict(&self, row: &[f64], z: &mut Vec<f64>) -> f64 {
        if let Some(c) = self.constant {
            return c;
        }
        z.clear();
        z.extend(
            self.cols
                .iter()
                .map(|&j| (row[j] - self.means[j]) / self.sds[j]),
        );
        self.lr.predict(z)
    }
}

/// The rows to learn from: a row-major feature matrix with `p` columns and the outcomes.
#[derive(Debug, Clone, Copy)]
pub struct Samples<'a> {
    /// Features, row-major (`y.len() * p` values).
    pub x: &'a [f64],
    /// Number of feature columns.
    pub p: usize,
    /// Outcomes.
    pub y: &'a [bool],
}

impl Samples<'_> {
    /// Features of row i.
    #[inline]
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }
}

/// Scratch buffers reused across fits.
#[derive(Debug, Default)]
pub struct Scratch {
    xs: Vec<f64>,
    ys: Vec<bool>,
    col: Vec<f64>,
    idx: Vec<usize>,
    z: Vec<f64>,
    pred: Vec<f64>,
    yo: Vec<bool>,
    folds: Vec<usize>,
    /// Inner cross-validation: its model, training rows and fold labels.
    lr: Logistic,
    xt: Vec<f64>,
    yt: Vec<bool>,
    inner_folds: Vec<usize>,
    /// Solutions at each penalty of the grid in the last inner fold (`LAMBDA_GRID.len() x q`),
    /// starts for the next fold and for the final fit (empty entries: no converged fit).
    path: Vec<Vec<f64>>,
    /// Wide inner folds: the training rows' span, and the held-out rows in it.
    span: Span,
    zt: Vec<f64>,
    /// Inner penalty path: the solutions two and one penalties back.
    b0: Vec<f64>,
    b1: Vec<f64>,
}

/// Fold labels 0..k for `rows`, stratified by class: each class is shuffled and dealt round-robin,
/// continuing the deal across classes so fold sizes differ by at most one.
pub fn stratified_folds(
    y: &[bool],
    rows: &[usize],
    k: usize,
    rng: &mut TrialRng,
    out: &mut Vec<usize>,
) {
    out.clear();
    out.resize(rows.len(), 0);
    let mut next = 0;
    for class in [true, false] {
        let mut members: Vec<usize> = (0..rows.len()).filter(|&i| y[rows[i]] == class).collect();
        for i in (1..members.len()).rev() {
            let j = rng.random_range(0..=i);
            members.swap(i, j);
        }
        for m in members {
            out[m] = next % k;
            next += 1;
        }
    }
}

impl Pipeline {
    /// Fit on `rows` of `x` (row-major, `p` columns) and `y`.
    pub fn fit(&self, d: Samples, rows: &[usize], rng: &mut TrialRng, s: &mut Scratch) -> Fitted {
        let Samples { x, p, y } = d;
        let n = rows.len();
        let n1 = rows.iter().filter(|&&i| y[i]).count();
        let mut f = Fitted::default();
        let prevalence = if n > 0 { n1 as f64 / n as f64 } else { 0.5 };
        f.threshold = match self.threshold {
            Threshold::Fixed(t) => t,
            Threshold::Prevalence => prevalence,
        };
        if n1 == 0 || n1 == n {
            f.constant = Some(prevalence);
            f.degenerate = true;
            return f;
        }
        // Standardisation from the training rows.
        f.means = vec![0.0; p];
        f.sds = vec![1.0; p];
        for j in 0..p {
            let m = rows.iter().map(|&i| x[i * p + j]).sum::<f64>() / n as f64;
            let v = rows
                .iter()
                .map(|&i| (x[i * p + j] - m).powi(2))
                .sum::<f64>()
                / (n as f64 - 1.0).max(1.0);
            f.means[j] = m;
            f.sds[j] = if v > 0.0 { v.sqrt() } else { 1.0 };
        }
        // Feature selection by training AUC distance from 1/2.
        let keep = match self.model {
            Model::BestRegion => Some(1),
            Model::Ridge => self.select,
        };
        f.cols = (0..p).collect();
        if let Some(k) = keep.filter(|&k| k < p) {
            s.ys.clear();
            s.ys.extend(rows.iter().map(|&i| y[i]));
            let mut score: Vec<(f64, usize)> = (0..p)
                .map(|j| {
                    s.col.clear();
                    s.col.extend(rows.iter().map(|&i| x[i * p + j]));
                    let a = auc(&s.col, &s.ys, &mut s.idx);
                    ((a - 0.5).abs(), j)
                })
                .collect();
            score.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            f.cols = score[..k].iter().map(|&(_, j)| j).collect();
            f.cols.sort_unstable();
        }
        let q = f.cols.len();
        let build = |f: &Fitted, rs: &[usize], xs: &mut Vec<f64>, ys: &mut Vec<bool>| {
            xs.clear();
            ys.clear();
            for &i in rs {
                for &j in &f.cols {
                    xs.push((x[i * p + j] - f.means[j]) / f.sds[j]);
                }
                ys.push(y[i]);
            }
        };
        let (lambda, warm) = match (self.model, self.penalty) {
            (Model::BestRegion, _) => (COMPARATOR_LAMBDA, false),
            (Model::Ridge, Penalty::Fixed(l)) => (l, false),
            (Model::Ridge, Penalty::InnerCv) => {
                let (l, li) = self.inner_cv_lambda(&f, d, rows, rng, s);
                // Start from the last inner fold's solution at that penalty (most of the rows are
                // the same): the same unique solution as a cold start, in fewer Newton steps.
                let start = &s.path[li];
                let warm = start.len() == q + 1;
                if warm {
                    f.lr.beta.clear();
                    f.lr.beta.extend_from_slice(start);
                }
                (l, warm)
            }
        };
        build(&f, rows, &mut s.xs, &mut s.ys);
        if f.lr.fit_from(&s.xs, q, &s.ys, lambda, warm) != Fit::Converged {
            // A failed fit predicts the training prevalence rather than anything made up.
            f.constant = Some(prevalence);
            f.degenerate = true;
        }
        f
    }

    /// The penalty from the grid with the lowest pooled inner out-of-fold log loss, and its index.
    ///
    /// Fast path, same solutions: per fold, the whole penalty path from the largest penalty down,
    /// each fit started from the previous one moved along the path's tangent
    /// ([`Logistic::extrapolate`]); the largest penalty starts from the previous fold's solution.
    /// The penalised objective is strictly convex, so every start reaches the same unique
    /// solution (to the convergence tolerance; a start that fails is retried cold); the test
    /// `fast_inner_cv_equals_cold_fits` checks the chosen penalty against independent cold fits.
    /// Every start depends on this call's data only, so results do not depend on the thread.
    fn inner_cv_lambda(
        &self,
        f: &Fitted,
        d: Samples,
        rows: &[usize],
        rng: &mut TrialRng,
        s: &mut Scratch,
    ) -> (f64, usize) {
        let Samples { x, p, y } = d;
        let n1 = rows.iter().filter(|&&i| y[i]).count();
        let minority = n1.min(rows.len() - n1);
        let k = minority.clamp(2, 5);
        let mut folds = std::mem::take(&mut s.inner_folds);
        stratified_folds(y, rows, k, rng, &mut folds);
        let q = f.cols.len();
        let mut lr = std::mem::take(&mut s.lr);
        let (mut xs, mut ys) = (std::mem::take(&mut s.xt), std::mem::take(&mut s.yt));
        let mut path = std::mem::take(&mut s.path);
        path.resize(LAMBDA_GRID.len(), Vec::new());
        for b in path.iter_mut() {
            b.clear();
        }
        // Losses are summed per penalty in fold and row order.
        let mut losses = [0.0; LAMBDA_GRID.len()];
        for fold in 0..k {
            xs.clear();
            ys.clear();
            s.xs.clear();
            s.ys.clear();
            for (r, &i) in rows.iter().enumerate() {
                let (bx, by) = if folds[r] != fold {
                    (&mut xs, &mut ys)
                } else {
                    (&mut s.xs, &mut s.ys)
                };
                for &j in &f.cols {
                    bx.push((x[i * p + j] - f.means[j]) / f.sds[j]);
                }
                by.push(y[i]);
            }
            // No taller than wide: fit in the centred training rows' span (r <= n - 1 slopes
            // instead of q; the same solution, see [`Span`]).
            let reduce = ys.len() <= q;
            let r = if reduce {
                let r = s.span.build(&xs, q);
                s.span.project(&s.xs, &mut s.zt);
                r
            } else {
                q
            };
            let (fit_x, test_x) = if reduce {
                (&s.span.z, &s.zt)
            } else {
                (&xs, &s.xs)
            };
            // Converged solutions at the two previous penalties (0: none).
            let mut solved = 0;
            for (li, &lambda) in LAMBDA_GRID.iter().enumerate().rev() {
                let warm = if li + 1 < LAMBDA_GRID.len() {
                    s.b1.clone_from(&lr.beta);
                    lr.extrapolate(lambda);
                    if solved == 2 {
                        // Second order: the quadratic in log penalty through the solution two
                        // penalties back with the tangent at the last one.
                        let g = LAMBDA_GRID;
                        let rho = (lambda / g[li + 1]).ln() / (g[li + 1] / g[li + 2]).ln();
                        for ((e, b1), b0) in lr.beta.iter_mut().zip(&s.b1).zip(&s.b0) {
                            *e += rho * rho * (b0 - b1) + rho * (*e - b1);
                        }
                    }
                    std::mem::swap(&mut s.b0, &mut s.b1);
                    true
                } else {
                    let prev = &path[li];
                    if prev.len() == q + 1 {
                        if reduce {
                            s.span.to_span(prev, &mut lr.beta);
                        } else {
                            lr.beta.clear();
                            lr.beta.extend_from_slice(prev);
                        }
                    }
                    prev.len() == q + 1
                };
                let ok = lr.fit_from(fit_x, r, &ys, lambda, warm) == Fit::Converged;
                solved = if ok { (solved + 1).min(2) } else { 0 };
                path[li].clear();
                if ok {
                    if reduce {
                        s.span.to_full(&lr.beta, &mut path[li]);
                    } else {
                        path[li].extend_from_slice(&lr.beta);
                    }
                }
                for (t, &yt) in s.ys.iter().enumerate() {
                    let pr = if ok {
                        lr.predict(&test_x[t * r..(t + 1) * r])
                    } else {
                        0.5
                    };
                    let pr = pr.clamp(1e-12, 1.0 - 1e-12);
                    losses[li] -= if yt { pr.ln() } else { (1.0 - pr).ln() };
                }
            }
        }
        s.lr = lr;
        s.xt = xs;
        s.yt = ys;
        s.path = path;
        s.inner_folds = folds;
        let mut best = (f64::INFINITY, LAMBDA_GRID.len() - 1);
        for (li, &loss) in losses.iter().enumerate() {
            // Ties go to the larger penalty (the simpler model): strict improvement required.
            if loss < best.0 - 1e-12 {
                best = (loss, li);
            }
        }
        (LAMBDA_GRID[best.1], best.1)
    }

    /// Apparent performance: fitted and scored on the same rows.
    pub fn apparent(
        &self,
        d: Samples,
        rows: &[usize],
        rng: &mut TrialRng,
        s: &mut Scratch,
    ) -> (Metrics, Fitted) {
        let y = d.y;
        let f = self.fit(d, rows, rng, s);
        s.pred.clear();
        s.yo.clear();
        for &i in rows {
            let pr = f.predict(d.row(i), &mut s.z);
            s.pred.push(pr);
            s.yo.push(y[i]);
        }
        let m = metrics(&s.pred, &s.yo, &[f.threshold], &mut s.idx);
        (m, f)
    }

    /// Cross-validated performance of the pipeline on `rows`, and the number of degenerate folds.
    ///
    /// Probabilities of all held-out rows are pooled for the threshold metrics, the Brier score and
    /// the calibration slope. The AUC is not taken from pooled probabilities: each fold's model has
    /// its own intercept, and a fold whose test rows hold a responder trains on fewer responders, so
    /// its intercept is lower and pooled ranks put held-out responders systematically low (pooled
    /// LOO AUC of a useless marker is near 0; Airola et al. 2011, Forman & Scholz 2010). Instead
    /// the k-fold AUC is the mean of the within-fold AUCs (folds with both classes: one model scores
    /// both classes), and the LOO scheme's AUC is the leave-pair-out estimate (Airola et al. 2011):
    /// for each responder/non-responder pair a model trained on the other rows scores both, so under
    /// a useless marker the pair is exchangeable and the estimate is exactly unbiased. Above
    /// [`MAX_PAIRS`] pairs a fixed random subset of pairs is used.
    pub fn cross_validate(
        &self,
        d: Samples,
        rows: &[usize],
        validation: Validation,
        rng: &mut TrialRng,
        s: &mut Scratch,
    ) -> (Metrics, usize) {
        let y = d.y;
        let n = rows.len();
        let (k, repeats) = match validation {
            Validation::KFold(k) => (k.min(n), 1),
            Validation::Repeated(k, r) => (k.min(n), r),
            Validation::Loo => (n, 1),
        };
        let loo = matches!(validation, Validation::Loo);
        let mut per_repeat = Vec::with_capacity(repeats);
        let mut degenerate = 0;
        let mut train = Vec::with_capacity(n);
        let mut folds = std::mem::take(&mut s.folds);
        let mut fold_scores = Vec::new();
        let mut fold_y = Vec::new();
        for _ in 0..repeats {
            if loo {
                folds.clear();
                folds.extend(0..n);
            } else {
                stratified_folds(y, rows, k, rng, &mut folds);
            }
            let mut pred = vec![0.0; n];
            let mut thr = vec![0.5; n];
            let (mut auc_sum, mut auc_folds) = (0.0, 0);
            for fold in 0..k {
                train.clear();
                train.extend(
                    rows.iter()
                        .enumerate()
                        .filter(|(r, _)| folds[*r] != fold)
                        .map(|(_, &i)| i),
                );
                if train.len() == n {
                    continue;
                }
                let f = self.fit(d, &train, rng, s);
                degenerate += f.degenerate as usize;
                fold_scores.clear();
                fold_y.clear();
                for (r, &i) in rows.iter().enumerate() {
                    if folds[r] == fold {
                        let row = d.row(i);
                        pred[r] = f.predict(row, &mut s.z);
                        thr[r] = f.threshold;
                        fold_scores.push(pred[r]);
                        fold_y.push(y[i]);
                    }
                }
                let a = auc(&fold_scores, &fold_y, &mut s.idx);
                if a.is_finite() {
                    auc_sum += a;
                    auc_folds += 1;
                }
            }
            s.yo.clear();
            s.yo.extend(rows.iter().map(|&i| y[i]));
            let mut m = metrics(&pred, &s.yo, &thr, &mut s.idx);
            m.auc = if loo {
                self.leave_pair_out_auc(d, rows, rng, s)
            } else if auc_folds > 0 {
                auc_sum / auc_folds as f64
            } else {
                f64::NAN
            };
            per_repeat.push(m);
        }
        s.folds = folds;
        (Metrics::mean(&per_repeat), degenerate)
    }

    /// Leave-pair-out AUC: the share of (responder, non-responder) pairs whose responder a model
    /// trained without the pair scores higher (ties one half).
    fn leave_pair_out_auc(
        &self,
        d: Samples,
        rows: &[usize],
        rng: &mut TrialRng,
        s: &mut Scratch,
    ) -> f64 {
        let y = d.y;
        let pos: Vec<usize> = rows.iter().copied().filter(|&i| y[i]).collect();
        let neg: Vec<usize> = rows.iter().copied().filter(|&i| !y[i]).collect();
        if pos.is_empty() || neg.is_empty() {
            return f64::NAN;
        }
        let mut pairs: Vec<(usize, usize)> = pos
            .iter()
            .flat_map(|&a| neg.iter().map(move |&b| (a, b)))
            .collect();
        if pairs.len() > MAX_PAIRS {
            for i in 0..MAX_PAIRS {
                let j = rng.random_range(i..pairs.len());
                pairs.swap(i, j);
            }
            pairs.truncate(MAX_PAIRS);
        }
        let mut train = Vec::with_capacity(rows.len());
        let mut wins = 0.0;
        for &(a, b) in &pairs {
            train.clear();
            train.extend(rows.iter().copied().filter(|&i| i != a && i != b));
            let f = self.fit(d, &train, rng, s);
            let sa = f.score(d.row(a), &mut s.z);
            let sb = f.score(d.row(b), &mut s.z);
            wins += if sa > sb {
                1.0
            } else if sa == sb {
                0.5
            } else {
                0.0
            };
        }
        wins / pairs.len() as f64
    }
}

/// Most responder/non-responder pairs evaluated by the leave-pair-out AUC.
pub const MAX_PAIRS: usize = 300;

#[cfg(test)]
#[path = "cv_tests.rs"]
mod tests;
