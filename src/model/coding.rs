//! Demand and coding: work items arrive, developers turn them into changes, AI assistance changes
//! effort, size and the defect mix, and latent defects are injected.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Poisson};

use crate::engine::random::{exponential_wait, item_rng};

use super::defects::{DefectClass, Defects, Severity, by_class};
use super::params::AgentParams;
use super::params::DemandMode;
use super::records::{ChangeKind, ChangeRecord, Origin};
use super::simulation::{AgentJob, ChangeState, Event, PullRequest, Simulation, Task};
use crate::engine::random::SimRng;

/// Who writes a new change: a developer, or an agent with its own generator for the draws only
/// agents make.
enum Author {
    Developer,
    Agent(SimRng),
}

/// Item indices of the agents' extra draws and of redone items, apart from the items' own.
const AGENT_DRAWS: u64 = 1 << 62;
const REDO_DRAWS: u64 = 1 << 61;

/// Whether agents take work of `kind`.
fn agents_take(a: &AgentParams, kind: ChangeKind) -> bool {
    match kind {
        ChangeKind::Feature => a.take_features,
        ChangeKind::BugFix => a.take_bug_fixes,
        ChangeKind::Config => a.take_config,
    }
}

/// Draws latent defects for `loc` lines: a Poisson count, each with a class and a severity.
pub(crate) fn inject_defects<R: Rng + ?Sized>(
    rng: &mut R,
    expected: f64,
    integration_share: f64,
    failure_share: f64,
    bug_share: f64,
) -> Defects {
    let mut defects = Defects::default();
    if expected <= 0.0 || !expected.is_finite() {
        return defects;
    }
    let count = Poisson::new(expected).map_or(0.0, |d| d.sample(rng)) as u32;
    for _ in 0..count.min(u32::from(u16::MAX)) {
        let class = if rng.random::<f64>() < integration_share {
            DefectClass::Integration
        } else {
            DefectClass::Described
        };
        let u: f64 = rng.random();
        let severity = if u < failure_share {
            Severity::Failure
        } else if u < failure_share + bug_share {
            Severity::Bug
        } else {
            Severity::Harmless
        };
        defects[class][severity] = defects[class][severity].saturating_add(1);
    }
    defects
}

