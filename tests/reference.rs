//! Statistical routines against independent reference values.
//!
//! Sources (recorded so anyone can recompute them):
//! - R 4.x from Debian (`apt-get install r-base-core r-cran-pwr`), script in the comments below,
//!   run as `Rscript ref.R`.
//! - SciPy 1.17.1 / statsmodels 0.15 on Python 3.11 (`pip install scipy statsmodels`).

// Reference values are kept exactly as R and SciPy printed them (17 digits), so they can be
// compared with the tools' output by eye.
#![allow(clippy::excessive_precision)]

use trialsim::stats::{
    Alternative, Multiplicity,
    correlation::{pearson, spearman},
    dist::{nct_cdf, power_correlation_fisher_z, power_two_sample_t, t_quantile, t_sf},
    fisher::fisher_exact,
    moments::{CoMoments, Moments, Summary},
    multiplicity::adjust,
    ttest::{ancova, one_sample, student, welch},
};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300) || (a - b).abs() <= tol
}

/// R: for each table, fisher.test(matrix(c(x1, x2, n1 - x1, n2 - x2), 2), alternative = ...)$p.value
/// (rows = arms, columns = event / no event). Columns: x1, n1, x2, n2, two-sided, greater, less.
const FISHER_R: [(u64, u64, u64, u64, f64, f64, f64); 6] = [
    (
        7,
        17,
        2,
        17,
        0.11753800519095291,
        0.058769002595476454,
        0.99165739710789769,
    ),
    (
        3,
        17,
        9,
        17,
        0.070729151553255501,
        0.99478164143734582,
        0.03536457577662773,
    ),
    (0, 17, 5, 17, 0.044477028347996134, 1.0, 0.02223851417399805),
    (12, 17, 12, 17, 1.0, 0.6460073482320422, 0.64600734823204253),
    (1, 2, 1, 2, 1.0, 0.83333333333333337, 0.83333333333333315),
    (
        40,
        100,
        25,
        100,
        0.034143802314768712,
        0.017071901157384359,
        0.99230804172349663,
    ),
];

#[test]
fn fisher_exact_matches_r() {
    for (x1, n1, x2, n2, two, greater, less) in FISHER_R {
        let t = fisher_exact(x1, n1, x2, n2, Alternative::TwoSided).p;
        let g = fisher_exact(x1, n1, x2, n2, Alternative::Greater).p;
        let l = fisher_exact(x1, n1, x2, n2, Alternative::Less).p;
        assert!(
            close(t, two, 1e-9),
            "two-sided {x1}/{n1} vs {x2}/{n2}: {t} vs R {two}"
        );
        assert!(
            close(g, greater, 1e-9),
            "greater {x1}/{n1} vs {x2}/{n2}: {g} vs R {greater}"
        );
        assert!(
            close(l, less, 1e-9),
            "less {x1}/{n1} vs {x2}/{n2}: {l} vs R {less}"
        );
    }
}

#[test]
fn fisher_exact_edge_cases() {
    // An empty arm cannot be tested; it must say so, not return a number.
    assert!(!fisher_exact(0, 0, 3, 10, Alternative::TwoSided).is_valid());
    // No events anywhere: p = 1 (R: fisher.test(matrix(c(0,0,10,10),2))$p.value = 1).
    assert_eq!(fisher_exact(0, 10, 0, 10, Alternative::TwoSided).p, 1.0);
}

/// R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.5, NA), method)
#[test]
fn multiplicity_matches_r_p_adjust() {
    let p = [0.01, 0.04, 0.03, 0.005, 0.5, f64::NAN];
    let cases = [
        (Multiplicity::Holm, [0.04, 0.09, 0.09, 0.025, 0.5]),
        (Multiplicity::Hochberg, [0.04, 0.08, 0.08, 0.025, 0.5]),
        (Multiplicity::Bh, [0.025, 0.05, 0.05, 0.025, 0.5]),
        (Multiplicity::Bonferroni, [0.05, 0.2, 0.15, 0.025, 1.0]),
        (Multiplicity::None, [0.01, 0.04, 0.03, 0.005, 0.5]),
    ];
    for (m, want) in cases {
        let mut q = p.to_vec();
        adjust(&mut q, m, &mut Vec::new());
        for i in 0..5 {
            assert!(
                close(q[i], want[i], 1e-12),
                "{m:?}[{i}]: {} vs R {}",
                q[i],
                want[i]
            );
        }
        assert!(q[5].is_nan(), "an untestable hypothesis stays untestable");
    }
}

