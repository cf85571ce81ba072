//! Ledgers and measurement lenses. The true ledger reads the ground truth; the measured ledger
//! reads what the team's tooling recorded (after any gaming) through a lens: the rule a real tool
//! uses to turn records into DORA metrics. Both become the same [`LedgerView`], and one function,
//! [`dora`], computes the metrics from either.
//!
//! (About 690 lines: the reading rules of every lens side by side, so a reader compares what each
//! tool counts in one place.)

use serde::Serialize;

use crate::model::records::{DeployReason, IncidentCause, RunRecords};

use crate::stats::quantiles::quantile;

use crate::engine::units::{HOURS_PER_WEEK, whole_seconds};

/// How the measured ledger is read.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Lens {
    /// Ground-truth attribution rules on the tooling's records: failures linked as reported,
    /// lead time from the first commit of each change the dashboard sees.
    #[default]
    Truth,
    /// Four Keys, as its queries and dashboard compute: lead time per commit of each deployment
    /// in whole minutes; every incident whose root-cause commit a deployment carried is a failure
    /// (two incidents on one deployment count twice); restore time over every incident, from the
    /// earlier of its causing deployment and its creation to its resolution, in whole hours.
    FourKeys,
    /// Apache DevLake: lead time as each merged pull request's cycle time (first commit to the
    /// deployment that carried its merge commit; changes without a pull request are not timed);
    /// every incident blamed on the latest deployment finished before it was opened, whatever
    /// caused it; recovery per incident, from that deployment to the incident's resolution.
    Devlake,
    /// GitLab: change fail rate as incidents ÷ deployments, without linking them; lead time from
    /// merge to deployment.
    Gitlab,
}

impl Lens {
    /// Every lens, in display order.
    pub const ALL: [Lens; 4] = [Lens::Truth, Lens::FourKeys, Lens::Devlake, Lens::Gitlab];

    /// How the tool reads the history, in one sentence, for a dashboard's heading (`None` for
    /// the truth lens, whose rules are dorasim's own).
    pub fn rules(self) -> Option<&'static str> {
        match self {
            Lens::Truth => None,
            Lens::FourKeys => Some(
                "Four Keys' rules: every incident whose root cause a deployment carried is a \
                 failure (so the rate can pass 100 %); recovery runs over incidents, from the \
                 causing deployment or the incident's creation, whichever came first; lead time \
                 per commit.",
            ),
            Lens::Devlake => Some(
                "DevLake's rules: each incident is blamed on the latest deployment before it; \
                 recovery per incident, from that deployment; lead time per merged pull request \
                 (its cycle time).",
            ),
            Lens::Gitlab => Some(
                "GitLab's rules: change fail rate = incidents / deployments, unlinked; recovery \
                 per incident; lead time from the merge.",
            ),
        }
    }

    /// The lens's name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Lens::Truth => "truth",
            Lens::FourKeys => "four-keys",
            Lens::Devlake => "devlake",
            Lens::Gitlab => "gitlab",
        }
    }
}

/// A deployment as a ledger counts it.
#[derive(Debug, Clone, Copy)]
pub struct ViewDeployment {
    /// When it went live.
    pub finished_hours: f64,
    /// Counted as rework.
    pub rework: bool,
    /// A padding deployment (empty or config-only).
    pub padding: bool,
}

/// One failure as a ledger counts it: a failed deployment, or (unlinked lenses) an incident.
#[derive(Debug, Clone, Copy)]
pub struct ViewFailure {
    /// When the failed deployment (or the incident, when unlinked) happened.
    pub at_hours: f64,
    /// Recovery time, when known.
    pub recovery_hours: Option<f64>,
}

/// What a ledger says happened in the measured window.
#[derive(Debug, Clone, Default)]
pub struct LedgerView {
    /// Deployments counted in the window.
    pub deployments: Vec<ViewDeployment>,
    /// `(deployed_hours, lead_time_hours)` of each change the ledger sees.
    pub lead_times: Vec<(f64, f64)>,
    /// Lead time of each change in working hours (nights and weekends left out), as the model
    /// recorded it. Filled by the true ledger only: a lens times changes from other commits.
    pub lead_working_hours: Vec<f64>,
    /// Failures counted in the window (numerator of the change fail rate).
    pub failures: Vec<ViewFailure>,
    /// `(at_hours, recovery_hours)` of each recovery the lens reads apart from its failures:
    /// Four Keys (every incident started in the window, from the earlier of its causing
    /// deployment and its creation) and DevLake (per incident, from the blamed deployment).
    /// `None`: recovery is read from the failures.
    pub restores: Option<Vec<(f64, f64)>>,
}

