//! A sensitivity study evaluated in three shards (flag, Kubernetes and Slurm job indices) and
//! merged with `dorasim merge` writes the same sensitivity.csv, sensitivity.json and tables as
//! the unsharded command; the merge refuses shards that are missing, duplicated or of another
//! study.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dorasim");
const SCHEDULER_VARS: &[&str] = &[
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_COUNT",
    "JOB_COMPLETION_INDEX",
    "DORASIM_SHARDS",
];

fn study(method: &str, seed: &str) -> Vec<String> {
    [
        "sensitivity",
        "scenarios/baseline.toml",
        "--param",
        "review.reviewers=2..6",
        "--param",
        "ai.adoption=0..1",
        "--method",
        method,
        "--trajectories",
        "3",
        "--samples",
        "4",
        "--runs",
        "2",
        "--seed",
        seed,
        "--threads",
        "2",
        "--set",
        "time.warmup_weeks=1",
        "--set",
        "time.horizon_weeks=2",
    ]
    .map(String::from)
    .to_vec()
}

fn dorasim(args: &[String], extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).args(extra);
    for var in SCHEDULER_VARS {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap_or_else(|e| panic!("{e}"))
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

fn err(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The terminal tables: everything before the list of written files (and the merge's note).
fn tables(stdout: &str) -> &str {
    let end = ["\nWrote:", "\nMerged"]
        .iter()
        .filter_map(|m| stdout.find(m))
        .min()
        .unwrap_or(stdout.len());
    &stdout[..end]
}

fn sharded_equals_unsharded(method: &str) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let s = |p: &Path| p.display().to_string();
    let (full, parts, merged) = (
        tmp.path().join("full"),
        tmp.path().join("parts"),
        tmp.path().join("merged"),
    );
    let args = study(method, "7");
    let unsharded = ok(&dorasim(&args, &["--out", &s(&full)], &[]));

    // Shard 1 from the flag, 2 from a Kubernetes Indexed Job, 3 from a Slurm job array.
    let out = ["--out", &s(&parts)];
    let first = ok(&dorasim(
        &args,
        &[&["--shard", "1/3"], &out[..]].concat(),
        &[],
    ));
    assert!(first.contains("sensitivity-1-of-3.json"), "{first}");
    ok(&dorasim(
        &args,
        &[&["--shard", "auto", "--shards", "3"], &out[..]].concat(),
        &[("JOB_COMPLETION_INDEX", "1")],
    ));
    ok(&dorasim(
        &args,
        &[&["--shard", "auto"], &out[..]].concat(),
        &[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
            ("DORASIM_SHARDS", "3"),
        ],
    ));
    assert!(!parts.join("sensitivity.csv").exists());

    let partial = |k: u32| s(&parts.join(format!("sensitivity-{k}-of-3.json")));
    let merge = |files: &[String]| {
        let mut a = vec!["merge".to_string()];
        a.extend(files.iter().cloned());
        dorasim(&a, &["--out", &s(&merged), "--force"], &[])
    };
    // Missing and duplicated shards are refused.
    let e = err(&merge(&[partial(1), partial(3)]));
    assert!(e.contains("missing shard(s) 2 of 3"), "{e}");
    let e = err(&merge(&[partial(1), partial(2), partial(2), partial(3)]));
    assert!(e.contains("appears twice"), "{e}");
    // A shard of another study (other seed) is refused.
    let other = tmp.path().join("other");
    ok(&dorasim(
        &study(method, "8"),
        &["--shard", "2/3", "--out", &s(&other)],
        &[],
    ));
    let foreign = s(&other.join("sensitivity-2-of-3.json"));
    let e = err(&merge(&[partial(1), foreign, partial(3)]));
    assert!(e.contains("seed"), "{e}");

    // Shards given out of order merge in point order.
    let merged_out = ok(&merge(&[partial(3), partial(1), partial(2)]));
    assert!(
        read(&full.join("sensitivity.csv")) == read(&merged.join("sensitivity.csv")),
        "sensitivity.csv differs"
    );
    assert!(
        read(&full.join("sensitivity.json")) == read(&merged.join("sensitivity.json")),
        "sensitivity.json differs"
    );
    assert_eq!(tables(&unsharded), tables(&merged_out));
    assert!(tables(&unsharded).contains("review.reviewers"));
}

#[test]
fn sobol_shards_merge_to_the_unsharded_study() {
    sharded_equals_unsharded("sobol");
}

#[test]
fn morris_shards_merge_to_the_unsharded_study() {
    sharded_equals_unsharded("morris");
}

#[test]
fn a_shard_needs_an_output_directory() {
    let e = err(&dorasim(&study("morris", "7"), &["--shard", "1/2"], &[]));
    assert!(e.contains("--shard needs --out"), "{e}");
}
