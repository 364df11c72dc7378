//! The REML/ML log-likelihood of the MMRM and its first and second derivatives with respect to the
//! distinct elements of the unstructured covariance, all from per-missingness-pattern sufficient
//! statistics.
//!
//! With the Kronecker design `X_i = (I_T (x) x_i')` restricted to the observed visits `O`, every
//! subject-level quantity is a `T x T` matrix `W = Sigma[O,O]^-1` (embedded with zeros at the missing
//! visits) combined with the pattern's sums `S = sum x x'`, `M = sum y x'`, `Yy = sum y y'`:
//! `X'V^-1X = sum_pat W (x) S`, `X'V^-1y = vec(sum_pat W M)`, `r'V^-1r = sum_pat tr(W R)`. One
//! iteration therefore costs a few `T x T` inversions per pattern, independent of the number of
//! subjects. Derivatives (Searle, Casella & McCulloch 1992, ch. 6; P = V^-1 - V^-1 X H X' V^-1,
//! H = (X'V^-1X)^-1, A_k = dV/dsigma_k):
//!
//! * gradient `-tr(P A_k)/2 + r'V^-1 A_k V^-1 r/2` (ML: `tr(V^-1 A_k)` in place of `tr(P A_k)`);
//! * expected information `tr(P A_k P A_l)/2` (ML: `tr(V^-1 A_k V^-1 A_l)/2`);
//! * observed Hessian `tr(P A_k P A_l)/2 - y'P A_k P A_l P y` (REML), whose ML analogue for the
//!   likelihood profiled over beta has the same second term `u'A_k W A_l u - b_k' H b_l` with
//!   `u = V^-1 r`, `b_k = X'V^-1 A_k u`.

use super::Method;

/// Sufficient statistics and per-iteration pieces of one missingness pattern.
#[derive(Debug, Clone, Default)]
pub(super) struct Pattern {
    /// Bit t set when visit t is observed.
    pub mask: u32,
    /// Number of subjects with this pattern.
    pub n: f64,
    /// Observed visit indices.
    pub obs: Vec<usize>,
    /// sum x x' (p x p).
    pub s: Vec<f64>,
    /// sum y x' (T x p; zero rows at missing visits).
    pub m: Vec<f64>,
    /// sum y y' (T x T; zero at missing visits).
    pub yy: Vec<f64>,
    /// Sigma[O,O]^-1 embedded in T x T.
    w: Vec<f64>,
    logdet: f64,
    /// Residual cross-products sum r r' (T x T) and sum r x' (T x p).
    pub r: Vec<f64>,
    rx: Vec<f64>,
    /// W R W, W C W, and C (the partial trace of H against S).
    u: Vec<f64>,
    wcw: Vec<f64>,
    c: Vec<f64>,
}

impl Pattern {
    pub fn reset(&mut self, mask: u32, t: usize, p: usize) {
        self.mask = mask;
        self.n = 0.0;
        self.obs.clear();
        self.obs.extend((0..t).filter(|&v| mask >> v & 1 == 1));
        for (v, len) in [
            (&mut self.s, p * p),
            (&mut self.m, t * p),
            (&mut self.yy, t * t),
            (&mut self.w, t * t),
            (&mut self.r, t * t),
            (&mut self.rx, t * p),
            (&mut self.u, t * t),
            (&mut self.wcw, t * t),
            (&mut self.c, t * t),
        ] {
            v.clear();
            v.resize(len, 0.0);
        }
    }
}

/// In-place Cholesky of a row-major `d x d` matrix (lower triangle; the upper is left untouched
/// but never read). Returns log-determinant, or `None` when a pivot is not above `rel` times the
/// original diagonal element.
pub(super) fn chol_in_place(a: &mut [f64], d: usize, rel: f64) -> Option<f64> {
    let mut logdet = 0.0;
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= a[i * d + k] * a[j * d + k];
            }
            if i == j {
                let orig = a[i * d + i];
                if !(s > rel * orig.abs()) || !s.is_finite() {
                    return None;
                }
                let r = s.sqrt();
                a[i * d + i] = r;
                logdet += 2.0 * r.ln();
            } else {
                a[i * d + j] = s / a[j * d + j];
            }
        }
    }
    Some(logdet)
}

