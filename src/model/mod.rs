//! The generative model: draw one simulated cohort (docs/model.md, section 2).
//!
//! Subjects are stored group by group: controls first, then each arm in design order (in a
//! crossover design the groups are the two sequences: arm 0 first, then arm 1 first). Every array
//! is flat (subject-major) and reused between replicates, so the hot loop allocates nothing once the
//! buffers have grown to the largest size used.
//!
//! ```
//! use trialsim::{model::Cohort, scenario};
//! let s = scenario::load("ketamine-ampar-2026").unwrap();
//! let mut c = Cohort::default();
//! c.draw(&s, &s.own_sizes(), 42, 0);
//! assert_eq!(c.n_subjects(), 83);
//! assert_eq!(c.group_range(1).len(), 17); // arm 0 (ketamine)
//! ```

pub mod dropout;
pub mod exact;
pub mod exact_rank;
pub mod summary;

use crate::rng::{self, TrialRng};
use crate::scenario::{Allocation, CovRef, DesignKind, Scenario, Sizes};
use rand::RngExt;
use rand_distr::StandardNormal;
use statrs::distribution::{ContinuousCDF, Normal};

/// One simulated cohort. Missing values are NaN.
#[derive(Debug, Clone, Default)]
pub struct Cohort {
    /// Number of regions (R).
    pub n_regions: usize,
    /// Number of visits (V).
    pub n_visits: usize,
    /// Number of covariates (C).
    pub n_covariates: usize,
    /// `group_start[g]..group_start[g+1]` are the subjects of group g (0 = controls, 1 + k = arm k;
    /// in a crossover, 1 + k = the sequence that starts with arm k).
    pub group_start: Vec<usize>,
    /// Observed first scans, `n * R` (baseline; crossover: period 1). NaN when the scan failed.
    pub baseline: Vec<f64>,
    /// Observed second scans, `n * R` (at the scan visit; crossover: period 2). NaN when not
    /// scanned, dropped out or failed.
    pub followup: Vec<f64>,
    /// True baseline values, `n * R`.
    pub true_baseline: Vec<f64>,
    /// True changes, `n * R` (0 for controls; crossover: the subject's effect of arm 0 minus arm 1).
    pub true_change: Vec<f64>,
    /// True final symptom improvement s (NaN for controls and crossover subjects).
    pub improvement: Vec<f64>,
    /// Symptom scores, `n * V` (NaN for controls, crossover subjects and missed visits).
    pub scores: Vec<f64>,
    /// Covariates, `n * C`.
    pub covariates: Vec<f64>,
    /// Late responder.
    pub late: Vec<bool>,
    /// Dropped out: missed every post-baseline visit (all-or-nothing `dropout`) or, with
    /// `dropout_per_visit`, missed at least the last visit.
    pub dropped: Vec<bool>,
    z: Vec<f64>,
    /// Per-visit draws of the current patient: rating errors then dropout uniforms.
    vis: Vec<f64>,
    w: Vec<f64>,
    pool: Vec<Pre>,
    /// Patients drawn on the observed scale (see [`Cohort::draw_patients`]).
    observed_scale: bool,
}

/// Pre-treatment characteristics of a patient drawn before allocation (logistic allocation).
#[derive(Debug, Clone, Default)]
struct Pre {
    cov: Vec<f64>,
    score0: f64,
    arm: usize,
}

impl Cohort {
    /// Number of subjects.
    pub fn n_subjects(&self) -> usize {
        *self.group_start.last().unwrap_or(&0)
    }

    /// Subjects of group g (0 = controls, 1 + k = arm k).
    pub fn group_range(&self, g: usize) -> std::ops::Range<usize> {
        self.group_start[g]..self.group_start[g + 1]
    }

    /// Subjects of arm k.
    pub fn arm_range(&self, k: usize) -> std::ops::Range<usize> {
        self.group_range(1 + k)
    }

