//! What-if analysis on top of the runner: paired comparisons of scenarios on common random
//! numbers, parameter sweeps over experimental designs, global sensitivity analysis, and runs
//! sharded across machines then merged into output identical to a single run.
//!
//! - [`compare`]: B − A with paired confidence intervals and the probability that B is better.
//! - [`design`]: parameter specifications and grid, Latin hypercube and Sobol designs.
//! - [`sweep`]: one tidy CSV row per design point and metric, streamed and resumable.
//! - [`sensitivity`]: Morris elementary effects and Sobol indices, generic over any function.
//! - [`study`]: a sensitivity study of the simulator, its shards' partial results and analysis.
//! - [`shard`] and [`merge`]: `--shard K/N`, partial result files and their merge.
//! - [`forecast`]: "when will it be done?": completion dates and items by a date, read from
//!   each replication's records.
//! - [`progress`]: progress bars on a terminal and clean Ctrl-C.

pub mod compare;
pub mod design;
pub mod focus;
pub mod forecast;
pub mod merge;
pub mod progress;
pub mod sensitivity;
pub mod shard;
pub mod study;
pub mod sweep;
