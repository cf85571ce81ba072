//! Event-log export (`dorasim run --events DIR`): one replication's history written as the team's
//! tooling recorded it (the measured log, after any gaming), in dorasim's own schema and in the
//! shapes that Google's Four Keys and Apache DevLake ingest, plus a separate ground-truth file.
//! See `docs/events.md` for the field mapping.
//!
//! Times: hour 0 of a run is [`EPOCH`] (a Monday). The JSON schemas carry hours as `f64` (exact);
//! the tool-shaped files carry RFC 3339 UTC timestamps with millisecond precision, truncated
//! (floored) to the millisecond, so that a time inside the measured window stays inside it.
//!
//! (About 870 lines: one replication's history and its mappings to three tools' formats, dorasim's
//! own, Four Keys and Apache DevLake. Issue 12 rewrites the Four Keys and DevLake exports against
//! the tools' published schemas; they will then move to one file per format behind one exporter
//! trait.)

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::model::Model;
use crate::model::defects::PerClass;
use crate::model::records::{
    ChangeKind, CultureTotals, DeployReason, IncidentCause, Origin, Remediation, RunRecords,
};

use super::files::{OutputDir, OutputError};

/// Hour 0 of a run, as an RFC 3339 timestamp (a Monday, midnight UTC).
pub const EPOCH: &str = "2026-01-05T00:00:00Z";
/// [`EPOCH`] in milliseconds since 1970-01-01T00:00:00Z.
pub const EPOCH_MS: i64 = 1_767_571_200_000;
/// Version tag of the `events.json` and `ground_truth.json` schemas.
pub const SCHEMA: &str = "dorasim-events/1";

/// dorasim's own measured log.
pub const EVENTS_JSON: &str = "events.json";
/// Ground truth, for researchers.
pub const GROUND_TRUTH_JSON: &str = "ground_truth.json";
/// Four Keys `changes` table.
pub const FOURKEYS_CHANGES_CSV: &str = "fourkeys_changes.csv";
/// Four Keys `deployments` table.
pub const FOURKEYS_DEPLOYMENTS_CSV: &str = "fourkeys_deployments.csv";
/// Four Keys `incidents` table.
pub const FOURKEYS_INCIDENTS_CSV: &str = "fourkeys_incidents.csv";
/// DevLake webhook deployments.
pub const DEVLAKE_DEPLOYMENTS_JSON: &str = "devlake_deployments.json";
/// DevLake webhook incidents (issues of type INCIDENT).
pub const DEVLAKE_INCIDENTS_JSON: &str = "devlake_incidents.json";
/// DevLake pull requests (its lead time starts at a pull request's first commit).
pub const DEVLAKE_PULL_REQUESTS_CSV: &str = "devlake_pull_requests.csv";

/// Every file the export writes.
pub const FILES: [&str; 8] = [
    EVENTS_JSON,
    GROUND_TRUTH_JSON,
    FOURKEYS_CHANGES_CSV,
    FOURKEYS_DEPLOYMENTS_CSV,
    FOURKEYS_INCIDENTS_CSV,
    DEVLAKE_DEPLOYMENTS_JSON,
    DEVLAKE_INCIDENTS_JSON,
    DEVLAKE_PULL_REQUESTS_CSV,
];

const SOURCE: &str = "dorasim";
const REPO_URL: &str = "https://example.invalid/dorasim/service";
/// Commit slot of a change's head (last) commit.
const HEAD: u32 = u32::MAX;

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
    /// Where it comes from.
    pub run: ExportInfo,
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

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Milliseconds since [`EPOCH`] of `hours` since the run started, floored.
pub fn millis_of(hours: f64) -> i64 {
    (hours * 3_600_000.0).floor() as i64
}

/// `hours` since the run started as an RFC 3339 UTC timestamp with milliseconds
/// (`2026-01-05T09:30:00.000Z`), floored to the millisecond; `None` if not finite.
pub fn timestamp(hours: f64) -> Option<String> {
    if !hours.is_finite() {
        return None;
    }
    let ms = EPOCH_MS + millis_of(hours);
    let (days, rest) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    ))
}

/// Hours since the run started of a timestamp written by [`timestamp`] (`YYYY-MM-DDTHH:MM:SS.mmmZ`).
pub fn hours_of(timestamp: &str) -> Option<f64> {
    let b = timestamp.as_bytes();
    if b.len() != 24 || b[10] != b'T' || b[23] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| timestamp.get(r)?.parse::<i64>().ok();
    let days = days_from_civil(num(0..4)?, num(5..7)?, num(8..10)?);
    let ms = days * 86_400_000
        + num(11..13)? * 3_600_000
        + num(14..16)? * 60_000
        + num(17..19)? * 1000
        + num(20..23)?;
    Some((ms - EPOCH_MS) as f64 / 3_600_000.0)
}

