//! The delivery system: developers, changes, pull requests, review, tests, deployments,
//! production, incidents. Emits records the way a team's tooling would, plus ground truth.
//!
//! The stages of one change, in order: [`coding`] (demand, AI assistance, defect injection, pull
//! requests), [`agents`] (coding agents and their supervision), [`ai_review`] (an automated first
//! pass), [`review`], [`testing`], [`deploy`], [`production`] (manifestation, incidents,
//! recovery, fragility). An organisation runs several teams in one event loop; each team has its
//! own people, queues, pipeline, service and culture, and the services share production. [`simulation`] holds the shared state and the event loop. Defects are
//! counted by [`defects::DefectClass`] and [`defects::Severity`] (and the funnel by
//! [`defects::Authorship`]) in arrays indexed by those enums, never by bare numbers.

pub mod agents;
pub mod ai_review;
pub mod coding;
pub mod culture;
pub mod defects;
pub mod deploy;
pub mod distribution;
pub mod guard;
pub(crate) mod keyed;
pub mod params;
pub mod production;
pub mod records;
pub mod review;
pub mod simulation;
pub mod testing;
pub mod timeline;

pub use simulation::{Model, RunScratch};
