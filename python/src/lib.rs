//! `trialsim._trialsim`: the compiled half of the Python package.
//!
//! A thin layer over the library's entry point ([`trialsim::Study`]): every number comes from the
//! same calls the command line makes, and every file-shaped result from the same
//! `trialsim::report` functions, so a Python run and a CLI run with the same seed agree byte for
//! byte. The pure-Python package (`python/trialsim/__init__.py`) turns these results into pandas
//! DataFrames and gives the API its Python idiom.
//!
//! Runs release the GIL and go to a worker thread; the calling thread wakes every 50 ms to let
//! Python handle signals (Ctrl-C raises `KeyboardInterrupt` and sets the run's cancel flag) and to
//! call the progress callback.

mod interrupt;

use interrupt::run_interruptible;
use std::path::Path;
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::Arc;
use trialsim::montecarlo::Row;
use trialsim::montecarlo::shard::Partial;
use trialsim::report::{self, export};
use trialsim::study::{MergeError, PowerResult, SampleSizeResult};
use trialsim::{RunError, Study};

create_exception!(
    trialsim,
    ScenarioError,
    PyValueError,
    "An invalid scenario: the message names the file and the field path of every problem."
);

fn scenario_err(e: trialsim::ScenarioError) -> PyErr {
    ScenarioError::new_err(e.to_string())
}

fn run_err(e: RunError) -> PyErr {
    if e.is_input_error() {
        PyValueError::new_err(e.to_string())
    } else {
        PyRuntimeError::new_err(e.to_string())
    }
}

fn merge_err(e: MergeError) -> PyErr {
    match e {
        MergeError::Scenario(e) => scenario_err(e),
        MergeError::Run(e) => run_err(e),
        other => PyRuntimeError::new_err(other.to_string()),
    }
}

/// The built-in scenarios as (name, description) pairs.
#[pyfunction]
fn scenarios() -> PyResult<Vec<(String, String)>> {
    trialsim::scenario::builtin::BUILTIN
        .iter()
        .map(|(name, text)| {
            let s = trialsim::scenario::parse(name, text).map_err(scenario_err)?;
            Ok((name.to_string(), s.spec.description.clone()))
        })
        .collect()
}

/// A loaded, validated scenario.
#[pyclass(frozen, name = "Study", module = "trialsim._trialsim")]
struct PyStudy {
    inner: Arc<Study>,
}

/// The rows of a result table as columns: (name, values) in the CLI's column order.
fn row_columns<'py>(py: Python<'py>, rows: &[Row]) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item(
        "n_total",
        rows.iter().map(|r| r.n_total as u64).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "n_controls",
        rows.iter().map(|r| r.n_controls as u64).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "n_patients",
        rows.iter().map(|r| r.n_patients as u64).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "family",
        rows.iter().map(|r| r.family.as_str()).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "hypothesis",
        rows.iter()
            .map(|r| r.hypothesis.as_str())
            .collect::<Vec<_>>(),
    )?;
    d.set_item(
        "metric",
        rows.iter().map(|r| r.metric.as_str()).collect::<Vec<_>>(),
    )?;
    d.set_item("value", rows.iter().map(|r| r.value).collect::<Vec<_>>())?;
    d.set_item("mc_se", rows.iter().map(|r| r.mc_se).collect::<Vec<_>>())?;
    d.set_item("ci_low", rows.iter().map(|r| r.ci_low).collect::<Vec<_>>())?;
    d.set_item(
        "ci_high",
        rows.iter().map(|r| r.ci_high).collect::<Vec<_>>(),
    )?;
    d.set_item("reps", rows.iter().map(|r| r.reps).collect::<Vec<_>>())?;
    Ok(d)
}

/// Sizes for a run: one N, a grid, or the scenario's own.
fn with_sizes<'a>(
    run: trialsim::study::PowerRun<'a>,
    n: Option<usize>,
    n_grid: Option<Vec<usize>>,
) -> PyResult<trialsim::study::PowerRun<'a>> {
    match (n, n_grid) {
        (Some(_), Some(_)) => Err(PyValueError::new_err(
            "n and n_grid: give one or the other, not both",
        )),
        (Some(n), None) => Ok(run.n(n)),
        (None, Some(g)) => Ok(run.n_grid(g)),
        (None, None) => Ok(run),
    }
}

