//! `trialsim mde`.

use super::args::McArgs;
use super::output::{self, Stdout};
use anyhow::Result;
use trialsim::Study;
use trialsim::report::results::fmt_pm;

/// The command's options.
pub struct Args<'a> {
    pub scenario: &'a str,
    pub criterion: Option<&'a str>,
    pub target: f64,
    pub n: Option<usize>,
    pub param: &'a str,
    pub lo: f64,
    pub hi: f64,
    pub tolerance: Option<f64>,
    pub mc: &'a McArgs,
}

pub fn run(a: &Args) -> Result<()> {
    let study = Study::load(a.scenario)?;
    output::warn_slips(&study);
    let criterion = output::criterion_or_default(study.scenario(), a.criterion)?;
    output::check_mc(a.mc)?;
    if a.mc.out.is_some() {
        return Err(super::usage(
            "mde prints its answer; --out is not supported (run `power --vary` at the values shown for a table)",
        ));
    }
    let mut run = study
        .mde(&criterion, a.target)
        .param(a.param)
        .lo(a.lo)
        .hi(a.hi)
        .reps(a.mc.reps)
        .seed(a.mc.seed)
        .path(output::sim_path(a.mc.path))
        .on_step(|x, r| eprintln!("  {x:>10.5}: {} = {}", r.metric, fmt_pm(r.value, r.mc_se)));
    if let Some(n) = a.n {
        run = run.n(n);
    }
    if let Some(t) = a.tolerance {
        run = run.tolerance(t);
    }
    if let Some(t) = a.mc.threads {
        run = run.threads(t);
    }
    let r = run.run()?;
    let c = &r.criterion;
    if let Some(u) = &r.upper_limited {
        eprintln!(
            "note: {} = {} is not a valid scenario; the search runs up to the largest valid value, \
             {:.4} ({:.4} is already invalid). Why {} is invalid:\n{}",
            r.param,
            u.asked,
            u.largest_valid,
            u.first_invalid,
            u.asked,
            u.why.lines().skip(1).collect::<Vec<_>>().join("\n"),
        );
    }
    let label = format!("{}:{}:{}", c.family, c.hypothesis, c.metric);
    let sizes = format!(
        "N = {} ({} controls, {} patients: {})",
        r.sizes.total(),
        r.sizes.controls,
        r.sizes.patients(),
        r.sizes
            .arms
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(" + ")
    );
    let mut out = Stdout::new();
    let fmt = |x: Option<f64>| x.map_or_else(|| "-".to_string(), |x| format!("{x:.4}"));
    match (r.value, &r.at_value) {
        (Some(v), Some(row)) => {
            out.line(&format!(
                "Smallest {} with {label} >= {} at {sizes}: {v:.4}; measured {} = {} \
                 (95 % MC interval {:.3}-{:.3}, {} trials)",
                r.param,
                r.target,
                c.metric,
                fmt_pm(row.value, row.mc_se),
                row.ci_low,
                row.ci_high,
                row.reps
            ))?;
            out.line(&format!(
                "{} consistent with Monte Carlo error: {} to {}",
                r.param,
                fmt(r.value_low),
                r.value_high.map_or_else(
                    || format!("more than {} (not reached within the range)", r.range.1),
                    |x| format!("{x:.4}")
                )
            ))?;
            out.line(&format!("What {} = {v:.4} means:", r.param))?;
            for e in &r.effects {
                let sd = match (e.sd, e.d) {
                    (Some(sd), Some(d)) => format!("; {d:.4} SD ({} = {sd:.4})", e.sd_is),
                    _ => String::new(),
                };
                out.line(&format!(
                    "  {}:{} true value {:.4}{sd}",
                    e.family, e.hypothesis, e.value
                ))?;
            }
        }
        _ => {
            let at_hi = r
                .evaluated
                .last()
                .and_then(|(_, rows)| c.pick(rows))
                .map(|row| format!(" (measured {} there)", fmt_pm(row.value, row.mc_se)))
                .unwrap_or_default();
            let advice = match &r.upper_limited {
                Some(u) => format!(
                    "{} cannot go higher: {:.4} is the largest value that gives a valid scenario \
                     ({} asked). Raise --n, or revise the scenario so that larger values are valid.",
                    r.param, u.largest_valid, u.asked
                ),
                None => "Raise --hi or --n.".to_string(),
            };
            out.line(&format!(
                "Target NOT reached: {label} is below {} at {} = {} and {sizes}{at_hi}. {advice}",
                r.target, r.param, r.range.1
            ))?;
        }
    }
    eprintln!(
        "evaluated {} values in {:.2} s ({} trials each, seed {} at every value)",
        r.evaluated.len(),
        r.elapsed_secs,
        r.reps,
        r.seed
    );
    Ok(())
}
