//! Mixed model for repeated measures (MMRM): post-baseline visits with an unstructured covariance
//! shared by all subjects, fitted by REML (or ML), with Satterthwaite degrees of freedom for a
//! contrast. Missing visits are skipped (valid under missing at random); a subject with no observed
//! visit contributes nothing.
//!
//! **Design.** The caller gives one covariate row `x_i` (length `p`) per subject, usually
//! `[1, arm, baseline]`, and the model gives every covariate its own coefficient at every visit:
//! the mean of `y_it` is `x_i' beta_t`. With `x = [1, arm, baseline]` this is the standard
//! `change ~ visit + arm:visit + baseline:visit` (cell means by arm and visit plus a baseline slope
//! per visit). Coefficients are stored visit-major: `beta[t * p + k]` is covariate `k` at visit `t`
//! ([`MmrmFit::coef_index`]), so the arm effect at visit `t` is the contrast with a single 1 there.
//!
//! **Fit.** The covariance is parameterised by its Cholesky factor with log-diagonal (always
//! positive definite); each iteration takes a Newton step on the exact observed Hessian when it is
//! negative definite and a Fisher-scoring step otherwise, halving the step until the
//! log-likelihood does not decrease. Subjects are grouped by missingness pattern and everything is
//! computed from per-pattern sums (see `eval.rs`), so an iteration costs the same for 30 or 3000
//! subjects. The REML log-likelihood is the usual one without the `log|X'X|` term (as `nlme::gls`,
//! SAS PROC MIXED and the R package mmrm report it).
//!
//! **Degrees of freedom.** Satterthwaite: `df = 2 v^2 / (g' A g)` with `v = c' Cov(beta) c`,
//! `g = dv/dsigma` (analytic) and `A` the inverse of the observed information of the covariance
//! parameters (the negative Hessian of the REML, or profile ML, log-likelihood), the definition of
//! the mmrm package and lmerTest. Kenward-Roger is not implemented.
//!
//! Checked against `nlme::gls(corSymm + varIdent)` and an independent dense numerical computation
//! of the Satterthwaite df in R (`tests/data/mmrm_reference.R`).

mod eval;
#[cfg(test)]
mod tests;

use eval::{Pattern, Work, chol_in_place, chol_inverse, pair, pidx};

use super::ttest::{TStat, TestOutcome};
use crate::stats::Alternative;

/// Largest number of visits accepted.
pub const MAX_VISITS: usize = 16;

/// Estimation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Restricted maximum likelihood (the usual choice).
    #[default]
    Reml,
    /// Maximum likelihood.
    Ml,
}

/// Fitting options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MmrmOptions {
    /// REML or ML.
    pub method: Method,
    /// Most iterations before [`MmrmError::NotConverged`].
    pub max_iter: usize,
    /// Convergence when the Newton decrement `g' (-Hess)^-1 g` (twice the log-likelihood gain the
    /// next step promises) falls below this; one more full step is then taken.
    pub tol: f64,
}

impl Default for MmrmOptions {
    fn default() -> Self {
        MmrmOptions {
            method: Method::Reml,
            max_iter: 100,
            tol: 1e-10,
        }
    }
}

/// The data of one fit.
#[derive(Debug, Clone, Copy)]
pub struct MmrmData<'a> {
    /// Responses, subject-major `n x visits` (`y[i * visits + t]`); NaN marks a missing visit.
    pub y: &'a [f64],
    /// Covariate rows, subject-major `n x covariates`; include the constant 1 yourself.
    pub x: &'a [f64],
    /// Number of post-baseline visits T (1..=[`MAX_VISITS`]).
    pub visits: usize,
    /// Number of covariates p per subject.
    pub covariates: usize,
}

