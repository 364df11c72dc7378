//! The answer of `trialsim replicate` in words: the face-value and the corrected sample size, and
//! a sentence a planner can paste into a protocol.

use crate::stats::bucss::{OriginalStudy, Plan, Sizing};
use std::fmt::Write;

fn original(o: &OriginalStudy) -> String {
    match o {
        OriginalStudy::TwoSample { t, n1, n2 } => {
            format!("t({}) = {t} with {n1} and {n2} per group", n1 + n2 - 2)
        }
        OriginalStudy::OneSample { t, n } => format!("t({}) = {t} with {n} pairs", n - 1),
        OriginalStudy::Correlation { r, n } => format!("r = {r} with n = {n}"),
    }
}

fn unit(o: &OriginalStudy) -> &'static str {
    match o {
        OriginalStudy::TwoSample { .. } => "per group",
        OriginalStudy::OneSample { .. } => "pairs",
        OriginalStudy::Correlation { .. } => "participants",
    }
}

fn effect_name(o: &OriginalStudy) -> &'static str {
    match o {
        OriginalStudy::Correlation { .. } => "r",
        _ => "d",
    }
}

/// The terminal text of a replication sizing.
///
/// ```
/// use trialsim::stats::bucss::{bucss, OriginalStudy, Plan, Convention};
/// let o = OriginalStudy::TwoSample { t: 3.0, n1: 50, n2: 55 };
/// let plan = Plan { alpha_prior: Some(0.05), assurance: 0.9, power: 0.8, alpha: 0.05,
///     max_n: 100_000, convention: Convention::Bucss };
/// let s = bucss(&o, &plan).unwrap();
/// let text = trialsim::report::replicate::text(&o, &plan, &s);
/// assert!(text.contains("1482 per group"));
/// ```
pub fn text(o: &OriginalStudy, plan: &Plan, s: &Sizing) -> String {
    let mut out = String::new();
    let e = effect_name(o);
    let u = unit(o);
    let _ = writeln!(out, "Original result: {}", original(o));
    let _ = writeln!(
        out,
        "  at face value ({e} = {:.3}):           {} {u} for {:.0} % power at alpha {}",
        s.naive_effect,
        s.naive_n,
        plan.power * 100.0,
        plan.alpha
    );
    let what = match plan.alpha_prior {
        Some(a) => format!("publication bias (published only if p < {a}) and uncertainty"),
        None => "uncertainty (no publication filter)".to_string(),
    };
    let _ = writeln!(
        out,
        "  corrected for {what}, assurance {}: {e} = {:.3}, {} {u} (power {:.3} at that effect)",
        plan.assurance, s.effect, s.n, s.power_at_n
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", sentence(o, plan, s));
    out
}

/// One paragraph for a protocol.
pub fn sentence(o: &OriginalStudy, plan: &Plan, s: &Sizing) -> String {
    let e = effect_name(o);
    let u = unit(o);
    let filter = match plan.alpha_prior {
        Some(a) => format!(
            "a likelihood truncated to results significant at two-sided alpha = {a} (correcting for \
             publication bias) and "
        ),
        None => String::new(),
    };
    format!(
        "The original study reported {}. Taken at face value ({e} = {:.2}) this would call for {} {u}; \
         because a single small study overstates its effect, the effect was instead corrected with \
         the bias- and uncertainty-corrected method of Anderson, Kelley and Maxwell (2017, BUCSS) \
         using {filter}an assurance of {:.0} %, giving {e} = {:.2}. To detect that effect with {:.0} % \
         power at two-sided alpha = {}, the replication needs {} {u} (computed with trialsim {}).",
        original(o),
        s.naive_effect,
        s.naive_n,
        plan.assurance * 100.0,
        s.effect,
        plan.power * 100.0,
        plan.alpha,
        s.n,
        env!("CARGO_PKG_VERSION")
    )
}
