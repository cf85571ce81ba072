//! The figures a history shows: the five DORA metrics as the team's tooling measures them, and
//! the flow figures behind them. The same function reads an imported history and a simulated
//! one (through the same measured log), so observed and simulated are measured by one rule.

use crate::engine::units::HOURS_PER_WEEK;
use crate::history::{MeasuredLog, to_records};
use crate::metrics::ledger::{LedgerView, Lens, dora};
use crate::stats::quantiles::quantile;

/// One figure of a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Moment {
    /// Deployments per week.
    DeploysPerWeek,
    /// Median lead time for changes (first commit to production), hours.
    LeadTimeP50,
    /// Failed deployments / deployments.
    ChangeFailRate,
    /// Median failed deployment recovery time (impact to resolved), hours.
    RecoveryP50,
    /// Rework deployments / deployments.
    ReworkRate,
    /// Changes reaching production per week.
    ChangesPerWeek,
    /// Median time a pull request spends in review (opened to approved), hours.
    ReviewTimeP50,
    /// Median pull request size, lines.
    PullRequestLocP50,
    /// Log-mean of the recovery times (`exp(mean(ln(1 + h))) - 1`), hours: what recovery time is
    /// fitted to. Each incident moves it a little, where the median of a few incidents jumps.
    RecoveryGeoMean,
    /// Log-mean of pull requests' review times, hours: what review time is fitted to.
    ReviewTimeGeoMean,
    /// Log-mean of lead times, hours: what review pickup is fitted to when a history has no
    /// review times (Four Keys).
    LeadTimeLogMean,
}

impl Moment {
    /// Every figure, in report order.
    pub const ALL: [Moment; 11] = [
        Moment::DeploysPerWeek,
        Moment::LeadTimeP50,
        Moment::ChangeFailRate,
        Moment::RecoveryP50,
        Moment::ReworkRate,
        Moment::ChangesPerWeek,
        Moment::ReviewTimeP50,
        Moment::PullRequestLocP50,
        Moment::RecoveryGeoMean,
        Moment::ReviewTimeGeoMean,
        Moment::LeadTimeLogMean,
    ];

    /// Its label in reports.
    pub fn label(self) -> &'static str {
        match self {
            Moment::DeploysPerWeek => "deployment frequency",
            Moment::LeadTimeP50 => "lead time p50",
            Moment::ChangeFailRate => "change fail rate",
            Moment::RecoveryP50 => "recovery time p50",
            Moment::ReworkRate => "rework rate",
            Moment::ChangesPerWeek => "changes deployed",
            Moment::ReviewTimeP50 => "review time p50",
            Moment::PullRequestLocP50 => "pull request size p50",
            Moment::RecoveryGeoMean => "recovery time, log-mean",
            Moment::ReviewTimeGeoMean => "review time, log-mean",
            Moment::LeadTimeLogMean => "lead time, log-mean",
        }
    }

    /// Its unit.
    pub fn unit(self) -> &'static str {
        match self {
            Moment::DeploysPerWeek | Moment::ChangesPerWeek => "per week",
            Moment::LeadTimeP50
            | Moment::RecoveryP50
            | Moment::ReviewTimeP50
            | Moment::RecoveryGeoMean
            | Moment::ReviewTimeGeoMean
            | Moment::LeadTimeLogMean => "hours",
            Moment::ChangeFailRate | Moment::ReworkRate => "share",
            Moment::PullRequestLocP50 => "lines",
        }
    }

    /// Is it one of DORA's five metrics?
    pub fn is_dora(self) -> bool {
        matches!(
            self,
            Moment::DeploysPerWeek
                | Moment::LeadTimeP50
                | Moment::ChangeFailRate
                | Moment::RecoveryP50
                | Moment::ReworkRate
        )
    }

    fn index(self) -> usize {
        Moment::ALL.iter().position(|&m| m == self).unwrap_or(0)
    }
}

/// The figures of one history; `NaN` where the history cannot show one (no incidents, no review
/// times, no sizes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures([f64; Moment::ALL.len()]);

