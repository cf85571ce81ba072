//! `dorasim serve`'s JSON API over a real socket: every endpoint, the streamed partial results,
//! refusals (malformed JSON, unknown fields and keys, out-of-range values with the same messages
//! as scenario files, oversize bodies, too many replications, a full queue), cancellation by
//! request and by a client going away, and the scenario TOML that `dorasim run` runs to the
//! same summary.

#[path = "common/http.rs"]
mod http;

use std::time::{Duration, Instant};

use http::{Events, Server, get, post, run_json};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_dorasim");

fn server(args: &[&str]) -> Server {
    Server::start(BIN, args)
}

/// Follows a job's events to its end; returns every event.
fn follow(address: &str, job: &Value) -> Vec<http::SseEvent> {
    let path = job["events"].as_str().expect("events link");
    let mut events = Events::open(address, path);
    let mut all = Vec::new();
    while let Some(e) = events.next_event() {
        let last = e.name != "progress";
        all.push(e);
        if last {
            break;
        }
    }
    all
}

/// The message the scenario boundary gives for `set` on the embedded default.
fn scenario_messages(set: &[&str]) -> Vec<String> {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    let errors = dorasim::scenario::embedded_default_with_overrides(&set).expect_err("invalid");
    errors.errors().iter().map(|e| e.message.clone()).collect()
}

