//! The tidy result table of a run.

use super::{Metric, Row};

/// The tidy result table: one [`Row`] per (size, family, hypothesis, metric).
///
/// ```
/// use trialsim::montecarlo::{ResultTable, Row, Metric};
/// let row = Row { n_total: 100, n_controls: 50, n_patients: 50, family: "f".into(),
///     hypothesis: "h".into(), metric: Metric::Power, value: 0.8, mc_se: 0.01,
///     ci_low: 0.78, ci_high: 0.82, reps: 1000 };
/// let table = ResultTable { rows: vec![row] };
/// assert_eq!(table.get(100, "f", "h", "power").unwrap().value, 0.8);
/// assert!(table.get(100, "f", "h", "bias").is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultTable {
    /// The rows, in size order, then plan order.
    pub rows: Vec<Row>,
}

impl ResultTable {
    /// The row of (total size, family, hypothesis, metric).
    pub fn get(
        &self,
        n_total: usize,
        family: &str,
        hypothesis: &str,
        metric: &str,
    ) -> Option<&Row> {
        self.rows.iter().find(|r| {
            r.n_total == n_total
                && r.family == family
                && r.hypothesis == hypothesis
                && r.metric == metric
        })
    }

    /// Every row of one metric, in table order.
    pub fn metric<'a>(&'a self, metric: &'a Metric) -> impl Iterator<Item = &'a Row> + 'a {
        self.rows.iter().filter(move |r| &r.metric == metric)
    }

    /// The distinct total sizes, in table order.
    pub fn sizes(&self) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for r in &self.rows {
            if out.last() != Some(&r.n_total) && !out.contains(&r.n_total) {
                out.push(r.n_total);
            }
        }
        out
    }
}
