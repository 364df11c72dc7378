//! Exact population laws of the symptom model: response and remission probabilities and the mean
//! observed improvement of an arm at a visit, with the truncation of the baseline score, the
//! clamping of every score to the scale and the rounding of an integer scale taken into account.
//!
//! Given the baseline score m0, the latent improvement I is normal (mean
//! `improvement_mean + b0 (m0 - baseline_mean)`, variance `improvement_sd^2 + sum_j b_j^2 sd_j^2`
//! over the covariates, which are independent normals), and the score at a visit with time-course
//! value c is `round(clamp(m0 - c I))`, so every quantity given m0 is a normal CDF (or, for the
//! mean on a continuous scale, the closed-form mean of a clamped normal). What remains is one sum
//! over the baseline score: exact on an integer scale (the rounded, truncated normal has finitely
//! many values), and composite 16-point Gauss-Legendre quadrature on a continuous scale (split at
//! the baseline values where the response threshold crosses a scale limit, so every panel is
//! smooth; relative error below 1e-12 in the tests). Late responders are a mixture over the two
//! time courses. A rating error (`symptoms.rating_sd` > 0) makes the visit score
//! `round(clamp(m0 - c I - e))` with `c I + e` normal given m0, so the same sums hold with the
//! score's normal law in place of the latent improvement's.

use crate::scenario::{Arm, CovRef, Scenario};
use crate::stats::dist::norm_cdf;

/// Exact population values of one arm at one visit (everyone randomised: no dropout).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SymptomTruth {
    /// P(responder).
    pub response: f64,
    /// P(remitter).
    pub remission: f64,
    /// Mean observed improvement (baseline score minus visit score).
    pub improvement: f64,
}

/// The baseline score's law as (value, probability) nodes: the exact distribution on an integer
/// scale, quadrature nodes and weights on a continuous one. `kinks` are baseline values where an
/// integrand is not smooth (panel boundaries on a continuous scale).
pub fn baseline_nodes(s: &Scenario, kinks: &[f64]) -> Vec<(f64, f64)> {
    let sp = &s.symptoms.spec;
    let (mu, sd) = (sp.baseline_mean, sp.baseline_sd);
    let lo = sp.inclusion_min.max(sp.scale_min);
    let hi = sp.inclusion_max.min(sp.scale_max);
    let z = normal_mass(mu, sd, lo, hi);
    let mut out = Vec::new();
    if sp.integer {
        let (kmin, kmax) = (sp.inclusion_min.ceil(), sp.inclusion_max.floor());
        let mut k = kmin;
        while k <= kmax {
            let a = if k == kmin { lo } else { (k - 0.5).max(lo) };
            let b = if k == kmax { hi } else { (k + 0.5).min(hi) };
            if b > a {
                let p = normal_mass(mu, sd, a, b) / z;
                if p > 0.0 {
                    out.push((k, p));
                }
            }
            k += 1.0;
        }
        return out;
    }
    // The density is negligible beyond 12 SD (mass < 1e-32).
    let (a, b) = (lo.max(mu - 12.0 * sd), hi.min(mu + 12.0 * sd));
    let mut cuts: Vec<f64> = kinks.iter().copied().filter(|&k| k > a && k < b).collect();
    cuts.push(a);
    cuts.push(b);
    cuts.sort_by(f64::total_cmp);
    let (nodes, weights) = gauss_legendre_16();
    const PANELS: usize = 24;
    for w in cuts.windows(2) {
        let h = (w[1] - w[0]) / PANELS as f64;
        for p in 0..PANELS {
            let (pa, pb) = (w[0] + p as f64 * h, w[0] + (p + 1) as f64 * h);
            let (c, r) = ((pa + pb) / 2.0, (pb - pa) / 2.0);
            for (x, wt) in nodes.iter().zip(&weights) {
                let m = c + r * x;
                let dens = (-0.5 * ((m - mu) / sd).powi(2)).exp()
                    / (sd * (2.0 * std::f64::consts::PI).sqrt());
                out.push((m, r * wt * dens / z));
            }
        }
    }
    out
}

