//! Four Keys fidelity: the `events_raw` rows dorasim writes, loaded into SQLite and run through
//! Four Keys' own derivation (its `changes`, `deployments` and `incidents` queries and its
//! dashboard's four metrics, translated from BigQuery SQL to SQLite), give exactly the figures of
//! dorasim's `four-keys` lens for the same replication. Also: reading the rows back reproduces the
//! lens, and bad rows are refused with the file, line and field.
//!
//! Sources followed (dora-team/fourkeys, formerly GoogleCloudPlatform/fourkeys):
//! `queries/changes.sql`, `queries/deployments.sql`, `queries/incidents.sql`,
//! `bq-workers/github-parser/main.py`, `setup/events_raw_schema.json` and the panels of
//! `dashboard/fourkeys_dashboard.json` (lead time, daily deployments, change failure rate, time to
//! restore). The dashboard's "last three months" becomes the measured window, as the lens reads it.

use std::path::Path;

use dorasim::history::formats::fourkeys::{FOURKEYS_EVENTS_RAW_JSON, FourKeys};
use dorasim::history::formats::{Export, Format};
use dorasim::history::time::EPOCH_MS;
use dorasim::history::{ExportInfo, MeasuredLog, ground_truth, measured_log, to_records};
use dorasim::metrics::ledger::{DoraFigures, LedgerView, Lens, dora};
use dorasim::model::Model;
use dorasim::model::records::RunRecords;
use dorasim::model::timeline::Schedule;
use dorasim::scenario::load_file_with_overrides;
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

const SCENARIOS: [&str; 3] = [
    "scenarios/baseline.toml",
    "scenarios/surveillance.toml",
    "scenarios/release-train.toml",
];
const SHORT: [&str; 2] = ["time.warmup_weeks=2", "time.horizon_weeks=10"];
const EPOCH_S: i64 = EPOCH_MS / 1000;

/// One replication of `scenario`: its records and its measured log.
fn replication(scenario: &str) -> (RunRecords, MeasuredLog, Vec<u8>) {
    let set: Vec<String> = SHORT.iter().map(|s| s.to_string()).collect();
    let s = load_file_with_overrides(scenario, &set).expect("scenario loads");
    let model = Model::new(&Schedule::build(&s.params, &s.timeline).expect("timeline"));
    let info = ExportInfo {
        scenario: s.name.clone(),
        seed: s.run.seed,
        replication: 0,
    };
    let records = model.run(info.seed, 0);
    let log = measured_log(&records, &info);
    let truth = ground_truth(&records, &info);
    let files = FourKeys
        .write(Export {
            log: &log,
            truth: &truth,
        })
        .expect("renders");
    assert_eq!(files.len(), 1);
    let rows = files.into_iter().next().unwrap_or_default();
    (records, log, rows)
}

fn lens(records: &RunRecords) -> DoraFigures {
    let weeks = (records.end_hours - records.warmup_hours) / 168.0;
    dora(&LedgerView::measured(records, Lens::FourKeys), weeks)
}

/// Four Keys' `REGEXP_EXTRACT(text, r"PREFIX([[:alnum:]]*)")`: the ASCII letters and digits after
/// the first `prefix`, `NULL` when `prefix` is absent.
fn regexp_extract_alnum(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)? + prefix.len();
    Some(
        text[start..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect(),
    )
}

/// Four Keys' derivation, GitHub sources, in SQLite. Each table names the query it translates.
/// `UNNEST` of an array column becomes one row per element: `deployment_changes` is
/// `FROM four_keys.deployments d, d.changes`, `incident_changes` is
/// `FROM four_keys.incidents i, i.changes change`.
const SCHEMA: &str = r#"
-- setup/events_raw_schema.json (time_created: TIMESTAMP, here seconds since 1970)
CREATE TABLE events_raw (
    event_type TEXT, id TEXT, metadata TEXT, time_created INTEGER,
    signature TEXT, msg_id TEXT, source TEXT);
CREATE INDEX events_raw_id ON events_raw (id);
"#;

/// The derived tables, built after the rows are loaded (Four Keys' scheduled queries write them as
/// tables too).
const DERIVE: &str = r#"

