//! Runs many replications of a model in parallel and reduces them, in replication order, into
//! streaming statistics: memory stays flat however many replications run, and the result is
//! bit-identical whatever the number of threads.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError, mpsc};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::metrics::ledger::Lens;
use crate::metrics::tiers::{Profile, Tier, TierTable, classify};
use crate::metrics::{
    Metric, MetricsScratch, ReplicationMetrics, WEEKLY_COUNT, Weekly, compute_with,
};
use crate::model::{Model, RunScratch};
use crate::stats::modes::TwoModes;
use crate::stats::summary::Accumulator;

/// How many replications to run, and how.
#[derive(Debug, Clone, Copy)]
pub struct RunPlan {
    /// Master seed.
    pub seed: u64,
    /// Number of replications.
    pub runs: u64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

/// Errors of the runner.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The thread pool could not be built.
    #[error("could not start {threads} worker threads: {message}")]
    ThreadPool {
        /// Requested threads.
        threads: usize,
        /// Cause.
        message: String,
    },
    /// The per-replication callback failed (for example a CSV write).
    #[error("{0}")]
    Sink(String),
    /// A replication ran away and was stopped by its guard (see [`crate::model::guard`]).
    #[error("{0}")]
    Guard(String),
}

/// Set when a run of this process was stopped by a runaway guard, whichever command and error
/// path carried the stop: the binary's exit code says so (3).
static GUARD_STOPPED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a run of this process was stopped by a runaway guard.
pub fn guard_stopped() -> bool {
    GUARD_STOPPED.load(std::sync::atomic::Ordering::SeqCst)
}

/// Counts of replications per DORA performance tier.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct TierCounts {
    /// Elite, high, medium, low.
    pub counts: [u64; 4],
    /// Replications that could not be classified (nothing deployed).
    pub unclassified: u64,
}

impl TierCounts {
    fn add(&mut self, tier: Option<Tier>) {
        match tier {
            Some(t) => self.counts[Tier::ALL.iter().position(|x| *x == t).unwrap_or(3)] += 1,
            None => self.unclassified += 1,
        }
    }

    /// Share of replications in each tier.
    pub fn shares(&self) -> [f64; 4] {
        let total = self.counts.iter().sum::<u64>() + self.unclassified;
        let total = total.max(1) as f64;
        self.counts.map(|c| c as f64 / total)
    }
}

/// Everything aggregated over the replications of one run. Serialisable, so the block summaries
/// of a sharded run can travel in partial result files and be merged elsewhere.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunSummary {
    /// Master seed.
    pub seed: u64,
    /// Replications run.
    pub runs: u64,
    /// One accumulator per metric, in `METRICS` order.
    pub metrics: Vec<Accumulator>,
    /// Per measured week, one accumulator per weekly series.
    pub weekly: Vec<Vec<Accumulator>>,
    /// DORA 2023 tier of each replication.
    pub tiers_2023: TierCounts,
    /// DORA 2024 tier of each replication.
    pub tiers_2024: TierCounts,
    /// Events processed over all replications.
    pub events: u64,
    /// Wall time, seconds.
    pub wall_seconds: f64,
    /// Per team of an organisation (empty for one team): each team's metrics, from its own
    /// service's records ([`crate::model::records::RunRecords::team_view`]), in team order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<TeamSummary>,
}

/// One team's metrics over the replications of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamSummary {
    /// The team's name.
    pub name: String,
    /// One accumulator per metric, in `METRICS` order.
    pub metrics: Vec<Accumulator>,
}

impl TeamSummary {
    fn new(name: &str) -> TeamSummary {
        TeamSummary {
            name: name.to_string(),
            metrics: metric_accumulators(),
        }
    }

    /// The accumulator of one metric.
    pub fn metric(&self, metric: Metric) -> &Accumulator {
        &self.metrics[metric as usize]
    }
}

/// One accumulator per metric, in `METRICS` order.
fn metric_accumulators() -> Vec<Accumulator> {
    Metric::ALL
        .iter()
        .map(|m| accumulator_for(matches!(m, Metric::Availability | Metric::ReviewDepth)))
        .collect()
}

impl RunSummary {
    /// An empty summary for `seed`: the starting point into which block summaries are merged.
    pub fn new(seed: u64) -> Self {
        RunSummary {
            seed,
            runs: 0,
            metrics: metric_accumulators(),
            weekly: Vec::new(),
            tiers_2023: TierCounts::default(),
            tiers_2024: TierCounts::default(),
            events: 0,
            wall_seconds: 0.0,
            teams: Vec::new(),
        }
    }

