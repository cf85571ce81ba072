//! Ctrl-C during `dorasim run --out DIR --force` over an earlier complete result set: the
//! process stops with a non-zero exit and a message saying what was kept, no temporary file
//! remains, and the earlier files are byte-identical (or, had the run finished first, complete
//! new ones).

#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FILES: [&str; 3] = ["replications.csv", "weekly.csv", "summary.json"];

fn dorasim() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dorasim"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

fn read_all(dir: &Path) -> Vec<Vec<u8>> {
    FILES
        .iter()
        .map(|name| {
            std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
        })
        .collect()
}

fn stray_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !FILES.contains(&name.as_str()))
        .collect()
}

#[test]
fn ctrl_c_keeps_the_previous_results_intact() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary directory: {e}"));
    let dir = tmp.path().join("results");
    let dir_text = dir.to_string_lossy().into_owned();
    // An earlier, complete result set.
    let first = dorasim()
        .args(["run", "--runs", "5", "--out", &dir_text])
        .output()
        .unwrap_or_else(|e| panic!("cannot start dorasim: {e}"));
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = read_all(&dir);

    // A long run over it (a different seed, so new files would differ), interrupted once its
    // replications.csv is being written.
    let mut child = dorasim()
        .args([
            "run",
            "--runs",
            "200000",
            "--seed",
            "7",
            "--threads",
            "1",
            "--out",
            &dir_text,
            "--force",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start dorasim: {e}"));
    let started = Instant::now();
    while !stray_files(&dir).iter().any(|n| n.contains(".partial")) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("cannot run kill: {e}"));
    assert!(status.success(), "kill -INT failed");

    // It must stop promptly (after the batch in progress), not run the 200,000 replications.
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        match child.try_wait() {
            Ok(Some(exit)) => break exit,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) => {
                let _ = child.kill();
                panic!("dorasim did not stop within 30 s of Ctrl-C");
            }
            Err(e) => panic!("cannot wait for dorasim: {e}"),
        }
    };
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("cannot read dorasim's output: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // 130: interrupted (128 + SIGINT, the shell's convention; documented in the README).
    assert_eq!(exit.code(), Some(130), "exit {exit:?}, stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(
        stderr.contains("previous files are kept unchanged"),
        "does not say what was kept:\n{stderr}"
    );
    assert_eq!(stray_files(&dir), Vec::<String>::new(), "files left behind");
    assert!(read_all(&dir) == before, "the earlier results changed");
}

#[test]
fn a_guard_stop_leaves_no_partial_file_and_says_so() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary directory: {e}"));
    let dir = tmp.path().join("results");
    let dir_text = dir.to_string_lossy().into_owned();
    let output = dorasim()
        .args([
            "run",
            "--runs",
            "4",
            "--out",
            &dir_text,
            "--set",
            "run.max_events_per_replication=5000",
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot start dorasim: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // 3: stopped by a runaway guard.
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("run.max_events_per_replication"),
        "{stderr}"
    );
    assert!(stderr.contains("no results were written"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

/// Leftovers of killed processes (`.NAME.partial-PID`) are removed by the next writer of the same
/// set, for every set: a merged run, a shard, and an event log, not only `run --out`; and the
/// merged run's files leave no temporary file or lock behind.
#[test]
fn every_output_set_cleans_the_leftovers_of_a_killed_writer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shards = dir.path().join("shards");
    let merged = dir.path().join("merged");
    let events = dir.path().join("events");
    for (d, leftover) in [
        (&shards, ".partial-1-of-1.json.partial-999999"),
        (&merged, ".summary.json.partial-999999"),
        (&events, ".events.json.partial-999999"),
    ] {
        std::fs::create_dir_all(d).expect("dir");
        std::fs::write(d.join(leftover), b"half a file").expect("leftover");
    }
    let ok = |args: &[&str]| {
        let output = dorasim().args(args).output().expect("dorasim");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let s = |p: &Path| p.to_string_lossy().into_owned();
    ok(&[
        "run",
        "--runs",
        "4",
        "--shard",
        "1/1",
        "--out",
        &s(&shards),
        "--quiet",
    ]);
    ok(&[
        "merge",
        &s(&shards.join("partial-1-of-1.json")),
        "--out",
        &s(&merged),
    ]);
    ok(&["run", "--runs", "2", "--quiet", "--events", &s(&events)]);
    for d in [&shards, &merged, &events] {
        // Hidden files are temporary files or locks: none may remain.
        let hidden: Vec<String> = std::fs::read_dir(d)
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with('.'))
            .collect();
        assert!(hidden.is_empty(), "{}: {hidden:?}", d.display());
    }
    assert!(stray_files(&merged).is_empty());
    assert!(read_all(&merged).iter().all(|f| !f.is_empty()));
}
