//! Invariants that must hold for every input, checked with proptest.

use proptest::prelude::*;
use trialsim::montecarlo::{self, RunSettings, truth};
use trialsim::scenario;
use trialsim::stats::Multiplicity;
use trialsim::stats::multiplicity::adjust;

fn rejections(p: &[f64], m: Multiplicity) -> Vec<bool> {
    let mut q = p.to_vec();
    adjust(&mut q, m, &mut Vec::new());
    q.iter().map(|&x| x <= 0.05).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Adjusted p-values are never below the raw ones, and the procedures are nested as the theory
    /// says: Bonferroni rejects a subset of Holm, Holm of Hochberg, Hochberg of BH.
    #[test]
    fn multiplicity_procedures_are_nested(p in prop::collection::vec(0.0f64..1.0, 1..20)) {
        for m in [Multiplicity::Bonferroni, Multiplicity::Holm, Multiplicity::Hochberg, Multiplicity::Bh] {
            let mut q = p.clone();
            adjust(&mut q, m, &mut Vec::new());
            for (a, b) in p.iter().zip(&q) {
                prop_assert!(b >= a && *b <= 1.0);
            }
        }
        let bon = rejections(&p, Multiplicity::Bonferroni);
        let holm = rejections(&p, Multiplicity::Holm);
        let hoch = rejections(&p, Multiplicity::Hochberg);
        let bh = rejections(&p, Multiplicity::Bh);
        for i in 0..p.len() {
            prop_assert!(!bon[i] || holm[i]);
            prop_assert!(!holm[i] || hoch[i]);
            prop_assert!(!hoch[i] || bh[i]);
        }
    }
}

fn shift_scenario(d: f64) -> scenario::Scenario {
    let text = format!(
        r#"{{"name": "shift", "design": {{"controls": 12, "patients": 12, "arms": [{{"name": "a"}}]}},
            "measures": {{"regions": [{{"name": "r", "control_mean": 1.0, "between_sd": 0.1,
                                        "test_retest_cv": 0.05, "patient_shift_d": {d}}}]}},
            "analysis": {{"families": [{{"name": "b", "kind": "baseline_difference",
                                         "alternative": "greater", "multiplicity": "none"}}]}}}}"#
    );
    scenario::parse("shift", &text).unwrap()
}

fn power(d: f64) -> f64 {
    let s = shift_scenario(d);
    let truths = truth::truths(&s);
    let set = RunSettings {
        reps: 300,
        seed: 21,
        threads: 1,
        ..Default::default()
    };
    let acc = montecarlo::run(&s, &s.own_sizes(), &set, &truths).unwrap();
    acc.families[0].hyps[0].reject as f64 / 300.0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Power never falls when the effect grows. With common random numbers a larger shift moves
    /// every simulated patient up by the same amount, so each one-sided t statistic grows and the
    /// estimated power is monotone exactly, not just on average.
    #[test]
    fn power_never_falls_when_effects_grow(d1 in -0.5f64..1.5, extra in 0.0f64..1.0) {
        prop_assert!(power(d1 + extra) >= power(d1));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Deciding from brackets (which procedure level each p-value is at or below, found from
    /// critical values) rejects exactly what exact p-values and the R-style adjustment reject.
    #[test]
    fn bracket_decisions_equal_exact_p_value_decisions(
        stats in prop::collection::vec((-6.0f64..6.0, 3.0f64..200.0), 1..16),
        two_sided in any::<bool>(),
    ) {
        use trialsim::stats::dist::quantile_table;
        use trialsim::stats::multiplicity::{levels, reject_from_brackets};
        use trialsim::stats::ttest::t_pvalue;
        use trialsim::stats::Alternative;
        let alpha = 0.05;
        let m = stats.len();
        let alt = if two_sided { Alternative::TwoSided } else { Alternative::Greater };
        let exact: Vec<f64> = stats.iter().map(|&(t, df)| t_pvalue(t, df, alt)).collect();
        for method in [Multiplicity::None, Multiplicity::Bonferroni, Multiplicity::Holm, Multiplicity::Hochberg, Multiplicity::Bh] {
            let lv = levels(method, m, alpha);
            let brackets: Vec<Option<usize>> = stats
                .iter()
                .map(|&(t, df)| {
                    let directed = if two_sided { t.abs() } else { t };
                    let pass = |level: f64| {
                        let p = if two_sided { 1.0 - level / 2.0 } else { 1.0 - level };
                        directed >= quantile_table(p).get(df)
                    };
                    Some(lv.iter().position(|&l| pass(l)).unwrap_or(lv.len()))
                })
                .collect();
            let mut from_brackets = vec![false; m];
            reject_from_brackets(method, &brackets, &mut from_brackets);
            let mut q = exact.clone();
            adjust(&mut q, method, &mut Vec::new());
            let from_p: Vec<bool> = q.iter().map(|&x| x <= alpha).collect();
            prop_assert_eq!(from_p, from_brackets, "{:?}", method);
        }
    }
}
