//! The result rows of an assurance run: the usual diagnosands against the drawn truths, plus
//! assurance in the expected direction and the conditional-power quantiles.

use super::*;

const Z95: f64 = 1.959963984540054;

impl Plan {
    pub(super) fn result(
        &self,
        sizes: &Sizes,
        settings: &RunSettings,
        total: &Block,
    ) -> AssuranceResult {
        let s = &self.base.scenario;
        let mut acc = Accumulator::new(s);
        for b in &total.bins {
            acc.merge(b);
        }
        // The truths the rows are shown against: the mean drawn truth.
        let mean_truths = Truths {
            hypotheses: total
                .side
                .0
                .iter()
                .map(|fs| {
                    fs.iter()
                        .map(|h| {
                            let n = h.n.max(1) as f64;
                            let m = h.sum_truth / n;
                            let var = if h.n > 1 {
                                ((h.sum_truth2 - h.sum_truth * h.sum_truth / n) / (n - 1.0))
                                    .max(0.0)
                            } else {
                                0.0
                            };
                            Truth {
                                value: m,
                                se: (var / n).sqrt(),
                                is_null: h.nonnull == 0,
                                source: "prior_mean",
                            }
                        })
                        .collect()
                })
                .collect(),
            prediction: vec![Default::default(); s.families.len()],
            holdouts: vec![Default::default(); s.families.len()],
        };
        let mut rows = diagnosands(s, sizes, &acc, &mean_truths);
        let template = rows.first().cloned();
        let names: Vec<(String, Vec<String>)> = s
            .families
            .iter()
            .map(|f| (f.name.clone(), s.hypotheses(f)))
            .collect();
        for r in rows.iter_mut() {
            if r.metric == Metric::Power {
                r.metric = Metric::from("assurance");
            }
            if r.metric == Metric::Bias
                && let Some(h) = side_of(&names, &total.side, &r.family, &r.hypothesis)
                && h.err_n > 1
            {
                let n = h.err_n as f64;
                let m = h.sum_err / n;
                let var = ((h.sum_err2 - h.sum_err * h.sum_err / n) / (n - 1.0)).max(0.0);
                let se = (var / n).sqrt();
                (r.value, r.mc_se, r.ci_low, r.ci_high) = (m, se, m - Z95 * se, m + Z95 * se);
            }
        }
        let mut extra = Vec::new();
        if let Some(t) = template {
            let prop = |x: u64, n: u64, family: &str, hyp: &str, metric: &str| {
                let p = x as f64 / n.max(1) as f64;
                let (lo, hi) = crate::stats::fisher::wilson_z(x as f64, n as f64, Z95);
                Row {
                    family: family.into(),
                    hypothesis: hyp.into(),
                    metric: Metric::from(metric),
                    value: p,
                    mc_se: (p * (1.0 - p) / n.max(1) as f64).sqrt(),
                    ci_low: lo,
                    ci_high: hi,
                    reps: n,
                    ..t.clone()
                }
            };
            for ((fam, hyps), fs) in names.iter().zip(&total.side.0) {
                for (h, hs) in hyps.iter().zip(fs) {
                    let point = &self.point_truths.hypotheses
                        [names.iter().position(|(n, _)| n == fam).expect("same plan")];
                    let i = hyps.iter().position(|x| x == h).expect("same plan");
                    if expected_sign(&point[i]) != 0.0 {
                        extra.push(prop(
                            hs.expected_reject,
                            hs.n,
                            fam,
                            h,
                            "assurance_expected_sign",
                        ));
                        extra.push(prop(hs.expected_truth, hs.n, fam, h, "prior_expected_sign"));
                    }
                }
            }
            if total.bins.len() > 1 {
                let per_bin: Vec<Vec<Row>> = total
                    .bins
                    .iter()
                    .map(|b| diagnosands(s, sizes, b, &mean_truths))
                    .collect();
                for r in rows.iter().filter(|r| r.metric.as_str() == "assurance") {
                    let mut vals: Vec<&Row> = per_bin
                        .iter()
                        .filter_map(|rs| {
                            rs.iter().find(|x| {
                                x.metric == Metric::Power
                                    && x.family == r.family
                                    && x.hypothesis == r.hypothesis
                                    && x.value.is_finite()
                            })
                        })
                        .collect();
                    if vals.len() < total.bins.len() {
                        continue;
                    }
                    vals.sort_by(|a, b| a.value.total_cmp(&b.value));
                    for q in QUANTILES {
                        let k = ((q * vals.len() as f64).ceil() as usize).clamp(1, vals.len()) - 1;
                        extra.push(Row {
                            metric: Metric::from(
                                format!("conditional_power_q{:02}", (q * 100.0).round()).as_str(),
                            ),
                            ..vals[k].clone()
                        });
                    }
                }
            }
        }
        rows.extend(extra);
        AssuranceResult {
            sizes: sizes.clone(),
            rows,
            priors: self.priors.clone(),
            reps: settings.reps,
            seed: settings.seed,
            bins: total.bins.len(),
            invalid_draws: total.invalid,
            first_invalid: total.first_invalid.clone(),
            skipped_families: self.skipped.clone(),
        }
    }
}

fn side_of<'a>(
    names: &[(String, Vec<String>)],
    side: &'a Side,
    family: &str,
    hyp: &str,
) -> Option<&'a HypSide> {
    let f = names.iter().position(|(n, _)| n == family)?;
    let h = names[f].1.iter().position(|x| x == hyp)?;
    side.0.get(f)?.get(h)
}
