//! What a run leaves behind: records of changes, deployments and incidents, as a team's tooling
//! would keep them, plus ground truth the tooling cannot see (latent defects, causes, fragility).
//!
//! Times are hours since the run started; a time not reached within the run is `NaN`.

use serde::{Deserialize, Serialize};

use super::defects::{Authorship, PerClass};

/// What kind of work a change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// New functionality.
    Feature,
    /// A planned bug fix from the backlog.
    BugFix,
    /// A configuration change.
    Config,
}

/// Why a change was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Planned work from the backlog.
    Planned,
    /// Unplanned fix of a user-facing bug found in production.
    BugFix,
    /// Hotfix for a failed deployment that could not be rolled back.
    Hotfix,
}

/// Why a deployment happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployReason {
    /// A planned deployment of merged work.
    Planned,
    /// An expedited fix for a failure.
    Hotfix,
    /// An unplanned deployment fixing a user-facing bug.
    BugFix,
    /// A rollback of a failed deployment.
    Rollback,
    /// An empty or config-only deployment made to pad the deployment count (gaming).
    Padding,
}

impl DeployReason {
    /// Unplanned deployments made to fix a user-facing problem (DORA's rework).
    pub fn is_rework(self) -> bool {
        matches!(self, DeployReason::Hotfix | DeployReason::BugFix)
    }
}

/// One change, from first commit to production.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRecord {
    /// Identifier, in creation order.
    pub id: u32,
    /// Kind of work.
    pub kind: ChangeKind,
    /// Why it was made.
    pub origin: Origin,
    /// Written with AI assistance, or by a coding agent (AI-generated code either way).
    pub ai_assisted: bool,
    /// Written by an autonomous coding agent (then also `ai_assisted`).
    pub agent: bool,
    /// The team (and service) it belongs to: its index among the scenario's teams (0 for a
    /// one-team scenario).
    pub team: u16,
    /// Closed unmerged by a reviewer (an agent pull request rejected); its work item went back to
    /// the backlog.
    pub abandoned: bool,
    /// Tests written by AI as well (AI-assisted changes only).
    pub ai_tests: bool,
    /// Final size, lines of code.
    pub loc: f32,
    /// Pull requests the change was split into.
    pub pull_requests: u16,
    /// When the work item arrived (Poisson demand) or was pulled from the backlog.
    pub arrived_hours: f64,
    /// First commit: coding started.
    pub first_commit_hours: f64,
    /// Each of the change's commits, hours: first commit, then one per rework round (what a
    /// per-commit lead-time tool sees). Kept as the last commit only, to stay compact.
    pub last_commit_hours: f64,
    /// Merged to the main branch.
    pub merged_hours: f64,
    /// Running in production.
    pub deployed_hours: f64,
    /// Lead time counted in working hours: the hours of the working calendar in force at
    /// deployment that lie between the first commit and the deployment (equal to the wall-clock
    /// lead time without a calendar). `NaN` until deployed. Nights and weekends do not count, so
    /// it moves smoothly with process time where the wall-clock lead time jumps by a night.
    pub lead_working_hours: f32,
    /// The deployment that carried it.
    pub deployment: Option<u32>,
    /// Review rounds over all its pull requests.
    pub review_rounds: u16,
    /// Total hours its pull requests waited for a reviewer.
    pub review_wait_hours: f32,
    /// Hours spent in review (reviewer effort, calendar time).
    pub review_hours: f32,
    /// Hours in CI and staging, retries included.
    pub test_hours: f32,
    /// Hours spent in rework after review or test findings (calendar time).
    pub rework_hours: f32,
    /// Lowest review depth achieved on any of its pull requests (1 = full).
    pub review_depth: f32,
    /// Latent defects injected, by class (ground truth).
    pub injected: PerClass<u16>,
    /// Defects found in review, by class.
    pub caught_in_review: PerClass<u16>,
    /// Defects found by tests or staging, by class.
    pub caught_in_tests: PerClass<u16>,
    /// Defects that reached production, by class (ground truth).
    pub escaped: PerClass<u16>,
    /// Escaped defects that will cause a failure (ground truth).
    pub escaped_failures: u16,
}

impl ChangeRecord {
    /// Who wrote it: by hand, with AI assistance or by an agent.
    #[inline]
    pub fn authorship(&self) -> Authorship {
        Authorship::of(self.agent, self.ai_assisted)
    }
}

/// One production deployment.
#[derive(Debug, Clone, Serialize)]
pub struct DeploymentRecord {
    /// Identifier, in completion order.
    pub id: u32,
    /// When the deployment started.
    pub started_hours: f64,
    /// When the new version was live.
    pub finished_hours: f64,
    /// Why it happened.
    pub reason: DeployReason,
    /// Changes it carried.
    pub change_count: u32,
    /// For a rollback: the deployment rolled back.
    pub rolls_back: Option<u32>,
    /// The team's tooling labels it a hotfix or bug fix (false when a rework deployment was
    /// left out of the count).
    pub labelled_rework: bool,
    /// The team whose service it deployed to.
    pub team: u16,
}

