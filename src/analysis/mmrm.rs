//! Clinical families with `"test": "mmrm"` (docs/model.md, section 3.2b): one mixed model for
//! repeated measures per trial over every post-baseline visit, then the arm contrast at each of
//! the family's visits.
//!
//! The response at visit `v = 1..V-1` is the observed improvement `m0 - m_v` (NaN after dropout);
//! each patient of the two compared arms has the covariate row `[1, arm, adjust...]` (arm = 1 in
//! `arms[0]`; the `adjust` characteristics, default the baseline score, centred at their
//! population centres), and the model gives every covariate its own coefficient at every visit
//! (`change ~ visit + arm:visit + baseline:visit`) with an unstructured covariance
//! ([`crate::stats::mmrm`]). A fit that fails (too few subjects at a visit, no convergence, a
//! covariance heading for singularity) makes every hypothesis of the family untestable.

use crate::model::Cohort;
use crate::scenario::{CovRef, Family, MmrmMethod, Scenario};
use crate::stats::mmrm::{Method, Mmrm, MmrmData, MmrmOptions};
use crate::stats::ttest::TestOutcome;

/// Reusable buffers and fitter for MMRM families (one per worker thread).
#[derive(Debug, Clone, Default)]
pub struct MmrmScratch {
    fitter: Mmrm,
    y: Vec<f64>,
    x: Vec<f64>,
}

impl MmrmScratch {
    /// Fit the family's MMRM to the cohort and write one outcome per visit of the family (its
    /// hypotheses: the `change` endpoint at each visit), arms[0] minus arms[1].
    pub fn outcomes(&mut self, s: &Scenario, c: &Cohort, f: &Family, out: &mut [TestOutcome]) {
        out.fill(TestOutcome::invalid());
        let t = c.n_visits.saturating_sub(1);
        let p = 2 + f.adjust.len();
        self.y.clear();
        self.x.clear();
        let (a1, a2) = f.arms;
        for (k, arm) in [(a1, 1.0), (a2, 0.0)] {
            for i in c.arm_range(k) {
                let m0 = c.score(i, 0);
                if m0.is_nan() {
                    continue;
                }
                let start = self.x.len();
                self.x.extend([1.0, arm]);
                for &cv in &f.adjust {
                    let centre = match cv {
                        CovRef::BaselineScore => s.symptoms.spec.baseline_mean,
                        CovRef::Covariate(j) => s.covariates[j].mean,
                    };
                    self.x.push(c.characteristic(i, cv) - centre);
                }
                if self.x[start..].iter().any(|v| !v.is_finite()) {
                    self.x.truncate(start);
                    continue;
                }
                self.y.extend((1..=t).map(|v| c.observed_improvement(i, v)));
            }
        }
        let method = match f.mmrm.unwrap_or_default().method {
            MmrmMethod::Reml => Method::Reml,
            MmrmMethod::Ml => Method::Ml,
        };
        let opts = MmrmOptions {
            method,
            ..Default::default()
        };
        let data = MmrmData {
            y: &self.y,
            x: &self.x,
            visits: t,
            covariates: p,
        };
        let Ok(fit) = self.fitter.fit(&data, &opts) else {
            return;
        };
        // One hypothesis per (endpoint, visit); an MMRM family has the change endpoint only.
        for (o, &v) in out.iter_mut().zip(&f.visits) {
            if let Ok(r) = fit.test_coef(v - 1, 1, f.alternative)
                && r.p.is_finite()
                && r.estimate.is_finite()
            {
                *o = r;
            }
        }
    }
}
