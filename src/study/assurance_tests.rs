//! Tests of the assurance runs against the closed form of [`crate::stats::assurance`].

use super::*;
use crate::stats::assurance::assurance_two_sample_t;

/// One region, controls vs patients, Student's t, no measurement error: the test of the patient
/// shift is exactly Student's two-sample t at d = `patient_shift_d`.
pub(crate) fn two_group(controls: usize, patients: usize, prior: &str) -> Study {
    let text = format!(
        r#"{{"name": "two-group", "design": {{"controls": {controls}, "patients": {patients},
        "arms": [{{"name": "p", "ratio": 1}}]}},
        "measures": {{"regions": [{{"name": "r", "control_mean": 1, "between_sd": 0.1,
                                   "patient_shift_d": 0.5}}]}},
        "analysis": {{"alpha": 0.05, "families": [
            {{"name": "g", "kind": "baseline_difference", "test": "student"}}]}},
        "priors": {{"measures.regions.r.patient_shift_d": {prior}}}}}"#
    );
    Study::from_json("two-group.json", &text).unwrap()
}

#[test]
fn simulated_assurance_equals_the_closed_form() {
    // Closed form: stats::assurance::assurance_two_sample_t, itself checked against SciPy:
    //   python3 scripts/reference/assurance.py (scipy.integrate.quad of the noncentral-t power
    //   1 - nct.cdf(c, df, d k) + nct.cdf(-c, df, d k) times norm.pdf(d, m, s)).
    // Values: 64/64 N(0.5, 0.2^2) 0.71413; 17/17 N(0.69, 0.35^2) 0.50018;
    // 40/30 N(0.1, 0.3^2) 0.23025 (mass on both sides of 0); 100/100 N(0, 0.1^2) 0.10896.
    for (n1, n2, m, sd, want) in [
        (64, 64, 0.5, 0.2, 0.71413),
        (17, 17, 0.69, 0.35, 0.50018),
        (40, 30, 0.1, 0.3, 0.23025),
        (100, 100, 0.0, 0.1, 0.10896),
    ] {
        let closed = assurance_two_sample_t(n1, n2, 0.05, m, sd).unwrap().value;
        assert!((closed - want).abs() < 1e-5, "{closed} vs {want}");
        let study = two_group(
            n1,
            n2,
            &format!(r#"{{"normal": {{"mean": {m}, "sd": {sd}}}}}"#),
        );
        let t0 = std::time::Instant::now();
        let r = study
            .assurance()
            .reps(4000)
            .seed(3)
            .threads(2)
            .run()
            .unwrap();
        let a = r.get("g", "r", "assurance").unwrap();
        eprintln!(
            "{n1}/{n2} N({m},{sd}): {} +- {} vs {closed} ({:.2}s)",
            a.value,
            a.mc_se,
            t0.elapsed().as_secs_f64()
        );
        assert!(
            (a.value - closed).abs() < 3.0 * a.mc_se,
            "{n1}/{n2}: {} +- {} vs {closed}",
            a.value,
            a.mc_se
        );
    }
}
