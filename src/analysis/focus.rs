//! The metrics a what-if analysis reports, and which direction counts as better.

use crate::metrics::Metric;

/// Which way a metric improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Lower values are better (lead time, change fail rate, recovery time, rework).
    Lower,
    /// Higher values are better (deployment frequency, availability).
    Higher,
}

impl Better {
    /// Share of pairs where B is better than A, from the share where B is greater (ties count
    /// one half either way).
    pub fn probability_b_better(self, prob_b_greater: f64) -> f64 {
        match self {
            Better::Higher => prob_b_greater,
            Better::Lower => 1.0 - prob_b_greater,
        }
    }

    /// `lower` or `higher`.
    pub fn name(self) -> &'static str {
        match self {
            Better::Lower => "lower",
            Better::Higher => "higher",
        }
    }
}

/// Metrics compared and swept: DORA's five, reliability and the flow diagnostics that explain
/// them, with the direction in which each improves. Beside the DORA median lead time come its
/// mean and its median in working hours: with a working calendar the median jumps by a night
/// when process time crosses a threshold, while those two move smoothly, so a what-if can see
/// a change of minutes.
pub const FOCUS: &[(Metric, Better)] = &[
    (Metric::DeploysPerWeek, Better::Higher),
    (Metric::LeadTimeP50, Better::Lower),
    (Metric::LeadTimeMean, Better::Lower),
    (Metric::LeadTimeWorkingP50, Better::Lower),
    (Metric::LeadTimeP90, Better::Lower),
    (Metric::ChangeFailRate, Better::Lower),
    (Metric::RecoveryP50, Better::Lower),
    (Metric::RecoveryP90, Better::Lower),
    (Metric::ReworkRate, Better::Lower),
    (Metric::Availability, Better::Higher),
    (Metric::SloWeeksMet, Better::Higher),
    (Metric::ErrorBudgetSpent, Better::Lower),
    (Metric::Incidents, Better::Lower),
    (Metric::ThroughputPerWeek, Better::Higher),
    (Metric::ReviewWaitMean, Better::Lower),
    (Metric::ReviewQueue, Better::Lower),
    (Metric::WorkInProgress, Better::Lower),
    (Metric::FragilityEnd, Better::Lower),
];

/// The dashboard's five DORA metrics (the measured ledger through each scenario's lens), compared
/// beside [`FOCUS`] when the scenarios' dashboards can tell a different story from the truth: a
/// lens other than `truth`, gaming, or lenses and cultures that differ between the scenarios.
pub const DASHBOARD: &[(Metric, Better)] = &[
    (Metric::MeasuredDeploysPerWeek, Better::Higher),
    (Metric::MeasuredLeadTimeP50, Better::Lower),
    (Metric::MeasuredChangeFailRate, Better::Lower),
    (Metric::MeasuredRecoveryP50, Better::Lower),
    (Metric::MeasuredReworkRate, Better::Lower),
];

/// The five DORA metrics (medians for the time metrics) and availability, with the mean lead
/// time and the median lead time in working hours beside the DORA median (see [`FOCUS`]): the
/// outputs of a sensitivity analysis and the charts of a sweep's report.
pub const HEADLINE: &[Metric] = &[
    Metric::DeploysPerWeek,
    Metric::LeadTimeP50,
    Metric::LeadTimeMean,
    Metric::LeadTimeWorkingP50,
    Metric::ChangeFailRate,
    Metric::RecoveryP50,
    Metric::ReworkRate,
    Metric::Availability,
];