/// DORA figures of one ledger.
#[derive(Debug, Clone, Copy)]
pub struct DoraFigures {
    /// Deployments counted.
    pub deployments: f64,
    /// Padding deployments among them.
    pub padding: f64,
    /// Failures counted.
    pub failures: f64,
    /// Rework deployments counted.
    pub rework: f64,
    /// Deployments per week.
    pub deploys_per_week: f64,
    /// Lead time median and p90, hours.
    pub lead_time_p50: f64,
    /// Lead time p90, hours.
    pub lead_time_p90: f64,
    /// Lead time mean, hours: unlike the median, it moves smoothly when process time changes
    /// by minutes (the median can jump by a night).
    pub lead_time_mean: f64,
    /// Median lead time in working hours (`NaN` when the ledger has none, as every lens).
    pub lead_time_working_p50: f64,
    /// Failures ÷ deployments.
    pub change_fail_rate: f64,
    /// Recovery median, hours.
    pub recovery_p50: f64,
    /// Recovery p90, hours.
    pub recovery_p90: f64,
    /// Rework ÷ deployments.
    pub rework_rate: f64,
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        f64::NAN
    }
}

impl LedgerView {
    /// The true ledger: ground-truth causes and restore times, real deployments only.
    pub fn truth(records: &RunRecords) -> LedgerView {
        let (from, to) = (records.warmup_hours, records.end_hours);
        let in_window = |t: f64| t >= from && t < to;
        let mut view = LedgerView::default();
        let mut first_failure: Vec<Option<usize>> = vec![None; records.deployments.len()];
        for (i, incident) in records.incidents.iter().enumerate() {
            if let IncidentCause::Deployment { deployment } = incident.cause
                && let Some(slot) = first_failure.get_mut(deployment as usize)
                && slot.is_none()
            {
                *slot = Some(i);
            }
        }
        for d in &records.deployments {
            if !in_window(d.finished_hours)
                || matches!(d.reason, DeployReason::Rollback | DeployReason::Padding)
            {
                continue;
            }
            view.deployments.push(ViewDeployment {
                finished_hours: d.finished_hours,
                rework: d.reason.is_rework(),
                padding: false,
            });
            if let Some(i) = first_failure[d.id as usize] {
                let incident = &records.incidents[i];
                let recovery = incident.restored_hours - incident.started_hours;
                view.failures.push(ViewFailure {
                    at_hours: d.finished_hours,
                    recovery_hours: recovery.is_finite().then_some(recovery),
                });
            }
        }
        for c in &records.changes {
            if in_window(c.deployed_hours) {
                view.lead_times
                    .push((c.deployed_hours, c.deployed_hours - c.first_commit_hours));
                view.lead_working_hours
                    .push(f64::from(c.lead_working_hours));
            }
        }
        view
    }

