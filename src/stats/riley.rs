//! Minimum sample size for developing a binary-outcome prediction model: the three criteria of
//! Riley et al. (Stat Med 2019; 38:1276-1296, "Part II"; BMJ 2020; 368:m441) as the `pmsampsize`
//! package (R 1.1.3, `pmsampsize_bin`) computes them:
//!
//! 1. expected uniform shrinkage >= S (default 0.9): n = p / ((S - 1) ln(1 - R2cs / S));
//! 2. small optimism in the apparent Nagelkerke R^2 (delta = 0.05): criterion 1 with
//!    S = R2cs / (R2cs + delta max(R2cs)), where max(R2cs) = 1 - (phi^phi (1-phi)^(1-phi))^2;
//! 3. the overall risk phi estimated within a margin of 0.05: n = (1.96 / 0.05)^2 phi (1 - phi);
//!
//! each rounded up; the answer is their maximum, with its events n phi and events per candidate
//! parameter. [`cstat_to_r2_cs`] converts an anticipated C-statistic into R2cs (Riley, Van Calster
//! & Collins 2021, Stat Med 40:859): pmsampsize simulates a million patients for that; we compute
//! the large-sample limit it estimates.

use super::dist::norm_quantile;

/// Invalid input for the Riley criteria.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RileyError {
    /// Prevalence outside (0, 1).
    #[error("prevalence {0} is not in (0, 1)")]
    Prevalence(f64),
    /// Fewer than one candidate parameter.
    #[error("need at least one candidate predictor parameter (got {0})")]
    Parameters(usize),
    /// Cox-Snell R^2 not in (0, its maximum for this prevalence).
    #[error("Cox-Snell R^2 {r2} is not in (0, {max}), the maximum for this prevalence")]
    R2 {
        /// The value given.
        r2: f64,
        /// Its maximum 1 - (phi^phi (1-phi)^(1-phi))^2.
        max: f64,
    },
    /// Target shrinkage not in (R2cs, 1) (pmsampsize's condition for the logarithm to exist).
    #[error("shrinkage {shrinkage} is not in ({r2}, 1)")]
    Shrinkage {
        /// The target shrinkage.
        shrinkage: f64,
        /// The Cox-Snell R^2.
        r2: f64,
    },
    /// Optimism delta or margin of error not positive.
    #[error("{name} = {value} must be positive")]
    Positive {
        /// Which setting.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// Nagelkerke R^2 not in (0, 1).
    #[error("Nagelkerke R^2 {0} is not in (0, 1)")]
    Nagelkerke(f64),
    /// C-statistic not in (0.5, 1).
    #[error("C-statistic {0} is not in (0.5, 1)")]
    CStatistic(f64),
}

/// Inputs of [`riley_binary`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RileyInput {
    /// Anticipated Cox-Snell R^2 of the model (adjusted, not apparent).
    pub r2_cs: f64,
    /// Number of candidate predictor parameters.
    pub parameters: usize,
    /// Anticipated outcome prevalence.
    pub prevalence: f64,
    /// Target expected shrinkage (pmsampsize default 0.9).
    pub shrinkage: f64,
    /// Acceptable optimism in Nagelkerke R^2 (0.05).
    pub delta: f64,
    /// Margin of error for the overall risk (0.05).
    pub margin: f64,
}

impl RileyInput {
    /// pmsampsize's defaults: shrinkage 0.9, delta 0.05, margin 0.05.
    pub fn new(r2_cs: f64, parameters: usize, prevalence: f64) -> Self {
        RileyInput {
            r2_cs,
            parameters,
            prevalence,
            shrinkage: 0.9,
            delta: 0.05,
            margin: 0.05,
        }
    }
}

/// One criterion's sample size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RileyCriterion {
    /// Minimum number of patients (rounded up).
    pub n: u64,
    /// Expected shrinkage at that size (criteria 1 and 2; the target for criterion 3).
    pub shrinkage: f64,
    /// Expected events n phi.
    pub events: f64,
    /// Events per candidate parameter.
    pub epp: f64,
}

