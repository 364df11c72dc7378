//! Replication-success families (`"test": "tost"`, `"test": "small_telescopes"`): simulated power
//! and error rates against closed forms computed independently with SciPy, and their validation.
//!
//! Reference values: `python3 scripts/reference/replication_families.py` (SciPy 1.17.1): the exact
//! Student TOST power by quad over the chi-square variable (confirmed by a NumPy simulation of
//! 400,000 raw-data trials per case, seed 12, printed beside it), and the small-telescopes
//! rejection probability nct.cdf(nct.ppf(alpha, df, ncp33), df, ncp).

use serde_json::{Value, json};
use trialsim::Study;
use trialsim::montecarlo::{Metric, Row, SimPath};

/// One region (control mean 10, between SD 1, test-retest CV 0.05: measurement SD 0.5 per scan),
/// two arms whose true change has SD 1, so the observed change has SD sqrt(1 + 2 * 0.25).
fn scenario(patients: usize, controls: usize, change_a: f64, shift_d: f64, family: Value) -> Study {
    let spec = json!({
        "name": "replication-check",
        "description": "one region, two arms, for replication-family checks",
        "design": {"controls": controls, "patients": patients,
                   "arms": [{"name": "a", "ratio": 1}, {"name": "b", "ratio": 1}]},
        "measures": {"unit": "u", "regions": [{"name": "r", "control_mean": 10.0, "between_sd": 1.0,
                     "test_retest_cv": 0.05, "patient_shift_d": shift_d}]},
        "arms": {"a": {"change": change_a, "change_sd": 1.0}, "b": {"change": 0.0, "change_sd": 1.0}},
        "analysis": {"alpha": 0.05, "families": [family]}
    });
    Study::from_value("replication-check", spec).unwrap()
}

fn row<'a>(rows: &'a [Row], hypothesis: &str, metric: Metric) -> &'a Row {
    rows.iter()
        .find(|r| r.hypothesis == hypothesis && r.metric == metric)
        .unwrap_or_else(|| panic!("no {hypothesis} {metric:?} row"))
}

fn power(study: &Study, reps: u64, path: SimPath) -> Vec<Row> {
    study
        .power()
        .reps(reps)
        .seed(3)
        .threads(2)
        .path(path)
        .run()
        .unwrap()
        .table
        .rows
}

fn within_3se(r: &Row, want: f64) {
    assert!(
        (r.value - want).abs() < 3.0 * r.mc_se,
        "{} {}: {} ± {} vs {want}",
        r.family,
        r.metric,
        r.value,
        r.mc_se
    );
}

#[test]
fn tost_power_matches_the_closed_form() {
    // (patients, controls, change of arm a, patient shift d, family, closed-form power)
    let cases = [
        // arm_change 40/40, true difference 0.2, margin 0.6, SD sqrt(1.5): quad 0.31644384853410873
        // (simulation 0.316145, SE 7.4e-4).
        (
            80,
            0,
            0.2,
            0.0,
            json!({"name": "eq", "kind": "arm_change", "test": "tost", "margin": 0.6}),
            0.31644384853410873,
        ),
        // baseline_difference 30 patients / 45 controls, shift 0.2, margin_d 0.5 times the SD
        // sqrt(1.25): quad 0.2705522072205247 (simulation 0.27034, SE 7.0e-4).
        (
            30,
            45,
            0.0,
            0.2,
            json!({"name": "eq", "kind": "baseline_difference", "test": "tost", "margin_d": 0.5}),
            0.2705522072205247,
        ),
    ];
    for (patients, controls, change, shift, family, want) in cases {
        let study = scenario(patients, controls, change, shift, family);
        // The tool's own closed form agrees with SciPy's (a check of the test's parameters).
        let rows = power(&study, 20_000, SimPath::Summary);
        let p = row(&rows, "r", Metric::Power);
        within_3se(p, want);
        assert!(p.mc_se < 0.004, "{}", p.mc_se);
        // Equivalence holds in truth (|0.2| < margin): no false discoveries counted.
        assert_eq!(row(&rows, "family", Metric::Fwer).value, 0.0);
        // Type S/M describe significant differences and are not reported for equivalence.
        assert!(!rows.iter().any(|r| r.metric == Metric::TypeM));
    }
}

#[test]
fn tost_type_i_error_at_the_margin_is_at_most_alpha() {
    // True difference = margin 0.6: the null (non-equivalence) holds; the exact size is
    // 0.04651755176861121 (quad; simulation 0.04632, SE 3.3e-4), below alpha 0.05.
    let study = scenario(
        80,
        0,
        0.6,
        0.0,
        json!({"name": "eq", "kind": "arm_change", "test": "tost", "margin": 0.6}),
    );
    let rows = power(&study, 40_000, SimPath::Summary);
    let fwer = row(&rows, "family", Metric::Fwer);
    within_3se(fwer, 0.04651755176861121);
    assert!(fwer.value <= 0.05 + 3.0 * fwer.mc_se, "{fwer:?}");
    // The rejections are false discoveries: power of the hypothesis equals the FWER.
    assert_eq!(row(&rows, "r", Metric::Power).value, fwer.value);
}

