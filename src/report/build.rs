//! The runs behind a report, in one place: power at the scenario's own size, a power curve over a
//! grid of N, and a sample-size search for one criterion; then the HTML.

use super::html::{ReportData, html};
use super::results;
use crate::error::{RunError, Setting};
use crate::montecarlo::search::Criterion;
use crate::study::Study;

/// What a report runs.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Grid of total N for the curve (None: from the smallest usable N to three times the
    /// scenario's own, in about 8 steps).
    pub grid: Option<Vec<usize>>,
    /// Sample-size criterion (None: the primary family's headline figure, else the first power
    /// figure of the default selection).
    pub criterion: Option<String>,
    /// Target of the criterion.
    pub target: f64,
    /// Largest N of the search.
    pub max_n: usize,
    /// Trials per size.
    pub reps: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (None: every core).
    pub threads: Option<usize>,
    /// The command that made the report, shown in it.
    pub command: String,
}

/// The report as HTML text. `log` receives one line per stage.
pub fn build(
    study: &Study,
    o: &ReportOptions,
    mut log: impl FnMut(&str),
) -> Result<String, RunError> {
    let s = study.scenario();
    // The smallest N at which some family can run (the others are reported as not run there).
    let lo = (2..100_000)
        .find(|&n| s.shortfalls(&s.sizes_for_total(n)).len() < s.families.len())
        .unwrap_or(100_000);
    let ns: Vec<usize> = match &o.grid {
        Some(g) => g.clone(),
        None => {
            let hi = (3 * s.own_sizes().total()).max(lo + 8);
            let step = (hi - lo).div_ceil(7).max(1);
            (lo..=hi).step_by(step).collect()
        }
    };
    let criterion = match o.criterion.clone().or_else(|| s.default_criterion()) {
        Some(c) => c,
        None => {
            let (f, h, _) = results::default_selection(s)
                .into_iter()
                .find(|c| c.2 == "power")
                .ok_or_else(|| {
                    RunError::setting(Setting::Criterion, "the plan has no power figure; name one")
                })?;
            format!("{f}:{h}")
        }
    };
    let crit: Criterion = criterion.parse()?;
    crit.check(s)?;
    // The search's settings are checked before the first simulation, not after the grid.
    if !(o.target > 0.0 && o.target < 1.0) {
        return Err(RunError::setting(
            Setting::Target,
            format!("must be in (0, 1), got {}", o.target),
        ));
    }
    if o.max_n < lo || o.max_n > crate::limits::MAX_SUBJECTS {
        return Err(RunError::setting(
            Setting::MaxN,
            format!(
                "must be between {lo} (the smallest N the plan can run) and {}, got {}",
                crate::limits::MAX_SUBJECTS,
                o.max_n
            ),
        ));
    }
    fn configure<'a>(
        r: crate::study::PowerRun<'a>,
        o: &ReportOptions,
    ) -> crate::study::PowerRun<'a> {
        let r = r.reps(o.reps).seed(o.seed);
        match o.threads {
            Some(t) => r.threads(t),
            None => r,
        }
    }
    // Check every size before the first simulation.
    configure(study.power(), o).n_grid(ns.clone()).check()?;
    log(&format!(
        "simulating {} trials at N = {} ...",
        o.reps,
        s.own_sizes().total()
    ));
    let own = configure(study.power(), o).run()?;
    log(&format!("simulating {} trials at N = {ns:?} ...", o.reps));
    let grid = configure(study.power(), o).n_grid(ns).run()?;
    log(&format!(
        "searching the sample size for {}:{}:{} ...",
        crit.family, crit.hypothesis, crit.metric
    ));
    let mut search = study
        .sample_size(&criterion, o.target)
        .reps(o.reps)
        .seed(o.seed)
        .max_n(o.max_n);
    if let Some(t) = o.threads {
        search = search.threads(t);
    }
    let ss = search.run()?;
    // The other families' headline figures, each sized on its own (a family the search cannot
    // run is reported as such instead of stopping the report).
    let mut family_sizes = Vec::new();
    for (f, h) in super::answer::headline_criteria(s) {
        if f == ss.search.criterion.family
            && h == ss.search.criterion.hypothesis
            && ss.search.criterion.metric == "power"
        {
            continue;
        }
        let c = format!("{f}:{h}");
        log(&format!("searching the sample size for {c}:power ..."));
        let mut run = study
            .sample_size(&c, o.target)
            .reps(o.reps)
            .seed(o.seed)
            .max_n(o.max_n);
        if let Some(t) = o.threads {
            run = run.threads(t);
        }
        let result = match run.run() {
            Ok(r) => Ok(r.search),
            Err(RunError::Cancelled) => return Err(RunError::Cancelled),
            Err(e) => Err(e.to_string()),
        };
        family_sizes.push((c, result));
    }
    let grid_rows = &grid.table.rows;
    let power_svg = results::power_plot(
        s,
        o.seed,
        grid_rows,
        &[],
        Some(o.target),
        // The curve grows every group in the scenario's proportions; a size found by growing the
        // patients only (controls held) is not a point of it, so it is marked only on the
        // sample-size plot.
        match ss.search.grow {
            crate::scenario::Grow::All => ss.search.total_at(ss.search.n),
            _ => None,
        },
    )
    .ok();
    let learning_svg = results::learning_plot(s, o.seed, grid_rows).ok();
    let info = super::RunInfo::new(o.seed);
    let meta = results::metadata(s, &info, o.reps, &own.truths, None);
    let data = ReportData {
        scenario: s,
        meta,
        reps: o.reps,
        own: &own.table.rows,
        grid: grid_rows,
        sample_size: Some(&ss.search),
        family_sizes,
        size_svg: results::criterion_plot(s, o.seed, &ss.search).ok(),
        implied: super::validate::summary(s, &study.unsourced_numbers()),
        power_svg,
        learning_svg,
        command: o.command.clone(),
    };
    Ok(html(&data))
}
