//! Tests of [`super`] against R 4.2.2's `wilcox.test`.
//!
//! Reference values: R 4.2.2 (2022-11-10), script below (run with `Rscript`); `lo`/`hi` are R's
//! interval ends; for the normal approximation they are R's `uniroot` ends recomputed with
//! `tol.root = 1e-13` and snapped to the nearest pairwise difference (they are within 1e-12 of
//! one), because the limits are jump points of a step function (see the module doc). `r_lo`/`r_hi`
//! are R's ends with the default `tol.root = 1e-4`.
//!
//! ```r
//! snap <- function(v, d) if (is.finite(v)) d[which.min(abs(d - v))] else v
//! ref <- function(name, x, y) {   # prints one `Case` below
//!   d <- sort(outer(x, y, "-")); r0 <- suppressWarnings(wilcox.test(x, y))
//!   # exact = grepl("exact", r0$method); hl = median(d)
//!   for (alt in c("two.sided", "greater", "less")) {
//!     r <- suppressWarnings(wilcox.test(x, y, alternative = alt, conf.int = TRUE))
//!     ct <- suppressWarnings(wilcox.test(x, y, alternative = alt, conf.int = TRUE,
//!                                        tol.root = 1e-13))$conf.int
//!     # w = r$statistic, p = r$p.value, r_est = r$estimate, lo = snap(ct[1], d),
//!     # hi = snap(ct[2], d), r_lo = r$conf.int[1], r_hi = r$conf.int[2]  (sprintf "%.17g")
//!   }
//! }
//! set.seed(17)
//! x1 <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46); y1 <- c(1.15, 0.88, 0.90, 0.74, 1.21)
//! x2 <- round(rnorm(12, 1), 4); y2 <- round(rnorm(15), 4)
//! x3 <- c(3, 5, 5, 8, 2, 7, 5, 9); y3 <- c(1, 3, 3, 4, 6, 2, 0, 3, 4)
//! x4 <- round(rnorm(60, 0.3), 6); y4 <- round(rexp(55), 6)
//! x5 <- sample(0:20, 70, TRUE); y5 <- sample(2:24, 65, TRUE)
//! x6 <- round(rnorm(49, 0.5), 5); y6 <- c(-0.2, 0.4, 1.1)
//! x7 <- c(2.5); y7 <- c(1.0, 3.0, 0.5, 4.2)
//! ref(..., x1, y1); ...; ref(..., x7, y7)
//! ```

// The data and R output are pasted at full (17-digit) precision.
#![allow(clippy::excessive_precision)]

use super::*;

const INF: f64 = f64::INFINITY;

struct Row {
    w: f64,
    p: f64,
    r_est: f64,
    lo: f64,
    hi: f64,
    r_lo: f64,
    r_hi: f64,
}

struct Case {
    name: &'static str,
    x: &'static [f64],
    y: &'static [f64],
    exact: bool,
    hl: f64,
    rows: [Row; 3],
}

