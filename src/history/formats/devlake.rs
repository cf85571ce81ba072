//! Apache DevLake: webhook bodies for deployments and incidents, and pull requests as CSV.
//! (Being rewritten against DevLake's published webhook types and domain tables, issue 12.)

use std::path::Path;

use super::{Export, Format, InputError, RenderError, csv_bytes};
use crate::history::log::{DeployLabel, MeasuredDeployment, MeasuredLog};
use crate::history::time::{HEAD, commit_sha, timestamp};

/// DevLake webhook deployments.
pub const DEVLAKE_DEPLOYMENTS_JSON: &str = "devlake_deployments.json";
/// DevLake webhook incidents (issues of type INCIDENT).
pub const DEVLAKE_INCIDENTS_JSON: &str = "devlake_incidents.json";
/// DevLake pull requests (its lead time starts at a pull request's first commit).
pub const DEVLAKE_PULL_REQUESTS_CSV: &str = "devlake_pull_requests.csv";

const REPO_URL: &str = "https://example.invalid/dorasim/service";

/// Apache DevLake.
pub struct Devlake;

impl Format for Devlake {
    fn name(&self) -> &'static str {
        "devlake"
    }

    fn describe(&self) -> &'static str {
        "Apache DevLake webhook bodies"
    }

    fn files(&self) -> &'static [&'static str] {
        &[
            DEVLAKE_DEPLOYMENTS_JSON,
            DEVLAKE_INCIDENTS_JSON,
            DEVLAKE_PULL_REQUESTS_CSV,
        ]
    }

    fn required(&self) -> &'static [&'static str] {
        self.files()
    }

    fn write(&self, export: Export<'_>) -> Result<Vec<Vec<u8>>, RenderError> {
        Ok(devlake_files(export.log)?.to_vec())
    }

    fn read(&self, dir: &Path) -> Result<MeasuredLog, InputError> {
        Err(InputError::file(
            &dir.join(DEVLAKE_DEPLOYMENTS_JSON),
            "reading DevLake files is not supported",
        ))
    }
}

fn ts(hours: f64) -> String {
    timestamp(hours).unwrap_or_default()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
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

fn devlake_files(log: &MeasuredLog) -> Result<[Vec<u8>; 3], RenderError> {
    use serde_json::json;
    let deployments: Vec<serde_json::Value> = ingested(log)
        .map(|(d, finished)| {
            let commits: Vec<serde_json::Value> = d
                .changes
                .iter()
                .map(|&c| {
                    let change = &log.changes[c as usize];
                    let mut commit = json!({
                        "repoUrl": REPO_URL,
                        "refName": "main",
                        "commitSha": commit_sha(c, HEAD),
                        "commitMsg": format!("change {c}"),
                        "startedDate": ts(d.started_hours),
                        "finishedDate": ts(finished),
                    });
                    // Changes without a pull request (hotfixes): DevLake's lead time starts at
                    // their first commit.
                    if change.pull_requests.is_empty() {
                        commit["firstCommitDate"] = json!(change.first_commit_hours.map(ts));
                    }
                    commit
                })
                .collect();
            json!({
                "id": format!("deploy-{}", d.id),
                "displayTitle": format!("deployment {}", d.id),
                "result": "SUCCESS",
                "environment": "PRODUCTION",
                "startedDate": ts(d.started_hours),
                "finishedDate": ts(finished),
                "reworkLabel": label_text(d.label),
                "deploymentCommits": commits,
            })
        })
        .collect();
    let incidents: Vec<serde_json::Value> = log
        .incidents
        .iter()
        .map(|i| {
            json!({
                "issueKey": format!("INC-{}", i.id),
                "title": format!("incident {}", i.id),
                "type": "INCIDENT",
                "status": if i.closed_hours.is_some() { "DONE" } else { "IN_PROGRESS" },
                "createdDate": ts(i.detected_hours),
                "resolutionDate": i.closed_hours.map(ts),
                "impactStartedDate": ts(i.impact_started_hours),
                "deploymentId": i.deployment.map(|d| format!("deploy-{d}")),
            })
        })
        .collect();
    let mut prs = vec![strings(&[
        "id",
        "status",
        "title",
        "url",
        "created_date",
        "first_commit_authored_date",
        "merged_date",
        "merge_commit_sha",
        "dorasim_change",
    ])];
    for p in &log.pull_requests {
        let c = &log.changes[p.change as usize];
        prs.push(vec![
            format!("pr-{}", p.id),
            if c.merged_hours.is_some() {
                "MERGED"
            } else {
                "OPEN"
            }
            .into(),
            format!(
                "change {} part {}",
                c.id,
                c.pull_requests.iter().position(|&x| x == p.id).unwrap_or(0) + 1
            ),
            format!("{REPO_URL}/pull/{}", p.id),
            ts(p.first_commit_hours),
            ts(p.first_commit_hours),
            c.merged_hours.map(ts).unwrap_or_default(),
            commit_sha(c.id, HEAD),
            c.id.to_string(),
        ]);
    }
    let pretty = |v: &[serde_json::Value]| serde_json::to_vec_pretty(v).unwrap_or_default();
    Ok([
        pretty(&deployments),
        pretty(&incidents),
        csv_bytes(DEVLAKE_PULL_REQUESTS_CSV, prs)?,
    ])
}
