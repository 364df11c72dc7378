//! The true value of every hypothesis' estimand, against which bias, RMSE, coverage and type S/M
//! errors are measured.
//!
//! - Biomarker mean differences (baseline shift, arm change, within-arm change) have closed forms:
//!   measurement error adds no bias to a mean, so the truth is exactly delta or kappa.
//! - Symptom endpoints (score change, response, remission) depend on truncation, clamping and
//!   rounding of the scale, and correlations of *observed* change with *observed* improvement are
//!   attenuated by measurement error and rounding. Their truth is the population value, computed once
//!   per scenario on a large sample ([`TRUTH_N`] patients per arm, no dropout, no failed scans) and
//!   reported with its own standard error. For Spearman the population value is taken from the
//!   Pearson one by the bivariate-normal identity 6/pi asin(r/2) (an approximation, said so in the
//!   output).
//!
//! Whether a hypothesis is null is decided exactly from the parameters, never from a sample.

use crate::analysis::summary::{CoMoments, Moments};
use crate::model::Cohort;
use crate::scenario::{Endpoint, FamilyKind, Scenario, Sizes, TestKind};

/// Patients per arm in the population sample used for non-closed-form truths.
pub const TRUTH_N: usize = 1_000_000;
const CHUNK: usize = 50_000;
/// Seed of the population sample (fixed: the truth does not depend on the run's seed).
pub const TRUTH_SEED: u64 = 0x7472_7574_6873_696d;

/// The true value of one hypothesis' estimand.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Truth {
    /// True value on the scale of the estimate.
    pub value: f64,
    /// Monte Carlo SE of `value` (0 for closed forms).
    pub se: f64,
    /// Whether the null hypothesis is true (decided from the parameters).
    pub is_null: bool,
    /// How the value was obtained: `closed_form`, `population_sample` or
    /// `population_sample_normal_approx`.
    pub source: &'static str,
}

/// Truths for every family and hypothesis of the plan, in plan order.
pub fn truths(s: &Scenario) -> Vec<Vec<Truth>> {
    truths_with(s, TRUTH_N)
}

/// Like [`truths`] with a chosen population size per arm (rounded up to whole chunks).
pub fn truths_with(s: &Scenario, n_per_arm: usize) -> Vec<Vec<Truth>> {
    let needs_sample = s
        .families
        .iter()
        .any(|f| matches!(f.kind, FamilyKind::Clinical | FamilyKind::Correlation));
    let pop = if needs_sample {
        Some(Population::draw(s, n_per_arm))
    } else {
        None
    };
    s.families
        .iter()
        .map(|f| {
            let (a1, a2) = f.arms;
            let closed = |value: f64| Truth {
                value,
                se: 0.0,
                is_null: value == 0.0,
                source: "closed_form",
            };
            match f.kind {
                FamilyKind::BaselineDifference => f
                    .regions
                    .iter()
                    .map(|&r| closed(s.regions[r].delta))
                    .collect(),
                FamilyKind::ArmChange => f
                    .regions
                    .iter()
                    .map(|&r| closed(s.arms[a1].kappa[r] - s.arms[a2].kappa[r]))
                    .collect(),
                FamilyKind::WithinArmChange => f
                    .regions
                    .iter()
                    .map(|&r| closed(s.arms[a1].kappa[r]))
                    .collect(),
                FamilyKind::Clinical => {
                    let p = pop.as_ref().expect("drawn for clinical families");
                    let same = s.arms[a1].improvement_mean == s.arms[a2].improvement_mean
                        && s.arms[a1].improvement_sd == s.arms[a2].improvement_sd;
                    f.endpoints
                        .iter()
                        .map(|e| {
                            let (value, se) = match e {
                                Endpoint::Change => {
                                    let (m1, m2) =
                                        (p.improvement[a1].summary(), p.improvement[a2].summary());
                                    (m1.mean - m2.mean, (m1.var / m1.n + m2.var / m2.n).sqrt())
                                }
                                Endpoint::Response => p.rate_difference(&p.responders, a1, a2),
                                Endpoint::Remission => p.rate_difference(&p.remitters, a1, a2),
                            };
                            if same {
                                Truth {
                                    value: 0.0,
                                    se: 0.0,
                                    is_null: true,
                                    source: "closed_form",
                                }
                            } else {
                                Truth {
                                    value,
                                    se,
                                    is_null: false,
                                    source: "population_sample",
                                }
                            }
                        })
                        .collect()
                }
                FamilyKind::Correlation => {
                    let p = pop.as_ref().expect("drawn for correlation families");
                    f.regions
                        .iter()
                        .map(|&r| {
                            let arm = &s.arms[a1];
                            if arm.rho_cs[r] == 0.0 || arm.tau[r] == 0.0 {
                                return Truth {
                                    value: 0.0,
                                    se: 0.0,
                                    is_null: true,
                                    source: "closed_form",
                                };
                            }
                            let b = p.change_improvement[a1][r].summary();
                            let rho = b.sxy / (b.sxx * b.syy).sqrt();
                            let se = (1.0 - rho * rho) / b.n.sqrt();
                            if f.test == TestKind::Spearman {
                                let rs = 6.0 / std::f64::consts::PI * (rho / 2.0).asin();
                                Truth {
                                    value: rs,
                                    se,
                                    is_null: false,
                                    source: "population_sample_normal_approx",
                                }
                            } else {
                                Truth {
                                    value: rho,
                                    se,
                                    is_null: false,
                                    source: "population_sample",
                                }
                            }
                        })
                        .collect()
                }
            }
        })
        .collect()
}

