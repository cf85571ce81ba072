//! The measured log: one replication's history as the team's tooling recorded it (after any
//! gaming), in hours since [`EPOCH`]. Every export format is written from it and every import
//! format is read into it; [`to_records`] turns it back into records the ledgers read.

use serde::{Deserialize, Serialize};

use crate::model::defects::PerClass;
use crate::model::records::{
    ChangeKind, ChangeRecord, DeployReason, DeploymentRecord, IncidentCause, IncidentRecord,
    Origin, PullRequestRecord, Remediation, RunRecords,
};

use super::time::{EPOCH, timestamp};

/// Version tag of the `events.json` and `ground_truth.json` schemas.
pub const SCHEMA: &str = "dorasim-events/1";

/// Which run and replication an export comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportInfo {
    /// Scenario name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// Replication index (`Model::run(seed, replication)`).
    pub replication: u64,
}

/// The window the metrics are measured over (after the warm-up), hours.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Window {
    /// Start (end of the warm-up), hours.
    pub from_hours: f64,
    /// End of the run, hours.
    pub to_hours: f64,
    /// `from_hours` as a timestamp.
    pub from: String,
    /// `to_hours` as a timestamp.
    pub to: String,
}

/// How the deployment tool labels a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployLabel {
    /// An ordinary deployment (planned work, padding, or a fix that lost its label).
    Deploy,
    /// Labelled a hotfix.
    Hotfix,
    /// Labelled a bug fix.
    BugFix,
    /// A rollback of an earlier deployment.
    Rollback,
}

/// A deployment as the pipeline recorded it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeasuredDeployment {
    /// Identifier.
    pub id: u32,
    /// Started, hours.
    pub started_hours: f64,
    /// Live, hours (`None`: still running at the end of the run).
    pub finished_hours: Option<f64>,
    /// Label as recorded.
    pub label: DeployLabel,
    /// For a rollback: the deployment rolled back.
    pub rolls_back: Option<u32>,
    /// Changes carried (empty for a padding or rollback deployment).
    pub changes: Vec<u32>,
}

/// A change as the code host recorded it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeasuredChange {
    /// Identifier.
    pub id: u32,
    /// Kind of work (feature, bug fix, config).
    pub kind: ChangeKind,
    /// First commit, hours (`None`: not started).
    pub first_commit_hours: Option<f64>,
    /// Last commit, hours.
    pub last_commit_hours: Option<f64>,
    /// Merged to the main branch, hours.
    pub merged_hours: Option<f64>,
    /// Live in production, hours.
    pub deployed_hours: Option<f64>,
    /// The deployment that carried it.
    pub deployment: Option<u32>,
    /// Its pull requests (indices into `pull_requests`).
    pub pull_requests: Vec<u32>,
    /// The work item the tracker shows for it; `None` when it appears as several work items, one
    /// per pull request (a split change).
    pub work_item: Option<u32>,
}

/// A pull request as the code host recorded it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeasuredPullRequest {
    /// Identifier (index in the log).
    pub id: u32,
    /// The change it belongs to.
    pub change: u32,
    /// First commit, hours.
    pub first_commit_hours: f64,
    /// Work item it is tracked under.
    pub work_item: u32,
    /// Opened for review, hours (`None`: not opened, or not known).
    #[serde(default)]
    pub opened_hours: Option<f64>,
    /// Approved (last review round passed), hours (`None`: not approved, or not known).
    #[serde(default)]
    pub approved_hours: Option<f64>,
    /// Size: lines added or changed (`None`: not known).
    #[serde(default)]
    pub loc: Option<f64>,
}

/// An incident as the incident tool recorded it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeasuredIncident {
    /// Identifier.
    pub id: u32,
    /// Users first affected (the tool's impact start), hours.
    pub impact_started_hours: f64,
    /// Detected: the incident was opened, hours.
    pub detected_hours: f64,
    /// Marked resolved in the tool, hours (`None`: open at the end of the run).
    pub closed_hours: Option<f64>,
    /// The deployment the tool links it to (`None`: reported as not deploy-related).
    pub deployment: Option<u32>,
}

/// dorasim's measured log (`events.json`): everything the measured ledger reads, in hours.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeasuredLog {
    /// [`SCHEMA`].
    pub schema: String,
    /// [`EPOCH`]: the timestamp of hour 0.
    pub epoch: String,
    /// Where it comes from (`None` for a history read from a team's tools).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<ExportInfo>,
    /// The measured window.
    pub window: Window,
    /// All deployments, in id order.
    pub deployments: Vec<MeasuredDeployment>,
    /// All changes, in id order.
    pub changes: Vec<MeasuredChange>,
    /// All pull requests, in the order opened.
    pub pull_requests: Vec<MeasuredPullRequest>,
    /// All incidents, in id order.
    pub incidents: Vec<MeasuredIncident>,
}

