//! The working calendar: when human work happens. Machines and production ignore it.
//!
//! Time 0 is Monday 00:00; days 0..`days_per_week` of each week are working days, each open from
//! `start_hour` for `hours_per_day` hours.

use super::units::{HOURS_PER_DAY, HOURS_PER_WEEK};

/// Hours (about 11,000 years) beyond which calendar arithmetic uses the average weekly rate:
/// far past the end of any run (at most 30 years), and where working windows fall below the
/// precision of an `f64` (a loop over them would never advance).
const BEYOND_ANY_RUN: f64 = 1e8;

/// When people work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calendar {
    /// False: work runs around the clock.
    pub enabled: bool,
    /// Hour the working day starts.
    pub start_hour: f64,
    /// Working hours per day.
    pub hours_per_day: f64,
    /// Working days per week.
    pub days_per_week: u32,
}

/// Days since time 0 up to `t` (`floor(t / 24)`) and that day's weekday (0 = Monday).
///
/// Simulated time is never negative and far below 2^52 days, where flooring is truncation and
/// the weekday is an unsigned remainder: a conversion instead of a call to `floor` and a signed
/// Euclidean remainder (calendar arithmetic runs several times per event). Other times take the
/// general path, with the same results.
#[inline]
fn day_and_weekday(t: f64) -> (f64, u32) {
    let days = t / HOURS_PER_DAY;
    if (0.0..4.0e15).contains(&days) {
        // Through `i64`: one instruction each way on x86_64, where `u64` takes several.
        let day = days as i64;
        (day as f64, (day as u64 % 7) as u32)
    } else {
        let day = days.floor();
        (day, (day as i64).rem_euclid(7) as u32)
    }
}

/// Working day number `n` (an integer, counted over working days only) as its week and its
/// working day in that week, for `DAYS` working days a week.
#[inline]
fn split_days<const DAYS: i64>(n: f64) -> (f64, f64) {
    let n = n as i64;
    (n.div_euclid(DAYS) as f64, n.rem_euclid(DAYS) as f64)
}

/// A walk through a calendar's working windows, a day at a time.
///
/// Finishing work or counting working hours visits window after window, each search starting
/// at the end of the last window. A working day ends by midnight (checked:
/// `workday_start_hour + hours_per_day <= 24`), so the search from a window's end starts on the
/// next day: the walk keeps its day and weekday instead of dividing the time afresh, and finds
/// exactly the windows a fresh search from each end would.
struct Windows<'c> {
    calendar: &'c Calendar,
    day: f64,
    weekday: u32,
}

impl<'c> Windows<'c> {
    /// A walk starting on the day of `t`.
    #[inline]
    fn from(calendar: &'c Calendar, t: f64) -> Self {
        let (day, weekday) = day_and_weekday(t);
        Windows {
            calendar,
            day,
            weekday,
        }
    }

    /// The earliest time at or after `t` inside working hours, and the end of that window: `t`
    /// must not come before the walk's day (the start, or the end of the window found last).
    #[inline]
    fn next_at(&mut self, t: f64) -> (f64, f64) {
        let c = self.calendar;
        // At most 8 days: a week always has a working day when days_per_week >= 1.
        for _ in 0..8 {
            let open = self.day * HOURS_PER_DAY + c.start_hour;
            let close = open + c.hours_per_day;
            let working = self.weekday < c.days_per_week;
            self.day += 1.0;
            self.weekday = if self.weekday == 6 {
                0
            } else {
                self.weekday + 1
            };
            if working && t < close {
                return (t.max(open), close);
            }
        }
        // No working day (never for a checked calendar): a day at a time, from its end afresh.
        *self = Windows::from(c, t + HOURS_PER_DAY);
        (t, t + HOURS_PER_DAY)
    }
}

impl Calendar {
    /// A calendar that is always open.
    pub const ALWAYS: Calendar = Calendar {
        enabled: false,
        start_hour: 0.0,
        hours_per_day: 24.0,
        days_per_week: 7,
    };

    /// Working hours in one week.
    pub fn hours_per_week(&self) -> f64 {
        if self.enabled {
            self.hours_per_day * f64::from(self.days_per_week)
        } else {
            HOURS_PER_WEEK
        }
    }

