//! Simulated power and error rates against closed forms and nominal levels.
//!
//! Tolerances are multiples of the Monte Carlo SE sqrt(p(1-p)/reps) of the simulated figure.

mod common;
use common::{get, run};
use trialsim::montecarlo::{self, RunSettings, truth};
use trialsim::scenario::{self, Scenario};
use trialsim::stats::dist::{power_correlation_fisher_z, power_one_sample_t, power_two_sample_t};

/// One region, no measurement error, Student t on patients vs controls: exactly the two-sample
/// t-test with standardised difference d, so power has the noncentral-t closed form.
fn two_group(d: f64, n_controls: usize, n_patients: usize, test: &str) -> Scenario {
    let text = format!(
        r#"{{"name": "two-group", "design": {{"controls": {n_controls}, "patients": {n_patients},
              "arms": [{{"name": "a"}}]}},
            "measures": {{"regions": [{{"name": "r", "control_mean": 1.0, "between_sd": 0.1,
                                        "patient_shift_d": {d}}}]}},
            "analysis": {{"families": [{{"name": "b", "kind": "baseline_difference", "test": "{test}",
                                         "multiplicity": "none"}}]}}}}"#
    );
    scenario::parse("two-group", &text).unwrap()
}

#[test]
fn two_group_power_matches_noncentral_t() {
    let reps = 6000;
    for (d, n1, n2) in [
        (0.5, 30, 30),
        (0.8, 20, 40),
        (0.3, 100, 60),
        (1.2, 8, 12),
        (0.0, 25, 25),
    ] {
        let s = two_group(d, n1, n2, "student");
        let rows = run(&s, reps, 11, 2);
        let sim = get(&rows, "b", "r", "power");
        let exact = power_two_sample_t(d, n2, n1, 0.05);
        let se = (exact * (1.0 - exact) / reps as f64).sqrt();
        assert!(
            (sim.value - exact).abs() <= 3.0 * se,
            "d {d}, n {n1}/{n2}: simulated {} vs closed form {exact} (3 SE = {})",
            sim.value,
            3.0 * se
        );
    }
}

#[test]
fn welch_power_with_equal_groups_matches_noncentral_t() {
    // With equal n and equal variances Welch's test loses almost nothing against Student's: the
    // closed form of the latter is the reference (difference below 0.005 at n = 30 per group).
    let reps = 6000;
    let s = two_group(0.6, 30, 30, "welch");
    let rows = run(&s, reps, 12, 2);
    let exact = power_two_sample_t(0.6, 30, 30, 0.05);
    let sim = get(&rows, "b", "r", "power").value;
    let se = (exact * (1.0 - exact) / reps as f64).sqrt();
    assert!((sim - exact).abs() <= 3.0 * se + 0.005, "{sim} vs {exact}");
}

#[test]
fn paired_power_matches_noncentral_t() {
    // Within-arm change: true change mean kappa, SD tau, no measurement error -> paired t with
    // d = kappa / tau.
    let reps = 6000;
    let text = r#"{"name": "paired", "design": {"controls": 0, "patients": 15, "arms": [{"name": "a"}]},
        "measures": {"regions": [{"name": "r", "control_mean": 1.0, "between_sd": 0.1}]},
        "arms": {"a": {"change": {"r": 0.02}, "change_sd": {"r": 0.04}}},
        "analysis": {"families": [{"name": "w", "kind": "within_arm_change", "multiplicity": "none"}]}}"#;
    let s = scenario::parse("paired", text).unwrap();
    let rows = run(&s, reps, 13, 2);
    let exact = power_one_sample_t(0.5, 15, 0.05);
    let sim = get(&rows, "w", "r", "power").value;
    let se = (exact * (1.0 - exact) / reps as f64).sqrt();
    assert!((sim - exact).abs() <= 3.0 * se, "{sim} vs {exact}");
}

