//! Monotone dropout per visit (`arms.NAME.dropout_per_visit`, `dropout_mar_log_or`).

use super::checker::Checker;
use crate::scenario::spec::ArmEffects;

/// The per-interval dropout probabilities of an arm (empty when not given), checked: one entry per
/// post-baseline visit, each in [0, 1); the MAR log odds ratio needs them; not in a crossover.
pub(super) fn per_visit(
    ck: &mut Checker,
    p: &str,
    e: &ArmEffects,
    visits: &[String],
    crossover: bool,
) -> Vec<f64> {
    let path = format!("{p}.dropout_per_visit");
    ck.finite(&format!("{p}.dropout_mar_log_or"), e.dropout_mar_log_or);
    let Some(list) = &e.dropout_per_visit else {
        if e.dropout_mar_log_or != 0.0 {
            ck.err(
                format!("{p}.dropout_mar_log_or"),
                "needs dropout_per_visit (the probability per interval at the mean baseline score)",
            );
        }
        return Vec::new();
    };
    if crossover {
        ck.err(
            &path,
            "a crossover design has no visits to drop out between; use dropout",
        );
    }
    let post = &visits[1.min(visits.len())..];
    if list.len() != post.len() {
        ck.err(
            &path,
            format!(
                "must have one entry per post-baseline visit ({}: {}), got {}",
                post.len(),
                post.join(", "),
                list.len()
            ),
        );
    }
    for (j, &x) in list.iter().enumerate() {
        if !(0.0..1.0).contains(&x) {
            ck.err(
                format!("{path}[{j}]"),
                format!("must be a probability in [0, 1), got {x}"),
            );
        }
    }
    list.clone()
}