    /// Adds one team's metrics of one replication (teams in order, after [`RunSummary::add`]).
    fn add_team(&mut self, team: usize, name: &str, m: &ReplicationMetrics) {
        if self.teams.len() <= team {
            self.teams.push(TeamSummary::new(name));
        }
        for (acc, &x) in self.teams[team].metrics.iter_mut().zip(m.values.iter()) {
            acc.push(x);
        }
    }

    fn add(&mut self, m: &ReplicationMetrics, events: u64) {
        self.runs += 1;
        self.events += events;
        for (acc, &x) in self.metrics.iter_mut().zip(m.values.iter()) {
            acc.push(x);
        }
        if self.weekly.len() < m.weeks.len() {
            self.weekly.resize(m.weeks.len(), weekly_row());
        }
        for (week, row) in self.weekly.iter_mut().zip(m.weeks.iter()) {
            for (acc, &x) in week.iter_mut().zip(row.iter()) {
                acc.push(x);
            }
        }
        let profile = profile_of(m);
        self.tiers_2023.add(classify(TierTable::Dora2023, &profile));
        self.tiers_2024.add(classify(TierTable::Dora2024, &profile));
    }

    /// Merges another summary (the next block, in order) into this one.
    pub fn merge(&mut self, other: &RunSummary) {
        self.runs += other.runs;
        self.events += other.events;
        for (a, b) in self.metrics.iter_mut().zip(&other.metrics) {
            a.merge(b);
        }
        for (t, theirs) in other.teams.iter().enumerate() {
            if self.teams.len() <= t {
                self.teams.push(TeamSummary::new(&theirs.name));
            }
            for (a, b) in self.teams[t].metrics.iter_mut().zip(&theirs.metrics) {
                a.merge(b);
            }
        }
        if self.weekly.len() < other.weekly.len() {
            self.weekly.resize(other.weekly.len(), weekly_row());
        }
        for (a, b) in self.weekly.iter_mut().zip(&other.weekly) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
        for (a, b) in [
            (&mut self.tiers_2023, &other.tiers_2023),
            (&mut self.tiers_2024, &other.tiers_2024),
        ] {
            for (x, y) in a.counts.iter_mut().zip(b.counts) {
                *x += y;
            }
            a.unclassified += b.unclassified;
        }
    }

    /// Queues that kept growing over the measured horizon (the weekly mean over replications
    /// grew more than tenfold): the configuration is unstable and its metrics keep drifting.
    pub fn growth_warnings(&self) -> Vec<crate::model::guard::Growth> {
        let series = |index: Weekly| -> Vec<f64> {
            self.weekly
                .iter()
                .map(|week| week[index as usize].summary().mean.unwrap_or(f64::NAN))
                .collect()
        };
        [
            (
                Weekly::WorkInProgress,
                "work in progress (changes not yet deployed)",
            ),
            (Weekly::ReviewQueue, "review queue"),
        ]
        .into_iter()
        .filter_map(|(index, name)| {
            crate::model::guard::grew_without_bound(&series(index), 10.0).map(|(first, last)| {
                crate::model::guard::Growth {
                    series: name.to_string(),
                    first,
                    last,
                }
            })
        })
        .collect()
    }

    /// The accumulator of one metric.
    pub fn metric(&self, metric: Metric) -> &Accumulator {
        &self.metrics[metric as usize]
    }

    /// Whether the replications' values of `metric` fall in two clusters
    /// ([`crate::stats::modes`]); `None` as well for a metric not in [`CHECKED_FOR_TWO_MODES`].
    pub fn two_modes(&self, metric: Metric) -> Option<TwoModes> {
        if CHECKED_FOR_TWO_MODES.contains(&metric) {
            self.metric(metric).two_modes()
        } else {
            None
        }
    }

    /// The metrics that deserve a note because their replications fall in two clusters, in
    /// [`CHECKED_FOR_TWO_MODES`] order (see [`worth_a_note`]).
    pub fn two_modes_noted(&self) -> Vec<(Metric, TwoModes)> {
        CHECKED_FOR_TWO_MODES
            .iter()
            .filter_map(|m| {
                let modes = self.two_modes(*m)?;
                worth_a_note(*m, &modes, |t| self.two_modes(t)).then_some((*m, modes))
            })
            .collect()
    }

