//! Progress bars on a terminal (quiet otherwise) and a clean stop on Ctrl-C.
//!
//! The first Ctrl-C sets a flag that long commands check between replications or design
//! points: they stop, keep what finished (sweep rows already written stay; files still being
//! written are discarded, never left half-written) and report the interruption. A second Ctrl-C
//! exits at once.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

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
/// hidden otherwise.
pub fn bar(total: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let style = ProgressStyle::with_template(
        "{msg} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, ETA {eta})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}