    /// True if `t` lies inside working hours.
    pub fn is_open(&self, t: f64) -> bool {
        if !self.enabled {
            return true;
        }
        let (day, weekday) = day_and_weekday(t);
        let hour = t - day * HOURS_PER_DAY;
        weekday < self.days_per_week
            && hour >= self.start_hour
            && hour < self.start_hour + self.hours_per_day
    }

    /// The earliest time at or after `t` inside working hours, and the end of that working window.
    #[inline]
    fn window_at(&self, t: f64) -> (f64, f64) {
        Windows::from(self, t).next_at(t)
    }

    /// The earliest time at or after `t` inside working hours.
    pub fn next_open(&self, t: f64) -> f64 {
        if !self.enabled {
            t
        } else {
            self.window_at(t).0
        }
    }

    /// True when the working hours repeat one window a day on days 0..`days_per_week` of every
    /// week, each ending by midnight: what scenario checks guarantee, and where the closed forms
    /// ([`Calendar::worked_by`]) hold. Other calendars (built by hand) take the window walk.
    #[inline]
    fn regular(&self) -> bool {
        self.hours_per_day > 0.0
            && (1..=7).contains(&self.days_per_week)
            && self.start_hour >= 0.0
            && self.start_hour + self.hours_per_day <= HOURS_PER_DAY
    }

    /// Working hours from time 0 to `t` (negative before 0), for a [`regular`](Self::regular)
    /// calendar: whole weeks, whole working days of `t`'s week before its day, and the part of
    /// `t`'s day inside its window. Working time is the same each week, so this is a lookup, not
    /// a walk through windows.
    #[inline]
    fn worked_by(&self, t: f64) -> f64 {
        // Integer arithmetic for the week: division by a constant 7 is a multiplication, where a
        // floating-point division would add its latency to every finish.
        let day = (t / HOURS_PER_DAY).floor();
        let index = day as i64;
        let (week, weekday) = (index.div_euclid(7), index.rem_euclid(7) as u32);
        let days = self.days_per_week;
        let today = if weekday < days {
            (t - day * HOURS_PER_DAY - self.start_hour).clamp(0.0, self.hours_per_day)
        } else {
            0.0
        };
        week as f64 * self.hours_per_week()
            + f64::from(weekday.min(days)) * self.hours_per_day
            + today
    }

    /// The time by which `worked_by` reaches `target` (> 0 hours of work since time 0): the
    /// inverse of [`Calendar::worked_by`] for a [`regular`](Self::regular) calendar. Work that
    /// fills a window exactly ends at its close, not at the next opening.
    #[inline]
    fn time_worked(&self, target: f64) -> f64 {
        let h = self.hours_per_day;
        // The window (counted from time 0, across weeks) that `target` ends in: its work since
        // time 0 lies in (n h, (n + 1) h]. The reciprocal does not wait for `target` (a
        // division would), and one step either way corrects its rounding.
        let per_hour = 1.0 / h;
        let mut n = (target * per_hour).ceil() - 1.0;
        let mut within = target - n * h;
        if within > h {
            n += 1.0;
            within -= h;
        } else if within <= 0.0 {
            n -= 1.0;
            within += h;
        }
        let within = within.clamp(0.0, h);
        let (week, weekday) = match self.days_per_week {
            // The usual weeks by constant divisors (multiplications), others by a division.
            5 => split_days::<5>(n),
            7 => split_days::<7>(n),
            days => {
                let days = f64::from(days);
                let week = (n / days).floor();
                (week, n - week * days)
            }
        };
        week * HOURS_PER_WEEK + weekday * HOURS_PER_DAY + self.start_hour + within
    }

    /// Working hours between `from` and `to` (0 when `to <= from`).
    pub fn working_hours_between(&self, from: f64, to: f64) -> f64 {
        if to <= from {
            return 0.0;
        }
        if !self.enabled {
            return to - from;
        }
        let weekly = self.hours_per_week();
        if weekly.is_nan() || weekly <= 0.0 {
            return 0.0;
        }
        if !(to - from < BEYOND_ANY_RUN && from.abs() < BEYOND_ANY_RUN) {
            return (to - from) * weekly / HOURS_PER_WEEK;
        }
        if self.regular() {
            return (self.worked_by(to) - self.worked_by(from)).max(0.0);
        }
        self.walk_between(from, to)
    }

