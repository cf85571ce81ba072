//! DORA survey buckets and performance tiers.
//!
//! The State of DevOps surveys ask for lead time, deployment frequency and recovery time as
//! buckets, and publish performance tiers (clusters) as a bucket per metric plus a change fail
//! rate. This module maps a simulated replication's metrics to those buckets and to the nearest
//! tier. Sources and tables: `shared/evidence.md` ("DORA metric definitions", "Performance
//! tiers"); the 2023 and 2024 tables come from the report sponsor's summaries (secondary).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Hours in a week.
pub use crate::engine::units::HOURS_PER_WEEK;
/// Hours in an average month (365.25 days / 12 = 30.4375 days).
pub const HOURS_PER_MONTH: f64 = 730.5;
/// Hours in six average months.
pub const HOURS_PER_SIX_MONTHS: f64 = 6.0 * HOURS_PER_MONTH;

/// DORA survey bucket for a duration (change lead time, failed deployment recovery time),
/// ordered from fastest to slowest.
///
/// Lower bounds are inclusive: exactly 24 hours is [`DurationBucket::DayToWeek`]. A month is
/// 730.5 hours (an average month), six months 4383 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationBucket {
    /// Less than one hour.
    LessThanHour,
    /// One hour to less than one day (the survey's "< 1 day").
    LessThanDay,
    /// One day to less than one week.
    DayToWeek,
    /// One week to less than one month.
    WeekToMonth,
    /// One month to less than six months.
    OneToSixMonths,
    /// Six months or more.
    MoreThanSixMonths,
}

impl DurationBucket {
    /// All buckets, fastest first.
    pub const ALL: [DurationBucket; 6] = [
        Self::LessThanHour,
        Self::LessThanDay,
        Self::DayToWeek,
        Self::WeekToMonth,
        Self::OneToSixMonths,
        Self::MoreThanSixMonths,
    ];

    /// Position on the survey scale, 0 (fastest) to 5 (slowest).
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }

    /// Survey label, for example `"1 day - 1 week"`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::LessThanHour => "< 1 hour",
            Self::LessThanDay => "< 1 day",
            Self::DayToWeek => "1 day - 1 week",
            Self::WeekToMonth => "1 week - 1 month",
            Self::OneToSixMonths => "1 - 6 months",
            Self::MoreThanSixMonths => "> 6 months",
        }
    }
}

impl fmt::Display for DurationBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The survey bucket of a duration in hours; `None` for NaN or negative values.
/// `+∞` is [`DurationBucket::MoreThanSixMonths`].
#[must_use]
pub fn duration_bucket(hours: f64) -> Option<DurationBucket> {
    if hours.is_nan() || hours < 0.0 {
        None
    } else if hours < 1.0 {
        Some(DurationBucket::LessThanHour)
    } else if hours < 24.0 {
        Some(DurationBucket::LessThanDay)
    } else if hours < HOURS_PER_WEEK {
        Some(DurationBucket::DayToWeek)
    } else if hours < HOURS_PER_MONTH {
        Some(DurationBucket::WeekToMonth)
    } else if hours < HOURS_PER_SIX_MONTHS {
        Some(DurationBucket::OneToSixMonths)
    } else {
        Some(DurationBucket::MoreThanSixMonths)
    }
}

/// DORA survey bucket for deployment frequency, ordered from most to least frequent.
///
/// The survey's answers overlap ("on demand (several a day)" and "hourly–daily" both cover
/// more than one deployment a day), so this module fixes explicit thresholds on the average
/// number of deployments per week (lower bounds inclusive):
///
/// | Bucket | Deployments per week | Meaning |
/// | --- | --- | --- |
/// | `OnDemand` | ≥ 14 | two or more a day on average ("several a day") |
/// | `HourlyToDaily` | 7 to < 14 | at least daily, fewer than two a day |
/// | `DailyToWeekly` | 1 to < 7 | at least weekly, less than daily |
/// | `WeeklyToMonthly` | 7 / 30.4375 ≈ 0.230 to < 1 | at least monthly, less than weekly |
/// | `MonthlyToSixMonthly` | 7 / 182.625 ≈ 0.0383 to < 0.230 | at least every six months |
/// | `Rarer` | < 0.0383 (including 0) | less than once every six months |
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrequencyBucket {
    /// Several deployments a day (≥ 14 per week).
    OnDemand,
    /// Between once a day and twice a day (7 to < 14 per week).
    HourlyToDaily,
    /// Between once a week and once a day (1 to < 7 per week).
    DailyToWeekly,
    /// Between once a month and once a week.
    WeeklyToMonthly,
    /// Between once every six months and once a month.
    MonthlyToSixMonthly,
    /// Less than once every six months.
    Rarer,
}

