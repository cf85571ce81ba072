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

/// The fuzz targets' own pipeline (`fuzz/src/lib.rs`, a separate workspace), compiled in here so
/// the replay checks exactly what the targets check. The stable harness's parts go unused.
#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod pipeline;

/// Far above the milliseconds a fixed input takes, far below a hang.
const BOUND: Duration = Duration::from_secs(60);

/// The `parse` and `run` targets' pipelines; panics on a finding.
fn exercise(text: &str, set: &[String], name: &str) {
    // Parsing alone (the `parse` target).
    if let Err(errors) = dorasim::scenario::load_str(text, "fuzz.toml") {
        assert!(!errors.is_empty(), "{name}: an empty error list");
    }
    // The `run` target: the short horizon first; the input's own if that is rejected.
    if let Err(finding) = pipeline::short_run(text, set) {
        panic!("{name}: {finding}");
    }
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
            let (text, set) = pipeline::split_input(&data);
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
