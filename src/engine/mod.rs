//! The simulation engine: clock and event queue, working calendar, random streams.
//!
//! Knows nothing about code review or deployments; the model builds on it.

pub mod calendar;
pub mod queue;
pub mod random;
pub mod units;

pub use calendar::Calendar;
pub use queue::EventQueue;
pub use random::{Stream, stream_rng};
