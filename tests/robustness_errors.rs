//! Table-driven end-to-end test of bad input: malformed scenario files and bad flags. Every case
//! runs the `dorasim` binary and must exit non-zero with a message that names the key path and
//! (for a scenario file) the line, and must never panic. `tests/scenario_errors.rs` checks the
//! structured errors of the library one class at a time; this table checks what the user reads.

use std::path::Path;
use std::process::{Command, Output};

/// One bad input.
struct Case {
    /// What the case covers.
    name: &'static str,
    /// Scenario file contents (written to a temporary `case.toml`), or `None` for flags only.
    file: Option<&'static str>,
    /// Arguments; `{file}` stands for the scenario file's path.
    args: &'static [&'static str],
    /// Texts stderr must contain; `{file}` stands for the path (`{file}:3:` = line 3).
    expect: &'static [&'static str],
}

const RUN: &[&str] = &["run", "{file}", "--runs", "1", "--threads", "1"];

fn file(name: &'static str, text: &'static str, expect: &'static [&'static str]) -> Case {
    Case {
        name,
        file: Some(text),
        args: RUN,
        expect,
    }
}

fn flags(
    name: &'static str,
    args: &'static [&'static str],
    expect: &'static [&'static str],
) -> Case {
    Case {
        name,
        file: None,
        args,
        expect,
    }
}

