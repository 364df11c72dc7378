//! Group sizes of one trial and how a total enrolment is split.

use super::types::Scenario;
use crate::error::Problem;

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
    /// Everybody enrolled, or `None` when the count overflows (sizes from an untrusted source).
    pub fn checked_total(&self) -> Option<usize> {
        self.arms
            .iter()
            .try_fold(self.controls, |acc, &a| acc.checked_add(a))
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
    let k = weights.len();
    if k == 0 {
        return Vec::new();
    }
    // Weights that are not finite and >= 0, or whose sum is not a finite positive number, cannot
    // define proportions: split equally instead of dividing by infinity or zero (validation refuses
    // such weights; this keeps the function total for any input).
    let total: f64 = weights.iter().sum();
    let usable =
        total.is_finite() && total > 0.0 && weights.iter().all(|w| w.is_finite() && *w >= 0.0);
    let share = |w: f64| if usable { w / total } else { 1.0 / k as f64 };
    // Divide first so that n * share cannot overflow; `as usize` saturates.
    let exact: Vec<f64> = weights.iter().map(|&w| n as f64 * share(w)).collect();
    let mut parts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    // For n near 2^64 the floating product can exceed n by rounding: take the excess back from the
    // largest parts (each step empties a part or finishes, so at most k steps).
    let mut sum: u128 = parts.iter().map(|&p| p as u128).sum();
    while sum > n as u128 {
        let excess = sum - n as u128;
        let i = (0..k)
            .max_by_key(|&i| (parts[i], std::cmp::Reverse(i)))
            .unwrap_or(0);
        let take = excess.min(parts[i] as u128) as usize;
        parts[i] -= take;
        sum -= take as u128;
    }
    let left = (n as u128 - sum) as usize;
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.partial_cmp(&ra)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    // Whole rounds first (only when rounding lost more than one per part), then one each in
    // remainder order: no unbounded cycle.
    let (rounds, rest) = (left / k, left % k);
    for p in parts.iter_mut() {
        *p += rounds;
    }
    for &i in order.iter().take(rest) {
        parts[i] += 1;
    }
    parts
}

/// Which groups a sample-size search or a power curve grows; the others are held at the
/// scenario's sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grow {
    /// Patients only (split across arms by the allocation ratios); N counts patients.
    Patients,
    /// Controls only; N counts controls.
    Controls,
    /// Everybody, in the scenario's control:patient proportions; N counts everybody.
    All,
}

impl Grow {
    /// The word for the groups grown (`patients`, `controls`, `all`).
    pub fn as_str(self) -> &'static str {
        match self {
            Grow::Patients => "patients",
            Grow::Controls => "controls",
            Grow::All => "all",
        }
    }

    /// What N counts: `patients`, `controls` or `subjects`.
    pub fn counts(self) -> &'static str {
        match self {
            Grow::Patients => "patients",
            Grow::Controls => "controls",
            Grow::All => "subjects",
        }
    }
}

impl std::str::FromStr for Grow {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "patients" => Ok(Grow::Patients),
            "controls" => Ok(Grow::Controls),
            "all" => Ok(Grow::All),
            _ => Err(format!("expected patients, controls or all, got '{s}'")),
        }
    }
}

/// A group with fewer subjects than a family's analysis needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// The family.
    pub family: String,
    /// The group (`controls`, `patients` or an arm name).
    pub group: String,
    /// Subjects needed.
    pub need: usize,
    /// Subjects the sizes give.
    pub have: usize,
}

impl Scenario {
    /// The first group too small for a family's analysis at `sizes` (two per compared group,
    /// three for a correlation, four for a prediction), if any.
    pub fn size_shortfall(&self, sizes: &Sizes) -> Option<Shortfall> {
        use super::FamilyKind::*;
        for f in &self.families {
            let arm = |k: usize| (self.arms[k].name.clone(), sizes.arms[k]);
            let need: Vec<(String, usize)> = match f.kind {
                BaselineDifference => vec![
                    ("controls".into(), sizes.controls),
                    ("patients".into(), sizes.patients()),
                ],
                ArmChange | Clinical | Crossover => vec![arm(f.arms.0), arm(f.arms.1)],
                WithinArmChange | Correlation | Prediction => vec![arm(f.arms.0)],
            };
            let min = match f.kind {
                Correlation => 3,
                Prediction => 4,
                _ => 2,
            };
            if let Some((group, have)) = need.into_iter().find(|(_, n)| *n < min) {
                return Some(Shortfall {
                    family: f.name.clone(),
                    group,
                    need: min,
                    have,
                });
            }
        }
        None
    }

