//! Bias- and uncertainty-corrected sample size (BUCSS; Anderson, Kelley & Maxwell 2017,
//! Psychological Science 28:1547; Anderson & Maxwell 2017, Multivariate Behavioral Research
//! 52:305) for a replication planned from a published t (two groups, paired/one sample) or r.
//!
//! **Likelihood and quantile convention (the same as the BUCSS R package).** With T the
//! noncentral t statistic of the original study (df, noncentrality delta) and c its two-sided
//! critical value at `alpha_prior` (results published only when |T| > c), the truncated
//! distribution function of |T| at the observed |t| is
//!
//! F(delta) = P(c < |T| <= |t_obs|; delta) / P(|T| > c; delta)
//!
//! (c = 0, no truncation, when `alpha_prior` is `None`). F decreases in delta. The corrected
//! noncentrality is the delta with F(delta) = assurance: the (1 - assurance) quantile of the
//! likelihood in BUCSS's words, i.e. a lower confidence bound for delta at level `assurance`.
//! Assurance 0.5 gives the median-unbiased noncentrality (publication bias corrected, uncertainty
//! not); larger assurance also corrects for uncertainty. Selection is two-sided, as in BUCSS.
//! At delta = 0, F(0) = 1 - p/alpha_prior (p the original two-sided p-value), so the corrected
//! noncentrality is zero (no finite sample size) exactly when p >= (1 - assurance) alpha_prior.
//!
//! The planned study has equal groups of n (two-sample), n pairs (paired/one-sample) or n
//! observations (correlation); its noncentrality is delta sqrt(n / n_eff), n_eff the original's
//! harmonic-mean group size, pairs or observations; the planned n is the smallest with two-sided
//! power >= target at `alpha`.
//!
//! Two ways of treating the original study ([`Convention`]): [`Convention::Exact`] uses the exact
//! df (n1 + n2 - 2) and the exact harmonic mean and solves F(delta) = assurance to 1e-12;
//! [`Convention::Bucss`] reproduces the R package's numbers: the harmonic mean rounded up and down,
//! each taken as an equal-n study, delta rounded to BUCSS's 0.001 grid (on lambda = delta^2 for a
//! correlation, as its regression function does), the larger n and smaller delta reported.

use super::dist::{nct_cdf, power_one_sample_t, power_two_sample_t, t_quantile, t_sf};

/// Which original study the published statistic comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OriginalStudy {
    /// Two independent groups: Student's t and the group sizes.
    TwoSample {
        /// Observed t (its sign gives the direction of the effect).
        t: f64,
        /// First group size.
        n1: usize,
        /// Second group size.
        n2: usize,
    },
    /// Paired or one-sample t on `n` pairs (observations).
    OneSample {
        /// Observed t.
        t: f64,
        /// Number of pairs.
        n: usize,
    },
    /// Pearson correlation on `n` observations, tested as a one-predictor regression slope:
    /// t = r sqrt(n - 2) / sqrt(1 - r^2), df = n - 2; the noncentrality n rho^2 / (1 - rho^2)
    /// (fixed-predictor convention, as BUCSS's regression functions).
    Correlation {
        /// Observed r.
        r: f64,
        /// Number of observations.
        n: usize,
    },
}

/// How the original study's size enters (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Convention {
    /// Exact df and harmonic mean; delta solved to 1e-12.
    #[default]
    Exact,
    /// The R package's rounding: harmonic mean rounded both ways, delta on a 0.001 grid.
    Bucss,
}

/// The planned replication.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    /// Publication filter of the original study (two-sided p < alpha_prior); `None`: no filter.
    pub alpha_prior: Option<f64>,
    /// Assurance, in (0, 1): 0.5 corrects bias only; larger values also correct uncertainty.
    pub assurance: f64,
    /// Target power of the planned study.
    pub power: f64,
    /// Two-sided level of the planned study.
    pub alpha: f64,
    /// Largest n (per group, pairs or observations) searched.
    pub max_n: usize,
    /// Treatment of the original study's size.
    pub convention: Convention,
}