#[test]
fn pearson_power_matches_fisher_z() {
    // Change-improvement correlation 0.4, no measurement error, unclamped continuous symptoms:
    // the observed correlation is the true one. Fisher's z is an approximation (error about 0.01
    // at n = 40), which the tolerance adds to the Monte Carlo error.
    let reps = 6000;
    let text = r#"{"name": "corr", "design": {"controls": 0, "patients": 40, "arms": [{"name": "a"}]},
        "measures": {"regions": [{"name": "r", "control_mean": 1.0, "between_sd": 0.1}]},
        "arms": {"a": {"change_sd": 0.05, "change_improvement_corr": {"r": 0.4},
                       "improvement_mean": 10, "improvement_sd": 5}},
        "symptoms": {"integer": false, "scale_min": -1000, "scale_max": 1000,
                     "inclusion_min": -1000, "inclusion_max": 1000},
        "analysis": {"families": [{"name": "m", "kind": "correlation", "multiplicity": "none"}]}}"#;
    let s = scenario::parse("corr", text).unwrap();
    let rows = run(&s, reps, 14, 2);
    let approx = power_correlation_fisher_z(0.4, 40, 0.05);
    let sim = get(&rows, "m", "r", "power").value;
    let se = (approx * (1.0 - approx) / reps as f64).sqrt();
    assert!((sim - approx).abs() <= 3.0 * se + 0.01, "{sim} vs {approx}");
    // The estimate is unbiased up to the known small-sample bias of r (about -r(1-r^2)/(2n)).
    let bias = get(&rows, "m", "r", "bias");
    assert!(
        (bias.value + 0.4 * 0.84 / 80.0).abs() <= 4.0 * bias.mc_se,
        "bias {}",
        bias.value
    );
}

/// The null scenario with every test unadjusted, one family per test.
fn null_every_test() -> Scenario {
    let mut spec: serde_json::Value =
        serde_json::from_str(scenario::builtin::get("null").unwrap()).unwrap();
    spec["analysis"]["families"] = serde_json::json!([
        {"name": "welch", "kind": "baseline_difference", "test": "welch", "multiplicity": "none"},
        {"name": "student", "kind": "baseline_difference", "test": "student", "multiplicity": "none"},
        {"name": "change_welch", "kind": "arm_change", "test": "welch", "multiplicity": "none"},
        {"name": "change_ancova", "kind": "arm_change", "test": "ancova", "multiplicity": "none"},
        {"name": "paired", "kind": "within_arm_change", "multiplicity": "none"},
        {"name": "pearson", "kind": "correlation", "test": "pearson", "multiplicity": "none"},
        {"name": "spearman", "kind": "correlation", "test": "spearman", "multiplicity": "none"},
        {"name": "clin_welch", "kind": "clinical", "endpoints": ["change"], "test": "welch", "multiplicity": "none"},
        {"name": "clin_ancova", "kind": "clinical", "endpoints": ["change"], "test": "ancova", "multiplicity": "none"},
        {"name": "rates", "kind": "clinical", "endpoints": ["response", "remission"], "multiplicity": "none"},
        {"name": "holm", "kind": "baseline_difference", "multiplicity": "holm"},
        {"name": "bonferroni", "kind": "arm_change", "multiplicity": "bonferroni"},
        {"name": "hochberg", "kind": "within_arm_change", "multiplicity": "hochberg"},
        {"name": "bh", "kind": "arm_change", "multiplicity": "bh"},
        {"name": "greater", "kind": "baseline_difference", "multiplicity": "none", "alternative": "greater"}
    ]);
    scenario::resolve(serde_json::from_value(spec).unwrap()).unwrap()
}

