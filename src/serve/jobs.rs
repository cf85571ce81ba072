//! Jobs: one run or comparison each, queued behind the concurrent-job limit, run on a blocking
//! thread, publishing its latest state (partial results included) on a watch channel that the
//! status endpoint reads and the event stream follows.
//!
//! A job runs its replications block by block ([`runner::run_block`], the blocks of
//! [`runner::BLOCK`] replications `dorasim run` reduces), so its final summary is the one
//! `dorasim run` gives for the same scenario, seed and replications, and replication `k` is the
//! same whichever request runs it (common random numbers). Within a block, partial results are
//! published as replications finish, at most every [`PUBLISH_EVERY`]. Between replications the
//! job checks its cancel flag (set by `cancel`, or by the event stream when its client goes
//! away) and its run-time limit.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{Semaphore, watch};

use crate::analysis::compare::{self, Arm, compared};
use crate::app::Prepared;
use crate::runner::{self, RunError, RunSummary};

use super::results::{RunView, run_view};

/// Least time between two partial results of one job.
pub const PUBLISH_EVERY: Duration = Duration::from_millis(150);

/// Replications before the first partial result (two give a confidence interval).
const FIRST_PUBLISH_AT: u64 = 2;

/// Finished jobs kept for their status, at most.
const KEEP_FINISHED: usize = 200;

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Waiting for a free slot (`--max-jobs`).
    Queued,
    /// Running; partial results arrive.
    Running,
    /// Finished: the results are final.
    Done,
    /// Cancelled by its client (or its client went away); the last partial results stay.
    Cancelled,
    /// Stopped by an error or the run-time limit; `error` says why.
    Failed,
}

impl State {
    /// True once the job will not change any more.
    pub fn finished(self) -> bool {
        matches!(self, State::Done | State::Cancelled | State::Failed)
    }
}

/// A comparison's results: the paired differences and the variant's own view.
#[derive(Debug, Clone, Serialize)]
pub struct CompareView {
    /// Paired differences B − A with their CIs, per metric.
    pub comparison: compare::Comparison,
    /// The variant B, as a run's view (metrics, tiers, dashboard, charts when done).
    pub variant: RunView,
    /// The baseline A's tiers (DORA 2024).
    pub baseline_tiers_2024: super::results::TierView,
}

/// The results a job holds.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum JobResult {
    /// A run.
    Run(Box<RunView>),
    /// A comparison.
    Compare(Box<CompareView>),
}

/// Everything a client can see of a job.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// Job id.
    pub job: String,
    /// `run` or `compare`.
    pub kind: &'static str,
    /// Where it is.
    pub state: State,
    /// Replications finished (for a comparison: pairs).
    pub runs_done: u64,
    /// Replications asked for.
    pub runs_total: u64,
    /// Master seed.
    pub seed: u64,
    /// Seconds since the job started running (0 while queued).
    pub elapsed_seconds: f64,
    /// Why it failed.
    pub error: Option<String>,
    /// Partial or final results (absent before the first replications).
    pub result: Option<JobResult>,
    /// The full summary (as `dorasim run --json` prints it, timing aside), once a run is done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<serde_json::Value>,
}

/// One job in the registry.
struct Job {
    cancel: Arc<AtomicBool>,
    state: watch::Receiver<Arc<Snapshot>>,
    created: Instant,
}

/// The work of a job.
pub enum Work {
    /// Run one scenario.
    Run(Box<Prepared>),
    /// Compare a baseline and a variant on common random numbers.
    Compare(Box<Prepared>, Box<Prepared>),
}

/// Why a job was not accepted.
#[derive(Debug)]
pub enum Rejected {
    /// Too many jobs already waiting.
    Busy(usize),
}

/// All jobs of the server, and the limits they run under.
pub struct Jobs {
    next: AtomicU64,
    jobs: Mutex<HashMap<u64, Job>>,
    slots: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    max_queued: usize,
    max_run_time: Duration,
}

