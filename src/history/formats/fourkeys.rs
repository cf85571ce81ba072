//! Google's Four Keys (dora-team/fourkeys, formerly GoogleCloudPlatform/fourkeys): rows of its one
//! raw table, `four_keys.events_raw`, as newline-delimited JSON (the way BigQuery loads and exports
//! a table). Its `changes`, `deployments` and `incidents` tables are views over these rows, so a
//! history written here goes through Four Keys' own derivation.
//!
//! Each row is what its GitHub parser (`bq-workers/github-parser/main.py`) stores: `event_type`
//! (the `X-GitHub-Event` header), `id`, `metadata` (the webhook body as a JSON string),
//! `time_created`, `signature`, `msg_id`, `source` (`github`). The bodies carry the fields the
//! queries read:
//!
//! - `push`: `id` = `head_commit.id`; `commits[].id`, `commits[].timestamp` (`changes.sql`).
//!   One push per change, at its head commit: each pull request's first commit, then the head.
//!   A deployment carrying no change deploys an empty commit pushed when it started.
//! - `pull_request` (closed, merged): `pull_request.created_at`, `merged_at`, `merge_commit_sha`
//!   (the change's head), `head.sha` (the pull request's first commit). Four Keys does not read
//!   them; dorasim reads them back.
//! - `deployment_status` (`state` `success`): `id` = `deployment_status.id` (the dashboard's
//!   `deploy_id`), `time_created` = `deployment_status.updated_at` (live), `deployment.sha` (the
//!   head of the last change carried) and `deployment.additional_sha` (the others' heads), which
//!   `deployments.sql` joins to the pushes' `id`; `deployment.created_at` (started) and
//!   `deployment.task` (`deploy`, `deploy:hotfix`, `deploy:bug_fix`) for dorasim.
//! - `issues` (opened, then closed): `issue.number`, `created_at`, `closed_at`, the label
//!   `Incident` and, for an incident linked to a deployment, `root cause: SHA` in its body (the
//!   deployment's `deployment.sha`), which `incidents.sql` extracts and joins to the deployments'
//!   commits.
//!
//! Times are whole seconds (GitHub's clock), floored ([`whole_seconds`]).
//!
//! (About 820 lines: one tool's format both ways, the `events_raw` rows written and read back with
//! located errors, so the mapping to Four Keys is read and changed in one place.)

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Value, json};

use super::{Export, Format, InputError, RenderError, read_text};
use crate::engine::units::whole_seconds;
use crate::history::log::{
    DeployLabel, MeasuredChange, MeasuredDeployment, MeasuredIncident, MeasuredLog,
    MeasuredPullRequest,
};
use crate::history::time::{EPOCH_MS, HEAD, commit_sha, hours_of, timestamp};
use crate::model::records::ChangeKind;

/// Four Keys `events_raw` rows, newline-delimited JSON.
pub const FOURKEYS_EVENTS_RAW_JSON: &str = "fourkeys_events_raw.json";

const SOURCE: &str = "github";
const REPO: &str = "service";
const REPO_FULL: &str = "dorasim/service";
/// The label Four Keys' incidents query looks for.
const INCIDENT_LABEL: &str = "Incident";
/// The text Four Keys' incidents query extracts the root-cause commit after.
const ROOT_CAUSE: &str = "root cause: ";

/// Google's Four Keys.
pub struct FourKeys;

