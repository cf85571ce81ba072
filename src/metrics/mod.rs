//! Metrics computed from a run's records only, the way a measurement tool computes them from a
//! real team's data: DORA's five metrics, reliability, flow diagnostics, weekly series and the
//! DORA performance tiers.

pub mod catalogue;
pub mod compute;
mod funnel;
pub mod ledger;
pub mod tiers;

pub use catalogue::{METRIC_COUNT, METRICS, Metric, WEEKLY, WEEKLY_COUNT, Weekly};
pub use compute::{MetricsScratch, ReplicationMetrics, compute, compute_with};
pub use ledger::Lens;