/// The handle of a new job: its id, cancel flag and state.
pub struct Handle {
    /// Job id.
    pub id: u64,
    /// Its cancel flag.
    pub cancel: Arc<AtomicBool>,
    /// Its state.
    pub state: watch::Receiver<Arc<Snapshot>>,
}

impl Jobs {
    /// A registry running at most `max_jobs` jobs at once, with at most `max_queued` waiting, each
    /// for at most `max_run_time`.
    pub fn new(max_jobs: usize, max_queued: usize, max_run_time: Duration) -> Self {
        Jobs {
            next: AtomicU64::new(1),
            jobs: Mutex::new(HashMap::new()),
            slots: Arc::new(Semaphore::new(max_jobs.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_queued,
            max_run_time,
        }
    }

    /// Queues `work`; it starts when a slot is free. Must be called within the runtime.
    pub fn submit(&self, work: Work) -> Result<Handle, Rejected> {
        let queued = self.waiting.fetch_add(1, Ordering::SeqCst);
        if queued >= self.max_queued {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Rejected::Busy(self.max_queued));
        }
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        let (kind, seed, runs) = match &work {
            Work::Run(p) => ("run", p.seed(), p.runs()),
            Work::Compare(a, _) => ("compare", a.seed(), a.runs()),
        };
        let first = Snapshot {
            job: id.to_string(),
            kind,
            state: State::Queued,
            runs_done: 0,
            runs_total: runs,
            seed,
            elapsed_seconds: 0.0,
            error: None,
            result: None,
            summary: None,
        };
        let (sender, receiver) = watch::channel(Arc::new(first.clone()));
        let cancel = Arc::new(AtomicBool::new(false));
        {
            let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
            forget_old(&mut jobs);
            jobs.insert(
                id,
                Job {
                    cancel: cancel.clone(),
                    state: receiver.clone(),
                    created: Instant::now(),
                },
            );
        }
        let slots = self.slots.clone();
        let waiting = self.waiting.clone();
        let flag = cancel.clone();
        let limit = self.max_run_time;
        tokio::spawn(async move {
            let permit = slots.acquire_owned().await;
            waiting.fetch_sub(1, Ordering::SeqCst);
            let publisher = Publisher {
                sender,
                snapshot: first,
                started: Instant::now(),
            };
            if permit.is_err() || flag.load(Ordering::SeqCst) {
                publisher.finish(State::Cancelled, None);
                return;
            }
            let task = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                execute(work, publisher, &flag, limit);
            });
            // A panic in a job is a bug; the job's state then stays at its last value, and
            // the server goes on serving.
            let _ = task.await;
        });
        Ok(Handle {
            id,
            cancel,
            state: receiver,
        })
    }

    /// The state of job `id`.
    pub fn state(&self, id: u64) -> Option<watch::Receiver<Arc<Snapshot>>> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.get(&id).map(|j| j.state.clone())
    }

    /// Cancels job `id`; `None` for an unknown job.
    pub fn cancel(&self, id: u64) -> Option<watch::Receiver<Arc<Snapshot>>> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.get(&id).map(|j| {
            j.cancel.store(true, Ordering::SeqCst);
            j.state.clone()
        })
    }

    /// The cancel flag of job `id`.
    pub fn cancel_flag(&self, id: u64) -> Option<Arc<AtomicBool>> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.get(&id).map(|j| j.cancel.clone())
    }

    /// The slots of running jobs: work outside a job (the report download) takes one too.
    pub fn slots(&self) -> Arc<Semaphore> {
        self.slots.clone()
    }

    /// Jobs queued or running.
    pub fn active(&self) -> usize {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.values()
            .filter(|j| !j.state.borrow().state.finished())
            .count()
    }
}

/// Drops the oldest finished jobs beyond [`KEEP_FINISHED`], so memory stays bounded.
fn forget_old(jobs: &mut HashMap<u64, Job>) {
    let mut finished: Vec<(Instant, u64)> = jobs
        .iter()
        .filter(|(_, j)| j.state.borrow().state.finished())
        .map(|(id, j)| (j.created, *id))
        .collect();
    if finished.len() < KEEP_FINISHED {
        return;
    }
    finished.sort();
    for (_, id) in finished.iter().take(finished.len() + 1 - KEEP_FINISHED) {
        jobs.remove(id);
    }
}

