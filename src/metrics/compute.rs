//! DORA's five metrics, reliability and the flow diagnostics of one replication, computed from its
//! records after the warm-up.

use crate::model::defects::Authorship;
use crate::model::records::{DeployReason, IncidentCause, Origin, RunRecords};

use super::catalogue::{METRIC_COUNT, Metric, WEEKLY_COUNT, Weekly};
use super::funnel::{FunnelStage, tally};
use super::ledger::{DoraFigures, Ledgers, Lens, WeeklyScratch, dora};

use crate::engine::units::HOURS_PER_WEEK;

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

pub use crate::stats::quantiles::quantile;

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        f64::NAN
    }
}

/// A mean being accumulated: the sum in the order the values come, and their count. Several
/// side by side over one pass add up exactly as one pass each would, without waiting on each
/// other's additions.
#[derive(Debug, Clone, Copy, Default)]
struct Mean {
    sum: f64,
    count: usize,
}

impl Mean {
    fn add(&mut self, value: f64) {
        self.sum += value;
        self.count += 1;
    }

    fn value(self) -> f64 {
        ratio(self.sum, self.count as f64)
    }
}

fn mean_of(values: impl Iterator<Item = f64>) -> f64 {
    let mut mean = Mean::default();
    values.for_each(|v| mean.add(v));
    mean.value()
}

/// Hours of `[start, end)` that fall inside `[from, to)`.
fn overlap(start: f64, end: f64, from: f64, to: f64) -> f64 {
    (end.min(to) - start.max(from)).max(0.0)
}

/// Computes the metrics of one replication: the true ledger, the measured ledger read through
/// `lens`, reliability and the diagnostics. `slo_target` is the weekly availability objective.
/// (A worker computing replication after replication keeps a [`MetricsScratch`] and calls
/// [`compute_with`] instead.)
pub fn compute(records: &RunRecords, slo_target: f64, lens: Lens) -> ReplicationMetrics {
    compute_with(records, slo_target, lens, &mut MetricsScratch::default())
}

/// The working memory of [`compute_with`]: the ledgers, the weekly figures and the lists the
/// order statistics are selected in. A replication's metrics need a few dozen lists of thousands
/// of values; kept from one replication to the next, they stop costing allocations (and the page
/// faults of fresh memory) once they have grown to the longest replication's size. What a
/// scratch holds never reaches the results: every list is emptied before it is filled.
#[derive(Debug, Default)]
pub struct MetricsScratch {
    ledgers: Ledgers,
    weekly: WeeklyScratch,
    truth_by_week: Vec<DoraFigures>,
    measured_by_week: Vec<DoraFigures>,
    values: Vec<f64>,
    week_downtime: Vec<f64>,
    week_incidents: Vec<f64>,
    week_non_attributable: Vec<f64>,
    weekly_availability: Vec<f64>,
}

