//! Ridge-penalised logistic regression by iteratively reweighted least squares (Newton-Raphson).
//!
//! Objective (glmnet's convention, so a penalty means the same at every N):
//! minimise `-(1/n) loglik(beta) + (lambda/2) ||beta[1..]||^2`; the intercept `beta[0]` is not
//! penalised. With lambda = 0 this is ordinary maximum likelihood (R's `glm(family = binomial)`).

use crate::stats::linalg::solve_spd_into;

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
    l: Vec<f64>,
    step: Vec<f64>,
    xr: Vec<f64>,
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
        self.fit_from(x, p, y, lambda, false)
    }

    /// Like [`Logistic::fit`], but Newton starts from the current coefficients when `warm` (a
    /// solution at a neighbouring penalty: a penalty path). The penalised objective is strictly
    /// convex, so the converged solution is the same as from a cold start (to the convergence
    /// tolerance); a warm start that does not converge is retried cold.
    pub fn fit_from(&mut self, x: &[f64], p: usize, y: &[bool], lambda: f64, warm: bool) -> Fit {
        let d = p + 1;
        let usable = warm && self.beta.len() == d && self.beta.iter().all(|b| b.is_finite());
        if usable {
            let r = self.newton(x, p, y, lambda, true);
            if r == Fit::Converged {
                return r;
            }
        }
        self.newton(x, p, y, lambda, false)
    }

    fn newton(&mut self, x: &[f64], p: usize, y: &[bool], lambda: f64, warm: bool) -> Fit {
        let n = y.len();
        let d = p + 1;
        let n1 = y.iter().filter(|&&v| v).count();
        if n1 == 0 || n1 == n {
            self.beta.clear();
            self.beta.resize(d, 0.0);
            return Fit::OneClass;
        }
        if !warm {
            self.beta.clear();
            self.beta.resize(d, 0.0);
            // Start at the intercept-only solution.
            let prev = n1 as f64 / n as f64;
            self.beta[0] = (prev / (1.0 - prev)).ln();
        }
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
                self.xr.clear();
                self.xr.push(1.0);
                self.xr.extend_from_slice(row);
                for j in 0..d {
                    let xj = self.xr[j];
                    self.g[j] += r * xj;
                    let wx = w * xj;
                    let hrow = &mut self.h[j * d..j * d + j + 1];
                    for (h, xk) in hrow.iter_mut().zip(&self.xr[..=j]) {
                        *h += wx * xk;
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
            if !solve_spd_into(&self.h, &self.g, &mut self.l, &mut self.step) {
                return if lambda == 0.0 {
                    Fit::Separated
                } else {
                    Fit::Failed
                };
            }
            let mut max_step: f64 = 0.0;
            for (b, s) in self.beta.iter_mut().zip(&self.step) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// A warm-started penalty path reaches the same solutions as independent cold fits (the fast
    /// path of the inner cross-validation agrees with the slow one).
    #[test]
    fn warm_path_equals_cold_fits() {
        let mut g = crate::rng::stream(3, 0, 0);
        for &(n, p) in &[(13usize, 12usize), (40, 3), (200, 8)] {
            let x: Vec<f64> = (0..n * p).map(|_| g.random::<f64>() * 2.0 - 1.0).collect();
            let y: Vec<bool> = (0..n)
                .map(|i| g.random::<f64>() < 1.0 / (1.0 + (-2.0 * x[i * p]).exp()))
                .collect();
            let (mut warm, mut cold) = (Logistic::default(), Logistic::default());
            for (k, &lambda) in crate::stats::cv::LAMBDA_GRID.iter().rev().enumerate() {
                let a = warm.fit_from(&x, p, &y, lambda, k > 0);
                let b = cold.fit(&x, p, &y, lambda);
                assert_eq!(a, b);
                for (u, v) in warm.beta.iter().zip(&cold.beta) {
                    assert!(
                        (u - v).abs() < 1e-9,
                        "n {n} p {p} lambda {lambda}: {u} vs {v}"
                    );
                }
            }
        }
    }
}
