//! Tests of the assurance runs against the closed form of [`crate::stats::assurance`].

use super::*;
use crate::stats::assurance::assurance_two_sample_t;

/// One region, controls vs patients, Student's t, no measurement error: the test of the patient
/// shift is exactly Student's two-sample t at d = `patient_shift_d`.
pub(crate) fn two_group(controls: usize, patients: usize, prior: &str) -> Study {
    let text = format!(
        r#"{{"name": "two-group", "design": {{"controls": {controls}, "patients": {patients},
        "arms": [{{"name": "p", "ratio": 1}}]}},
        "measures": {{"regions": [{{"name": "r", "control_mean": 1, "between_sd": 0.1,
                                   "patient_shift_d": 0.5}}]}},
        "analysis": {{"alpha": 0.05, "families": [
            {{"name": "g", "kind": "baseline_difference", "test": "student"}}]}},
        "priors": {{"measures.regions.r.patient_shift_d": {prior}}}}}"#
    );
    Study::from_json("two-group.json", &text).unwrap()
}

#[test]
fn simulated_assurance_equals_the_closed_form() {
    // Closed form: stats::assurance::assurance_two_sample_t, itself checked against SciPy:
    //   python3 scripts/reference/assurance.py (scipy.integrate.quad of the noncentral-t power
    //   1 - nct.cdf(c, df, d k) + nct.cdf(-c, df, d k) times norm.pdf(d, m, s)).
    // Values: 64/64 N(0.5, 0.2^2) 0.71413; 17/17 N(0.69, 0.35^2) 0.50018;
    // 40/30 N(0.1, 0.3^2) 0.23025 (mass on both sides of 0); 100/100 N(0, 0.1^2) 0.10896.
    for (n1, n2, m, sd, want) in [
        (64, 64, 0.5, 0.2, 0.71413),
        (17, 17, 0.69, 0.35, 0.50018),
        (40, 30, 0.1, 0.3, 0.23025),
        (100, 100, 0.0, 0.1, 0.10896),
    ] {
        let closed = assurance_two_sample_t(n1, n2, 0.05, m, sd).unwrap().value;
        assert!((closed - want).abs() < 1e-5, "{closed} vs {want}");
        let study = two_group(
            n1,
            n2,
            &format!(r#"{{"normal": {{"mean": {m}, "sd": {sd}}}}}"#),
        );
        let t0 = std::time::Instant::now();
        let r = study
            .assurance()
            .reps(4000)
            .seed(3)
            .threads(2)
            .run()
            .unwrap();
        let a = r.get("g", "r", "assurance").unwrap();
        eprintln!(
            "{n1}/{n2} N({m},{sd}): {} +- {} vs {closed} ({:.2}s)",
            a.value,
            a.mc_se,
            t0.elapsed().as_secs_f64()
        );
        assert!(
            (a.value - closed).abs() < 3.0 * a.mc_se,
            "{n1}/{n2}: {} +- {} vs {closed}",
            a.value,
            a.mc_se
        );
    }
}

#[test]
fn same_bytes_with_any_thread_count_and_fixed_runs_unchanged() {
    let study = two_group(40, 30, r#"{"normal": {"mean": 0.1, "sd": 0.3}}"#);
    let a = study
        .assurance()
        .reps(300)
        .seed(9)
        .threads(1)
        .run()
        .unwrap();
    let b = study
        .assurance()
        .reps(300)
        .seed(9)
        .threads(2)
        .run()
        .unwrap();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    // The priors change nothing in a fixed-value run: same rows as the scenario without them.
    let plain = study.without_priors();
    assert!(plain.scenario().spec.priors.is_empty());
    let with = study.power().reps(300).seed(9).threads(2).run().unwrap();
    let without = plain.power().reps(300).seed(9).threads(2).run().unwrap();
    assert_eq!(with.table.rows, without.table.rows);
    // The draws of an assurance run are the prior's: the mean drawn truth is near 0.1 * 0.1
    // (the shift in units: d times between_sd 0.1), within 3 SE.
    let t = a.get("g", "r", "true_value").unwrap();
    assert!(
        (t.value - 0.01).abs() < 3.0 * t.mc_se,
        "{} +- {}",
        t.value,
        t.mc_se
    );
}

#[test]
fn truth_based_figures_use_each_trials_own_truth() {
    // Under a wide prior the estimate tracks each trial's own truth: coverage stays near 95 %
    // and the bias against the drawn truth is near 0, although the truths vary widely.
    let study = two_group(30, 30, r#"{"normal": {"mean": 0.5, "sd": 1.0}}"#);
    let r = study
        .assurance()
        .reps(1000)
        .seed(4)
        .threads(2)
        .run()
        .unwrap();
    let cov = r.get("g", "r", "coverage").unwrap();
    assert!((cov.value - 0.95).abs() < 3.0 * cov.mc_se, "{cov:?}");
    let bias = r.get("g", "r", "bias").unwrap();
    assert!(bias.value.abs() < 3.0 * bias.mc_se, "{bias:?}");
    // Against a fixed truth (the prior mean) the spread of the truths would make the SE of the
    // bias at least sd(d) * 0.1 / sqrt(n) = 0.0032; against the own truth it is the estimate's.
    assert!(bias.mc_se < 0.001, "{bias:?}");
    // Type S is measured against each draw's own sign, among rejections.
    assert!(r.get("g", "r", "type_s").unwrap().value < 0.05);
}

#[test]
fn bad_prior_paths_are_clear_errors() {
    let bad = |path: &str| {
        let text = format!(
            r#"{{"name": "x", "design": {{"controls": 20, "patients": 20,
            "arms": [{{"name": "p", "ratio": 1}}]}},
            "measures": {{"regions": [{{"name": "r", "control_mean": 1, "between_sd": 0.1}}]}},
            "priors": {{"{path}": {{"normal": {{"mean": 0.5, "sd": 0.2}}}}}}}}"#
        );
        Study::from_json("x.json", &text).unwrap_err().to_string()
    };
    let e = bad("measures.regions.nowhere.patient_shift_d");
    assert!(
        e.contains("priors.measures.regions.nowhere") && e.contains("nowhere"),
        "{e}"
    );
    let e = bad("design.controls");
    assert!(e.contains("group sizes"), "{e}");
    let e = bad("measures.regions.r.between_sdd");
    assert!(e.contains("between_sdd"), "{e}");
}

#[test]
fn assurance_search_stops_at_the_plateau() {
    // Prior N(0.3, 0.3^2) on d: P(d <= 0) = Phi(-1) = 0.1587, so a success in the expected
    // direction cannot exceed 0.841 at any N; 0.9 is out of reach.
    let study = two_group(50, 50, r#"{"normal": {"mean": 0.3, "sd": 0.3}}"#);
    let r = study
        .assurance()
        .reps(400)
        .seed(2)
        .sample_size("g:r:assurance_expected_sign", 0.9, 400)
        .unwrap();
    assert_eq!(r.n, None);
    let curve = r.curve();
    assert_eq!(
        curve.iter().map(|c| c.0).collect::<Vec<_>>(),
        vec![100, 200, 400]
    );
    let lim = r.other(400, "prior_expected_sign").unwrap();
    assert!((lim.value - 0.8413).abs() < 3.0 * lim.mc_se, "{lim:?}");
    assert!(curve[2].1.value <= lim.value);
    // The prior's own null probability is exact.
    assert!((r.priors[0].p_null_or_opposite.unwrap() - 0.15865525393145707).abs() < 1e-9);
}
