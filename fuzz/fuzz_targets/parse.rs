//! Coverage-guided target: scenario parsing and validation only.
//!
//! The input is scenario text, then NUL-separated `--set` overrides (see `src/lib.rs`). It goes
//! through `dorasim::scenario::load_str` (the text alone) and `apply_overrides` (the text with
//! its overrides). A finding is a panic, an error list that is empty or says nothing, a hang (past
//! libFuzzer's `-timeout=`) or a memory blow-up (past `-rss_limit_mb=`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, set) = dorasim_fuzz::split_input(data);
    let check = |result: Result<dorasim::scenario::Scenario, dorasim::scenario::ScenarioErrors>| {
        if let Err(errors) = result {
            let shown = errors.to_string();
            assert!(
                !errors.is_empty() && shown.contains("error"),
                "an error list that says nothing: {shown:?}"
            );
        }
    };
    check(dorasim::scenario::load_str(&text, "fuzz.toml"));
    if !set.is_empty() {
        check(dorasim::scenario::apply_overrides(&text, "fuzz.toml", &set));
    }
});
