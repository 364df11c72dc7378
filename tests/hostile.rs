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
