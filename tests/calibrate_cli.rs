//! `dorasim calibrate` from the command line: a scenario and a fit report from an exported
//! history; clear errors and nothing written when the history cannot be read.

use std::path::Path;
use std::process::{Command, Output};

fn dorasim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("dorasim runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const SHORT: [&str; 6] = [
    "--set",
    "time.warmup_weeks=2",
    "--set",
    "time.horizon_weeks=12",
    "--set",
    "team.developers=20",
];

#[test]
fn calibrate_writes_a_scenario_that_runs_and_a_fit_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("team.toml"), "name = \"team\"\n").unwrap();
    let mut args = vec!["run", "team.toml", "--runs", "1", "--events", "history"];
    args.extend(SHORT);
    let o = dorasim(d, &args);
    assert!(o.status.success(), "{}", text(&o));
    let mut args = vec![
        "calibrate",
        "history",
        "--out",
        "mine.toml",
        "--report",
        "fit.html",
        "--budget",
        "1500",
        "--set",
        "time.warmup_weeks=2",
        "--set",
        "team.developers=20",
        "--threads",
        "2",
    ];
    let o = dorasim(d, &args);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    for expected in [
        "What the history shows",
        "Fitted by simulation",
        "defects.failure_share",
        "Observed against simulated",
        "change fail rate",
        "mine.toml",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
    }
    let toml = std::fs::read_to_string(d.join("mine.toml")).unwrap();
    assert!(toml.contains("# Fitted to the change fail rate"), "{toml}");
    assert!(
        toml.contains("developers = 20"),
        "the --set facts are kept: {toml}"
    );
    let html = std::fs::read_to_string(d.join("fit.html")).unwrap();
    assert!(html.contains("Observed against simulated") && html.contains("<svg"));
    // --json: the fit for scripts.
    let o = dorasim(
        d,
        &[
            "calibrate",
            "history",
            "--out",
            "json.toml",
            "--budget",
            "1500",
            "--set",
            "time.warmup_weeks=2",
            "--set",
            "team.developers=20",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let fit: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert!(
        fit["checks"].as_array().is_some_and(|c| c.len() >= 5),
        "{fit}"
    );
    assert!(
        fit["fitted"].as_array().is_some_and(|f| !f.is_empty()),
        "{fit}"
    );
    assert!(
        fit["search"]["simulations"]
            .as_u64()
            .is_some_and(|n| n <= 1500),
        "{fit}"
    );
    // The calibrated scenario runs as any other.
    let o = dorasim(d, &["run", "mine.toml", "--runs", "4"]);
    assert!(o.status.success(), "{}", text(&o));
    // An existing file is not replaced without --force, and nothing else is written.
    args.truncate(4);
    let o = dorasim(d, &args);
    assert!(!o.status.success());
    assert!(text(&o).contains("--force"), "{}", text(&o));
}

#[test]
fn a_history_that_cannot_be_read_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("empty")).unwrap();
    let o = dorasim(d, &["calibrate", "empty", "--out", "x.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("holds no history file"), "{}", text(&o));
    std::fs::create_dir(d.join("bad")).unwrap();
    std::fs::write(
        d.join("bad/events.json"),
        "{\"schema\": \"dorasim-events/1\",\n \"deployments\": 3}",
    )
    .unwrap();
    let o = dorasim(
        d,
        &["calibrate", "bad", "--out", "x.toml", "--report", "x.html"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let message = text(&o);
    assert!(
        message.contains("events.json") && message.contains("line 2"),
        "{message}"
    );
    let o = dorasim(d, &["calibrate", "nowhere", "--out", "x.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!d.join("x.toml").exists() && !d.join("x.html").exists());
}

#[test]
fn calibration_is_the_same_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("team.toml"), "name = \"team\"\n").unwrap();
    let mut args = vec!["run", "team.toml", "--runs", "1", "--events", "history"];
    args.extend(SHORT);
    assert!(dorasim(d, &args).status.success());
    for threads in ["1", "2"] {
        let out = format!("t{threads}/mine.toml");
        let o = dorasim(
            d,
            &[
                "calibrate",
                "history",
                "--out",
                &out,
                "--budget",
                "1200",
                "--set",
                "time.warmup_weeks=2",
                "--set",
                "team.developers=20",
                "--threads",
                threads,
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    let one = std::fs::read(d.join("t1/mine.toml")).unwrap();
    let two = std::fs::read(d.join("t2/mine.toml")).unwrap();
    assert_eq!(
        one, two,
        "the calibrated scenario depends on the thread count"
    );
}
