//! Prediction accuracy: no information leaks from test folds into training, the optimal AUC
//! matches its closed form, and the learning-curve figures behave.

mod common;
use common::{get, run};
use trialsim::model::Cohort;
use trialsim::montecarlo::{self, RunSettings, truth};
use trialsim::scenario::{self, Scenario};
use trialsim::stats::cv::{Model, Penalty, Pipeline, Samples, Scratch, Threshold, Validation};
use trialsim::stats::metrics::auc;

/// `k` regions with no link to improvement; responders about 45 % (improvement 16 +/- 10 against
/// a threshold of half of baseline 34).
fn useless(k: usize, patients: usize, families: &str) -> Scenario {
    let regions: Vec<String> = (0..k)
        .map(|i| format!(r#"{{"name": "r{i}", "control_mean": 1, "between_sd": 0.06, "test_retest_cv": 0.05}}"#))
        .collect();
    let text = format!(
        r#"{{"name": "useless", "design": {{"controls": 0, "patients": {patients}, "arms": [{{"name": "a"}}]}},
            "measures": {{"correlation": {{"baseline": 0.3, "change": 0.2}}, "regions": [{}]}},
            "arms": {{"a": {{"change_sd_pct": 3, "improvement_mean": 16, "improvement_sd": 10}}}},
            "analysis": {{"families": [{families}]}}}}"#,
        regions.join(",")
    );
    scenario::parse("useless", &text).unwrap()
}

#[test]
fn useless_biomarker_has_cross_validated_auc_one_half_in_every_scheme() {
    let fams = r#"
        {"name": "kfold", "kind": "prediction", "features": "both", "models": ["ridge", "best_region"],
         "validation": {"scheme": "kfold", "folds": 5}},
        {"name": "repeated", "kind": "prediction", "features": "both", "models": ["ridge"], "penalty": 0.1,
         "validation": {"scheme": "repeated_kfold", "folds": 5, "repeats": 3}},
        {"name": "loo", "kind": "prediction", "features": "both", "models": ["ridge"], "penalty": 0.1,
         "validation": {"scheme": "loo"}}"#;
    let s = useless(3, 40, fams);
    let rows = run(&s, 1500, 31, 2);
    for (fam, model) in [
        ("kfold", "ridge"),
        ("kfold", "best_region"),
        ("repeated", "ridge"),
        ("loo", "ridge"),
    ] {
        let a = get(&rows, fam, model, "auc_cv");
        assert!(
            (a.value - 0.5).abs() <= 3.0 * a.mc_se,
            "{fam}/{model}: mean CV AUC {} ± {} for a useless marker",
            a.value,
            a.mc_se
        );
        // The truth is 1/2 too, and a small study's apparent AUC overstates it grossly.
        let t = get(&rows, fam, model, "auc_true");
        assert!(
            (t.value - 0.5).abs() < 0.01,
            "{fam}/{model}: true AUC {}",
            t.value
        );
        assert!(get(&rows, fam, model, "optimism_auc").value > 0.05);
    }
    let opt = get(&rows, "kfold", "ridge", "auc_optimal");
    assert!(
        (opt.value - 0.5).abs() <= 3.0 * opt.mc_se + 0.005,
        "optimal AUC {}",
        opt.value
    );
}

