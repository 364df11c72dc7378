//! Clinical families with `"test": "mmrm"`: the mixed model for repeated measures over every
//! post-baseline visit, with an arm contrast at each of the family's `visits`.

use super::checker::Checker;
use crate::scenario::spec::{Endpoint, FamilyKind, FamilySpec, MmrmSpec, TestKind};

/// The MMRM options of a family (`Some` exactly when its test is `mmrm`), checked: only the
/// `change` endpoint, at most [`crate::stats::mmrm::MAX_VISITS`] post-baseline visits, and the
/// `mmrm` field only with that test.
pub(super) fn family_mmrm(
    ck: &mut Checker,
    p: &str,
    f: &FamilySpec,
    test: TestKind,
    endpoints: &[Endpoint],
    visits: &[String],
) -> Option<MmrmSpec> {
    if test != TestKind::Mmrm || f.kind != FamilyKind::Clinical {
        if f.mmrm.is_some() {
            ck.err(
                format!("{p}.mmrm"),
                "MMRM options need \"kind\": \"clinical\" with \"test\": \"mmrm\"",
            );
        }
        return None;
    }
    if let Some(j) = endpoints.iter().position(|e| *e != Endpoint::Change) {
        ck.err(
            format!("{p}.endpoints[{j}]"),
            "an MMRM analyses the score change only: use \"endpoints\": [\"change\"] (and a \
             separate family for response or remission)",
        );
    }
    let post = visits.len().saturating_sub(1);
    ck.at_most(
        &format!("{p}.test"),
        post,
        crate::stats::mmrm::MAX_VISITS,
        "post-baseline visits for an MMRM",
    );
    Some(f.mmrm.unwrap_or_default())
}