/// [`compute`] in the buffers of `scratch`: the same metrics, bit for bit.
pub fn compute_with(
    records: &RunRecords,
    slo_target: f64,
    lens: Lens,
    scratch: &mut MetricsScratch,
) -> ReplicationMetrics {
    use Metric as M;
    let MetricsScratch {
        ledgers,
        weekly,
        truth_by_week: by_week,
        measured_by_week,
        values,
        week_downtime,
        week_incidents,
        week_non_attributable,
        weekly_availability,
    } = scratch;
    let mut v = [f64::NAN; METRIC_COUNT];
    let from = records.warmup_hours;
    let to = records.end_hours;
    let window = to - from;
    let weeks = window / HOURS_PER_WEEK;
    let in_window = |t: f64| t >= from && t < to;
    let week_count = (weeks.round() as usize).max(records.weeks.len());
    let week_of =
        |t: f64| (((t - from) / HOURS_PER_WEEK) as usize).min(week_count.saturating_sub(1));

    // DORA metrics from the true ledger, and from the measured ledger read through the lens.
    ledgers.read(records);
    let truth = &ledgers.truth;
    let t = dora(truth, weeks);
    v[M::DeploysPerWeek as usize] = t.deploys_per_week;
    v[M::DeploysPerDay as usize] = t.deploys_per_week / 7.0;
    v[M::Deployments as usize] = t.deployments;
    v[M::FailedDeployments as usize] = t.failures;
    v[M::ReworkDeployments as usize] = t.rework;
    v[M::ChangeFailRate as usize] = t.change_fail_rate;
    v[M::ReworkRate as usize] = t.rework_rate;
    v[M::LeadTimeP50 as usize] = t.lead_time_p50;
    v[M::LeadTimeP90 as usize] = t.lead_time_p90;
    v[M::LeadTimeMean as usize] = t.lead_time_mean;
    v[M::LeadTimeWorkingP50 as usize] = t.lead_time_working_p50;
    v[M::RecoveryP50 as usize] = t.recovery_p50;
    v[M::RecoveryP90 as usize] = t.recovery_p90;
    let measured_view = ledgers.lens(lens);
    let m = dora(measured_view, weeks);
    // The same records through every lens, so that their disagreement can be shown side by side.
    for (k, each) in Lens::ALL.iter().enumerate() {
        let figures = if *each == lens {
            m
        } else {
            dora(ledgers.lens(*each), weeks)
        };
        let first = M::LensTruthDeploysPerWeek as usize + 4 * k;
        v[first] = figures.deploys_per_week;
        v[first + 1] = figures.lead_time_p50;
        v[first + 2] = figures.change_fail_rate;
        v[first + 3] = figures.recovery_p50;
    }
    v[M::MeasuredDeploysPerWeek as usize] = m.deploys_per_week;
    v[M::MeasuredLeadTimeP50 as usize] = m.lead_time_p50;
    v[M::MeasuredChangeFailRate as usize] = m.change_fail_rate;
    v[M::MeasuredRecoveryP50 as usize] = m.recovery_p50;
    v[M::MeasuredReworkRate as usize] = m.rework_rate;
    v[M::MeasuredDeployments as usize] = m.deployments;
    v[M::MeasuredFailures as usize] = m.failures;
    v[M::MeasuredReworkDeployments as usize] = m.rework;
    v[M::PaddingDeployments as usize] = m.padding;
    // The dashboard's error, replication by replication (undefined when either side is).
    v[M::GapDeploysPerWeek as usize] = m.deploys_per_week - t.deploys_per_week;
    v[M::GapLeadTimeP50 as usize] = m.lead_time_p50 - t.lead_time_p50;
    v[M::GapChangeFailRate as usize] = m.change_fail_rate - t.change_fail_rate;
    v[M::GapRecoveryP50 as usize] = m.recovery_p50 - t.recovery_p50;
    v[M::GapReworkRate as usize] = m.rework_rate - t.rework_rate;
    let culture = &records.culture;
    v[M::SafetyEnd as usize] = culture.safety_end;
    v[M::DefectMultiplierEnd as usize] = culture.defect_multiplier_end;
    v[M::ArtificialSplits as usize] = culture.artificial_splits as f64;
    v[M::ClosedEarly as usize] = culture.closed_early as f64;
    v[M::Reclassified as usize] = culture.reclassified as f64;
    v[M::ExcludedRework as usize] = culture.excluded_rework as f64;
    v[M::Postmortems as usize] = culture.postmortems as f64;
    v[M::Recurrences as usize] = records
        .incidents
        .iter()
        .filter(|i| i.recurrence_of.is_some() && in_window(i.started_hours))
        .count() as f64;
    let (mut planned, mut planned_changes, mut rollbacks) = (0.0, 0.0, 0.0);
    for d in records
        .deployments
        .iter()
        .filter(|d| in_window(d.finished_hours))
    {
        match d.reason {
            DeployReason::Planned => {
                planned += 1.0;
                planned_changes += f64::from(d.change_count);
            }
            DeployReason::Rollback => rollbacks += 1.0,
            _ => {}
        }
    }
    v[M::Rollbacks as usize] = rollbacks;
    v[M::BatchSize as usize] = ratio(planned_changes, planned);
    weekly.dora_by_week(truth, from, week_count, by_week);
    weekly.dora_by_week(measured_view, from, week_count, measured_by_week);

    // Changes delivered in the window, and changes merged in it: one pass feeds every mean, each
    // summed in change order.
    let changes = &records.changes;
    let mut planned_delivered = 0usize;
    let [
        mut wait,
        mut review,
        mut rework_h,
        mut tests,
        mut deploy_wait,
        mut total,
    ] = [Mean::default(); 6];
    let [mut size, mut ai, mut rounds, mut depth, mut agent] = [Mean::default(); 5];
    // Lines per merged pull request: a change's lines are shared among its pull requests
    // (hotfixes, which skip pull requests, do not count).
    let (mut pr_loc, mut prs) = (0.0, 0.0);
    for c in changes {
        if in_window(c.deployed_hours) {
            if c.origin == Origin::Planned {
                planned_delivered += 1;
            }
            // Lead-time breakdown. A change's pull requests are reviewed in parallel: count the
            // average per pull request, not the sum, so the parts add up to the lead time.
            let per_pr = f64::from(c.pull_requests.max(1));
            wait.add(f64::from(c.review_wait_hours) / per_pr);
            review.add(f64::from(c.review_hours) / per_pr);
            rework_h.add(f64::from(c.rework_hours));
            tests.add(f64::from(c.test_hours));
            deploy_wait.add(c.deployed_hours - c.merged_hours);
            total.add(c.deployed_hours - c.first_commit_hours);
        }
        if in_window(c.merged_hours) {
            size.add(f64::from(c.loc));
            if c.pull_requests > 0 {
                pr_loc += f64::from(c.loc);
                prs += f64::from(c.pull_requests);
            }
            ai.add(if c.ai_assisted { 1.0 } else { 0.0 });
            rounds.add(f64::from(c.review_rounds));
            if c.review_rounds > 0 {
                depth.add(f64::from(c.review_depth));
            }
            agent.add(if c.agent { 1.0 } else { 0.0 });
        }
    }
    let delivered = || changes.iter().filter(|c| in_window(c.deployed_hours));
    v[M::ThroughputPerWeek as usize] = planned_delivered as f64 / weeks;
    // (`Iterator::sum`, not a `Mean`: its sum of nothing is -0.)
    v[M::PullRequestsPerWeek as usize] = changes
        .iter()
        .filter(|c| in_window(c.merged_hours))
        .map(|c| f64::from(c.pull_requests))
        .sum::<f64>()
        / weeks;
    v[M::ChangeSizeMean as usize] = size.value();
    v[M::PullRequestSizeMean as usize] = ratio(pr_loc, prs);
    // Review time as review analytics tools report it: from entering review to approval, over
    // the pull requests approved in the window.
    values.clear();
    values.extend(
        records
            .pull_requests
            .iter()
            .filter(|p| in_window(p.approved_hours) && p.opened_hours.is_finite())
            .map(|p| p.approved_hours - p.opened_hours),
    );
    v[M::PullRequestReviewTimeP50 as usize] = quantile(values, 0.5);
    v[M::AiShare as usize] = ai.value();
    v[M::ReviewRounds as usize] = rounds.value();
    v[M::ReviewDepth as usize] = depth.value();
    v[M::AgentShare as usize] = agent.value();
    let [wait, review, rework_h, tests, deploy_wait, total] =
        [wait, review, rework_h, tests, deploy_wait, total].map(Mean::value);
    v[M::LeadReviewWait as usize] = wait;
    v[M::LeadReview as usize] = review;
    v[M::LeadRework as usize] = rework_h;
    v[M::LeadTests as usize] = tests;
    v[M::LeadDeployWait as usize] = deploy_wait;
    v[M::LeadCoding as usize] = (total - wait - review - rework_h - tests - deploy_wait).max(0.0);

    // Defect funnel, by class and authorship, for changes delivered in the window.
    let funnel = tally(delivered());
    for (stage, by_author) in funnel.iter() {
        for (author, counts) in by_author.iter() {
            for (class, &count) in counts.iter() {
                v[stage.metric(author, class) as usize] = count;
            }
        }
    }
    let escape_rate = |author| {
        ratio(
            funnel[FunnelStage::Escaped][author].sum(),
            funnel[FunnelStage::Injected][author].sum(),
        )
    };
    v[M::EscapeRateHuman as usize] = escape_rate(Authorship::Hand);
    v[M::EscapeRateAi as usize] = escape_rate(Authorship::Ai);
    v[M::EscapeRateAgent as usize] = escape_rate(Authorship::Agent);

    // Incidents and reliability.
    let mut downtime = 0.0;
    for weekly in [
        &mut *week_downtime,
        &mut *week_incidents,
        &mut *week_non_attributable,
    ] {
        weekly.clear();
        weekly.resize(week_count, 0.0);
    }
    let (mut by_deploy, mut by_fragility, mut by_interaction, mut ai_integration) =
        (0.0, 0.0, 0.0, 0.0);
    // Caused by another team's deployment: named as such in one service's own records, or, in
    // the organisation's, by a deployment of another team than the incident's.
    let (mut by_other_service, mut cross_service) = (0.0, 0.0);
    // An organisation's availability is its services' mean: each service is an equal share of
    // production, so an incident in one takes down 1/n of it (times its impact).
    let share_of_production = if records.teams.len() > 1 {
        1.0 / records.teams.len() as f64
    } else {
        1.0
    };
    for incident in &records.incidents {
        let impact = incident.impact * share_of_production;
        let end = if incident.restored_hours.is_finite() {
            incident.restored_hours
        } else {
            to
        };
        downtime += impact * overlap(incident.started_hours, end, from, to);
        // Only the weeks the incident overlaps.
        if end > from && incident.started_hours < to && week_count > 0 {
            let first = week_of(incident.started_hours.max(from));
            let last = week_of(end.min(to));
            for (w, slot) in week_downtime
                .iter_mut()
                .enumerate()
                .take(last + 1)
                .skip(first)
            {
                let ws = from + w as f64 * HOURS_PER_WEEK;
                *slot += impact * overlap(incident.started_hours, end, ws, ws + HOURS_PER_WEEK);
            }
        }
        if !in_window(incident.started_hours) {
            continue;
        }
        let w = week_of(incident.started_hours);
        week_incidents[w] += 1.0;
        match incident.cause {
            IncidentCause::Deployment { deployment } => {
                by_deploy += 1.0;
                if records
                    .deployments
                    .get(deployment as usize)
                    .is_some_and(|d| d.team != incident.team)
                {
                    cross_service += 1.0;
                }
            }
            IncidentCause::Fragility => by_fragility += 1.0,
            IncidentCause::Interaction => by_interaction += 1.0,
            IncidentCause::OtherService => {
                by_other_service += 1.0;
                cross_service += 1.0;
            }
        }
        if matches!(
            incident.cause,
            IncidentCause::Fragility | IncidentCause::Interaction
        ) {
            week_non_attributable[w] += 1.0;
        }
        if incident.ai_integration {
            ai_integration += 1.0;
        }
    }
    v[M::Incidents as usize] = by_deploy + by_fragility + by_interaction + by_other_service;
    v[M::IncidentsCrossService as usize] = cross_service;
    v[M::NonAttributableIncidents as usize] = by_fragility + by_interaction;
    v[M::IncidentsFromDeployments as usize] = by_deploy;
    v[M::IncidentsFromFragility as usize] = by_fragility;
    v[M::IncidentsFromInteraction as usize] = by_interaction;
    v[M::AiIntegrationFailures as usize] = ai_integration;
    v[M::Availability as usize] = 1.0 - ratio(downtime, window);
    let budget = (1.0 - slo_target) * window;
    v[M::ErrorBudgetSpent as usize] = ratio(downtime, budget);
    weekly_availability.clear();
    weekly_availability.extend(week_downtime.iter().map(|d| 1.0 - d / HOURS_PER_WEEK));
    v[M::SloWeeksMet as usize] = mean_of(
        weekly_availability
            .iter()
            .map(|a| if *a >= slo_target { 1.0 } else { 0.0 }),
    );

    // Flow totals from the model's ground truth.
    let flow = &records.flow;
    v[M::ReviewWaitMean as usize] = ratio(
        flow.review_pickup_sum_hours + flow.review_wait_sum_hours,
        flow.reviews_started as f64,
    );
    // Shares of available hours; min(1) only absorbs floating-point rounding at full load.
    let share_of = |hours: f64, available: f64| ratio(hours, available).min(1.0);
    v[M::ReviewUtilisation as usize] =
        share_of(records.time_use.reviewing, flow.reviewer_hours_available);
    v[M::ReviewQueue as usize] = flow.review_queue_avg;
    v[M::WorkInProgress as usize] = flow.work_in_progress_avg;
    v[M::BugsManifested as usize] = flow.bugs_manifested as f64;
    // Per developer-week: the team size in force each measured week, from the weekly roster.
    let developers = mean_of(records.weeks.iter().map(|w| w.developers));
    v[M::BugsPerDeveloperWeek as usize] = ratio(flow.bugs_manifested as f64, developers * weeks);
    v[M::FragilityEnd as usize] = records.weeks.last().map_or(f64::NAN, |w| w.fragility);
    v[M::FragilityMean as usize] = mean_of(records.weeks.iter().map(|w| w.fragility));
    let t = &records.time_use;
    let available = flow.developer_hours_available;
    v[M::TimeCoding as usize] = share_of(t.coding, available);
    v[M::TimeRework as usize] = share_of(t.rework, available);
    v[M::TimeBugFixing as usize] = share_of(t.bug_fixing, available);
    v[M::TimeIncidents as usize] = share_of(t.incidents, available);
    v[M::TimeMaintenance as usize] = share_of(t.maintenance, available);
    v[M::TimeSupervision as usize] = share_of(t.supervision, available);
    v[M::TimeIdle as usize] = (1.0
        - ratio(
            t.coding + t.rework + t.bug_fixing + t.incidents + t.maintenance + t.supervision,
            available,
        ))
    .max(0.0);
    v[M::ReviewTimeOnAgents as usize] = ratio(t.reviewing_agents, t.reviewing);
    v[M::ReviewEffortPerPr as usize] = ratio(t.reviewing, flow.reviews_started as f64);
    v[M::AgentPrsRejected as usize] = flow.agent_prs_rejected as f64;
    v[M::AiScreened as usize] = flow.ai_screened as f64;
    v[M::AiReviewFindings as usize] = flow.ai_review_findings as f64;
    v[M::AiReviewFalsePositives as usize] = flow.ai_review_false_positives as f64;

    // Weekly series.
    let mut weeks_out = Vec::with_capacity(week_count);
    for w in 0..week_count {
        let mut row = [f64::NAN; WEEKLY_COUNT];
        let week = &by_week[w];
        let measured = &measured_by_week[w];
        row[Weekly::MeasuredDeployments as usize] = measured.deployments;
        row[Weekly::MeasuredLeadTimeP50 as usize] = measured.lead_time_p50;
        row[Weekly::MeasuredChangeFailRate as usize] = measured.change_fail_rate;
        row[Weekly::MeasuredReworkRate as usize] = measured.rework_rate;
        row[Weekly::Deployments as usize] = week.deployments;
        row[Weekly::LeadTimeP50 as usize] = week.lead_time_p50;
        row[Weekly::ChangeFailRate as usize] = week.change_fail_rate;
        row[Weekly::ReworkRate as usize] = week.rework_rate;
        row[Weekly::RecoveryP50 as usize] = week.recovery_p50;
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
    fn a_reused_scratch_gives_the_metrics_of_a_fresh_one() {
        use crate::model::Model;
        use crate::model::params::Params;
        use crate::model::timeline::Schedule;
        let schedule = Schedule::build(&Params::default(), &[]).expect("default parameters");
        let model = Model::new(&schedule);
        let mut scratch = MetricsScratch::default();
        let bits = |m: &ReplicationMetrics| {
            let weeks: Vec<Vec<u64>> = m
                .weeks
                .iter()
                .map(|w| w.map(f64::to_bits).to_vec())
                .collect();
            (m.values.map(f64::to_bits), weeks)
        };
        for (replication, lens) in (0..6).zip(Lens::ALL.iter().cycle()) {
            let records = model.run(11, replication);
            let reused = compute_with(&records, 0.999, *lens, &mut scratch);
            let fresh = compute(&records, 0.999, *lens);
            assert!(
                bits(&reused) == bits(&fresh),
                "replication {replication}, {lens:?}"
            );
        }
    }

    #[test]
    fn overlap_clips_to_window() {
        assert_eq!(overlap(0.0, 10.0, 5.0, 20.0), 5.0);
        assert_eq!(overlap(30.0, 40.0, 5.0, 20.0), 0.0);
    }
}
