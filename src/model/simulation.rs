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
use super::records::{
    ChangeRecord, CultureTotals, DeploymentRecord, FlowTotals, IncidentRecord, PullRequestRecord,
    RunRecords, TimeUse, WeekSample,
};
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
    pub agent_size: Sampler,
    pub agent_run: Sampler,
}

impl Samplers {
    /// The hand-written size of a change of `kind`.
    #[inline]
    pub fn size_of(&self, kind: super::records::ChangeKind) -> &Sampler {
        use super::records::ChangeKind;
        match kind {
            ChangeKind::Feature => &self.feature_size,
            ChangeKind::BugFix => &self.bugfix_size,
            ChangeKind::Config => &self.config_size,
        }
    }

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
            agent_size: p.agents.size_multiplier.sampler(),
            agent_run: p.agents.run_hours.sampler(),
        }
    }
}

/// One team's parameter set in one phase, with everything derived from it.
#[derive(Debug, Clone)]
pub(crate) struct TeamPhase {
    pub params: Arc<Params>,
    pub samplers: Samplers,
    pub calendar: Calendar,
    /// Fragility's continuous decay rate, per hour (derived once per phase).
    pub fragility_decay_per_hour: f64,
}

impl TeamPhase {
    fn new(params: &Arc<Params>) -> TeamPhase {
        TeamPhase {
            samplers: Samplers::new(params),
            fragility_decay_per_hour: fragility_decay_per_hour(params),
            calendar: Calendar {
                enabled: params.time.working_calendar,
                start_hour: params.time.workday_start_hour,
                hours_per_day: params.time.hours_per_day,
                days_per_week: params.time.days_per_week,
            },
            params: Arc::clone(params),
        }
    }
}

/// The parameter sets in force from `start_hours`, one per team.
#[derive(Debug, Clone)]
pub(crate) struct Phase {
    pub start_hours: f64,
    pub teams: Vec<TeamPhase>,
}

/// Fragility's continuous decay rate per hour with the given parameters: the weekly decay and
/// the maintenance that pays debt down.
pub(crate) fn fragility_decay_per_hour(p: &super::params::Params) -> f64 {
    let per_week =
        p.fragility.decay_per_week + p.fragility.maintenance_decay_per_week * p.maintenance_share();
    per_week.max(0.0) / HOURS_PER_WEEK
}

/// A scenario compiled for simulation: built once, shared read-only by every replication.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) phases: Vec<Phase>,
    /// The teams' names, in index order (one unnamed team for a one-team scenario).
    pub(crate) team_names: Vec<String>,
    pub(crate) warmup_hours: f64,
    pub(crate) end_hours: f64,
    /// Limits that stop a runaway replication.
    pub(crate) guard: Guard,
    /// Several teams, and every team in every phase counts interacting changes over the same
    /// window: the other services' changes in a service's window are then the organisation's
    /// minus its own ([`Simulation::org_deploys`]), without visiting every other team.
    pub(crate) shared_interaction_window: bool,
}

impl Model {
    /// Compiles a parameter schedule of one team.
    pub fn new(schedule: &Schedule) -> Model {
        Model::organisation(&[(String::new(), schedule.clone())])
    }