#[test]
fn feature_selection_outside_the_folds_would_inflate_the_auc() {
    // 30 useless features, keep the best 2. Inside the folds the CV AUC stays at 1/2; selecting on
    // the whole trial first (the classic leak) and cross-validating afterwards inflates it.
    let s = useless(
        30,
        40,
        r#"{"name": "p", "kind": "prediction", "models": ["ridge"]}"#,
    );
    let cfg = s.families[0].prediction.clone().unwrap();
    let p = cfg.n_features();
    let pipe_inside = Pipeline {
        model: Model::Ridge,
        penalty: Penalty::Fixed(0.1),
        select: Some(2),
        threshold: Threshold::Prevalence,
    };
    let pipe_plain = Pipeline {
        select: None,
        ..pipe_inside
    };
    let mut c = Cohort::default();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let mut scratch = Scratch::default();
    let (mut inside, mut leaky) = (Vec::new(), Vec::new());
    for rep in 0..400u64 {
        c.draw(&s, &s.own_sizes(), 77, rep);
        trialsim::analysis::prediction::extract(&cfg, &s, &c, &mut x, &mut y);
        let rows: Vec<usize> = (0..y.len()).collect();
        let mut rng = trialsim::rng::stream(77, rep, trialsim::rng::STREAM_FOLDS);
        let (m, _) = pipe_inside.cross_validate(
            Samples { x: &x, p, y: &y },
            &rows,
            Validation::KFold(5),
            &mut rng,
            &mut scratch,
        );
        inside.push(m.auc);
        // Leak: rank features on all rows, keep the top 2, then cross-validate on them.
        let mut score: Vec<(f64, usize)> = (0..p)
            .map(|j| {
                let col: Vec<f64> = rows.iter().map(|&i| x[i * p + j]).collect();
                ((auc(&col, &y, &mut Vec::new()) - 0.5).abs(), j)
            })
            .collect();
        score.sort_by(|a, b| b.0.total_cmp(&a.0));
        let keep = [score[0].1, score[1].1];
        let xs: Vec<f64> = rows
            .iter()
            .flat_map(|&i| keep.map(|j| x[i * p + j]))
            .collect();
        let (m, _) = pipe_plain.cross_validate(
            Samples {
                x: &xs,
                p: 2,
                y: &y,
            },
            &rows,
            Validation::KFold(5),
            &mut rng,
            &mut scratch,
        );
        leaky.push(m.auc);
    }
    let mean_se = |v: &[f64]| {
        let v: Vec<f64> = v.iter().copied().filter(|a| a.is_finite()).collect();
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        (m, sd / n.sqrt())
    };
    let (mi, si) = mean_se(&inside);
    let (ml, sl) = mean_se(&leaky);
    assert!(
        (mi - 0.5).abs() <= 3.0 * si,
        "selection inside folds: CV AUC {mi} ± {si}"
    );
    assert!(
        ml - 0.5 > 5.0 * sl && ml > 0.6,
        "selection outside folds should inflate: {ml} ± {sl}"
    );
}

#[test]
fn optimal_auc_matches_the_closed_form() {
    // One feature (baseline of one region, no measurement error) correlated rho = 0.5 with the
    // latent improvement s; baseline score fixed at 34 (SD 1e-6) so responder <=> s >= 17, i.e.
    // standardised improvement >= (17 - 15) / 10 = 0.2.
    // Closed form: AUC = P(X_a > X_b | S_a >= c > S_b) =
    //   (1 / (p (1 - p))) Int_{s_a >= c} Int_{s_b < c} phi(s_a) phi(s_b) Phi(rho (s_a - s_b) / sqrt(2 (1 - rho^2))),
    // with p = P(S >= c); scipy.integrate.dblquad (SciPy 1.17.1) gives 0.7310982586358006.
    let text = r#"{"name": "opt", "design": {"controls": 0, "patients": 20, "arms": [{"name": "a"}]},
        "measures": {"regions": [{"name": "r", "control_mean": 1, "between_sd": 0.1}]},
        "arms": {"a": {"baseline_improvement_corr": {"r": 0.5}, "improvement_mean": 15, "improvement_sd": 10}},
        "symptoms": {"integer": false, "baseline_mean": 34, "baseline_sd": 1e-6, "inclusion_min": 0,
                     "scale_min": -1000, "scale_max": 1000},
        "analysis": {"families": [{"name": "p", "kind": "prediction", "models": ["ridge"]}]}}"#;
    let s = scenario::parse("opt", text).unwrap();
    let truths = truth::truths(&s);
    let (a, se) = (
        truths.prediction[0].auc_optimal,
        truths.prediction[0].auc_optimal_se,
    );
    // Exact now (no sample): the table's interpolation and cell sums are good to about 1e-6.
    assert_eq!(se, 0.0);
    assert!(
        (a - 0.7310982586358006).abs() <= 2e-6,
        "optimal AUC {a} ± {se} vs 0.7311"
    );
}

