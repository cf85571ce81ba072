//! A team's delivery history, both ways: one replication's records exported in the shapes real
//! tools ingest, and a team's own history read back from those shapes for `dorasim calibrate`.
//!
//! Everything passes through one neutral form, the measured log ([`MeasuredLog`], in hours since
//! [`time::EPOCH`]): each format in [`formats`] writes it and reads it. [`ground_truth`] holds what
//! the tooling cannot see, and [`to_records`] turns a log back into records the ledgers read, so
//! an imported history is measured by exactly the rules a simulated one is.

mod log;
mod truth;

pub mod formats;
pub mod time;

pub use log::{
    DeployLabel, ExportInfo, MeasuredChange, MeasuredDeployment, MeasuredIncident, MeasuredLog,
    MeasuredPullRequest, SCHEMA, Window, measured_log, to_records,
};
pub use truth::{
    GroundTruth, TrueChange, TrueDeployment, TrueIncident, TruePullRequest, ground_truth,
};