/// Settings shared by `power` and `power_shard`.
struct PowerArgs {
    reps: u64,
    seed: u64,
    n: Option<usize>,
    n_grid: Option<Vec<usize>>,
    threads: Option<usize>,
    precision: Option<f64>,
    shard: Option<(u64, u64)>,
    vary: Vec<(String, Vec<f64>)>,
}

impl PowerArgs {
    /// Check every setting without simulating, so a bad one is a ValueError before any thread
    /// starts.
    fn check(&self, study: &Study) -> PyResult<()> {
        let run = self.configure(study.power())?;
        run.check().map_err(run_err)
    }

    fn configure<'a>(
        &self,
        mut run: trialsim::study::PowerRun<'a>,
    ) -> PyResult<trialsim::study::PowerRun<'a>> {
        run = run.reps(self.reps).seed(self.seed);
        if let Some(t) = self.threads {
            run = run.threads(t);
        }
        if let Some(p) = self.precision {
            run = run.precision(p);
        }
        if let Some((k, m)) = self.shard {
            run = run.shard(k, m);
        }
        for (param, values) in &self.vary {
            run = run.vary(param, values.clone());
        }
        with_sizes(run, self.n, self.n_grid.clone())
    }
}

#[pymethods]
impl PyStudy {
    /// A built-in scenario by name, or a scenario file by path.
    #[staticmethod]
    fn load(name_or_path: &str) -> PyResult<Self> {
        let study = Study::load(name_or_path).map_err(scenario_err)?;
        Ok(PyStudy {
            inner: Arc::new(study),
        })
    }

    /// A scenario given as JSON text; `label` names it in error messages.
    #[staticmethod]
    fn from_json(label: &str, text: &str) -> PyResult<Self> {
        let study = Study::from_json(label, text).map_err(scenario_err)?;
        Ok(PyStudy {
            inner: Arc::new(study),
        })
    }

    /// The name the scenario was loaded under.
    #[getter]
    fn label(&self) -> String {
        self.inner.label().to_string()
    }

    /// The scenario's own group sizes: (controls, patients).
    #[getter]
    fn own_sizes(&self) -> (usize, usize) {
        let z = self.inner.scenario().own_sizes();
        (z.controls, z.patients())
    }

    /// The scenario as JSON text (as given, before defaults are filled in).
    fn spec_json(&self) -> String {
        serde_json::to_string(&self.inner.spec_json()).expect("JSON values serialise")
    }

    /// The text `trialsim validate` prints.
    fn validate_text(&self) -> String {
        report::validate::summary(self.inner.scenario(), &self.inner.unsourced_numbers())
    }

    /// The implied quantities per region as JSON text.
    fn implied_json(&self) -> String {
        let imp = trialsim::scenario::implied::implied(self.inner.scenario());
        serde_json::to_string(&imp).expect("JSON of plain values")
    }

    /// One simulated cohort as the CSV text `trialsim simulate` prints.
    #[pyo3(signature = (seed, controls=None, patients=None, truth=false))]
    fn simulate_csv(
        &self,
        py: Python<'_>,
        seed: u64,
        controls: Option<usize>,
        patients: Option<usize>,
        truth: bool,
    ) -> PyResult<String> {
        let s = self.inner.scenario();
        let patients = patients.unwrap_or(s.n_patients);
        if patients > 0 && s.arms.is_empty() {
            return Err(PyValueError::new_err(
                "patients: the scenario has no arms to put patients in",
            ));
        }
        let sizes = s.sizes_with(controls.unwrap_or(s.n_controls), patients);
        let study = self.inner.clone();
        Ok(py.detach(move || {
            let s = study.scenario();
            let mut c = trialsim::model::Cohort::default();
            c.draw(s, &sizes, seed, 0);
            report::cohort::to_csv(s, &c, truth)
        }))
    }