const ALTS: [Alternative; 3] = [
    Alternative::TwoSided,
    Alternative::Greater,
    Alternative::Less,
];

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case {
        name: "R help (Hollander & Wolfe), exact",
        x: &[0.80000000000000004, 0.82999999999999996, 1.8899999999999999, 1.04, 1.45, 1.3799999999999999, 1.9099999999999999, 1.6399999999999999, 0.72999999999999998, 1.46],
        y: &[1.1499999999999999, 0.88, 0.90000000000000002, 0.73999999999999999, 1.21],
        exact: true,
        hl: 0.30500000000000005,
        rows: [
            Row { w: 35.0, p: 0.2544122544122544, r_est: 0.30500000000000005, lo: -0.15000000000000002, hi: 0.7599999999999999, r_lo: -0.15000000000000002, r_hi: 0.7599999999999999 },
            Row { w: 35.0, p: 0.1272061272061272, r_est: 0.30500000000000005, lo: -0.07999999999999996, hi: INF, r_lo: -0.07999999999999996, r_hi: INF },
            Row { w: 35.0, p: 0.89676989676989671, r_est: 0.30500000000000005, lo: -INF, hi: 0.71999999999999997, r_lo: -INF, r_hi: 0.71999999999999997 },
        ],
    },
    Case {
        name: "exact 12 vs 15",
        x: &[-0.014999999999999999, 0.9204, 0.76700000000000002, 0.1827, 1.7721, 0.83440000000000003, 1.9729000000000001, 2.7164999999999999, 1.2552000000000001, 1.3666, 2.1808000000000001, 1.6432],
        y: &[1.2952999999999999, 0.18790000000000001, 1.5911999999999999, -0.055199999999999999, 0.83850000000000002, 0.15939999999999999, 0.626, 0.63360000000000005, 0.68100000000000005, -0.68200000000000005, -0.72330000000000005, 1.6735, -0.5958, 1.1597999999999999, 0.1174],
        exact: true,
        hl: 0.80384999999999995,
        rows: [
            Row { w: 140.0, p: 0.013871487690305835, r_est: 0.80384999999999995, lo: 0.13339999999999996, hi: 1.5164, r_lo: 0.13339999999999996, r_hi: 1.5164 },
            Row { w: 140.0, p: 0.0069357438451529176, r_est: 0.80384999999999995, lo: 0.20840000000000003, hi: INF, r_lo: 0.20840000000000003, r_hi: INF },
            Row { w: 140.0, p: 0.99403981624334303, r_est: 0.80384999999999995, lo: -INF, hi: 1.4490000000000001, r_lo: -INF, r_hi: 1.4490000000000001 },
        ],
    },
    Case {
        name: "ties, small: normal",
        x: &[3.0, 5.0, 5.0, 8.0, 2.0, 7.0, 5.0, 9.0],
        y: &[1.0, 3.0, 3.0, 4.0, 6.0, 2.0, 0.0, 3.0, 4.0],
        exact: false,
        hl: 2.0,
        rows: [
            Row { w: 58.0, p: 0.036669534093082684, r_est: 2.0000369856563709, lo: 0.0, hi: 5.0, r_lo: 3.7160192395669549e-05, r_hi: 5.0000553839877089 },
            Row { w: 58.0, p: 0.018334767046541342, r_est: 2.0000369856563709, lo: 1.0, hi: INF, r_lo: 0.99994652694212371, r_hi: INF },
            Row { w: 58.0, p: 0.98561438560871939, r_est: 2.0000369856563709, lo: -INF, hi: 5.0, r_lo: -INF, r_hi: 4.999963168253557 },
        ],
    },
    Case {
        name: "60 vs 55 no ties: normal",
        x: &[0.55922099999999997, 0.68236200000000002, -0.41148200000000001, -0.87756999999999996, -0.66016699999999995, -0.57895200000000002, -3.2561360000000001, -1.1167499999999999, -0.14876900000000001, -0.475968, -0.53182799999999997, 0.35182999999999998, -0.31655100000000003, 0.55439700000000003, -0.031519999999999999, 0.093681, 1.5153369999999999, 2.192056, 0.37419400000000003, 2.0516960000000002, 0.068513000000000004, 0.84345199999999998, -0.68900099999999997, 0.61553100000000005, 2.742327, 0.84969300000000003, 0.27075700000000003, -0.530783, 1.5464340000000001, -1.075755, -0.031108, 1.2809109999999999, 2.4907710000000001, 0.33054600000000001, -0.48551699999999998, 0.62544100000000002, -0.58084400000000003, 0.50932599999999995, 0.45103300000000002, -0.043478999999999997, 1.205878, 1.218955, -0.25598700000000002, 0.86023499999999997, -1.492418, -1.265417, -3.0203190000000002, 0.45472200000000002, -0.064627000000000004, -2.1336840000000001, 0.63646400000000003, -0.34045300000000001, 2.1211199999999999, -1.5467230000000001, 0.94171700000000003, 1.485525, 0.122312, -0.98612599999999995, 0.76345099999999999, 1.180666],
        y: &[0.110883, 0.31853900000000002, 1.108387, 0.220193, 0.033931000000000003, 1.6765270000000001, 0.47384100000000001, 0.29011900000000002, 3.1762890000000001, 0.35155500000000001, 1.223338, 0.38844099999999998, 1.0104690000000001, 0.38373800000000002, 1.4129339999999999, 0.86217699999999997, 1.01484, 0.26904800000000001, 0.26983099999999999, 0.22636200000000001, 0.20516000000000001, 0.833229, 0.103745, 0.21820400000000001, 0.053477999999999998, 2.4854189999999998, 0.41275299999999998, 0.055708000000000001, 0.55617700000000003, 1.000505, 0.12637599999999999, 1.376803, 0.77150399999999997, 2.6404730000000001, 0.080708000000000002, 1.2314769999999999, 0.384544, 1.574478, 0.26134200000000002, 2.2913060000000001, 1.11497, 0.71460000000000001, 0.33285599999999999, 0.77584600000000004, 0.055944000000000001, 0.99776500000000001, 3.08928, 2.7880259999999999, 0.35537299999999999, 3.9239190000000002, 1.6291370000000001, 1.329339, 0.70280600000000004, 3.1676340000000001, 1.889877],
        exact: false,
        hl: -0.70069200000000009,
        rows: [
            Row { w: 991.0, p: 0.00022700947706542598, r_est: -0.70075227489066982, lo: -1.046457, hi: -0.35285100000000003, r_lo: -1.0464541984370213, r_hi: -0.35281641629605665 },
            Row { w: 991.0, p: 0.99988896594693721, r_est: -0.70075227489066982, lo: -0.99267300000000003, hi: INF, r_lo: -0.99270644938585018, r_hi: INF },
            Row { w: 991.0, p: 0.00011350473853271299, r_est: -0.70075227489066982, lo: -INF, hi: -0.39725900000000003, r_lo: -INF, r_hi: -0.39728972779395655 },
        ],
    },
    Case {
        name: "70 vs 65 integer ties: normal",
        x: &[9.0, 9.0, 3.0, 5.0, 12.0, 8.0, 6.0, 13.0, 20.0, 20.0, 1.0, 12.0, 20.0, 15.0, 4.0, 17.0, 10.0, 10.0, 6.0, 3.0, 18.0, 1.0, 15.0, 7.0, 11.0, 11.0, 9.0, 15.0, 10.0, 12.0, 4.0, 0.0, 9.0, 10.0, 11.0, 11.0, 8.0, 11.0, 15.0, 10.0, 12.0, 13.0, 13.0, 17.0, 11.0, 12.0, 17.0, 19.0, 0.0, 5.0, 16.0, 10.0, 18.0, 17.0, 0.0, 12.0, 17.0, 13.0, 7.0, 16.0, 3.0, 11.0, 12.0, 17.0, 13.0, 11.0, 13.0, 9.0, 16.0, 1.0],
        y: &[10.0, 5.0, 14.0, 11.0, 16.0, 23.0, 2.0, 21.0, 4.0, 5.0, 14.0, 8.0, 20.0, 10.0, 2.0, 14.0, 20.0, 14.0, 15.0, 10.0, 4.0, 24.0, 12.0, 3.0, 16.0, 24.0, 22.0, 9.0, 11.0, 11.0, 6.0, 4.0, 14.0, 23.0, 12.0, 2.0, 8.0, 20.0, 10.0, 23.0, 24.0, 2.0, 21.0, 23.0, 10.0, 6.0, 18.0, 14.0, 8.0, 21.0, 16.0, 23.0, 9.0, 2.0, 20.0, 12.0, 21.0, 23.0, 11.0, 2.0, 19.0, 8.0, 11.0, 14.0, 5.0],
        exact: false,
        hl: -2.0,
        rows: [
            Row { w: 1903.0, p: 0.10133091626017524, r_est: -1.9999711480456288, lo: -4.0, hi: 0.0, r_lo: -4.0000165399762526, r_hi: 2.9448170838141322e-05 },
            Row { w: 1903.0, p: 0.94979256315147098, r_est: -1.9999711480456288, lo: -4.0, hi: INF, r_lo: -3.9999787411058789, r_hi: INF },
            Row { w: 1903.0, p: 0.050665458130087618, r_est: -1.9999711480456288, lo: -INF, hi: 0.0, r_lo: -INF, r_hi: 2.1048108051711776e-05 },
        ],
    },
    Case {
        name: "exact 49 vs 3",
        x: &[-1.04894, 2.0849600000000001, -1.1182799999999999, -0.63156999999999996, -0.30967, 2.4585699999999999, -0.46986, 0.33800999999999998, -0.26506999999999997, 0.40027000000000001, 0.53913, -0.13976, -0.066350000000000006, -0.50034000000000001, 1.8527100000000001, 0.62919999999999998, 0.078159999999999993, 1.66608, 0.66147, -0.02538, 1.8231599999999999, 2.5943200000000002, -0.0025000000000000001, 0.74034, 0.37071999999999999, -0.25577, -0.19541, 0.51356999999999997, 1.66778, -0.23200999999999999, 1.6023499999999999, 0.50148999999999999, 0.44866, 0.89473000000000003, 1.5497700000000001, 1.8081700000000001, 0.44603999999999999, 1.18537, 0.95772999999999997, 2.3467899999999999, -2.9012199999999999, 0.52644000000000002, 0.87031999999999998, -0.30134, 0.50231000000000003, -0.57528999999999997, 1.4220999999999999, 0.68018000000000001, 2.7637],
        y: &[-0.20000000000000001, 0.40000000000000002, 1.1000000000000001],
        exact: true,
        hl: 0.10148999999999997,
        rows: [
            Row { w: 80.0, p: 0.82452488687782821, r_est: 0.10148999999999997, lo: -0.97528999999999999, hi: 1.38537, r_lo: -0.97528999999999999, r_hi: 1.38537 },
            Row { w: 80.0, p: 0.41226244343891411, r_est: 0.10148999999999997, lo: -0.70967000000000002, hi: INF, r_lo: -0.70967000000000002, r_hi: INF },
            Row { w: 80.0, p: 0.60212669683257913, r_est: 0.10148999999999997, lo: -INF, hi: 1.1497700000000002, r_lo: -INF, r_hi: 1.1497700000000002 },
        ],
    },
    Case {
        name: "n_x = 1, exact",
        x: &[2.5],
        y: &[1.0, 3.0, 0.5, 4.2000000000000002],
        exact: true,
        hl: 0.5,
        rows: [
            Row { w: 2.0, p: 1.0, r_est: 0.5, lo: -1.7000000000000002, hi: 2.0, r_lo: -1.7000000000000002, r_hi: 2.0 },
            Row { w: 2.0, p: 0.59999999999999998, r_est: 0.5, lo: -1.7000000000000002, hi: INF, r_lo: -1.7000000000000002, r_hi: INF },
            Row { w: 2.0, p: 0.60000000000000009, r_est: 0.5, lo: -INF, hi: 2.0, r_lo: -INF, r_hi: 2.0 },
        ],
    },
];

