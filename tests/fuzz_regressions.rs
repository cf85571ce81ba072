//! Replays every saved fuzz finding (`fuzz/regressions/`) through the pipelines of the `parse`
//! and `run` fuzz targets: parsing and validation of the scenario text with its `--set`
//! overrides (first with the target's short horizon, then as it is if that is rejected), then,
//! for what loads, schedule building, a two-replication run under a tight guard, the terminal
//! summary and `summary.json`. Each input must finish within a bound
//! (a hang fails the test instead of stalling it), without a panic, with a non-empty error list
//! when it is rejected and finite numbers in the outputs when it runs.
//!
//! Input format (that of `fuzz/src/lib.rs`): the bytes up to the first NUL are the scenario text;
//! each NUL-separated piece after it is one `--set` override.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use dorasim::metrics::ledger::Lens;
use dorasim::model::Model;
use dorasim::model::guard::Guard;
use dorasim::model::timeline::Schedule;
use dorasim::runner::{self, RunPlan};

/// Far above the milliseconds a fixed input takes, far below a hang.
const BOUND: Duration = Duration::from_secs(60);

/// The overrides the `run` fuzz target appends to every input.
const SHORT_RUN: [&str; 3] = [
    "time.warmup_weeks=1",
    "time.horizon_weeks=3",
    "run.max_events_per_replication=50000",
];

fn split_input(data: &[u8]) -> (String, Vec<String>) {
    let mut pieces = data.split(|&b| b == 0);
    let text = String::from_utf8_lossy(pieces.next().unwrap_or_default()).into_owned();
    let set = pieces
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    (text, set)
}

/// The `parse` and `run` targets' pipelines; panics on a finding.
fn exercise(text: &str, set: &[String], name: &str) {
    // Parsing alone (the `parse` target).
    if let Err(errors) = dorasim::scenario::load_str(text, "fuzz.toml") {
        assert!(!errors.is_empty(), "{name}: an empty error list");
    }
    // The `run` target: the short horizon first; the input's own if that is rejected.
    let mut short = set.to_vec();
    short.extend(SHORT_RUN.iter().map(|s| s.to_string()));
    if !load_and_run(text, &short, name) {
        load_and_run(text, set, name);
    }
}

/// Loads and runs one input; false when it is rejected at validation.
fn load_and_run(text: &str, set: &[String], name: &str) -> bool {
    let scenario = match dorasim::scenario::apply_overrides(text, "fuzz.toml", set) {
        Ok(s) => s,
        Err(errors) => {
            let shown = errors.to_string();
            assert!(
                !errors.is_empty() && shown.contains("error"),
                "{name}: an error list that says nothing: {shown:?}"
            );
            return false;
        }
    };
    let Ok(schedule) = Schedule::build(&scenario.params, &scenario.timeline) else {
        return true;
    };
    let model = Model::new(&schedule).with_guard(Guard {
        max_events: 50_000,
        max_changes: 5_000,
    });
    let plan = RunPlan {
        seed: scenario.run.seed,
        runs: 2,
        threads: 1,
    };
    let summary = match runner::run_with_lens(&model, plan, scenario.run.lens, |_, _| Ok(())) {
        Ok(summary) => summary,
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains("run.max_"),
                "{name}: a run error that names no guard: {message}"
            );
            return true;
        }
    };
    let terminal = dorasim::output::terminal::render(&scenario, &summary, 1, Lens::Truth, true);
    let words: Vec<&str> = terminal
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    for bad in ["NaN", "nan", "inf"] {
        assert!(
            !words.contains(&bad),
            "{name}: `{bad}` in the terminal summary:\n{terminal}"
        );
    }
    let json = dorasim::output::json::summary_json(&scenario, &summary, 1, Lens::Truth);
    let json = serde_json::to_string(&json).expect("summary.json serialises");
    assert!(
        !json.contains("NaN") && !json.contains("Infinity"),
        "{name}: a non-finite number in summary.json"
    );
    true
}

fn saved_inputs() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_none_or(|x| x != "md"))
        .collect();
    files.sort();
    files
}

#[test]
fn fuzz_findings_replay_without_panic_or_hang() {
    let files = saved_inputs();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (tx, rx) = mpsc::channel();
        let thread_name = name.clone();
        let handle = std::thread::spawn(move || {
            let (text, set) = split_input(&data);
            exercise(&text, &set, &thread_name);
            let _ = tx.send(());
        });
        match rx.recv_timeout(BOUND) {
            Ok(()) => handle.join().unwrap(),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // The thread ended without sending: it panicked; show its message.
                if let Err(payload) = handle.join() {
                    std::panic::resume_unwind(payload);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("{name}: still running after {BOUND:?} (a hang)")
            }
        }
    }
}
