//! Exact true accuracy of a fitted linear model, without a holdout sample.
//!
//! When the features are the observed scans (no baseline symptom score among them) and the latent
//! improvement I does not depend on the baseline score, the features x and I are jointly normal
//! (their covariance follows from the scenario, as in [`crate::model::summary`]), and the target
//! depends on the patient only through I, the baseline score and the late-responder status, which
//! are independent of x given I. Then for any linear predictor eta = a + w.x, with V its
//! standardised value and rho = corr(V, I), the pair (V, target) has a law that depends on rho
//! alone plus the map eta = m + s V:
//! - P(target | I = mu_I + sd_I zeta) = q(zeta) is a step function
//!   `base + sum_j delta_j 1{zeta > t_j}` (one step pair per baseline score and time course, from
//!   [`crate::model::exact`]), so P(target | V = v) = base + sum_j delta_j Phi((rho v - t_j) /
//!   sqrt(1 - rho^2)) exactly;
//! - the AUC is a function of rho alone, tabulated once per family on a grid of asin(rho) and
//!   interpolated (cubic); the table comes from a 2-D sum over cells of zeta of width 0.005 with the
//!   within-cell spread added to the kernel's variance (error about 1e-6, checked against the
//!   closed form in the tests);
//! - sensitivity, specificity, Brier score and the population calibration slope (Newton on the
//!   population score equations) are one-dimensional integrals over V by composite 16-point
//!   Gauss-Legendre quadrature, split at the classification threshold.
//!
//! So the true metrics of every trial's model are exact up to quadrature error (far below Monte
//! Carlo error), and have no holdout sampling error at all.

use crate::model::exact::{
    LatentImprovement, baseline_nodes, courses, gauss_legendre_16, improvement_interval,
    normal_mass, response_threshold,
};
use crate::scenario::{Endpoint, FeatureSet, PredictionConfig, Scenario};
use crate::stats::cv::Fitted;
use crate::stats::dist::norm_cdf;
use crate::stats::metrics::Metrics;

/// Points of the AUC table on asin(rho) in [0, pi/2] (the other half by symmetry).
const TABLE: usize = 256;
/// Half-width of the standardised-improvement range summed over (mass beyond: < 1e-18).
const ZMAX: f64 = 9.0;
/// Cells of that range in the AUC table's 2-D sum.
const CELLS: usize = 3600;

/// The exact law of one prediction family's features and target.
#[derive(Debug, Clone)]
pub struct ExactTruth {
    p: usize,
    mean: Vec<f64>,
    cov: Vec<f64>,
    /// Cov(x, I) / sd_I.
    c: Vec<f64>,
    base: f64,
    steps: Vec<(f64, f64)>,
    /// P(target).
    pub prevalence: f64,
    auc_table: Vec<f64>,
}

impl ExactTruth {
    /// The exact law, or `None` when the family is outside the case described in the module
    /// documentation (then a holdout sample is used).
    pub fn new(s: &Scenario, cfg: &PredictionConfig) -> Option<Self> {
        // A rating error adds noise outside the jointly normal features: use the holdout.
        if cfg.baseline_score || s.symptoms.spec.rating_sd > 0.0 {
            return None;
        }
        let arm = &s.arms[cfg.arm];
        let lat = LatentImprovement::of(s, arm);
        if lat.slope != 0.0 || lat.sd <= 0.0 || !lat.sd.is_finite() {
            return None;
        }
        let sp = &s.symptoms.spec;
        // Target as steps of q(zeta).
        let frac = 1.0 - sp.response_fraction;
        let kinks: Vec<f64> = if cfg.target != Endpoint::Remission && frac > 0.0 {
            vec![(sp.scale_min - 1e-9) / frac, (sp.scale_max - 1e-9) / frac]
        } else {
            Vec::new()
        };
        let (mut base, mut steps) = (0.0, Vec::new());
        for (m0, w) in baseline_nodes(s, &kinks) {
            let t = match cfg.target {
                Endpoint::Remission => sp.remission_max,
                _ => response_threshold(s, m0),
            };
            for (c, wc) in courses(arm, cfg.visit) {
                let (lo, hi) = improvement_interval(s, m0, c, t);
                if lo >= hi {
                    continue;
                }
                let ww = w * wc;
                let (a, b) = ((lo - lat.mean0) / lat.sd, (hi - lat.mean0) / lat.sd);
                if a == f64::NEG_INFINITY {
                    base += ww;
                } else {
                    steps.push((a, ww));
                }
                if b < f64::INFINITY {
                    steps.push((b, -ww));
                }
            }
        }
        steps.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut merged: Vec<(f64, f64)> = Vec::with_capacity(steps.len());
        for (t, d) in steps {
            match merged.last_mut() {
                Some(last) if last.0 == t => last.1 += d,
                _ => merged.push((t, d)),
            }
        }
        let prevalence = base + merged.iter().map(|&(t, d)| d * norm_cdf(-t)).sum::<f64>();
        let (mean, cov, c) = feature_law(s, cfg, arm.improvement_sd / lat.sd);
        let mut e = ExactTruth {
            p: cfg.n_features(),
            mean,
            cov,
            c,
            base,
            steps: merged,
            prevalence,
            auc_table: Vec::new(),
        };
        e.auc_table = e.build_auc_table();
        Some(e)
    }

