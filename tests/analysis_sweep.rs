//! A sweep streams rows as points finish, and an interrupted sweep resumes without recomputing
//! finished points.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_dorasim");

fn sweep(out: &str, extra: &[&str]) -> (bool, String, String) {
    let o = Command::new(BIN)
        .args([
            "sweep",
            "scenarios/baseline.toml",
            "--param",
            "review.reviewers=2,4",
            "--param",
            "ai.adoption=0..1",
            "--design",
            "grid",
            "--points",
            "4",
            "--runs",
            "2",
            "--threads",
            "2",
            "--set",
            "time.warmup_weeks=1",
            "--set",
            "time.horizon_weeks=3",
            "--out",
            out,
        ])
        .args(extra)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn interrupted_sweep_resumes_without_recomputing() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path().join("s");
    let d = dir.display().to_string();
    let (ok, stdout, stderr) = sweep(&d, &[]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("8 design points"), "{stdout}");
    let path = dir.join("sweep.csv");
    let full = std::fs::read_to_string(&path).unwrap_or_default();
    let lines: Vec<&str> = full.lines().collect();
    let per_point = (lines.len() - 1) / 8;
    // Simulate a kill during point 5: keep points 0..5 and half a row of point 5.
    let keep = 1 + 5 * per_point;
    let mut cut = lines[..keep].join("\n");
    cut.push('\n');
    cut.push_str(&lines[keep][..lines[keep].len() / 2]);
    std::fs::write(&path, cut).unwrap_or_else(|e| panic!("{e}"));

    let (ok, stdout, stderr) = sweep(&d, &[]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("5 already done (skipped), 3 computed"),
        "{stdout}"
    );
    // The resumed file is the same as the uninterrupted one.
    assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), full);

    // A sweep of other parameters refuses to mix its rows into this file.
    let o = Command::new(BIN)
        .args([
            "sweep",
            "scenarios/baseline.toml",
            "--param",
            "review.reviewers=3",
            "--runs",
            "2",
        ])
        .args([
            "--set",
            "time.warmup_weeks=1",
            "--set",
            "time.horizon_weeks=3",
            "--out",
            &d,
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("different sweep"));
}

#[test]
fn invalid_point_is_named_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = tmp.path().join("bad").display().to_string();
    let o = Command::new(BIN)
        .args([
            "sweep",
            "scenarios/baseline.toml",
            "--param",
            "review.reviewers=2,0",
            "--runs",
            "2",
        ])
        .args(["--out", &d])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        stderr.contains("design point 1 (review.reviewers=0)"),
        "{stderr}"
    );
    assert!(!tmp.path().join("bad").join("sweep.csv").exists());
}
