//! Reports: cohort files, result tables (CSV, JSON, terminal) and the text of `validate`.
//!
//! Every file is written through [`write_atomic`], so an interrupted or failed run never leaves a
//! half-written output file behind.

pub mod answer;
pub mod build;
pub mod cohort;
pub mod export;
pub mod grid;
pub mod html;
pub mod page;
pub mod plot;
pub mod replicate;
pub mod results;
pub mod validate;

use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path` atomically: into a temporary file in the same directory, then renamed
/// over the target.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("out.txt");
/// trialsim::report::write_atomic(&p, b"hello").unwrap();
/// assert_eq!(std::fs::read(&p).unwrap(), b"hello");
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_all_atomic(&[(path, bytes)])
}

/// Write several files so that either all of them appear or none: every temporary is written
/// and synced first, then each is renamed into place; if a rename fails, the files already
/// renamed are removed again.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let files = [(dir.path().join("a.csv"), "x"), (dir.path().join("a.csv.meta.json"), "{}")];
/// trialsim::report::write_all_atomic(&files).unwrap();
/// assert!(dir.path().join("a.csv.meta.json").exists());
/// ```
pub fn write_all_atomic<P: AsRef<Path>, B: AsRef<[u8]>>(files: &[(P, B)]) -> std::io::Result<()> {
    let mut temps = Vec::new();
    for (path, bytes) in files {
        let path = path.as_ref();
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut tmp = tempfile::Builder::new()
            .prefix(".trialsim-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| annotate(path, e))?;
        tmp.write_all(bytes.as_ref())
            .map_err(|e| annotate(path, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Temporary files are created private (0600); a result file should be as readable as
            // any file the user writes.
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        tmp.as_file().sync_all().map_err(|e| annotate(path, e))?;
        temps.push((path.to_path_buf(), tmp));
    }
    let mut done: Vec<std::path::PathBuf> = Vec::new();
    for (path, tmp) in temps {
        if let Err(e) = tmp.persist(&path) {
            for p in &done {
                let _ = std::fs::remove_file(p);
            }
            return Err(annotate(&path, e.error));
        }
        done.push(path);
    }
    Ok(())
}

fn annotate(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("writing {}: {e}", path.display()))
}

/// Provenance recorded in every result file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunInfo {
    /// Tool name.
    pub tool: &'static str,
    /// Tool version.
    pub version: &'static str,
    /// Master seed.
    pub seed: u64,
    /// Random generator and seeding scheme.
    pub generator: &'static str,
}

impl RunInfo {
    /// Info for a run with this seed.
    pub fn new(seed: u64) -> Self {
        RunInfo {
            tool: "trialsim",
            version: env!("CARGO_PKG_VERSION"),
            seed,
            generator: crate::rng::GENERATOR,
        }
    }
}

/// Format a number for CSV: empty for NaN (missing), shortest round-trip text otherwise.
pub fn csv_num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

/// One CSV field, quoted as RFC 4180 asks when it holds a comma, a quote, a line break or
/// surrounding space (names come from scenarios and may hold any of them).
///
/// ```
/// use trialsim::report::csv_field;
/// assert_eq!(csv_field("habenula"), "habenula");
/// assert_eq!(csv_field("a,b"), "\"a,b\"");
/// assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
/// ```
pub fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    let needs = s.contains([',', '"', '\n', '\r'])
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace);
    if needs {
        std::borrow::Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Fields joined into one CSV line (without the line break), each quoted where needed.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    fields
        .iter()
        .map(|f| csv_field(f.as_ref()).into_owned())
        .collect::<Vec<_>>()
        .join(",")
}
