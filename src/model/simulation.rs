//! One replication: the state of the delivery system and its event loop.
//!
//! The stages of a change live in their own files (`coding.rs`, `review.rs`, `testing.rs`,
//! `deploy.rs`, `production.rs`); this file holds the shared state, the events, the compiled
//! parameter phases and the loop that dispatches events to the stages.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::engine::random::{SimRng, Stream, stream_rng, stream_seed};
use crate::engine::{Calendar, EventQueue};

use super::defects::{BySuite, DefectClass, Defects, Severity};
use super::distribution::Sampler;
use super::guard::{Guard, GuardKind, GuardTrip};
use super::params::Params;
use super::records::{ChangeRecord, DeploymentRecord, IncidentRecord, RunRecords, WeekSample};
use super::timeline::{HOURS_PER_WEEK, Schedule};

/// Samplers derived from one parameter set.
#[derive(Debug, Clone)]
pub(crate) struct Samplers {
    pub feature_size: Sampler,
    pub bugfix_size: Sampler,
    pub config_size: Sampler,
    pub coding_noise: Sampler,
    pub rework: Sampler,
    pub speedup: Sampler,
    pub size_multiplier: Sampler,
    pub review_noise: Sampler,
    pub ci: Sampler,
    pub staging: Sampler,
    pub deploy: Sampler,
    pub manifest_delay: Sampler,
    pub impact: Sampler,
    pub bug_report_delay: Sampler,
    pub bug_fix: Sampler,
    pub detection: Sampler,
    pub diagnosis: Sampler,
    pub rollback: Sampler,
    pub hotfix: Sampler,
}

impl Samplers {
    fn new(p: &Params) -> Self {
        Samplers {
            feature_size: p.demand.feature_size_loc.sampler(),
            bugfix_size: p.demand.bugfix_size_loc.sampler(),
            config_size: p.demand.config_size_loc.sampler(),
            coding_noise: p.team.coding_effort_noise.sampler(),
            rework: p.team.rework_hours_per_defect.sampler(),
            speedup: p.ai.speedup.sampler(),
            size_multiplier: p.ai.size_multiplier.sampler(),
            review_noise: p.review.effort_noise.sampler(),
            ci: p.testing.ci_hours.sampler(),
            staging: p.testing.staging_hours.sampler(),
            deploy: p.deploy.duration_hours.sampler(),
            manifest_delay: p.production.manifest_delay_hours.sampler(),
            impact: p.production.failure_impact.sampler(),
            bug_report_delay: p.production.bug_report_delay_hours.sampler(),
            bug_fix: p.production.bug_fix_hours.sampler(),
            detection: p.recovery.detection_hours.sampler(),
            diagnosis: p.recovery.diagnosis_hours.sampler(),
            rollback: p.recovery.rollback_hours.sampler(),
            hotfix: p.recovery.hotfix_hours.sampler(),
        }
    }
}

/// One parameter set in force from `start_hours`, with everything derived from it.
#[derive(Debug, Clone)]
pub(crate) struct Phase {
    pub start_hours: f64,
    pub params: Arc<Params>,
    pub samplers: Samplers,
    pub calendar: Calendar,
    /// Fragility decay factor over one hourly tick (derived once per phase).
    pub fragility_decay_per_tick: f64,
}

/// Hours between fragility updates (the production stage's hourly tick).
pub(crate) const FRAGILITY_TICK_HOURS: f64 = 1.0;

/// Factor by which fragility decays over one tick with the given parameters.
pub(crate) fn fragility_decay_per_tick(p: &super::params::Params) -> f64 {
    let per_week =
        p.fragility.decay_per_week + p.fragility.maintenance_decay_per_week * p.maintenance_share();
    (-per_week.max(0.0) * FRAGILITY_TICK_HOURS / HOURS_PER_WEEK).exp()
}

/// A scenario compiled for simulation: built once, shared read-only by every replication.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) phases: Vec<Phase>,
    pub(crate) warmup_hours: f64,
    pub(crate) end_hours: f64,
    /// Limits that stop a runaway replication.
    pub(crate) guard: Guard,
}

