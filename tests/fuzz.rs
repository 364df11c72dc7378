//! Mutation fuzzing of the built-in scenarios (issue 14): a deterministic mutator edits their JSON
//! (numbers to extremes, strings to hostile names, keys deleted, array elements duplicated, values
//! of the wrong type) and every mutant goes through parse + validate, and when accepted through one
//! cohort draw at its own size and a tiny power run. Asserted: no panic; every rejection carries a
//! field path (or is a syntax error); no NaN or infinity in an accepted run's power or mean-estimate
//! rows that are based on at least one trial (rows with `reps == 0` are undefined by construction).

mod common;
use common::trialsim;
use serde_json::Value;
use std::panic::{AssertUnwindSafe, catch_unwind};
use trialsim::ScenarioError;
use trialsim::montecarlo::Metric;

/// Mutants in the in-process budget (about 40 s in release on one core).
const MUTANTS: usize = 2000;
/// Every `BINARY_EVERY`-th mutant also goes through the `validate` binary.
const BINARY_EVERY: usize = 25;

/// SplitMix64: a tiny deterministic generator, so the mutants are the same on every run.
struct Mix(u64);
impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A path to one node: object keys and array indices.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn paths(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                here.push(Step::Key(k.clone()));
                paths(x, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                here.push(Step::Index(i));
                paths(x, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn node<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// One random edit of `v`; returns what was done (for the failure report).
fn mutate(v: &mut Value, rng: &mut Mix) -> String {
    let mut all = Vec::new();
    paths(v, &mut Vec::new(), &mut all);
    let path = all[rng.below(all.len())].clone();
    let target = node(v, &path);
    let numbers: [Value; 8] = [
        0.into(),
        (-1).into(),
        1e308.into(),
        1e-300.into(),
        "NaN".into(),
        u64::MAX.into(),
        1.5.into(),
        1_000_000.into(),
    ];
    let strings = ["", "a,b\n", "x", "\"q\"", "a\0b", "ketamine"];
    let wrong: [Value; 5] = [
        Value::Null,
        3.into(),
        "s".into(),
        Value::Array(vec![]),
        serde_json::json!({}),
    ];
    let what = match (rng.below(5), &mut *target) {
        (0 | 1, Value::Number(_)) => {
            *target = numbers[rng.below(numbers.len())].clone();
            format!("number -> {target}")
        }
        (0 | 1, Value::String(_)) => {
            *target = strings[rng.below(strings.len())].into();
            format!("string -> {target}")
        }
        (2, Value::Object(m)) if !m.is_empty() => {
            let k = m.keys().nth(rng.below(m.len())).unwrap().clone();
            m.remove(&k);
            format!("delete key {k}")
        }
        (3, Value::Array(a)) if !a.is_empty() => {
            let i = rng.below(a.len());
            let x = a[i].clone();
            a.insert(i, x);
            format!("duplicate element {i}")
        }
        _ => {
            *target = wrong[rng.below(wrong.len())].clone();
            format!("replace by {target}")
        }
    };
    format!("{what} at {path:?}")
}

/// Check one mutant in-process; `Err` describes a violation.
fn check(label: &str, text: &str) -> Result<bool, String> {
    let study = match trialsim::Study::from_json(label, text) {
        Ok(s) => s,
        Err(ScenarioError::Invalid { problems, .. }) => {
            if problems.is_empty() {
                return Err("rejected without a problem".into());
            }
            if let Some(p) = problems.iter().find(|p| p.path.is_empty()) {
                return Err(format!("rejected without a field path: {}", p.message));
            }
            return Ok(false);
        }
        Err(ScenarioError::Syntax { .. }) => return Ok(false),
        Err(e) => return Err(format!("unexpected kind of error: {e}")),
    };
    let s = study.scenario();
    let mut cohort = trialsim::model::Cohort::default();
    cohort.draw(s, &s.own_sizes(), 1, 0);
    match study.power().reps(8).seed(1).threads(1).run() {
        Ok(res) => {
            for r in &res.table.rows {
                let checked = matches!(r.metric, Metric::Power | Metric::MeanEstimate);
                if checked && r.reps > 0 && !r.value.is_finite() {
                    return Err(format!(
                        "{:?} {}/{} is {} over {} trials",
                        r.metric, r.family, r.hypothesis, r.value, r.reps
                    ));
                }
            }
        }
        Err(e) => return Err(format!("accepted by validate, refused by power: {e}")),
    }
    Ok(true)
}

#[test]
fn mutated_builtin_scenarios_never_panic_and_always_name_the_field() {
    let mut rng = Mix(20_261_122);
    let builtins = trialsim::scenario::builtin::BUILTIN;
    let dir = tempfile::tempdir().unwrap();
    let (mut accepted, mut failures) = (0usize, Vec::new());
    for i in 0..MUTANTS {
        let (name, text) = builtins[i % builtins.len()];
        let mut v: Value = serde_json::from_str(text).unwrap();
        let edits: Vec<String> = (0..1 + rng.below(3))
            .map(|_| mutate(&mut v, &mut rng))
            .collect();
        let text = v.to_string();
        let label = format!("mutant-{i}-of-{name}");
        match catch_unwind(AssertUnwindSafe(|| check(&label, &text))) {
            Ok(Ok(true)) => accepted += 1,
            Ok(Ok(false)) => {}
            Ok(Err(why)) => failures.push(format!("{label} {edits:?}: {why}")),
            Err(_) => failures.push(format!("{label} {edits:?}: PANIC")),
        }
        if i % BINARY_EVERY == 0 {
            let p = dir.path().join(format!("m{i}.json"));
            std::fs::write(&p, &text).unwrap();
            let out = trialsim().arg("validate").arg(&p).output().unwrap();
            let code = out.status.code();
            if !matches!(code, Some(0) | Some(2)) {
                failures.push(format!("{label} {edits:?}: validate exited {code:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {MUTANTS} mutants failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The mutator must leave a fair share valid, or the run stage is not exercised.
    assert!(
        accepted >= MUTANTS / 10,
        "only {accepted} of {MUTANTS} mutants were accepted"
    );
    eprintln!("{MUTANTS} mutants, {accepted} accepted and run");
}
