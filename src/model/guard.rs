//! Guards against runaway replications, and the check for queues that grow without bound.
//!
//! A configuration can be valid key by key and still run away: demand a thousand times the
//! team's capacity piles up work items without end, and a five-year horizon with ten thousand
//! developers processes hundreds of millions of events. The guard stops such a replication with
//! an error that names the limit and how to raise it, so time and memory stay bounded. Two
//! limits, both set in `[run]`:
//!
//! - `max_events_per_replication`: events one replication may process (bounds time);
//! - `max_changes_per_replication`: changes one replication may create (bounds memory: every
//!   change keeps a record of about 150 bytes until the replication ends).
//!
//! The event loop pays one integer comparison per event: creating one change too many lowers
//! the event limit to zero, so the same comparison stops the loop.

use serde::{Deserialize, Serialize};

/// Default of `run.max_events_per_replication`: far above any shipped scenario (the default
/// scenario needs about 0.1 million events per replication; five years with 10,000 developers
/// about 30 million), low enough that a runaway replication stops within a minute.
pub const DEFAULT_MAX_EVENTS: u64 = 200_000_000;

/// Default of `run.max_changes_per_replication`: about 300 MB of records per worker thread.
pub const DEFAULT_MAX_CHANGES: u64 = 2_000_000;

/// Limits of one replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guard {
    /// Events one replication may process.
    pub max_events: u64,
    /// Changes one replication may create.
    pub max_changes: u64,
}

impl Default for Guard {
    fn default() -> Self {
        Guard {
            max_events: DEFAULT_MAX_EVENTS,
            max_changes: DEFAULT_MAX_CHANGES,
        }
    }
}

/// Which limit stopped a replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardKind {
    /// `run.max_events_per_replication`.
    Events,
    /// `run.max_changes_per_replication`.
    Changes,
}

impl GuardKind {
    /// The scenario key of the limit.
    pub fn key(self) -> &'static str {
        match self {
            GuardKind::Events => "run.max_events_per_replication",
            GuardKind::Changes => "run.max_changes_per_replication",
        }
    }
}

/// A replication stopped by its guard (its records are incomplete and must not be used).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GuardTrip {
    /// The limit that was reached.
    pub kind: GuardKind,
    /// Its value.
    pub limit: u64,
    /// Simulated time when it was reached, hours since the start.
    pub at_hours: f64,
    /// End of the run, hours since the start.
    pub end_hours: f64,
    /// Work items waiting for a developer when it was reached.
    pub backlog: usize,
    /// Pull requests waiting for a reviewer when it was reached.
    pub review_queue: usize,
}

impl GuardTrip {
    /// The error a user reads: the guard, where the run was, the likely cause and the way out.
    pub fn message(&self, replication: u64) -> String {
        let what = match self.kind {
            GuardKind::Events => "events",
            GuardKind::Changes => "changes",
        };
        format!(
            "replication {replication} stopped by the guard `{key}` ({limit} {what}) at week {week:.1} of {total:.1}, \
             with {backlog} work items waiting for a developer and {review} pull requests waiting for review. \
             The configuration most likely runs away (demand far beyond capacity, or a very long horizon for a very large team). \
             If the run is meant to be this large, raise the limit: --set {key}={raised} (or `{field} = {raised}` in [run])",
            key = self.kind.key(),
            limit = self.limit,
            week = self.at_hours / crate::engine::units::HOURS_PER_WEEK,
            total = self.end_hours / crate::engine::units::HOURS_PER_WEEK,
            backlog = self.backlog,
            review = self.review_queue,
            raised = self.limit.saturating_mul(10),
            field = self.kind.key().trim_start_matches("run."),
        )
    }
}

/// A weekly series (mean over replications, one value per measured week) that kept growing.
#[derive(Debug, Clone, PartialEq)]
pub struct Growth {
    /// Name of the series (`work in progress`, `review queue`).
    pub series: String,
    /// Mean over the first quarter of the measured weeks.
    pub first: f64,
    /// Mean over the last quarter.
    pub last: f64,
}

impl Growth {
    /// The warning a user reads.
    pub fn message(&self) -> String {
        format!(
            "warning: the {} grew without levelling off, from {:.0} in the first quarter of the horizon to {:.0} in the last: \
             demand exceeds capacity, so the system is unstable and the metrics depend on the horizon. \
             Lower demand.items_per_week, add people, or read the results as a transient",
            self.series, self.first, self.last
        )
    }
}

/// Whether `weekly` (one value per measured week) grew without bound: the last quarter at least
/// twice the first quarter plus `slack`, and still rising from the third quarter to the last (a
/// series that rose after a ramp and levelled off is not flagged). Needs eight weeks or more.
pub fn grew_without_bound(weekly: &[f64], slack: f64) -> Option<(f64, f64)> {
    let n = weekly.len();
    if n < 8 || weekly.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let quarter = n / 4;
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let first = mean(&weekly[..quarter]);
    let third = mean(&weekly[n - 2 * quarter..n - quarter]);
    let last = mean(&weekly[n - quarter..]);
    (last > 2.0 * first + slack && last > 1.1 * third + slack / 4.0).then_some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_growth_is_flagged_and_a_level_series_is_not() {
        let growing: Vec<f64> = (0..30).map(|w| 100.0 + 50.0 * f64::from(w)).collect();
        assert!(grew_without_bound(&growing, 10.0).is_some());
        let level: Vec<f64> = (0..30).map(|w| 5.0 + f64::from(w % 3)).collect();
        assert!(grew_without_bound(&level, 10.0).is_none());
        // Rose after a ramp, then levelled off.
        let ramped: Vec<f64> = (0..30).map(|w| f64::from(w.min(12)) * 10.0).collect();
        assert!(grew_without_bound(&ramped, 10.0).is_none());
        assert!(grew_without_bound(&growing[..5], 10.0).is_none());
    }

    #[test]
    fn the_message_names_the_guard_and_how_to_raise_it() {
        let trip = GuardTrip {
            kind: GuardKind::Events,
            limit: 1000,
            at_hours: 336.0,
            end_hours: 5712.0,
            backlog: 7,
            review_queue: 3,
        };
        let text = trip.message(4);
        assert!(text.contains("run.max_events_per_replication"), "{text}");
        assert!(
            text.contains("--set run.max_events_per_replication=10000"),
            "{text}"
        );
        assert!(text.contains("replication 4"), "{text}");
    }
}