    /// A power run (see the Python wrapper for the arguments).
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (reps, seed, n=None, n_grid=None, threads=None, precision=None, progress=None, vary=None))]
    fn power(
        &self,
        py: Python<'_>,
        reps: u64,
        seed: u64,
        n: Option<usize>,
        n_grid: Option<Vec<usize>>,
        threads: Option<usize>,
        precision: Option<f64>,
        progress: Option<Bound<'_, PyAny>>,
        vary: Option<Vec<(String, Vec<f64>)>>,
    ) -> PyResult<PyPowerResult> {
        let args = PowerArgs {
            reps,
            seed,
            n,
            n_grid,
            threads,
            precision,
            shard: None,
            vary: vary.unwrap_or_default(),
        };
        args.check(&self.inner)?;
        let study = self.inner.clone();
        let out = run_interruptible(py, progress.as_ref(), move |ctl| {
            let run = args
                .configure(study.power())
                .expect("checked above")
                .cancel_flag(&ctl.cancel)
                .on_progress(|p| ctl.report(p.done, p.total));
            run.run()
        })?;
        Ok(PyPowerResult {
            inner: out.map_err(run_err)?,
        })
    }

    /// One shard of a power run: the partial result as the JSON text `power --shard` writes.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (k, m, reps, seed, n=None, n_grid=None, threads=None, progress=None))]
    fn power_shard(
        &self,
        py: Python<'_>,
        k: u64,
        m: u64,
        reps: u64,
        seed: u64,
        n: Option<usize>,
        n_grid: Option<Vec<usize>>,
        threads: Option<usize>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let args = PowerArgs {
            reps,
            seed,
            n,
            n_grid,
            threads,
            precision: None,
            shard: Some((k, m)),
            vary: Vec::new(),
        };
        args.check(&self.inner)?;
        let study = self.inner.clone();
        let out = run_interruptible(py, progress.as_ref(), move |ctl| {
            let run = args
                .configure(study.power())
                .expect("checked above")
                .cancel_flag(&ctl.cancel)
                .on_progress(|p| ctl.report(p.done, p.total));
            run.run_partial()
        })?;
        let part = out.map_err(run_err)?;
        Ok(serde_json::to_string(&part).expect("partials serialise") + "\n")
    }

    /// A sample-size search for `criterion` reaching `target`.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (criterion, target, reps, seed, max_n, threads=None, progress=None))]
    fn sample_size(
        &self,
        py: Python<'_>,
        criterion: String,
        target: f64,
        reps: u64,
        seed: u64,
        max_n: usize,
        threads: Option<usize>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PySampleSizeResult> {
        if !target.is_finite() {
            return Err(PyValueError::new_err(format!(
                "target: must be a finite number, got {target}"
            )));
        }
        // Check the criterion before the search starts.
        self.inner
            .sample_size(&criterion, target)
            .criterion()
            .map_err(run_err)?;
        let study = self.inner.clone();
        // On Ctrl-C the call returns at once and the cancel flag stops the search.
        let out = run_interruptible(py, progress.as_ref(), move |ctl| {
            let mut steps = 0u64;
            let mut run = study
                .sample_size(&criterion, target)
                .cancel_flag(&ctl.cancel)
                .reps(reps)
                .seed(seed)
                .max_n(max_n)
                .on_step(move |_, _| {
                    steps += 1;
                    ctl.report(steps, 0);
                });
            if let Some(t) = threads {
                run = run.threads(t);
            }
            run.run()
        })?;
        Ok(PySampleSizeResult {
            inner: out.map_err(run_err)?,
        })
    }

    /// The self-contained HTML report (what `trialsim report` writes), returned as text.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (reps, seed, n_grid=None, criterion=None, target=0.8, max_n=1000, threads=None))]
    fn report_html(
        &self,
        py: Python<'_>,
        reps: u64,
        seed: u64,
        n_grid: Option<Vec<usize>>,
        criterion: Option<String>,
        target: f64,
        max_n: usize,
        threads: Option<usize>,
    ) -> PyResult<String> {
        let study = self.inner.clone();
        let options = trialsim::report::build::ReportOptions {
            grid: n_grid,
            criterion,
            target,
            max_n,
            reps,
            seed,
            threads,
            command: "trialsim (Python) Scenario.report".into(),
        };
        let out = run_interruptible(py, None, move |_ctl| {
            trialsim::report::build::build(&study, &options, |_| {})
        })?;
        out.map_err(run_err)
    }
}

/// The result of a power run.
#[pyclass(frozen, name = "PowerResult", module = "trialsim._trialsim")]
struct PyPowerResult {
    inner: PowerResult,
}

