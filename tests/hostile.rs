//! Hostile input (issue 14): every case gets exit 2 with a message naming what is wrong, or a
//! correct result; none panics (exit 101), none hangs, none exits 0 with nonsense.

mod common;
use common::trialsim;
use predicates::prelude::*;
use std::path::Path;
use trialsim::montecarlo::shard::Partial;

fn shards(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let p1 = dir.join("p1.json");
    let p2 = dir.join("p2.json");
    for (k, p) in [(1, &p1), (2, &p2)] {
        trialsim()
            .args(["power", "peer-comparison", "--reps", "256", "--seed", "5"])
            .args(["--shard", &format!("{k}/2"), "--out"])
            .arg(p)
            .assert()
            .success();
    }
    (p1, p2)
}

/// Edit a partial as a forger would: change it, then recompute its digest so that only the
/// consistency checks can catch it.
fn forge(src: &Path, dst: &Path, edit: impl FnOnce(&mut Partial)) {
    let mut p: Partial = serde_json::from_str(&std::fs::read_to_string(src).unwrap()).unwrap();
    edit(&mut p);
    std::fs::write(dst, serde_json::to_string(&p.seal()).unwrap()).unwrap();
}

fn merge_refused(parts: &[&Path], out: &Path, says: &str) {
    trialsim()
        .arg("merge")
        .args(parts)
        .arg("--out")
        .arg(out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(says));
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
}

#[test]
fn tampered_and_inconsistent_shards_are_refused_each_check() {
    let d = tempfile::tempdir().unwrap();
    let (p1, p2) = shards(d.path());
    let out = d.path().join("m.json");
    let t = d.path().join("t.json");
    // Edited after writing (digest no longer matches).
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p1).unwrap()).unwrap();
    v["results"][0][1]["acc"]["families"][0]["hyps"][0]["reject"] = 320.into();
    std::fs::write(&t, v.to_string()).unwrap();
    merge_refused(&[&t, &p2], &out, "digest does not match");
    // A count above the trials run.
    forge(&p1, &t, |p| {
        p.results[0].1.acc.families[0].hyps[0].reject = 5000
    });
    merge_refused(&[&t, &p2], &out, "more than the 128 trials run");
    // Shortened accumulators.
    forge(&p1, &t, |p| p.results[0].1.acc.families[0].hyps.truncate(3));
    merge_refused(&[&t, &p2], &out, "entries, this scenario's has 12");
    // Trials that do not match the shard's blocks.
    forge(&p1, &t, |p| p.results[0].1.acc.reps = 100);
    merge_refused(&[&t, &p2], &out, "counts 100 trials");
    // Sizes beyond the limit (in both shards, so that they agree with each other).
    let t2 = d.path().join("t2.json");
    forge(&p1, &t, |p| p.results[0].0.controls = 5_000_000_000);
    forge(&p2, &t2, |p| p.results[0].0.controls = 5_000_000_000);
    merge_refused(&[&t, &t2], &out, "above the limit");
    // Zero trials.
    forge(&p1, &t, |p| p.reps = 0);
    merge_refused(&[&t, &p2], &out, "number of trials differs");
    // No results.
    forge(&p1, &t, |p| p.results.clear());
    merge_refused(&[&t, &p2], &out, "sample sizes differs");
    // The embedded scenario edited in every shard (same edit, re-sealed): the counts no longer fit.
    for (src, dst) in [(&p1, &t), (&p2, &t2)] {
        forge(src, dst, |p| {
            p.scenario["measures"]["regions"]
                .as_array_mut()
                .unwrap()
                .truncate(6)
        });
    }
    merge_refused(&[&t, &t2], &out, "entries, this scenario's has 6");
    // A malformed file is named.
    std::fs::write(&t, "[1, 2]").unwrap();
    merge_refused(&[&t, &p2], &out, "t.json: not a partial result");
    // A missing file is bad input too.
    merge_refused(&[&d.path().join("nope.json"), &p2], &out, "nope.json");
    // The untouched shards merge.
    trialsim()
        .arg("merge")
        .args([&p1, &p2])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
}

#[test]
fn absurd_sizes_are_refused_quickly_with_the_limit() {
    for args in [
        vec![
            "power",
            "peer-comparison",
            "--n",
            "18446744073709551615",
            "--reps",
            "2",
        ],
        vec![
            "power",
            "peer-comparison",
            "--n-grid",
            "10:18446744073709551615:1",
            "--reps",
            "2",
        ],
        vec![
            "sample-size",
            "peer-comparison",
            "--criterion",
            "regions:any",
            "--max-n",
            "18446744073709551615",
        ],
        vec!["power", "peer-comparison", "--reps", "18446744073709551615"],
    ] {
        trialsim()
            .args(&args)
            .timeout(std::time::Duration::from_secs(20))
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("limit").or(predicate::str::contains("must be between")),
            );
    }
}

