//! Time in an exported or imported history: hours since [`EPOCH`] (a Monday, midnight UTC), the
//! RFC 3339 timestamps the tools use, and synthetic commit identifiers.
//!
//! Calendar arithmetic is `jiff`'s: written timestamps are floored to the millisecond, so a time
//! inside the measured window (whole-hour bounds) stays inside it and the order of events holds.

/// Hour 0 of a run, as an RFC 3339 timestamp (a Monday, midnight UTC).
pub const EPOCH: &str = "2026-01-05T00:00:00Z";
/// [`EPOCH`] in milliseconds since 1970-01-01T00:00:00Z.
pub const EPOCH_MS: i64 = 1_767_571_200_000;
/// Hours in a week.
const HOURS_PER_WEEK: f64 = crate::engine::units::HOURS_PER_WEEK;

/// Milliseconds since [`EPOCH`] of `hours` since the run started, floored.
pub fn millis_of(hours: f64) -> i64 {
    (hours * 3_600_000.0).floor() as i64
}

/// `hours` since the run started as an RFC 3339 UTC timestamp with milliseconds
/// (`2026-01-05T09:30:00.000Z`), floored to the millisecond; `None` if not finite or outside the
/// years 0001-9999.
pub fn timestamp(hours: f64) -> Option<String> {
    if !hours.is_finite() || hours.abs() > 1e8 {
        return None;
    }
    let instant = jiff::Timestamp::from_millisecond(EPOCH_MS + millis_of(hours)).ok()?;
    Some(instant.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

/// A timestamp as a team's tools write it, as hours since [`EPOCH`]. Accepted: RFC 3339 with any
/// offset and any fraction of a second (`2026-01-05T09:30:00Z`, `2026-01-05T11:30:00.25+02:00`),
/// and the same without an offset or with a trailing ` UTC` (`2026-01-05 09:30:00 UTC`, as
/// BigQuery exports), read as UTC. `None` for anything else.
pub fn hours_of(text: &str) -> Option<f64> {
    let text = text.trim();
    let instant = match text.parse::<jiff::Timestamp>() {
        Ok(t) => t,
        Err(_) => {
            let civil = text
                .strip_suffix(" UTC")
                .unwrap_or(text)
                .parse::<jiff::civil::DateTime>()
                .ok()?;
            jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()?
        }
    };
    let nanos = instant.as_nanosecond() - i128::from(EPOCH_MS) * 1_000_000;
    Some(nanos as f64 / 3_600_000_000_000.0)
}

/// Hours since [`EPOCH`] of the start (Monday 00:00 UTC) of the week holding `hours`.
pub fn week_start(hours: f64) -> f64 {
    (hours / HOURS_PER_WEEK).floor() * HOURS_PER_WEEK
}

/// A stable, commit-like 40-hex identifier of a change's commit (`slot`: pull request index
/// within the change, or [`HEAD`] for its head commit).
pub fn commit_sha(change: u32, slot: u32) -> String {
    format!("{:024x}{change:08x}{slot:08x}", 0xd05a_u64)
}

/// Commit slot of a change's head (last) commit.
pub const HEAD: u32 = u32::MAX;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_start_at_the_epoch_and_round_trip() {
        assert_eq!(timestamp(0.0).as_deref(), Some("2026-01-05T00:00:00.000Z"));
        assert_eq!(
            timestamp(24.0 * 59.0 + 13.5).as_deref(),
            Some("2026-03-05T13:30:00.000Z")
        );
        assert_eq!(timestamp(-0.5).as_deref(), Some("2026-01-04T23:30:00.000Z"));
        assert_eq!(timestamp(f64::NAN), None);
        for h in [0.0, 1.25, 1000.0 / 3.0, 4368.0, 8760.5, -30.0] {
            let back = hours_of(&timestamp(h).unwrap()).unwrap();
            assert!((h - back).abs() < 1.0 / 3_600_000.0 + 1e-12, "{h} {back}");
        }
    }

    #[test]
    fn the_usual_timestamp_spellings_are_read() {
        for text in [
            "2026-01-05T09:30:00Z",
            "2026-01-05T11:30:00+02:00",
            "2026-01-05 09:30:00 UTC",
            "2026-01-05T09:30:00",
            "2026-01-05 09:30:00.000",
        ] {
            assert_eq!(hours_of(text), Some(9.5), "{text}");
        }
        for bad in ["", "yesterday", "2026-13-05T09:30:00Z", "1767571200"] {
            assert_eq!(hours_of(bad), None, "{bad}");
        }
        assert_eq!(week_start(9.5), 0.0);
        assert_eq!(week_start(-1.0), -168.0);
    }
}
