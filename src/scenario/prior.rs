//! Design priors: a distribution instead of a number for a scenario parameter.
//!
//! A scenario's top-level `priors` maps a parameter path (the syntax of `provenance` and `--vary`,
//! e.g. `arms.ketamine.improvement_mean`, or `effect_scale`) to one of four forms:
//!
//! ```json
//! "priors": {
//!   "arms.ketamine.improvement_mean": {"normal": {"mean": 8, "sd": 3}},
//!   "effect_scale": {"published_t": {"t": 2.02, "n1": 17, "n2": 17, "truncate_alpha": 0.05,
//!                                    "scale": 1.45}}
//! }
//! ```
//!
//! How each form becomes a distribution of the parameter theta (every posterior is under a flat
//! prior on the natural scale named):
//!
//! - `normal {mean, sd}`: theta ~ N(mean, sd^2).
//! - `estimate {value, se[, truncate_alpha]}`: the original study's estimate of theta with its
//!   standard error; theta ~ N(value, se^2). With `truncate_alpha` the estimate is taken to have been
//!   published because |value / se| > z_{1 - alpha/2}: the likelihood is the normal density divided
//!   by the probability of that selection, P(|Z + theta / se| > z), and the posterior is tabulated.
//! - `published_t {t, n1, n2[, truncate_alpha, scale, offset]}`: a two-sample t with n1 + n2 - 2
//!   degrees of freedom. The posterior of Cohen's d is proportional to the noncentral-t density of
//!   the observed t at noncentrality d sqrt(n1 n2 / (n1 + n2)), divided, with `truncate_alpha`, by
//!   the probability that |T| exceeds t_{1 - alpha/2} (the BUCSS selection model of Anderson,
//!   Kelley & Maxwell 2017, applied to the signed t). theta = offset + scale * d (defaults 0 and 1:
//!   the parameter is d itself, e.g. a `patient_shift_d`). For `effect_scale` give
//!   `scale` = 1 / (the scenario's d at effect_scale 1), for a mean in natural units `scale` = the
//!   outcome SD and `offset` = the reference arm's mean.
//! - `published_r {r, n[, truncate_alpha, scale, offset]}`: Fisher's z: zeta = atanh(rho) has
//!   posterior N(atanh(r), 1 / (n - 3)), truncated as for `estimate` with se = 1 / sqrt(n - 3)
//!   (the normal approximation of z; the exact test of r uses t, so the truncation is approximate);
//!   theta = offset + scale * tanh(zeta).
//!
//! Tabulated posteriors use 4001 points over the estimate +- 12 standard errors, the trapezoid
//! rule for the distribution function and linear interpolation for its inverse (quantiles
//! accurate to about 1e-5 standard errors).

use crate::error::Problem;
use crate::stats::dist::{nct_cdf, norm_cdf, norm_quantile, t_quantile, t_sf};
use serde::{Deserialize, Serialize};

/// One parameter's prior, as written in the scenario.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PriorSpec {
    /// theta ~ N(mean, sd^2).
    Normal {
        /// Prior mean.
        mean: f64,
        /// Prior SD (> 0).
        sd: f64,
    },
    /// An earlier estimate of theta and its standard error.
    Estimate {
        /// The estimate.
        value: f64,
        /// Its standard error (> 0).
        se: f64,
        /// The estimate was published because significant at this two-sided level.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        truncate_alpha: Option<f64>,
    },
    /// A published two-sample t statistic and its group sizes.
    PublishedT {
        /// The t statistic (signed).
        t: f64,
        /// Size of the first group.
        n1: usize,
        /// Size of the second group.
        n2: usize,
        /// The t was published because significant at this two-sided level.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        truncate_alpha: Option<f64>,
        /// theta = offset + scale * d; default 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scale: Option<f64>,
        /// theta = offset + scale * d; default 0.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offset: Option<f64>,
    },
    /// A published correlation and its sample size.
    PublishedR {
        /// The correlation.
        r: f64,
        /// The sample size.
        n: usize,
        /// The r was published because significant at this two-sided level.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        truncate_alpha: Option<f64>,
        /// theta = offset + scale * rho; default 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scale: Option<f64>,
        /// theta = offset + scale * rho; default 0.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offset: Option<f64>,
    },
}

/// Points of a tabulated posterior.
const GRID: usize = 4001;
/// Half-width of the tabulated range in standard errors.
const HALF_WIDTH: f64 = 12.0;

