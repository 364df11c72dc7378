//! Graphical multiple testing (Bretz, Maurer, Brannath & Posch 2009, Stat Med 28:586-604): each
//! hypothesis H_i carries a weight w_i (sum <= 1) and a transition matrix G says how the weight of
//! a rejected hypothesis is passed on. The sequentially rejective weighted-Bonferroni procedure
//! (their Algorithm 1) controls the familywise error rate strongly at alpha; Holm, fixed-sequence
//! and fallback procedures are special cases. Adjusted p-values follow Bretz et al. (2011, Biom J
//! 53:894, Algorithm 2), as graphicalMCP's `graph_test_shortcut` and gMCP compute them.
//!
//! A hypothesis whose p-value is NaN (an untestable test) is never rejected and keeps its weight,
//! which is conservative: its weight is never passed on.

/// Tolerance for sums of weights and rows of G that should be at most 1 (rounding of 1/3 etc.).
const SUM_TOL: f64 = 1e-12;

/// Invalid graph or input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GraphError {
    /// No hypotheses.
    #[error("a graph needs at least one hypothesis")]
    Empty,
    /// G does not have one row per hypothesis.
    #[error("transition matrix has {rows} rows for {m} hypotheses")]
    Rows {
        /// Rows given.
        rows: usize,
        /// Number of hypotheses.
        m: usize,
    },
    /// A row of G has the wrong length.
    #[error("row {row} of the transition matrix has {len} entries for {m} hypotheses")]
    RowLength {
        /// Row index.
        row: usize,
        /// Its length.
        len: usize,
        /// Number of hypotheses.
        m: usize,
    },
    /// A weight is outside [0, 1] or not finite.
    #[error("weight {value} of hypothesis {index} is not in [0, 1]")]
    Weight {
        /// Hypothesis index.
        index: usize,
        /// The weight.
        value: f64,
    },
    /// The weights sum to more than 1.
    #[error("weights sum to {sum} > 1")]
    WeightSum {
        /// Their sum.
        sum: f64,
    },
    /// A transition weight is outside [0, 1] or not finite.
    #[error("transition weight G[{row}][{col}] = {value} is not in [0, 1]")]
    Transition {
        /// Row.
        row: usize,
        /// Column.
        col: usize,
        /// The value.
        value: f64,
    },
    /// A diagonal entry of G is not zero.
    #[error("G[{index}][{index}] = {value}: a hypothesis cannot pass weight to itself")]
    Diagonal {
        /// Hypothesis index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A row of G sums to more than 1.
    #[error("row {row} of the transition matrix sums to {sum} > 1")]
    RowSum {
        /// Row.
        row: usize,
        /// Its sum.
        sum: f64,
    },
    /// The number of p-values or output slots differs from the number of hypotheses.
    #[error("{got} p-values or outputs for {m} hypotheses")]
    Length {
        /// Length given.
        got: usize,
        /// Number of hypotheses.
        m: usize,
    },
    /// A p-value is outside [0, 1] (NaN is allowed and means untestable).
    #[error("p-value {value} of hypothesis {index} is not in [0, 1]")]
    PValue {
        /// Hypothesis index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The significance level is not in (0, 1).
    #[error("alpha = {0} is not in (0, 1)")]
    Alpha(f64),
}

/// A validated graph: initial weights and transition matrix (row-major, m x m).
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    weights: Vec<f64>,
    transitions: Vec<f64>,
}

/// Working copies of the weights and transitions, reused across calls (one per thread).
#[derive(Debug, Clone, Default)]
pub struct GraphScratch {
    w: Vec<f64>,
    g: Vec<f64>,
    active: Vec<bool>,
}

