//! What every dorasim fuzz input goes through, shared by the libFuzzer targets in
//! `fuzz_targets/` and the stable mutation harness in `src/main.rs`.
//!
//! Input format (also used by the saved findings in `regressions/` that the main crate's
//! `tests/fuzz_regressions.rs` replays): the bytes up to the first NUL are the scenario text; each
//! NUL-separated piece after it is one `--set key=value` override. Bytes that are not UTF-8 are
//! replaced (`String::from_utf8_lossy`), so every input reaches the parser.

use dorasim::metrics::ledger::Lens;
use dorasim::model::Model;
use dorasim::model::guard::Guard;
use dorasim::model::timeline::Schedule;
use dorasim::runner::{self, RunPlan};

/// Splits a raw input into the scenario text and its `--set` overrides.
pub fn split_input(data: &[u8]) -> (String, Vec<String>) {
    let mut pieces = data.split(|&b| b == 0);
    let text = String::from_utf8_lossy(pieces.next().unwrap_or_default()).into_owned();
    let set = pieces
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    (text, set)
}

/// Overrides appended after the input's own for the `run` target, so every input that loads
/// runs in milliseconds: a one-week warm-up, a three-week horizon and a small events guard.
pub const SHORT_RUN: [&str; 3] = [
    "time.warmup_weeks=1",
    "time.horizon_weeks=3",
    "run.max_events_per_replication=50000",
];

/// The guard of the `run` target (the stable harness uses a looser one).
pub const SHORT_GUARD: Guard = Guard {
    max_events: 50_000,
    max_changes: 5_000,
};

/// The `run` target's pipeline: the input with `SHORT_RUN` appended to its overrides; if that
/// is rejected but the input loads without it (a timeline entry past week 3), the input as it
/// is. Both under `SHORT_GUARD`.
pub fn short_run(text: &str, set: &[String]) -> Result<(), String> {
    let mut short = set.to_vec();
    short.extend(SHORT_RUN.iter().map(|s| s.to_string()));
    let mut tally = Tally::default();
    exercise(text, &short, SHORT_GUARD, &mut tally)?;
    if tally.invalid > 0 {
        exercise(text, set, SHORT_GUARD, &mut tally)?;
    }
    Ok(())
}

/// The guard of the stable harness.
pub const HARNESS_GUARD: Guard = Guard {
    max_events: 300_000,
    max_changes: 20_000,
};

/// What one input did.
#[derive(Default)]
pub struct Tally {
    pub executions: u64,
    pub invalid: u64,
    pub timeline_errors: u64,
    pub guard_stops: u64,
    pub ran: u64,
    pub findings: u64,
}

/// Runs one input through the whole pipeline; `Err` is a finding that is not a panic.
pub fn exercise(text: &str, set: &[String], guard: Guard, tally: &mut Tally) -> Result<(), String> {
    let scenario = match dorasim::scenario::apply_overrides(text, "fuzz.toml", set) {
        Ok(s) => s,
        Err(errors) => {
            tally.invalid += 1;
            let shown = errors.to_string();
            if errors.is_empty() || !shown.contains("error") {
                return Err(format!("an error list that says nothing: {shown:?}"));
            }
            return Ok(());
        }
    };
    let schedule = match Schedule::build(&scenario.params, &scenario.timeline) {
        Ok(s) => s,
        Err(e) => {
            tally.timeline_errors += 1;
            let _ = e.to_string();
            return Ok(());
        }
    };
    // A short run: a tight guard bounds the time of every input.
    let model = Model::new(&schedule).with_guard(guard);
    let plan = RunPlan {
        seed: scenario.run.seed,
        runs: 2,
        threads: 1,
    };
    let summary = match runner::run_with_lens(&model, plan, scenario.run.lens, |_, _| Ok(())) {
        Ok(summary) => summary,
        Err(e) => {
            let message = e.to_string();
            if !message.contains("run.max_") {
                return Err(format!("a run error that names no guard: {message}"));
            }
            tally.guard_stops += 1;
            return Ok(());
        }
    };
    tally.ran += 1;
    let terminal = dorasim::output::terminal::render(&scenario, &summary, 1, Lens::Truth, true);
    // Whole words only: a description may well say "inflate".
    let words: Vec<&str> = terminal
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    for bad in ["NaN", "nan", "inf"] {
        if words.contains(&bad) {
            return Err(format!("`{bad}` in the terminal summary:\n{terminal}"));
        }
    }
    let json = dorasim::output::json::summary_json(&scenario, &summary, 1, Lens::Truth);
    let json = serde_json::to_string(&json).map_err(|e| format!("summary.json: {e}"))?;
    if json.contains("NaN") || json.contains("Infinity") {
        return Err("a non-finite number in summary.json".to_string());
    }
    let weekly = dorasim::output::csv_files::weekly_csv(&summary)?;
    if weekly.contains("NaN") || weekly.contains("inf") {
        return Err("a non-finite number in weekly.csv".to_string());
    }
    Ok(())
}
