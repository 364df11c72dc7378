//! The other designs: visits with a delayed response, non-randomised allocation, crossover.
//! Tolerances are Monte Carlo or sampling standard errors, as stated at each check.

mod common;
use common::{get, run};
use trialsim::model::Cohort;
use trialsim::scenario::{self, Scenario};
use trialsim::stats::dist::power_two_sample_t;

fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

#[test]
fn visit_means_follow_the_time_course() {
    // No clamping, rounding or truncation, so E[score_v] = E[m0] - E[fraction_v] * mean improvement
    // with E[fraction_v] = (1 - q) course_v + q late_course_v.
    let text = r#"{"name": "tc", "design": {"controls": 0, "patients": 200000,
            "arms": [{"name": "a"}], "visits": ["baseline", "week1", "week4", "week8"]},
        "arms": {"a": {"improvement_mean": 12, "improvement_sd": 6, "time_course": [0, 0.5, 1, 1],
                       "late_fraction": 0.3, "late_time_course": [0, 0.1, 0.4, 1]}},
        "symptoms": {"integer": false, "scale_min": -1000, "scale_max": 1000, "inclusion_min": -1000,
                     "inclusion_max": 1000, "baseline_mean": 30, "baseline_sd": 5}}"#;
    let s = scenario::parse("tc", text).unwrap();
    let mut c = Cohort::default();
    c.draw(&s, &s.own_sizes(), 4, 0);
    let late_share = c.patient_range().filter(|&i| c.late[i]).count() as f64 / 200_000.0;
    assert!(
        (late_share - 0.3).abs() <= 4.5 * (0.3f64 * 0.7 / 200_000.0).sqrt(),
        "late share {late_share}"
    );
    for (v, (course, late)) in [(0.0, 0.0), (0.5, 0.1), (1.0, 0.4), (1.0, 1.0)]
        .iter()
        .enumerate()
    {
        let scores: Vec<f64> = c.patient_range().map(|i| c.score(i, v)).collect();
        let (m, se) = mean_se(&scores);
        let want = 30.0 - (0.7 * course + 0.3 * late) * 12.0;
        assert!(
            (m - want).abs() <= 4.5 * se,
            "visit {v}: mean {m} vs {want} (SE {se})"
        );
        // And within the late responders, their own course.
        let late_scores: Vec<f64> = c
            .patient_range()
            .filter(|&i| c.late[i])
            .map(|i| c.score(i, v))
            .collect();
        let (ml, sel) = mean_se(&late_scores);
        assert!(
            (ml - (30.0 - late * 12.0)).abs() <= 4.5 * sel,
            "late, visit {v}: {ml}"
        );
    }
}

#[test]
fn tms_late_responders_fall_a_further_36_percent() {
    // The built-in scenario reproduces the study's figure: late responders' mean follow-up score is
    // 64 % of their end-of-treatment score (up to clamping at 0 and rounding, hence +/- 0.02).
    let s = scenario::load("accelerated-tms-2026").unwrap();
    let mut c = Cohort::default();
    c.draw(&s, &s.sizes_with(0, 100_000), 5, 0);
    let k = s.arms.iter().position(|a| a.name == "accelerated").unwrap();
    let late: Vec<usize> = c
        .arm_range(k)
        .filter(|&i| c.late[i] && !c.dropped[i])
        .collect();
    let eot: f64 = late.iter().map(|&i| c.score(i, 1)).sum::<f64>();
    let fu: f64 = late.iter().map(|&i| c.score(i, 2)).sum::<f64>();
    assert!(
        (fu / eot - 0.64).abs() < 0.02,
        "follow-up / end-of-treatment = {}",
        fu / eot
    );
    // Logistic allocation gives about 40 of 175 patients the accelerated schedule.
    let share = c.arm_range(k).len() as f64 / 100_000.0;
    assert!(
        (share * 175.0 - 40.0).abs() < 3.0,
        "accelerated {} of 175",
        share * 175.0
    );
}

#[test]
fn tms_power_rises_from_end_of_treatment_to_follow_up() {
    let s = scenario::load("accelerated-tms-2026").unwrap();
    let rows = run(&s, 3000, 6, 2);
    let eot = get(&rows, "adjusted", "madrs_change@end_of_treatment", "power");
    let fu = get(&rows, "adjusted", "madrs_change@follow_up", "power");
    // At end of treatment the arms are alike (the causal difference is about 0), so the adjusted
    // test rejects at about its level; at follow-up the late responders separate the arms.
    assert!(
        eot.value < 0.05 + 4.0 * eot.mc_se,
        "end of treatment power {}",
        eot.value
    );
    assert!(
        fu.value > eot.value + 10.0 * fu.mc_se,
        "follow-up power {} vs {}",
        fu.value,
        eot.value
    );
    let t = get(
        &rows,
        "adjusted",
        "madrs_change@end_of_treatment",
        "true_value",
    )
    .value;
    assert!(t.abs() < 0.3, "end-of-treatment causal difference {t}");
}