/// P(a <= X <= b) for X ~ N(mu, sd), accurate in both tails.
pub fn normal_mass(mu: f64, sd: f64, a: f64, b: f64) -> f64 {
    let (za, zb) = ((a - mu) / sd, (b - mu) / sd);
    if za > 0.0 {
        norm_cdf(-za) - norm_cdf(-zb)
    } else {
        norm_cdf(zb) - norm_cdf(za)
    }
}

/// The latent improvement given the baseline score: `mean0 + slope (m0 - baseline_mean)`, SD `sd`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatentImprovement {
    /// Mean at the mean baseline score.
    pub mean0: f64,
    /// Dependence on the baseline score.
    pub slope: f64,
    /// SD given the baseline score.
    pub sd: f64,
}

impl LatentImprovement {
    /// The law of an arm's latent improvement.
    pub fn of(s: &Scenario, arm: &Arm) -> Self {
        let mut slope = 0.0;
        let mut b_cov = vec![0.0; s.covariates.len()];
        for &(c, b) in &arm.improvement_covs {
            match c {
                CovRef::BaselineScore => slope += b,
                CovRef::Covariate(j) => b_cov[j] += b,
            }
        }
        let var = arm.improvement_sd.powi(2)
            + b_cov
                .iter()
                .zip(&s.covariates)
                .map(|(b, c)| (b * c.sd).powi(2))
                .sum::<f64>();
        LatentImprovement {
            mean0: arm.improvement_mean,
            slope,
            sd: var.sqrt(),
        }
    }

    /// Mean given the baseline score.
    pub fn mean(&self, s: &Scenario, m0: f64) -> f64 {
        self.mean0 + self.slope * (m0 - s.symptoms.spec.baseline_mean)
    }
}

/// The set of latent improvements I for which a patient with baseline score m0 meets a
/// threshold on the visit score: the visit score `round(clamp(m0 - c I))` (unrounded on a
/// continuous scale) is at most `t`. Returned as an interval (lo, hi) of I, possibly empty or
/// infinite.
pub fn improvement_interval(s: &Scenario, m0: f64, c: f64, t: f64) -> (f64, f64) {
    let sp = &s.symptoms.spec;
    const ALL: (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);
    const NONE: (f64, f64) = (f64::INFINITY, f64::INFINITY);
    // The unrounded, clamped score must lie below `bound`.
    let bound = if sp.integer { t.floor() + 0.5 } else { t };
    if sp.integer {
        if bound > sp.scale_max {
            return ALL;
        }
        if bound <= sp.scale_min {
            return NONE;
        }
    } else {
        if bound >= sp.scale_max {
            return ALL;
        }
        if bound < sp.scale_min {
            return NONE;
        }
    }
    // m0 - c I below bound.
    if c > 0.0 {
        ((m0 - bound) / c, f64::INFINITY)
    } else if c < 0.0 {
        (f64::NEG_INFINITY, (m0 - bound) / c)
    } else if m0 < bound || (!sp.integer && m0 == bound) {
        ALL
    } else {
        NONE
    }
}

/// Response threshold on the visit score for baseline m0 (as in [`crate::model::Cohort::responder`]).
pub fn response_threshold(s: &Scenario, m0: f64) -> f64 {
    (1.0 - s.symptoms.spec.response_fraction) * m0 + 1e-9
}

/// The time courses at a visit as (value, weight): the usual one and, with late responders, theirs.
pub fn courses(arm: &Arm, visit: usize) -> Vec<(f64, f64)> {
    let mut v = vec![(arm.time_course[visit], 1.0 - arm.late_fraction)];
    if arm.late_fraction > 0.0 {
        v.push((arm.late_time_course[visit], arm.late_fraction));
    }
    v
}