-- queries/changes.sql
CREATE TABLE changes AS
SELECT e.source, e.event_type,
       json_extract(c.value, '$.id') AS change_id,
       unixepoch(json_extract(c.value, '$.timestamp')) AS time_created  -- TIMESTAMP_TRUNC(.., second)
FROM events_raw e, json_each(e.metadata, '$.commits') c
WHERE e.event_type = 'push'
GROUP BY 1, 2, 3, 4;

-- queries/deployments.sql, GitHub branch: deploys, then changes_raw joined on the deployment's
-- sha or additional_sha, then ARRAY_AGG(DISTINCT commit id).
CREATE VIEW deploys AS
SELECT source, id AS deploy_id, time_created,
       json_extract(metadata, '$.deployment.sha') AS main_commit,
       metadata AS deploy_metadata
FROM events_raw
WHERE source LIKE 'github%' AND event_type = 'deployment_status'
  AND json_extract(metadata, '$.deployment_status.state') = 'success';

CREATE TABLE deployment_changes AS
SELECT DISTINCT d.source, d.deploy_id, d.time_created, d.main_commit,
       json_extract(c.value, '$.id') AS changes
FROM deploys d
JOIN events_raw changes_raw ON changes_raw.id = d.main_commit
JOIN json_each(changes_raw.metadata, '$.commits') c
UNION
SELECT d.source, d.deploy_id, d.time_created, d.main_commit,
       json_extract(c.value, '$.id') AS changes
FROM deploys d
JOIN json_each(d.deploy_metadata, '$.deployment.additional_sha') extra
JOIN events_raw changes_raw ON changes_raw.id = extra.value
JOIN json_each(changes_raw.metadata, '$.commits') c;
CREATE INDEX deployment_changes_changes ON deployment_changes (changes);

CREATE TABLE deployments AS
SELECT DISTINCT source, deploy_id, time_created, main_commit FROM deployment_changes;
CREATE INDEX changes_id ON changes (change_id);

-- queries/incidents.sql, GitHub branch.
CREATE TABLE issue AS
SELECT source,
       json_extract(metadata, '$.issue.number') AS incident_id,
       unixepoch(json_extract(metadata, '$.issue.created_at')) AS time_created,
       unixepoch(json_extract(metadata, '$.issue.closed_at')) AS time_resolved,
       regexp_extract_alnum(metadata, 'root cause: ') AS root_cause,
       instr(json_extract(metadata, '$.issue.labels'), '"name":"Incident"') > 0 AS bug
FROM events_raw
WHERE event_type LIKE 'issue%' OR event_type LIKE 'incident%';

CREATE TABLE incidents AS
SELECT issue.source, issue.incident_id,
       MIN(CASE WHEN root.time_created < issue.time_created
                THEN root.time_created ELSE issue.time_created END) AS time_created,
       MAX(issue.time_resolved) AS time_resolved
FROM issue
LEFT JOIN deployment_changes root ON root.changes = issue.root_cause
GROUP BY 1, 2
HAVING MAX(bug) = 1;

-- ARRAY_AGG(root_cause IGNORE NULLS) changes, unnested.
CREATE TABLE incident_changes AS
SELECT i.incident_id, issue.root_cause AS change, i.time_resolved
FROM incidents i
JOIN issue ON issue.source = i.source AND issue.incident_id = i.incident_id
LEFT JOIN deployment_changes root ON root.changes = issue.root_cause
WHERE issue.root_cause IS NOT NULL;
"#;

/// The dashboard's four metrics over `[from, to)` (seconds since 1970), dorasim's units: deploys
/// per week, median lead time (hours), change fail rate, median time to restore (hours). Also the
/// counts: deployments, lead times, failures, restore times.
struct Dashboard {
    deploys_per_week: f64,
    lead_time_p50: f64,
    change_fail_rate: f64,
    recovery_p50: f64,
    deployments: f64,
    lead_times: f64,
    failures: f64,
    restores: f64,
    /// The "Change Failure Rate" stat panel exactly as written (its incidents subquery lacks the
    /// DISTINCT of the daily panel): each incident counts once per issues event naming its root
    /// cause.
    change_fail_rate_stat_as_written: f64,
}