/// Full symmetric inverse from a Cholesky factor in the lower triangle of `l`; `out` is `d x d`.
pub(super) fn chol_inverse(l: &[f64], d: usize, out: &mut [f64]) {
    // Solve L L' X = I column by column.
    for col in 0..d {
        for i in 0..d {
            let mut s = if i == col { 1.0 } else { 0.0 };
            for k in 0..i {
                s -= l[i * d + k] * out[k * d + col];
            }
            out[i * d + col] = s / l[i * d + i];
        }
        for i in (0..d).rev() {
            let mut s = out[i * d + col];
            for k in i + 1..d {
                s -= l[k * d + i] * out[k * d + col];
            }
            out[i * d + col] = s / l[i * d + i];
        }
    }
}

/// Index of the covariance parameter (a, b) with a >= b: the lower triangle by row.
#[inline]
pub(super) fn pidx(a: usize, b: usize) -> usize {
    a * (a + 1) / 2 + b
}

/// Visit pair of covariance parameter k (inverse of [`pidx`]).
pub(super) fn pair(k: usize) -> (usize, usize) {
    let mut a = 0;
    while pidx(a + 1, 0) <= k {
        a += 1;
    }
    (a, k - pidx(a, 0))
}

/// `tr(X A_k Y A_l)` for symmetric unit matrices `A_k = E_ab + E_ba` (or `E_aa`), `X`, `Y` `t x t`.
#[inline]
fn trs(x: &[f64], y: &[f64], t: usize, k: (usize, usize), l: (usize, usize)) -> f64 {
    let nz = |(a, b): (usize, usize)| -> ([(usize, usize); 2], usize) {
        if a == b {
            ([(a, a), (a, a)], 1)
        } else {
            ([(a, b), (b, a)], 2)
        }
    };
    let (nk, ck) = nz(k);
    let (nl, cl) = nz(l);
    let mut s = 0.0;
    for &(i, j) in &nk[..ck] {
        for &(m, n) in &nl[..cl] {
            // tr(X E_ij Y E_mn) = X_ni Y_jm
            s += x[n * t + i] * y[j * t + m];
        }
    }
    s
}

/// Scratch and results of one evaluation. Sized by [`Work::resize`], reused across fits.
#[derive(Debug, Clone, Default)]
pub(super) struct Work {
    pub t: usize,
    pub p: usize,
    pub method: Method,
    pub pats: Vec<Pattern>,
    pub npat: usize,
    pub n_obs: f64,
    /// Current covariance (T x T).
    pub sigma: Vec<f64>,
    sub: Vec<f64>,
    subinv: Vec<f64>,
    /// X'V^-1X and then its Cholesky factor; H = its inverse (P x P).
    xtvx: Vec<f64>,
    pub h: Vec<f64>,
    xtvy: Vec<f64>,
    pub beta: Vec<f64>,
    pub loglik: f64,
    /// Gradient, expected information and observed Hessian of the log-likelihood in the distinct
    /// covariance elements (q, q x q, q x q).
    pub grad: Vec<f64>,
    pub info: Vec<f64>,
    pub hess: Vec<f64>,
    /// G_k = X'V^-1 A_k V^-1 X (q blocks of P x P): d(Cov beta)/d sigma_k = -H G_k H.
    pub gk: Vec<f64>,
    hgk: Vec<f64>,
    ghk: Vec<f64>,
    bk: Vec<f64>,
    hb: Vec<f64>,
    tmp: Vec<f64>,
    tmp2: Vec<f64>,
}

impl Work {
    pub fn q(&self) -> usize {
        self.t * (self.t + 1) / 2
    }

    pub fn np(&self) -> usize {
        self.t * self.p
    }

    pub fn resize(&mut self, t: usize, p: usize, method: Method) {
        self.t = t;
        self.p = p;
        self.method = method;
        let (q, np) = (self.q(), self.np());
        for (v, len) in [
            (&mut self.sigma, t * t),
            (&mut self.sub, t * t),
            (&mut self.subinv, t * t),
            (&mut self.xtvx, np * np),
            (&mut self.h, np * np),
            (&mut self.xtvy, np),
            (&mut self.beta, np),
            (&mut self.grad, q),
            (&mut self.info, q * q),
            (&mut self.hess, q * q),
            (&mut self.gk, q * np * np),
            (&mut self.hgk, q * np * np),
            (&mut self.ghk, q * np * np),
            (&mut self.bk, q * np),
            (&mut self.hb, q * np),
            (&mut self.tmp, t.max(np) * t.max(np)),
            (&mut self.tmp2, t.max(np) * t.max(np)),
        ] {
            v.clear();
            v.resize(len, 0.0);
        }
    }