impl Simulation<'_> {
    /// Starts the arrival process (Poisson) or fills developers from the backlog.
    pub(crate) fn start_demand(&mut self) {
        match self.p().demand.mode {
            DemandMode::Poisson => self.schedule_next_arrival(),
            DemandMode::Backlog => self.dispatch_developers(),
        }
        self.dispatch_agents();
    }

    fn schedule_next_arrival(&mut self) {
        let rate_per_hour = self.p().demand.items_per_week / crate::engine::units::HOURS_PER_WEEK;
        if rate_per_hour > 0.0 {
            let wait = exponential_wait(&mut self.team.rng.arrivals, rate_per_hour);
            self.queue
                .schedule_in(wait, Event::Arrival(self.cur as u16));
        } else {
            // Re-check after a day in case the timeline raises the rate.
            self.queue
                .schedule_in(24.0, Event::Arrival(self.cur as u16));
        }
    }

    pub(crate) fn on_arrival(&mut self) {
        if self.p().demand.mode == DemandMode::Poisson && self.p().demand.items_per_week > 0.0 {
            let id = self.new_change(Origin::Planned);
            if self.records.changes[id as usize].agent {
                self.team.agent_todo.push_back(id);
                self.schedule_next_arrival();
                self.dispatch_agents();
                return;
            }
            self.team.todo.push_back(id);
        }
        self.schedule_next_arrival();
        self.dispatch_developers();
    }

    /// Creates a change with all its per-item attributes drawn from its own generator, so that the
    /// k-th item is the same in two scenarios that share a seed (common random numbers). With
    /// Poisson demand, a planned item may be given to an agent (decided by a draw of the agents'
    /// own item stream, so that the items developers get keep their attributes).
    pub(crate) fn new_change(&mut self, origin: Origin) -> u32 {
        let p = self.p();
        let s = self.s();
        // Planned work and unplanned fixes count separately, so that a fix never shifts the
        // attributes of the planned items after it.
        let counter = usize::from(origin != Origin::Planned);
        let index = self.team.next_item[counter] * 2 + counter as u64;
        self.team.next_item[counter] += 1;
        let mut r = item_rng(self.team.rng.items_seed, index);
        let u_kind: f64 = r.random();
        let kind = if origin != Origin::Planned
            || u_kind >= p.demand.feature_share + p.demand.bugfix_share
        {
            if origin == Origin::Planned {
                ChangeKind::Config
            } else {
                ChangeKind::BugFix
            }
        } else if u_kind < p.demand.feature_share {
            ChangeKind::Feature
        } else {
            ChangeKind::BugFix
        };
        let hand_loc = s.size_of(kind).sample(&mut r).max(1.0);
        let to_agent = origin == Origin::Planned
            && p.demand.mode == DemandMode::Poisson
            && p.agents.sessions > 0
            && agents_take(&p.agents, kind)
            && item_rng(self.team.rng.agent_items_seed, index).random::<f64>() < p.agents.share;
        let author = if to_agent {
            Author::Agent(item_rng(
                self.team.rng.agent_items_seed,
                index ^ AGENT_DRAWS,
            ))
        } else {
            Author::Developer
        };
        self.build_change(r, origin, kind, hand_loc, author, f64::NAN)
    }

    /// Creates the change an agent pulls from the backlog when a session is free (backlog
    /// demand): its kind among the kinds agents take, drawn from the agents' own item stream.
    /// `None` when agents take no kind of work.
    pub(crate) fn new_agent_item(&mut self) -> Option<u32> {
        let p = self.p();
        let s = self.s();
        let d = &p.demand;
        let a = &p.agents;
        let weights = [
            (ChangeKind::Feature, d.feature_share),
            (ChangeKind::BugFix, d.bugfix_share),
            (
                ChangeKind::Config,
                (1.0 - d.feature_share - d.bugfix_share).max(0.0),
            ),
        ]
        .map(|(kind, w)| (kind, if agents_take(a, kind) { w } else { 0.0 }));
        let total: f64 = weights.iter().map(|(_, w)| w).sum();
        if total <= 0.0 {
            return None;
        }
        let index = self.team.next_item[2];
        self.team.next_item[2] += 1;
        let mut r = item_rng(self.team.rng.agent_items_seed, index);
        let mut u = r.random::<f64>() * total;
        let mut kind = ChangeKind::Config;
        for (k, w) in weights {
            if u < w {
                kind = k;
                break;
            }
            u -= w;
        }
        let hand_loc = s.size_of(kind).sample(&mut r).max(1.0);
        let draws = item_rng(self.team.rng.agent_items_seed, index ^ AGENT_DRAWS);
        Some(self.build_change(
            r,
            Origin::Planned,
            kind,
            hand_loc,
            Author::Agent(draws),
            f64::NAN,
        ))
    }

    /// Creates the change of a developer redoing by hand a work item whose agent pull request was
    /// rejected: same kind and size as written by hand, arrived when the item first did.
    pub(crate) fn redo_by_hand(&mut self, rejected: u32) -> u32 {
        let record = &self.records.changes[rejected as usize];
        let (kind, arrived) = (record.kind, record.arrived_hours);
        let hand_loc = self.states[rejected as usize].logical_loc;
        let r = item_rng(
            self.team.rng.agent_items_seed,
            u64::from(rejected) ^ REDO_DRAWS,
        );
        self.build_change(
            r,
            Origin::Planned,
            kind,
            hand_loc,
            Author::Developer,
            arrived,
        )
    }

    /// Draws the rest of a change's attributes from its generator `r` and adds it. `arrived` is
    /// NaN for a new item (it arrives now) or the arrival of the item it redoes.
    fn build_change(
        &mut self,
        mut r: SimRng,
        origin: Origin,
        kind: ChangeKind,
        hand_loc: f64,
        author: Author,
        arrived: f64,
    ) -> u32 {
        let now = self.now();
        let p = self.p();
        let s = self.s();
        // Draw every attribute whether or not it is used, to keep the draws aligned.
        let ai_assisted = r.random::<f64>() < p.ai.adoption;
        let ai_tests_draw: f64 = r.random();
        let speedup = s.speedup.sample(&mut r);
        let size_multiplier = s.size_multiplier.sample(&mut r).max(0.1);
        let noise = s.coding_noise.sample(&mut r);
        let split_draw: f64 = r.random();
        let ai_tests = ai_assisted && ai_tests_draw < p.ai.ai_written_tests_share;
        let loc = if ai_assisted {
            hand_loc * size_multiplier
        } else {
            hand_loc
        };
        let (rate_multiplier, integration_share) = if ai_assisted {
            (p.ai.defect_rate_multiplier, p.ai.integration_share)
        } else {
            (1.0, p.defects.integration_share)
        };
        // An agent writes the change itself (its own size and defect mix) and its tests.
        let (agent, ai_assisted, ai_tests, loc, rate_multiplier, integration_share, reject_draw) =
            match author {
                Author::Developer => (
                    false,
                    ai_assisted,
                    ai_tests,
                    loc,
                    rate_multiplier,
                    integration_share,
                    1.0,
                ),
                Author::Agent(mut a) => {
                    let multiplier = s.agent_size.sample(&mut a).max(0.1);
                    let reject_draw: f64 = a.random();
                    (
                        true,
                        true,
                        true,
                        hand_loc * multiplier,
                        p.agents.defect_rate_multiplier,
                        p.agents.integration_share,
                        reject_draw,
                    )
                }
            };
        // Configuration lines may be riskier than code lines (outages from config pushes).
        let kind_multiplier = match kind {
            ChangeKind::Config => p.defects.config_rate_multiplier,
            _ => 1.0,
        };
        // Learning (post-mortems, near-miss reports) lowers the defect rate over the run.
        let expected = p.defects.per_kloc / 1000.0
            * loc
            * rate_multiplier
            * kind_multiplier
            * self.team.defect_multiplier;
        let latent = inject_defects(
            &mut r,
            expected,
            integration_share,
            p.defects.failure_share,
            p.defects.bug_share,
        );
        // AI generates the extra lines cheaply: effort follows the hand-written size, times the
        // per-change speed-up (negative speed-ups are slow-downs).
        let effort_multiplier = if ai_assisted && !agent {
            (1.0 - speedup).max(0.05)
        } else {
            1.0
        };
        let coding_effort = (p.team.coding_overhead_hours + hand_loc * p.team.coding_hours_per_loc)
            * noise.max(0.0)
            * effort_multiplier;
        let redo = arrived.is_finite();
        if origin == Origin::Planned {
            self.team.in_system += 1;
            if self.measuring() && !redo {
                self.team.flow.items_arrived += 1;
            }
        }
        let record = ChangeRecord {
            id: 0,
            kind,
            origin,
            ai_assisted,
            agent,
            team: 0,
            abandoned: false,
            ai_tests,
            loc: loc as f32,
            pull_requests: 0,
            arrived_hours: if redo { arrived } else { now },
            first_commit_hours: f64::NAN,
            last_commit_hours: f64::NAN,
            merged_hours: f64::NAN,
            deployed_hours: f64::NAN,
            lead_working_hours: f32::NAN,
            deployment: None,
            review_rounds: 0,
            review_wait_hours: 0.0,
            review_hours: 0.0,
            test_hours: 0.0,
            rework_hours: 0.0,
            review_depth: 1.0,
            injected: by_class(&latent),
            caught_in_review: Default::default(),
            caught_in_tests: Default::default(),
            escaped: Default::default(),
            escaped_failures: 0,
        };
        let state = ChangeState {
            latent,
            coding_effort,
            prs_open: 0,
            incident: None,
            rework_started: f64::NAN,
            split_draw,
            effort_factor: effort_multiplier,
            logical_loc: hand_loc,
            unseen_by: Default::default(),
            reject_draw,
        };
        self.add_change(record, state)
    }

    /// Developers free to take a task now.
    fn developers_free(&self) -> u32 {
        self.p()
            .team
            .developers
            .saturating_sub(self.team.developers_busy)
    }

    /// Gives free developers work: bug fixes first, then supervising agents (by at most the
    /// supervisors at once), then rework, then new changes within the WIP limit.
    pub(crate) fn dispatch_developers(&mut self) {
        while self.developers_free() > 0 {
            let next = if let Some(task) = self.team.tasks_fix.pop_front() {
                task
            } else if let Some(task) = (self.team.supervising < self.p().agents.supervisors)
                .then(|| self.team.tasks_agent.pop_front())
                .flatten()
            {
                task
            } else if let Some(task) = self.team.tasks_rework.pop_front() {
                task
            } else {
                let p = self.p();
                let wip_cap = p.team.developers.saturating_mul(p.team.wip_limit);
                if self.team.in_flight >= wip_cap {
                    return;
                }
                // Items back from a rejected agent pull request come first.
                let change = match (self.team.todo.pop_front(), p.demand.mode) {
                    (Some(c), _) => c,
                    (None, DemandMode::Poisson) => return,
                    (None, DemandMode::Backlog) => self.new_change(super::records::Origin::Planned),
                };
                self.team.in_flight += 1;
                (
                    Task::Code(change),
                    self.states[change as usize].coding_effort,
                )
            };
            self.start_task(next.0, next.1);
        }
    }

    /// Starts a developer task of `effort` hours; maintenance time is taken on top.
    fn start_task(&mut self, task: Task, effort: f64) {
        let now = self.now();
        let maintenance = self.maintenance_share();
        let elapsed_effort = effort / (1.0 - maintenance);
        let done = self.calendar().finish(now, elapsed_effort);
        self.team.developers_busy += 1;
        match task {
            Task::Prompt(_) | Task::Check(_) => self.team.supervising += 1,
            Task::Code(c) | Task::FixBug(c) => {
                let start = self.calendar().next_open(now);
                let record = &mut self.records.changes[c as usize];
                record.first_commit_hours = start;
            }
            Task::ReworkChange(c) => self.begin_rework(c as usize, true),
            Task::ReworkPullRequest(pr) => {
                self.begin_rework(self.prs[pr as usize].change as usize, false)
            }
        }
        let share = self.share_in_window(now, done);
        if share > 0.0 {
            let use_ = &mut self.team.time_use;
            let booked = effort * share;
            match task {
                Task::Code(_) => use_.coding += booked,
                Task::FixBug(_) => use_.bug_fixing += booked,
                Task::ReworkPullRequest(_) | Task::ReworkChange(_) => use_.rework += booked,
                Task::Prompt(_) | Task::Check(_) => use_.supervision += booked,
            }
            use_.maintenance += (elapsed_effort - effort) * share;
        }
        self.queue.schedule_at(done, Event::TaskDone(task, effort));
    }

    pub(crate) fn on_task_done(&mut self, task: Task, _effort: f64) {
        self.team.developers_busy = self.team.developers_busy.saturating_sub(1);
        let now = self.now();
        match task {
            Task::Code(c) | Task::FixBug(c) => {
                self.records.changes[c as usize].last_commit_hours = now;
                self.open_pull_requests(c);
            }
            Task::ReworkPullRequest(pr) => {
                let c = self.prs[pr as usize].change as usize;
                self.end_rework(c);
                self.request_review(pr);
            }
            Task::ReworkChange(c) => {
                self.end_rework(c as usize);
                self.start_tests(c);
            }
            Task::Prompt(c) => {
                self.team.supervising -= 1;
                self.start_agent_run(AgentJob::Write(c));
            }
            Task::Check(job) => {
                self.team.supervising -= 1;
                self.on_agent_checked(job);
            }
        }
        self.dispatch_developers();
    }

    /// Rework of change `c` starts now (by its developer or its agent): a rework after tests
    /// starts the clock afresh; a pull request's rework keeps the start of one already running
    /// on another of the change's pull requests.
    pub(crate) fn begin_rework(&mut self, c: usize, afresh: bool) {
        let state = &mut self.states[c];
        if afresh || state.rework_started.is_nan() {
            state.rework_started = self.queue.now();
        }
    }

    pub(crate) fn end_rework(&mut self, c: usize) {
        let now = self.now();
        let started = self.states[c].rework_started;
        let record = &mut self.records.changes[c];
        record.last_commit_hours = now;
        if started.is_finite() {
            record.rework_hours += (now - started) as f32;
        }
        self.states[c].rework_started = f64::NAN;
    }

    /// Queues a developer task (bug fixes ahead of rework).
    pub(crate) fn queue_task(&mut self, task: Task, effort: f64) {
        match task {
            Task::FixBug(_) => self.team.tasks_fix.push_back((task, effort)),
            Task::Prompt(_) | Task::Check(_) => self.team.tasks_agent.push_back((task, effort)),
            _ => self.team.tasks_rework.push_back((task, effort)),
        }
        self.dispatch_developers();
    }

    /// Splits a coded change into pull requests and sends them to review.
    pub(crate) fn open_pull_requests(&mut self, c: u32) {
        let p = self.p();
        let loc = f64::from(self.records.changes[c as usize].loc);
        let max_loc = p.pull_requests.max_loc.max(1.0);
        // Developers cut a change into pull requests by its logical pieces of work. AI inflates
        // the lines of each piece, not the number of pieces, so AI-assisted pull requests come
        // bigger (DORA 2024: AI leads to larger batches, slower to review).
        let logical = self.states[c as usize].logical_loc;
        let agent = self.records.changes[c as usize].agent;
        // An agent opens one pull request per task.
        let natural = if agent {
            1
        } else {
            ((logical / max_loc).ceil() as usize).clamp(1, 1000)
        };
        let expedited = self.records.changes[c as usize].origin != Origin::Planned;
        // Gaming: splitting artificially makes each piece look small and fast on the dashboard,
        // costs review overhead per pull request, and the pieces fit together less well.
        let culture = &p.culture;
        let split_probability = (culture.pr_splitting * self.gaming_pressure()).clamp(0.0, 1.0);
        let artificial =
            !expedited && !agent && self.states[c as usize].split_draw < split_probability;
        let extra = if artificial {
            culture.extra_pull_requests.round().max(1.0) as usize
        } else {
            0
        };
        let count = (natural + extra).min(1000);
        let first = self.prs.len() as u32;
        let mut latent = std::mem::take(&mut self.states[c as usize].latent);
        if artificial {
            self.team.culture.artificial_splits += 1;
            let added = super::coding::inject_defects(
                &mut self.team.rng.culture,
                culture.split_integration_defects * extra as f64,
                1.0,
                p.defects.failure_share,
                p.defects.bug_share,
            );
            let integration = DefectClass::Integration;
            for severity in Severity::ALL {
                // Saturating: a fuzzed `culture.extra_pull_requests` of 2^32 overflowed here.
                latent[integration][severity] =
                    latent[integration][severity].saturating_add(added[integration][severity]);
            }
            let injected = &mut self.records.changes[c as usize].injected;
            injected[integration] =
                injected[integration].saturating_add(by_class(&added)[integration]);
        }
        // The pieces are opened one after another while the change is written.
        let now = self.now();
        let started = self.records.changes[c as usize].first_commit_hours;
        for k in 0..count {
            self.records
                .pull_requests
                .push(super::records::PullRequestRecord {
                    change: c,
                    first_commit_hours: started + (now - started) * k as f64 / count as f64,
                    artificial: k >= natural,
                    opened_hours: f64::NAN,
                    approved_hours: f64::NAN,
                });
        }
        for _ in 0..count {
            self.prs.push(PullRequest {
                change: c,
                loc: loc / count as f64,
                defects: Defects::default(),
                rounds: 0,
                enqueued: 0.0,
                expedited,
                screened: false,
            });
        }
        // Each defect lands in one pull request, uniformly.
        for (class, row) in latent.iter() {
            for (severity, &n) in row.iter() {
                for _ in 0..n {
                    let k = if count == 1 {
                        0
                    } else {
                        self.team.rng.coding.random_range(0..count)
                    };
                    self.prs[first as usize + k].defects[class][severity] += 1;
                }
            }
        }
        self.records.changes[c as usize].pull_requests = count as u16;
        self.states[c as usize].prs_open = count as u16;
        for k in 0..count as u32 {
            self.request_review(first + k);
        }
    }
}
