//! Sharded runs: `power --shard K/M` simulates the K-th of M disjoint ranges of replicate blocks and
//! writes a partial result (exact sufficient statistics); `merge` combines all M partials into the
//! result one unsharded run gives, byte for byte (the totals are exact, see [`super::exact`]).
//! Any scheduler can run the shards: a Slurm job array, GNU parallel, or a shell loop.

use super::{SimPath, Total, n_blocks};
use crate::error::{RunError, Setting};
use crate::scenario::Sizes;
use serde::{Deserialize, Serialize};

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
            return Err(differs("--reps"));
        }
        if p.shard.1 != first.shard.1 {
            return Err(differs("the number of shards"));
        }
        if p.path != first.path {
            return Err(differs("--path"));
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
