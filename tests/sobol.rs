//! `dorasim sensitivity --method sobol` end to end: an under-sampled study says it has not
//! converged, and what would likely fix it, on the terminal, in sensitivity.json, in
//! sensitivity.csv and in the HTML report; the same seed gives the same bytes on one and two
//! threads; too few replications to measure the simulation noise are refused.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dorasim");

/// A small Sobol study of the baseline scenario (three weeks of simulated time per
/// replication), with `samples` base rows and `runs` replications per point.
fn study(samples: &str, runs: &str, threads: &str) -> Vec<String> {
    [
        "sensitivity",
        "scenarios/baseline.toml",
        "--param",
        "review.reviewers=2..6",
        "--param",
        "ai.adoption=0..1",
        "--method",
        "sobol",
        "--samples",
        samples,
        "--runs",
        runs,
        "--threads",
        threads,
        "--set",
        "time.warmup_weeks=1",
        "--set",
        "time.horizon_weeks=2",
    ]
    .map(String::from)
    .to_vec()
}

fn dorasim(args: &[String], extra: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .args(extra)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn ok(o: &Output) -> String {
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn an_undersampled_sobol_study_says_it_has_not_converged_everywhere() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("study");
    let page = dir.path().join("sensitivity.html");
    let o = dorasim(
        &study("4", "2", "2"),
        &[
            "--out",
            out.to_str().unwrap_or_default(),
            "--report",
            page.to_str().unwrap_or_default(),
        ],
    );
    let stdout = ok(&o);

    // Terminal: a warning under each failing metric and the verdict with the sizes to re-run.
    assert!(stdout.contains("  warning: "), "{stdout}");
    assert!(stdout.contains("NOT CONVERGED"), "{stdout}");
    assert!(
        stdout.contains("likely fix: re-run with --samples "),
        "{stdout}"
    );
    assert!(!stdout.contains("estimation noise"), "{stdout}");

    // JSON: converged false, the warning text, the recommended sizes, a check per metric.
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("sensitivity.json"))).unwrap_or_default();
    assert_eq!(json["converged"], serde_json::Value::Bool(false), "{json}");
    assert!(
        json["warning"]
            .as_str()
            .is_some_and(|w| w.contains("--samples")),
        "{json}"
    );
    let samples = json["recommended"]["samples"].as_u64().unwrap_or(0);
    assert!(samples > 4 && samples.is_multiple_of(32), "{json}");
    assert!(
        json["recommended"]["runs"].as_u64().unwrap_or(0) >= 2,
        "{json}"
    );
    let diagnostics = json["diagnostics"].as_object().cloned().unwrap_or_default();
    assert_eq!(diagnostics.len(), 8, "{json}");
    assert!(
        diagnostics
            .values()
            .any(|d| d["converged"] == serde_json::Value::Bool(false)),
        "{json}"
    );
    assert_eq!(json["estimator"]["max_interval_width"], 0.2, "{json}");

    // CSV: every Sobol row carries its metric's verdict, and a failing one its warning.
    let mut csv =
        csv::Reader::from_path(out.join("sensitivity.csv")).unwrap_or_else(|e| panic!("{e}"));
    let headers = csv.headers().cloned().unwrap_or_default();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (converged, warning) = (column("converged"), column("warning"));
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap_or_default()).collect();
    assert_eq!(rows.len(), 8 * 2);
    assert!(
        rows.iter()
            .all(|r| matches!(&r[converged], "true" | "false"))
    );
    assert!(
        rows.iter().any(|r| &r[converged] == "false"
            && r[warning].contains("likely fix: re-run with --samples"))
    );
    assert!(
        rows.iter()
            .all(|r| (&r[converged] == "true") == r[warning].is_empty())
    );

    // Report: the verdict above the charts and the warnings under the tables; and the same
    // from the results directory alone.
    let html = read(&page);
    assert!(
        html.contains("id=\"not-converged\""),
        "no verdict in the report"
    );
    assert!(html.contains("Likely fix: re-run with <code>--samples "));
    assert!(!html.contains("estimation noise"));
    ok(&dorasim(
        &["report".to_string()],
        &[out.to_str().unwrap_or_default()],
    ));
    assert!(read(&out.join("report.html")).contains("id=\"not-converged\""));
}

#[test]
fn a_sobol_study_is_identical_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let a = ok(&dorasim(
        &study("8", "3", "1"),
        &["--out", one.to_str().unwrap_or_default()],
    ));
    let b = ok(&dorasim(
        &study("8", "3", "2"),
        &["--out", two.to_str().unwrap_or_default()],
    ));
    let tables = |s: &str| s.split("\nWrote:").next().unwrap_or_default().to_string();
    assert_eq!(tables(&a), tables(&b));
    for file in ["sensitivity.csv", "sensitivity.json"] {
        assert_eq!(read(&one.join(file)), read(&two.join(file)), "{file}");
    }
}

#[test]
fn a_sobol_study_with_one_replication_per_point_is_refused() {
    let o = dorasim(&study("4", "1", "1"), &[]);
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("--runs 1 is too few for a Sobol study: at least 2"),
        "{stderr}"
    );
}