/// SciPy 1.17.1: scipy.stats.nct.cdf(t, df, nc).
#[test]
fn noncentral_t_matches_scipy() {
    let cases = [
        // (t, df, nc, scipy.stats.nct.cdf)
        (2.0, 10.0, 1.5, 0.6591540724421909),
        (
            2.0243941639119702,
            38.0,
            2.5298221281347035,
            0.3066005556827676,
        ),
        (
            -2.0243941639119702,
            38.0,
            2.5298221281347035,
            4.752298149032601e-06,
        ),
        (1.0, 5.0, -1.0, 0.9691926467392498),
        (3.0, 100.0, 3.0, 0.4970345124988867),
        (0.5, 2.0, 0.2, 0.5931728992587156),
        (10.0, 30.0, 8.0, 0.8812134923778832),
    ];
    for (t, df, nc, want) in cases {
        let got = nct_cdf(t, df, nc);
        assert!(
            (got - want).abs() < 1e-9,
            "nct_cdf({t}, {df}, {nc}) = {got}, SciPy {want}"
        );
    }
}

#[test]
fn closed_form_powers_match_r() {
    // R: power.t.test(n = 20, delta = 0.8, strict = TRUE)$power = 0.69340419661538 (strict = TRUE
    // counts both tails, as we do; the default strict = FALSE gives 0.69339944431727).
    assert!((power_two_sample_t(0.8, 20, 20, 0.05) - 0.69340419661538).abs() < 1e-9);
    // pwr::pwr.r.test(n = 50, r = 0.3)$power = 0.57155584186020802 uses a different (Fisher z with
    // bias correction) approximation; ours is the plain Fisher z. They agree to 0.01.
    assert!((power_correlation_fisher_z(0.3, 50, 0.05) - 0.57155584186020802).abs() < 0.01);
}

#[test]
fn t_distribution_matches_scipy() {
    // scipy.stats.t.sf / t.ppf
    assert!((t_sf(2.5, 3.7) - 0.03591101145591339).abs() < 1e-10);
    assert!((t_sf(-1.0, 7.0) - 0.8246916685898963).abs() < 1e-10);
    assert!((t_sf(8.0, 4.0) - 0.0006619484546085836).abs() < 1e-12);
    assert!((t_quantile(0.975, 23.4) - 2.066702665217673).abs() < 1e-8);
    // Huge df: Fisher's expansion. scipy.stats.t.ppf(0.975, 1e7) = 1.959964221767205
    assert!((t_quantile(0.975, 1e7) - 1.959964221767205).abs() < 1e-12);
    // and the tail there: scipy.stats.t.sf(2.5, 1e6) = 0.006209744751081627
    assert!((t_sf(2.5, 1e6) - 0.006209744751081627).abs() < 1e-12);
}

#[test]
fn ancova_matches_r_lm() {
    // R: summary(lm(y ~ g + x)) with x = c(1,2,3,4,1.5,2.5,3.5,5), y = c(2,2.5,4.5,4,1,1.5,3,3.5),
    // g = factor(c(1,1,1,1,0,0,0,0)): g1 estimate 1.48796791443850229, SE 0.38309592745639504,
    // p 0.0115942428245079197.
    let (mut a, mut b) = (CoMoments::default(), CoMoments::default());
    for (x, y) in [(1.0, 2.0), (2.0, 2.5), (3.0, 4.5), (4.0, 4.0)] {
        a.push(x, y);
    }
    for (x, y) in [(1.5, 1.0), (2.5, 1.5), (3.5, 3.0), (5.0, 3.5)] {
        b.push(x, y);
    }
    let r = ancova(&a.summary(), &b.summary(), Alternative::TwoSided);
    assert!((r.estimate - 1.48796791443850229).abs() < 1e-12);
    assert!((r.statistic - 3.88406090432236883).abs() < 1e-10);
    assert!((r.p - 0.0115942428245079197).abs() < 1e-12);
}

