//! The text printed by `trialsim validate`.

use crate::scenario::{Scenario, implied::implied, labels::count};
use std::fmt::Write;

/// A readable summary of what the scenario implies, plus the numbers that cite no source.
pub fn summary(s: &Scenario, unsourced: &[String]) -> String {
    let mut o = String::new();
    let sizes = s.own_sizes();
    let arms: Vec<String> = s
        .arms
        .iter()
        .zip(&sizes.arms)
        .map(|(a, n)| format!("{} {n}", a.name))
        .collect();
    let _ = writeln!(o, "scenario {}: {}", s.spec.name, s.spec.description);
    let measures = if s.n_regions() == 0 {
        "no biomarker measures".to_string()
    } else {
        format!("{} regions in {}", s.n_regions(), s.unit)
    };
    if s.design_kind == crate::scenario::DesignKind::Crossover {
        let seqs: Vec<String> = (0..s.arms.len().min(2))
            .map(|k| {
                format!(
                    "{}-{} {}",
                    s.arms[k].name,
                    s.arms[1 - k].name,
                    sizes.arms[k]
                )
            })
            .collect();
        let _ = writeln!(
            o,
            "  {} subjects in sequences {}, {measures}",
            s.n_patients,
            seqs.join(", ")
        );
    } else {
        let _ = writeln!(
            o,
            "  {} controls, {} patients ({}), {measures}",
            s.n_controls,
            s.n_patients,
            arms.join(", ")
        );
    }
    design_lines(&mut o, s);
    if s.design_kind == crate::scenario::DesignKind::Crossover {
        crossover_table(&mut o, s);
    } else {
        if s.n_regions() > 0 {
            region_tables(&mut o, s);
        }
        arm_lines(&mut o, s);
    }
    let _ = writeln!(o);
    let hyps: usize = s.families.iter().map(|f| s.hypotheses(f).len()).sum();
    let _ = writeln!(
        o,
        "Analysis plan: {}, {}, alpha {}",
        count(s.families.len(), "family", "families"),
        count(hyps, "hypothesis", "hypotheses"),
        s.alpha
    );
    for f in s.families.iter() {
        let gate = f
            .gate
            .map(|g| format!(", gated by {}", s.families[g].name))
            .unwrap_or_default();
        let _ = writeln!(o, "  {:<18} {}{gate}", f.name, s.family_label(f));
    }
    slip_warnings(&mut o, s);
    provenance_lines(&mut o, unsourced, false);
    o
}

/// Listing every unsourced number helps only when there are a few; a scenario written without
/// provenance would otherwise print dozens of lines.
pub const PROVENANCE_LIST_MAX: usize = 8;

/// The values that look like unit slips (see [`Scenario::warnings`]), one line each.
fn slip_warnings(o: &mut String, s: &Scenario) {
    let w = s.warnings();
    if w.is_empty() {
        return;
    }
    let _ = writeln!(o);
    for w in &w {
        let _ = writeln!(o, "warning: {w}");
    }
}

/// The numbers without provenance: listed when there are at most [`PROVENANCE_LIST_MAX`] (or
/// `all`), else counted with a pointer to `validate --provenance`.
fn provenance_lines(o: &mut String, unsourced: &[String], all: bool) {
    if unsourced.is_empty() {
        return;
    }
    let _ = writeln!(o);
    if !all && unsourced.len() > PROVENANCE_LIST_MAX {
        let _ = writeln!(
            o,
            "note: {} have no provenance entry (cite a source or mark them 'assumption:'); \
             `trialsim validate --provenance` lists them",
            count(unsourced.len(), "number", "numbers")
        );
        return;
    }
    let _ = writeln!(
        o,
        "warning: {} no provenance entry (cite a source or mark them 'assumption:'):",
        if unsourced.len() == 1 {
            "1 number has".to_string()
        } else {
            format!("{} numbers have", unsourced.len())
        }
    );
    for u in unsourced {
        let _ = writeln!(o, "  {u}");
    }
}

/// Every number without provenance, one per line (`trialsim validate --provenance`).
pub fn provenance_list(unsourced: &[String]) -> String {
    let mut o = String::new();
    provenance_lines(&mut o, unsourced, true);
    o
}