#[test]
fn type_one_error_is_alpha_under_the_null() {
    let reps = 8000;
    let s = null_every_test();
    let rows = run(&s, reps, 15, 2);
    let alpha = 0.05;
    let se = (alpha * (1.0 - alpha) / reps as f64).sqrt();
    let mut checked = 0;
    for f in &s.families {
        if f.multiplicity != trialsim::scenario::Multiplicity::None {
            continue;
        }
        for h in s.hypotheses(f) {
            let p = get(&rows, &f.name, &h, "power").value;
            if f.name == "rates" {
                // Fisher's exact test is conservative: its size is at most alpha.
                assert!(p <= alpha + 3.0 * se, "{}/{h}: size {p}", f.name);
            } else {
                // 4 SE: about 100 hypotheses are checked here, so 3 SE would fail by chance too often.
                assert!(
                    (p - alpha).abs() <= 4.0 * se,
                    "{}/{h}: type I error {p} vs {alpha}",
                    f.name
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 90);
    for fam in ["holm", "bonferroni", "hochberg"] {
        let fwer = get(&rows, fam, "family", "fwer").value;
        assert!(fwer <= alpha + 3.0 * se, "{fam}: FWER {fwer}");
        assert_eq!(
            get(&rows, fam, "family", "fwer").value,
            get(&rows, fam, "any", "power").value
        );
    }
    // Under the complete null FDR = FWER, and BH controls it at q.
    let fdr = get(&rows, "bh", "family", "fdr").value;
    assert!(fdr <= alpha + 3.0 * se, "BH: FDR {fdr}");
    // Unadjusted testing of 14 correlated regions inflates the family-wise error far above alpha:
    // the check above is not vacuous.
    assert!(get(&rows, "welch", "family", "fwer").value > 0.15);
}

#[test]
fn bh_controls_fdr_with_true_effects_under_independence() {
    // 10 independent regions, 4 with a true shift: FDR <= q (Benjamini & Hochberg 1995), and Holm
    // keeps the FWER (a false rejection among the 6 nulls) <= alpha.
    let regions: Vec<String> = (0..10)
        .map(|i| {
            let d = if i < 4 { 0.7 } else { 0.0 };
            format!(r#"{{"name": "r{i}", "control_mean": 1, "between_sd": 0.1, "patient_shift_d": {d}}}"#)
        })
        .collect();
    let text = format!(
        r#"{{"name": "bh", "design": {{"controls": 30, "patients": 30, "arms": [{{"name": "a"}}]}},
            "measures": {{"regions": [{}]}},
            "analysis": {{"families": [{{"name": "bh", "kind": "baseline_difference", "multiplicity": "bh"}},
                                       {{"name": "holm", "kind": "baseline_difference", "multiplicity": "holm"}}]}}}}"#,
        regions.join(",")
    );
    let s = scenario::parse("bh", &text).unwrap();
    let reps = 6000;
    let rows = run(&s, reps, 16, 2);
    let fdr = get(&rows, "bh", "family", "fdr");
    assert!(fdr.value <= 0.05 + 3.0 * fdr.mc_se, "FDR {}", fdr.value);
    // BH's FDR is (m0/m) q = 0.03 under independence: well above zero, so the check has teeth.
    assert!(fdr.value > 0.02);
    let fwer = get(&rows, "holm", "family", "fwer");
    assert!(fwer.value <= 0.05 + 3.0 * fwer.mc_se, "FWER {}", fwer.value);
    // Type M: significant estimates exaggerate a modest true effect; type S is rare at d = 0.7.
    let tm = get(&rows, "holm", "r0", "type_m");
    assert!(tm.value > 1.0, "type M {}", tm.value);
    assert!(get(&rows, "holm", "r0", "type_s").value < 0.01);
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let s = scenario::load("ketamine-ampar-2026").unwrap();
    let a = run(&s, 700, 3, 1);
    let b = run(&s, 700, 3, 2);
    let c = run(&s, 700, 3, 3);
    assert_eq!(a, b);
    assert_eq!(a, c);
    // A different seed gives different results (the comparison above is not trivially true).
    assert_ne!(a, run(&s, 700, 4, 2));
}

#[test]
fn power_never_falls_as_n_grows_on_the_flagship() {
    // With common random numbers the curve is close to monotone; allow Monte Carlo wiggle of 2 SE.
    let s = scenario::load("ketamine-ampar-2026").unwrap();
    let truths = truth::truths_with(&s, 100_000);
    let set = RunSettings {
        reps: 1000,
        seed: 5,
        threads: 2,
        ..Default::default()
    };
    let mut last = 0.0;
    for n in [60, 100, 140, 200] {
        let sizes = s.sizes_for_total(n);
        let acc = montecarlo::run(&s, &sizes, &set, &truths).unwrap();
        let rows = montecarlo::diagnosands(&s, &sizes, &acc, &truths);
        let p = get(&rows, "clinical", "madrs_change", "power");
        assert!(
            p.value >= last - 2.0 * p.mc_se,
            "N {n}: {} after {last}",
            p.value
        );
        last = p.value;
    }
    assert!(last > 0.8);
}

#[test]
fn summary_path_reproduces_the_subject_path_distribution() {
    // Group means and scatter matrices drawn directly (Bartlett) must give the same distribution of
    // every figure as drawing the subjects: compare two independent runs within Monte Carlo error.
    let text = r#"{"name": "paths", "design": {"controls": 20, "patients": 24,
            "arms": [{"name": "a"}, {"name": "b"}]},
        "measures": {"correlation": {"baseline": 0.5, "change": 0.3}, "regions": [
            {"name": "x", "control_mean": 1.0, "between_sd": 0.06, "test_retest_cv": 0.04, "patient_shift_d": -0.6},
            {"name": "y", "control_mean": 1.1, "between_sd": 0.07, "test_retest_cv": 0.05, "patient_shift_d": 0.3},
            {"name": "z", "control_mean": 0.9, "between_sd": 0.05, "test_retest_cv": 0.06}]},
        "arms": {"a": {"change_pct": {"x": 4, "y": -2}, "change_sd_pct": 3, "baseline_change_corr": {"x": -0.3}},
                 "b": {"change_sd_pct": 2}},
        "analysis": {"families": [
            {"name": "base", "kind": "baseline_difference", "multiplicity": "holm"},
            {"name": "welch", "kind": "arm_change", "test": "welch", "multiplicity": "hochberg"},
            {"name": "ancova", "kind": "arm_change", "test": "ancova", "multiplicity": "bh"},
            {"name": "within", "kind": "within_arm_change", "arm": "a", "multiplicity": "none"}]}}"#;
    assert!(paths_agree(text) > 100);
    // A scenario where it is not exact is refused with the reason.
    let flagship = scenario::load("ketamine-ampar-2026").unwrap();
    let err = montecarlo::summary_model(&flagship, montecarlo::SimPath::Summary).unwrap_err();
    assert!(err.to_string().contains("not exact"), "{err}");
}