    /// Compiles the schedules of an organisation's teams (named), which share production. The
    /// run's calendar length (warm-up and horizon) is the first team's: teams share one clock.
    /// Every team's parameters change at the union of the teams' phase times.
    pub fn organisation(teams: &[(String, Schedule)]) -> Model {
        let mut times: Vec<f64> = teams
            .iter()
            .flat_map(|(_, schedule)| schedule.phases.iter().map(|(start, _)| *start))
            .collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let phases: Vec<Phase> = times
            .iter()
            .map(|&start| Phase {
                start_hours: start,
                teams: teams
                    .iter()
                    .map(|(_, schedule)| TeamPhase::new(schedule.at(start)))
                    .collect(),
            })
            .collect();
        let base = &teams[0].1.initial().time;
        let warmup_hours = base.warmup_weeks * HOURS_PER_WEEK;
        let window = |tp: &TeamPhase| tp.params.fragility.interaction_window_hours.max(0.0);
        let first = window(&phases[0].teams[0]);
        let shared_interaction_window = teams.len() > 1
            && phases
                .iter()
                .flat_map(|phase| &phase.teams)
                .all(|tp| window(tp).to_bits() == first.to_bits());
        Model {
            phases,
            shared_interaction_window,
            team_names: teams.iter().map(|(name, _)| name.clone()).collect(),
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

    /// The parameters in force at the start (the first team's).
    pub fn initial_params(&self) -> &Params {
        &self.phases[0].teams[0].params
    }

    /// The teams' names, in index order (one empty name for a one-team scenario).
    pub fn team_names(&self) -> &[String] {
        &self.team_names
    }

    /// Number of teams (services).
    pub fn team_count(&self) -> usize {
        self.team_names.len()
    }

    /// Runs replication `replication` of this model with `seed`.
    pub fn run(&self, seed: u64, replication: u64) -> RunRecords {
        self.run_with(seed, replication, &mut RunScratch::default())
    }

    /// Runs replication `replication` like [`Model::run`], in buffers left by earlier
    /// replications in `scratch` (give the records back with [`RunScratch::recycle`]): the same
    /// records, without growing and faulting in fresh memory every replication.
    pub fn run_with(&self, seed: u64, replication: u64, scratch: &mut RunScratch) -> RunRecords {
        Simulation::new(self, seed, replication, scratch).run(scratch)
    }

    /// Runs replication `replication` in `scratch`'s buffers, gives its records to `read`, then
    /// takes the buffers back for the next replication: what a loop over replications calls.
    pub fn read_run<T>(
        &self,
        seed: u64,
        replication: u64,
        scratch: &mut RunScratch,
        read: impl FnOnce(&RunRecords) -> T,
    ) -> T {
        let records = self.run_with(seed, replication, scratch);
        let out = read(&records);
        scratch.recycle(records);
        out
    }
}

/// Buffers one replication leaves for the next on the same thread: the records' lists, the
/// model's per-change state and the event queue, emptied but with their memory. A long run
/// otherwise spends a tenth of its time growing lists and faulting in new pages.
#[derive(Default)]
pub struct RunScratch {
    changes: Vec<ChangeRecord>,
    deployments: Vec<DeploymentRecord>,
    incidents: Vec<IncidentRecord>,
    pull_requests: Vec<PullRequestRecord>,
    states: Vec<ChangeState>,
    prs: Vec<PullRequest>,
    deployed_changes: Vec<Vec<u32>>,
    incident_reviewer: Vec<bool>,
    queue: Option<EventQueue<Event>>,
}

impl RunScratch {
    /// Takes back the lists of records a replication returned, once they have been read.
    pub fn recycle(&mut self, records: RunRecords) {
        keep(records.changes, &mut self.changes);
        keep(records.deployments, &mut self.deployments);
        keep(records.incidents, &mut self.incidents);
        keep(records.pull_requests, &mut self.pull_requests);
    }
}

/// Keeps the larger of two lists' allocations in `to`.
fn keep<T>(from: Vec<T>, to: &mut Vec<T>) {
    if from.capacity() > to.capacity() {
        *to = from;
    }
}

/// `list`, emptied.
fn emptied<T>(mut list: Vec<T>) -> Vec<T> {
    list.clear();
    list
}

/// One piece of an agent's work: writing a change, or reworking what review or tests found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AgentJob {
    /// Write a change (its one pull request).
    Write(u32),
    /// Rework a pull request after review findings.
    ReworkPullRequest(u32),
    /// Rework a change after test or staging findings.
    ReworkChange(u32),
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
    /// Prompt and steer an agent session on a change (supervision).
    Prompt(u32),
    /// Check an agent's work before it goes on (supervision).
    Check(AgentJob),
}

/// Everything that can happen. Events that name no change, pull request, deployment or incident
/// carry their team.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    Arrival(u16),
    TaskDone(Task, f64),
    ReviewPickup(u32),
    ReviewDone(u32, f64),
    TestsDone(u32),
    StagingDone(u32),
    TrainDeparture(u16),
    DeployWindowOpens(u16),
    DeployDone(u32),
    Manifest {
        change: u32,
        deployment: u32,
        class: DefectClass,
        severity: Severity,
        /// The team whose service the defect shows in.
        service: u16,
    },
    BugReported(u16),
    IncidentDetected(u32),
    DiagnosisDone(u32),
    RollbackDone(u32, f64),
    MitigationDone(u32),
    HotfixCoded(u32),
    Recurrence(u32),
    /// A candidate time for a non-attributable incident (thinning), with the generation of the
    /// candidate it belongs to: a candidate superseded by an earlier one is ignored.
    FragilityCheck(u16, u32),
    /// A candidate time for a padding deployment (thinning), with its generation.
    PaddingCheck(u16, u32),
    WeekEnd,
    PhaseChange(u32),
    /// An agent finished a run.
    AgentDone(AgentJob),
    /// The AI reviewer finished screening a pull request.
    AiReviewDone(u32),
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
    /// Already screened by the AI reviewer.
    pub screened: bool,
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
    /// Uniform draw deciding whether a reviewer rejects the change's agent pull request.
    pub reject_draw: f64,
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
    /// Agents' run times and the AI reviewer's findings (never drawn without agents or AI
    /// review, so the other streams stay as they were).
    pub agents: SimRng,
    pub agent_items_seed: u64,
}

