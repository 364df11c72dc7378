//! Exact symptom truths (response, remission, mean improvement under truncation, clamping and
//! rounding) against an independent computation, and the coverage they give.

use trialsim::model::exact::symptom_truth;
use trialsim::scenario::{self, Scenario};

/// Integer scale, late responders, improvement depending on the baseline score and a covariate,
/// narrow inclusion and a large improvement (clamping at 0 matters).
fn tricky(integer: bool) -> Scenario {
    let text = format!(
        r#"{{"name": "tricky", "design": {{"controls": 0, "patients": 20,
            "arms": [{{"name": "a"}}, {{"name": "b"}}], "visits": ["b0", "w1", "w2"],
            "covariates": [{{"name": "x", "mean": 1, "sd": 2}}]}},
        "arms": {{"a": {{"improvement_mean": 20, "improvement_sd": 9, "time_course": [0, 0.5, 1],
                        "late_fraction": 0.3, "late_time_course": [0, 0.1, 0.7],
                        "improvement_covariates": {{"x": 1.5, "baseline_score": 0.2}}}},
                 "b": {{"improvement_mean": 6, "improvement_sd": 5}}}},
        "symptoms": {{"integer": {integer}, "baseline_mean": 33, "baseline_sd": 7, "inclusion_min": 25.5,
                     "inclusion_max": 40, "scale_min": 0, "scale_max": 45, "response_fraction": 0.5,
                     "remission_max": 10}},
        "analysis": {{"families": [{{"name": "c", "kind": "clinical", "arms": ["a", "b"],
             "endpoints": ["change", "response", "remission"]}}]}}}}"#
    );
    scenario::parse("tricky", &text).unwrap()
}

/// Reference values from scripts/reference/symptom_truth.py (brute-force midpoint grids over the
/// latent improvement, 4e6 points on an integer scale, 4000 x 20000 on a continuous one; their own
/// error is below about 1e-7): (response, remission, mean improvement).
const REFERENCE: [(&str, bool, usize, usize, [f64; 3]); 8] = [
    (
        "flagship",
        true,
        0,
        1,
        [0.19829751292894743, 0.08501667302462394, 8.066046045388376],
    ),
    (
        "flagship",
        true,
        1,
        1,
        [
            0.006994308981454698,
            0.001567985832811881,
            2.500318054997155,
        ],
    ),
    (
        "tricky",
        true,
        0,
        1,
        [0.07602452232651832, 0.012038816051592986, 7.587335523117213],
    ),
    (
        "tricky",
        true,
        0,
        2,
        [0.5704322404662255, 0.3239524209781081, 17.84181019424391],
    ),
    (
        "tricky",
        true,
        1,
        2,
        [0.02935905910717864, 0.004087526914412511, 6.002356160988762],
    ),
    (
        "tricky",
        false,
        0,
        1,
        [0.06929019675851487, 0.009619241218482103, 7.586887117222014],
    ),
    (
        "tricky",
        false,
        0,
        2,
        [0.5593507516888235, 0.30642781691519433, 17.839996858531965],
    ),
    (
        "tricky",
        false,
        1,
        2,
        [0.0260779265552141, 0.003166841407791171, 6.002327773997617],
    ),
];

#[test]
fn symptom_truths_match_brute_force_integration() {
    for (name, integer, arm, visit, want) in REFERENCE {
        let s = if name == "flagship" {
            scenario::load("ketamine-ampar-2026").unwrap()
        } else {
            tricky(integer)
        };
        let t = symptom_truth(&s, arm, visit);
        for (got, want) in [t.response, t.remission, t.improvement].iter().zip(want) {
            assert!(
                (got - want).abs() < 1e-6,
                "{name} integer {integer} arm {arm} visit {visit}: {got} vs {want}"
            );
        }
    }
}

