//! The scheduler's environment is read only with `--shard auto`: a command inside a Slurm job
//! array or a Kubernetes Indexed Job without `--shard` is an ordinary, unsharded command (an
//! array that runs one scenario per task just works), and `--shard auto` takes the Slurm task
//! ID as the shard number, so a resubmitted task runs its own shard. What `--shard auto` cannot
//! read unambiguously is refused with exit code 2.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dorasim");

/// Every variable `--shard auto` reads, removed from the test's own environment first.
const SCHEDULER_VARS: &[&str] = &[
    "SLURM_JOB_ID",
    "SLURM_ARRAY_JOB_ID",
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_STEP",
    "JOB_COMPLETION_INDEX",
    "DORASIM_SHARDS",
];

/// Task 3 of `sbatch --array=1-8`, as Slurm 22.05 sets it.
const SLURM_TASK_3_OF_8: &[(&str, &str)] = &[
    ("SLURM_JOB_ID", "103"),
    ("SLURM_ARRAY_JOB_ID", "100"),
    ("SLURM_ARRAY_TASK_ID", "3"),
    ("SLURM_ARRAY_TASK_MIN", "1"),
    ("SLURM_ARRAY_TASK_MAX", "8"),
    ("SLURM_ARRAY_TASK_COUNT", "8"),
    ("SLURM_ARRAY_TASK_STEP", "1"),
];

const RUN: &[&str] = &[
    "run",
    "scenarios/baseline.toml",
    "--runs",
    "40",
    "--seed",
    "7",
    "--threads",
    "2",
    "--set",
    "time.warmup_weeks=1",
    "--set",
    "time.horizon_weeks=3",
];

