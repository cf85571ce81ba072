//! Statistics over replications.
//!
//! Everything here is streaming and mergeable, so memory stays flat however many replications
//! run, and per-thread partial results can be combined afterwards. Combining partial results in
//! a fixed order (replication index order) gives bit-identical output whatever the number of
//! threads.
//!
//! - [`moments::Moments`]: mean and variance by Welford's update, merged with Chan's formula,
//!   with Student-t confidence intervals for the mean.
//! - [`quantiles::QuantileSketch`]: a DDSketch (0.5 % relative accuracy) that handles zero and
//!   negative values.
//! - [`summary::Accumulator`] and [`summary::Summary`]: moments, quantiles, minimum and maximum
//!   of one metric, and their NaN-free serialisable summary.
//! - [`modes::two_modes`]: whether the replications fall in two clusters separated by a gap
//!   (a median lead time that sits on a calendar cliff), and where.
//! - [`paired::paired_difference`]: paired comparison of two scenarios run with common random
//!   numbers.
//!
//! Undefined values (a metric that has no value in a replication, such as lead time when nothing
//! was deployed) are pushed as NaN: they are counted separately and never enter the statistics.

pub mod modes;
pub mod moments;
pub mod paired;
pub mod quantiles;
pub mod summary;
