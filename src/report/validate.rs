//! The text printed by `trialsim validate`.

use crate::scenario::{Scenario, implied::implied};
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
    let _ = writeln!(
        o,
        "  {} controls, {} patients ({}), {} regions in {}",
        s.n_controls,
        s.n_patients,
        arms.join(", "),
        s.n_regions(),
        s.unit
    );
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
        let _ = writeln!(
            o,
            "Arm {}: improvement {:.1} +/- {:.1} points, dropout {:.0} %",
            arm.name,
            arm.improvement_mean,
            arm.improvement_sd,
            arm.dropout * 100.0
        );
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
    let _ = writeln!(o);
    let hyps: usize = s.families.iter().map(|f| s.hypotheses(f).len()).sum();
    let _ = writeln!(
        o,
        "Analysis plan: {} families, {} hypotheses, alpha {}",
        s.families.len(),
        hyps,
        s.alpha
    );
    for f in &s.families {
        let gate = f
            .gate
            .map(|g| format!(", gated by {}", s.families[g].name))
            .unwrap_or_default();
        if let Some(cfg) = &f.prediction {
            let models: Vec<&str> = cfg.models.iter().map(|m| m.name()).collect();
            let _ = writeln!(
                o,
                "  {:<18} Prediction of {:?} in arm {} from {:?} ({} features), models {}, {:?}{gate}",
                f.name,
                cfg.target,
                s.arms[cfg.arm].name,
                cfg.features,
                cfg.n_features(),
                models.join(", "),
                cfg.validation
            );
            continue;
        }
        let _ = writeln!(
            o,
            "  {:<18} {:?}, {:?} test, {:?}, {} hypotheses{gate}",
            f.name,
            f.kind,
            f.test,
            f.multiplicity,
            s.hypotheses(f).len()
        );
    }
    if !unsourced.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "warning: {} numbers have no provenance entry (cite a source or mark them 'assumption:'):",
            unsourced.len()
        );
        for u in unsourced {
            let _ = writeln!(o, "  {u}");
        }
    }
    o
}
