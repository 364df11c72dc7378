//! Graphical multiplicity procedures (Bretz et al. 2009) in scenarios: within a family
//! (`"multiplicity": {"graphical": ...}`) and across families (`analysis.graphical`). The named
//! procedures they generalise are the references, trial by trial on the same simulated data, and
//! the familywise error rate is checked under the global and a partial null.

mod common;
use common::trialsim;
use trialsim::analysis::{Analyzer, Data, TrialResult};
use trialsim::model::Cohort;
use trialsim::scenario::{self, Scenario};

/// Three correlated regions; patients 30 (one arm), controls 30. `shifts` are patient_shift_d.
fn scenario_with(shifts: [f64; 3], families: &str, graph: &str) -> Scenario {
    let text = format!(
        r#"{{"name": "g", "design": {{"controls": 30, "patients": 30, "arms": [{{"name": "a"}}, {{"name": "b"}}]}},
            "measures": {{"correlation": {{"baseline": 0.5}}, "regions": [
              {{"name": "r1", "control_mean": 1.0, "between_sd": 0.1, "patient_shift_d": {}}},
              {{"name": "r2", "control_mean": 1.0, "between_sd": 0.1, "patient_shift_d": {}}},
              {{"name": "r3", "control_mean": 1.0, "between_sd": 0.1, "patient_shift_d": {}}}]}},
            "arms": {{"a": {{"change": {{"r1": 0.05}}, "change_sd": 0.05}}, "b": {{"change_sd": 0.05}}}},
            "analysis": {{"families": [{families}] {graph}}}}}"#,
        shifts[0], shifts[1], shifts[2]
    );
    scenario::parse("g", &text).unwrap()
}

/// Analyse `reps` trials and hand each result to `f`.
fn trials(s: &Scenario, reps: u64, seed: u64, mut f: impl FnMut(&TrialResult)) {
    let sizes = s.own_sizes();
    let (mut c, mut an, mut out) = (Cohort::default(), Analyzer::default(), TrialResult::new(s));
    for rep in 0..reps {
        c.draw(s, &sizes, seed, rep);
        an.analyse(s, &Data::Subjects(&c), seed, rep, &[], &mut out);
        f(&out);
    }
}

#[test]
fn holm_as_a_graph_decides_as_holm_trial_by_trial() {
    // Holm = equal weights 1/m, transitions 1/(m - 1) (Bretz et al. 2009, section 3).
    let third = 1.0 / 3.0;
    let s = scenario_with(
        [0.6, 0.4, 0.0],
        &format!(
            r#"{{"name": "holm", "kind": "baseline_difference", "multiplicity": "holm"}},
               {{"name": "graph", "kind": "baseline_difference", "multiplicity": {{"graphical": {{
                  "weights": [{third}, {third}, {third}],
                  "transitions": [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]}}}}}}"#
        ),
        "",
    );
    let (mut partial, mut any) = (0, 0);
    trials(&s, 2000, 1, |t| {
        let (h, g) = (&t.families[0].reject, &t.families[1].reject);
        assert_eq!(h, g);
        any += h.iter().any(|&r| r) as u32;
        partial += (h.iter().any(|&r| r) && !h.iter().all(|&r| r)) as u32;
    });
    // The comparison is not vacuous: many trials reject some but not all hypotheses.
    assert!(partial > 200 && any > 500, "partial {partial}, any {any}");
}

