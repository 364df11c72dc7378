//! Tests of [`super`]: special cases against the closed-form procedures, a published example, and
//! familywise error under global and partial nulls by simulation.

use super::*;
use crate::stats::Multiplicity;
use crate::stats::multiplicity::adjust;
use rand::RngExt;

fn uniform_p(rng: &mut crate::rng::TrialRng, m: usize, scale: f64) -> Vec<f64> {
    (0..m).map(|_| rng.random::<f64>() * scale).collect()
}

/// Far enough from alpha that rounding in either computation cannot flip a decision.
fn clear_of(a: &[f64], alpha: f64) -> bool {
    a.iter().all(|v| (v - alpha).abs() > 1e-12)
}

#[test]
fn holm_graph_equals_p_adjust_holm() {
    // Reference: multiplicity::adjust(Holm), itself checked against R's p.adjust.
    let mut rng = crate::rng::stream(17, 0, 0);
    let mut s = GraphScratch::new();
    let mut checked = 0;
    for rep in 0..3000 {
        let m = 1 + rep % 7;
        let scale = [0.05, 0.2, 1.0][rep % 3];
        let p = uniform_p(&mut rng, m, scale);
        let g = Graph::holm(m).unwrap();
        let mut adj = vec![0.0; m];
        g.adjusted_p(&p, &mut s, &mut adj).unwrap();
        let mut holm = p.clone();
        adjust(&mut holm, Multiplicity::Holm, &mut Vec::new());
        for (a, h) in adj.iter().zip(&holm) {
            assert!((a - h).abs() < 1e-12, "p = {p:?}: {adj:?} vs {holm:?}");
        }
        let alpha = 0.05;
        if clear_of(&holm, alpha) {
            let mut rej = vec![false; m];
            g.reject(&p, alpha, &mut s, &mut rej).unwrap();
            let want: Vec<bool> = holm.iter().map(|&h| h <= alpha).collect();
            assert_eq!(rej, want, "p = {p:?}");
            checked += 1;
        }
    }
    assert!(checked > 2900);
}

#[test]
fn fixed_sequence_and_fallback_follow_their_rules() {
    // Hand-derived rules: fixed sequence rejects H_1..H_k while every p_i <= alpha; fallback
    // (Wiens 2003) tests H_i at alpha_i plus the level of H_{i-1} when H_{i-1} was rejected.
    let mut rng = crate::rng::stream(17, 1, 0);
    let mut s = GraphScratch::new();
    let alpha = 0.05;
    for rep in 0..3000 {
        let m = 1 + rep % 5;
        let p = uniform_p(&mut rng, m, 0.12);
        let mut out = vec![false; m];
        let mut adj = vec![0.0; m];

        let fs = Graph::fixed_sequence(m).unwrap();
        fs.reject(&p, alpha, &mut s, &mut out).unwrap();
        let mut want = vec![false; m];
        for i in 0..m {
            if p[i] > alpha {
                break;
            }
            want[i] = true;
        }
        assert_eq!(out, want, "fixed sequence, p = {p:?}");
        // Adjusted p of the fixed sequence: the running maximum of the p-values.
        fs.adjusted_p(&p, &mut s, &mut adj).unwrap();
        let mut run: f64 = 0.0;
        for i in 0..m {
            run = run.max(p[i]);
            assert!((adj[i] - run).abs() < 1e-15, "p = {p:?}, adj = {adj:?}");
        }

        let raw: Vec<f64> = (0..m).map(|_| 0.1 + rng.random::<f64>()).collect();
        let total: f64 = raw.iter().sum();
        let w: Vec<f64> = raw.iter().map(|r| r / total).collect();
        let fb = Graph::fallback(w.clone()).unwrap();
        fb.reject(&p, alpha, &mut s, &mut out).unwrap();
        let mut carried = 0.0;
        for i in 0..m {
            let level = alpha * w[i] + carried;
            if (p[i] - level).abs() < 1e-12 {
                break; // too close to call
            }
            assert_eq!(out[i], p[i] <= level, "fallback H{i}, p = {p:?}, w = {w:?}");
            carried = if out[i] { level } else { 0.0 };
        }
    }
}