impl Streams {
    /// The streams of team `team` (team 0 gets the streams of a one-team run, so adding teams
    /// leaves the first team's draws where they were).
    fn new(seed: u64, replication: u64, team: u16) -> Streams {
        let seed = if team == 0 {
            seed
        } else {
            crate::engine::random::mix(seed ^ (u64::from(team) << 48))
        };
        Streams {
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
            agents: stream_rng(seed, replication, Stream::Agents),
            agent_items_seed: stream_seed(seed, replication, Stream::AgentItems),
        }
    }
}

/// The state of one team: its people, queues, pipeline, service and culture, and its totals.
pub(crate) struct TeamState {
    pub rng: Streams,
    /// Items created so far: planned work, unplanned fixes, agent work.
    pub next_item: [u64; 3],
    // Developers.
    pub developers_busy: u32,
    pub tasks_fix: VecDeque<(Task, f64)>,
    pub tasks_agent: VecDeque<(Task, f64)>,
    pub tasks_rework: VecDeque<(Task, f64)>,
    pub todo: VecDeque<u32>,
    pub in_flight: u32,
    /// Developers prompting or checking agents now.
    pub supervising: u32,
    // Agents.
    pub agent_sessions_busy: u32,
    pub agent_todo: VecDeque<u32>,
    // Reviewers.
    pub reviewers_busy: u32,
    pub review_queue: VecDeque<u32>,
    pub expedited_queue: VecDeque<u32>,
    // Deployment.
    pub merged_waiting: Vec<u32>,
    pub deploying: bool,
    pub tick_pending: bool,
    // Production: the team's service.
    /// Fragility at `fragility_at` (it decays continuously; see `settle_fragility`).
    pub fragility: f64,
    pub fragility_at: f64,
    /// Rate of candidates for non-attributable incidents (per hour): at least the hazard from
    /// now until the next candidate. `check_at` is when the next waits, `check_generation` its
    /// generation.
    pub hazard_bound: f64,
    pub check_at: f64,
    pub check_generation: u32,
    /// Rate of candidates for padding deployments per working hour, and the generation of the
    /// candidate waiting.
    pub padding_bound: f64,
    pub padding_generation: u32,
    /// Fragility added by merges in the last whole weeks of the warm-up, decayed like the stock
    /// since (for the warm start): the stock of a codebase that started empty at the window's
    /// start. Settled with the stock itself (`settle_fragility`).
    pub fragility_inflow: f64,
    pub recent_deploys: VecDeque<(f64, u32)>,
    pub recent_changes: u32,
    // Culture.
    pub safety_loss: f64,
    pub defect_multiplier: f64,
    // Integrals for time averages.
    pub in_system: u32,
    pub last_time: f64,
    pub review_area: f64,
    pub wip_area: f64,
    pub week_review_area: f64,
    pub week_wip_area: f64,
    // Totals.
    pub flow: FlowTotals,
    pub time_use: TimeUse,
    pub culture: CultureTotals,
    pub weeks: Vec<WeekSample>,
}