impl Format for FourKeys {
    fn name(&self) -> &'static str {
        "four-keys"
    }

    fn describe(&self) -> &'static str {
        "Google Four Keys `events_raw` rows (GitHub webhooks), newline-delimited JSON"
    }

    fn files(&self) -> &'static [&'static str] {
        &[FOURKEYS_EVENTS_RAW_JSON]
    }

    fn required(&self) -> &'static [&'static str] {
        self.files()
    }

    fn write(&self, export: Export<'_>) -> Result<Vec<Vec<u8>>, RenderError> {
        Ok(vec![events_raw(export.log)?])
    }

    fn lens(&self) -> crate::metrics::ledger::Lens {
        crate::metrics::ledger::Lens::FourKeys
    }

    fn read(&self, dir: &Path) -> Result<MeasuredLog, InputError> {
        read_events_raw(&dir.join(FOURKEYS_EVENTS_RAW_JSON))
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// `hours` on GitHub's whole-second clock, as RFC 3339 UTC (`2026-01-05T09:30:00Z`).
fn gh_time(hours: f64) -> Result<String, RenderError> {
    let bad = || RenderError {
        file: FOURKEYS_EVENTS_RAW_JSON,
        message: format!("time {hours} h cannot be written"),
    };
    if !hours.is_finite() || hours.abs() > 1e8 {
        return Err(bad());
    }
    let instant =
        jiff::Timestamp::from_second(EPOCH_MS / 1000 + whole_seconds(hours)).map_err(|_| bad())?;
    Ok(instant.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// The empty commit pushed to trigger a deployment that carries no change.
pub fn empty_commit_sha(deployment: u32) -> String {
    format!("{:024x}{deployment:08x}{:08x}", 0xe3b7_u64, 0)
}

/// A synthetic, stable 40-hex signature of a row.
fn signature(kind: u64, n: u64) -> String {
    format!("sha1={:020x}{:020x}", 0x5166_u64 + kind, n)
}

fn repository() -> Value {
    json!({ "name": REPO, "full_name": REPO_FULL })
}

struct Rows {
    bytes: Vec<u8>,
    count: u64,
}

impl Rows {
    fn push(
        &mut self,
        event_type: &str,
        id: String,
        time_created: String,
        metadata: Value,
    ) -> Result<(), RenderError> {
        self.count += 1;
        let row = json!({
            "event_type": event_type,
            "id": id,
            "metadata": metadata.to_string(),
            "time_created": time_created,
            "signature": signature(event_type.len() as u64, self.count),
            "msg_id": (1_000_000_000 + self.count).to_string(),
            "source": SOURCE,
        });
        serde_json::to_writer(&mut self.bytes, &row).map_err(|e| RenderError {
            file: FOURKEYS_EVENTS_RAW_JSON,
            message: e.to_string(),
        })?;
        self.bytes.push(b'\n');
        Ok(())
    }
}

/// The commits of change `c` Four Keys sees, `(sha, hours)`: each pull request's first commit,
/// then the head commit (the last commit, or the first when there is no later one). `None` when
/// the change has no commit.
fn change_commits(log: &MeasuredLog, c: &MeasuredChange) -> Option<Vec<(String, f64)>> {
    let head = c.last_commit_hours.or(c.first_commit_hours)?;
    let mut commits: Vec<(String, f64)> = c
        .pull_requests
        .iter()
        .enumerate()
        .filter_map(|(k, &p)| {
            let pr = log.pull_requests.get(p as usize)?;
            Some((commit_sha(c.id, k as u32), pr.first_commit_hours))
        })
        .collect();
    commits.push((commit_sha(c.id, HEAD), head));
    Some(commits)
}

fn push_event(
    rows: &mut Rows,
    commits: &[(String, f64)],
    message: &str,
) -> Result<(), RenderError> {
    let Some((head, head_hours)) = commits.last() else {
        return Ok(());
    };
    let head_time = gh_time(*head_hours)?;
    let list = commits
        .iter()
        .map(|(sha, hours)| {
            Ok(json!({
                "id": sha,
                "timestamp": gh_time(*hours)?,
                "message": message,
                "distinct": true,
            }))
        })
        .collect::<Result<Vec<Value>, RenderError>>()?;
    let metadata = json!({
        "ref": "refs/heads/main",
        "after": head,
        "repository": repository(),
        "head_commit": { "id": head, "timestamp": head_time, "message": message },
        "commits": list,
    });
    rows.push("push", head.clone(), head_time, metadata)
}

fn task(label: DeployLabel) -> &'static str {
    match label {
        DeployLabel::Hotfix => "deploy:hotfix",
        DeployLabel::BugFix => "deploy:bug_fix",
        DeployLabel::Deploy | DeployLabel::Rollback => "deploy",
    }
}

fn events_raw(log: &MeasuredLog) -> Result<Vec<u8>, RenderError> {
    let mut rows = Rows {
        bytes: Vec::new(),
        count: 0,
    };
    // Pushes: one per change, and its pull requests.
    let mut head_of: Vec<Option<String>> = vec![None; log.changes.len()];
    let mut pr_number = 0u64;
    for c in &log.changes {
        let Some(commits) = change_commits(log, c) else {
            continue;
        };
        push_event(&mut rows, &commits, &format!("change {}", c.id))?;
        let head = commits.last().map(|(sha, _)| sha.clone());
        if let Some(merged) = c.merged_hours {
            for (k, &p) in c.pull_requests.iter().enumerate() {
                pr_number += 1;
                let Some(opened) = log
                    .pull_requests
                    .get(p as usize)
                    .and_then(|p| p.opened_hours)
                else {
                    continue;
                };
                let merged_at = gh_time(merged)?;
                let metadata = json!({
                    "action": "closed",
                    "number": pr_number,
                    "repository": repository(),
                    "pull_request": {
                        "number": pr_number,
                        "state": "closed",
                        "title": format!("change {} part {}", c.id, k + 1),
                        "created_at": gh_time(opened)?,
                        "updated_at": merged_at,
                        "closed_at": merged_at,
                        "merged_at": merged_at,
                        "merged": true,
                        "merge_commit_sha": head,
                        "head": { "sha": commit_sha(c.id, k as u32) },
                    },
                });
                rows.push(
                    "pull_request",
                    format!("{REPO}/{pr_number}"),
                    merged_at,
                    metadata,
                )?;
            }
        } else {
            pr_number += c.pull_requests.len() as u64;
        }
        if let Some(slot) = head_of.get_mut(c.id as usize) {
            *slot = head;
        }
    }
    // Deployments: finished, not rollbacks (no lens counts a rollback as a deployment).
    let mut main_of: Vec<Option<String>> = vec![None; log.deployments.len()];
    for d in &log.deployments {
        let Some(finished) = d.finished_hours else {
            continue;
        };
        if d.label == DeployLabel::Rollback {
            continue;
        }
        let mut shas: Vec<String> = d
            .changes
            .iter()
            .filter_map(|&c| head_of.get(c as usize).cloned().flatten())
            .collect();
        if shas.is_empty() {
            let sha = empty_commit_sha(d.id);
            push_event(
                &mut rows,
                &[(sha.clone(), d.started_hours)],
                "trigger deployment (empty commit)",
            )?;
            shas.push(sha);
        }
        let Some(main) = shas.pop() else {
            continue;
        };
        let finished_at = gh_time(finished)?;
        let status_id = 1_000_000 + u64::from(d.id);
        let metadata = json!({
            "action": "created",
            "deployment_status": {
                "id": status_id,
                "state": "success",
                "environment": "production",
                "created_at": finished_at,
                "updated_at": finished_at,
            },
            "deployment": {
                "id": 500_000 + u64::from(d.id),
                "sha": main,
                "additional_sha": shas,
                "ref": "main",
                "task": task(d.label),
                "environment": "production",
                "created_at": gh_time(d.started_hours)?,
                "updated_at": finished_at,
            },
            "repository": repository(),
        });
        rows.push(
            "deployment_status",
            status_id.to_string(),
            finished_at,
            metadata,
        )?;
        if let Some(slot) = main_of.get_mut(d.id as usize) {
            *slot = Some(main);
        }
    }
    // Incidents: an issue labelled `Incident`, opened when detected and closed when resolved.
    for i in &log.incidents {
        let number = pr_number + 1 + u64::from(i.id);
        let root = i
            .deployment
            .and_then(|d| main_of.get(d as usize).cloned().flatten());
        let body = match &root {
            Some(sha) => format!("Production incident.\n{ROOT_CAUSE}{sha}"),
            None => "Production incident, not linked to a deployment.".to_string(),
        };
        let created = gh_time(i.detected_hours)?;
        let closed = i.closed_hours.map(gh_time).transpose()?;
        let issue = |action: &str, updated: &str, closed: Option<&String>| {
            json!({
                "action": action,
                "repository": repository(),
                "issue": {
                    "number": number,
                    "title": format!("incident {}", i.id),
                    "body": body,
                    "labels": [{ "name": INCIDENT_LABEL }],
                    "state": if closed.is_some() { "closed" } else { "open" },
                    "created_at": created,
                    "updated_at": updated,
                    "closed_at": closed,
                },
            })
        };
        let id = format!("{REPO}/{number}");
        rows.push(
            "issues",
            id.clone(),
            created.clone(),
            issue("opened", &created, None),
        )?;
        if let Some(closed) = &closed {
            rows.push(
                "issues",
                id,
                closed.clone(),
                issue("closed", closed, Some(closed)),
            )?;
        }
    }
    Ok(rows.bytes)
}

// ---------------------------------------------------------------------------------------------
// Reading

/// One row's place, for error messages.
struct At<'a> {
    path: &'a Path,
    line: usize,
}

impl At<'_> {
    fn error(&self, field: &str, message: impl Into<String>) -> InputError {
        InputError::at(self.path, self.line, Some(field), message)
    }
}

