//! Unstable and extreme configurations, end to end: each run finishes in bounded time with a
//! warning or an error as appropriate, and no output (terminal, replications.csv, weekly.csv,
//! summary.json) holds a NaN or an infinity. Undefined metrics read "n/a (0 deployments)" on the
//! terminal, empty cells in CSV and null in JSON.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long any one extreme case may take (they take well under a second or two each).
const BOUND: Duration = Duration::from_secs(30);

struct Run {
    output: Output,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// Runs the defaults (an empty scenario file: no timeline) with `set` overrides, writing to
/// `out`.
fn run(tmp: &Path, name: &str, runs: &str, set: &[&str]) -> Run {
    let scenario = tmp.join("empty.toml");
    std::fs::write(&scenario, "").unwrap_or_else(|e| panic!("cannot write: {e}"));
    let out = tmp.join(name);
    let mut args: Vec<String> = vec![
        "run".into(),
        scenario.to_string_lossy().into_owned(),
        "--runs".into(),
        runs.into(),
        "--threads".into(),
        "2".into(),
        "--out".into(),
        out.to_string_lossy().into_owned(),
    ];
    for s in set {
        args.push("--set".into());
        args.push((*s).into());
    }
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("cannot start dorasim: {e}"));
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        elapsed < BOUND,
        "{name} took {elapsed:?}\n{stdout}\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{name} panicked:\n{stderr}");
    assert!(output.status.code().is_some(), "{name} was killed");
    Run {
        output,
        stdout,
        stderr,
        elapsed,
    }
}

/// Runs a case that must succeed, and checks every output for non-finite numbers.
fn succeeds(tmp: &Path, name: &str, set: &[&str]) -> Run {
    let r = run(tmp, name, "4", set);
    assert!(
        r.output.status.success(),
        "{name} failed after {:?}:\n{}",
        r.elapsed,
        r.stderr
    );
    assert_finite_outputs(&tmp.join(name), &r.stdout, name);
    r
}

fn assert_finite_outputs(dir: &Path, stdout: &str, name: &str) {
    for bad in ["NaN", "nan", "inf"] {
        assert!(
            !stdout
                .split_whitespace()
                .any(|w| w.trim_matches(|c: char| !c.is_alphanumeric()) == bad),
            "{name}: `{bad}` on the terminal:\n{stdout}"
        );
    }
    for csv in ["replications.csv", "weekly.csv"] {
        let text = std::fs::read_to_string(dir.join(csv))
            .unwrap_or_else(|e| panic!("{name}: cannot read {csv}: {e}"));
        for (row, line) in text.lines().enumerate().skip(1) {
            for cell in line.split(',') {
                let number = cell.parse::<f64>();
                assert!(
                    cell.is_empty() || number.is_err() || number.is_ok_and(f64::is_finite),
                    "{name}: {csv} row {row} holds `{cell}`"
                );
                assert!(
                    !cell.eq_ignore_ascii_case("nan") && !cell.to_lowercase().contains("inf"),
                    "{name}: {csv} row {row} holds `{cell}`"
                );
            }
        }
    }
    let json = std::fs::read_to_string(dir.join("summary.json"))
        .unwrap_or_else(|e| panic!("{name}: cannot read summary.json: {e}"));
    // serde_json cannot write NaN (it writes null); check the text all the same.
    assert!(
        !json.contains("NaN") && !json.contains("Infinity"),
        "{name}: summary.json"
    );
    let parsed: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: summary.json: {e}"));
    assert!(parsed.is_object(), "{name}: summary.json");
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary directory: {e}"))
}

#[test]
fn demand_far_beyond_capacity_warns_that_the_queue_grows_without_bound() {
    let t = tmp();
    let r = succeeds(
        t.path(),
        "overload",
        &["demand.mode=poisson", "demand.items_per_week=3000"],
    );
    assert!(
        r.stdout.contains("warning: the work in progress")
            && r.stdout.contains("grew without levelling off"),
        "no growth warning:\n{}",
        r.stdout
    );
    // A stable system gets no such warning.
    let r = succeeds(
        t.path(),
        "stable",
        &["demand.mode=poisson", "demand.items_per_week=40"],
    );
    assert!(!r.stdout.contains("grew without"), "{}", r.stdout);
}