/// What caused an incident (ground truth).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "cause")]
pub enum IncidentCause {
    /// A defect shipped by this deployment.
    Deployment {
        /// The deployment that shipped the defect.
        deployment: u32,
    },
    /// Accumulated fragility: not attributable to any deployment.
    Fragility,
    /// Many changes interacting within a short window: not attributable to any one deployment.
    Interaction,
    /// A defect another team's deployment shipped, showing in this service (seen only in one
    /// service's own records: the organisation's records name the deployment).
    OtherService,
}

/// How service was restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Remediation {
    /// The failed deployment was rolled back.
    Rollback,
    /// A hotfix was deployed.
    Hotfix,
    /// Mitigated without a deployment (restart, scale-out, config toggle).
    Mitigation,
    /// Still open when the run ended.
    Unresolved,
}

/// One production incident (a failure needing immediate intervention).
#[derive(Debug, Clone, Serialize)]
pub struct IncidentRecord {
    /// Identifier, in order of start.
    pub id: u32,
    /// Ground-truth cause.
    pub cause: IncidentCause,
    /// Failure started (users affected).
    pub started_hours: f64,
    /// Detected.
    pub detected_hours: f64,
    /// Service restored.
    pub restored_hours: f64,
    /// Share of users affected (0-1).
    pub impact: f64,
    /// An integration defect in AI-assisted code.
    pub ai_integration: bool,
    /// How it was remediated.
    pub remediation: Remediation,
    /// The deployment the incident tool links it to (`None`: reported as not deploy-related).
    pub reported_deployment: Option<u32>,
    /// When the incident tool marked it resolved (before `restored_hours` when closed early).
    pub closed_hours: f64,
    /// Closed in the tool before the root cause was fixed.
    pub closed_early: bool,
    /// A recurrence of this earlier incident, whose root cause was not fixed.
    pub recurrence_of: Option<u32>,
    /// A blameless post-mortem followed.
    pub postmortem: bool,
    /// The team whose service failed (and whose on-call responded).
    pub team: u16,
}

/// One pull request, as the code host records it.
#[derive(Debug, Clone, Serialize)]
pub struct PullRequestRecord {
    /// The change it belongs to.
    pub change: u32,
    /// The pull request's first commit.
    pub first_commit_hours: f64,
    /// Cut from its change artificially, to make the numbers look better (ground truth).
    pub artificial: bool,
    /// When it first entered the review queue (NaN until then).
    pub opened_hours: f64,
    /// When review approved it, after every round (NaN until then). Approved minus opened is
    /// the pull request's review time, the figure review analytics tools report.
    pub approved_hours: f64,
}

/// What the culture did over the run (ground truth).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CultureTotals {
    /// Psychological safety at the end.
    pub safety_end: f64,
    /// Defect-rate multiplier learning reached by the end (1 = no learning).
    pub defect_multiplier_end: f64,
    /// Changes split artificially.
    pub artificial_splits: u64,
    /// Incidents closed before the root cause was fixed.
    pub closed_early: u64,
    /// Failures reclassified as not deploy-related.
    pub reclassified: u64,
    /// Rework deployments left out of the count.
    pub excluded_rework: u64,
    /// Blameless post-mortems held.
    pub postmortems: u64,
}

/// Developer and reviewer hours by activity, after the warm-up.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct TimeUse {
    /// Writing new changes.
    pub coding: f64,
    /// Reworking review and test findings.
    pub rework: f64,
    /// Fixing user-facing bugs.
    pub bug_fixing: f64,
    /// Responding to incidents (detection to restore).
    pub incidents: f64,
    /// Maintenance and debt pay-down.
    pub maintenance: f64,
    /// Reviewing pull requests (reviewers).
    pub reviewing: f64,
    /// Reviewer hours pulled into incidents.
    pub reviewer_incidents: f64,
    /// Developers prompting, steering and checking coding agents.
    pub supervision: f64,
    /// Reviewing agent pull requests (reviewers; part of `reviewing`).
    pub reviewing_agents: f64,
}

/// Ground-truth state sampled once per week, plus weekly integrals.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct WeekSample {
    /// Fragility stock at the end of the week.
    pub fragility: f64,
    /// Time-average review queue length (pull requests waiting).
    pub review_queue: f64,
    /// Time-average work in progress (changes arrived, not yet deployed).
    pub work_in_progress: f64,
    /// AI adoption in force at the end of the week.
    pub adoption: f64,
    /// Reviewers in force at the end of the week.
    pub reviewers: f64,
    /// Defect-rate multiplier from learning at the end of the week (1 = no learning yet).
    pub defect_multiplier: f64,
    /// Developers in force at the end of the week (the team roster, as an HR system keeps it).
    pub developers: f64,
}

