//! End-to-end tests of the `dorasim` binary: exit codes and what the user reads.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dorasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cannot start dorasim: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn describe(args: &[&str], out: &Output) -> String {
    format!(
        "dorasim {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        args.join(" "),
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    )
}

fn succeeds(args: &[&str]) -> Output {
    let out = dorasim(args);
    assert!(
        out.status.success(),
        "expected success:\n{}",
        describe(args, &out)
    );
    out
}

fn fails(args: &[&str]) -> Output {
    let out = dorasim(args);
    assert!(
        !out.status.success(),
        "expected failure:\n{}",
        describe(args, &out)
    );
    assert!(
        out.status.code().is_some(),
        "terminated by a signal (a panic or crash?):\n{}",
        describe(args, &out)
    );
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "the binary panicked:\n{}",
        describe(args, &out)
    );
    out
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"))
}

fn path_str(p: &Path) -> &str {
    p.to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 temp path {}", p.display()))
}

#[test]
fn run_embedded_default_prints_the_dora_metrics() {
    let out = succeeds(&["run", "--runs", "20"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Change fail rate"),
        "no `Change fail rate` in:\n{stdout}"
    );
}

#[test]
fn every_shipped_scenario_runs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenarios in {}", dir.display());
    for file in &files {
        let out = succeeds(&["run", path_str(file), "--runs", "10"]);
        assert!(
            text(&out.stdout).contains("Change fail rate"),
            "{}: no summary printed",
            file.display()
        );
        succeeds(&["validate", path_str(file)]);
    }
}

#[test]
fn validate_reports_every_problem_with_file_line_key_and_suggestion() {
    let tmp = temp_dir();
    let file = tmp.path().join("broken.toml");
    let scenario = "\
name = \"broken\"

[review]
reviewrs = 8

[ai]
adoption = nan

[time]
warmup_weeks = 30
horizon_weeks = 10
";
    std::fs::write(&file, scenario).unwrap_or_else(|e| panic!("cannot write scenario: {e}"));
    let name = path_str(&file);
    let out = fails(&["validate", name]);
    let stderr = text(&out.stderr);
    let expect = |needle: &str| {
        assert!(
            stderr.contains(needle),
            "stderr lacks `{needle}`:\n{stderr}"
        );
    };
    // The unknown key: where, which key, and the fix.
    expect(&format!("{name}:4:"));
    expect("review.reviewrs");
    expect("did you mean `reviewers`?");
    // The NaN.
    expect(&format!("{name}:7:"));
    expect("ai.adoption");
    // Warm-up longer than the horizon.
    expect(&format!("{name}:10:"));
    expect("time.warmup_weeks");
    // `run` refuses the same file.
    fails(&["run", name, "--runs", "1"]);
}

#[test]
fn out_directory_is_not_overwritten_without_force() {
    let tmp = temp_dir();
    let dir = tmp.path().join("results");
    let dir_s = path_str(&dir);
    succeeds(&["run", "--runs", "5", "--out", dir_s]);
    let names = ["replications.csv", "weekly.csv", "summary.json"];
    let read = |name: &str| {
        std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
    };
    let before: Vec<Vec<u8>> = names.iter().map(|n| read(n)).collect();
    assert!(
        before.iter().all(|b| !b.is_empty()),
        "an output file is empty"
    );
    // A different seed would write different files, so intact files prove nothing was written.
    let out = fails(&["run", "--runs", "5", "--seed", "1", "--out", dir_s]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--force"),
        "no hint about --force:\n{stderr}"
    );
    for (name, old) in names.iter().zip(&before) {
        assert!(read(name) == *old, "{name} changed after the refused run");
    }
    let entries = std::fs::read_dir(&dir)
        .map(|d| d.count())
        .unwrap_or_else(|e| panic!("cannot list {dir_s}: {e}"));
    assert_eq!(entries, names.len(), "stray files left in {dir_s}");
    // With --force it overwrites.
    succeeds(&[
        "run", "--runs", "5", "--seed", "1", "--out", dir_s, "--force",
    ]);
    assert!(
        read("replications.csv") != before[0],
        "--force did not rewrite replications.csv"
    );
}