#[test]
fn more_patients_shrink_optimism_and_raise_true_auc() {
    // Learning curve on a predictive marker: with more patients the fitted model's true AUC rises
    // toward the optimum and the optimism (apparent - true) falls.
    let text = r#"{"name": "lc", "design": {"controls": 0, "patients": 30, "arms": [{"name": "a"}]},
        "measures": {"correlation": {"baseline": 0.3}, "regions": [
            {"name": "r0", "control_mean": 1, "between_sd": 0.06, "test_retest_cv": 0.03},
            {"name": "r1", "control_mean": 1, "between_sd": 0.06, "test_retest_cv": 0.03},
            {"name": "r2", "control_mean": 1, "between_sd": 0.06, "test_retest_cv": 0.03}]},
        "arms": {"a": {"baseline_improvement_corr": {"r0": -0.5}, "improvement_mean": 16, "improvement_sd": 10}},
        "analysis": {"families": [{"name": "p", "kind": "prediction", "models": ["ridge"], "penalty": 0.05}]}}"#;
    let s = scenario::parse("lc", text).unwrap();
    let truths = truth::truths_with(&s, 100_000);
    let set = RunSettings {
        reps: 600,
        seed: 8,
        threads: 2,
        ..Default::default()
    };
    let mut last: Option<(f64, f64)> = None;
    for n in [30, 80, 200] {
        let sizes = s.sizes_for_total(n);
        let acc = montecarlo::run(&s, &sizes, &set, &truths).unwrap();
        let rows = montecarlo::diagnosands(&s, &sizes, &acc, &truths);
        let t = get(&rows, "p", "ridge", "auc_true");
        let o = get(&rows, "p", "ridge", "optimism_auc");
        let opt = get(&rows, "p", "ridge", "auc_optimal").value;
        assert!(
            t.value <= opt + 3.0 * t.mc_se,
            "true AUC {} above optimum {opt}",
            t.value
        );
        if let Some((lt, lo)) = last {
            assert!(
                t.value > lt,
                "N {n}: true AUC {} did not rise from {lt}",
                t.value
            );
            assert!(
                o.value < lo,
                "N {n}: optimism {} did not fall from {lo}",
                o.value
            );
        }
        last = Some((t.value, o.value));
    }
}

