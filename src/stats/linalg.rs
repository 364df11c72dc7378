//! Small dense linear algebra on row-major `Vec<f64>` matrices.
//!
//! The matrices here are at most a few dozen rows (2R+1 for R regions), so a plain Cholesky is both
//! the fastest and the simplest choice; nalgebra supplies the symmetric eigen-solver used only to
//! explain why a matrix was rejected.

/// Lower-triangular Cholesky factor `L` (row-major, `d x d`) with `L L' = a`, or `None` when `a` is
/// not (numerically) positive definite.
///
/// ```
/// let l = trialsim::stats::linalg::cholesky(&[4.0, 2.0, 2.0, 2.0], 2).unwrap();
/// assert_eq!(l, vec![2.0, 0.0, 1.0, 1.0]);
/// ```
pub fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    assert_eq!(a.len(), d * d, "matrix must be d x d");
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                // A relative tolerance: a pivot this small means the matrix is singular to
                // working precision, and the draws would silently lose a dimension.
                if !(s > 1e-10 * a[i * d + i].abs().max(1.0)) {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// Smallest eigenvalue of a symmetric matrix (row-major, `d x d`).
///
/// ```
/// let e = trialsim::stats::linalg::min_eigenvalue(&[1.0, 0.5, 0.5, 1.0], 2);
/// assert!((e - 0.5).abs() < 1e-12);
/// ```
pub fn min_eigenvalue(a: &[f64], d: usize) -> f64 {
    let m = nalgebra::DMatrix::from_row_slice(d, d, a);
    let eig = nalgebra::SymmetricEigen::new(m);
    eig.eigenvalues
        .iter()
        .cloned()
        .fold(f64::INFINITY, f64::min)
}

/// A lower-triangular matrix stored for fast products `L z`: in panels of [`PANEL`] rows, each
/// panel column by column (`[L[i][k], .., L[i+7][k]]` for k = 0 ..= i + 7, zeros above the
/// diagonal and past the last row), so that one pass over z advances eight rows' sums together
/// (four two-lane multiply-adds per column on baseline x86-64).
///
/// ```
/// use trialsim::stats::linalg::LowerPanels;
/// let l = [2.0, 0.0, 1.0, 3.0];
/// let mut p = LowerPanels::default();
/// p.pack(&l, 2);
/// let mut out = [0.0; 2];
/// p.mul(&[1.0, 2.0], &mut out);
/// assert_eq!(out, [2.0, 7.0]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LowerPanels {
    d: usize,
    data: Vec<f64>,
}

/// Rows per panel of [`LowerPanels`].
pub const PANEL: usize = 8;

impl LowerPanels {
    /// Store the row-major `d x d` lower-triangular `l` (entries above the diagonal are ignored).
    pub fn pack(&mut self, l: &[f64], d: usize) {
        self.d = d;
        self.data.clear();
        for p in (0..d).step_by(PANEL) {
            for k in 0..(p + PANEL).min(d) {
                for i in p..p + PANEL {
                    self.data
                        .push(if i < d && k <= i { l[i * d + k] } else { 0.0 });
                }
            }
        }
    }

    /// `out = L z`, bit for bit the row-by-row dot products ([`lower_mul`]): each row sums its
    /// products in column order, and the panel's extra terms are exact zeros added after them
    /// (`s + 0 = s`; a sum that starts at +0 is never -0).
    #[inline]
    pub fn mul(&self, z: &[f64], out: &mut [f64]) {
        let d = self.d;
        let (z, out) = (&z[..d], &mut out[..d]);
        let mut rest = &self.data[..];
        for p in (0..d).step_by(PANEL) {
            let kmax = (p + PANEL).min(d);
            let (panel, tail) = rest.split_at(PANEL * kmax);
            rest = tail;
            let mut acc = [0.0f64; PANEL];
            for (col, &zk) in panel.chunks_exact(PANEL).zip(z) {
                let col: &[f64; PANEL] = col.try_into().expect("whole panel columns");
                for j in 0..PANEL {
                    acc[j] += col[j] * zk;
                }
            }
            let rows = (d - p).min(PANEL);
            out[p..p + rows].copy_from_slice(&acc[..rows]);
        }
    }
}