#[test]
fn rejections_equal_adjusted_p_at_most_alpha_on_random_graphs() {
    let mut rng = crate::rng::stream(17, 2, 0);
    let mut s = GraphScratch::new();
    for rep in 0..2000 {
        let m = 2 + rep % 5;
        let raw: Vec<f64> = (0..m).map(|_| rng.random::<f64>()).collect();
        let total: f64 = raw.iter().sum::<f64>() + if rep % 2 == 0 { 0.0 } else { 0.5 };
        let w: Vec<f64> = raw.iter().map(|r| r / total).collect();
        let g: Vec<Vec<f64>> = (0..m)
            .map(|i| {
                let r: Vec<f64> = (0..m)
                    .map(|j| if i == j { 0.0 } else { rng.random::<f64>() })
                    .collect();
                let t: f64 = r.iter().sum();
                r.iter().map(|v| v / t).collect()
            })
            .collect();
        let graph = Graph::new(w, g).unwrap();
        let p = uniform_p(&mut rng, m, 0.1);
        let mut adj = vec![0.0; m];
        graph.adjusted_p(&p, &mut s, &mut adj).unwrap();
        let alpha = 0.025;
        if clear_of(&adj, alpha) {
            let mut out = vec![false; m];
            graph.reject(&p, alpha, &mut s, &mut out).unwrap();
            let want: Vec<bool> = adj.iter().map(|&a| a <= alpha).collect();
            assert_eq!(out, want, "p = {p:?}, adj = {adj:?}");
        }
    }
}

/// The example of graphicalMCP's vignette "Sequentially rejective graphical multiple comparison
/// procedures based on Bonferroni tests" (vignettes/shortcut-testing.Rmd, openpharma/graphicalMCP):
/// two doses x (primary, secondary), w = (0.5, 0.5, 0, 0), one-sided alpha = 0.025,
/// p = (0.018, 0.01, 0.105, 0.006). The vignette states: H1, H2, H4 rejected, in the order
/// H2 (at 0.5 alpha), H1 (at 0.75 alpha), H4 (at 0.5 alpha); H3 not rejected at alpha.
/// Adjusted p-values derived by hand with Algorithm 2:
/// step 1: ratios p/w = (0.036, 0.02, inf, inf) -> H2, q = 0.02; w = (0.75, -, 0, 0.25),
///   G_13 = 0.5 / 0.75 = 2/3, G_14 = 0.25 / 0.75 = 1/3, G_31 = G_34 = 0.5, G_41 = 1;
/// step 2: ratios (0.024, -, inf, 0.024) -> H1 (first of the tie), q = 0.024;
///   w = (-, -, 0.5, 0.5), G_34 = (0.5 + 0.5/3) / (1 - 1/3) = 1, G_43 = (2/3) / (2/3) = 1;
/// step 3: ratios (0.21, 0.012) -> H4, q = max(0.012, 0.024) = 0.024; step 4: H3 with w = 1,
///   q = 0.105. Adjusted p = (0.024, 0.02, 0.105, 0.024).
#[test]
fn graphical_mcp_vignette_example() {
    let g = Graph::new(
        vec![0.5, 0.5, 0.0, 0.0],
        vec![
            vec![0.0, 0.5, 0.5, 0.0],
            vec![0.5, 0.0, 0.0, 0.5],
            vec![0.0, 1.0, 0.0, 0.0],
            vec![1.0, 0.0, 0.0, 0.0],
        ],
    )
    .unwrap();
    let p = [0.018, 0.01, 0.105, 0.006];
    let mut s = GraphScratch::new();
    let mut out = [false; 4];
    g.reject(&p, 0.025, &mut s, &mut out).unwrap();
    assert_eq!(out, [true, true, false, true]);
    let mut adj = [0.0; 4];
    g.adjusted_p(&p, &mut s, &mut adj).unwrap();
    for (a, want) in adj.iter().zip([0.024, 0.02, 0.105, 0.024]) {
        assert!((a - want).abs() < 1e-15, "{adj:?}");
    }
    // Local levels of the vignette: H1 is not rejected at 0.5 alpha alone but at 0.75 alpha.
    let mut out1 = [false; 4];
    g.reject(&[0.018, 0.5, 0.5, 0.5], 0.025, &mut s, &mut out1)
        .unwrap();
    assert_eq!(out1, [false; 4]);
}