fn close(a: f64, b: f64, tol: f64) -> bool {
    a == b || (a - b).abs() <= tol
}

#[test]
fn matches_r_wilcox_test() {
    let mut s = WilcoxonScratch::new();
    for c in CASES {
        for (alt, row) in ALTS.iter().zip(&c.rows) {
            let r = wilcoxon(c.x, c.y, *alt, Some(0.95), &mut s).unwrap();
            let ctx = format!("{} {:?}: {:?}", c.name, alt, r);
            assert_eq!(r.exact, c.exact, "{ctx}");
            assert_eq!(r.w, row.w, "{ctx}");
            let tol = if c.exact { 1e-10 } else { 1e-8 };
            assert!(close(r.p, row.p, tol), "{ctx}: p {} vs R {}", r.p, row.p);
            // The Hodges-Lehmann estimate is median(outer(x, y, "-")) exactly; R's own estimate
            // is that median when exact and a uniroot point (tol 1e-4) in the middle step
            // otherwise.
            assert!(
                close(r.estimate, c.hl, 1e-14),
                "{ctx}: estimate vs {}",
                c.hl
            );
            if c.exact {
                assert_eq!(r.estimate, row.r_est, "{ctx}");
            } else {
                assert!(close(r.estimate, row.r_est, 1e-3), "{ctx}");
            }
            assert!(close(r.ci.0, row.lo, 1e-14), "{ctx}: lo vs {}", row.lo);
            assert!(close(r.ci.1, row.hi, 1e-14), "{ctx}: hi vs {}", row.hi);
            // And within R's uniroot tolerance of R's unsnapped ends.
            assert!(close(r.ci.0, row.r_lo, 2e-4), "{ctx}");
            assert!(close(r.ci.1, row.r_hi, 2e-4), "{ctx}");
        }
    }
}