/// A prior ready to draw from: theta = offset + scale * g(x), x of a normal or tabulated law.
#[derive(Debug, Clone, PartialEq)]
pub struct Prior {
    law: Law,
    offset: f64,
    scale: f64,
    tanh: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Law {
    Normal { mean: f64, sd: f64 },
    Table { x: Vec<f64>, cdf: Vec<f64> },
}

impl Prior {
    /// Build the prior of `spec`; problems carry the field path under `at` (e.g.
    /// `priors.effect_scale`).
    ///
    /// ```
    /// use trialsim::scenario::prior::{Prior, PriorSpec};
    /// let p = Prior::new(&PriorSpec::Normal { mean: 0.5, sd: 0.2 }, "priors.d").unwrap();
    /// assert!((p.quantile(0.5) - 0.5).abs() < 1e-12);
    /// assert!((p.cdf(0.5) - 0.5).abs() < 1e-12);
    /// ```
    pub fn new(spec: &PriorSpec, at: &str) -> Result<Prior, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut bad = |field: &str, message: String| {
            problems.push(Problem {
                path: format!("{at}.{field}"),
                message,
            })
        };
        let linear =
            |scale: Option<f64>, offset: Option<f64>, bad: &mut dyn FnMut(&str, String)| {
                let (s, o) = (scale.unwrap_or(1.0), offset.unwrap_or(0.0));
                if !(s.is_finite() && s != 0.0) {
                    bad(
                        "scale",
                        format!("must be a finite non-zero number, got {s}"),
                    );
                }
                if !o.is_finite() {
                    bad("offset", format!("must be a finite number, got {o}"));
                }
                (s, o)
            };
        let prior = match *spec {
            PriorSpec::Normal { mean, sd } => {
                if !mean.is_finite() {
                    bad(
                        "normal.mean",
                        format!("must be a finite number, got {mean}"),
                    );
                }
                if !(sd > 0.0 && sd.is_finite()) {
                    bad(
                        "normal.sd",
                        format!(
                            "must be > 0 (for a fixed value write the number in the scenario instead), got {sd}"
                        ),
                    );
                }
                Prior::plain(Law::Normal { mean, sd })
            }
            PriorSpec::Estimate {
                value,
                se,
                truncate_alpha,
            } => {
                if !value.is_finite() {
                    bad(
                        "estimate.value",
                        format!("must be a finite number, got {value}"),
                    );
                }
                if !(se > 0.0 && se.is_finite()) {
                    bad("estimate.se", format!("must be > 0, got {se}"));
                }
                let crit = truncation(truncate_alpha, "estimate", &mut bad, |a| {
                    norm_quantile(1.0 - a / 2.0)
                });
                match crit {
                    Some(c) if problems_ok(value, se) => {
                        let z = value / se;
                        if z.abs() <= c {
                            bad(
                                "estimate.truncate_alpha",
                                not_significant(
                                    &format!("z = {z:.4}"),
                                    c,
                                    2.0 * norm_cdf(-z.abs()),
                                    truncate_alpha.unwrap_or(0.0),
                                ),
                            );
                            Prior::plain(Law::Normal { mean: 0.0, sd: 1.0 })
                        } else {
                            Prior::plain(normal_selected(value, se, c))
                        }
                    }
                    _ => Prior::plain(Law::Normal {
                        mean: value,
                        sd: se,
                    }),
                }
            }
            PriorSpec::PublishedT {
                t,
                n1,
                n2,
                truncate_alpha,
                scale,
                offset,
            } => {
                let (s, o) = linear(scale, offset, &mut bad);
                if !t.is_finite() {
                    bad("published_t.t", format!("must be a finite number, got {t}"));
                }
                if n1 < 2 || n2 < 2 {
                    bad(
                        "published_t.n1",
                        format!("n1 and n2 must each be at least 2, got {n1} and {n2}"),
                    );
                }
                let df = (n1 + n2).saturating_sub(2).max(1) as f64;
                let crit = truncation(truncate_alpha, "published_t", &mut bad, |a| {
                    t_quantile(1.0 - a / 2.0, df)
                });
                let mut law = Law::Normal { mean: 0.0, sd: 1.0 };
                if t.is_finite() && n1 >= 2 && n2 >= 2 {
                    if let Some(c) = crit
                        && t.abs() <= c
                    {
                        bad(
                            "published_t.truncate_alpha",
                            not_significant(
                                &format!("t({df}) = {t}"),
                                c,
                                2.0 * t_sf(t.abs(), df),
                                truncate_alpha.unwrap_or(0.0),
                            ),
                        );
                    } else {
                        law = published_t(t, n1 as f64, n2 as f64, crit);
                    }
                }
                Prior {
                    law,
                    offset: o,
                    scale: s,
                    tanh: false,
                }
            }
            PriorSpec::PublishedR {
                r,
                n,
                truncate_alpha,
                scale,
                offset,
            } => {
                let (s, o) = linear(scale, offset, &mut bad);
                if !(r > -1.0 && r < 1.0) {
                    bad("published_r.r", format!("must be in (-1, 1), got {r}"));
                }
                if n < 5 {
                    bad("published_r.n", format!("must be at least 5, got {n}"));
                }
                let crit = truncation(truncate_alpha, "published_r", &mut bad, |a| {
                    norm_quantile(1.0 - a / 2.0)
                });
                let (z, se) = (
                    r.clamp(-0.999_999, 0.999_999).atanh(),
                    1.0 / ((n.max(5) - 3) as f64).sqrt(),
                );
                let law = match crit {
                    Some(c) if (z / se).abs() <= c => {
                        bad(
                            "published_r.truncate_alpha",
                            not_significant(
                                &format!("r = {r} (Fisher z statistic {:.4})", z / se),
                                c,
                                2.0 * norm_cdf(-(z / se).abs()),
                                truncate_alpha.unwrap_or(0.0),
                            ),
                        );
                        Law::Normal { mean: 0.0, sd: 1.0 }
                    }
                    Some(c) => normal_selected(z, se, c),
                    None => Law::Normal { mean: z, sd: se },
                };
                Prior {
                    law,
                    offset: o,
                    scale: s,
                    tanh: true,
                }
            }
        };
        if problems.is_empty() {
            Ok(prior)
        } else {
            Err(problems)
        }
    }

