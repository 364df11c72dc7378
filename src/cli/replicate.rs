//! `trialsim replicate`: size a replication from a published t or r (BUCSS).

use super::output::Stdout;
use super::usage;
use anyhow::Result;
use trialsim::report;
use trialsim::stats::bucss::{self, Convention, OriginalStudy, Plan};

/// The command's options.
pub struct Args {
    pub t: Option<f64>,
    pub r: Option<f64>,
    pub n: String,
    pub paired: bool,
    pub alpha_prior: Option<f64>,
    pub assurance: f64,
    pub power: f64,
    pub alpha: f64,
    pub max_n: usize,
    pub bucss_rounding: bool,
}

pub fn run(a: &Args) -> Result<()> {
    let ns: Vec<usize> =
        a.n.split(',')
            .map(|x| x.trim().parse::<usize>())
            .collect::<Result<_, _>>()
            .map_err(|_| {
                usage(format!(
                    "--n: expected N or N1,N2 (whole numbers), got '{}'",
                    a.n
                ))
            })?;
    let original = match (a.t, a.r, ns.as_slice(), a.paired) {
        (Some(t), None, [n1, n2], false) => OriginalStudy::TwoSample {
            t,
            n1: *n1,
            n2: *n2,
        },
        (Some(t), None, [n], true) => OriginalStudy::OneSample { t, n: *n },
        (None, Some(r), [n], false) => OriginalStudy::Correlation { r, n: *n },
        (Some(_), None, _, false) => {
            return Err(usage(
                "--t with --n N1,N2 (two groups), or --t --paired with --n N",
            ));
        }
        (Some(_), None, _, true) => return Err(usage("--paired takes one size: --n N")),
        (None, Some(_), _, _) => return Err(usage("--r takes one size: --n N")),
        _ => return Err(usage("give the published statistic: --t T or --r R")),
    };
    let plan = Plan {
        alpha_prior: a.alpha_prior,
        assurance: a.assurance,
        power: a.power,
        alpha: a.alpha,
        max_n: a.max_n,
        convention: if a.bucss_rounding {
            Convention::Bucss
        } else {
            Convention::Exact
        },
    };
    let sizing = bucss::bucss(&original, &plan).map_err(|e| {
        // Show the face-value answer even when no corrected one exists.
        let naive = bucss::naive_sample_size(&original, &plan)
            .map(|(n, d)| format!(" (at face value, effect {d:.3}: n = {n})"))
            .unwrap_or_default();
        usage(format!("{e}{naive}"))
    })?;
    Stdout::new().text(&report::replicate::text(&original, &plan, &sizing))
}