/// The exact true metrics of a fitted model equal its metrics on a large sample from the
/// population (the slow path they replace), within that sample's error.
#[test]
fn exact_true_metrics_agree_with_a_large_holdout_sample() {
    use trialsim::analysis::prediction::exact::ExactTruth;
    use trialsim::stats::metrics::metrics;
    let both = r#"{"name": "both", "design": {"controls": 0, "patients": 60, "arms": [{"name": "a"}],
            "visits": ["b0", "w1", "w2"]},
        "measures": {"correlation": {"baseline": 0.3, "change": 0.4}, "regions": [
            {"name": "r0", "control_mean": 1, "between_sd": 0.06, "test_retest_cv": 0.04},
            {"name": "r1", "control_mean": 1.1, "between_sd": 0.08, "test_retest_cv": 0.05},
            {"name": "r2", "control_mean": 0.9, "between_sd": 0.05, "test_retest_cv": 0.06}]},
        "arms": {"a": {"baseline_improvement_corr": {"r0": -0.3}, "change_improvement_corr": {"r1": 0.4},
                 "change_pct": {"r1": 3}, "change_sd_pct": 4, "improvement_mean": 14, "improvement_sd": 9,
                 "time_course": [0, 0.6, 1], "late_fraction": 0.25, "late_time_course": [0, 0.2, 0.8]}},
        "analysis": {"families": [{"name": "p", "kind": "prediction", "features": "both",
             "target": "remission", "visit": "w2", "models": ["ridge", "best_region"], "penalty": 0.05}]}}"#;
    let scenarios = [
        scenario::load("ketamine-ampar-2026").unwrap(),
        scenario::parse("both", both).unwrap(),
    ];
    for s in &scenarios {
        let fi = s
            .families
            .iter()
            .position(|f| f.prediction.is_some())
            .unwrap();
        let cfg = s.families[fi].prediction.clone().unwrap();
        let exact = ExactTruth::new(s, &cfg).expect("the exact law applies");
        let big = truth::arm_sample(s, &cfg, 400_000, 99);
        let p = cfg.n_features();
        let n1 = big.y.iter().filter(|&&v| v).count() as f64;
        let n0 = big.y.len() as f64 - n1;
        // The prevalence first: an exact sum vs the sample.
        let pv = n1 / big.y.len() as f64;
        let se_pv = (pv * (1.0 - pv) / big.y.len() as f64).sqrt();
        assert!(
            (exact.prevalence - pv).abs() < 4.0 * se_pv,
            "{}: prevalence {} vs sample {pv}",
            s.spec.name,
            exact.prevalence
        );
        let mut c = Cohort::default();
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for rep in 0..3u64 {
            c.draw(s, &s.own_sizes(), 5, rep);
            trialsim::analysis::prediction::extract(&cfg, s, &c, &mut x, &mut y);
            let rows: Vec<usize> = (0..y.len()).collect();
            for m in &cfg.models {
                let pipe = cfg.pipeline(*m);
                let mut rng = trialsim::rng::stream(5, rep, 7);
                let f = pipe.fit(
                    Samples { x: &x, p, y: &y },
                    &rows,
                    &mut rng,
                    &mut Scratch::default(),
                );
                let mut z = Vec::new();
                let pred: Vec<f64> = (0..big.y.len())
                    .map(|i| f.predict(&big.x[i * p..(i + 1) * p], &mut z))
                    .collect();
                let slow = metrics(&pred, &big.y, &[f.threshold], &mut Vec::new());
                let fast = exact.metrics(&f);
                let se_auc = truth::hanley_mcneil_se(fast.auc, n1, n0);
                let bern = |q: f64, n: f64| (q * (1.0 - q) / n).sqrt();
                let sd_brier = {
                    let m = slow.brier;
                    let v = pred
                        .iter()
                        .zip(&big.y)
                        .map(|(q, &t)| ((q - t as u8 as f64).powi(2) - m).powi(2))
                        .sum::<f64>()
                        / big.y.len() as f64;
                    (v / big.y.len() as f64).sqrt()
                };
                let checks = [
                    ("auc", fast.auc, slow.auc, se_auc),
                    (
                        "sensitivity",
                        fast.sensitivity,
                        slow.sensitivity,
                        bern(fast.sensitivity, n1),
                    ),
                    (
                        "specificity",
                        fast.specificity,
                        slow.specificity,
                        bern(fast.specificity, n0),
                    ),
                    ("brier", fast.brier, slow.brier, sd_brier),
                    // Calibration slope: its sampling SD on 400,000 patients is below 0.02 here.
                    (
                        "calibration_slope",
                        fast.calibration_slope,
                        slow.calibration_slope,
                        0.01,
                    ),
                    // Calibration-in-the-large: SD about 1/sqrt(n p (1-p)) < 0.005 here.
                    (
                        "calibration_intercept",
                        fast.calibration_intercept,
                        slow.calibration_intercept,
                        0.005,
                    ),
                ];
                for (name, a, b, se) in checks {
                    assert!(
                        (a - b).abs() <= 4.0 * se + 1e-9,
                        "{} rep {rep} {:?} {name}: exact {a} vs sample {b} (se {se})",
                        s.spec.name,
                        m
                    );
                }
            }
        }
    }
}

