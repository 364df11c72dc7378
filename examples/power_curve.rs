//! A power curve for the flagship's clinical endpoint over total N, with Monte Carlo SEs.
//!
//! Run: `cargo run --release --example power_curve`

use trialsim::Study;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let study = Study::load("ketamine-ampar-2026")?;
    let ns = vec![60, 120, 180, 240];
    let result = study.power().reps(400).seed(7).n_grid(ns.clone()).run()?;
    println!("{:>6} {:>16}", "N", "power (MADRS)");
    for n in ns {
        let r = result
            .table
            .get(n, "clinical", "madrs_change", "power")
            .expect("the flagship tests the MADRS change");
        println!("{n:>6} {:>10.3} ± {:.3}", r.value, r.mc_se);
    }
    Ok(())
}
