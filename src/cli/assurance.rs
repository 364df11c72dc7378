//! Design priors on the command line: the assurance section of `power` and
//! `sample-size --assurance`.

use super::args::McArgs;
use super::output;
use anyhow::Result;
use std::path::{Path, PathBuf};
use trialsim::report::results::{fmt_pm, to_csv};
use trialsim::scenario::Sizes;
use trialsim::study::{AssuranceResult, DesignPrior};
use trialsim::{Study, montecarlo::Row};

fn configured<'a>(study: &'a Study, mc: &McArgs) -> trialsim::study::AssuranceRun<'a> {
    let mut run = study
        .assurance()
        .reps(mc.reps)
        .seed(mc.seed)
        .path(output::sim_path(mc.path));
    if let Some(t) = mc.threads {
        run = run.threads(t);
    }
    run
}

/// How the priors read in the terminal.
pub fn priors_text(priors: &[DesignPrior]) -> String {
    let mut t = String::new();
    for p in priors {
        let spec = serde_json::to_string(&p.spec).unwrap_or_default();
        let q: Vec<String> = p.quantiles.iter().map(|v| format!("{v:.4}")).collect();
        t.push_str(&format!("  prior {} ~ {spec}\n", p.path));
        t.push_str(&format!(
            "    quantiles 10/25/50/75/90 %: {}; value in the scenario {}",
            q.join(" "),
            if p.point.is_finite() {
                format!("{}", p.point)
            } else {
                "(default)".into()
            }
        ));
        match (p.null, p.p_null_or_opposite) {
            (Some(n), Some(pr)) => t.push_str(&format!(
                "; P(at or beyond the null {n} from it) = {pr:.4}\n"
            )),
            (Some(n), None) => t.push_str(&format!("; null {n}\n")),
            _ => t.push_str("; not an effect (effect_scale leaves it alone)\n"),
        }
    }
    t
}

fn cond(r: &AssuranceResult, row: &Row) -> String {
    let qs: Vec<String> = ["q10", "q25", "q50", "q75", "q90"]
        .iter()
        .filter_map(|q| {
            r.get(
                &row.family,
                &row.hypothesis,
                &format!("conditional_power_{q}"),
            )
            .map(|x| format!("{:.2}", x.value))
        })
        .collect();
    if qs.is_empty() {
        "-".into()
    } else {
        qs.join(" ")
    }
}

/// The assurance table of one run.
pub fn result_text(r: &AssuranceResult) -> String {
    let mut t = format!(
        "N = {} ({} controls, {} patients), {} trials, each with its own prior draw\n",
        r.sizes.total(),
        r.sizes.controls,
        r.sizes.patients(),
        r.reps - r.invalid_draws
    );
    t.push_str(&format!(
        "  {:<34} {:>16} {:>16} {:>10}  conditional power q10 q25 q50 q75 q90\n",
        "family:hypothesis", "assurance", "expected sign", "P(sign)"
    ));
    // Per hypothesis and each family's `any`; `all` and `at_least_k` are in --out.
    let shown = |x: &&Row| {
        x.metric.as_str() == "assurance"
            && x.hypothesis != "all"
            && !x.hypothesis.starts_with("at_least_")
    };
    for row in r.rows.iter().filter(shown) {
        let get = |m: &str| r.get(&row.family, &row.hypothesis, m);
        t.push_str(&format!(
            "  {:<34} {:>16} {:>16} {:>10}  {}\n",
            format!("{}:{}", row.family, row.hypothesis),
            fmt_pm(row.value, row.mc_se),
            get("assurance_expected_sign")
                .map(|x| fmt_pm(x.value, x.mc_se))
                .unwrap_or_else(|| "-".into()),
            get("prior_expected_sign")
                .map(|x| format!("{:.3}", x.value))
                .unwrap_or_else(|| "-".into()),
            cond(r, row)
        ));
    }
    if r.invalid_draws > 0 {
        t.push_str(&format!(
            "  WARNING: {} of {} prior draws gave an invalid scenario and were not simulated \
             (first: {}); every figure is over the valid draws only. Narrow the prior.\n",
            r.invalid_draws,
            r.reps,
            r.first_invalid.as_deref().unwrap_or("")
        ));
    }
    t
}

fn notes(r: &AssuranceResult) -> String {
    let mut t = String::from(
        "assurance: share of trials that reject (power averaged over the prior); expected sign: \
         rejections with the sign of the effect at the scenario's values; P(sign): share of draws \
         whose true effect has that sign (the limit of the expected-sign assurance as N grows).\n",
    );
    if r.bins > 1 {
        t.push_str(&format!(
            "conditional power: trials binned into {} slices of equal prior probability; each \
             quantile is one slice's rejection rate (Monte Carlo SE about {:.2}; approximate, see \
             docs/model.md).\n",
            r.bins,
            (0.25 / (r.reps as f64 / r.bins as f64)).sqrt()
        ));
    } else {
        t.push_str("conditional power quantiles need exactly one prior (not computed).\n");
    }
    t.push_str(
        "bias, RMSE, coverage and type S/M are measured against each trial's own drawn truth (in --out).\n",
    );
    if !r.skipped_families.is_empty() {
        t.push_str(&format!(
            "prediction families left out of the assurance run: {}\n",
            r.skipped_families.join(", ")
        ));
    }
    t
}

/// The output file of the assurance rows beside `out` (`X.json` -> `X.assurance.json`).
fn beside(out: &Path) -> PathBuf {
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("json");
    out.with_extension(format!("assurance.{ext}"))
}