/// `PERCENTILE_CONT(x, 0.5)` of the rows of `query` (a column `x`; NULLs ignored).
fn median_sql(query: &str) -> String {
    format!(
        "WITH v AS (SELECT x FROM ({query}) WHERE x IS NOT NULL),
              r AS (SELECT x, ROW_NUMBER() OVER (ORDER BY x) AS k, COUNT(*) OVER () AS n FROM v)
         SELECT AVG(x) FROM r WHERE k IN ((n + 1) / 2, (n + 2) / 2)"
    )
}

fn load(rows: &[u8]) -> Connection {
    let db = Connection::open_in_memory().expect("sqlite");
    db.create_scalar_function(
        "regexp_extract_alnum",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let text: Option<String> = ctx.get(0)?;
            let prefix: String = ctx.get(1)?;
            Ok(text.and_then(|t| regexp_extract_alnum(&t, &prefix)))
        },
    )
    .expect("function");
    db.execute_batch(SCHEMA).expect("schema");
    let text = String::from_utf8(rows.to_vec()).expect("UTF-8");
    let mut insert = db
        .prepare("INSERT INTO events_raw VALUES (?1, ?2, ?3, unixepoch(?4), ?5, ?6, ?7)")
        .expect("insert");
    for line in text.lines() {
        let row: serde_json::Value = serde_json::from_str(line).expect("a JSON row");
        // Exactly the columns of setup/events_raw_schema.json, `metadata` a JSON string.
        let mut columns: Vec<&str> = row
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        columns.sort_unstable();
        assert_eq!(
            columns,
            [
                "event_type",
                "id",
                "metadata",
                "msg_id",
                "signature",
                "source",
                "time_created"
            ]
        );
        assert!(row["metadata"].is_string());
        let field = |k: &str| row[k].as_str().map(str::to_string);
        insert
            .execute((
                field("event_type"),
                field("id"),
                field("metadata"),
                field("time_created"),
                field("signature"),
                field("msg_id"),
                field("source"),
            ))
            .expect("row inserted");
    }
    drop(insert);
    db.execute_batch(DERIVE).expect("derived tables");
    db
}