/// `value` at the dotted `field` of `root` (`None` when absent or `null`).
fn get<'v>(root: &'v Value, field: &str) -> Option<&'v Value> {
    let mut v = root;
    for key in field.split('.') {
        v = v.get(key)?;
    }
    (!v.is_null()).then_some(v)
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A timestamp value as hours since [`EPOCH`]: RFC 3339, BigQuery's `2026-01-05 09:30:00 UTC`, or
/// seconds since 1970 (older BigQuery JSON exports).
fn time_value(v: &Value) -> Option<f64> {
    let epoch_seconds = |s: f64| {
        (s.is_finite() && s.abs() < 1e12).then(|| (s * 1000.0 - EPOCH_MS as f64) / 3_600_000.0)
    };
    match v {
        Value::String(s) => {
            hours_of(s).or_else(|| s.trim().parse::<f64>().ok().and_then(epoch_seconds))
        }
        Value::Number(n) => n.as_f64().and_then(epoch_seconds),
        _ => None,
    }
}

struct Row {
    line: usize,
    source: String,
    event_type: String,
    id: String,
    time_created: f64,
    metadata: Value,
    /// `metadata` as written (Four Keys' incidents query searches the text).
    metadata_text: String,
}

fn required<'v>(
    at: &At,
    root: &'v Value,
    field: &str,
    what: &str,
) -> Result<&'v Value, InputError> {
    get(root, field).ok_or_else(|| at.error(field, format!("missing field `{field}` ({what})")))
}