/// Run the assurance at each size of a `power` run and return the text and files.
pub fn power_section(
    study: &Study,
    sizes: &[Sizes],
    mc: &McArgs,
) -> Result<(String, Vec<(PathBuf, String)>)> {
    let mut results = Vec::new();
    for z in sizes {
        results.push(configured(study, mc).sizes(z.clone()).run()?);
    }
    let mut t = String::from(
        "\nOver the design priors (planning under uncertainty; the table above is at the \
         scenario's values):\n",
    );
    if let Some(r) = results.first() {
        t.push_str(&priors_text(&r.priors));
    }
    for r in &results {
        t.push_str(&result_text(r));
    }
    if let Some(r) = results.first() {
        t.push_str(&notes(r));
    }
    let mut files = Vec::new();
    if let Some(out) = &mc.out {
        let path = beside(out);
        let body = if path.extension().and_then(|e| e.to_str()) == Some("csv") {
            let rows: Vec<Row> = results.iter().flat_map(|r| r.rows.clone()).collect();
            to_csv(&rows)
        } else {
            serde_json::to_string_pretty(&results)? + "\n"
        };
        t.push_str(&format!("assurance rows written to {}\n", path.display()));
        files.push((path, body));
    }
    Ok((t, files))
}

/// `sample-size --assurance TARGET`.
pub fn sample_size(
    name: &str,
    criterion: &str,
    target: f64,
    max_n: usize,
    mc: &McArgs,
) -> Result<()> {
    let study = Study::load(name)?;
    output::check_mc(mc)?;
    if let Some(out) = &mc.out {
        output::check_outputs(&[out.as_path()], &[Path::new(name)])?;
    }
    let start = std::time::Instant::now();
    let ss = configured(&study, mc).sample_size_cancellable(
        criterion,
        target,
        max_n,
        Some(output::interrupted()),
    )?;
    let label = format!("{}:{}:{}", ss.family, ss.hypothesis, ss.metric);
    let mut out = output::Text::default();
    out.line("Design priors (each simulated trial draws its own true values):")?;
    out.line(priors_text(&ss.priors).trim_end())?;
    match (ss.n, &ss.at_n) {
        (Some(n), Some(r)) => {
            out.line(&format!(
                "Smallest {} with {label} >= {target}: {n} ({} controls, {} patients); measured {} \
                 (95 % MC interval {:.3}-{:.3}, {} trials)",
                match ss.grow {
                    trialsim::scenario::Grow::All => "total N".to_string(),
                    g => format!("number of {} (the other groups held)", g.counts()),
                },
                r.n_controls,
                r.n_patients,
                fmt_pm(r.value, r.mc_se),
                r.ci_low,
                r.ci_high,
                r.reps
            ))?;
            out.line(&format!(
                "N consistent with Monte Carlo error: {} to {}",
                ss.n_low.map_or("-".into(), |l| l.to_string()),
                ss.n_high.map_or(
                    format!("more than {max_n} (not reached within --max-n)"),
                    |h| { h.to_string() }
                )
            ))?;
        }
        _ => {
            let curve = ss.curve();
            let at_max = curve.last().map(|(_, r)| fmt_pm(r.value, r.mc_se));
            out.line(&format!(
                "Target NOT reached: {label} is {} at N = {max_n} (--max-n), below {target}.",
                at_max.unwrap_or_else(|| "-".into())
            ))?;
            let pts: Vec<String> = curve
                .iter()
                .map(|(n, r)| format!("N {n}: {:.3}", r.value))
                .collect();
            out.line(&format!("Plateau (assurance by N): {}", pts.join(", ")))?;
            let sign = ss.other(max_n, "prior_expected_sign").map(|r| r.value);
            let q = |k: &str| {
                ss.other(max_n, &format!("conditional_power_{k}"))
                    .map_or("-".into(), |r| format!("{:.2}", r.value))
            };
            out.line(&format!(
                "Why: at N = {max_n} the power over the prior has quantiles 10 % {}, 25 % {}, 50 % {}: \
                 the draws near the null need far larger trials.",
                q("q10"),
                q("q25"),
                q("q50")
            ))?;
            if ss.metric == "assurance" {
                out.line(&format!(
                    "Limit as N grows: 1 for a two-sided test (it eventually rejects for every \
                     non-null draw, wrong-direction ones included), but slowly where the prior \
                     puts mass near the null.{}",
                    sign.map(|p| format!(
                        " A success in the expected direction (criterion \
                         {}:{}:assurance_expected_sign) can reach at most {p:.3}, the prior \
                         probability of that direction (Monte Carlo share of draws).",
                        ss.family, ss.hypothesis
                    ))
                    .unwrap_or_default()
                ))?;
            } else if let Some(p) = sign {
                out.line(&format!(
                    "Limit as N grows: a two-sided test eventually rejects for every non-null \
                     draw, but a success in the expected direction can reach at most the prior \
                     probability of that direction, {p:.3} (Monte Carlo share of draws); assurance \
                     {target} {} reachable in that sense. Revise the prior (more evidence), the \
                     target, or the design.",
                    if p >= target {
                        "is in principle"
                    } else {
                        "is NOT"
                    }
                ))?;
            }
        }
    }
    eprintln!(
        "searched {} sample sizes in {:.2} s",
        ss.evaluated.len(),
        start.elapsed().as_secs_f64()
    );
    if let Some(path) = &mc.out {
        output::write_files(&[(path.clone(), serde_json::to_string_pretty(&ss)? + "\n")])?;
    }
    out.print()
}
