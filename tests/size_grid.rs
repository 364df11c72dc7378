//! `sample-size --vary` (the sample size at each point of a what-if grid) and `mde` with an upper
//! end that is not a valid scenario (the flagship's correlation matrix stops being positive
//! definite a little above effect_scale 1.1).

mod common;
use common::trialsim;
use serde_json::Value;
use trialsim::Study;

fn flagship() -> Study {
    Study::load("ketamine-ampar-2026").unwrap()
}

#[test]
fn each_grid_point_equals_the_hand_edited_scenario() {
    let study = flagship();
    let search = |s: &Study| {
        s.sample_size("clinical:madrs_change", 0.8)
            .reps(100)
            .seed(9)
            .threads(2)
            .max_n(300)
            .run()
    };
    let vary = vec![
        ("effect_scale".to_string(), vec![0.5, 1.0]),
        ("arms.placebo.improvement_sd".to_string(), vec![8.0]),
    ];
    let grid = study.sample_size_grid(&vary, search).unwrap();
    assert_eq!(grid.len(), 2);
    for (point, k) in grid.iter().zip([0.5, 1.0]) {
        assert_eq!(
            point.values,
            vec![
                ("effect_scale".to_string(), k),
                ("arms.placebo.improvement_sd".to_string(), 8.0)
            ]
        );
        // By hand: the scenario's JSON edited (placebo SD), then every effect scaled by k.
        let mut json = study.spec_json();
        json["arms"]["placebo"]["improvement_sd"] = Value::from(8.0);
        let edited = Study::from_value("by hand", json)
            .unwrap()
            .with_effect_scale(k)
            .unwrap();
        let by_hand = search(&edited).unwrap();
        let (a, b) = (&point.result.search, &by_hand.search);
        assert_eq!(
            (a.n, a.n_low, a.n_high),
            (b.n, b.n_low, b.n_high),
            "k = {k}"
        );
        // Debug text, so that a figure without an SE (NaN, e.g. type M from one significant
        // trial) compares equal to itself.
        assert_eq!(
            format!("{:?}", a.evaluated),
            format!("{:?}", b.evaluated),
            "k = {k}"
        );
    }
    // At half the effect 300 subjects are not enough (flagship ~5.6-point difference halved);
    // at full effect they are.
    assert!(grid[0].result.search.n.is_none());
    assert!(grid[1].result.search.n.is_some());
}

#[test]
fn cli_prints_the_table_and_refuses_invalid_points() {
    let out = trialsim()
        .args([
            "sample-size",
            "--criterion",
            "clinical:madrs_change",
            "--reps",
            "100",
            "--seed",
            "9",
            "--threads",
            "2",
            "--max-n",
            "200",
            "--vary",
            "effect_scale=0.5,1",
        ])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The header says what N counts: patients for a clinical criterion, controls held.
    assert!(
        lines[0].starts_with("Smallest number of patients (patients grown, controls held at 49)"),
        "{text}"
    );
    assert!(
        lines[1].contains("effect_scale") && lines[1].contains("reached"),
        "{text}"
    );
    let cells = |l: &str| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let (half, full) = (cells(lines[2]), cells(lines[3]));
    assert_eq!(
        (half[0].as_str(), half.last().unwrap().as_str()),
        ("0.5", "NO")
    );
    assert_eq!(
        (full[0].as_str(), full.last().unwrap().as_str()),
        ("1", "yes")
    );
    // The full-effect N equals a plain sample-size run of the scenario with the same seed.
    let plain = trialsim()
        .args([
            "sample-size",
            "--criterion",
            "clinical:madrs_change",
            "--reps",
            "100",
            "--seed",
            "9",
            "--threads",
            "2",
            "--max-n",
            "200",
        ])
        .assert()
        .success();
    let plain = String::from_utf8(plain.get_output().stdout.clone()).unwrap();
    assert!(
        plain.contains(&format!(": {} (", full[1])),
        "{plain} vs {text}"
    );
    // An invalid point stops the run (exit 2) and names the point and the field.
    let bad = trialsim()
        .args([
            "sample-size",
            "--criterion",
            "clinical:madrs_change",
            "--reps",
            "50",
            "--vary",
            "effect_scale=1,2",
        ])
        .assert()
        .code(2);
    let err = String::from_utf8(bad.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("effect_scale=2") && err.contains("not positive definite"),
        "{err}"
    );
}

#[test]
fn mde_lowers_an_invalid_upper_end_to_the_largest_valid_value() {
    let study = flagship();
    // The flagship is valid at effect_scale 1.1 and invalid at 1.15 (correlations).
    assert!(study.with_effect_scale(1.1).is_ok());
    assert!(study.with_effect_scale(1.15).is_err());
    let r = study
        .mde("clinical:madrs_change", 0.8)
        .hi(2.0)
        .n(300)
        .reps(100)
        .seed(2)
        .threads(2)
        .run()
        .unwrap();
    let u = r.upper_limited.as_ref().expect("hi = 2 is invalid");
    assert_eq!(u.asked, 2.0);
    assert!(u.largest_valid > 1.1 && u.largest_valid < 1.15, "{u:?}");
    assert!(u.first_invalid > u.largest_valid && u.first_invalid - u.largest_valid <= 2.0 / 4096.0);
    assert!(study.with_effect_scale(u.largest_valid).is_ok());
    assert!(study.with_effect_scale(u.first_invalid).is_err());
    assert!(u.why.contains("not positive definite") || u.why.contains("correlation"));
    assert_eq!(r.range.1, u.largest_valid);
    // At N = 300 the clinical endpoint reaches 80 % well inside the valid range.
    let v = r.value.expect("reached");
    assert!(v < u.largest_valid);
    // A valid upper end is left alone.
    let r = study
        .mde("clinical:madrs_change", 0.8)
        .hi(1.0)
        .n(300)
        .reps(100)
        .seed(2)
        .threads(2)
        .run()
        .unwrap();
    assert!(r.upper_limited.is_none());
}

#[test]
fn mde_cli_says_when_the_target_is_out_of_the_valid_range() {
    // 80 % power for any AMPA-change region at the flagship's own size needs more than the
    // largest valid effect_scale: the answer says so plainly.
    let out = trialsim()
        .args([
            "mde",
            "--criterion",
            "ampar_change:any",
            "--target",
            "0.8",
            "--hi",
            "2",
            "--reps",
            "100",
            "--seed",
            "1",
            "--threads",
            "2",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("effect_scale = 2 is not a valid scenario")
            && stderr.contains("largest valid value"),
        "{stderr}"
    );
    assert!(
        stdout.contains("Target NOT reached") && stdout.contains("cannot go higher"),
        "{stdout}"
    );
}
