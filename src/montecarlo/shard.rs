//! Sharded runs: `power --shard K/M` simulates the K-th of M disjoint ranges of replicate blocks and
//! writes a partial result (exact sufficient statistics); `merge` combines all M partials into the
//! result one unsharded run gives, byte for byte (the totals are exact, see [`super::exact`]).
//! Any scheduler can run the shards: a Slurm job array, GNU parallel, or a shell loop.

use super::{BLOCK, SimPath, Total, n_blocks};
use crate::error::{RunError, Setting};
use crate::scenario::Scenario;
use crate::scenario::Sizes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Format version of partial files.
pub const FORMAT: u32 = 1;

/// One shard's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Partial {
    /// Always [`FORMAT`]; marks the file as a partial result.
    pub trialsim_partial: u32,
    /// Version of the tool that wrote it (merging needs the same version).
    pub version: String,
    /// Master seed.
    pub seed: u64,
    /// Replicates of the whole (unsharded) run.
    pub reps: u64,
    /// (K, M): this is shard K of M.
    pub shard: (u64, u64),
    /// Simulation path.
    pub path: SimPath,
    /// The resolved scenario.
    pub scenario: serde_json::Value,
    /// Per sample size: the sizes and the shard's exact totals.
    pub results: Vec<(Sizes, Total)>,
    /// SHA-256 of everything above (the run's identity and the shard's content), hex: a partial
    /// that was edited or cut short after it was written no longer matches it.
    #[serde(default)]
    pub digest: String,
}

impl Partial {
    /// The digest of the partial's content (every field but `digest`).
    pub fn compute_digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut copy = self.clone();
        copy.digest = String::new();
        let bytes = serde_json::to_vec(&copy).expect("a partial serialises");
        Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Set the digest (after the content is final).
    pub fn seal(mut self) -> Self {
        self.digest = self.compute_digest();
        self
    }

    /// Check the partial against the scenario it carries: its digest, the number of trials of
    /// its blocks, the shape of every accumulator and every count within the trials run.
    pub fn verify(&self, s: &Scenario) -> Result<(), String> {
        if self.digest != self.compute_digest() {
            return Err(
                "its digest does not match its content: the file was edited or damaged after it was written"
                    .into(),
            );
        }
        if self.reps == 0 {
            return Err("it records 0 trials".into());
        }
        let (k, m) = self.shard;
        if k == 0 || k > m {
            return Err(format!("shard {k}/{m} is not K/M with 1 <= K <= M"));
        }
        if self.results.is_empty() {
            return Err("it holds no results".into());
        }
        let b = blocks(self.reps, self.shard);
        let expected = ((b.end * BLOCK).min(self.reps)).saturating_sub(b.start * BLOCK);
        let empty = serde_json::to_value(Total::new(s)).expect("serialises");
        for (i, (z, total)) in self.results.iter().enumerate() {
            if z.arms.len() != s.arms.len() {
                return Err(format!(
                    "result {} has sizes for {} arms, the scenario has {}",
                    i + 1,
                    z.arms.len(),
                    s.arms.len()
                ));
            }
            if z.total() > crate::limits::MAX_SUBJECTS {
                return Err(format!(
                    "result {} has {} subjects, above the limit of {}",
                    i + 1,
                    z.total(),
                    crate::limits::MAX_SUBJECTS
                ));
            }
            // Sizes of a run are the scenario's split of a total N (the command line and the
            // front ends only ask for totals); anything else was written by hand.
            if let Some(n) = z.checked_total()
                && *z != s.sizes_for_total(n)
            {
                return Err(format!(
                    "result {} has sizes {} controls and {:?} per arm, not the scenario's split of N = {n}",
                    i + 1,
                    z.controls,
                    z.arms
                ));
            }
            if total.acc.reps != expected {
                return Err(format!(
                    "result {} counts {} trials, shard {k}/{m} of {} runs {expected}",
                    i + 1,
                    total.acc.reps,
                    self.reps
                ));
            }
            let got = serde_json::to_value(&total.acc).expect("serialises");
            same_shape(&empty["acc"], &got, "acc").map_err(|e| format!("result {}: {e}", i + 1))?;
            if total.exact.len() != empty["exact"].as_array().map_or(0, Vec::len) {
                return Err(format!(
                    "result {}: {} exact sums, this scenario's plan has {}",
                    i + 1,
                    total.exact.len(),
                    empty["exact"].as_array().map_or(0, Vec::len)
                ));
            }
            counts_within(&got, expected, "acc").map_err(|e| format!("result {}: {e}", i + 1))?;
        }
        Ok(())
    }
}

