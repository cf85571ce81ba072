//! Ground truth of one replication (`ground_truth.json`): what the tooling cannot see.

use serde::{Deserialize, Serialize};

use crate::model::defects::{Authorship, PerClass};
use crate::model::records::{
    CultureTotals, DeployReason, IncidentCause, Origin, Remediation, RunRecords,
};

use super::log::{ExportInfo, SCHEMA, Window, finite, window};
use super::time::EPOCH;

/// Ground truth of one deployment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrueDeployment {
    /// Identifier.
    pub id: u32,
    /// Why it really happened.
    pub reason: DeployReason,
    /// An empty or config-only deployment made to pad the count.
    pub padding: bool,
    /// A hotfix or bug fix left out of the rework count.
    pub unlabelled_rework: bool,
    /// The team whose service it deployed to (0 for a one-team scenario).
    pub team: u16,
}

/// Ground truth of one incident.
#[derive(Debug, Clone, Serialize)]
pub struct TrueIncident {
    /// Identifier.
    pub id: u32,
    /// What caused it.
    pub cause: IncidentCause,
    /// Service really restored, hours (`None`: not by the end of the run).
    pub restored_hours: Option<f64>,
    /// How it was remediated.
    pub remediation: Remediation,
    /// Closed in the tool before the root cause was fixed.
    pub closed_early: bool,
    /// Caused by a deployment but reported as not deploy-related (or linked elsewhere).
    pub reclassified: bool,
    /// A recurrence of this earlier incident.
    pub recurrence_of: Option<u32>,
    /// A blameless post-mortem followed.
    pub postmortem: bool,
    /// Share of users affected.
    pub impact: f64,
    /// An integration defect in AI-assisted code.
    pub ai_integration: bool,
    /// The team whose service failed.
    pub team: u16,
}

/// Ground truth of one change.
#[derive(Debug, Clone, Serialize)]
pub struct TrueChange {
    /// Identifier.
    pub id: u32,
    /// Why it was made.
    pub origin: Origin,
    /// Written with AI assistance.
    pub ai_assisted: bool,
    /// Tests written by AI.
    pub ai_tests: bool,
    /// Who wrote it: `hand`, `ai` (AI-assisted) or `agent` (a coding agent).
    pub author: &'static str,
    /// The team it belongs to.
    pub team: u16,
    /// An agent pull request closed unmerged; the item went back to the backlog.
    pub abandoned: bool,
    /// Lines of code.
    pub loc: f32,
    /// Work item arrived, hours.
    pub arrived_hours: f64,
    /// Latent defects injected, by class (described, integration).
    pub injected: PerClass<u16>,
    /// Defects that reached production, by class (described, integration).
    pub escaped: PerClass<u16>,
    /// Escaped defects that will cause a failure.
    pub escaped_failures: u16,
}

/// Ground truth of one pull request.
#[derive(Debug, Clone, Serialize)]
pub struct TruePullRequest {
    /// Identifier (as in the measured log).
    pub id: u32,
    /// The change it belongs to.
    pub change: u32,
    /// Cut from its change artificially to flatter the numbers.
    pub artificial: bool,
}

/// `ground_truth.json`: what the tooling cannot see.
#[derive(Debug, Clone, Serialize)]
pub struct GroundTruth {
    /// [`SCHEMA`].
    pub schema: String,
    /// [`EPOCH`].
    pub epoch: String,
    /// Where it comes from.
    pub run: ExportInfo,
    /// The measured window.
    pub window: Window,
    /// What the culture did.
    pub culture: CultureTotals,
    /// Per deployment.
    pub deployments: Vec<TrueDeployment>,
    /// Per change.
    pub changes: Vec<TrueChange>,
    /// Per pull request.
    pub pull_requests: Vec<TruePullRequest>,
    /// Per incident.
    pub incidents: Vec<TrueIncident>,
}
/// The ground truth of `records`: causes, restore times, padding, unlabelled rework, artificial
/// pull requests.
pub fn ground_truth(records: &RunRecords, info: &ExportInfo) -> GroundTruth {
    GroundTruth {
        schema: SCHEMA.to_string(),
        epoch: EPOCH.to_string(),
        run: info.clone(),
        window: window(records),
        culture: records.culture,
        deployments: records
            .deployments
            .iter()
            .map(|d| TrueDeployment {
                id: d.id,
                reason: d.reason,
                padding: d.reason == DeployReason::Padding,
                unlabelled_rework: d.reason.is_rework() && !d.labelled_rework,
                team: d.team,
            })
            .collect(),
        changes: records
            .changes
            .iter()
            .map(|c| TrueChange {
                id: c.id,
                origin: c.origin,
                ai_assisted: c.ai_assisted,
                ai_tests: c.ai_tests,
                author: match c.authorship() {
                    Authorship::Hand => "hand",
                    Authorship::Ai => "ai",
                    Authorship::Agent => "agent",
                },
                team: c.team,
                abandoned: c.abandoned,
                loc: c.loc,
                arrived_hours: c.arrived_hours,
                injected: c.injected,
                escaped: c.escaped,
                escaped_failures: c.escaped_failures,
            })
            .collect(),
        pull_requests: records
            .pull_requests
            .iter()
            .enumerate()
            .map(|(i, p)| TruePullRequest {
                id: i as u32,
                change: p.change,
                artificial: p.artificial,
            })
            .collect(),
        incidents: records
            .incidents
            .iter()
            .map(|i| {
                let true_deployment = match i.cause {
                    IncidentCause::Deployment { deployment } => Some(deployment),
                    _ => None,
                };
                TrueIncident {
                    id: i.id,
                    cause: i.cause,
                    restored_hours: finite(i.restored_hours),
                    remediation: i.remediation,
                    closed_early: i.closed_early,
                    reclassified: true_deployment.is_some()
                        && i.reported_deployment != true_deployment,
                    recurrence_of: i.recurrence_of,
                    postmortem: i.postmortem,
                    impact: i.impact,
                    ai_integration: i.ai_integration,
                    team: i.team,
                }
            })
            .collect(),
    }
}
