//! The smallest total N at which the flagship's MADRS comparison reaches 80 % power, with the
//! range of N consistent with Monte Carlo error.
//!
//! Run: `cargo run --release --example sample_size`

use trialsim::Study;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let study = Study::load("ketamine-ampar-2026")?;
    let result = study
        .sample_size("clinical:madrs_change", 0.8)
        .reps(400)
        .seed(3)
        .max_n(600)
        .run()?;
    let s = &result.search;
    match (s.n, &s.at_n) {
        (Some(n), Some(row)) => println!(
            "N = {n} ({} patients), power {:.3} ± {:.3}; N consistent with MC error: {:?} to {:?}",
            row.n_patients, row.value, row.mc_se, s.n_low, s.n_high
        ),
        _ => println!("80 % power is not reached within N = {}", s.range.1),
    }
    Ok(())
}
