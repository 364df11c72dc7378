//! What a person reads: tests and corrections by their usual names, units beside every estimate,
//! type M and RMSE in the terminal table, a grid table within 100 columns, warnings for unit slips,
//! generic default family names and a short provenance note (issue 13).

mod common;
use common::{stdout_of, trialsim};

/// A scenario without `families` and without provenance.
const PLAIN: &str = r#"{
  "name": "plain",
  "design": {"controls": 10, "patients": 10, "arms": [{"name": "a", "ratio": 1}, {"name": "b", "ratio": 1}]},
  "measures": {"regions": [{"name": "x", "control_mean": 1.0, "between_sd": 0.06, "test_retest_cv": 0.05},
                           {"name": "y", "control_mean": 1.1, "between_sd": 0.06, "test_retest_cv": 0.05}]},
  "arms": {"a": {"change_pct": {"x": 3}, "change_sd_pct": 4, "change_improvement_corr": {"x": 0.4},
                 "improvement_mean": 8, "improvement_sd": 10}}
}"#;

fn text(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap()
}

/// No Debug name of an enum may reach a reader.
fn assert_no_debug_names(t: &str) {
    for leak in [
        "(Clinical,",
        "Welch,",
        ", None,",
        ", Bh",
        "Bh,",
        "KFold",
        "Blocked",
        "Parallel",
        "BaselineDifference",
        "ArmChange",
        "WithinArmChange",
        "of Response",
    ] {
        assert!(!t.contains(leak), "'{leak}' leaked into:\n{t}");
    }
    // "1 hypotheses" as a whole number (not the end of "61 hypotheses").
    for plural in ["1 hypotheses", "1 families"] {
        for (i, _) in t.match_indices(plural) {
            let before = t[..i].chars().last();
            assert!(
                before.is_some_and(|c| c.is_ascii_digit()),
                "'{plural}' in:\n{t}"
            );
        }
    }
}