#[test]
fn fixed_sequence_graph_equals_the_gate_and_the_hand_rule() {
    // Across families: H1 (family a) then H2 (family b), all weight on H1, passed on when
    // rejected, equals a gate of b on a (single-hypothesis families at the same alpha).
    let s = scenario_with(
        [0.5, 0.3, 0.0],
        r#"{"name": "a", "kind": "baseline_difference", "regions": ["r1"], "multiplicity": "none"},
           {"name": "b", "kind": "baseline_difference", "regions": ["r2"], "multiplicity": "none", "gate": "a"},
           {"name": "ga", "kind": "baseline_difference", "regions": ["r1"]},
           {"name": "gb", "kind": "baseline_difference", "regions": ["r2"]},
           {"name": "seq", "kind": "baseline_difference", "multiplicity": {"graphical": {
              "weights": [1, 0, 0], "transitions": [[0, 1, 0], [0, 0, 1], [0, 0, 0]]}}}"#,
        r#", "graphical": {"hypotheses": ["ga:r1", "gb:r2"], "weights": [1, 0],
                            "transitions": [[0, 1], [0, 0]]}"#,
    );
    let mut second = 0;
    trials(&s, 2000, 2, |t| {
        assert_eq!(t.families[0].reject, t.families[2].reject);
        assert_eq!(t.families[1].reject, t.families[3].reject);
        second += t.families[3].reject[0] as u32;
        // Within a family, by hand: H_k is rejected when p_1, ..., p_k are all <= alpha.
        let seq = &t.families[4];
        let mut open = true;
        for (o, &r) in seq.outcomes.iter().zip(&seq.reject) {
            open &= o.p <= 0.05;
            assert_eq!(r, open, "{:?}", seq.outcomes);
        }
    });
    assert!(second > 100, "{second}");
}

#[test]
fn fallback_graph_equals_its_hand_rule() {
    // Fallback (Wiens 2003): H_i at alpha_i = w_i alpha + alpha_{i-1} if H_{i-1} was rejected.
    let w = [0.5, 0.3, 0.2];
    let s = scenario_with(
        [0.5, 0.5, 0.4],
        r#"{"name": "fb", "kind": "baseline_difference", "multiplicity": {"graphical": {
              "weights": [0.5, 0.3, 0.2], "transitions": [[0, 1, 0], [0, 0, 1], [0, 0, 0]]}}}"#,
        "",
    );
    let mut differs_from_bonferroni = 0;
    trials(&s, 2000, 3, |t| {
        let f = &t.families[0];
        let mut carried = 0.0;
        for (i, wi) in w.iter().enumerate() {
            let level = wi * 0.05 + carried;
            let reject = f.outcomes[i].p <= level;
            assert_eq!(f.reject[i], reject, "H{i}: {:?} {:?}", f.outcomes, f.reject);
            differs_from_bonferroni += (reject && f.outcomes[i].p > wi * 0.05) as u32;
            carried = if reject { level } else { 0.0 };
        }
    });
    assert!(differs_from_bonferroni > 50, "{differs_from_bonferroni}");
}

/// FWER of an analysis-level graph over 4 hypotheses of two families (baseline r1, r2; change
/// r1, r2), the truth of each given.
fn fwer(shifts: [f64; 3], change_r1: f64, null: [bool; 4], seed: u64) -> (f64, f64) {
    let graph = r#", "graphical": {"hypotheses": ["base:r1", "base:r2", "chg:r1", "chg:r2"],
        "weights": [0.5, 0.5, 0, 0],
        "transitions": [[0, 0.5, 0.5, 0], [0.5, 0, 0, 0.5], [0, 0, 0, 1], [0, 0, 1, 0]]}"#;
    let mut s = scenario_with(
        shifts,
        r#"{"name": "base", "kind": "baseline_difference", "regions": ["r1", "r2"]},
           {"name": "chg", "kind": "arm_change", "regions": ["r1", "r2"]}"#,
        graph,
    );
    s.arms[0].kappa[0] = change_r1;
    let reps = 4000;
    let mut errors = 0;
    trials(&s, reps, seed, |t| {
        let rej = [
            t.families[0].reject[0],
            t.families[0].reject[1],
            t.families[1].reject[0],
            t.families[1].reject[1],
        ];
        errors += rej.iter().zip(&null).any(|(&r, &n)| r && n) as u32;
    });
    let p = errors as f64 / reps as f64;
    (p, (0.05 * 0.95 / reps as f64).sqrt())
}

#[test]
fn graph_across_families_controls_the_fwer() {
    // Global null: every hypothesis true.
    let (p, se) = fwer([0.0; 3], 0.0, [true; 4], 4);
    assert!(p <= 0.05 + 3.0 * se, "global null FWER {p}");
    // Partial null: base:r1 and chg:r1 false (large effects pass their weight to the nulls).
    let (p, se) = fwer([1.0, 0.0, 0.0], 0.2, [false, true, false, true], 5);
    assert!(p <= 0.05 + 3.0 * se, "partial null FWER {p}");
    // The graph is not vacuous: under the partial null the nulls inherit weight, so the
    // rate is near alpha rather than near alpha / 2.
    assert!(p > 0.02, "{p}");
}

