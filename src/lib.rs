//! dorasim: a Monte Carlo simulator of a software delivery system.
//!
//! It models AI-assisted coding, limited review capacity, tests, deployment, production failures
//! and recovery, and projects how DORA's five metrics (deployment frequency, change lead time,
//! change fail rate, failed deployment recovery time, deployment rework rate) and reliability
//! respond. Every metric emerges from mechanisms; see `docs/model.md`.
//!
//! # Layers
//!
//! - [`engine`]: clock and event queue, working calendar, random streams.
//! - [`model`]: the delivery system; emits records of changes, deployments and incidents.
//! - [`metrics`]: DORA metrics, reliability and diagnostics computed from records only, from the
//!   true ledger and from the measured ledger read through a lens (truth, Four Keys, DevLake,
//!   GitLab).
//! - [`stats`]: streaming, mergeable statistics over replications.
//! - [`runner`]: replications in parallel, reduced in replication order.
//! - [`analysis`]: what-if analysis: paired comparisons, sweeps, sensitivity, sharded runs.
//! - [`calibration`]: the published figures the defaults must reproduce, run as code.
//! - [`scenario`], [`output`], [`report`]: the interfaces (scenario files, terminal, CSV, JSON,
//!   event logs, the HTML report).
//! - [`app`]: one way from a request (scenario, `--set`, run flags) to a model with its guard,
//!   lens, label and reproduce command, used by every command.
//! - [`serve`]: `dorasim serve`, the workshop page: a local web server, its JSON API and
//!   streamed partial results.
//! - [`cli`]: the command line: parses arguments, calls [`app`] and the analyses, prints.
//!
//! # A scenario in code
//!
//! Load a scenario (here from TOML text; `scenario::load_file` reads a file), compile its
//! parameter timeline into a model, run replications and read a metric with its uncertainty:
//!
//! ```
//! use dorasim::metrics::Metric;
//! use dorasim::model::{Model, timeline::Schedule};
//! use dorasim::runner::{self, RunPlan};
//!
//! let scenario = dorasim::scenario::load_str(
//!     r#"
//!     name = "more reviewers"
//!     [time]
//!     horizon_weeks = 8
//!     [review]
//!     reviewers = 8
//!     [[timeline]]
//!     key = "ai.adoption"
//!     ramp_weeks = [0, 8]
//!     to = 0.8
//!     "#,
//!     "example",
//! )
//! .expect("a valid scenario");
//! let schedule = Schedule::build(&scenario.params, &scenario.timeline).expect("timeline");
//! let model = Model::new(&schedule);
//!
//! // One replication: the records a team's tooling would keep.
//! let records = model.run(42, 0);
//! assert!(!records.deployments.is_empty());
//!
//! // Many replications, in parallel; identical results for any thread count.
//! let plan = RunPlan { seed: 42, runs: 20, threads: 2 };
//! let summary = runner::run(&model, plan, |_replication, _metrics| Ok(())).expect("run");
//! let cfr = summary.metric(Metric::ChangeFailRate).summary();
//! let (low, high) = (cfr.ci95_low.unwrap(), cfr.ci95_high.unwrap());
//! assert!(0.0 <= low && low <= high && high <= 1.0);
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod app;
pub mod calibration;
pub mod cli;
pub mod engine;
pub mod fitting;
pub mod history;
pub mod metrics;
pub mod model;
pub mod output;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod serve;
pub mod stats;