    /// Replications per second of wall time.
    pub fn replications_per_second(&self) -> f64 {
        self.runs as f64 / self.wall_seconds.max(1e-9)
    }

    /// Events per second of wall time.
    pub fn events_per_second(&self) -> f64 {
        self.events as f64 / self.wall_seconds.max(1e-9)
    }
}

/// Metrics whose replications are checked for two clusters: the medians and p90s of durations
/// within a replication, which a working calendar can split by a night or a weekend. (Counts
/// and shares are left out: a count's whole numbers are clusters by nature.)
pub const CHECKED_FOR_TWO_MODES: &[Metric] = &[
    Metric::LeadTimeP50,
    Metric::LeadTimeP90,
    Metric::LeadTimeWorkingP50,
    Metric::MeasuredLeadTimeP50,
    Metric::RecoveryP50,
    Metric::RecoveryP90,
    Metric::MeasuredRecoveryP50,
];

/// The true-ledger metric a measured one shows on the dashboard, if any.
pub fn true_counterpart(metric: Metric) -> Option<Metric> {
    match metric {
        Metric::MeasuredLeadTimeP50 => Some(Metric::LeadTimeP50),
        Metric::MeasuredRecoveryP50 => Some(Metric::RecoveryP50),
        _ => None,
    }
}

/// Whether two clusters of `metric` need a note of their own: not when `metric` is a measured
/// one whose clusters are exactly those of its true counterpart (`modes_of` gives a metric's
/// clusters), as with an ungamed dashboard read through the truth lens.
pub fn worth_a_note(
    metric: Metric,
    modes: &TwoModes,
    modes_of: impl Fn(Metric) -> Option<TwoModes>,
) -> bool {
    true_counterpart(metric).is_none_or(|truth| modes_of(truth).as_ref() != Some(modes))
}

/// Availability lives just below 1: its quantiles need accuracy on the distance to 1.
fn accumulator_for(near_one: bool) -> Accumulator {
    if near_one {
        Accumulator::near_one()
    } else {
        Accumulator::new()
    }
}

/// Accumulators for one week of the weekly series.
fn weekly_row() -> Vec<Accumulator> {
    (0..WEEKLY_COUNT)
        .map(|i| accumulator_for(i == Weekly::Availability as usize))
        .collect()
}

/// The DORA profile of one replication, for tier classification.
pub fn profile_of(m: &ReplicationMetrics) -> Profile {
    let defined = |x: f64| x.is_finite().then_some(x);
    Profile {
        lead_time_hours: defined(m.get(Metric::LeadTimeP50)),
        deploys_per_week: defined(m.get(Metric::DeploysPerWeek)),
        change_fail_rate: defined(m.get(Metric::ChangeFailRate)),
        recovery_hours: defined(m.get(Metric::RecoveryP50)),
    }
}

/// Runs `plan.runs` replications of `model` (reliability is read against the SLO target in force
/// at the start). `on_replication` sees every replication's metrics in
/// replication order (for a per-replication CSV); an error from it stops the run.
pub fn run<F>(model: &Model, plan: RunPlan, on_replication: F) -> Result<RunSummary, RunError>
where
    F: FnMut(u64, &ReplicationMetrics) -> Result<(), String>,
{
    run_with_lens(model, plan, Lens::Truth, on_replication)
}

