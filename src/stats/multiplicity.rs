//! Multiplicity adjustment within a family: adjusted p-values exactly as R's `p.adjust`.
//! A hypothesis is rejected when its adjusted p-value is <= alpha. Untestable hypotheses (NaN p)
//! are never rejected and do not count towards the number of tests m.

use super::Multiplicity;

/// Adjust `p` in place (NaN entries stay NaN). `order` is scratch space.
///
/// ```
/// use trialsim::stats::multiplicity::adjust;
/// use trialsim::scenario::Multiplicity;
/// let mut p = vec![0.01, 0.04, 0.03, 0.005];
/// adjust(&mut p, Multiplicity::Holm, &mut Vec::new());
/// // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
/// assert_eq!(p.iter().map(|x| (x * 1e12).round() / 1e12).collect::<Vec<_>>(), vec![0.03, 0.06, 0.06, 0.02]);
/// ```
pub fn adjust(p: &mut [f64], method: Multiplicity, order: &mut Vec<usize>) {
    order.clear();
    order.extend((0..p.len()).filter(|&i| p[i].is_finite()));
    let m = order.len();
    if m == 0 {
        return;
    }
    let mf = m as f64;
    match method {
        Multiplicity::None => {}
        Multiplicity::Bonferroni => {
            for &i in order.iter() {
                p[i] = (p[i] * mf).min(1.0);
            }
        }
        Multiplicity::Holm => {
            // ascending; adj_(k) = max_{j<=k} (m - j + 1) p_(j)
            order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
            let mut run: f64 = 0.0;
            for (k, &i) in order.iter().enumerate() {
                run = run.max(((mf - k as f64) * p[i]).min(1.0));
                p[i] = run;
            }
        }
        Multiplicity::Hochberg => {
            // descending; adj_(k) = min_{j>=k} (m - j + 1) p_(j)
            order.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(b.cmp(&a)));
            let mut run: f64 = 1.0;
            for (k, &i) in order.iter().enumerate() {
                // k-th largest has rank m - k (1-based ascending), multiplier m - rank + 1 = k + 1
                run = run.min(((k as f64 + 1.0) * p[i]).min(1.0));
                p[i] = run;
            }
        }
        Multiplicity::Bh => {
            // descending; adj_(i) = min_{j>=i} m / j p_(j)
            order.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(b.cmp(&a)));
            let mut run: f64 = 1.0;
            for (k, &i) in order.iter().enumerate() {
                let rank = mf - k as f64;
                run = run.min((mf / rank * p[i]).min(1.0));
                p[i] = run;
            }
        }
    }
}

/// The p-value levels a procedure compares against, ascending, for `m` testable hypotheses: a
/// rejection depends only on which of these levels each p-value is at or below.
///
/// ```
/// use trialsim::stats::multiplicity::levels;
/// use trialsim::scenario::Multiplicity;
/// assert_eq!(levels(Multiplicity::Holm, 4, 0.05), vec![0.0125, 0.05 / 3.0, 0.025, 0.05]);
/// assert_eq!(levels(Multiplicity::Bh, 2, 0.05), vec![0.025, 0.05]);
/// ```
pub fn levels(method: Multiplicity, m: usize, alpha: f64) -> Vec<f64> {
    let mf = m.max(1) as f64;
    match method {
        Multiplicity::None => vec![alpha],
        Multiplicity::Bonferroni => vec![alpha / mf],
        Multiplicity::Holm | Multiplicity::Hochberg => {
            (0..m.max(1)).map(|j| alpha / (mf - j as f64)).collect()
        }
        Multiplicity::Bh => (1..=m.max(1)).map(|j| j as f64 * alpha / mf).collect(),
    }
}

/// Rejections from brackets: `bracket[i]` is the index of the smallest level of
/// [`levels`]`(method, m, alpha)` that p_i does not exceed (the number of levels if it exceeds
/// them all), `None` for an untestable hypothesis. Holm, Hochberg and BH are threshold-count
/// procedures: with N_j the number of p-values at or below level j, they reject the R smallest
/// p-values, R from the counts alone (Holm: the first k with N_{k-1} < k, minus one; Hochberg and
/// BH: the largest k with N_{k-1} >= k), and those are exactly the p-values at or below level R-1.
pub fn reject_from_brackets(method: Multiplicity, bracket: &[Option<usize>], out: &mut [bool]) {
    let m = bracket.iter().filter(|b| b.is_some()).count();
    out.fill(false);
    if m == 0 {
        return;
    }
    match method {
        Multiplicity::None | Multiplicity::Bonferroni => {
            for (o, b) in out.iter_mut().zip(bracket) {
                *o = *b == Some(0);
            }
        }
        Multiplicity::Holm | Multiplicity::Hochberg | Multiplicity::Bh => {
            // counts[j] = N_j, the number of p-values at or below level j.
            // On the stack for the usual family sizes (this runs once per simulated trial).
            let (mut stack, mut heap) = ([0usize; 64], Vec::new());
            let counts: &mut [usize] = if m <= stack.len() {
                &mut stack[..m]
            } else {
                heap.resize(m, 0);
                &mut heap
            };
            for &j in bracket.iter().flatten() {
                if j < m {
                    counts[j] += 1;
                }
            }
            for j in 1..m {
                counts[j] += counts[j - 1];
            }
            let r = if method == Multiplicity::Holm {
                (1..=m).find(|&k| counts[k - 1] < k).map_or(m, |k| k - 1)
            } else {
                (1..=m).rev().find(|&k| counts[k - 1] >= k).unwrap_or(0)
            };
            if r > 0 {
                for (o, b) in out.iter_mut().zip(bracket) {
                    *o = matches!(b, Some(j) if *j < r);
                }
            }
        }
    }
}
