//! The fitting driver: data checks and per-pattern sums, starting values, and Newton / Fisher
//! scoring iterations with step halving on the log-Cholesky parameters.

use super::eval::{Pattern, chol_in_place, chol_inverse, pair, pidx};
use super::{MAX_VISITS, Method, Mmrm, MmrmData, MmrmError, MmrmFit, MmrmOptions, singular};

impl Mmrm {
    /// Fit the model; the result lives in `self` until the next call.
    pub fn fit(&mut self, data: &MmrmData, opts: &MmrmOptions) -> Result<&MmrmFit, MmrmError> {
        let subjects = self.setup(data, opts.method)?;
        let (t, q) = (self.w.t, self.w.q());
        self.start()?;
        let mut l = self
            .set_theta_eval(false)
            .ok_or(MmrmError::SingularDesign { visit: None })?;
        let mut iterations = 0;
        let mut finishing = false;
        let decrement = loop {
            self.w.eval_derivs();
            let dec = self.direction()?;
            if finishing {
                break dec;
            }
            if iterations >= opts.max_iter {
                return Err(MmrmError::NotConverged {
                    iterations,
                    decrement: dec,
                });
            }
            iterations += 1;
            finishing = dec < opts.tol;
            // Step halving: accept the first step that does not lower the log-likelihood (up to
            // rounding). The final step (decrement below tol) is full.
            let mut step = 1.0;
            let mut accepted = false;
            for _ in 0..40 {
                for k in 0..q {
                    self.theta_new[k] = self.theta[k] + step * self.dir[k];
                }
                if let Some(l_new) = self.set_theta_eval(true)
                    && l_new >= l - 1e-12 * (1.0 + l.abs())
                {
                    l = l_new;
                    std::mem::swap(&mut self.theta, &mut self.theta_new);
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if !accepted {
                if finishing {
                    // Already converged; stay at the current point.
                    self.set_theta_eval(false);
                } else {
                    return Err(MmrmError::NotConverged {
                        iterations,
                        decrement: dec,
                    });
                }
            }
        };
        let w = &self.w;
        let np = w.np();
        // Inverse observed information in sigma.
        let mut neg = vec![0.0; q * q];
        for (n, h) in neg.iter_mut().zip(&w.hess) {
            *n = -h;
        }
        chol_in_place(&mut neg, q, 1e-13).ok_or_else(|| singular(w))?;
        let f = &mut self.fit;
        f.sigma_cov.resize(q * q, 0.0);
        chol_inverse(&neg, q, &mut f.sigma_cov);
        f.method = opts.method;
        f.visits = t;
        f.covariates = w.p;
        f.beta.clone_from(&w.beta);
        f.beta_cov.clone_from(&w.h);
        f.sigma.clone_from(&w.sigma);
        f.log_lik = l;
        f.iterations = iterations;
        f.decrement = decrement;
        f.subjects = subjects;
        f.observations = w.n_obs as usize;
        f.patterns = w.npat;
        f.gk.clone_from(&w.gk);
        debug_assert_eq!(f.beta.len(), np);
        Ok(&self.fit)
    }

    /// Check the data and build the per-pattern sums. Returns the number of contributing subjects.
    fn setup(&mut self, d: &MmrmData, method: Method) -> Result<usize, MmrmError> {
        let (t, p) = (d.visits, d.covariates);
        let shape = MmrmError::Shape {
            y_len: d.y.len(),
            x_len: d.x.len(),
            visits: t,
            covariates: p,
        };
        if t == 0 || t > MAX_VISITS || p == 0 || !d.y.len().is_multiple_of(t) {
            return Err(shape);
        }
        let n = d.y.len() / t;
        if d.x.len() != n * p {
            return Err(shape);
        }
        let w = &mut self.w;
        w.resize(t, p, method);
        w.npat = 0;
        w.n_obs = 0.0;
        self.pair_n.clear();
        self.pair_n.resize(t * t, 0);
        let mut subjects = 0;
        for i in 0..n {
            let x = &d.x[i * p..(i + 1) * p];
            if let Some(j) = x.iter().position(|v| !v.is_finite()) {
                return Err(MmrmError::NonFiniteCovariate {
                    subject: i,
                    column: j,
                    value: x[j],
                });
            }
            let y = &d.y[i * t..(i + 1) * t];
            let mut mask = 0u32;
            for (v, &yv) in y.iter().enumerate() {
                if yv.is_infinite() {
                    return Err(MmrmError::NonFiniteResponse {
                        subject: i,
                        visit: v,
                        value: yv,
                    });
                }
                if !yv.is_nan() {
                    mask |= 1 << v;
                }
            }
            if mask == 0 {
                continue;
            }
            subjects += 1;
            let j = match w.pats[..w.npat].iter().position(|pt| pt.mask == mask) {
                Some(j) => j,
                None => {
                    if w.npat == w.pats.len() {
                        w.pats.push(Pattern::default());
                    }
                    w.pats[w.npat].reset(mask, t, p);
                    w.npat += 1;
                    w.npat - 1
                }
            };
            let pat = &mut w.pats[j];
            pat.n += 1.0;
            for a in 0..p {
                for b in 0..p {
                    pat.s[a * p + b] += x[a] * x[b];
                }
            }
            for &s in &pat.obs {
                for (a, xa) in x.iter().enumerate() {
                    pat.m[s * p + a] += y[s] * xa;
                }
                for &u in &pat.obs {
                    pat.yy[s * t + u] += y[s] * y[u];
                    self.pair_n[s * t + u] += 1;
                }
            }
            w.n_obs += pat.obs.len() as f64;
        }
        for v in 0..t {
            let observed = self.pair_n[v * t + v];
            if observed < p + 1 {
                return Err(MmrmError::TooFewSubjects {
                    visit: v,
                    observed,
                    needed: p + 1,
                });
            }
            for u in 0..v {
                if self.pair_n[v * t + u] == 0 {
                    return Err(MmrmError::NoOverlap {
                        first: u,
                        second: v,
                    });
                }
            }
            // The design of the subjects observed at this visit must have full rank.
            let sv = &mut w.sigma; // scratch (p x p fits: resized below)
            sv.clear();
            sv.resize(p * p, 0.0);
            for pat in w.pats[..w.npat].iter().filter(|pt| pt.mask >> v & 1 == 1) {
                for (a, b) in sv.iter_mut().zip(&pat.s) {
                    *a += b;
                }
            }
            chol_in_place(sv, p, 1e-10).ok_or(MmrmError::SingularDesign { visit: Some(v) })?;
        }
        w.sigma.clear();
        w.sigma.resize(t * t, 0.0);
        let q = w.q();
        for v in [
            &mut self.theta,
            &mut self.theta_new,
            &mut self.dir,
            &mut self.gt,
        ] {
            v.clear();
            v.resize(q, 0.0);
        }
        self.jac.clear();
        self.jac.resize(q * q, 0.0);
        self.mt.clear();
        self.mt.resize(4 * q * q, 0.0);
        self.lfac.clear();
        self.lfac.resize(t * t, 0.0);
        Ok(subjects)
    }

    /// Starting values: OLS per visit (Sigma = I), then the residual covariance over the subjects
    /// observed at each pair of visits (diagonal only if that is not positive definite).
    fn start(&mut self) -> Result<(), MmrmError> {
        let w = &mut self.w;
        let (t, p) = (w.t, w.p);
        w.sigma.fill(0.0);
        for v in 0..t {
            w.sigma[v * t + v] = 1.0;
        }
        w.eval_lik()
            .ok_or(MmrmError::SingularDesign { visit: None })?;
        let mut s0 = vec![0.0; t * t];
        for pat in &w.pats[..w.npat] {
            for &a in &pat.obs {
                for &b in &pat.obs {
                    s0[a * t + b] += pat.r[a * t + b];
                }
            }
        }
        for a in 0..t {
            for b in 0..t {
                let nab = self.pair_n[a * t + b] as f64;
                s0[a * t + b] /= if a == b { nab - p as f64 } else { nab };
            }
        }
        let mut l = s0.clone();
        if chol_in_place(&mut l, t, 1e-8).is_none() {
            l.fill(0.0);
            for a in 0..t {
                l[a * t + a] = s0[a * t + a].max(1e-300).sqrt();
            }
        }
        for a in 0..t {
            for b in 0..=a {
                let v = l[a * t + b];
                self.theta[pidx(a, b)] = if a == b { v.ln() } else { v };
            }
        }
        Ok(())
    }

    /// Set Sigma from `theta` (or `theta_new`) and evaluate the log-likelihood.
    fn set_theta_eval(&mut self, new: bool) -> Option<f64> {
        let th = if new { &self.theta_new } else { &self.theta };
        let t = self.w.t;
        let l = &mut self.lfac;
        l.fill(0.0);
        for a in 0..t {
            for b in 0..=a {
                let v = th[pidx(a, b)];
                l[a * t + b] = if a == b { v.exp() } else { v };
            }
        }
        for a in 0..t {
            for b in 0..=a {
                let s: f64 = (0..=b).map(|k| l[a * t + k] * l[b * t + k]).sum();
                self.w.sigma[a * t + b] = s;
                self.w.sigma[b * t + a] = s;
            }
        }
        if !self.w.sigma.iter().all(|v| v.is_finite()) {
            return None;
        }
        self.w.eval_lik()
    }

    /// Newton direction in theta (Fisher scoring when the Hessian is not negative definite) into
    /// `self.dir`; returns the Newton decrement `g' d`. Needs `lfac` and the derivatives at theta.
    fn direction(&mut self) -> Result<f64, MmrmError> {
        let w = &self.w;
        let (t, q) = (w.t, w.q());
        let l = &self.lfac;
        // J[m][k] = d sigma_m / d theta_k, sigma_(a,b) = sum_j L_aj L_bj, theta_(c,d) = L_cd or
        // log L_cc: d sigma_ab / d L_cd = [a=c] L_bd + [b=c] L_ad (L_xy = 0 for y > x).
        let lv = |x: usize, y: usize| if y <= x { l[x * t + y] } else { 0.0 };
        for m in 0..q {
            let (a, b) = pair(m);
            for k in 0..q {
                let (c, d) = pair(k);
                let mut v = 0.0;
                if a == c {
                    v += lv(b, d);
                }
                if b == c {
                    v += lv(a, d);
                }
                if c == d {
                    v *= l[c * t + c];
                }
                self.jac[m * q + k] = v;
            }
        }
        let jac = &self.jac;
        for k in 0..q {
            self.gt[k] = (0..q).map(|m| jac[m * q + k] * w.grad[m]).sum();
        }
        // Hessian in theta: J' H J + sum_m g_m d2 sigma_m / d theta_k d theta_l; information J' I J.
        // (H J and I J first: q^3 rather than q^4.)
        let (hneg, rest) = self.mt.split_at_mut(q * q);
        let (info, rest) = rest.split_at_mut(q * q);
        let (hj, ij) = rest.split_at_mut(q * q);
        for m in 0..q {
            for j in 0..q {
                let (mut a, mut b) = (0.0, 0.0);
                for n in 0..q {
                    a += w.hess[m * q + n] * jac[n * q + j];
                    b += w.info[m * q + n] * jac[n * q + j];
                }
                hj[m * q + j] = a;
                ij[m * q + j] = b;
            }
        }
        for k in 0..q {
            let (c, d) = pair(k);
            for j in 0..q {
                let (e, f) = pair(j);
                let mut h = 0.0;
                let mut fi = 0.0;
                for m in 0..q {
                    h += jac[m * q + k] * hj[m * q + j];
                    fi += jac[m * q + k] * ij[m * q + j];
                }
                if d == f {
                    // sum_m g_m d2 sigma_m / d L_cd d L_ef = [d = f] g_(c,e) (2 if c = e)
                    let g = w.grad[pidx(c.max(e), c.min(e))] * if c == e { 2.0 } else { 1.0 };
                    let dk = if c == d { l[c * t + c] } else { 1.0 };
                    let dj = if e == f { l[e * t + e] } else { 1.0 };
                    h += g * dk * dj;
                }
                if k == j && c == d {
                    h += self.gt[k];
                }
                hneg[k * q + j] = -h;
                info[k * q + j] = fi;
            }
        }
        let m = if chol_in_place(hneg, q, 1e-12).is_some() {
            &*hneg
        } else {
            chol_in_place(info, q, 1e-12).ok_or_else(|| singular(w))?;
            &*info
        };
        // Solve L L' d = g.
        for i in 0..q {
            let s = self.gt[i] - (0..i).map(|k| m[i * q + k] * self.dir[k]).sum::<f64>();
            self.dir[i] = s / m[i * q + i];
        }
        for i in (0..q).rev() {
            let s = self.dir[i] - (i + 1..q).map(|k| m[k * q + i] * self.dir[k]).sum::<f64>();
            self.dir[i] = s / m[i * q + i];
        }
        Ok(self.gt.iter().zip(&self.dir).map(|(a, b)| a * b).sum())
    }
}
