//! The delivery system: developers, changes, pull requests, review, tests, deployments,
//! production, incidents. Emits records the way a team's tooling would, plus ground truth.

pub mod distribution;
pub mod params;
pub mod timeline;
