//! `trialsim merge`: combine the partial results of a sharded run.

use super::output::{self, Stdout};
use super::usage;
use anyhow::Result;
use std::path::{Path, PathBuf};
use trialsim::{Study, montecarlo::shard::Partial, report};

pub fn run(parts: &[PathBuf], out: &Path) -> Result<()> {
    let exporter = output::exporter(out)?;
    let inputs: Vec<&Path> = parts.iter().map(|p| p.as_path()).collect();
    output::check_outputs(&[out], &inputs)?;
    let mut read = Vec::new();
    for p in parts {
        let text = std::fs::read_to_string(p).map_err(|e| {
            usage(format!(
                "{}: cannot read the partial result: {e}",
                p.display()
            ))
        })?;
        let part: Partial = serde_json::from_str(&text).map_err(|e| {
            usage(format!(
                "{}: not a partial result of `power --shard` ({e})",
                p.display()
            ))
        })?;
        read.push((p.display().to_string(), part));
    }
    let result = Study::merge(read)?;
    let s = result.study.scenario();
    output::write_files(&report::export::power_files(
        &result,
        exporter.as_ref(),
        out,
        false,
    ))?;
    Stdout::new().text(&report::results::summary(
        s,
        &result.table.rows,
        result.reps,
    ))
}
