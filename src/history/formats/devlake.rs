//! Apache DevLake, both ways.
//!
//! Written: bodies for the webhook plugin's deployment, issue and pull-request endpoints (valid
//! against its request types: every field its validator requires, never an empty
//! `deploymentCommits`), and DevLake's domain tables as CSV with its column names, consistent so
//! that DevLake's own DORA derivation runs on them: `cicd_deployment_commits` (one deployed
//! commit per deployment, linked to the previous successful one), `commits_diffs` (the commits
//! between consecutive deployments), `pull_requests` and `pull_request_commits` (cycle time),
//! `issues` of type `INCIDENT`, and the dora plugin's `project_pr_metrics` and
//! `project_issue_metrics` as it would derive them.
//!
//! Read: the domain tables (what a team exports from DevLake's database) back into a
//! [`MeasuredLog`]. `docs/events.md` has the mapping.
//!
//! (About 1,100 lines: one tool's format both ways, its webhook bodies and seven domain tables
//! written, the tables read back with located errors, so the mapping to DevLake is read and
//! changed in one place.)

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    Export, Format, InputError, RenderError, csv_bytes, csv_rows, json_bytes, optional_time_cell,
    time_cell,
};
use crate::history::log::{
    DeployLabel, MeasuredChange, MeasuredDeployment, MeasuredIncident, MeasuredLog,
    MeasuredPullRequest,
};
use crate::history::time::{HEAD, commit_sha, millis_of, timestamp};
use crate::model::records::ChangeKind;

/// Webhook bodies for `POST .../connections/{id}/deployments`.
pub const DEVLAKE_DEPLOYMENTS_JSON: &str = "devlake_deployments.json";
/// Webhook bodies for `POST .../connections/{id}/issues` (type `INCIDENT`).
pub const DEVLAKE_INCIDENTS_JSON: &str = "devlake_incidents.json";
/// Webhook bodies for `POST .../connections/{id}/pullrequests`.
pub const DEVLAKE_PULL_REQUESTS_JSON: &str = "devlake_pull_requests.json";
/// Domain table `cicd_deployment_commits`.
pub const DEVLAKE_DEPLOYMENT_COMMITS_CSV: &str = "devlake_cicd_deployment_commits.csv";
/// Domain table `commits_diffs`: the commits of each deployment not in the previous one.
pub const DEVLAKE_COMMITS_DIFFS_CSV: &str = "devlake_commits_diffs.csv";
/// Domain table `pull_requests`.
pub const DEVLAKE_PULL_REQUESTS_CSV: &str = "devlake_pull_requests.csv";
/// Domain table `pull_request_commits` (each pull request's first commit).
pub const DEVLAKE_PULL_REQUEST_COMMITS_CSV: &str = "devlake_pull_request_commits.csv";
/// Domain table `issues` (incidents only).
pub const DEVLAKE_ISSUES_CSV: &str = "devlake_issues.csv";
/// The dora plugin's `project_pr_metrics` (PR cycle time).
pub const DEVLAKE_PROJECT_PR_METRICS_CSV: &str = "devlake_project_pr_metrics.csv";
/// The dora plugin's `project_issue_metrics` (incident → deployment).
pub const DEVLAKE_PROJECT_ISSUE_METRICS_CSV: &str = "devlake_project_issue_metrics.csv";

/// Repository of every synthetic commit.
pub const REPO_URL: &str = "https://example.invalid/dorasim/service";
/// The webhook connection's scope (`webhook:{connectionId}`), connection 1.
pub const SCOPE: &str = "webhook:1";
/// DevLake project name in the metric tables.
pub const PROJECT: &str = "dorasim";

/// Commit slot of a pull request's first commit (`FIRST_COMMIT | k` for pull request `k` of its
/// change); slot `k` itself is that pull request's merge commit.
const FIRST_COMMIT: u32 = 0x8000_0000;

/// Apache DevLake.
pub struct Devlake;

