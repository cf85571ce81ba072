//! Units of simulated time. The clock counts hours from Monday 00:00 of the first week; every
//! room converts with these constants, so a week has one definition.

/// Hours in a day.
pub const HOURS_PER_DAY: f64 = 24.0;
/// Hours in a week.
pub const HOURS_PER_WEEK: f64 = 7.0 * HOURS_PER_DAY;
