//! Plain-word labels for what a person reads: tests, corrections, schemes, designs and units.
//!
//! Every terminal table, validate text, report and the web page take their words from here, so a
//! test or correction is called the same everywhere ("Welch t-test", "Benjamini-Hochberg",
//! "5-fold CV"). Result files keep their machine values (`welch`, `bh`, `kfold`): these labels are
//! for reading only.
//!
//! ```
//! use trialsim::scenario::{Multiplicity, TestKind};
//! assert_eq!(TestKind::Welch.to_string(), "Welch t-test");
//! assert_eq!(Multiplicity::Bh.label(), "Benjamini-Hochberg");
//! assert_eq!(trialsim::scenario::labels::count(1, "hypothesis", "hypotheses"), "1 hypothesis");
//! ```

use super::prediction::FeatureSet;
use super::spec::*;
use super::types::{Family, Scenario};
use crate::stats::cv::Validation;
use std::fmt;

/// `n` followed by the singular or plural noun: "1 hypothesis", "14 hypotheses".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The name of Fisher's exact test, which tests every response and remission hypothesis.
pub const FISHER: &str = "Fisher's exact test";

impl TestKind {
    /// The test's usual name, e.g. "Welch t-test".
    pub fn label(self) -> &'static str {
        match self {
            TestKind::Welch => "Welch t-test",
            TestKind::Student => "Student t-test",
            TestKind::Ancova => "ANCOVA",
            TestKind::Paired => "paired t-test",
            TestKind::Pearson => "Pearson correlation",
            TestKind::Spearman => "Spearman correlation",
            TestKind::Tost => "equivalence test (TOST)",
            TestKind::SmallTelescopes => "small-telescopes test",
            TestKind::Wilcoxon => "Wilcoxon-Mann-Whitney test",
            TestKind::Mmrm => "MMRM (mixed model for repeated measures)",
        }
    }
}

impl Multiplicity {
    /// The correction's usual name, e.g. "Holm" or "no correction".
    pub fn label(self) -> &'static str {
        match self {
            Multiplicity::None => "no correction",
            Multiplicity::Bonferroni => "Bonferroni",
            Multiplicity::Holm => "Holm",
            Multiplicity::Hochberg => "Hochberg",
            Multiplicity::Bh => "Benjamini-Hochberg",
        }
    }
}

impl Alternative {
    /// "two-sided", "one-sided (greater)" or "one-sided (less)".
    pub fn label(self) -> &'static str {
        match self {
            Alternative::TwoSided => "two-sided",
            Alternative::Greater => "one-sided (greater)",
            Alternative::Less => "one-sided (less)",
        }
    }
}

impl FamilyKind {
    /// What the family compares, in a few words.
    pub fn label(self) -> &'static str {
        match self {
            FamilyKind::BaselineDifference => "baseline difference, patients vs controls",
            FamilyKind::ArmChange => "difference in biomarker change",
            FamilyKind::WithinArmChange => "biomarker change within an arm",
            FamilyKind::Clinical => "clinical endpoints",
            FamilyKind::Correlation => "correlation of change with improvement",
            FamilyKind::Prediction => "prediction of responders",
            FamilyKind::Crossover => "crossover treatment effect",
        }
    }
}

impl Allocation {
    /// "blocked randomisation", "simple randomisation" or the logistic (non-randomised) model.
    pub fn label(self) -> &'static str {
        match self {
            Allocation::Blocked => "blocked randomisation",
            Allocation::Simple => "simple randomisation",
            Allocation::Logistic => "logistic model of patient characteristics (not randomised)",
        }
    }
}

impl DesignKind {
    /// "parallel-group" or "crossover".
    pub fn label(self) -> &'static str {
        match self {
            DesignKind::Parallel => "parallel-group",
            DesignKind::Crossover => "crossover",
        }
    }
}

impl Endpoint {
    /// "score change", "response" or "remission".
    pub fn label(self) -> &'static str {
        match self {
            Endpoint::Change => "score change",
            Endpoint::Response => "response",
            Endpoint::Remission => "remission",
        }
    }

    /// The test of this endpoint in a clinical family whose continuous test is `test`.
    pub fn test_label(self, test: TestKind) -> &'static str {
        match self {
            Endpoint::Change => test.label(),
            Endpoint::Response | Endpoint::Remission => FISHER,
        }
    }
}