#[test]
fn outcome_uses_two_sided_interval_and_alternative_p() {
    let mut s = WilcoxonScratch::new();
    for c in CASES {
        for (alt, row) in ALTS.iter().zip(&c.rows) {
            let o = wilcoxon_outcome(c.x, c.y, *alt, &mut s);
            assert!(o.is_valid());
            assert!(close(o.p, row.p, 1e-8), "{} {:?}", c.name, alt);
            assert_eq!(o.statistic, row.w);
            assert!(o.df.is_nan());
            // Two-sided 95 % interval from the two-sided row, whatever the alternative.
            assert!(close(o.ci_low, c.rows[0].lo, 1e-14), "{}", c.name);
            assert!(close(o.ci_high, c.rows[0].hi, 1e-14), "{}", c.name);
            assert!(close(o.estimate, c.hl, 1e-14));
        }
    }
}

#[test]
fn p_only_call_skips_interval() {
    let c = &CASES[1];
    let r = wilcoxon(
        c.x,
        c.y,
        Alternative::TwoSided,
        None,
        &mut WilcoxonScratch::new(),
    )
    .unwrap();
    assert!(close(r.p, c.rows[0].p, 1e-10));
    assert!(r.estimate.is_nan() && r.ci.0.is_nan() && r.ci.1.is_nan());
}