#[test]
fn small_telescopes_size_at_d33_and_power_at_zero() {
    // d33 of an original 17/17 study: 0.5404850983701933 (SciPy brentq; the crate's own d33 is
    // checked against R in src/stats/telescopes.rs). In the arm_change SD sqrt(1.5) it is a
    // difference of 0.6619563522924727.
    let at = |change: f64| {
        scenario(
            100,
            0,
            change,
            0.0,
            json!({"name": "st", "kind": "arm_change", "test": "small_telescopes",
                   "original_n": [17, 17]}),
        )
    };
    // True effect d33: the null (d >= d33) holds at its boundary; rejection rate = alpha exactly.
    let rows = power(&at(0.6619563522924727), 20_000, SimPath::Summary);
    let fwer = row(&rows, "family", Metric::Fwer);
    within_3se(fwer, 0.05);
    // True effect 0, 50/50: nct.cdf(nct.ppf(0.05, 98, d33 * 5), 98, 0) = 0.8531257859334275.
    let rows = power(&at(0.0), 20_000, SimPath::Summary);
    within_3se(row(&rows, "r", Metric::Power), 0.8531257859334275);
    assert_eq!(row(&rows, "family", Metric::Fwer).value, 0.0);
}

#[test]
fn summary_and_subject_paths_agree() {
    // Both paths simulate the same model: equal within Monte Carlo error (independent draws).
    let study = scenario(
        60,
        0,
        0.0,
        0.0,
        json!({"name": "st", "kind": "arm_change", "test": "small_telescopes", "original_n": [17, 17]}),
    );
    let a = power(&study, 4_000, SimPath::Summary);
    let b = power(&study, 4_000, SimPath::Subject);
    let (pa, pb) = (row(&a, "r", Metric::Power), row(&b, "r", Metric::Power));
    // 30/30 at d = 0: 0.6724270980769684 (SciPy, as above).
    within_3se(pa, 0.6724270980769684);
    within_3se(pb, 0.6724270980769684);
}

#[test]
fn clinical_replication_families_run_on_the_subject_path() {
    let mut spec = Study::load("ketamine-ampar-2026").unwrap().spec_json();
    spec["analysis"]["families"] = json!([
        {"name": "equivalence", "kind": "clinical", "arms": ["ketamine", "placebo"],
         "test": "tost", "margin": 3.0},
        {"name": "telescopes", "kind": "clinical", "arms": ["ketamine", "placebo"],
         "test": "small_telescopes", "original_n": [17, 17]}
    ]);
    let study = Study::from_value("flagship-replication", spec).unwrap();
    // The summary path cannot serve symptom scores: asking for it is an error, auto works.
    assert!(study.power().reps(10).path(SimPath::Summary).run().is_err());
    let rows = power(&study, 400, SimPath::Auto);
    // The flagship's difference (about 5.6 points) is far outside a 3-point margin and far
    // above d33: equivalence and "smaller than d33" are both rare, and both are errors.
    for fam in ["equivalence", "telescopes"] {
        let r = rows
            .iter()
            .find(|r| {
                r.family == fam && r.metric == Metric::Power && r.hypothesis == "madrs_change"
            })
            .unwrap();
        assert!(r.value < 0.05, "{fam}: {r:?}");
        let t = rows
            .iter()
            .find(|r| r.family == fam && r.metric == Metric::TrueValue)
            .unwrap();
        assert!(t.value > 3.0, "{t:?}");
    }
}

#[test]
fn invalid_settings_name_the_field() {
    let bad = |family: Value, field: &str, words: &str| {
        let spec = json!({
            "name": "x", "description": "x",
            "design": {"controls": 0, "patients": 40,
                       "arms": [{"name": "a", "ratio": 1}, {"name": "b", "ratio": 1}]},
            "measures": {"unit": "u", "regions": [{"name": "r", "control_mean": 10.0,
                         "between_sd": 1.0, "test_retest_cv": 0.05}]},
            "analysis": {"families": [family]}
        });
        let e = Study::from_value("x", spec).unwrap_err().to_string();
        assert!(
            e.contains(field) && e.contains(words),
            "{field} / {words}: {e}"
        );
    };
    let f = |extra: Value| {
        let mut base = json!({"name": "f", "kind": "arm_change"});
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        base
    };
    bad(
        f(json!({"test": "tost"})),
        "analysis.families[0].margin",
        "needs an equivalence margin",
    );
    bad(
        f(json!({"test": "tost", "margin": -1.0})),
        "families[0].margin",
        "positive",
    );
    bad(
        f(json!({"test": "tost", "margin_d": 0.0})),
        "families[0].margin_d",
        "positive",
    );
    bad(
        f(json!({"test": "tost", "margin": 1.0, "margin_d": 0.3})),
        "families[0].margin",
        "not both",
    );
    bad(
        f(json!({"test": "tost", "margin": 1.0, "alternative": "greater"})),
        "families[0].alternative",
        "both margins",
    );
    bad(
        f(json!({"test": "welch", "margin": 1.0})),
        "families[0].margin",
        "\"tost\"",
    );
    bad(
        f(json!({"test": "small_telescopes"})),
        "families[0].original_n",
        "[17, 17]",
    );
    bad(
        f(json!({"test": "small_telescopes", "original_n": [17]})),
        "families[0].original_n",
        "two group sizes",
    );
    bad(
        f(json!({"test": "tost", "margin": 1.0, "original_n": [17, 17]})),
        "families[0].original_n",
        "small_telescopes",
    );
    bad(
        json!({"name": "f", "kind": "within_arm_change", "test": "tost", "margin": 1.0}),
        "families[0].test",
        "does not fit",
    );
}