/// As [`run`], reading the measured ledger through `lens`.
pub fn run_with_lens<F>(
    model: &Model,
    plan: RunPlan,
    lens: Lens,
    on_replication: F,
) -> Result<RunSummary, RunError>
where
    F: FnMut(u64, &ReplicationMetrics) -> Result<(), String>,
{
    let started = Instant::now();
    let mut summary = RunSummary::new(plan.seed);
    run_blocks(
        model,
        plan,
        lens,
        0..block_count(plan.runs),
        on_replication,
        |_, block| {
            summary.merge(&block);
            Ok(())
        },
    )?;
    summary.wall_seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Replications per block: the unit of reduction. Each block is summarised sequentially, and
/// block summaries are merged in block order, so the result depends neither on the number of
/// threads nor on how blocks are shared among processes or machines.
pub const BLOCK: u64 = 64;

/// Replications per worker thread that [`run_blocks`] lets run ahead of the in-order hand-over
/// (each waits in memory for it: about 5 kB).
const AHEAD_PER_THREAD: u64 = 256;

/// Number of blocks for `runs` replications.
pub fn block_count(runs: u64) -> u64 {
    runs.div_ceil(BLOCK)
}

/// Runs the blocks `blocks` (of `plan.runs` replications in all) and hands each block's summary
/// to `on_block`, in block order; `on_replication` sees each replication in order first.
///
/// Worker threads take replications one at a time, in order, from a shared counter, and send
/// their results to the calling thread, which hands them over in replication order and sums
/// each block in that order: the results are those of one thread, bit for bit. No thread waits
/// for another except at the very end (for the last replication in flight) or when it has run
/// [`AHEAD_PER_THREAD`] replications per thread ahead of the hand-over, which bounds memory.
pub fn run_blocks<F, G>(
    model: &Model,
    plan: RunPlan,
    lens: Lens,
    blocks: std::ops::Range<u64>,
    mut on_replication: F,
    mut on_block: G,
) -> Result<(), RunError>
where
    F: FnMut(u64, &ReplicationMetrics) -> Result<(), String>,
    G: FnMut(u64, RunSummary) -> Result<(), String>,
{
    let threads = match plan.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let slo_target = model.initial_params().reliability.slo_target;
    let first = (blocks.start * BLOCK).min(plan.runs);
    let end = (blocks.end * BLOCK).min(plan.runs);
    let mut summary = RunSummary::new(plan.seed);
    let mut hand_over = |rep: u64, outcome: Result<Replicated, String>| -> Result<(), RunError> {
        let replicated = outcome.map_err(|message| {
            GUARD_STOPPED.store(true, Ordering::SeqCst);
            RunError::Guard(message)
        })?;
        replicated.add_to(&mut summary, model);
        on_replication(rep, &replicated.metrics).map_err(RunError::Sink)?;
        if (rep + 1).is_multiple_of(BLOCK) || rep + 1 == end {
            let block = std::mem::replace(&mut summary, RunSummary::new(plan.seed));
            on_block(rep / BLOCK, block).map_err(RunError::Sink)?;
        }
        Ok(())
    };
    if threads <= 1 || end - first <= 1 {
        let mut scratch = Scratch::default();
        for rep in first..end {
            hand_over(
                rep,
                replicate(model, plan, lens, slo_target, rep, &mut scratch),
            )?;
        }
        return Ok(());
    }
    let next = AtomicU64::new(first);
    let stop = AtomicBool::new(false);
    // Replications handed over so far (the next one's index), for the workers' look-ahead.
    let handed = (Mutex::new(first), Condvar::new());
    let ahead = AHEAD_PER_THREAD * threads as u64;
    let stop_all = || {
        stop.store(true, Ordering::SeqCst);
        let _done = handed.0.lock().unwrap_or_else(PoisonError::into_inner);
        handed.1.notify_all();
    };
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(u64, Result<Replicated, String>)>();
        for _ in 0..threads {
            let sender = sender.clone();
            let (next, stop, handed) = (&next, &stop, &handed);
            let worker = move || {
                // Each worker reuses one scratch for its replications.
                let mut scratch = Scratch::default();
                loop {
                    let rep = next.fetch_add(1, Ordering::Relaxed);
                    if rep >= end || stop.load(Ordering::Relaxed) {
                        return;
                    }
                    {
                        let mut done = handed.0.lock().unwrap_or_else(PoisonError::into_inner);
                        while rep >= *done + ahead && !stop.load(Ordering::Relaxed) {
                            done = handed.1.wait(done).unwrap_or_else(PoisonError::into_inner);
                        }
                    }
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let outcome = replicate(model, plan, lens, slo_target, rep, &mut scratch);
                    if sender.send((rep, outcome)).is_err() {
                        return;
                    }
                }
            };
            if let Err(e) = std::thread::Builder::new().spawn_scoped(scope, worker) {
                stop_all();
                return Err(RunError::ThreadPool {
                    threads,
                    message: e.to_string(),
                });
            }
        }
        drop(sender);
        let mut waiting: BTreeMap<u64, Result<Replicated, String>> = BTreeMap::new();
        let mut expected = first;
        for (rep, outcome) in receiver.iter() {
            waiting.insert(rep, outcome);
            while let Some(outcome) = waiting.remove(&expected) {
                if let Err(e) = hand_over(expected, outcome) {
                    stop_all();
                    return Err(e);
                }
                expected += 1;
            }
            *handed.0.lock().unwrap_or_else(PoisonError::into_inner) = expected;
            handed.1.notify_all();
        }
        Ok(())
    })
}