impl FeatureSet {
    /// "baseline scans", "biomarker change" or "baseline scans and biomarker change".
    pub fn label(self) -> &'static str {
        match self {
            FeatureSet::Baseline => "baseline scans",
            FeatureSet::Change => "biomarker change",
            FeatureSet::Both => "baseline scans and biomarker change",
        }
    }
}

impl Validation {
    /// "5-fold CV", "5-fold CV repeated 10 times" or "leave-one-out CV".
    pub fn label(self) -> String {
        match self {
            Validation::KFold(k) => format!("{k}-fold CV"),
            Validation::Repeated(k, r) => format!("{k}-fold CV repeated {r} times"),
            Validation::Loo => "leave-one-out CV".into(),
        }
    }
}

macro_rules! display_by_label {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.label())
            }
        }
    )*};
}
display_by_label!(
    TestKind,
    Multiplicity,
    Alternative,
    FamilyKind,
    Allocation,
    DesignKind,
    Endpoint,
    FeatureSet,
    Validation
);

impl Scenario {
    /// The clinical endpoint of a family's hypothesis `h` (clinical families only).
    fn endpoint_of(&self, f: &Family, h: usize) -> Option<Endpoint> {
        if f.kind != FamilyKind::Clinical {
            return None;
        }
        f.endpoints.get(h / f.visits.len().max(1)).copied()
    }

