//! A scenario built in code: start from a built-in one, change it, run it.
//!
//! Run: `cargo run --release --example scenario_in_code`

use trialsim::Study;
use trialsim::scenario::ScenarioSpec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Start from the peer-comparison trial (50 vs 50, 12 regions, Welch + Holm)...
    let mut spec: ScenarioSpec =
        serde_json::from_str(trialsim::scenario::builtin::get("peer-comparison").unwrap())?;
    // ...and ask what 30 controls would give.
    spec.name = "peer-comparison-30-controls".into();
    spec.design.controls = 30;
    let study = Study::from_spec("in code", spec)?;
    let result = study.power().reps(1000).seed(1).run()?;
    let n = study.scenario().own_sizes().total();
    for r in result
        .table
        .rows
        .iter()
        .filter(|r| r.n_total == n && r.metric == "power")
    {
        println!(
            "{}:{:<12} power {:.3} ± {:.3}",
            r.family, r.hypothesis, r.value, r.mc_se
        );
    }
    Ok(())
}