/// Why an MMRM could not be fitted or tested.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MmrmError {
    /// Inconsistent lengths or dimensions.
    #[error(
        "MMRM data shape: {y_len} responses and {x_len} covariate values do not fit {visits} visits \
         and {covariates} covariates (1 <= visits <= {MAX_VISITS}, covariates >= 1)"
    )]
    Shape {
        /// Length of `y`.
        y_len: usize,
        /// Length of `x`.
        x_len: usize,
        /// Visits asked for.
        visits: usize,
        /// Covariates asked for.
        covariates: usize,
    },
    /// A covariate is NaN or infinite.
    #[error("MMRM covariate {column} of subject {subject} is not finite ({value})")]
    NonFiniteCovariate {
        /// Subject (row).
        subject: usize,
        /// Covariate (column).
        column: usize,
        /// The value.
        value: f64,
    },
    /// A response is infinite (NaN means missing and is allowed).
    #[error("MMRM response of subject {subject} at visit {visit} is infinite ({value})")]
    NonFiniteResponse {
        /// Subject.
        subject: usize,
        /// Visit.
        visit: usize,
        /// The value.
        value: f64,
    },
    /// Too few subjects observed at a visit to estimate its coefficients and variance.
    #[error("MMRM: {observed} subjects observed at visit {visit}, at least {needed} needed")]
    TooFewSubjects {
        /// Visit.
        visit: usize,
        /// Subjects observed there.
        observed: usize,
        /// Covariates + 1.
        needed: usize,
    },
    /// No subject is observed at both visits, so their covariance is not identified.
    #[error("MMRM: no subject observed at both visit {first} and visit {second}")]
    NoOverlap {
        /// First visit.
        first: usize,
        /// Second visit.
        second: usize,
    },
    /// The covariates of the subjects observed at a visit are collinear (`None`: the weighted
    /// design became singular during the fit).
    #[error("MMRM: singular design (visit {visit:?})")]
    SingularDesign {
        /// Visit whose design is singular, when known.
        visit: Option<usize>,
    },
    /// The iterations did not converge.
    #[error("MMRM did not converge in {iterations} iterations (Newton decrement {decrement:e})")]
    NotConverged {
        /// Iterations done.
        iterations: usize,
        /// Last Newton decrement.
        decrement: f64,
    },
    /// The information matrix of the covariance parameters is singular (at the start or at the
    /// estimate), e.g. a covariance on the boundary.
    #[error("MMRM: singular information matrix of the covariance parameters")]
    SingularInformation,
    /// A contrast vector of the wrong length or with zero variance.
    #[error("MMRM contrast of length {len} for {coefficients} coefficients (or zero variance)")]
    BadContrast {
        /// Its length.
        len: usize,
        /// Number of coefficients.
        coefficients: usize,
    },
}

/// A fitted MMRM.
#[derive(Debug, Clone, Default)]
pub struct MmrmFit {
    /// REML or ML.
    pub method: Method,
    /// Visits T.
    pub visits: usize,
    /// Covariates p.
    pub covariates: usize,
    /// Coefficients, visit-major (`beta[t * p + k]`).
    pub beta: Vec<f64>,
    /// Their covariance `(X' V^-1 X)^-1`, row-major `Tp x Tp`.
    pub beta_cov: Vec<f64>,
    /// The unstructured covariance, row-major `T x T`.
    pub sigma: Vec<f64>,
    /// Maximised REML (or ML) log-likelihood.
    pub log_lik: f64,
    /// Iterations used.
    pub iterations: usize,
    /// Newton decrement at the last iteration (convergence measure).
    pub decrement: f64,
    /// Subjects with at least one observed visit.
    pub subjects: usize,
    /// Observed responses.
    pub observations: usize,
    /// Distinct missingness patterns.
    pub patterns: usize,
    /// Inverse observed information of the distinct covariance elements (lower triangle by row).
    sigma_cov: Vec<f64>,
    /// G_k = X'V^-1 A_k V^-1 X, so that d Cov(beta) / d sigma_k = -Cov(beta) G_k Cov(beta).
    gk: Vec<f64>,
}

impl MmrmFit {
    /// Index in `beta` of covariate `covariate` at visit `visit` (both from 0).
    pub fn coef_index(&self, visit: usize, covariate: usize) -> usize {
        visit * self.covariates + covariate
    }

    /// Estimate, standard error and Satterthwaite df of the linear combination `c' beta`.
    pub fn contrast(&self, c: &[f64]) -> Result<TStat, MmrmError> {
        let np = self.beta.len();
        let q = self.visits * (self.visits + 1) / 2;
        let bad = MmrmError::BadContrast {
            len: c.len(),
            coefficients: np,
        };
        if c.len() != np || c.iter().any(|v| !v.is_finite()) {
            return Err(bad);
        }
        let estimate: f64 = c.iter().zip(&self.beta).map(|(a, b)| a * b).sum();
        let mut hc = [0.0; MAX_VISITS * 8];
        let hc: &mut [f64] = if np <= hc.len() {
            &mut hc[..np]
        } else {
            return self.contrast_alloc(c, estimate);
        };
        self.contrast_with(c, estimate, hc, q)
    }

