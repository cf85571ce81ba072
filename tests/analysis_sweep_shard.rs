//! A sweep sharded three ways (flag, Kubernetes and Slurm job indices) and merged with
//! `dorasim merge` is byte-identical to the unsharded sweep.csv.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dorasim");
const ARGS: &[&str] = &[
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
    "--seed",
    "11",
    "--threads",
    "2",
    "--set",
    "time.warmup_weeks=1",
    "--set",
    "time.horizon_weeks=2",
];

fn dorasim(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for var in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_MAX",
        "SLURM_ARRAY_TASK_COUNT",
        "JOB_COMPLETION_INDEX",
        "DORASIM_SHARDS",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let o = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn three_sweep_shards_merge_to_the_unsharded_csv() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let s = |p: &Path| p.display().to_string();
    let (full, parts, merged) = (
        tmp.path().join("full"),
        tmp.path().join("parts"),
        tmp.path().join("merged"),
    );
    dorasim(&[ARGS, &["--out", &s(&full)]].concat(), &[]);
    let parts_dir = s(&parts);
    let out = [ARGS, &["--out", &parts_dir]].concat();
    dorasim(&[&out[..], &["--shard", "1/3"]].concat(), &[]);
    dorasim(
        &[&out[..], &["--shard", "auto"]].concat(),
        &[("JOB_COMPLETION_INDEX", "1"), ("DORASIM_SHARDS", "3")],
    );
    dorasim(
        &[&out[..], &["--shard", "auto", "--shards", "3"]].concat(),
        &[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ],
    );
    let manifest = |k: u32| s(&parts.join(format!("sweep-{k}-of-3.json")));
    // Given out of order, the shards merge in point order.
    dorasim(
        &[
            "merge",
            &manifest(2),
            &manifest(3),
            &manifest(1),
            "--out",
            &s(&merged),
        ],
        &[],
    );
    let (a, b) = (
        read(&full.join("sweep.csv")),
        read(&merged.join("sweep.csv")),
    );
    // 8 points × the metrics of a sweep row, plus the header.
    assert!(String::from_utf8_lossy(&a).lines().count() > 8);
    assert!(a == b, "merged sweep.csv differs from the unsharded one");
}
