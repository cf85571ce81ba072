//! Progress bars on a terminal (quiet otherwise) and a clean stop on Ctrl-C.
//!
//! The first Ctrl-C sets a flag that long commands check between replications or design
//! points: they stop, keep what finished (sweep rows already written stay; files still being
//! written are discarded, never left half-written) and report the interruption. A second Ctrl-C
//! exits at once.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static HANDLER: OnceLock<()> = OnceLock::new();

/// The message of the error a command stops with on Ctrl-C.
pub const INTERRUPTED_MESSAGE: &str = "interrupted (Ctrl-C)";

/// Installs the Ctrl-C handler (once per process; later calls do nothing).
pub fn install_interrupt_handler() {
    HANDLER.get_or_init(|| {
        // If another handler is already installed (an embedding program), keep it: the flag
        // then simply never trips.
        let _ = ctrlc::set_handler(|| {
            if INTERRUPTED.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!("\nstopping after the work in progress (Ctrl-C again to quit at once)");
        });
    });
}

/// True once Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// `Err` once Ctrl-C was pressed: for callbacks that can stop a run.
pub fn check() -> Result<(), String> {
    if interrupted() {
        Err(INTERRUPTED_MESSAGE.to_string())
    } else {
        Ok(())
    }
}

/// A progress bar of `total` steps named `what`, drawn on standard error when it is a terminal,
/// hidden otherwise. Its rate and time left come from [`estimate`] (the average since the start),
/// not from indicatif's own estimate, which extrapolated the first slow steps of a run to
/// "ETA 46m" for a 14-second run.
pub fn bar(total: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let style = ProgressStyle::with_template(
        "{msg} [{elapsed_precise}] {wide_bar} {pos}/{len} ({estimate})",
    )
    .map(|style| {
        style.with_key(
            "estimate",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let total = state.len().unwrap_or(0);
                let _ = w.write_str(&estimate_text(state.pos(), total, state.elapsed()));
            },
        )
    })
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}

/// Least share of the steps done before the time left is shown.
pub const MIN_SHARE_DONE: f64 = 0.05;
/// Least time elapsed before the rate and the time left are shown.
pub const MIN_ELAPSED: Duration = Duration::from_secs(1);

/// The rate and the time left of a task with `done` of `total` steps finished after `elapsed`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Steps per second, on average since the start.
    pub per_second: f64,
    /// Time left at that rate; `None` until at least [`MIN_SHARE_DONE`] of the steps are done.
    pub remaining: Option<Duration>,
}

/// The rate and time left from the average rate since the start, or `None` while nothing is
/// done or less than [`MIN_ELAPSED`] has passed. The first steps of a run are slower than the
/// rest (threads starting, caches cold, a block of replications finishing at once), so the time
/// left waits for [`MIN_SHARE_DONE`] of the steps: before that it is noise.
pub fn estimate(done: u64, total: u64, elapsed: Duration) -> Option<Estimate> {
    if done == 0 || elapsed < MIN_ELAPSED {
        return None;
    }
    let seconds = elapsed.as_secs_f64();
    let per_second = done as f64 / seconds;
    let enough = total > 0 && done as f64 >= MIN_SHARE_DONE * total as f64;
    let remaining = enough.then(|| {
        let left = total.saturating_sub(done) as f64;
        Duration::from_secs_f64(left * seconds / done as f64)
    });
    Some(Estimate {
        per_second,
        remaining,
    })
}

/// What the bar shows in its parentheses: `estimating…`, then the rate, then the rate and the
/// time left (`12.5/s, ETA 1m 05s`).
pub fn estimate_text(done: u64, total: u64, elapsed: Duration) -> String {
    match estimate(done, total, elapsed) {
        None => "estimating…".to_string(),
        Some(Estimate {
            per_second,
            remaining: None,
        }) => format!("{}/s", rate_text(per_second)),
        Some(Estimate {
            per_second,
            remaining: Some(left),
        }) => format!("{}/s, ETA {}", rate_text(per_second), duration_text(left)),
    }
}

fn rate_text(per_second: f64) -> String {
    if per_second >= 100.0 {
        format!("{per_second:.0}")
    } else if per_second >= 10.0 {
        format!("{per_second:.1}")
    } else {
        format!("{per_second:.2}")
    }
}

/// A duration to the second: `45s`, `1m 05s`, `2h 03m`.
pub fn duration_text(d: Duration) -> String {
    let s = d.as_secs_f64().round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn nothing_is_estimated_before_a_second_or_before_the_first_step() {
        assert_eq!(estimate(0, 1000, secs(30)), None);
        assert_eq!(estimate(500, 1000, Duration::from_millis(999)), None);
        assert_eq!(estimate_text(0, 1000, secs(30)), "estimating…");
    }

    #[test]
    fn the_time_left_waits_for_five_percent_of_the_steps() {
        // 49 of 1000 after 10 s: the rate is known, the time left is not yet.
        let early = estimate(49, 1000, secs(10)).expect("a rate");
        assert_eq!(early.remaining, None);
        assert!((early.per_second - 4.9).abs() < 1e-12);
        assert_eq!(estimate_text(49, 1000, secs(10)), "4.90/s");
        let later = estimate(50, 1000, secs(10)).expect("a rate");
        assert_eq!(later.remaining, Some(secs(190)));
    }

    #[test]
    fn the_time_left_is_the_average_rate_since_the_start_not_the_first_step() {
        // A run whose first block of 64 replications took 3 s (threads starting) and whose
        // next 64 took 1 s: 128 of 1000 after 4 s leaves 872 at 32/s, 27.25 s, where
        // extrapolating the first block alone would say 40.9 s.
        let e = estimate(128, 1000, secs(4)).expect("an estimate");
        assert_eq!(e.remaining, Some(Duration::from_secs_f64(27.25)));
        assert_eq!(estimate_text(128, 1000, secs(4)), "32.0/s, ETA 27s");
        // A 14-second run, 10 % done after 1.4 s, is said to need 12.6 s more, not 46 minutes.
        let e = estimate(100, 1000, Duration::from_millis(1400)).expect("an estimate");
        let left = e.remaining.expect("time left").as_secs_f64();
        assert!((left - 12.6).abs() < 1e-9, "{left}");
    }

    #[test]
    fn done_means_nothing_left() {
        let e = estimate(1000, 1000, secs(14)).expect("an estimate");
        assert_eq!(e.remaining, Some(Duration::ZERO));
        assert_eq!(estimate(10, 0, secs(2)).map(|e| e.remaining), Some(None));
    }

    #[test]
    fn durations_read_to_the_second() {
        assert_eq!(duration_text(Duration::from_secs_f64(12.6)), "13s");
        assert_eq!(duration_text(secs(65)), "1m 05s");
        assert_eq!(duration_text(secs(3600 + 180 + 59)), "1h 03m");
        assert_eq!(duration_text(Duration::ZERO), "0s");
    }
}
