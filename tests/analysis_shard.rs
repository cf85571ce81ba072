//! A run sharded three ways and merged is byte-identical to the unsharded run; the merge refuses
//! partials that do not belong together.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_dorasim");
const ARGS: &[&str] = &[
    "run",
    "scenarios/baseline.toml",
    "--runs",
    "200",
    "--seed",
    "7",
    "--threads",
    "2",
    "--set",
    "time.warmup_weeks=1",
    "--set",
    "time.horizon_weeks=4",
];

fn dorasim(args: &[&str], extra: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .args(extra)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// summary.json without the timing object.
fn summary_without_timing(path: &Path) -> String {
    let text = String::from_utf8(read(path)).unwrap_or_default();
    let start = text.find("\"timing\"").unwrap_or(text.len());
    text[..start].to_string()
}

#[test]
fn three_shards_merge_to_the_unsharded_output() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let full = tmp.path().join("full");
    let parts = tmp.path().join("parts");
    let merged = tmp.path().join("merged");
    let s = |p: &Path| p.display().to_string();
    assert!(dorasim(ARGS, &["--out", &s(&full)]).status.success());
    // Shard 2 comes from a Slurm job-array index (--shard auto, tasks numbered from 1), the others
    // from flags.
    assert!(
        dorasim(ARGS, &["--shard", "1/3", "--out", &s(&parts)])
            .status
            .success()
    );
    let slurm = Command::new(BIN)
        .args(ARGS)
        .args(["--out", &s(&parts), "--shard", "auto", "--shards", "3"])
        .env("SLURM_ARRAY_TASK_ID", "2")
        .env("SLURM_ARRAY_TASK_MIN", "1")
        .env("SLURM_ARRAY_TASK_MAX", "3")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        slurm.status.success(),
        "{}",
        String::from_utf8_lossy(&slurm.stderr)
    );
    assert!(
        dorasim(ARGS, &["--shard", "3/3", "--out", &s(&parts)])
            .status
            .success()
    );

    let partial = |k: u32| s(&parts.join(format!("partial-{k}-of-3.json")));
    // Missing and duplicated shards are refused.
    let missing = dorasim(
        &["merge", &partial(1), &partial(3)],
        &["--out", &s(&merged)],
    );
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("missing shard(s) 2 of 3"));
    let twice = dorasim(
        &["merge", &partial(1), &partial(1), &partial(2)],
        &["--out", &s(&merged)],
    );
    assert!(String::from_utf8_lossy(&twice.stderr).contains("appears twice"));

    // Shards given out of order merge in block order.
    let ok = dorasim(
        &["merge", &partial(3), &partial(1), &partial(2)],
        &["--out", &s(&merged)],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    for name in ["replications.csv", "weekly.csv"] {
        assert!(
            read(&full.join(name)) == read(&merged.join(name)),
            "{name} differs"
        );
    }
    assert_eq!(
        summary_without_timing(&full.join("summary.json")),
        summary_without_timing(&merged.join("summary.json"))
    );

    // A shard of another seed is refused.
    let other = tmp.path().join("other");
    let mut args = ARGS.to_vec();
    args[5] = "8";
    assert!(
        dorasim(&args, &["--shard", "2/3", "--out", &s(&other)])
            .status
            .success()
    );
    let foreign = s(&other.join("partial-2-of-3.json"));
    let bad = dorasim(
        &["merge", &partial(1), &foreign, &partial(3)],
        &["--out", &s(&merged)],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("seed"));
}