#[test]
fn edge_cases_are_untestable_not_nan_results() {
    let two = Summary {
        n: 2.0,
        mean: 1.0,
        var: 0.5,
    };
    let one = Summary {
        n: 1.0,
        mean: 1.0,
        var: f64::NAN,
    };
    let zero_var = Summary {
        n: 5.0,
        mean: 1.0,
        var: 0.0,
    };
    let empty = Moments::default().summary();
    // n = 2 per group is the smallest Welch test (df = 2 here).
    // scipy.stats.ttest_ind([0, 1], [1, 2], equal_var=False): t = -1.414213562373095, p = 0.29289321881345254
    let mut a = Moments::default();
    let mut b = Moments::default();
    for x in [0.0, 1.0] {
        a.push(x);
    }
    for x in [1.0, 2.0] {
        b.push(x);
    }
    let r = welch(&a.summary(), &b.summary(), Alternative::TwoSided);
    assert!((r.statistic + std::f64::consts::SQRT_2).abs() < 1e-12);
    assert!((r.p - 0.29289321881345254).abs() < 1e-10);
    assert!(welch(&two, &two, Alternative::TwoSided).is_valid());
    assert!(!welch(&one, &two, Alternative::TwoSided).is_valid());
    assert!(!welch(&zero_var, &zero_var, Alternative::TwoSided).is_valid());
    assert!(!student(&empty, &two, Alternative::TwoSided).is_valid());
    assert!(!one_sample(&zero_var, Alternative::TwoSided).is_valid());
    assert!(!one_sample(&empty, Alternative::TwoSided).is_valid());
    // All-missing data: every summary is empty and every test untestable.
    let mut c = CoMoments::default();
    c.push(f64::NAN, 1.0);
    assert!(!pearson(&c.summary(), Alternative::TwoSided).is_valid());
    let (mut x, mut y) = (vec![f64::NAN; 5], vec![1.0; 5]);
    assert!(!spearman(&mut x, &mut y, &mut Vec::new(), Alternative::TwoSided).is_valid());
}

#[test]
fn one_sided_alternatives_match_scipy() {
    // scipy.stats.ttest_ind_from_stats(1, 1, 10, 0, 2, 20, equal_var=False, alternative='greater')
    // pvalue = 0.03928979393456694; 'less': 0.9607102060654331
    let a = Summary {
        n: 10.0,
        mean: 1.0,
        var: 1.0,
    };
    let b = Summary {
        n: 20.0,
        mean: 0.0,
        var: 4.0,
    };
    assert!((welch(&a, &b, Alternative::Greater).p - 0.03928979393456694).abs() < 1e-10);
    assert!((welch(&a, &b, Alternative::Less).p - 0.9607102060654331).abs() < 1e-10);
}