/// Flow totals over the measured horizon (after the warm-up).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct FlowTotals {
    /// Time-average review queue length.
    pub review_queue_avg: f64,
    /// Time-average work in progress (changes arrived, not yet deployed).
    pub work_in_progress_avg: f64,
    /// Reviewer working hours available.
    pub reviewer_hours_available: f64,
    /// Developer working hours available.
    pub developer_hours_available: f64,
    /// Pull requests whose review started after the warm-up.
    pub reviews_started: u64,
    /// Sum of their waits for a reviewer, hours.
    pub review_wait_sum_hours: f64,
    /// Sum of the waits for a reviewer's break before joining the review queue (pickup), hours.
    pub review_pickup_sum_hours: f64,
    /// User-facing bugs that manifested.
    pub bugs_manifested: u64,
    /// Work items that arrived.
    pub items_arrived: u64,
    /// Flaky CI failures retried.
    pub flaky_retries: u64,
    /// Agent pull requests reviewers closed unmerged.
    pub agent_prs_rejected: u64,
    /// Defects the AI reviewer found.
    pub ai_review_findings: u64,
    /// False-positive comments of the AI reviewer.
    pub ai_review_false_positives: u64,
    /// Pull requests the AI reviewer screened.
    pub ai_screened: u64,
}

/// Everything one replication produced.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunRecords {
    /// Hours of warm-up (excluded from metrics).
    pub warmup_hours: f64,
    /// Hours at which the run ended.
    pub end_hours: f64,
    /// All changes created.
    pub changes: Vec<ChangeRecord>,
    /// All deployments completed.
    pub deployments: Vec<DeploymentRecord>,
    /// All incidents started.
    pub incidents: Vec<IncidentRecord>,
    /// All pull requests opened.
    pub pull_requests: Vec<PullRequestRecord>,
    /// What the culture did.
    pub culture: CultureTotals,
    /// Ground truth sampled per measured week.
    pub weeks: Vec<WeekSample>,
    /// Where developer and reviewer time went.
    pub time_use: TimeUse,
    /// Flow totals.
    pub flow: FlowTotals,
    /// Events the engine processed.
    pub events: u64,
    /// Set when a guard stopped the replication: the records are incomplete.
    pub guard: Option<super::guard::GuardTrip>,
    /// Each team's own totals, when the scenario declares several teams (empty for one team,
    /// whose totals are the ones above). Changes, deployments and incidents name their team.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<TeamTotals>,
}

/// One team's totals in an organisation of several teams.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TeamTotals {
    /// The team's name.
    pub name: String,
    /// Its flow totals.
    pub flow: FlowTotals,
    /// Where its developers' and reviewers' time went.
    pub time_use: TimeUse,
    /// What its culture did.
    pub culture: CultureTotals,
    /// Its service's ground truth, per measured week.
    pub weeks: Vec<WeekSample>,
}

impl FlowTotals {
    fn add(&mut self, o: &FlowTotals) {
        self.review_queue_avg += o.review_queue_avg;
        self.work_in_progress_avg += o.work_in_progress_avg;
        self.reviewer_hours_available += o.reviewer_hours_available;
        self.developer_hours_available += o.developer_hours_available;
        self.reviews_started += o.reviews_started;
        self.review_wait_sum_hours += o.review_wait_sum_hours;
        self.review_pickup_sum_hours += o.review_pickup_sum_hours;
        self.bugs_manifested += o.bugs_manifested;
        self.items_arrived += o.items_arrived;
        self.flaky_retries += o.flaky_retries;
        self.agent_prs_rejected += o.agent_prs_rejected;
        self.ai_review_findings += o.ai_review_findings;
        self.ai_review_false_positives += o.ai_review_false_positives;
        self.ai_screened += o.ai_screened;
    }
}

impl TimeUse {
    fn add(&mut self, o: &TimeUse) {
        self.coding += o.coding;
        self.rework += o.rework;
        self.bug_fixing += o.bug_fixing;
        self.incidents += o.incidents;
        self.maintenance += o.maintenance;
        self.reviewing += o.reviewing;
        self.reviewer_incidents += o.reviewer_incidents;
        self.supervision += o.supervision;
        self.reviewing_agents += o.reviewing_agents;
    }
}

