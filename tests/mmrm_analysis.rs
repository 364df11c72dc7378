//! Clinical `"test": "mmrm"` families and monotone dropout per visit (issue 17): the per-trial MMRM
//! against R, its power under missing at random against an independent simulation in R, the bias
//! of complete-case ANCOVA against the MMRM's, failures counted as untestable, and the checks on
//! `dropout_per_visit`.

// The reference constants are R's 17 significant digits, kept as printed.
#![allow(clippy::excessive_precision)]

mod common;
use common::{get, run, trialsim};
use trialsim::analysis::{Analyzer, Data, TrialResult};
use trialsim::model::Cohort;
use trialsim::scenario::{self, Scenario};

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The scenario file with `edit` applied to its JSON.
fn scenario_with(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Scenario {
    let text = std::fs::read_to_string(data(name)).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    edit(&mut v);
    scenario::parse(name, &v.to_string()).unwrap()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// R's values per visit: estimate, se, Satterthwaite df, t, two-sided p.
type Arm = [[f64; 5]; 2];

/// Printed by `Rscript tests/data/mmrm_trial_reference.R` (R 4.2.2, nlme 3.1-162, numDeriv):
/// `nlme::gls(y ~ 0 + visit + visit:arm + visit:base, correlation = corSymm(form = ~ vis | id),
/// weights = varIdent(form = ~ 1 | visit))` on the cohort of `trialsim simulate
/// tests/data/tms-mmrm.json --seed 1` (tests/data/tms_mmrm_seed1.csv), polished by Newton steps
/// on an independently coded dense likelihood (Sigma moved 2.3e-7 (REML) and 2.5e-8 (ML) from
/// gls's), Satterthwaite df from that likelihood's numerical observed information.
const REML: Arm = [
    [
        -1.486077231771715,
        1.92366918710531,
        161.00000007788154,
        -0.77252224121130075,
        0.44093775724913209,
    ],
    [
        2.5197056282768115,
        1.8673554644240207,
        161.17233428176161,
        1.3493443944021692,
        0.17911880802350424,
    ],
];
const ML: Arm = [
    [
        -1.4860772317714563,
        1.9059934445801994,
        163.99999975237452,
        -0.7796864338632441,
        0.43669920271060059,
    ],
    [
        2.5197056282770562,
        1.8499143155259976,
        164.1932213600561,
        1.3620661276739257,
        0.17504271093358192,
    ],
];
/// gls's own estimates and standard errors of the arm coefficients (REML), before polishing.
const GLS_REML: [[f64; 2]; 2] = [
    [-1.48607723177152362, 1.92366899001871494],
    [2.51970563523245605, 1.86735536169654948],
];

fn analyse(s: &Scenario) -> TrialResult {
    let mut c = Cohort::default();
    c.draw(s, &s.own_sizes(), 1, 0);
    // The cohort is the one R analysed: scores (integers) and arms as in the CSV.
    let csv = std::fs::read_to_string(data("tms_mmrm_seed1.csv")).unwrap();
    let mut rows = 0;
    for (i, line) in csv.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let arm = if f[2] == "accelerated" { 0 } else { 1 };
        assert!(c.arm_range(arm).contains(&i), "subject {i} arm");
        for v in 0..3 {
            let want: f64 = f[4 + v].parse().unwrap_or(f64::NAN);
            let got = c.score(i, v);
            assert!(
                got == want || (got.is_nan() && want.is_nan()),
                "subject {i} visit {v}"
            );
        }
        rows += 1;
    }
    assert_eq!(rows, c.n_subjects());
    let mut out = TrialResult::new(s);
    Analyzer::default().analyse(s, &Data::Subjects(&c), 1, 0, &[], &mut out);
    out
}

fn check(s: &Scenario, want: &Arm) {
    let out = analyse(s);
    let fam = &out.families[0];
    assert_eq!(fam.outcomes.len(), 2);
    for (v, (o, w)) in fam.outcomes.iter().zip(want).enumerate() {
        assert!(
            rel(o.estimate, w[0]) < 1e-6,
            "est {v}: {} vs {}",
            o.estimate,
            w[0]
        );
        let se = (o.ci_high - o.ci_low) / 2.0 / trialsim::stats::dist::t_quantile(0.975, o.df);
        assert!(rel(se, w[1]) < 1e-6, "se {v}: {se} vs {}", w[1]);
        assert!(rel(o.df, w[2]) < 1e-6, "df {v}: {} vs {}", o.df, w[2]);
        assert!(rel(o.statistic, w[3]) < 1e-6, "t {v}");
        assert!(rel(o.p, w[4]) < 1e-6, "p {v}: {} vs {}", o.p, w[4]);
    }
}

#[test]
fn per_trial_mmrm_equals_r_reml_and_ml() {
    let s = scenario::load(&data("tms-mmrm.json")).unwrap();
    check(&s, &REML);
    let out = analyse(&s);
    for (o, g) in out.families[0].outcomes.iter().zip(GLS_REML) {
        assert!(rel(o.estimate, g[0]) < 1e-6 && rel(o.statistic, g[0] / g[1]) < 1e-6);
    }
    let ml = scenario_with("tms-mmrm.json", |v| {
        v["analysis"]["families"][0]["mmrm"] = serde_json::json!({"method": "ml"});
    });
    check(&ml, &ML);
}

/// `Rscript scripts/reference/mmrm_mar_power.R 2000 20261122` (R 4.2.2, nlme 3.1-162): an
/// independent simulation of tests/data/mar-mmrm.json analysed by nlme::gls (REML, unstructured),
/// the week-6 arm contrast tested on n_6 - 3 df: power and its Monte Carlo SE.
/// Output: 2000 of 2000 fits; power 0.4925, MC SE 0.0112; MMRM mean estimate 3.9214 (SE 0.0451;
/// truth 4); complete-case ANCOVA mean estimate 3.4724 (SE 0.0449); 77.14 patients seen at week 6.
const R_POWER: (f64, f64) = (0.4925, 0.0112);

#[test]
fn mmrm_power_under_mar_matches_an_independent_simulation_and_cc_ancova_is_biased() {
    let s = scenario::load(&data("mar-mmrm.json")).unwrap();
    let rows = run(&s, 2048, 7, 2);
    let p = get(&rows, "mmrm", "madrs_change", "power");
    let se = (p.mc_se.powi(2) + R_POWER.1.powi(2)).sqrt();
    assert!(
        (p.value - R_POWER.0).abs() < 3.0 * se,
        "power {} +/- {} vs R {:?}",
        p.value,
        p.mc_se,
        R_POWER
    );
    // Missing at random on the earlier score: the MMRM is unbiased, complete cases are not.
    let truth = get(&rows, "mmrm", "madrs_change", "true_value");
    assert!((truth.value - 4.0).abs() < 1e-9, "truth {}", truth.value);
    let b = get(&rows, "mmrm", "madrs_change", "bias");
    assert!(
        b.value.abs() < 3.0 * b.mc_se,
        "MMRM bias {} +/- {}",
        b.value,
        b.mc_se
    );
    let cc = get(&rows, "cc_ancova", "madrs_change", "bias");
    assert!(
        cc.value < -4.0 * cc.mc_se,
        "CC bias {} +/- {}",
        cc.value,
        cc.mc_se
    );
    // Dropout happened: the complete-case analysis had fewer patients than randomised.
    let u = rows
        .iter()
        .find(|r| r.family == "mmrm" && r.metric == "untestable_rate");
    assert!(u.is_none_or(|r| r.value < 0.01));
}

#[test]
fn failed_fits_are_untestable_never_nan() {
    // 8 patients, heavy dropout: many fits fail; each counts as untestable, power stays a number.
    let s = scenario_with("mar-mmrm.json", |v| {
        v["design"]["patients"] = 8.into();
        for a in ["treat", "control"] {
            v["arms"][a]["dropout_per_visit"] = serde_json::json!([0.3, 0.3, 0.3]);
        }
    });
    let rows = run(&s, 256, 3, 1);
    let u = get(&rows, "mmrm", "madrs_change", "untestable_rate");
    assert!(u.value > 0.05 && u.value < 1.0, "untestable {}", u.value);
    for r in rows.iter().filter(|r| r.family == "mmrm") {
        assert!(!r.value.is_nan() || r.reps == 0, "{r:?}");
    }
}

#[test]
fn per_visit_dropout_is_monotone_and_mar() {
    let s = scenario::load(&data("mar-mmrm.json")).unwrap();
    let mut c = Cohort::default();
    let (mut missed, mut n) = ([0usize; 4], 0);
    for rep in 0..50 {
        c.draw(&s, &s.own_sizes(), 11, rep);
        for i in c.patient_range() {
            n += 1;
            let mut gone = false;
            for (v, count) in missed.iter_mut().enumerate().skip(1) {
                let m = c.score(i, v).is_nan();
                assert!(!gone || m, "monotone: subject {i} back at visit {v}");
                gone |= m;
                *count += m as usize;
            }
        }
    }
    // About 15 % per interval at the mean score (more with worse scores): cumulative rises.
    let frac: Vec<f64> = missed[1..].iter().map(|&m| m as f64 / n as f64).collect();
    assert!(
        frac[0] > 0.05 && frac[0] < frac[1] && frac[1] < frac[2] && frac[2] < 0.6,
        "{frac:?}"
    );
}

#[test]
fn bad_dropout_per_visit_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, serde_json::Value, &str); 4] = [
        (
            "dropout_per_visit",
            serde_json::json!([0.1, 0.1]),
            "one entry per post-baseline visit (3: week2, week4, week6), got 2",
        ),
        (
            "dropout_per_visit",
            serde_json::json!([0.1, 1.0, 0.1]),
            "arms.treat.dropout_per_visit[1]",
        ),
        (
            "dropout_per_visit",
            serde_json::json!([0.1, -0.1, 0.1]),
            "must be a probability in [0, 1)",
        ),
        (
            "dropout_mar_log_or",
            serde_json::json!("x"),
            "dropout_mar_log_or",
        ),
    ];
    for (k, (field, value, msg)) in cases.into_iter().enumerate() {
        let text = std::fs::read_to_string(data("mar-mmrm.json")).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["arms"]["treat"][field] = value;
        let path = dir.path().join(format!("bad{k}.json"));
        std::fs::write(&path, v.to_string()).unwrap();
        let out = trialsim().args(["validate"]).arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "case {k}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(msg), "case {k}: {err}");
    }
    // The MAR log odds ratio needs the per-visit probabilities.
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("mar-mmrm.json")).unwrap()).unwrap();
    v["arms"]["treat"]
        .as_object_mut()
        .unwrap()
        .remove("dropout_per_visit");
    let e = scenario::parse("x", &v.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("arms.treat.dropout_mar_log_or") && e.contains("needs dropout_per_visit"),
        "{e}"
    );
    // An MMRM analyses the change only.
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("mar-mmrm.json")).unwrap()).unwrap();
    v["analysis"]["families"][0]["endpoints"] = serde_json::json!(["change", "response"]);
    let e = scenario::parse("x", &v.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("analysis.families[0].endpoints[1]") && e.contains("score change only"),
        "{e}"
    );
}

