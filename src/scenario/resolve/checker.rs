//! The problem collector used while validating, and the per-region / matrix readers built on it.

use crate::error::Problem;
use crate::scenario::spec::{CorrelationValue, PerRegion};

/// Collects problems while validating.
pub(super) struct Checker {
    /// Problems found so far, in the order found.
    pub(super) problems: Vec<Problem>,
}

impl Checker {
    pub(super) fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }
    pub(super) fn finite(&mut self, path: &str, v: f64) -> bool {
        if !v.is_finite() {
            self.err(path, format!("must be a finite number, got {v}"));
            return false;
        }
        true
    }
    pub(super) fn positive(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && v <= 0.0 {
            self.err(path, format!("must be > 0, got {v}"));
        }
    }
    pub(super) fn non_negative(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && v < 0.0 {
            self.err(path, format!("must be >= 0, got {v}"));
        }
    }
    pub(super) fn probability(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && !(0.0..1.0).contains(&v) {
            self.err(path, format!("must be a probability in [0, 1), got {v}"));
        }
    }
    /// A name used in tables and CSV files: non-empty and free of control characters (NUL, line
    /// breaks, tabs), which would corrupt every line-based output. Returns whether it is usable.
    pub(super) fn name(&mut self, path: &str, name: &str) -> bool {
        if name.trim().is_empty() {
            self.err(path, "must not be empty");
            return false;
        }
        if let Some(c) = name.chars().find(|c| c.is_control()) {
            self.err(
                path,
                format!("must not contain control characters, found {c:?} in {name:?}"),
            );
            return false;
        }
        true
    }
    /// A count of subjects (or similar) at most `limit`.
    pub(super) fn at_most(&mut self, path: &str, v: usize, limit: usize, what: &str) -> bool {
        if v > limit {
            self.err(path, format!("{v} is above the limit of {limit} {what}"));
            return false;
        }
        true
    }
    /// A magnitude in a measure's or score's unit: finite and at most `limits::MAX_MAGNITUDE`, so
    /// that sums of squares over the largest trial stay finite.
    pub(super) fn magnitude(&mut self, path: &str, v: f64) -> bool {
        if !self.finite(path, v) {
            return false;
        }
        if v.abs() > crate::limits::MAX_MAGNITUDE {
            self.err(
                path,
                format!(
                    "{v:e} is too large: values must be at most {:e} in magnitude so that sums of squares stay finite",
                    crate::limits::MAX_MAGNITUDE
                ),
            );
            return false;
        }
        true
    }
    pub(super) fn correlation(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && !(-1.0..=1.0).contains(&v) {
            self.err(path, format!("must be a correlation in [-1, 1], got {v}"));
        }
    }
}

/// Resolve a per-region value; unknown region names are reported.
pub(super) fn per_region(
    ck: &mut Checker,
    path: &str,
    v: &PerRegion,
    names: &[String],
) -> (Vec<f64>, Vec<bool>) {
    let r = names.len();
    match v {
        PerRegion::All(x) => {
            ck.finite(path, *x);
            (vec![*x; r], vec![true; r])
        }
        PerRegion::ByRegion(map) => {
            let default = map.get("*").copied();
            let mut out = vec![default.unwrap_or(0.0); r];
            let mut given = vec![default.is_some(); r];
            for (k, x) in map {
                let p = format!("{path}.{k}");
                ck.finite(&p, *x);
                if k == "*" {
                    continue;
                }
                match names.iter().position(|n| n == k) {
                    Some(i) => {
                        out[i] = *x;
                        given[i] = true;
                    }
                    None => ck.err(
                        p,
                        format!("unknown region '{k}'; regions are: {}", names.join(", ")),
                    ),
                }
            }
            (out, given)
        }
    }
}

/// Resolve a between-region correlation (one value or a full matrix) to an R x R matrix.
pub(super) fn correlation_matrix(
    ck: &mut Checker,
    path: &str,
    v: &CorrelationValue,
    r: usize,
) -> Vec<f64> {
    let mut m = vec![0.0; r * r];
    match v {
        CorrelationValue::Exchangeable(rho) => {
            ck.correlation(path, *rho);
            for i in 0..r {
                for j in 0..r {
                    m[i * r + j] = if i == j { 1.0 } else { *rho };
                }
            }
        }
        CorrelationValue::Matrix(rows) => {
            if rows.len() != r || rows.iter().any(|row| row.len() != r) {
                ck.err(
                    path,
                    format!("must be a {r} x {r} matrix (one row and column per region, in region order)"),
                );
                return identity(r);
            }
            for i in 0..r {
                for j in 0..r {
                    let x = rows[i][j];
                    let p = format!("{path}[{i}][{j}]");
                    ck.correlation(&p, x);
                    if i == j && x != 1.0 {
                        ck.err(p, format!("diagonal must be 1, got {x}"));
                    } else if j > i && x != rows[j][i] {
                        ck.err(
                            p,
                            format!(
                                "matrix must be symmetric: {x} != [{j}][{i}] = {}",
                                rows[j][i]
                            ),
                        );
                    }
                    m[i * r + j] = x;
                }
            }
        }
    }
    m
}

fn identity(r: usize) -> Vec<f64> {
    let mut m = vec![0.0; r * r];
    for i in 0..r {
        m[i * r + i] = 1.0;
    }
    m
}
