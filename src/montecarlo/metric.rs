//! The names of the figures in a result table.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// What a result row measures. Hypothesis-test figures are variants of their own; prediction
/// accuracy figures are named `{metric}_{set}[_{summary}]` (e.g. `auc_cv`, `auc_true_q05`,
/// `brier_apparent_sd`) or are one of the model-level figures (`auc_optimal`, `auc_gap`,
/// `optimism_auc`, `cv_bias_auc`, `assurance_auc_cv`, `assurance_auc_true`, `degenerate_rate`,
/// `expected_shrinkage`, `calibration_slope_true_below_0.8`, `calibration_slope_true_below_0.9`)
/// and travel as [`Metric::Prediction`].
///
/// ```
/// use trialsim::montecarlo::Metric;
/// let m: Metric = "type_m".parse().unwrap();
/// assert_eq!(m, Metric::TypeM);
/// assert_eq!(m.as_str(), "type_m");
/// assert_eq!("auc_cv".parse::<Metric>().unwrap(), Metric::Prediction("auc_cv".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Metric {
    /// Probability of rejecting the hypothesis (after multiplicity and gates).
    Power,
    /// The true value of the estimand.
    TrueValue,
    /// Share of trials in which the hypothesis could not be tested.
    UntestableRate,
    /// Mean of the estimate over testable trials.
    MeanEstimate,
    /// Mean estimate minus the truth.
    Bias,
    /// Root mean squared error of the estimate.
    Rmse,
    /// Coverage of the 95 % confidence interval.
    Coverage,
    /// Share of significant estimates with the wrong sign.
    TypeS,
    /// Mean exaggeration ratio |estimate / truth| among significant estimates.
    TypeM,
    /// Expected number of true discoveries in the family.
    TrueDiscoveries,
    /// Expected number of false discoveries in the family.
    FalseDiscoveries,
    /// Family-wise error rate.
    Fwer,
    /// False discovery rate.
    Fdr,
    /// Share of trials in which the family's gate was passed.
    GatePassed,
    /// A prediction accuracy figure (see the type's documentation for the names).
    Prediction(String),
}

impl Metric {
    const NAMED: [(Metric, &'static str); 14] = [
        (Metric::Power, "power"),
        (Metric::TrueValue, "true_value"),
        (Metric::UntestableRate, "untestable_rate"),
        (Metric::MeanEstimate, "mean_estimate"),
        (Metric::Bias, "bias"),
        (Metric::Rmse, "rmse"),
        (Metric::Coverage, "coverage"),
        (Metric::TypeS, "type_s"),
        (Metric::TypeM, "type_m"),
        (Metric::TrueDiscoveries, "true_discoveries"),
        (Metric::FalseDiscoveries, "false_discoveries"),
        (Metric::Fwer, "fwer"),
        (Metric::Fdr, "fdr"),
        (Metric::GatePassed, "gate_passed"),
    ];

    /// The name used in result files.
    pub fn as_str(&self) -> &str {
        match self {
            Metric::Prediction(name) => name,
            m => Self::NAMED
                .iter()
                .find(|(k, _)| k == m)
                .map_or("", |(_, name)| name),
        }
    }

    /// Whether the figure is a proportion whose interval is a Wilson interval.
    pub fn is_proportion(&self) -> bool {
        matches!(
            self,
            Metric::Power
                | Metric::UntestableRate
                | Metric::Coverage
                | Metric::TypeS
                | Metric::Fwer
                | Metric::GatePassed
        )
    }
}

impl std::str::FromStr for Metric {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::NAMED
            .iter()
            .find(|(_, name)| *name == s)
            .map_or_else(|| Metric::Prediction(s.to_string()), |(m, _)| m.clone()))
    }
}

impl From<&str> for Metric {
    fn from(s: &str) -> Self {
        s.parse().unwrap_or_else(|e| match e {})
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Metric {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Metric {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Metric {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl Serialize for Metric {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Metric::from(s.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (m, name) in Metric::NAMED.iter() {
            assert_eq!(m.as_str(), *name);
            assert_eq!(&Metric::from(*name), m);
        }
        let p = Metric::from("auc_true_q95");
        assert_eq!(p.as_str(), "auc_true_q95");
        assert_eq!(serde_json::to_string(&Metric::TypeM).unwrap(), "\"type_m\"");
    }
}