#[test]
fn the_page_its_assets_and_the_config_are_served() {
    let s = server(&[]);
    let page = get(&s.address, "/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("dorasim: what if?"));
    for asset in ["/assets/app.js", "/assets/app.css", "/assets/report.css"] {
        let r = get(&s.address, asset);
        assert_eq!(r.status, 200, "{asset}");
        assert!(!r.body.is_empty());
        assert!(
            !r.body.contains("http://") && !r.body.contains("https://"),
            "{asset} fetches nothing from the network"
        );
    }
    let config = get(&s.address, "/api/config").json();
    let reviewers = config["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["key"] == "review.reviewers")
        .expect("a reviewers control");
    assert_eq!(reviewers["unit"], "people");
    assert_eq!(reviewers["range"], "in [1, 100000]");
    assert_eq!(reviewers["value"], 6);
    assert!(
        reviewers["meaning"]
            .as_str()
            .expect("meaning")
            .contains("reviewers")
    );
    assert_eq!(config["limits"]["default_runs"], 200);
    let missing = get(&s.address, "/etc/passwd");
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"].as_str().is_some());
}

#[test]
fn a_run_streams_partial_results_and_ends_with_the_summary_of_dorasim_run() {
    let s = server(&[]);
    let body =
        r#"{"set": {"review.reviewers": 8, "deploy.policy": "continuous"}, "seed": 7, "runs": 70}"#;
    let started = Instant::now();
    let answer = post(&s.address, "/api/run", body);
    assert_eq!(answer.status, 202, "{}", answer.body);
    let job = answer.json();
    let events = follow(&s.address, &job);
    let first = events
        .iter()
        .find(|e| !e.data["result"].is_null())
        .expect("partial results");
    assert!(
        first.data["runs_done"].as_u64().expect("runs") < 70,
        "a partial result first"
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    let last = events.last().expect("events");
    assert_eq!(last.name, "done", "{:?}", last.data);
    assert_eq!(last.data["runs_done"], 70);
    let result = &last.data["result"];
    assert_eq!(result["runs"], 70);
    assert!(result["metrics"].as_array().expect("metrics").len() >= 6);
    assert!(
        result["charts"].as_array().expect("charts")[0]["svg"]
            .as_str()
            .expect("svg")
            .contains("<svg")
    );
    // The status endpoint says the same.
    let status = get(&s.address, job["status"].as_str().expect("status")).json();
    assert_eq!(status["state"], "done");
    let summary = status["summary"].clone();
    assert_eq!(summary["metrics"]["deploys_per_week"]["n"], 70);

    // The scenario file of the same request runs to the same summary.
    let toml = get(
        &s.address,
        "/api/scenario.toml?set=review.reviewers=8&set=deploy.policy=%22continuous%22&seed=7&runs=70",
    );
    assert_eq!(toml.status, 200, "{}", toml.body);
    assert!(
        toml.header("content-disposition")
            .is_some_and(|v| v.contains("attachment"))
    );
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("scenario.toml");
    std::fs::write(&file, &toml.body).expect("write");
    let cli: Value = run_json(BIN, &file);
    assert_eq!(cli["metrics"], summary["metrics"]);
    assert_eq!(cli["tiers"], summary["tiers"]);
    assert_eq!(cli["seed"], 7);

    // The same request again: identical numbers (common random numbers, no state).
    let again = post(&s.address, "/api/run", body).json();
    let events = follow(&s.address, &again);
    assert_eq!(
        events.last().expect("done").data["result"]["metrics"],
        last.data["result"]["metrics"]
    );
}

#[test]
fn a_comparison_gives_paired_differences() {
    let s = server(&[]);
    let answer = post(
        &s.address,
        "/api/compare",
        r#"{"baseline": [], "variant": ["review.reviewers=3"], "runs": 20}"#,
    );
    assert_eq!(answer.status, 202, "{}", answer.body);
    let events = follow(&s.address, &answer.json());
    let last = events.last().expect("events");
    assert_eq!(last.name, "done");
    let metrics = last.data["result"]["comparison"]["metrics"]
        .as_array()
        .expect("metrics");
    let lead = metrics
        .iter()
        .find(|m| m["metric"] == "lead_time_mean_hours")
        .expect("lead time");
    let d = &lead["differences"][1];
    assert_eq!(d["pairs"], 20);
    // Half the reviewers: longer lead times, and the paired interval says so.
    assert!(d["ci95_low"].as_f64().expect("ci") > 0.0, "{d}");
    assert_eq!(last.data["result"]["variant"]["runs"], 20);
}

#[test]
fn bad_requests_are_refused_with_the_scenario_messages() {
    let s = server(&["--max-body", "2048", "--max-runs", "500"]);
    let malformed = post(&s.address, "/api/run", r#"{"set": ["#);
    assert_eq!(malformed.status, 400);
    assert!(
        malformed.json()["error"]
            .as_str()
            .expect("error")
            .starts_with("malformed JSON")
    );

    let unknown_field = post(&s.address, "/api/run", r#"{"rnus": 5}"#);
    assert_eq!(unknown_field.status, 400);
    assert!(
        unknown_field.json()["error"]
            .as_str()
            .expect("error")
            .contains("unknown field `rnus`")
    );

    let wrong_type = post(&s.address, "/api/run", r#"{"runs": "many"}"#);
    assert_eq!(wrong_type.status, 400);

    let unknown_key = post(&s.address, "/api/run", r#"{"set": {"review.reviewrs": 8}}"#).json();
    let problem = &unknown_key["problems"][0];
    assert_eq!(problem["key_path"], "review.reviewrs");
    assert_eq!(problem["suggestion"], "review.reviewers");
    assert_eq!(
        problem["message"],
        scenario_messages(&["review.reviewrs=8"])[0]
    );

    let out_of_range = post(
        &s.address,
        "/api/run",
        r#"{"set": ["review.reviewers=0", "ai.adoption=1.5", "deploy.policy=sometimes"]}"#,
    );
    assert_eq!(out_of_range.status, 400);
    let json = out_of_range.json();
    let messages: Vec<&str> = json["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["message"].as_str().expect("message"))
        .collect();
    assert_eq!(
        messages,
        scenario_messages(&[
            "review.reviewers=0",
            "ai.adoption=1.5",
            "deploy.policy=sometimes"
        ])
    );
    let reviewers = json["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .find(|p| p["key_path"] == "review.reviewers")
        .expect("the reviewers' problem");
    assert!(
        reviewers["allowed"]
            .as_str()
            .expect("allowed")
            .contains("[1, 100000]")
    );

    let too_many = post(&s.address, "/api/run", r#"{"runs": 501}"#);
    assert_eq!(too_many.status, 400);
    assert!(
        too_many.json()["error"]
            .as_str()
            .expect("error")
            .contains("--max-runs")
    );
    let zero = post(&s.address, "/api/run", r#"{"runs": 0}"#);
    assert_eq!(zero.status, 400);

    let big = format!(r#"{{"set": ["name={}"]}}"#, "x".repeat(4096));
    let oversize = post(&s.address, "/api/run", &big);
    assert_eq!(oversize.status, 413);
    assert!(
        oversize.json()["error"]
            .as_str()
            .expect("error")
            .contains("too large")
    );

    let bad_compare = post(
        &s.address,
        "/api/compare",
        r#"{"variant": {"testing.coverage": 2}}"#,
    );
    assert_eq!(bad_compare.status, 400);
    assert!(
        bad_compare.json()["error"]
            .as_str()
            .expect("error")
            .starts_with("variant:")
    );

    let bad_query = get(&s.address, "/api/scenario.toml?set=review.reviewers=-3");
    assert_eq!(bad_query.status, 400);
    assert_eq!(
        bad_query.json()["problems"][0]["key_path"],
        "review.reviewers"
    );
    let unknown_query = get(&s.address, "/api/scenario.toml?path=/etc/passwd");
    assert_eq!(unknown_query.status, 400);
    let bad_seed = get(&s.address, "/api/report.html?seed=-1");
    assert_eq!(bad_seed.status, 400);

    for path in ["/api/jobs/999", "/api/jobs/abc", "/api/jobs/999/events"] {
        assert_eq!(get(&s.address, path).status, 404, "{path}");
    }
    assert_eq!(post(&s.address, "/api/jobs/999/cancel", "").status, 404);
}

#[test]
fn a_job_is_cancelled_on_request_and_when_its_client_goes_away() {
    let s = server(&[]);
    let job = post(&s.address, "/api/run", r#"{"runs": 5000}"#).json();
    let mut events = Events::open(&s.address, job["events"].as_str().expect("events"));
    // Wait for the first partial result, then cancel.
    while events
        .next_event()
        .is_some_and(|e| e.data["result"].is_null())
    {}
    let cancelled = post(&s.address, job["cancel"].as_str().expect("cancel"), "").json();
    assert_eq!(cancelled["state"], "cancelled", "{cancelled}");
    assert!(cancelled["runs_done"].as_u64().expect("runs") < 5000);
    let mut last = None;
    while let Some(e) = events.next_event() {
        last = Some(e);
    }
    assert_eq!(last.expect("a final event").name, "cancelled");

    // A client that closes its event stream cancels the job it watched.
    let job = post(&s.address, "/api/run", r#"{"runs": 5000}"#).json();
    let mut events = Events::open(&s.address, job["events"].as_str().expect("events"));
    events.next_event().expect("an event");
    drop(events);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = get(&s.address, job["status"].as_str().expect("status")).json();
        if status["state"] == "cancelled" {
            break;
        }
        assert!(Instant::now() < deadline, "not cancelled: {status}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_queue_is_bounded_and_the_report_downloads() {
    let s = server(&["--max-jobs", "1", "--max-queued", "1"]);
    let first = post(&s.address, "/api/run", r#"{"runs": 5000}"#).json();
    // The first leaves the queue for its slot; the second waits; the third is refused.
    let deadline = Instant::now() + Duration::from_secs(10);
    while get(&s.address, first["status"].as_str().expect("status")).json()["state"] == "queued" {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = post(&s.address, "/api/run", r#"{"runs": 5000}"#);
    assert_eq!(second.status, 202);
    let third = post(&s.address, "/api/run", r#"{"runs": 5000}"#);
    assert_eq!(third.status, 503, "{}", third.body);
    assert!(
        third.json()["error"]
            .as_str()
            .expect("error")
            .contains("busy")
    );
    for job in [first, second.json()] {
        let c = post(&s.address, job["cancel"].as_str().expect("cancel"), "").json();
        assert_eq!(c["state"], "cancelled", "{c}");
    }
    let report = get(
        &s.address,
        "/api/report.html?set=review.reviewers=7&runs=12&seed=3",
    );
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(report.body.starts_with("<!DOCTYPE html>"));
    assert!(report.body.contains("review.reviewers=7"));
}

#[test]
fn a_job_stops_at_the_run_time_limit() {
    let s = server(&["--max-seconds", "0"]);
    let job = post(&s.address, "/api/run", r#"{"runs": 300}"#).json();
    let events = follow(&s.address, &job);
    let last = events.last().expect("events");
    assert_eq!(last.name, "failed");
    assert!(
        last.data["error"]
            .as_str()
            .expect("error")
            .contains("--max-seconds")
    );
}