fn cases() -> Vec<Case> {
    vec![
        // Types.
        file(
            "string for a count",
            "[review]\nreviewers = \"many\"\n",
            &["review.reviewers", "{file}:2:", "whole number"],
        ),
        file(
            "number for a switch",
            "[time]\nworking_calendar = 3\n",
            &["time.working_calendar", "{file}:2:", "true or false"],
        ),
        file(
            "word for a share",
            "\n[ai]\nadoption = \"high\"\n",
            &["ai.adoption", "{file}:3:", "a number"],
        ),
        file(
            "fraction for a count",
            "[team]\ndevelopers = 3.5\n",
            &["team.developers", "{file}:2:", "whole number"],
        ),
        file(
            "table for a number",
            "[ai]\nadoption = { value = 1 }\n",
            &["ai.adoption", "{file}:2:"],
        ),
        file(
            "section given as a value",
            "review = 3\n",
            &["review", "{file}:1:", "table"],
        ),
        file(
            "string for a name",
            "name = 3\n",
            &["name", "{file}:1:", "string"],
        ),
        // Ranges, negative and huge numbers.
        file(
            "share above one",
            "[ai]\nadoption = 1.5\n",
            &["ai.adoption", "{file}:2:", "in [0, 1]"],
        ),
        file(
            "negative count",
            "[team]\ndevelopers = -3\n",
            &["team.developers", "{file}:2:", "[1, 100000]"],
        ),
        file(
            "zero reviewers",
            "[review]\nreviewers = 0\n",
            &["review.reviewers", "{file}:2:", "[1, 100000]"],
        ),
        file(
            "1e308 reviewers",
            "[review]\nreviewers = 1e308\n",
            &["review.reviewers", "{file}:2:", "1e308"],
        ),
        file(
            "huge team",
            "[team]\ndevelopers = 200000\n",
            &["team.developers", "{file}:2:", "100000"],
        ),
        file(
            "negative duration",
            "[pull_requests]\nreview_overhead_hours = -1\n",
            &[
                "pull_requests.review_overhead_hours",
                "{file}:2:",
                "in [0, 1000000]",
            ],
        ),
        file(
            "horizon beyond twenty years",
            "[time]\nhorizon_weeks = 2000\n",
            &["time.horizon_weeks", "{file}:2:", "1040"],
        ),
        file(
            "warm-up beyond ten years",
            "[time]\nwarmup_weeks = 600\nhorizon_weeks = 1000\n",
            &["time.warmup_weeks", "{file}:2:", "520"],
        ),
        file(
            "split size below the minimum",
            "[pull_requests]\nmax_loc = 5\n",
            &["pull_requests.max_loc", "{file}:2:", ">= 10"],
        ),
        file(
            "split size zero",
            "[pull_requests]\nmax_loc = 0\n",
            &["pull_requests.max_loc", "{file}:2:", ">= 10"],
        ),
        // NaN and infinity.
        file(
            "nan share",
            "[ai]\nadoption = nan\n",
            &["ai.adoption", "{file}:2:", "finite"],
        ),
        file(
            "infinite rate",
            "[demand]\nitems_per_week = inf\n",
            &["demand.items_per_week", "{file}:2:", "finite"],
        ),
        file(
            "minus infinity horizon",
            "[time]\nhorizon_weeks = -inf\n",
            &["time.horizon_weeks", "{file}:2:", "finite"],
        ),
        file(
            "nan in a distribution",
            "[review]\neffort_noise = { dist = \"lognormal\", median = nan, p90 = 2.0 }\n",
            &["review.effort_noise.median", "{file}:2:", "finite"],
        ),
        // Distributions.
        file(
            "empty lognormal",
            "[review]\neffort_noise = { dist = \"lognormal\" }\n",
            &[
                "review.effort_noise.median",
                "review.effort_noise.p90",
                "{file}:2:",
            ],
        ),
        file(
            "distribution without a name",
            "[review]\neffort_noise = { median = 1.0 }\n",
            &["review.effort_noise", "{file}:2:", "dist = one of"],
        ),
        file(
            "number for a distribution",
            "[review]\neffort_noise = 3\n",
            &["review.effort_noise", "{file}:2:", "distribution"],
        ),
        file(
            "p90 below the median",
            "[review]\neffort_noise = { dist = \"lognormal\", median = 4.0, p90 = 2.0 }\n",
            &["review.effort_noise", "{file}:2:", "p90 > median"],
        ),
        file(
            "gamma with zero shape",
            "[testing]\nci_hours = { dist = \"gamma\", shape = 0, scale = 1 }\n",
            &["testing.ci_hours", "{file}:2:", "shape > 0"],
        ),
        file(
            "uniform upside down",
            "[demand]\nfeature_size_loc = { dist = \"uniform\", min = 50, max = 10 }\n",
            &["demand.feature_size_loc", "{file}:2:", "min < max"],
        ),
        file(
            "negative sizes",
            "[demand]\nconfig_size_loc = { dist = \"triangular\", min = -5, mode = 1, max = 3 }\n",
            &["demand.config_size_loc", "{file}:2:", "0 <= min"],
        ),
        file(
            "misspelt distribution",
            "[review]\neffort_noise = { dist = \"lognormmal\", median = 1, p90 = 2 }\n",
            &[
                "review.effort_noise.dist",
                "{file}:2:",
                "did you mean `lognormal`",
            ],
        ),
        // Inconsistent settings.
        file(
            "warm-up not shorter than the horizon",
            "[time]\nwarmup_weeks = 30\nhorizon_weeks = 10\n",
            &[
                "time.warmup_weeks",
                "{file}:2:",
                "warmup_weeks < time.horizon_weeks",
            ],
        ),
        file(
            "working day past midnight",
            "[time]\nworkday_start_hour = 20\nhours_per_day = 8\n",
            &["time.hours_per_day", "{file}:3:", "<= 24"],
        ),
        file(
            "work item shares above one",
            "[demand]\nfeature_share = 0.8\nbugfix_share = 0.5\n",
            &["demand.bugfix_share", "{file}:3:", "<= 1"],
        ),
        file(
            "ramp beyond the horizon",
            "[time]\nhorizon_weeks = 10\n\n[[timeline]]\nkey = \"ai.adoption\"\nramp_weeks = [0, 40]\nto = 0.8\n",
            &["timeline[0].ramp_weeks", "{file}:6:", "outside the run"],
        ),
        file(
            "step beyond the horizon",
            "[time]\nhorizon_weeks = 10\n\n[[timeline]]\nkey = \"review.reviewers\"\nat_week = 12\nvalue = 8\n",
            &["timeline[0].at_week", "{file}:6:"],
        ),
        file(
            "ramp ending before it starts",
            "[[timeline]]\nkey = \"ai.adoption\"\nramp_weeks = [10, 5]\nto = 0.8\n",
            &["timeline[0].ramp_weeks", "{file}:3:", "from_week < to_week"],
        ),
        file(
            "timeline step to zero reviewers",
            "[[timeline]]\nkey = \"review.reviewers\"\nat_week = 4\nvalue = 0\n",
            &["timeline[0].value", "{file}:4:"],
        ),
        file(
            "timeline changes the horizon",
            "[[timeline]]\nkey = \"time.horizon_weeks\"\nat_week = 4\nvalue = 8\n",
            &["timeline[0].key", "{file}:2:", "cannot change"],
        ),
        // Unknown names.
        file(
            "misspelt section",
            "[reveiw]\nreviewers = 8\n",
            &["reveiw", "{file}:1:", "did you mean `review`"],
        ),
        file(
            "misspelt key",
            "[review]\nreviewrs = 8\n",
            &["review.reviewrs", "{file}:2:", "did you mean `reviewers`"],
        ),
        file(
            "misspelt choice",
            "[deploy]\npolicy = \"continous\"\n",
            &["deploy.policy", "{file}:2:", "did you mean `continuous`"],
        ),
        file(
            "TOML syntax error",
            "name = \"x\"\n[review]\nreviewers = \n",
            &["{file}:3:", "TOML syntax error"],
        ),
        file(
            "duplicate key",
            "[review]\nreviewers = 4\nreviewers = 5\n",
            &["{file}:3:", "TOML syntax error"],
        ),
        // [run] settings.
        file(
            "zero runs in the file",
            "[run]\nruns = 0\n",
            &["run.runs", "{file}:2:", ">= 1"],
        ),
        file(
            "negative seed",
            "[run]\nseed = -1\n",
            &["run.seed", "{file}:2:", ">= 0"],
        ),
        file(
            "misspelt lens",
            "[run]\nlens = \"four-key\"\n",
            &["run.lens", "{file}:2:", "did you mean `four-keys`"],
        ),
        file(
            "guard below its minimum",
            "[run]\nmax_events_per_replication = 10\n",
            &["run.max_events_per_replication", "{file}:2:", ">= 1000"],
        ),
        // Bad --set.
        flags(
            "--set word for a count",
            &["run", "--runs", "1", "--set", "review.reviewers=abc"],
            &["--set review.reviewers", "review.reviewers", "whole number"],
        ),
        flags(
            "sweep design too large to allocate",
            &[
                "sweep",
                "scenarios/baseline.toml",
                "--param",
                "ai.adoption=0..1",
                "--design",
                "lhs",
                "--points",
                "1000000000000",
                "--out",
                "{file}.d",
            ],
            &["--points 1000000000000", "100000"],
        ),
        flags(
            "sweep grid too large to check",
            &[
                "sweep",
                "scenarios/baseline.toml",
                "--param",
                "ai.adoption=0..1",
                "--param",
                "review.reviewers=1..20",
                "--param",
                "team.developers=1..50",
                "--points",
                "200",
                "--out",
                "{file}.d",
            ],
            &["200 × 200 × 200", "--design lhs"],
        ),
        flags(
            "Sobol study too large to allocate",
            &[
                "sensitivity",
                "scenarios/baseline.toml",
                "--param",
                "ai.adoption=0..1",
                "--method",
                "sobol",
                "--samples",
                "100000000000",
                "--runs",
                "2",
            ],
            &[
                "Sobol design has 300000000000 evaluation points",
                "--samples",
            ],
        ),
        flags(
            "Morris study too large to allocate",
            &[
                "sensitivity",
                "scenarios/baseline.toml",
                "--param",
                "ai.adoption=0..1",
                "--trajectories",
                "100000000000",
                "--runs",
                "2",
            ],
            &[
                "Morris design has 200000000000 evaluation points",
                "--trajectories",
            ],
        ),
        flags(
            "--set a number beyond a float",
            &["run", "--runs", "1", "--set", "ai.adoption=1e400"],
            &[
                "--set ai.adoption",
                "the number 1e400, too large",
                "in [0, 1]",
            ],
        ),
        flags(
            "--set without a value",
            &["run", "--runs", "1", "--set", "review.reviewers"],
            &["--set review.reviewers", "KEY=VALUE"],
        ),
        flags(
            "--set without a key",
            &["run", "--runs", "1", "--set", "=3"],
            &["--set =3", "key path"],
        ),
        flags(
            "--set misspelt key",
            &["run", "--runs", "1", "--set", "review.reviewrs=8"],
            &["review.reviewrs", "did you mean `review.reviewers`"],
        ),
        flags(
            "--set nan",
            &["run", "--runs", "1", "--set", "ai.adoption=nan"],
            &["--set ai.adoption", "finite"],
        ),
        flags(
            "--set huge horizon",
            &["run", "--runs", "1", "--set", "time.horizon_weeks=1e9"],
            &["--set time.horizon_weeks", "1040"],
        ),
        flags(
            "--set part of a distribution",
            &[
                "run",
                "--runs",
                "1",
                "--set",
                "review.effort_noise.median=2",
            ],
            &["review.effort_noise.median", "set it whole"],
        ),
        flags(
            "--set guard too low",
            &[
                "run",
                "--runs",
                "1",
                "--set",
                "run.max_changes_per_replication=1",
            ],
            &["run.max_changes_per_replication", ">= 100"],
        ),
        // Fuzz finding 2: 2^32 extra pull requests overflowed a defect counter.
        flags(
            "--set 2^32 extra pull requests",
            &[
                "run",
                "--runs",
                "1",
                "--set",
                "culture.extra_pull_requests=4294967296",
            ],
            &["--set culture.extra_pull_requests", "in [0, 1000]"],
        ),
        // Bad --runs, --threads, --seed, --lens.
        flags(
            "--runs 0",
            &["run", "--runs", "0"],
            &["--runs", "at least 1"],
        ),
        flags("--runs negative", &["run", "--runs", "-1"], &["--runs"]),
        flags(
            "--runs word",
            &["run", "--runs", "many"],
            &["--runs", "many"],
        ),
        flags(
            "--runs beyond u32",
            &["run", "--runs", "99999999999"],
            &["--runs"],
        ),
        flags(
            "--threads 0",
            &["run", "--runs", "1", "--threads", "0"],
            &["--threads", "at least 1"],
        ),
        flags(
            "--threads word",
            &["run", "--runs", "1", "--threads", "all"],
            &["--threads", "all"],
        ),
        flags(
            "--seed negative",
            &["run", "--runs", "1", "--seed", "-5"],
            &["--seed"],
        ),
        flags(
            "--seed beyond u64",
            &["run", "--runs", "1", "--seed", "99999999999999999999999"],
            &["--seed"],
        ),
        flags(
            "--lens typo",
            &["run", "--runs", "1", "--lens", "four-key"],
            &["--lens", "four-keys"],
        ),
        flags(
            "--events-replication beyond --runs",
            &[
                "run",
                "--runs",
                "2",
                "--events",
                "/tmp/dorasim-never-written",
                "--events-replication",
                "5",
            ],
            &["--events-replication 5", "2 replications"],
        ),
        // Commands and files.
        flags(
            "unknown command",
            &["rum"],
            &[
                "unrecognized subcommand",
                "a similar subcommand exists: 'run'",
            ],
        ),
        flags(
            "unknown flag",
            &["run", "--rnus", "3"],
            &["--rnus", "--runs"],
        ),
        flags(
            "missing scenario file",
            &["run", "/nonexistent/dir/x.toml", "--runs", "1"],
            &["/nonexistent/dir/x.toml", "cannot read the scenario file"],
        ),
        flags(
            "directory as scenario",
            &["run", "scenarios", "--runs", "1"],
            &["scenarios", "cannot read the scenario file"],
        ),
        flags(
            "validate a missing file",
            &["validate", "/nonexistent/x.toml"],
            &["/nonexistent/x.toml", "cannot read"],
        ),
    ]
}

