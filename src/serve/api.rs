//! The JSON API: request bodies, their checks, and the handlers, each making the same
//! [`Study`] calls as the command line and returning the same bytes for result files.

use super::Limits;
use super::jobs::{Failure, Job, Jobs};
use crate::error::{RunError, ScenarioError};
use crate::report::{self, results};
use crate::scenario::builtin;
use crate::study::{PowerResult, PowerRun, Study};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

/// Shared state of the handlers.
#[derive(Debug)]
pub struct Ctx {
    /// The job table.
    pub jobs: Jobs,
    /// Request and job bounds.
    pub limits: Limits,
}

/// A handler's answer: status and JSON body.
pub type Answer = Result<(u16, Value), Failure>;

/// Parse a request body, refusing unknown fields so a misspelt setting is not silently ignored.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    if body.is_empty() {
        return Err(Failure::new(
            400,
            "the request has no body; send a JSON object",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| Failure::new(400, format!("malformed request body: {e}")))
}

fn default_reps() -> u64 {
    1000
}
fn default_seed() -> u64 {
    1
}
fn default_target() -> f64 {
    0.8
}

/// `POST /api/validate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidateRequest {
    /// A built-in scenario name or a scenario object.
    pub scenario: Value,
}

/// `POST /api/power`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerRequest {
    /// A built-in scenario name or a scenario object.
    pub scenario: Value,
    /// Trials per size.
    #[serde(default = "default_reps")]
    pub reps: u64,
    /// Master seed.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// One total N (default: the scenario's own sizes).
    pub n: Option<usize>,
    /// A grid of total N (a power curve).
    pub n_grid: Option<Vec<usize>>,
    /// Worker threads (results do not depend on it).
    pub threads: Option<usize>,
    /// Answer at once with a job id instead of waiting for the result.
    #[serde(default, rename = "async")]
    pub run_async: bool,
}

/// `POST /api/sample-size`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleSizeRequest {
    /// A built-in scenario name or a scenario object.
    pub scenario: Value,
    /// `FAMILY:HYPOTHESIS[:METRIC]`.
    pub criterion: String,
    /// Target value of the criterion.
    #[serde(default = "default_target")]
    pub target: f64,
    /// Trials per evaluated size.
    #[serde(default = "default_reps")]
    pub reps: u64,
    /// Master seed.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Largest total N searched.
    pub max_n: Option<usize>,
    /// Worker threads.
    pub threads: Option<usize>,
    /// Answer at once with a job id.
    #[serde(default, rename = "async")]
    pub run_async: bool,
}

/// `POST /api/report`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// A built-in scenario name or a scenario object.
    pub scenario: Value,
    /// Trials per size.
    #[serde(default = "default_reps")]
    pub reps: u64,
    /// Master seed.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Grid of total N for the curves (default as `trialsim report`).
    pub n_grid: Option<Vec<usize>>,
    /// Criterion of the sample-size search (default: the first power figure).
    pub criterion: Option<String>,
    /// Target of the search.
    #[serde(default = "default_target")]
    pub target: f64,
    /// Largest N searched.
    pub max_n: Option<usize>,
    /// Answer at once with a job id.
    #[serde(default, rename = "async")]
    pub run_async: bool,
}

/// A scenario error as a 422 answer, with each problem's field path for the page to place.
pub fn scenario_failure(e: ScenarioError) -> Failure {
    let problems: Vec<Value> = match &e {
        ScenarioError::Invalid { problems, .. } => problems
            .iter()
            .map(|p| json!({"path": p.path, "message": p.message}))
            .collect(),
        ScenarioError::Syntax {
            line,
            column,
            message,
            ..
        } => {
            vec![json!({"path": "", "message": format!("line {line}, column {column}: {message}")})]
        }
        other => vec![json!({"path": "scenario", "message": other.to_string()})],
    };
    Failure {
        status: 422,
        body: json!({"ok": false, "error": e.to_string(), "problems": problems}),
    }
}

/// A run error as an answer: cancelled runs are 409, everything else a 422 naming the setting.
pub fn run_failure(e: RunError) -> Failure {
    let mut f = Failure::new(
        if matches!(e, RunError::Cancelled) {
            409
        } else {
            422
        },
        e.to_string(),
    );
    if let RunError::Setting { setting, .. } = &e {
        f.body["setting"] = json!(setting.name());
    }
    f
}