impl Format for Devlake {
    fn name(&self) -> &'static str {
        "devlake"
    }

    fn describe(&self) -> &'static str {
        "Apache DevLake webhook bodies and domain tables"
    }

    fn files(&self) -> &'static [&'static str] {
        &[
            DEVLAKE_DEPLOYMENTS_JSON,
            DEVLAKE_INCIDENTS_JSON,
            DEVLAKE_PULL_REQUESTS_JSON,
            DEVLAKE_DEPLOYMENT_COMMITS_CSV,
            DEVLAKE_COMMITS_DIFFS_CSV,
            DEVLAKE_PULL_REQUESTS_CSV,
            DEVLAKE_PULL_REQUEST_COMMITS_CSV,
            DEVLAKE_ISSUES_CSV,
            DEVLAKE_PROJECT_PR_METRICS_CSV,
            DEVLAKE_PROJECT_ISSUE_METRICS_CSV,
        ]
    }

    fn required(&self) -> &'static [&'static str] {
        &[
            DEVLAKE_DEPLOYMENT_COMMITS_CSV,
            DEVLAKE_COMMITS_DIFFS_CSV,
            DEVLAKE_PULL_REQUESTS_CSV,
            DEVLAKE_PULL_REQUEST_COMMITS_CSV,
            DEVLAKE_ISSUES_CSV,
        ]
    }

    fn write(&self, export: Export<'_>) -> Result<Vec<Vec<u8>>, RenderError> {
        write(export.log)
    }

    fn lens(&self) -> crate::metrics::ledger::Lens {
        crate::metrics::ledger::Lens::Devlake
    }

    fn read(&self, dir: &Path) -> Result<MeasuredLog, InputError> {
        read(dir)
    }
}

fn ts(hours: f64) -> String {
    timestamp(hours).unwrap_or_default()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// DevLake's time span (`computeTimeSpan`): whole minutes rounded up, `None` when negative.
/// Computed from the written (millisecond) timestamps, as DevLake would.
pub fn span_minutes(from_hours: f64, to_hours: f64) -> Option<i64> {
    if !from_hours.is_finite() || !to_hours.is_finite() {
        return None;
    }
    let ms = millis_of(to_hours) - millis_of(from_hours);
    let minutes = (ms as f64 / 60_000.0).ceil() as i64;
    (minutes >= 0).then_some(minutes)
}

fn label_text(label: DeployLabel) -> &'static str {
    match label {
        DeployLabel::Deploy => "",
        DeployLabel::Hotfix => "hotfix",
        DeployLabel::BugFix => "bug_fix",
        DeployLabel::Rollback => "rollback",
    }
}

/// The synthetic configuration commit a padding deployment carries.
pub fn config_commit_sha(deployment: u32) -> String {
    format!("{:024x}{deployment:08x}{:08x}", 0xc0f1_u64, 0)
}

/// A change's commits on the main branch: one merge commit per pull request, or its head commit
/// when it has none (a hotfix pushed directly).
fn change_commits(c: &MeasuredChange) -> Vec<String> {
    if c.pull_requests.is_empty() {
        vec![commit_sha(c.id, HEAD)]
    } else {
        (0..c.pull_requests.len() as u32)
            .map(|k| commit_sha(c.id, k))
            .collect()
    }
}

/// A deployment as DevLake sees it: the commit it deployed and the commits new since the
/// previous successful deployment.
struct Deployed<'a> {
    d: &'a MeasuredDeployment,
    finished: f64,
    head: String,
    diff: Vec<String>,
    /// Index (in the list) of the previous successful deployment, by start.
    prev: Option<usize>,
}

impl Deployed<'_> {
    fn key(&self) -> String {
        format!("deploy-{}", self.d.id)
    }

    fn commit_id(&self) -> String {
        format!("{SCOPE}:{}:{}", self.key(), self.head)
    }
}

/// Deployments DevLake ingests: finished and not rollbacks (dorasim's lenses never count a
/// rollback as a deployment), in start order.
fn deployed(log: &MeasuredLog) -> Vec<Deployed<'_>> {
    let mut list: Vec<Deployed<'_>> = log
        .deployments
        .iter()
        .filter(|d| d.label != DeployLabel::Rollback)
        .filter_map(|d| {
            let finished = d.finished_hours?;
            let carried: Vec<&MeasuredChange> = d
                .changes
                .iter()
                .filter_map(|&c| log.changes.get(c as usize))
                .collect();
            let (head, diff) = if carried.is_empty() {
                let sha = config_commit_sha(d.id);
                (sha.clone(), vec![sha])
            } else {
                // Main points at the last merged change's last commit.
                let last = carried
                    .iter()
                    .max_by(|a, b| {
                        a.merged_hours
                            .unwrap_or(f64::NEG_INFINITY)
                            .total_cmp(&b.merged_hours.unwrap_or(f64::NEG_INFINITY))
                            .then(a.id.cmp(&b.id))
                    })
                    .copied();
                let head = last
                    .and_then(|c| change_commits(c).pop())
                    .unwrap_or_default();
                (
                    head,
                    carried.iter().flat_map(|c| change_commits(c)).collect(),
                )
            };
            Some(Deployed {
                d,
                finished,
                head,
                diff,
                prev: None,
            })
        })
        .collect();
    list.sort_by(|a, b| {
        a.d.started_hours
            .total_cmp(&b.d.started_hours)
            .then(a.d.id.cmp(&b.d.id))
    });
    for (i, x) in list.iter_mut().enumerate().skip(1) {
        x.prev = Some(i - 1);
    }
    list
}