    /// All patients (every arm).
    pub fn patient_range(&self) -> std::ops::Range<usize> {
        self.group_start[1]..self.n_subjects()
    }

    /// Group index of subject i.
    pub fn group_of(&self, i: usize) -> usize {
        self.group_start.partition_point(|&s| s <= i) - 1
    }

    /// Symptom score of subject i at visit v.
    #[inline]
    pub fn score(&self, i: usize, v: usize) -> f64 {
        self.scores[i * self.n_visits + v]
    }

    /// Observed improvement at visit v (baseline minus visit score), NaN if missing.
    #[inline]
    pub fn observed_improvement(&self, i: usize, v: usize) -> f64 {
        self.score(i, 0) - self.score(i, v)
    }

    /// Responder status at visit v under the scenario's rule; `None` if the visit is missing.
    #[inline]
    pub fn responder(&self, s: &Scenario, i: usize, v: usize) -> Option<bool> {
        let (b, f) = (self.score(i, 0), self.score(i, v));
        if b.is_nan() || f.is_nan() {
            return None;
        }
        Some(f <= (1.0 - s.symptoms.spec.response_fraction) * b + 1e-9)
    }

    /// Remitter status at visit v; `None` if the visit is missing.
    #[inline]
    pub fn remitter(&self, s: &Scenario, i: usize, v: usize) -> Option<bool> {
        let f = self.score(i, v);
        if f.is_nan() {
            return None;
        }
        Some(f <= s.symptoms.spec.remission_max)
    }

    /// Value of a pre-treatment characteristic of subject i.
    #[inline]
    pub fn characteristic(&self, i: usize, c: CovRef) -> f64 {
        match c {
            CovRef::BaselineScore => self.score(i, 0),
            CovRef::Covariate(j) => self.covariates[i * self.n_covariates + j],
        }
    }

    fn resize(&mut self, n: usize, r: usize, v: usize, nc: usize) {
        self.n_regions = r;
        self.n_visits = v;
        self.n_covariates = nc;
        for x in [
            &mut self.baseline,
            &mut self.followup,
            &mut self.true_baseline,
            &mut self.true_change,
        ] {
            x.resize(n * r, 0.0);
        }
        self.improvement.resize(n, 0.0);
        self.scores.resize(n * v, 0.0);
        self.covariates.resize(n * nc, 0.0);
        self.late.resize(n, false);
        self.dropped.resize(n, false);
        self.z.resize(2 * r + 1, 0.0);
        self.w.resize(2 * r + 1, 0.0);
        self.vis.resize(2 * v.saturating_sub(1), 0.0);
    }

    /// Draw the cohort of replicate `replicate` under master seed `seed`.
    ///
    /// Each group draws from its own stream, subject by subject, so for a fixed replicate the cohort
    /// at a larger size contains the cohort at a smaller size (common random numbers across N).
    /// Under logistic allocation the patients' pre-treatment characteristics and arms come from one
    /// shared stream (they decide the arm), and the rest from each arm's stream.
    pub fn draw(&mut self, s: &Scenario, sizes: &Sizes, seed: u64, replicate: u64) {
        self.draw_groups(s, sizes, seed, replicate, true);
    }

    /// [`Cohort::draw`] without the controls (their rows are missing values), for runs that draw
    /// the controls' statistics instead ([`summary::ControlsModel`]). The patients have the law
    /// of `draw`'s but are drawn on the observed scale: each patient's scans, changes and
    /// improvement in one correlated draw ([`crate::scenario::observed_cov`]; half the normals,
    /// no separate measurement errors), so their true values are missing (NaN). A scenario
    /// whose observed covariance is singular falls back to `draw`'s patients exactly.
    pub fn draw_patients(&mut self, s: &Scenario, sizes: &Sizes, seed: u64, replicate: u64) {
        self.draw_groups(s, sizes, seed, replicate, false);
    }

