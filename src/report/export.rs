//! Result files behind one small trait: a tidy table as CSV (with its metadata beside it) or as
//! one JSON document. Every front end writes results through these, so the bytes are the same
//! whether a run came from the command line, Python or the web page.

use super::results;
use crate::montecarlo::Row;
use crate::study::{PowerResult, SampleSizeResult};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A result-file format.
pub trait Exporter {
    /// The files of one result: (suffix appended to the output path, content). The first entry's
    /// suffix is empty: it is the file the user named.
    fn render(
        &self,
        meta: Value,
        rows: &[Row],
        sample_size: Option<&SampleSizeResult>,
    ) -> Vec<(&'static str, String)>;

    /// The files of a what-if grid: the tidy table with one column per varied parameter first
    /// (`columns`: each name with its value on every row).
    fn render_grid(
        &self,
        meta: Value,
        rows: &[Row],
        columns: &[(String, Vec<f64>)],
    ) -> Vec<(&'static str, String)>;
}

/// Tidy CSV, with the metadata in `FILE.csv.meta.json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Csv;

/// One JSON document: metadata and rows (and the search, for a sample size).
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Exporter for Csv {
    fn render_grid(
        &self,
        meta: Value,
        rows: &[Row],
        columns: &[(String, Vec<f64>)],
    ) -> Vec<(&'static str, String)> {
        vec![
            ("", super::grid::to_csv(rows, columns)),
            (
                ".meta.json",
                serde_json::to_string_pretty(&meta).expect("JSON of plain values") + "\n",
            ),
        ]
    }

    fn render(
        &self,
        meta: Value,
        rows: &[Row],
        _: Option<&SampleSizeResult>,
    ) -> Vec<(&'static str, String)> {
        vec![
            ("", results::to_csv(rows)),
            (
                ".meta.json",
                serde_json::to_string_pretty(&meta).expect("JSON of plain values") + "\n",
            ),
        ]
    }
}

impl Exporter for Json {
    fn render_grid(
        &self,
        meta: Value,
        rows: &[Row],
        columns: &[(String, Vec<f64>)],
    ) -> Vec<(&'static str, String)> {
        let mut doc = meta;
        doc["rows"] = super::grid::rows_json(rows, columns);
        vec![(
            "",
            serde_json::to_string_pretty(&doc).expect("JSON of plain values") + "\n",
        )]
    }

    fn render(
        &self,
        meta: Value,
        rows: &[Row],
        ss: Option<&SampleSizeResult>,
    ) -> Vec<(&'static str, String)> {
        match ss {
            Some(ss) => vec![("", results::sample_size_json(meta, &ss.search))],
            None => vec![("", results::power_json(meta, rows))],
        }
    }
}

/// The exporter for a file name by its extension (`.json` or `.csv`).
///
/// ```
/// use std::path::Path;
/// assert!(trialsim::report::export::for_path(Path::new("x.csv")).is_some());
/// assert!(trialsim::report::export::for_path(Path::new("x.txt")).is_none());
/// ```
pub fn for_path(path: &Path) -> Option<Box<dyn Exporter>> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Some(Box::new(Json)),
        Some("csv") => Some(Box::new(Csv)),
        _ => None,
    }
}

/// Metadata of a power result (seed, generator, version, trials, resolved scenario, truths);
/// the wall time only when `timing` is set, so that repeated runs can give identical bytes.
pub fn power_meta(r: &PowerResult, timing: bool) -> Value {
    let info = super::RunInfo::new(r.seed);
    let secs = if timing { r.elapsed_secs } else { None };
    let mut meta = results::metadata(r.study.scenario(), &info, r.reps, &r.truths, secs);
    if let Some(p) = r.precision {
        // A run stopped at a precision target records the trials it actually ran (per size) and
        // the maximum it was allowed; the reps column of each row holds the trials run too.
        meta["run"]["precision"] = json!(p);
        meta["run"]["reps_requested"] = json!(r.reps);
        meta["run"]["reps"] = json!(r.reps_run.iter().copied().max().unwrap_or(0));
        meta["run"]["reps_run"] = json!(r.reps_run);
    }
    if !r.grid.is_empty() {
        meta["vary"] = super::grid::meta(r);
    }
    meta
}

/// Metadata of a sample-size result.
pub fn sample_size_meta(r: &SampleSizeResult, timing: bool) -> Value {
    let info = super::RunInfo::new(r.seed);
    let secs = timing.then_some(r.elapsed_secs);
    results::metadata(r.study.scenario(), &info, r.reps, &r.truths, secs)
}

/// The files of a power result for an output path: (path, content).
pub fn power_files(
    r: &PowerResult,
    exporter: &dyn Exporter,
    path: &Path,
    timing: bool,
) -> Vec<(PathBuf, String)> {
    let meta = power_meta(r, timing);
    let files = if r.grid.is_empty() {
        exporter.render(meta, &r.table.rows, None)
    } else {
        exporter.render_grid(meta, &r.table.rows, &super::grid::columns(r))
    };
    named(path, files)
}

/// The files of a sample-size result for an output path.
pub fn sample_size_files(
    r: &SampleSizeResult,
    exporter: &dyn Exporter,
    path: &Path,
    timing: bool,
) -> Vec<(PathBuf, String)> {
    let rows: Vec<Row> = r.search.evaluated.values().flatten().cloned().collect();
    named(
        path,
        exporter.render(sample_size_meta(r, timing), &rows, Some(r)),
    )
}

fn named(path: &Path, files: Vec<(&'static str, String)>) -> Vec<(PathBuf, String)> {
    files
        .into_iter()
        .map(|(suffix, text)| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            (PathBuf::from(p), text)
        })
        .collect()
}