#[test]
fn power_table_names_tests_units_rmse_and_type_m() {
    let t = text(stdout_of(["power", "--reps", "200", "--seed", "1"]));
    assert_no_debug_names(&t);
    for want in [
        "clinical: clinical endpoints, ketamine vs placebo; Welch t-test; no correction; 1 hypothesis",
        "clinical_secondary: clinical endpoints, ketamine vs placebo; Fisher's exact test; Holm; 2 hypotheses",
        "paired t-test",
        "Pearson correlation; Benjamini-Hochberg",
        "5-fold CV",
        "MADRS points",
        "risk difference",
    ] {
        assert!(t.contains(want), "missing '{want}' in:\n{t}");
    }
    // Every hypothesis line carries RMSE, type M and a unit; the habenula's change between arms
    // is exaggerated when significant (about 2.8 at N = 83; Monte Carlo noise at 200 trials).
    let head = t
        .lines()
        .find(|l| l.trim_start().starts_with("hypothesis"))
        .unwrap();
    assert!(head.contains("RMSE") && head.contains("type M") && head.ends_with("unit"));
    let fam = t
        .split("\n\n")
        .find(|b| b.starts_with("ampar_change:"))
        .unwrap();
    let hab: Vec<&str> = fam
        .lines()
        .find(|l| l.trim_start().starts_with("habenula"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(hab.last(), Some(&"SUVR"));
    let type_m: f64 = hab[hab.len() - 3].parse().unwrap();
    assert!(type_m > 1.5 && type_m < 6.0, "type M {type_m}");
    let mech = t
        .split("\n\n")
        .find(|b| b.starts_with("mechanism:"))
        .unwrap();
    assert!(mech.lines().skip(3).all(|l| l.ends_with(" r")), "{mech}");
}

#[test]
fn grid_table_fits_100_columns() {
    let t = text(stdout_of([
        "power",
        "--n-grid",
        "40:280:40",
        "--reps",
        "50",
        "--seed",
        "1",
    ]));
    assert_no_debug_names(&t);
    for l in t.lines() {
        assert!(l.chars().count() <= 100, "{} wide: {l}", l.chars().count());
    }
    // Every figure of the default selection is still there, at every N.
    for want in [
        "madrs_change",
        "response",
        "remission",
        "ridge AUC cv",
        "best_region AUC true",
    ] {
        assert!(t.contains(want), "missing {want}:\n{t}");
    }
    let n_rows = t
        .lines()
        .filter(|l| l.trim_start().starts_with("280 "))
        .count();
    assert!(n_rows >= 2, "each block has a row per N:\n{t}");
}

#[test]
fn validate_speaks_plainly() {
    let t = text(stdout_of(["validate"]));
    assert_no_debug_names(&t);
    for want in [
        "design: parallel-group",
        "allocation: blocked randomisation",
        "Analysis plan: 7 families, 61 hypotheses",
        "Welch t-test; no correction; 1 hypothesis",
        "Fisher's exact test; Holm; 2 hypotheses, gated by clinical",
        "5-fold CV",
    ] {
        assert!(t.contains(want), "missing '{want}' in:\n{t}");
    }
    let t = text(stdout_of(["validate", "accelerated-tms-2026"]));
    assert!(
        t.contains("Welch t-test for score change, Fisher's exact test for response"),
        "{t}"
    );
    assert!(t.contains("ANCOVA"), "{t}");
    let t = text(stdout_of(["validate", "sustained-phase-crossover"]));
    assert!(
        t.contains("1 family,") && t.contains("Student t-test"),
        "{t}"
    );
}

#[test]
fn default_families_have_generic_names_and_missing_provenance_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("plain.json");
    std::fs::write(&p, PLAIN).unwrap();
    let t = text(stdout_of([std::ffi::OsStr::new("validate"), p.as_os_str()]));
    assert!(t.contains("biomarker_change"), "{t}");
    assert!(!t.contains("ampar"), "{t}");
    let notes: Vec<&str> = t.lines().filter(|l| l.contains("provenance")).collect();
    assert_eq!(notes.len(), 1, "{t}");
    assert!(
        notes[0].contains("numbers have no provenance entry") && notes[0].contains("--provenance"),
        "{t}"
    );
    // The flag lists them all: the two regions' numbers are among them.
    let all = text(stdout_of([
        std::ffi::OsStr::new("validate"),
        std::ffi::OsStr::new("--provenance"),
        p.as_os_str(),
    ]));
    assert!(all.lines().count() > t.lines().count() + 8, "{all}");
    assert!(all.contains("measures.regions.x.test_retest_cv"), "{all}");
}

#[test]
fn unit_slips_are_warned_by_validate_and_before_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("slip.json");
    let slip = PLAIN
        .replacen(r#""test_retest_cv": 0.05}"#, r#""test_retest_cv": 4}"#, 1)
        .replacen(
            r#""change_pct": {"x": 3}"#,
            r#""change_pct": {"x": 0.03}"#,
            1,
        );
    assert_ne!(slip, PLAIN);
    std::fs::write(&p, &slip).unwrap();
    let out = trialsim()
        .arg("validate")
        .arg(&p)
        .assert()
        .success()
        .get_output()
        .clone();
    let t = text(out.stdout);
    assert!(
        t.contains("warning: measures.regions[0].test_retest_cv = 4:") && t.contains("write 0.04"),
        "{t}"
    );
    assert!(t.contains("ICC 0.00"), "{t}");
    assert!(
        t.contains("warning: arms.a.change_pct.x = 0.03:") && t.contains("write 3"),
        "{t}"
    );
    // Runs print them on standard error before the results, and still run.
    for args in [
        vec!["power", "--reps", "20"],
        vec![
            "mde",
            "--criterion",
            "clinical:madrs_change",
            "--reps",
            "20",
        ],
    ] {
        let out = trialsim().args(&args).arg(&p).assert().get_output().clone();
        let err = text(out.stderr);
        assert!(
            err.contains("warning: measures.regions[0].test_retest_cv = 4:"),
            "{args:?}: {err}"
        );
    }
    // The built-ins have none.
    let out = trialsim()
        .args(["power", "--reps", "20"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(!text(out.stderr).contains("warning"));
}