/// Lower bound of [`FrequencyBucket::OnDemand`], deployments per week.
pub const ON_DEMAND_PER_WEEK: f64 = 14.0;
/// Lower bound of [`FrequencyBucket::HourlyToDaily`]: one a day.
pub const DAILY_PER_WEEK: f64 = 7.0;
/// Lower bound of [`FrequencyBucket::DailyToWeekly`]: one a week.
pub const WEEKLY_PER_WEEK: f64 = 1.0;
/// Lower bound of [`FrequencyBucket::WeeklyToMonthly`]: one per average month.
pub const MONTHLY_PER_WEEK: f64 = HOURS_PER_WEEK / HOURS_PER_MONTH;
/// Lower bound of [`FrequencyBucket::MonthlyToSixMonthly`]: one per six average months.
pub const SIX_MONTHLY_PER_WEEK: f64 = HOURS_PER_WEEK / HOURS_PER_SIX_MONTHS;

impl FrequencyBucket {
    /// All buckets, most frequent first.
    pub const ALL: [FrequencyBucket; 6] = [
        Self::OnDemand,
        Self::HourlyToDaily,
        Self::DailyToWeekly,
        Self::WeeklyToMonthly,
        Self::MonthlyToSixMonthly,
        Self::Rarer,
    ];

    /// Position on the survey scale, 0 (most frequent) to 5 (rarest).
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }

    /// Survey label, for example `"daily - weekly"`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::OnDemand => "on demand (several a day)",
            Self::HourlyToDaily => "hourly - daily",
            Self::DailyToWeekly => "daily - weekly",
            Self::WeeklyToMonthly => "weekly - monthly",
            Self::MonthlyToSixMonthly => "monthly - 6-monthly",
            Self::Rarer => "rarer than 6-monthly",
        }
    }
}

impl fmt::Display for FrequencyBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The survey bucket of an average deployment rate (deployments per week), with the thresholds
/// documented on [`FrequencyBucket`]; `None` for NaN or negative values.
#[must_use]
pub fn frequency_bucket(per_week: f64) -> Option<FrequencyBucket> {
    if per_week.is_nan() || per_week < 0.0 {
        None
    } else if per_week >= ON_DEMAND_PER_WEEK {
        Some(FrequencyBucket::OnDemand)
    } else if per_week >= DAILY_PER_WEEK {
        Some(FrequencyBucket::HourlyToDaily)
    } else if per_week >= WEEKLY_PER_WEEK {
        Some(FrequencyBucket::DailyToWeekly)
    } else if per_week >= MONTHLY_PER_WEEK {
        Some(FrequencyBucket::WeeklyToMonthly)
    } else if per_week >= SIX_MONTHLY_PER_WEEK {
        Some(FrequencyBucket::MonthlyToSixMonthly)
    } else {
        Some(FrequencyBucket::Rarer)
    }
}

/// DORA performance tier, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Elite performers.
    Elite,
    /// High performers.
    High,
    /// Medium performers.
    Medium,
    /// Low performers.
    Low,
}

impl Tier {
    /// All tiers, best first.
    pub const ALL: [Tier; 4] = [Self::Elite, Self::High, Self::Medium, Self::Low];

    /// Display name, for example `"Elite"`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Elite => "Elite",
            Self::High => "High",
            Self::Medium => "Medium",
            Self::Low => "Low",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Which published tier table to classify against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierTable {
    /// Accelerate State of DevOps 2023 clusters.
    Dora2023,
    /// Accelerate State of DevOps 2024 clusters (high and medium change fail rates are
    /// inverted, as published).
    #[default]
    Dora2024,
}

/// The centre of one tier's cluster, as published.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TierCentre {
    /// The tier.
    pub tier: Tier,
    /// Change lead time bucket.
    pub lead_time: DurationBucket,
    /// Deployment frequency bucket.
    pub frequency: FrequencyBucket,
    /// Change fail rate, as a fraction.
    pub change_fail_rate: f64,
    /// Failed deployment recovery time bucket.
    pub recovery: DurationBucket,
}

