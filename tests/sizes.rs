//! Sizes the way planners think (issue 13): per-group sizes, --alpha, which groups a search
//! grows, families that cannot run at a size, the primary family, scenario templates.

use assert_cmd::Command;
use serde_json::Value;

fn bin() -> Command {
    Command::cargo_bin("trialsim").unwrap()
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("trialsim-sizes-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// The flagship's primary endpoint, sized without naming it: patients grow, controls are held at
/// the scenario's 49, and the answer agrees with the closed form.
///
/// Closed form: Welch t-test, noncentral t with Welch-Satterthwaite df, delta 8.1 - 2.5, SDs 10
/// and 5.2, two-sided alpha 0.05, expected completers 0.95 x each arm (blocked 1:1): the smallest
/// number of patients with power >= 0.8 is 70 (power 0.8017 at 70, 0.7898 at 68).
/// Source: `python3 scripts/reference/welch_dropout_power.py` (SciPy 1.17.1). A 20,000-trial run
/// at 50/60/70 patients gave 0.652/0.736/0.805 against 0.653/0.736/0.802.
#[test]
fn flagship_sample_size_answers_in_patients_against_the_closed_form() {
    const CLOSED_FORM_N: u64 = 70;
    let out = tmp("ss.json");
    bin()
        .args([
            "sample-size",
            "--reps",
            "400",
            "--seed",
            "1",
            "--threads",
            "2",
            "--no-timing",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let ss = &v["sample_size"];
    assert_eq!(ss["criterion"], "clinical:madrs_change:power");
    assert_eq!(ss["grow"], "patients");
    assert_eq!(ss["held"][0]["group"], "controls");
    assert_eq!(ss["held"][0]["n"], 49);
    let n = ss["n"].as_u64().unwrap();
    let (lo, hi) = (
        ss["n_low"].as_u64().unwrap(),
        ss["n_high"].as_u64().unwrap(),
    );
    assert!(lo <= CLOSED_FORM_N && CLOSED_FORM_N <= hi, "{lo}..{hi}");
    assert!(n.abs_diff(CLOSED_FORM_N) <= 10, "n = {n}");
    assert_eq!(ss["n_total"].as_u64().unwrap(), n + 49);
    assert_eq!(ss["at_n"]["n_controls"], 49);
}

#[test]
fn habenula_in_patients_needs_no_edit_and_grow_all_is_kept_for_baseline() {
    bin()
        .args([
            "sample-size",
            "--criterion",
            "ampar_change:habenula",
            "--reps",
            "64",
            "--max-n",
            "60",
            "--threads",
            "2",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("patients"))
        .stderr(predicates::str::contains("controls held at 49"));
    bin()
        .args([
            "sample-size",
            "peer-comparison",
            "--reps",
            "64",
            "--max-n",
            "200",
            "--threads",
            "2",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("all groups grown"));
}

#[test]
fn bad_alpha_and_arm_sizes_exit_2() {
    for args in [
        vec!["power", "--alpha", "1.5", "--reps", "10"],
        vec!["power", "--alpha", "0", "--reps", "10"],
        vec!["sample-size", "--arm", "ketamine", "--reps", "10"],
        vec![
            "sample-size",
            "--arm",
            "ketamin=3",
            "--arm",
            "placebo=3",
            "--reps",
            "10",
        ],
        vec![
            "power",
            "--patients",
            "7",
            "--arm",
            "ketamine=3",
            "--arm",
            "placebo=3",
        ],
    ] {
        bin().args(&args).assert().code(2);
    }
}

#[test]
fn a_family_that_cannot_run_is_reported_and_the_others_run() {
    bin()
        .args([
            "power",
            "null",
            "--controls",
            "0",
            "--arm",
            "active=6",
            "--arm",
            "control=6",
            "--reps",
            "32",
            "--threads",
            "2",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("baseline: not run at N = 12"))
        .stdout(predicates::str::contains("needs 2 controls, has 0"));
}

#[test]
fn grow_patients_varies_patients_only_in_the_grid() {
    let out = tmp("grid.csv");
    bin()
        .args([
            "power",
            "peer-comparison",
            "--grow",
            "patients",
            "--n-grid",
            "20:40:20",
            "--reps",
            "32",
            "--threads",
            "2",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let mut seen = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[1], "50", "controls held: {line}");
        seen.push(f[2].to_string());
    }
    assert!(seen.contains(&"20".into()) && seen.contains(&"40".into()));
}

#[test]
fn show_prints_a_template_that_validates_and_completions_offer_names() {
    let out = tmp("template.json");
    let text = bin()
        .args(["scenarios", "--show", "peer-comparison"])
        .output()
        .unwrap()
        .stdout;
    std::fs::write(&out, &text).unwrap();
    bin().arg("validate").arg(&out).assert().success();
    bin().args(["scenarios", "--show", "nope"]).assert().code(2);
    bin()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicates::str::contains("ketamine-ampar-2026"));
}

#[test]
fn two_primary_families_are_refused() {
    let mut v: Value =
        serde_json::from_str(trialsim::scenario::builtin::get("peer-comparison").unwrap()).unwrap();
    let f = v["analysis"]["families"][0].clone();
    let mut g = f.clone();
    g["name"] = "again".into();
    v["analysis"]["families"] = Value::Array(vec![f, g]);
    let path = tmp("two.json");
    std::fs::write(&path, v.to_string()).unwrap();
    let out = bin().arg("validate").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("primary"), "{all}");
}