/// The study a request names: a built-in by name (never a path: the server reads no files) or
/// a scenario object.
pub fn study(v: &Value) -> Result<Study, Failure> {
    match v {
        Value::String(name) => {
            let text = builtin::get(name).ok_or_else(|| {
                let names: Vec<&str> = builtin::BUILTIN.iter().map(|b| b.0).collect();
                scenario_failure(ScenarioError::Invalid {
                    file: "scenario".into(),
                    problems: vec![crate::Problem {
                        path: "scenario".into(),
                        message: format!(
                            "no built-in scenario named {name:?}; the built-ins are {}",
                            names.join(", ")
                        ),
                    }],
                })
            })?;
            Study::from_json(name, text).map_err(scenario_failure)
        }
        Value::Object(_) => Study::from_value("scenario", v.clone()).map_err(scenario_failure),
        _ => Err(scenario_failure(ScenarioError::Invalid {
            file: "scenario".into(),
            problems: vec![crate::Problem {
                path: "scenario".into(),
                message: "expected a built-in scenario name or a scenario object".into(),
            }],
        })),
    }
}

fn too_big(what: &str, value: impl std::fmt::Display, limit: impl std::fmt::Display) -> Failure {
    Failure::new(
        422,
        format!("{what} = {value} is above this server's limit of {limit}"),
    )
}

fn check_reps(l: &Limits, reps: u64) -> Result<(), Failure> {
    if reps > l.max_reps {
        return Err(too_big("reps", reps, l.max_reps));
    }
    Ok(())
}

fn check_ns(l: &Limits, ns: &[usize]) -> Result<(), Failure> {
    if ns.len() > l.max_grid {
        return Err(too_big("the number of sizes", ns.len(), l.max_grid));
    }
    if let Some(&n) = ns.iter().find(|&&n| n > l.max_n) {
        return Err(too_big("n", n, l.max_n));
    }
    Ok(())
}

fn threads(l: &Limits, asked: Option<usize>) -> Result<usize, Failure> {
    match asked {
        Some(0) => Err(Failure::new(422, "threads must be > 0")),
        Some(t) if t > l.max_threads => Err(too_big("threads", t, l.max_threads)),
        Some(t) => Ok(t),
        None => Ok(l.default_threads),
    }
}

/// `GET /api/scenarios`: every built-in with its description and JSON.
pub fn scenarios() -> Answer {
    let list: Vec<Value> = builtin::BUILTIN
        .iter()
        .map(|(name, text)| {
            let v: Value = serde_json::from_str(text).expect("built-in scenarios are JSON");
            json!({"name": name, "description": v["description"], "scenario": v})
        })
        .collect();
    Ok((200, json!({"default": builtin::DEFAULT, "scenarios": list})))
}

/// `POST /api/validate`: the `validate` text and what the page needs to build its form.
pub fn validate(body: &[u8]) -> Answer {
    let req: ValidateRequest = parse(body)?;
    let study = study(&req.scenario)?;
    let s = study.scenario();
    let sizes = s.own_sizes();
    let families: Vec<Value> = s
        .families
        .iter()
        .map(|f| json!({"name": f.name, "kind": f.kind, "hypotheses": s.hypotheses(f)}))
        .collect();
    Ok((
        200,
        json!({
            "ok": true,
            "summary": report::validate::summary(s, &study.unsourced_numbers()),
            "implied": crate::scenario::implied::implied(s),
            "alpha": s.alpha,
            "sizes": {"controls": sizes.controls, "arms": sizes.arms, "total": sizes.total()},
            "min_total": crate::montecarlo::search::min_total(s),
            "families": families,
            "default_selection": results::default_selection(s),
            "warnings": s.warnings().iter().map(|w| json!({"path": w.path, "value": w.value,
                                                           "message": w.message})).collect::<Vec<_>>(),
        }),
    ))
}

/// What a finished power run returns: the tidy rows and the CLI's JSON and CSV bytes.
pub fn power_payload(res: &PowerResult) -> Value {
    let meta = report::export::power_meta(res, false);
    json!({
        "ok": true,
        "seed": res.seed,
        "reps": res.reps,
        "reps_run": res.reps_run,
        "rows": results::rows_json(&res.table.rows),
        "json": results::power_json(meta, &res.table.rows),
        "csv": results::to_csv(&res.table.rows),
    })
}

