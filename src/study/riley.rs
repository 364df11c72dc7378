//! Riley et al.'s closed-form minimum sample size for a prediction family, beside the simulated
//! answer: the same outcome, prevalence and candidate predictors, with the family's best
//! achievable AUC as the anticipated C-statistic.

use super::Study;
use crate::error::{RunError, Setting};
use crate::model::exact::symptom_truth;
use crate::montecarlo::truth::{self, PredictionTruth};
use crate::scenario::{Endpoint, Scenario};
use crate::stats::quad::integrate;
use crate::stats::riley::{RileyError, RileyInput, RileySize, cstat_to_r2_cs, riley_binary};
use serde::Serialize;

/// Riley et al.'s minimum development sample for one prediction family (pmsampsize's three
/// criteria for a binary outcome: expected shrinkage >= 0.9, optimism in Nagelkerke R^2 <= 0.05,
/// overall risk within 0.05; Riley et al., Stat Med 2019; 38:1276 and BMJ 2020; 368:m441).
#[derive(Debug, Clone, Serialize)]
pub struct RileyAnswer {
    /// Family name.
    pub family: String,
    /// Arm whose patients are predicted.
    pub arm: String,
    /// `response` or `remission`.
    pub outcome: &'static str,
    /// Outcome prevalence in that arm (exact sum over the baseline score).
    pub prevalence: f64,
    /// Candidate predictor parameters (the family's feature columns).
    pub parameters: usize,
    /// Anticipated C-statistic: the best achievable AUC of the features.
    pub c_statistic: f64,
    /// Its standard error (0 when exact).
    pub c_statistic_se: f64,
    /// Anticipated Cox-Snell R^2 from the C-statistic (Riley, Van Calster & Collins 2021).
    pub r2_cs: f64,
    /// Minimum number of patients of the arm with outcome data (the largest of the three
    /// criteria), and each criterion's number.
    pub n_development: u64,
    /// Criteria 1 (shrinkage), 2 (optimism), 3 (overall risk).
    pub criteria: [u64; 3],
    /// Expected events at that size.
    pub events: f64,
    /// Events per candidate parameter.
    pub epp: f64,
    /// Share of all patients allocated to the arm.
    pub arm_share: f64,
    /// Expected share of the arm's patients who complete (1 - marginal dropout).
    pub completion: f64,
    /// Approximate patients in the whole trial that give `n_development` completers in the arm
    /// (n_development / (arm_share x completion), rounded up; failed scans ignored).
    pub patients_total: u64,
}

impl RileyAnswer {
    /// One sentence for a planner.
    pub fn sentence(&self) -> String {
        format!(
            "Riley et al. (2019) closed form for '{}': at least {} {} patients with outcome data \
             (criteria: shrinkage {}, optimism {}, overall risk {}; {:.1} events per candidate \
             parameter), i.e. about {} patients in the trial; inputs: {} prevalence {:.3}, {} \
             candidate parameters, C-statistic {:.3} (the features' best achievable AUC), \
             Cox-Snell R^2 {:.3}.",
            self.family,
            self.n_development,
            self.arm,
            self.criteria[0],
            self.criteria[1],
            self.criteria[2],
            self.epp,
            self.patients_total,
            self.outcome,
            self.prevalence,
            self.parameters,
            self.c_statistic,
            self.r2_cs
        )
    }
}

/// Expected completion of an arm: 1 - E[expit(logit(d) + b Z)], Z standard normal (the model's
/// improvement-dependent dropout), by quadrature.
fn completion(dropout: f64, log_or: f64) -> f64 {
    if log_or == 0.0 || dropout == 0.0 {
        return 1.0 - dropout;
    }
    let logit = (dropout / (1.0 - dropout)).ln();
    let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let p = integrate(
        |z| phi(z) / (1.0 + (-(logit + log_or * z)).exp()),
        -12.0,
        12.0,
        1e-12,
    );
    1.0 - p.value
}

/// Riley's answer for family `fi` of `s` given its prediction truth (from a run's truths).
pub fn riley_answer(
    s: &Scenario,
    fi: usize,
    truth: &PredictionTruth,
) -> Result<RileyAnswer, RileyError> {
    let f = &s.families[fi];
    let Some(cfg) = &f.prediction else {
        return Err(RileyError::Parameters(0));
    };
    let st = symptom_truth(s, cfg.arm, cfg.visit);
    let (outcome, prevalence) = match cfg.target {
        Endpoint::Remission => ("remission", st.remission),
        _ => ("response", st.response),
    };
    let parameters = cfg.n_features();
    let r2_cs = cstat_to_r2_cs(truth.auc_optimal, prevalence)?;
    let size: RileySize = riley_binary(&RileyInput::new(r2_cs, parameters, prevalence))?;
    let arm = &s.arms[cfg.arm];
    let total_ratio: f64 = s.arms.iter().map(|a| a.ratio).sum();
    let arm_share = arm.ratio / total_ratio;
    let completion = completion(arm.dropout, arm.dropout_log_or);
    let patients_total = (size.n as f64 / (arm_share * completion)).ceil() as u64;
    Ok(RileyAnswer {
        family: f.name.clone(),
        arm: arm.name.clone(),
        outcome,
        prevalence,
        parameters,
        c_statistic: truth.auc_optimal,
        c_statistic_se: truth.auc_optimal_se,
        r2_cs,
        n_development: size.n,
        criteria: size.criteria.map(|c| c.n),
        events: size.events,
        epp: size.epp,
        arm_share,
        completion,
        patients_total,
    })
}

impl Study {
    /// Riley et al.'s closed-form minimum sample size for the prediction family `family`
    /// (computes the family's truths first; see [`riley_answer`]).
    ///
    /// ```
    /// let study = trialsim::Study::load("ketamine-ampar-2026").unwrap();
    /// let r = study.riley("prediction").unwrap();
    /// assert!(r.n_development >= r.criteria[0]);
    /// assert!(r.sentence().contains("Riley"));
    /// ```
    pub fn riley(&self, family: &str) -> Result<RileyAnswer, RunError> {
        let s = self.scenario();
        let fi = s
            .families
            .iter()
            .position(|f| f.name == family && f.prediction.is_some())
            .ok_or_else(|| {
                let names: Vec<&str> = s
                    .families
                    .iter()
                    .filter(|f| f.prediction.is_some())
                    .map(|f| f.name.as_str())
                    .collect();
                RunError::setting(
                    Setting::Criterion,
                    format!(
                        "no prediction family '{family}' (prediction families: {})",
                        names.join(", ")
                    ),
                )
            })?;
        let t = truth::truths(s);
        riley_answer(s, fi, &t.prediction[fi])
            .map_err(|e| RunError::setting(Setting::Criterion, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_without_informative_dropout_is_one_minus_dropout() {
        assert!((completion(0.2, 0.0) - 0.8).abs() < 1e-15);
    }

    #[test]
    fn completion_matches_logit_normal_integral() {
        // SciPy: from scipy import integrate, stats, special
        // 1 - integrate.quad(lambda z: stats.norm.pdf(z) * special.expit(special.logit(0.2)
        //     + 0.7 * z), -40, 40, epsabs=1e-14)[0]  -> 0.7891357417...
        let c = completion(0.2, 0.7);
        assert!((c - REF_COMPLETION).abs() < 1e-9, "{c}");
    }
    const REF_COMPLETION: f64 = 0.7789303584366581;
}
