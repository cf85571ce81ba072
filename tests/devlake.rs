//! The Apache DevLake export, against DevLake itself.
//!
//! - Every webhook body validates against a JSON Schema written from DevLake's Go request types
//!   (`tests/schemas/devlake/`), and a body missing a required field does not.
//! - DevLake's DORA derivation, re-implemented here from the domain tables alone (deployments
//!   from `cicd_deployment_commits`, the commits between consecutive deployments from
//!   `commits_diffs`, PR cycle time, the incident → latest-deployment link, failed deployment
//!   recovery time), agrees with dorasim's `devlake` lens for the same replication. DevLake rounds
//!   each span to whole minutes (up for cycle-time spans, down for recovery), the lens keeps hours:
//!   a cycle time may differ by less than 3 minutes, a recovery time by less than 1.
//! - Reading the domain tables back reproduces the lens figures; bad inputs are located errors.

use std::collections::HashMap;
use std::path::Path;

use dorasim::history::formats::devlake::{
    DEVLAKE_COMMITS_DIFFS_CSV, DEVLAKE_DEPLOYMENT_COMMITS_CSV, DEVLAKE_DEPLOYMENTS_JSON,
    DEVLAKE_INCIDENTS_JSON, DEVLAKE_ISSUES_CSV, DEVLAKE_PROJECT_ISSUE_METRICS_CSV,
    DEVLAKE_PROJECT_PR_METRICS_CSV, DEVLAKE_PULL_REQUEST_COMMITS_CSV, DEVLAKE_PULL_REQUESTS_CSV,
    DEVLAKE_PULL_REQUESTS_JSON, Devlake,
};
use dorasim::history::formats::{Format, InputError};
use dorasim::history::time::hours_of;
use dorasim::history::{ExportInfo, MeasuredLog, measured_log, to_records};
use dorasim::metrics::ledger::{DoraFigures, LedgerView, Lens, dora};
use dorasim::model::Model;
use dorasim::model::records::RunRecords;
use dorasim::model::timeline::Schedule;
use dorasim::output::OutputDir;
use dorasim::output::events::{files, write_events};
use dorasim::scenario::load_file_with_overrides;

const SHORT: [&str; 2] = ["time.warmup_weeks=2", "time.horizon_weeks=10"];
const SCENARIOS: [&str; 3] = [
    "scenarios/surveillance.toml",
    "scenarios/baseline.toml",
    "scenarios/release-train.toml",
];
const MS_HOURS: f64 = 1.0 / 3_600_000.0;

struct Exported {
    name: &'static str,
    records: RunRecords,
    log: MeasuredLog,
    dir: tempfile::TempDir,
}

fn export(path: &'static str) -> Exported {
    let set: Vec<String> = SHORT.iter().map(|s| s.to_string()).collect();
    let s = load_file_with_overrides(path, &set).expect("scenario loads");
    let model = Model::new(&Schedule::build(&s.params, &s.timeline).expect("timeline"));
    let info = ExportInfo {
        scenario: s.name.clone(),
        seed: s.run.seed,
        replication: 0,
    };
    let records = model.run(info.seed, 0);
    let dir = tempfile::tempdir().unwrap();
    let out = OutputDir::prepare(dir.path(), &files(), false).expect("prepare");
    write_events(&out, &records, &info).expect("export");
    let log = measured_log(&records, &info);
    Exported {
        name: path,
        records,
        log,
        dir,
    }
}

fn json_array(dir: &Path, name: &str) -> Vec<serde_json::Value> {
    serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
}

fn schema(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(format!("tests/schemas/devlake/{name}")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).expect("schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, body: &serde_json::Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{what}: {errors:?}\n{body:#}");
}

