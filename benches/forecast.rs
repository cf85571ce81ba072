//! Speed of a forecast: 500 items under the embedded default scenario, 1,000 replications on
//! every core, summaries included (the figure the README quotes; the target is < 5 s on
//! two cores).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dorasim::analysis::forecast::{self, Clock, Question};
use dorasim::runner::RunPlan;
use dorasim::scenario::embedded_default;

fn forecast_500_items(c: &mut Criterion) {
    let scenario = embedded_default();
    let model = scenario.model().expect("default timeline");
    let time = &scenario.params.time;
    let start: jiff::civil::Date = "2026-03-02".parse().expect("a date");
    let clock = Clock::new(start, time.warmup_weeks, time.workday_start_hour);
    let question = Question {
        items: Some(500),
        by_hours: None,
        release: None,
    };
    let mut group = c.benchmark_group("forecast");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1000));
    group.bench_function(
        "500 items, default scenario, 1000 replications, all cores",
        |b| {
            b.iter(|| {
                let plan = RunPlan {
                    seed: 42,
                    runs: 1000,
                    threads: 0,
                };
                let samples =
                    forecast::run(&model, plan, &clock, &question, || Ok(())).expect("run");
                black_box(forecast::completion_summary(&samples, None))
            })
        },
    );
    group.finish();
}

criterion_group!(benches, forecast_500_items);
criterion_main!(benches);