/// `out = L z` for a lower-triangular row-major `L` (`d x d`).
///
/// ```
/// let l = [2.0, 0.0, 1.0, 3.0];
/// let mut out = [0.0; 2];
/// trialsim::stats::linalg::lower_mul(&l, &[1.0, 2.0], &mut out);
/// assert_eq!(out, [2.0, 7.0]);
/// ```
#[inline]
pub fn lower_mul(l: &[f64], z: &[f64], out: &mut [f64]) {
    let d = z.len();
    for i in 0..d {
        let row = &l[i * d..i * d + i + 1];
        let mut s = 0.0;
        for (a, b) in row.iter().zip(&z[..=i]) {
            s += a * b;
        }
        out[i] = s;
    }
}

/// Principal submatrix of `a` (`d x d`) on the index set `idx`.
pub fn submatrix(a: &[f64], d: usize, idx: &[usize]) -> Vec<f64> {
    let k = idx.len();
    let mut out = Vec::with_capacity(k * k);
    for &i in idx {
        for &j in idx {
            out.push(a[i * d + j]);
        }
    }
    out
}

/// [`solve_spd`] into caller-owned buffers (no allocation once they have grown): `l` receives the
/// Cholesky factor, `x` the solution; false if `a` is singular.
pub fn solve_spd_into(a: &[f64], b: &[f64], l: &mut Vec<f64>, x: &mut Vec<f64>) -> bool {
    let d = b.len();
    l.clear();
    l.resize(d * d, 0.0);
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            let (li, lj) = (&l[i * d..i * d + j], &l[j * d..j * d + j]);
            for (p, q) in li.iter().zip(lj) {
                s -= p * q;
            }
            if i == j {
                // Same pivot rule as [`cholesky`].
                if !(s > 1e-10 * a[i * d + i].abs().max(1.0)) {
                    return false;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    x.clear();
    x.resize(d, 0.0);
    for i in 0..d {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * d + k] * x[k];
        }
        x[i] = s / l[i * d + i];
    }
    for i in (0..d).rev() {
        let mut s = x[i];
        for k in i + 1..d {
            s -= l[k * d + i] * x[k];
        }
        x[i] = s / l[i * d + i];
    }
    true
}

/// Solve the symmetric positive-definite system `a x = b` (a is `d x d`); `None` if singular.
pub fn solve_spd(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    let d = b.len();
    let l = cholesky(a, d)?;
    let mut y = vec![0.0; d];
    for i in 0..d {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * d + k] * y[k];
        }
        y[i] = s / l[i * d + i];
    }
    let mut x = vec![0.0; d];
    for i in (0..d).rev() {
        let mut s = y[i];
        for k in i + 1..d {
            s -= l[k * d + i] * x[k];
        }
        x[i] = s / l[i * d + i];
    }
    Some(x)
}

/// Orthonormal basis of the row space of `x` (`n x p`, row-major): its vectors as the rows of `q`
/// (`r x p`); returns their number r. Classical Gram-Schmidt run twice per row (CGS2: orthogonal
/// to working precision); a row whose remainder is below `1e-9` of its length adds no vector.
///
/// ```
/// let mut q = Vec::new();
/// // Rows (3, 4, 0) and (6, 8, 0) span one direction.
/// assert_eq!(trialsim::stats::linalg::row_basis(&[3.0, 4.0, 0.0, 6.0, 8.0, 0.0], 3, &mut q), 1);
/// assert!((q[0] - 0.6).abs() < 1e-15 && (q[1] - 0.8).abs() < 1e-15 && q[2] == 0.0);
/// ```
pub fn row_basis(x: &[f64], p: usize, q: &mut Vec<f64>) -> usize {
    q.clear();
    let mut r = 0;
    for row in x.chunks_exact(p) {
        let len2: f64 = row.iter().map(|v| v * v).sum();
        q.extend_from_slice(row);
        let (done, v) = q.split_at_mut(r * p);
        for _ in 0..2 {
            for b in done.chunks_exact(p) {
                let c: f64 = b.iter().zip(v.iter()).map(|(a, c)| a * c).sum();
                for (vi, bi) in v.iter_mut().zip(b) {
                    *vi -= c * bi;
                }
            }
        }
        let rem2: f64 = v.iter().map(|a| a * a).sum();
        if rem2 > 1e-18 * len2 && rem2 > 0.0 {
            let inv = 1.0 / rem2.sqrt();
            for vi in v.iter_mut() {
                *vi *= inv;
            }
            r += 1;
        } else {
            q.truncate(r * p);
        }
    }
    r
}

