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
    /// Written with AI assistance.
    pub ai_assisted: bool,
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
    /// Who wrote it: by hand or with AI assistance.
    #[inline]
    pub fn authorship(&self) -> Authorship {
        Authorship::of(self.ai_assisted)
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
}
