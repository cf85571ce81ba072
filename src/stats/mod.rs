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
//! - [`order::order_quantile`] and [`order::order_quantile_ci`]: a quantile as an order
//!   statistic (a value some replication took) with its distribution-free 95 % interval.
//! - [`ratio::index_change`] and [`ratio::wilson`]: relative changes of means and composite
//!   indices of paired samples (delta method), and proportions with Wilson intervals.
//!
//! Undefined values (a metric that has no value in a replication, such as lead time when nothing
//! was deployed) are pushed as NaN: they are counted separately and never enter the statistics.

pub mod modes;
pub mod moments;
pub mod order;
pub mod paired;
pub mod quantiles;
pub mod ratio;
pub mod summary;

/// Deterministic pseudo-random uniforms in [0, 1) (SplitMix64), for the unit tests of this
/// module's statistics: fixed, portable, and free of the simulation's random streams.
#[cfg(test)]
pub(crate) fn test_uniforms(n: usize, mut state: u64) -> Vec<f64> {
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}