#[test]
fn params_lists_review_reviewers() {
    let out = succeeds(&["params"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("review.reviewers"),
        "no review.reviewers in:\n{stdout}"
    );
}

#[test]
fn bad_override_value_is_explained() {
    let out = fails(&["run", "--runs", "2", "--set", "review.reviewers=abc"]);
    let stderr = text(&out.stderr);
    for needle in ["review.reviewers", "abc", "whole number"] {
        assert!(
            stderr.contains(needle),
            "stderr lacks `{needle}`:\n{stderr}"
        );
    }
}

#[test]
fn zero_runs_is_refused() {
    let out = fails(&["run", "--runs", "0"]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--runs"),
        "stderr does not name --runs:\n{stderr}"
    );
}

/// Options a study cannot use are refused with a message naming them, never silently changed
/// or ignored: too many threads, one key varied twice, a run setting as a design parameter,
/// too few Morris trajectories or Sobol samples. Each command is refused before any replication.
#[test]
fn unusable_study_options_are_refused_not_adjusted() {
    let dir = temp_dir();
    let out = path_str(dir.path());
    let cases: [(&[&str], &str); 6] = [
        (
            &["run", "--threads", "10000", "--runs", "2"],
            "at most 1024",
        ),
        (&["calibration", "--threads", "5000"], "at most 1024"),
        (
            &[
                "sweep",
                "scenarios/baseline.toml",
                "--param",
                "review.reviewers=2,3",
                "--param",
                "review.reviewers=4",
                "--runs",
                "2",
                "--out",
                out,
            ],
            "given twice",
        ),
        (
            &[
                "sweep",
                "scenarios/baseline.toml",
                "--param",
                "run.runs=1,2",
                "--runs",
                "2",
                "--out",
                out,
            ],
            "use --runs",
        ),
        (
            &[
                "sensitivity",
                "scenarios/baseline.toml",
                "--param",
                "ai.adoption=0..1",
                "--trajectories",
                "0",
                "--runs",
                "2",
            ],
            "at least 2",
        ),
        (
            &[
                "sensitivity",
                "scenarios/baseline.toml",
                "--param",
                "ai.adoption=0..1",
                "--method",
                "sobol",
                "--samples",
                "2",
                "--runs",
                "2",
            ],
            "at least 4",
        ),
    ];
    for (args, expected) in cases {
        let stderr = text(&fails(args).stderr);
        assert!(
            stderr.contains(expected),
            "no `{expected}` for {args:?}:\n{stderr}"
        );
    }
    // Nothing was written for the refused sweeps.
    assert!(!dir.path().join("sweep.csv").exists());
}

#[test]
fn run_and_compare_report_the_mean_and_working_hours_lead_time_beside_the_median() {
    let tmp = temp_dir();
    let results = tmp.path().join("results");
    let short = [
        "--set",
        "time.warmup_weeks=1",
        "--set",
        "time.horizon_weeks=4",
    ];
    let mut args = vec![
        "run",
        "scenarios/baseline.toml",
        "--runs",
        "12",
        "--threads",
        "2",
        "--out",
    ];
    args.push(path_str(&results));
    args.extend(short);
    let stdout = text(&succeeds(&args).stdout);
    for label in [
        "Change lead time, median (hours)",
        "Change lead time, mean (hours)",
        "Change lead time, median in working hours (hours)",
    ] {
        assert!(stdout.contains(label), "no `{label}` in:\n{stdout}");
    }

    let json = std::fs::read_to_string(results.join("summary.json"))
        .unwrap_or_else(|e| panic!("summary.json: {e}"));
    let summary: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("summary.json: {e}"));
    let mean_of = |key: &str| {
        summary["metrics"][key]["mean"]
            .as_f64()
            .unwrap_or_else(|| panic!("summary.json: no mean for `{key}`"))
    };
    let (median, mean, working) = (
        mean_of("lead_time_p50_hours"),
        mean_of("lead_time_mean_hours"),
        mean_of("lead_time_working_p50_hours"),
    );
    assert!(
        working > 0.0 && working < median && median < mean,
        "working {working}, median {median}, mean {mean}"
    );
    // The two-clusters check is reported for the median (null: 12 replications are too few),
    // and the notes list is there, empty.
    assert!(summary["metrics"]["lead_time_p50_hours"]["two_modes"].is_null());
    assert!(
        summary["metrics"]["lead_time_p50_hours"]
            .as_object()
            .is_some_and(|m| m.contains_key("two_modes"))
    );
    assert_eq!(summary["notes"], serde_json::json!([]));
    let csv = std::fs::read_to_string(results.join("replications.csv"))
        .unwrap_or_else(|e| panic!("replications.csv: {e}"));
    let header = csv.lines().next().unwrap_or_default();
    assert!(
        header.contains(",lead_time_mean_hours,")
            && header.contains(",lead_time_working_p50_hours,")
    );

    let compared = tmp.path().join("compared");
    let mut args = vec![
        "compare",
        "scenarios/baseline.toml",
        "scenarios/release-train.toml",
        "--runs",
        "8",
        "--threads",
        "2",
        "--out",
    ];
    args.push(path_str(&compared));
    args.extend(short);
    let stdout = text(&succeeds(&args).stdout);
    for label in [
        "Change lead time, median (hours), lower is better",
        "Change lead time, mean (hours), lower is better",
        "Change lead time, median in working hours (hours), lower is better",
    ] {
        assert!(
            stdout.contains(label),
            "compare: no `{label}` in:\n{stdout}"
        );
    }
    let csv = std::fs::read_to_string(compared.join("compare.csv"))
        .unwrap_or_else(|e| panic!("compare.csv: {e}"));
    for key in ["lead_time_mean_hours", "lead_time_working_p50_hours"] {
        assert_eq!(
            csv.lines()
                .filter(|l| l.starts_with(&format!("{key},")))
                .count(),
            2,
            "compare.csv: `{key}` should have one row per scenario"
        );
    }
}

