//! `trialsim simulate`: one simulated cohort as a table.

use super::args::Format;
use super::output::{self, Stdout};
use super::usage;
use anyhow::Result;
use std::path::PathBuf;
use trialsim::{Study, model::Cohort, report};

pub fn run(
    name: &str,
    seed: u64,
    controls: Option<usize>,
    patients: Option<usize>,
    out: Option<PathBuf>,
    format: Format,
    truth: bool,
) -> Result<()> {
    let study = Study::load(name)?;
    output::warn_slips(&study);
    if let Some(p) = &out {
        super::output::check_outputs(&[p.as_path()], &[std::path::Path::new(name)])?;
    }
    let s = study.scenario();
    let sizes = s.sizes_with(
        controls.unwrap_or(s.n_controls),
        patients.unwrap_or(s.n_patients),
    );
    if patients.unwrap_or(s.n_patients) > 0 && s.arms.is_empty() {
        return Err(usage(
            "--patients: the scenario has no arms to put patients in",
        ));
    }
    let mut c = Cohort::default();
    c.draw(s, &sizes, seed, 0);
    let info = report::RunInfo::new(seed);
    let text = match format {
        Format::Csv => report::cohort::to_csv(s, &c, truth),
        Format::Json => report::cohort::to_json(s, &c, &sizes, &info, truth),
    };
    match out {
        None => Stdout::new().text(&text),
        Some(path) => {
            let mut files = vec![(path.clone(), text)];
            if matches!(format, Format::Csv) {
                let meta = report::cohort::metadata(s, &sizes, &info);
                let mut p = path.as_os_str().to_owned();
                p.push(".meta.json");
                files.push((p.into(), serde_json::to_string_pretty(&meta)? + "\n"));
            }
            super::output::write_files(&files)?;
            eprintln!("wrote {} subjects to {}", c.n_subjects(), path.display());
            Ok(())
        }
    }
}