    /// The measured ledger read through `lens`: what the team's dashboard shows.
    pub fn measured(records: &RunRecords, lens: Lens) -> LedgerView {
        if lens == Lens::FourKeys {
            return LedgerView::four_keys(records);
        }
        let (from, to) = (records.warmup_hours, records.end_hours);
        let in_window = |t: f64| t >= from && t < to;
        let mut view = LedgerView::default();
        // Deployments as the pipeline records them: padding included, rework as labelled.
        let counted: Vec<usize> = records
            .deployments
            .iter()
            .enumerate()
            .filter(|(_, d)| d.reason != DeployReason::Rollback && d.finished_hours.is_finite())
            .map(|(i, _)| i)
            .collect();
        for &i in &counted {
            let d = &records.deployments[i];
            if in_window(d.finished_hours) {
                view.deployments.push(ViewDeployment {
                    finished_hours: d.finished_hours,
                    rework: d.labelled_rework,
                    padding: d.reason == DeployReason::Padding,
                });
            }
        }
        // Failures.
        let restore = |i: &crate::model::records::IncidentRecord| {
            let start = if lens == Lens::Truth {
                i.started_hours
            } else {
                i.detected_hours
            };
            let hours = i.closed_hours - start;
            hours.is_finite().then_some(hours)
        };
        let mut linked: Vec<Option<usize>> = vec![None; records.deployments.len()];
        // Counted deployments by finish time (ties: the later id last).
        let mut by_finish = counted.clone();
        by_finish.sort_by(|&a, &b| {
            records.deployments[a]
                .finished_hours
                .total_cmp(&records.deployments[b].finished_hours)
                .then(a.cmp(&b))
        });
        let mut restores_devlake = Vec::new();
        for (k, incident) in records.incidents.iter().enumerate() {
            let blamed = match lens {
                // (Four Keys is read by `LedgerView::four_keys`.)
                Lens::Truth | Lens::FourKeys => incident.reported_deployment.map(|d| d as usize),
                // DevLake (dora plugin, `ConnectIncidentToDeployment`): the latest successful
                // production deployment finished strictly before the incident was created.
                Lens::Devlake => {
                    let before = by_finish.partition_point(|&i| {
                        records.deployments[i].finished_hours < incident.detected_hours
                    });
                    before.checked_sub(1).map(|j| by_finish[j])
                }
                Lens::Gitlab => {
                    if in_window(incident.started_hours) {
                        view.failures.push(ViewFailure {
                            at_hours: incident.started_hours,
                            recovery_hours: restore(incident),
                        });
                    }
                    None
                }
            };
            if lens == Lens::Devlake
                && let Some(d) = blamed
            {
                // Failed deployment recovery time (DORA 2023, DevLake's dashboard): every
                // incident linked to a deployment in the window and resolved in it, from the
                // deployment's finish to the incident's resolution.
                let at = records.deployments[d].finished_hours;
                if in_window(at) && in_window(incident.closed_hours) {
                    restores_devlake.push((at, incident.closed_hours - at));
                }
            }
            if let Some(d) = blamed
                && let Some(slot) = linked.get_mut(d)
                && slot.is_none()
            {
                *slot = Some(k);
            }
        }
        if lens == Lens::Devlake {
            view.restores = Some(restores_devlake);
        }
        for &i in &counted {
            let d = &records.deployments[i];
            if let Some(k) = linked[i]
                && in_window(d.finished_hours)
            {
                view.failures.push(ViewFailure {
                    at_hours: d.finished_hours,
                    recovery_hours: restore(&records.incidents[k]),
                });
            }
        }
        // Lead times.
        let changes = &records.changes;
        match lens {
            Lens::Truth => {
                // Artificially split changes appear as separate pieces; the rest as one change.
                let mut pieces_seen = vec![false; changes.len()];
                for pr in records.pull_requests.iter().filter(|p| p.artificial) {
                    pieces_seen[pr.change as usize] = true;
                }
                for pr in &records.pull_requests {
                    let c = &changes[pr.change as usize];
                    if pieces_seen[pr.change as usize] && in_window(c.deployed_hours) {
                        view.lead_times
                            .push((c.deployed_hours, c.deployed_hours - pr.first_commit_hours));
                    }
                }
                for c in changes
                    .iter()
                    .filter(|c| in_window(c.deployed_hours) && !pieces_seen[c.id as usize])
                {
                    view.lead_times
                        .push((c.deployed_hours, c.deployed_hours - c.first_commit_hours));
                }
            }
            Lens::Devlake => {
                // DevLake's PR cycle time (dora plugin, `CalculateChangeLeadTime`): coding time
                // (first commit to the pull request's creation) + review (creation to merge) +
                // deploy time (merge to the deployment that carried the merge commit); a negative
                // coding or review span is left out, a pull request without a deployment is not
                // timed. A change without a pull request (a hotfix) has no cycle time.
                for pr in &records.pull_requests {
                    let c = &changes[pr.change as usize];
                    let deployed = c
                        .deployment
                        .and_then(|d| records.deployments.get(d as usize))
                        .map_or(c.deployed_hours, |d| d.finished_hours);
                    if let Some(lead) = devlake_cycle_time(
                        pr.first_commit_hours,
                        pr.opened_hours,
                        c.merged_hours,
                        deployed,
                    ) && in_window(deployed)
                    {
                        view.lead_times.push((deployed, lead));
                    }
                }
            }
            Lens::FourKeys => {}
            Lens::Gitlab => {
                for c in changes.iter().filter(|c| in_window(c.deployed_hours)) {
                    view.lead_times
                        .push((c.deployed_hours, c.deployed_hours - c.merged_hours));
                }
            }
        }
        view
    }
}

