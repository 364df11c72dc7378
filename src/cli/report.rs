//! `trialsim report`: one self-contained HTML file.

use super::{output, usage};
use anyhow::Result;
use std::path::Path;
use trialsim::{Study, report};

/// The command's options.
pub struct Args<'a> {
    pub scenario: &'a str,
    pub out: &'a Path,
    pub grid: Option<&'a str>,
    pub criterion: Option<&'a str>,
    pub sizes: &'a super::args::SizeArgs,
    pub target: f64,
    pub max_n: usize,
    pub reps: u64,
    pub seed: u64,
    pub threads: Option<usize>,
}

pub fn run(a: &Args) -> Result<()> {
    if a.out.extension().and_then(|e| e.to_str()) != Some("html") {
        return Err(usage(format!(
            "--out {}: the report is an HTML file; name it FILE.html",
            a.out.display()
        )));
    }
    let study = output::sized_study(Study::load(a.scenario)?, a.sizes)?;
    output::warn_slips(&study);
    output::check_outputs(&[a.out], &[Path::new(a.scenario)])?;
    let options = report::build::ReportOptions {
        grid: a.grid.map(output::parse_grid).transpose()?,
        criterion: a.criterion.map(str::to_string),
        target: a.target,
        max_n: a.max_n,
        reps: a.reps,
        seed: a.seed,
        threads: a.threads,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let html = report::build::build(&study, &options, |line| eprintln!("{line}"))?;
    output::write_files(&[(a.out.to_path_buf(), html)])
}