impl GraphScratch {
    /// Empty scratch space.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Graph {
    /// A graph from weights and transition rows, validated.
    ///
    /// ```
    /// use trialsim::stats::graphical::{Graph, GraphError};
    /// assert!(Graph::new(vec![0.5, 0.5], vec![vec![0.0, 1.0], vec![1.0, 0.0]]).is_ok());
    /// assert_eq!(
    ///     Graph::new(vec![0.7, 0.5], vec![vec![0.0, 1.0], vec![1.0, 0.0]]),
    ///     Err(GraphError::WeightSum { sum: 1.2 })
    /// );
    /// ```
    pub fn new(weights: Vec<f64>, transitions: Vec<Vec<f64>>) -> Result<Self, GraphError> {
        let m = weights.len();
        if m == 0 {
            return Err(GraphError::Empty);
        }
        if transitions.len() != m {
            return Err(GraphError::Rows {
                rows: transitions.len(),
                m,
            });
        }
        for (index, &value) in weights.iter().enumerate() {
            if !(0.0..=1.0).contains(&value) {
                return Err(GraphError::Weight { index, value });
            }
        }
        let sum: f64 = weights.iter().sum();
        if sum > 1.0 + SUM_TOL {
            return Err(GraphError::WeightSum { sum });
        }
        let mut flat = Vec::with_capacity(m * m);
        for (row, r) in transitions.iter().enumerate() {
            if r.len() != m {
                return Err(GraphError::RowLength {
                    row,
                    len: r.len(),
                    m,
                });
            }
            for (col, &value) in r.iter().enumerate() {
                if !(0.0..=1.0).contains(&value) {
                    return Err(GraphError::Transition { row, col, value });
                }
            }
            if r[row] != 0.0 {
                return Err(GraphError::Diagonal {
                    index: row,
                    value: r[row],
                });
            }
            let sum: f64 = r.iter().sum();
            if sum > 1.0 + SUM_TOL {
                return Err(GraphError::RowSum { row, sum });
            }
            flat.extend_from_slice(r);
        }
        Ok(Graph {
            weights,
            transitions: flat,
        })
    }

    /// Holm's procedure: equal weights 1/m, G_ij = 1/(m-1) off the diagonal.
    pub fn holm(m: usize) -> Result<Self, GraphError> {
        if m == 0 {
            return Err(GraphError::Empty);
        }
        let off = if m > 1 { 1.0 / (m - 1) as f64 } else { 0.0 };
        let g = (0..m)
            .map(|i| (0..m).map(|j| if i == j { 0.0 } else { off }).collect())
            .collect();
        Graph::new(vec![1.0 / m as f64; m], g)
    }

    /// Fixed-sequence procedure: all weight on H_1, each H_i passes it to H_{i+1}.
    pub fn fixed_sequence(m: usize) -> Result<Self, GraphError> {
        let mut w = vec![0.0; m];
        if let Some(first) = w.first_mut() {
            *first = 1.0;
        }
        Graph::fallback(w)
    }

    /// Fallback procedure (Wiens 2003): H_i has weight w_i and passes its weight to H_{i+1} when
    /// rejected; the last hypothesis passes nothing on.
    pub fn fallback(weights: Vec<f64>) -> Result<Self, GraphError> {
        let m = weights.len();
        let g = (0..m)
            .map(|i| (0..m).map(|j| if j == i + 1 { 1.0 } else { 0.0 }).collect())
            .collect();
        Graph::new(weights, g)
    }

    /// Number of hypotheses.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether there are no hypotheses (never true for a validated graph).
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Initial weights.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Transition weight G[i][j].
    pub fn transition(&self, i: usize, j: usize) -> f64 {
        self.transitions[i * self.len() + j]
    }

    fn check_p(&self, p: &[f64], out_len: usize) -> Result<(), GraphError> {
        let m = self.len();
        for got in [p.len(), out_len] {
            if got != m {
                return Err(GraphError::Length { got, m });
            }
        }
        for (index, &value) in p.iter().enumerate() {
            if !value.is_nan() && !(0.0..=1.0).contains(&value) {
                return Err(GraphError::PValue { index, value });
            }
        }
        Ok(())
    }

    fn load(&self, s: &mut GraphScratch) {
        s.w.clear();
        s.w.extend_from_slice(&self.weights);
        s.g.clear();
        s.g.extend_from_slice(&self.transitions);
        s.active.clear();
        s.active.resize(self.len(), true);
    }

