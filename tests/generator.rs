//! The generator reproduces the scenario's means, SDs and correlations, and their attenuation by
//! measurement error, on very large cohorts. Every tolerance is Z standard errors from sampling
//! theory (SE of a mean sd/sqrt(n), of an SD sd/sqrt(2(n-1)), of a correlation (1-r^2)/sqrt(n),
//! of a proportion sqrt(p(1-p)/n)); none is picked by eye. With about 60 checks at Z = 4.5 the
//! chance of a false alarm is below 0.05 %, and the seed is fixed, so the test is deterministic.

use trialsim::model::Cohort;
use trialsim::scenario::{self, Scenario};

const Z: f64 = 4.5;

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, var.sqrt())
}

fn corr(x: &[f64], y: &[f64]) -> f64 {
    let (mx, sx) = mean_sd(x);
    let (my, sy) = mean_sd(y);
    let n = x.len() as f64;
    x.iter()
        .zip(y)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>()
        / ((n - 1.0) * sx * sy)
}

fn check_mean(label: &str, v: &[f64], want: f64, sd: f64) {
    let (m, _) = mean_sd(v);
    let se = sd / (v.len() as f64).sqrt();
    assert!(
        (m - want).abs() <= Z * se,
        "{label}: mean {m} vs {want} (SE {se})"
    );
}

fn check_sd(label: &str, v: &[f64], want: f64) {
    let (_, s) = mean_sd(v);
    let se = want / (2.0 * (v.len() as f64 - 1.0)).sqrt();
    assert!(
        (s - want).abs() <= Z * se,
        "{label}: SD {s} vs {want} (SE {se})"
    );
}

fn check_corr(label: &str, x: &[f64], y: &[f64], want: f64) {
    let r = corr(x, y);
    let se = (1.0 - want * want) / (x.len() as f64).sqrt();
    assert!(
        (r - want).abs() <= Z * se,
        "{label}: r {r} vs {want} (SE {se})"
    );
}

const BIG: &str = r#"{
  "name": "big", "design": {"controls": 100000, "patients": 100000, "arms": [{"name": "t"}]},
  "measures": {"correlation": {"baseline": 0.5, "change": 0.3}, "regions": [
    {"name": "A", "control_mean": 1.0, "between_sd": 0.05, "test_retest_cv": 0.04, "patient_shift_d": -0.5},
    {"name": "B", "control_mean": 2.0, "between_sd": 0.1, "test_retest_cv": 0.03, "patient_shift_pct": 5},
    {"name": "C", "control_mean": 0.5, "between_sd": 0.04}]},
  "arms": {"t": {"change_pct": {"A": 3, "B": -2}, "change_sd": {"A": 0.03, "B": 0.05, "C": 0.02},
                 "baseline_change_corr": {"A": 0.2},
                 "baseline_improvement_corr": {"A": -0.3, "C": 0.2},
                 "change_improvement_corr": {"A": 0.4, "B": -0.2},
                 "improvement_mean": 10, "improvement_sd": 5, "dropout": 0.1}},
  "symptoms": {"integer": false, "scale_min": -1000, "scale_max": 1000,
               "inclusion_min": -1000, "inclusion_max": 1000, "baseline_mean": 30, "baseline_sd": 6}
}"#;

fn column(c: &Cohort, v: &[f64], r: usize, range: std::ops::Range<usize>) -> Vec<f64> {
    range.map(|i| v[i * c.n_regions + r]).collect()
}

