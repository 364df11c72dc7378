//! Ordinary least squares for the group effect adjusted for several covariates: the ANCOVA
//! `y ~ group + x_1 + ... + x_q`, from accumulated cross-products (complete cases only).

use super::Alternative;
use super::ttest::{TestOutcome, from_t};
use crate::stats::linalg::solve_spd;

/// Accumulates X'X and X'y for columns [1, group, x_1..x_q].
#[derive(Debug, Clone, Default)]
pub struct Ols {
    q: usize,
    n: f64,
    xtx: Vec<f64>,
    xty: Vec<f64>,
    yty: f64,
    row: Vec<f64>,
}

impl Ols {
    /// Start a fit with `q` covariates.
    pub fn reset(&mut self, q: usize) {
        let d = q + 2;
        self.q = q;
        self.n = 0.0;
        self.xtx.clear();
        self.xtx.resize(d * d, 0.0);
        self.xty.clear();
        self.xty.resize(d, 0.0);
        self.yty = 0.0;
        self.row.resize(d, 0.0);
    }

    /// Add one observation (skipped if anything is missing). Covariates should be roughly centred
    /// (e.g. at their population means) for numerical conditioning.
    pub fn push(&mut self, group: bool, y: f64, x: &[f64]) {
        if y.is_nan() || x.iter().any(|v| v.is_nan()) {
            return;
        }
        let d = self.q + 2;
        self.row[0] = 1.0;
        self.row[1] = if group { 1.0 } else { 0.0 };
        self.row[2..d].copy_from_slice(&x[..self.q]);
        for j in 0..d {
            self.xty[j] += self.row[j] * y;
            for k in 0..d {
                self.xtx[j * d + k] += self.row[j] * self.row[k];
            }
        }
        self.yty += y * y;
        self.n += 1.0;
    }

    /// The group coefficient (group 1 minus group 0, adjusted) with its t-test (df n - q - 2).
    ///
    /// ```
    /// use trialsim::stats::ols::Ols;
    /// use trialsim::scenario::Alternative;
    /// // Same data as the ANCOVA example (tests/reference.rs, R lm): g1 = 1.48796791443850229.
    /// let mut o = Ols::default();
    /// o.reset(1);
    /// for (g, x, y) in [(true, 1.0, 2.0), (true, 2.0, 2.5), (true, 3.0, 4.5), (true, 4.0, 4.0),
    ///                   (false, 1.5, 1.0), (false, 2.5, 1.5), (false, 3.5, 3.0), (false, 5.0, 3.5)] {
    ///     o.push(g, y, &[x]);
    /// }
    /// let r = o.group_effect(Alternative::TwoSided);
    /// assert!((r.estimate - 1.48796791443850229).abs() < 1e-10);
    /// assert!((r.p - 0.0115942428245079197).abs() < 1e-10);
    /// ```
    pub fn group_effect(&self, alt: Alternative) -> TestOutcome {
        let d = self.q + 2;
        let df = self.n - d as f64;
        if df < 1.0 {
            return TestOutcome::invalid();
        }
        let Some(beta) = solve_spd(&self.xtx, &self.xty) else {
            return TestOutcome::invalid();
        };
        let rss = (self.yty - beta.iter().zip(&self.xty).map(|(b, v)| b * v).sum::<f64>()).max(0.0);
        let mut e1 = vec![0.0; d];
        e1[1] = 1.0;
        let Some(col) = solve_spd(&self.xtx, &e1) else {
            return TestOutcome::invalid();
        };
        let se = (rss / df * col[1]).sqrt();
        from_t(beta[1], se, df, alt)
    }
}
