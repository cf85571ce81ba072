//! The floor under dorasim's engine: a bare binary-heap event loop doing as many events as one
//! replication of the embedded default scenario, with dorasim's pending-queue size, and almost no
//! work per event (one random draw and one reschedule). Its events/s against those of
//! `replications`' "default scenario/one replication" is the fraction of a bare loop that dorasim
//! reaches (README, "Performance").
//!
//! The loop is the classic hold model: pop the earliest event, draw a delay, push the event back
//! at `now + delay`. Entries are ordered like dorasim's queue (`f64` time by `total_cmp`, then a
//! sequence number) and carry a 24-byte payload, so an entry has the size of dorasim's
//! `Scheduled<Event>` (40 bytes). Delays are uniform on `[0, 2 × mean)` (no `ln`: the cheapest
//! draw, so the floor is as low as it goes), with the mean chosen by Little's law so that the
//! clock advances as in dorasim: `pending × run length / events per replication`.
//!
//! Pending-queue size: 94, the mean number of events waiting when one is popped in dorasim's
//! queue on the default scenario, measured in the SimPy peer model (`benches/peer/`), which
//! mirrors dorasim's events and queues the ramp's phase changes one at a time as dorasim does
//! (`benches/peer/compare.sh` prints it). Before issue 15 dorasim queued all the phase changes
//! at time 0 and checked fragility hourly: about 200 waiting.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dorasim::model::Model;
use dorasim::model::timeline::Schedule;
use dorasim::scenario::embedded_default;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// One scheduled event: time, sequence number, and a payload the size of dorasim's `Event`.
#[derive(Clone, Copy)]
struct Entry {
    time: f64,
    seq: u64,
    payload: [u64; 3],
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    /// Reversed: the max-heap pops the earliest time first, first-in-first-out among equal times.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then(other.seq.cmp(&self.seq))
    }
}

/// Runs `events` events of the hold model with `pending` events always waiting; returns the clock.
fn bare_loop(events: u64, pending: usize, mean_delay: f64, seed: u64) -> f64 {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut heap = BinaryHeap::with_capacity(1024);
    let mut seq = 0;
    for k in 0..pending {
        heap.push(Entry {
            time: rng.random::<f64>() * 2.0 * mean_delay,
            seq,
            payload: [k as u64, 0, 0],
        });
        seq += 1;
    }
    let mut now = 0.0;
    for _ in 0..events {
        let Some(mut entry) = heap.pop() else { break };
        now = entry.time;
        entry.time = now + rng.random::<f64>() * 2.0 * mean_delay;
        entry.seq = seq;
        entry.payload[1] += 1;
        seq += 1;
        heap.push(entry);
    }
    now
}

fn default_replication() -> (u64, f64) {
    let scenario = embedded_default();
    let schedule = Schedule::build(&scenario.params, &scenario.timeline).expect("default timeline");
    let model = Model::new(&schedule);
    let records = model.run(42, 0);
    (records.events, records.end_hours)
}

fn bare(c: &mut Criterion) {
    let (events, run_hours) = default_replication();
    let mut group = c.benchmark_group("bare loop");
    group.throughput(Throughput::Elements(events));
    // dorasim's mean pending-queue size on the default scenario (see the module's comment).
    let pending = 94usize;
    let mean_delay = pending as f64 * run_hours / events as f64;
    let mut seed = 0;
    group.bench_with_input(
        BenchmarkId::new(
            "events of one default replication (throughput in events), pending",
            pending,
        ),
        &pending,
        |b, &pending| {
            b.iter(|| {
                seed += 1;
                black_box(bare_loop(events, pending, mean_delay, seed))
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bare);
criterion_main!(benches);