    fn contrast_alloc(&self, c: &[f64], estimate: f64) -> Result<TStat, MmrmError> {
        let mut hc = vec![0.0; self.beta.len()];
        self.contrast_with(c, estimate, &mut hc, self.visits * (self.visits + 1) / 2)
    }

    fn contrast_with(
        &self,
        c: &[f64],
        estimate: f64,
        hc: &mut [f64],
        q: usize,
    ) -> Result<TStat, MmrmError> {
        let np = c.len();
        for (i, h) in hc.iter_mut().enumerate() {
            *h = (0..np).map(|j| self.beta_cov[i * np + j] * c[j]).sum();
        }
        let v: f64 = c.iter().zip(hc.iter()).map(|(a, b)| a * b).sum();
        if !(v > 0.0) {
            return Err(MmrmError::BadContrast {
                len: np,
                coefficients: np,
            });
        }
        // dv/dsigma_k = -(Hc)' G_k (Hc)
        let mut dv = [0.0; MAX_VISITS * (MAX_VISITS + 1) / 2];
        for (k, d) in dv[..q].iter_mut().enumerate() {
            let g = &self.gk[k * np * np..(k + 1) * np * np];
            let mut s = 0.0;
            for i in 0..np {
                s += hc[i] * (0..np).map(|j| g[i * np + j] * hc[j]).sum::<f64>();
            }
            *d = -s;
        }
        let mut denom = 0.0;
        for k in 0..q {
            for l in 0..q {
                denom += dv[k] * self.sigma_cov[k * q + l] * dv[l];
            }
        }
        if !(denom > 0.0) {
            return Err(MmrmError::SingularInformation);
        }
        Ok(TStat {
            estimate,
            se: v.sqrt(),
            df: 2.0 * v * v / denom,
        })
    }

    /// The t-test of `c' beta = 0` with Satterthwaite df ([`TestOutcome`] with a 95 % interval).
    pub fn test(&self, c: &[f64], alt: Alternative) -> Result<TestOutcome, MmrmError> {
        Ok(self.contrast(c)?.outcome(alt))
    }

    /// The test of one coefficient, e.g. the arm difference at a visit:
    /// `fit.test_coef(visit, 1, alt)` for covariates `[1, arm, baseline]`.
    pub fn test_coef(
        &self,
        visit: usize,
        covariate: usize,
        alt: Alternative,
    ) -> Result<TestOutcome, MmrmError> {
        let mut c = vec![0.0; self.beta.len()];
        let i = self.coef_index(visit, covariate);
        if visit >= self.visits || covariate >= self.covariates {
            return Err(MmrmError::BadContrast {
                len: i + 1,
                coefficients: c.len(),
            });
        }
        c[i] = 1.0;
        self.test(&c, alt)
    }
}

/// A reusable MMRM fitter: keeps its scratch space (and the last fit) between calls, so fitting
/// thousands of simulated trials allocates only when the dimensions grow.
#[derive(Debug, Clone, Default)]
pub struct Mmrm {
    w: Work,
    fit: MmrmFit,
    pair_n: Vec<usize>,
    theta: Vec<f64>,
    theta_new: Vec<f64>,
    jac: Vec<f64>,
    gt: Vec<f64>,
    mt: Vec<f64>,
    dir: Vec<f64>,
    lfac: Vec<f64>,
}

/// Fit once (a convenience around [`Mmrm::fit`]).
pub fn fit(data: &MmrmData, opts: &MmrmOptions) -> Result<MmrmFit, MmrmError> {
    Mmrm::default().fit(data, opts).cloned()
}

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
        chol_in_place(&mut neg, q, 1e-13).ok_or(MmrmError::SingularInformation)?;
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
        self.mt.resize(2 * q * q, 0.0);
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
        // Hessian in theta: J' H J + sum_m g_m d2 sigma_m / d theta_k d theta_l.
        let (hneg, info) = self.mt.split_at_mut(q * q);
        for k in 0..q {
            let (c, d) = pair(k);
            for j in 0..q {
                let (e, f) = pair(j);
                let mut h = 0.0;
                let mut fi = 0.0;
                for m in 0..q {
                    for n in 0..q {
                        h += jac[m * q + k] * w.hess[m * q + n] * jac[n * q + j];
                        fi += jac[m * q + k] * w.info[m * q + n] * jac[n * q + j];
                    }
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
            chol_in_place(info, q, 1e-12).ok_or(MmrmError::SingularInformation)?;
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
