//! The population Hodges-Lehmann shift of the observed symptom improvement between two arms: the
//! median of X - Y for independent X (arm a1) and Y (arm a2), which is what the two-sample
//! Hodges-Lehmann estimate (median of the pairwise differences) converges to.
//!
//! For a pure location shift it equals the mean difference, but clamping at the scale floor and
//! rounding make the improvement skewed and discrete, so here it is computed from the exact law of
//! each arm's observed improvement ([`crate::model::exact`]): given the baseline score m0 and the
//! time course c, the visit score is `round(clamp(N(m0 - c mu_I, |c| sd_I)))`, so the CDF of the
//! improvement is a sum of normal CDFs over the baseline law. The two laws are put on a lattice
//! and convolved:
//! - integer scale: the lattice is the integers and the masses are exact, so the median is exact
//!   (when P(X - Y <= t) is exactly 1/2 at a lattice point, the midpoint to the next point with
//!   mass, as the sample median of an even count);
//! - continuous scale: cells of width h = (scale range) / 2000 carry the exact mass of the cell,
//!   placed at its centre, so the result is approximate, within h of the population value.

use super::exact::{LatentImprovement, baseline_nodes, courses};
use crate::scenario::Scenario;
use crate::stats::dist::norm_cdf;

/// Lattice cells per scale range on a continuous scale.
const CELLS: f64 = 2000.0;

/// The population Hodges-Lehmann shift of the improvement at `visit`, arm `a1` minus arm `a2`,
/// and whether it is exact (integer scale) rather than within one lattice step (continuous).
pub fn hodges_lehmann_shift(s: &Scenario, a1: usize, a2: usize, visit: usize) -> (f64, bool) {
    let sp = &s.symptoms.spec;
    let h = if sp.integer {
        1.0
    } else {
        (sp.scale_max - sp.scale_min) / CELLS
    };
    let (x0, px) = improvement_lattice(s, a1, visit, h);
    let (y0, py) = improvement_lattice(s, a2, visit, h);
    // D = X - Y on the lattice d0 + k h, d0 = x0 - (y0 + (ny - 1) h).
    let ny = py.len();
    let mut pd = vec![0.0; px.len() + ny - 1];
    for (i, &a) in px.iter().enumerate() {
        if a == 0.0 {
            continue;
        }
        for (j, &b) in py.iter().enumerate() {
            pd[i + (ny - 1 - j)] += a * b;
        }
    }
    let d0 = x0 - (y0 + (ny - 1) as f64 * h);
    let total: f64 = pd.iter().sum();
    let mut cum = 0.0;
    for (k, &q) in pd.iter().enumerate() {
        cum += q / total;
        if cum >= 0.5 - 1e-12 {
            let at = d0 + k as f64 * h;
            if (cum - 0.5).abs() < 1e-12 {
                // A flat CDF at 1/2: the midpoint to the next value with mass.
                if let Some(next) = (k + 1..pd.len()).find(|&j| pd[j] > 0.0) {
                    return ((at + d0 + next as f64 * h) / 2.0, sp.integer);
                }
            }
            return (at, sp.integer);
        }
    }
    (f64::NAN, false)
}

/// The law of arm k's observed improvement at `visit` on the lattice x0 + i h: (x0, masses).
fn improvement_lattice(s: &Scenario, k: usize, visit: usize, h: f64) -> (f64, Vec<f64>) {
    let sp = &s.symptoms.spec;
    let arm = &s.arms[k];
    let lat = LatentImprovement::of(s, arm);
    let nodes = baseline_nodes(s, &[]);
    let m_lo = nodes.iter().map(|n| n.0).fold(f64::INFINITY, f64::min);
    let m_hi = nodes.iter().map(|n| n.0).fold(f64::NEG_INFINITY, f64::max);
    // Improvement m0 - S lies in [m_lo - scale_max, m_hi - scale_min].
    let (lo, hi) = (m_lo - sp.scale_max, m_hi - sp.scale_min);
    let (x0, n) = if sp.integer {
        (lo.floor(), (hi.ceil() - lo.floor()) as usize + 1)
    } else {
        (lo, ((hi - lo) / h).ceil() as usize + 1)
    };
    let cs = courses(arm, visit);
    // P(X <= t) = 1 - P(S < m0 - t), summed over the baseline law and the time courses.
    let cdf = |t: f64| {
        let mut p = 0.0;
        for &(m0, w) in &nodes {
            let mi = lat.mean(s, m0);
            for &(c, wc) in &cs {
                let (mu, sd) = (m0 - c * mi, (c * lat.sd).abs());
                p += w * wc * (1.0 - score_below(s, mu, sd, m0 - t));
            }
        }
        p
    };
    let mut masses = Vec::with_capacity(n);
    if sp.integer {
        let mut prev = cdf(x0 - 1.0);
        for i in 0..n {
            let cur = cdf(x0 + i as f64);
            masses.push((cur - prev).max(0.0));
            prev = cur;
        }
    } else {
        let mut prev = cdf(x0 - h / 2.0);
        for i in 0..n {
            let cur = cdf(x0 + (i as f64 + 0.5) * h);
            masses.push((cur - prev).max(0.0));
            prev = cur;
        }
    }
    (x0, masses)
}

/// P(S < u) for the visit score S = round(clamp(N(mu, sd))) (unrounded on a continuous scale).
fn score_below(s: &Scenario, mu: f64, sd: f64, u: f64) -> f64 {
    let sp = &s.symptoms.spec;
    let (a, b) = (sp.scale_min, sp.scale_max);
    // The latent value below which S < u: S = round(clamp(Z)) < u  <=>  clamp(Z) < ceil(u) - 1/2
    // on an integer scale (u need not be an integer).
    let bound = if sp.integer { u.ceil() - 0.5 } else { u };
    if bound <= a {
        return 0.0;
    }
    if bound > b {
        return 1.0;
    }
    if sd == 0.0 {
        return (mu.clamp(a, b) < bound) as u8 as f64;
    }
    norm_cdf((bound - mu) / sd)
}
