//! Ridge logistic fits of wide data (no more rows than features) in the span of the training rows.
//!
//! With the intercept unpenalised, the ridge solution's slopes are a combination of the centred
//! training rows (the gradient condition `X_c'(mu - y)/n + lambda beta = 0` makes them one), and
//! the centred rows span at most n - 1 dimensions. With an orthonormal basis Q of that span
//! (`beta = Q' theta`, so `|beta| = |theta|`) the same penalised problem has at most n - 1
//! slopes instead of p, and the same solution (to rounding), at a fraction of the cost per
//! Newton step. The intercept moves with the centring: `beta_0 = theta_0 - mean . beta`.

use super::linalg;

/// The centred span of one set of training rows, and their coordinates in it.
#[derive(Debug, Clone, Default)]
pub struct Span {
    q: usize,
    r: usize,
    mean: Vec<f64>,
    /// Orthonormal basis, `r x q` row-major.
    basis: Vec<f64>,
    centred: Vec<f64>,
    /// Training rows' coordinates, `n x r`.
    pub z: Vec<f64>,
}

impl Span {
    /// Build from the training rows `x` (`n x q`, row-major); returns the dimension r.
    pub fn build(&mut self, x: &[f64], q: usize) -> usize {
        let n = x.len() / q.max(1);
        self.q = q;
        self.mean.clear();
        self.mean.resize(q, 0.0);
        for row in x.chunks_exact(q) {
            for (m, v) in self.mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        for m in self.mean.iter_mut() {
            *m /= n as f64;
        }
        self.centre(x);
        self.r = linalg::row_basis(&self.centred, q, &mut self.basis);
        linalg::project_rows(&self.centred, q, &self.basis, &mut self.z);
        self.r
    }

    fn centre(&mut self, x: &[f64]) {
        self.centred.clear();
        for row in x.chunks_exact(self.q) {
            self.centred
                .extend(row.iter().zip(&self.mean).map(|(v, m)| v - m));
        }
    }

    /// Coordinates (`m x r`) of other rows `x` (`m x q`) in the span, for predictions.
    pub fn project(&mut self, x: &[f64], out: &mut Vec<f64>) {
        self.centre(x);
        linalg::project_rows(&self.centred, self.q, &self.basis, out);
    }

    /// Coefficients in the span (`r + 1`, intercept first) of full coefficients (`q + 1`): the
    /// slopes projected on the span (a start for a fit there).
    pub fn to_span(&self, beta: &[f64], theta: &mut Vec<f64>) {
        let b = &beta[1..];
        theta.clear();
        theta.push(beta[0] + dot(&self.mean, b));
        theta.extend(self.basis.chunks_exact(self.q).map(|u| dot(u, b)));
    }

    /// Full coefficients (`q + 1`) of coefficients in the span (`r + 1`).
    pub fn to_full(&self, theta: &[f64], beta: &mut Vec<f64>) {
        beta.clear();
        beta.resize(self.q + 1, 0.0);
        for (t, u) in theta[1..].iter().zip(self.basis.chunks_exact(self.q)) {
            for (o, v) in beta[1..].iter_mut().zip(u) {
                *o += t * v;
            }
        }
        beta[0] = theta[0] - dot(&self.mean, &beta[1..]);
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::logistic::{Fit, Logistic};
    use rand::RngExt;

    /// A fit in the span equals the direct fit on all features (same penalised problem), checked
    /// by the optimality condition of the direct problem computed independently here, on wide
    /// data (n < p) at several penalties; and the maps between the two parametrisations agree.
    #[test]
    fn span_fit_solves_the_full_problem() {
        let mut g = crate::rng::stream(21, 0, 0);
        for rep in 0..40 {
            let (n, p) = if rep % 2 == 0 {
                (9usize, 14usize)
            } else {
                (13, 14)
            };
            let x: Vec<f64> = (0..n * p).map(|_| g.random::<f64>() * 2.0 - 0.7).collect();
            let y: Vec<bool> = (0..n).map(|i| x[i * p] + x[i * p + 1] > 0.3).collect();
            if y.iter().all(|&v| v) || !y.iter().any(|&v| v) {
                continue;
            }
            let lambda = [0.001, 0.03, 1.0][rep % 3];
            let mut sp = Span::default();
            let r = sp.build(&x, p);
            assert!(r < n);
            let mut m = Logistic::default();
            assert_eq!(m.fit(&sp.z, r, &y, lambda), Fit::Converged);
            let mut beta = Vec::new();
            sp.to_full(&m.beta, &mut beta);
            // Gradient of (1/n) sum softplus - y eta + lambda/2 |slopes|^2 at beta.
            let mut grad = vec![0.0; p + 1];
            for i in 0..n {
                let row = &x[i * p..(i + 1) * p];
                let eta = beta[0] + dot(&beta[1..], row);
                let r = 1.0 / (1.0 + (-eta).exp()) - if y[i] { 1.0 } else { 0.0 };
                grad[0] += r / n as f64;
                for j in 0..p {
                    grad[j + 1] += r * row[j] / n as f64;
                }
            }
            for j in 0..p {
                grad[j + 1] += lambda * beta[j + 1];
            }
            let worst = grad.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            assert!(worst < 1e-9, "rep {rep}: gradient {worst}");
            let mut back = Vec::new();
            sp.to_span(&beta, &mut back);
            for (a, b) in back.iter().zip(&m.beta) {
                assert!((a - b).abs() < 1e-10);
            }
        }
    }
}