/// `python3 scripts/reference/rating_error_truth.py` (numpy, 4e6 patients per arm): per arm and
/// visit, mean improvement, P(response), P(remission), each followed by its Monte Carlo SE.
const RATING_ERROR_MC: [[f64; 6]; 4] = [
    [11.932015, 0.004557, 0.349040, 0.000238, 0.214672, 0.000205],
    [15.136075, 0.004743, 0.517467, 0.000250, 0.332466, 0.000236],
    [12.013345, 0.004875, 0.386518, 0.000243, 0.227744, 0.000210],
    [12.019294, 0.004873, 0.386992, 0.000244, 0.228256, 0.000210],
];

#[test]
fn exact_symptom_truths_with_a_rating_error_match_an_independent_simulation() {
    let s = scenario::load(&data("tms-mmrm.json")).unwrap().population();
    for k in 0..2 {
        for v in 1..3 {
            let t = trialsim::model::exact::symptom_truth(&s, k, v);
            let want = RATING_ERROR_MC[2 * k + v - 1];
            for (j, got) in [t.improvement, t.response, t.remission]
                .into_iter()
                .enumerate()
            {
                let (m, se) = (want[2 * j], want[2 * j + 1]);
                assert!(
                    (got - m).abs() < 4.0 * se,
                    "arm {k} visit {v} quantity {j}: {got} vs {m} +/- {se}"
                );
            }
        }
    }
}