/// 10 vs 6 patients with high response rates, no dropout: every trial has complete data.
fn small_high_rate() -> Scenario {
    let text = r#"{"name": "small", "design": {"controls": 0, "patients": 16,
            "arms": [{"name": "a", "ratio": 10}, {"name": "b", "ratio": 6}]},
        "arms": {"a": {"improvement_mean": 24, "improvement_sd": 8, "dropout": 0},
                 "b": {"improvement_mean": 19, "improvement_sd": 8, "dropout": 0}},
        "analysis": {"families": [{"name": "c", "kind": "clinical", "arms": ["a", "b"],
             "endpoints": ["response"], "multiplicity": "none"}]}}"#;
    scenario::parse("small", text).unwrap()
}

#[test]
fn risk_difference_coverage_matches_exact_enumeration_on_a_small_high_rate_case() {
    // scripts/reference/small_high_rate_coverage.py: response rates by the brute-force grid,
    // 0.7980599715744341 and 0.5974383747666628; the exact coverage of the Newcombe (Wilson
    // hybrid) interval by enumeration of both binomials with statsmodels' interval: 0.9442329374164561.
    let s = small_high_rate();
    assert_eq!(s.own_sizes().arms, vec![10, 6]);
    let (t1, t2) = (symptom_truth(&s, 0, 1), symptom_truth(&s, 1, 1));
    assert!((t1.response - 0.7980599715744341).abs() < 1e-7);
    assert!((t2.response - 0.5974383747666628).abs() < 1e-7);
    let truths = trialsim::montecarlo::truth::truths(&s);
    let t = truths.hypotheses[0][0];
    assert_eq!((t.se, t.source), (0.0, "exact_sum"));
    let set = trialsim::montecarlo::RunSettings {
        reps: 20_000,
        seed: 12,
        threads: 2,
        ..Default::default()
    };
    let acc = trialsim::montecarlo::run(&s, &s.own_sizes(), &set, &truths).unwrap();
    let rows = trialsim::montecarlo::diagnosands(&s, &s.own_sizes(), &acc, &truths);
    let c = rows
        .iter()
        .find(|r| r.family == "c" && r.hypothesis == "response" && r.metric == "coverage")
        .unwrap();
    assert!(
        (c.value - 0.9442329374164561).abs() <= 3.0 * c.mc_se,
        "coverage {} ± {} vs exact 0.94423",
        c.value,
        c.mc_se
    );
}

/// The exact correlation of observed change with observed improvement equals its value on a
/// sample of 10^6 simulated patients (the method it replaces), within 4 SE, on an integer and a
/// continuous scale.
#[test]
fn change_improvement_correlation_matches_a_large_sample() {
    use trialsim::model::Cohort;
    use trialsim::montecarlo::truth::change_improvement_corr;
    use trialsim::scenario::Sizes;
    use trialsim::stats::moments::CoMoments;
    let flagship = scenario::load("ketamine-ampar-2026").unwrap();
    let mut continuous = flagship.clone();
    continuous.symptoms.spec.integer = false;
    for s in [flagship, continuous] {
        let nr = s.n_regions();
        let mut acc = vec![CoMoments::default(); nr];
        let mut c = Cohort::default();
        for chunk in 0..20u64 {
            c.draw(
                &s,
                &Sizes {
                    controls: 0,
                    arms: vec![50_000, 0],
                },
                4242,
                chunk,
            );
            for i in c.arm_range(0) {
                let imp = c.observed_improvement(i, 1);
                for (r, a) in acc.iter_mut().enumerate() {
                    let ch = c.followup[i * nr + r] - c.baseline[i * nr + r];
                    if imp.is_finite() && ch.is_finite() {
                        a.push(ch, imp);
                    }
                }
            }
        }
        let strongest = (0..nr)
            .map(|r| change_improvement_corr(&s, 0, 1, r).abs())
            .fold(0.0, f64::max);
        assert!(
            strongest > 0.1,
            "the flagship has linked regions: {strongest}"
        );
        for (r, a) in acc.iter().enumerate() {
            let b = a.summary();
            let sample = b.sxy / (b.sxx * b.syy).sqrt();
            let se = (1.0 - sample * sample) / b.n.sqrt();
            let exact = change_improvement_corr(&s, 0, 1, r);
            assert!(
                (exact - sample).abs() <= 4.0 * se,
                "integer {} region {r}: exact {exact} vs sample {sample} ± {se}",
                s.symptoms.spec.integer
            );
        }
    }
}
