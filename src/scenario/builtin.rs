//! Scenarios compiled into the binary, so every command works without a file.

/// Name and JSON text of every built-in scenario; the first is the default.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "ketamine-ampar-2026",
        include_str!("../../scenarios/ketamine-ampar-2026.json"),
    ),
    ("null", include_str!("../../scenarios/null.json")),
    (
        "accelerated-tms-2026",
        include_str!("../../scenarios/accelerated-tms-2026.json"),
    ),
    (
        "peer-comparison",
        include_str!("../../scenarios/peer-comparison.json"),
    ),
    (
        "sustained-phase-crossover",
        include_str!("../../scenarios/sustained-phase-crossover.json"),
    ),
];

/// Name of the default scenario.
pub const DEFAULT: &str = BUILTIN[0].0;

/// JSON text of a built-in scenario by name.
///
/// ```
/// assert!(trialsim::scenario::builtin::get("null").is_some());
/// assert!(trialsim::scenario::builtin::get("nope").is_none());
/// ```
pub fn get(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
