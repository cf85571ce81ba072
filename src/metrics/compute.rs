//! DORA's five metrics, reliability and the flow diagnostics of one replication, computed from its
//! records after the warm-up.

use crate::model::records::{
    ChangeRecord, DeployReason, IncidentCause, IncidentRecord, Origin, RunRecords,
};

use super::catalogue::{METRIC_COUNT, Metric, WEEKLY_COUNT, Weekly};

const HOURS_PER_WEEK: f64 = 168.0;

/// One replication's metrics: a row in [`super::catalogue::METRICS`] order (`NaN` = undefined, for
/// example a change fail rate with no deployment) and one row per measured week.
#[derive(Debug, Clone)]
pub struct ReplicationMetrics {
    /// Values in `METRICS` order.
    pub values: [f64; METRIC_COUNT],
    /// Per measured week, values in `WEEKLY` order.
    pub weeks: Vec<[f64; WEEKLY_COUNT]>,
}

impl ReplicationMetrics {
    /// The value of one metric.
    pub fn get(&self, metric: Metric) -> f64 {
        self.values[metric as usize]
    }
}

/// Value at quantile `q` of `values` (sorted in place), by linear interpolation; `NaN` if empty.
pub fn quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_unstable_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (values.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    values[lo] + (values[hi] - values[lo]) * (pos - lo as f64)
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        f64::NAN
    }
}

fn mean_of(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    ratio(sum, n as f64)
}

/// Hours of `[start, end)` that fall inside `[from, to)`.
fn overlap(start: f64, end: f64, from: f64, to: f64) -> f64 {
    (end.min(to) - start.max(from)).max(0.0)
}

/// The ids of deployments that caused at least one failure, with the first such incident.
fn failures_by_deployment(incidents: &[IncidentRecord], deployments: usize) -> Vec<Option<usize>> {
    let mut first: Vec<Option<usize>> = vec![None; deployments];
    for (i, incident) in incidents.iter().enumerate() {
        if let IncidentCause::Deployment { deployment } = incident.cause
            && let Some(slot) = first.get_mut(deployment as usize)
            && slot.is_none()
        {
            *slot = Some(i);
        }
    }
    first
}