#[test]
fn confounded_allocation_biases_the_naive_comparison_by_the_implied_amount() {
    // x ~ N(0, 1); P(arm a | x) = logistic(x); improvement = 10 + 3 x + noise in both arms, so the
    // causal effect is 0 and the naive difference is 3 (E[x | a] - E[x | b]) = 6 E[x s(x)] / 0.5,
    // where E[x s(x)] = Int x logistic(x) phi(x) dx. scipy.integrate.quad gives 0.20662096414190878,
    // so the implied bias is 2.4794515697029054. Our own quadrature below reproduces it.
    let text = r#"{"name": "conf", "design": {"controls": 0, "patients": 120,
            "arms": [{"name": "a"}, {"name": "b"}], "allocation": "logistic",
            "covariates": [{"name": "x", "mean": 0, "sd": 1}],
            "allocation_model": {"arm": "a", "intercept": 0, "coefficients": {"x": 1.0}}},
        "arms": {"a": {"improvement_mean": 10, "improvement_sd": 4, "improvement_covariates": {"x": 3}},
                 "b": {"improvement_mean": 10, "improvement_sd": 4, "improvement_covariates": {"x": 3}}},
        "symptoms": {"integer": false, "scale_min": -1000, "scale_max": 1000, "inclusion_min": -1000,
                     "inclusion_max": 1000},
        "analysis": {"families": [
            {"name": "naive", "kind": "clinical", "endpoints": ["change"], "test": "welch", "multiplicity": "none"},
            {"name": "adjusted", "kind": "clinical", "endpoints": ["change"], "test": "ancova",
             "adjust": ["x"], "multiplicity": "none"}]}}"#;
    let s = scenario::parse("conf", text).unwrap();
    // Simpson's rule on [-12, 12].
    let f = |x: f64| {
        x / (1.0 + (-x).exp()) * (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
    };
    let (a, b, n) = (-12.0, 12.0, 20_000);
    let h = (b - a) / n as f64;
    let mut sum = f(a) + f(b);
    for i in 1..n {
        sum += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    let exs = sum * h / 3.0;
    assert!((exs - 0.20662096414190878).abs() < 1e-9);
    let implied = 3.0 * 2.0 * exs / 0.5;
    let rows = run(&s, 6000, 7, 2);
    let naive = get(&rows, "naive", "madrs_change", "bias");
    let adjusted = get(&rows, "adjusted", "madrs_change", "bias");
    assert!(
        (naive.value - implied).abs() <= 3.0 * naive.mc_se,
        "naive bias {} vs implied {implied}",
        naive.value
    );
    assert!(
        adjusted.value.abs() <= 3.0 * adjusted.mc_se,
        "adjusted bias {} ± {}",
        adjusted.value,
        adjusted.mc_se
    );
    // The naive test's type I error is far above alpha; the adjusted one's is alpha.
    assert!(get(&rows, "naive", "madrs_change", "power").value > 0.3);
    let p = get(&rows, "adjusted", "madrs_change", "power");
    assert!(
        (p.value - 0.05).abs() <= 3.0 * p.mc_se,
        "adjusted size {}",
        p.value
    );
}

fn crossover(carryover_a: f64, n: usize) -> Scenario {
    let text = format!(
        r#"{{"name": "x", "design": {{"kind": "crossover", "controls": 0, "patients": {n},
              "arms": [{{"name": "a"}}, {{"name": "b"}}], "period_effect": {{"m": 15}}}},
            "measures": {{"unit": "ms", "regions": [{{"name": "m", "control_mean": 700, "between_sd": 80,
                                                       "test_retest_cv": 0.06}}]}},
            "arms": {{"a": {{"change": {{"m": -30}}, "change_sd": {{"m": 20}}, "carryover": {{"m": {carryover_a}}}}},
                     "b": {{}}}}}}"#
    );
    scenario::parse("x", &text).unwrap()
}

#[test]
fn crossover_power_matches_the_paired_closed_form() {
    // Half period differences h have SD sqrt(2 e^2 + tau_a^2) / 2 with e = 0.06 x 700 = 42, tau = 20;
    // the sequence means differ by Delta = -30, so the two-sample t-test on h has standardised
    // difference 30 / sd(h), and its power is the noncentral-t closed form.
    let n = 20;
    let s = crossover(0.0, n);
    let reps = 6000;
    let rows = run(&s, reps, 8, 2);
    let sd_h = (2.0 * 42.0f64.powi(2) + 20.0f64.powi(2)).sqrt() / 2.0;
    let exact = power_two_sample_t(30.0 / sd_h, n / 2, n / 2, 0.05);
    let sim = get(&rows, "crossover", "m", "power").value;
    let se = (exact * (1.0 - exact) / reps as f64).sqrt();
    assert!(
        (sim - exact).abs() <= 3.0 * se,
        "crossover power {sim} vs closed form {exact}"
    );
    // The period effect (15 ms) cancels between sequences: no bias without carry-over.
    let bias = get(&rows, "crossover", "m", "bias");
    assert!(bias.value.abs() <= 3.0 * bias.mc_se, "bias {}", bias.value);
}

#[test]
fn carryover_biases_the_crossover_estimate_by_half_its_size() {
    // Carry-over lambda after arm a adds lambda to period 2 of sequence ab only, so the estimate
    // of a - b is off by -lambda / 2.
    let s = crossover(24.0, 20);
    let rows = run(&s, 6000, 9, 2);
    let bias = get(&rows, "crossover", "m", "bias");
    assert!(
        (bias.value + 12.0).abs() <= 3.0 * bias.mc_se,
        "bias {} vs -12",
        bias.value
    );
}