/// FWER <= alpha by simulation with independent uniform p-values for the true nulls; the bound
/// allows 3 binomial standard errors.
#[test]
fn familywise_error_at_most_alpha_under_global_and_partial_nulls() {
    let alpha = 0.05;
    let n = 40_000;
    let graphs = [
        Graph::holm(4).unwrap(),
        Graph::fixed_sequence(4).unwrap(),
        Graph::fallback(vec![0.4, 0.3, 0.2, 0.1]).unwrap(),
        Graph::new(
            vec![0.5, 0.5, 0.0, 0.0],
            vec![
                vec![0.0, 0.5, 0.5, 0.0],
                vec![0.5, 0.0, 0.0, 0.5],
                vec![0.0, 1.0, 0.0, 0.0],
                vec![1.0, 0.0, 0.0, 0.0],
            ],
        )
        .unwrap(),
    ];
    // Which hypotheses are true nulls: all (global null), or H3, H4 only (H1, H2 false with
    // p = 1e-8, so their weight always flows to the true nulls: the hardest partial null).
    let scenarios: [[bool; 4]; 2] = [[true; 4], [false, false, true, true]];
    let se = (alpha * (1.0 - alpha) / n as f64).sqrt();
    let mut s = GraphScratch::new();
    for (gi, g) in graphs.iter().enumerate() {
        for (si, nulls) in scenarios.iter().enumerate() {
            let mut rng = crate::rng::stream(17, 3, (gi * 2 + si) as u64);
            let mut errors = 0usize;
            let mut out = [false; 4];
            for _ in 0..n {
                let p: Vec<f64> = nulls
                    .iter()
                    .map(|&t| if t { rng.random::<f64>() } else { 1e-8 })
                    .collect();
                g.reject(&p, alpha, &mut s, &mut out).unwrap();
                if out.iter().zip(nulls).any(|(&r, &t)| r && t) {
                    errors += 1;
                }
            }
            let fwer = errors as f64 / n as f64;
            assert!(
                fwer <= alpha + 3.0 * se,
                "graph {gi}, scenario {si}: FWER {fwer}"
            );
            // Not vacuous: the procedures use most of alpha here (Bonferroni-type with
            // independent p-values: at least 1 - (1 - alpha / 4)^4 - 3 SE for Holm).
            assert!(fwer > 0.03, "graph {gi}, scenario {si}: FWER {fwer}");
        }
    }
}

#[test]
fn invalid_input_is_an_error() {
    let sq = |m: usize| vec![vec![0.0; m]; m];
    assert_eq!(Graph::new(vec![], vec![]), Err(GraphError::Empty));
    assert_eq!(
        Graph::new(vec![0.5, 0.5], sq(3)),
        Err(GraphError::Rows { rows: 3, m: 2 })
    );
    assert_eq!(
        Graph::new(vec![0.5, 0.5], vec![vec![0.0, 1.0], vec![1.0]]),
        Err(GraphError::RowLength {
            row: 1,
            len: 1,
            m: 2
        })
    );
    assert_eq!(
        Graph::new(vec![-0.1, 0.5], sq(2)),
        Err(GraphError::Weight {
            index: 0,
            value: -0.1
        })
    );
    assert_eq!(
        Graph::new(vec![0.5, 0.5], vec![vec![0.0, 1.5], vec![0.0, 0.0]]),
        Err(GraphError::Transition {
            row: 0,
            col: 1,
            value: 1.5
        })
    );
    assert_eq!(
        Graph::new(vec![0.5, 0.5], vec![vec![0.2, 0.5], vec![0.0, 0.0]]),
        Err(GraphError::Diagonal {
            index: 0,
            value: 0.2
        })
    );
    assert_eq!(
        Graph::new(
            vec![0.3, 0.3, 0.3],
            vec![vec![0.0, 0.6, 0.6], vec![0.0; 3], vec![0.0; 3]]
        ),
        Err(GraphError::RowSum { row: 0, sum: 1.2 })
    );
    let g = Graph::holm(2).unwrap();
    let mut s = GraphScratch::new();
    let mut out = [false; 2];
    assert_eq!(
        g.reject(&[0.1], 0.05, &mut s, &mut out),
        Err(GraphError::Length { got: 1, m: 2 })
    );
    assert_eq!(
        g.reject(&[0.1, 1.5], 0.05, &mut s, &mut out),
        Err(GraphError::PValue {
            index: 1,
            value: 1.5
        })
    );
    assert_eq!(
        g.reject(&[0.1, 0.2], 0.0, &mut s, &mut out),
        Err(GraphError::Alpha(0.0))
    );
    assert_eq!(Graph::holm(0), Err(GraphError::Empty));
}

#[test]
fn untestable_hypothesis_keeps_its_weight_and_is_never_rejected() {
    // Holm with m = 2, H2 untestable: H1 is tested at alpha / 2 only.
    let g = Graph::holm(2).unwrap();
    let mut s = GraphScratch::new();
    let mut out = [false; 2];
    g.reject(&[0.03, f64::NAN], 0.05, &mut s, &mut out).unwrap();
    assert_eq!(out, [false, false]);
    g.reject(&[0.02, f64::NAN], 0.05, &mut s, &mut out).unwrap();
    assert_eq!(out, [true, false]);
    let mut adj = [0.0; 2];
    g.adjusted_p(&[0.02, f64::NAN], &mut s, &mut adj).unwrap();
    assert!((adj[0] - 0.04).abs() < 1e-15 && adj[1].is_nan());
}