#[test]
fn controls_as_statistics_reproduce_the_subject_path_distribution() {
    // The auto path draws the controls' statistics (failed scans removed by a drawn count) and
    // the patients subject by subject, on the observed scale, when only baseline t-tests read
    // the controls. Small groups and many failed scans make a wrong count or variance visible;
    // ANCOVA reads the baseline-change covariance, the flagship's correlation family the
    // change-improvement one.
    let text = r#"{"name": "mixed", "design": {"controls": 7, "patients": 12,
            "arms": [{"name": "a"}, {"name": "b"}]},
        "measures": {"scan_failure": 0.25, "correlation": {"baseline": 0.5, "change": 0.3}, "regions": [
            {"name": "x", "control_mean": 1.0, "between_sd": 0.06, "test_retest_cv": 0.04, "patient_shift_d": -0.9},
            {"name": "y", "control_mean": 1.1, "between_sd": 0.07, "test_retest_cv": 0.05, "patient_shift_d": 0.3},
            {"name": "z", "control_mean": 0.9, "between_sd": 0.05, "test_retest_cv": 0.06}]},
        "arms": {"a": {"change_pct": {"x": 4}, "change_sd_pct": 3, "improvement_mean": 8, "improvement_sd": 9, "dropout": 0.1},
                 "b": {"change_sd_pct": 2, "improvement_mean": 2, "improvement_sd": 6, "dropout": 0.1}},
        "analysis": {"families": [
            {"name": "base", "kind": "baseline_difference", "multiplicity": "holm"},
            {"name": "welch", "kind": "arm_change", "test": "welch", "multiplicity": "hochberg"},
            {"name": "ancova", "kind": "arm_change", "test": "ancova", "multiplicity": "none"},
            {"name": "clinical", "kind": "clinical"}]}}"#;
    let s = scenario::parse("mixed", text).unwrap();
    assert!(matches!(
        montecarlo::Sampler::new(&s, montecarlo::SimPath::Auto).unwrap(),
        montecarlo::Sampler::Mixed(_)
    ));
    assert!(runs_agree(&s, montecarlo::SimPath::Auto) > 30);
    // The flagship without its prediction family runs this way by default.
    let mut spec = scenario::load("ketamine-ampar-2026").unwrap().spec;
    spec.analysis
        .families
        .retain(|f| f.kind != scenario::FamilyKind::Prediction);
    let flagship = scenario::resolve(spec).unwrap();
    assert!(runs_agree(&flagship, montecarlo::SimPath::Auto) > 100);
}

