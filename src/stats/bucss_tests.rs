//! Tests of the BUCSS sizing. Reference values: the BUCSS package README (R, CRAN BUCSS 1.2.1)
//! and our own independent SciPy implementation, `python3 scripts/reference/bucss.py`
//! (SciPy 1.17.1: scipy.stats.nct with brentq on the truncated distribution function, a different
//! noncentral-t algorithm and root finder from the Rust code). Lines quoted are its output.

use super::*;

fn plan(alpha_prior: Option<f64>, assurance: f64) -> Plan {
    Plan {
        alpha_prior,
        assurance,
        power: 0.8,
        alpha: 0.05,
        max_n: 1_000_000,
        convention: Convention::Exact,
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn bucss_readme_example() {
    // BUCSS README: ss.power.it(t.observed=3, n=c(50, 55), alpha.prior=.05, alpha.planned=.05,
    // power=.80, assurance=.90) "yields a necessary sample size of n1 = n2 = 1482 per group".
    // Our script, BUCSS convention: "BUCSS grid convention, README example: (1482, 0.526)".
    let p = Plan {
        convention: Convention::Bucss,
        max_n: 100_000,
        ..plan(Some(0.05), 0.9)
    };
    let s = bucss(
        &OriginalStudy::TwoSample {
            t: 3.0,
            n1: 50,
            n2: 55,
        },
        &p,
    )
    .unwrap();
    assert_eq!(s.n, 1482);
    assert!(close(s.ncp, 0.526, 1e-12), "{}", s.ncp);
    assert!(s.power_at_n >= 0.8);
    // The man-page example ss.power.it(t.observed=3, n=20, alpha.prior=.05, assurance=.80,
    // power=.80): our script's BUCSS convention gives (130, 1.105).
    let s = bucss(
        &OriginalStudy::TwoSample {
            t: 3.0,
            n1: 20,
            n2: 20,
        },
        &Plan {
            convention: Convention::Bucss,
            ..plan(Some(0.05), 0.8)
        },
    )
    .unwrap();
    assert_eq!(s.n, 130);
    assert!(close(s.ncp, 1.105, 1e-12));
}

#[test]
fn two_sample_exact_matches_scipy() {
    // two_sample(t, n1, n2, alpha_prior, assurance) -> (ncp, d, n_per_group, naive_n), script output:
    let cases = [
        // two_sample (3.0, 50, 55, 0.05, 0.9) (0.5279268932459158, 0.1031578040661092, 1477, 47)
        (
            3.0,
            50,
            55,
            Some(0.05),
            0.9,
            0.5279268932459158,
            0.1031578040661092,
            1477,
            47,
        ),
        // two_sample (3.0, 20, 20, 0.05, 0.8) (1.10502251596596, 0.34943880162222113, 130, 19)
        (
            3.0,
            20,
            20,
            Some(0.05),
            0.8,
            1.10502251596596,
            0.34943880162222113,
            130,
            19,
        ),
        // two_sample (2.02, 17, 17, None, 0.5) (2.003836089538386, 0.6873101084266618, 35, 34)
        (
            2.02,
            17,
            17,
            None,
            0.5,
            2.003836089538386,
            0.6873101084266618,
            35,
            34,
        ),
        // two_sample (2.02, 17, 17, None, 0.8) (1.1320582814685143, 0.38829278714142046, 106, 34)
        (
            2.02,
            17,
            17,
            None,
            0.8,
            1.1320582814685143,
            0.38829278714142046,
            106,
            34,
        ),
        // two_sample (2.5, 30, 30, 0.05, 0.5) (1.3175339517403701, 0.3401858035435533, 137, 39)
        (
            2.5,
            30,
            30,
            Some(0.05),
            0.5,
            1.3175339517403701,
            0.3401858035435533,
            137,
            39,
        ),
    ];
    for (t, n1, n2, ap, asr, ncp, d, n, naive) in cases {
        let s = bucss(&OriginalStudy::TwoSample { t, n1, n2 }, &plan(ap, asr)).unwrap();
        assert!(close(s.ncp, ncp, 1e-8), "t {t}: ncp {} vs {ncp}", s.ncp);
        assert!(close(s.effect, d, 1e-8), "t {t}: d {} vs {d}", s.effect);
        assert_eq!((s.n, s.naive_n), (n, naive), "t {t} {ap:?} {asr}");
        // face value: d = t sqrt(1/n1 + 1/n2)
        let dn = t * (1.0 / n1 as f64 + 1.0 / n2 as f64).sqrt();
        assert!(close(s.naive_effect, dn, 1e-14));
    }
    // A negative t gives the same sizes and a negative effect.
    let s = bucss(
        &OriginalStudy::TwoSample {
            t: -2.02,
            n1: 17,
            n2: 17,
        },
        &plan(None, 0.8),
    )
    .unwrap();
    assert_eq!(s.n, 106);
    assert!(close(s.effect, -0.38829278714142046, 1e-8));
}

#[test]
fn one_sample_and_correlation_match_scipy() {
    // one_sample (3.0, 20, 0.05, 0.8) (0.6525107079744235, 0.1459058299077325, 371, 20)
    // one_sample (2.5, 40, None, 0.8) (1.6092831501237952, 0.25445000772609366, 124, 53)
    for (t, n, ap, ncp, d, m, naive) in [
        (
            3.0,
            20,
            Some(0.05),
            0.6525107079744235,
            0.1459058299077325,
            371,
            20,
        ),
        (
            2.5,
            40,
            None,
            1.6092831501237952,
            0.25445000772609366,
            124,
            53,
        ),
    ] {
        let s = bucss(&OriginalStudy::OneSample { t, n }, &plan(ap, 0.8)).unwrap();
        assert!(close(s.ncp, ncp, 1e-8) && close(s.effect, d, 1e-8), "{s:?}");
        assert_eq!((s.n, s.naive_n), (m, naive));
    }
    // correlation(r, n, alpha_prior, assurance) -> (t, ncp, rho, n, naive_n):
    // correlation (0.4, 50, 0.05, 0.8) (3.023715784073818, 1.249492334848812, 0.17400909854226054, 254, 45)
    // correlation (0.35, 60, None, 0.8) (2.8454992702276516, 1.962801402341746, 0.2456332208236013, 125, 61)
    // correlation (0.5, 30, 0.05, 0.5) (3.0550504633038935, 2.644909864239624, 0.4348466641811947, 36, 28)
    for (r, n, ap, asr, t, ncp, rho, m, naive) in [
        (
            0.4,
            50,
            Some(0.05),
            0.8,
            3.023715784073818,
            1.249492334848812,
            0.17400909854226054,
            254,
            45,
        ),
        (
            0.35,
            60,
            None,
            0.8,
            2.8454992702276516,
            1.962801402341746,
            0.2456332208236013,
            125,
            61,
        ),
        (
            0.5,
            30,
            Some(0.05),
            0.5,
            3.0550504633038935,
            2.644909864239624,
            0.4348466641811947,
            36,
            28,
        ),
    ] {
        let s = bucss(&OriginalStudy::Correlation { r, n }, &plan(ap, asr)).unwrap();
        assert!(close(s.t_observed, t, 1e-13));
        assert!(
            close(s.ncp, ncp, 1e-8) && close(s.effect, rho, 1e-8),
            "{s:?}"
        );
        assert_eq!((s.n, s.naive_n), (m, naive));
        assert_eq!(s.naive_effect, r);
    }
}

#[test]
fn flagship_not_significant_under_truncation() {
    // t(32) = 2.02: scipy 2*t.sf(2.02, 32) = 0.05182178690816787, t.ppf(0.975, 32) = 2.0369333434601016
    let e = bucss(
        &OriginalStudy::TwoSample {
            t: 2.02,
            n1: 17,
            n2: 17,
        },
        &plan(Some(0.05), 0.8),
    )
    .unwrap_err();
    match e {
        BucssError::NotSignificant {
            critical, p, df, ..
        } => {
            assert!(close(critical, 2.0369333434601016, 1e-10));
            assert!(close(p, 0.05182178690816787, 1e-10));
            assert_eq!(df, 32.0);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("not significant"));
    // The face-value answer is still available: 34 per group (script: naive_n 34).
    let (n, d) = naive_sample_size(
        &OriginalStudy::TwoSample {
            t: 2.02,
            n1: 17,
            n2: 17,
        },
        &plan(Some(0.05), 0.8),
    )
    .unwrap();
    assert_eq!(n, 34);
    assert!(close(d, 2.02 * (2.0f64 / 17.0).sqrt(), 1e-14));
}

#[test]
fn zero_corrected_effect_is_unbounded() {
    // two_sample (2.1, 20, 20, 0.05, 0.8) -> ncp 0.0 in the script. F(0) = 1 - p/alpha_prior with
    // p = 2*t.sf(2.1, 38) = 0.04242184294734847: 0.1515631410530306 < 0.8.
    let e = bucss(
        &OriginalStudy::TwoSample {
            t: 2.1,
            n1: 20,
            n2: 20,
        },
        &plan(Some(0.05), 0.8),
    )
    .unwrap_err();
    match e {
        BucssError::Unbounded { cdf_at_zero, .. } => {
            assert!(
                close(cdf_at_zero, 0.1515631410530306, 1e-9),
                "{cdf_at_zero}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cap_and_bad_input_are_errors() {
    let p = Plan {
        max_n: 1000,
        ..plan(Some(0.05), 0.9)
    };
    match bucss(
        &OriginalStudy::TwoSample {
            t: 3.0,
            n1: 50,
            n2: 55,
        },
        &p,
    ) {
        Err(BucssError::BeyondCap {
            max_n,
            power_at_cap,
            ..
        }) => {
            assert_eq!(max_n, 1000);
            assert!(power_at_cap < 0.8 && power_at_cap > 0.05);
        }
        other => panic!("{other:?}"),
    }
    let bad = [
        bucss(
            &OriginalStudy::Correlation { r: 1.0, n: 20 },
            &plan(None, 0.8),
        ),
        bucss(
            &OriginalStudy::TwoSample {
                t: f64::NAN,
                n1: 20,
                n2: 20,
            },
            &plan(None, 0.8),
        ),
        bucss(
            &OriginalStudy::TwoSample {
                t: 3.0,
                n1: 1,
                n2: 1,
            },
            &plan(None, 0.8),
        ),
        bucss(
            &OriginalStudy::TwoSample {
                t: 3.0,
                n1: 20,
                n2: 20,
            },
            &plan(Some(1.5), 0.8),
        ),
        bucss(
            &OriginalStudy::TwoSample {
                t: 3.0,
                n1: 20,
                n2: 20,
            },
            &plan(None, 1.0),
        ),
        bucss(&OriginalStudy::OneSample { t: 3.0, n: 1 }, &plan(None, 0.8)),
    ];
    for r in bad {
        assert!(matches!(r, Err(BucssError::InvalidInput { .. })), "{r:?}");
    }
}

#[test]
fn truncated_cdf_at_zero_is_one_minus_p_over_alpha() {
    // Closed form at delta = 0: (P(|T| <= t) - (1 - a)) / a = 1 - p / a.
    let (t, df, a) = (2.7, 40.0, 0.05);
    let c = t_quantile(1.0 - a / 2.0, df);
    let p = 2.0 * t_sf(t, df);
    assert!(close(
        truncated_cdf(t, df, 0.0, Some(c)),
        1.0 - p / a,
        1e-10
    ));
}