    /// P(target | zeta) integrated over cells of zeta: (positive mass, negative mass) per cell.
    fn cell_masses(&self) -> (Vec<f64>, Vec<f64>) {
        let h = 2.0 * ZMAX / CELLS as f64;
        let (mut pos, mut neg) = (vec![0.0; CELLS], vec![0.0; CELLS]);
        let mut q = self.base;
        let mut j = 0;
        while j < self.steps.len() && self.steps[j].0 <= -ZMAX {
            q += self.steps[j].1;
            j += 1;
        }
        for i in 0..CELLS {
            let (a, b) = (-ZMAX + i as f64 * h, -ZMAX + (i + 1) as f64 * h);
            let mut x = a;
            let mut acc = 0.0;
            while j < self.steps.len() && self.steps[j].0 < b {
                let t = self.steps[j].0;
                acc += q * normal_mass(0.0, 1.0, x, t);
                x = t;
                q += self.steps[j].1;
                j += 1;
            }
            acc += q * normal_mass(0.0, 1.0, x, b);
            let m = normal_mass(0.0, 1.0, a, b);
            pos[i] = acc.clamp(0.0, m);
            neg[i] = m - pos[i];
        }
        (pos, neg)
    }

    fn build_auc_table(&self) -> Vec<f64> {
        let (pos, neg) = self.cell_masses();
        let h = 2.0 * ZMAX / CELLS as f64;
        let (p1, p0): (f64, f64) = (pos.iter().sum(), neg.iter().sum());
        // C(d) = sum_i pos_i neg_{i - d}, d = -(n - 1)..(n - 1), stored at d + n - 1.
        let n = CELLS;
        let mut corr = vec![0.0; 2 * n - 1];
        for (i, &pi) in pos.iter().enumerate() {
            if pi == 0.0 {
                continue;
            }
            for (k, &nk) in neg.iter().enumerate() {
                corr[i + n - 1 - k] += pi * nk;
            }
        }
        let lags: Vec<(f64, f64)> = corr
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 1e-300)
            .map(|(d, &c)| ((d as f64 - (n - 1) as f64) * h, c))
            .collect();
        (0..=TABLE)
            .map(|k| {
                let th = std::f64::consts::FRAC_PI_2 * k as f64 / TABLE as f64;
                let (rho, cth) = (th.sin(), th.cos());
                // U1 - U2 = rho (zeta1 - zeta2) + sqrt(2) cos(theta) e; the uniform spread of each
                // zeta inside its cell (variance h^2/12 each) joins the normal part.
                let sd = (2.0 * cth * cth + rho * rho * h * h / 6.0).sqrt();
                lags.iter()
                    .map(|&(d, c)| c * norm_cdf(rho * d / sd))
                    .sum::<f64>()
                    / (p1 * p0)
            })
            .collect()
    }

    /// AUC of any score whose correlation with the latent improvement is `rho`.
    pub fn auc_of(&self, rho: f64) -> f64 {
        let th = rho.clamp(-1.0, 1.0).asin();
        if th < 0.0 {
            return 1.0 - self.auc_of(-rho);
        }
        let u = th / std::f64::consts::FRAC_PI_2 * TABLE as f64;
        let k = (u.floor() as usize).min(TABLE - 1);
        let f = u - k as f64;
        let t = &self.auc_table;
        let at = |i: isize| -> f64 {
            // Reflect beyond the ends: AUC(-theta) = 1 - AUC(theta), and the table is smooth in
            // theta through pi/2 (rho = sin theta is even about it).
            if i < 0 {
                1.0 - t[(-i) as usize]
            } else if i as usize > TABLE {
                t[2 * TABLE - i as usize]
            } else {
                t[i as usize]
            }
        };
        let ki = k as isize;
        let (y0, y1, y2, y3) = (at(ki - 1), at(ki), at(ki + 1), at(ki + 2));
        // Catmull-Rom cubic.
        y1 + 0.5
            * f
            * (y2 - y0
                + f * (2.0 * y0 - 5.0 * y1 + 4.0 * y2 - y3 + f * (3.0 * (y1 - y2) + y3 - y0)))
    }

    /// The best AUC of any function of the features: the AUC of the linear index with the largest
    /// correlation with I, sqrt(c' Sigma^-1 c) (the Bayes score is monotone in it when the target
    /// probability rises with improvement). `None` when the features' covariance is singular.
    pub fn optimal_auc(&self) -> Option<f64> {
        let sol = crate::stats::linalg::solve_spd(&self.cov, &self.c)?;
        let r2: f64 = sol.iter().zip(&self.c).map(|(a, b)| a * b).sum();
        Some(self.auc_of(r2.max(0.0).sqrt()))
    }

    /// P(target | V = v) for the standardised score V with correlation `rho` with I.
    fn response_given(&self, rho: f64, v: f64) -> f64 {
        let s = (1.0 - rho * rho).max(0.0).sqrt();
        let mut r = self.base;
        for &(t, d) in &self.steps {
            r += d * if s < 1e-12 {
                ((rho * v > t) as u8) as f64
            } else {
                norm_cdf((rho * v - t) / s)
            };
        }
        r.clamp(0.0, 1.0)
    }

    /// The exact true metrics of a fitted pipeline (its predictions on the whole population).
    pub fn metrics(&self, fitted: &Fitted) -> Metrics {
        let thr = fitted.threshold;
        let pv = self.prevalence;
        let (a, w) = match fitted.linear(self.p) {
            Ok(l) => l,
            Err(c) => return constant_metrics(c, thr, pv),
        };
        let m = a + dot(&w, &self.mean);
        let mut sw = vec![0.0; self.p];
        for (i, row) in self.cov.chunks_exact(self.p).enumerate() {
            sw[i] = dot(row, &w);
        }
        let var = dot(&w, &sw);
        if var <= 0.0 || !var.is_finite() {
            return constant_metrics(logistic(m), thr, pv);
        }
        let s = var.sqrt();
        let rho = (dot(&w, &self.c) / s).clamp(-1.0, 1.0);
        let auc = self.auc_of(rho);
        let logit_t = (thr / (1.0 - thr)).ln();
        let vstar = ((logit_t - m) / s).clamp(-ZMAX, ZMAX);
        let (gx, gw) = gauss_legendre_16();
        // (eta, P(target | v), weight) at the nodes: two panels on each side of the threshold.
        let mut pts = Vec::with_capacity(64);
        for (lo, hi) in [(-ZMAX, vstar), (vstar, ZMAX)] {
            let hw = (hi - lo) / 4.0;
            for pnl in 0..2 {
                let c = lo + hw * (2 * pnl + 1) as f64;
                for (x, wt) in gx.iter().zip(&gw) {
                    let v = c + hw * x;
                    let om = hw * wt * (-0.5 * v * v).exp() / (2.0 * std::f64::consts::PI).sqrt();
                    pts.push((m + s * v, self.response_given(rho, v), om, v >= vstar));
                }
            }
        }
        let (mut p1, mut p0, mut tp, mut tn, mut brier) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(eta, r, om, above) in &pts {
            let pi = logistic(eta);
            p1 += om * r;
            p0 += om * (1.0 - r);
            if above {
                tp += om * r;
            } else {
                tn += om * (1.0 - r);
            }
            brier += om * (r * (1.0 - pi).powi(2) + (1.0 - r) * pi * pi);
        }
        let (sens, spec) = (tp / p1, tn / p0);
        Metrics {
            auc,
            balanced_accuracy: (sens + spec) / 2.0,
            sensitivity: sens,
            specificity: spec,
            brier,
            calibration_slope: calibration_slope(&pts),
            calibration_intercept: calibration_intercept(&pts),
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Metrics of a model that predicts the constant `c` for everyone.
fn constant_metrics(c: f64, thr: f64, pv: f64) -> Metrics {
    let pos = (c >= thr) as u8 as f64;
    Metrics {
        auc: 0.5,
        balanced_accuracy: 0.5,
        sensitivity: pos,
        specificity: 1.0 - pos,
        brier: c * c - 2.0 * c * pv + pv,
        calibration_slope: f64::NAN,
        // logit P(y) = a + logit(c) holds with a = logit(pv) - logit(c).
        calibration_intercept: logit_clamped(pv) - logit_clamped(c),
    }
}

fn logit_clamped(q: f64) -> f64 {
    let q = q.clamp(1e-12, 1.0 - 1e-12);
    (q / (1.0 - q)).ln()
}

/// Population calibration-in-the-large (as [`crate::stats::metrics::calibration_intercept`]):
/// Newton on the expected score equation of the intercept with logit(prediction) as offset.
fn calibration_intercept(pts: &[(f64, f64, f64, bool)]) -> f64 {
    const LMAX: f64 = 27.631021115928547; // logit(1 - 1e-12)
    let mut a = 0.0f64;
    for _ in 0..200 {
        let (mut g, mut h) = (0.0, 0.0);
        for &(eta, r, om, _) in pts {
            let mu = logistic(a + eta.clamp(-LMAX, LMAX));
            g += om * (r - mu);
            h += om * mu * (1.0 - mu);
        }
        if !(h > 0.0) {
            return f64::NAN;
        }
        let step = (g / h).clamp(-5.0, 5.0);
        a += step;
        if step.abs() < 1e-12 {
            return a;
        }
    }
    f64::NAN
}

/// Population logistic regression of the target on logit(prediction) (clamped as in
/// [`crate::stats::metrics::calibration_slope`]): Newton on the expected score equations.
fn calibration_slope(pts: &[(f64, f64, f64, bool)]) -> f64 {
    const LMAX: f64 = 27.631021115928547; // logit(1 - 1e-12)
    // Start at the intercept-only solution (as the sample fit does).
    let p1: f64 =
        pts.iter().map(|&(_, r, om, _)| om * r).sum::<f64>() / pts.iter().map(|p| p.2).sum::<f64>();
    let (mut al, mut be) = ((p1 / (1.0 - p1)).ln(), 0.0);
    for _ in 0..100 {
        let (mut g0, mut g1, mut h00, mut h01, mut h11) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(eta, r, om, _) in pts {
            let l = eta.clamp(-LMAX, LMAX);
            let mu = logistic(al + be * l);
            let wv = om * mu * (1.0 - mu);
            g0 += om * (r - mu);
            g1 += om * (r - mu) * l;
            h00 += wv;
            h01 += wv * l;
            h11 += wv * l * l;
        }
        let det = h00 * h11 - h01 * h01;
        if det <= 1e-300 || !det.is_finite() {
            return f64::NAN;
        }
        let (d0, d1) = ((h11 * g0 - h01 * g1) / det, (h00 * g1 - h01 * g0) / det);
        al += d0;
        be += d1;
        if !be.is_finite() || be.abs() > 1e6 {
            return f64::NAN;
        }
        if d0.abs().max(d1.abs()) < 1e-12 {
            return be;
        }
    }
    f64::NAN
}

/// Mean, covariance and covariance with the standardised latent improvement of the features of
/// the family's arm; `s_frac` = improvement_sd / sd(I) (the covariates' part of I is independent
/// of the scans).
fn feature_law(
    s: &Scenario,
    cfg: &PredictionConfig,
    s_frac: f64,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let arm = &s.arms[cfg.arm];
    let r = s.n_regions();
    let dj = 2 * r + 1;
    let j = |a: usize, b: usize| arm.joint[a * dj + b];
    // Each feature as (kind, region): kind 0 = baseline scan, 1 = observed change.
    let mut feats = Vec::new();
    for &g in &cfg.regions {
        match cfg.features {
            FeatureSet::Baseline => feats.push((0, g)),
            FeatureSet::Change => feats.push((1, g)),
            FeatureSet::Both => {
                feats.push((0, g));
                feats.push((1, g));
            }
        }
    }
    let e2 = |g: usize| s.regions[g].meas_sd.powi(2);
    // Loading of feature (kind, g) on the joint latent vector: index and scale.
    let lat = |(k, g): (usize, usize)| {
        if k == 0 {
            (g, s.regions[g].sigma)
        } else {
            (r + g, arm.tau[g])
        }
    };
    let p = feats.len();
    let mut cov = vec![0.0; p * p];
    for (a, &fa) in feats.iter().enumerate() {
        for (b, &fb) in feats.iter().enumerate() {
            let ((ia, sa), (ib, sb)) = (lat(fa), lat(fb));
            let mut v = sa * sb * j(ia, ib);
            if fa.1 == fb.1 {
                // Measurement errors: baseline e1, change e2 - e1.
                v += match (fa.0, fb.0) {
                    (0, 0) => e2(fa.1),
                    (1, 1) => 2.0 * e2(fa.1),
                    _ => -e2(fa.1),
                };
            }
            cov[a * p + b] = v;
        }
    }
    let mean = feats
        .iter()
        .map(|&(k, g)| {
            if k == 0 {
                s.regions[g].mu + s.regions[g].delta
            } else {
                arm.kappa[g]
            }
        })
        .collect();
    let c = feats
        .iter()
        .map(|&f| {
            let (i, sc) = lat(f);
            sc * j(i, 2 * r) * s_frac
        })
        .collect();
    (mean, cov, c)
}