#[test]
fn outputs_are_checked_before_the_run() {
    let d = tempfile::tempdir().unwrap();
    let scen = d.path().join("s.json");
    std::fs::write(&scen, trialsim::scenario::builtin::get("null").unwrap()).unwrap();
    let before = std::fs::read(&scen).unwrap();
    // The result would replace the scenario.
    trialsim()
        .arg("power")
        .arg(&scen)
        .args(["--reps", "10", "--out"])
        .arg(&scen)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("overwrite an input"));
    assert_eq!(std::fs::read(&scen).unwrap(), before);
    // A missing directory is found before simulating (a huge run would otherwise run first).
    trialsim()
        .args(["power", "--reps", "100000000", "--out"])
        .arg(d.path().join("missing/dir/x.json"))
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
    // A failing plot path fails before results are written: nothing appears.
    let out = d.path().join("r.json");
    trialsim()
        .args(["power", "peer-comparison", "--reps", "10", "--out"])
        .arg(&out)
        .arg("--plot")
        .arg(d.path().join("missing/p.svg"))
        .assert()
        .code(2);
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".trialsim-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_closed_stdout_ends_quietly() {
    for args in [
        vec!["scenarios"],
        vec!["validate"],
        vec!["completions", "bash"],
        vec!["simulate", "--patients", "20000"],
    ] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("trialsim"))
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Read one byte, then close the pipe.
        let mut out = child.stdout.take().unwrap();
        let mut b = [0u8; 1];
        let _ = std::io::Read::read(&mut out, &mut b);
        drop(out);
        let status = child.wait_with_output().unwrap();
        assert!(status.status.success(), "{args:?}: {:?}", status);
        let err = String::from_utf8_lossy(&status.stderr);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn names_with_commas_quotes_and_newlines_give_well_formed_csv() {
    let mut v: serde_json::Value =
        serde_json::from_str(trialsim::scenario::builtin::get("peer-comparison").unwrap()).unwrap();
    v["measures"]["regions"][0]["name"] = "left, \"deep\" nucleus".into();
    v["analysis"]["families"][0]["name"] = "regions, all".into();
    let d = tempfile::tempdir().unwrap();
    let scen = d.path().join("s.json");
    std::fs::write(&scen, v.to_string()).unwrap();
    let out = d.path().join("r.csv");
    trialsim()
        .arg("power")
        .arg(&scen)
        .args(["--reps", "20", "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let mut rdr = csv_fields(&text);
    let header = rdr.remove(0);
    assert!(rdr.iter().all(|r| r.len() == header.len()), "ragged CSV");
    assert!(
        rdr.iter()
            .any(|r| r[3] == "regions, all" && r[4] == "left, \"deep\" nucleus")
    );
}

/// A minimal RFC 4180 reader (independent of the writer under test).
fn csv_fields(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let mut row = vec![];
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn a_closed_stdout_does_not_lose_the_result_file() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r.csv");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("trialsim"))
        .args(["power", "peer-comparison", "--reps", "64", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert!(child.wait().unwrap().success());
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("n_total,")
    );
}

/// A built-in scenario edited by `edit`, written to `dir/name`.
fn edited(
    dir: &Path,
    base: &str,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> std::path::PathBuf {
    let mut v: serde_json::Value =
        serde_json::from_str(trialsim::scenario::builtin::get(base).unwrap()).unwrap();
    edit(&mut v);
    let p = dir.join(name);
    std::fs::write(&p, v.to_string()).unwrap();
    p
}

fn validate_refused(path: &Path, says: &[&str]) {
    let mut a = trialsim().arg("validate").arg(path).assert().code(2);
    for s in says {
        a = a.stderr(predicate::str::contains(*s));
    }
}

#[test]
fn sizes_ratios_and_names_are_validated_against_the_limits() {
    let d = tempfile::tempdir().unwrap();
    for (i, n) in [u64::MAX, 1u64 << 63, 1_000_000_000]
        .into_iter()
        .enumerate()
    {
        let p = edited(d.path(), "peer-comparison", &format!("c{i}.json"), |v| {
            v["design"]["controls"] = n.into()
        });
        validate_refused(
            &p,
            &["design.controls", &n.to_string(), "limit of 10000000"],
        );
        // simulate and power refuse it the same way (no panic, no abort).
        for cmd in ["simulate", "power"] {
            trialsim()
                .args([cmd])
                .arg(&p)
                .args(["--reps", "2"])
                .assert()
                .code(2);
        }
    }
    // controls = patients = 2^63 no longer wraps to "must be > 0".
    let p = edited(d.path(), "peer-comparison", "wrap.json", |v| {
        v["design"]["controls"] = (1u64 << 63).into();
        v["design"]["patients"] = (1u64 << 63).into();
    });
    validate_refused(&p, &["design.controls", "design.patients", "limit"]);
    // Both within the limit, their sum above it.
    let p = edited(d.path(), "peer-comparison", "sum.json", |v| {
        v["design"]["controls"] = 6_000_000.into();
        v["design"]["patients"] = 6_000_000.into();
    });
    validate_refused(&p, &["design:", "12000000 is above the limit"]);
    // Ratios whose sum overflows are refused, not split 30/30/30.
    let p = edited(d.path(), "ketamine-ampar-2026", "ratio.json", |v| {
        let arms = v["design"]["arms"].as_array_mut().unwrap();
        assert!(arms.len() >= 2);
        for a in arms.iter_mut() {
            a["ratio"] = 1e308.into();
        }
    });
    validate_refused(&p, &["design.arms", "add up to inf"]);
    // Control characters (NUL, newline) in every kind of name.
    type Edit = fn(&mut serde_json::Value);
    let names: [(&str, Edit); 4] = [
        ("measures.regions[0].name", |v| {
            v["measures"]["regions"][0]["name"] = "a\0b".into()
        }),
        ("design.arms[0].name", |v| {
            v["design"]["arms"][0]["name"] = "a\nb".into()
        }),
        ("design.visits[1]", |v| {
            v["design"]["visits"] = serde_json::json!(["baseline", "w\u{7}"])
        }),
        ("analysis.families[0].name", |v| {
            v["analysis"]["families"][0]["name"] = "x\ty".into()
        }),
    ];
    for (i, (path, edit)) in names.into_iter().enumerate() {
        let p = edited(d.path(), "peer-comparison", &format!("n{i}.json"), edit);
        validate_refused(&p, &[path, "control characters"]);
    }
    // Too many measures.
    let p = edited(d.path(), "null", "many.json", |v| {
        v["measures"]["regions"] = (0..1001)
            .map(|i| serde_json::json!({"name": format!("r{i}"), "control_mean": 1.0, "between_sd": 0.06}))
            .collect();
    });
    validate_refused(&p, &["measures.regions", "limit of 1000"]);
}

#[test]
fn prediction_cv_settings_are_bounded_by_the_arm() {
    let d = tempfile::tempdir().unwrap();
    let s: serde_json::Value =
        serde_json::from_str(trialsim::scenario::builtin::get("ketamine-ampar-2026").unwrap())
            .unwrap();
    let k = s["analysis"]["families"]
        .as_array()
        .unwrap()
        .iter()
        .position(|f| f["kind"] == "prediction")
        .expect("the flagship has a prediction family");
    let p = edited(d.path(), "ketamine-ampar-2026", "rep.json", |v| {
        v["analysis"]["families"][k]["validation"] =
            serde_json::json!({"scheme": "repeated_kfold", "folds": 5, "repeats": 1_000_000});
    });
    validate_refused(
        &p,
        &[
            &format!("analysis.families[{k}].validation.repeats"),
            "limit of 1000",
        ],
    );
    let p = edited(d.path(), "ketamine-ampar-2026", "folds.json", |v| {
        v["analysis"]["families"][k]["validation"] =
            serde_json::json!({"scheme": "kfold", "folds": 500, "repeats": 1});
    });
    validate_refused(
        &p,
        &[
            &format!("analysis.families[{k}].validation.folds"),
            "more folds (500) than subjects",
        ],
    );
}

#[test]
fn values_that_make_analyses_undefined_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let cases: [(&str, serde_json::Value, &str); 5] = [
        ("between_sd", 1e-300.into(), "lost in rounding"),
        ("between_sd", 0.0.into(), "must be > 0"),
        ("control_mean", 1e308.into(), "too large"),
        ("control_mean", 1e-310.into(), "subnormal"),
        ("test_retest_cv", 1e300.into(), "too large"),
    ];
    for (i, (field, x, says)) in cases.into_iter().enumerate() {
        let p = edited(d.path(), "null", &format!("u{i}.json"), |v| {
            v["measures"]["regions"][0][field] = x
        });
        validate_refused(&p, &[&format!("measures.regions[0].{field}"), says]);
    }
}

#[test]
fn largest_remainder_is_total_for_any_n_and_weights() {
    use trialsim::scenario::largest_remainder;
    for n in [0usize, 1, 35, usize::MAX, usize::MAX - 1, 1 << 63] {
        for w in [
            vec![1.0, 1.0],
            vec![1e308, 1e308, 1.0],
            vec![f64::NAN, 1.0],
            vec![0.0, 0.0],
            vec![f64::INFINITY, 1.0],
            vec![1e-320, 1.0, 3.0],
        ] {
            let parts = largest_remainder(n, &w);
            let sum: u128 = parts.iter().map(|&p| p as u128).sum();
            assert_eq!(sum, n as u128, "n {n}, weights {w:?}: {parts:?}");
        }
    }
    // Exact proportions where they exist (n = 2^64 - 1 = 3 * 6148914691236517205).
    assert_eq!(
        largest_remainder(usize::MAX, &[1.0, 2.0])
            .iter()
            .sum::<usize>(),
        usize::MAX
    );
    assert_eq!(largest_remainder(10, &[1.0, 2.0]), vec![3, 7]);
}

#[test]
fn unclear_inputs_get_clear_messages() {
    let d = tempfile::tempdir().unwrap();
    // null and a number where an enum string is expected: the field path is named.
    for (i, x) in [serde_json::Value::Null, 3.into()].into_iter().enumerate() {
        let p = edited(d.path(), "null", &format!("e{i}.json"), |v| {
            v["analysis"]["families"][0]["multiplicity"] = x
        });
        validate_refused(&p, &["analysis.families[0].multiplicity"]);
    }
    // A byte-order mark is skipped.
    let bom = d.path().join("bom.json");
    let mut bytes = vec![0xef, 0xbb, 0xbf];
    bytes.extend_from_slice(trialsim::scenario::builtin::get("null").unwrap().as_bytes());
    std::fs::write(&bom, bytes).unwrap();
    trialsim().arg("validate").arg(&bom).assert().success();
    // A directory, a dangling symlink, a fifo and /dev/stdin say what they are.
    trialsim()
        .arg("validate")
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory"));
    #[cfg(unix)]
    {
        let link = d.path().join("dangling.json");
        std::os::unix::fs::symlink(d.path().join("nowhere.json"), &link).unwrap();
        trialsim()
            .arg("validate")
            .arg(&link)
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("symbolic link")
                    .and(predicate::str::contains("does not exist")),
            );
        let fifo = d.path().join("fifo.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .map(|s| s.success());
        if made.unwrap_or(false) {
            trialsim()
                .arg("validate")
                .arg(&fifo)
                .timeout(std::time::Duration::from_secs(20))
                .assert()
                .code(2)
                .stderr(predicate::str::contains("fifo"));
        }
        trialsim()
            .args(["validate", "/dev/stdin"])
            .write_stdin("{}")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("not a scenario file"));
    }
    // A near miss of a built-in name gets a suggestion.
    trialsim()
        .args(["validate", "ketamine-ampar-2025"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean ketamine-ampar-2026?",
        ));
}

#[test]
fn a_hundred_region_scenario_runs_ten_trials() {
    let d = tempfile::tempdir().unwrap();
    let p = edited(d.path(), "null", "null-100.json", |v| {
        v["measures"]["regions"] = (1..=100)
            .map(|i| serde_json::json!({"name": format!("r{i:03}"), "control_mean": 1.0, "between_sd": 0.06, "test_retest_cv": 0.05}))
            .collect();
    });
    // A generous bound that only catches a hang (it takes well under a second on one core).
    trialsim()
        .arg("power")
        .arg(&p)
        .args(["--reps", "10", "--seed", "1"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success()
        .stdout(predicate::str::contains("r100"));
}

#[test]
fn validation_is_linear_in_a_large_provenance_map() {
    // 60,000 provenance patterns (a 4 MB file): checking which numbers cite no source used to
    // compare every number with every pattern. The timeout only catches a hang.
    let mut v: serde_json::Value =
        serde_json::from_str(trialsim::scenario::builtin::get("null").unwrap()).unwrap();
    let prov = v["provenance"].as_object_mut().unwrap();
    for i in 0..60_000 {
        prov.insert(format!("measures.regions.r{i}.x{i}"), "[X] a note".into());
    }
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("big.json");
    std::fs::write(&f, v.to_string()).unwrap();
    trialsim()
        .arg("validate")
        .arg(&f)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success();
}

#[test]
fn report_settings_are_checked_before_the_grid_runs() {
    let d = tempfile::tempdir().unwrap();
    for (flag, value) in [("--target", "2"), ("--max-n", "1")] {
        trialsim()
            .args(["report", "--reps", "100000", "--out"])
            .arg(d.path().join("r.html"))
            .args([flag, value])
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(flag));
    }
}

#[test]
fn a_shard_whose_sizes_are_not_the_scenarios_split_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let (p1, p2) = shards(d.path());
    let (t1, t2) = (d.path().join("t1.json"), d.path().join("t2.json"));
    forge(&p1, &t1, |p| p.results[0].0.controls = 5000);
    forge(&p2, &t2, |p| p.results[0].0.controls = 5000);
    merge_refused(
        &[&t1, &t2],
        &d.path().join("m.json"),
        "not the scenario's split",
    );
}