    fn plain(law: Law) -> Prior {
        Prior {
            law,
            offset: 0.0,
            scale: 1.0,
            tanh: false,
        }
    }

    fn map(&self, x: f64) -> f64 {
        self.offset + self.scale * if self.tanh { x.tanh() } else { x }
    }

    /// The parameter value at probability `u` in (0, 1) (the inverse distribution function).
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(1e-15, 1.0 - 1e-15);
        // A negative scale reverses the order.
        let u = if self.scale < 0.0 { 1.0 - u } else { u };
        let x = match &self.law {
            Law::Normal { mean, sd } => mean + sd * norm_quantile(u),
            Law::Table { x, cdf } => {
                let i = cdf.partition_point(|&c| c < u).clamp(1, x.len() - 1);
                let (c0, c1) = (cdf[i - 1], cdf[i]);
                let w = if c1 > c0 { (u - c0) / (c1 - c0) } else { 0.5 };
                x[i - 1] + w * (x[i] - x[i - 1])
            }
        };
        self.map(x)
    }

    /// P(theta <= v).
    pub fn cdf(&self, v: f64) -> f64 {
        let mut y = (v - self.offset) / self.scale;
        if self.tanh {
            if y <= -1.0 {
                return if self.scale > 0.0 { 0.0 } else { 1.0 };
            }
            if y >= 1.0 {
                return if self.scale > 0.0 { 1.0 } else { 0.0 };
            }
            y = y.atanh();
        }
        let p = match &self.law {
            Law::Normal { mean, sd } => norm_cdf((y - mean) / sd),
            Law::Table { x, cdf } => {
                if y <= x[0] {
                    0.0
                } else if y >= x[x.len() - 1] {
                    1.0
                } else {
                    let i = x.partition_point(|&g| g < y).clamp(1, x.len() - 1);
                    let w = (y - x[i - 1]) / (x[i] - x[i - 1]);
                    cdf[i - 1] + w * (cdf[i] - cdf[i - 1])
                }
            }
        };
        if self.scale > 0.0 { p } else { 1.0 - p }
    }
}

fn problems_ok(value: f64, se: f64) -> bool {
    value.is_finite() && se > 0.0 && se.is_finite()
}