impl RunRecords {
    /// Sets the organisation's totals from its teams': sums of counts, hours and queue
    /// averages; fragility, adoption and culture weighted by developers (a leader's roll-up).
    pub(crate) fn roll_up(&mut self, teams: Vec<TeamTotals>) {
        let mut flow = FlowTotals::default();
        let mut time_use = TimeUse::default();
        let mut culture = CultureTotals::default();
        let developers: f64 = teams
            .iter()
            .map(|t| t.weeks.first().map_or(1.0, |w| w.developers))
            .sum::<f64>()
            .max(1.0);
        for team in &teams {
            flow.add(&team.flow);
            time_use.add(&team.time_use);
            let weight = team.weeks.first().map_or(1.0, |w| w.developers) / developers;
            let c = &team.culture;
            culture.safety_end += c.safety_end * weight;
            culture.defect_multiplier_end += c.defect_multiplier_end * weight;
            culture.artificial_splits += c.artificial_splits;
            culture.closed_early += c.closed_early;
            culture.reclassified += c.reclassified;
            culture.excluded_rework += c.excluded_rework;
            culture.postmortems += c.postmortems;
        }
        let week_count = teams.iter().map(|t| t.weeks.len()).min().unwrap_or(0);
        let weeks = (0..week_count)
            .map(|k| {
                let mut sum = WeekSample::default();
                let people: f64 = teams.iter().map(|t| t.weeks[k].developers).sum();
                for team in &teams {
                    let w = &team.weeks[k];
                    let share = if people > 0.0 {
                        w.developers / people
                    } else {
                        0.0
                    };
                    sum.fragility += w.fragility;
                    sum.review_queue += w.review_queue;
                    sum.work_in_progress += w.work_in_progress;
                    sum.adoption += w.adoption * share;
                    sum.reviewers += w.reviewers;
                    sum.defect_multiplier += w.defect_multiplier * share;
                    sum.developers += w.developers;
                }
                sum
            })
            .collect();
        self.flow = flow;
        self.time_use = time_use;
        self.culture = culture;
        self.weeks = weeks;
        self.teams = teams;
    }

    /// The records of one team's service alone, as its own tooling keeps them: its changes,
    /// pull requests and deployments, the incidents of its service, and its own totals. Ids are
    /// renumbered; an incident of this service caused by another team's deployment reads as
    /// not caused by any of this service's deployments (the service's tooling cannot link it).
    pub fn team_view(&self, team: usize) -> RunRecords {
        let t = team as u16;
        let mut change_id = vec![u32::MAX; self.changes.len()];
        let mut deployment_id = vec![u32::MAX; self.deployments.len()];
        let mut incident_id = vec![u32::MAX; self.incidents.len()];
        let mut view = RunRecords {
            warmup_hours: self.warmup_hours,
            end_hours: self.end_hours,
            events: self.events,
            guard: self.guard,
            ..RunRecords::default()
        };
        for d in self.deployments.iter().filter(|d| d.team == t) {
            deployment_id[d.id as usize] = view.deployments.len() as u32;
            view.deployments.push(d.clone());
        }
        for c in self.changes.iter().filter(|c| c.team == t) {
            change_id[c.id as usize] = view.changes.len() as u32;
            view.changes.push(c.clone());
        }
        for i in self.incidents.iter().filter(|i| i.team == t) {
            incident_id[i.id as usize] = view.incidents.len() as u32;
            view.incidents.push(i.clone());
        }
        let map = |ids: &[u32], id: u32| Some(ids[id as usize]).filter(|&x| x != u32::MAX);
        for (k, d) in view.deployments.iter_mut().enumerate() {
            d.id = k as u32;
            d.rolls_back = d.rolls_back.and_then(|x| map(&deployment_id, x));
        }
        for (k, c) in view.changes.iter_mut().enumerate() {
            c.id = k as u32;
            c.deployment = c.deployment.and_then(|x| map(&deployment_id, x));
        }
        for (k, i) in view.incidents.iter_mut().enumerate() {
            i.id = k as u32;
            i.reported_deployment = i.reported_deployment.and_then(|x| map(&deployment_id, x));
            i.recurrence_of = i.recurrence_of.and_then(|x| map(&incident_id, x));
            if let IncidentCause::Deployment { deployment } = i.cause {
                i.cause = match map(&deployment_id, deployment) {
                    Some(deployment) => IncidentCause::Deployment { deployment },
                    None => IncidentCause::OtherService,
                };
            }
        }
        view.pull_requests = self
            .pull_requests
            .iter()
            .filter_map(|pr| {
                map(&change_id, pr.change).map(|change| PullRequestRecord {
                    change,
                    ..pr.clone()
                })
            })
            .collect();
        if let Some(totals) = self.teams.get(team) {
            view.flow = totals.flow;
            view.time_use = totals.time_use;
            view.culture = totals.culture;
            view.weeks = totals.weeks.clone();
        } else {
            view.flow = self.flow;
            view.time_use = self.time_use;
            view.culture = self.culture;
            view.weeks = self.weeks.clone();
        }
        view
    }
}