    /// [`Calendar::working_hours_between`] window by window: any calendar, `from < to`, both in
    /// range.
    fn walk_between(&self, from: f64, to: f64) -> f64 {
        let mut total = 0.0;
        let mut now = from;
        // Whole weeks first, then window by window.
        let weeks = ((to - now) / HOURS_PER_WEEK).floor();
        if weeks > 1.0 {
            total += (weeks - 1.0) * self.hours_per_week();
            now += (weeks - 1.0) * HOURS_PER_WEEK;
        }
        let mut windows = Windows::from(self, now);
        while now < to {
            let (open, close) = windows.next_at(now);
            if open >= to {
                break;
            }
            total += close.min(to) - open;
            if close <= now {
                break;
            }
            now = close;
        }
        total
    }

    /// When `work_hours` of work started (or queued) at `t` is finished.
    pub fn finish(&self, t: f64, work_hours: f64) -> f64 {
        if !self.enabled || work_hours <= 0.0 {
            return t + work_hours.max(0.0);
        }
        let weekly = self.hours_per_week();
        if weekly.is_nan() || weekly <= 0.0 {
            // No working hours at all (a hand-built calendar: checked scenarios have at least a
            // quarter of an hour a day): the work never finishes.
            return f64::INFINITY;
        }
        if !(work_hours < BEYOND_ANY_RUN && t.abs() < BEYOND_ANY_RUN) {
            // Never reached within a run; NaN effort counts as endless.
            let work_hours = if work_hours.is_nan() {
                BEYOND_ANY_RUN
            } else {
                work_hours
            };
            return t + work_hours * HOURS_PER_WEEK / weekly;
        }
        if self.regular() {
            // `t` itself when the work is too small to move the count (a fraction of an ulp).
            return self.time_worked(self.worked_by(t) + work_hours).max(t);
        }
        self.walk_finish(t, work_hours)
    }