impl Model {
    /// Compiles a parameter schedule.
    pub fn new(schedule: &Schedule) -> Model {
        let phases: Vec<Phase> = schedule
            .phases
            .iter()
            .map(|(start, params)| Phase {
                start_hours: *start,
                samplers: Samplers::new(params),
                fragility_decay_per_tick: fragility_decay_per_tick(params),
                calendar: Calendar {
                    enabled: params.time.working_calendar,
                    start_hour: params.time.workday_start_hour,
                    hours_per_day: params.time.hours_per_day,
                    days_per_week: params.time.days_per_week,
                },
                params: Arc::clone(params),
            })
            .collect();
        let base = &schedule.initial().time;
        let warmup_hours = base.warmup_weeks * HOURS_PER_WEEK;
        Model {
            phases,
            warmup_hours,
            end_hours: warmup_hours + base.horizon_weeks * HOURS_PER_WEEK,
            guard: Guard::default(),
        }
    }

    /// The same model with other limits for runaway replications (see [`super::guard`]).
    pub fn with_guard(mut self, guard: Guard) -> Model {
        self.guard = guard;
        self
    }

    /// The limits for runaway replications.
    pub fn guard(&self) -> Guard {
        self.guard
    }

    /// A model whose parameters never change.
    pub fn constant(params: Params) -> Model {
        Model::new(&Schedule {
            phases: vec![(0.0, Arc::new(params))],
        })
    }

    /// The parameters in force at the start.
    pub fn initial_params(&self) -> &Params {
        &self.phases[0].params
    }

    /// Runs replication `replication` of this model with `seed`.
    pub fn run(&self, seed: u64, replication: u64) -> RunRecords {
        Simulation::new(self, seed, replication).run()
    }
}

/// Work a developer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Task {
    /// Write a planned change.
    Code(u32),
    /// Write the fix of a user-facing bug.
    FixBug(u32),
    /// Rework a pull request after review findings.
    ReworkPullRequest(u32),
    /// Rework a change after test or staging findings.
    ReworkChange(u32),
}

/// Everything that can happen.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    Arrival,
    TaskDone(Task, f64),
    ReviewPickup(u32),
    ReviewDone(u32, f64),
    TestsDone(u32),
    StagingDone(u32),
    TrainDeparture,
    DeployWindowOpens,
    DeployDone(u32),
    Manifest {
        change: u32,
        deployment: u32,
        class: DefectClass,
        severity: Severity,
    },
    BugReported,
    IncidentDetected(u32),
    DiagnosisDone(u32),
    RollbackDone(u32, f64),
    MitigationDone(u32),
    HotfixCoded(u32),
    Recurrence(u32),
    FragilityTick,
    WeekEnd,
    PhaseChange(u32),
}

/// A pull request: part of a change, reviewed on its own.
#[derive(Debug, Clone)]
pub(crate) struct PullRequest {
    pub change: u32,
    pub loc: f64,
    pub defects: Defects,
    pub rounds: u16,
    pub enqueued: f64,
    pub expedited: bool,
}

/// Model-only state of a change (the record holds what tooling sees).
#[derive(Debug, Clone)]
pub(crate) struct ChangeState {
    pub latent: Defects,
    pub coding_effort: f64,
    pub prs_open: u16,
    pub incident: Option<u32>,
    pub rework_started: f64,
    /// Uniform draw deciding an artificial split (drawn with the item, for common random numbers).
    pub split_draw: f64,
    /// Multiplier on the author's effort for this change: the AI speed-up (1 − speed-up) for an
    /// AI-assisted change, whose author also reworks it with the assistant; 1 otherwise.
    pub effort_factor: f64,
    /// Size of the work as a developer would write it by hand, lines of code: what decides how
    /// many pull requests the change is cut into.
    pub logical_loc: f64,
    /// Latent defects each suite (CI with traffic replay, staging) has already looked at and
    /// missed: whether a suite detects a defect is decided once, so a re-run does not find what
    /// the same tests missed before.
    pub unseen_by: BySuite<Defects>,
}

/// Random generators of one replication, one per source.
pub(crate) struct Streams {
    pub arrivals: SimRng,
    pub items_seed: u64,
    pub coding: SimRng,
    pub review: SimRng,
    pub pickup: SimRng,
    pub testing: SimRng,
    pub deploy: SimRng,
    pub production: SimRng,
    pub recovery: SimRng,
    pub fragility: SimRng,
    pub culture: SimRng,
}