/// A corrected sizing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sizing {
    /// Observed t of the original study (computed from r for a correlation).
    pub t_observed: f64,
    /// Critical |t| of the publication filter (None without truncation).
    pub critical_prior: Option<f64>,
    /// Corrected noncentrality of the original study (positive).
    pub ncp: f64,
    /// Corrected effect with the observed sign: d (two groups: ncp sqrt(1/n1 + 1/n2); paired:
    /// ncp / sqrt(n)) or rho (correlation).
    pub effect: f64,
    /// Planned n: per group (two-sample), pairs, or observations.
    pub n: usize,
    /// Power of the planned study at `n` under the corrected effect.
    pub power_at_n: f64,
    /// The observed effect taken at face value (d = t sqrt(1/n1 + 1/n2), t / sqrt(n), or r).
    pub naive_effect: f64,
    /// The n that the face-value effect would need (its noncentrality is the observed |t|).
    pub naive_n: usize,
}

/// Why no sizing can be given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BucssError {
    /// An input is out of range.
    #[error("invalid input: {what} = {value} ({why})")]
    InvalidInput {
        /// The input's name.
        what: &'static str,
        /// Its value.
        value: f64,
        /// The accepted range.
        why: &'static str,
    },
    /// Truncation asked for a result that was not significant at `alpha_prior`.
    #[error(
        "the publication-bias correction is not defined for a result that was not significant: \
         |t| = {t_abs:.4} (df {df}) does not exceed the critical value {critical:.4} at \
         alpha_prior = {alpha_prior} (two-sided p = {p:.4}), so it cannot have been selected by that \
         filter; drop the truncation (no alpha_prior) to correct for uncertainty only, or give the \
         alpha_prior at which the field published, above p"
    )]
    NotSignificant {
        /// Observed |t|.
        t_abs: f64,
        /// Degrees of freedom of the original test.
        df: f64,
        /// The filter's critical value.
        critical: f64,
        /// The filter's level.
        alpha_prior: f64,
        /// The original two-sided p-value.
        p: f64,
    },
    /// The corrected noncentrality is zero: no positive effect at this assurance.
    #[error(
        "the corrected effect is zero, so no sample size reaches the target: even with no true \
         effect, the {kind}likelihood puts {cdf_at_zero:.4} of |T| below the observed {t_abs:.4}, \
         not more than the assurance {assurance}; lower the assurance{hint}"
    )]
    Unbounded {
        /// Observed |t|.
        t_abs: f64,
        /// F(0), the truncated distribution function at zero noncentrality.
        cdf_at_zero: f64,
        /// The requested assurance.
        assurance: f64,
        /// "truncated " or "".
        kind: &'static str,
        /// Advice on alpha_prior when truncated.
        hint: &'static str,
    },
    /// Even `max_n` does not give the target power.
    #[error(
        "the target power {target} needs more than {max_n} (power there {power_at_cap:.4}, noncentrality of the original {ncp:.4})"
    )]
    BeyondCap {
        /// The cap.
        max_n: usize,
        /// Power at the cap.
        power_at_cap: f64,
        /// The target.
        target: f64,
        /// The original study's (corrected or observed) noncentrality.
        ncp: f64,
    },
}

fn invalid(what: &'static str, value: f64, why: &'static str) -> BucssError {
    BucssError::InvalidInput { what, value, why }
}

/// P(|T| <= x) for T noncentral t.
fn abs_cdf(x: f64, df: f64, delta: f64) -> f64 {
    nct_cdf(x, df, delta) - nct_cdf(-x, df, delta)
}

/// The truncated distribution function F(delta) of the module documentation: P(c < |T| <=
/// |t_obs|) / P(|T| > c), with `critical` = c (`None`: c = 0).
pub fn truncated_cdf(t_obs: f64, df: f64, delta: f64, critical: Option<f64>) -> f64 {
    let t = t_obs.abs();
    match critical {
        None => abs_cdf(t, df, delta),
        Some(c) => {
            let below_c = abs_cdf(c, df, delta);
            (abs_cdf(t, df, delta) - below_c) / (1.0 - below_c)
        }
    }
}

