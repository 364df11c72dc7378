//! Replication-success tests of a family (`"test": "tost"` and `"test": "small_telescopes"`): their
//! settings checked and resolved.

use super::checker::Checker;
use crate::scenario::spec::*;
use crate::scenario::types::{Margin, Replication};

/// Whether a test is a replication-success test.
pub(in crate::scenario) fn is_replication(test: TestKind) -> bool {
    matches!(test, TestKind::Tost | TestKind::SmallTelescopes)
}

/// The replication settings of a family (None for other tests); misplaced or invalid settings
/// are reported in `ck`.
pub(super) fn resolve_replication(
    ck: &mut Checker,
    p: &str,
    f: &FamilySpec,
    test: TestKind,
) -> Option<Replication> {
    let misplaced = |ck: &mut Checker, field: &str, needs: &str| {
        ck.err(
            format!("{p}.{field}"),
            format!(
                "only families with \"test\": \"{needs}\" take {field}; remove it or set the test"
            ),
        )
    };
    if test != TestKind::Tost {
        if f.margin.is_some() {
            misplaced(ck, "margin", "tost");
        }
        if f.margin_d.is_some() {
            misplaced(ck, "margin_d", "tost");
        }
    }
    if test != TestKind::SmallTelescopes && f.original_n.is_some() {
        misplaced(ck, "original_n", "small_telescopes");
    }
    if is_replication(test)
        && f.kind == FamilyKind::Clinical
        && let Some(e) = &f.endpoints
        && e.iter().any(|e| *e != Endpoint::Change)
    {
        ck.err(
                format!("{p}.endpoints"),
                "tost and small_telescopes compare the score change of two arms: use \"endpoints\": [\"change\"]",
            );
    }
    match test {
        TestKind::Tost => {
            if f.alternative != Alternative::TwoSided {
                ck.err(
                    format!("{p}.alternative"),
                    "a TOST tests both margins (two one-sided tests); remove alternative",
                );
            }
            let positive = |ck: &mut Checker, field: &str, x: f64| {
                if !(x > 0.0 && x.is_finite()) {
                    ck.err(
                        format!("{p}.{field}"),
                        format!("the equivalence margin must be a positive number, got {x}"),
                    );
                }
            };
            match (f.margin, f.margin_d) {
                (Some(m), None) => {
                    positive(ck, "margin", m);
                    Some(Replication::Tost(Margin::Natural(m)))
                }
                (None, Some(d)) => {
                    positive(ck, "margin_d", d);
                    Some(Replication::Tost(Margin::Sd(d)))
                }
                (Some(_), Some(_)) => {
                    ck.err(
                        format!("{p}.margin"),
                        "give the margin once: \"margin\" (natural units) or \"margin_d\" (SD units), not both",
                    );
                    None
                }
                (None, None) => {
                    ck.err(
                        format!("{p}.margin"),
                        "\"test\": \"tost\" needs an equivalence margin: add \"margin\": 3.0 (natural units) or \"margin_d\": 0.3 (SD units)",
                    );
                    None
                }
            }
        }
        TestKind::SmallTelescopes => {
            let Some(n) = &f.original_n else {
                ck.err(
                    format!("{p}.original_n"),
                    "\"test\": \"small_telescopes\" needs the original study's group sizes: add \"original_n\": [17, 17]",
                );
                return None;
            };
            if n.len() != 2 || n.iter().any(|&k| k < 2) {
                ck.err(
                    format!("{p}.original_n"),
                    format!("must be two group sizes of at least 2 each, e.g. [17, 17]; got {n:?}"),
                );
                return None;
            }
            match crate::stats::telescopes::d33(n[0], n[1]) {
                Ok(d33) => Some(Replication::SmallTelescopes {
                    original_n: (n[0], n[1]),
                    d33,
                }),
                Err(e) => {
                    ck.err(
                        format!("{p}.original_n"),
                        format!("d33 cannot be computed: {e}"),
                    );
                    None
                }
            }
        }
        _ => None,
    }
}