/// Per region: the baseline shift and one scan's reliability; per arm: change, its reliability
/// and the attenuated correlations.
fn region_tables(o: &mut String, s: &Scenario) {
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Baseline (patients - controls) and reliability of one scan:"
    );
    let _ = writeln!(
        o,
        "  {:<26} {:>9} {:>7} {:>7} {:>8} {:>6}",
        "region", "shift", "d_true", "d_obs", "meas_sd", "ICC"
    );
    let imp = implied(s);
    for r in &imp {
        let _ = writeln!(
            o,
            "  {:<26} {:>+9.4} {:>+7.2} {:>+7.2} {:>8.4} {:>6.2}",
            r.region, r.shift, r.shift_d_true, r.shift_d_observed, r.meas_sd, r.icc
        );
    }
    for (k, arm) in s.arms.iter().enumerate() {
        let _ = writeln!(o);
        let _ = writeln!(o, "Arm {}: biomarker change", arm.name);
        let _ = writeln!(
            o,
            "  {:<26} {:>9} {:>7} {:>7} {:>13} {:>13}",
            "region", "change", "d_obs", "rel_chg", "r(chg,imp)", "r(base,imp)"
        );
        for r in &imp {
            let a = &r.arms[k];
            let _ = writeln!(
                o,
                "  {:<26} {:>+9.4} {:>+7.2} {:>7.2} {:>+6.2}->{:>+5.2} {:>+6.2}->{:>+5.2}",
                r.region,
                a.change,
                a.change_d_observed,
                a.change_reliability,
                a.change_improvement_true,
                a.change_improvement_observed,
                a.baseline_improvement_true,
                a.baseline_improvement_observed
            );
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "d_obs: effect in SDs of what is observed (measurement error included); rel_chg: reliability of a \
         change score; r(x,imp): true -> observed (attenuated) correlation with symptom improvement \
         (approximate: ignores clamping of the scale)."
    );
}

/// Design kind, visits, allocation and covariates.
fn design_lines(o: &mut String, s: &Scenario) {
    let _ = writeln!(
        o,
        "  design: {}; visits: {} (second scan at {})",
        s.design_kind,
        s.visits.join(", "),
        s.visits[s.scan_visit]
    );
    match &s.allocation_logit {
        Some(a) => {
            let terms: Vec<String> = a
                .coefficients
                .iter()
                .map(|(c, b)| format!("{b:+} x ({} - mean)", characteristic_name(s, *c)))
                .collect();
            let _ = writeln!(
                o,
                "  allocation: NOT randomised: P({}) = logistic({} {})",
                s.arms[a.arm].name,
                a.intercept,
                terms.join(" ")
            );
        }
        None => {
            let _ = writeln!(o, "  allocation: {}", s.spec.design.allocation);
        }
    }
    for c in &s.covariates {
        let _ = writeln!(o, "  covariate {}: mean {}, SD {}", c.name, c.mean, c.sd);
    }
}

/// Symptom improvement, time course and dropout per arm.
fn arm_lines(o: &mut String, s: &Scenario) {
    for arm in &s.arms {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Arm {}: improvement {:.1} +/- {:.1} points by the last visit, dropout {:.0} %",
            arm.name,
            arm.improvement_mean,
            arm.improvement_sd,
            arm.dropout * 100.0
        );
        if s.visits.len() > 2 || arm.late_fraction > 0.0 {
            let _ = writeln!(
                o,
                "  share of the final improvement by visit: {:?}",
                arm.time_course
            );
            if arm.late_fraction > 0.0 {
                let _ = writeln!(
                    o,
                    "  late responders ({:.0} %): {:?}",
                    arm.late_fraction * 100.0,
                    arm.late_time_course
                );
            }
        }
        for (c, b) in &arm.improvement_covs {
            let _ = writeln!(
                o,
                "  improvement {b:+} points per unit of {}",
                characteristic_name(s, *c)
            );
        }
    }
}

fn characteristic_name(s: &Scenario, c: crate::scenario::CovRef) -> String {
    match c {
        crate::scenario::CovRef::BaselineScore => "baseline_score".into(),
        crate::scenario::CovRef::Covariate(j) => s.covariates[j].name.clone(),
    }
}

/// Crossover: per measure the effect, the SD of a half period difference and the standardised
/// effect the crossover t-test sees.
fn crossover_table(o: &mut String, s: &Scenario) {
    let (a, b) = (&s.arms[0], &s.arms[1]);
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Crossover effect {} - {} per measure ({}):",
        a.name, b.name, s.unit
    );
    let _ = writeln!(
        o,
        "  {:<26} {:>10} {:>10} {:>8} {:>10} {:>10} {:>7}",
        "measure", "effect", "sd(h)", "d", "period", "carry a-b", "ICC"
    );
    for (r, reg) in s.regions.iter().enumerate() {
        let effect = a.kappa[r] - b.kappa[r];
        let sd_h = (2.0 * reg.meas_sd.powi(2) + a.tau[r].powi(2) + b.tau[r].powi(2)).sqrt() / 2.0;
        let _ = writeln!(
            o,
            "  {:<26} {:>+10.3} {:>10.3} {:>+8.2} {:>+10.3} {:>+10.3} {:>7.2}",
            reg.name,
            effect,
            sd_h,
            effect / sd_h,
            s.period_effect[r],
            a.carryover[r] - b.carryover[r],
            reg.icc()
        );
    }
    let _ = writeln!(
        o,
        "h = half the period difference; the 2x2 crossover t-test compares its mean between sequences \
         (d = effect / sd(h)); carry-over biases the estimate by -(carry a - carry b) / 2."
    );
}