#[test]
fn spearman_with_ties_matches_scipy() {
    // scipy.stats.spearmanr([3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8]):
    // statistic = 0.19885368120992467, pvalue = 0.6368617833253286
    let mut x = vec![3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
    let mut y = vec![2.0, 7.0, 1.0, 8.0, 2.0, 8.0, 1.0, 8.0];
    let r = spearman(&mut x, &mut y, &mut Vec::new(), Alternative::TwoSided);
    assert!((r.estimate - 0.19885368120992467).abs() < 1e-12);
    assert!((r.p - 0.6368617833253286).abs() < 1e-10);
}

mod prediction {
    use trialsim::stats::logistic::{Fit, Logistic};
    use trialsim::stats::metrics::{auc, calibration_intercept, calibration_slope};

    const X1: [f64; 12] = [
        0.5, -1.2, 0.3, 1.8, -0.7, 0.9, -0.2, 1.1, -1.5, 0.4, 2.0, -0.9,
    ];
    const X2: [f64; 12] = [
        1.0, 0.2, -0.5, 0.7, -1.1, 0.3, 0.8, -0.4, 0.1, -1.6, 0.6, 0.9,
    ];

    fn design() -> Vec<f64> {
        X1.iter().zip(&X2).flat_map(|(a, b)| [*a, *b]).collect()
    }

    fn labels<const N: usize>(v: [u8; N]) -> Vec<bool> {
        v.iter().map(|&b| b == 1).collect()
    }

    #[test]
    fn logistic_matches_r_glm() {
        // R: coef(glm(y3 ~ x1 + x2, family = binomial)) with y3 = c(1,0,1,1,0,0,1,0,0,1,1,0):
        // -0.25809565291588815, 1.26275005719472766, 0.15823963468196534
        let mut m = Logistic::default();
        assert_eq!(
            m.fit(
                &design(),
                2,
                &labels([1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0]),
                0.0
            ),
            Fit::Converged
        );
        let want = [
            -0.25809565291588815,
            1.26275005719472766,
            0.15823963468196534,
        ];
        for (b, w) in m.beta.iter().zip(want) {
            assert!((b - w).abs() < 1e-8, "{b} vs R {w}");
        }
    }

    #[test]
    fn separation_is_detected_not_reported_as_a_fit() {
        // R's glm on y2 = c(1,0,0,1,0,1,1,0,0,0,1,1) warns "fitted probabilities numerically 0 or 1"
        // and returns coefficients of -15.9, 19.3, 72.3 that grow without bound: the MLE does not exist.
        let mut m = Logistic::default();
        assert_eq!(
            m.fit(
                &design(),
                2,
                &labels([1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1]),
                0.0
            ),
            Fit::Separated
        );
        // A ridge penalty makes the same problem well posed.
        assert_eq!(
            m.fit(
                &design(),
                2,
                &labels([1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1]),
                0.1
            ),
            Fit::Converged
        );
        // One class only cannot be fitted at all.
        assert_eq!(m.fit(&design(), 2, &[true; 12], 0.1), Fit::OneClass);
    }

    #[test]
    fn ridge_logistic_matches_scikit_learn() {
        // scikit-learn 1.9.1: LogisticRegression(C = 1 / (lambda n), tol = 1e-12).fit(X, y2) with
        // lambda = 0.1, n = 12 minimises the same objective (intercept unpenalised):
        // intercept -0.274965058459581, coef 0.6096925820902284, 1.3630571669501022
        let mut m = Logistic::default();
        assert_eq!(
            m.fit(
                &design(),
                2,
                &labels([1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1]),
                0.1
            ),
            Fit::Converged
        );
        let want = [-0.274965058459581, 0.6096925820902284, 1.3630571669501022];
        for (b, w) in m.beta.iter().zip(want) {
            assert!((b - w).abs() < 1e-7, "{b} vs sklearn {w}");
        }
    }

    #[test]
    fn auc_matches_scikit_learn_with_ties() {
        // sklearn.metrics.roc_auc_score(y, s) = 0.68 with ties across classes
        let y = [
            true, false, true, true, false, false, true, false, true, false,
        ];
        let s = [3.0, 3.0, 2.0, 5.0, 1.0, 3.0, 3.0, 2.0, 4.0, 4.0];
        assert!((auc(&s, &y, &mut Vec::new()) - 0.68).abs() < 1e-12);
        // roc_auc_score([0,0,1,1,0,1], [0.1,0.4,0.35,0.8,0.4,0.4]) = 0.6666666666666667
        let y = [false, false, true, true, false, true];
        let s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4];
        assert!((auc(&s, &y, &mut Vec::new()) - 0.6666666666666667).abs() < 1e-12);
        assert!(auc(&s, &[true; 6], &mut Vec::new()).is_nan());
    }

    #[test]
    fn calibration_intercept_matches_statsmodels_glm_with_offset() {
        // Python 3.11, statsmodels 0.14 (fixed data drawn once with numpy seed 20261122):
        //   import numpy as np, statsmodels.api as sm
        //   lp = np.log(p / (1 - p))
        //   sm.GLM(y, np.ones((40, 1)), family=sm.families.Binomial(), offset=lp)
        //     .fit(tol=1e-14).params[0]                       -> -0.20202199602369986
        let p = [
            0.392269, 0.826237, 0.703166, 0.491842, 0.118954, 0.069439, 0.754729, 0.665841,
            0.063349, 0.610739, 0.040485, 0.710327, 0.632582, 0.702381, 0.303395, 0.629148,
            0.351041, 0.11993, 0.58852, 0.568308, 0.476397, 0.501363, 0.263347, 0.428405, 0.335743,
            0.183102, 0.205478, 0.407125, 0.058515, 0.372149, 0.793923, 0.817133, 0.58531,
            0.584511, 0.311524, 0.509757, 0.280026, 0.695828, 0.285665, 0.096996,
        ];
        let y = labels([
            0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0,
            1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        let a = calibration_intercept(&p, &y);
        assert!((a - -0.20202199602369986).abs() < 1e-10, "{a}");
        // One class only: no intercept exists.
        assert!(calibration_intercept(&p, &[false; 40]).is_nan());
    }

    #[test]
    fn calibration_slope_of_perfectly_calibrated_logits_is_one() {
        // If p = logistic(fitted linear predictor of a converged glm), regressing y on logit(p)
        // reproduces slope 1 exactly (the fit is its own recalibration).
        let x: Vec<f64> = X1.to_vec();
        let y = labels([1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0]);
        let mut m = Logistic::default();
        assert_eq!(m.fit(&x, 1, &y, 0.0), Fit::Converged);
        let p: Vec<f64> = x.iter().map(|v| m.predict(&[*v])).collect();
        assert!((calibration_slope(&p, &y) - 1.0).abs() < 1e-8);
    }
}