pub(super) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The window of `records` as hours and timestamps.
pub(super) fn window(records: &RunRecords) -> Window {
    Window {
        from_hours: records.warmup_hours,
        to_hours: records.end_hours,
        from: timestamp(records.warmup_hours).unwrap_or_default(),
        to: timestamp(records.end_hours).unwrap_or_default(),
    }
}

/// The pull requests of each change, as indices into `records.pull_requests`.
pub(super) fn pull_requests_by_change(records: &RunRecords) -> Vec<Vec<u32>> {
    let mut by_change = vec![Vec::new(); records.changes.len()];
    for (i, pr) in records.pull_requests.iter().enumerate() {
        if let Some(list) = by_change.get_mut(pr.change as usize) {
            list.push(i as u32);
        }
    }
    by_change
}

/// The measured log of `records`: what the team's tooling recorded, after gaming.
pub fn measured_log(records: &RunRecords, info: &ExportInfo) -> MeasuredLog {
    let by_change = pull_requests_by_change(records);
    let mut deployment_changes = vec![Vec::new(); records.deployments.len()];
    for c in &records.changes {
        if let Some(d) = c.deployment
            && let Some(list) = deployment_changes.get_mut(d as usize)
        {
            list.push(c.id);
        }
    }
    // Work items: a split change appears as one work item per pull request.
    let split: Vec<bool> = by_change
        .iter()
        .map(|prs| {
            prs.iter()
                .any(|&p| records.pull_requests[p as usize].artificial)
        })
        .collect();
    let mut next_item = 0u32;
    let mut item_of_change = vec![None; records.changes.len()];
    let mut item_of_pr = vec![0u32; records.pull_requests.len()];
    for (c, prs) in by_change.iter().enumerate() {
        if split[c] {
            for &p in prs {
                item_of_pr[p as usize] = next_item;
                next_item += 1;
            }
        } else {
            item_of_change[c] = Some(next_item);
            for &p in prs {
                item_of_pr[p as usize] = next_item;
            }
            next_item += 1;
        }
    }
    MeasuredLog {
        schema: SCHEMA.to_string(),
        epoch: EPOCH.to_string(),
        run: Some(info.clone()),
        window: window(records),
        deployments: records
            .deployments
            .iter()
            .zip(deployment_changes)
            .map(|(d, changes)| MeasuredDeployment {
                id: d.id,
                started_hours: d.started_hours,
                finished_hours: finite(d.finished_hours),
                label: match d.reason {
                    DeployReason::Rollback => DeployLabel::Rollback,
                    DeployReason::Hotfix if d.labelled_rework => DeployLabel::Hotfix,
                    DeployReason::BugFix if d.labelled_rework => DeployLabel::BugFix,
                    _ => DeployLabel::Deploy,
                },
                rolls_back: d.rolls_back,
                changes,
            })
            .collect(),
        changes: records
            .changes
            .iter()
            .enumerate()
            .map(|(i, c)| MeasuredChange {
                id: c.id,
                kind: c.kind,
                first_commit_hours: finite(c.first_commit_hours),
                last_commit_hours: finite(c.last_commit_hours),
                merged_hours: finite(c.merged_hours),
                deployed_hours: finite(c.deployed_hours),
                deployment: c.deployment,
                pull_requests: by_change[i].clone(),
                work_item: item_of_change[i],
            })
            .collect(),
        pull_requests: records
            .pull_requests
            .iter()
            .enumerate()
            .map(|(i, p)| MeasuredPullRequest {
                id: i as u32,
                change: p.change,
                first_commit_hours: p.first_commit_hours,
                work_item: item_of_pr[i],
                opened_hours: finite(p.opened_hours),
                approved_hours: finite(p.approved_hours),
                // The model splits a change's lines evenly over its pull requests.
                loc: records
                    .changes
                    .get(p.change as usize)
                    .map(|c| f64::from(c.loc) / f64::from(c.pull_requests.max(1))),
            })
            .collect(),
        incidents: records
            .incidents
            .iter()
            .map(|i| MeasuredIncident {
                id: i.id,
                impact_started_hours: i.started_hours,
                detected_hours: i.detected_hours,
                closed_hours: finite(i.closed_hours),
                deployment: i.reported_deployment,
            })
            .collect(),
    }
}

