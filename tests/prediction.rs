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
    assert!(se > 0.0 && se < 0.003);
    assert!(
        (a - 0.7310982586358006).abs() <= 3.0 * se,
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