#[test]
fn factor_summary_path_reproduces_the_subject_path_distribution() {
    // Baseline scans only under exchangeable correlation: the summary path draws the scatter
    // diagonal from one common factor (model/summary.rs); patients' SDs and measurement errors
    // differ by region, regions with and without an effect, and Holm couples them.
    let text = r#"{"name": "factor", "design": {"controls": 6, "patients": 5,
            "arms": [{"name": "a", "ratio": 1}]},
        "measures": {"correlation": {"baseline": 0.6}, "regions": [
            {"name": "x", "control_mean": 1.0, "between_sd": 0.06, "test_retest_cv": 0.04, "patient_shift_d": 0.9},
            {"name": "y", "control_mean": 1.1, "between_sd": 0.07, "patient_sd_ratio": 1.5, "patient_shift_d": 0.5},
            {"name": "z", "control_mean": 0.9, "between_sd": 0.05, "test_retest_cv": 0.08},
            {"name": "w", "control_mean": 0.8, "between_sd": 0.04}]},
        "analysis": {"families": [
            {"name": "welch", "kind": "baseline_difference", "multiplicity": "holm"},
            {"name": "student", "kind": "baseline_difference", "test": "student", "multiplicity": "none"}]}}"#;
    assert!(paths_agree(text) > 40);
}

/// Figures of the subject and summary paths (20,000 trials each) within 4.5 combined MC SE of each
/// other; returns how many were compared.
fn paths_agree(text: &str) -> usize {
    let s = scenario::parse("paths", text).unwrap();
    runs_agree(&s, montecarlo::SimPath::Summary)
}