/// Exact response and remission probabilities and mean improvement of arm `k` at `visit`.
pub fn symptom_truth(s: &Scenario, k: usize, visit: usize) -> SymptomTruth {
    let arm = &s.arms[k];
    let sp = &s.symptoms.spec;
    let lat = LatentImprovement::of(s, arm);
    let f = 1.0 - sp.response_fraction;
    let kinks: Vec<f64> = if f > 0.0 {
        vec![(sp.scale_min - 1e-9) / f, (sp.scale_max - 1e-9) / f]
    } else {
        Vec::new()
    };
    let prob_in = |(a, b): (f64, f64), m: f64, sd: f64| {
        if a >= b {
            0.0
        } else if sd == 0.0 {
            (m >= a && m <= b) as u8 as f64
        } else {
            normal_mass(m, sd, a, b)
        }
    };
    let (mut resp, mut rem, mut mean_m0, mut mean_f) = (0.0, 0.0, 0.0, 0.0);
    for (m0, w) in baseline_nodes(s, &kinks) {
        let mi = lat.mean(s, m0);
        mean_m0 += w * m0;
        for (c, wc) in courses(arm, visit) {
            let ww = w * wc;
            let rt = response_threshold(s, m0);
            if sp.rating_sd > 0.0 {
                // The visit score is round(clamp(X)), X = m0 - c I - e ~ N(m0 - c mi, sd_x).
                let (m, sd_x) = (
                    m0 - c * mi,
                    (c * c * lat.sd * lat.sd + sp.rating_sd.powi(2)).sqrt(),
                );
                resp += ww * score_at_most(s, m, sd_x, rt);
                rem += ww * score_at_most(s, m, sd_x, sp.remission_max);
                mean_f += ww * mean_score(s, m, sd_x);
                continue;
            }
            resp += ww * prob_in(improvement_interval(s, m0, c, rt), mi, lat.sd);
            rem += ww * prob_in(improvement_interval(s, m0, c, sp.remission_max), mi, lat.sd);
            mean_f += ww * mean_score(s, m0 - c * mi, (c * lat.sd).abs());
        }
    }
    SymptomTruth {
        response: resp,
        remission: rem,
        improvement: mean_m0 - mean_f,
    }
}

/// P(visit score <= t) for the score `round(clamp(X))` (unrounded on a continuous scale),
/// X ~ N(m, sd) with sd > 0 (the same bounds as [`improvement_interval`]).
fn score_at_most(s: &Scenario, m: f64, sd: f64, t: f64) -> f64 {
    let sp = &s.symptoms.spec;
    let bound = if sp.integer { t.floor() + 0.5 } else { t };
    if sp.integer {
        if bound > sp.scale_max {
            return 1.0;
        }
        if bound <= sp.scale_min {
            return 0.0;
        }
    } else {
        if bound >= sp.scale_max {
            return 1.0;
        }
        if bound < sp.scale_min {
            return 0.0;
        }
    }
    norm_cdf((bound - m) / sd)
}

/// Mean of the visit score `round(clamp(X))` (unrounded on a continuous scale), X ~ N(m, sd).
fn mean_score(s: &Scenario, m: f64, sd: f64) -> f64 {
    let sp = &s.symptoms.spec;
    let (a, b) = (sp.scale_min, sp.scale_max);
    if sd == 0.0 {
        let v = m.clamp(a, b);
        return if sp.integer { v.round() } else { v };
    }
    if !sp.integer {
        // E clamp(X, a, b) = a P(X < a) + b P(X > b) + m P(a < X < b) + sd (phi(alpha) - phi(beta)).
        let (al, be) = ((a - m) / sd, (b - m) / sd);
        let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        return a * norm_cdf(al)
            + b * norm_cdf(-be)
            + m * normal_mass(0.0, 1.0, al, be)
            + sd * (phi(al) - phi(be));
    }
    // Integer scale: E f = top - sum_{K = bottom}^{top - 1} P(f <= K), P(f <= K) = P(X < K + 1/2).
    let (bottom, top) = (a.round(), b.round());
    let mut e = top;
    let mut k = bottom;
    while k < top {
        let bound = k + 0.5;
        let p = if bound <= a {
            0.0
        } else if bound > b {
            1.0
        } else {
            norm_cdf((bound - m) / sd)
        };
        e -= p;
        k += 1.0;
    }
    e
}

/// Nodes and weights of 16-point Gauss-Legendre quadrature on [-1, 1] (Newton on P_16).
pub fn gauss_legendre_16() -> ([f64; 16], [f64; 16]) {
    const N: usize = 16;
    let (mut x, mut w) = ([0.0; N], [0.0; N]);
    for i in 0..N {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (N as f64 + 0.5)).cos();
        let mut dp = 0.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, z);
            for k in 2..=N {
                let p2 = ((2 * k - 1) as f64 * z * p1 - (k - 1) as f64 * p0) / k as f64;
                p0 = p1;
                p1 = p2;
            }
            dp = N as f64 * (z * p1 - p0) / (z * z - 1.0);
            let dz = p1 / dp;
            z -= dz;
            if dz.abs() < 1e-15 {
                break;
            }
        }
        x[i] = z;
        w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
    }
    (x, w)
}

