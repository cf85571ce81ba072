//! Coverage-guided target: validation, schedule building and a short simulation of whatever
//! loads, then the terminal summary, `summary.json` and `weekly.csv`.
//!
//! The input is scenario text, then NUL-separated `--set` overrides (see `src/lib.rs`). It is
//! run with `dorasim_fuzz::SHORT_RUN` appended to its overrides (a one-week warm-up, a three-week
//! horizon, a 50,000-event guard); when that fails validation but the input loads without it (a
//! timeline entry past week 3), it runs with its own horizon. Either way the run is two
//! replications under `SHORT_GUARD` (50,000 events, 5,000 changes), so an input runs in
//! milliseconds. A finding is a panic (overflow checks and debug assertions are on),
//! a NaN or infinity in an output, a run error that names no guard, a hang (past libFuzzer's
//! `-timeout=`) or a memory blow-up (past `-rss_limit_mb=`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, set) = dorasim_fuzz::split_input(data);
    if let Err(finding) = dorasim_fuzz::short_run(&text, &set) {
        panic!("{finding}");
    }
});
