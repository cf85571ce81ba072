//! The plain format: four CSV files any team can produce from its own tools (a code host, a
//! deployment tool, an issue tracker, an incident tool), by hand or with a short script.
//! `docs/history.md` describes every column and how to export it from GitHub and an incident
//! tool; `examples/history/` is a small example.
//!
//! | File | Required columns | Optional columns |
//! | --- | --- | --- |
//! | `deployments.csv` | `id`, `started`, `finished` | `label`, `rolls_back` |
//! | `changes.csv` | `id`, `deployment_id`, `first_commit`, `merged` | `last_commit`, `kind`, `work_item` |
//! | `pull_requests.csv` (optional file) | `id`, `change_id` | `first_commit`, `opened`, `approved`, `lines`, `work_item` |
//! | `incidents.csv` | `id`, `opened`, `resolved` | `started`, `deployment_id` |
//!
//! Ids are any strings; they are renumbered on reading (deployments in order of start, incidents
//! in order of impact start, the rest in file order) and kept nowhere, so rows may come in any
//! order. Times are RFC 3339 (anything [`hours_of`] reads); an empty time cell means "not
//! reached". Extra columns are ignored. A read history's window spans its data: from its earliest
//! time floored to the hour to one hour after its latest time floored to the hour (the window's
//! end is exclusive, so the latest event is inside).
//!
//! [`hours_of`]: crate::history::time::hours_of
//!
//! (About 760 lines: the format both ways, four files written and read back with a located error
//! for every way a hand-made file can be wrong, so the documented columns and their checks stay
//! side by side.)

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::{
    Export, Format, InputError, RenderError, csv_bytes, csv_rows, optional_time_cell, read_text,
    time_cell,
};
use crate::history::log::{
    DeployLabel, MeasuredChange, MeasuredDeployment, MeasuredIncident, MeasuredLog,
    MeasuredPullRequest,
};
use crate::history::time::timestamp;
use crate::model::records::ChangeKind;

/// Production deployments.
pub const DEPLOYMENTS_CSV: &str = "deployments.csv";
/// Changes (units of work delivered: a feature, a bug fix, a configuration change).
pub const CHANGES_CSV: &str = "changes.csv";
/// Pull (merge) requests of the changes.
pub const PULL_REQUESTS_CSV: &str = "pull_requests.csv";
/// Production incidents.
pub const INCIDENTS_CSV: &str = "incidents.csv";

/// Required and optional columns of a file.
struct Columns {
    required: &'static [&'static str],
    optional: &'static [&'static str],
}

const DEPLOYMENT_COLUMNS: Columns = Columns {
    required: &["id", "started", "finished"],
    optional: &["label", "rolls_back"],
};
const CHANGE_COLUMNS: Columns = Columns {
    required: &["id", "deployment_id", "first_commit", "merged"],
    optional: &["last_commit", "kind", "work_item"],
};
const PULL_REQUEST_COLUMNS: Columns = Columns {
    required: &["id", "change_id"],
    optional: &["first_commit", "opened", "approved", "lines", "work_item"],
};
const INCIDENT_COLUMNS: Columns = Columns {
    required: &["id", "opened", "resolved"],
    optional: &["started", "deployment_id"],
};

const LABELS: &str = "deploy, hotfix, bug_fix, rollback (empty = deploy, or rollback when \
                      `rolls_back` is given)";
const KINDS: &str = "feature, bug_fix, config (empty = feature)";

/// The plain CSV format.
pub struct Plain;