#[test]
fn large_cohort_reproduces_the_scenario() {
    let s: Scenario = scenario::parse("big", BIG).unwrap();
    let mut c = Cohort::default();
    c.draw(&s, &s.own_sizes(), 2026, 0);
    let con = c.group_range(0);
    let pat = c.arm_range(0);
    let arm = &s.arms[0];
    let nr = s.n_regions();

    for (r, reg) in s.regions.iter().enumerate() {
        let sd_obs = (reg.sigma.powi(2) + reg.meas_sd.powi(2)).sqrt();
        let cb = column(&c, &c.baseline, r, con.clone());
        let pb = column(&c, &c.baseline, r, pat.clone());
        check_mean(
            &format!("{} control baseline", reg.name),
            &cb,
            reg.mu,
            sd_obs,
        );
        check_mean(
            &format!("{} patient baseline", reg.name),
            &pb,
            reg.mu + reg.delta,
            sd_obs,
        );
        check_sd(&format!("{} control observed SD", reg.name), &cb, sd_obs);
        check_sd(&format!("{} patient observed SD", reg.name), &pb, sd_obs);
        let tb = column(&c, &c.true_baseline, r, con.clone());
        check_sd(&format!("{} control true SD", reg.name), &tb, reg.sigma);

        // True change and its SD; observed change over complete cases.
        let tc = column(&c, &c.true_change, r, pat.clone());
        check_mean(
            &format!("{} true change", reg.name),
            &tc,
            arm.kappa[r],
            arm.tau[r],
        );
        check_sd(&format!("{} true change SD", reg.name), &tc, arm.tau[r]);
        let complete: Vec<usize> = pat
            .clone()
            .filter(|&i| !c.followup[i * nr + r].is_nan())
            .collect();
        let oc: Vec<f64> = complete
            .iter()
            .map(|&i| c.followup[i * nr + r] - c.baseline[i * nr + r])
            .collect();
        let sd_oc = (arm.tau[r].powi(2) + 2.0 * reg.meas_sd.powi(2)).sqrt();
        check_mean(
            &format!("{} observed change", reg.name),
            &oc,
            arm.kappa[r],
            sd_oc,
        );
        check_sd(&format!("{} observed change SD", reg.name), &oc, sd_oc);

        // Correlations with improvement: true, and attenuated by the change score's reliability
        // (improvement is observed without error here: no clamping, no rounding).
        let imp: Vec<f64> = pat.clone().map(|i| c.improvement[i]).collect();
        let tbp = column(&c, &c.true_baseline, r, pat.clone());
        if arm.tau[r] > 0.0 {
            check_corr(
                &format!("{} true change-improvement", reg.name),
                &tc,
                &imp,
                arm.rho_cs[r],
            );
            let oimp: Vec<f64> = complete
                .iter()
                .map(|&i| c.observed_improvement(i, 1))
                .collect();
            let rel = arm.change_reliability(reg, r);
            check_corr(
                &format!("{} observed change-improvement", reg.name),
                &oc,
                &oimp,
                arm.rho_cs[r] * rel.sqrt(),
            );
            check_corr(
                &format!("{} baseline-change", reg.name),
                &tbp,
                &tc,
                arm.rho_bc[r],
            );
        }
        check_corr(
            &format!("{} true baseline-improvement", reg.name),
            &tbp,
            &imp,
            arm.rho_bs[r],
        );
        let pimp: Vec<f64> = pat.clone().map(|i| c.improvement[i]).collect();
        check_corr(
            &format!("{} observed baseline-improvement", reg.name),
            &pb,
            &pimp,
            arm.rho_bs[r] * reg.icc().sqrt(),
        );
    }

    // Between-region correlation: 0.5 for true values, attenuated for observed ones.
    for (i, j) in [(0, 1), (0, 2), (1, 2)] {
        let (ri, rj) = (&s.regions[i], &s.regions[j]);
        let ti = column(&c, &c.true_baseline, i, con.clone());
        let tj = column(&c, &c.true_baseline, j, con.clone());
        check_corr("true baseline between regions", &ti, &tj, 0.5);
        let oi = column(&c, &c.baseline, i, con.clone());
        let oj = column(&c, &c.baseline, j, con.clone());
        let att = (ri.icc() * rj.icc()).sqrt();
        check_corr("observed baseline between regions", &oi, &oj, 0.5 * att);
        let ci = column(&c, &c.true_change, i, pat.clone());
        let cj = column(&c, &c.true_change, j, pat.clone());
        check_corr("true change between regions", &ci, &cj, 0.3);
    }

    // Improvement and dropout.
    let imp: Vec<f64> = pat.clone().map(|i| c.improvement[i]).collect();
    check_mean("improvement", &imp, 10.0, 5.0);
    check_sd("improvement SD", &imp, 5.0);
    let n = pat.len() as f64;
    let dropped = pat.clone().filter(|&i| c.dropped[i]).count() as f64 / n;
    let se = (0.1f64 * 0.9 / n).sqrt();
    assert!((dropped - 0.1).abs() <= Z * se, "dropout {dropped}");
    // Controls are not rescanned by default.
    assert!(con.clone().all(|i| c.followup[i * nr].is_nan()));
}