fn required_time(at: &At, root: &Value, field: &str, what: &str) -> Result<f64, InputError> {
    let v = required(at, root, field, what)?;
    time_value(v).ok_or_else(|| {
        at.error(
            field,
            format!(
                "cannot read {v} as a time; write RFC 3339 (`2026-01-05T09:30:00Z`) or \
                 `2026-01-05 09:30:00 UTC`"
            ),
        )
    })
}

fn required_text(at: &At, root: &Value, field: &str, what: &str) -> Result<String, InputError> {
    let v = required(at, root, field, what)?;
    text(v).ok_or_else(|| at.error(field, format!("`{field}` is {v}, not a string")))
}

/// An error about a field of `metadata`: its column named from the row.
fn in_metadata(e: InputError) -> InputError {
    InputError {
        column: e.column.map(|c| format!("metadata.{c}")),
        ..e
    }
}

fn parse_row(at: &At, line: &str) -> Result<Row, InputError> {
    let value: Value = serde_json::from_str(line)
        .map_err(|e| InputError::at(at.path, at.line, None, format!("not JSON: {e}")))?;
    if !value.is_object() {
        return Err(InputError::at(
            at.path,
            at.line,
            None,
            "not a JSON object (one `events_raw` row per line)",
        ));
    }
    let source = required_text(at, &value, "source", "the tool that sent the event")?;
    let event_type = required_text(at, &value, "event_type", "the event's type")?;
    let id = required_text(at, &value, "id", "the event's id")?;
    let time_created = required_time(at, &value, "time_created", "when the event happened")?;
    let (metadata, metadata_text) = match required(at, &value, "metadata", "the webhook body")? {
        Value::String(s) => (
            serde_json::from_str::<Value>(s)
                .map_err(|e| at.error("metadata", format!("not a JSON document: {e}")))?,
            s.clone(),
        ),
        object @ Value::Object(_) => (object.clone(), object.to_string()),
        other => {
            return Err(at.error(
                "metadata",
                format!("`metadata` is {other}, not a JSON string"),
            ));
        }
    };
    Ok(Row {
        line: at.line,
        source,
        event_type,
        id,
        time_created,
        metadata,
        metadata_text,
    })
}

