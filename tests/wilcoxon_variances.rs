//! Issue 17 in scenarios: `"test": "wilcoxon"` families, per-family alpha and sidedness, and the
//! patients' own between-subject SD. Reference values are independent of trialsim: R's
//! `wilcox.test` / `dwilcox` (scripts/reference/issue17_reference.R) and NumPy/SciPy re-simulations
//! of the same trials (scripts/reference/issue17_reference.py); the exact commands and outputs are
//! next to each constant.

mod common;
use common::{get, run, trialsim};
use trialsim::analysis::{Analyzer, Data, TrialResult};
use trialsim::model::Cohort;
use trialsim::model::summary::{SummaryDraw, SummaryModel};
use trialsim::montecarlo::truth;
use trialsim::scenario::{self, Scenario};
use trialsim::stats::moments::Moments;

fn parse(text: &str) -> Scenario {
    scenario::parse("test", text).unwrap()
}

/// 3-SE tolerance of a simulated rate p from `reps` trials.
fn se(p: f64, reps: u64) -> f64 {
    (p * (1.0 - p) / reps as f64).sqrt()
}

#[test]
fn wilcoxon_analysis_matches_r_wilcox_test_on_fixed_data() {
    // Sizes 7 controls, 8 + 10 patients; the drawn values are replaced by fixed data.
    let s = parse(
        r#"{"name": "w", "design": {"controls": 7, "patients": 18,
              "arms": [{"name": "drug", "ratio": 8}, {"name": "placebo", "ratio": 10}]},
            "measures": {"regions": [{"name": "r", "control_mean": 1.0, "between_sd": 0.1}]},
            "arms": {"drug": {"improvement_mean": 8}},
            "analysis": {"families": [
              {"name": "clin", "kind": "clinical", "endpoints": ["change"], "test": "wilcoxon",
               "alternative": "greater", "multiplicity": "none"},
              {"name": "base", "kind": "baseline_difference", "test": "wilcoxon", "multiplicity": "none"}]}}"#,
    );
    let mut c = Cohort::default();
    c.draw(&s, &s.own_sizes(), 1, 0);
    assert_eq!(c.group_start, vec![0, 7, 15, 25]);
    let base = [
        30., 28., 35., 32., 27., 31., 33., 29., 31., 29., 34., 30., 28., 33., 27., 32., 30., 26.,
    ];
    let follow = [
        12., 20., 15., 22., 18., 10., 25., 14., 25., 27., 20., 28., 22., 30., 21., 26., 24., 23.,
    ];
    let pat = [
        0.9698, 0.9176, 1.0252, 1.0920, 1.1636, 1.0610, 0.9947, 0.9715, 1.1249, 1.2135, 1.0773,
        0.9267, 0.9542, 1.2100, 1.0703, 0.8768, 1.0416, 0.9337,
    ];
    let con = [0.9371, 0.9512, 0.9287, 1.0553, 0.9937, 0.9411, 1.0410];
    for (j, i) in (7..25).enumerate() {
        c.scores[i * 2] = base[j];
        c.scores[i * 2 + 1] = follow[j];
        c.baseline[i] = pat[j];
    }
    for (i, v) in con.iter().enumerate() {
        c.baseline[i] = *v;
    }
    let mut out = TrialResult::new(&s);
    Analyzer::default().analyse(&s, &Data::Subjects(&c), 1, 0, &[], &mut out);
    // Rscript scripts/reference/issue17_reference.R (R 4.x):
    // clinical W 76 p_greater 0.00070554718504400697 estimate 7.0000404998372208
    //   ci 3.0000330636301156 14.000054169983356   (ties: normal approximation)
    // R's asymptotic estimate and interval are uniroot roots (tolerance ~1e-4) of a step
    // function whose steps are at the pairwise differences 7, 3 and 14, which we locate exactly.
    let o = out.families[0].outcomes[0];
    assert_eq!(o.statistic, 76.0);
    assert!((o.p - 0.000_705_547_185_044_007).abs() < 1e-12, "{}", o.p);
    assert!((o.estimate - 7.0).abs() < 1e-3 && (o.ci_low - 3.0).abs() < 1e-3);
    assert!((o.ci_high - 14.0).abs() < 1e-3, "{o:?}");
    assert!(out.families[0].reject[0]);
    // baseline W 85 p 0.19814437278968172 estimate 0.041950000000000043
    //   ci -0.022199999999999998 0.13619999999999988   (no ties: exact)
    let o = out.families[1].outcomes[0];
    assert_eq!(o.statistic, 85.0);
    assert!((o.p - 0.198_144_372_789_681_7).abs() < 1e-12, "{}", o.p);
    assert!((o.estimate - 0.04195).abs() < 1e-12);
    assert!((o.ci_low + 0.0222).abs() < 1e-12 && (o.ci_high - 0.1362).abs() < 1e-12);
    assert!(!out.families[1].reject[0]);
}