    /// Every group too small for its family's analysis at `sizes`, one entry per family that
    /// cannot run (a family gated by one that cannot run cannot run either).
    pub fn shortfalls(&self, sizes: &Sizes) -> Vec<Shortfall> {
        let mut out: Vec<Shortfall> = Vec::new();
        for (i, f) in self.families.iter().enumerate() {
            let one = Scenario {
                families: vec![f.clone()],
                ..self.clone()
            };
            if let Some(s) = one.size_shortfall(sizes) {
                out.push(s);
            } else if let Some(g) = f.gate
                && let Some(gs) = out.iter().find(|s| s.family == self.families[g].name)
            {
                out.push(Shortfall {
                    family: self.families[i].name.clone(),
                    ..gs.clone()
                });
            }
        }
        out
    }

    /// The groups a family's analysis uses, with its gates': patients only for every kind but a
    /// baseline patients-vs-controls family, which uses both. `None` for an unknown family.
    pub fn grow_rule(&self, family: &str) -> Option<Grow> {
        use super::FamilyKind::BaselineDifference;
        let mut cur = self.families.iter().position(|f| f.name == family);
        cur?;
        while let Some(i) = cur {
            if self.families[i].kind == BaselineDifference {
                return Some(Grow::All);
            }
            cur = self.families[i].gate;
        }
        Some(Grow::Patients)
    }

    /// The sizes at which the grown groups count `n` and the others keep the scenario's sizes.
    pub fn grown_sizes(&self, n: usize, grow: Grow) -> Sizes {
        match grow {
            Grow::Patients => self.sizes_with(self.n_controls, n),
            Grow::Controls => Sizes {
                controls: n,
                arms: self.own_sizes().arms,
            },
            Grow::All => self.sizes_for_total(n),
        }
    }

    /// The groups held when growing `grow`, with their sizes (controls, or each arm).
    pub fn held_groups(&self, grow: Grow) -> Vec<(String, usize)> {
        match grow {
            Grow::Patients => vec![("controls".into(), self.n_controls)],
            Grow::Controls => self
                .arms
                .iter()
                .zip(self.own_sizes().arms)
                .map(|(a, n)| (a.name.clone(), n))
                .collect(),
            Grow::All => Vec::new(),
        }
    }

    /// The scenario with other own sizes: `controls`, and patients per arm (in design order; the
    /// allocation ratios become these sizes). The plan is kept as it is, even when a family can no
    /// longer run at these sizes (runs report such a family as not run).
    pub fn resized(&self, controls: usize, arms: &[usize]) -> Result<Scenario, Vec<Problem>> {
        let mut spec = self.spec_with_families();
        let mut problems = Vec::new();
        if arms.len() != spec.design.arms.len() {
            problems.push(Problem {
                path: "design.arms".into(),
                message: format!(
                    "{} arm sizes given for {} arms",
                    arms.len(),
                    spec.design.arms.len()
                ),
            });
        }
        let patients: usize = arms.iter().sum();
        if patients > 0 {
            for (k, (a, &n)) in spec.design.arms.iter_mut().zip(arms).enumerate() {
                if n == 0 {
                    problems.push(Problem {
                        path: format!("design.arms[{k}]"),
                        message: format!(
                            "arm '{}' would get no patients: give every arm at least 1",
                            a.name
                        ),
                    });
                }
                a.ratio = n as f64;
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        // The plan refuses a baseline family without controls; resolve with the scenario's
        // controls and set the count afterwards (the run reports that family as not run).
        spec.design.controls = if controls == 0 {
            self.n_controls
        } else {
            controls
        };
        spec.design.patients = patients;
        let mut out = super::resolve::resolve_any_size(spec)?;
        out.n_controls = controls;
        out.spec.design.controls = controls;
        if out.own_sizes().arms != arms && patients > 0 {
            return Err(vec![Problem {
                path: "design.arms".into(),
                message: format!("arm sizes {arms:?} cannot be kept"),
            }]);
        }
        Ok(out)
    }

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
