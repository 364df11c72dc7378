//! Group sizes of one trial and how a total enrolment is split.

use super::types::Scenario;

/// Group sizes of one simulated trial.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sizes {
    /// Controls.
    pub controls: usize,
    /// Patients per arm (expected counts; simple randomisation draws them per trial).
    pub arms: Vec<usize>,
}

impl Sizes {
    /// Patients in all arms.
    pub fn patients(&self) -> usize {
        self.arms.iter().sum()
    }
    /// Everybody enrolled.
    pub fn total(&self) -> usize {
        self.controls + self.patients()
    }
}

/// Split `n` into parts proportional to `weights` by the largest-remainder rule (ties to the earlier
/// part), so the parts always add up to `n`.
///
/// ```
/// assert_eq!(trialsim::scenario::largest_remainder(35, &[1.0, 1.0]), vec![18, 17]);
/// assert_eq!(trialsim::scenario::largest_remainder(10, &[1.0, 2.0]), vec![3, 7]);
/// ```
pub fn largest_remainder(n: usize, weights: &[f64]) -> Vec<usize> {
    let total: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| n as f64 * w / total).collect();
    let mut parts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut left = n - parts.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.partial_cmp(&ra)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

impl Scenario {
    /// Sizes as written in the scenario.
    pub fn own_sizes(&self) -> Sizes {
        self.sizes_with(self.n_controls, self.n_patients)
    }

    /// Sizes for the given numbers of controls and patients (arms split by ratio).
    pub fn sizes_with(&self, controls: usize, patients: usize) -> Sizes {
        let ratios: Vec<f64> = self.arms.iter().map(|a| a.ratio).collect();
        let arms = if ratios.is_empty() {
            Vec::new()
        } else {
            largest_remainder(patients, &ratios)
        };
        Sizes { controls, arms }
    }

    /// Sizes for a total enrolment `n`, keeping the scenario's proportions: controls and patients
    /// split by the largest-remainder rule in the scenario's control:patient ratio, then patients
    /// split across arms by the allocation ratios the same way.
    pub fn sizes_for_total(&self, n: usize) -> Sizes {
        let split = largest_remainder(n, &[self.n_controls as f64, self.n_patients as f64]);
        self.sizes_with(split[0], split[1])
    }
}
