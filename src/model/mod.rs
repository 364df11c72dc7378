//! The generative model: draw one simulated cohort (MODEL.md section 3).
//!
//! Subjects are stored group by group: controls first, then each arm in design order. Every array is
//! flat (subject-major, `n * R` for regional values) and reused between replicates, so the hot loop
//! allocates nothing once the buffers have grown to the largest size used.
//!
//! ```
//! use trialsim::{model::Cohort, scenario};
//! let s = scenario::load("ketamine-ampar-2026").unwrap();
//! let mut c = Cohort::default();
//! c.draw(&s, &s.own_sizes(), 42, 0);
//! assert_eq!(c.n_subjects(), 83);
//! assert_eq!(c.group_range(1).len(), 17); // arm 0 (ketamine)
//! ```

use crate::rng::{self, TrialRng};
use crate::scenario::{Scenario, Sizes};
use rand::RngExt;
use rand_distr::StandardNormal;
use statrs::distribution::{ContinuousCDF, Normal};

/// One simulated cohort. Missing values are NaN.
#[derive(Debug, Clone, Default)]
pub struct Cohort {
    /// Number of regions (R).
    pub n_regions: usize,
    /// `group_start[g]..group_start[g+1]` are the subjects of group g (0 = controls, 1 + k = arm k).
    pub group_start: Vec<usize>,
    /// Observed baseline scans, `n * R` (NaN when the scan failed).
    pub baseline: Vec<f64>,
    /// Observed follow-up scans, `n * R` (NaN when not scanned, dropped out or failed).
    pub followup: Vec<f64>,
    /// True baseline values, `n * R`.
    pub true_baseline: Vec<f64>,
    /// True changes, `n * R` (0 for controls).
    pub true_change: Vec<f64>,
    /// True symptom improvement s (NaN for controls).
    pub improvement: Vec<f64>,
    /// Baseline symptom score (NaN for controls).
    pub score0: Vec<f64>,
    /// Follow-up symptom score (NaN for controls and dropouts).
    pub score1: Vec<f64>,
    /// Missed the follow-up visit.
    pub dropped: Vec<bool>,
    /// Scratch space for one subject's normals.
    z: Vec<f64>,
    w: Vec<f64>,
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

    /// Observed improvement (baseline minus follow-up score), NaN if missing.
    #[inline]
    pub fn observed_improvement(&self, i: usize) -> f64 {
        self.score0[i] - self.score1[i]
    }

    /// Responder status under the scenario's rule; `None` if the follow-up is missing.
    #[inline]
    pub fn responder(&self, s: &Scenario, i: usize) -> Option<bool> {
        let (b, f) = (self.score0[i], self.score1[i]);
        if b.is_nan() || f.is_nan() {
            return None;
        }
        Some(f <= (1.0 - s.symptoms.spec.response_fraction) * b + 1e-9)
    }

    /// Remitter status; `None` if the follow-up is missing.
    #[inline]
    pub fn remitter(&self, s: &Scenario, i: usize) -> Option<bool> {
        let f = self.score1[i];
        if f.is_nan() {
            return None;
        }
        Some(f <= s.symptoms.spec.remission_max)
    }

    fn resize(&mut self, n: usize, r: usize, d: usize) {
        self.n_regions = r;
        for v in [
            &mut self.baseline,
            &mut self.followup,
            &mut self.true_baseline,
            &mut self.true_change,
        ] {
            v.resize(n * r, 0.0);
        }
        for v in [&mut self.improvement, &mut self.score0, &mut self.score1] {
            v.resize(n, 0.0);
        }
        self.dropped.resize(n, false);
        self.z.resize(d, 0.0);
        self.w.resize(d, 0.0);
    }