/// The critical value of `truncate_alpha`, or None when not given (a bad alpha is a problem).
fn truncation(
    alpha: Option<f64>,
    form: &str,
    bad: &mut dyn FnMut(&str, String),
    crit: impl Fn(f64) -> f64,
) -> Option<f64> {
    match alpha {
        None => None,
        Some(a) if a > 0.0 && a < 1.0 => Some(crit(a)),
        Some(a) => {
            bad(
                &format!("{form}.truncate_alpha"),
                format!("must be in (0, 1), e.g. 0.05, or left out; got {a}"),
            );
            None
        }
    }
}

fn not_significant(stat: &str, c: f64, p: f64, alpha: f64) -> String {
    format!(
        "{stat} is not significant at {alpha} (p = {p:.4}; significance needs |statistic| > {c:.4}), \
         so it cannot have been published *because* it was significant: a publication-bias \
         correction does not apply. Leave out truncate_alpha to use the result at face value with \
         its uncertainty"
    )
}

/// Tabulate a posterior density on `lo..hi` into a distribution function.
fn table(lo: f64, hi: f64, density: impl Fn(f64) -> f64) -> Law {
    let h = (hi - lo) / (GRID - 1) as f64;
    let x: Vec<f64> = (0..GRID).map(|i| lo + i as f64 * h).collect();
    let f: Vec<f64> = x.iter().map(|&v| density(v).max(0.0)).collect();
    let mut cdf = vec![0.0; GRID];
    for i in 1..GRID {
        cdf[i] = cdf[i - 1] + 0.5 * h * (f[i - 1] + f[i]);
    }
    let total = cdf[GRID - 1];
    cdf.iter_mut().for_each(|c| *c /= total);
    Law::Table { x, cdf }
}

/// Posterior of theta from an estimate N(theta, se^2) published because |estimate / se| > c.
fn normal_selected(value: f64, se: f64, c: f64) -> Law {
    table(value - HALF_WIDTH * se, value + HALF_WIDTH * se, |th| {
        let z = (value - th) / se;
        let selected = norm_cdf(-c - th / se) + norm_cdf(-c + th / se);
        (-0.5 * z * z).exp() / selected
    })
}

/// Density of the noncentral t at `t` != 0, from two distribution functions:
/// f(t; v, delta) = (v / t) [F_{v+2,delta}(t sqrt(1 + 2 / v)) - F_{v,delta}(t)].
fn nct_pdf(t: f64, df: f64, delta: f64) -> f64 {
    df / t * (nct_cdf(t * (1.0 + 2.0 / df).sqrt(), df + 2.0, delta) - nct_cdf(t, df, delta))
}

