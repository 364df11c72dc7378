//! Ridge-penalised logistic regression by iteratively reweighted least squares (Newton-Raphson).
//!
//! Objective (glmnet's convention, so a penalty means the same at every N):
//! minimise `-(1/n) loglik(beta) + (lambda/2) ||beta[1..]||^2`; the intercept `beta[0]` is not
//! penalised. With lambda = 0 this is ordinary maximum likelihood (R's `glm(family = binomial)`).

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
    dinv: Vec<f64>,
    xt: Vec<f64>,
    /// Per row: one past its last nonzero feature.
    nz: Vec<usize>,
    /// Per row: Newton weight mu (1 - mu).
    w: Vec<f64>,
    /// Cholesky scratch: a column of the factor, the diagonal of the factored matrix.
    col: Vec<f64>,
    diag: Vec<f64>,
    /// Penalty of the last converged fit (whose Hessian factor `l` holds), 0 if none.
    lam: f64,
}

const MAX_ITER: usize = 100;
/// After a full Newton step shorter than this, the next steps reuse its Hessian factor.
const CHORD: f64 = 1e-2;
/// Newton steps longer than this (largest coordinate) are checked against the objective.
const LONG_STEP: f64 = 0.5;

/// The penalised objective `-(1/n) loglik(beta) + (lambda/2) ||beta[1..]||^2`.
fn objective(beta: &[f64], x: &[f64], p: usize, y: &[bool], lambda: f64) -> f64 {
    let n = y.len();
    let mut f = 0.0;
    for i in 0..n {
        let row = &x[i * p..(i + 1) * p];
        let mut eta = beta[0];
        for (b, xi) in beta[1..].iter().zip(row) {
            eta += b * xi;
        }
        // log(1 + e^eta) - y eta, without overflow.
        let softplus = if eta > 0.0 {
            eta + (-eta).exp().ln_1p()
        } else {
            eta.exp().ln_1p()
        };
        f += softplus - if y[i] { eta } else { 0.0 };
    }
    let pen: f64 = beta[1..].iter().map(|b| b * b).sum();
    f / n as f64 + 0.5 * lambda * pen
}
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

    /// Move the coefficients of the last converged fit (at penalty `lam`) to a first-order
    /// prediction of the solution at `lambda`, along the path in log penalty:
    /// `d beta / d log(lambda) = -lambda H^-1 (0, beta[1..])` with H the penalised Hessian, whose
    /// Cholesky factor the fit left behind. Only a start for [`Logistic::fit_from`] (which
    /// converges to the same unique solution from any start, or retries cold): a warm start a
    /// third of the way down the grid otherwise costs one or two Newton steps more. Does nothing
    /// when there is no converged fit.
    #[allow(clippy::needless_range_loop)] // triangular solves read best with indices
    pub fn extrapolate(&mut self, lambda: f64) {
        let d = self.beta.len();
        if !(self.lam > 0.0 && lambda > 0.0) || self.l.len() != d * d || self.dinv.len() != d {
            return;
        }
        let t = (lambda / self.lam).ln() * self.lam;
        // u = H^-1 (0, beta[1..]) by the two triangular solves with L.
        let u = &mut self.step;
        u.clear();
        u.resize(d, 0.0);
        for i in 0..d {
            let mut v = if i == 0 { 0.0 } else { self.beta[i] };
            for k in 0..i {
                v -= self.l[i * d + k] * u[k];
            }
            u[i] = v * self.dinv[i];
        }
        for i in (0..d).rev() {
            let mut v = u[i];
            for k in i + 1..d {
                v -= self.l[k * d + i] * u[k];
            }
            u[i] = v * self.dinv[i];
        }
        // A non-finite result makes the next warm start fall back to a cold one.
        for (b, ui) in self.beta.iter_mut().zip(u.iter()) {
            *b -= t * ui;
        }
        self.lam = 0.0;
    }

    /// Cholesky factor of `h` (lower, row-major, in `l`, reciprocal pivots in `dinv`) and the
    /// solution of `h step = g` in `step`; false if `h` is not numerically positive definite
    /// (the pivot rule of [`crate::stats::linalg::cholesky`]). Right-looking (outer-product)
    /// form, in place in `h`: each column updates the rows below it by independent
    /// multiply-adds, where the dot-product form chains every sum through one accumulator (these
    /// matrices are small, so that chain's latency, not the arithmetic, sets the cost).
    fn solve(&mut self, d: usize) -> bool {
        let (a, dinv, col, diag) = (&mut self.h, &mut self.dinv, &mut self.col, &mut self.diag);
        dinv.clear();
        dinv.resize(d, 0.0);
        diag.clear();
        diag.extend((0..d).map(|i| a[i * d + i]));
        for j in 0..d {
            let s = a[j * d + j];
            if !(s > 1e-10 * diag[j].abs().max(1.0)) {
                return false;
            }
            let r = s.sqrt();
            a[j * d + j] = r;
            let inv = 1.0 / r;
            dinv[j] = inv;
            col.clear();
            for i in j + 1..d {
                let v = a[i * d + j] * inv;
                a[i * d + j] = v;
                col.push(v);
            }
            for i in j + 1..d {
                let lij = col[i - j - 1];
                for (x, c) in a[i * d + j + 1..=i * d + i].iter_mut().zip(col.iter()) {
                    *x -= lij * c;
                }
            }
        }
        std::mem::swap(&mut self.h, &mut self.l);
        self.substitute(d);
        true
    }

    /// `step = h^-1 g` from the Cholesky factor left by [`Logistic::solve`], both triangular
    /// solves column by column (independent updates rather than chained sums).
    fn substitute(&mut self, d: usize) {
        let (l, dinv, x) = (&self.l, &self.dinv, &mut self.step);
        x.clear();
        x.extend_from_slice(&self.g[..d]);
        // Forward: row i of L against the solved part (contiguous reads).
        for i in 0..d {
            let (done, rest) = x.split_at_mut(i);
            let mut s = rest[0];
            for (lik, xk) in l[i * d..i * d + i].iter().zip(done.iter()) {
                s -= lik * xk;
            }
            rest[0] = s * dinv[i];
        }
        // Row i of L is column i of L'.
        for i in (0..d).rev() {
            let xi = x[i] * dinv[i];
            x[i] = xi;
            for (xk, lik) in x[..i].iter_mut().zip(&l[i * d..i * d + i]) {
                *xk -= lik * xi;
            }
        }
    }

    fn newton(&mut self, x: &[f64], p: usize, y: &[bool], lambda: f64, warm: bool) -> Fit {
        self.lam = 0.0;
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
        // Columns past a row's last nonzero feature add nothing to it (rows in the basis of
        // their own span are lower-triangular): skip them.
        self.nz.clear();
        self.nz.extend((0..n).map(|i| {
            x[i * p..(i + 1) * p]
                .iter()
                .rposition(|&v| v != 0.0)
                .map_or(0, |k| k + 1)
        }));
        // Once Newton's steps are short, the Hessian hardly moves: "chord" steps reuse its
        // factor and recompute only the gradient (a fraction of the cost), while they shrink
        // fast; convergence is still a step below the tolerance.
        let mut chord = false;
        let mut last_step = f64::INFINITY;
        for _ in 0..MAX_ITER {
            self.g.clear();
            self.g.resize(d, 0.0);
            if !chord {
                self.h.clear();
                self.h.resize(d * d, 0.0);
            }
            // Gradient and (lower triangle of the) Hessian of -(1/n) loglik, row by row; x_0 = 1
            // is the intercept.
            self.w.clear();
            for (i, &m) in self.nz.iter().enumerate() {
                let row = &x[i * p..i * p + m];
                let mut eta = self.beta[0];
                for (b, xi) in self.beta[1..=m].iter().zip(row) {
                    eta += b * xi;
                }
                let mu = 1.0 / (1.0 + (-eta).exp());
                let r = mu - if y[i] { 1.0 } else { 0.0 };
                self.g[0] += r;
                for (g, xj) in self.g[1..=m].iter_mut().zip(row) {
                    *g += r * xj;
                }
                self.w.push((mu * (1.0 - mu)).max(1e-12));
            }
            if !chord {
                // Two rows at a time: half the loads and stores of H.
                let (h, w, nz) = (&mut self.h, &self.w, &self.nz);
                let mut i = 0;
                while i + 2 <= n {
                    let m = nz[i].max(nz[i + 1]);
                    let (r0, r1) = (&x[i * p..i * p + m], &x[(i + 1) * p..(i + 1) * p + m]);
                    let (w0, w1) = (w[i], w[i + 1]);
                    h[0] += w0 + w1;
                    for (j, hrow) in h[d..].chunks_exact_mut(d).take(m).enumerate() {
                        let (a0, a1) = (w0 * r0[j], w1 * r1[j]);
                        hrow[0] += a0 + a1;
                        for ((h, u), v) in hrow[1..=j + 1].iter_mut().zip(&r0[..=j]).zip(&r1[..=j])
                        {
                            *h += a0 * u + a1 * v;
                        }
                    }
                    i += 2;
                }
                if i < n {
                    let row = &x[i * p..i * p + nz[i]];
                    h[0] += w[i];
                    for (j, hrow) in h[d..].chunks_exact_mut(d).take(nz[i]).enumerate() {
                        let a = w[i] * row[j];
                        hrow[0] += a;
                        for (h, xk) in hrow[1..=j + 1].iter_mut().zip(&row[..=j]) {
                            *h += a * xk;
                        }
                    }
                }
            }
            let inv_n = 1.0 / nf;
            for g in self.g.iter_mut() {
                *g *= inv_n;
            }
            for (g, b) in self.g[1..].iter_mut().zip(&self.beta[1..]) {
                *g += lambda * b;
            }
            if chord {
                self.substitute(d);
            } else {
                for (j, hrow) in self.h.chunks_exact_mut(d).enumerate() {
                    for h in &mut hrow[..=j] {
                        *h *= inv_n;
                    }
                    if j > 0 {
                        hrow[j] += lambda;
                    }
                }
                if !self.solve(d) {
                    return if lambda == 0.0 {
                        Fit::Separated
                    } else {
                        Fit::Failed
                    };
                }
            }
            let mut max_step: f64 = self.step.iter().fold(0.0, |m, s| m.max(s.abs()));
            // A long penalised step may overshoot (undamped Newton from a distant start can
            // diverge on nearly separated data although the penalised problem has a unique
            // solution): halve it until the objective does not increase. Short steps are inside
            // Newton's region of quadratic convergence and are taken as they are, so fits that
            // never take a long step follow exactly the undamped iterations.
            if lambda > 0.0 && max_step > LONG_STEP {
                let f0 = objective(&self.beta, x, p, y, lambda);
                let mut t = 1.0;
                for _ in 0..40 {
                    self.xt.clear();
                    self.xt
                        .extend(self.beta.iter().zip(&self.step).map(|(b, s)| b - t * s));
                    if objective(&self.xt, x, p, y, lambda) <= f0 {
                        break;
                    }
                    t *= 0.5;
                }
                for s in self.step.iter_mut() {
                    *s *= t;
                }
                max_step *= t;
            }
            for (b, s) in self.beta.iter_mut().zip(&self.step) {
                *b -= s;
            }
            if !self.beta.iter().all(|b| b.is_finite()) {
                return Fit::Failed;
            }
            if lambda == 0.0 && self.beta.iter().any(|b| b.abs() > DIVERGED) {
                return Fit::Separated;
            }
            if max_step < 1e-10 {
                self.lam = lambda;
                return Fit::Converged;
            }
            // Chord steps continue while each is at most a tenth of the one before.
            chord = max_step < CHORD && (!chord || max_step < 0.1 * last_step);
            last_step = max_step;
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

    /// Perfectly separated data with p > n at the grid's smallest penalty: the undamped Newton
    /// from the intercept-only start overshoots, the damped one converges, and its answer meets
    /// the optimality condition of the penalised problem, computed here independently:
    /// (1/n) X'(mu - y) + lambda (0, beta[1..]) = 0 (the gradient vanishes at the unique minimum).
    #[test]
    fn damped_newton_solves_separated_ridge() {
        let mut g = crate::rng::stream(7, 0, 0);
        let mut solved = 0;
        for _ in 0..50 {
            let (n, p) = (10usize, 12usize);
            let x: Vec<f64> = (0..n * p).map(|_| g.random::<f64>() * 4.0 - 2.0).collect();
            // y by the sign of the first feature: separated.
            let y: Vec<bool> = (0..n).map(|i| x[i * p] > 0.0).collect();
            if y.iter().all(|&v| v) || !y.iter().any(|&v| v) {
                continue;
            }
            let lambda = 0.001;
            let mut m = Logistic::default();
            assert_eq!(m.fit(&x, p, &y, lambda), Fit::Converged);
            let mut grad = vec![0.0; p + 1];
            for i in 0..n {
                let mu = m.predict(&x[i * p..(i + 1) * p]);
                let r = mu - if y[i] { 1.0 } else { 0.0 };
                grad[0] += r / n as f64;
                for j in 0..p {
                    grad[j + 1] += r * x[i * p + j] / n as f64;
                }
            }
            for (gj, bj) in grad[1..].iter_mut().zip(&m.beta[1..]) {
                *gj += lambda * bj;
            }
            let worst = grad.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            assert!(worst < 1e-9, "gradient {worst}");
            solved += 1;
        }
        assert!(solved > 40);
    }

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
                if k > 0 {
                    warm.extrapolate(lambda);
                }
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
