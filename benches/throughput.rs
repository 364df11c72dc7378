//! Throughput of simulated and analysed trials (criterion), on 1 and 2 threads. Run with
//! `cargo bench --bench throughput`; each figure is trials per second ("elem/s").
//!
//! - (a) `peer`: the peer-comparison trial (50 controls vs 50 patients, 12 regions with exchangeable
//!   correlation 0.5, d = 0.5 in six, no measurement error, Welch t per region, Holm), on the
//!   default (summary) path and on the subject path.
//! - (b) `flagship_no_prediction`: the flagship scenario with every family but prediction (on the
//!   default path: the controls' statistics drawn directly, the patients subject by subject).
//! - (c) `flagship_prediction`: the flagship with its prediction family (5-fold CV, inner CV for
//!   the penalty).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use trialsim::montecarlo::{self, RunSettings, SimPath, truth};
use trialsim::scenario::{self, FamilyKind, Scenario};

fn without_prediction(s: &Scenario) -> Scenario {
    let mut spec = s.spec.clone();
    spec.analysis
        .families
        .retain(|f| f.kind != FamilyKind::Prediction);
    scenario::resolve(spec).expect("flagship without prediction is valid")
}

fn bench_one(c: &mut Criterion, group: &str, s: &Scenario, reps: u64, path: SimPath) {
    let truths = truth::truths_with(s, 50_000);
    let sizes = s.own_sizes();
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    g.throughput(Throughput::Elements(reps));
    for threads in [1, 2] {
        let set = RunSettings {
            reps,
            seed: 1,
            threads,
            path,
        };
        g.bench_with_input(
            BenchmarkId::new(format!("{path:?}"), threads),
            &set,
            |b, set| b.iter(|| black_box(montecarlo::run(s, &sizes, set, &truths).unwrap())),
        );
    }
    g.finish();
}

fn bench(c: &mut Criterion) {
    let peer = scenario::load("peer-comparison").unwrap();
    bench_one(c, "peer", &peer, 200_000, SimPath::Auto);
    bench_one(c, "peer", &peer, 20_000, SimPath::Subject);
    let flagship = scenario::load("ketamine-ampar-2026").unwrap();
    bench_one(
        c,
        "flagship_no_prediction",
        &without_prediction(&flagship),
        5_000,
        SimPath::Auto,
    );
    bench_one(c, "flagship_prediction", &flagship, 300, SimPath::Auto);
}

criterion_group!(benches, bench);
criterion_main!(benches);