    /// The test of hypothesis `h` of family `f` (in the order of [`Scenario::hypotheses`]):
    /// Fisher's exact test for response and remission, the family's test otherwise.
    pub fn hypothesis_test(&self, f: &Family, h: usize) -> &'static str {
        match (f.kind, self.endpoint_of(f, h)) {
            (FamilyKind::Prediction, _) => "cross-validated prediction",
            (_, Some(e)) => e.test_label(f.test),
            _ => f.test.label(),
        }
    }

    /// The unit of the truth and estimates of hypothesis `h` of family `f`: the measures' unit,
    /// scale points, a risk difference or a correlation.
    pub fn hypothesis_unit(&self, f: &Family, h: usize) -> String {
        match f.kind {
            FamilyKind::Correlation if f.test == TestKind::Spearman => "rho".into(),
            FamilyKind::Correlation => "r".into(),
            FamilyKind::Prediction => "AUC".into(),
            FamilyKind::Clinical => match self.endpoint_of(f, h) {
                Some(Endpoint::Change) | None => format!("{} points", self.symptoms.spec.scale),
                Some(_) => "risk difference".into(),
            },
            _ => self.unit.clone(),
        }
    }

    /// The tests of a family in words: one name when every hypothesis has the same test, else
    /// each test with the endpoints it tests ("Welch t-test for score change, Fisher's exact
    /// test for response and remission").
    pub fn family_tests(&self, f: &Family) -> String {
        if f.kind == FamilyKind::Prediction {
            return f
                .prediction
                .as_ref()
                .map(|c| c.validation.label())
                .unwrap_or_default();
        }
        if f.kind != FamilyKind::Clinical {
            return f.test.label().into();
        }
        let mut groups: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
        for e in &f.endpoints {
            let t = e.test_label(f.test);
            match groups.iter_mut().find(|g| g.0 == t) {
                Some(g) => g.1.push(e.label()),
                None => groups.push((t, vec![e.label()])),
            }
        }
        if groups.len() == 1 {
            return groups[0].0.into();
        }
        groups
            .iter()
            .map(|(t, es)| format!("{t} for {}", es.join(" and ")))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// One line that describes a family: what it compares, where, its tests, correction, sidedness
    /// (when not two-sided) and number of hypotheses.
    pub fn family_label(&self, f: &Family) -> String {
        let (a, b) = (&self.arms[f.arms.0].name, &self.arms[f.arms.1].name);
        let what = match (f.kind, &f.prediction) {
            (FamilyKind::Prediction, Some(c)) => format!(
                "prediction of {} in arm {} from {}",
                c.target.label(),
                self.arms[c.arm].name,
                c.features.label()
            ),
            (FamilyKind::ArmChange | FamilyKind::Clinical | FamilyKind::Crossover, _) => {
                format!("{}, {a} vs {b}", f.kind.label())
            }
            (FamilyKind::WithinArmChange | FamilyKind::Correlation, _) => {
                format!("{} ({a})", f.kind.label())
            }
            _ => f.kind.label().into(),
        };
        let n = self.hypotheses(f).len();
        let mut parts = vec![what, self.family_tests(f)];
        if f.kind == FamilyKind::Prediction {
            parts.push(count(n, "model", "models"));
        } else {
            match self.families.iter().position(|g| std::ptr::eq(g, f)) {
                Some(fi) => parts.push(self.procedure_label(fi)),
                None => parts.push(f.multiplicity.label().into()),
            }
            if f.alternative != Alternative::TwoSided {
                parts.push(f.alternative.label().into());
            }
            if let Some(a) = f.alpha {
                parts.push(format!("alpha {a}"));
            }
            parts.push(count(n, "hypothesis", "hypotheses"));
        }
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load;

    #[test]
    fn usual_names() {
        let names: Vec<String> = [
            TestKind::Welch,
            TestKind::Student,
            TestKind::Ancova,
            TestKind::Paired,
            TestKind::Pearson,
            TestKind::Spearman,
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        assert_eq!(
            names,
            [
                "Welch t-test",
                "Student t-test",
                "ANCOVA",
                "paired t-test",
                "Pearson correlation",
                "Spearman correlation"
            ]
        );
        let m: Vec<&str> = [
            Multiplicity::Holm,
            Multiplicity::Bonferroni,
            Multiplicity::Hochberg,
            Multiplicity::Bh,
            Multiplicity::None,
        ]
        .iter()
        .map(|m| m.label())
        .collect();
        assert_eq!(
            m,
            [
                "Holm",
                "Bonferroni",
                "Hochberg",
                "Benjamini-Hochberg",
                "no correction"
            ]
        );
        assert_eq!(Validation::KFold(5).to_string(), "5-fold CV");
        assert_eq!(Allocation::Blocked.to_string(), "blocked randomisation");
        assert_eq!(count(1, "hypothesis", "hypotheses"), "1 hypothesis");
        assert_eq!(count(14, "hypothesis", "hypotheses"), "14 hypotheses");
    }

    #[test]
    fn rates_are_labelled_fisher_and_units_follow_the_estimate() {
        let s = load("ketamine-ampar-2026").unwrap();
        let fam = |n: &str| s.families.iter().find(|f| f.name == n).unwrap();
        let sec = fam("clinical_secondary");
        assert_eq!(s.hypotheses(sec), ["response", "remission"]);
        assert_eq!(s.hypothesis_test(sec, 0), FISHER);
        assert_eq!(s.hypothesis_test(sec, 1), FISHER);
        assert_eq!(s.family_tests(sec), FISHER);
        assert_eq!(s.hypothesis_unit(sec, 0), "risk difference");
        let c = fam("clinical");
        assert_eq!(s.hypothesis_test(c, 0), "Welch t-test");
        assert_eq!(s.hypothesis_unit(c, 0), "MADRS points");
        assert_eq!(
            s.family_label(c),
            "clinical endpoints, ketamine vs placebo; Welch t-test; no correction; 1 hypothesis"
        );
        assert_eq!(s.hypothesis_unit(fam("baseline"), 3), "SUVR");
        assert_eq!(s.hypothesis_unit(fam("mechanism"), 0), "r");
        assert!(
            s.family_label(fam("mechanism"))
                .contains("Benjamini-Hochberg")
        );
        assert!(s.family_label(fam("prediction")).contains("5-fold CV"));
    }

    #[test]
    fn mixed_clinical_family_names_each_test_per_hypothesis() {
        let s = load("accelerated-tms-2026").unwrap();
        // A clinical family with every endpoint at two visits: change, then the two rates.
        let mut f = s.families[0].clone();
        f.endpoints = vec![Endpoint::Change, Endpoint::Response, Endpoint::Remission];
        let h = s.hypotheses(&f);
        assert_eq!(h.len(), 3 * f.visits.len());
        for (i, name) in h.iter().enumerate() {
            let want = if name.starts_with("madrs_change") {
                "Welch t-test"
            } else {
                FISHER
            };
            assert_eq!(s.hypothesis_test(&f, i), want, "{name}");
        }
        assert_eq!(
            s.family_tests(&f),
            "Welch t-test for score change, Fisher's exact test for response and remission"
        );
    }
}