/// The corrected noncentrality: the delta >= 0 with [`truncated_cdf`] = `assurance`, for an
/// original t with `df` degrees of freedom; errors when the result is not significant under the
/// filter or when no positive delta reaches the assurance.
pub fn corrected_ncp(
    t_obs: f64,
    df: f64,
    alpha_prior: Option<f64>,
    assurance: f64,
) -> Result<f64, BucssError> {
    if !t_obs.is_finite() {
        return Err(invalid("t", t_obs, "finite"));
    }
    if !(df > 0.0) {
        return Err(invalid("df", df, "> 0"));
    }
    if !(assurance > 0.0 && assurance < 1.0) {
        return Err(invalid("assurance", assurance, "in (0, 1)"));
    }
    let t = t_obs.abs();
    let critical = match alpha_prior {
        None => None,
        Some(a) if a > 0.0 && a < 1.0 => {
            let c = t_quantile(1.0 - a / 2.0, df);
            if t <= c {
                return Err(BucssError::NotSignificant {
                    t_abs: t,
                    df,
                    critical: c,
                    alpha_prior: a,
                    p: 2.0 * t_sf(t, df),
                });
            }
            Some(c)
        }
        Some(a) => return Err(invalid("alpha_prior", a, "in (0, 1), or none")),
    };
    let f = |delta: f64| truncated_cdf(t, df, delta, critical) - assurance;
    let at_zero = f(0.0) + assurance;
    if at_zero <= assurance {
        return Err(BucssError::Unbounded {
            t_abs: t,
            cdf_at_zero: at_zero,
            assurance,
            kind: if critical.is_some() { "truncated " } else { "" },
            hint: if critical.is_some() {
                " or raise alpha_prior (assume milder publication bias)"
            } else {
                ""
            },
        });
    }
    let (mut lo, mut hi) = (0.0, t.max(1.0));
    while f(hi) > 0.0 {
        lo = hi;
        hi *= 2.0;
        if hi > 1e6 {
            return Err(invalid("t", t_obs, "noncentrality bracket failed"));
        }
    }
    // Bisection: F is monotone and smooth; 1e-12 is far below any effect on n.
    while hi - lo > 1e-12 * hi.max(1.0) {
        let mid = 0.5 * (lo + hi);
        if f(mid) > 0.0 { lo = mid } else { hi = mid }
    }
    Ok(0.5 * (lo + hi))
}

/// How a design turns a noncentrality into power at a planned n.
#[derive(Clone, Copy)]
struct Design {
    kind: Kind,
    /// The original study's effective size (harmonic-mean group size, pairs, observations).
    n_eff: f64,
    /// Smallest planned n with positive df.
    n_min: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    TwoSample,
    OneSample,
    Correlation,
}

impl Design {
    /// Power at planned n when the original noncentrality is `ncp`.
    fn power(&self, ncp: f64, n: usize, alpha: f64) -> f64 {
        let scale = (n as f64 / self.n_eff).sqrt();
        match self.kind {
            // d = ncp sqrt(2 / n_eff); planned noncentrality d sqrt(n / 2) = ncp sqrt(n / n_eff).
            Kind::TwoSample => power_two_sample_t(ncp * (2.0 / self.n_eff).sqrt(), n, n, alpha),
            Kind::OneSample => power_one_sample_t(ncp / self.n_eff.sqrt(), n, alpha),
            Kind::Correlation => {
                let df = n as f64 - 2.0;
                let c = t_quantile(1.0 - alpha / 2.0, df);
                1.0 - nct_cdf(c, df, ncp * scale) + nct_cdf(-c, df, ncp * scale)
            }
        }
    }

    /// Effect (d or rho, positive) for a noncentrality.
    fn effect(&self, ncp: f64) -> f64 {
        match self.kind {
            Kind::TwoSample => ncp * (2.0 / self.n_eff).sqrt(),
            Kind::OneSample => ncp / self.n_eff.sqrt(),
            Kind::Correlation => {
                let f2 = ncp * ncp / self.n_eff;
                (f2 / (1.0 + f2)).sqrt()
            }
        }
    }