/// Sufficient statistics of the population sample, per arm.
struct Population {
    improvement: Vec<Moments>,
    responders: Vec<(u64, u64)>,
    remitters: Vec<(u64, u64)>,
    change_improvement: Vec<Vec<CoMoments>>,
}

impl Population {
    fn draw(s: &Scenario, n_per_arm: usize) -> Self {
        let mut pop_s = s.clone();
        // The estimand is defined on everyone randomised: no dropout, no failed scans.
        pop_s.spec.measures.scan_failure = 0.0;
        for a in pop_s.arms.iter_mut() {
            a.dropout = 0.0;
            a.dropout_log_or = 0.0;
        }
        pop_s.spec.design.allocation = crate::scenario::Allocation::Blocked;
        let k = s.arms.len();
        let nr = s.n_regions();
        let mut pop = Population {
            improvement: vec![Moments::default(); k],
            responders: vec![(0, 0); k],
            remitters: vec![(0, 0); k],
            change_improvement: vec![vec![CoMoments::default(); nr]; k],
        };
        let sizes = Sizes {
            controls: 0,
            arms: vec![CHUNK; k],
        };
        let mut c = Cohort::default();
        let chunks = n_per_arm.div_ceil(CHUNK);
        for j in 0..chunks {
            c.draw(&pop_s, &sizes, TRUTH_SEED, j as u64);
            for a in 0..k {
                for i in c.arm_range(a) {
                    let imp = c.observed_improvement(i);
                    pop.improvement[a].push(imp);
                    let resp = c.responder(&pop_s, i).unwrap_or(false);
                    let rem = c.remitter(&pop_s, i).unwrap_or(false);
                    pop.responders[a].0 += resp as u64;
                    pop.responders[a].1 += 1;
                    pop.remitters[a].0 += rem as u64;
                    pop.remitters[a].1 += 1;
                    for r in 0..nr {
                        let ch = c.followup[i * nr + r] - c.baseline[i * nr + r];
                        pop.change_improvement[a][r].push(ch, imp);
                    }
                }
            }
        }
        pop
    }

    fn rate_difference(&self, counts: &[(u64, u64)], a1: usize, a2: usize) -> (f64, f64) {
        let p = |(x, n): (u64, u64)| x as f64 / n as f64;
        let (p1, p2) = (p(counts[a1]), p(counts[a2]));
        let v = |q: f64, n: u64| q * (1.0 - q) / n as f64;
        (p1 - p2, (v(p1, counts[a1].1) + v(p2, counts[a2].1)).sqrt())
    }
}
