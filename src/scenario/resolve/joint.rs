//! Joint (baseline, change, improvement) correlation matrices and their Cholesky factors.

use super::checker::Checker;
use crate::scenario::types::{Arm, Region};
use crate::stats::linalg;

/// Cholesky factors of the between-region correlations and of each arm's joint matrix (stored in
/// the arm); returns `(baseline_chol, change_chol)`. Call only when every section is valid alone.
pub(super) fn factorise(
    ck: &mut Checker,
    c_b: &[f64],
    c_c: &[f64],
    regions: &[Region],
    arms: &mut [Arm],
) -> (Vec<f64>, Vec<f64>) {
    let nr = regions.len();
    let mut baseline_chol = Vec::new();
    let mut change_chol = Vec::new();
    match linalg::cholesky(c_c, nr) {
        Some(l) => change_chol = l,
        None => ck.err(
            "measures.correlation.change",
            format!(
                "between-region change correlation matrix is not positive definite \
                 (smallest eigenvalue {:.4}); lower the correlations",
                linalg::min_eigenvalue(c_c, nr)
            ),
        ),
    }
    match linalg::cholesky(c_b, nr) {
        Some(l) => baseline_chol = l,
        None => ck.err(
            "measures.correlation.baseline",
            format!(
                "between-region baseline correlation matrix is not positive definite \
                 (smallest eigenvalue {:.4}); lower the correlations",
                linalg::min_eigenvalue(c_b, nr)
            ),
        ),
    }
    for arm in arms.iter_mut() {
        let joint = joint_matrix(c_b, c_c, arm, nr);
        match linalg::cholesky(&joint, 2 * nr + 1) {
            Some(l) => {
                arm.joint = joint;
                arm.joint_panels.pack(&l, 2 * nr + 1);
                arm.joint_chol = l;
                arm.observed_panels = linalg::cholesky(&observed_cov(regions, arm), 2 * nr + 1)
                    .map(|l| {
                        let mut p = linalg::LowerPanels::default();
                        p.pack(&l, 2 * nr + 1);
                        p
                    });
            }
            None => {
                let (msg, min) = explain_not_pd(&joint, nr, &arm.name);
                ck.err(
                    format!("arms.{}", arm.name),
                    format!(
                        "the joint correlation matrix of (baseline, change, improvement) is not \
                         positive definite (smallest eigenvalue {min:.4}); {msg}"
                    ),
                );
            }
        }
    }
    (baseline_chol, change_chol)
}

/// Covariance (row-major, `(2R+1)^2`) of one patient's observed vector in an arm whose joint
/// correlation is set: per region the baseline scan `B = sigma_p b~ + e0` (centred), then per
/// region the observed change `C = tau c~ + e1 - e0` (centred), then the standardised improvement
/// `S`. Measurement errors `e0`, `e1` (SD `meas_sd`) are independent of everything else, so they
/// add `e^2` to `Var B`, `2 e^2` to `Var C` and `-e^2` to `Cov(B, C)` of the same region.
///
/// ```
/// use trialsim::scenario::{self, observed_cov};
/// let s = scenario::load("ketamine-ampar-2026").unwrap();
/// let (r, d) = (s.n_regions(), 2 * s.n_regions() + 1);
/// let c = observed_cov(&s.regions, &s.arms[0]);
/// let (g, e2) = (&s.regions[0], s.regions[0].meas_sd.powi(2));
/// assert!((c[0] - (g.sigma_patients.powi(2) + e2)).abs() < 1e-15);
/// assert_eq!(c[d * d - 1], 1.0);
/// ```
pub fn observed_cov(regions: &[Region], arm: &Arm) -> Vec<f64> {
    let r = regions.len();
    let d = 2 * r + 1;
    // Scale of each coordinate of the joint correlation: sigma_p, tau, 1.
    let scale: Vec<f64> = regions
        .iter()
        .map(|g| g.sigma_patients)
        .chain(arm.tau.iter().copied())
        .chain([1.0])
        .collect();
    let mut m = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            m[i * d + j] = scale[i] * scale[j] * arm.joint[i * d + j];
        }
    }
    for (j, g) in regions.iter().enumerate() {
        let e2 = g.meas_sd * g.meas_sd;
        m[j * d + j] += e2;
        m[(r + j) * d + r + j] += 2.0 * e2;
        m[j * d + r + j] -= e2;
        m[(r + j) * d + j] -= e2;
    }
    m
}

/// Assemble the (2R+1) joint correlation of an arm from its named blocks.
fn joint_matrix(c_b: &[f64], c_c: &[f64], arm: &Arm, r: usize) -> Vec<f64> {
    let d = 2 * r + 1;
    let mut m = vec![0.0; d * d];
    let mut set = |i: usize, j: usize, v: f64| {
        m[i * d + j] = v;
        m[j * d + i] = v;
    };
    for i in 0..r {
        for j in 0..r {
            set(i, j, c_b[i * r + j]);
            set(r + i, r + j, c_c[i * r + j]);
        }
        set(i, r + i, arm.rho_bc[i]);
        set(i, 2 * r, arm.rho_bs[i]);
        set(r + i, 2 * r, arm.rho_cs[i]);
    }
    set(2 * r, 2 * r, 1.0);
    m
}

/// Name the blocks that make a joint matrix indefinite: first each block on its own, then each
/// cross block with the two diagonal blocks it links.
fn explain_not_pd(joint: &[f64], r: usize, arm: &str) -> (String, f64) {
    let d = 2 * r + 1;
    let min = linalg::min_eigenvalue(joint, d);
    let b: Vec<usize> = (0..r).collect();
    let c: Vec<usize> = (r..2 * r).collect();
    let s = vec![2 * r];
    let cat = |a: &[usize], b: &[usize]| a.iter().chain(b).copied().collect::<Vec<_>>();
    let candidates: Vec<(String, Vec<usize>)> = vec![
        ("measures.correlation.change".into(), c.clone()),
        (
            format!(
                "measures.correlation.baseline + arms.{arm}.baseline_change_corr + measures.correlation.change"
            ),
            cat(&b, &c),
        ),
        (
            format!("measures.correlation.baseline + arms.{arm}.baseline_improvement_corr"),
            cat(&b, &s),
        ),
        (
            format!("measures.correlation.change + arms.{arm}.change_improvement_corr"),
            cat(&c, &s),
        ),
    ];
    let mut culprits = Vec::new();
    for (name, idx) in candidates {
        let sub = linalg::submatrix(joint, d, &idx);
        if linalg::cholesky(&sub, idx.len()).is_none() {
            culprits.push(format!(
                "{name} (smallest eigenvalue {:.4})",
                linalg::min_eigenvalue(&sub, idx.len())
            ));
        }
    }
    let msg = if culprits.is_empty() {
        format!(
            "each block is valid alone, but together measures.correlation.baseline, \
             measures.correlation.change and arms.{arm}.baseline_change_corr, \
             baseline_improvement_corr and change_improvement_corr are inconsistent: \
             lower the improvement correlations or the between-region correlations"
        )
    } else {
        format!(
            "the blocks involved: {}; lower those correlations",
            culprits.join("; ")
        )
    };
    (msg, min)
}
