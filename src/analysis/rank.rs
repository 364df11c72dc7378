//! Wilcoxon-Mann-Whitney analyses of one trial (`"test": "wilcoxon"`): the rank-sum test of
//! [`crate::stats::wilcoxon`] (exact null distribution below 50 per group without ties, normal
//! approximation with tie correction and continuity correction otherwise, as R's `wilcox.test`),
//! the Hodges-Lehmann shift as the estimate and the two-sided 95 % Wilcoxon interval. Complete
//! cases only; the subject path only (ranks are not functions of the group means and scatter).

use crate::model::Cohort;
use crate::scenario::{Alternative, Family, FamilyKind};
use crate::stats::ttest::TestOutcome;
use crate::stats::wilcoxon::{WilcoxonScratch, wilcoxon_outcome};

/// Work buffers of the rank analyses (one per worker thread).
#[derive(Debug, Default)]
pub(super) struct RankScratch {
    x: Vec<f64>,
    y: Vec<f64>,
    wil: WilcoxonScratch,
}

impl RankScratch {
    fn test(&mut self, alt: Alternative) -> TestOutcome {
        wilcoxon_outcome(&self.x, &self.y, alt, &mut self.wil)
    }
}

/// Biomarker families, one outcome per region: patients minus controls at baseline
/// (`baseline_difference`), or observed change (follow-up minus baseline scan) of arm a1 minus
/// arm a2 (`arm_change`).
pub(super) fn biomarker(rs: &mut RankScratch, c: &Cohort, f: &Family, out: &mut [TestOutcome]) {
    let nr = c.n_regions;
    let (a1, a2) = f.arms;
    for (h, &r) in f.regions.iter().enumerate() {
        rs.x.clear();
        rs.y.clear();
        match f.kind {
            FamilyKind::BaselineDifference => {
                push_finite(&mut rs.x, c.patient_range().map(|i| c.baseline[i * nr + r]));
                push_finite(&mut rs.y, c.group_range(0).map(|i| c.baseline[i * nr + r]));
            }
            FamilyKind::ArmChange => {
                let change = |i: usize| c.followup[i * nr + r] - c.baseline[i * nr + r];
                push_finite(&mut rs.x, c.arm_range(a1).map(change));
                push_finite(&mut rs.y, c.arm_range(a2).map(change));
            }
            _ => unreachable!("the Wilcoxon test is resolved only for two-group families"),
        }
        out[h] = rs.test(f.alternative);
    }
}

/// Clinical change at visit v: observed improvement (baseline minus visit score) of arm a1 minus
/// arm a2.
pub(super) fn clinical_change(
    rs: &mut RankScratch,
    c: &Cohort,
    f: &Family,
    v: usize,
) -> TestOutcome {
    let (a1, a2) = f.arms;
    rs.x.clear();
    rs.y.clear();
    push_finite(
        &mut rs.x,
        c.arm_range(a1).map(|i| c.observed_improvement(i, v)),
    );
    push_finite(
        &mut rs.y,
        c.arm_range(a2).map(|i| c.observed_improvement(i, v)),
    );
    rs.test(f.alternative)
}

/// Complete cases: missing values (dropout, failed scans) are NaN.
fn push_finite(out: &mut Vec<f64>, values: impl Iterator<Item = f64>) {
    out.extend(values.filter(|v| v.is_finite()));
}