/// Figures of the subject path and `path` (20,000 trials each) within 4.5 combined MC SE.
fn runs_agree(s: &scenario::Scenario, other: montecarlo::SimPath) -> usize {
    let s = s.clone();
    let truths = truth::truths_with(&s, 10_000);
    let sizes = s.own_sizes();
    let go = |path| {
        let set = RunSettings {
            reps: 20_000,
            seed: 41,
            threads: 2,
            path,
        };
        let acc = montecarlo::run(&s, &sizes, &set, &truths).unwrap();
        montecarlo::diagnosands(&s, &sizes, &acc, &truths)
    };
    let subject = go(montecarlo::SimPath::Subject);
    let summary = go(other);
    // Rows keyed by (family, hypothesis, metric). A row exists only when its event occurred in
    // some trial (an untestable trial, a rejection for type S/M): when the paths draw different
    // subjects, a rare event may appear in one run only. Such a row must then be rare: a rate
    // within 4.5 of its own SE of 0, or a conditional figure computed on at most 0.1 % of the
    // trials.
    let key = |r: &montecarlo::Row| (r.family.clone(), r.hypothesis.clone(), r.metric.to_string());
    let keyed = |rows: &[montecarlo::Row]| -> std::collections::BTreeMap<_, montecarlo::Row> {
        rows.iter().map(|r| (key(r), r.clone())).collect()
    };
    let (a_rows, b_rows) = (keyed(&subject), keyed(&summary));
    let rare =
        |r: &montecarlo::Row| r.reps <= 20 || (r.mc_se > 0.0 && r.value.abs() <= 4.5 * r.mc_se);
    for (k, r) in a_rows.iter().chain(&b_rows) {
        if !(a_rows.contains_key(k) && b_rows.contains_key(k)) {
            assert!(rare(r), "{k:?} in one run only and not rare: {r:?}");
        }
    }
    let unmatched = a_rows.keys().filter(|k| !b_rows.contains_key(*k)).count()
        + b_rows.keys().filter(|k| !a_rows.contains_key(*k)).count();
    assert!(unmatched <= 8, "{unmatched} rows in one run only");
    let mut compared = 0;
    for (k, a) in &a_rows {
        let Some(b) = b_rows.get(k) else { continue };
        let positive = |x: f64| x > 0.0;
        if a.metric == "true_value" || !positive(a.mc_se) || !positive(b.mc_se) {
            continue;
        }
        let se = (a.mc_se.powi(2) + b.mc_se.powi(2)).sqrt();
        // About 150 figures are compared: 4.5 combined SE keeps false alarms below 0.1 %.
        assert!(
            (a.value - b.value).abs() <= 4.5 * se,
            "{}/{}/{}: subject {} vs summary {} (combined SE {se})",
            a.family,
            a.hypothesis,
            a.metric,
            a.value,
            b.value
        );
        compared += 1;
    }
    compared
}