/// DevLake's incident link (dora plugin, `ConnectIncidentToDeployment`): the latest successful
/// production deployment finished strictly before the incident was created.
fn blamed(deployed: &[Deployed<'_>], created: f64) -> Option<usize> {
    let created = millis_of(created);
    deployed
        .iter()
        .enumerate()
        .filter(|(_, x)| millis_of(x.finished) < created)
        .max_by(|a, b| {
            millis_of(a.1.finished)
                .cmp(&millis_of(b.1.finished))
                .then(a.1.d.id.cmp(&b.1.d.id))
        })
        .map(|(i, _)| i)
}

fn write(log: &MeasuredLog) -> Result<Vec<Vec<u8>>, RenderError> {
    let deployed = deployed(log);
    // Where each commit went live: the deployment whose diff holds it.
    let mut deployment_of: HashMap<&str, usize> = HashMap::new();
    for (i, x) in deployed.iter().enumerate() {
        for sha in &x.diff {
            deployment_of.entry(sha.as_str()).or_insert(i);
        }
    }

    // Webhook: deployments.
    let deployments: Vec<Value> = deployed
        .iter()
        .map(|x| {
            let message = if x.d.changes.is_empty() {
                format!("configuration change (deployment {})", x.d.id)
            } else {
                format!("release of {} change(s)", x.d.changes.len())
            };
            json!({
                "id": x.key(),
                "displayTitle": format!("deployment {}", x.d.id),
                "result": "SUCCESS",
                "environment": "PRODUCTION",
                "originalEnvironment": "production",
                "createdDate": ts(x.d.started_hours),
                "startedDate": ts(x.d.started_hours),
                "finishedDate": ts(x.finished),
                "deploymentCommits": [{
                    "repoUrl": REPO_URL,
                    "repoId": SCOPE,
                    "refName": "main",
                    "commitSha": x.head,
                    "commitMsg": message,
                    "displayTitle": format!("deployment {}", x.d.id),
                    "result": "SUCCESS",
                    "status": "DONE",
                    "startedDate": ts(x.d.started_hours),
                    "finishedDate": ts(x.finished),
                }],
            })
        })
        .collect();

    // Webhook: incidents.
    let incidents: Vec<Value> = log
        .incidents
        .iter()
        .map(|i| {
            let mut body = json!({
                "issueKey": format!("INC-{}", i.id),
                "title": format!("incident {}", i.id),
                "url": format!("https://example.invalid/dorasim/incidents/{}", i.id),
                "type": "INCIDENT",
                "status": if i.closed_hours.is_some() { "DONE" } else { "IN_PROGRESS" },
                "originalStatus": if i.closed_hours.is_some() { "resolved" } else { "open" },
                "createdDate": ts(i.detected_hours),
                "updatedDate": ts(i.closed_hours.unwrap_or(i.detected_hours)),
            });
            if let Some(closed) = i.closed_hours {
                body["resolutionDate"] = json!(ts(closed));
                if let Some(m) = span_minutes(i.detected_hours, closed) {
                    body["leadTimeMinutes"] = json!(m);
                }
            }
            body
        })
        .collect();

    // Pull requests: key, merge commit, first commit.
    struct Pr<'a> {
        p: &'a MeasuredPullRequest,
        c: &'a MeasuredChange,
        key: u32,
        merge: String,
        first: String,
        created: f64,
    }
    let prs: Vec<Pr<'_>> = log
        .pull_requests
        .iter()
        .filter_map(|p| {
            let c = log.changes.get(p.change as usize)?;
            let k = c.pull_requests.iter().position(|&x| x == p.id).unwrap_or(0) as u32;
            Some(Pr {
                p,
                c,
                key: p.id + 1,
                merge: commit_sha(c.id, k),
                first: commit_sha(c.id, FIRST_COMMIT | k),
                // DevLake requires a creation time: a pull request never opened is dated by its
                // first commit.
                created: p.opened_hours.unwrap_or(p.first_commit_hours),
            })
        })
        .collect();
    let pr_id = |key: u32| format!("{SCOPE}:{key}");
    let pull_request_bodies: Vec<Value> = prs
        .iter()
        .map(|x| {
            let mut body = json!({
                "id": pr_id(x.key),
                "baseRepoId": SCOPE,
                "headRepoId": SCOPE,
                "status": if x.c.merged_hours.is_some() { "MERGED" } else { "OPEN" },
                "originalStatus": if x.c.merged_hours.is_some() { "merged" } else { "open" },
                "displayTitle": format!("change {} pull request {}", x.c.id, x.p.id),
                "url": format!("{REPO_URL}/pull/{}", x.key),
                "pullRequestKey": x.key,
                "createdDate": ts(x.created),
                "baseRef": "main",
                "headRef": format!("change-{}", x.c.id),
                "additions": x.p.loc.map_or(0, |l| l.round().max(0.0) as i64),
                "deletions": 0,
                "isDraft": false,
            });
            if let Some(m) = x.c.merged_hours {
                body["mergedDate"] = json!(ts(m));
                body["closedDate"] = json!(ts(m));
                body["mergeCommitSha"] = json!(x.merge);
            }
            body
        })
        .collect();

    // Domain table: cicd_deployment_commits.
    let mut dc_rows = vec![strings(&[
        "id",
        "cicd_scope_id",
        "cicd_deployment_id",
        "name",
        "display_title",
        "result",
        "status",
        "original_result",
        "original_status",
        "environment",
        "original_environment",
        "created_date",
        "started_date",
        "finished_date",
        "duration_sec",
        "commit_sha",
        "commit_msg",
        "ref_name",
        "repo_id",
        "repo_url",
        "prev_success_deployment_commit_id",
        "dorasim_label",
    ])];
    for x in &deployed {
        let duration = (millis_of(x.finished) - millis_of(x.d.started_hours)) / 1000;
        dc_rows.push(vec![
            x.commit_id(),
            SCOPE.into(),
            x.key(),
            format!("deployment for {}", x.head),
            format!("deployment {}", x.d.id),
            "SUCCESS".into(),
            "DONE".into(),
            "SUCCESS".into(),
            "DONE".into(),
            "PRODUCTION".into(),
            "production".into(),
            ts(x.d.started_hours),
            ts(x.d.started_hours),
            ts(x.finished),
            duration.to_string(),
            x.head.clone(),
            if x.d.changes.is_empty() {
                "configuration change".into()
            } else {
                format!("release of {} change(s)", x.d.changes.len())
            },
            "main".into(),
            SCOPE.into(),
            REPO_URL.into(),
            x.prev.map(|p| deployed[p].commit_id()).unwrap_or_default(),
            label_text(x.d.label).into(),
        ]);
    }

    // Domain table: commits_diffs.
    let mut diff_rows = vec![strings(&[
        "new_commit_sha",
        "old_commit_sha",
        "commit_sha",
        "sorting_index",
    ])];
    for x in &deployed {
        let old = x.prev.map(|p| deployed[p].head.clone()).unwrap_or_default();
        for (k, sha) in x.diff.iter().enumerate() {
            diff_rows.push(vec![
                x.head.clone(),
                old.clone(),
                sha.clone(),
                (k + 1).to_string(),
            ]);
        }
    }

    // Domain tables: pull_requests, pull_request_commits, project_pr_metrics.
    let mut pr_rows = vec![strings(&[
        "id",
        "base_repo_id",
        "head_repo_id",
        "status",
        "original_status",
        "title",
        "url",
        "pull_request_key",
        "created_date",
        "merged_date",
        "closed_date",
        "merge_commit_sha",
        "base_ref",
        "head_ref",
        "additions",
        "deletions",
        "is_draft",
        "dorasim_change",
    ])];
    let mut prc_rows = vec![strings(&[
        "commit_sha",
        "pull_request_id",
        "commit_authored_date",
    ])];
    let mut metric_rows = vec![strings(&[
        "id",
        "project_name",
        "first_commit_sha",
        "pr_coding_time",
        "first_review_id",
        "pr_pickup_time",
        "pr_review_time",
        "deployment_commit_id",
        "pr_deploy_time",
        "pr_cycle_time",
    ])];
    let opt = |x: Option<i64>| x.map(|m| m.to_string()).unwrap_or_default();
    for x in &prs {
        let merged = x.c.merged_hours;
        pr_rows.push(vec![
            pr_id(x.key),
            SCOPE.into(),
            SCOPE.into(),
            if merged.is_some() { "MERGED" } else { "OPEN" }.into(),
            if merged.is_some() { "merged" } else { "open" }.into(),
            format!("change {} pull request {}", x.c.id, x.p.id),
            format!("{REPO_URL}/pull/{}", x.key),
            x.key.to_string(),
            ts(x.created),
            merged.map(ts).unwrap_or_default(),
            merged.map(ts).unwrap_or_default(),
            if merged.is_some() {
                x.merge.clone()
            } else {
                String::new()
            },
            "main".into(),
            format!("change-{}", x.c.id),
            x.p.loc.map_or(0, |l| l.round().max(0.0) as i64).to_string(),
            "0".into(),
            "false".into(),
            x.c.id.to_string(),
        ]);
        prc_rows.push(vec![
            x.first.clone(),
            pr_id(x.key),
            ts(x.p.first_commit_hours),
        ]);
        let Some(merged) = merged else { continue };
        // As the dora plugin's CalculateChangeLeadTime derives it.
        let coding = span_minutes(x.p.first_commit_hours, x.created);
        let during = span_minutes(x.created, merged);
        let deployment = deployment_of.get(x.merge.as_str()).map(|&i| &deployed[i]);
        let deploy = deployment.and_then(|d| span_minutes(merged, d.finished));
        let cycle = deploy.map(|d| d + coding.unwrap_or(0) + during.unwrap_or(0));
        metric_rows.push(vec![
            pr_id(x.key),
            PROJECT.into(),
            x.first.clone(),
            opt(coding),
            String::new(),
            String::new(),
            String::new(),
            deployment
                .filter(|_| deploy.is_some())
                .map(|d| d.commit_id())
                .unwrap_or_default(),
            opt(deploy),
            opt(cycle),
        ]);
    }

    // Domain tables: issues, project_issue_metrics.
    let mut issue_rows = vec![strings(&[
        "id",
        "url",
        "issue_key",
        "title",
        "type",
        "original_type",
        "status",
        "original_status",
        "created_date",
        "updated_date",
        "resolution_date",
        "lead_time_minutes",
    ])];
    let mut issue_metric_rows = vec![strings(&["id", "project_name", "deployment_id"])];
    for i in &log.incidents {
        let id = format!("{SCOPE}:INC-{}", i.id);
        issue_rows.push(vec![
            id.clone(),
            format!("https://example.invalid/dorasim/incidents/{}", i.id),
            format!("INC-{}", i.id),
            format!("incident {}", i.id),
            "INCIDENT".into(),
            "incident".into(),
            if i.closed_hours.is_some() {
                "DONE"
            } else {
                "IN_PROGRESS"
            }
            .into(),
            if i.closed_hours.is_some() {
                "resolved"
            } else {
                "open"
            }
            .into(),
            ts(i.detected_hours),
            ts(i.closed_hours.unwrap_or(i.detected_hours)),
            i.closed_hours.map(ts).unwrap_or_default(),
            opt(i
                .closed_hours
                .and_then(|c| span_minutes(i.detected_hours, c))),
        ]);
        if let Some(d) = blamed(&deployed, i.detected_hours) {
            issue_metric_rows.push(vec![id, PROJECT.into(), deployed[d].key()]);
        }
    }

    Ok(vec![
        json_bytes(DEVLAKE_DEPLOYMENTS_JSON, &deployments)?,
        json_bytes(DEVLAKE_INCIDENTS_JSON, &incidents)?,
        json_bytes(DEVLAKE_PULL_REQUESTS_JSON, &pull_request_bodies)?,
        csv_bytes(DEVLAKE_DEPLOYMENT_COMMITS_CSV, dc_rows)?,
        csv_bytes(DEVLAKE_COMMITS_DIFFS_CSV, diff_rows)?,
        csv_bytes(DEVLAKE_PULL_REQUESTS_CSV, pr_rows)?,
        csv_bytes(DEVLAKE_PULL_REQUEST_COMMITS_CSV, prc_rows)?,
        csv_bytes(DEVLAKE_ISSUES_CSV, issue_rows)?,
        csv_bytes(DEVLAKE_PROJECT_PR_METRICS_CSV, metric_rows)?,
        csv_bytes(DEVLAKE_PROJECT_ISSUE_METRICS_CSV, issue_metric_rows)?,
    ])
}