    fn draw_groups(
        &mut self,
        s: &Scenario,
        sizes: &Sizes,
        seed: u64,
        replicate: u64,
        controls: bool,
    ) {
        let (r, v, nc) = (s.n_regions(), s.visits.len(), s.covariates.len());
        let ratios: Vec<f64> = s.arms.iter().map(|a| a.ratio).collect();
        let mut alloc = rng::stream(seed, replicate, rng::STREAM_ALLOCATION);
        let arm_counts = match s.allocation {
            Allocation::Blocked => sizes.arms.clone(),
            Allocation::Simple => simple_allocation(&mut alloc, sizes.patients(), &ratios),
            Allocation::Logistic => self.logistic_pool(s, &mut alloc, sizes.patients()),
        };
        self.group_start.clear();
        self.group_start.push(0);
        self.group_start.push(sizes.controls);
        for c in &arm_counts {
            let last = *self.group_start.last().unwrap();
            self.group_start.push(last + c);
        }
        let n = self.n_subjects();
        self.resize(n, r, v, nc);
        self.observed_scale = !controls;

        if controls {
            let mut g = rng::stream(seed, replicate, rng::STREAM_CONTROLS);
            for i in self.group_range(0) {
                self.draw_control(s, &mut g, i);
            }
        } else {
            let rows = 0..sizes.controls * r;
            for x in [
                &mut self.baseline,
                &mut self.followup,
                &mut self.true_baseline,
                &mut self.true_change,
            ] {
                x[rows.clone()].fill(f64::NAN);
            }
            self.improvement[..sizes.controls].fill(f64::NAN);
            self.scores[..sizes.controls * v].fill(f64::NAN);
        }
        let pool = std::mem::take(&mut self.pool);
        for k in 0..s.arms.len() {
            let mut g = rng::stream(seed, replicate, rng::STREAM_ARM0 + k as u64);
            let mut gv = dropout::uses_visit_stream(s, &s.arms[k])
                .then(|| rng::stream(seed, replicate, rng::STREAM_VISITS + k as u64));
            let mut pre = pool.iter().filter(|p| p.arm == k);
            for i in self.arm_range(k) {
                match s.design_kind {
                    DesignKind::Crossover => self.draw_crossover(s, k, &mut g, i),
                    DesignKind::Parallel => {
                        let p = if s.allocation == Allocation::Logistic {
                            pre.next()
                        } else {
                            None
                        };
                        self.draw_patient(s, k, &mut g, gv.as_mut(), i, p)
                    }
                }
            }
        }
        self.pool = pool;
    }

    /// Draw every patient's characteristics and arm under logistic allocation; returns arm counts.
    fn logistic_pool(&mut self, s: &Scenario, g: &mut TrialRng, n: usize) -> Vec<usize> {
        let model = s
            .allocation_logit
            .as_ref()
            .expect("validated: logistic allocation has a model");
        let nc = s.covariates.len();
        self.pool.resize_with(n, Pre::default);
        let mut counts = vec![0; s.arms.len()];
        for p in self.pool.iter_mut() {
            p.cov.resize(nc, 0.0);
            for (x, c) in p.cov.iter_mut().zip(&s.covariates) {
                *x = c.mean + c.sd * g.sample::<f64, _>(StandardNormal);
            }
            p.score0 = draw_baseline_score(g, s);
            let mut eta = model.intercept;
            for &(c, b) in &model.coefficients {
                let dev = match c {
                    CovRef::BaselineScore => p.score0 - s.symptoms.spec.baseline_mean,
                    CovRef::Covariate(j) => p.cov[j] - s.covariates[j].mean,
                };
                eta += b * dev;
            }
            let in_model_arm = g.random::<f64>() < logistic(eta);
            p.arm = if in_model_arm {
                model.arm
            } else {
                1 - model.arm
            };
            counts[p.arm] += 1;
        }
        counts
    }