/// DevLake's cycle time of one merged pull request, hours: coding (first commit to creation, left
/// out when negative or unknown) + review (creation to merge, left out when negative) + deploy
/// (merge to deployment, required and not negative). The creation time is the first commit when
/// the pull request was never opened. `None`: not merged, not deployed, or deployed before merge.
/// DevLake rounds each span up to whole minutes; this keeps hours.
pub fn devlake_cycle_time(
    first_commit: f64,
    opened: f64,
    merged: f64,
    deployed: f64,
) -> Option<f64> {
    let deploy = deployed - merged;
    if !deploy.is_finite() || deploy < 0.0 {
        return None;
    }
    let created = if opened.is_finite() {
        opened
    } else {
        first_commit
    };
    let span = |a: f64, b: f64| {
        let d = b - a;
        if d.is_finite() && d >= 0.0 { d } else { 0.0 }
    };
    Some(span(first_commit, created) + span(created, merged) + deploy)
}

impl LedgerView {
    /// The measured ledger through Four Keys' rules (dora-team/fourkeys: `queries/changes.sql`,
    /// `deployments.sql`, `incidents.sql` and the dashboard's panels), on its whole-second clock:
    ///
    /// - deployments: every finished deployment but rollbacks (the export writes no rollback);
    /// - lead time: for every commit a deployment carries (each pull request's first commit and
    ///   each change's head commit; a deployment carrying no change carries the empty commit
    ///   pushed when it started), deployment − commit in whole minutes, kept only when positive;
    /// - failures: every incident whose root cause names a commit of a counted deployment, counted
    ///   once per incident (the dashboard sums incident matches, it does not count distinct failed
    ///   deployments);
    /// - restore time: for every incident started in the window, from the earlier of its causing
    ///   deployment and its creation to its resolution, in whole hours; open incidents left out.
    fn four_keys(records: &RunRecords) -> LedgerView {
        let (from, to) = (
            whole_seconds(records.warmup_hours),
            whole_seconds(records.end_hours),
        );
        let in_window = |s: i64| s >= from && s < to;
        let mut view = LedgerView {
            restores: Some(Vec::new()),
            ..LedgerView::default()
        };
        let deployments = &records.deployments;
        // Finished, non-rollback deployments: their live time in whole seconds.
        let live: Vec<Option<i64>> = deployments
            .iter()
            .map(|d| {
                (d.reason != DeployReason::Rollback && d.finished_hours.is_finite())
                    .then(|| whole_seconds(d.finished_hours))
            })
            .collect();
        let counted = |d: Option<u32>| -> Option<(usize, i64)> {
            let d = d? as usize;
            live.get(d).copied().flatten().map(|s| (d, s))
        };
        for (d, s) in deployments.iter().zip(&live) {
            if let Some(s) = *s
                && in_window(s)
            {
                view.deployments.push(ViewDeployment {
                    finished_hours: d.finished_hours,
                    rework: d.labelled_rework,
                    padding: d.reason == DeployReason::Padding,
                });
            }
        }
        // Lead time per commit, whole minutes (TIMESTAMP_DIFF truncates), positive only.
        let mut lead = |deployment: usize, deployed: i64, commit_hours: f64| {
            if !commit_hours.is_finite() {
                return;
            }
            let minutes = (deployed - whole_seconds(commit_hours)) / 60;
            if minutes > 0 {
                view.lead_times.push((
                    deployments[deployment].finished_hours,
                    minutes as f64 / 60.0,
                ));
            }
        };
        let changes = &records.changes;
        let mut carries = vec![false; deployments.len()];
        for pr in &records.pull_requests {
            if let Some(c) = changes.get(pr.change as usize)
                && let Some((d, s)) = counted(c.deployment)
                && in_window(s)
            {
                lead(d, s, pr.first_commit_hours);
            }
        }
        for c in changes {
            if let Some((d, s)) = counted(c.deployment) {
                carries[d] = true;
                if in_window(s) {
                    let head = if c.last_commit_hours.is_finite() {
                        c.last_commit_hours
                    } else {
                        c.first_commit_hours
                    };
                    lead(d, s, head);
                }
            }
        }
        for (i, d) in deployments.iter().enumerate() {
            if let Some((_, s)) = counted(Some(i as u32))
                && !carries[i]
                && in_window(s)
            {
                lead(i, s, d.started_hours);
            }
        }
        // Failures and restore times.
        let mut restores = Vec::new();
        for incident in &records.incidents {
            let cause = counted(incident.reported_deployment);
            let created = whole_seconds(incident.detected_hours);
            let started = cause.map_or(created, |(_, s)| s.min(created));
            let restore = incident
                .closed_hours
                .is_finite()
                .then(|| ((whole_seconds(incident.closed_hours) - started) / 3600) as f64);
            if let Some((d, s)) = cause
                && in_window(s)
            {
                view.failures.push(ViewFailure {
                    at_hours: deployments[d].finished_hours,
                    recovery_hours: restore,
                });
            }
            if let Some(hours) = restore
                && in_window(started)
            {
                restores.push((started as f64 / 3600.0, hours));
            }
        }
        view.restores = Some(restores);
        view
    }
}