    /// Log-likelihood, beta and residual statistics at `self.sigma`. `None` when a pattern's
    /// covariance block is not positive definite or X'V^-1X is singular.
    pub fn eval_lik(&mut self) -> Option<f64> {
        let (t, p, np) = (self.t, self.p, self.np());
        let mut sum_logdet = 0.0;
        self.xtvx.fill(0.0);
        self.xtvy.fill(0.0);
        for pat in &mut self.pats[..self.npat] {
            let k = pat.obs.len();
            for (i, &a) in pat.obs.iter().enumerate() {
                for (j, &b) in pat.obs.iter().enumerate() {
                    self.sub[i * k + j] = self.sigma[a * t + b];
                }
            }
            pat.logdet = chol_in_place(&mut self.sub[..k * k], k, 1e-13)?;
            chol_inverse(&self.sub[..k * k], k, &mut self.subinv[..k * k]);
            pat.w.fill(0.0);
            for (i, &a) in pat.obs.iter().enumerate() {
                for (j, &b) in pat.obs.iter().enumerate() {
                    pat.w[a * t + b] = self.subinv[i * k + j];
                }
            }
            sum_logdet += pat.n * pat.logdet;
            // X'V^-1X += W (x) S ; X'V^-1y += vec(W M)
            for &s in &pat.obs {
                for &u in &pat.obs {
                    let w = pat.w[s * t + u];
                    for i in 0..p {
                        let row = (s * p + i) * np + u * p;
                        for j in 0..p {
                            self.xtvx[row + j] += w * pat.s[i * p + j];
                        }
                        self.xtvy[s * p + i] += w * pat.m[u * p + i];
                    }
                }
            }
        }
        let logdet_x = chol_in_place(&mut self.xtvx, np, 1e-11)?;
        chol_inverse(&self.xtvx, np, &mut self.h);
        for i in 0..np {
            self.beta[i] = (0..np).map(|j| self.h[i * np + j] * self.xtvy[j]).sum();
        }
        let mut quad = 0.0;
        let beta = &self.beta;
        for pat in &mut self.pats[..self.npat] {
            // Rx = M - B S ; R = Yy - M B' - B M' + B S B' (rows/columns at missing visits are
            // not zero but are only ever multiplied by the zero rows of W).
            for s in 0..t {
                for i in 0..p {
                    let bs: f64 = (0..p).map(|j| beta[s * p + j] * pat.s[j * p + i]).sum();
                    pat.rx[s * p + i] = pat.m[s * p + i] - bs;
                }
            }
            for s in 0..t {
                for u in 0..t {
                    let mut v = pat.yy[s * t + u];
                    for i in 0..p {
                        // (M - B S) row s times B' column u, minus B row s times M' column u ...
                        // R = Yy - M B' - B Rx'  with Rx = M - B S.
                        v -= pat.m[s * p + i] * beta[u * p + i]
                            + beta[s * p + i] * pat.rx[u * p + i];
                    }
                    pat.r[s * t + u] = v;
                }
            }
            for &s in &pat.obs {
                for &u in &pat.obs {
                    quad += pat.w[s * t + u] * pat.r[u * t + s];
                }
            }
        }
        let ln2pi = (2.0 * std::f64::consts::PI).ln();
        self.loglik = match self.method {
            Method::Reml => {
                -0.5 * ((self.n_obs - np as f64) * ln2pi + sum_logdet + logdet_x + quad)
            }
            Method::Ml => -0.5 * (self.n_obs * ln2pi + sum_logdet + quad),
        };
        Some(self.loglik)
    }

