//! What-if grids (`power --vary`) and the minimum detectable effect (`mde`).
//!
//! - A grid point gives exactly the rows of the hand-edited scenario run with the same seed.
//! - An invalid grid point stops the run before anything is simulated, with exit status 2 and a
//!   message naming the point and the field.
//! - The MDE of a two-group t-test and of a paired t-test against the closed form (noncentral t,
//!   `stats::assurance::mde_*`, values recomputed independently with SciPy below).

mod common;
use common::trialsim;
use serde_json::{Value, json};
use trialsim::Study;
use trialsim::montecarlo::SimPath;

/// The CSV's rows whose first column (the varied parameter) is `value`, without that column.
fn rows_at(csv: &str, value: &str) -> Vec<String> {
    csv.lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .filter(|(v, _)| *v == value)
        .map(|(_, rest)| rest.to_string())
        .collect()
}

fn body(csv: &str) -> Vec<String> {
    csv.lines().skip(1).map(str::to_string).collect()
}

/// Run `power` with `args` plus `--out FILE.csv` and return the CSV.
fn power_csv(dir: &std::path::Path, name: &str, args: &[&str]) -> String {
    let out = dir.join(name);
    trialsim()
        .arg("power")
        .args(args)
        .args([
            "--reps",
            "300",
            "--seed",
            "5",
            "--n-grid",
            "60:100:40",
            "--threads",
            "2",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn grid_points_equal_hand_edited_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let base: Value =
        serde_json::from_str(trialsim::scenario::builtin::get("peer-comparison").unwrap()).unwrap();

    // effect_scale 0.5: every patient_shift_d halved by hand.
    let grid = power_csv(
        dir.path(),
        "grid.csv",
        &["peer-comparison", "--vary", "effect_scale=0.5,1"],
    );
    assert!(grid.starts_with("effect_scale,n_total,"));
    let mut half = base.clone();
    for r in half["measures"]["regions"].as_array_mut().unwrap() {
        if let Some(d) = r.get("patient_shift_d").and_then(Value::as_f64) {
            r["patient_shift_d"] = json!(d * 0.5);
        }
    }
    let p = dir.path().join("half.json");
    std::fs::write(&p, serde_json::to_string(&half).unwrap()).unwrap();
    let hand = power_csv(dir.path(), "half.csv", &[p.to_str().unwrap()]);
    assert_eq!(rows_at(&grid, "0.5"), body(&hand));
    let own = power_csv(dir.path(), "own.csv", &["peer-comparison"]);
    assert_eq!(rows_at(&grid, "1"), body(&own));

    // A field by its path: region r03's between-subject SD.
    let grid = power_csv(
        dir.path(),
        "grid2.csv",
        &[
            "peer-comparison",
            "--vary",
            "measures.regions.r03.between_sd=0.2",
        ],
    );
    let mut edited = base.clone();
    edited["measures"]["regions"][2]["between_sd"] = json!(0.2);
    let p = dir.path().join("sd.json");
    std::fs::write(&p, serde_json::to_string(&edited).unwrap()).unwrap();
    let hand = power_csv(dir.path(), "sd.csv", &[p.to_str().unwrap()]);
    assert_eq!(rows_at(&grid, "0.2"), body(&hand));
    assert_ne!(body(&hand), body(&own), "the edit changes the results");
}

#[test]
fn invalid_grid_point_stops_with_its_field() {
    // ketamine's superior_frontal change-improvement correlation is 0.35: at effect_scale 3 it is
    // 1.05. Reported before any simulation, exit status 2, naming the point and the field.
    let out = trialsim()
        .args(["power", "--reps", "10", "--vary", "effect_scale=1,3"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("effect_scale=3"), "{err}");
    assert!(err.contains("change_improvement_corr"), "{err}");
    assert!(out.stdout.is_empty());
    // An unknown path is a usage error naming the segment.
    let out = trialsim()
        .args(["power", "peer-comparison", "--reps", "10"])
        .args(["--vary", "measures.regions.r99.between_sd=0.1"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--vary") && err.contains("r99"), "{err}");
}

/// One region, d = 1 at effect_scale 1 (shift 0.1 / SD 0.1), Student t, no measurement error.
fn two_group(controls: usize, patients: usize) -> Study {
    let v = json!({"name": "two-group",
        "design": {"controls": controls, "patients": patients, "arms": [{"name": "patients"}]},
        "measures": {"unit": "a.u.", "regions": [
            {"name": "r01", "control_mean": 1.0, "between_sd": 0.1, "patient_shift_d": 1.0}]},
        "analysis": {"alpha": 0.05, "families": [
            {"name": "regions", "kind": "baseline_difference", "test": "student", "multiplicity": "none"}]}});
    Study::from_value("two-group", v).unwrap()
}

/// The MDE's Monte Carlo range must contain the closed-form d; the effect reported in SD units
/// equals the scale (d = 1 at scale 1).
fn check_mde(study: &Study, criterion: &str, path: SimPath, closed_form: f64) {
    let r = study
        .mde(criterion, 0.8)
        .reps(20_000)
        .seed(1)
        .threads(2)
        .path(path)
        .run()
        .unwrap();
    let (lo, hi) = (r.value_low.unwrap(), r.value_high.unwrap());
    let v = r.value.unwrap();
    assert!(
        lo <= closed_form && closed_form <= hi,
        "closed form {closed_form} outside the MC range {lo}..{hi} (estimate {v})"
    );
    let e = &r.effects[0];
    assert!((e.d.unwrap() - v).abs() < 1e-9, "{e:?} at {v}");
    assert!((e.value - v * e.sd.unwrap()).abs() < 1e-12);
}

#[test]
fn mde_two_groups_against_the_closed_form() {
    // SciPy (noncentral t, two-sided alpha 0.05, Student df = n1 + n2 - 2):
    //   from scipy import stats, optimize; import numpy as np
    //   def p2(d,n1,n2,a=0.05):
    //     df=n1+n2-2; nc=d*np.sqrt(n1*n2/(n1+n2)); c=stats.t.ppf(1-a/2,df)
    //     return stats.nct.sf(c,df,nc)+stats.nct.cdf(-c,df,nc)
    //   optimize.brentq(lambda d: p2(d,64,64)-0.8, .01, 2)  # 0.499069...
    //   optimize.brentq(lambda d: p2(d,30,60)-0.8, .01, 2)  # 0.633393...
    // (also trialsim::stats::assurance::mde_two_sample_t(64, 64, 0.05, 0.8) = 0.499069).
    check_mde(
        &two_group(64, 64),
        "regions:r01",
        SimPath::Summary,
        0.499069,
    );
    check_mde(
        &two_group(30, 60),
        "regions:r01",
        SimPath::Summary,
        0.633393,
    );
}

#[test]
fn mde_paired_against_the_closed_form() {
    // 20 patients, true change 0.05 with SD 0.05 (d_z = 1 at scale 1), no measurement error,
    // paired t. SciPy: df=n-1; nc=d*sqrt(n); brentq(power - 0.8) with n = 20 gives 0.660442.
    // Subject-level path: every patient drawn.
    let v = json!({"name": "paired",
        "design": {"controls": 0, "patients": 20, "arms": [{"name": "treated"}]},
        "measures": {"unit": "a.u.", "regions": [
            {"name": "r01", "control_mean": 1.0, "between_sd": 0.1}]},
        "arms": {"treated": {"change": 0.05, "change_sd": 0.05}},
        "analysis": {"alpha": 0.05, "families": [
            {"name": "within", "kind": "within_arm_change", "test": "paired", "multiplicity": "none"}]}});
    let study = Study::from_value("paired", v).unwrap();
    check_mde(&study, "within:r01", SimPath::Subject, 0.660442);
    let closed = trialsim::stats::assurance::mde_paired_t(20, 0.05, 0.8).unwrap();
    assert!((closed - 0.660442).abs() < 1e-5, "{closed}");
}

#[test]
fn mde_cli_prints_value_range_and_effect() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("two.json");
    let v = two_group(64, 64).spec_json();
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    let out = trialsim()
        .arg("mde")
        .arg(&p)
        .args([
            "--criterion",
            "regions:r01",
            "--reps",
            "2000",
            "--path",
            "summary",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Smallest effect_scale with regions:r01:power >= 0.8"),
        "{text}"
    );
    assert!(text.contains("consistent with Monte Carlo error"), "{text}");
    assert!(text.contains("SD"), "{text}");
}