/// Publishes a job's state.
struct Publisher {
    sender: watch::Sender<Arc<Snapshot>>,
    snapshot: Snapshot,
    started: Instant,
}

impl Publisher {
    fn publish(&mut self, state: State, runs_done: u64, result: Option<JobResult>) {
        self.snapshot.state = state;
        self.snapshot.runs_done = runs_done;
        self.snapshot.elapsed_seconds = self.started.elapsed().as_secs_f64();
        if result.is_some() {
            self.snapshot.result = result;
        }
        self.sender.send_replace(Arc::new(self.snapshot.clone()));
    }

    fn finish(mut self, state: State, error: Option<String>) {
        self.snapshot.error = error;
        let done = self.snapshot.runs_done;
        self.publish(state, done, None);
    }
}

/// Why a job stopped early.
const CANCELLED: &str = "cancelled";

/// Checks between replications: the cancel flag and the run-time limit.
fn keep_going(cancel: &AtomicBool, started: Instant, limit: Duration) -> Result<(), String> {
    if cancel.load(Ordering::Relaxed) {
        Err(CANCELLED.to_string())
    } else if started.elapsed() > limit {
        Err(format!(
            "stopped at this server's run-time limit of {} s per job (start it with a higher \
             --max-seconds, or ask for fewer runs)",
            limit.as_secs()
        ))
    } else {
        Ok(())
    }
}

/// Runs a job to its end, publishing as it goes.
fn execute(work: Work, mut publisher: Publisher, cancel: &AtomicBool, limit: Duration) {
    publisher.publish(State::Running, 0, None);
    let outcome = match work {
        Work::Run(prepared) => execute_run(&prepared, &mut publisher, cancel, limit),
        Work::Compare(a, b) => execute_compare(&a, &b, &mut publisher, cancel, limit),
    };
    match outcome {
        Ok(()) => publisher.finish(State::Done, None),
        Err(RunError::Sink(message)) if message == CANCELLED => {
            publisher.finish(State::Cancelled, None)
        }
        Err(e) => publisher.finish(State::Failed, Some(e.to_string())),
    }
}

/// A clock of partial results: the first after [`FIRST_PUBLISH_AT`] replications, then at most
/// every [`PUBLISH_EVERY`].
struct Cadence {
    last: Option<Instant>,
}

impl Cadence {
    fn due(&mut self, done: u64) -> bool {
        let due = match self.last {
            None => done >= FIRST_PUBLISH_AT,
            Some(t) => t.elapsed() >= PUBLISH_EVERY,
        };
        if due {
            self.last = Some(Instant::now());
        }
        due
    }
}

fn execute_run(
    prepared: &Prepared,
    publisher: &mut Publisher,
    cancel: &AtomicBool,
    limit: Duration,
) -> Result<(), RunError> {
    let plan = prepared.plan(1);
    let lens = prepared.lens();
    let scenario = &prepared.scenario;
    let started = Instant::now();
    let mut merged = RunSummary::new(plan.seed);
    let mut cadence = Cadence { last: None };
    for block in 0..runner::block_count(plan.runs) {
        let block_summary =
            runner::run_block(&prepared.model, plan, lens, block, |_, _, partial| {
                keep_going(cancel, started, limit)?;
                let done = merged.runs + partial.runs;
                if cadence.due(done) && done < plan.runs {
                    let mut so_far = merged.clone();
                    so_far.merge(partial);
                    let view = run_view(scenario, &so_far, lens, false);
                    publisher.publish(State::Running, done, Some(JobResult::Run(Box::new(view))));
                }
                Ok(())
            })?;
        merged.merge(&block_summary);
    }
    merged.wall_seconds = started.elapsed().as_secs_f64();
    let view = run_view(scenario, &merged, lens, true);
    let mut summary = crate::output::json::summary_json(scenario, &merged, 1, lens);
    if let Some(object) = summary.as_object_mut() {
        object.remove("timing");
    }
    publisher.snapshot.summary = Some(summary);
    publisher.publish(
        State::Running,
        merged.runs,
        Some(JobResult::Run(Box::new(view))),
    );
    Ok(())
}