/// One region, one arm of patients against controls, no measurement error.
fn two_group(controls: usize, patients: usize, extra: &str, test: &str) -> Scenario {
    parse(&format!(
        r#"{{"name": "g", "design": {{"controls": {controls}, "patients": {patients}, "arms": [{{"name": "a"}}]}},
            "measures": {{"regions": [{{"name": "r", "control_mean": 1.0, "between_sd": 0.1 {extra}}}]}},
            "analysis": {{"families": [{{"name": "b", "kind": "baseline_difference", "test": "{test}",
                                         "multiplicity": "none"}}]}}}}"#
    ))
}

#[test]
fn wilcoxon_type_one_error_is_the_exact_size() {
    // 12 patients, 15 controls, no shift: the exact test rejects with probability equal to the
    // attained size of its rejection region. Rscript scripts/reference/issue17_reference.R:
    // sum(dwilcox(u, 12, 15)[p(u) <= 0.05]) = 0.046866346139464998.
    let exact_size = 0.046_866_346_139_465;
    let reps = 8000;
    let s = two_group(15, 12, "", "wilcoxon");
    let rows = run(&s, reps, 3, 2);
    let p = get(&rows, "b", "r", "power").value;
    assert!(
        (p - exact_size).abs() <= 3.0 * se(exact_size, reps),
        "{p} vs {exact_size}"
    );
    assert_eq!(get(&rows, "b", "r", "true_value").value, 0.0);
}

#[test]
fn clinical_wilcoxon_with_ties_holds_alpha_under_the_null() {
    // Integer MADRS change: many ties, normal approximation with tie correction. Same improvement
    // law in both arms, so the null holds exactly.
    let s = parse(
        r#"{"name": "c", "design": {"controls": 0, "patients": 50, "arms": [{"name": "a"}, {"name": "b"}]},
            "arms": {"a": {"improvement_mean": 6}, "b": {"improvement_mean": 6}},
            "analysis": {"families": [{"name": "c", "kind": "clinical", "endpoints": ["change"],
                                       "test": "wilcoxon", "multiplicity": "none"}]}}"#,
    );
    let reps = 6000;
    let rows = run(&s, reps, 4, 2);
    let p = get(&rows, "c", "madrs_change", "power").value;
    assert!((p - 0.05).abs() <= 3.0 * se(0.05, reps), "type I error {p}");
    // Estimates are centred on the truth 0 and the interval covers it.
    let cov = get(&rows, "c", "madrs_change", "coverage").value;
    assert!(cov >= 0.95 - 3.0 * se(0.95, reps), "coverage {cov}");
}

#[test]
fn wilcoxon_power_matches_an_independent_scipy_simulation() {
    // Patients N(1.08, 0.15^2) (n 20) vs controls N(1.00, 0.10^2) (n 25): shift 8 %, patients'
    // SD 1.5 x the controls'. python3 scripts/reference/issue17_reference.py
    // (scipy.stats.mannwhitneyu(method="exact"), 200,000 trials):
    // wilcoxon_power 0.504540 se 0.001118
    let (reference, ref_se) = (0.504_540, 0.001_118);
    let reps = 6000;
    let s = two_group(
        25,
        20,
        r#", "patient_shift_pct": 8, "patient_sd_ratio": 1.5"#,
        "wilcoxon",
    );
    let rows = run(&s, reps, 5, 2);
    let p = get(&rows, "b", "r", "power").value;
    let tol = 3.0 * (se(reference, reps).powi(2) + ref_se * ref_se).sqrt();
    assert!(
        (p - reference).abs() <= tol,
        "{p} vs {reference} (3 SE {tol})"
    );
    // Estimand: normal minus normal is symmetric about the mean difference, so the
    // Hodges-Lehmann truth is the shift 0.08 even with unequal SDs.
    assert!((get(&rows, "b", "r", "true_value").value - 0.08).abs() < 1e-12);
    let bias = get(&rows, "b", "r", "bias");
    assert!(bias.value.abs() <= 4.0 * bias.mc_se, "{bias:?}");
}

#[test]
fn wilcoxon_families_force_the_subject_path() {
    let s = two_group(25, 20, "", "wilcoxon");
    let why = trialsim::model::summary::ineligible(&s).expect("ineligible");
    assert!(why.contains("Wilcoxon"), "{why}");
    // The CLI refuses the summary path with that reason.
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("w.json");
    std::fs::write(&p, serde_json::to_string(&s.spec).unwrap()).unwrap();
    let out = trialsim()
        .args([
            "power",
            p.to_str().unwrap(),
            "--reps",
            "10",
            "--path",
            "summary",
        ])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("Wilcoxon"));
}

