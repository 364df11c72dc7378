//! Warnings for legal values that are almost surely a unit slip: a percent typed into a fraction
//! field (`test_retest_cv: 4` for 4 %), or a fraction typed into a percent field
//! (`change_pct: 0.05` for 5 %). They are not errors, since such values can be meant, but every
//! command prints them (validate in its text, runs at the top) so a slip is not silent.
//!
//! ```
//! let mut spec = trialsim::scenario::load("ketamine-ampar-2026").unwrap().spec;
//! spec.measures.as_mut().unwrap().regions[0].test_retest_cv = 4.0;
//! let s = trialsim::scenario::resolve(spec).unwrap();
//! let w = s.warnings();
//! assert_eq!(w[0].path, "measures.regions[0].test_retest_cv");
//! assert!(w[0].to_string().contains("0.04"));
//! ```

use super::spec::{PerRegion, ScenarioSpec};
use super::types::Scenario;
use std::fmt;

/// A legal value that looks like a unit slip.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// JSON path of the field, e.g. `measures.regions[0].test_retest_cv`.
    pub path: String,
    /// The value as given.
    pub value: f64,
    /// What is odd about it and the likely fix.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}: {}", self.path, self.value, self.message)
    }
}

/// Fractions above this look like percents.
const FRACTION_MAX: f64 = 1.0;
/// Non-zero percents below this (in absolute value) look like fractions.
const PERCENT_MIN: f64 = 0.5;

impl Scenario {
    /// Values that are legal but almost surely a unit slip, in file order.
    pub fn warnings(&self) -> Vec<Warning> {
        spec_warnings(&self.spec)
    }
}

/// The warnings of a spec (see [`Scenario::warnings`]).
pub fn spec_warnings(spec: &ScenarioSpec) -> Vec<Warning> {
    let mut out = Vec::new();
    if let Some(m) = &spec.measures {
        for (i, r) in m.regions.iter().enumerate() {
            let p = format!("measures.regions[{i}]");
            let cv = r.test_retest_cv;
            if cv > FRACTION_MAX {
                let icc =
                    r.between_sd.powi(2) / (r.between_sd.powi(2) + (cv * r.control_mean).powi(2));
                out.push(Warning {
                    path: format!("{p}.test_retest_cv"),
                    value: cv,
                    message: format!(
                        "region {}: a coefficient of variation is a fraction (0.05 = 5 %); this one makes \
                         the measurement SD {cv} times the control mean (test-retest ICC {icc:.2}). \
                         If you meant {cv} %, write {}",
                        r.name,
                        tidy(cv / 100.0)
                    ),
                });
            }
            if let Some(x) = r.patient_shift_pct {
                percent(&mut out, format!("{p}.patient_shift_pct"), x);
            }
        }
    }
    for (arm, e) in &spec.arms {
        for (field, v) in [
            ("change_pct", &e.change_pct),
            ("change_sd_pct", &e.change_sd_pct),
        ] {
            let p = format!("arms.{arm}.{field}");
            match v {
                PerRegion::All(x) => percent(&mut out, p, *x),
                PerRegion::ByRegion(map) => {
                    for (k, x) in map {
                        percent(&mut out, format!("{p}.{k}"), *x);
                    }
                }
            }
        }
    }
    out
}

/// A percent field: a non-zero value below 0.5 % in size looks like a fraction.
fn percent(out: &mut Vec<Warning>, path: String, x: f64) {
    if x != 0.0 && x.abs() < PERCENT_MIN {
        out.push(Warning {
            path,
            value: x,
            message: format!(
                "this field is in percent of control_mean (5 = 5 %), so {x} means {x} %, a tiny value; \
                 if you meant the fraction {x} ({} %), write {}",
                tidy(x * 100.0),
                tidy(x * 100.0)
            ),
        });
    }
}

/// A rescaled value without binary noise (0.06 * 100 prints 6, not 6.000000000000001).
fn tidy(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{builtin, load, resolve};

    #[test]
    fn built_in_scenarios_have_no_warnings() {
        for (name, _) in builtin::BUILTIN {
            assert!(load(name).unwrap().warnings().is_empty(), "{name}");
        }
    }

    #[test]
    fn percent_in_a_fraction_field_and_fraction_in_a_percent_field() {
        let mut spec = load("ketamine-ampar-2026").unwrap().spec;
        spec.measures.as_mut().unwrap().regions[12].test_retest_cv = 12.0;
        spec.measures.as_mut().unwrap().regions[1].patient_shift_d = None;
        spec.measures.as_mut().unwrap().regions[1].patient_shift_pct = Some(-0.04);
        let arm = spec.arms.get_mut("ketamine").unwrap();
        arm.change_sd_pct = PerRegion::All(0.04);
        if let PerRegion::ByRegion(m) = &mut arm.change_pct {
            m.insert("habenula".into(), -0.06);
        }
        let w = resolve(spec).unwrap().warnings();
        let paths: Vec<&str> = w.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "measures.regions[1].patient_shift_pct",
                "measures.regions[12].test_retest_cv",
                "arms.ketamine.change_pct.habenula",
                "arms.ketamine.change_sd_pct"
            ]
        );
        // The habenula (control mean and SD from the flagship) with a CV of 12 has an ICC of 0.
        assert!(w[1].message.contains("ICC 0.00"), "{}", w[1]);
        assert!(w[1].message.contains("write 0.12"), "{}", w[1]);
        assert!(w[3].message.contains("write 4"), "{}", w[3]);
    }
}