/// Mean of N(mu, sd) truncated to [a, b]: mu + sd (phi(alpha) - phi(beta)) / (Phi(beta) - Phi(alpha)).
fn truncated_mean(mu: f64, sd: f64, a: f64, b: f64) -> (f64, f64) {
    use trialsim::stats::dist::norm_cdf;
    let phi = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let (al, be) = ((a - mu) / sd, (b - mu) / sd);
    let z = norm_cdf(be) - norm_cdf(al);
    let m = mu + sd * (phi(al) - phi(be)) / z;
    let var =
        sd * sd * (1.0 + (al * phi(al) - be * phi(be)) / z - ((phi(al) - phi(be)) / z).powi(2));
    (m, var.sqrt())
}

fn baseline_scores(json_symptoms: &str) -> (Scenario, Cohort) {
    let text = format!(
        r#"{{"name": "t", "design": {{"controls": 0, "patients": 200000, "arms": [{{"name": "a"}}]}},
            "measures": {{"regions": [{{"name": "r", "control_mean": 1, "between_sd": 0.1}}]}},
            "arms": {{"a": {{"improvement_mean": 8, "improvement_sd": 10}}}},
            "symptoms": {json_symptoms}}}"#
    );
    let s = scenario::parse("t", &text).unwrap();
    let mut c = Cohort::default();
    c.draw(&s, &s.own_sizes(), 9, 0);
    (s, c)
}

#[test]
fn truncated_baseline_by_rejection_and_by_inverse_cdf() {
    // Acceptance 97.7 % (rejection path) and 3.3 % (inverse-CDF path).
    for (lo, hi) in [(22.0, 60.0), (45.0, 60.0)] {
        let (s, c) = baseline_scores(&format!(
            r#"{{"integer": false, "inclusion_min": {lo}, "inclusion_max": {hi}}}"#
        ));
        assert_eq!(s.symptoms.rejection, lo == 22.0);
        let v: Vec<f64> = c.patient_range().map(|i| c.score(i, 0)).collect();
        assert!(v.iter().all(|&x| (lo..=hi).contains(&x)));
        let (m, sd) = truncated_mean(34.0, 6.0, lo, hi);
        check_mean(&format!("truncated baseline [{lo}, {hi}]"), &v, m, sd);
        check_sd(&format!("truncated baseline SD [{lo}, {hi}]"), &v, sd);
    }
}

#[test]
fn integer_scale_is_clamped_rounded_and_rules_hold() {
    let (s, c) = baseline_scores("{}");
    for i in c.patient_range() {
        let (b, f) = (c.score(i, 0), c.score(i, 1));
        assert_eq!(b, b.round());
        assert!((22.0..=60.0).contains(&b));
        if f.is_nan() {
            continue;
        }
        assert_eq!(f, f.round());
        assert!((0.0..=60.0).contains(&f), "follow-up {f} outside the scale");
        assert_eq!(c.responder(&s, i, 1), Some(f <= 0.5 * b));
        assert_eq!(c.remitter(&s, i, 1), Some(f <= 10.0));
    }
    // Some patients improve by more than their baseline: the clamp at 0 must have been used.
    assert!(c.patient_range().any(|i| c.score(i, 1) == 0.0));
}

#[test]
fn larger_cohort_extends_smaller_one() {
    // Common random numbers across N: for one replicate, the first subjects of each group are the
    // same whatever the group sizes.
    let s = scenario::load("ketamine-ampar-2026").unwrap();
    let (mut small, mut large) = (Cohort::default(), Cohort::default());
    small.draw(&s, &s.sizes_with(10, 20), 5, 3);
    large.draw(&s, &s.sizes_with(30, 40), 5, 3);
    let nr = s.n_regions();
    for g in 0..3 {
        let (a, b) = (small.group_range(g), large.group_range(g));
        for k in 0..a.len() {
            let (i, j) = (a.start + k, b.start + k);
            assert_eq!(
                small.true_baseline[i * nr..(i + 1) * nr],
                large.true_baseline[j * nr..(j + 1) * nr]
            );
            assert_eq!(small.score(i, 0).to_bits(), large.score(j, 0).to_bits());
        }
    }
}