impl TeamState {
    fn new(rng: Streams) -> TeamState {
        TeamState {
            rng,
            next_item: [0; 3],
            developers_busy: 0,
            tasks_fix: VecDeque::new(),
            tasks_agent: VecDeque::new(),
            tasks_rework: VecDeque::new(),
            todo: VecDeque::new(),
            in_flight: 0,
            supervising: 0,
            agent_sessions_busy: 0,
            agent_todo: VecDeque::new(),
            reviewers_busy: 0,
            review_queue: VecDeque::new(),
            expedited_queue: VecDeque::new(),
            merged_waiting: Vec::new(),
            deploying: false,
            tick_pending: false,
            fragility: 0.0,
            fragility_at: 0.0,
            hazard_bound: 0.0,
            check_at: f64::INFINITY,
            check_generation: 0,
            padding_bound: 0.0,
            padding_generation: 0,
            fragility_inflow: 0.0,
            recent_deploys: VecDeque::new(),
            recent_changes: 0,
            safety_loss: 0.0,
            defect_multiplier: 1.0,
            in_system: 0,
            last_time: 0.0,
            review_area: 0.0,
            wip_area: 0.0,
            week_review_area: 0.0,
            week_wip_area: 0.0,
            flow: FlowTotals::default(),
            time_use: TimeUse::default(),
            culture: CultureTotals::default(),
            weeks: Vec::new(),
        }
    }

    /// Brings the time integrals of the queues to `now`.
    fn accumulate_areas(&mut self, now: f64) {
        let dt = now - self.last_time;
        if dt > 0.0 {
            self.review_area += (self.review_queue.len() + self.expedited_queue.len()) as f64 * dt;
            self.wip_area += f64::from(self.in_system) * dt;
            self.last_time = now;
        }
    }
}

/// The state of one replication.
pub(crate) struct Simulation<'m> {
    pub model: &'m Model,
    pub phase: usize,
    /// The active team's phase in force now (`model.phases[phase].teams[cur]`), kept at hand:
    /// nearly every step of every event reads its parameters.
    tp: &'m TeamPhase,
    pub queue: EventQueue<Event>,
    pub records: RunRecords,
    pub states: Vec<ChangeState>,
    pub prs: Vec<PullRequest>,
    pub deployed_changes: Vec<Vec<u32>>,
    pub incident_reviewer: Vec<bool>,
    /// The team whose event is being handled, and its state; the other teams' states wait in
    /// `parked` (the active team's slot there holds a placeholder).
    pub cur: usize,
    pub team: Box<TeamState>,
    // Boxed in the vector too: activating a team swaps its box with the active one.
    #[allow(clippy::vec_box)]
    pub parked: Vec<Box<TeamState>>,
    // Guard: the loop stops once more events than this were processed (lowered to zero when a
    // change too many is created, so one comparison per event serves both limits).
    pub event_limit: u64,
    pub guard_kind: GuardKind,
    /// The sequence number reserved for the change to phase 1 (see [`EventQueue::reserve`]).
    pub phase_seq: u64,
    /// Every team's deployments (time, changes) still inside the interaction window, oldest
    /// first, and their changes in all: kept only when the model's teams share one window.
    pub org_deploys: VecDeque<(f64, u32)>,
    pub org_changes: u32,
}