/// Exact second moments of the observed improvement of arm `k` at `visit` (baseline score minus
/// visit score): its variance, and its covariance with the standardised latent improvement s
/// (the `improvement_sd` part of I). By Stein's identity given the baseline score,
/// E[s f] = (improvement_sd / sd_I) E[zeta f(zeta)] with zeta the standardised I, and for the
/// rounded score E[zeta 1{a < zeta < b}] = phi(a) - phi(b); for the unrounded clamped score it is
/// E[f'] = -c sd_I P(inside the scale).
pub fn improvement_moments(s: &Scenario, k: usize, visit: usize) -> (f64, f64) {
    let arm = &s.arms[k];
    let sp = &s.symptoms.spec;
    let lat = LatentImprovement::of(s, arm);
    let phi = |z: f64| {
        if z.is_finite() {
            (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
        } else {
            0.0
        }
    };
    let (mut e1, mut e2, mut es) = (0.0, 0.0, 0.0);
    for (m0, w) in baseline_nodes(s, &[]) {
        let mi = lat.mean(s, m0);
        for (c, wc) in courses(arm, visit) {
            let ww = w * wc;
            let r = sp.rating_sd;
            let (m, sd) = if r > 0.0 {
                (m0 - c * mi, (c * c * lat.sd * lat.sd + r * r).sqrt())
            } else {
                (m0 - c * mi, (c * lat.sd).abs())
            };
            // E[zeta 1{X in [a, b)}] = -(c sd_I / sd) (phi(za) - phi(zb)) by Stein's identity;
            // without rating error c sd_I / sd = sign(c).
            let load = if r > 0.0 { c * lat.sd / sd } else { c.signum() };
            // E f, E f^2 and E[zeta f] given m0 and the course.
            let (ef, ef2, ezf) = if sd == 0.0 {
                let v = m.clamp(sp.scale_min, sp.scale_max);
                let v = if sp.integer { v.round() } else { v };
                (v, v * v, 0.0)
            } else if sp.integer {
                // f = sum over its values k of k 1{f = k}; {f = k} is an interval of x = m - c sd_I zeta.
                let (bottom, top) = (sp.scale_min.round(), sp.scale_max.round());
                let (mut ef, mut ef2, mut ezf) = (0.0, 0.0, 0.0);
                let mut kk = bottom;
                while kk <= top {
                    // x in [lo_x, hi_x) gives f = kk.
                    let lo_x = if kk == bottom {
                        f64::NEG_INFINITY
                    } else {
                        kk - 0.5
                    };
                    let hi_x = if kk == top { f64::INFINITY } else { kk + 0.5 };
                    let (za, zb) = ((lo_x - m) / sd, (hi_x - m) / sd);
                    let pr = normal_mass(0.0, 1.0, za, zb);
                    ef += kk * pr;
                    ef2 += kk * kk * pr;
                    // zeta = -(x - m) / sd * sign(c): E[zeta 1{x in [a, b)}].
                    ezf += -load * kk * (phi(za) - phi(zb));
                    kk += 1.0;
                }
                (ef, ef2, ezf)
            } else {
                let (a, b) = (sp.scale_min, sp.scale_max);
                let (al, be) = ((a - m) / sd, (b - m) / sd);
                let inside = normal_mass(0.0, 1.0, al, be);
                let ef = mean_score(s, m, sd);
                let ef2 = a * a * norm_cdf(al)
                    + b * b * norm_cdf(-be)
                    + m * m * inside
                    + 2.0 * m * sd * (phi(al) - phi(be))
                    + sd * sd * (inside + al * phi(al) - be * phi(be));
                (ef, ef2, -c * lat.sd * inside)
            };
            e1 += ww * (m0 - ef);
            e2 += ww * (m0 * m0 - 2.0 * m0 * ef + ef2);
            es += ww * (-ezf);
        }
    }
    let frac = arm.improvement_sd / lat.sd;
    ((e2 - e1 * e1).max(0.0), es * frac)
}