impl MeasuredLog {
    /// A history read from a team's tools (no run, no recorded window): its window spans every
    /// time it holds, from the earliest floored to the whole hour to one hour after the latest
    /// floored to the whole hour (the end is exclusive, so the latest event stays inside).
    pub fn from_tools(
        deployments: Vec<MeasuredDeployment>,
        changes: Vec<MeasuredChange>,
        pull_requests: Vec<MeasuredPullRequest>,
        incidents: Vec<MeasuredIncident>,
    ) -> MeasuredLog {
        let times = deployments
            .iter()
            .flat_map(|d| [Some(d.started_hours), d.finished_hours])
            .chain(changes.iter().flat_map(|c| {
                [
                    c.first_commit_hours,
                    c.last_commit_hours,
                    c.merged_hours,
                    c.deployed_hours,
                ]
            }))
            .chain(
                pull_requests
                    .iter()
                    .flat_map(|p| [Some(p.first_commit_hours), p.opened_hours, p.approved_hours]),
            )
            .chain(incidents.iter().flat_map(|i| {
                [
                    Some(i.impact_started_hours),
                    Some(i.detected_hours),
                    i.closed_hours,
                ]
            }))
            .flatten()
            .filter(|t| t.is_finite());
        let (min, max) = times.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
            (lo.min(t), hi.max(t))
        });
        let (from, to) = if min <= max {
            (min.floor(), max.floor() + 1.0)
        } else {
            (0.0, 0.0)
        };
        MeasuredLog {
            schema: SCHEMA.to_string(),
            epoch: EPOCH.to_string(),
            run: None,
            window: Window {
                from_hours: from,
                to_hours: to,
                from: timestamp(from).unwrap_or_default(),
                to: timestamp(to).unwrap_or_default(),
            },
            deployments,
            changes,
            pull_requests,
            incidents,
        }
    }
}

fn none_nan(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::NAN)
}

/// Records rebuilt from a measured log alone, for the ledgers: what the tooling cannot see
/// (causes, restore times, defects, authorship) is left unknown (`NaN`, `Fragility`,
/// `Unresolved`). A deployment with no change is read as padding, a change seen as several work
/// items as split: that is what the tooling shows. The measured ledger of these records equals
/// the measured ledger of the original run (`tests/events_roundtrip.rs`).
pub fn to_records(log: &MeasuredLog) -> RunRecords {
    let deployments = log
        .deployments
        .iter()
        .map(|d| DeploymentRecord {
            id: d.id,
            started_hours: d.started_hours,
            finished_hours: none_nan(d.finished_hours),
            reason: match d.label {
                DeployLabel::Rollback => DeployReason::Rollback,
                _ if d.changes.is_empty() => DeployReason::Padding,
                _ => DeployReason::Planned,
            },
            change_count: d.changes.len() as u32,
            rolls_back: d.rolls_back,
            labelled_rework: matches!(d.label, DeployLabel::Hotfix | DeployLabel::BugFix),
            team: 0,
        })
        .collect();
    let changes = log
        .changes
        .iter()
        .map(|c| ChangeRecord {
            id: c.id,
            kind: c.kind,
            origin: Origin::Planned,
            ai_assisted: false,
            agent: false,
            team: 0,
            abandoned: false,
            ai_tests: false,
            loc: f32::NAN,
            pull_requests: c.pull_requests.len() as u16,
            arrived_hours: f64::NAN,
            first_commit_hours: none_nan(c.first_commit_hours),
            last_commit_hours: none_nan(c.last_commit_hours),
            merged_hours: none_nan(c.merged_hours),
            deployed_hours: none_nan(c.deployed_hours),
            lead_working_hours: f32::NAN,
            deployment: c.deployment,
            review_rounds: 0,
            review_wait_hours: f32::NAN,
            review_hours: f32::NAN,
            test_hours: f32::NAN,
            rework_hours: f32::NAN,
            review_depth: f32::NAN,
            injected: PerClass::default(),
            caught_in_review: PerClass::default(),
            caught_in_tests: PerClass::default(),
            escaped: PerClass::default(),
            escaped_failures: 0,
        })
        .collect();
    let pull_requests = log
        .pull_requests
        .iter()
        .map(|p| PullRequestRecord {
            change: p.change,
            first_commit_hours: p.first_commit_hours,
            artificial: log
                .changes
                .get(p.change as usize)
                .is_some_and(|c| c.work_item.is_none()),
            opened_hours: none_nan(p.opened_hours),
            approved_hours: none_nan(p.approved_hours),
        })
        .collect();
    let incidents = log
        .incidents
        .iter()
        .map(|i| IncidentRecord {
            id: i.id,
            cause: IncidentCause::Fragility,
            started_hours: i.impact_started_hours,
            detected_hours: i.detected_hours,
            restored_hours: f64::NAN,
            impact: f64::NAN,
            ai_integration: false,
            remediation: Remediation::Unresolved,
            reported_deployment: i.deployment,
            closed_hours: none_nan(i.closed_hours),
            closed_early: false,
            recurrence_of: None,
            postmortem: false,
            team: 0,
        })
        .collect();
    RunRecords {
        warmup_hours: log.window.from_hours,
        end_hours: log.window.to_hours,
        deployments,
        changes,
        pull_requests,
        incidents,
        ..RunRecords::default()
    }
}