/// A scenario file with a tiny runaway guard and the GitLab lens, written into `dir`.
fn guarded_gitlab_scenario(dir: &Path, max_events: u64) -> PathBuf {
    let path = dir.join("guarded.toml");
    std::fs::write(
        &path,
        format!(
            "name = \"guarded\"\n[run]\nmax_events_per_replication = {max_events}\nlens = \"gitlab\"\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    path
}

/// Issue 10, item 4: every command builds its model from the scenario the same way, so a
/// scenario's `[run]` guard stops runaway replications in run, compare, sweep, sensitivity and
/// a shard alike (each exits with the guard's message, never runs unguarded).
#[test]
fn every_command_honours_the_scenarios_guard() {
    let dir = temp_dir();
    let scenario = guarded_gitlab_scenario(dir.path(), 2000);
    let s = path_str(&scenario);
    let out = |name: &str| dir.path().join(name).display().to_string();
    let (sweep_out, shard_out) = (out("sweep"), out("shard"));
    let commands: [Vec<&str>; 5] = [
        vec!["run", s, "--runs", "4"],
        vec!["compare", s, s, "--runs", "4"],
        vec![
            "sweep",
            s,
            "--param",
            "ai.adoption=0,1",
            "--runs",
            "2",
            "--out",
            &sweep_out,
        ],
        vec![
            "sensitivity",
            s,
            "--param",
            "ai.adoption=0..1",
            "--trajectories",
            "2",
            "--runs",
            "2",
        ],
        vec![
            "run", s, "--runs", "4", "--shard", "2/2", "--out", &shard_out,
        ],
    ];
    for args in &commands {
        let out = fails(args);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{args:?}: exit code of a guard stop"
        );
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("stopped by the guard `run.max_events_per_replication` (2000 events)"),
            "{args:?} did not stop at the scenario's guard:\n{stderr}"
        );
    }
}

/// A scenario's `[run] lens` is the default lens of every command that reads a dashboard: run,
/// compare and a shard. (Sweep and sensitivity report true-ledger metrics only, and take the same
/// lens through the same function.)
#[test]
fn every_command_reads_the_dashboard_through_the_scenarios_lens() {
    let dir = temp_dir();
    let scenario = guarded_gitlab_scenario(dir.path(), 20_000_000);
    let s = path_str(&scenario);
    let run_dir = dir.path().join("run");
    succeeds(&["run", s, "--runs", "3", "--out", path_str(&run_dir)]);
    let summary = std::fs::read_to_string(run_dir.join("summary.json")).unwrap_or_default();
    assert!(summary.contains("\"lens\": \"gitlab\""), "{summary}");

    let compare = text(&succeeds(&["compare", s, s, "--runs", "3"]).stdout);
    assert!(compare.contains("A `gitlab`, B `gitlab`"), "{compare}");
    assert!(compare.contains("Change fail rate (measured)"), "{compare}");

    let shard_dir = dir.path().join("shard");
    succeeds(&[
        "run",
        s,
        "--runs",
        "3",
        "--shard",
        "1/1",
        "--out",
        path_str(&shard_dir),
    ]);
    let partial =
        std::fs::read_to_string(shard_dir.join("partial-1-of-1.json")).unwrap_or_default();
    assert!(partial.contains("\"lens\":\"gitlab\"") || partial.contains("\"lens\": \"gitlab\""));
}