impl Format for Plain {
    fn name(&self) -> &'static str {
        "plain"
    }

    fn describe(&self) -> &'static str {
        "plain CSV files a team exports from its tools: deployments.csv, changes.csv, \
         pull_requests.csv (optional), incidents.csv (see docs/history.md)"
    }

    fn files(&self) -> &'static [&'static str] {
        &[
            DEPLOYMENTS_CSV,
            CHANGES_CSV,
            PULL_REQUESTS_CSV,
            INCIDENTS_CSV,
        ]
    }

    fn required(&self) -> &'static [&'static str] {
        &[DEPLOYMENTS_CSV, CHANGES_CSV, INCIDENTS_CSV]
    }

    fn write(&self, export: Export<'_>) -> Result<Vec<Vec<u8>>, RenderError> {
        write_log(export.log)
    }

    fn read(&self, dir: &Path) -> Result<MeasuredLog, InputError> {
        read_dir(dir)
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

fn ts(hours: Option<f64>) -> String {
    hours.and_then(timestamp).unwrap_or_default()
}

/// A time read from a file, for a message: to the nearest millisecond (what the file says).
fn shown(hours: f64) -> String {
    timestamp(hours + 0.5 / 3_600_000.0).unwrap_or_default()
}

fn header(columns: &Columns) -> Vec<String> {
    columns
        .required
        .iter()
        .chain(columns.optional)
        .map(|s| s.to_string())
        .collect()
}

fn deployment_id(id: u32) -> String {
    format!("D{id}")
}

fn change_id(id: u32) -> String {
    format!("C{id}")
}

fn label_word(label: DeployLabel) -> &'static str {
    match label {
        DeployLabel::Deploy => "deploy",
        DeployLabel::Hotfix => "hotfix",
        DeployLabel::BugFix => "bug_fix",
        DeployLabel::Rollback => "rollback",
    }
}

fn kind_word(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Feature => "feature",
        ChangeKind::BugFix => "bug_fix",
        ChangeKind::Config => "config",
    }
}

/// The four files of `log`, in [`Plain::files`] order. Columns are in the order of
/// [`Columns::required`] then [`Columns::optional`].
fn write_log(log: &MeasuredLog) -> Result<Vec<Vec<u8>>, RenderError> {
    let mut deployments = vec![header(&DEPLOYMENT_COLUMNS)];
    for d in &log.deployments {
        deployments.push(vec![
            deployment_id(d.id),
            ts(Some(d.started_hours)),
            ts(d.finished_hours),
            label_word(d.label).into(),
            d.rolls_back.map(deployment_id).unwrap_or_default(),
        ]);
    }
    let work_item = |w: Option<u32>| w.map(|w| format!("W{w}")).unwrap_or_default();
    let mut changes = vec![header(&CHANGE_COLUMNS)];
    for c in &log.changes {
        changes.push(vec![
            change_id(c.id),
            c.deployment.map(deployment_id).unwrap_or_default(),
            ts(c.first_commit_hours),
            ts(c.merged_hours),
            ts(c.last_commit_hours),
            kind_word(c.kind).into(),
            work_item(c.work_item),
        ]);
    }
    let mut pull_requests = vec![header(&PULL_REQUEST_COLUMNS)];
    for p in &log.pull_requests {
        pull_requests.push(vec![
            format!("PR{}", p.id),
            change_id(p.change),
            ts(Some(p.first_commit_hours)),
            ts(p.opened_hours),
            ts(p.approved_hours),
            p.loc
                .filter(|l| l.is_finite())
                .map(|l| format!("{}", l.round()))
                .unwrap_or_default(),
            work_item(Some(p.work_item)),
        ]);
    }
    let mut incidents = vec![header(&INCIDENT_COLUMNS)];
    for i in &log.incidents {
        incidents.push(vec![
            format!("INC{}", i.id),
            ts(Some(i.detected_hours)),
            ts(i.closed_hours),
            ts(Some(i.impact_started_hours)),
            i.deployment.map(deployment_id).unwrap_or_default(),
        ]);
    }
    Ok(vec![
        csv_bytes(DEPLOYMENTS_CSV, deployments)?,
        csv_bytes(CHANGES_CSV, changes)?,
        csv_bytes(PULL_REQUESTS_CSV, pull_requests)?,
        csv_bytes(INCIDENTS_CSV, incidents)?,
    ])
}