fn configure<'a>(
    run: PowerRun<'a>,
    reps: u64,
    seed: u64,
    threads: usize,
    n: Option<usize>,
    grid: &Option<Vec<usize>>,
) -> PowerRun<'a> {
    let run = run.reps(reps).seed(seed).threads(threads);
    match (n, grid) {
        (_, Some(g)) => run.n_grid(g.clone()),
        (Some(n), None) => run.n(n),
        (None, None) => run,
    }
}

/// Start a job and either answer with its id (202) or wait for its outcome.
fn launch<F>(jobs: &Jobs, kind: &'static str, run_async: bool, work: F) -> Answer
where
    F: FnOnce(&Job) -> Result<Value, Failure> + Send + 'static,
{
    let (job, handle) = jobs.start(kind, work)?;
    if run_async {
        return Ok((202, json!({"ok": true, "id": job.id, "status": "running"})));
    }
    handle
        .join()
        .map_err(|_| Failure::new(500, "internal error"))?;
    match job.outcome() {
        Some(Ok(v)) => Ok((200, v)),
        Some(Err(f)) => Err(f),
        None => Err(Failure::new(500, "internal error: the job left no outcome")),
    }
}

/// `POST /api/power`.
pub fn power(ctx: &Ctx, body: &[u8]) -> Answer {
    let req: PowerRequest = parse(body)?;
    let l = &ctx.limits;
    check_reps(l, req.reps)?;
    if req.n.is_some() && req.n_grid.is_some() {
        return Err(Failure::new(422, "give n or n_grid, not both"));
    }
    check_ns(
        l,
        req.n_grid
            .as_deref()
            .unwrap_or(&req.n.into_iter().collect::<Vec<_>>()),
    )?;
    let threads = threads(l, req.threads)?;
    let study = study(&req.scenario)?;
    let own = study.scenario().own_sizes().total();
    if req.n.is_none() && req.n_grid.is_none() && own > l.max_n {
        return Err(too_big("the scenario's N", own, l.max_n));
    }
    // Settings are checked before a job is started, so their errors come back at once.
    configure(
        study.power(),
        req.reps,
        req.seed,
        threads,
        req.n,
        &req.n_grid,
    )
    .check()
    .map_err(run_failure)?;
    launch(&ctx.jobs, "power", req.run_async, move |job| {
        let res = configure(
            study.power(),
            req.reps,
            req.seed,
            threads,
            req.n,
            &req.n_grid,
        )
        .cancel_flag(&job.cancel)
        .on_progress(|p| {
            job.done.store(p.done, Ordering::Relaxed);
            job.total.store(p.total, Ordering::Relaxed);
        })
        .run()
        .map_err(run_failure)?;
        Ok(power_payload(&res))
    })
}

/// `POST /api/sample-size`.
pub fn sample_size(ctx: &Ctx, body: &[u8]) -> Answer {
    let req: SampleSizeRequest = parse(body)?;
    let l = &ctx.limits;
    check_reps(l, req.reps)?;
    let max_n = req.max_n.unwrap_or(l.max_n.min(2000));
    check_ns(l, &[max_n])?;
    let threads = threads(l, req.threads)?;
    let study = study(&req.scenario)?;
    study
        .sample_size(&req.criterion, req.target)
        .criterion()
        .map_err(run_failure)?;
    launch(&ctx.jobs, "sample-size", req.run_async, move |job| {
        let r = study
            .sample_size(&req.criterion, req.target)
            .reps(req.reps)
            .seed(req.seed)
            .threads(threads)
            .max_n(max_n)
            .cancel_flag(&job.cancel)
            .on_step(|_, _| {
                job.done.fetch_add(1, Ordering::Relaxed);
            })
            .run()
            .map_err(run_failure)?;
        if job.cancel.load(Ordering::Relaxed) {
            return Err(run_failure(RunError::Cancelled));
        }
        let ss = &r.search;
        let rows: Vec<_> = ss.evaluated.values().flatten().cloned().collect();
        Ok(json!({
            "ok": true,
            "criterion": req.criterion,
            "target": req.target,
            "n": ss.n, "n_low": ss.n_low, "n_high": ss.n_high,
            "grow": ss.grow, "held": ss.held, "n_total": ss.total_at(ss.n),
            "at_n": ss.at_n.as_ref().map(|r| results::rows_json(std::slice::from_ref(r))[0].clone()),
            "json": results::sample_size_json(report::export::sample_size_meta(&r, false), ss),
            "csv": results::to_csv(&rows),
        }))
    })
}

/// The grid `trialsim report` uses when none is given: about eight sizes from the smallest
/// runnable N to three times the scenario's own.
pub fn default_report_grid(s: &crate::Scenario) -> Vec<usize> {
    let lo = crate::montecarlo::search::min_total(s);
    let hi = (3 * s.own_sizes().total()).max(lo + 8);
    let step = (hi - lo).div_ceil(7).max(1);
    (lo..=hi).step_by(step).collect()
}

/// `POST /api/report`: the HTML report `trialsim report` writes, made with the same calls.
pub fn report(ctx: &Ctx, body: &[u8]) -> Answer {
    let req: ReportRequest = parse(body)?;
    let l = &ctx.limits;
    check_reps(l, req.reps)?;
    let study = study(&req.scenario)?;
    let s = study.scenario();
    let grid = req.n_grid.clone().unwrap_or_else(|| default_report_grid(s));
    check_ns(l, &grid)?;
    let max_n = req.max_n.unwrap_or(l.max_n.min(2000));
    check_ns(l, &[max_n, s.own_sizes().total()])?;
    let criterion = match &req.criterion {
        Some(c) => c.clone(),
        None => results::default_selection(s)
            .into_iter()
            .find(|c| c.2 == "power")
            .map(|(f, h, m)| format!("{f}:{h}:{m}"))
            .ok_or_else(|| Failure::new(422, "the plan has no power figure; name a criterion"))?,
    };
    study
        .sample_size(&criterion, req.target)
        .criterion()
        .map_err(run_failure)?;
    let threads = l.default_threads;
    launch(&ctx.jobs, "report", req.run_async, move |job| {
        let s = study.scenario();
        let progress = |p: crate::study::Progress| {
            job.done.store(p.done, Ordering::Relaxed);
            job.total.store(p.total, Ordering::Relaxed);
        };
        let own = study
            .power()
            .reps(req.reps)
            .seed(req.seed)
            .threads(threads)
            .cancel_flag(&job.cancel)
            .on_progress(progress)
            .run()
            .map_err(run_failure)?;
        let curve = study
            .power()
            .reps(req.reps)
            .seed(req.seed)
            .threads(threads)
            .n_grid(grid)
            .cancel_flag(&job.cancel)
            .on_progress(progress)
            .run()
            .map_err(run_failure)?;
        let ss = study
            .sample_size(&criterion, req.target)
            .reps(req.reps)
            .seed(req.seed)
            .threads(threads)
            .max_n(max_n)
            .run()
            .map_err(run_failure)?;
        if job.cancel.load(Ordering::Relaxed) {
            return Err(run_failure(RunError::Cancelled));
        }
        let grid_rows = &curve.table.rows;
        let data = report::html::ReportData {
            scenario: s,
            meta: results::metadata(
                s,
                &report::RunInfo::new(req.seed),
                req.reps,
                &own.truths,
                None,
            ),
            reps: req.reps,
            own: &own.table.rows,
            grid: grid_rows,
            sample_size: Some(&ss.search),
            family_sizes: Vec::new(),
            size_svg: results::criterion_plot(s, req.seed, &ss.search).ok(),
            implied: report::validate::summary(s, &study.unsourced_numbers()),
            power_svg: results::power_plot(
                s,
                req.seed,
                grid_rows,
                &[],
                Some(req.target),
                ss.search.total_at(ss.search.n),
            )
            .ok(),
            learning_svg: results::learning_plot(s, req.seed, grid_rows).ok(),
            command: format!(
                "trialsim serve: POST /api/report (reps {}, seed {}, criterion {criterion}, target {})",
                req.reps, req.seed, req.target
            ),
        };
        Ok(json!({"ok": true, "html": report::html::html(&data)}))
    })
}

/// `GET /api/jobs/{id}`.
pub fn job_status(ctx: &Ctx, id: u64) -> Answer {
    match ctx.jobs.get(id) {
        Some(j) => Ok((200, j.to_json())),
        None => Err(Failure::new(
            404,
            format!("no job {id} (finished jobs are kept only for a while)"),
        )),
    }
}

/// `DELETE /api/jobs/{id}`: ask the job to stop; a power run stops at its next block.
pub fn job_cancel(ctx: &Ctx, id: u64) -> Answer {
    let Some(j) = ctx.jobs.get(id) else {
        return Err(Failure::new(404, format!("no job {id}")));
    };
    j.cancel.store(true, Ordering::Relaxed);
    Ok((202, j.to_json()))
}
