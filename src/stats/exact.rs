//! Exact floating-point summation, so that totals do not depend on how replicates were grouped
//! (threads, shards).
//!
//! A sum is kept as a list of non-overlapping partials whose exact sum is the exact sum of every
//! value added (Shewchuk 1997, "Adaptive precision floating-point arithmetic"); [`ExactSum::value`]
//! rounds that exact sum once, correctly (the algorithm of Python's `math.fsum`). Adding the same
//! values in any order or grouping therefore gives the same bits.

use serde::{Deserialize, Serialize};

/// An exactly represented sum of f64 values.
///
/// ```
/// use trialsim::stats::exact::ExactSum;
/// let mut a = ExactSum::default();
/// for x in [1e16, 1.0, -1e16, 1.0] { a.add(x); }
/// assert_eq!(a.value(), 2.0); // naive left-to-right summation gives 0 or 1
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ExactSum {
    partials: Vec<f64>,
    /// Sum of non-finite values (NaN or infinite), which cannot be represented exactly.
    #[serde(default, skip_serializing_if = "is_zero")]
    special: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl ExactSum {
    /// Add one value.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        let mut x = x;
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        self.partials.push(x);
    }

    /// Add another exact sum.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
        self.special += other.special;
    }

    /// The exact sum, correctly rounded to f64.
    pub fn value(&self) -> f64 {
        if self.special != 0.0 || self.special.is_nan() {
            return self.special;
        }
        let p = &self.partials;
        let mut n = p.len();
        if n == 0 {
            return 0.0;
        }
        n -= 1;
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even correctly when the remaining partials push the tie one way.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_does_not_change_the_bits() {
        let mut x: u64 = 99;
        let vals: Vec<f64> = (0..5000)
            .map(|_| {
                x = crate::rng::splitmix64(x);
                ((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10f64.powi((x % 17) as i32 - 8)
            })
            .collect();
        let mut whole = ExactSum::default();
        for v in &vals {
            whole.add(*v);
        }
        // Same values in three groups, merged in another order.
        let mut parts = [
            ExactSum::default(),
            ExactSum::default(),
            ExactSum::default(),
        ];
        for (i, v) in vals.iter().enumerate() {
            parts[i % 3].add(*v);
        }
        let mut merged = parts[2].clone();
        merged.merge(&parts[0]);
        merged.merge(&parts[1]);
        assert_eq!(whole.value().to_bits(), merged.value().to_bits());
        // math.fsum reference: the correctly rounded sum of 0.1 ten times is 1.0.
        let mut t = ExactSum::default();
        for _ in 0..10 {
            t.add(0.1);
        }
        assert_eq!(t.value(), 1.0);
    }
}
