//! Helpers shared by the integration tests.
#![allow(dead_code)]

use trialsim::montecarlo::{self, Row, RunSettings, truth};
use trialsim::scenario::Scenario;

/// Diagnosands of `reps` trials at the scenario's own size (population truths from 200,000
/// patients per arm).
pub fn run(s: &Scenario, reps: u64, seed: u64, threads: usize) -> Vec<Row> {
    let truths = truth::truths_with(s, 200_000);
    let set = RunSettings {
        reps,
        seed,
        threads,
        ..Default::default()
    };
    let sizes = s.own_sizes();
    let acc = montecarlo::run(s, &sizes, &set, &truths).unwrap();
    montecarlo::diagnosands(s, &sizes, &acc, &truths)
}

/// The row of (family, hypothesis, metric); panics with the key if it is missing.
pub fn get<'a>(rows: &'a [Row], fam: &str, hyp: &str, metric: &str) -> &'a Row {
    rows.iter()
        .find(|r| r.family == fam && r.hypothesis == hyp && r.metric == metric)
        .unwrap_or_else(|| panic!("no row {fam}/{hyp}/{metric}"))
}

/// The binary under test.
pub fn trialsim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("trialsim").unwrap()
}

/// Standard output of a successful run.
pub fn stdout_of<I, S>(args: I) -> Vec<u8>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    trialsim()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}
