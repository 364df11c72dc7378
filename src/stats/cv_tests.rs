//! Tests of cross-validation (src/stats/cv.rs).
use super::*;

/// The inner cross-validation as it was before the fast path: every penalty of every fold an
/// independent cold fit. The slow reference for `fast_inner_cv_equals_cold_fits`.
fn cold_inner_cv_lambda(f: &Fitted, d: Samples, rows: &[usize], rng: &mut TrialRng) -> f64 {
    let Samples { x, p, y } = d;
    let n1 = rows.iter().filter(|&&i| y[i]).count();
    let k = n1.min(rows.len() - n1).clamp(2, 5);
    let mut folds = Vec::new();
    stratified_folds(y, rows, k, rng, &mut folds);
    let q = f.cols.len();
    let mut losses = [0.0; LAMBDA_GRID.len()];
    for fold in 0..k {
        let (mut xs, mut ys, mut xo, mut yo) = (vec![], vec![], vec![], vec![]);
        for (r, &i) in rows.iter().enumerate() {
            let (bx, by) = if folds[r] != fold {
                (&mut xs, &mut ys)
            } else {
                (&mut xo, &mut yo)
            };
            for &j in &f.cols {
                bx.push((x[i * p + j] - f.means[j]) / f.sds[j]);
            }
            by.push(y[i]);
        }
        for (li, &lambda) in LAMBDA_GRID.iter().enumerate().rev() {
            let mut lr = Logistic::default();
            let ok = lr.fit(&xs, q, &ys, lambda) == Fit::Converged;
            for (t, &yt) in yo.iter().enumerate() {
                let pr = if ok {
                    lr.predict(&xo[t * q..(t + 1) * q])
                } else {
                    0.5
                };
                let pr: f64 = pr.clamp(1e-12, 1.0 - 1e-12);
                losses[li] -= if yt { pr.ln() } else { (1.0 - pr).ln() };
            }
        }
    }
    let mut best = (f64::INFINITY, LAMBDA_GRID[LAMBDA_GRID.len() - 1]);
    for (&loss, &lambda) in losses.iter().zip(&LAMBDA_GRID) {
        if loss < best.0 - 1e-12 {
            best = (loss, lambda);
        }
    }
    best.1
}

/// The fast inner cross-validation (penalty path started along its tangent, folds started
/// from each other, the final fit from the inner solution) chooses the same penalty as
/// independent cold fits, and the final fit has the cold fit's coefficients, on data shaped
/// like the flagship's prediction family (16 patients, 12 correlated regions, p close to n),
/// on wide data (12 patients, 14 regions: the inner fits in the rows' span) and on a larger,
/// low-dimensional case.
#[test]
fn fast_inner_cv_equals_cold_fits() {
    let ridge = Pipeline {
        model: Model::Ridge,
        penalty: Penalty::InnerCv,
        select: None,
        threshold: Threshold::Prevalence,
    };
    let mut g = crate::rng::stream(11, 0, 0);
    let mut s = Scratch::default();
    let mut checked = 0;
    for rep in 0..120u64 {
        // The flagship's shape (p close to n), a wide one (fitted in the rows' span) and a
        // larger, low-dimensional one.
        let (n, p) = [(16, 12), (12, 14), (40, 3)][rep as usize % 3];
        let x: Vec<f64> = (0..n * p)
            .map(|i| {
                let shared = ((i / p) as f64 * 0.7).sin();
                shared + g.random::<f64>() * 2.0 - 1.0
            })
            .collect();
        let y: Vec<bool> = (0..n)
            .map(|i| g.random::<f64>() < 1.0 / (1.0 + (-1.5 * x[i * p]).exp()))
            .collect();
        let d = Samples { x: &x, p, y: &y };
        let rows: Vec<usize> = (0..n).collect();
        let fixed = Pipeline {
            penalty: Penalty::Fixed(1.0),
            ..ridge
        };
        let f0 = fixed.fit(d, &rows, &mut crate::rng::stream(1, rep, 0), &mut s);
        if f0.degenerate {
            continue;
        }
        let fast = ridge.inner_cv_lambda(&f0, d, &rows, &mut crate::rng::stream(5, rep, 0), &mut s);
        let slow = cold_inner_cv_lambda(&f0, d, &rows, &mut crate::rng::stream(5, rep, 0));
        assert_eq!(fast.0, slow, "rep {rep}");
        let ff = ridge.fit(d, &rows, &mut crate::rng::stream(5, rep, 0), &mut s);
        let mut cold = Logistic::default();
        let mut xs = Vec::new();
        for &i in &rows {
            for j in 0..p {
                xs.push((x[i * p + j] - f0.means[j]) / f0.sds[j]);
            }
        }
        assert_eq!(cold.fit(&xs, p, &y, slow), Fit::Converged);
        for (a, b) in ff.lr.beta.iter().zip(&cold.beta) {
            assert!((a - b).abs() < 1e-8, "rep {rep}: {a} vs {b}");
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} cases checked");
}