#[test]
fn a_runaway_replication_is_stopped_by_the_guard_with_a_message_naming_it() {
    let t = tmp();
    // A million items a week (the largest rate accepted): without the guard this takes
    // gigabytes and minutes.
    let r = run(
        t.path(),
        "runaway",
        "4",
        &["demand.mode=poisson", "demand.items_per_week=1e6"],
    );
    assert!(!r.output.status.success(), "{}", r.stdout);
    for needle in [
        "run.max_changes_per_replication",
        "--set run.max_changes_per_replication=",
        "replication 0",
    ] {
        assert!(r.stderr.contains(needle), "no `{needle}` in:\n{}", r.stderr);
    }
    // The event guard, set low.
    let r = run(
        t.path(),
        "events",
        "4",
        &["run.max_events_per_replication=20000"],
    );
    assert!(!r.output.status.success(), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("`run.max_events_per_replication` (20000 events)"),
        "{}",
        r.stderr
    );
}

#[test]
fn zero_reviewers_is_refused_at_validation() {
    let t = tmp();
    let r = run(t.path(), "no-reviewers", "4", &["review.reviewers=0"]);
    assert!(!r.output.status.success());
    assert!(
        r.stderr.contains("review.reviewers") && r.stderr.contains("[1, 100000]"),
        "{}",
        r.stderr
    );
}

#[test]
fn full_adoption_and_team_sizes_from_one_to_ten_thousand_run() {
    let t = tmp();
    succeeds(t.path(), "adoption", &["ai.adoption=1"]);
    succeeds(
        t.path(),
        "solo",
        &["team.developers=1", "review.reviewers=1"],
    );
    let r = succeeds(t.path(), "huge-team", &["team.developers=10000"]);
    assert!(r.stdout.contains("Change lead time"), "{}", r.stdout);
}

#[test]
fn one_week_and_five_year_horizons_run() {
    let t = tmp();
    succeeds(
        t.path(),
        "one-week",
        &["time.warmup_weeks=0", "time.horizon_weeks=1"],
    );
    succeeds(t.path(), "five-years", &["time.horizon_weeks=260"]);
}

#[test]
fn no_deployment_reads_as_undefined_never_as_zero_or_nan() {
    let t = tmp();
    let r = succeeds(
        t.path(),
        "no-deploys",
        &[
            "time.warmup_weeks=0",
            "time.horizon_weeks=1",
            "deploy.policy=scheduled",
            "deploy.interval_hours=100000",
        ],
    );
    assert!(
        r.stdout.contains("n/a (0 deployments)"),
        "no `n/a (0 deployments)`:\n{}",
        r.stdout
    );
    let dir = t.path().join("no-deploys");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("summary.json")).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("summary.json: {e}"));
    let cfr = &json["metrics"]["change_fail_rate"];
    assert!(cfr["mean"].is_null(), "{cfr}");
    assert_eq!(cfr["undefined"], 4, "{cfr}");
    let csv = std::fs::read_to_string(dir.join("replications.csv")).unwrap_or_default();
    let header: Vec<&str> = csv.lines().next().unwrap_or_default().split(',').collect();
    let column = header
        .iter()
        .position(|h| *h == "change_fail_rate")
        .unwrap_or_else(|| panic!("no change_fail_rate column"));
    for line in csv.lines().skip(1) {
        assert_eq!(line.split(',').nth(column), Some(""), "{line}");
    }
}

/// Fuzz finding 1 (see docs/robustness.md): a size multiplier with a heavy tail (lognormal,
/// median 1e-9, p90 1e9) made coding efforts so large that the working calendar's loops never
/// advanced, and the run hung. It must now finish promptly.
#[test]
fn fuzz_regression_heavy_tailed_size_multiplier_does_not_hang() {
    let t = tmp();
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "scenarios/ai-with-review-investment.toml",
            "--runs",
            "2",
            "--threads",
            "1",
            "--out",
            &t.path().join("heavy-tail").to_string_lossy(),
            "--set",
            "ai.size_multiplier={ dist = \"lognormal\", median = 1e-9, p90 = 1e9 }",
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot start dorasim: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.code().is_some(), "killed: {stderr}");
    if output.status.success() {
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_finite_outputs(&t.path().join("heavy-tail"), &stdout, "heavy-tail");
    } else {
        assert!(stderr.contains("run.max_"), "{stderr}");
    }
}