    /// Smallest n in [n_min, max_n] with power >= target (power increases with n).
    fn smallest_n(&self, ncp: f64, plan: &Plan) -> Result<(usize, f64), BucssError> {
        let ok = |n: usize| self.power(ncp, n, plan.alpha) >= plan.power;
        let cap = plan.max_n.max(self.n_min);
        let (mut lo, mut hi) = (self.n_min, self.n_min);
        while !ok(hi) {
            if hi >= cap {
                return Err(BucssError::BeyondCap {
                    max_n: cap,
                    power_at_cap: self.power(ncp, cap, plan.alpha),
                    target: plan.power,
                    ncp,
                });
            }
            lo = hi;
            hi = (hi * 2).min(cap);
        }
        if ok(lo) {
            return Ok((lo, self.power(ncp, lo, plan.alpha)));
        }
        // Invariant: !ok(lo), ok(hi).
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if ok(mid) { hi = mid } else { lo = mid }
        }
        Ok((hi, self.power(ncp, hi, plan.alpha)))
    }
}

/// The observed t, its df and the design, with the inputs checked.
fn setup(study: &OriginalStudy) -> Result<(f64, f64, Design), BucssError> {
    match *study {
        OriginalStudy::TwoSample { t, n1, n2 } => {
            if n1 < 1 || n2 < 1 || n1 + n2 < 3 {
                return Err(invalid(
                    "n1 + n2",
                    (n1 + n2) as f64,
                    "each >= 1, total >= 3",
                ));
            }
            let (a, b) = (n1 as f64, n2 as f64);
            let n_eff = 2.0 / (1.0 / a + 1.0 / b);
            let design = Design {
                kind: Kind::TwoSample,
                n_eff,
                n_min: 2,
            };
            Ok((t, a + b - 2.0, design))
        }
        OriginalStudy::OneSample { t, n } => {
            if n < 2 {
                return Err(invalid("n", n as f64, ">= 2"));
            }
            let design = Design {
                kind: Kind::OneSample,
                n_eff: n as f64,
                n_min: 2,
            };
            Ok((t, n as f64 - 1.0, design))
        }
        OriginalStudy::Correlation { r, n } => {
            if n < 3 {
                return Err(invalid("n", n as f64, ">= 3"));
            }
            if !(r.abs() < 1.0) {
                return Err(invalid("r", r, "in (-1, 1)"));
            }
            let df = n as f64 - 2.0;
            let t = r * df.sqrt() / (1.0 - r * r).sqrt();
            let design = Design {
                kind: Kind::Correlation,
                n_eff: n as f64,
                n_min: 3,
            };
            Ok((t, df, design))
        }
    }
}

fn check_plan(plan: &Plan) -> Result<(), BucssError> {
    if !(plan.power > 0.0 && plan.power < 1.0) {
        return Err(invalid("power", plan.power, "in (0, 1)"));
    }
    if !(plan.alpha > 0.0 && plan.alpha < 1.0) {
        return Err(invalid("alpha", plan.alpha, "in (0, 1)"));
    }
    if plan.power <= plan.alpha {
        return Err(invalid("power", plan.power, "above alpha"));
    }
    Ok(())
}

/// The n that the observed effect, taken at face value, would need (the noncentrality of the
/// original study set to the observed |t|), and the face-value effect with its sign.
pub fn naive_sample_size(study: &OriginalStudy, plan: &Plan) -> Result<(usize, f64), BucssError> {
    check_plan(plan)?;
    let (t, _df, design) = setup(study)?;
    if !t.is_finite() || t == 0.0 {
        return Err(invalid("t", t, "finite and non-zero"));
    }
    let effect = match *study {
        OriginalStudy::Correlation { r, .. } => r,
        _ => design.effect(t.abs()).copysign(t),
    };
    Ok((design.smallest_n(t.abs(), plan)?.0, effect))
}