// ---------------------------------------------------------------------------------------------
// Reading

#[derive(Deserialize)]
struct DeploymentRow {
    id: String,
    started: String,
    finished: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    rolls_back: String,
}

#[derive(Deserialize)]
struct ChangeRow {
    id: String,
    deployment_id: String,
    first_commit: String,
    merged: String,
    #[serde(default)]
    last_commit: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    work_item: String,
}

#[derive(Deserialize)]
struct PullRequestRow {
    id: String,
    change_id: String,
    #[serde(default)]
    first_commit: String,
    #[serde(default)]
    opened: String,
    #[serde(default)]
    approved: String,
    #[serde(default)]
    lines: String,
    #[serde(default)]
    work_item: String,
}

#[derive(Deserialize)]
struct IncidentRow {
    id: String,
    opened: String,
    resolved: String,
    #[serde(default)]
    started: String,
    #[serde(default)]
    deployment_id: String,
}

/// Rows of `path` after checking its header has every required column (all the missing ones
/// are named, with what the header has).
fn rows<T: serde::de::DeserializeOwned>(
    path: &Path,
    columns: &Columns,
) -> Result<Vec<(usize, T)>, InputError> {
    let text = read_text(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| InputError::file(path, format!("cannot read the header: {e}")))?;
    let missing: Vec<&str> = columns
        .required
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .collect();
    if !missing.is_empty() {
        let has = if headers.iter().all(str::is_empty) {
            "the header is empty".to_string()
        } else {
            format!(
                "the header has {}",
                headers.iter().collect::<Vec<_>>().join(", ")
            )
        };
        return Err(InputError::at(
            path,
            1,
            None,
            format!(
                "missing column{} {}: {has}; required: {}; optional: {}",
                if missing.len() > 1 { "s" } else { "" },
                missing
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                columns.required.join(", "),
                columns.optional.join(", "),
            ),
        ));
    }
    csv_rows(path)
}

/// Ids of one file, renumbered densely, with the line each was first seen on.
struct Ids {
    index: HashMap<String, (u32, usize)>,
}

impl Ids {
    fn new() -> Ids {
        Ids {
            index: HashMap::new(),
        }
    }

    /// Registers `id` (line `line`) as the next index; a duplicate or empty id is an error.
    fn add(&mut self, path: &Path, line: usize, id: &str) -> Result<u32, InputError> {
        if id.is_empty() {
            return Err(InputError::at(path, line, Some("id"), "the id is empty"));
        }
        if let Some((_, first)) = self.index.get(id) {
            return Err(InputError::at(
                path,
                line,
                Some("id"),
                format!("duplicate id `{id}`: already used on line {first}"),
            ));
        }
        let next = self.index.len() as u32;
        self.index.insert(id.to_string(), (next, line));
        Ok(next)
    }

    fn get(&self, id: &str) -> Option<u32> {
        self.index.get(id).map(|&(i, _)| i)
    }
}

/// A deployment id cell (`column` of `path` at `line`): empty = none; unknown = error.
fn deployment_ref(
    ids: &Ids,
    path: &Path,
    line: usize,
    column: &str,
    text: &str,
) -> Result<Option<u32>, InputError> {
    if text.is_empty() {
        return Ok(None);
    }
    ids.get(text).map(Some).ok_or_else(|| {
        InputError::at(
            path,
            line,
            Some(column),
            format!("no deployment has id `{text}` in {DEPLOYMENTS_CSV}"),
        )
    })
}

/// `later` must not come before `earlier`.
fn in_order(
    path: &Path,
    line: usize,
    column: &str,
    (earlier_name, earlier): (&str, Option<f64>),
    (later_name, later): (&str, Option<f64>),
) -> Result<(), InputError> {
    match (earlier, later) {
        (Some(a), Some(b)) if b < a => Err(InputError::at(
            path,
            line,
            Some(column),
            format!(
                "{later_name} at {} is before {earlier_name} at {}",
                shown(b),
                shown(a)
            ),
        )),
        _ => Ok(()),
    }
}