/// What one replication gives the summaries: its metrics, each team's in an organisation, and
/// its events.
struct Replicated {
    metrics: ReplicationMetrics,
    teams: Vec<ReplicationMetrics>,
    events: u64,
}

impl Replicated {
    /// Adds the replication to a block's summary.
    fn add_to(&self, summary: &mut RunSummary, model: &Model) {
        summary.add(&self.metrics, self.events);
        for ((t, name), metrics) in model.team_names().iter().enumerate().zip(&self.teams) {
            summary.add_team(t, name, metrics);
        }
    }
}

/// Runs replication `rep` and computes its metrics (and every team's, in an organisation), or
/// the message of the runaway guard that stopped it.
fn replicate(
    model: &Model,
    plan: RunPlan,
    lens: Lens,
    slo_target: f64,
    rep: u64,
    scratch: &mut Scratch,
) -> Result<Replicated, String> {
    let Scratch { run, metrics } = scratch;
    model.read_run(plan.seed, rep, run, |records| {
        if let Some(trip) = records.guard {
            return Err(trip.message(rep));
        }
        let whole = compute_with(records, slo_target, lens, metrics);
        let teams = if model.team_count() > 1 {
            (0..model.team_count())
                .map(|t| compute_with(&records.team_view(t), slo_target, lens, metrics))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Replicated {
            metrics: whole,
            teams,
            events: records.events,
        })
    })
}

/// What one thread reuses from one replication to the next: the model's buffers and the
/// metrics' lists, allocated once per thread (or block), not once per replication.
#[derive(Default)]
struct Scratch {
    run: RunScratch,
    metrics: MetricsScratch,
}

/// Why a block stopped before its last replication.
enum BlockStop {
    /// A replication tripped its runaway guard (the guard's message).
    Guard(String),
}

/// Runs the replications of `block` one after the other on this thread, adding each to the
/// block's summary; `after_each` sees each replication's index, metrics and the block's summary
/// so far. Stops at a guard trip (returned as `Err`); an error from `after_each` stops it too
/// (returned as `Err` of the outer result by [`run_block`]).
fn block_replications<F>(
    model: &Model,
    plan: RunPlan,
    lens: Lens,
    slo_target: f64,
    block: u64,
    mut after_each: F,
) -> (RunSummary, Result<(), BlockStop>)
where
    F: FnMut(u64, ReplicationMetrics, &RunSummary) -> Result<(), ()>,
{
    let first = block * BLOCK;
    let last = ((block + 1) * BLOCK).min(plan.runs);
    let mut summary = RunSummary::new(plan.seed);
    // One scratch for the block's replications and teams: buffers and lists are allocated once
    // per block, not once per replication and team.
    let mut scratch = Scratch::default();
    for rep in first..last {
        let replicated = match replicate(model, plan, lens, slo_target, rep, &mut scratch) {
            Ok(r) => r,
            Err(message) => return (summary, Err(BlockStop::Guard(message))),
        };
        replicated.add_to(&mut summary, model);
        if after_each(rep, replicated.metrics, &summary).is_err() {
            break;
        }
    }
    (summary, Ok(()))
}

/// Runs one block of `plan.runs` replications on the calling thread and returns its summary:
/// the same summary [`run_blocks`] hands to its `on_block` for that block, so merging the blocks
/// of a run in order gives exactly [`run_with_lens`]'s result. `on_replication` sees each
/// replication's index, metrics and the block's summary so far (for streaming partial results);
/// an error from it stops the block (`RunError::Sink`), which is how a caller cancels.
pub fn run_block<F>(
    model: &Model,
    plan: RunPlan,
    lens: Lens,
    block: u64,
    mut on_replication: F,
) -> Result<RunSummary, RunError>
where
    F: FnMut(u64, &ReplicationMetrics, &RunSummary) -> Result<(), String>,
{
    let slo_target = model.initial_params().reliability.slo_target;
    let mut failure = None;
    let (summary, stop) = block_replications(
        model,
        plan,
        lens,
        slo_target,
        block,
        |rep, metrics, summary| {
            on_replication(rep, &metrics, summary).map_err(|e| failure = Some(e))
        },
    );
    if let Err(BlockStop::Guard(message)) = stop {
        GUARD_STOPPED.store(true, std::sync::atomic::Ordering::SeqCst);
        return Err(RunError::Guard(message));
    }
    match failure {
        Some(message) => Err(RunError::Sink(message)),
        None => Ok(summary),
    }
}