// ---------------------------------------------------------------------------------------------
// Reading the domain tables.

#[derive(Deserialize)]
struct DeploymentCommitRow {
    id: String,
    cicd_deployment_id: String,
    result: String,
    environment: String,
    started_date: String,
    finished_date: String,
    commit_sha: String,
    #[serde(default)]
    dorasim_label: String,
}

#[derive(Deserialize)]
struct DiffRow {
    new_commit_sha: String,
    commit_sha: String,
}

#[derive(Deserialize)]
struct PullRequestRow {
    id: String,
    created_date: String,
    merged_date: String,
    merge_commit_sha: String,
    #[serde(default)]
    dorasim_change: String,
}

#[derive(Deserialize)]
struct PullRequestCommitRow {
    commit_sha: String,
    pull_request_id: String,
    commit_authored_date: String,
}

#[derive(Deserialize)]
struct IssueRow {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created_date: String,
    resolution_date: String,
}

#[derive(Deserialize)]
struct IssueMetricRow {
    id: String,
    deployment_id: String,
}

#[derive(Deserialize)]
struct PrMetricRow {
    id: String,
    deployment_commit_id: String,
}

/// One deployment read from its deployment-commit rows.
struct ReadDeployment {
    started: f64,
    finished: f64,
    label: DeployLabel,
    heads: Vec<String>,
    line: usize,
}