#[test]
fn bad_graphs_are_refused_with_the_field_path() {
    let cases = [
        (
            r#"{"name": "f", "kind": "baseline_difference", "multiplicity": {"graphical": {"weights": [0.5, 0.5], "transitions": [[0, 1], [1, 0]]}}}"#,
            "",
            "analysis.families[0].multiplicity.graphical.weights",
        ),
        (
            r#"{"name": "f", "kind": "baseline_difference", "multiplicity": {"graphical": {"weights": [0.5, 0.5, 0.5], "transitions": [[0, 1, 0], [1, 0, 0], [0, 0, 0]]}}}"#,
            "",
            "analysis.families[0].multiplicity.graphical.weights",
        ),
        (
            r#"{"name": "f", "kind": "baseline_difference", "multiplicity": {"graphical": {"weights": [0.5, 0.5, 0], "transitions": [[1, 0, 0], [1, 0, 0], [0, 0, 0]]}}}"#,
            "",
            "analysis.families[0].multiplicity.graphical.transitions",
        ),
        (
            r#"{"name": "f", "kind": "baseline_difference", "multiplicity": "bonferroni"}"#,
            r#", "graphical": {"hypotheses": ["f:r1", "f:r2", "f:r3"], "weights": [1, 0, 0], "transitions": [[0, 1, 0], [0, 0, 1], [0, 0, 0]]}"#,
            "analysis.families[0].multiplicity",
        ),
        (
            r#"{"name": "f", "kind": "baseline_difference"}"#,
            r#", "graphical": {"hypotheses": ["f:r1", "f:r2"], "weights": [1, 0], "transitions": [[0, 1], [0, 0]]}"#,
            "analysis.graphical.hypotheses",
        ),
        (
            r#"{"name": "f", "kind": "baseline_difference"}"#,
            r#", "graphical": {"hypotheses": ["f:r1", "f:r2", "f:nope"], "weights": [1, 0, 0], "transitions": [[0, 1, 0], [0, 0, 1], [0, 0, 0]]}"#,
            "analysis.graphical.hypotheses[2]",
        ),
    ];
    let d = tempfile::tempdir().unwrap();
    for (i, (fam, graph, path)) in cases.iter().enumerate() {
        let text = format!(
            r#"{{"name": "g", "design": {{"controls": 30, "patients": 30, "arms": [{{"name": "a"}}]}},
                "measures": {{"regions": [
                  {{"name": "r1", "control_mean": 1.0, "between_sd": 0.1}},
                  {{"name": "r2", "control_mean": 1.0, "between_sd": 0.1}},
                  {{"name": "r3", "control_mean": 1.0, "between_sd": 0.1}}]}},
                "analysis": {{"families": [{fam}] {graph}}}}}"#
        );
        let p = d.path().join(format!("g{i}.json"));
        std::fs::write(&p, text).unwrap();
        let out = trialsim().arg("validate").arg(&p).assert().code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.contains(path), "case {i}: {err}");
    }
}

#[test]
fn a_sample_size_search_on_a_graph_member_keeps_the_graph() {
    let s = scenario_with(
        [0.5, 0.3, 0.0],
        r#"{"name": "ga", "kind": "baseline_difference", "regions": ["r1"]},
           {"name": "gb", "kind": "baseline_difference", "regions": ["r2"]},
           {"name": "other", "kind": "arm_change"}"#,
        r#", "graphical": {"hypotheses": ["ga:r1", "gb:r2"], "weights": [1, 0],
                            "transitions": [[0, 1], [0, 0]]}"#,
    );
    let only = s.only_family("gb").unwrap();
    assert_eq!(only.families.len(), 2);
    assert!(only.graphical.is_some());
    let other = s.only_family("other").unwrap();
    assert_eq!(other.families.len(), 1);
    assert!(other.graphical.is_none());
}