    /// [`Calendar::finish`] window by window: any calendar with working hours, `work_hours > 0`,
    /// both in range.
    fn walk_finish(&self, t: f64, work_hours: f64) -> f64 {
        let weekly = self.hours_per_week();
        let mut remaining = work_hours;
        let mut now = t;
        if remaining > weekly {
            // Skip whole weeks: each costs exactly one week of working hours.
            let weeks = (remaining / weekly).floor() - 1.0;
            if weeks > 0.0 {
                now += weeks * HOURS_PER_WEEK;
                remaining -= weeks * weekly;
            }
        }
        let mut windows = Windows::from(self, now);
        loop {
            let (open, close) = windows.next_at(now);
            let available = close - open;
            if remaining <= available || close <= now {
                return open + remaining;
            }
            remaining -= available;
            now = close;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFICE: Calendar = Calendar {
        enabled: true,
        start_hour: 9.0,
        hours_per_day: 8.0,
        days_per_week: 5,
    };

    #[test]
    fn absurd_amounts_of_work_finish_far_away_instead_of_looping() {
        // Found by fuzzing: a lognormal size multiplier with p90 = 1e9 gave efforts where
        // working windows fell below f64 precision, and these loops never ended.
        for work in [1e30, f64::INFINITY, f64::NAN, 1e8 + 1.0] {
            assert!(OFFICE.finish(10.0, work) > 1e8, "{work}");
        }
        assert!(OFFICE.finish(1e300, 2.0) >= 1e300);
        assert!(OFFICE.working_hours_between(0.0, 1e30) > 1e28);
        assert!(OFFICE.working_hours_between(1e20, 1e20 + 1e6) >= 0.0);
        assert_eq!(
            OFFICE.working_hours_between(0.0, f64::INFINITY),
            f64::INFINITY
        );
    }

    /// The office, windows of the whole day, and one short day ending at midnight.
    const EDGES: [Calendar; 3] = [
        OFFICE,
        Calendar {
            enabled: true,
            start_hour: 0.0,
            hours_per_day: 24.0,
            days_per_week: 7,
        },
        Calendar {
            enabled: true,
            start_hour: 22.5,
            hours_per_day: 1.5,
            days_per_week: 1,
        },
    ];

    /// The window as first written (`floor` and a signed remainder, every day afresh): the fast
    /// path must give the same bits.
    fn window_by_floor(c: &Calendar, t: f64) -> (f64, f64) {
        let mut day = (t / HOURS_PER_DAY).floor();
        for _ in 0..8 {
            let weekday = (day as i64).rem_euclid(7) as u32;
            let open = day * HOURS_PER_DAY + c.start_hour;
            let close = open + c.hours_per_day;
            if weekday < c.days_per_week && t < close {
                return (t.max(open), close);
            }
            day += 1.0;
        }
        (t, t + HOURS_PER_DAY)
    }

    #[test]
    fn windows_match_the_floor_formula_bit_for_bit() {
        let calendars = EDGES;
        let mut t = -500.0f64;
        while t < 20_000.0 {
            for c in &calendars {
                for probe in [t, t + 1e-9, 24.0 * (t / 24.0).floor(), -0.0, f64::NAN, 1e17] {
                    let (a, b) = (c.window_at(probe), window_by_floor(c, probe));
                    assert_eq!(a.0.to_bits(), b.0.to_bits(), "{probe}");
                    assert_eq!(a.1.to_bits(), b.1.to_bits(), "{probe}");
                }
            }
            t += 0.37;
        }
    }

    #[test]
    fn walks_match_fresh_searches_bit_for_bit() {
        // `finish` and `working_hours_between` as first written: a fresh search from each window's
        // end (no whole-week skips here: the probes stay under a week of work).
        let finish = |c: &Calendar, t: f64, mut remaining: f64| {
            let mut now = t;
            loop {
                let (open, close) = window_by_floor(c, now);
                if remaining <= close - open || close <= now {
                    return open + remaining;
                }
                remaining -= close - open;
                now = close;
            }
        };
        let between = |c: &Calendar, from: f64, to: f64| {
            let (mut total, mut now) = (0.0, from);
            while now < to {
                let (open, close) = window_by_floor(c, now);
                if open >= to {
                    break;
                }
                total += close.min(to) - open;
                now = close;
            }
            total
        };
        let odd = Calendar {
            enabled: true,
            start_hour: 7.3,
            hours_per_day: 16.7,
            days_per_week: 6,
        };
        for c in [OFFICE, odd] {
            let mut t = 0.0f64;
            while t < 2_000.0 {
                for work in [0.1, 1.0, 7.99, 8.0, 13.7, 30.0, 39.5] {
                    assert_eq!(
                        c.walk_finish(t, work).to_bits(),
                        finish(&c, t, work).to_bits()
                    );
                    assert_eq!(
                        c.walk_between(t, t + work * 3.1).to_bits(),
                        between(&c, t, t + work * 3.1).to_bits()
                    );
                }
                t += 0.73;
            }
        }
    }

    /// The closed forms against the window walk, on calendars of every shape the checks allow
    /// (and a few edges: windows of the whole day, a day ending at midnight, one working day),
    /// at random times and amounts of work over three years. They agree to rounding (far below a
    /// second), except where the work fills a window to within rounding, where the walk and the
    /// closed form may pick either side of the night: no such case occurs in the probes.
    #[test]
    fn closed_forms_agree_with_the_window_walk() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let mut calendars = EDGES.to_vec();
        for _ in 0..40 {
            let hours_per_day = rng.random_range(0.25..=24.0);
            calendars.push(Calendar {
                enabled: true,
                start_hour: rng.random_range(0.0..=(24.0 - hours_per_day)),
                hours_per_day,
                days_per_week: rng.random_range(1..=7),
            });
        }
        for c in &calendars {
            assert!(c.regular());
            for _ in 0..2_000 {
                let t = rng.random_range(0.0..26_000.0);
                let work = rng.random_range(0.0..1.0f64).powi(3) * 400.0 + 1e-6;
                let (fast, walked) = (c.finish(t, work), c.walk_finish(t, work));
                assert!(
                    (fast - walked).abs() < 1e-9,
                    "{c:?} finish({t}, {work}): {fast} {walked}"
                );
                assert!(fast >= t);
                let to = t + rng.random_range(0.0..2_000.0);
                let (fast, walked) = (c.working_hours_between(t, to), c.walk_between(t, to));
                assert!(
                    (fast - walked).abs() < 1e-9,
                    "{c:?} between({t}, {to}): {fast} {walked}"
                );
                // Finish and count invert each other.
                let counted = c.working_hours_between(t, c.finish(t, work));
                assert!((counted - work).abs() < 1e-9, "{c:?} {t} {work}: {counted}");
            }
        }
    }

    #[test]
    fn irregular_calendars_take_the_walk() {
        // A day running past midnight, more days than a week has: never produced by a checked
        // scenario, but a hand-built calendar gets the walk's answers, not the closed forms'.
        let odd = Calendar {
            enabled: true,
            start_hour: 20.0,
            hours_per_day: 8.0,
            days_per_week: 9,
        };
        assert!(!odd.regular());
        assert_eq!(odd.finish(10.0, 2.0), odd.walk_finish(10.0, 2.0));
        assert_eq!(
            odd.working_hours_between(3.0, 500.0),
            odd.walk_between(3.0, 500.0)
        );
    }

    #[test]
    fn a_calendar_without_working_hours_never_finishes_work() {
        // Found in review: a hand-built calendar of zero-hour days made the walk loop forever.
        for (hours_per_day, days_per_week) in [(0.0, 5), (8.0, 0), (-1.0, 5), (f64::NAN, 5)] {
            let idle = Calendar {
                enabled: true,
                start_hour: 9.0,
                hours_per_day,
                days_per_week,
            };
            assert_eq!(idle.finish(10.0, 2.0), f64::INFINITY);
            assert_eq!(idle.working_hours_between(0.0, 500.0), 0.0);
        }
    }

    #[test]
    fn work_within_a_day() {
        assert_eq!(OFFICE.finish(10.0, 2.0), 12.0);
    }

    #[test]
    fn work_carries_overnight() {
        // Monday 16:00 + 3 h of work = Tuesday 11:00.
        assert_eq!(OFFICE.finish(16.0, 3.0), 24.0 + 11.0);
    }

    #[test]
    fn work_carries_over_the_weekend() {
        // Friday 16:00 + 2 h = Monday 10:00 of the next week.
        let friday_4pm = 4.0 * 24.0 + 16.0;
        assert_eq!(OFFICE.finish(friday_4pm, 2.0), 168.0 + 10.0);
    }

    #[test]
    fn long_work_skips_whole_weeks() {
        // 100 h from Monday 09:00 = 2 weeks (80 h) + 20 h = Wednesday 13:00 of week 3.
        assert_eq!(OFFICE.finish(9.0, 100.0), 2.0 * 168.0 + 2.0 * 24.0 + 13.0);
    }

    #[test]
    fn queued_at_night_starts_next_morning() {
        assert_eq!(OFFICE.next_open(20.0), 24.0 + 9.0);
        assert!(OFFICE.is_open(24.0 + 9.5));
        assert!(!OFFICE.is_open(5.0 * 24.0 + 10.0));
    }

    #[test]
    fn working_hours_between_inverts_finish() {
        for (start, work) in [
            (10.0, 2.0),
            (16.0, 3.0),
            (4.0 * 24.0 + 16.0, 2.0),
            (9.0, 100.0),
            (20.0, 7.5),
        ] {
            let done = OFFICE.finish(start, work);
            let counted = OFFICE.working_hours_between(start, done);
            assert!(
                (counted - work).abs() < 1e-9,
                "start {start} work {work}: {counted}"
            );
        }
        assert_eq!(OFFICE.working_hours_between(17.0, 24.0 + 9.0), 0.0);
    }

    #[test]
    fn working_hours_across_a_weekend_leave_out_nights_and_the_weekend() {
        // Friday 15:00 to Monday 10:00 of the next week: 2 h on Friday + 1 h on Monday, out of
        // 67 hours on the clock.
        let friday_3pm = 4.0 * 24.0 + 15.0;
        let monday_10am = 168.0 + 10.0;
        assert_eq!(OFFICE.working_hours_between(friday_3pm, monday_10am), 3.0);
        // Thursday 16:30 to Tuesday 09:30: 0.5 + 8 (Friday) + 8 (Monday) + 0.5 = 17 h.
        let thursday = 3.0 * 24.0 + 16.5;
        let tuesday = 168.0 + 24.0 + 9.5;
        assert_eq!(OFFICE.working_hours_between(thursday, tuesday), 17.0);
    }

    #[test]
    fn disabled_calendar_is_continuous() {
        assert_eq!(Calendar::ALWAYS.finish(20.0, 5.0), 25.0);
    }
}