/// What `REGEXP_EXTRACT(metadata, r"root cause: ([[:alnum:]]*)")` returns: the ASCII letters and
/// digits after the first `root cause: ` (`None` when absent or empty).
fn root_cause(metadata: &str) -> Option<String> {
    let start = metadata.find(ROOT_CAUSE)? + ROOT_CAUSE.len();
    let sha: String = metadata[start..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    (!sha.is_empty()).then_some(sha)
}

struct Push {
    head: String,
    /// `(sha, hours)`, the head last.
    commits: Vec<(String, f64)>,
}

struct Deploy {
    line: usize,
    started: f64,
    finished: f64,
    shas: Vec<(String, &'static str)>,
    label: DeployLabel,
}

struct Issue {
    line: usize,
    created: f64,
    closed: Option<f64>,
    incident: bool,
    root: Option<String>,
}

fn read_events_raw(path: &Path) -> Result<MeasuredLog, InputError> {
    let source = read_text(path)?;
    let mut pushes: Vec<Push> = Vec::new();
    let mut deploys: Vec<Deploy> = Vec::new();
    let mut issues: Vec<(String, Issue)> = Vec::new();
    let mut issue_index: HashMap<String, usize> = HashMap::new();
    // Pull requests: first commit sha -> opened; merge commit -> merged.
    let mut opened: HashMap<String, f64> = HashMap::new();
    let mut merged: HashMap<String, f64> = HashMap::new();
    let mut times: Vec<f64> = Vec::new();
    for (k, line) in source.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = At { path, line: k + 1 };
        let row = parse_row(&at, line)?;
        if !row.source.starts_with("github") {
            continue;
        }
        let m = &row.metadata;
        match row.event_type.as_str() {
            "push" => {
                let head = required_text(&at, m, "head_commit.id", "the pushed head")
                    .map_err(in_metadata)?;
                let mut commits = Vec::new();
                let list = get(m, "commits")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for (n, c) in list.iter().enumerate() {
                    let field = |f: &str| format!("metadata.commits[{n}].{f}");
                    let sha = text(get(c, "id").unwrap_or(&Value::Null)).ok_or_else(|| {
                        at.error(&field("id"), format!("missing field `{}`", field("id")))
                    })?;
                    let hours = required_time(&at, c, "timestamp", "the commit's time").map_err(
                        |mut e| {
                            e.column = Some(field("timestamp"));
                            e
                        },
                    )?;
                    if sha != head {
                        commits.push((sha, hours));
                    }
                }
                let head_hours = match list
                    .iter()
                    .find(|c| get(c, "id").and_then(text).as_deref() == Some(&head))
                {
                    Some(c) => required_time(&at, c, "timestamp", "the head commit's time")
                        .map_err(|e| InputError {
                            column: Some("metadata.commits[].timestamp".into()),
                            ..e
                        })?,
                    None => {
                        required_time(&at, m, "head_commit.timestamp", "the head commit's time")
                            .map_err(in_metadata)?
                    }
                };
                commits.push((head.clone(), head_hours));
                times.extend(commits.iter().map(|c| c.1));
                pushes.push(Push { head, commits });
            }
            "pull_request" => {
                if let Some(sha) = get(m, "pull_request.head.sha").and_then(text)
                    && let Some(t) = get(m, "pull_request.created_at").and_then(time_value)
                {
                    opened.insert(sha, t);
                }
                if let Some(sha) = get(m, "pull_request.merge_commit_sha").and_then(text)
                    && let Some(t) = get(m, "pull_request.merged_at").and_then(time_value)
                {
                    merged.insert(sha, t);
                }
            }
            "deployment_status" => {
                if get(m, "deployment_status.state").and_then(Value::as_str) != Some("success") {
                    continue;
                }
                let meta = in_metadata;
                let started = required_time(
                    &at,
                    m,
                    "deployment.created_at",
                    "when the deployment started",
                )
                .map_err(meta)?;
                let finished = row.time_created;
                if finished < started {
                    return Err(at.error(
                        "time_created",
                        format!(
                            "deployment {} finished ({}) before it started (`deployment.created_at`, {})",
                            row.id,
                            timestamp(finished).unwrap_or_default(),
                            timestamp(started).unwrap_or_default()
                        ),
                    ));
                }
                let main =
                    required_text(&at, m, "deployment.sha", "the deployed commit").map_err(meta)?;
                let mut shas = vec![(main, "metadata.deployment.sha")];
                if let Some(list) = get(m, "deployment.additional_sha").and_then(Value::as_array) {
                    shas.extend(
                        list.iter()
                            .filter_map(text)
                            .map(|s| (s, "metadata.deployment.additional_sha")),
                    );
                }
                let label = match get(m, "deployment.task").and_then(Value::as_str) {
                    Some("deploy:hotfix") => DeployLabel::Hotfix,
                    Some("deploy:bug_fix") => DeployLabel::BugFix,
                    _ => DeployLabel::Deploy,
                };
                times.extend([started, finished]);
                deploys.push(Deploy {
                    line: row.line,
                    started,
                    finished,
                    shas,
                    label,
                });
            }
            t if t.starts_with("issue") && get(m, "issue").is_some() => {
                let meta = in_metadata;
                let number =
                    required_text(&at, m, "issue.number", "the issue's number").map_err(meta)?;
                let created =
                    required_time(&at, m, "issue.created_at", "when the incident was opened")
                        .map_err(meta)?;
                let closed = match get(m, "issue.closed_at") {
                    None => None,
                    Some(v) => Some(time_value(v).ok_or_else(|| {
                        at.error(
                            "metadata.issue.closed_at",
                            format!("cannot read {v} as a time"),
                        )
                    })?),
                };
                let incident = get(m, "issue.labels")
                    .and_then(Value::as_array)
                    .is_some_and(|l| {
                        l.iter()
                            .any(|l| get(l, "name").and_then(Value::as_str) == Some(INCIDENT_LABEL))
                    });
                let root = root_cause(&row.metadata_text);
                let slot = *issue_index.entry(number.clone()).or_insert_with(|| {
                    issues.push((
                        number,
                        Issue {
                            line: row.line,
                            created,
                            closed: None,
                            incident: false,
                            root: None,
                        },
                    ));
                    issues.len() - 1
                });
                let issue = &mut issues[slot].1;
                issue.created = issue.created.min(created);
                issue.closed = match (issue.closed, closed) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
                issue.incident |= incident;
                if issue.root.is_none() {
                    issue.root = root;
                }
            }
            _ => {}
        }
    }
    if deploys.is_empty() {
        return Err(InputError::file(
            path,
            "no deployment: the history needs at least one GitHub `deployment_status` event with \
             state `success`",
        ));
    }
    // Deployments in the order they went live; ids are positions.
    deploys.sort_by(|a, b| a.finished.total_cmp(&b.finished).then(a.line.cmp(&b.line)));
    let push_of: HashMap<&str, usize> = pushes
        .iter()
        .enumerate()
        .map(|(i, p)| (p.head.as_str(), i))
        .collect();
    let mut deployment_of_push: Vec<Option<u32>> = vec![None; pushes.len()];
    let mut deployments = Vec::with_capacity(deploys.len());
    for (id, d) in deploys.iter().enumerate() {
        let mut changes = Vec::new();
        for (sha, field) in &d.shas {
            let Some(&p) = push_of.get(sha.as_str()) else {
                return Err(InputError::at(
                    path,
                    d.line,
                    Some(field),
                    format!(
                        "deploys commit `{sha}`, which no `push` event has as its `head_commit.id`"
                    ),
                ));
            };
            if deployment_of_push[p].is_none() {
                deployment_of_push[p] = Some(id as u32);
                changes.push(p as u32);
            }
        }
        deployments.push(MeasuredDeployment {
            id: id as u32,
            started_hours: d.started,
            finished_hours: Some(d.finished),
            label: d.label,
            rolls_back: None,
            changes,
        });
    }
    // Changes: one per push; every commit but the head is read as a pull request's first commit.
    let mut changes = Vec::with_capacity(pushes.len());
    let mut pull_requests = Vec::new();
    let mut deployment_of_commit: HashMap<&str, u32> = HashMap::new();
    for (id, p) in pushes.iter().enumerate() {
        let deployment = deployment_of_push[id];
        let mut prs = Vec::new();
        let head_hours = p.commits.last().map_or(f64::NAN, |c| c.1);
        for (sha, hours) in &p.commits {
            if let Some(d) = deployment {
                deployment_of_commit.entry(sha.as_str()).or_insert(d);
            }
            if *sha == p.head {
                continue;
            }
            prs.push(pull_requests.len() as u32);
            pull_requests.push(MeasuredPullRequest {
                id: pull_requests.len() as u32,
                change: id as u32,
                first_commit_hours: *hours,
                work_item: id as u32,
                opened_hours: opened.get(sha).copied(),
                approved_hours: None,
                loc: None,
            });
        }
        let first = p.commits.iter().map(|c| c.1).fold(head_hours, f64::min);
        changes.push(MeasuredChange {
            id: id as u32,
            kind: ChangeKind::Feature,
            first_commit_hours: Some(first),
            last_commit_hours: Some(head_hours),
            merged_hours: merged.get(&p.head).copied(),
            deployed_hours: deployment.and_then(|d| deployments[d as usize].finished_hours),
            deployment,
            pull_requests: prs,
            work_item: Some(id as u32),
        });
    }
    // Incidents: issues labelled `Incident`, in the order opened.
    let mut found: Vec<&Issue> = issues
        .iter()
        .map(|(_, i)| i)
        .filter(|i| i.incident)
        .collect();
    found.sort_by(|a, b| a.created.total_cmp(&b.created).then(a.line.cmp(&b.line)));
    let mut incidents = Vec::with_capacity(found.len());
    for (id, i) in found.into_iter().enumerate() {
        let deployment = match &i.root {
            None => None,
            Some(sha) => Some(*deployment_of_commit.get(sha.as_str()).ok_or_else(|| {
                InputError::at(
                    path,
                    i.line,
                    Some("metadata.issue.body"),
                    format!("names root cause `{sha}`, a commit no deployment carries"),
                )
            })?),
        };
        times.push(i.created);
        times.extend(i.closed);
        incidents.push(MeasuredIncident {
            id: id as u32,
            impact_started_hours: i.created,
            detected_hours: i.created,
            closed_hours: i.closed,
            deployment,
        });
    }
    Ok(MeasuredLog::from_tools(
        deployments,
        changes,
        pull_requests,
        incidents,
    ))
}