fn read(dir: &Path) -> Result<MeasuredLog, InputError> {
    let path = |name: &str| dir.join(name);

    // Deployments: successful production deployment commits, grouped by deployment.
    let dc_path = path(DEVLAKE_DEPLOYMENT_COMMITS_CSV);
    let mut deployments: Vec<ReadDeployment> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut commit_ids: HashMap<String, usize> = HashMap::new();
    for (line, row) in csv_rows::<DeploymentCommitRow>(&dc_path)? {
        if row.result != "SUCCESS" || row.environment != "PRODUCTION" {
            continue;
        }
        let started = time_cell(&dc_path, line, "started_date", &row.started_date)?;
        let finished = time_cell(&dc_path, line, "finished_date", &row.finished_date)?;
        if finished < started {
            return Err(InputError::at(
                &dc_path,
                line,
                Some("finished_date"),
                format!(
                    "the deployment finished ({}) before it started ({})",
                    row.finished_date, row.started_date
                ),
            ));
        }
        let label = match row.dorasim_label.trim() {
            "" => DeployLabel::Deploy,
            "hotfix" => DeployLabel::Hotfix,
            "bug_fix" => DeployLabel::BugFix,
            other => {
                return Err(InputError::at(
                    &dc_path,
                    line,
                    Some("dorasim_label"),
                    format!("unknown label `{other}`; accepted: empty, `hotfix`, `bug_fix`"),
                ));
            }
        };
        let k = *by_key
            .entry(row.cicd_deployment_id.clone())
            .or_insert_with(|| {
                deployments.push(ReadDeployment {
                    started,
                    finished,
                    label,
                    heads: Vec::new(),
                    line,
                });
                deployments.len() - 1
            });
        let d = &mut deployments[k];
        d.started = d.started.min(started);
        d.finished = d.finished.max(finished);
        d.heads.push(row.commit_sha.clone());
        commit_ids.insert(row.id, k);
    }
    // Dense ids in the order the deployments went live.
    let mut order: Vec<usize> = (0..deployments.len()).collect();
    order.sort_by(|&a, &b| {
        deployments[a]
            .finished
            .total_cmp(&deployments[b].finished)
            .then(deployments[a].started.total_cmp(&deployments[b].started))
            .then(deployments[a].line.cmp(&deployments[b].line))
    });
    let mut dense = vec![0u32; deployments.len()];
    for (new, &old) in order.iter().enumerate() {
        dense[old] = new as u32;
    }
    let mut head_of: HashMap<&str, usize> = HashMap::new();
    for (k, d) in deployments.iter().enumerate() {
        for h in &d.heads {
            head_of.entry(h.as_str()).or_insert(k);
        }
    }

    // Commits of each deployment (a diff from a commit no deployment deployed is not DevLake's
    // deployment diff and is skipped).
    let diff_path = path(DEVLAKE_COMMITS_DIFFS_CSV);
    let mut deployed_in: HashMap<String, usize> = HashMap::new();
    let mut diff_commits: Vec<Vec<String>> = vec![Vec::new(); deployments.len()];
    for (_, row) in csv_rows::<DiffRow>(&diff_path)? {
        if let Some(&k) = head_of.get(row.new_commit_sha.as_str())
            && !deployed_in.contains_key(&row.commit_sha)
        {
            deployed_in.insert(row.commit_sha.clone(), k);
            diff_commits[k].push(row.commit_sha);
        }
    }

    // Pull requests.
    let pr_path = path(DEVLAKE_PULL_REQUESTS_CSV);
    struct ReadPr {
        created: f64,
        merged: Option<f64>,
        merge: String,
        group: String,
        first: Option<f64>,
        line: usize,
    }
    let mut prs: Vec<ReadPr> = Vec::new();
    let mut pr_index: HashMap<String, usize> = HashMap::new();
    for (line, row) in csv_rows::<PullRequestRow>(&pr_path)? {
        let created = time_cell(&pr_path, line, "created_date", &row.created_date)?;
        let merged = optional_time_cell(&pr_path, line, "merged_date", &row.merged_date)?;
        if let Some(m) = merged
            && m < created
        {
            return Err(InputError::at(
                &pr_path,
                line,
                Some("merged_date"),
                format!(
                    "the pull request was merged ({}) before it was created ({})",
                    row.merged_date, row.created_date
                ),
            ));
        }
        if pr_index.insert(row.id.clone(), prs.len()).is_some() {
            return Err(InputError::at(
                &pr_path,
                line,
                Some("id"),
                format!("pull request `{}` appears twice", row.id),
            ));
        }
        let group = if row.dorasim_change.trim().is_empty() {
            format!("pr:{}", row.id)
        } else {
            format!("change:{}", row.dorasim_change.trim())
        };
        prs.push(ReadPr {
            created,
            merged,
            merge: row.merge_commit_sha.trim().to_string(),
            group,
            first: None,
            line,
        });
    }
    let prc_path = path(DEVLAKE_PULL_REQUEST_COMMITS_CSV);
    for (line, row) in csv_rows::<PullRequestCommitRow>(&prc_path)? {
        let Some(&k) = pr_index.get(row.pull_request_id.as_str()) else {
            return Err(InputError::at(
                &prc_path,
                line,
                Some("pull_request_id"),
                format!(
                    "commit `{}` belongs to pull request `{}`, which is not in `{}`",
                    row.commit_sha, row.pull_request_id, DEVLAKE_PULL_REQUESTS_CSV
                ),
            ));
        };
        let at = time_cell(
            &prc_path,
            line,
            "commit_authored_date",
            &row.commit_authored_date,
        )?;
        let first = &mut prs[k].first;
        *first = Some(first.map_or(at, |f: f64| f.min(at)));
    }
    let pm_path = path(DEVLAKE_PROJECT_PR_METRICS_CSV);
    if pm_path.is_file() {
        for (line, row) in csv_rows::<PrMetricRow>(&pm_path)? {
            if !pr_index.contains_key(&row.id) {
                return Err(InputError::at(
                    &pm_path,
                    line,
                    Some("id"),
                    format!(
                        "pull request `{}` is not in `{DEVLAKE_PULL_REQUESTS_CSV}`",
                        row.id
                    ),
                ));
            }
            let commit = row.deployment_commit_id.trim();
            if !commit.is_empty() && !commit_ids.contains_key(commit) {
                return Err(InputError::at(
                    &pm_path,
                    line,
                    Some("deployment_commit_id"),
                    format!(
                        "deployment commit `{commit}` is not a successful production \
                         deployment in `{DEVLAKE_DEPLOYMENT_COMMITS_CSV}`"
                    ),
                ));
            }
        }
    }

    // Incidents.
    let issue_path = path(DEVLAKE_ISSUES_CSV);
    struct ReadIncident {
        id: String,
        created: f64,
        resolved: Option<f64>,
        deployment: Option<usize>,
        line: usize,
    }
    let mut incidents: Vec<ReadIncident> = Vec::new();
    let mut incident_index: HashMap<String, usize> = HashMap::new();
    for (line, row) in csv_rows::<IssueRow>(&issue_path)? {
        if row.kind != "INCIDENT" {
            continue;
        }
        let created = time_cell(&issue_path, line, "created_date", &row.created_date)?;
        let resolved =
            optional_time_cell(&issue_path, line, "resolution_date", &row.resolution_date)?;
        if let Some(r) = resolved
            && r < created
        {
            return Err(InputError::at(
                &issue_path,
                line,
                Some("resolution_date"),
                format!(
                    "the incident was resolved ({}) before it was created ({})",
                    row.resolution_date, row.created_date
                ),
            ));
        }
        incident_index.insert(row.id.clone(), incidents.len());
        incidents.push(ReadIncident {
            id: row.id,
            created,
            resolved,
            deployment: None,
            line,
        });
    }
    let im_path = path(DEVLAKE_PROJECT_ISSUE_METRICS_CSV);
    if im_path.is_file() {
        for (line, row) in csv_rows::<IssueMetricRow>(&im_path)? {
            let Some(&k) = incident_index.get(row.id.as_str()) else {
                return Err(InputError::at(
                    &im_path,
                    line,
                    Some("id"),
                    format!(
                        "incident `{}` is not an issue of type INCIDENT in `{DEVLAKE_ISSUES_CSV}`",
                        row.id
                    ),
                ));
            };
            let key = row.deployment_id.trim();
            if key.is_empty() {
                continue;
            }
            let Some(&d) = by_key.get(key) else {
                return Err(InputError::at(
                    &im_path,
                    line,
                    Some("deployment_id"),
                    format!(
                        "incident `{}` refers to deployment `{key}`, which is not a successful \
                         production deployment in `{DEVLAKE_DEPLOYMENT_COMMITS_CSV}`",
                        incidents[k].id
                    ),
                ));
            };
            incidents[k].deployment = Some(d);
        }
    }

    if deployments.is_empty() && prs.is_empty() && incidents.is_empty() {
        return Err(InputError::file(
            &dc_path,
            "empty history: no successful production deployment, no pull request and no \
             incident in the tables",
        ));
    }

    // Pull requests in the order opened; changes in the order of their first pull request.
    let mut pr_order: Vec<usize> = (0..prs.len()).collect();
    pr_order.sort_by(|&a, &b| {
        prs[a]
            .created
            .total_cmp(&prs[b].created)
            .then(prs[a].line.cmp(&prs[b].line))
    });
    let mut changes: Vec<MeasuredChange> = Vec::new();
    let mut change_of_group: HashMap<&str, u32> = HashMap::new();
    let mut pull_requests: Vec<MeasuredPullRequest> = Vec::new();
    let mut deployment_changes: Vec<Vec<u32>> = vec![Vec::new(); deployments.len()];
    for &k in &pr_order {
        let pr = &prs[k];
        let p_id = pull_requests.len() as u32;
        let c_id = *change_of_group.entry(pr.group.as_str()).or_insert_with(|| {
            changes.push(MeasuredChange {
                id: changes.len() as u32,
                kind: ChangeKind::Feature,
                first_commit_hours: None,
                last_commit_hours: None,
                merged_hours: None,
                deployed_hours: None,
                deployment: None,
                pull_requests: Vec::new(),
                work_item: Some(changes.len() as u32),
            });
            changes.len() as u32 - 1
        });
        let first = pr.first.unwrap_or(pr.created);
        let c = &mut changes[c_id as usize];
        c.pull_requests.push(p_id);
        c.first_commit_hours = Some(c.first_commit_hours.map_or(first, |f| f.min(first)));
        if let Some(m) = pr.merged {
            c.merged_hours = Some(c.merged_hours.map_or(m, |x| x.max(m)));
            c.last_commit_hours = c.merged_hours;
        }
        if pr.merged.is_some()
            && let Some(&d) = deployed_in.get(&pr.merge)
            && c.deployment.is_none()
        {
            c.deployment = Some(dense[d]);
            c.deployed_hours = Some(deployments[d].finished);
            deployment_changes[d].push(c_id);
        }
        pull_requests.push(MeasuredPullRequest {
            id: p_id,
            change: c_id,
            first_commit_hours: first,
            work_item: c_id,
            opened_hours: Some(pr.created),
            approved_hours: None,
            loc: None,
        });
    }
    // A deployed commit no pull request merged (a direct push or a configuration commit): a
    // change without pull requests whose commit time DevLake does not hold, so it is not timed.
    // DevLake cannot tell a padding deployment from a configuration change.
    let merged_by_pr: std::collections::HashSet<&str> = prs
        .iter()
        .filter(|p| p.merged.is_some())
        .map(|p| p.merge.as_str())
        .collect();
    for &k in &order {
        for sha in &diff_commits[k] {
            if merged_by_pr.contains(sha.as_str()) {
                continue;
            }
            let c_id = changes.len() as u32;
            changes.push(MeasuredChange {
                id: c_id,
                kind: ChangeKind::Feature,
                first_commit_hours: None,
                last_commit_hours: None,
                merged_hours: None,
                deployed_hours: None,
                deployment: Some(dense[k]),
                pull_requests: Vec::new(),
                work_item: Some(c_id),
            });
            deployment_changes[k].push(c_id);
        }
    }

    let measured_deployments: Vec<MeasuredDeployment> = order
        .iter()
        .map(|&k| {
            let d = &deployments[k];
            let mut changes = deployment_changes[k].clone();
            changes.sort_unstable();
            MeasuredDeployment {
                id: dense[k],
                started_hours: d.started,
                finished_hours: Some(d.finished),
                label: d.label,
                rolls_back: None,
                changes,
            }
        })
        .collect();

    let mut incident_order: Vec<usize> = (0..incidents.len()).collect();
    incident_order.sort_by(|&a, &b| {
        incidents[a]
            .created
            .total_cmp(&incidents[b].created)
            .then(incidents[a].line.cmp(&incidents[b].line))
    });
    let measured_incidents: Vec<MeasuredIncident> = incident_order
        .iter()
        .enumerate()
        .map(|(id, &k)| {
            let i = &incidents[k];
            MeasuredIncident {
                id: id as u32,
                impact_started_hours: i.created,
                detected_hours: i.created,
                closed_hours: i.resolved,
                deployment: i.deployment.map(|d| dense[d]),
            }
        })
        .collect();

    Ok(MeasuredLog::from_tools(
        measured_deployments,
        changes,
        pull_requests,
        measured_incidents,
    ))
}
