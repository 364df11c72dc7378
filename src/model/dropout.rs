//! Per-visit draws of a patient (docs/model.md, sections 2.7-2.8): the rating error at each
//! post-baseline visit and monotone dropout between visits, possibly depending on the last
//! observed score (missing at random). They come from each arm's own stream
//! ([`crate::rng::STREAM_VISITS`]` + k`), drawn only for scenarios that use them, so the draws of
//! every other scenario are unchanged.

use crate::rng::TrialRng;
use crate::scenario::{Arm, Scenario};
use rand::RngExt;
use rand_distr::StandardNormal;

/// Whether patients of `arm` draw from the visit stream.
pub fn uses_visit_stream(s: &Scenario, arm: &Arm) -> bool {
    s.symptoms.spec.rating_sd > 0.0 || !arm.dropout_per_visit.is_empty()
}

/// One patient's draws, in a fixed layout whatever the outcome (so a larger cohort extends a
/// smaller one): `nv - 1` standard normals (rating errors, when `rating_sd > 0`), then `nv - 1`
/// uniforms (dropout, when the arm has `dropout_per_visit`). Unused entries are 0.
pub fn draw(g: &mut TrialRng, s: &Scenario, arm: &Arm, errors: &mut [f64], uniforms: &mut [f64]) {
    if s.symptoms.spec.rating_sd > 0.0 {
        for e in errors.iter_mut() {
            *e = g.sample(StandardNormal);
        }
    } else {
        errors.fill(0.0);
    }
    if arm.dropout_per_visit.is_empty() {
        uniforms.fill(1.0);
    } else {
        for u in uniforms.iter_mut() {
            *u = g.random();
        }
    }
}

/// The first visit a patient misses by monotone dropout (`scores.len()` when none). Entry
/// `j - 1` of `uniforms` decides the interval before visit `j`, with hazard
/// `logistic(logit(p_j) + gamma * (last - baseline_mean) / baseline_sd)`, `last` the score at
/// visit `j - 1` (the last observed one) and `p_j = dropout_per_visit[j - 1]`.
pub fn first_missed(s: &Scenario, arm: &Arm, scores: &[f64], uniforms: &[f64]) -> usize {
    let nv = scores.len();
    if arm.dropout_per_visit.is_empty() {
        return nv;
    }
    let sp = &s.symptoms.spec;
    let gamma = arm.dropout_mar_log_or;
    for j in 1..nv {
        let p = arm.dropout_per_visit[j - 1];
        let h = if gamma == 0.0 || p == 0.0 {
            p
        } else {
            let z = (scores[j - 1] - sp.baseline_mean) / sp.baseline_sd;
            let eta = (p / (1.0 - p)).ln() + gamma * z;
            1.0 / (1.0 + (-eta).exp())
        };
        if uniforms[j - 1] < h {
            return j;
        }
    }
    nv
}