const fn centre(
    tier: Tier,
    lead_time: DurationBucket,
    frequency: FrequencyBucket,
    change_fail_rate: f64,
    recovery: DurationBucket,
) -> TierCentre {
    TierCentre {
        tier,
        lead_time,
        frequency,
        change_fail_rate,
        recovery,
    }
}

use DurationBucket as D;
use FrequencyBucket as F;

const DORA_2023: [TierCentre; 4] = [
    centre(
        Tier::Elite,
        D::LessThanDay,
        F::OnDemand,
        0.05,
        D::LessThanHour,
    ),
    centre(
        Tier::High,
        D::DayToWeek,
        F::DailyToWeekly,
        0.10,
        D::LessThanDay,
    ),
    centre(
        Tier::Medium,
        D::WeekToMonth,
        F::WeeklyToMonthly,
        0.15,
        D::DayToWeek,
    ),
    centre(
        Tier::Low,
        D::WeekToMonth,
        F::WeeklyToMonthly,
        0.64,
        D::OneToSixMonths,
    ),
];

const DORA_2024: [TierCentre; 4] = [
    centre(
        Tier::Elite,
        D::LessThanDay,
        F::OnDemand,
        0.05,
        D::LessThanHour,
    ),
    centre(
        Tier::High,
        D::DayToWeek,
        F::DailyToWeekly,
        0.20,
        D::LessThanDay,
    ),
    centre(
        Tier::Medium,
        D::WeekToMonth,
        F::WeeklyToMonthly,
        0.10,
        D::LessThanDay,
    ),
    centre(
        Tier::Low,
        D::OneToSixMonths,
        F::MonthlyToSixMonthly,
        0.40,
        D::WeekToMonth,
    ),
];

impl TierTable {
    /// The four tier centres, best tier first.
    #[must_use]
    pub fn centres(self) -> &'static [TierCentre; 4] {
        match self {
            Self::Dora2023 => &DORA_2023,
            Self::Dora2024 => &DORA_2024,
        }
    }

    /// The centre of one tier.
    #[must_use]
    pub fn centre(self, tier: Tier) -> TierCentre {
        self.centres()[tier as usize]
    }
}

/// Change fail rate difference that counts as much as one bucket step in the tier distance.
pub const CFR_SCALE: f64 = 0.10;

/// One replication's delivery profile. `None` (or NaN, or a negative value) marks a metric that
/// is undefined in the replication; it is left out of the distance.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Profile {
    /// Typical change lead time in hours (undefined when nothing was deployed).
    pub lead_time_hours: Option<f64>,
    /// Average deployments per week.
    pub deploys_per_week: Option<f64>,
    /// Change fail rate as a fraction (undefined when nothing was deployed).
    pub change_fail_rate: Option<f64>,
    /// Typical failed deployment recovery time in hours (undefined when no deployment failed).
    pub recovery_hours: Option<f64>,
}

/// Per-metric distance terms of a profile from one tier centre; `None` for undefined metrics.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Terms {
    lead_time: Option<f64>,
    frequency: Option<f64>,
    change_fail_rate: Option<f64>,
    recovery: Option<f64>,
}

fn step(a: usize, b: usize) -> f64 {
    a.abs_diff(b) as f64
}

fn terms(profile: &Profile, c: &TierCentre) -> Terms {
    let lead = profile.lead_time_hours.and_then(duration_bucket);
    let freq = profile.deploys_per_week.and_then(frequency_bucket);
    let cfr = profile
        .change_fail_rate
        .filter(|r| r.is_finite() && *r >= 0.0);
    let rec = profile.recovery_hours.and_then(duration_bucket);
    Terms {
        lead_time: lead.map(|b| step(b.index(), c.lead_time.index())),
        frequency: freq.map(|b| step(b.index(), c.frequency.index())),
        change_fail_rate: cfr.map(|r| (r - c.change_fail_rate).abs() / CFR_SCALE),
        recovery: rec.map(|b| step(b.index(), c.recovery.index())),
    }
}