fn dorasim(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cannot start dorasim: {e}"))
}

/// The problems of one case (empty when it behaved).
fn check(case: &Case, dir: &Path, index: usize) -> Vec<String> {
    let path = dir.join(format!("case{index}.toml"));
    let path_text = path.to_string_lossy().into_owned();
    if let Some(text) = case.file {
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {path_text}: {e}"));
    }
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| a.replace("{file}", &path_text))
        .collect();
    let out = dorasim(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut problems = Vec::new();
    match out.status.code() {
        None => problems.push("killed by a signal".to_string()),
        Some(0) => problems.push("exited 0".to_string()),
        Some(_) => {}
    }
    if stderr.contains("panicked") {
        problems.push("panicked".to_string());
    }
    for needle in case.expect {
        let needle = needle.replace("{file}", &path_text);
        if !stderr.contains(&needle) {
            problems.push(format!("no `{needle}`"));
        }
    }
    if problems.is_empty() {
        return problems;
    }
    vec![format!(
        "case `{}` (dorasim {}): {}\n--- stderr ---\n{stderr}",
        case.name,
        args.join(" "),
        problems.join("; ")
    )]
}

#[test]
fn every_bad_input_gets_a_clear_error() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary directory: {e}"));
    let failures: Vec<String> = cases
        .iter()
        .enumerate()
        .flat_map(|(i, case)| check(case, dir.path(), i))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn a_non_utf8_file_is_refused_without_panic() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary directory: {e}"));
    let path = dir.path().join("latin1.toml");
    std::fs::write(&path, b"name = \"caf\xe9\"\n[review]\nreviewers = 8\n")
        .unwrap_or_else(|e| panic!("cannot write: {e}"));
    let path_text = path.to_string_lossy().into_owned();
    for command in ["run", "validate"] {
        let out = dorasim(&[command.into(), path_text.clone()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(c) if c != 0),
            "{command}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stderr.contains(&path_text) && stderr.contains("UTF-8"),
            "{command}: {stderr}"
        );
    }
}

#[test]
fn an_empty_file_is_valid_and_means_the_defaults() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary directory: {e}"));
    let path = dir.path().join("empty.toml");
    std::fs::write(&path, "").unwrap_or_else(|e| panic!("cannot write: {e}"));
    let path_text = path.to_string_lossy().into_owned();
    let out = dorasim(&["validate".into(), path_text.clone()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = dorasim(&["run".into(), path_text, "--runs".into(), "2".into()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