/// Same JSON structure: types, object keys and array lengths (numbers may differ).
fn same_shape(want: &Value, got: &Value, at: &str) -> Result<(), String> {
    match (want, got) {
        (Value::Object(a), Value::Object(b)) => {
            if a.len() != b.len() || a.keys().any(|k| !b.contains_key(k)) {
                return Err(format!("the accumulator at '{at}' has other fields than this scenario's"));
            }
            for (k, v) in a {
                same_shape(v, &b[k], &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!(
                    "the accumulator at '{at}' has {} entries, this scenario's has {}",
                    b.len(),
                    a.len()
                ));
            }
            a.iter()
                .zip(b)
                .enumerate()
                .try_for_each(|(i, (x, y))| same_shape(x, y, &format!("{at}[{i}]")))
        }
        (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        // NaN floats serialise as null.
        | (Value::Null, _)
        | (Value::Number(_), Value::Null) => Ok(()),
        _ => Err(format!("the accumulator at '{at}' has a value of another type")),
    }
}

/// Every count (a non-negative integer) in the accumulator is at most the trials run.
fn counts_within(v: &Value, reps: u64, at: &str) -> Result<(), String> {
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(c) if c > reps => Err(format!(
                "the count at '{at}' is {c}, more than the {reps} trials run"
            )),
            None if n.as_i64().is_some() => Err(format!("the count at '{at}' is negative")),
            _ => Ok(()),
        },
        Value::Array(a) => a
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| counts_within(x, reps, &format!("{at}[{i}]"))),
        Value::Object(o) => o
            .iter()
            .try_for_each(|(k, x)| counts_within(x, reps, &format!("{at}.{k}"))),
        _ => Ok(()),
    }
}

/// Parse `K/M` (1 <= K <= M).
///
/// ```
/// assert_eq!(trialsim::montecarlo::shard::parse("2/3").unwrap(), (2, 3));
/// assert!(trialsim::montecarlo::shard::parse("4/3").is_err());
/// ```
pub fn parse(text: &str) -> Result<(u64, u64), RunError> {
    let bad = || {
        RunError::setting(
            Setting::Shard,
            format!("expected K/M with 1 <= K <= M, e.g. 2/8, got '{text}'"),
        )
    };
    let (k, m) = text.split_once('/').ok_or_else(bad)?;
    let (k, m): (u64, u64) = (
        k.trim().parse().map_err(|_| bad())?,
        m.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || k > m {
        return Err(bad());
    }
    Ok((k, m))
}

/// The block range of shard K of M for a run of `reps` replicates.
pub fn blocks(reps: u64, (k, m): (u64, u64)) -> std::ops::Range<u64> {
    let nb = n_blocks(reps);
    ((k - 1) * nb / m)..(k * nb / m)
}

/// Check that partials belong to one run and cover it exactly once; return them in shard order.
pub fn check(mut parts: Vec<(String, Partial)>) -> Result<Vec<Partial>, RunError> {
    let Some((first_name, first)) = parts.first() else {
        return Err(RunError::Partial {
            file: "merge".into(),
            reason: "give at least one partial result".into(),
        });
    };
    let (first_name, first) = (first_name.clone(), first.clone());
    for (name, p) in &parts {
        let refuse = |reason: String| RunError::Partial {
            file: name.clone(),
            reason,
        };
        let differs = |what: &str| {
            refuse(format!(
                "{what} differs from {first_name}'s: these are not shards of one run"
            ))
        };
        if p.trialsim_partial != FORMAT {
            return Err(refuse(format!(
                "unknown partial format {}",
                p.trialsim_partial
            )));
        }
        if p.version != env!("CARGO_PKG_VERSION") {
            return Err(refuse(format!(
                "written by trialsim {}, this is {}: merge with the version that ran the shards",
                p.version,
                env!("CARGO_PKG_VERSION")
            )));
        }
        if p.seed != first.seed {
            return Err(differs("the seed"));
        }
        if p.reps != first.reps {
            return Err(differs("the number of trials"));
        }
        if p.shard.1 != first.shard.1 {
            return Err(differs("the number of shards"));
        }
        if p.path != first.path {
            return Err(differs("the simulation path"));
        }
        if p.scenario != first.scenario {
            return Err(differs("the scenario"));
        }
        if p.results
            .iter()
            .map(|r| &r.0)
            .ne(first.results.iter().map(|r| &r.0))
        {
            return Err(differs("the sample sizes"));
        }
    }
    parts.sort_by_key(|(_, p)| p.shard.0);
    let m = first.shard.1;
    let got: Vec<u64> = parts.iter().map(|(_, p)| p.shard.0).collect();
    let want: Vec<u64> = (1..=m).collect();
    if got != want {
        return Err(RunError::Partial {
            file: "merge".into(),
            reason: format!("need each of shards 1..{m} exactly once, got {got:?}"),
        });
    }
    Ok(parts.into_iter().map(|(_, p)| p).collect())
}