/// Distance of a profile from a tier centre:
///
/// |lead-time bucket index − centre's| + |frequency bucket index − centre's|
/// + |recovery bucket index − centre's| + |change fail rate − centre's| / 0.10
///
/// Bucket indices are positions on the survey scales ([`DurationBucket::index`],
/// [`FrequencyBucket::index`]), so one bucket step weighs as much as 10 percentage points of
/// change fail rate. Undefined metrics contribute nothing. `None` when every metric is
/// undefined.
#[must_use]
pub fn distance(profile: &Profile, centre: &TierCentre) -> Option<f64> {
    let t = terms(profile, centre);
    [t.lead_time, t.frequency, t.change_fail_rate, t.recovery]
        .into_iter()
        .flatten()
        .reduce(|a, b| a + b)
}

/// The tier whose first-listed minimum is smallest, scanning best tier first (ties go to the
/// better tier).
fn nearest(table: TierTable, score: impl Fn(&TierCentre) -> Option<f64>) -> Option<Tier> {
    let mut best: Option<(Tier, f64)> = None;
    for c in table.centres() {
        let d = score(c)?;
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((c.tier, d));
        }
    }
    best.map(|(t, _)| t)
}

/// Classifies a profile to the nearest tier of `table` by [`distance`]. The published tiers are
/// cluster centres, so a profile need not match any tier exactly. Ties go to the better tier.
/// `None` when every metric of the profile is undefined.
#[must_use]
pub fn classify(table: TierTable, profile: &Profile) -> Option<Tier> {
    nearest(table, |c| distance(profile, c))
}

/// The nearest tier for each metric on its own (each term of [`distance`] separately; ties go
/// to the better tier). `None` for an undefined metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricTiers {
    /// Nearest tier by change lead time bucket.
    pub lead_time: Option<Tier>,
    /// Nearest tier by deployment frequency bucket.
    pub frequency: Option<Tier>,
    /// Nearest tier by change fail rate.
    pub change_fail_rate: Option<Tier>,
    /// Nearest tier by recovery time bucket.
    pub recovery: Option<Tier>,
}