impl Figures {
    /// The value of `moment`.
    pub fn get(&self, moment: Moment) -> f64 {
        self.0[moment.index()]
    }

    fn set(&mut self, moment: Moment, value: f64) {
        self.0[moment.index()] = value;
    }
}

/// Counts behind the figures, for direct estimates and their intervals.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    /// Length of the window, weeks.
    pub weeks: f64,
    /// Deployments counted.
    pub deployments: f64,
    /// Failed deployments counted.
    pub failures: f64,
    /// Rework deployments counted.
    pub rework: f64,
    /// Changes deployed in the window.
    pub changes: f64,
    /// Incidents with a recovery time.
    pub recoveries: f64,
    /// Pull requests with a review time.
    pub reviews: f64,
    /// Pull requests with a size.
    pub sized: f64,
}

/// `exp(mean(ln(1 + h))) - 1`: a geometric mean of durations shifted by an hour, so that a few
/// near-zero durations (an incident closed within seconds) do not dominate it as they would a
/// plain geometric mean, and each value moves it smoothly.
fn log_mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let sum: f64 = values.iter().map(|v| v.max(0.0).ln_1p()).sum();
    (sum / values.len() as f64).exp_m1()
}

/// The figures of `log` over its window, measured by `lens`'s rules on what the tooling
/// recorded (`LedgerView::measured`): `Lens::Truth` for dorasim's own rules, or the rules of the
/// tool the history came from. "Changes deployed" counts what the lens times (a change, or a
/// piece of a split change; a pull request for DevLake).
pub fn figures(log: &MeasuredLog, lens: Lens) -> (Figures, Counts) {
    let (from, to) = (log.window.from_hours, log.window.to_hours);
    let weeks = (to - from) / HOURS_PER_WEEK;
    let records = to_records(log);
    let view = LedgerView::measured(&records, lens);
    let d = dora(&view, weeks);
    let in_window = |t: f64| t >= from && t < to;
    let changes = view.lead_times.len() as f64;
    let in_window_opened =
        |p: &&crate::history::MeasuredPullRequest| p.opened_hours.is_some_and(in_window);
    let mut review: Vec<f64> = log
        .pull_requests
        .iter()
        .filter(in_window_opened)
        .filter_map(|p| Some(p.approved_hours? - p.opened_hours?))
        .filter(|h| h.is_finite() && *h >= 0.0)
        .collect();
    let mut sizes: Vec<f64> = log
        .pull_requests
        .iter()
        .filter(in_window_opened)
        .filter_map(|p| p.loc)
        .filter(|l| l.is_finite() && *l >= 0.0)
        .collect();
    let mut f = Figures([f64::NAN; Moment::ALL.len()]);
    f.set(Moment::DeploysPerWeek, d.deploys_per_week);
    f.set(Moment::LeadTimeP50, d.lead_time_p50);
    f.set(Moment::ChangeFailRate, d.change_fail_rate);
    f.set(Moment::RecoveryP50, d.recovery_p50);
    f.set(Moment::ReworkRate, d.rework_rate);
    f.set(Moment::ChangesPerWeek, changes / weeks);
    let counts = Counts {
        weeks,
        deployments: d.deployments,
        failures: d.failures,
        rework: d.rework,
        changes,
        recoveries: view.recovery_hours().len() as f64,
        reviews: review.len() as f64,
        sized: sizes.len() as f64,
    };
    let recoveries = view.recovery_hours();
    let leads: Vec<f64> = view.lead_times.iter().map(|l| l.1).collect();
    f.set(Moment::LeadTimeLogMean, log_mean(&leads));
    f.set(Moment::RecoveryGeoMean, log_mean(&recoveries));
    f.set(Moment::ReviewTimeGeoMean, log_mean(&review));
    f.set(Moment::ReviewTimeP50, quantile(&mut review, 0.5));
    f.set(Moment::PullRequestLocP50, quantile(&mut sizes, 0.5));
    (f, counts)
}
