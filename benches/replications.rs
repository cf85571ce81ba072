//! Speed of the engine on the embedded default scenario: one replication, and 1,000 replications
//! through the parallel runner (the figures the README quotes); and the same for the shipped
//! organisation of five teams (200 engineers, one team running 16 agent sessions), whose
//! replications also compute every team's metrics. One replication runs as the runner's threads
//! run them, in the buffers the previous one left ([`RunScratch`]).

mod common;
use common::{default_model, organisation_model};
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dorasim::model::{Model, RunScratch};
use dorasim::runner::{self, RunPlan};

fn one_replication(c: &mut Criterion) {
    let model = default_model();
    let events = model.run(42, 0).events;
    let mut group = c.benchmark_group("default scenario");
    group.throughput(Throughput::Elements(events));
    bench_one(&mut group, &model);
    group.finish();
}

/// One replication after another, each in the buffers of the one before, as a runner thread runs
/// them.
fn bench_one(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    model: &Model,
) {
    let mut scratch = RunScratch::default();
    let mut rep = 0;
    group.bench_function("one replication (throughput in events)", |b| {
        b.iter(|| {
            rep += 1;
            model.read_run(42, rep, &mut scratch, |records| black_box(records.events))
        })
    });
}

fn thousand_replications(c: &mut Criterion) {
    let model = default_model();
    let mut group = c.benchmark_group("default scenario");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1000));
    group.bench_function(
        "1000 replications, all cores (throughput in replications)",
        |b| {
            b.iter(|| {
                let plan = RunPlan {
                    seed: 42,
                    runs: 1000,
                    threads: 0,
                };
                black_box(runner::run(&model, plan, |_, _| Ok(())).expect("run"))
            })
        },
    );
    group.finish();
}

fn organisation(c: &mut Criterion) {
    let model = organisation_model();
    let events = model.run(42, 0).events;
    let mut group = c.benchmark_group("organisation of five teams");
    group.sample_size(20);
    group.throughput(Throughput::Elements(events));
    bench_one(&mut group, &model);
    group.throughput(Throughput::Elements(100));
    group.sample_size(10);
    group.bench_function(
        "100 replications, all cores, team metrics included (throughput in replications)",
        |b| {
            b.iter(|| {
                let plan = RunPlan {
                    seed: 42,
                    runs: 100,
                    threads: 0,
                };
                black_box(runner::run(&model, plan, |_, _| Ok(())).expect("run"))
            })
        },
    );
    group.finish();
}

criterion_group!(
    benches,
    one_replication,
    thousand_replications,
    organisation
);
criterion_main!(benches);