    /// Algorithm 1 of Bretz et al. (2009): reject any H_j with p_j <= w_j alpha, remove it, pass
    /// its weight on (w_l += w_j G_jl), update G (G_lk = (G_lk + G_lj G_jk) / (1 - G_lj G_jl), 0
    /// when G_lj G_jl = 1), repeat. `out[i]` is whether H_i is rejected.
    ///
    /// ```
    /// use trialsim::stats::graphical::{Graph, GraphScratch};
    /// // Holm with m = 3 at alpha = 0.05: levels 0.0167, 0.025, 0.05
    /// let g = Graph::holm(3).unwrap();
    /// let mut out = [false; 3];
    /// g.reject(&[0.012, 0.04, 0.02], 0.05, &mut GraphScratch::new(), &mut out).unwrap();
    /// assert_eq!(out, [true, true, true]);
    /// ```
    pub fn reject(
        &self,
        p: &[f64],
        alpha: f64,
        s: &mut GraphScratch,
        out: &mut [bool],
    ) -> Result<(), GraphError> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(GraphError::Alpha(alpha));
        }
        self.check_p(p, out.len())?;
        self.load(s);
        out.fill(false);
        let m = self.len();
        // Each pass removes one hypothesis, so at most m passes.
        while let Some(j) = (0..m).find(|&j| s.active[j] && p[j] <= s.w[j] * alpha) {
            out[j] = true;
            remove(j, s, m);
        }
        Ok(())
    }

    /// Adjusted p-values (Bretz et al. 2011, Algorithm 2): repeatedly take the remaining H_j with
    /// the smallest p_j / w_j (the first in case of ties; p / 0 counts as infinite), give it the
    /// running maximum of those ratios, capped at 1, and remove it as if rejected. H_i is rejected
    /// by [`Graph::reject`] at level alpha exactly when its adjusted p-value is <= alpha. NaN
    /// p-values stay NaN.
    ///
    /// ```
    /// use trialsim::stats::graphical::{Graph, GraphScratch};
    /// let g = Graph::holm(4).unwrap();
    /// let mut adj = [0.0; 4];
    /// g.adjusted_p(&[0.01, 0.04, 0.03, 0.005], &mut GraphScratch::new(), &mut adj).unwrap();
    /// // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
    /// for (a, r) in adj.iter().zip([0.03, 0.06, 0.06, 0.02]) {
    ///     assert!((a - r).abs() < 1e-15);
    /// }
    /// ```
    pub fn adjusted_p(
        &self,
        p: &[f64],
        s: &mut GraphScratch,
        out: &mut [f64],
    ) -> Result<(), GraphError> {
        self.check_p(p, out.len())?;
        self.load(s);
        let m = self.len();
        let mut run: f64 = 0.0;
        for (o, &pi) in out.iter_mut().zip(p) {
            *o = if pi.is_nan() { f64::NAN } else { 1.0 };
        }
        let ratio = |pj: f64, wj: f64| if wj > 0.0 { pj / wj } else { f64::INFINITY };
        loop {
            let mut best: Option<(usize, f64)> = None;
            for j in (0..m).filter(|&j| s.active[j] && !p[j].is_nan()) {
                let r = ratio(p[j], s.w[j]);
                if best.is_none_or(|(_, b)| r < b) {
                    best = Some((j, r));
                }
            }
            let Some((j, r)) = best else { break };
            run = run.max(r);
            if run >= 1.0 {
                // Every remaining hypothesis gets 1 (already set).
                break;
            }
            out[j] = run;
            remove(j, s, m);
        }
        Ok(())
    }
}

/// Remove H_j from the working graph, passing its weight and edges on (Bretz et al. 2009,
/// Algorithm 1, step 2). Row j and column j are only read while the others are updated, so the
/// update is in place.
fn remove(j: usize, s: &mut GraphScratch, m: usize) {
    let GraphScratch { w, g, active } = s;
    let wj = w[j];
    for l in (0..m).filter(|&l| active[l] && l != j) {
        w[l] += wj * g[j * m + l];
    }
    for l in (0..m).filter(|&l| active[l] && l != j) {
        let glj = g[l * m + j];
        let denom = 1.0 - glj * g[j * m + l];
        for k in (0..m).filter(|&k| active[k] && k != j && k != l) {
            g[l * m + k] = if denom > SUM_TOL {
                (g[l * m + k] + glj * g[j * m + k]) / denom
            } else {
                0.0
            };
        }
    }
    w[j] = 0.0;
    active[j] = false;
    for k in 0..m {
        g[j * m + k] = 0.0;
        g[k * m + j] = 0.0;
    }
}

#[cfg(test)]
#[path = "graphical_tests.rs"]
mod tests;
