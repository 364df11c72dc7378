//! Scenario spelling of multiplicity procedures: a named procedure (`"holm"`) or a graphical one
//! (Bretz et al. 2009) within a family, and the analysis-level graph across families.
//!
//! ```json
//! "multiplicity": "holm"
//! "multiplicity": {"graphical": {"weights": [0.5, 0.5, 0], "transitions": [[0, 0, 1], [0, 0, 1], [0.5, 0.5, 0]]}}
//! "analysis": {"graphical": {"hypotheses": ["primary:madrs_change", "secondary:habenula"],
//!                            "weights": [1, 0], "transitions": [[0, 1], [0, 0]]}}
//! ```

use crate::stats::Multiplicity;
use serde::{Deserialize, Deserializer, Serialize};

/// Weights and transition matrix of a graphical procedure, in the order of its hypotheses.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GraphSpec {
    /// Initial weight of each hypothesis (each in [0, 1], sum at most 1); H_i is first tested at
    /// weight_i * alpha.
    pub weights: Vec<f64>,
    /// Row i: the share of H_i's weight passed to each other hypothesis when H_i is rejected
    /// (diagonal 0, rows sum to at most 1).
    pub transitions: Vec<Vec<f64>>,
}

/// A family's multiplicity procedure: a name, or a graph over the family's hypotheses (in the
/// order the family lists them: regions, or endpoints by visit).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum MultiplicitySpec {
    /// `"none"`, `"bonferroni"`, `"holm"`, `"hochberg"` or `"bh"`.
    Named(Multiplicity),
    /// `{"graphical": {"weights": [...], "transitions": [[...]]}}`.
    Graphical {
        /// The graph.
        graphical: GraphSpec,
    },
}

impl Default for MultiplicitySpec {
    fn default() -> Self {
        MultiplicitySpec::Named(Multiplicity::default())
    }
}

impl From<Multiplicity> for MultiplicitySpec {
    fn from(m: Multiplicity) -> Self {
        MultiplicitySpec::Named(m)
    }
}

impl<'de> Deserialize<'de> for MultiplicitySpec {
    // By hand rather than `untagged`, so a wrong value gets a message that says what is accepted.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = serde_json::Value::deserialize(d)?;
        const HINT: &str = "expected \"none\", \"bonferroni\", \"holm\", \"hochberg\", \"bh\" or \
                            {\"graphical\": {\"weights\": [...], \"transitions\": [[...]]}}";
        match &v {
            serde_json::Value::String(_) => serde_json::from_value::<Multiplicity>(v)
                .map(MultiplicitySpec::Named)
                .map_err(|e| D::Error::custom(format!("{e}; {HINT}"))),
            serde_json::Value::Object(o) if o.len() == 1 && o.contains_key("graphical") => {
                serde_json::from_value::<GraphSpec>(o["graphical"].clone())
                    .map(|graphical| MultiplicitySpec::Graphical { graphical })
                    .map_err(|e| D::Error::custom(format!("in \"graphical\": {e}")))
            }
            other => Err(D::Error::custom(format!("got {other}; {HINT}"))),
        }
    }
}

/// A graph across families (`analysis.graphical`): its nodes are hypotheses named
/// `family:hypothesis` (the labels of the result tables, e.g. `primary:madrs_change`). Every
/// hypothesis of a family named here must be a node; such families are decided by the graph at
/// `analysis.alpha` (their own `multiplicity`, `alpha` and `gate` must be left out).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CrossGraphSpec {
    /// The nodes, `family:hypothesis`, in the order of `weights` and of the transition rows.
    pub hypotheses: Vec<String>,
    /// Initial weights (sum at most 1).
    pub weights: Vec<f64>,
    /// Transition matrix, one row per node.
    pub transitions: Vec<Vec<f64>>,
}
