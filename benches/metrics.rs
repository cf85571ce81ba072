//! Per-replication metrics cost (issue 15, item 3): `compute` on the records of one replication
//! of the embedded default scenario, and on one of the shipped organisation of five teams with
//! every team's `team_view` and metrics as the runner computes them. The simulation itself is
//! left out: its records are built once, outside the timed loop. Each is timed twice: `compute`
//! (fresh buffers each time, as one-off callers use it) and `compute_with` on a scratch kept
//! across iterations (as the runner's workers use it).

mod common;
use common::{default_model, organisation_model};
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dorasim::metrics::ledger::Lens;
use dorasim::metrics::{MetricsScratch, compute, compute_with};

fn default_scenario(c: &mut Criterion) {
    let model = default_model();
    let slo_target = model.initial_params().reliability.slo_target;
    let records = model.run(42, 0);
    let mut group = c.benchmark_group("metrics, default scenario");
    group.bench_function("compute", |b| {
        b.iter(|| black_box(compute(black_box(&records), slo_target, Lens::Truth)))
    });
    let mut scratch = MetricsScratch::default();
    group.bench_function("compute_with, scratch reused", |b| {
        b.iter(|| {
            black_box(compute_with(
                black_box(&records),
                slo_target,
                Lens::Truth,
                &mut scratch,
            ))
        })
    });
    group.finish();
}

fn organisation(c: &mut Criterion) {
    let model = organisation_model();
    let slo_target = model.initial_params().reliability.slo_target;
    let records = model.run(42, 0);
    let mut group = c.benchmark_group("metrics, organisation of five teams");
    group.bench_function("compute, then team_view and compute per team", |b| {
        b.iter(|| {
            let whole = compute(black_box(&records), slo_target, Lens::Truth);
            let teams: Vec<_> = (0..model.team_count())
                .map(|t| compute(&records.team_view(t), slo_target, Lens::Truth))
                .collect();
            black_box((whole, teams))
        })
    });
    let mut scratch = MetricsScratch::default();
    group.bench_function(
        "compute_with, then team_view and compute_with per team, scratch reused",
        |b| {
            b.iter(|| {
                let whole =
                    compute_with(black_box(&records), slo_target, Lens::Truth, &mut scratch);
                let teams: Vec<_> = (0..model.team_count())
                    .map(|t| {
                        compute_with(&records.team_view(t), slo_target, Lens::Truth, &mut scratch)
                    })
                    .collect();
                black_box((whole, teams))
            })
        },
    );
    group.finish();
}

criterion_group!(benches, default_scenario, organisation);
criterion_main!(benches);
