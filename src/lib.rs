//! dorasim: a Monte Carlo simulator of a software delivery system.

pub mod cli;
pub mod engine;
pub mod metrics;
pub mod model;
pub mod output;
pub mod runner;
pub mod scenario;
pub mod stats;
