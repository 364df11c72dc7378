//! Multiplicity adjustment within a family: adjusted p-values exactly as R's `p.adjust`.
//! A hypothesis is rejected when its adjusted p-value is <= alpha. Untestable hypotheses (NaN p)
//! are never rejected and do not count towards the number of tests m.

use crate::scenario::Multiplicity;

/// Adjust `p` in place (NaN entries stay NaN). `order` is scratch space.
///
/// ```
/// use trialsim::analysis::multiplicity::adjust;
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
