//! Decisions of t-test and Pearson correlation families without p-values where they cannot
//! matter. Every multiplicity procedure here rejects according to which of its levels
//! ([`multiplicity::levels`]) each p-value is at or below, and p <= level exactly when the
//! directed statistic reaches the level's critical value; so each statistic is placed among the
//! critical values ("bracketed") and the procedure decides from the brackets
//! ([`multiplicity::reject_from_brackets`]), exactly as from exact p-values. A statistic within
//! 1e-7 (relative) of a critical value has its exact p-value compared instead. The outcome's p is
//! then the smallest level at or above the p-value (1 above every level), not the p-value; only
//! its finiteness (a valid test) is read by the Monte Carlo summaries.

use super::{Analyzer, Data, FamilyResult, LevelTables, MAX_TABLED_LEVELS, change_improvement};
use crate::scenario::{Alternative, Family, Multiplicity, Scenario};
use crate::stats::{correlation, multiplicity, ttest};

impl Analyzer {
    /// Outcomes and rejections of a t-test family without computing p-values where they cannot
    /// matter: each statistic is placed among the critical values of the procedure's levels
    /// (tables per level), and the procedure decides from those brackets
    /// ([`multiplicity::reject_from_brackets`]), exactly as from exact p-values. Statistics within
    /// 1e-7 (relative) of a critical value get their exact p-value compared instead. The outcome's
    /// p is then the smallest level at or above the p-value (1 above every level), not the p-value.
    pub(super) fn decide_t_family(
        &mut self,
        fi: usize,
        s: &Scenario,
        f: &Family,
        fr: &mut FamilyResult,
    ) {
        let alt = f.alternative;
        self.nodes.clear();
        for (o, t) in fr.outcomes.iter_mut().zip(&self.tstats) {
            let nodes = crate::stats::dist::Nodes::at(t.df);
            *o = t.without_p_at(nodes.as_ref());
            self.nodes.push(nodes);
        }
        let m = fr
            .outcomes
            .iter()
            .filter(|o| o.statistic.is_finite())
            .count();
        if m > MAX_TABLED_LEVELS {
            // Very large families: exact p-values and the usual adjustment (tables per level
            // would cost more than they save).
            for (o, t) in fr.outcomes.iter_mut().zip(&self.tstats) {
                *o = t.outcome(alt);
            }
            for (a, o) in fr.adjusted.iter_mut().zip(&fr.outcomes) {
                *a = o.p;
            }
            multiplicity::adjust(&mut fr.adjusted, f.multiplicity, &mut self.idx);
            for (r, a) in fr.reject.iter_mut().zip(&fr.adjusted) {
                *r = *a <= s.family_alpha(f);
            }
            return;
        }
        let tables = self.level_tables(fi, f.multiplicity, m, s.family_alpha(f), alt);
        self.brackets.clear();
        for (o, nodes) in fr.outcomes.iter().zip(&self.nodes) {
            if !o.statistic.is_finite() {
                self.brackets.push(None);
                continue;
            }
            // The grid placement of this df is shared by every level's table.
            let critical = |j: usize| {
                let (level, table) = &tables[j];
                let c = match &nodes {
                    Some(n) => table.at(n),
                    None => table.get(o.df),
                };
                (c, *level)
            };
            self.brackets.push(Some(bracket(
                tables.len(),
                o.statistic,
                o.df,
                alt,
                critical,
            )));
        }
        apply_brackets(f.multiplicity, &self.brackets, fr, |b| {
            tables.get(b).map(|(level, _)| *level)
        });
    }

    /// Critical-value tables for the levels of a family's procedure with m testable hypotheses,
    /// built once per worker.
    fn level_tables(
        &mut self,
        fi: usize,
        method: Multiplicity,
        m: usize,
        alpha: f64,
        alt: Alternative,
    ) -> LevelTables {
        if let Some((_, t)) = self.level_cache.iter().find(|(k, _)| *k == (fi, m)) {
            return t.clone();
        }
        let tables: Vec<_> = multiplicity::levels(method, m, alpha)
            .into_iter()
            .map(|level| (level, crate::stats::dist::quantile_table(upper(level, alt))))
            .collect();
        let t = std::sync::Arc::new(tables);
        self.level_cache.push(((fi, m), t.clone()));
        t
    }