/// Result of [`riley_binary`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RileySize {
    /// Criteria 1 (shrinkage), 2 (optimism in R^2), 3 (overall risk).
    pub criteria: [RileyCriterion; 3],
    /// The minimum sample size: the largest of the three.
    pub n: u64,
    /// Expected events at n.
    pub events: f64,
    /// Events per candidate parameter at n.
    pub epp: f64,
    /// Shrinkage the final size gives (the larger of the target and criterion 2's, as pmsampsize).
    pub shrinkage: f64,
    /// Maximum Cox-Snell R^2 for the prevalence.
    pub max_r2_cs: f64,
    /// The anticipated Nagelkerke R^2, R2cs / max.
    pub nagelkerke_r2: f64,
}

fn check_prevalence(phi: f64) -> Result<(), RileyError> {
    if phi > 0.0 && phi < 1.0 {
        Ok(())
    } else {
        Err(RileyError::Prevalence(phi))
    }
}

/// Largest Cox-Snell R^2 a model can reach at prevalence phi: 1 - exp(2 lnL_null / n) with
/// lnL_null / n = phi ln phi + (1 - phi) ln(1 - phi) (Riley et al. 2019, eq. 23).
pub fn max_r2_cs(prevalence: f64) -> Result<f64, RileyError> {
    check_prevalence(prevalence)?;
    let phi = prevalence;
    let ll = phi * phi.ln() + (1.0 - phi) * (1.0 - phi).ln();
    Ok(1.0 - (2.0 * ll).exp())
}

/// Cox-Snell R^2 from a Nagelkerke R^2: R2cs = R2nag max(R2cs). (pmsampsize rounds the result
/// to 3 decimals before using it; this does not.)
pub fn nagelkerke_to_cs(r2_nagelkerke: f64, prevalence: f64) -> Result<f64, RileyError> {
    if !(r2_nagelkerke > 0.0 && r2_nagelkerke < 1.0) {
        return Err(RileyError::Nagelkerke(r2_nagelkerke));
    }
    Ok(r2_nagelkerke * max_r2_cs(prevalence)?)
}

/// n for an expected shrinkage s: p / ((s - 1) ln(1 - R2cs / s)), rounded up.
fn n_for_shrinkage(p: f64, r2: f64, s: f64) -> u64 {
    (p / ((s - 1.0) * (1.0 - r2 / s).ln())).ceil() as u64
}

/// Riley et al.'s minimum sample size for a binary outcome (see the module doc).
///
/// ```
/// use trialsim::stats::riley::{riley_binary, RileyInput};
/// // pmsampsize(type = "b", csrsquared = 0.288, parameters = 24, prevalence = 0.174):
/// // criteria 623, 662, 221; final 662 (pmsampsize 1.1.3 tests/testthat/test_bin.R, Test 4.1)
/// let r = riley_binary(&RileyInput::new(0.288, 24, 0.174)).unwrap();
/// assert_eq!(r.n, 662);
/// ```
pub fn riley_binary(input: &RileyInput) -> Result<RileySize, RileyError> {
    let &RileyInput {
        r2_cs: r2,
        parameters,
        prevalence: phi,
        shrinkage: s,
        delta,
        margin,
    } = input;
    let max = max_r2_cs(phi)?;
    if parameters == 0 {
        return Err(RileyError::Parameters(parameters));
    }
    if !(r2 > 0.0 && r2 < max) {
        return Err(RileyError::R2 { r2, max });
    }
    if !(s > r2 && s < 1.0) {
        return Err(RileyError::Shrinkage { shrinkage: s, r2 });
    }
    for (name, value) in [("delta", delta), ("margin", margin)] {
        if !(value > 0.0 && value.is_finite()) {
            return Err(RileyError::Positive { name, value });
        }
    }
    let p = parameters as f64;
    let crit = |n: u64, shrinkage: f64| RileyCriterion {
        n,
        shrinkage,
        events: n as f64 * phi,
        epp: n as f64 * phi / p,
    };
    let s2 = r2 / (r2 + delta * max);
    // pmsampsize uses the literal 1.96 here.
    let n3 = ((1.96 / margin).powi(2) * phi * (1.0 - phi)).ceil() as u64;
    let final_shrinkage = s.max(s2);
    let criteria = [
        crit(n_for_shrinkage(p, r2, s), s),
        crit(n_for_shrinkage(p, r2, s2), s2),
        crit(n3, final_shrinkage),
    ];
    let n = criteria.iter().map(|c| c.n).max().unwrap_or(0);
    Ok(RileySize {
        criteria,
        n,
        events: n as f64 * phi,
        epp: n as f64 * phi / p,
        shrinkage: final_shrinkage,
        max_r2_cs: max,
        nagelkerke_r2: r2 / max,
    })
}

