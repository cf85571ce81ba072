//! Units of simulated time. The clock counts hours from Monday 00:00 of the first week; every
//! room converts with these constants, so a week has one definition.

/// Hours in a day.
pub const HOURS_PER_DAY: f64 = 24.0;
/// Hours in a week.
pub const HOURS_PER_WEEK: f64 = 7.0 * HOURS_PER_DAY;

/// Whole seconds since hour 0 of a time in hours, floored: the clock of a tool that records
/// times to the second (GitHub's webhooks, Four Keys). A time read back from a whole-second
/// timestamp floors to that same second despite rounding in the conversion to hours.
pub fn whole_seconds(hours: f64) -> i64 {
    (hours * 3600.0 + 1e-6).floor() as i64
}