/// A run with `--set` says so in its header and report, records the run's own settings, and its
/// report's "to reproduce" command carries the overrides.
#[test]
fn a_run_with_overrides_is_labelled_and_reproducible_from_its_report() {
    let dir = temp_dir();
    let run_dir = dir.path().join("run");
    let report = dir.path().join("report.html");
    let args = [
        "run",
        "scenarios/baseline.toml",
        "--set",
        "ai.adoption=0.8",
        "--runs",
        "20",
        "--out",
        path_str(&run_dir),
        "--report",
        path_str(&report),
    ];
    let stdout = text(&succeeds(&args).stdout);
    assert!(
        stdout.contains("Changed by --set ai.adoption=0.8."),
        "{stdout}"
    );
    let html = std::fs::read_to_string(&report).unwrap_or_default();
    assert!(html.contains("Changed by --set ai.adoption=0.8."));
    assert!(
        html.contains(
            "dorasim run scenarios/baseline.toml --set ai.adoption=0.8 --runs 20 --seed 42 --lens truth"
        ),
        "the report's reproduce command lacks the overrides"
    );
    let summary = std::fs::read_to_string(run_dir.join("summary.json")).unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&summary).unwrap_or_default();
    assert_eq!(json["scenario"]["run"]["runs"], 20);
    assert_eq!(json["scenario"]["overrides"][0], "ai.adoption=0.8");
}

/// Compare shows the dashboard beside the truth when the cultures differ, and not when neither
/// scenario's dashboard can differ from its truth.
#[test]
fn compare_shows_the_dashboard_when_cultures_differ() {
    let two_cultures = text(
        &succeeds(&[
            "compare",
            "scenarios/baseline.toml",
            "scenarios/surveillance.toml",
            "--runs",
            "10",
        ])
        .stdout,
    );
    assert!(two_cultures.contains("because the scenarios' cultures differ"));
    assert!(two_cultures.contains("Change fail rate (measured)"));
    let same = text(
        &succeeds(&[
            "compare",
            "scenarios/baseline.toml",
            "scenarios/ai-rollout.toml",
            "--runs",
            "10",
        ])
        .stdout,
    );
    assert!(!same.contains("(measured)"), "{same}");
}

/// Issue 11: a sweep resumes only the study that wrote its CSV. The same command resumes; a
/// different seed, other `--set` overrides or an edited scenario file are refused, naming what
/// differs, and the CSV is left as it was.
#[test]
fn a_sweep_resumes_only_its_own_study() {
    let dir = temp_dir();
    let scenario = dir.path().join("team.toml");
    std::fs::write(&scenario, "name = \"team\"\n[review]\nreviewers = 6\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("sweep");
    let (s, o) = (path_str(&scenario), path_str(&out));
    let sweep = [
        "sweep",
        s,
        "--param",
        "ai.adoption=0,0.5",
        "--runs",
        "3",
        "--out",
        o,
    ];
    succeeds(&sweep);
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap_or_default();
    let again = text(&succeeds(&sweep).stdout);
    assert!(
        again.contains("2 already done (skipped), 0 computed"),
        "{again}"
    );

    let with = |extra: &[&'static str]| {
        let mut args: Vec<&str> = sweep.to_vec();
        args.extend_from_slice(extra);
        text(&fails(&args).stderr)
    };
    assert!(with(&["--seed", "7"]).contains("the seed was 42, now 7"));
    assert!(with(&["--set", "review.reviewers=3"]).contains("the scenario (after --set) differs"));
    std::fs::write(&scenario, "name = \"team\"\n[review]\nreviewers = 9\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let edited = text(&fails(&sweep).stderr);
    assert!(
        edited.contains("the scenario (after --set) differs"),
        "{edited}"
    );
    assert!(edited.contains("--force"), "{edited}");
    assert_eq!(
        std::fs::read_to_string(out.join("sweep.csv")).unwrap_or_default(),
        csv,
        "a refused resume changed the CSV"
    );
}

/// Issue 11: `merge` verifies each shard's replications file against the size and checksum its
/// partial recorded: a truncated file, or one from another run, is refused (and nothing is
/// written), while the untouched shards merge.
#[test]
fn merge_refuses_a_truncated_or_foreign_shard_file() {
    let dir = temp_dir();
    let shards = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        for k in ["1/2", "2/2"] {
            let mut args = vec![
                "run",
                "scenarios/baseline.toml",
                "--runs",
                "130",
                "--shard",
                k,
                "--out",
                path_str(&out),
            ];
            args.extend_from_slice(extra);
            succeeds(&args);
        }
        out
    };
    let a = shards("a", &[]);
    let b = shards("b", &["--set", "ai.adoption=0.5"]);
    let merged = dir.path().join("merged");
    let merge = |parts: &Path| {
        let p1 = parts.join("partial-1-of-2.json");
        let p2 = parts.join("partial-2-of-2.json");
        dorasim(&[
            "merge",
            path_str(&p1),
            path_str(&p2),
            "--out",
            path_str(&merged),
            "--force",
        ])
    };
    assert!(merge(&a).status.success());

    // Another run's rows under this shard's name.
    let rows = a.join("replications-2-of-2.csv");
    let original = std::fs::read(&rows).unwrap_or_default();
    std::fs::copy(b.join("replications-2-of-2.csv"), &rows).unwrap_or_else(|e| panic!("{e}"));
    let out = merge(&a);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("re-run that shard"),
        "{}",
        text(&out.stderr)
    );

    // The right rows, cut short.
    std::fs::write(&rows, &original[..original.len() / 2]).unwrap_or_else(|e| panic!("{e}"));
    let out = merge(&a);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("cut short or edited"),
        "{}",
        text(&out.stderr)
    );
}

