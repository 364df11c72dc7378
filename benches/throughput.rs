//! Throughput of simulated and analysed trials (criterion). Run with `cargo bench`.
//!
//! - `flagship/draw+analyse`: one flagship trial (49 controls, 34 patients, 14 regions, all five
//!   families) on one thread, no allocation per trial.
//! - `flagship/run_1000/threads=T`: 1000 trials through the Monte Carlo engine on T threads.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use trialsim::analysis::{Analyzer, TrialResult};
use trialsim::model::Cohort;
use trialsim::montecarlo::{self, RunSettings, truth};
use trialsim::scenario;

fn bench(c: &mut Criterion) {
    let s = scenario::load("ketamine-ampar-2026").unwrap();
    let sizes = s.own_sizes();
    let truths = truth::truths_with(&s, 50_000);

    let mut g = c.benchmark_group("flagship");
    g.throughput(Throughput::Elements(1));
    let (mut cohort, mut an, mut tr) =
        (Cohort::default(), Analyzer::default(), TrialResult::new(&s));
    let mut rep = 0u64;
    g.bench_function("draw+analyse", |b| {
        b.iter(|| {
            rep += 1;
            cohort.draw(&s, &sizes, 1, rep);
            an.analyse(&s, &cohort, 1, rep, &truths.holdouts, &mut tr);
            black_box(&tr);
        })
    });
    g.bench_function("draw", |b| {
        b.iter(|| {
            rep += 1;
            cohort.draw(&s, &sizes, 1, rep);
            black_box(&cohort);
        })
    });
    g.throughput(Throughput::Elements(1000));
    for threads in [1, 2] {
        g.bench_function(format!("run_1000/threads={threads}"), |b| {
            let set = RunSettings {
                reps: 1000,
                seed: 1,
                threads,
                ..Default::default()
            };
            b.iter(|| black_box(montecarlo::run(&s, &sizes, &set, &truths).unwrap()))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