/// Computes the true-ledger metrics of one replication. `slo_target` is the weekly availability
/// objective.
pub fn compute(records: &RunRecords, slo_target: f64) -> ReplicationMetrics {
    use Metric as M;
    let mut v = [f64::NAN; METRIC_COUNT];
    let from = records.warmup_hours;
    let to = records.end_hours;
    let window = to - from;
    let weeks = window / HOURS_PER_WEEK;
    let in_window = |t: f64| t >= from && t < to;
    let week_count = (weeks.round() as usize).max(records.weeks.len());
    let week_of =
        |t: f64| (((t - from) / HOURS_PER_WEEK) as usize).min(week_count.saturating_sub(1));

    // Deployments (rollbacks are remediation, not deployments of change).
    let failed_by = failures_by_deployment(&records.incidents, records.deployments.len());
    let mut deployments = 0.0;
    let mut failed = 0.0;
    let mut rework = 0.0;
    let mut rollbacks = 0.0;
    let mut planned = 0.0;
    let mut planned_changes = 0.0;
    let mut recovery = Vec::new();
    let mut week_deploys = vec![0.0; week_count];
    let mut week_failed = vec![0.0; week_count];
    let mut week_rework = vec![0.0; week_count];
    let mut week_recovery: Vec<Vec<f64>> = vec![Vec::new(); week_count];
    for d in &records.deployments {
        if !in_window(d.finished_hours) {
            continue;
        }
        if d.reason == DeployReason::Rollback {
            rollbacks += 1.0;
            continue;
        }
        let w = week_of(d.finished_hours);
        deployments += 1.0;
        week_deploys[w] += 1.0;
        if d.reason.is_rework() {
            rework += 1.0;
            week_rework[w] += 1.0;
        }
        if d.reason == DeployReason::Planned {
            planned += 1.0;
            planned_changes += f64::from(d.change_count);
        }
        if let Some(i) = failed_by[d.id as usize] {
            failed += 1.0;
            week_failed[w] += 1.0;
            let incident = &records.incidents[i];
            if incident.restored_hours.is_finite() {
                let hours = incident.restored_hours - incident.started_hours;
                recovery.push(hours);
                week_recovery[w].push(hours);
            }
        }
    }
    v[M::DeploysPerWeek as usize] = deployments / weeks;
    v[M::DeploysPerDay as usize] = deployments / (weeks * 7.0);
    v[M::Deployments as usize] = deployments;
    v[M::FailedDeployments as usize] = failed;
    v[M::ReworkDeployments as usize] = rework;
    v[M::Rollbacks as usize] = rollbacks;
    v[M::ChangeFailRate as usize] = ratio(failed, deployments);
    v[M::ReworkRate as usize] = ratio(rework, deployments);
    v[M::BatchSize as usize] = ratio(planned_changes, planned);
    v[M::RecoveryP90 as usize] = quantile(&mut recovery, 0.9);
    v[M::RecoveryP50 as usize] = quantile(&mut recovery, 0.5);

    // Changes delivered in the window.
    let delivered: Vec<&ChangeRecord> = records
        .changes
        .iter()
        .filter(|c| in_window(c.deployed_hours))
        .collect();
    let mut lead: Vec<f64> = delivered
        .iter()
        .map(|c| c.deployed_hours - c.first_commit_hours)
        .collect();
    let mut week_lead: Vec<Vec<f64>> = vec![Vec::new(); week_count];
    for c in &delivered {
        week_lead[week_of(c.deployed_hours)].push(c.deployed_hours - c.first_commit_hours);
    }
    v[M::LeadTimeP90 as usize] = quantile(&mut lead, 0.9);
    v[M::LeadTimeP50 as usize] = quantile(&mut lead, 0.5);
    let planned_delivered = delivered
        .iter()
        .filter(|c| c.origin == Origin::Planned)
        .count() as f64;
    v[M::ThroughputPerWeek as usize] = planned_delivered / weeks;
    let merged: Vec<&ChangeRecord> = records
        .changes
        .iter()
        .filter(|c| in_window(c.merged_hours))
        .collect();
    v[M::PullRequestsPerWeek as usize] = merged
        .iter()
        .map(|c| f64::from(c.pull_requests))
        .sum::<f64>()
        / weeks;
    v[M::ChangeSizeMean as usize] = mean_of(merged.iter().map(|c| f64::from(c.loc)));
    v[M::AiShare as usize] = mean_of(merged.iter().map(|c| if c.ai_assisted { 1.0 } else { 0.0 }));
    v[M::ReviewRounds as usize] = mean_of(merged.iter().map(|c| f64::from(c.review_rounds)));
    v[M::ReviewDepth as usize] = mean_of(
        merged
            .iter()
            .filter(|c| c.review_rounds > 0)
            .map(|c| f64::from(c.review_depth)),
    );

    // Lead-time breakdown.
    let breakdown = |f: &dyn Fn(&ChangeRecord) -> f64| mean_of(delivered.iter().map(|c| f(c)));
    let wait = breakdown(&|c| f64::from(c.review_wait_hours));
    let review = breakdown(&|c| f64::from(c.review_hours));
    let rework_h = breakdown(&|c| f64::from(c.rework_hours));
    let tests = breakdown(&|c| f64::from(c.test_hours));
    let deploy_wait = breakdown(&|c| c.deployed_hours - c.merged_hours);
    let total = breakdown(&|c| c.deployed_hours - c.first_commit_hours);
    v[M::LeadReviewWait as usize] = wait;
    v[M::LeadReview as usize] = review;
    v[M::LeadRework as usize] = rework_h;
    v[M::LeadTests as usize] = tests;
    v[M::LeadDeployWait as usize] = deploy_wait;
    v[M::LeadCoding as usize] = (total - wait - review - rework_h - tests - deploy_wait).max(0.0);

    // Defect funnel, by class and authorship, for changes delivered in the window.
    let mut funnel = [[[0.0f64; 2]; 2]; 4]; // [stage][ai][class]
    for c in &delivered {
        let ai = usize::from(c.ai_assisted);
        for (stage, counts) in [c.injected, c.caught_in_review, c.caught_in_tests, c.escaped]
            .iter()
            .enumerate()
        {
            for (slot, n) in funnel[stage][ai].iter_mut().zip(counts) {
                *slot += f64::from(*n);
            }
        }
    }
    let first = [
        M::InjectedDescribedHuman,
        M::ReviewDescribedHuman,
        M::TestsDescribedHuman,
        M::EscapedDescribedHuman,
    ];
    for (stage, start) in first.iter().enumerate() {
        for ai in 0..2 {
            for class in 0..2 {
                v[*start as usize + ai * 2 + class] = funnel[stage][ai][class];
            }
        }
    }
    let sum2 = |x: [f64; 2]| x[0] + x[1];
    v[M::EscapeRateHuman as usize] = ratio(sum2(funnel[3][0]), sum2(funnel[0][0]));
    v[M::EscapeRateAi as usize] = ratio(sum2(funnel[3][1]), sum2(funnel[0][1]));

    // Incidents and reliability.
    let mut downtime = 0.0;
    let mut week_downtime = vec![0.0; week_count];
    let mut week_incidents = vec![0.0; week_count];
    let mut week_non_attributable = vec![0.0; week_count];
    let (mut by_deploy, mut by_fragility, mut by_interaction, mut ai_integration) =
        (0.0, 0.0, 0.0, 0.0);
    for incident in &records.incidents {
        let end = if incident.restored_hours.is_finite() {
            incident.restored_hours
        } else {
            to
        };
        downtime += incident.impact * overlap(incident.started_hours, end, from, to);
        for (w, slot) in week_downtime.iter_mut().enumerate() {
            let ws = from + w as f64 * HOURS_PER_WEEK;
            *slot +=
                incident.impact * overlap(incident.started_hours, end, ws, ws + HOURS_PER_WEEK);
        }
        if !in_window(incident.started_hours) {
            continue;
        }
        let w = week_of(incident.started_hours);
        week_incidents[w] += 1.0;
        match incident.cause {
            IncidentCause::Deployment { .. } => by_deploy += 1.0,
            IncidentCause::Fragility => by_fragility += 1.0,
            IncidentCause::Interaction => by_interaction += 1.0,
        }
        if !matches!(incident.cause, IncidentCause::Deployment { .. }) {
            week_non_attributable[w] += 1.0;
        }
        if incident.ai_integration {
            ai_integration += 1.0;
        }
    }
    v[M::Incidents as usize] = by_deploy + by_fragility + by_interaction;
    v[M::NonAttributableIncidents as usize] = by_fragility + by_interaction;
    v[M::IncidentsFromDeployments as usize] = by_deploy;
    v[M::IncidentsFromFragility as usize] = by_fragility;
    v[M::IncidentsFromInteraction as usize] = by_interaction;
    v[M::AiIntegrationFailures as usize] = ai_integration;
    v[M::Availability as usize] = 1.0 - ratio(downtime, window);
    let budget = (1.0 - slo_target) * window;
    v[M::ErrorBudgetSpent as usize] = ratio(downtime, budget);
    let weekly_availability: Vec<f64> = week_downtime
        .iter()
        .map(|d| 1.0 - d / HOURS_PER_WEEK)
        .collect();
    v[M::SloWeeksMet as usize] = mean_of(
        weekly_availability
            .iter()
            .map(|a| if *a >= slo_target { 1.0 } else { 0.0 }),
    );

    // Flow totals from the model's ground truth.
    let flow = &records.flow;
    v[M::ReviewWaitMean as usize] = ratio(flow.review_wait_sum_hours, flow.reviews_started as f64);
    v[M::ReviewUtilisation as usize] =
        ratio(records.time_use.reviewing, flow.reviewer_hours_available);
    v[M::ReviewQueue as usize] = flow.review_queue_avg;
    v[M::WorkInProgress as usize] = flow.work_in_progress_avg;
    v[M::BugsManifested as usize] = flow.bugs_manifested as f64;
    v[M::FragilityEnd as usize] = records.weeks.last().map_or(f64::NAN, |w| w.fragility);
    v[M::FragilityMean as usize] = mean_of(records.weeks.iter().map(|w| w.fragility));
    let t = &records.time_use;
    let available = flow.developer_hours_available;
    v[M::TimeCoding as usize] = ratio(t.coding, available);
    v[M::TimeRework as usize] = ratio(t.rework, available);
    v[M::TimeBugFixing as usize] = ratio(t.bug_fixing, available);
    v[M::TimeIncidents as usize] = ratio(t.incidents, available);
    v[M::TimeMaintenance as usize] = ratio(t.maintenance, available);
    v[M::TimeIdle as usize] = (1.0
        - ratio(
            t.coding + t.rework + t.bug_fixing + t.incidents + t.maintenance,
            available,
        ))
    .max(0.0);

    // Weekly series.
    let mut weeks_out = Vec::with_capacity(week_count);
    for w in 0..week_count {
        let mut row = [f64::NAN; WEEKLY_COUNT];
        row[Weekly::Deployments as usize] = week_deploys[w];
        row[Weekly::LeadTimeP50 as usize] = quantile(&mut week_lead[w], 0.5);
        row[Weekly::ChangeFailRate as usize] = ratio(week_failed[w], week_deploys[w]);
        row[Weekly::ReworkRate as usize] = ratio(week_rework[w], week_deploys[w]);
        row[Weekly::RecoveryP50 as usize] = quantile(&mut week_recovery[w], 0.5);
        row[Weekly::Availability as usize] = weekly_availability[w];
        row[Weekly::Incidents as usize] = week_incidents[w];
        row[Weekly::NonAttributable as usize] = week_non_attributable[w];
        if let Some(sample) = records.weeks.get(w) {
            row[Weekly::Fragility as usize] = sample.fragility;
            row[Weekly::ReviewQueue as usize] = sample.review_queue;
            row[Weekly::WorkInProgress as usize] = sample.work_in_progress;
            row[Weekly::Adoption as usize] = sample.adoption;
        }
        weeks_out.push(row);
    }
    ReplicationMetrics {
        values: v,
        weeks: weeks_out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates() {
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        assert_eq!(quantile(&mut v, 0.5), 2.5);
        assert_eq!(quantile(&mut v, 0.0), 1.0);
        assert_eq!(quantile(&mut v, 1.0), 4.0);
        assert!(quantile(&mut [], 0.5).is_nan());
    }

    #[test]
    fn overlap_clips_to_window() {
        assert_eq!(overlap(0.0, 10.0, 5.0, 20.0), 5.0);
        assert_eq!(overlap(30.0, 40.0, 5.0, 20.0), 0.0);
    }
}
