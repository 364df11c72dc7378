//! Design priors through the binary: `power` reports assurance beside the point-value table,
//! `sample-size --assurance` sizes for it and shows the plateau, bad priors exit with status 2.

mod common;
use common::trialsim;
use predicates::prelude::*;

/// Student's t on one region, d = 0.5 at the point value; prior N(0.5, 0.2^2) on d.
const TWO_GROUP: &str = r#"{"name": "two-group",
  "design": {"controls": 64, "patients": 64, "arms": [{"name": "p", "ratio": 1}]},
  "measures": {"regions": [{"name": "r", "control_mean": 1, "between_sd": 0.1, "patient_shift_d": 0.5}]},
  "analysis": {"alpha": 0.05, "families": [{"name": "g", "kind": "baseline_difference", "test": "student"}]},
  "priors": {"measures.regions.r.patient_shift_d": {"normal": {"mean": 0.5, "sd": 0.2}}}}"#;

#[test]
fn power_reports_assurance_matching_the_closed_form() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.json");
    std::fs::write(&p, TWO_GROUP).unwrap();
    let out = dir.path().join("r.json");
    let a = trialsim()
        .args([
            "power",
            p.to_str().unwrap(),
            "--reps",
            "2000",
            "--seed",
            "5",
            "--threads",
            "2",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("Over the design priors"))
        .stdout(predicate::str::contains("g:r"));
    let text = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("P(at or beyond the null 0 from it) = 0.0062"),
        "{text}"
    );
    // The assurance rows beside the result file.
    let rows: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("r.assurance.json")).unwrap(),
    )
    .unwrap();
    let row = rows[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == "assurance" && r["hypothesis"] == "r")
        .unwrap()
        .clone();
    let (v, se) = (
        row["value"].as_f64().unwrap(),
        row["mc_se"].as_f64().unwrap(),
    );
    // Closed form 0.7141305395 (SciPy quad; scripts/reference/assurance.py, stats::assurance).
    assert!((v - 0.7141305395).abs() < 3.0 * se, "{v} +- {se}");
    // The point-value result file is the one a scenario without priors gives.
    let plain = dir.path().join("plain.json");
    let mut v: serde_json::Value = serde_json::from_str(TWO_GROUP).unwrap();
    v.as_object_mut().unwrap().remove("priors");
    std::fs::write(&plain, v.to_string()).unwrap();
    let out2 = dir.path().join("r2.json");
    trialsim()
        .args([
            "power",
            plain.to_str().unwrap(),
            "--reps",
            "2000",
            "--seed",
            "5",
            "--no-timing",
        ])
        .arg("--out")
        .arg(&out2)
        .assert()
        .success();
    let out3 = dir.path().join("r3.json");
    trialsim()
        .args([
            "power",
            p.to_str().unwrap(),
            "--reps",
            "2000",
            "--seed",
            "5",
            "--no-timing",
        ])
        .arg("--out")
        .arg(&out3)
        .assert()
        .success();
    let rows_of = |f: &std::path::Path| {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        v["rows"].clone()
    };
    assert_eq!(rows_of(&out2), rows_of(&out3));
}

#[test]
fn sample_size_for_assurance_and_its_plateau() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.json");
    std::fs::write(
        &p,
        TWO_GROUP.replace(r#""mean": 0.5, "sd": 0.2"#, r#""mean": 0.3, "sd": 0.3"#),
    )
    .unwrap();
    let s = p.to_str().unwrap();
    trialsim()
        .args([
            "sample-size",
            s,
            "--criterion",
            "g:r:assurance_expected_sign",
        ])
        .args(["--assurance", "0.9", "--max-n", "400", "--reps", "400"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Target NOT reached"))
        .stdout(predicate::str::contains("Plateau (assurance by N): N 100"))
        .stdout(predicate::str::contains("is NOT reachable"));
    trialsim()
        .args(["sample-size", s, "--criterion", "g:r", "--assurance", "0.5"])
        .args(["--max-n", "400", "--reps", "400"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Smallest total N with g:r:assurance >= 0.5",
        ));
}

#[test]
fn bad_priors_exit_2_with_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.json");
    // The parent trial's t(32) = 2.02 has p = 0.0518: not significant, so no publication-bias
    // correction can apply.
    std::fs::write(
        &p,
        TWO_GROUP.replace(
            r#"{"normal": {"mean": 0.5, "sd": 0.2}}"#,
            r#"{"published_t": {"t": 2.02, "n1": 17, "n2": 17, "truncate_alpha": 0.05}}"#,
        ),
    )
    .unwrap();
    trialsim()
        .args(["power", p.to_str().unwrap(), "--reps", "100"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("published_t.truncate_alpha"))
        .stderr(predicate::str::contains("p = 0.0518"));
    std::fs::write(
        &p,
        TWO_GROUP.replace("r.patient_shift_d", "q.patient_shift_d"),
    )
    .unwrap();
    trialsim()
        .args(["validate", p.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "priors.measures.regions.q.patient_shift_d",
        ));
}

/// An assurance search for a clinical endpoint grows the patients only and holds the controls at
/// the scenario's size, as the power search does (the controls never enter the MADRS comparison).
#[test]
fn assurance_search_for_a_clinical_endpoint_grows_patients_only() {
    let out = trialsim()
        .args([
            "sample-size",
            "docs/examples/ketamine-priors.json",
            "--criterion",
            "clinical:madrs_change",
            "--assurance",
            "0.5",
            "--max-n",
            "200",
            "--reps",
            "100",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Smallest number of patients (the other groups held)")
            && text.contains("(49 controls, "),
        "{text}"
    );
}