#[test]
fn every_webhook_body_is_valid_against_devlakes_request_types() {
    let (deployment, issue, pull_request) = (
        schema("deployment.json"),
        schema("issue.json"),
        schema("pull_request.json"),
    );
    let mut padding_seen = false;
    for name in SCENARIOS {
        let e = export(name);
        let dir = e.dir.path();
        let deployments = json_array(dir, DEVLAKE_DEPLOYMENTS_JSON);
        assert!(!deployments.is_empty(), "{name}: no deployment");
        for body in &deployments {
            assert_valid(&deployment, body, name);
            assert_eq!(body["environment"], "PRODUCTION");
        }
        let padding = e
            .log
            .deployments
            .iter()
            .filter(|d| d.changes.is_empty() && d.finished_hours.is_some())
            .filter(|d| d.label != dorasim::history::DeployLabel::Rollback)
            .count();
        padding_seen |= padding > 0;
        let config = deployments
            .iter()
            .filter(|b| {
                b["deploymentCommits"][0]["commitMsg"]
                    .as_str()
                    .unwrap()
                    .starts_with("configuration change")
            })
            .count();
        assert_eq!(
            config, padding,
            "{name}: padding deployments carry a config commit"
        );
        let incidents = json_array(dir, DEVLAKE_INCIDENTS_JSON);
        assert_eq!(incidents.len(), e.log.incidents.len());
        for body in &incidents {
            assert_valid(&issue, body, name);
            assert_eq!(body["type"], "INCIDENT");
        }
        let prs = json_array(dir, DEVLAKE_PULL_REQUESTS_JSON);
        assert_eq!(prs.len(), e.log.pull_requests.len());
        for body in &prs {
            assert_valid(&pull_request, body, name);
        }
    }
    assert!(
        padding_seen,
        "surveillance should export padding deployments"
    );

    // What DevLake rejects, the schemas reject.
    let e = export(SCENARIOS[1]);
    let mut body = json_array(e.dir.path(), DEVLAKE_INCIDENTS_JSON)
        .into_iter()
        .next()
        .expect("an incident");
    body.as_object_mut().unwrap().remove("originalStatus");
    assert!(!issue.is_valid(&body), "an incident without originalStatus");
    let mut body = json_array(e.dir.path(), DEVLAKE_DEPLOYMENTS_JSON).remove(0);
    body["deploymentCommits"] = serde_json::json!([]);
    assert!(!deployment.is_valid(&body), "empty deploymentCommits");
    let mut body = json_array(e.dir.path(), DEVLAKE_PULL_REQUESTS_JSON).remove(0);
    body["pullRequestKey"] = serde_json::json!(0);
    assert!(!pull_request.is_valid(&body), "pull request key 0");
}

// ---------------------------------------------------------------------------------------------
// DevLake's DORA derivation from the domain tables.

type Row = HashMap<String, String>;

fn rows(dir: &Path, name: &str) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(dir.join(name)).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn ms(text: &str) -> i64 {
    (hours_of(text).unwrap_or_else(|| panic!("bad time `{text}`")) * 3_600_000.0).round() as i64
}

/// `computeTimeSpan`: minutes rounded up, `None` when negative.
fn span(from: i64, to: i64) -> Option<i64> {
    let m = ((to - from) as f64 / 60_000.0).ceil() as i64;
    (m >= 0).then_some(m)
}

struct DevlakeFigures {
    deployments: usize,
    failed: usize,
    /// `(deployment finished, cycle minutes)` of each PR deployed in the window.
    cycle_minutes: Vec<i64>,
    recovery_minutes: Vec<i64>,
}