/// `z = x q'` (`n x r`): the coordinates of the rows of `x` (`n x p`) in the orthonormal rows of
/// `q` (`r x p`), as from [`row_basis`].
pub fn project_rows(x: &[f64], p: usize, q: &[f64], z: &mut Vec<f64>) {
    z.clear();
    for row in x.chunks_exact(p) {
        z.extend(
            q.chunks_exact(p)
                .map(|b| b.iter().zip(row).map(|(a, c)| a * c).sum::<f64>()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_are_the_row_dot_products_bit_for_bit() {
        let mut x: u64 = 7;
        let mut next = || {
            x = crate::rng::splitmix64(x);
            (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        for d in 1..=35 {
            let l: Vec<f64> = (0..d * d).map(|_| next()).collect();
            let z: Vec<f64> = (0..d).map(|_| next()).collect();
            let mut out = vec![0.0; d];
            let mut panels = LowerPanels::default();
            panels.pack(&l, d);
            panels.mul(&z, &mut out);
            for i in 0..d {
                let mut s = 0.0;
                for k in 0..=i {
                    s += l[i * d + k] * z[k];
                }
                assert_eq!(out[i].to_bits(), s.to_bits(), "d = {d}, row {i}");
            }
        }
    }

    #[test]
    fn cholesky_reconstructs() {
        let a = [4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0];
        let l = cholesky(&a, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|k| l[i * 3 + k] * l[j * 3 + k]).sum();
                assert!((s - a[i * 3 + j]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn cholesky_rejects_indefinite() {
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
        // Singular (perfect correlation) is rejected too.
        assert!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
        assert!((min_eigenvalue(&[1.0, 2.0, 2.0, 1.0], 2) + 1.0).abs() < 1e-12);
    }

    #[test]
    fn solve_matches_hand_computation() {
        // [[2,1],[1,3]] x = [3,5]  ->  x = [0.8, 1.4]
        let x = solve_spd(&[2.0, 1.0, 1.0, 3.0], &[3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
        let (mut l, mut y) = (Vec::new(), Vec::new());
        assert!(solve_spd_into(
            &[2.0, 1.0, 1.0, 3.0],
            &[3.0, 5.0],
            &mut l,
            &mut y
        ));
        assert!((y[0] - 0.8).abs() < 1e-12 && (y[1] - 1.4).abs() < 1e-12);
        assert!(!solve_spd_into(
            &[1.0, 1.0, 1.0, 1.0],
            &[1.0, 1.0],
            &mut l,
            &mut y
        ));
    }

    /// The basis is orthonormal and reproduces every row (x = z q), for wide, tall and
    /// rank-deficient matrices: the defining properties, checked by direct products.
    #[test]
    fn row_basis_spans_rows() {
        let mut g = crate::rng::stream(3, 0, 0);
        use rand::RngExt;
        for &(n, p, rank) in &[(5usize, 9usize, 5usize), (9, 4, 4), (6, 8, 3)] {
            // x = a b with a (n x rank), b (rank x p): rank at most `rank`.
            let a: Vec<f64> = (0..n * rank).map(|_| g.random::<f64>() - 0.5).collect();
            let b: Vec<f64> = (0..rank * p).map(|_| g.random::<f64>() - 0.5).collect();
            let x: Vec<f64> = (0..n * p)
                .map(|ij| {
                    (0..rank)
                        .map(|k| a[ij / p * rank + k] * b[k * p + ij % p])
                        .sum()
                })
                .collect();
            let mut q = Vec::new();
            let r = row_basis(&x, p, &mut q);
            assert_eq!(r, rank.min(n).min(p));
            for i in 0..r {
                for j in 0..r {
                    let s: f64 = (0..p).map(|k| q[i * p + k] * q[j * p + k]).sum();
                    assert!((s - (i == j) as u8 as f64).abs() < 1e-13);
                }
            }
            let mut z = Vec::new();
            project_rows(&x, p, &q, &mut z);
            for i in 0..n {
                for k in 0..p {
                    let back: f64 = (0..r).map(|j| z[i * r + j] * q[j * p + k]).sum();
                    assert!((back - x[i * p + k]).abs() < 1e-13);
                }
            }
        }
    }
}
