//! Reference tests: nlme::gls and an independent dense numerical Satterthwaite computation in R
//! (tests/data/mmrm_reference.R; R 4.2.2, nlme 3.1-162, numDeriv 2016.8-1.1), and the ANCOVA special case.

// The reference constants are R's 17 significant digits, kept as printed.
#![allow(clippy::excessive_precision)]

use super::*;
use crate::stats::ols::Ols;

/// Read a wide CSV written by mmrm_reference.R: id, arm, base, y1..yT (NA = missing). Returns
/// covariate rows [1, arm, base] and the responses.
fn read(name: &str) -> (Vec<f64>, Vec<f64>, usize) {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let t = lines.next().unwrap().split(',').count() - 3;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for line in lines {
        let f: Vec<f64> = line
            .split(',')
            .map(|s| s.trim_matches('"').parse().unwrap_or(f64::NAN))
            .collect();
        x.extend([1.0, f[1], f[2]]);
        y.extend(&f[3..3 + t]);
    }
    (x, y, t)
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// Reference values for one fit, printed by `Rscript tests/data/mmrm_reference.R` (R 4, nlme
/// 3.1, numDeriv): `gls_*` straight from `nlme::gls(y ~ 0 + visit + visit:arm + visit:base,
/// correlation = corSymm(form = ~ vis | id), weights = varIdent(form = ~ 1 | visit), method,
/// na.action = na.omit)` (optim BFGS then Nelder-Mead, msTol 1e-15); the others at gls's estimate
/// polished by Newton steps on an independently coded dense likelihood in the same script (gls
/// stops 2e-7 (T = 3) to 4e-6 (T = 4) short in Sigma, the likelihood being flat there), with the
/// Satterthwaite df from that likelihood's observed information (numerical Jacobian of its
/// analytic gradient) and the numerical gradient of the contrast variance.
struct Reference {
    gls_beta: &'static [f64],
    /// Lower triangle of Sigma by row.
    gls_sigma: &'static [f64],
    gls_log_lik: f64,
    beta: &'static [f64],
    /// ML: (X'V^-1X)^-1 itself (nlme's vcov for ML is this times N / (N - P)).
    se: &'static [f64],
    sigma: &'static [f64],
    log_lik: f64,
    /// Per visit: arm estimate, se, Satterthwaite df, t, two-sided p.
    arm: &'static [[f64; 5]],
}

fn check(name: &str, method: Method, r: &Reference) {
    let (x, y, t) = read(name);
    let data = MmrmData {
        y: &y,
        x: &x,
        visits: t,
        covariates: 3,
    };
    let opts = MmrmOptions {
        method,
        ..Default::default()
    };
    let f = fit(&data, &opts).unwrap();
    let np = 3 * t;
    for i in 0..np {
        assert!(
            rel(f.beta[i], r.beta[i]) < 1e-6,
            "beta {i}: {} vs {}",
            f.beta[i],
            r.beta[i]
        );
        assert!(rel(f.beta[i], r.gls_beta[i]) < 1e-5, "gls beta {i}");
        let se = f.beta_cov[i * np + i].sqrt();
        assert!(rel(se, r.se[i]) < 1e-6, "se {i}: {se} vs {}", r.se[i]);
    }
    for a in 0..t {
        for b in 0..=a {
            let got = f.sigma[a * t + b];
            let want = r.sigma[pidx(a, b)];
            assert!(rel(got, want) < 1e-6, "sigma {a},{b}: {got} vs {want}");
            assert!(
                rel(got, r.gls_sigma[pidx(a, b)]) < 1e-5,
                "gls sigma {a},{b}"
            );
            assert_eq!(got, f.sigma[b * t + a]);
        }
    }
    // The maximum is flat: both log-likelihoods agree with ours to ~1e-14.
    assert!(
        rel(f.log_lik, r.log_lik) < 1e-12,
        "loglik {} vs {}",
        f.log_lik,
        r.log_lik
    );
    assert!(
        rel(f.log_lik, r.gls_log_lik) < 1e-12,
        "gls loglik {}",
        r.gls_log_lik
    );
    for (v, want) in r.arm.iter().enumerate() {
        let mut c = vec![0.0; np];
        c[f.coef_index(v, 1)] = 1.0;
        let ts = f.contrast(&c).unwrap();
        let o = f.test_coef(v, 1, Alternative::TwoSided).unwrap();
        assert!(rel(ts.estimate, want[0]) < 1e-6, "est {v}");
        assert!(rel(ts.se, want[1]) < 1e-6, "se {v}");
        // The R df rests on numerical (Richardson) derivatives; they agree to ~1e-9.
        assert!(
            rel(ts.df, want[2]) < 1e-7,
            "df {v}: {} vs {}",
            ts.df,
            want[2]
        );
        assert_eq!((o.estimate, o.df), (ts.estimate, ts.df));
        assert!(rel(o.statistic, want[3]) < 1e-6, "t {v}");
        assert!(rel(o.p, want[4]) < 1e-6, "p {v}: {} vs {}", o.p, want[4]);
    }
}

const MONOTONE_REML: Reference = Reference {
    gls_beta: &[
        -11.52208523370919302,
        -1.97941531636613988,
        0.33444216534787979,
        -8.89020079272410868,
        -3.73543677874810376,
        0.19116900687848504,
        -11.31368220618759146,
        -3.48722055334567793,
        0.17472612984001207,
    ],
    gls_sigma: &[
        10.8616560966929203,
        9.5505438782899787,
        22.0904494157685356,
        2.4210411551950859,
        7.7978898110105215,
        51.2597478280736141,
    ],
    gls_log_lik: -479.83029490850316,
    beta: &[
        -11.52208523370966375,
        -1.97941531636606505,
        0.33444216534789395,
        -8.89020077971664158,
        -3.73543677224981652,
        0.19116900646591162,
        -11.31368216066382004,
        -3.48722055651843332,
        0.17472612886283428,
    ],
    se: &[
        2.570180752827662118,
        0.881095497540364425,
        0.079176852671048362,
        3.734154270293467359,
        1.278309111732230718,
        0.115160278487924136,
        5.816854332609259437,
        2.022388920895231035,
        0.178135873518617843,
    ],
    sigma: &[
        10.8616552630082648,
        9.5505434954945390,
        22.0904506153347526,
        2.4210416203925003,
        7.7978896545712777,
        51.2597468926936486,
    ],
    log_lik: -479.83029490850254,
    arm: &[
        [
            -1.979415316366065,
            0.88109549754036443,
            55.999999849010955,
            -2.2465389074075763,
            0.028630849646013947,
        ],
        [
            -3.7354367722498165,
            1.2783091117322307,
            55.255028792539797,
            -2.92217018400811,
            0.0050273713894270931,
        ],
        [
            -3.4872205565184333,
            2.022388920895231,
            50.585687638232116,
            -1.7243075851972032,
            0.090758964030818179,
        ],
    ],
};

const MONOTONE_ML: Reference = Reference {
    gls_beta: &[
        -11.52208523370909532,
        -1.97941531636615120,
        0.33444216534787768,
        -8.89020081426246023,
        -3.73543678950879565,
        0.19116900756164465,
        -11.31368217664877562,
        -3.48722055863648839,
        0.17472612922544922,
    ],
    gls_sigma: &[
        10.3093676778316361,
        9.0649217309665850,
        20.9299071765172116,
        2.2979374681918543,
        7.3859445800992765,
        48.3684758376991653,
    ],
    gls_log_lik: -480.18515218307527,
    beta: &[
        -11.52208523370823734,
        -1.97941531636627599,
        0.33444216534785148,
        -8.89020077971620282,
        -3.73543677224992177,
        0.19116900646589910,
        -11.31368216066437249,
        -3.48722055651839069,
        0.17472612886285152,
    ],
    se: &[
        2.503984721766192578,
        0.858402531351504461,
        0.077137621230615613,
        3.634669885575137815,
        1.244254586953455144,
        0.112092078544387047,
        5.650402025751903423,
        1.964511058272180977,
        0.173038675865823943,
    ],
    sigma: &[
        10.3093677072620817,
        9.0649226397914351,
        20.9299086985154545,
        2.2979378091861067,
        7.3859443481514093,
        48.3684754481112194,
    ],
    log_lik: -480.18515218307527,
    arm: &[
        [
            -1.979415316366276,
            0.85840253135150446,
            59.000000113621553,
            -2.3059290298804251,
            0.024646729318379551,
        ],
        [
            -3.7354367722499218,
            1.2442545869534551,
            58.287934996266806,
            -3.0021482833317106,
            0.0039432321110383101,
        ],
        [
            -3.4872205565183907,
            1.964511058272181,
            53.604800366774683,
            -1.7751086418345017,
            0.081557578771590811,
        ],
    ],
};

const INTERMITTENT_REML: Reference = Reference {
    gls_beta: &[
        -10.22719944027805639,
        -1.24234053353885243,
        0.26531640014622615,
        -17.08687532108100982,
        -5.49915204402848534,
        0.51153356099264824,
        -27.15975152277844273,
        -3.58794860379238312,
        0.69533560215353618,
        -22.72794491420348351,
        -5.96388319960308433,
        0.43988844689946494,
    ],
    gls_sigma: &[
        18.1402976462019012,
        15.1300929749052298,
        25.4195870430284856,
        10.5667285542770752,
        19.3893288021283325,
        61.3449945182997780,
        2.0383065113891625,
        11.5000680184509498,
        38.4562794874548359,
        52.9046702304050456,
    ],
    gls_log_lik: -365.72518262379288,
    beta: &[
        -10.22719929662855698,
        -1.24234058594191787,
        0.26531639413253522,
        -17.08687520271235272,
        -5.49915198777259384,
        0.51153355537201184,
        -27.15975150082528700,
        -3.58794838600807120,
        0.69533559972877601,
        -22.72794614530697999,
        -5.96388303475252179,
        0.43988847987923019,
    ],
    se: &[
        4.35489637352924053,
        1.40798540443527331,
        0.13659008264231717,
        5.11961865635106150,
        1.68888615169752421,
        0.16188225187225971,
        8.02767254396094643,
        2.75922359733369360,
        0.25252420971006023,
        7.71291811566502705,
        2.55126544748036554,
        0.23946782545243703,
    ],
    sigma: &[
        18.1403005568877944,
        15.1300967774086264,
        25.4195917594751215,
        10.5667332954629742,
        19.3893364481016484,
        61.3449926533603289,
        2.0383135831349386,
        11.5000740923840841,
        38.4562788309271895,
        52.9046669036425570,
    ],
    log_lik: -365.72518262379151,
    arm: &[
        [
            -1.2423405859419179,
            1.4079854044352733,
            33.568634486691643,
            -0.8823533127747204,
            0.38386078565170423,
        ],
        [
            -5.4991519877725938,
            1.6888861516975242,
            33.248900617499764,
            -3.2560821120152568,
            0.0026007514946367752,
        ],
        [
            -3.5879483860080712,
            2.7592235973336936,
            32.142765749435547,
            -1.3003470938256672,
            0.20272895888584877,
        ],
        [
            -5.9638830347525218,
            2.5512654474803655,
            29.776711592691978,
            -2.3376176087997678,
            0.026322860728081175,
        ],
    ],
};

#[test]
fn monotone_reml_matches_gls() {
    check("mmrm_monotone.csv", Method::Reml, &MONOTONE_REML);
}

#[test]
fn monotone_ml_matches_gls() {
    check("mmrm_monotone.csv", Method::Ml, &MONOTONE_ML);
}

/// T = 4, 20 % of visits missing completely at random: many non-monotone patterns.
#[test]
fn intermittent_reml_matches_gls() {
    check("mmrm_intermittent.csv", Method::Reml, &INTERMITTENT_REML);
}

/// With one visit and complete data the MMRM is the ANCOVA `y ~ arm + baseline`: REML's variance
/// is RSS / (n - 3) and the Satterthwaite df is exactly n - 3. Compared with the crate's OLS and
/// one-covariate ANCOVA (both checked against R's lm in their own tests).
#[test]
fn one_visit_equals_ancova() {
    use crate::stats::moments::CoMoments;
    use crate::stats::ttest::ancova;
    let (x, y, t) = read("mmrm_monotone.csv");
    let n = y.len() / t;
    // Visit 1 only; subject 3 has no observation and drops out of both analyses.
    let y1: Vec<f64> = (0..n).map(|i| y[i * t]).collect();
    let f = fit(
        &MmrmData {
            y: &y1,
            x: &x,
            visits: 1,
            covariates: 3,
        },
        &MmrmOptions::default(),
    )
    .unwrap();
    assert_eq!(f.subjects, 59);
    let m = f.test_coef(0, 1, Alternative::TwoSided).unwrap();
    let mut ols = Ols::default();
    ols.reset(1);
    let (mut a, mut b) = (CoMoments::default(), CoMoments::default());
    for i in 0..n {
        ols.push(x[i * 3 + 1] == 1.0, y1[i], &[x[i * 3 + 2]]);
        if !y1[i].is_nan() {
            if x[i * 3 + 1] == 1.0 { &mut a } else { &mut b }.push(x[i * 3 + 2], y1[i]);
        }
    }
    let o = ols.group_effect(Alternative::TwoSided);
    let c = ancova(&a.summary(), &b.summary(), Alternative::TwoSided);
    for r in [o, c] {
        assert!(rel(m.estimate, r.estimate) < 1e-10);
        assert!(rel(m.ci_high - m.estimate, r.ci_high - r.estimate) < 1e-9); // same SE and df
        assert!(rel(m.statistic, r.statistic) < 1e-10);
        assert!(rel(m.df, r.df) < 1e-10, "{} vs {}", m.df, r.df);
        assert!(rel(m.p, r.p) < 1e-9);
    }
    assert_eq!(o.df, 56.0);
}

/// The subject with no visit contributes nothing: dropping it changes nothing; and a reused
/// fitter gives the same answer as a fresh one after fitting other data.
#[test]
fn empty_subject_and_reuse() {
    let (x, y, t) = read("mmrm_monotone.csv");
    let full = fit(
        &MmrmData {
            y: &y,
            x: &x,
            visits: t,
            covariates: 3,
        },
        &MmrmOptions::default(),
    )
    .unwrap();
    assert_eq!((full.subjects, full.observations), (59, 168));
    assert!(y[2 * t..3 * t].iter().all(|v| v.is_nan()));
    let (mut x2, mut y2) = (x.clone(), y.clone());
    x2.drain(6..9);
    y2.drain(2 * t..3 * t);
    let (xi, yi, ti) = read("mmrm_intermittent.csv");
    let mut m = Mmrm::default();
    m.fit(
        &MmrmData {
            y: &yi,
            x: &xi,
            visits: ti,
            covariates: 3,
        },
        &MmrmOptions::default(),
    )
    .unwrap();
    let again = m
        .fit(
            &MmrmData {
                y: &y2,
                x: &x2,
                visits: t,
                covariates: 3,
            },
            &MmrmOptions::default(),
        )
        .unwrap();
    for (a, b) in full.beta.iter().zip(&again.beta) {
        assert!(rel(*a, *b) < 1e-12);
    }
    for (a, b) in full.sigma.iter().zip(&again.sigma) {
        assert!(rel(*a, *b) < 1e-10);
    }
}

#[test]
fn bad_input_is_an_error() {
    let (x, y, t) = read("mmrm_monotone.csv");
    let opts = MmrmOptions::default();
    let run = |y: &[f64], x: &[f64]| {
        fit(
            &MmrmData {
                y,
                x,
                visits: t,
                covariates: 3,
            },
            &opts,
        )
    };
    assert!(matches!(run(&y[1..], &x), Err(MmrmError::Shape { .. })));
    let mut xn = x.clone();
    xn[4 * 3 + 2] = f64::NAN;
    assert!(matches!(
        run(&y, &xn),
        Err(MmrmError::NonFiniteCovariate {
            subject: 4,
            column: 2,
            ..
        })
    ));
    let mut yi = y.clone();
    yi[5] = f64::INFINITY;
    assert!(matches!(
        run(&yi, &x),
        Err(MmrmError::NonFiniteResponse {
            subject: 1,
            visit: 2,
            ..
        })
    ));
    // Three subjects: at most 3 observed at a visit, 4 needed for 3 coefficients and a variance.
    assert_eq!(
        run(&y[..9], &x[..9]).unwrap_err(),
        MmrmError::TooFewSubjects {
            visit: 0,
            observed: 2,
            needed: 4
        }
    );
    // Everyone in one arm: the arm column is collinear with the intercept.
    let mut xa = x.clone();
    for i in 0..xa.len() / 3 {
        xa[i * 3 + 1] = 1.0;
    }
    assert_eq!(
        run(&y, &xa).unwrap_err(),
        MmrmError::SingularDesign { visit: Some(0) }
    );
    // Visits 1 and 3 never observed together.
    let mut yo = y.clone();
    for i in 0..yo.len() / t {
        yo[i * t + if i % 4 < 2 { 0 } else { 2 }] = f64::NAN;
    }
    assert_eq!(
        run(&yo, &x).unwrap_err(),
        MmrmError::NoOverlap {
            first: 0,
            second: 2
        }
    );
    // An iteration limit too small to converge.
    let tight = MmrmOptions {
        max_iter: 1,
        ..Default::default()
    };
    assert!(matches!(
        fit(
            &MmrmData {
                y: &y,
                x: &x,
                visits: t,
                covariates: 3
            },
            &tight
        ),
        Err(MmrmError::NotConverged { iterations: 1, .. })
    ));
    let f = run(&y, &x).unwrap();
    assert!(matches!(
        f.contrast(&[1.0; 3]),
        Err(MmrmError::BadContrast {
            len: 3,
            coefficients: 9
        })
    ));
    assert!(f.test_coef(3, 1, Alternative::TwoSided).is_err());
}