impl LedgerView {
    /// The recovery times the lens reads: its own list when it keeps one apart from the failures
    /// (Four Keys, DevLake), else each failure's.
    pub fn recovery_hours(&self) -> Vec<f64> {
        match &self.restores {
            Some(restores) => restores.iter().map(|r| r.1).collect(),
            None => self
                .failures
                .iter()
                .filter_map(|f| f.recovery_hours)
                .collect(),
        }
    }
}

/// The DORA figures of a ledger view over a window of `weeks`.
pub fn dora(view: &LedgerView, weeks: f64) -> DoraFigures {
    let deployments = view.deployments.len() as f64;
    let padding = view.deployments.iter().filter(|d| d.padding).count() as f64;
    let rework = view.deployments.iter().filter(|d| d.rework).count() as f64;
    let failures = view.failures.len() as f64;
    let mut lead: Vec<f64> = view.lead_times.iter().map(|(_, l)| *l).collect();
    let lead_time_mean = ratio(lead.iter().sum(), lead.len() as f64);
    let mut working = view.lead_working_hours.clone();
    let mut recovery = view.recovery_hours();
    DoraFigures {
        deployments,
        padding,
        failures,
        rework,
        deploys_per_week: ratio(deployments, weeks),
        lead_time_p50: quantile(&mut lead, 0.5),
        lead_time_p90: quantile(&mut lead, 0.9),
        lead_time_mean,
        lead_time_working_p50: quantile(&mut working, 0.5),
        change_fail_rate: ratio(failures, deployments),
        recovery_p50: quantile(&mut recovery, 0.5),
        recovery_p90: quantile(&mut recovery, 0.9),
        rework_rate: ratio(rework, deployments),
    }
}