    fn draw_covariates(&mut self, s: &Scenario, g: &mut TrialRng, i: usize) {
        let nc = s.covariates.len();
        for (j, c) in s.covariates.iter().enumerate() {
            self.covariates[i * nc + j] = c.mean + c.sd * g.sample::<f64, _>(StandardNormal);
        }
    }

    /// Covariates and the true baseline of a subject drawn like a control (no patient shift).
    fn draw_control_baseline(&mut self, s: &Scenario, g: &mut TrialRng, i: usize) {
        let r = s.n_regions();
        self.draw_covariates(s, g, i);
        for zj in self.z[..r].iter_mut() {
            *zj = g.sample(StandardNormal);
        }
        crate::stats::linalg::lower_mul(&s.baseline_chol, &self.z[..r], &mut self.w[..r]);
        for (j, reg) in s.regions.iter().enumerate() {
            self.true_baseline[i * r + j] = reg.mu + reg.sigma * self.w[j];
        }
    }

    fn draw_control(&mut self, s: &Scenario, g: &mut TrialRng, i: usize) {
        let r = s.n_regions();
        self.draw_control_baseline(s, g, i);
        let row = i * r..(i + 1) * r;
        self.true_change[row.clone()].fill(0.0);
        self.improvement[i] = f64::NAN;
        let nv = self.n_visits;
        self.scores[i * nv..(i + 1) * nv].fill(f64::NAN);
        self.late[i] = false;
        let fail0 = g.random::<f64>() < s.scan_failure;
        scan(
            g,
            s,
            &self.true_baseline[row.clone()],
            &[],
            fail0,
            &mut self.baseline[row.clone()],
        );
        if s.rescan_controls {
            let dropped = g.random::<f64>() < s.control_dropout;
            let fail1 = g.random::<f64>() < s.scan_failure;
            self.dropped[i] = dropped;
            scan(
                g,
                s,
                &self.true_baseline[row.clone()],
                &[],
                dropped || fail1,
                &mut self.followup[row],
            );
        } else {
            self.dropped[i] = false;
            self.followup[row].fill(f64::NAN);
        }
    }