/// A stable, commit-like 40-hex identifier of a change's commit (`slot`: pull request index, or
/// the head commit).
pub fn commit_sha(change: u32, slot: u32) -> String {
    format!("{:024x}{change:08x}{slot:08x}", 0xd05a_u64)
}

/// The window of `records` as hours and timestamps.
fn window(records: &RunRecords) -> Window {
    Window {
        from_hours: records.warmup_hours,
        to_hours: records.end_hours,
        from: timestamp(records.warmup_hours).unwrap_or_default(),
        to: timestamp(records.end_hours).unwrap_or_default(),
    }
}

/// The pull requests of each change, as indices into `records.pull_requests`.
fn pull_requests_by_change(records: &RunRecords) -> Vec<Vec<u32>> {
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
        run: info.clone(),
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
                }
            })
            .collect(),
    }
}

fn csv_bytes(rows: Vec<Vec<String>>) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
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

fn fourkeys_files(log: &MeasuredLog) -> Result<[Vec<u8>; 3], csv::Error> {
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
        csv_bytes(changes)?,
        csv_bytes(deployments)?,
        csv_bytes(incidents)?,
    ])
}

fn devlake_files(log: &MeasuredLog) -> Result<[Vec<u8>; 3], csv::Error> {
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
    Ok([pretty(&deployments), pretty(&incidents), csv_bytes(prs)?])
}

fn json_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // NaN never reaches the serialiser (every optional time is an `Option`), so this cannot fail.
    serde_json::to_vec_pretty(value).unwrap_or_default()
}

/// Writes every file in [`FILES`] for `records` into `dir` (each atomically), returning their
/// paths. Prepare `dir` with [`OutputDir::prepare`]`(path, &FILES, force)`.
pub fn write_events(
    dir: &OutputDir,
    records: &RunRecords,
    info: &ExportInfo,
) -> Result<Vec<PathBuf>, OutputError> {
    let log = measured_log(records, info);
    let truth = ground_truth(records, info);
    let csv_error = |e: csv::Error| OutputError::Io {
        path: dir.path().to_path_buf(),
        source: std::io::Error::other(e),
    };
    let [fk_changes, fk_deployments, fk_incidents] = fourkeys_files(&log).map_err(csv_error)?;
    let [dl_deployments, dl_incidents, dl_prs] = devlake_files(&log).map_err(csv_error)?;
    let files: [(&str, Vec<u8>); 8] = [
        (EVENTS_JSON, json_bytes(&log)),
        (GROUND_TRUTH_JSON, json_bytes(&truth)),
        (FOURKEYS_CHANGES_CSV, fk_changes),
        (FOURKEYS_DEPLOYMENTS_CSV, fk_deployments),
        (FOURKEYS_INCIDENTS_CSV, fk_incidents),
        (DEVLAKE_DEPLOYMENTS_JSON, dl_deployments),
        (DEVLAKE_INCIDENTS_JSON, dl_incidents),
        (DEVLAKE_PULL_REQUESTS_CSV, dl_prs),
    ];
    files
        .iter()
        .map(|(name, bytes)| dir.write(name, bytes))
        .collect()
}

/// Re-runs replication `info.replication` of `model` with `info.seed` (the same records as in the
/// run) and writes its event log into `dir`.
pub fn export(
    dir: &OutputDir,
    model: &Model,
    info: &ExportInfo,
) -> Result<Vec<PathBuf>, OutputError> {
    let records = model.run(info.seed, info.replication);
    write_events(dir, &records, info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_start_at_the_epoch_and_round_trip() {
        assert_eq!(timestamp(0.0).as_deref(), Some("2026-01-05T00:00:00.000Z"));
        assert_eq!(
            timestamp(24.0 * 59.0 + 13.5).as_deref(),
            Some("2026-03-05T13:30:00.000Z")
        );
        assert_eq!(timestamp(f64::NAN), None);
        assert_eq!(days_from_civil(2026, 1, 5) * 86_400_000, EPOCH_MS);
        for h in [0.0, 1.25, 1000.0 / 3.0, 4368.0, 8760.5] {
            let back = hours_of(&timestamp(h).unwrap()).unwrap();
            assert!((h - back).abs() < 1.0 / 3_600_000.0 + 1e-12, "{h} {back}");
        }
    }
}