    /// A Pearson correlation family (the change of each region against the improvement in one
    /// arm), decided as [`Analyzer::decide_t_family`] does with t = r sqrt(df / (1 - r^2)),
    /// df = n - 2; the critical values of each (levels, df) are computed on first use
    /// ([`crate::stats::dist::t_quantile`], accurate to about 1e-12) and kept for the run (a
    /// correlation's df takes only a few values). Estimates and Fisher-z intervals are those of
    /// [`correlation::pearson`].
    pub(super) fn decide_correlation_family(
        &mut self,
        fi: usize,
        s: &Scenario,
        data: &Data,
        f: &Family,
        fr: &mut FamilyResult,
    ) {
        let c = data.cohort();
        let alt = f.alternative;
        for (o, &r) in fr.outcomes.iter_mut().zip(&f.regions) {
            *o = correlation::pearson_without_p(&change_improvement(c, f, r));
        }
        // Testable exactly when the exact p-value is finite (r = +-1 is a valid test, p = 0).
        let testable = |o: &ttest::TestOutcome| !o.statistic.is_nan() && o.df > 0.0;
        let m = fr.outcomes.iter().filter(|o| testable(o)).count();
        let alpha = s.family_alpha(f);
        if m > MAX_TABLED_LEVELS {
            for (o, a) in fr.outcomes.iter_mut().zip(fr.adjusted.iter_mut()) {
                if testable(o) {
                    o.p = ttest::t_pvalue(o.statistic, o.df, alt);
                }
                *a = o.p;
            }
            multiplicity::adjust(&mut fr.adjusted, f.multiplicity, &mut self.idx);
            for (r, a) in fr.reject.iter_mut().zip(&fr.adjusted) {
                *r = *a <= alpha;
            }
            return;
        }
        let levels = multiplicity::levels(f.multiplicity, m, alpha);
        self.brackets.clear();
        for o in fr.outcomes.iter() {
            if !testable(o) {
                self.brackets.push(None);
                continue;
            }
            let key = (fi, m, o.df.to_bits());
            let k = match self.critical_cache.iter().position(|(k, _)| *k == key) {
                Some(k) => k,
                None => {
                    let crit = levels
                        .iter()
                        .map(|&level| crate::stats::dist::t_quantile(upper(level, alt), o.df))
                        .collect();
                    self.critical_cache.push((key, crit));
                    self.critical_cache.len() - 1
                }
            };
            let crit = &self.critical_cache[k].1;
            let b = bracket(levels.len(), o.statistic, o.df, alt, |j| {
                (crit[j], levels[j])
            });
            self.brackets.push(Some(b));
        }
        apply_brackets(f.multiplicity, &self.brackets, fr, |b| {
            levels.get(b).copied()
        });
    }
}

/// The quantile whose value is a level's critical value: 1 - level/2 two-sided, 1 - level
/// one-sided.
fn upper(level: f64, alt: Alternative) -> f64 {
    match alt {
        Alternative::TwoSided => 1.0 - level / 2.0,
        _ => 1.0 - level,
    }
}

/// The index of the smallest of `n` levels that the p-value of `t` (df, alternative) does not
/// exceed (`n` if it exceeds them all); `critical(j)` gives level j's critical value and the level.
/// p <= level j exactly when the directed statistic reaches critical(j); critical values fall as
/// j rises. Within 1e-7 (relative) of a critical value the exact p-value decides.
fn bracket(
    n: usize,
    t: f64,
    df: f64,
    alt: Alternative,
    critical: impl Fn(usize) -> (f64, f64),
) -> usize {
    let directed = match alt {
        Alternative::TwoSided => t.abs(),
        Alternative::Greater => t,
        Alternative::Less => -t,
    };
    let at_or_below = |j: usize| {
        let (c, level) = critical(j);
        if (directed - c).abs() > 1e-7 * c.abs() {
            directed >= c
        } else {
            ttest::t_pvalue(t, df, alt) <= level
        }
    };
    // Most statistics are above every level or at or below the strictest: try the ends first
    // (the same answer as the search, in one or two lookups).
    let last = n.saturating_sub(1);
    let (mut lo, mut hi) = if n == 0 || !at_or_below(last) {
        (n, n)
    } else if at_or_below(0) {
        (0, 0)
    } else {
        (1, last)
    };
    while lo < hi {
        let mid = (lo + hi) / 2;
        if at_or_below(mid) {
            hi = mid
        } else {
            lo = mid + 1
        }
    }
    lo
}

