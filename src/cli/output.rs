//! What the commands share: standard output that reports a closed pipe, result and plot files,
//! the progress bar, grids.

use super::args::{McArgs, PathArg, PlotArgs};
use super::usage;
use anyhow::Result;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use trialsim::montecarlo::{Row, SimPath};
use trialsim::report::{self, export::Exporter};

/// Standard output, locked; errors (a closed pipe) are returned, never a panic.
pub struct Stdout(std::io::StdoutLock<'static>);

impl Stdout {
    /// Lock standard output.
    pub fn new() -> Self {
        Stdout(std::io::stdout().lock())
    }

    /// Print text as it is.
    pub fn text(&mut self, s: &str) -> Result<()> {
        self.bytes(s.as_bytes())
    }

    /// Print one line.
    pub fn line(&mut self, s: &str) -> Result<()> {
        self.0.write_all(s.as_bytes())?;
        self.0.write_all(b"\n")?;
        Ok(())
    }

    /// Print bytes and flush.
    pub fn bytes(&mut self, b: &[u8]) -> Result<()> {
        self.0.write_all(b)?;
        self.0.flush()?;
        Ok(())
    }
}

/// Text collected for standard output, printed after the command's files are written (so that a
/// closed pipe never loses a file).
#[derive(Default)]
pub struct Text(String);

impl Text {
    /// Add one line.
    pub fn line(&mut self, s: &str) -> Result<()> {
        self.0.push_str(s);
        self.0.push('\n');
        Ok(())
    }

    /// Print it all.
    pub fn print(self) -> Result<()> {
        Stdout::new().text(&self.0)
    }
}

/// The library's simulation path for the flag.
pub fn sim_path(p: PathArg) -> SimPath {
    match p {
        PathArg::Auto => SimPath::Auto,
        PathArg::Subject => SimPath::Subject,
        PathArg::Summary => SimPath::Summary,
    }
}

/// The exporter for `--out`, checked before anything runs.
pub fn exporter(path: &Path) -> Result<Box<dyn Exporter>> {
    report::export::for_path(path).ok_or_else(|| {
        usage(format!(
            "--out {}: the file name must end in .json or .csv",
            path.display()
        ))
    })
}

/// Check options shared by the Monte Carlo commands before anything runs.
pub fn check_mc(mc: &McArgs) -> Result<()> {
    if let Some(p) = &mc.out {
        exporter(p)?;
    }
    Ok(())
}

/// `FROM:TO:STEP` as a list of sizes.
pub fn parse_grid(text: &str) -> Result<Vec<usize>> {
    let bad = || {
        usage(format!(
            "--n-grid: expected FROM:TO:STEP with FROM <= TO and STEP > 0, e.g. 40:200:20, got '{text}'"
        ))
    };
    let parts: Vec<usize> = text
        .split(':')
        .map(|p| p.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    match parts[..] {
        [from, to, step] if from <= to && step > 0 => {
            let points = (to - from) / step + 1;
            if points > trialsim::limits::MAX_GRID || to > trialsim::limits::MAX_SUBJECTS {
                return Err(usage(format!(
                    "--n-grid: {points} sizes up to N = {to}; the limits are {} sizes and {} subjects per trial",
                    trialsim::limits::MAX_GRID,
                    trialsim::limits::MAX_SUBJECTS
                )));
            }
            Ok((from..=to).step_by(step).collect())
        }
        _ => Err(bad()),
    }
}

/// The flag SIGINT and SIGTERM set (registered on first use): runs stop between blocks, and a
/// command interrupted while writing removes what it wrote, so no output file and no temporary
/// is left behind.
pub fn interrupted() -> &'static AtomicBool {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // If a handler cannot be installed the default action (terminate) stays.
            let _ = signal_hook::flag::register(sig, Arc::clone(&flag));
        }
        flag
    })
}

/// Error out if a signal arrived.
pub fn check_interrupted() -> Result<()> {
    if interrupted().load(Ordering::Relaxed) {
        return Err(trialsim::RunError::Cancelled.into());
    }
    Ok(())
}

/// Check before a run that each output path can be written: its directory exists, and it is not
/// one of the inputs.
pub fn check_outputs(outputs: &[&Path], inputs: &[&Path]) -> Result<()> {
    for out in outputs {
        let dir = match out.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return Err(usage(format!(
                "{}: the directory {} does not exist; create it first",
                out.display(),
                dir.display()
            )));
        }
        for input in inputs {
            let same = match (std::fs::canonicalize(out), std::fs::canonicalize(input)) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
            if same {
                return Err(usage(format!(
                    "{}: the output would overwrite an input; choose another file name",
                    out.display()
                )));
            }
        }
    }
    Ok(())
}