#[test]
fn a_large_training_sample_reaches_the_optimal_auc_of_a_single_predictor() {
    // The single-predictor case of optimal_auc_matches_the_closed_form, trained on 400 patients:
    // the fitted model's direction is right, so its true AUC is the optimum (closed form
    // 0.7310982586358006 by scipy dblquad) and the gap is 0 within its SE.
    let text = r#"{"name": "opt", "design": {"controls": 0, "patients": 400, "arms": [{"name": "a"}]},
        "measures": {"regions": [{"name": "r", "control_mean": 1, "between_sd": 0.1}]},
        "arms": {"a": {"baseline_improvement_corr": {"r": 0.5}, "improvement_mean": 15, "improvement_sd": 10}},
        "symptoms": {"integer": false, "baseline_mean": 34, "baseline_sd": 1e-6, "inclusion_min": 0,
                     "scale_min": -1000, "scale_max": 1000},
        "analysis": {"families": [{"name": "p", "kind": "prediction", "models": ["ridge"], "penalty": 0.01}]}}"#;
    let s = scenario::parse("opt", text).unwrap();
    let rows = run(&s, 200, 3, 2);
    let t = get(&rows, "p", "ridge", "auc_true");
    let opt = get(&rows, "p", "ridge", "auc_optimal");
    let gap = get(&rows, "p", "ridge", "auc_gap");
    assert!((opt.value - 0.7310982586358006).abs() < 2e-6);
    assert!(
        (t.value - opt.value).abs() <= 3.0 * t.mc_se + 1e-9,
        "true AUC {} ± {} vs optimum {}",
        t.value,
        t.mc_se,
        opt.value
    );
    assert!(
        gap.value.abs() <= 3.0 * gap.mc_se + 1e-9,
        "gap {} ± {}",
        gap.value,
        gap.mc_se
    );
}

/// TRIPOD-oriented figures: the tail probabilities of the calibration slope in new patients are
/// ordered and agree with the slope's own quantiles, and expected shrinkage is its mean.
#[test]
fn calibration_slope_tail_probabilities_agree_with_its_quantiles() {
    let study = trialsim::Study::load("ketamine-ampar-2026").unwrap();
    let res = study
        .power()
        .reps(120)
        .seed(5)
        .n(83)
        .threads(2)
        .run()
        .unwrap();
    let fig = |m: &str| {
        let r = res.table.get(83, "prediction", "ridge", m).unwrap();
        (r.value, r.mc_se)
    };
    let (p8, _) = fig("calibration_slope_true_below_0.8");
    let (p9, _) = fig("calibration_slope_true_below_0.9");
    assert!((0.0..=1.0).contains(&p8) && p8 <= p9, "{p8} {p9}");
    // The empirical CDF at the quantiles (histogram resolution is far finer than the steps).
    let n = 120.0;
    for (q, level) in [("q25", 0.25), ("q50", 0.5), ("q75", 0.75)] {
        let (v, _) = fig(&format!("calibration_slope_true_{q}"));
        let slack = 1.0 / n;
        if v < 0.8 {
            assert!(p8 >= level - slack, "q {q} = {v} < 0.8 but P(<0.8) = {p8}");
        } else if v > 0.8 {
            assert!(p8 <= level + slack, "q {q} = {v} > 0.8 but P(<0.8) = {p8}");
        }
    }
    let (mean, _) = fig("calibration_slope_true");
    let (shrink, _) = fig("expected_shrinkage");
    assert_eq!(mean, shrink);
    let (citl, se) = fig("calibration_intercept_true");
    assert!(citl.is_finite() && se.is_finite());
}