/// Issue 11: a scenario name that a spreadsheet would run as a formula is neutralised in
/// compare.csv, and escape sequences in it never reach the terminal.
#[test]
fn hostile_scenario_names_are_neutralised() {
    let dir = temp_dir();
    let scenario = dir.path().join("evil.toml");
    std::fs::write(&scenario, "name = \"=HYPERLINK(1)\\u001b[31m\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("cmp");
    let s = path_str(&scenario);
    let stdout = succeeds(&["compare", s, s, "--runs", "3", "--out", path_str(&out)]).stdout;
    assert!(
        !stdout.contains(&0x1b),
        "an escape character reached the terminal"
    );
    let run = succeeds(&["run", s, "--runs", "2"]).stdout;
    assert!(
        !run.contains(&0x1b),
        "an escape character reached the terminal"
    );
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap_or_default();
    assert!(csv.contains(",'=HYPERLINK(1)"), "{csv}");
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
}

/// Issue 11: `--report` is checked before anything runs: an existing file is replaced only with
/// `--force` (so `--report scenario.toml` cannot eat the scenario), and a device or a directory
/// never.
#[test]
fn report_paths_are_checked_before_the_run() {
    let dir = temp_dir();
    let existing = dir.path().join("mine.toml");
    std::fs::write(&existing, "name = \"mine\"\n").unwrap_or_else(|e| panic!("{e}"));
    let e = path_str(&existing);
    let stderr = text(&fails(&["run", e, "--runs", "2", "--report", e]).stderr);
    assert!(stderr.contains("already exists; pass --force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap_or_default(),
        "name = \"mine\"\n"
    );
    let stderr = text(
        &fails(&[
            "compare",
            e,
            e,
            "--runs",
            "2",
            "--report",
            "/dev/null",
            "--force",
        ])
        .stderr,
    );
    assert!(
        stderr.contains("is a device, not a regular file"),
        "{stderr}"
    );
    let d = path_str(dir.path());
    let stderr = text(&fails(&["run", e, "--runs", "2", "--report", d, "--force"]).stderr);
    assert!(stderr.contains("is a directory"), "{stderr}");
}

/// Issue 11: a second run into the `--out` of a run still writing is refused (the first holds
/// the output set's lock), and a later run removes the temporary files a killed run left.
#[test]
fn a_second_writer_to_the_same_out_is_refused() {
    let dir = temp_dir();
    let out = dir.path().join("results");
    let o = path_str(&out);
    let mut first = Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .args(["run", "--runs", "1000000", "--threads", "1", "--out", o])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Wait until the first run has taken its lock and started writing.
    let started = std::time::Instant::now();
    let writing = || {
        std::fs::read_dir(&out).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().contains(".partial-"))
        })
    };
    while !writing() && started.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(writing(), "the first run never started writing");
    let second = dorasim(&["run", "--runs", "2", "--out", o, "--force"]);
    let _ = first.kill();
    let _ = first.wait();
    assert!(!second.status.success());
    assert!(
        text(&second.stderr).contains("another dorasim process is writing its run results"),
        "{}",
        text(&second.stderr)
    );
    // The killed run left a temporary file; the next run removes it and publishes its set.
    succeeds(&["run", "--runs", "2", "--out", o]);
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".partial-"))
                .collect()
        })
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Issue 11: errors say the OS error once, name what was expected, cut echoed text and stop
/// after a bounded number of problems with a count of the rest.
#[test]
fn errors_are_bounded_and_say_things_once() {
    let dir = temp_dir();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap_or_else(|e| panic!("{e}"));
    let stderr = text(&fails(&["run", "--runs", "2", "--out", path_str(&file)]).stderr);
    assert!(stderr.contains("is a file, not a directory"), "{stderr}");

    let missing = dir.path().join("no-such-dir").join("deeper");
    let report = text(&fails(&["report", path_str(&missing)]).stderr);
    assert_eq!(report.matches("os error 2").count(), 1, "{report}");

    let many = dir.path().join("many.toml");
    let mut toml = String::from("[review]\n");
    for i in 0..300 {
        toml.push_str(&format!("bad_key_{i} = 1\n"));
    }
    toml.push_str(&format!("[team]\ndevelopers = \"{}\"\n", "x".repeat(5000)));
    std::fs::write(&many, toml).unwrap_or_else(|e| panic!("{e}"));
    let out = fails(&["validate", path_str(&many)]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("and 251 more errors not shown"), "{all}");
    assert!(all.contains("301 errors"), "{all}");
    assert!(all.len() < 40_000, "{} bytes of errors", all.len());
    let long = dir.path().join("long.toml");
    std::fs::write(
        &long,
        format!("[team]\ndevelopers = \"{}\"\n", "x".repeat(5000)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = fails(&["validate", path_str(&long)]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("(5013 characters)"), "{all}");
    assert!(all.len() < 2_000, "{} bytes", all.len());
}

/// A shard left without replications (fewer 64-replication blocks than shards) says so instead
/// of finishing silently; its (empty) partial still merges with the others.
#[test]
fn an_empty_shard_says_so() {
    let dir = temp_dir();
    let o = path_str(dir.path());
    let first = text(&succeeds(&["run", "--runs", "4", "--shard", "1/2", "--out", o]).stdout);
    assert!(
        first.contains("shard 1/2 has no replications to run"),
        "{first}"
    );
    let second = text(&succeeds(&["run", "--runs", "4", "--shard", "2/2", "--out", o]).stdout);
    assert!(!second.contains("no replications"), "{second}");
    let p1 = dir.path().join("partial-1-of-2.json");
    let p2 = dir.path().join("partial-2-of-2.json");
    let merged = dir.path().join("merged");
    succeeds(&[
        "merge",
        path_str(&p1),
        path_str(&p2),
        "--out",
        path_str(&merged),
    ]);
}

/// For scripts: `--json` prints the summary (the contents of summary.json) and nothing else on
/// stdout; `--quiet` prints nothing and still writes --out.
#[test]
fn run_speaks_json_or_stays_quiet_for_scripts() {
    let dir = temp_dir();
    let out = dir.path().join("results");
    let stdout = succeeds(&["run", "--runs", "3", "--json", "--out", path_str(&out)]).stdout;
    let json: serde_json::Value =
        serde_json::from_slice(&stdout).unwrap_or_else(|e| panic!("stdout is not JSON: {e}"));
    assert_eq!(json["runs"], 3);
    assert!(json["metrics"]["change_fail_rate"]["mean"].is_number());
    let file = std::fs::read(out.join("summary.json")).unwrap_or_default();
    assert_eq!(stdout.trim_ascii_end(), file.trim_ascii_end());

    let quiet = dir.path().join("quiet");
    let stdout = succeeds(&["run", "--runs", "3", "--quiet", "--out", path_str(&quiet)]).stdout;
    assert!(stdout.is_empty(), "{}", text(&stdout));
    assert!(quiet.join("summary.json").exists());
    fails(&["run", "--runs", "3", "--quiet", "--json"]);
}

/// Shell completions and the manual page come from the same command-line definition as the
/// parser, so they list every command and flag.
#[test]
fn completions_and_man_page_are_derived_from_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let script = text(&succeeds(&["completions", shell]).stdout);
        for word in ["calibration", "sensitivity", "runs", "lens"] {
            assert!(script.contains(word), "{shell} completions lack `{word}`");
        }
    }
    let man = text(&succeeds(&["man"]).stdout);
    assert!(man.contains(".TH dorasim 1"), "{man}");
    assert!(
        man.contains("calibration"),
        "the man page lacks the commands"
    );
    fails(&["completions", "tcsh"]);
}