/// DevLake's dora plugin and DORA dashboard on the exported tables, over `[from, to)` hours.
fn devlake_derivation(dir: &Path, from: f64, to: f64) -> DevlakeFigures {
    let (from, to) = (
        (from * 3_600_000.0).round() as i64,
        (to * 3_600_000.0).round() as i64,
    );
    let in_window = |t: i64| t >= from && t < to;
    let dcs: Vec<Row> = rows(dir, DEVLAKE_DEPLOYMENT_COMMITS_CSV)
        .into_iter()
        .filter(|r| r["result"] == "SUCCESS" && r["environment"] == "PRODUCTION")
        .collect();
    let by_id: HashMap<&str, &Row> = dcs.iter().map(|r| (r["id"].as_str(), r)).collect();
    // Deployment finished = max over its deployment commits.
    let mut finished: HashMap<&str, i64> = HashMap::new();
    for r in &dcs {
        let f = ms(&r["finished_date"]);
        let e = finished
            .entry(r["cicd_deployment_id"].as_str())
            .or_insert(f);
        *e = (*e).max(f);
    }
    // Commits between each deployment commit and its previous successful one.
    let diffs = rows(dir, DEVLAKE_COMMITS_DIFFS_CSV);
    let mut diff_of: HashMap<(&str, &str), Vec<&str>> = HashMap::new();
    for d in &diffs {
        diff_of
            .entry((d["new_commit_sha"].as_str(), d["old_commit_sha"].as_str()))
            .or_default()
            .push(d["commit_sha"].as_str());
    }
    let mut deployment_of_commit: HashMap<&str, &Row> = HashMap::new();
    let mut sorted: Vec<&Row> = dcs.iter().collect();
    sorted.sort_by_key(|r| (ms(&r["started_date"]), r["id"].clone()));
    for r in sorted {
        let prev = by_id
            .get(r["prev_success_deployment_commit_id"].as_str())
            .map_or("", |p| p["commit_sha"].as_str());
        for sha in diff_of
            .get(&(r["commit_sha"].as_str(), prev))
            .cloned()
            .unwrap_or_default()
        {
            deployment_of_commit.entry(sha).or_insert(r);
        }
    }
    // PR cycle time.
    let mut first: HashMap<&str, i64> = HashMap::new();
    let prc = rows(dir, DEVLAKE_PULL_REQUEST_COMMITS_CSV);
    for c in &prc {
        let t = ms(&c["commit_authored_date"]);
        let e = first.entry(c["pull_request_id"].as_str()).or_insert(t);
        *e = (*e).min(t);
    }
    let metrics: HashMap<String, Row> = rows(dir, DEVLAKE_PROJECT_PR_METRICS_CSV)
        .into_iter()
        .map(|r| (r["id"].clone(), r))
        .collect();
    let mut cycle_minutes = Vec::new();
    for pr in rows(dir, DEVLAKE_PULL_REQUESTS_CSV) {
        if pr["merged_date"].is_empty() {
            continue;
        }
        let (created, merged) = (ms(&pr["created_date"]), ms(&pr["merged_date"]));
        let coding = first.get(pr["id"].as_str()).and_then(|&f| span(f, created));
        let during = span(created, merged);
        let deployment = deployment_of_commit.get(pr["merge_commit_sha"].as_str());
        let deployed = deployment.map(|d| ms(&d["finished_date"]));
        let deploy = deployed.and_then(|d| span(merged, d));
        let cycle = deploy.map(|d| d + coding.unwrap_or(0) + during.unwrap_or(0));
        // The exported project_pr_metrics row is what the dora plugin derives.
        let m = &metrics[&pr["id"]];
        assert_eq!(
            m["pr_cycle_time"],
            cycle.map(|c| c.to_string()).unwrap_or_default(),
            "pr {}",
            pr["id"]
        );
        if let (Some(c), Some(at)) = (cycle, deployed)
            && in_window(at)
        {
            cycle_minutes.push(c);
        }
    }
    // Incident → the latest successful production deployment finished before its creation.
    let issue_metrics: HashMap<String, String> = rows(dir, DEVLAKE_PROJECT_ISSUE_METRICS_CSV)
        .into_iter()
        .map(|r| (r["id"].clone(), r["deployment_id"].clone()))
        .collect();
    let mut failed: HashMap<&str, bool> = HashMap::new();
    let mut recovery_minutes = Vec::new();
    let issues = rows(dir, DEVLAKE_ISSUES_CSV);
    for i in issues.iter().filter(|i| i["type"] == "INCIDENT") {
        let created = ms(&i["created_date"]);
        let linked = finished
            .iter()
            .filter(|(_, f)| **f < created)
            .max_by_key(|(id, f)| (**f, id.to_string()))
            .map(|(id, f)| (*id, *f));
        assert_eq!(
            issue_metrics.get(&i["id"]).map(String::as_str),
            linked.map(|l| l.0),
            "incident {}",
            i["id"]
        );
        let Some((id, at)) = linked else { continue };
        if in_window(at) {
            failed.insert(id, true);
            if !i["resolution_date"].is_empty() {
                let resolved = ms(&i["resolution_date"]);
                if in_window(resolved) {
                    // TIMESTAMPDIFF(MINUTE, ...) truncates.
                    recovery_minutes.push((resolved - at) / 60_000);
                }
            }
        }
    }
    DevlakeFigures {
        deployments: finished.values().filter(|&&f| in_window(f)).count(),
        failed: failed.len(),
        cycle_minutes,
        recovery_minutes,
    }
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

#[test]
fn devlakes_own_derivation_agrees_with_the_devlake_lens() {
    for name in SCENARIOS {
        let e = export(name);
        let (from, to) = (e.records.warmup_hours, e.records.end_hours);
        let tool = devlake_derivation(e.dir.path(), from, to);
        let view = LedgerView::measured(&e.records, Lens::Devlake);
        let figures = dora(&view, (to - from) / 168.0);
        assert_eq!(tool.deployments as f64, figures.deployments, "{name}");
        assert_eq!(tool.failed as f64, figures.failures, "{name}");
        assert!(figures.failures > 0.0, "{name}: no failure to compare");
        let lens_lead = sorted(view.lead_times.iter().map(|l| l.1 * 60.0).collect());
        let tool_lead = sorted(tool.cycle_minutes.iter().map(|&m| m as f64).collect());
        assert_eq!(lens_lead.len(), tool_lead.len(), "{name}: timed PRs");
        assert!(!lens_lead.is_empty());
        for (l, t) in lens_lead.iter().zip(&tool_lead) {
            assert!(
                t - l >= -1e-6 && t - l < 3.0 + 1e-6,
                "{name}: cycle {t} vs {l}"
            );
        }
        let recoveries = view.restores.clone().expect("per-incident recovery");
        let lens_rec = sorted(recoveries.iter().map(|r| r.1 * 60.0).collect());
        let tool_rec = sorted(tool.recovery_minutes.iter().map(|&m| m as f64).collect());
        assert_eq!(lens_rec.len(), tool_rec.len(), "{name}: recoveries");
        for (l, t) in lens_rec.iter().zip(&tool_rec) {
            assert!(
                l - t > -1e-6 && l - t < 1.0 + 1e-6,
                "{name}: recovery {t} vs {l}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the domain tables back.

fn five(f: &DoraFigures) -> [f64; 7] {
    [
        f.deploys_per_week,
        f.lead_time_p50,
        f.change_fail_rate,
        f.recovery_p50,
        f.rework_rate,
        f.deployments,
        f.failures,
    ]
}

#[test]
fn reading_the_tables_back_reproduces_the_lens_figures() {
    for name in SCENARIOS {
        let e = export(name);
        let mut log = Devlake.read(e.dir.path()).expect("reads its own export");
        for (i, d) in log.deployments.iter().enumerate() {
            assert_eq!(d.id as usize, i, "dense deployment ids");
        }
        for (i, c) in log.changes.iter().enumerate() {
            assert_eq!(c.id as usize, i, "dense change ids");
        }
        assert!(log.window.from_hours <= e.log.window.from_hours + 168.0);
        assert_eq!(log.window.from_hours.fract(), 0.0);
        let weeks = (e.records.end_hours - e.records.warmup_hours) / 168.0;
        let want = five(&dora(
            &LedgerView::measured(&e.records, Lens::Devlake),
            weeks,
        ));
        log.window = e.log.window.clone();
        let got = five(&dora(
            &LedgerView::measured(&to_records(&log), Lens::Devlake),
            weeks,
        ));
        for k in 0..want.len() {
            let (g, w) = (got[k], want[k]);
            assert!(
                (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-9 * w.abs() + 2.0 * MS_HOURS,
                "{}: figure {k}: read back {g}, lens {w}",
                e.name
            );
        }
    }
}

const DC: &str = "id,cicd_deployment_id,result,environment,started_date,finished_date,commit_sha
dc1,d1,SUCCESS,PRODUCTION,2026-01-05T10:00:00Z,2026-01-05T10:30:00Z,aaa
dc2,d2,SUCCESS,PRODUCTION,2026-01-06T10:00:00Z,2026-01-06T10:30:00Z,bbb
";
const DIFFS: &str = "new_commit_sha,old_commit_sha,commit_sha,sorting_index
aaa,,m1,1
bbb,aaa,bbb,1
";
const PRS: &str = "id,created_date,merged_date,merge_commit_sha
pr1,2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,m1
";
const PRC: &str = "commit_sha,pull_request_id,commit_authored_date
c1,pr1,2026-01-05T07:00:00Z
";
const ISSUES: &str = "id,type,created_date,resolution_date
i1,INCIDENT,2026-01-06T12:00:00Z,2026-01-06T13:00:00Z
";
const ISSUE_METRICS: &str = "id,deployment_id
i1,d2
";
const PR_METRICS: &str = "id,deployment_commit_id
pr1,dc1
";

fn tables(dir: &Path, change: Option<(&str, &str)>) -> Result<MeasuredLog, InputError> {
    for (name, text) in [
        (DEVLAKE_DEPLOYMENT_COMMITS_CSV, DC),
        (DEVLAKE_COMMITS_DIFFS_CSV, DIFFS),
        (DEVLAKE_PULL_REQUESTS_CSV, PRS),
        (DEVLAKE_PULL_REQUEST_COMMITS_CSV, PRC),
        (DEVLAKE_ISSUES_CSV, ISSUES),
        (DEVLAKE_PROJECT_ISSUE_METRICS_CSV, ISSUE_METRICS),
        (DEVLAKE_PROJECT_PR_METRICS_CSV, PR_METRICS),
    ] {
        let text = match change {
            Some((file, replacement)) if file == name => replacement,
            _ => text,
        };
        std::fs::write(dir.join(name), text).unwrap();
    }
    Devlake.read(dir)
}

#[test]
fn a_small_history_reads_as_devlake_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    let log = tables(dir.path(), None).expect("valid tables");
    assert_eq!(log.deployments.len(), 2);
    assert_eq!(log.deployments[0].changes, vec![0]);
    // The second deployment's only commit has no pull request: a change nobody times.
    assert_eq!(log.deployments[1].changes, vec![1]);
    assert_eq!(log.changes[1].pull_requests.len(), 0);
    assert_eq!(log.changes[0].deployed_hours, Some(10.5));
    assert_eq!(log.pull_requests[0].first_commit_hours, 7.0);
    assert_eq!(log.incidents[0].deployment, Some(1));
    assert_eq!((log.window.from_hours, log.window.to_hours), (7.0, 38.0));
    let view = LedgerView::measured(&to_records(&log), Lens::Devlake);
    assert_eq!(view.lead_times, vec![(10.5, 3.5)]);
    assert_eq!(view.failures.len(), 1);
    assert_eq!(view.restores, Some(vec![(34.5, 2.5)]));
}

/// File, its text, and the expected line, column and message.
type BadCase = (
    &'static str,
    String,
    Option<usize>,
    Option<&'static str>,
    &'static str,
);

#[test]
fn bad_tables_are_errors_naming_file_line_and_column() {
    let dc_bad_time = DC.replace(
        "2026-01-06T10:00:00Z,2026-01-06T10:30",
        "yesterday,2026-01-06T10:30",
    );
    let dc_backwards = DC.replace("10:30:00Z,aaa", "09:30:00Z,aaa");
    let dc_missing = DC.replace(",finished_date", ",done");
    let header = |t: &str| t.lines().next().unwrap().to_string() + "\n";
    let cases: Vec<BadCase> = vec![
        (
            DEVLAKE_DEPLOYMENT_COMMITS_CSV,
            dc_missing,
            Some(1),
            None,
            "finished_date",
        ),
        (
            DEVLAKE_DEPLOYMENT_COMMITS_CSV,
            dc_bad_time,
            Some(3),
            Some("started_date"),
            "cannot read `yesterday` as a time",
        ),
        (
            DEVLAKE_DEPLOYMENT_COMMITS_CSV,
            dc_backwards,
            Some(2),
            Some("finished_date"),
            "finished (2026-01-05T09:30:00Z) before it started",
        ),
        (
            DEVLAKE_PROJECT_ISSUE_METRICS_CSV,
            "id,deployment_id\ni1,d9\n".into(),
            Some(2),
            Some("deployment_id"),
            "refers to deployment `d9`",
        ),
        (
            DEVLAKE_PROJECT_ISSUE_METRICS_CSV,
            "id,deployment_id\ni7,d1\n".into(),
            Some(2),
            Some("id"),
            "incident `i7` is not an issue of type INCIDENT",
        ),
        (
            DEVLAKE_PULL_REQUEST_COMMITS_CSV,
            "commit_sha,pull_request_id,commit_authored_date\nc1,pr9,2026-01-05T07:00:00Z\n".into(),
            Some(2),
            Some("pull_request_id"),
            "pull request `pr9`, which is not in",
        ),
        (
            DEVLAKE_PROJECT_PR_METRICS_CSV,
            "id,deployment_commit_id\npr1,dc7\n".into(),
            Some(2),
            Some("deployment_commit_id"),
            "deployment commit `dc7` is not",
        ),
        (
            DEVLAKE_ISSUES_CSV,
            ISSUES.replace("13:00:00Z", "11:00:00Z"),
            Some(2),
            Some("resolution_date"),
            "resolved (2026-01-06T11:00:00Z) before it was created",
        ),
        (
            DEVLAKE_PULL_REQUESTS_CSV,
            PRS.replace("T08:00", "T18:00"),
            Some(2),
            Some("merged_date"),
            "merged (2026-01-05T09:00:00Z) before it was created",
        ),
    ];
    for (file, text, line, column, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        let e = tables(dir.path(), Some((file, &text))).expect_err(file);
        assert_eq!(e.file, dir.path().join(file), "{e}");
        assert_eq!(e.line, line, "{e}");
        assert_eq!(e.column.as_deref(), column, "{e}");
        assert!(e.message.contains(message), "{e}");
    }

    // An empty history.
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        (DEVLAKE_DEPLOYMENT_COMMITS_CSV, DC),
        (DEVLAKE_COMMITS_DIFFS_CSV, DIFFS),
        (DEVLAKE_PULL_REQUESTS_CSV, PRS),
        (DEVLAKE_PULL_REQUEST_COMMITS_CSV, PRC),
        (DEVLAKE_ISSUES_CSV, ISSUES),
    ] {
        std::fs::write(dir.path().join(name), header(text)).unwrap();
    }
    let e = Devlake.read(dir.path()).expect_err("empty");
    assert_eq!(e.file, dir.path().join(DEVLAKE_DEPLOYMENT_COMMITS_CSV));
    assert!(e.message.contains("empty history"), "{e}");
    // A missing table.
    std::fs::remove_file(dir.path().join(DEVLAKE_ISSUES_CSV)).unwrap();
    std::fs::write(dir.path().join(DEVLAKE_DEPLOYMENT_COMMITS_CSV), DC).unwrap();
    let e = Devlake.read(dir.path()).expect_err("missing");
    assert_eq!(e.file, dir.path().join(DEVLAKE_ISSUES_CSV));
    assert!(e.message.contains("no such file"), "{e}");
}

#[test]
fn no_input_makes_the_reader_panic() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (DEVLAKE_DEPLOYMENT_COMMITS_CSV, DC),
        (DEVLAKE_COMMITS_DIFFS_CSV, DIFFS),
        (DEVLAKE_PULL_REQUESTS_CSV, PRS),
        (DEVLAKE_PULL_REQUEST_COMMITS_CSV, PRC),
        (DEVLAKE_ISSUES_CSV, ISSUES),
        (DEVLAKE_PROJECT_ISSUE_METRICS_CSV, ISSUE_METRICS),
        (DEVLAKE_PROJECT_PR_METRICS_CSV, PR_METRICS),
    ];
    for (file, text) in files {
        // Every truncation, and a few corruptions, of each table.
        let mut variants: Vec<Vec<u8>> = (0..=text.len())
            .map(|n| text.as_bytes()[..n].to_vec())
            .collect();
        variants.push(b"\xff\xfe\x00garbage".to_vec());
        variants.push(text.replace(',', ",,").into_bytes());
        variants.push(text.replace("2026", "99999").into_bytes());
        variants.push(text.replace("Z,", "Z,\"").into_bytes());
        for v in variants {
            for (name, t) in files {
                std::fs::write(dir.path().join(name), t).unwrap();
            }
            std::fs::write(dir.path().join(file), &v).unwrap();
            let _ = Devlake.read(dir.path());
        }
    }
}