fn dashboard(db: &Connection, from: i64, to: i64) -> Dashboard {
    let one = |sql: &str| -> f64 {
        db.query_row(sql, (from, to), |r| r.get::<_, Option<f64>>(0))
            .unwrap_or_else(|e| panic!("{e}\n{sql}"))
            .unwrap_or(f64::NAN)
    };
    let window = "d.time_created >= ?1 AND d.time_created < ?2";
    // "Daily Deployments": COUNT(DISTINCT deploy_id), summed over the window.
    let deployments = one(&format!(
        "SELECT COUNT(DISTINCT deploy_id) FROM deployments d WHERE {window}"
    ));
    // "Lead Time for Changes": minutes from each commit to its deployment, positive only.
    let lead = format!(
        "SELECT CASE WHEN (d.time_created - c.time_created) / 60 > 0
                     THEN (d.time_created - c.time_created) / 60 END AS x
         FROM deployment_changes d LEFT JOIN changes c ON d.changes = c.change_id
         WHERE {window}"
    );
    let lead_minutes = one(&median_sql(&lead));
    let lead_times = one(&format!("SELECT COUNT(x) FROM ({lead})"));
    // "Change Failure Rate" (the daily panel's DISTINCT incidents subquery).
    let cfr = |distinct: &str| {
        format!(
            "SELECT IIF(COUNT(DISTINCT c.change_id) = 0, 0,
                        SUM(IIF(i.incident_id IS NULL, 0, 1)) * 1.0 / COUNT(DISTINCT d.deploy_id)),
                    SUM(IIF(i.incident_id IS NULL, 0, 1))
             FROM deployment_changes d
             LEFT JOIN changes c ON d.changes = c.change_id
             LEFT JOIN (SELECT {distinct} incident_id, change, time_resolved FROM incident_changes) i
               ON i.change = d.changes
             WHERE {window}"
        )
    };
    let (change_fail_rate, failures): (f64, f64) = db
        .query_row(&cfr("DISTINCT"), (from, to), |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("change fail rate");
    let change_fail_rate_stat_as_written = one(&cfr(""));
    // "Median Time to Restore Services": whole hours, incidents created in the window.
    let restore = "SELECT (time_resolved - time_created) / 3600 AS x FROM incidents
                   WHERE time_created >= ?1 AND time_created < ?2";
    let recovery_p50 = one(&median_sql(restore));
    let restores = one(&format!("SELECT COUNT(x) FROM ({restore})"));
    let weeks = (to - from) as f64 / (168.0 * 3600.0);
    Dashboard {
        deploys_per_week: deployments / weeks,
        lead_time_p50: lead_minutes / 60.0,
        change_fail_rate,
        recovery_p50,
        deployments,
        lead_times,
        failures,
        restores,
        change_fail_rate_stat_as_written,
    }
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn assert_same(what: &str, scenario: &str, got: f64, want: f64) {
    assert!(
        same(got, want),
        "{scenario}: {what}: Four Keys' queries give {got}, the four-keys lens {want}"
    );
}

#[test]
fn four_keys_queries_on_the_rows_equal_the_four_keys_lens() {
    for scenario in SCENARIOS {
        let (records, log, rows) = replication(scenario);
        let db = load(&rows);
        let seconds = |h: f64| EPOCH_S + (h * 3600.0).round() as i64;
        let sql = dashboard(
            &db,
            seconds(records.warmup_hours),
            seconds(records.end_hours),
        );
        let view = LedgerView::measured(&records, Lens::FourKeys);
        let want = lens(&records);
        assert!(want.deployments > 0.0 && want.failures > 0.0, "{scenario}");
        assert_same("deployments", scenario, sql.deployments, want.deployments);
        assert_same(
            "deploys/week",
            scenario,
            sql.deploys_per_week,
            want.deploys_per_week,
        );
        assert_same(
            "lead times counted",
            scenario,
            sql.lead_times,
            view.lead_times.len() as f64,
        );
        assert_same(
            "lead time p50",
            scenario,
            sql.lead_time_p50,
            want.lead_time_p50,
        );
        assert_same("failures", scenario, sql.failures, want.failures);
        assert_same(
            "change fail rate",
            scenario,
            sql.change_fail_rate,
            want.change_fail_rate,
        );
        assert_same(
            "restore times counted",
            scenario,
            sql.restores,
            view.restores.as_ref().map_or(0, Vec::len) as f64,
        );
        assert_same(
            "time to restore p50",
            scenario,
            sql.recovery_p50,
            want.recovery_p50,
        );
        // The stat panel as written counts a linked incident once per issues event (opened, and
        // closed when closed).
        let (from, to) = (records.warmup_hours, records.end_hours);
        let events: usize = log
            .incidents
            .iter()
            .filter(|i| {
                i.deployment
                    .and_then(|d| log.deployments.get(d as usize))
                    .filter(|d| d.label != dorasim::history::DeployLabel::Rollback)
                    .and_then(|d| d.finished_hours)
                    .is_some_and(|t| t >= from && t < to)
            })
            .map(|i| 1 + usize::from(i.closed_hours.is_some()))
            .sum();
        assert_same(
            "stat panel as written",
            scenario,
            sql.change_fail_rate_stat_as_written,
            events as f64 / want.deployments,
        );
    }
}

fn write_rows(dir: &Path, rows: &[u8]) {
    std::fs::write(dir.join(FOURKEYS_EVENTS_RAW_JSON), rows).expect("written");
}

/// The lens figures of records read back, measured over `records`' own window.
fn reread(dir: &Path, window_of: &RunRecords) -> (MeasuredLog, DoraFigures) {
    let log = FourKeys.read(dir).unwrap_or_else(|e| panic!("{e}"));
    let mut back = to_records(&log);
    back.warmup_hours = window_of.warmup_hours;
    back.end_hours = window_of.end_hours;
    let figures = lens(&back);
    (log, figures)
}

fn assert_figures(scenario: &str, got: &DoraFigures, want: &DoraFigures) {
    for (what, g, w) in [
        ("deployments", got.deployments, want.deployments),
        ("failures", got.failures, want.failures),
        ("rework", got.rework, want.rework),
        ("deploys/week", got.deploys_per_week, want.deploys_per_week),
        ("lead time p50", got.lead_time_p50, want.lead_time_p50),
        ("lead time p90", got.lead_time_p90, want.lead_time_p90),
        (
            "change fail rate",
            got.change_fail_rate,
            want.change_fail_rate,
        ),
        ("recovery p50", got.recovery_p50, want.recovery_p50),
        ("recovery p90", got.recovery_p90, want.recovery_p90),
        ("rework rate", got.rework_rate, want.rework_rate),
    ] {
        assert!(same(g, w), "{scenario}: {what} read back {g}, written {w}");
    }
}

#[test]
fn reading_the_rows_back_reproduces_the_lens() {
    for scenario in SCENARIOS {
        let (records, _, rows) = replication(scenario);
        let dir = tempfile::tempdir().unwrap();
        write_rows(dir.path(), &rows);
        let (log, got) = reread(dir.path(), &records);
        assert_figures(scenario, &got, &lens(&records));
        // Dense ids, and a window of whole hours spanning the data.
        for (i, d) in log.deployments.iter().enumerate() {
            assert_eq!(d.id as usize, i);
        }
        for (i, c) in log.changes.iter().enumerate() {
            assert_eq!(c.id as usize, i);
        }
        for (i, p) in log.pull_requests.iter().enumerate() {
            assert_eq!(p.id as usize, i);
        }
        assert_eq!(log.window.from_hours.fract(), 0.0);
        assert_eq!(log.window.to_hours.fract(), 0.0);
        let first = log.deployments.iter().map(|d| d.started_hours);
        assert!(first.fold(f64::INFINITY, f64::min) >= log.window.from_hours);
        let last = log.deployments.iter().filter_map(|d| d.finished_hours);
        assert!(last.fold(0.0, f64::max) < log.window.to_hours);
        assert!(log.window.to_hours - log.window.from_hours <= records.end_hours + 1.0);

        // The same rows as a BigQuery export writes its TIMESTAMP column read the same.
        let text = String::from_utf8(rows.clone()).unwrap();
        let exported: String = text
            .lines()
            .map(|line| {
                let mut row: serde_json::Value = serde_json::from_str(line).unwrap();
                let t = row["time_created"].as_str().unwrap().to_string();
                row["time_created"] = t.replace('T', " ").replace('Z', " UTC").into();
                format!("{row}\n")
            })
            .collect();
        write_rows(dir.path(), exported.as_bytes());
        let (_, again) = reread(dir.path(), &records);
        assert_figures(scenario, &again, &lens(&records));
    }
}

/// A small valid history: two changes, one deployment each, one incident.
fn small() -> Vec<String> {
    let row = |event_type: &str, id: &str, time: &str, metadata: serde_json::Value| {
        serde_json::json!({
            "event_type": event_type, "id": id, "metadata": metadata.to_string(),
            "time_created": time, "signature": "sha1=0", "msg_id": "1", "source": "github",
        })
        .to_string()
    };
    let push = |sha: &str, time: &str| {
        row(
            "push",
            sha,
            time,
            serde_json::json!({
                "head_commit": {"id": sha, "timestamp": time},
                "commits": [{"id": format!("{sha}0"), "timestamp": "2026-01-05T08:00:00Z"},
                            {"id": sha, "timestamp": time}],
            }),
        )
    };
    let deploy = |id: &str, sha: &str, started: &str, finished: &str| {
        row(
            "deployment_status",
            id,
            finished,
            serde_json::json!({
                "deployment_status": {"id": id, "state": "success", "updated_at": finished},
                "deployment": {"sha": sha, "created_at": started},
            }),
        )
    };
    vec![
        push("aaa1", "2026-01-05T09:00:00Z"),
        push("bbb2", "2026-01-06T09:00:00Z"),
        deploy("11", "aaa1", "2026-01-05T10:00:00Z", "2026-01-05T10:30:00Z"),
        deploy("12", "bbb2", "2026-01-06T10:00:00Z", "2026-01-06T10:30:00Z"),
        row(
            "issues",
            "service/7",
            "2026-01-06T12:00:00Z",
            serde_json::json!({"issue": {
                "number": 7, "created_at": "2026-01-06T12:00:00Z",
                "closed_at": "2026-01-06T15:00:00Z",
                "labels": [{"name": "Incident"}], "body": "root cause: bbb2",
            }}),
        ),
    ]
}

fn read_lines(lines: &[String]) -> Result<MeasuredLog, dorasim::history::formats::InputError> {
    let dir = tempfile::tempdir().unwrap();
    write_rows(dir.path(), lines.join("\n").as_bytes());
    FourKeys.read(dir.path())
}

#[test]
fn a_small_history_reads_as_written() {
    let log = read_lines(&small()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(log.deployments.len(), 2);
    assert_eq!(log.changes.len(), 2);
    assert_eq!(log.pull_requests.len(), 2);
    assert_eq!(log.incidents.len(), 1);
    assert_eq!(log.incidents[0].deployment, Some(1));
    assert_eq!(log.deployments[1].changes, vec![1]);
    // From 08:00 on the first Monday (the earliest commit) to 16:00 on Tuesday.
    assert_eq!(log.window.from_hours, 8.0);
    assert_eq!(log.window.to_hours, 24.0 + 16.0);
}

#[test]
fn bad_rows_are_refused_with_file_line_and_field() {
    let good = small();
    let edit = |line: usize, from: &str, to: &str| -> Vec<String> {
        let mut lines = good.clone();
        assert!(lines[line].contains(from), "{from} not in {}", lines[line]);
        lines[line] = lines[line].replacen(from, to, 1);
        lines
    };
    let without = |line: usize| -> Vec<String> {
        let mut lines = good.clone();
        lines.remove(line);
        lines
    };
    // (what, rows, line, field, message)
    type Case<'a> = (
        &'a str,
        Vec<String>,
        Option<usize>,
        Option<&'a str>,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        ("not JSON", edit(2, "{", "{{"), Some(3), None, "not JSON"),
        (
            "missing time_created",
            edit(2, "\"time_created\"", "\"time\""),
            Some(3),
            Some("time_created"),
            "missing field `time_created`",
        ),
        (
            "unreadable time_created",
            edit(
                3,
                "\"time_created\":\"2026-01-06T10:30:00Z\"",
                "\"time_created\":\"soon\"",
            ),
            Some(4),
            Some("time_created"),
            "cannot read",
        ),
        (
            "metadata not JSON",
            edit(0, "\"metadata\":\"{", "\"metadata\":\"{{"),
            Some(1),
            Some("metadata"),
            "not a JSON document",
        ),
        (
            "deployment without a sha",
            edit(2, "\\\"sha\\\"", "\\\"shaa\\\""),
            Some(3),
            Some("metadata.deployment.sha"),
            "missing field",
        ),
        (
            "unreadable commit time",
            edit(0, "2026-01-05T08:00:00Z", "2026-01-05T25:00:00Z"),
            Some(1),
            Some("metadata.commits[0].timestamp"),
            "cannot read",
        ),
        (
            "finished before started",
            edit(
                3,
                "\\\"created_at\\\":\\\"2026-01-06T10:00:00Z",
                "\\\"created_at\\\":\\\"2026-01-06T11:00:00Z",
            ),
            Some(4),
            Some("time_created"),
            "before it started",
        ),
        (
            "deployment of an unknown commit",
            without(1),
            Some(3),
            Some("metadata.deployment.sha"),
            "no `push` event",
        ),
        (
            "incident naming an unknown commit",
            edit(4, "root cause: bbb2", "root cause: ccc3"),
            Some(5),
            Some("metadata.issue.body"),
            "no deployment carries",
        ),
        (
            "no deployment",
            vec![good[0].clone(), good[1].clone()],
            None,
            None,
            "no deployment",
        ),
    ];
    for (what, lines, line, field, message) in cases {
        let e = match read_lines(&lines) {
            Ok(_) => panic!("{what}: accepted"),
            Err(e) => e,
        };
        assert!(e.file.ends_with(FOURKEYS_EVENTS_RAW_JSON), "{what}: {e}");
        assert_eq!((e.line, e.column.as_deref()), (line, field), "{what}: {e}");
        assert!(e.message.contains(message), "{what}: {e}");
    }
}

#[test]
fn no_input_makes_the_reader_panic() {
    let text = small().join("\n");
    let bytes = text.as_bytes();
    let dir = tempfile::tempdir().unwrap();
    // Every truncation, and every byte replaced by characters that break JSON or numbers.
    for cut in (0..bytes.len()).step_by(7) {
        write_rows(dir.path(), &bytes[..cut]);
        let _ = FourKeys.read(dir.path());
    }
    for at in (0..bytes.len()).step_by(5) {
        for replacement in [b'"', b'9', b'}', b'\\', 0xff] {
            let mut broken = bytes.to_vec();
            broken[at] = replacement;
            write_rows(dir.path(), &broken);
            let _ = FourKeys.read(dir.path());
        }
    }
}