/// Rejections from the brackets, each bracketed outcome's p set to its level (1 above every
/// level), adjusted p-values missing (they are not computed).
fn apply_brackets(
    method: Multiplicity,
    brackets: &[Option<usize>],
    fr: &mut FamilyResult,
    level: impl Fn(usize) -> Option<f64>,
) {
    multiplicity::reject_from_brackets(method, brackets, &mut fr.reject);
    for ((o, b), a) in fr
        .outcomes
        .iter_mut()
        .zip(brackets)
        .zip(fr.adjusted.iter_mut())
    {
        if let Some(b) = b {
            o.p = level(*b).unwrap_or(1.0);
        }
        *a = f64::NAN;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::TrialResult;
    use crate::model::Cohort;

    /// Exact-p rejections of a family: p-values from [`correlation::pearson`] (checked against
    /// SciPy in its doc test), adjusted by [`multiplicity::adjust`].
    fn exact_rejections(s: &Scenario, c: &Cohort, f: &Family) -> Vec<bool> {
        let mut p: Vec<f64> = f
            .regions
            .iter()
            .map(|&r| correlation::pearson(&change_improvement(c, f, r), f.alternative).p)
            .collect();
        multiplicity::adjust(&mut p, f.multiplicity, &mut Vec::new());
        p.iter().map(|a| *a <= s.family_alpha(f)).collect()
    }

    #[test]
    fn correlation_decisions_equal_the_exact_p_value_decisions() {
        // Small arms (12 patients, dropout) make r and n vary widely, strong correlations put
        // many statistics near the critical values; four procedures and a one-sided family.
        let text = r#"{"name": "corr", "design": {"controls": 4, "patients": 24,
                "arms": [{"name": "a"}, {"name": "b"}]},
            "measures": {"scan_failure": 0.05, "correlation": {"baseline": 0.5, "change": 0.3}, "regions": [
                {"name": "x", "control_mean": 1.0, "between_sd": 0.06, "test_retest_cv": 0.02},
                {"name": "y", "control_mean": 1.1, "between_sd": 0.07, "test_retest_cv": 0.03},
                {"name": "z", "control_mean": 0.9, "between_sd": 0.05, "test_retest_cv": 0.02},
                {"name": "w", "control_mean": 0.8, "between_sd": 0.05, "test_retest_cv": 0.02}]},
            "arms": {"a": {"change_pct": {"x": 4}, "change_sd_pct": 5, "improvement_mean": 8,
                           "improvement_sd": 9, "dropout": 0.1,
                           "change_improvement_corr": {"x": 0.7, "y": 0.5, "z": 0.3}},
                     "b": {"change_sd_pct": 2}},
            "analysis": {"families": [
                {"name": "bh", "kind": "correlation", "arm": "a", "multiplicity": "bh"},
                {"name": "holm", "kind": "correlation", "arm": "a", "multiplicity": "holm"},
                {"name": "hochberg", "kind": "correlation", "arm": "a", "multiplicity": "hochberg"},
                {"name": "none", "kind": "correlation", "arm": "a", "multiplicity": "none"},
                {"name": "greater", "kind": "correlation", "arm": "a", "multiplicity": "bonferroni",
                 "alternative": "greater"}]}}"#;
        let s = crate::scenario::parse("corr", text).unwrap();
        let mut c = Cohort::default();
        let mut out = TrialResult::new(&s);
        let mut an = Analyzer::default();
        let (mut rejected, mut compared) = (0, 0);
        for rep in 0..3000 {
            c.draw(&s, &s.own_sizes(), 11, rep);
            an.analyse(&s, &Data::Subjects(&c), 11, rep, &[], &mut out);
            for (f, fr) in s.families.iter().zip(&out.families) {
                let exact = exact_rejections(&s, &c, f);
                assert_eq!(fr.reject, exact, "trial {rep}, family {}", f.name);
                rejected += exact.iter().filter(|&&r| r).count();
                compared += exact.len();
            }
        }
        // Both outcomes occur often.
        assert!(
            rejected > compared / 20 && rejected < compared / 2,
            "{rejected} of {compared}"
        );
    }

    #[test]
    fn brackets_near_critical_values_follow_the_exact_p_values() {
        // Statistics within 1e-9 of a level's critical value (either side) and far from it:
        // the bracket is the smallest level that the exact p-value does not exceed.
        let levels = multiplicity::levels(Multiplicity::Bh, 5, 0.05);
        for alt in [
            Alternative::TwoSided,
            Alternative::Greater,
            Alternative::Less,
        ] {
            for df in [1.0, 3.0, 7.0, 15.0] {
                let crit: Vec<f64> = levels
                    .iter()
                    .map(|&l| crate::stats::dist::t_quantile(upper(l, alt), df))
                    .collect();
                for &c in &crit {
                    for t0 in [c * (1.0 - 1e-9), c, c * (1.0 + 1e-9), 0.5 * c, 2.0 * c, 0.0] {
                        let t = if alt == Alternative::Less { -t0 } else { t0 };
                        let p = ttest::t_pvalue(t, df, alt);
                        let want = levels.iter().position(|&l| p <= l).unwrap_or(levels.len());
                        let got = bracket(levels.len(), t, df, alt, |j| (crit[j], levels[j]));
                        assert_eq!(got, want, "{alt:?}, df {df}, t {t}, p {p}");
                    }
                }
            }
        }
    }
}