    /// Draw the cohort of replicate `replicate` under master seed `seed`.
    ///
    /// Each group draws from its own stream, subject by subject, so for a fixed replicate the cohort
    /// at a larger size contains the cohort at a smaller size (common random numbers across N).
    pub fn draw(&mut self, s: &Scenario, sizes: &Sizes, seed: u64, replicate: u64) {
        let r = s.n_regions();
        let arm_counts = match s.spec.design.allocation {
            crate::scenario::Allocation::Blocked => sizes.arms.clone(),
            crate::scenario::Allocation::Simple => {
                let mut g = rng::stream(seed, replicate, rng::STREAM_ALLOCATION);
                simple_allocation(
                    &mut g,
                    sizes.patients(),
                    &s.arms.iter().map(|a| a.ratio).collect::<Vec<_>>(),
                )
            }
        };
        self.group_start.clear();
        self.group_start.push(0);
        self.group_start.push(sizes.controls);
        for c in &arm_counts {
            let last = *self.group_start.last().unwrap();
            self.group_start.push(last + c);
        }
        let n = self.n_subjects();
        self.resize(n, r, 2 * r + 1);

        let mut g = rng::stream(seed, replicate, rng::STREAM_CONTROLS);
        for i in self.group_range(0) {
            self.draw_control(s, &mut g, i);
        }
        for k in 0..s.arms.len() {
            let mut g = rng::stream(seed, replicate, rng::STREAM_ARM0 + k as u64);
            for i in self.arm_range(k) {
                self.draw_patient(s, k, &mut g, i);
            }
        }
    }

    fn draw_control(&mut self, s: &Scenario, g: &mut TrialRng, i: usize) {
        let r = s.n_regions();
        for zj in self.z[..r].iter_mut() {
            *zj = g.sample(StandardNormal);
        }
        crate::linalg::lower_mul(&s.baseline_chol, &self.z[..r], &mut self.w[..r]);
        let row = i * r..(i + 1) * r;
        for (j, reg) in s.regions.iter().enumerate() {
            self.true_baseline[row.start + j] = reg.mu + reg.sigma * self.w[j];
            self.true_change[row.start + j] = 0.0;
        }
        self.improvement[i] = f64::NAN;
        self.score0[i] = f64::NAN;
        self.score1[i] = f64::NAN;
        let fail0 = g.random::<f64>() < s.spec.measures.scan_failure;
        scan(
            g,
            s,
            &self.true_baseline[row.clone()],
            &[],
            fail0,
            &mut self.baseline[row.clone()],
        );
        if s.spec.design.rescan_controls {
            let dropped = g.random::<f64>() < s.spec.design.control_dropout;
            let fail1 = g.random::<f64>() < s.spec.measures.scan_failure;
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

    fn draw_patient(&mut self, s: &Scenario, k: usize, g: &mut TrialRng, i: usize) {
        let r = s.n_regions();
        let d = 2 * r + 1;
        let arm = &s.arms[k];
        for zj in self.z[..d].iter_mut() {
            *zj = g.sample(StandardNormal);
        }
        crate::linalg::lower_mul(&arm.joint_chol, &self.z[..d], &mut self.w[..d]);
        let row = i * r..(i + 1) * r;
        for (j, reg) in s.regions.iter().enumerate() {
            self.true_baseline[row.start + j] = reg.mu + reg.delta + reg.sigma * self.w[j];
            self.true_change[row.start + j] = arm.kappa[j] + arm.tau[j] * self.w[r + j];
        }
        let s_std = self.w[2 * r];
        let improvement = arm.improvement_mean + arm.improvement_sd * s_std;
        self.improvement[i] = improvement;

        let sym = &s.symptoms;
        let spec = &sym.spec;
        let mut m0 = draw_truncated_baseline(g, sym);
        if spec.integer {
            m0 = m0
                .round()
                .clamp(spec.inclusion_min.ceil(), spec.inclusion_max.floor());
        }
        let mut m1 = (m0 - improvement).clamp(spec.scale_min, spec.scale_max);
        if spec.integer {
            m1 = m1.round();
        }
        let p_drop = if arm.dropout_log_or == 0.0 {
            arm.dropout
        } else {
            logistic(logit(arm.dropout) + arm.dropout_log_or * s_std)
        };
        let dropped = g.random::<f64>() < p_drop;
        self.dropped[i] = dropped;
        self.score0[i] = m0;
        self.score1[i] = if dropped { f64::NAN } else { m1 };

        let fail0 = g.random::<f64>() < s.spec.measures.scan_failure;
        let fail1 = g.random::<f64>() < s.spec.measures.scan_failure;
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
        scan(g, s, tb, tc, dropped || fail1, &mut self.followup[row]);
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

/// Baseline score from the normal truncated to the inclusion range (intersected with the scale):
/// rejection when at least a quarter of the mass is admitted, inverse CDF otherwise.
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