/// One arm of a comparison so far.
struct ArmSoFar {
    summary: RunSummary,
    samples: Vec<Vec<f64>>,
}

impl ArmSoFar {
    fn new(seed: u64) -> Self {
        ArmSoFar {
            summary: RunSummary::new(seed),
            samples: compared().map(|_| Vec::new()).collect(),
        }
    }

    /// The arm with its summary and its first `pairs` replications' samples.
    fn arm(
        &self,
        name: &str,
        summary: RunSummary,
        pairs: usize,
        lens: crate::metrics::ledger::Lens,
    ) -> Arm {
        Arm {
            name: name.to_string(),
            summary,
            samples: self
                .samples
                .iter()
                .map(|s| s[..pairs.min(s.len())].to_vec())
                .collect(),
            lens,
        }
    }
}

fn execute_compare(
    a: &Prepared,
    b: &Prepared,
    publisher: &mut Publisher,
    cancel: &AtomicBool,
    limit: Duration,
) -> Result<(), RunError> {
    let plan = a.plan(1);
    let started = Instant::now();
    let cultures_differ = a.scenario.params.culture != b.scenario.params.culture;
    let mut arms = [ArmSoFar::new(plan.seed), ArmSoFar::new(plan.seed)];
    let mut cadence = Cadence { last: None };
    let view = |a_arm: &ArmSoFar, b_summary: RunSummary, b_samples: &[Vec<f64>], charts: bool| {
        let pairs = b_samples.first().map_or(0, Vec::len);
        let both = [
            a_arm.arm("A", a_arm.summary.clone(), pairs, a.lens()),
            Arm {
                name: "B".to_string(),
                summary: b_summary.clone(),
                samples: b_samples.to_vec(),
                lens: b.lens(),
            },
        ];
        let reason = compare::dashboard_reason(&both, cultures_differ);
        CompareView {
            comparison: compare::compare(&both, reason),
            variant: run_view(&b.scenario, &b_summary, b.lens(), charts),
            baseline_tiers_2024: run_view(&a.scenario, &a_arm.summary, a.lens(), false).tiers_2024,
        }
    };
    for block in 0..runner::block_count(plan.runs) {
        for (index, prepared) in [a, b].into_iter().enumerate() {
            let (done_arms, rest) = arms.split_at_mut(index);
            let arm = &mut rest[0];
            let block_summary = runner::run_block(
                &prepared.model,
                plan,
                prepared.lens(),
                block,
                |_, metrics, partial| {
                    keep_going(cancel, started, limit)?;
                    for (sample, (metric, _)) in arm.samples.iter_mut().zip(compared()) {
                        sample.push(metrics.get(*metric));
                    }
                    // Pairs exist once B has caught up with A's replications.
                    let pairs = arm.samples[0].len() as u64;
                    if index == 1 && cadence.due(pairs) && pairs < plan.runs {
                        let mut b_summary = arm.summary.clone();
                        b_summary.merge(partial);
                        let v = view(&done_arms[0], b_summary, &arm.samples, false);
                        publisher.publish(
                            State::Running,
                            pairs,
                            Some(JobResult::Compare(Box::new(v))),
                        );
                    }
                    Ok(())
                },
            )?;
            arm.summary.merge(&block_summary);
        }
    }
    let pairs = arms[1].samples[0].len();
    let v = view(&arms[0], arms[1].summary.clone(), &arms[1].samples, true);
    publisher.publish(
        State::Running,
        pairs as u64,
        Some(JobResult::Compare(Box::new(v))),
    );
    Ok(())
}
