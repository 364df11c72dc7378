//! Sizes and the significance level set by the planner (`--controls`, `--patients`, `--arm`,
//! `--alpha`): a study whose own sizes or alpha are these, so that every run of it (power at the
//! scenario's size, the groups a sample-size search holds, the curve's split) uses them.

use super::Study;
use crate::error::{RunError, Setting};
use crate::scenario::largest_remainder;

/// Group sizes asked for; `None` keeps the scenario's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupSizes {
    /// Controls.
    pub controls: Option<usize>,
    /// Patients, split across arms by the allocation ratios (unless `arms` gives each arm).
    pub patients: Option<usize>,
    /// Patients per arm by name; when given, every arm must be named and the allocation ratios
    /// become these sizes.
    pub arms: Vec<(String, usize)>,
}

impl GroupSizes {
    /// Whether nothing is asked for.
    pub fn is_empty(&self) -> bool {
        self.controls.is_none() && self.patients.is_none() && self.arms.is_empty()
    }
}

impl Study {
    /// The study with significance level `alpha` (in (0, 1)) instead of `analysis.alpha`.
    ///
    /// ```
    /// let s = trialsim::Study::load("peer-comparison").unwrap().with_alpha(0.01).unwrap();
    /// assert_eq!(s.scenario().alpha, 0.01);
    /// assert!(trialsim::Study::load("null").unwrap().with_alpha(1.0).is_err());
    /// ```
    pub fn with_alpha(&self, alpha: f64) -> Result<Study, RunError> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(RunError::setting(
                Setting::Alpha,
                format!("must be between 0 and 1 (exclusive), got {alpha}"),
            ));
        }
        let mut study = self.clone();
        study.scenario.alpha = alpha;
        study.scenario.spec.analysis.alpha = alpha;
        Ok(study)
    }

    /// The study with other own group sizes. The analysis plan is kept even when a family can no
    /// longer run at these sizes (e.g. a baseline family with no controls): power runs then report
    /// that family as not run.
    ///
    /// ```
    /// use trialsim::{Study, study::GroupSizes};
    /// let study = Study::load("ketamine-ampar-2026").unwrap();
    /// let g = GroupSizes { controls: Some(0), arms: vec![("ketamine".into(), 30), ("placebo".into(), 20)], ..Default::default() };
    /// let s = study.with_group_sizes(&g).unwrap();
    /// assert_eq!(s.scenario().own_sizes().arms, vec![30, 20]);
    /// assert_eq!(s.scenario().own_sizes().controls, 0);
    /// ```
    pub fn with_group_sizes(&self, g: &GroupSizes) -> Result<Study, RunError> {
        if g.is_empty() {
            return Ok(self.clone());
        }
        let s = &self.scenario;
        let bad = |m: String| RunError::setting(Setting::Groups, m);
        let names: Vec<&str> = s.arms.iter().map(|a| a.name.as_str()).collect();
        let arms: Vec<usize> = if g.arms.is_empty() {
            let patients = g.patients.unwrap_or(s.n_patients);
            if s.arms.is_empty() {
                if patients > 0 {
                    return Err(bad(format!(
                        "the scenario has no arms, so it cannot have {patients} patients"
                    )));
                }
                Vec::new()
            } else {
                let ratios: Vec<f64> = s.arms.iter().map(|a| a.ratio).collect();
                largest_remainder(patients, &ratios)
            }
        } else {
            let mut per = vec![None; names.len()];
            for (name, n) in &g.arms {
                let Some(k) = names.iter().position(|a| a == name) else {
                    return Err(bad(format!(
                        "no arm '{name}' in the design (arms: {})",
                        names.join(", ")
                    )));
                };
                if per[k].replace(*n).is_some() {
                    return Err(bad(format!("arm '{name}' is given twice")));
                }
            }
            if let Some(k) = per.iter().position(Option::is_none) {
                return Err(bad(format!(
                    "give every arm a size (arm '{}' has none; arms: {})",
                    names[k],
                    names.join(", ")
                )));
            }
            let arms: Vec<usize> = per.into_iter().flatten().collect();
            let sum = arms.iter().try_fold(0usize, |a, &n| a.checked_add(n));
            if let Some(p) = g.patients
                && sum != Some(p)
            {
                return Err(bad(format!(
                    "the arm sizes add up to {} patients, not the {p} given",
                    sum.map_or("too many".into(), |x| x.to_string())
                )));
            }
            arms
        };
        if arms.iter().sum::<usize>() > 0 && arms.contains(&0) {
            return Err(bad(format!(
                "{} patients leave an arm empty ({}): give at least one patient per arm",
                arms.iter().sum::<usize>(),
                names
                    .iter()
                    .zip(&arms)
                    .map(|(a, n)| format!("{a}={n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let controls = g.controls.unwrap_or(s.n_controls);
        let scenario = s.resized(controls, &arms).map_err(|problems| {
            bad(problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; "))
        })?;
        Ok(Study {
            scenario,
            label: self.label.clone(),
            text: self.text.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagship() -> Study {
        Study::load("ketamine-ampar-2026").unwrap()
    }

    #[test]
    fn patients_split_by_ratio_and_controls_kept() {
        let g = GroupSizes {
            patients: Some(41),
            ..Default::default()
        };
        let s = flagship().with_group_sizes(&g).unwrap();
        let z = s.scenario().own_sizes();
        assert_eq!((z.controls, z.arms.clone()), (49, vec![21, 20]));
    }

    #[test]
    fn bad_group_sizes_are_setting_errors() {
        for g in [
            GroupSizes {
                arms: vec![("ketamin".into(), 3), ("placebo".into(), 3)],
                ..Default::default()
            },
            GroupSizes {
                arms: vec![("ketamine".into(), 3)],
                ..Default::default()
            },
            GroupSizes {
                patients: Some(7),
                arms: vec![("ketamine".into(), 3), ("placebo".into(), 3)],
                ..Default::default()
            },
            GroupSizes {
                patients: Some(1),
                ..Default::default()
            },
            GroupSizes {
                controls: Some(usize::MAX / 2),
                ..Default::default()
            },
        ] {
            let e = flagship().with_group_sizes(&g).unwrap_err();
            assert!(
                matches!(
                    e,
                    RunError::Setting {
                        setting: Setting::Groups,
                        ..
                    }
                ),
                "{g:?}: {e}"
            );
        }
    }

    #[test]
    fn alpha_is_checked_and_used() {
        assert!(flagship().with_alpha(0.0).is_err());
        assert!(flagship().with_alpha(f64::NAN).is_err());
        let s = flagship().with_alpha(0.2).unwrap();
        assert_eq!(s.spec_json()["analysis"]["alpha"], 0.2);
    }
}