/// A word of `accepted` (case-insensitive; `-` and spaces read as `_`).
fn word(text: &str) -> String {
    text.trim().to_lowercase().replace(['-', ' '], "_")
}

fn read_dir(dir: &Path) -> Result<MeasuredLog, InputError> {
    // Deployments.
    let path = dir.join(DEPLOYMENTS_CSV);
    let deployment_rows = rows::<DeploymentRow>(&path, &DEPLOYMENT_COLUMNS)?;
    if deployment_rows.is_empty() {
        return Err(InputError::file(
            &path,
            "no deployments: a history needs at least one row here, one per production \
             deployment, with its `id`, `started` and `finished` times",
        ));
    }
    // Checked in file order, so the first problem in the file is the one reported.
    let mut deployment_ids = Ids::new();
    for (line, row) in &deployment_rows {
        deployment_ids.add(&path, *line, &row.id)?;
    }
    let mut deployments = Vec::with_capacity(deployment_rows.len());
    for (line, row) in &deployment_rows {
        let line = *line;
        let started = time_cell(&path, line, "started", &row.started)?;
        let finished = optional_time_cell(&path, line, "finished", &row.finished)?;
        in_order(
            &path,
            line,
            "finished",
            ("started", Some(started)),
            ("finished", finished),
        )?;
        // A file index for now; renumbered below.
        let rolls_back =
            deployment_ref(&deployment_ids, &path, line, "rolls_back", &row.rolls_back)?;
        let label = match word(&row.label).as_str() {
            "" if rolls_back.is_some() => DeployLabel::Rollback,
            "" | "deploy" => DeployLabel::Deploy,
            "hotfix" => DeployLabel::Hotfix,
            "bug_fix" | "bugfix" => DeployLabel::BugFix,
            "rollback" => DeployLabel::Rollback,
            _ => {
                return Err(InputError::at(
                    &path,
                    line,
                    Some("label"),
                    format!("unknown label `{}`; write one of {LABELS}", row.label),
                ));
            }
        };
        if rolls_back.is_some() && label != DeployLabel::Rollback {
            return Err(InputError::at(
                &path,
                line,
                Some("rolls_back"),
                format!(
                    "`rolls_back` is given but the label is `{}`: only a rollback rolls back \
                     a deployment",
                    row.label
                ),
            ));
        }
        deployments.push(MeasuredDeployment {
            id: 0,
            started_hours: started,
            finished_hours: finished,
            label,
            rolls_back,
            changes: Vec::new(),
        });
    }
    // Numbered in order of start (stable: ties keep the file's order).
    let mut order: Vec<usize> = (0..deployments.len()).collect();
    order.sort_by(|&a, &b| {
        deployments[a]
            .started_hours
            .total_cmp(&deployments[b].started_hours)
    });
    let mut renumber = vec![0u32; deployments.len()];
    for (new, &old) in order.iter().enumerate() {
        renumber[old] = new as u32;
    }
    for (index, _) in deployment_ids.index.values_mut() {
        *index = renumber[*index as usize];
    }
    let mut by_file_index: Vec<Option<MeasuredDeployment>> =
        deployments.into_iter().map(Some).collect();
    let mut deployments: Vec<MeasuredDeployment> = order
        .iter()
        .enumerate()
        .filter_map(|(new, &old)| {
            let mut d = by_file_index[old].take()?;
            d.id = new as u32;
            d.rolls_back = d.rolls_back.map(|r| renumber[r as usize]);
            Some(d)
        })
        .collect();

    // Changes, in file order.
    let path = dir.join(CHANGES_CSV);
    let change_rows = rows::<ChangeRow>(&path, &CHANGE_COLUMNS)?;
    let mut change_ids = Ids::new();
    let mut changes = Vec::with_capacity(change_rows.len());
    let mut change_items = Vec::with_capacity(change_rows.len());
    for (line, row) in &change_rows {
        let line = *line;
        let id = change_ids.add(&path, line, &row.id)?;
        let deployment = deployment_ref(
            &deployment_ids,
            &path,
            line,
            "deployment_id",
            &row.deployment_id,
        )?;
        let first = optional_time_cell(&path, line, "first_commit", &row.first_commit)?;
        let last = optional_time_cell(&path, line, "last_commit", &row.last_commit)?;
        let merged = optional_time_cell(&path, line, "merged", &row.merged)?;
        let deployed = deployment.and_then(|d| deployments[d as usize].finished_hours);
        if deployed.is_some() && first.is_none() {
            return Err(InputError::at(
                &path,
                line,
                Some("first_commit"),
                "a deployed change needs its first commit time",
            ));
        }
        let first_commit = ("first commit", first);
        in_order(
            &path,
            line,
            "last_commit",
            first_commit,
            ("last commit", last),
        )?;
        in_order(&path, line, "merged", first_commit, ("merged", merged))?;
        in_order(
            &path,
            line,
            "deployment_id",
            first_commit,
            (
                &format!("deployed (deployment `{}` finished)", row.deployment_id),
                deployed,
            ),
        )?;
        let kind = match word(&row.kind).as_str() {
            "" | "feature" => ChangeKind::Feature,
            "bug_fix" | "bugfix" => ChangeKind::BugFix,
            "config" => ChangeKind::Config,
            _ => {
                return Err(InputError::at(
                    &path,
                    line,
                    Some("kind"),
                    format!("unknown kind `{}`; write one of {KINDS}", row.kind),
                ));
            }
        };
        if let Some(d) = deployment {
            deployments[d as usize].changes.push(id);
        }
        changes.push(MeasuredChange {
            id,
            kind,
            first_commit_hours: first,
            last_commit_hours: last,
            merged_hours: merged,
            deployed_hours: deployed,
            deployment,
            pull_requests: Vec::new(),
            work_item: None,
        });
        change_items.push(row.work_item.clone());
    }

    // Pull requests, in file order (the file is optional).
    let path = dir.join(PULL_REQUESTS_CSV);
    let pull_request_rows = if path.exists() {
        rows::<PullRequestRow>(&path, &PULL_REQUEST_COLUMNS)?
    } else {
        Vec::new()
    };
    let mut pull_request_ids = Ids::new();
    let mut pull_requests = Vec::with_capacity(pull_request_rows.len());
    let mut pull_request_items = Vec::with_capacity(pull_request_rows.len());
    for (line, row) in &pull_request_rows {
        let line = *line;
        let id = pull_request_ids.add(&path, line, &row.id)?;
        let change = change_ids.get(&row.change_id).ok_or_else(|| {
            InputError::at(
                &path,
                line,
                Some("change_id"),
                format!("no change has id `{}` in {CHANGES_CSV}", row.change_id),
            )
        })?;
        let first = optional_time_cell(&path, line, "first_commit", &row.first_commit)?
            .or(changes[change as usize].first_commit_hours)
            .ok_or_else(|| {
                InputError::at(
                    &path,
                    line,
                    Some("first_commit"),
                    format!(
                        "no first commit time here nor for its change `{}`",
                        row.change_id
                    ),
                )
            })?;
        let opened = optional_time_cell(&path, line, "opened", &row.opened)?;
        let approved = optional_time_cell(&path, line, "approved", &row.approved)?;
        in_order(
            &path,
            line,
            "approved",
            ("opened", opened),
            ("approved", approved),
        )?;
        let loc = if row.lines.is_empty() {
            None
        } else {
            match row.lines.parse::<f64>() {
                Ok(l) if l.is_finite() && l >= 0.0 => Some(l),
                _ => {
                    return Err(InputError::at(
                        &path,
                        line,
                        Some("lines"),
                        format!(
                            "cannot read `{}` as a number of lines (a whole number, 0 or more)",
                            row.lines
                        ),
                    ));
                }
            }
        };
        changes[change as usize].pull_requests.push(id);
        pull_requests.push(MeasuredPullRequest {
            id,
            change,
            first_commit_hours: first,
            work_item: 0,
            opened_hours: opened,
            approved_hours: approved,
            loc,
        });
        pull_request_items.push(row.work_item.clone());
    }
    assign_work_items(
        &mut changes,
        &mut pull_requests,
        &change_items,
        &pull_request_items,
    );

    // Incidents, in file order.
    let path = dir.join(INCIDENTS_CSV);
    let incident_rows = rows::<IncidentRow>(&path, &INCIDENT_COLUMNS)?;
    let mut incident_ids = Ids::new();
    let mut incidents = Vec::with_capacity(incident_rows.len());
    for (line, row) in &incident_rows {
        let line = *line;
        incident_ids.add(&path, line, &row.id)?;
        let opened = time_cell(&path, line, "opened", &row.opened)?;
        let started = optional_time_cell(&path, line, "started", &row.started)?.unwrap_or(opened);
        let resolved = optional_time_cell(&path, line, "resolved", &row.resolved)?;
        in_order(
            &path,
            line,
            "opened",
            ("started", Some(started)),
            ("opened", Some(opened)),
        )?;
        in_order(
            &path,
            line,
            "resolved",
            ("opened", Some(opened)),
            ("resolved", resolved),
        )?;
        let deployment = deployment_ref(
            &deployment_ids,
            &path,
            line,
            "deployment_id",
            &row.deployment_id,
        )?;
        incidents.push(MeasuredIncident {
            id: 0,
            impact_started_hours: started,
            detected_hours: opened,
            closed_hours: resolved,
            deployment,
        });
    }
    // Numbered in order of impact start: the first incident linked to a deployment is the
    // one the ledgers count for it.
    incidents.sort_by(|a, b| a.impact_started_hours.total_cmp(&b.impact_started_hours));
    for (k, i) in incidents.iter_mut().enumerate() {
        i.id = k as u32;
    }

    Ok(MeasuredLog::from_tools(
        deployments,
        changes,
        pull_requests,
        incidents,
    ))
}

