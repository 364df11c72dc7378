//! Ridge-penalised logistic regression by iteratively reweighted least squares (Newton-Raphson).
//!
//! Objective (glmnet's convention, so a penalty means the same at every N):
//! minimise `-(1/n) loglik(beta) + (lambda/2) ||beta[1..]||^2`; the intercept `beta[0]` is not
//! penalised. With lambda = 0 this is ordinary maximum likelihood (R's `glm(family = binomial)`).

use crate::stats::linalg::solve_spd;

/// How a fit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Converged.
    Converged,
    /// Coefficients diverged: the classes are (quasi-)separated and the MLE does not exist.
    Separated,
    /// Only one class in the data: the intercept alone cannot be estimated.
    OneClass,
    /// Newton failed (singular Hessian) or did not converge in the iteration limit.
    Failed,
}

/// A logistic model and its scratch space.
#[derive(Debug, Clone, Default)]
pub struct Logistic {
    /// Coefficients: intercept first.
    pub beta: Vec<f64>,
    h: Vec<f64>,
    g: Vec<f64>,
}

const MAX_ITER: usize = 100;
/// |coefficient| beyond which an unpenalised fit is declared separated (the MLE is infinite).
const DIVERGED: f64 = 30.0;

impl Logistic {
    /// Fit to `x` (row-major, n x p, no intercept column) and `y`.
    ///
    /// ```
    /// use trialsim::stats::logistic::{Fit, Logistic};
    /// // R: coef(glm(y ~ x, family = binomial)) with x = c(1,2,3,4,5,6,7,8),
    /// // y = c(0,0,1,0,1,0,1,1): (Intercept) -2.67337962089359493, x 0.59408436019857647
    /// let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    /// let y = [false, false, true, false, true, false, true, true];
    /// let mut m = Logistic::default();
    /// assert_eq!(m.fit(&x, 1, &y, 0.0), Fit::Converged);
    /// assert!((m.beta[0] + 2.67337962089359493).abs() < 1e-8);
    /// assert!((m.beta[1] - 0.59408436019857647).abs() < 1e-8);
    /// ```
    pub fn fit(&mut self, x: &[f64], p: usize, y: &[bool], lambda: f64) -> Fit {
        let n = y.len();
        let d = p + 1;
        let n1 = y.iter().filter(|&&v| v).count();
        self.beta.clear();
        self.beta.resize(d, 0.0);
        if n1 == 0 || n1 == n {
            return Fit::OneClass;
        }
        // Start at the intercept-only solution.
        let prev = n1 as f64 / n as f64;
        self.beta[0] = (prev / (1.0 - prev)).ln();
        let nf = n as f64;
        for _ in 0..MAX_ITER {
            self.h.clear();
            self.h.resize(d * d, 0.0);
            self.g.clear();
            self.g.resize(d, 0.0);
            for i in 0..n {
                let row = &x[i * p..(i + 1) * p];
                let mut eta = self.beta[0];
                for (b, xi) in self.beta[1..].iter().zip(row) {
                    eta += b * xi;
                }
                let mu = 1.0 / (1.0 + (-eta).exp());
                let w = (mu * (1.0 - mu)).max(1e-12);
                let r = mu - if y[i] { 1.0 } else { 0.0 };
                // Gradient and Hessian of -(1/n) loglik (lower triangle); x_0 = 1 is the intercept.
                let xa = |j: usize| if j == 0 { 1.0 } else { row[j - 1] };
                for j in 0..d {
                    let xj = xa(j);
                    self.g[j] += r * xj;
                    for k in 0..=j {
                        self.h[j * d + k] += w * xj * xa(k);
                    }
                }
            }
            for j in 0..d {
                self.g[j] /= nf;
                for k in 0..=j {
                    self.h[j * d + k] /= nf;
                    self.h[k * d + j] = self.h[j * d + k];
                }
            }
            for j in 1..d {
                self.g[j] += lambda * self.beta[j];
                self.h[j * d + j] += lambda;
            }
            let Some(step) = solve_spd(&self.h, &self.g) else {
                return if lambda == 0.0 {
                    Fit::Separated
                } else {
                    Fit::Failed
                };
            };
            let mut max_step: f64 = 0.0;
            for (b, s) in self.beta.iter_mut().zip(&step) {
                *b -= s;
                max_step = max_step.max(s.abs());
            }
            if !self.beta.iter().all(|b| b.is_finite()) {
                return Fit::Failed;
            }
            if lambda == 0.0 && self.beta.iter().any(|b| b.abs() > DIVERGED) {
                return Fit::Separated;
            }
            if max_step < 1e-10 {
                return Fit::Converged;
            }
        }
        if lambda == 0.0 {
            Fit::Separated
        } else {
            Fit::Failed
        }
    }

    /// Predicted probability for one row of features.
    #[inline]
    pub fn predict(&self, row: &[f64]) -> f64 {
        let mut eta = self.beta[0];
        for (b, x) in self.beta[1..].iter().zip(row) {
            eta += b * x;
        }
        1.0 / (1.0 + (-eta).exp())
    }
}