#[test]
fn exact_null_matches_r_dwilcox_and_qwilcox() {
    // R: sprintf("%.17g", dwilcox(0:12, 4, 6) * 210), with choose(10, 4) = 210: counts
    // 1 1 2 3 5 6 9 10 13 14 16 16 18 (u = 0..12), symmetric about 12.
    let counts = [
        1.0, 1.0, 2.0, 3.0, 5.0, 6.0, 9.0, 10.0, 13.0, 14.0, 16.0, 16.0, 18.0,
    ];
    let null = ExactNull::new(4, 6);
    assert_eq!(null.pmf.len(), 25);
    for (u, c) in counts.iter().enumerate() {
        assert!(close(null.pmf[u] * 210.0, *c, 1e-12), "u = {u}");
        assert!(close(null.pmf[24 - u] * 210.0, *c, 1e-12), "u = {u}");
    }
    // R: qwilcox(c(0.025, 0.05, 0.5, 0.95, 0.975), 4, 6) = 3 4 12 20 21
    let q: Vec<usize> = [0.025, 0.05, 0.5, 0.95, 0.975]
        .iter()
        .map(|&p| null.quantile(p))
        .collect();
    assert_eq!(q, vec![3, 4, 12, 20, 21]);
    // Far tail of a large table keeps relative precision:
    // R: sprintf("%.17g", pwilcox(30, 40, 45)) = 9.918824587214672e-21
    let big = ExactNull::new(40, 45);
    let p = big.lower(30);
    assert!((p / 9.918824587214672e-21 - 1.0).abs() < 1e-10, "{p:e}");
}

#[test]
fn bad_input_is_an_error() {
    let mut s = WilcoxonScratch::new();
    let a = Alternative::TwoSided;
    assert_eq!(
        wilcoxon(&[], &[1.0], a, None, &mut s),
        Err(WilcoxonError::Empty { n_x: 0, n_y: 1 })
    );
    assert!(matches!(
        wilcoxon(&[1.0], &[2.0, f64::NAN], a, None, &mut s),
        Err(WilcoxonError::NonFinite {
            sample: 'y',
            index: 1,
            ..
        })
    ));
    assert_eq!(
        wilcoxon(&[1.0], &[2.0], a, Some(1.0), &mut s),
        Err(WilcoxonError::ConfLevel(1.0))
    );
    // All tied: R gives p = NaN (z = 0/0); here an error.
    assert_eq!(
        wilcoxon(&[3.0, 3.0], &[3.0], a, None, &mut s),
        Err(WilcoxonError::AllTied { n: 3 })
    );
    assert!(!wilcoxon_outcome(&[3.0, 3.0], &[3.0], a, &mut s).is_valid());
}