    fn draw_patient(
        &mut self,
        s: &Scenario,
        k: usize,
        g: &mut TrialRng,
        gv: Option<&mut TrialRng>,
        i: usize,
        pre: Option<&Pre>,
    ) {
        let r = s.n_regions();
        let d = 2 * r + 1;
        let nc = s.covariates.len();
        let nv = self.n_visits;
        let arm = &s.arms[k];
        let m0 = match pre {
            Some(p) => {
                self.covariates[i * nc..(i + 1) * nc].copy_from_slice(&p.cov);
                p.score0
            }
            None => {
                self.draw_covariates(s, g, i);
                draw_baseline_score(g, s)
            }
        };
        for zj in self.z[..d].iter_mut() {
            *zj = g.sample(StandardNormal);
        }
        let row = i * r..(i + 1) * r;
        // On the observed scale, w holds the scans' and changes' deviations and the standardised
        // improvement; otherwise the true values' standardised deviations.
        let observed = arm.observed_panels.as_ref().filter(|_| self.observed_scale);
        if let Some(panels) = observed {
            panels.mul(&self.z[..d], &mut self.w[..d]);
            self.true_baseline[row.clone()].fill(f64::NAN);
            self.true_change[row.clone()].fill(f64::NAN);
        } else {
            arm.joint_panels.mul(&self.z[..d], &mut self.w[..d]);
            for (j, reg) in s.regions.iter().enumerate() {
                self.true_baseline[row.start + j] =
                    reg.mu + reg.delta + reg.sigma_patients * self.w[j];
                self.true_change[row.start + j] = arm.kappa[j] + arm.tau[j] * self.w[r + j];
            }
        }
        let s_std = self.w[2 * r];
        let mut improvement = arm.improvement_mean + arm.improvement_sd * s_std;
        for &(c, b) in &arm.improvement_covs {
            let dev = match c {
                CovRef::BaselineScore => m0 - s.symptoms.spec.baseline_mean,
                CovRef::Covariate(j) => self.covariates[i * nc + j] - s.covariates[j].mean,
            };
            improvement += b * dev;
        }
        self.improvement[i] = improvement;
        let late = arm.late_fraction > 0.0 && g.random::<f64>() < arm.late_fraction;
        self.late[i] = late;
        let course = if late {
            &arm.late_time_course
        } else {
            &arm.time_course
        };

        let spec = &s.symptoms.spec;
        let p_drop = if arm.dropout_log_or == 0.0 {
            arm.dropout
        } else {
            logistic(logit(arm.dropout) + arm.dropout_log_or * s_std)
        };
        let dropped = g.random::<f64>() < p_drop;
        let (errors, uniforms) = self.vis.split_at_mut(nv - 1);
        if let Some(gv) = gv {
            dropout::draw(gv, s, arm, errors, uniforms);
        } else {
            errors.fill(0.0);
            uniforms.fill(1.0);
        }
        let sc = &mut self.scores[i * nv..(i + 1) * nv];
        sc[0] = m0;
        for v in 1..nv {
            sc[v] = if dropped {
                f64::NAN
            } else {
                let latent = m0 - course[v] * improvement - spec.rating_sd * errors[v - 1];
                let m = latent.clamp(spec.scale_min, spec.scale_max);
                if spec.integer { m.round() } else { m }
            };
        }
        let first_missed = if dropped {
            1
        } else {
            dropout::first_missed(s, arm, sc, uniforms)
        };
        sc[first_missed..].fill(f64::NAN);
        self.dropped[i] = first_missed < nv;
        let scan_missed = first_missed <= s.scan_visit;

        let fail0 = g.random::<f64>() < s.scan_failure;
        let fail1 = g.random::<f64>() < s.scan_failure;
        if observed.is_some() {
            let missed = scan_missed || fail1;
            for (j, reg) in s.regions.iter().enumerate() {
                // The follow-up scan is the (possibly failed) baseline scan plus the change.
                let b = reg.mu + reg.delta + self.w[j];
                let f = b + arm.kappa[j] + self.w[r + j];
                self.baseline[row.start + j] = if fail0 { f64::NAN } else { b };
                self.followup[row.start + j] = if missed { f64::NAN } else { f };
            }
            return;
        }
        scan(
            g,
            s,
            &self.true_baseline[row.clone()],
            &[],
            fail0,
            &mut self.baseline[row.clone()],
        );
        let (tb, tc) = (
            &self.true_baseline[row.clone()],
            &self.true_change[row.clone()],
        );
        scan(g, s, tb, tc, scan_missed || fail1, &mut self.followup[row]);
    }

