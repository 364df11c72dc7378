//! Replication-success families (docs/model.md, section 3): equivalence by two one-sided tests
//! (`"test": "tost"`) and small telescopes (`"test": "small_telescopes"`) on a two-group family
//! (`baseline_difference`, `arm_change`, or the score change of a `clinical` family).
//!
//! Both read the two groups' sufficient statistics (the summary path serves them where the
//! family's data allow it). The outcome's estimate and 95 % CI are the ordinary difference of
//! means (first group minus second) and its Student interval; the p-value is the replication
//! test's: the TOST p (the larger one-sided p) or the small-telescopes p (H0: d >= d33). A
//! "rejection" is equivalence shown, or the effect shown smaller than d33.

use super::Data;
use crate::scenario::{Alternative, Family, FamilyKind, Margin, Replication, Scenario};
use crate::stats::moments::Summary;
use crate::stats::telescopes::small_telescopes;
use crate::stats::tost::{Variance, tost};
use crate::stats::ttest::{self, TestOutcome};

/// The population variance of the family's outcome in each of its two groups, hypothesis `h`
/// (the variance of one observed value: scans with their measurement error, the observed score
/// change with its clamping and rounding).
pub fn group_variances(s: &Scenario, f: &Family, h: usize) -> (f64, f64) {
    let (a1, a2) = f.arms;
    match f.kind {
        FamilyKind::BaselineDifference => {
            let g = &s.regions[f.regions[h]];
            // Patients and controls share the between-subject SD; patients are shifted.
            let v = g.sigma * g.sigma + g.meas_sd * g.meas_sd;
            (v, v)
        }
        FamilyKind::ArmChange => {
            let r = f.regions[h];
            let e2 = s.regions[r].meas_sd.powi(2);
            let v = |k: usize| s.arms[k].tau[r].powi(2) + 2.0 * e2;
            (v(a1), v(a2))
        }
        FamilyKind::Clinical => {
            let v = f.visits[h % f.visits.len()];
            (
                crate::model::exact::improvement_moments(s, a1, v).0,
                crate::model::exact::improvement_moments(s, a2, v).0,
            )
        }
        _ => (f64::NAN, f64::NAN),
    }
}

/// The standardiser of the family's effect for hypothesis `h`: sqrt of the mean of the two
/// groups' population variances (what the pooled SD of Student's t estimates with equal groups).
pub fn population_sd(s: &Scenario, f: &Family, h: usize) -> f64 {
    let (v1, v2) = group_variances(s, f, h);
    (0.5 * (v1 + v2)).sqrt()
}

/// The TOST margin of each hypothesis in natural units (empty unless the family is a TOST).
pub fn natural_margins(s: &Scenario, f: &Family) -> Vec<f64> {
    match f.replication {
        Some(Replication::Tost(Margin::Natural(m))) => vec![m; s.hypotheses(f).len()],
        Some(Replication::Tost(Margin::Sd(d))) => (0..s.hypotheses(f).len())
            .map(|h| d * population_sd(s, f, h))
            .collect(),
        _ => Vec::new(),
    }
}

/// +1 when the original effect is first group minus second, -1 with `"alternative": "less"`.
pub fn orientation(f: &Family) -> f64 {
    if f.alternative == Alternative::Less {
        -1.0
    } else {
        1.0
    }
}

/// Whether the null hypothesis of the replication test is true when the true difference is
/// `value`: for a TOST, the difference lies outside (-margin, margin); for small telescopes, the
/// standardised effect (oriented) is at least d33.
pub fn is_null(s: &Scenario, f: &Family, h: usize, value: f64, margins: &[f64]) -> bool {
    match f.replication {
        Some(Replication::Tost(_)) => {
            let m = margins[h];
            !(value > -m && value < m)
        }
        Some(Replication::SmallTelescopes { d33, .. }) => {
            orientation(f) * value / population_sd(s, f, h) >= d33
        }
        None => value == 0.0,
    }
}

/// The two groups compared by hypothesis `h` (first minus second).
fn groups(data: &Data, f: &Family, h: usize) -> (Summary, Summary) {
    let (a1, a2) = f.arms;
    match f.kind {
        FamilyKind::BaselineDifference => {
            let r = f.regions[h];
            (data.patients_baseline(r), data.controls_baseline(r))
        }
        FamilyKind::ArmChange => {
            let r = f.regions[h];
            (data.change(a1, r).y(), data.change(a2, r).y())
        }
        FamilyKind::Clinical => {
            let c = data.cohort();
            let v = f.visits[h % f.visits.len()];
            (
                super::improvement_moments(c, a1, v).summary().y(),
                super::improvement_moments(c, a2, v).summary().y(),
            )
        }
        _ => unreachable!("replication tests are resolved for two-group families only"),
    }
}

/// One outcome per hypothesis of a replication family into `out`; `margins` from
/// [`natural_margins`].
pub fn outcomes(data: &Data, f: &Family, margins: &[f64], out: &mut [TestOutcome]) {
    let Some(rep) = f.replication else {
        return;
    };
    for (h, o) in out.iter_mut().enumerate() {
        let (a, b) = groups(data, f, h);
        let diff = ttest::student(&a, &b, Alternative::TwoSided);
        *o = TestOutcome::invalid();
        if !diff.is_valid() {
            continue;
        }
        match rep {
            Replication::Tost(_) => {
                let m = margins[h];
                // The level only sets the TOST's own CI and verdict, which are not used: the
                // p-value is compared with the plan's alpha after multiplicity.
                if let Ok(t) = tost(&a, &b, -m, m, Variance::Student, 0.05) {
                    *o = TestOutcome {
                        statistic: if t.p_low >= t.p_high {
                            t.t_low
                        } else {
                            t.t_high
                        },
                        df: t.df,
                        p: t.p,
                        ..diff
                    };
                }
            }
            Replication::SmallTelescopes { d33, .. } => {
                let st = ttest::student_stat(&a, &b);
                let t = orientation(f) * st.estimate / st.se;
                if let Ok(r) = small_telescopes(t, a.n as usize, b.n as usize, d33) {
                    *o = TestOutcome {
                        statistic: t,
                        df: r.df,
                        p: r.p,
                        ..diff
                    };
                }
            }
        }
    }
}