/// The DORA figures of each measured week (for weekly series).
pub fn dora_by_week(view: &LedgerView, from_hours: f64, week_count: usize) -> Vec<DoraFigures> {
    let week_of = |t: f64| {
        (((t - from_hours) / HOURS_PER_WEEK).max(0.0) as usize).min(week_count.saturating_sub(1))
    };
    let mut weeks: Vec<LedgerView> = vec![LedgerView::default(); week_count];
    if week_count == 0 {
        return Vec::new();
    }
    for d in &view.deployments {
        weeks[week_of(d.finished_hours)].deployments.push(*d);
    }
    for l in &view.lead_times {
        weeks[week_of(l.0)].lead_times.push(*l);
    }
    for f in &view.failures {
        weeks[week_of(f.at_hours)].failures.push(*f);
    }
    if let Some(restores) = &view.restores {
        for w in &mut weeks {
            w.restores = Some(Vec::new());
        }
        for r in restores {
            if let Some(list) = &mut weeks[week_of(r.0)].restores {
                list.push(*r);
            }
        }
    }
    weeks.iter().map(|w| dora(w, 1.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::records::{DeploymentRecord, IncidentRecord, Remediation};

    /// Ten planned deployments, one a day; deployment 3 causes two incidents.
    fn history() -> RunRecords {
        let mut records = RunRecords {
            warmup_hours: 0.0,
            end_hours: 10.0 * 24.0,
            ..RunRecords::default()
        };
        for id in 0..10 {
            let t = f64::from(id) * 24.0 + 10.0;
            records.deployments.push(DeploymentRecord {
                id,
                started_hours: t - 0.5,
                finished_hours: t,
                reason: DeployReason::Planned,
                change_count: 1,
                rolls_back: None,
                labelled_rework: false,
                team: 0,
            });
        }
        for (id, start) in [(0u32, 3.0 * 24.0 + 12.0), (1, 3.0 * 24.0 + 20.0)] {
            records.incidents.push(IncidentRecord {
                id,
                cause: IncidentCause::Deployment { deployment: 3 },
                started_hours: start,
                detected_hours: start + 0.5,
                restored_hours: start + 2.0,
                impact: 0.1,
                ai_integration: false,
                remediation: Remediation::Rollback,
                reported_deployment: Some(3),
                closed_hours: start + 2.0,
                closed_early: false,
                recurrence_of: None,
                postmortem: false,
                team: 0,
            });
        }
        records
    }

    #[test]
    fn gitlab_divides_incidents_by_deployments_without_linking() {
        let records = history();
        let gitlab = dora(&LedgerView::measured(&records, Lens::Gitlab), 10.0 / 7.0);
        let truth = dora(&LedgerView::measured(&records, Lens::Truth), 10.0 / 7.0);
        assert_eq!(gitlab.change_fail_rate, 0.2);
        assert_eq!(truth.change_fail_rate, 0.1);
        assert_eq!(
            dora(&LedgerView::truth(&records), 10.0 / 7.0).change_fail_rate,
            0.1
        );
    }

    #[test]
    fn four_keys_counts_incidents_and_restores_from_the_causing_deployment() {
        let records = history();
        let view = LedgerView::measured(&records, Lens::FourKeys);
        let four_keys = dora(&view, 10.0 / 7.0);
        // Both incidents name deployment 3: the dashboard counts two.
        assert_eq!(four_keys.failures, 2.0);
        assert_eq!(four_keys.change_fail_rate, 0.2);
        // Deployment 3 went live at 82 h; the incidents closed at 86 h and 94 h.
        assert_eq!(view.restores, Some(vec![(82.0, 4.0), (82.0, 12.0)]));
        assert_eq!(four_keys.recovery_p50, 8.0);
        // No change: each deployment is timed from the empty commit that triggered it.
        assert_eq!(four_keys.lead_time_p50, 0.5);
        assert_eq!(view.lead_times.len(), 10);
    }

    #[test]
    fn devlake_blames_the_latest_deployment_even_without_a_cause() {
        let mut records = history();
        records.incidents.push(IncidentRecord {
            id: 2,
            cause: IncidentCause::Fragility,
            reported_deployment: None,
            started_hours: 6.0 * 24.0 + 12.0,
            detected_hours: 6.0 * 24.0 + 12.5,
            ..records.incidents[0].clone()
        });
        let devlake = dora(&LedgerView::measured(&records, Lens::Devlake), 10.0 / 7.0);
        let truth = dora(&LedgerView::truth(&records), 10.0 / 7.0);
        assert_eq!(devlake.change_fail_rate, 0.2, "deployments 3 and 6 blamed");
        assert_eq!(truth.change_fail_rate, 0.1);
    }

    #[test]
    fn devlake_blames_by_detection_and_times_recovery_from_the_deployment() {
        let mut records = history();
        // Impact starts before deployment 4 goes live (day 4, 10:00), detected after it.
        records.incidents.push(IncidentRecord {
            id: 2,
            cause: IncidentCause::Fragility,
            reported_deployment: None,
            started_hours: 4.0 * 24.0 + 9.0,
            detected_hours: 4.0 * 24.0 + 11.0,
            closed_hours: 4.0 * 24.0 + 13.0,
            ..records.incidents[0].clone()
        });
        let view = LedgerView::measured(&records, Lens::Devlake);
        assert_eq!(view.failures.len(), 2, "deployments 3 and 4");
        assert_eq!(
            view.failures[1].at_hours,
            4.0 * 24.0 + 10.0,
            "the deployment before detection, not before impact"
        );
        // Every linked incident: deployment 3 (day 3, 10:00) → resolved 14:00 and 22:00;
        // deployment 4 → resolved 13:00.
        let recoveries: Vec<f64> = view.restores.unwrap().iter().map(|r| r.1).collect();
        assert_eq!(recoveries, vec![4.0, 12.0, 3.0]);
    }

    #[test]
    fn padding_counts_on_the_dashboard_only() {
        let mut records = history();
        let mut pad = records.deployments[0].clone();
        pad.id = 10;
        pad.reason = DeployReason::Padding;
        pad.change_count = 0;
        records.deployments.push(pad);
        assert_eq!(dora(&LedgerView::truth(&records), 1.0).deployments, 10.0);
        let measured = dora(&LedgerView::measured(&records, Lens::Truth), 1.0);
        assert_eq!(measured.deployments, 11.0);
        assert_eq!(measured.padding, 1.0);
    }
}
