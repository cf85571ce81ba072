//! What a sweep or sensitivity point costs before its replications run, on the default
//! scenario: loading and checking the point's scenario (its overrides, every phase of its
//! timeline) and building its model, against one replication; and a whole sweep of 100 points
//! with one replication each against 100 replications of one scenario, both on one thread.
//! Issue 15 asks for a point's overhead below the cost of one replication.
//!
//! `cargo bench --bench sweep_overhead`
//!
//! On 2 shared cores (load ~3.5): a point's overhead 5.4 ms before the fix against 6.6 ms for a
//! replication (100 points x 1 run: 1.36 s against 0.60 s for 100 replications); after it,
//! 0.32 ms against 5.7 ms (0.68 s against 0.70 s).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dorasim::analysis::design::{Design, DesignKind, ParamSpec};
use dorasim::analysis::sweep::{self, SweepPlan};
use dorasim::metrics::ledger::Lens;
use dorasim::runner::{self, RunPlan};
use dorasim::scenario::{DEFAULT_SCENARIO, EMBEDDED_ORIGIN, apply_overrides};

const POINTS: usize = 100;

/// An LHS sweep of the default scenario's starting adoption near its own value, so that a
/// point's replication costs about what the scenario's does.
fn plan(runs: u64) -> SweepPlan {
    let spec = ParamSpec::parse("ai.adoption=0.25..0.35").expect("spec");
    SweepPlan {
        text: DEFAULT_SCENARIO.to_string(),
        origin: EMBEDDED_ORIGIN.to_string(),
        sets: Vec::new(),
        design: Design::new(vec![spec], DesignKind::Lhs, POINTS, 42).expect("design"),
        runs,
        seed: 42,
        lens: Lens::Truth,
        threads: 1,
        shard: None,
    }
}

fn per_point(c: &mut Criterion) {
    let plan = plan(1);
    let (model, _) = plan.model_at(0).expect("valid point");
    let mut group = c.benchmark_group("sweep point, default scenario");
    let mut i = 0;
    group.bench_function("overhead: validate and build the model of one point", |b| {
        b.iter(|| {
            i = (i + 1) % POINTS;
            // What a sweep does per point before its replications: check it (as
            // `SweepPlan::validate` does), then build its model.
            let set = vec![format!("ai.adoption={}", plan.design.point(i)[0])];
            black_box(apply_overrides(&plan.text, &plan.origin, &set).expect("valid point"));
            black_box(plan.model_at(i).expect("valid point"))
        })
    });
    let mut rep = 0;
    group.bench_function("one replication", |b| {
        b.iter(|| {
            rep += 1;
            black_box(model.run(42, rep))
        })
    });
    group.finish();
}

fn whole_sweep(c: &mut Criterion) {
    let plan = plan(1);
    let (model, _) = plan.model_at(0).expect("valid point");
    let mut group = c.benchmark_group("one thread");
    group.sample_size(10);
    group.bench_function("sweep of 100 points x 1 replication (CSV written)", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            plan.validate(&|| {}).expect("valid design");
            black_box(sweep::run(&plan, dir.path(), true, &|| {}).expect("sweep"))
        })
    });
    group.bench_function("100 replications of one point", |b| {
        b.iter(|| {
            let run_plan = RunPlan {
                seed: 42,
                runs: POINTS as u64,
                threads: 1,
            };
            black_box(
                runner::run_with_lens(&model, run_plan, Lens::Truth, |_, _| Ok(())).expect("run"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, per_point, whole_sweep);
criterion_main!(benches);