fn dorasim(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for var in SCHEDULER_VARS {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap_or_else(|e| panic!("{e}"))
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The message of a command refused as bad input (exit code 2).
fn refused(o: &Output) -> String {
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn a_slurm_or_kubernetes_environment_without_shard_runs_unsharded() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let s = |p: &Path| p.display().to_string();
    let plain = tmp.path().join("plain");
    ok(&dorasim(&[RUN, &["--out", &s(&plain)]].concat(), &[]));
    let kubernetes: &[(&str, &str)] = &[("JOB_COMPLETION_INDEX", "2"), ("DORASIM_SHARDS", "4")];
    for (name, env) in [("slurm", SLURM_TASK_3_OF_8), ("kubernetes", kubernetes)] {
        let dir = tmp.path().join(name);
        let stdout = ok(&dorasim(&[RUN, &["--out", &s(&dir)]].concat(), env));
        assert!(!stdout.contains("shard"), "{name}: {stdout}");
        // The whole run's files, not a shard's partial, and the same bytes.
        assert_eq!(
            names(&dir),
            ["replications.csv", "summary.json", "weekly.csv"],
            "{name}"
        );
        for file in ["replications.csv", "weekly.csv"] {
            assert!(
                read(&dir.join(file)) == read(&plain.join(file)),
                "{name}: {file} differs from the run outside the array"
            );
        }
    }

    // A sweep too: sweep.csv, not sweep-3-of-8.csv.
    let sweep = tmp.path().join("sweep");
    ok(&dorasim(
        &[
            "sweep",
            "scenarios/baseline.toml",
            "--param",
            "review.reviewers=2,4",
            "--runs",
            "2",
            "--threads",
            "2",
            "--set",
            "time.warmup_weeks=1",
            "--set",
            "time.horizon_weeks=2",
            "--out",
            &s(&sweep),
        ],
        SLURM_TASK_3_OF_8,
    ));
    assert!(sweep.join("sweep.csv").exists(), "{:?}", names(&sweep));
    assert!(!sweep.join("sweep-3-of-8.csv").exists());
}

#[test]
fn shard_auto_takes_the_slurm_task_id_as_the_shard_even_when_resubmitted_alone() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let parts = tmp.path().join("parts");
    let out = parts.display().to_string();
    // `sbatch --array=2` on its own: a one-task array whose task is shard 2 of 3.
    let resubmitted: &[(&str, &str)] = &[
        ("SLURM_ARRAY_TASK_ID", "2"),
        ("SLURM_ARRAY_TASK_MIN", "2"),
        ("SLURM_ARRAY_TASK_MAX", "2"),
        ("SLURM_ARRAY_TASK_COUNT", "1"),
        ("SLURM_ARRAY_TASK_STEP", "1"),
    ];
    let args = [RUN, &["--out", &out, "--shard", "auto", "--shards", "3"]].concat();
    let stdout = ok(&dorasim(&args, resubmitted));
    assert!(stdout.contains("shard 2/3"), "{stdout}");
    assert_eq!(
        names(&parts),
        ["partial-2-of-3.json", "replications-2-of-3.csv"]
    );
    // The same shard from the flag writes the same rows.
    let flag = tmp.path().join("flag");
    let flag_out = flag.display().to_string();
    ok(&dorasim(
        &[RUN, &["--out", &flag_out, "--shard", "2/3"]].concat(),
        &[],
    ));
    assert!(
        read(&parts.join("replications-2-of-3.csv")) == read(&flag.join("replications-2-of-3.csv"))
    );
}

#[test]
fn shard_auto_refuses_what_it_cannot_map_with_exit_code_2() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = tmp.path().join("out").display().to_string();
    let run = |extra: &[&str], env: &[(&str, &str)]| {
        refused(&dorasim(&[RUN, &["--out", &out], extra].concat(), env))
    };
    // A Slurm array without a stated number of shards.
    let e = run(&["--shard", "auto"], SLURM_TASK_3_OF_8);
    assert!(
        e.contains("--shard auto in Slurm array task 3 needs the number of shards"),
        "{e}"
    );
    assert!(e.contains("--shard \"${SLURM_ARRAY_TASK_ID}/N\""), "{e}");
    // A 0-based array.
    let zero_based: &[(&str, &str)] = &[
        ("SLURM_ARRAY_TASK_ID", "5"),
        ("SLURM_ARRAY_TASK_MIN", "0"),
        ("SLURM_ARRAY_TASK_MAX", "7"),
        ("SLURM_ARRAY_TASK_COUNT", "8"),
    ];
    let e = run(&["--shard", "auto", "--shards", "8"], zero_based);
    assert!(e.contains("SLURM_ARRAY_TASK_MIN=0"), "{e}");
    assert!(e.contains("sbatch --array=1-8"), "{e}");
    // Outside any array; --shards without --shard auto.
    let e = run(&["--shard", "auto", "--shards", "8"], &[]);
    assert!(e.contains("--shard auto found no job index"), "{e}");
    let e = run(&["--shards", "8"], SLURM_TASK_3_OF_8);
    assert!(
        e.contains("--shards 8 is only read with --shard auto"),
        "{e}"
    );
    // Nothing was written.
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn the_shipped_recipes_ask_for_their_shard() {
    // Without --shard the recipes' commands would run the whole study in every task.
    let read_text = |p: &str| String::from_utf8(read(Path::new(p))).unwrap_or_default();
    let slurm = read_text("docs/cluster/slurm-sweep.sh");
    assert!(
        slurm.contains("--shard auto --shards \"$SHARDS\""),
        "docs/cluster/slurm-sweep.sh"
    );
    assert!(slurm.contains("#SBATCH --array=1-16"));
    assert!(slurm.contains("SHARDS=\"${SHARDS:-16}\""));
    let kubernetes: Vec<String> = read_text("docs/cluster/k8s-indexed-job.yaml")
        .lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim().to_string())
        .collect();
    let shard_at = kubernetes.iter().position(|l| l == "- --shard");
    assert_eq!(
        shard_at
            .and_then(|i| kubernetes.get(i + 1))
            .map(String::as_str),
        Some("- auto"),
        "docs/cluster/k8s-indexed-job.yaml"
    );
    assert!(kubernetes.iter().any(|l| l == "completions: 16"));
    assert!(kubernetes.iter().any(|l| l == "value: \"16\""));
}
