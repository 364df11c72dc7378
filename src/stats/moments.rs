//! Sufficient statistics: the tests in this crate need only counts, means and (co)variances, so data
//! are reduced to these first. Sums are taken about the first value seen (a shifted one-pass
//! algorithm), which keeps the precision of a two-pass variance for data far from zero, such as SUVR
//! values near 1 with SD 0.05.

/// Count, mean and variance of one sample.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    /// Number of values.
    pub n: f64,
    /// Mean.
    pub mean: f64,
    /// Sample variance (denominator n - 1); NaN when n < 2.
    pub var: f64,
}

/// Accumulates a [`Summary`].
///
/// ```
/// use trialsim::stats::moments::Moments;
/// let mut m = Moments::default();
/// for x in [1.0, 2.0, 4.0] { m.push(x); }
/// let s = m.summary();
/// assert_eq!(s.n, 3.0);
/// assert!((s.mean - 7.0 / 3.0).abs() < 1e-15);
/// assert!((s.var - 7.0 / 3.0).abs() < 1e-14);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Moments {
    n: f64,
    k: f64,
    s1: f64,
    s2: f64,
}

impl Moments {
    /// Add a value (NaN values are skipped: missing).
    #[inline]
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        if self.n == 0.0 {
            self.k = x;
        }
        let d = x - self.k;
        self.n += 1.0;
        self.s1 += d;
        self.s2 += d * d;
    }

    /// Add another accumulator's values (as if they had been pushed here).
    ///
    /// ```
    /// use trialsim::stats::moments::Moments;
    /// let (mut a, mut b, mut all) = (Moments::default(), Moments::default(), Moments::default());
    /// for x in [1.0, 2.0, 4.0] { a.push(x); all.push(x); }
    /// for x in [10.0, 7.0] { b.push(x); all.push(x); }
    /// a.merge(&b);
    /// assert!((a.summary().var - all.summary().var).abs() < 1e-12);
    /// ```
    pub fn merge(&mut self, o: &Moments) {
        if o.n == 0.0 {
            return;
        }
        if self.n == 0.0 {
            *self = *o;
            return;
        }
        // Re-express o's sums about this accumulator's shift: d' = d + delta.
        let delta = o.k - self.k;
        self.s2 += o.s2 + 2.0 * delta * o.s1 + o.n * delta * delta;
        self.s1 += o.s1 + o.n * delta;
        self.n += o.n;
    }

    /// The summary so far.
    pub fn summary(&self) -> Summary {
        let n = self.n;
        let mean = if n > 0.0 {
            self.k + self.s1 / n
        } else {
            f64::NAN
        };
        let var = if n > 1.0 {
            ((self.s2 - self.s1 * self.s1 / n) / (n - 1.0)).max(0.0)
        } else {
            f64::NAN
        };
        Summary { n, mean, var }
    }
}

/// Counts, means and centred sums of squares and cross-products of paired data.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BiSummary {
    /// Number of complete pairs.
    pub n: f64,
    /// Mean of x.
    pub mx: f64,
    /// Mean of y.
    pub my: f64,
    /// Sum of (x - mx)^2.
    pub sxx: f64,
    /// Sum of (y - my)^2.
    pub syy: f64,
    /// Sum of (x - mx)(y - my).
    pub sxy: f64,
}

/// Accumulates a [`BiSummary`]; pairs with a missing member are skipped.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoMoments {
    n: f64,
    kx: f64,
    ky: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

impl CoMoments {
    /// Add a pair.
    #[inline]
    pub fn push(&mut self, x: f64, y: f64) {
        if x.is_nan() || y.is_nan() {
            return;
        }
        if self.n == 0.0 {
            self.kx = x;
            self.ky = y;
        }
        let (dx, dy) = (x - self.kx, y - self.ky);
        self.n += 1.0;
        self.sx += dx;
        self.sy += dy;
        self.sxx += dx * dx;
        self.syy += dy * dy;
        self.sxy += dx * dy;
    }

    /// Add another accumulator's pairs (as if they had been pushed here).
    pub fn merge(&mut self, o: &CoMoments) {
        if o.n == 0.0 {
            return;
        }
        if self.n == 0.0 {
            *self = *o;
            return;
        }
        let (dx, dy) = (o.kx - self.kx, o.ky - self.ky);
        self.sxx += o.sxx + 2.0 * dx * o.sx + o.n * dx * dx;
        self.syy += o.syy + 2.0 * dy * o.sy + o.n * dy * dy;
        self.sxy += o.sxy + dy * o.sx + dx * o.sy + o.n * dx * dy;
        self.sx += o.sx + o.n * dx;
        self.sy += o.sy + o.n * dy;
        self.n += o.n;
    }

    /// The summary so far.
    pub fn summary(&self) -> BiSummary {
        let n = self.n;
        if n == 0.0 {
            return BiSummary::EMPTY;
        }
        BiSummary {
            n,
            mx: self.kx + self.sx / n,
            my: self.ky + self.sy / n,
            sxx: (self.sxx - self.sx * self.sx / n).max(0.0),
            syy: (self.syy - self.sy * self.sy / n).max(0.0),
            sxy: self.sxy - self.sx * self.sy / n,
        }
    }
}

impl BiSummary {
    /// No data.
    pub const EMPTY: BiSummary = BiSummary {
        n: 0.0,
        mx: f64::NAN,
        my: f64::NAN,
        sxx: f64::NAN,
        syy: f64::NAN,
        sxy: f64::NAN,
    };

    /// Summary of y alone.
    pub fn y(&self) -> Summary {
        Summary {
            n: self.n,
            mean: self.my,
            var: if self.n > 1.0 {
                self.syy / (self.n - 1.0)
            } else {
                f64::NAN
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_sums_keep_precision_far_from_zero() {
        // Values 1e9 + {1, 2, 4}: the naive sum of squares would lose every digit of the variance.
        let mut m = Moments::default();
        for x in [1.0, 2.0, 4.0] {
            m.push(1e9 + x);
        }
        assert!((m.summary().var - 7.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn comoments_merge_equals_pushing_everything() {
        let pairs = [
            (1.0, 2.0),
            (2.0, 1.5),
            (3.5, 4.0),
            (10.0, -1.0),
            (4.0, 4.5),
            (6.0, 0.5),
        ];
        let (mut a, mut b, mut all) = (
            CoMoments::default(),
            CoMoments::default(),
            CoMoments::default(),
        );
        for (i, (x, y)) in pairs.iter().enumerate() {
            if i < 2 {
                a.push(*x, *y)
            } else {
                b.push(*x, *y)
            }
            all.push(*x, *y);
        }
        a.merge(&b);
        let (m, w) = (a.summary(), all.summary());
        for (u, v) in [
            (m.mx, w.mx),
            (m.my, w.my),
            (m.sxx, w.sxx),
            (m.syy, w.syy),
            (m.sxy, w.sxy),
        ] {
            assert!((u - v).abs() < 1e-12, "{u} vs {v}");
        }
    }

    #[test]
    fn missing_values_are_skipped() {
        let mut c = CoMoments::default();
        c.push(1.0, 2.0);
        c.push(f64::NAN, 5.0);
        c.push(3.0, 6.0);
        let s = c.summary();
        assert_eq!(s.n, 2.0);
        assert_eq!((s.mx, s.my, s.sxx, s.syy, s.sxy), (2.0, 4.0, 2.0, 8.0, 4.0));
    }
}