/// Cox-Snell R^2 of a logistic model with C-statistic `c` at prevalence phi, under Riley, Van
/// Calster & Collins' (2021) model: the linear predictor is N(0, 1) in one outcome group and
/// N(sqrt(2) Phi^-1(c), 1) in the other, so the logistic model is exact and its large-sample
/// likelihood-ratio statistic per patient is twice the mutual information I(Y; LP); R2cs =
/// 1 - exp(-2 I). pmsampsize estimates the same quantity by simulating 10^6 patients (seed
/// 123456), so its values differ from this limit by Monte Carlo error (about 1e-3).
pub fn cstat_to_r2_cs(c: f64, prevalence: f64) -> Result<f64, RileyError> {
    check_prevalence(prevalence)?;
    if !(c > 0.5 && c < 1.0) {
        return Err(RileyError::CStatistic(c));
    }
    let phi = prevalence;
    let mu = std::f64::consts::SQRT_2 * norm_quantile(c);
    let dn = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let ent = |q: f64| {
        if q <= 0.0 || q >= 1.0 {
            0.0
        } else {
            -(q * q.ln() + (1.0 - q) * (1.0 - q).ln())
        }
    };
    // E[H(Y | LP)] by composite Simpson over a range that holds both normals to 1e-30.
    let (lo, hi) = (mu.min(0.0) - 12.0, mu.max(0.0) + 12.0);
    let k = 20_000;
    let h = (hi - lo) / k as f64;
    let f = |x: f64| {
        let a = phi * dn(x);
        let b = (1.0 - phi) * dn(x - mu);
        if a + b > 0.0 {
            (a + b) * ent(b / (a + b))
        } else {
            0.0
        }
    };
    let mut sum = f(lo) + f(hi);
    for i in 1..k {
        sum += f(lo + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    let cond = sum * h / 3.0;
    let info = ent(phi) - cond;
    Ok(1.0 - (-2.0 * info).exp())
}

#[cfg(test)]
// R output is pasted at full (17-digit) precision.
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    /// (csrsquared, parameters, prevalence, sample sizes, EPP).
    type PmCase = (f64, usize, f64, [u64; 4], [f64; 4]);

    /// pmsampsize 1.1.3 tests/testthat/test_bin.R (github cran/pmsampsize), Tests 4.1-4.4:
    /// (csrsquared, parameters, prevalence) -> sample sizes of criteria 1, 2, 3 and final, and
    /// EPP rounded to 2 decimals. Also reproduced by running pmsampsize_bin() from that source
    /// in R 4.2.2.
    #[test]
    fn matches_pmsampsize_documented_examples() {
        let cases: [PmCase; 4] = [
            (
                0.288,
                24,
                0.174,
                [623, 662, 221, 662],
                [4.52, 4.8, 1.6, 4.8],
            ),
            (
                0.55,
                24,
                0.174,
                [255, 532, 221, 532],
                [1.85, 3.86, 1.6, 3.86],
            ),
            (
                0.288,
                36,
                0.174,
                [934, 992, 221, 992],
                [4.51, 4.79, 1.07, 4.79],
            ),
            (
                0.288,
                24,
                0.25,
                [623, 590, 289, 623],
                [6.49, 6.15, 3.01, 6.49],
            ),
        ];
        for (r2, p, phi, ss, epp) in cases {
            let r = riley_binary(&RileyInput::new(r2, p, phi)).unwrap();
            let got = [r.criteria[0].n, r.criteria[1].n, r.criteria[2].n, r.n];
            assert_eq!(got, ss, "{r2} {p} {phi}");
            let got_epp = [
                r.criteria[0].epp,
                r.criteria[1].epp,
                r.criteria[2].epp,
                r.epp,
            ];
            for (g, e) in got_epp.iter().zip(epp) {
                assert!(((g * 100.0).round() / 100.0 - e).abs() < 1e-9, "{g} vs {e}");
            }
        }
    }

    /// R 4.2.2, running pmsampsize_bin(0.288, 24, 0.174, 0.9, NA) from pmsampsize 1.1.3's source:
    /// sprintf("%.17g", c(o$final_shrinkage, o$max_r2a, o$nag_r2, o$events)) =
    /// 0.90520369529564515 0.60320866776703508 0.47744672016422068 115.18799999999999
    #[test]
    fn shrinkage_max_r2_and_events_match_pmsampsize() {
        let r = riley_binary(&RileyInput::new(0.288, 24, 0.174)).unwrap();
        assert!((r.shrinkage - 0.90520369529564515).abs() < 1e-14);
        assert!((r.max_r2_cs - 0.60320866776703508).abs() < 1e-14);
        assert!((r.nagelkerke_r2 - 0.47744672016422068).abs() < 1e-14);
        assert!((r.events - 115.18799999999999).abs() < 1e-10);
        let nag = nagelkerke_to_cs(0.47744672016422068, 0.174).unwrap();
        assert!((nag - 0.288).abs() < 1e-14);
    }

    /// Reference: R 4.2.2 numerical integration (QUADPACK `integrate`, rel.tol 1e-13) of the same
    /// mutual information:
    /// mi <- function(cstat, prev) { mu <- sqrt(2)*qnorm(cstat)
    ///   f <- function(x) { a <- prev*dnorm(x); b <- (1-prev)*dnorm(x, mu)
    ///     q <- ifelse(a + b > 0, b/(a+b), 0)
    ///     h <- ifelse(q <= 0 | q >= 1, 0, -(q*log(q) + (1-q)*log(1-q))); (a+b)*h }
    ///   H <- -(prev*log(prev) + (1-prev)*log(1-prev))
    ///   1 - exp(-2*(H - integrate(f, -Inf, Inf, rel.tol=1e-13, abs.tol=0)$value)) }
    /// and pmsampsize 1.1.3's simulation cstat2rsq(c, prev)$R2.coxsnell (seed 123456, 10^6
    /// patients), which must agree to its Monte Carlo error.
    #[test]
    fn cstatistic_conversion_matches_integration_and_pmsampsize_simulation() {
        let cases = [
            (0.89, 0.174, 0.29095491009051921, 0.290172),
            (0.81, 0.77, 0.21205371905608961, 0.212441),
            (0.7, 0.3, 0.10340126043513387, 0.102865),
            (0.6, 0.05, 0.0060599558283419563, 0.005956),
        ];
        for (c, phi, integ, sim) in cases {
            let r = cstat_to_r2_cs(c, phi).unwrap();
            assert!((r - integ).abs() < 1e-9, "{c} {phi}: {r} vs {integ}");
            assert!(
                (r - sim).abs() < 1.5e-3,
                "{c} {phi}: {r} vs simulated {sim}"
            );
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        let ok = RileyInput::new(0.288, 24, 0.174);
        assert_eq!(
            riley_binary(&RileyInput {
                prevalence: 1.0,
                ..ok
            }),
            Err(RileyError::Prevalence(1.0))
        );
        assert_eq!(
            riley_binary(&RileyInput {
                parameters: 0,
                ..ok
            }),
            Err(RileyError::Parameters(0))
        );
        assert!(matches!(
            riley_binary(&RileyInput { r2_cs: 0.7, ..ok }),
            Err(RileyError::R2 { r2, .. }) if r2 == 0.7
        ));
        assert_eq!(
            riley_binary(&RileyInput {
                shrinkage: 0.2,
                ..ok
            }),
            Err(RileyError::Shrinkage {
                shrinkage: 0.2,
                r2: 0.288
            })
        );
        assert_eq!(
            riley_binary(&RileyInput { margin: 0.0, ..ok }),
            Err(RileyError::Positive {
                name: "margin",
                value: 0.0
            })
        );
        assert_eq!(cstat_to_r2_cs(0.4, 0.2), Err(RileyError::CStatistic(0.4)));
        assert_eq!(nagelkerke_to_cs(1.2, 0.2), Err(RileyError::Nagelkerke(1.2)));
    }
}