/// The state of one replication.
pub(crate) struct Simulation<'m> {
    pub model: &'m Model,
    pub phase: usize,
    pub queue: EventQueue<Event>,
    pub rng: Streams,
    /// Items created so far: planned work, unplanned fixes.
    pub next_item: [u64; 2],
    pub records: RunRecords,
    pub states: Vec<ChangeState>,
    pub prs: Vec<PullRequest>,
    pub deployed_changes: Vec<Vec<u32>>,
    pub incident_reviewer: Vec<bool>,
    // Developers.
    pub developers_busy: u32,
    pub tasks_fix: VecDeque<(Task, f64)>,
    pub tasks_rework: VecDeque<(Task, f64)>,
    pub todo: VecDeque<u32>,
    pub in_flight: u32,
    // Reviewers.
    pub reviewers_busy: u32,
    pub review_queue: VecDeque<u32>,
    pub expedited_queue: VecDeque<u32>,
    // Deployment.
    pub merged_waiting: Vec<u32>,
    pub deploying: bool,
    pub tick_pending: bool,
    // Production.
    pub fragility: f64,
    /// Fragility added by merges in the last whole weeks of the warm-up (for the warm start).
    pub fragility_inflow: f64,
    // Culture.
    pub safety_loss: f64,
    pub defect_multiplier: f64,
    pub recent_deploys: VecDeque<(f64, u32)>,
    pub recent_changes: u32,
    // Integrals for time averages.
    pub in_system: u32,
    pub last_time: f64,
    pub review_area: f64,
    pub wip_area: f64,
    pub week_review_area: f64,
    pub week_wip_area: f64,
    // Guard: the loop stops once more events than this were processed (lowered to zero when a
    // change too many is created, so one comparison per event serves both limits).
    pub event_limit: u64,
    pub guard_kind: GuardKind,
}

impl<'m> Simulation<'m> {
    fn new(model: &'m Model, seed: u64, replication: u64) -> Self {
        let rng = Streams {
            arrivals: stream_rng(seed, replication, Stream::Arrivals),
            items_seed: stream_seed(seed, replication, Stream::Items),
            coding: stream_rng(seed, replication, Stream::Coding),
            review: stream_rng(seed, replication, Stream::Review),
            pickup: stream_rng(seed, replication, Stream::ReviewPickup),
            testing: stream_rng(seed, replication, Stream::Testing),
            deploy: stream_rng(seed, replication, Stream::Deploy),
            production: stream_rng(seed, replication, Stream::Production),
            recovery: stream_rng(seed, replication, Stream::Recovery),
            fragility: stream_rng(seed, replication, Stream::Fragility),
            culture: stream_rng(seed, replication, Stream::Culture),
        };
        let records = RunRecords {
            warmup_hours: model.warmup_hours,
            end_hours: model.end_hours,
            ..RunRecords::default()
        };
        Simulation {
            model,
            phase: 0,
            queue: EventQueue::new(),
            rng,
            next_item: [0; 2],
            records,
            states: Vec::new(),
            prs: Vec::new(),
            deployed_changes: Vec::new(),
            incident_reviewer: Vec::new(),
            developers_busy: 0,
            tasks_fix: VecDeque::new(),
            tasks_rework: VecDeque::new(),
            todo: VecDeque::new(),
            in_flight: 0,
            reviewers_busy: 0,
            review_queue: VecDeque::new(),
            expedited_queue: VecDeque::new(),
            merged_waiting: Vec::new(),
            deploying: false,
            tick_pending: false,
            fragility: 0.0,
            fragility_inflow: 0.0,
            safety_loss: 0.0,
            defect_multiplier: 1.0,
            recent_deploys: VecDeque::new(),
            recent_changes: 0,
            in_system: 0,
            last_time: 0.0,
            review_area: 0.0,
            wip_area: 0.0,
            week_review_area: 0.0,
            week_wip_area: 0.0,
            event_limit: model.guard.max_events,
            guard_kind: GuardKind::Events,
        }
    }