/// The Hodges-Lehmann shift of a large population sample: the median of all n^2 pairwise
/// differences x_i - y_j, by bisection on t of #{x_i - y_j <= t} (two pointers over sorted
/// samples). Independent of the lattice computation in `model::exact_rank`.
fn sample_hl(mut x: Vec<f64>, mut y: Vec<f64>) -> f64 {
    x.sort_by(f64::total_cmp);
    y.sort_by(f64::total_cmp);
    let total = x.len() as f64 * y.len() as f64;
    let count_le = |t: f64| {
        // #{j: y_j >= x_i - t} summed over i; x ascending so the cut moves up.
        let mut j = 0usize;
        let mut n = 0.0;
        for &xi in &x {
            while j < y.len() && y[j] < xi - t {
                j += 1;
            }
            n += (y.len() - j) as f64;
        }
        n
    };
    let (mut lo, mut hi) = (-200.0, 200.0);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if count_le(mid) >= total / 2.0 {
            hi = mid
        } else {
            lo = mid
        }
    }
    hi
}

fn improvements(s: &Scenario, per_arm: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let pop = s.population();
    let mut c = Cohort::default();
    let sizes = trialsim::scenario::Sizes {
        controls: 0,
        arms: vec![per_arm, per_arm],
    };
    c.draw(&pop, &sizes, seed, 0);
    let v = pop.visits.len() - 1;
    let x = c
        .arm_range(0)
        .map(|i| c.observed_improvement(i, v))
        .collect();
    let y = c
        .arm_range(1)
        .map(|i| c.observed_improvement(i, v))
        .collect();
    (x, y)
}

#[test]
fn clinical_wilcoxon_truth_is_the_population_hodges_lehmann_shift() {
    // Strong clamping at the floor (mean improvement 30 from a baseline near 30, SD 15): the
    // change is skewed, and the HL shift differs from the mean difference.
    for integer in [true, false] {
        let s = parse(&format!(
            r#"{{"name": "h", "design": {{"controls": 0, "patients": 40, "arms": [{{"name": "a"}}, {{"name": "b"}}]}},
                "symptoms": {{"integer": {integer}}},
                "arms": {{"a": {{"improvement_mean": 30, "improvement_sd": 15}}, "b": {{"improvement_mean": 0}}}},
                "analysis": {{"families": [{{"name": "c", "kind": "clinical", "endpoints": ["change"],
                                             "test": "wilcoxon"}}]}}}}"#
        ));
        let t = truth::truths(&s).hypotheses[0][0];
        let (x, y) = improvements(&s, 200_000, 9);
        let hl = sample_hl(x.clone(), y.clone());
        let mean_diff =
            x.iter().sum::<f64>() / x.len() as f64 - y.iter().sum::<f64>() / y.len() as f64;
        if integer {
            // Integer differences: the population median is an integer and the sample of
            // 4e10 pairs pins it down.
            assert_eq!(t.source, "exact_sum");
            assert_eq!(t.value, hl.round(), "lattice {} vs sample {hl}", t.value);
        } else {
            // Lattice step (60 / 2000 = 0.03) plus the sample HL's sampling error (SE about
            // 0.03 at 200,000 per arm).
            assert_eq!(t.source, "numerical_grid");
            assert!(
                (t.value - hl).abs() < 0.15,
                "lattice {} vs sample {hl}",
                t.value
            );
        }
        assert!(
            (t.value - mean_diff).abs() > 1.0,
            "HL {} should differ from the mean difference {mean_diff} under clamping (sample HL {hl})",
            t.value
        );
    }
}

#[test]
fn a_family_alpha_sits_beside_the_analysis_alpha() {
    // No effects. Primary: one-sided (greater) at 0.025; secondary: two-sided at analysis.alpha
    // 0.05, in the same run. Welch t on normal data: exact levels.
    let s = parse(
        r#"{"name": "a", "design": {"controls": 30, "patients": 30, "arms": [{"name": "a"}, {"name": "b"}]},
            "measures": {"regions": [{"name": "r", "control_mean": 1.0, "between_sd": 0.1, "test_retest_cv": 0.03}]},
            "analysis": {"alpha": 0.05, "families": [
              {"name": "primary", "kind": "baseline_difference", "alternative": "greater", "alpha": 0.025},
              {"name": "secondary", "kind": "arm_change"}]}}"#,
    );
    let reps = 8000;
    let rows = run(&s, reps, 6, 2);
    let p1 = get(&rows, "primary", "r", "power").value;
    let p2 = get(&rows, "secondary", "r", "power").value;
    assert!((p1 - 0.025).abs() <= 3.0 * se(0.025, reps), "primary {p1}");
    assert!((p2 - 0.05).abs() <= 3.0 * se(0.05, reps), "secondary {p2}");
    // Bad values are refused with the field path.
    let bad = serde_json::to_string(&s.spec)
        .unwrap()
        .replace("0.025", "1.5");
    let e = scenario::parse("bad", &bad).unwrap_err().to_string();
    assert!(e.contains("analysis.families[0].alpha"), "{e}");
}

