//! What-if edits of a scenario: one number by its path, or every effect by one multiplier.
//!
//! A path has the syntax of the scenario's `provenance` map: segments joined by `.`, object keys or
//! array items' `name` values (an item's position also works), `*` for every key or item of a level,
//! e.g. `arms.ketamine.improvement_mean`, `measures.regions.habenula.test_retest_cv`,
//! `measures.regions.*.test_retest_cv`, `analysis.alpha`. The edit is made on the resolved scenario
//! (every default spelled out, [`Study::spec_json`]) and the result is validated again: a value
//! that does not give a valid scenario is an error carrying the scenario's field paths.
//!
//! `effect_scale` (see [`Study::with_effect_scale`]) multiplies every effect: each deviation from
//! its null.

use super::Study;
use crate::error::{RunError, ScenarioError, Setting};
use crate::scenario::spec::{ArmEffects, FamilyKind, PerRegion};
use serde_json::Value;

/// The name of the one multiplier of every effect.
pub const EFFECT_SCALE: &str = "effect_scale";

/// Why a scenario could not be edited.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaryError {
    /// The path names no numeric field, or the value is not a finite number.
    #[error(transparent)]
    Setting(#[from] RunError),
    /// The edited scenario is not valid (its label names the parameter and value).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}

impl From<VaryError> for RunError {
    fn from(e: VaryError) -> RunError {
        match e {
            VaryError::Setting(r) => r,
            VaryError::Scenario(s) => RunError::InvalidPoint(Box::new(s)),
        }
    }
}

fn bad(reason: String) -> VaryError {
    VaryError::Setting(RunError::setting(Setting::Vary, reason))
}

impl Study {
    /// The study with the number at `path` set to `value` (or, for `path` = `effect_scale`, every
    /// effect scaled by `value`; see [`Study::with_effect_scale`]).
    ///
    /// ```
    /// let study = trialsim::Study::load("ketamine-ampar-2026").unwrap();
    /// let edited = study.with_value("arms.placebo.improvement_mean", 4.0).unwrap();
    /// let placebo = edited.scenario().arms.iter().find(|a| a.name == "placebo").unwrap();
    /// assert_eq!(placebo.improvement_mean, 4.0);
    /// // A value that makes the scenario invalid is reported with the field's path.
    /// let err = study.with_value("measures.regions.habenula.between_sd", -1.0).unwrap_err();
    /// assert!(err.to_string().contains("habenula"));
    /// ```
    pub fn with_value(&self, path: &str, value: f64) -> Result<Study, VaryError> {
        if !value.is_finite() {
            return Err(bad(format!(
                "{path}: the value must be a finite number, got {value}"
            )));
        }
        if path == EFFECT_SCALE {
            return self.with_effect_scale(value);
        }
        let segs: Vec<&str> = path.split('.').collect();
        if segs.iter().any(|s| s.is_empty()) {
            return Err(bad(format!(
                "'{path}' is not a path: segments joined by '.', e.g. arms.ketamine.improvement_mean"
            )));
        }
        let mut json = self.spec_json();
        let set =
            set_path(&mut json, &segs, value).map_err(|reason| bad(format!("{path}: {reason}")))?;
        if set == 0 {
            return Err(bad(format!("{path}: the path matches no field")));
        }
        Study::from_value(&point_label(self.label(), path, value), json).map_err(VaryError::from)
    }

    /// The study with every effect multiplied by `k` (1 gives the same scenario, 0 the null one).
    ///
    /// Exactly what is scaled, each as a deviation from its null:
    /// - every region's patient shift (`patient_shift_d` or `patient_shift_pct`): times `k`;
    /// - every arm's mean true biomarker change (`change` and `change_pct`, every region and the
    ///   `"*"` entry): times `k`. Within-arm changes (null 0) and the differences between arms
    ///   therefore both scale by `k`;
    /// - symptom improvement relative to the reference arm: for every arm other than the
    ///   reference, `improvement_mean = ref + k * (improvement_mean - ref)`; the reference arm's
    ///   own improvement (a placebo response) is kept. The reference is the second arm of the
    ///   first `clinical` family (else of the first `arm_change` family, else the design's second
    ///   arm); a one-arm design has no between-arm improvement difference and its mean is kept;
    /// - every arm's biomarker-symptom correlations (`change_improvement_corr`,
    ///   `baseline_improvement_corr`): times `k`.
    ///
    /// Not scaled (they are not effects under test): SDs and heterogeneity (`change_sd`),
    /// the baseline-change correlation, between-region correlations, dropout, time courses,
    /// covariate effects, allocation, crossover period and carry-over effects.
    ///
    /// ```
    /// let study = trialsim::Study::load("ketamine-ampar-2026").unwrap();
    /// let half = study.with_effect_scale(0.5).unwrap();
    /// let arm = |s: &trialsim::Study, name: &str| s.scenario().arms.iter()
    ///     .find(|a| a.name == name).unwrap().improvement_mean;
    /// // ketamine 8.1 vs placebo 2.5: the difference 5.6 halves, placebo stays.
    /// assert!((arm(&half, "ketamine") - 5.3).abs() < 1e-12);
    /// assert_eq!(arm(&half, "placebo"), 2.5);
    /// ```
    pub fn with_effect_scale(&self, k: f64) -> Result<Study, VaryError> {
        if !k.is_finite() {
            return Err(bad(format!(
                "{EFFECT_SCALE} must be a finite number, got {k}"
            )));
        }
        let mut spec = self.scenario.spec.clone();
        if let Some(m) = spec.measures.as_mut() {
            for r in &mut m.regions {
                r.patient_shift_d = r.patient_shift_d.map(|d| d * k);
                r.patient_shift_pct = r.patient_shift_pct.map(|d| d * k);
            }
        }
        let reference = reference_arm(self);
        let ref_improvement = reference
            .as_ref()
            .map(|name| spec.arms.get(name).map_or(0.0, |a| a.improvement_mean));
        // Arms absent from `arms` have no effect (improvement 0); they still differ from the
        // reference, so they get an entry when the reference improves.
        if let Some(r) = ref_improvement
            && r != 0.0
        {
            for a in &spec.design.arms {
                if !spec.arms.contains_key(&a.name) {
                    let empty: ArmEffects =
                        serde_json::from_str("{}").expect("every arm field has a default");
                    spec.arms.insert(a.name.clone(), empty);
                }
            }
        }
        for (name, a) in spec.arms.iter_mut() {
            scale_per_region(&mut a.change, k);
            scale_per_region(&mut a.change_pct, k);
            scale_per_region(&mut a.change_improvement_corr, k);
            scale_per_region(&mut a.baseline_improvement_corr, k);
            if let (Some(r), Some(ref_name)) = (ref_improvement, reference.as_ref())
                && name != ref_name
            {
                a.improvement_mean = r + k * (a.improvement_mean - r);
            }
        }
        let label = point_label(self.label(), EFFECT_SCALE, k);
        let scenario =
            crate::scenario::resolve(spec).map_err(|problems| ScenarioError::Invalid {
                file: label.clone(),
                problems,
            })?;
        Ok(Study {
            scenario,
            label,
            text: None,
        })
    }

    /// The study with several edits applied in order ([`Study::with_value`] each).
    pub fn with_values(&self, values: &[(String, f64)]) -> Result<Study, VaryError> {
        let mut study = self.clone();
        for (path, v) in values {
            study = study.with_value(path, *v)?;
        }
        if values.len() > 1 {
            study.label = format!(
                "{} at {}",
                self.label(),
                values
                    .iter()
                    .map(|(p, v)| format!("{p}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        Ok(study)
    }
}

/// The arm whose symptom improvement the comparisons are made against (see
/// [`Study::with_effect_scale`]).
fn reference_arm(study: &Study) -> Option<String> {
    let s = study.scenario();
    let by_kind = |kind: FamilyKind| {
        s.families
            .iter()
            .find(|f| f.kind == kind)
            .map(|f| s.arms[f.arms.1].name.clone())
    };
    by_kind(FamilyKind::Clinical)
        .or_else(|| by_kind(FamilyKind::ArmChange))
        .or_else(|| s.spec.design.arms.get(1).map(|a| a.name.clone()))
}

fn scale_per_region(p: &mut PerRegion, k: f64) {
    match p {
        PerRegion::All(x) => *x *= k,
        PerRegion::ByRegion(m) => m.values_mut().for_each(|x| *x *= k),
    }
}

fn point_label(label: &str, path: &str, value: f64) -> String {
    format!("{label} at {path}={value}")
}

/// Set every number matched by `segs` under `v` to `x`; returns how many were set.
pub(super) fn set_path(v: &mut Value, segs: &[&str], x: f64) -> Result<usize, String> {
    let (head, rest) = (segs[0], &segs[1..]);
    if rest.is_empty() {
        return set_leaf(v, head, x);
    }
    let mut n = 0;
    match v {
        Value::Object(m) => {
            if head == "*" {
                for child in m.values_mut() {
                    n += set_path(child, rest, x)?;
                }
            } else {
                let names = keys(m);
                let child = m
                    .get_mut(head)
                    .ok_or_else(|| format!("no field '{head}' (fields: {names})"))?;
                n += set_path(child, rest, x)?;
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                if head == "*" || item_name(child, i) == head {
                    n += set_path(child, rest, x)?;
                }
            }
            if n == 0 && head != "*" {
                return Err(format!("no item named '{head}'"));
            }
        }
        _ => return Err(format!("'{head}' is inside a value that has no fields")),
    }
    Ok(n)
}

/// Set field `key` of `v` (an object, an array, or a number that stands for every region).
fn set_leaf(v: &mut Value, key: &str, x: f64) -> Result<usize, String> {
    if let Value::Number(n) = v {
        // One number for every region: keep it for the others and set this one.
        let mut m = serde_json::Map::new();
        m.insert("*".into(), Value::Number(n.clone()));
        *v = Value::Object(m);
    }
    match v {
        Value::Object(m) => {
            if key == "*" {
                let mut n = 0;
                for child in m.values_mut() {
                    n += set_number(child, x)?;
                }
                return Ok(n);
            }
            if let Some(child) = m.get_mut(key) {
                return set_number(child, x);
            }
            // A field left out (a default not spelled out, or a region absent from a per-region
            // map): added; a misspelt name is then refused by validation as an unknown field.
            m.insert(key.to_string(), number(x, false));
            Ok(1)
        }
        Value::Array(items) => {
            let mut n = 0;
            for (i, child) in items.iter_mut().enumerate() {
                if key == "*" || item_name(child, i) == key {
                    n += set_number(child, x)?;
                }
            }
            if n == 0 {
                return Err(format!("no item named '{key}'"));
            }
            Ok(n)
        }
        _ => Err(format!("'{key}' is inside a value that has no fields")),
    }
}

fn set_number(v: &mut Value, x: f64) -> Result<usize, String> {
    match v {
        Value::Number(n) => {
            *v = number(x, n.is_u64() || n.is_i64());
            Ok(1)
        }
        Value::Null => {
            *v = number(x, false);
            Ok(1)
        }
        // A per-region map: every region and the default.
        Value::Object(m) if !m.is_empty() && m.values().all(Value::is_number) => {
            for c in m.values_mut() {
                set_number(c, x)?;
            }
            Ok(m.len())
        }
        other => Err(format!(
            "the field holds {}, not a number",
            match other {
                Value::Object(_) => "an object",
                Value::Array(_) => "a list",
                Value::String(_) => "text",
                Value::Bool(_) => "true/false",
                _ => "something else",
            }
        )),
    }
}

/// A JSON number; whole values of integer fields (group sizes) stay integers.
fn number(x: f64, integer: bool) -> Value {
    if integer && x.fract() == 0.0 && x.abs() < 9.0e15 {
        if x >= 0.0 {
            Value::from(x as u64)
        } else {
            Value::from(x as i64)
        }
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

fn item_name(v: &Value, i: usize) -> String {
    v.get("name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| i.to_string())
}

fn keys(m: &serde_json::Map<String, Value>) -> String {
    m.keys().cloned().collect::<Vec<_>>().join(", ")
}

/// Parse the values of a grid: `FROM:TO:STEP` (inclusive, to within a millionth of a step) or
/// `v1,v2,...`.
///
/// ```
/// use trialsim::study::vary::parse_values;
/// assert_eq!(parse_values("0.5:1.5:0.5").unwrap(), vec![0.5, 1.0, 1.5]);
/// assert_eq!(parse_values("0.2,0.1").unwrap(), vec![0.2, 0.1]);
/// assert!(parse_values("1:0:0.5").is_err());
/// ```
pub fn parse_values(text: &str) -> Result<Vec<f64>, RunError> {
    let err = |why: &str| {
        RunError::setting(
            Setting::Vary,
            format!("expected FROM:TO:STEP or v1,v2,...: {why}, got '{text}'"),
        )
    };
    let num = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| err(&format!("'{s}' is not a finite number")))
    };
    if text.contains(':') {
        let p: Vec<&str> = text.split(':').collect();
        if p.len() != 3 {
            return Err(err("three numbers"));
        }
        let (a, b, step) = (num(p[0])?, num(p[1])?, num(p[2])?);
        if !(step > 0.0) || b < a {
            return Err(err("STEP must be > 0 and TO >= FROM"));
        }
        let k = ((b - a) / step + 1e-6).floor() as usize;
        if k >= 10_000 {
            return Err(err("more than 10,000 values"));
        }
        // Each value computed from FROM (not by repeated addition), rounded to 12 significant
        // digits so that 0.1:0.3:0.1 gives 0.3, not 0.30000000000000004.
        return Ok((0..=k).map(|i| round12(a + i as f64 * step)).collect());
    }
    text.split(',').map(num).collect()
}

fn round12(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// Parse `PARAM=VALUES` (see [`parse_values`]).
pub fn parse_param(text: &str) -> Result<(String, Vec<f64>), RunError> {
    let Some((p, v)) = text.split_once('=') else {
        return Err(RunError::setting(
            Setting::Vary,
            format!(
                "expected PARAM=FROM:TO:STEP or PARAM=v1,v2,..., e.g. effect_scale=0.5:1.5:0.25, got '{text}'"
            ),
        ));
    };
    Ok((p.trim().to_string(), parse_values(v)?))
}

/// The studies of a what-if grid, each with its parameter values (empty for no parameters), in
/// [`product`] order. Every point is checked before anything runs: the first invalid one is a
/// [`RunError::InvalidPoint`] naming the parameter values and the scenario's fields.
pub fn grid_studies(
    study: &Study,
    vary: &[(String, Vec<f64>)],
) -> Result<Vec<(super::power::GridValues, Study)>, RunError> {
    for (p, values) in vary {
        if values.is_empty() {
            return Err(RunError::setting(Setting::Vary, format!("{p}: no values")));
        }
        if vary.iter().filter(|(q, _)| q == p).count() > 1 {
            return Err(RunError::setting(
                Setting::Vary,
                format!("{p} is varied twice: give its values in one list"),
            ));
        }
    }
    if vary.is_empty() {
        return Ok(Vec::new());
    }
    product(vary)
        .into_iter()
        .map(|point| {
            let s = study.with_values(&point)?;
            Ok((point, s))
        })
        .collect()
}

/// Every combination of the parameters' values (the first parameter varies slowest).
pub fn product(params: &[(String, Vec<f64>)]) -> Vec<Vec<(String, f64)>> {
    let mut out: Vec<Vec<(String, f64)>> = vec![Vec::new()];
    for (name, values) in params {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                values.iter().map(move |&v| {
                    let mut p = prefix.clone();
                    p.push((name.clone(), v));
                    p
                })
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ketamine() -> Study {
        Study::load("ketamine-ampar-2026").unwrap()
    }

    #[test]
    fn scale_one_is_identity_and_zero_is_null() {
        let s = ketamine();
        let one = s.with_effect_scale(1.0).unwrap();
        assert_eq!(one.scenario().spec, s.scenario().spec);
        let zero = s.with_effect_scale(0.0).unwrap();
        let z = zero.scenario();
        assert!(z.regions.iter().all(|r| r.delta == 0.0));
        for a in &z.arms {
            assert!(a.kappa.iter().all(|&k| k == 0.0));
            assert!(a.rho_cs.iter().chain(&a.rho_bs).all(|&r| r == 0.0));
            assert_eq!(a.improvement_mean, 2.5, "{}", a.name);
        }
    }

    #[test]
    fn scale_beyond_a_valid_correlation_is_reported_with_its_field() {
        // ketamine's change-improvement correlation in superior_frontal is 0.35: times 3 is 1.05.
        let e = ketamine().with_effect_scale(3.0).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("effect_scale=3"), "{text}");
        assert!(text.contains("superior_frontal"), "{text}");
    }

    #[test]
    fn paths_by_name_wildcard_and_per_region_number() {
        let s = ketamine();
        let e = s
            .with_value("measures.regions.*.test_retest_cv", 0.02)
            .unwrap();
        assert!(
            e.scenario()
                .regions
                .iter()
                .all(|r| (r.meas_sd - 0.02 * r.mu).abs() < 1e-15)
        );
        // change_sd_pct is one number for every region: setting one region keeps the others.
        let e = s
            .with_value("arms.ketamine.change_sd_pct.habenula", 8.0)
            .unwrap();
        let k = &e.scenario().arms[0];
        let hab = e.scenario().region_index("habenula").unwrap();
        let cer = e.scenario().region_index("cerebellum").unwrap();
        assert!((k.tau[hab] - 0.08 * 0.95).abs() < 1e-12);
        assert!((k.tau[cer] - 0.04 * 0.85).abs() < 1e-12);
        let e = s.with_value("design.controls", 60.0).unwrap();
        assert_eq!(e.scenario().n_controls, 60);
        assert!(
            s.with_value("measures.regions.nowhere.between_sd", 0.1)
                .is_err()
        );
        assert!(s.with_value("analysis.alpah", 0.1).is_err());
        assert!(s.with_value("symptoms.scale", 1.0).is_err());
    }

    #[test]
    fn grids() {
        assert_eq!(parse_values("0.1:0.3:0.1").unwrap(), vec![0.1, 0.2, 0.3]);
        let g = product(&[
            ("a".into(), vec![1.0, 2.0]),
            ("b".into(), vec![3.0, 4.0, 5.0]),
        ]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[1], vec![("a".to_string(), 1.0), ("b".to_string(), 4.0)]);
        assert!(parse_param("effect_scale").is_err());
    }
}