impl<'m> Simulation<'m> {
    fn new(model: &'m Model, seed: u64, replication: u64, scratch: &mut RunScratch) -> Self {
        use std::mem::take;
        let records = RunRecords {
            warmup_hours: model.warmup_hours,
            end_hours: model.end_hours,
            changes: emptied(take(&mut scratch.changes)),
            deployments: emptied(take(&mut scratch.deployments)),
            incidents: emptied(take(&mut scratch.incidents)),
            pull_requests: emptied(take(&mut scratch.pull_requests)),
            ..RunRecords::default()
        };
        let mut queue = scratch.queue.take().unwrap_or_default();
        queue.clear();
        let teams = model.team_count();
        // Boxed, so that switching teams swaps two pointers, not two teams' state.
        #[allow(clippy::vec_box)]
        let mut parked: Vec<Box<TeamState>> = (0..teams)
            .map(|t| Box::new(TeamState::new(Streams::new(seed, replication, t as u16))))
            .collect();
        // Team 0 is active; its slot holds a placeholder (cheap: its streams are never drawn).
        let team = std::mem::replace(
            &mut parked[0],
            Box::new(TeamState::new(Streams::new(0, 0, 0))),
        );
        Simulation {
            model,
            phase: 0,
            tp: &model.phases[0].teams[0],
            queue,
            records,
            states: emptied(take(&mut scratch.states)),
            prs: emptied(take(&mut scratch.prs)),
            deployed_changes: emptied(take(&mut scratch.deployed_changes)),
            incident_reviewer: emptied(take(&mut scratch.incident_reviewer)),
            cur: 0,
            team,
            parked,
            event_limit: model.guard.max_events,
            guard_kind: GuardKind::Events,
            phase_seq: 0,
            org_deploys: VecDeque::new(),
            org_changes: 0,
        }
    }

    /// Makes team `t` the active one.
    #[inline]
    pub(crate) fn activate(&mut self, t: usize) {
        if t != self.cur {
            std::mem::swap(&mut self.team, &mut self.parked[self.cur]);
            std::mem::swap(&mut self.team, &mut self.parked[t]);
            self.cur = t;
            self.tp = &self.model.phases[self.phase].teams[t];
        }
    }

    /// Number of teams.
    #[inline]
    pub(crate) fn teams(&self) -> usize {
        self.parked.len()
    }

    /// The state of team `t` (active or parked).
    pub(crate) fn team_state(&self, t: usize) -> &TeamState {
        if t == self.cur {
            &self.team
        } else {
            &self.parked[t]
        }
    }