    /// Parameters in force now.
    #[inline]
    pub fn p(&self) -> &'m Params {
        &self.model.phases[self.phase].params
    }

    /// Effort to rework `defects` found in a change: one draw per defect, scaled by the change's
    /// effort factor (the assistant that wrote an AI-assisted change helps fix it).
    pub(crate) fn rework_effort(&mut self, change: usize, defects: u16) -> f64 {
        let factor = self.states[change].effort_factor;
        let sampler = &self.model.phases[self.phase].samplers.rework;
        (0..defects)
            .map(|_| sampler.sample(&mut self.rng.coding).max(0.0))
            .sum::<f64>()
            * factor
    }

    /// Samplers in force now.
    #[inline]
    pub fn s(&self) -> &'m Samplers {
        &self.model.phases[self.phase].samplers
    }

    /// The working calendar in force now.
    #[inline]
    pub fn calendar(&self) -> Calendar {
        self.model.phases[self.phase].calendar
    }

    /// Current time, hours.
    #[inline]
    pub fn now(&self) -> f64 {
        self.queue.now()
    }

    /// True once the warm-up is over.
    #[inline]
    pub fn measuring(&self) -> bool {
        self.queue.now() >= self.model.warmup_hours
    }

    fn run(mut self) -> RunRecords {
        for (i, phase) in self.model.phases.iter().enumerate().skip(1) {
            self.queue
                .schedule_at(phase.start_hours, Event::PhaseChange(i as u32));
        }
        self.queue
            .schedule_at(self.model.warmup_hours, Event::WeekEnd);
        self.queue.schedule_in(1.0, Event::FragilityTick);
        self.start_demand();
        self.start_deploy_schedule();
        let end = self.model.end_hours;
        while let Some(event) = self.queue.pop_until(end) {
            if self.queue.processed() > self.event_limit {
                self.records.guard = Some(self.guard_trip());
                break;
            }
            self.accumulate_areas();
            self.handle(event);
        }
        self.finish(end)
    }

    fn guard_trip(&self) -> GuardTrip {
        let guard = self.model.guard;
        GuardTrip {
            kind: self.guard_kind,
            limit: match self.guard_kind {
                GuardKind::Events => guard.max_events,
                GuardKind::Changes => guard.max_changes,
            },
            at_hours: self.now(),
            end_hours: self.model.end_hours,
            backlog: self.todo.len(),
            review_queue: self.review_queue.len() + self.expedited_queue.len(),
        }
    }

    fn accumulate_areas(&mut self) {
        let now = self.queue.now();
        let dt = now - self.last_time;
        if dt > 0.0 {
            self.review_area += (self.review_queue.len() + self.expedited_queue.len()) as f64 * dt;
            self.wip_area += f64::from(self.in_system) * dt;
            self.last_time = now;
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival => self.on_arrival(),
            Event::TaskDone(task, effort) => self.on_task_done(task, effort),
            Event::ReviewPickup(pr) => self.enqueue_review(pr),
            Event::ReviewDone(pr, effort) => self.on_review_done(pr, effort),
            Event::TestsDone(change) => self.on_tests_done(change),
            Event::StagingDone(change) => self.on_staging_done(change),
            Event::TrainDeparture => self.on_train_departure(),
            Event::DeployWindowOpens => self.on_deploy_window_opens(),
            Event::DeployDone(deployment) => self.on_deploy_done(deployment),
            Event::Manifest {
                change,
                deployment,
                class,
                severity,
            } => self.on_manifest(change, deployment, class, severity),
            Event::BugReported => self.on_bug_reported(),
            Event::IncidentDetected(incident) => self.on_incident_detected(incident),
            Event::DiagnosisDone(incident) => self.on_diagnosis_done(incident),
            Event::RollbackDone(incident, started) => self.on_rollback_done(incident, started),
            Event::MitigationDone(incident) => self.restore(incident),
            Event::HotfixCoded(change) => self.start_tests(change),
            Event::Recurrence(incident) => self.on_recurrence(incident),
            Event::FragilityTick => self.on_fragility_tick(),
            Event::WeekEnd => self.on_week_end(),
            Event::PhaseChange(phase) => self.on_phase_change(phase as usize),
        }
    }

    fn on_phase_change(&mut self, phase: usize) {
        self.phase = phase;
        // More people may have become available.
        self.dispatch_developers();
        self.dispatch_reviewers();
    }

    fn on_week_end(&mut self) {
        let now = self.now();
        let p = self.p();
        if now > self.model.warmup_hours + 1e-9 {
            let sample = WeekSample {
                fragility: self.fragility,
                review_queue: (self.review_area - self.week_review_area) / HOURS_PER_WEEK,
                work_in_progress: (self.wip_area - self.week_wip_area) / HOURS_PER_WEEK,
                adoption: p.ai.adoption,
                reviewers: f64::from(p.review.reviewers),
                defect_multiplier: self.defect_multiplier,
                developers: f64::from(p.team.developers),
            };
            self.records.weeks.push(sample);
        } else {
            self.warm_start_fragility();
            self.records.flow.review_queue_avg = -self.review_area;
            self.records.flow.work_in_progress_avg = -self.wip_area;
        }
        self.week_review_area = self.review_area;
        self.week_wip_area = self.wip_area;
        let hours = self.calendar().hours_per_week();
        if now + HOURS_PER_WEEK <= self.model.end_hours + 1e-9 {
            self.records.flow.reviewer_hours_available += f64::from(p.review.reviewers) * hours;
            self.records.flow.developer_hours_available += f64::from(p.team.developers) * hours;
            self.queue.schedule_in(HOURS_PER_WEEK, Event::WeekEnd);
        }
    }

    /// At the end of the warm-up, sets the fragility stock to the level at which the inflow seen
    /// in the last weeks of the warm-up balances its decay: the steady state of an existing
    /// codebase. Without it a stock whose decay takes months would still be filling up through
    /// the horizon, and "before vs after" comparisons would mix a scenario's effect with drift.
    fn warm_start_fragility(&mut self) {
        let p = self.p();
        let window_weeks = self.warm_start_window_weeks();
        let decay_per_week = p.fragility.decay_per_week
            + p.fragility.maintenance_decay_per_week * p.maintenance_share();
        if !p.fragility.warm_start || window_weeks <= 0.0 || decay_per_week <= 0.0 {
            return;
        }
        let steady = self.fragility_inflow / window_weeks / decay_per_week;
        if steady.is_finite() {
            self.fragility = steady;
        }
    }

    /// Whole weeks at the end of the warm-up over which the fragility inflow is measured for the
    /// warm start: half the warm-up, at most two weeks, in whole weeks so that every weekday and
    /// weekend counts once (0 when the warm-up is shorter than two weeks).
    pub(crate) fn warm_start_window_weeks(&self) -> f64 {
        (self.model.warmup_hours / HOURS_PER_WEEK / 2.0)
            .floor()
            .min(2.0)
    }

    fn finish(mut self, end: f64) -> RunRecords {
        // Bring the integrals to the end of the run.
        let dt = end - self.last_time;
        if dt > 0.0 {
            self.review_area += (self.review_queue.len() + self.expedited_queue.len()) as f64 * dt;
            self.wip_area += f64::from(self.in_system) * dt;
        }
        let measured = (end - self.model.warmup_hours).max(f64::MIN_POSITIVE);
        let flow = &mut self.records.flow;
        flow.review_queue_avg = (flow.review_queue_avg + self.review_area) / measured;
        flow.work_in_progress_avg = (flow.work_in_progress_avg + self.wip_area) / measured;
        self.records.events = self.queue.processed();
        self.records.culture.safety_end = self.safety();
        self.records.culture.defect_multiplier_end = self.defect_multiplier;
        self.records
    }

    /// Share of a piece of human work running from `start` to `done` (calendar time) that falls in
    /// the measured window, in working hours: work is booked where it happens, not when it starts.
    pub fn share_in_window(&self, start: f64, done: f64) -> f64 {
        let (from, to) = (self.model.warmup_hours, self.model.end_hours);
        // Most work lies wholly inside or outside the window: no calendar arithmetic needed.
        if start >= from && done <= to {
            return 1.0;
        }
        if done <= from || start >= to {
            return 0.0;
        }
        let calendar = self.calendar();
        let total = calendar.working_hours_between(start, done);
        if total <= 0.0 {
            return if start >= from && start < to {
                1.0
            } else {
                0.0
            };
        }
        calendar.working_hours_between(start.max(from), done.min(to)) / total
    }

    /// Adds a change record and its model state; returns its id.
    pub fn add_change(&mut self, record: ChangeRecord, state: ChangeState) -> u32 {
        let id = self.records.changes.len() as u32;
        if u64::from(id) >= self.model.guard.max_changes {
            self.guard_kind = GuardKind::Changes;
            self.event_limit = 0;
        }
        self.records.changes.push(ChangeRecord { id, ..record });
        self.states.push(state);
        id
    }

    /// Adds a deployment record; returns its id.
    pub fn add_deployment(&mut self, record: DeploymentRecord, changes: Vec<u32>) -> u32 {
        let id = self.records.deployments.len() as u32;
        self.records
            .deployments
            .push(DeploymentRecord { id, ..record });
        self.deployed_changes.push(changes);
        id
    }

    /// Adds an incident record; returns its id.
    pub fn add_incident(&mut self, record: IncidentRecord) -> u32 {
        let id = self.records.incidents.len() as u32;
        self.records.incidents.push(IncidentRecord { id, ..record });
        self.incident_reviewer.push(false);
        id
    }
}