    /// Gradient, expected information, observed Hessian (in sigma) and the G_k, at the point of the
    /// last successful [`Work::eval_lik`].
    pub fn eval_derivs(&mut self) {
        let (t, p, np, q) = (self.t, self.p, self.np(), self.q());
        let reml = self.method == Method::Reml;
        self.grad.fill(0.0);
        self.info.fill(0.0);
        self.hess.fill(0.0);
        self.gk.fill(0.0);
        self.bk.fill(0.0);
        let (wtmp, wtmp2) = (&mut self.tmp, &mut self.tmp2);
        for pat in &mut self.pats[..self.npat] {
            let w = &pat.w;
            // C[s,u] = sum_ij H[(s,i),(u,j)] S[j,i]
            for s in 0..t {
                for u in 0..t {
                    let mut v = 0.0;
                    for i in 0..p {
                        for j in 0..p {
                            v += self.h[(s * p + i) * np + u * p + j] * pat.s[j * p + i];
                        }
                    }
                    pat.c[s * t + u] = v;
                }
            }
            mat3(w, &pat.c, w, t, &mut wtmp[..t * t], &mut pat.wcw);
            mat3(w, &pat.r, w, t, &mut wtmp[..t * t], &mut pat.u);
            for k in 0..q {
                let (a, b) = pair(k);
                let f = if a == b { 1.0 } else { 2.0 };
                let pbar = pat.n * w[a * t + b] - if reml { pat.wcw[a * t + b] } else { 0.0 };
                self.grad[k] += 0.5 * f * (pat.u[a * t + b] - pbar);
                for l in 0..=k {
                    let pl = pair(l);
                    let mut e = 0.5 * pat.n * trs(w, w, t, (a, b), pl);
                    if reml {
                        e -= trs(w, &pat.wcw, t, (a, b), pl);
                    }
                    self.info[k * q + l] += e;
                    self.hess[k * q + l] += e - trs(&pat.u, w, t, (a, b), pl);
                }
                // W A_k W = W[:,a] W[b,:] + W[:,b] W[a,:]
                let wak = &mut wtmp2[..t * t];
                for s in 0..t {
                    for u in 0..t {
                        let mut v = w[s * t + a] * w[b * t + u];
                        if a != b {
                            v += w[s * t + b] * w[a * t + u];
                        }
                        wak[s * t + u] = v;
                    }
                }
                let g = &mut self.gk[k * np * np..(k + 1) * np * np];
                for s in 0..t {
                    for u in 0..t {
                        let v = wak[s * t + u];
                        if v == 0.0 {
                            continue;
                        }
                        for i in 0..p {
                            for j in 0..p {
                                g[(s * p + i) * np + u * p + j] += v * pat.s[i * p + j];
                            }
                        }
                    }
                }
                // b_k += vec(W A_k W Rx)
                let bk = &mut self.bk[k * np..(k + 1) * np];
                for s in 0..t {
                    for i in 0..p {
                        bk[s * p + i] += (0..t)
                            .map(|u| wak[s * t + u] * pat.rx[u * p + i])
                            .sum::<f64>();
                    }
                }
            }
        }
        // H G_k (row-wise axpy), its transpose G_k H, and H b_k; then the terms needing the whole
        // design: tr(H G_k H G_l) = sum_ij (H G_k)_ij (G_l H)_ij, and b_k' H b_l.
        let nn = np * np;
        for k in 0..q {
            let g = &self.gk[k * nn..(k + 1) * nn];
            let hg = &mut self.hgk[k * nn..(k + 1) * nn];
            hg.fill(0.0);
            for (hrow, out) in self.h.chunks_exact(np).zip(hg.chunks_exact_mut(np)) {
                for (&him, grow) in hrow.iter().zip(g.chunks_exact(np)) {
                    for (o, &gv) in out.iter_mut().zip(grow) {
                        *o += him * gv;
                    }
                }
            }
            let gh = &mut self.ghk[k * nn..(k + 1) * nn];
            for i in 0..np {
                for j in 0..np {
                    gh[j * np + i] = hg[i * np + j];
                }
            }
            let bk = &self.bk[k * np..(k + 1) * np];
            for (hb, hrow) in self.hb[k * np..(k + 1) * np]
                .iter_mut()
                .zip(self.h.chunks_exact(np))
            {
                *hb = hrow.iter().zip(bk).map(|(a, b)| a * b).sum();
            }
        }
        for k in 0..q {
            let x = &self.hgk[k * nn..(k + 1) * nn];
            let bk = &self.bk[k * np..(k + 1) * np];
            for l in 0..=k {
                if reml {
                    let y = &self.ghk[l * nn..(l + 1) * nn];
                    let tr: f64 = x.iter().zip(y).map(|(a, b)| a * b).sum();
                    self.info[k * q + l] += 0.5 * tr;
                    self.hess[k * q + l] += 0.5 * tr;
                }
                let hbl = &self.hb[l * np..(l + 1) * np];
                self.hess[k * q + l] += bk.iter().zip(hbl).map(|(a, b)| a * b).sum::<f64>();
            }
        }
        for k in 0..q {
            for l in 0..k {
                self.info[l * q + k] = self.info[k * q + l];
                self.hess[l * q + k] = self.hess[k * q + l];
            }
        }
    }
}

/// out = a b c for `t x t` matrices (`tmp` is scratch).
fn mat3(a: &[f64], b: &[f64], c: &[f64], t: usize, tmp: &mut [f64], out: &mut [f64]) {
    for i in 0..t {
        for j in 0..t {
            tmp[i * t + j] = (0..t).map(|k| a[i * t + k] * b[k * t + j]).sum();
        }
    }
    for i in 0..t {
        for j in 0..t {
            out[i * t + j] = (0..t).map(|k| tmp[i * t + k] * c[k * t + j]).sum();
        }
    }
}