    /// The active team's phase in force now.
    #[inline]
    pub(crate) fn tp(&self) -> &'m TeamPhase {
        self.tp
    }

    /// The active team's parameters in force now.
    #[inline]
    pub fn p(&self) -> &'m Params {
        &self.tp().params
    }

    /// Effort to rework `defects` found in a change: one draw per defect, scaled by the change's
    /// effort factor (the assistant that wrote an AI-assisted change helps fix it).
    pub(crate) fn rework_effort(&mut self, change: usize, defects: u16) -> f64 {
        let factor = self.states[change].effort_factor;
        let sampler = &self.tp().samplers.rework;
        (0..defects)
            .map(|_| sampler.sample(&mut self.team.rng.coding).max(0.0))
            .sum::<f64>()
            * factor
    }

    /// Samplers in force now.
    #[inline]
    pub fn s(&self) -> &'m Samplers {
        &self.tp().samplers
    }

    /// The working calendar in force now.
    #[inline]
    pub fn calendar(&self) -> Calendar {
        self.tp().calendar
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

    fn run(mut self, scratch: &mut RunScratch) -> RunRecords {
        // Only the next phase change waits in the heap (a ramp has one a day); each keeps the
        // sequence number it would have had if all were queued now, so the order of events is
        // exactly that of queueing them all at the start.
        let changes = self.model.phases.len().saturating_sub(1) as u64;
        self.phase_seq = self.queue.reserve(changes);
        self.schedule_phase_change(1);
        self.queue
            .schedule_at(self.model.warmup_hours, Event::WeekEnd);
        for t in 0..self.teams() {
            self.activate(t);
            self.raise_hazard_bound();
            self.arm_padding();
            self.start_demand();
            self.start_deploy_schedule();
        }
        self.activate(0);
        let end = self.model.end_hours;
        while let Some(event) = self.queue.pop_until(end) {
            if self.queue.processed() > self.event_limit {
                self.records.guard = Some(self.guard_trip());
                break;
            }
            if self.parked.len() > 1 {
                let team = self.team_of(&event);
                self.activate(team);
            }
            self.team.accumulate_areas(self.queue.now());
            self.handle(event);
        }
        self.finish(end, scratch)
    }

    /// The team an event belongs to.
    fn team_of(&self, event: &Event) -> usize {
        let change_team = |c: u32| usize::from(self.records.changes[c as usize].team);
        let pr_team = |pr: u32| change_team(self.prs[pr as usize].change);
        match *event {
            Event::Arrival(t)
            | Event::TrainDeparture(t)
            | Event::DeployWindowOpens(t)
            | Event::BugReported(t)
            | Event::FragilityCheck(t, _)
            | Event::PaddingCheck(t, _) => usize::from(t),
            Event::Manifest { service, .. } => usize::from(service),
            Event::TaskDone(task, _) => match task {
                Task::Code(c)
                | Task::FixBug(c)
                | Task::ReworkChange(c)
                | Task::Prompt(c)
                | Task::Check(AgentJob::Write(c) | AgentJob::ReworkChange(c)) => change_team(c),
                Task::ReworkPullRequest(pr) | Task::Check(AgentJob::ReworkPullRequest(pr)) => {
                    pr_team(pr)
                }
            },
            Event::AgentDone(AgentJob::Write(c) | AgentJob::ReworkChange(c))
            | Event::TestsDone(c)
            | Event::StagingDone(c)
            | Event::HotfixCoded(c) => change_team(c),
            Event::AgentDone(AgentJob::ReworkPullRequest(pr))
            | Event::ReviewPickup(pr)
            | Event::ReviewDone(pr, _)
            | Event::AiReviewDone(pr) => pr_team(pr),
            Event::DeployDone(d) => usize::from(self.records.deployments[d as usize].team),
            Event::IncidentDetected(i)
            | Event::DiagnosisDone(i)
            | Event::RollbackDone(i, _)
            | Event::MitigationDone(i)
            | Event::Recurrence(i) => usize::from(self.records.incidents[i as usize].team),
            Event::WeekEnd | Event::PhaseChange(_) => self.cur,
        }
    }

    fn guard_trip(&self) -> GuardTrip {
        let guard = self.model.guard;
        let (backlog, review_queue) =
            (0..self.teams())
                .map(|t| self.team_state(t))
                .fold((0, 0), |(b, r), team| {
                    (
                        b + team.todo.len() + team.agent_todo.len(),
                        r + team.review_queue.len() + team.expedited_queue.len(),
                    )
                });
        GuardTrip {
            kind: self.guard_kind,
            limit: match self.guard_kind {
                GuardKind::Events => guard.max_events,
                GuardKind::Changes => guard.max_changes,
            },
            at_hours: self.now(),
            end_hours: self.model.end_hours,
            backlog,
            review_queue,
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival(_) => self.on_arrival(),
            Event::TaskDone(task, effort) => self.on_task_done(task, effort),
            Event::ReviewPickup(pr) => self.enqueue_review(pr),
            Event::ReviewDone(pr, effort) => self.on_review_done(pr, effort),
            Event::TestsDone(change) => self.on_tests_done(change),
            Event::StagingDone(change) => self.on_staging_done(change),
            Event::TrainDeparture(_) => self.on_train_departure(),
            Event::DeployWindowOpens(_) => self.on_deploy_window_opens(),
            Event::DeployDone(deployment) => self.on_deploy_done(deployment),
            Event::Manifest {
                change,
                deployment,
                class,
                severity,
                ..
            } => self.on_manifest(change, deployment, class, severity),
            Event::BugReported(_) => self.on_bug_reported(),
            Event::IncidentDetected(incident) => self.on_incident_detected(incident),
            Event::DiagnosisDone(incident) => self.on_diagnosis_done(incident),
            Event::RollbackDone(incident, started) => self.on_rollback_done(incident, started),
            Event::MitigationDone(incident) => self.restore(incident),
            Event::HotfixCoded(change) => self.start_tests(change),
            Event::Recurrence(incident) => self.on_recurrence(incident),
            Event::FragilityCheck(_, generation) => self.on_fragility_check(generation),
            Event::PaddingCheck(_, generation) => self.on_padding_check(generation),
            Event::WeekEnd => self.on_week_end(),
            Event::PhaseChange(phase) => self.on_phase_change(phase as usize),
            Event::AgentDone(job) => self.on_agent_done(job),
            Event::AiReviewDone(pr) => self.on_ai_review_done(pr),
        }
    }

    /// Queues the change to phase `i`, if there is one, with its reserved sequence number.
    fn schedule_phase_change(&mut self, i: usize) {
        if let Some(phase) = self.model.phases.get(i) {
            self.queue.schedule_reserved(
                phase.start_hours,
                self.phase_seq + i as u64 - 1,
                Event::PhaseChange(i as u32),
            );
        }
    }

    fn on_phase_change(&mut self, phase: usize) {
        let active = self.cur;
        // Fragility decayed at the old phase's rate until now.
        for t in 0..self.teams() {
            self.activate(t);
            self.settle_fragility();
        }
        self.phase = phase;
        self.tp = &self.model.phases[phase].teams[self.cur];
        self.schedule_phase_change(phase + 1);
        // More people (or agent sessions) may have become available, in every team; the new
        // parameters may raise the hazard or the padding rate.
        for t in 0..self.teams() {
            self.activate(t);
            let now = self.now();
            self.team.accumulate_areas(now);
            self.dispatch_developers();
            self.dispatch_reviewers();
            self.dispatch_agents();
            self.raise_hazard_bound();
            self.arm_padding();
        }
        self.activate(active);
    }

    fn on_week_end(&mut self) {
        let active = self.cur;
        let now = self.now();
        for t in 0..self.teams() {
            self.activate(t);
            self.team.accumulate_areas(now);
            self.team_week_end();
        }
        self.activate(active);
        if now + HOURS_PER_WEEK <= self.model.end_hours + 1e-9 {
            self.queue.schedule_at(now + HOURS_PER_WEEK, Event::WeekEnd);
        }
    }

    /// The active team's week end: its weekly sample, or the warm start at the end of the warm-up.
    fn team_week_end(&mut self) {
        let now = self.now();
        let p = self.p();
        self.settle_fragility();
        if now > self.model.warmup_hours + 1e-9 {
            let team = &self.team;
            let sample = WeekSample {
                fragility: team.fragility,
                review_queue: (team.review_area - team.week_review_area) / HOURS_PER_WEEK,
                work_in_progress: (team.wip_area - team.week_wip_area) / HOURS_PER_WEEK,
                adoption: p.ai.adoption,
                reviewers: f64::from(p.review.reviewers),
                defect_multiplier: team.defect_multiplier,
                developers: f64::from(p.team.developers),
            };
            self.team.weeks.push(sample);
        } else {
            self.warm_start_fragility();
            self.team.flow.review_queue_avg = -self.team.review_area;
            self.team.flow.work_in_progress_avg = -self.team.wip_area;
        }
        self.team.week_review_area = self.team.review_area;
        self.team.week_wip_area = self.team.wip_area;
        let hours = self.calendar().hours_per_week();
        if now + HOURS_PER_WEEK <= self.model.end_hours + 1e-9 {
            self.team.flow.reviewer_hours_available += f64::from(p.review.reviewers) * hours;
            self.team.flow.developer_hours_available += f64::from(p.team.developers) * hours;
        }
    }

    /// At the end of the warm-up, sets the fragility stock to its steady state for the inflow
    /// seen in the last whole weeks of the warm-up: the stock of an existing codebase. Without it
    /// a stock whose decay takes months would still be filling up through the horizon, and
    /// "before vs after" comparisons would mix a scenario's effect with drift.
    ///
    /// The steady state is the periodic one, at this moment of the week: had the window's inflow
    /// (`G`, what it added, decayed to now) repeated forever, every earlier window would add `G`
    /// decayed by one more window, so the stock is `G / (1 − exp(−decay × window))`. Merges come
    /// on working days and the stock decays over the weekend, so the stock at a week's end is
    /// below its weekly average (inflow / decay, which the warm start used before): by about 2 %
    /// with the defaults, the drift that the stock then showed over the horizon.
    fn warm_start_fragility(&mut self) {
        let p = self.p();
        let window_hours = self.warm_start_window_weeks() * HOURS_PER_WEEK;
        let decay = self.tp().fragility_decay_per_hour * window_hours;
        if !p.fragility.warm_start || window_hours <= 0.0 || decay <= 0.0 {
            return;
        }
        self.settle_fragility();
        let steady = self.team.fragility_inflow / -(-decay).exp_m1();
        if steady.is_finite() {
            self.team.fragility = steady;
            self.raise_hazard_bound();
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

    /// The records of the run up to `end`; the model's own buffers go back to `scratch`.
    fn finish(mut self, end: f64, scratch: &mut RunScratch) -> RunRecords {
        let measured = (end - self.model.warmup_hours).max(f64::MIN_POSITIVE);
        let mut totals = Vec::with_capacity(self.teams());
        for t in 0..self.teams() {
            self.activate(t);
            // Bring the integrals to the end of the run.
            let team = &mut self.team;
            let dt = end - team.last_time;
            if dt > 0.0 {
                team.review_area +=
                    (team.review_queue.len() + team.expedited_queue.len()) as f64 * dt;
                team.wip_area += f64::from(team.in_system) * dt;
            }
            let flow = &mut team.flow;
            flow.review_queue_avg = (flow.review_queue_avg + team.review_area) / measured;
            flow.work_in_progress_avg = (flow.work_in_progress_avg + team.wip_area) / measured;
            let safety = self.safety();
            self.team.culture.safety_end = safety;
            self.team.culture.defect_multiplier_end = self.team.defect_multiplier;
            totals.push(super::records::TeamTotals {
                name: self.model.team_names[t].clone(),
                flow: self.team.flow,
                time_use: self.team.time_use,
                culture: self.team.culture,
                weeks: std::mem::take(&mut self.team.weeks),
            });
        }
        self.records.events = self.queue.processed();
        if totals.len() == 1 {
            let only = totals.pop().unwrap_or_default();
            self.records.flow = only.flow;
            self.records.time_use = only.time_use;
            self.records.culture = only.culture;
            self.records.weeks = only.weeks;
        } else {
            self.records.roll_up(totals);
        }
        scratch.states = self.states;
        scratch.prs = self.prs;
        scratch.deployed_changes = self.deployed_changes;
        scratch.incident_reviewer = self.incident_reviewer;
        scratch.queue = Some(self.queue);
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
        let team = self.cur as u16;
        self.records
            .changes
            .push(ChangeRecord { id, team, ..record });
        self.states.push(state);
        id
    }

    /// Adds a deployment record; returns its id.
    pub fn add_deployment(&mut self, record: DeploymentRecord, changes: Vec<u32>) -> u32 {
        let id = self.records.deployments.len() as u32;
        let team = self.cur as u16;
        self.records
            .deployments
            .push(DeploymentRecord { id, team, ..record });
        self.deployed_changes.push(changes);
        id
    }

    /// Adds an incident record; returns its id.
    pub fn add_incident(&mut self, record: IncidentRecord) -> u32 {
        let id = self.records.incidents.len() as u32;
        let team = self.cur as u16;
        self.records
            .incidents
            .push(IncidentRecord { id, team, ..record });
        self.incident_reviewer.push(false);
        id
    }
}