/// Write a command's result files all at once and say so.
pub fn write_files(files: &[(PathBuf, String)]) -> Result<()> {
    check_interrupted()?;
    report::write_all_atomic(files)?;
    if interrupted().load(Ordering::Relaxed) {
        // Interrupted while writing: take back what was written.
        for (p, _) in files {
            let _ = std::fs::remove_file(p);
        }
        return Err(trialsim::RunError::Cancelled.into());
    }
    for (p, _) in files {
        if !p.to_string_lossy().ends_with(".meta.json") {
            eprintln!("wrote {}", p.display());
        }
    }
    Ok(())
}

/// Check plot options before any simulation runs.
pub fn check_plots(s: &trialsim::Scenario, plots: &PlotArgs) -> Result<()> {
    for p in [&plots.plot, &plots.learning_plot].into_iter().flatten() {
        if p.extension().and_then(|e| e.to_str()) != Some("svg") {
            return Err(usage(format!(
                "{}: plots are SVG files; name it FILE.svg",
                p.display()
            )));
        }
    }
    for h in &plots.plot_hypotheses {
        let c: trialsim::montecarlo::search::Criterion = h.parse().map_err(|_| {
            usage(format!(
                "--plot-hypothesis: expected FAMILY:HYPOTHESIS, got '{h}'"
            ))
        })?;
        c.check(s).map_err(|e| {
            usage(super::describe(&e.into()).replace("--criterion", "--plot-hypothesis"))
        })?;
    }
    if plots.learning_plot.is_some() && !s.families.iter().any(|f| f.prediction.is_some()) {
        return Err(usage(
            "--learning-plot: the analysis plan has no prediction family",
        ));
    }
    Ok(())
}

/// The requested plots as files.
pub fn plot_files(
    s: &trialsim::Scenario,
    seed: u64,
    rows: &[Row],
    plots: &PlotArgs,
    target: Option<f64>,
    mark: Option<usize>,
) -> Result<Vec<(PathBuf, String)>> {
    let mut files = Vec::new();
    if let Some(path) = &plots.plot {
        let chosen: Vec<(String, String)> = plots
            .plot_hypotheses
            .iter()
            .filter_map(|h| {
                let mut it = h.split(':');
                Some((it.next()?.to_string(), it.next()?.to_string()))
            })
            .collect();
        let svg =
            report::results::power_plot(s, seed, rows, &chosen, target, mark).map_err(usage)?;
        files.push((path.clone(), svg));
    }
    if let Some(path) = &plots.learning_plot {
        let svg = report::results::learning_plot(s, seed, rows).map_err(usage)?;
        files.push((path.clone(), svg));
    }
    Ok(files)
}

/// A progress bar with ETA on standard error, only when it is a terminal.
pub fn progress_bar() -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} trials  {per_sec}  ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// Print the scenario's likely unit slips (legal values such as `test_retest_cv: 4`) on standard
/// error before a run, so they are seen before the results they distort.
pub fn warn_slips(study: &trialsim::Study) {
    for w in study.scenario().warnings() {
        eprintln!("warning: {w}");
    }
}

/// The study with the sizes and alpha of the command line applied (alpha first, then sizes).
pub fn sized_study(study: trialsim::Study, a: &super::args::SizeArgs) -> Result<trialsim::Study> {
    let study = match a.alpha {
        Some(alpha) => study.with_alpha(alpha)?,
        None => study,
    };
    let mut arms = Vec::new();
    for text in &a.arms {
        let parsed = text
            .split_once('=')
            .and_then(|(name, n)| Some((name.trim().to_string(), n.trim().parse::<usize>().ok()?)))
            .filter(|(name, _)| !name.is_empty());
        match parsed {
            Some(p) => arms.push(p),
            None => {
                return Err(super::usage(format!(
                    "--arm {text}: expected ARM=N with a whole number, e.g. --arm ketamine=20"
                )));
            }
        }
    }
    let g = trialsim::study::GroupSizes {
        controls: a.controls,
        patients: a.patients,
        arms,
    };
    Ok(study.with_group_sizes(&g)?)
}

/// The criterion given, or the scenario's default (its primary family's headline figure).
pub fn criterion_or_default(s: &trialsim::Scenario, given: Option<&str>) -> Result<String> {
    match given {
        Some(c) => Ok(c.to_string()),
        None => s.default_criterion().ok_or_else(|| {
            super::usage(format!(
                "--criterion is needed: the scenario marks no primary family (add \"primary\": true \
                 to one in analysis.families); families: {}",
                s.families
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }),
    }
}