#[pymethods]
impl PyPowerResult {
    /// The tidy table as a dict of columns.
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        row_columns(py, &self.inner.table.rows)
    }

    /// The CSV text `power --out FILE.csv` writes (with one column per varied parameter for a
    /// what-if grid).
    fn csv(&self) -> String {
        let files = export::power_files(&self.inner, &export::Csv, Path::new("x.csv"), false);
        files.into_iter().next().map(|f| f.1).unwrap_or_default()
    }

    /// The JSON text `power --out FILE.json --no-timing` writes.
    fn json(&self) -> String {
        let files = export::power_files(&self.inner, &export::Json, Path::new("x.json"), false);
        files.into_iter().next().map(|f| f.1).unwrap_or_default()
    }

    /// Whether the run was a what-if grid (`vary`).
    #[getter]
    fn is_grid(&self) -> bool {
        !self.inner.grid.is_empty()
    }

    /// The metadata (`FILE.csv.meta.json`, without the wall time) as JSON text.
    fn meta_json(&self) -> String {
        serde_json::to_string(&export::power_meta(&self.inner, false)).expect("plain JSON")
    }

    /// The summary table `trialsim power` prints.
    fn summary(&self) -> String {
        report::results::summary(
            self.inner.study.scenario(),
            &self.inner.table.rows,
            self.inner.reps,
        )
    }

    /// Trials simulated at each size.
    #[getter]
    fn reps_run(&self) -> Vec<u64> {
        self.inner.reps_run.clone()
    }

    /// Total trials simulated.
    #[getter]
    fn trials(&self) -> u64 {
        self.inner.trials()
    }

    /// Master seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// Wall time of the run in seconds (None for merged shards).
    #[getter]
    fn elapsed_secs(&self) -> Option<f64> {
        self.inner.elapsed_secs
    }
}

/// The result of a sample-size search.
#[pyclass(frozen, name = "SampleSizeResult", module = "trialsim._trialsim")]
struct PySampleSizeResult {
    inner: SampleSizeResult,
}

#[pymethods]
impl PySampleSizeResult {
    /// Smallest N whose estimate reaches the target (None: not within max_n).
    #[getter]
    fn n(&self) -> Option<usize> {
        self.inner.search.n
    }

    /// Optimistic end of the Monte Carlo range of N.
    #[getter]
    fn n_low(&self) -> Option<usize> {
        self.inner.search.n_low
    }

    /// Pessimistic end of the Monte Carlo range of N (None: not within max_n).
    #[getter]
    fn n_high(&self) -> Option<usize> {
        self.inner.search.n_high
    }

    /// Every evaluated size's rows as a dict of columns.
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let rows: Vec<Row> = self
            .inner
            .search
            .evaluated
            .values()
            .flatten()
            .cloned()
            .collect();
        row_columns(py, &rows)
    }

    /// The criterion's row at N as a dict of columns (empty when N was not reached).
    fn at_n<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let rows: Vec<Row> = self.inner.search.at_n.iter().cloned().collect();
        row_columns(py, &rows)
    }

    /// The JSON text `sample-size --out FILE.json --no-timing` writes.
    fn json(&self) -> String {
        report::results::sample_size_json(
            export::sample_size_meta(&self.inner, false),
            &self.inner.search,
        )
    }

    /// Master seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// Trials per evaluated size.
    #[getter]
    fn reps(&self) -> u64 {
        self.inner.reps
    }
}

/// Merge the partial results (JSON texts, each named) of one sharded run.
#[pyfunction]
fn merge(py: Python<'_>, parts: Vec<(String, String)>) -> PyResult<PyPowerResult> {
    let mut read = Vec::with_capacity(parts.len());
    for (name, text) in parts {
        let part: Partial = serde_json::from_str(&text).map_err(|e| {
            PyValueError::new_err(format!("{name}: not a partial result of a shard ({e})"))
        })?;
        read.push((name, part));
    }
    let merged = py.detach(move || Study::merge(read)).map_err(merge_err)?;
    Ok(PyPowerResult { inner: merged })
}

/// The library's version.
#[pyfunction]
fn version() -> &'static str {
    trialsim::report::RunInfo::new(0).version
}

/// The compiled module.
#[pymodule]
fn _trialsim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add_class::<PyStudy>()?;
    m.add_class::<PyPowerResult>()?;
    m.add_class::<PySampleSizeResult>()?;
    m.add_function(wrap_pyfunction!(scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
