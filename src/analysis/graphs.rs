//! Graphical multiplicity procedures (Bretz et al. 2009) applied to one trial's p-values: within a
//! family (`"multiplicity": {"graphical": ...}`) and across families (`analysis.graphical`).
//! Adjusted p-values by [`Graph::adjusted_p`]; H_i is rejected when its adjusted p-value is at most
//! alpha, which is exactly the sequentially rejective procedure ([`Graph::reject`]).

use super::TrialResult;
use crate::scenario::CrossGraph;
use crate::stats::graphical::{Graph, GraphScratch};

/// Work buffers (one per worker thread).
#[derive(Debug, Default)]
pub(super) struct GraphWork {
    scratch: GraphScratch,
    p: Vec<f64>,
    adj: Vec<f64>,
}

/// Adjusted p-values of one family's hypotheses into `adjusted` (NaN for untestable ones, and for
/// all when the p-values are not valid probabilities, which the analyses never produce).
pub(super) fn within(g: &Graph, p: &[f64], work: &mut GraphWork, adjusted: &mut [f64]) {
    if g.adjusted_p(p, &mut work.scratch, adjusted).is_err() {
        adjusted.fill(f64::NAN);
    }
}

/// Decide every hypothesis of the graph's families at `alpha`: their adjusted p-values and
/// rejections are overwritten in `out` (the families have no gate, so all are tested).
pub(super) fn across(cg: &CrossGraph, alpha: f64, work: &mut GraphWork, out: &mut TrialResult) {
    work.p.clear();
    for &(fi, hi) in &cg.nodes {
        work.p.push(out.families[fi].outcomes[hi].p);
    }
    work.adj.clear();
    work.adj.resize(cg.nodes.len(), f64::NAN);
    if cg
        .graph
        .adjusted_p(&work.p, &mut work.scratch, &mut work.adj)
        .is_err()
    {
        work.adj.fill(f64::NAN);
    }
    for (&(fi, hi), &a) in cg.nodes.iter().zip(&work.adj) {
        let fr = &mut out.families[fi];
        fr.adjusted[hi] = a;
        fr.reject[hi] = fr.tested && a <= alpha;
    }
}