    /// A crossover subject of the sequence that starts with arm `k`: period 1 under arm k, period 2
    /// under the other arm plus the period effect and arm k's carry-over.
    fn draw_crossover(&mut self, s: &Scenario, k: usize, g: &mut TrialRng, i: usize) {
        let r = s.n_regions();
        let nv = self.n_visits;
        self.draw_control_baseline(s, g, i);
        let row = i * r..(i + 1) * r;
        // Each subject's effect of each arm: kappa + tau * (correlated between regions), kept in
        // w[..2R] as [arm 0 | arm 1].
        let other = 1 - k;
        for a in 0..2 {
            for zj in self.z[..r].iter_mut() {
                *zj = g.sample(StandardNormal);
            }
            crate::stats::linalg::lower_mul(
                &s.change_chol,
                &self.z[..r],
                &mut self.w[a * r..(a + 1) * r],
            );
            for j in 0..r {
                self.w[a * r + j] = s.arms[a].kappa[j] + s.arms[a].tau[j] * self.w[a * r + j];
            }
        }
        let w = &self.w;
        let effect = |j: usize, a: usize| w[a * r + j];
        let dropped = g.random::<f64>() < s.arms[k].dropout;
        self.dropped[i] = dropped;
        let fail0 = g.random::<f64>() < s.scan_failure;
        let fail1 = g.random::<f64>() < s.scan_failure;
        for (j, reg) in s.regions.iter().enumerate() {
            let b = self.true_baseline[row.start + j];
            self.true_change[row.start + j] = effect(j, 0) - effect(j, 1);
            let e1: f64 = g.sample(StandardNormal);
            let e2: f64 = g.sample(StandardNormal);
            self.baseline[row.start + j] = if fail0 {
                f64::NAN
            } else {
                b + effect(j, k) + reg.meas_sd * e1
            };
            self.followup[row.start + j] = if dropped || fail1 {
                f64::NAN
            } else {
                b + s.period_effect[j]
                    + effect(j, other)
                    + s.arms[k].carryover[j]
                    + reg.meas_sd * e2
            };
        }
        self.improvement[i] = f64::NAN;
        self.late[i] = false;
        self.scores[i * nv..(i + 1) * nv].fill(f64::NAN);
    }
}

/// One scan: true value (+ change) plus measurement error. The errors are drawn even for a missing
/// scan so that the stream's layout, and so every later draw, does not depend on missingness.
#[inline]
fn scan(
    g: &mut TrialRng,
    s: &Scenario,
    truth: &[f64],
    change: &[f64],
    missing: bool,
    out: &mut [f64],
) {
    for (j, reg) in s.regions.iter().enumerate() {
        let e: f64 = g.sample(StandardNormal);
        let c = if change.is_empty() { 0.0 } else { change[j] };
        out[j] = if missing {
            f64::NAN
        } else {
            truth[j] + c + reg.meas_sd * e
        };
    }
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Baseline score: the normal truncated to the inclusion range (intersected with the scale),
/// rounded (and kept inside the range) on an integer scale.
fn draw_baseline_score(g: &mut TrialRng, s: &Scenario) -> f64 {
    let sym = &s.symptoms;
    let spec = &sym.spec;
    let m0 = draw_truncated_baseline(g, sym);
    if spec.integer {
        m0.round()
            .clamp(spec.inclusion_min.ceil(), spec.inclusion_max.floor())
    } else {
        m0
    }
}

/// Normal truncated to the inclusion range: rejection when at least a quarter of the mass is
/// admitted, inverse CDF otherwise.
fn draw_truncated_baseline(g: &mut TrialRng, sym: &crate::scenario::SymptomModel) -> f64 {
    let spec = &sym.spec;
    let lo = spec.inclusion_min.max(spec.scale_min);
    let hi = spec.inclusion_max.min(spec.scale_max);
    if sym.rejection {
        loop {
            let z: f64 = g.sample(StandardNormal);
            let x = spec.baseline_mean + spec.baseline_sd * z;
            if x >= lo && x <= hi {
                return x;
            }
        }
    }
    let n = Normal::new(spec.baseline_mean, spec.baseline_sd).expect("validated sd > 0");
    let u: f64 = g.random();
    n.inverse_cdf(sym.cdf_lo + u * (sym.cdf_hi - sym.cdf_lo))
        .clamp(lo, hi)
}

/// Counts per arm under simple randomisation: each patient independently by ratio.
pub fn simple_allocation(g: &mut TrialRng, n: usize, ratios: &[f64]) -> Vec<usize> {
    let total: f64 = ratios.iter().sum();
    let mut counts = vec![0; ratios.len()];
    for _ in 0..n {
        let mut u = g.random::<f64>() * total;
        let mut k = 0;
        while k + 1 < ratios.len() && u >= ratios[k] {
            u -= ratios[k];
            k += 1;
        }
        counts[k] += 1;
    }
    counts
}
