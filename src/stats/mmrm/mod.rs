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
//! ```
//! use trialsim::stats::Alternative;
//! use trialsim::stats::mmrm::{Mmrm, MmrmData, MmrmOptions};
//! // One visit, complete data: the MMRM is the ANCOVA y ~ arm + x (the ttest::ancova example).
//! let rows = [(1.0, 1.0, 2.0), (1.0, 2.0, 2.5), (1.0, 3.0, 4.5), (1.0, 4.0, 4.0),
//!             (0.0, 1.5, 1.0), (0.0, 2.5, 1.5), (0.0, 3.5, 3.0), (0.0, 5.0, 3.5)];
//! let x: Vec<f64> = rows.iter().flat_map(|&(arm, x, _)| [1.0, arm, x]).collect();
//! let y: Vec<f64> = rows.iter().map(|r| r.2).collect();
//! let mut mmrm = Mmrm::default(); // reuse across simulated trials
//! let fit = mmrm.fit(&MmrmData { y: &y, x: &x, visits: 1, covariates: 3 },
//!                    &MmrmOptions::default()).unwrap();
//! let arm = fit.test_coef(0, 1, Alternative::TwoSided).unwrap();
//! // statsmodels 0.15 OLS y ~ g + x: coef 1.4879679144385034, p 0.011594242824507906 (df 5)
//! assert!((arm.estimate - 1.4879679144385034).abs() < 1e-9);
//! assert!((arm.p - 0.011594242824507906).abs() < 1e-9);
//! assert!((arm.df - 5.0).abs() < 1e-9);
//! ```
//!
//! Checked against `nlme::gls(corSymm + varIdent)` and an independent dense numerical computation
//! of the Satterthwaite df in R (`tests/data/mmrm_reference.R`).

mod eval;
mod fit;
#[cfg(test)]
mod tests;

use eval::Work;
#[cfg(test)]
use eval::pidx;

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
    /// The information matrix of the covariance parameters is singular: in practice the
    /// covariance estimate is heading for the boundary (a singular matrix), which happens when few
    /// subjects remain at the late visits.
    #[error(
        "MMRM: singular information matrix of the covariance parameters (covariance smallest \
         eigenvalue / largest variance = {min_eigen_ratio:e})"
    )]
    SingularInformation {
        /// Smallest eigenvalue of the current covariance over its largest diagonal element.
        min_eigen_ratio: f64,
    },
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
            return Err(MmrmError::SingularInformation {
                min_eigen_ratio: min_eigen_ratio(&self.sigma, self.visits),
            });
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

/// Smallest eigenvalue of `sigma` (`t x t`) over its largest diagonal element.
fn min_eigen_ratio(sigma: &[f64], t: usize) -> f64 {
    let max = (0..t).map(|i| sigma[i * t + i]).fold(0.0, f64::max);
    crate::stats::linalg::min_eigenvalue(sigma, t) / max
}

/// The error for a singular information matrix at the current covariance.
fn singular(w: &Work) -> MmrmError {
    MmrmError::SingularInformation {
        min_eigen_ratio: min_eigen_ratio(&w.sigma, w.t),
    }
}

/// Fit once (a convenience around [`Mmrm::fit`]).
pub fn fit(data: &MmrmData, opts: &MmrmOptions) -> Result<MmrmFit, MmrmError> {
    Mmrm::default().fit(data, opts).cloned()
}