#[test]
fn observed_scale_patients_have_the_subject_paths_covariance() {
    // One patient's (baseline scan, observed change, improvement) has the covariance
    // `observed_cov` (scaled by the improvement SD). The subject path builds it from true values
    // plus separate measurement errors, the observed-scale draw from that covariance directly:
    // both must match it entry by entry within 5 sampling SE (Var of a sample covariance
    // (S_ii S_jj + S_ij^2) / n for normal data), 100,000 patients per arm.
    let text = r#"{"name": "cov", "design": {"controls": 2, "patients": 200000,
            "arms": [{"name": "a"}, {"name": "b"}]},
        "measures": {"correlation": {"baseline": 0.5, "change": 0.3}, "regions": [
            {"name": "x", "control_mean": 1.0, "between_sd": 0.06, "test_retest_cv": 0.04, "patient_shift_d": -0.9},
            {"name": "y", "control_mean": 1.1, "between_sd": 0.07, "test_retest_cv": 0.05},
            {"name": "z", "control_mean": 0.9, "between_sd": 0.05, "test_retest_cv": 0.06}]},
        "arms": {"a": {"change_pct": {"x": 4}, "change_sd_pct": 3, "baseline_change_corr": {"x": -0.4},
                       "baseline_improvement_corr": {"y": -0.3}, "change_improvement_corr": {"x": 0.4, "z": 0.2},
                       "improvement_mean": 8, "improvement_sd": 9},
                 "b": {"change_sd_pct": 2, "improvement_mean": 2, "improvement_sd": 6}}}"#;
    let s = scenario::parse("cov", text).unwrap();
    let (r, d) = (s.n_regions(), 2 * s.n_regions() + 1);
    for observed in [false, true] {
        let mut c = trialsim::model::Cohort::default();
        if observed {
            c.draw_patients(&s, &s.own_sizes(), 3, 0);
        } else {
            c.draw(&s, &s.own_sizes(), 3, 0);
        }
        for (k, arm) in s.arms.iter().enumerate() {
            let sigma = scenario::observed_cov(&s.regions, arm);
            let sd_s = arm.improvement_sd;
            // The expected covariance on the data's scale (improvement in score units).
            let expect = |i: usize, j: usize| {
                let f = |a: usize| if a == 2 * r { sd_s } else { 1.0 };
                sigma[i * d + j] * f(i) * f(j)
            };
            let rows: Vec<Vec<f64>> = c
                .arm_range(k)
                .map(|p| {
                    let b = &c.baseline[p * r..(p + 1) * r];
                    let f = &c.followup[p * r..(p + 1) * r];
                    let mut v: Vec<f64> = b.to_vec();
                    v.extend(f.iter().zip(b).map(|(f, b)| f - b));
                    v.push(c.improvement[p]);
                    v
                })
                .collect();
            let n = rows.len() as f64;
            let mean: Vec<f64> = (0..d)
                .map(|j| rows.iter().map(|v| v[j]).sum::<f64>() / n)
                .collect();
            for i in 0..d {
                for j in 0..=i {
                    let cov = rows
                        .iter()
                        .map(|v| (v[i] - mean[i]) * (v[j] - mean[j]))
                        .sum::<f64>()
                        / (n - 1.0);
                    let se = ((expect(i, i) * expect(j, j) + expect(i, j).powi(2)) / n).sqrt();
                    assert!(
                        (cov - expect(i, j)).abs() <= 5.0 * se,
                        "observed scale {observed}, arm {k}, entry ({i}, {j}): sample {cov} vs {} (SE {se})",
                        expect(i, j)
                    );
                }
            }
        }
    }
}

#[test]
fn crossover_summary_path_reproduces_the_subject_path_distribution() {
    // A crossover's families read only each sequence's half period differences: the summary path
    // draws their mean and scatter for the complete cases (a drawn count: dropout and failed
    // scans). Unequal change SDs per arm, a period effect, carry-over and measurement error each
    // enter the half differences' mean or covariance; small sequences make errors visible.
    let text = r#"{"name": "xo", "design": {"kind": "crossover", "controls": 0, "patients": 14,
            "arms": [{"name": "a"}, {"name": "b"}], "visits": ["p1", "p2"],
            "period_effect": {"x": -5}},
        "measures": {"scan_failure": 0.1, "correlation": {"baseline": 0.3, "change": 0.4}, "regions": [
            {"name": "x", "control_mean": 200, "between_sd": 24, "test_retest_cv": 0.08},
            {"name": "y", "control_mean": 700, "between_sd": 84, "test_retest_cv": 0.03},
            {"name": "z", "control_mean": 50, "between_sd": 5, "test_retest_cv": 0.1}]},
        "arms": {"a": {"change_pct": {"x": -8, "y": 3}, "change_sd_pct": 6, "carryover": 2, "dropout": 0.1},
                 "b": {"change_sd_pct": 2, "dropout": 0.05}},
        "analysis": {"families": [
            {"name": "student", "kind": "crossover", "arms": ["a", "b"], "test": "student", "multiplicity": "holm"},
            {"name": "welch", "kind": "crossover", "arms": ["a", "b"], "test": "welch", "multiplicity": "none"}]}}"#;
    assert!(paths_agree(text) > 40);
    let builtin = scenario::load("sustained-phase-crossover").unwrap();
    assert!(matches!(
        montecarlo::Sampler::new(&builtin, montecarlo::SimPath::Auto).unwrap(),
        montecarlo::Sampler::Summary(_)
    ));
    assert!(runs_agree(&builtin, montecarlo::SimPath::Summary) > 10);
}