/// Posterior of Cohen's d from a two-sample t (flat prior on d), optionally selected on |t| > c.
fn published_t(t: f64, n1: f64, n2: f64, crit: Option<f64>) -> Law {
    let df = n1 + n2 - 2.0;
    let k = (n1 * n2 / (n1 + n2)).sqrt();
    let d_hat = t / k;
    let se = (1.0 / (k * k) + d_hat * d_hat / (2.0 * (n1 + n2))).sqrt();
    // The density identity needs t != 0; a t of exactly 0 is moved by a negligible amount.
    let t_used = if t == 0.0 { 1e-9 } else { t };
    table(d_hat - HALF_WIDTH * se, d_hat + HALF_WIDTH * se, |d| {
        let delta = d * k;
        let f = nct_pdf(t_used, df, delta);
        match crit {
            None => f,
            Some(c) => f / (1.0 - (nct_cdf(c, df, delta) - nct_cdf(-c, df, delta))),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(p: &Prior, u: f64) -> f64 {
        p.quantile(u)
    }

    #[test]
    fn published_t_posterior_matches_scipy() {
        // Reference: the posterior of d tabulated with SciPy 1.17 (scripts/reference/priors.py):
        //   k = sqrt(17*17/34); d = linspace(t/k - 4, t/k + 4, 200001); t = 2.02 (plain), 2.5 (truncated)
        //   f = nct.pdf(2.02, 32, d*k) [/ (nct.sf(c,32,d*k) + nct.cdf(-c,32,d*k)), c = t.ppf(.975, 32)]
        //   cdf = cumulative_trapezoid(f, d) normalised; quantiles by interpolation.
        let plain = Prior::new(
            &PriorSpec::PublishedT {
                t: 2.02,
                n1: 17,
                n2: 17,
                truncate_alpha: None,
                scale: None,
                offset: None,
            },
            "p",
        )
        .unwrap();
        let trunc = Prior::new(
            &PriorSpec::PublishedT {
                t: 2.5,
                n1: 17,
                n2: 17,
                truncate_alpha: Some(0.05),
                scale: None,
                offset: None,
            },
            "p",
        )
        .unwrap();
        for (p, refs) in [(&plain, PLAIN_T), (&trunc, TRUNC_T)] {
            for (&u, want) in US.iter().zip(refs) {
                assert!(
                    (q(p, u) - want).abs() < 2e-4,
                    "u {u}: {} vs {want}",
                    q(p, u)
                );
            }
        }
        // P(d <= 0)
        assert!(
            (plain.cdf(0.0) - PLAIN_T_P0).abs() < 1e-4,
            "{}",
            plain.cdf(0.0)
        );
        assert!(
            (trunc.cdf(0.0) - TRUNC_T_P0).abs() < 1e-4,
            "{}",
            trunc.cdf(0.0)
        );
    }

    // python3 scripts/reference/priors.py (SciPy 1.17.1), quantiles at 0.1, 0.25, 0.5, 0.75, 0.9.
    const US: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 0.9];
    const PLAIN_T: [f64; 5] = [0.245096, 0.459675, 0.69818, 0.936783, 1.151617];
    const TRUNC_T: [f64; 5] = [0.080926, 0.253737, 0.521718, 0.83683, 1.119529];
    const TRUNC_EST: [f64; 5] = [0.331724, 1.413813, 3.090791, 5.18019, 7.145438];
    const PLAIN_T_P0: f64 = 0.024121;
    const TRUNC_T_P0: f64 = 0.05029;
    const TRUNC_EST_P0: f64 = 0.066511;

    #[test]
    fn selected_estimate_matches_scipy() {
        let p = Prior::new(
            &PriorSpec::Estimate {
                value: 5.6,
                se: 2.5,
                truncate_alpha: Some(0.05),
            },
            "p",
        )
        .unwrap();
        for (u, want) in US.iter().zip(TRUNC_EST) {
            assert!(
                (p.quantile(*u) - want).abs() < 1e-3,
                "{u}: {}",
                p.quantile(*u)
            );
        }
        assert!((p.cdf(0.0) - TRUNC_EST_P0).abs() < 1e-4, "{}", p.cdf(0.0));
    }

    #[test]
    fn not_significant_with_truncation_is_refused() {
        // The flagship's parent trial: t(32) = 2.02, p = 0.0518 > 0.05.
        let e = Prior::new(
            &PriorSpec::PublishedT {
                t: 2.02,
                n1: 17,
                n2: 17,
                truncate_alpha: Some(0.05),
                scale: None,
                offset: None,
            },
            "priors.effect_scale",
        )
        .unwrap_err();
        assert_eq!(e[0].path, "priors.effect_scale.published_t.truncate_alpha");
        assert!(e[0].message.contains("not significant"), "{}", e[0]);
        let e = Prior::new(&PriorSpec::Normal { mean: 1.0, sd: 0.0 }, "priors.x").unwrap_err();
        assert_eq!(e[0].path, "priors.x.normal.sd");
    }

    #[test]
    fn scale_offset_and_fisher_z() {
        let p = Prior::new(
            &PriorSpec::PublishedR {
                r: 0.4,
                n: 28,
                truncate_alpha: None,
                scale: Some(2.0),
                offset: Some(1.0),
            },
            "p",
        )
        .unwrap();
        // median: 1 + 2 * tanh(atanh(0.4)) = 1.8; P(rho <= 0) = Phi(-atanh(0.4) * 5)
        assert!((p.quantile(0.5) - 1.8).abs() < 1e-12);
        let p0 = norm_cdf(-0.4f64.atanh() * 5.0);
        assert!((p.cdf(1.0) - p0).abs() < 1e-12);
        let neg = Prior::new(
            &PriorSpec::PublishedT {
                t: 2.0,
                n1: 10,
                n2: 10,
                truncate_alpha: None,
                scale: Some(-1.0),
                offset: None,
            },
            "p",
        )
        .unwrap();
        assert!(neg.quantile(0.1) < neg.quantile(0.9));
        assert!((neg.cdf(neg.quantile(0.3)) - 0.3).abs() < 1e-6);
        // estimate without truncation is the normal law
        let e = Prior::new(
            &PriorSpec::Estimate {
                value: 5.6,
                se: 2.8,
                truncate_alpha: None,
            },
            "p",
        )
        .unwrap();
        assert!((e.quantile(0.975) - (5.6 + 2.8 * 1.959963984540054)).abs() < 1e-9);
    }
}