/// The BUCSS sizing: corrected noncentrality and effect, planned n, and the face-value answer.
///
/// ```
/// use trialsim::stats::bucss::{bucss, Convention, OriginalStudy, Plan};
/// // The BUCSS README example: t = 3, n = 50 and 55, alpha_prior .05, assurance .9, power .8
/// // -> 1,482 per group with the package's rounding.
/// let plan = Plan { alpha_prior: Some(0.05), assurance: 0.9, power: 0.8, alpha: 0.05,
///                   max_n: 100_000, convention: Convention::Bucss };
/// let s = bucss(&OriginalStudy::TwoSample { t: 3.0, n1: 50, n2: 55 }, &plan).unwrap();
/// assert_eq!(s.n, 1482);
/// ```
pub fn bucss(study: &OriginalStudy, plan: &Plan) -> Result<Sizing, BucssError> {
    check_plan(plan)?;
    let (t, df, design) = setup(study)?;
    let critical = plan
        .alpha_prior
        .filter(|a| *a > 0.0 && *a < 1.0)
        .map(|a| t_quantile(1.0 - a / 2.0, df));
    let (naive_n, naive_effect) = naive_sample_size(study, plan)?;
    let (ncp, n_eff, n, power_at_n) = match (plan.convention, study) {
        (Convention::Bucss, OriginalStudy::TwoSample { .. }) => {
            // Harmonic mean rounded up and down, each an equal-n study; larger n, smaller ncp.
            let mut best: Option<(f64, f64, usize, f64)> = None;
            for nr in [design.n_eff.ceil(), design.n_eff.floor()] {
                let ncp = grid(corrected_ncp(
                    t,
                    2.0 * nr - 2.0,
                    plan.alpha_prior,
                    plan.assurance,
                )?);
                let d = Design {
                    n_eff: nr,
                    ..design
                };
                let (n, pw) = d.smallest_n(ncp, plan)?;
                best = Some(match best {
                    None => (ncp, nr, n, pw),
                    Some((c0, e0, n0, p0)) => {
                        let (c, e) = if ncp < c0 { (ncp, nr) } else { (c0, e0) };
                        let (nn, pp) = if n > n0 { (n, pw) } else { (n0, p0) };
                        (c, e, nn, pp)
                    }
                });
            }
            best.expect("two roundings")
        }
        (Convention::Bucss, OriginalStudy::Correlation { .. }) => {
            // BUCSS's regression grid is on lambda = ncp^2.
            let root = corrected_ncp(t, df, plan.alpha_prior, plan.assurance)?;
            let ncp = grid(root * root).sqrt();
            let (n, pw) = design.smallest_n(ncp, plan)?;
            (ncp, design.n_eff, n, pw)
        }
        (Convention::Bucss, OriginalStudy::OneSample { .. }) => {
            let ncp = grid(corrected_ncp(t, df, plan.alpha_prior, plan.assurance)?);
            let (n, pw) = design.smallest_n(ncp, plan)?;
            (ncp, design.n_eff, n, pw)
        }
        (Convention::Exact, _) => {
            let ncp = corrected_ncp(t, df, plan.alpha_prior, plan.assurance)?;
            let (n, pw) = design.smallest_n(ncp, plan)?;
            (ncp, design.n_eff, n, pw)
        }
    };
    if ncp <= 0.0 {
        // The 0.001 grid rounded a tiny positive root to zero: BUCSS stops here too.
        return Err(BucssError::Unbounded {
            t_abs: t.abs(),
            cdf_at_zero: truncated_cdf(t, df, 0.0, critical),
            assurance: plan.assurance,
            kind: if critical.is_some() { "truncated " } else { "" },
            hint: "",
        });
    }
    let effect = Design { n_eff, ..design }.effect(ncp).copysign(t);
    Ok(Sizing {
        t_observed: t,
        critical_prior: critical,
        ncp,
        effect,
        n,
        power_at_n,
        naive_effect,
        naive_n,
    })
}

/// BUCSS's grid of step 0.001 (nearest point).
fn grid(x: f64) -> f64 {
    (x / 0.001).round() * 0.001
}

#[cfg(test)]
#[path = "bucss_tests.rs"]
mod tests;