/// Work items: a change is one work item (its `work_item`, shared by its pull requests) unless
/// its pull requests name two or more different work items (a pull request's empty `work_item`
/// is its change's): then it is seen as several, one per pull request (`work_item = None`).
/// Work items get dense indices in order of first appearance.
fn assign_work_items(
    changes: &mut [MeasuredChange],
    pull_requests: &mut [MeasuredPullRequest],
    change_items: &[String],
    pull_request_items: &[String],
) {
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut next = 0u32;
    let mut item = |name: &str, next: &mut u32| -> u32 {
        if name.is_empty() {
            *next += 1;
            return *next - 1;
        }
        *index.entry(name.to_string()).or_insert_with(|| {
            *next += 1;
            *next - 1
        })
    };
    for c in changes.iter_mut() {
        let own = change_items[c.id as usize].as_str();
        let names: Vec<&str> = c
            .pull_requests
            .iter()
            .map(|&p| match pull_request_items[p as usize].as_str() {
                "" => own,
                name => name,
            })
            .collect();
        let mut distinct: Vec<&str> = names.clone();
        if !own.is_empty() {
            distinct.push(own);
        }
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() > 1 {
            c.work_item = None;
            for (&p, name) in c.pull_requests.iter().zip(&names) {
                pull_requests[p as usize].work_item = item(name, &mut next);
            }
        } else {
            let name = if own.is_empty() {
                names.first().copied().unwrap_or(own)
            } else {
                own
            };
            let w = item(name, &mut next);
            c.work_item = Some(w);
            for &p in &c.pull_requests {
                pull_requests[p as usize].work_item = w;
            }
        }
    }
}