/// Per-metric tier membership of a profile: which tier each metric alone is closest to.
#[must_use]
pub fn metric_tiers(table: TierTable, profile: &Profile) -> MetricTiers {
    MetricTiers {
        lead_time: nearest(table, |c| terms(profile, c).lead_time),
        frequency: nearest(table, |c| terms(profile, c).frequency),
        change_fail_rate: nearest(table, |c| terms(profile, c).change_fail_rate),
        recovery: nearest(table, |c| terms(profile, c).recovery),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLES: [TierTable; 2] = [TierTable::Dora2023, TierTable::Dora2024];

    fn profile(lead: f64, per_week: f64, cfr: f64, recovery: Option<f64>) -> Profile {
        Profile {
            lead_time_hours: Some(lead),
            deploys_per_week: Some(per_week),
            change_fail_rate: Some(cfr),
            recovery_hours: recovery,
        }
    }

    #[test]
    fn duration_bucket_edges() {
        use DurationBucket::*;
        let cases = [
            (0.0, LessThanHour),
            (0.999, LessThanHour),
            (1.0, LessThanDay),
            (23.9, LessThanDay),
            (24.0, DayToWeek),
            (167.9, DayToWeek),
            (168.0, WeekToMonth),
            (730.4, WeekToMonth),
            (730.5, OneToSixMonths),
            (4382.9, OneToSixMonths),
            (4383.0, MoreThanSixMonths),
            (f64::INFINITY, MoreThanSixMonths),
        ];
        for (h, b) in cases {
            assert_eq!(duration_bucket(h), Some(b), "{h} h");
        }
        assert_eq!(duration_bucket(f64::NAN), None);
        assert_eq!(duration_bucket(-1.0), None);
        assert_eq!(DurationBucket::DayToWeek.label(), "1 day - 1 week");
    }

    #[test]
    fn frequency_bucket_edges() {
        use FrequencyBucket::*;
        let cases = [
            (100.0, OnDemand),
            (14.0, OnDemand),
            (13.9, HourlyToDaily),
            (7.0, HourlyToDaily),
            (6.9, DailyToWeekly),
            (1.0, DailyToWeekly),
            (0.99, WeeklyToMonthly),
            (0.23, WeeklyToMonthly),
            (0.229, MonthlyToSixMonthly),
            (0.039, MonthlyToSixMonthly),
            (0.038, Rarer),
            (0.0, Rarer),
        ];
        for (w, b) in cases {
            assert_eq!(frequency_bucket(w), Some(b), "{w}/week");
        }
        assert_eq!(frequency_bucket(f64::NAN), None);
        assert_eq!(frequency_bucket(-0.5), None);
        assert!(
            FrequencyBucket::ALL
                .iter()
                .enumerate()
                .all(|(i, b)| b.index() == i)
        );
    }

    #[test]
    fn obvious_elite() {
        let p = profile(2.0, 20.0, 0.04, Some(0.5));
        for t in TABLES {
            assert_eq!(classify(t, &p), Some(Tier::Elite), "{t:?}");
        }
    }

    #[test]
    fn obvious_low() {
        // 3 months lead time, one deployment in ~10 weeks, half fail, two weeks to recover.
        let p = profile(2000.0, 0.1, 0.5, Some(300.0));
        for t in TABLES {
            assert_eq!(classify(t, &p), Some(Tier::Low), "{t:?}");
        }
    }

    #[test]
    fn table_centres_classify_as_themselves() {
        // A profile placed in the middle of each centre's buckets is that tier.
        let mid_hours = |b: DurationBucket| match b {
            D::LessThanHour => 0.5,
            D::LessThanDay => 6.0,
            D::DayToWeek => 72.0,
            D::WeekToMonth => 336.0,
            D::OneToSixMonths => 2000.0,
            D::MoreThanSixMonths => 10_000.0,
        };
        let mid_rate = |b: FrequencyBucket| match b {
            F::OnDemand => 30.0,
            F::HourlyToDaily => 10.0,
            F::DailyToWeekly => 3.0,
            F::WeeklyToMonthly => 0.5,
            F::MonthlyToSixMonthly => 0.1,
            F::Rarer => 0.01,
        };
        for t in TABLES {
            for c in t.centres() {
                let p = profile(
                    mid_hours(c.lead_time),
                    mid_rate(c.frequency),
                    c.change_fail_rate,
                    Some(mid_hours(c.recovery)),
                );
                assert_eq!(classify(t, &p), Some(c.tier), "{t:?}");
                assert_eq!(distance(&p, c), Some(0.0));
            }
        }
    }

    #[test]
    fn undefined_recovery_is_skipped() {
        let p = profile(2.0, 20.0, 0.04, None);
        let c = TierTable::Dora2024.centre(Tier::Elite);
        // Lead 2 h is in the elite bucket, 20/week is on demand; only |0.04 − 0.05| / 0.1 remains.
        let d = distance(&p, &c).unwrap_or(f64::NAN);
        assert!((d - 0.1).abs() < 1e-12);
        assert_eq!(classify(TierTable::Dora2024, &p), Some(Tier::Elite));
        assert_eq!(classify(TierTable::Dora2024, &Profile::default()), None);
        let nan = Profile {
            change_fail_rate: Some(f64::NAN),
            ..Profile::default()
        };
        assert_eq!(classify(TierTable::Dora2024, &nan), None);
    }

    #[test]
    fn per_metric_tiers() {
        // Elite speed but a 2024-"low" change fail rate.
        let p = profile(2.0, 20.0, 0.42, Some(0.5));
        let m = metric_tiers(TierTable::Dora2024, &p);
        assert_eq!(m.lead_time, Some(Tier::Elite));
        assert_eq!(m.frequency, Some(Tier::Elite));
        assert_eq!(m.change_fail_rate, Some(Tier::Low));
        assert_eq!(m.recovery, Some(Tier::Elite));
        // High and medium share the 2024 recovery bucket: ties go to the better tier.
        let q = profile(2.0, 20.0, 0.05, Some(5.0));
        assert_eq!(
            metric_tiers(TierTable::Dora2024, &q).recovery,
            Some(Tier::High)
        );
    }
}