/// Riley et al.'s closed form beside the simulation, for the flagship's prediction family, equals
/// an independent SciPy implementation of the three pmsampsize criteria from the same inputs
/// (outcome prevalence, 14 candidate parameters, C-statistic).
#[test]
fn riley_answer_for_the_flagship_matches_an_independent_computation() {
    let study = trialsim::Study::load("ketamine-ampar-2026").unwrap();
    let r = study.riley("prediction").unwrap();
    eprintln!("{r:?}");
    assert_eq!(r.parameters, 14);
    assert_eq!(r.outcome, "response");
    assert!(
        (r.prevalence - REF_PREVALENCE).abs() < 1e-9,
        "{}",
        r.prevalence
    );
    assert!((r.c_statistic - REF_C).abs() < 1e-9, "{}", r.c_statistic);
    assert!((r.r2_cs - REF_R2CS).abs() < 1e-6, "{}", r.r2_cs);
    assert_eq!(r.criteria, REF_CRITERIA);
    assert_eq!(r.n_development, REF_CRITERIA.into_iter().max().unwrap());
    // Completers in the arm: 1:1 allocation and the arm's improvement-dependent dropout.
    assert!((r.arm_share - 0.5).abs() < 1e-12);
    assert_eq!(
        r.patients_total,
        (r.n_development as f64 / (0.5 * r.completion)).ceil() as u64
    );
}
// Inputs pinned from the flagship (prevalence: the exact sum over the baseline score, checked
// against exact enumeration in tests/exact_truth.rs; C: the exact optimal AUC, checked against its
// closed form in this file). The Riley figures from them, computed independently in SciPy 1.14:
//   import numpy as np; from scipy import integrate, stats
//   phi, C, p = 0.1982975165538099, 0.6646058267733791, 14
//   mu = np.sqrt(2) * stats.norm.ppf(C); a = np.log(phi / (1 - phi))   # binormal, equal variances
//   f = lambda x: (phi * stats.norm.pdf(x, mu) * -np.logaddexp(0, -(a + mu*x - mu*mu/2))
//                  + (1 - phi) * stats.norm.pdf(x) * -np.logaddexp(0, a + mu*x - mu*mu/2))
//   I = integrate.quad(f, -30, 30, epsabs=1e-15, limit=500)[0] - (phi*np.log(phi) + (1-phi)*np.log(1-phi))
//   R2 = 1 - np.exp(-2 * I)                                            # 0.054268723783366224
//   n1 = ceil(p / ((0.9 - 1) * log(1 - R2 / 0.9)))                       # 2252
//   mx = 1 - (phi**phi * (1-phi)**(1-phi))**2; S2 = R2 / (R2 + 0.05 * mx)
//   n2 = ceil(p / ((S2 - 1) * log(1 - R2 / S2)))                         # 425
//   n3 = ceil((1.96 / 0.05)**2 * phi * (1 - phi))                        # 245
const REF_PREVALENCE: f64 = 0.1982975165538099;
const REF_C: f64 = 0.6646058267733791;
const REF_R2CS: f64 = 0.054268723783366224;
const REF_CRITERIA: [u64; 3] = [2252, 425, 245];

/// `sample-size` sizes a prediction model to the calibration slope's tail (a target that must
/// fall: at most) and prints Riley et al.'s closed-form answer beside the simulated one.
#[test]
fn sample_size_for_the_calibration_slope_prints_riley_beside_it() {
    let out = common::trialsim()
        .args([
            "sample-size",
            "--criterion",
            "prediction:ridge:calibration_slope_true_below_0.9",
            "--target",
            "0.5",
            "--reps",
            "24",
            "--max-n",
            "160",
            "--seed",
            "3",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("prediction:ridge:calibration_slope_true_below_0.9 is not <= 0.5"),
        "{text}"
    );
    assert!(
        text.contains(
            "Riley et al. (2019) closed form for 'prediction': at least 2252 ketamine patients"
        ),
        "{text}"
    );
}
