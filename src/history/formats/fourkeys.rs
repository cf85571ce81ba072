//! Google's Four Keys: its BigQuery tables `changes`, `deployments` and `incidents` as CSV.
//! (Being rewritten as `events_raw` rows, issue 12.)

use std::path::Path;

use super::{Export, Format, InputError, RenderError, csv_bytes};
use crate::history::log::{DeployLabel, MeasuredChange, MeasuredDeployment, MeasuredLog};
use crate::history::time::{HEAD, commit_sha, timestamp};

/// Four Keys `changes` table.
pub const FOURKEYS_CHANGES_CSV: &str = "fourkeys_changes.csv";
/// Four Keys `deployments` table.
pub const FOURKEYS_DEPLOYMENTS_CSV: &str = "fourkeys_deployments.csv";
/// Four Keys `incidents` table.
pub const FOURKEYS_INCIDENTS_CSV: &str = "fourkeys_incidents.csv";

const SOURCE: &str = "dorasim";

/// Google's Four Keys.
pub struct FourKeys;

impl Format for FourKeys {
    fn name(&self) -> &'static str {
        "four-keys"
    }

    fn describe(&self) -> &'static str {
        "Google Four Keys tables"
    }

    fn files(&self) -> &'static [&'static str] {
        &[
            FOURKEYS_CHANGES_CSV,
            FOURKEYS_DEPLOYMENTS_CSV,
            FOURKEYS_INCIDENTS_CSV,
        ]
    }

    fn required(&self) -> &'static [&'static str] {
        self.files()
    }

    fn write(&self, export: Export<'_>) -> Result<Vec<Vec<u8>>, RenderError> {
        Ok(fourkeys_files(export.log)?.to_vec())
    }

    fn read(&self, dir: &Path) -> Result<MeasuredLog, InputError> {
        Err(InputError::file(
            &dir.join(FOURKEYS_CHANGES_CSV),
            "reading Four Keys tables is not supported",
        ))
    }
}

fn ts(hours: f64) -> String {
    timestamp(hours).unwrap_or_default()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The commits of change `c` that a per-commit tool (Four Keys) sees: each pull request's first
/// commit, then the head commit (last commit, or the first when there is no later one).
fn change_commits(log: &MeasuredLog, c: &MeasuredChange) -> Vec<(String, f64, &'static str)> {
    let mut commits: Vec<(String, f64, &'static str)> = c
        .pull_requests
        .iter()
        .enumerate()
        .map(|(k, &p)| {
            let pr = &log.pull_requests[p as usize];
            (
                commit_sha(c.id, k as u32),
                pr.first_commit_hours,
                "pull_request_first_commit",
            )
        })
        .collect();
    if let Some(head) = c.last_commit_hours.or(c.first_commit_hours) {
        commits.push((commit_sha(c.id, HEAD), head, "head_commit"));
    }
    commits
}

/// Deployments a dashboard ingests: finished and not rollbacks (dorasim's lenses do not count
/// rollbacks as deployments).
fn ingested(log: &MeasuredLog) -> impl Iterator<Item = (&MeasuredDeployment, f64)> {
    log.deployments
        .iter()
        .filter(|d| d.label != DeployLabel::Rollback)
        .filter_map(|d| d.finished_hours.map(|f| (d, f)))
}

fn label_text(label: DeployLabel) -> &'static str {
    match label {
        DeployLabel::Deploy => "",
        DeployLabel::Hotfix => "hotfix",
        DeployLabel::BugFix => "bug_fix",
        DeployLabel::Rollback => "rollback",
    }
}

fn fourkeys_files(log: &MeasuredLog) -> Result<[Vec<u8>; 3], RenderError> {
    let mut changes = vec![strings(&[
        "source",
        "event_type",
        "change_id",
        "time_created",
        "dorasim_change",
        "commit_role",
        "deployment_id",
    ])];
    let mut commits_of = Vec::with_capacity(log.changes.len());
    for c in &log.changes {
        let commits = change_commits(log, c);
        for (sha, hours, role) in &commits {
            changes.push(vec![
                SOURCE.into(),
                "push".into(),
                sha.clone(),
                ts(*hours),
                c.id.to_string(),
                role.to_string(),
                c.deployment.map(|d| d.to_string()).unwrap_or_default(),
            ]);
        }
        commits_of.push(
            commits
                .into_iter()
                .map(|(sha, _, _)| sha)
                .collect::<Vec<_>>(),
        );
    }
    let json_list = |list: &[String]| serde_json::to_string(list).unwrap_or_default();
    let deployment_commits = |d: &MeasuredDeployment| -> Vec<String> {
        d.changes
            .iter()
            .flat_map(|&c| commits_of[c as usize].iter().cloned())
            .collect()
    };
    let mut deployments = vec![strings(&[
        "source",
        "deployment_id",
        "time_created",
        "changes",
        "time_started",
        "rework_label",
    ])];
    for (d, finished) in ingested(log) {
        deployments.push(vec![
            SOURCE.into(),
            d.id.to_string(),
            ts(finished),
            json_list(&deployment_commits(d)),
            ts(d.started_hours),
            label_text(d.label).into(),
        ]);
    }
    let mut incidents = vec![strings(&[
        "source",
        "incident_id",
        "time_created",
        "time_resolved",
        "changes",
        "root_cause_deployment_id",
        "impact_started",
    ])];
    for i in &log.incidents {
        let root: Vec<String> = i
            .deployment
            .and_then(|d| log.deployments.get(d as usize))
            .map(deployment_commits)
            .unwrap_or_default();
        incidents.push(vec![
            SOURCE.into(),
            i.id.to_string(),
            ts(i.detected_hours),
            i.closed_hours.map(ts).unwrap_or_default(),
            json_list(&root),
            i.deployment.map(|d| d.to_string()).unwrap_or_default(),
            ts(i.impact_started_hours),
        ]);
    }
    Ok([
        csv_bytes(FOURKEYS_CHANGES_CSV, changes)?,
        csv_bytes(FOURKEYS_DEPLOYMENTS_CSV, deployments)?,
        csv_bytes(FOURKEYS_INCIDENTS_CSV, incidents)?,
    ])
}