#[test]
fn patients_have_their_own_between_subject_sd_on_both_paths() {
    // Patients' SD 0.2 (ratio 2), controls' 0.1, measurement SD 0.03: E s^2 = sigma^2 + e^2.
    let s = two_group(
        20,
        20,
        r#", "test_retest_cv": 0.03, "patient_sd_ratio": 2"#,
        "welch",
    );
    assert_eq!(s.regions[0].sigma_patients, 0.2);
    let (vp, vc) = (
        0.2f64.powi(2) + 0.03f64.powi(2),
        0.1f64.powi(2) + 0.03f64.powi(2),
    );
    let reps = 4000u64;
    let sizes = s.own_sizes();
    let (mut mp, mut mc) = (Moments::default(), Moments::default());
    let (mut sp, mut sc) = (Moments::default(), Moments::default());
    let model = SummaryModel::new(&s).unwrap();
    let (mut c, mut d) = (Cohort::default(), SummaryDraw::default());
    for rep in 0..reps {
        c.draw(&s, &sizes, 8, rep);
        let var = |range: std::ops::Range<usize>| {
            let mut m = Moments::default();
            range.for_each(|i| m.push(c.baseline[i]));
            m.summary().var
        };
        mp.push(var(c.patient_range()));
        mc.push(var(c.group_range(0)));
        d.draw(&s, &model, &sizes, 8, rep);
        sp.push(d.patients_baseline(0).var);
        sc.push(d.controls_baseline(0).var);
    }
    // Var(s^2) = 2 sigma^4 / (n - 1) for normal data: SE of the mean of `reps` sample variances.
    let tol = |v: f64| 4.0 * (2.0 * v * v / 19.0 / reps as f64).sqrt();
    for (name, m, v) in [
        ("subject patients", &mp, vp),
        ("subject controls", &mc, vc),
        ("summary patients", &sp, vp),
        ("summary controls", &sc, vc),
    ] {
        let got = m.summary().mean;
        assert!((got - v).abs() <= tol(v), "{name}: mean s^2 {got} vs {v}");
    }
}

#[test]
fn welch_holds_alpha_where_student_inflates_under_unequal_variances() {
    // 15 patients with SD 0.2 against 40 controls with SD 0.1, no shift. The smaller group has
    // the larger variance, so Student's pooled variance underestimates the SE of the difference.
    // python3 scripts/reference/issue17_reference.py (scipy.stats.ttest_ind, 1,000,000 trials):
    // student_type1 0.141626 se 0.000349; welch_type1 0.050579 se 0.000219
    let reps = 6000;
    for (test, reference) in [("student", 0.141_626), ("welch", 0.050_579)] {
        let s = two_group(40, 15, r#", "patient_between_sd": 0.2"#, test);
        let rows = run(&s, reps, 7, 2);
        let p = get(&rows, "b", "r", "power").value;
        let tol = 3.0 * (se(reference, reps).powi(2) + 0.000_35f64.powi(2)).sqrt();
        assert!((p - reference).abs() <= tol, "{test}: {p} vs {reference}");
    }
}

#[test]
fn pooled_sd_of_the_true_shift_and_bad_patient_sds() {
    let s = two_group(
        20,
        20,
        r#", "patient_shift_pct": 10, "patient_between_sd": 0.2"#,
        "welch",
    );
    // d_true = delta / sqrt((sigma^2 + sigma_p^2) / 2) = 0.1 / sqrt(0.025).
    let imp = trialsim::scenario::implied::implied(&s);
    assert!((imp[0].shift_d_true - 0.1 / 0.025f64.sqrt()).abs() < 1e-12);
    for (extra, path) in [
        (
            r#", "patient_between_sd": 0.2, "patient_sd_ratio": 2"#,
            "measures.regions[0].patient_sd_ratio",
        ),
        (
            r#", "patient_sd_ratio": -1"#,
            "measures.regions[0].patient_sd_ratio",
        ),
        (
            r#", "patient_between_sd": 0"#,
            "measures.regions[0].patient_between_sd",
        ),
    ] {
        let text = format!(
            r#"{{"name": "g", "design": {{"controls": 5, "patients": 5, "arms": [{{"name": "a"}}]}},
                "measures": {{"regions": [{{"name": "r", "control_mean": 1.0, "between_sd": 0.1 {extra}}}]}}}}"#
        );
        let e = scenario::parse("bad", &text).unwrap_err().to_string();
        assert!(e.contains(path), "{extra}: {e}");
    }
}
