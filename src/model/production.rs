//! Production: escaped defects manifest after a delay; failures are detected, diagnosed and
//! remediated (rollback or hotfix), taking developers off their work; user-facing bugs come back
//! as unplanned fixes; fragility accumulates and causes incidents no deployment caused.

use std::collections::VecDeque;

use rand::RngExt;

use super::defects::{DefectClass, Severity};
use super::records::{
    DeployReason, DeploymentRecord, IncidentCause, IncidentRecord, Origin, Remediation,
};
use super::simulation::{Event, Simulation, Task};
use super::timeline::HOURS_PER_WEEK;
use crate::engine::random::exponential_wait;

/// Incidents per hour from fragility and from changes interacting within a short window.
pub fn non_attributable_hazard_per_hour(
    fragility: f64,
    incidents_per_week_per_unit: f64,
    changes_in_window: f64,
    free_changes: f64,
    interaction_per_week: f64,
) -> (f64, f64) {
    let from_fragility = fragility.max(0.0) * incidents_per_week_per_unit / HOURS_PER_WEEK;
    let from_interaction =
        (changes_in_window - free_changes).max(0.0) * interaction_per_week / HOURS_PER_WEEK;
    (from_fragility, from_interaction)
}

/// Drops the deployments before `cutoff` from the front of a time-ordered list of (time,
/// changes), and their changes from its running `count`.
fn trim_to_window(deploys: &mut VecDeque<(f64, u32)>, count: &mut u32, cutoff: f64) {
    while let Some(&(t, n)) = deploys.front() {
        if t >= cutoff {
            break;
        }
        deploys.pop_front();
        *count = count.saturating_sub(n);
    }
}

impl Simulation<'_> {
    pub(crate) fn on_manifest(
        &mut self,
        change: u32,
        deployment: u32,
        class: DefectClass,
        severity: Severity,
    ) {
        if severity == Severity::Failure {
            let ai_integration = class == DefectClass::Integration
                && self.records.changes[change as usize].ai_assisted;
            self.start_incident(
                IncidentCause::Deployment { deployment },
                ai_integration,
                None,
            );
        } else {
            if self.measuring() {
                self.team.flow.bugs_manifested += 1;
            }
            let delay = self
                .s()
                .bug_report_delay
                .sample(&mut self.team.rng.production)
                .max(0.0);
            self.queue
                .schedule_in(delay, Event::BugReported(self.cur as u16));
        }
    }

    /// A user-facing bug is reported: a developer writes the fix, which is reviewed on the
    /// expedited path and deployed on its own (a rework deployment).
    pub(crate) fn on_bug_reported(&mut self) {
        let change = self.new_change(Origin::BugFix);
        let effort = self.s().bug_fix.sample(&mut self.team.rng.coding).max(0.0);
        self.queue_task(Task::FixBug(change), effort);
    }

    fn start_incident(
        &mut self,
        cause: IncidentCause,
        ai_integration: bool,
        recurrence_of: Option<u32>,
    ) {
        let now = self.now();
        // Gaming: a failure reclassified as not deploy-related drops out of the change fail rate.
        let reported_deployment = match cause {
            IncidentCause::Deployment { deployment } => {
                if self.games(self.p().culture.failure_reclassification) {
                    if self.measuring() {
                        self.team.culture.reclassified += 1;
                    }
                    None
                } else {
                    Some(deployment)
                }
            }
            IncidentCause::Fragility | IncidentCause::Interaction | IncidentCause::OtherService => {
                None
            }
        };
        let impact = self
            .s()
            .impact
            .sample(&mut self.team.rng.recovery)
            .clamp(0.0, 1.0);
        let incident = self.add_incident(IncidentRecord {
            id: 0,
            cause,
            started_hours: now,
            detected_hours: f64::NAN,
            restored_hours: f64::NAN,
            impact,
            ai_integration,
            remediation: Remediation::Unresolved,
            reported_deployment,
            closed_hours: f64::NAN,
            closed_early: false,
            recurrence_of,
            postmortem: false,
            team: 0,
        });
        let speed = self.observability_speedup(false);
        let delay = self
            .s()
            .detection
            .sample(&mut self.team.rng.recovery)
            .max(0.0)
            / speed;
        self.queue
            .schedule_in(delay, Event::IncidentDetected(incident));
    }

    /// How much observability divides detection and diagnosis times.
    fn observability_speedup(&self, ai_integration: bool) -> f64 {
        let r = &self.p().recovery;
        let obs = r.observability.clamp(0.0, 1.0);
        1.0 + r.observability_effect * obs
            + if ai_integration {
                r.observability_ai_effect * obs
            } else {
                0.0
            }
    }

    /// On call: a developer drops what they do (capacity is taken even if everyone is busy) and,
    /// sometimes, a reviewer is pulled in for the diagnosis.
    pub(crate) fn on_incident_detected(&mut self, incident: u32) {
        let now = self.now();
        let i = incident as usize;
        self.records.incidents[i].detected_hours = now;
        self.team.developers_busy += 1;
        let culture = &self.p().culture;
        // Blame for AI-amplified failures erodes psychological safety under scorecards.
        if self.records.incidents[i].ai_integration && culture.individual_scorecards {
            self.team.safety_loss += culture.blame_safety_loss;
        }
        // Gaming: the incident is marked resolved in the tool before the root cause is fixed.
        if self.games(culture.early_incident_close) {
            let close_after = self
                .s()
                .rollback
                .sample(&mut self.team.rng.culture)
                .max(0.0);
            let record = &mut self.records.incidents[i];
            record.closed_early = true;
            record.closed_hours = now + close_after;
            if self.measuring() {
                self.team.culture.closed_early += 1;
            }
        }
        if self.team.rng.recovery.random::<f64>() < self.p().recovery.reviewer_pull_probability {
            self.team.reviewers_busy += 1;
            self.incident_reviewer[i] = true;
        }
        let ai_integration = self.records.incidents[i].ai_integration;
        let r = &self.p().recovery;
        let multiplier = if ai_integration {
            r.ai_integration_diagnosis_multiplier.max(0.0)
        } else {
            1.0
        };
        let hours = self
            .s()
            .diagnosis
            .sample(&mut self.team.rng.recovery)
            .max(0.0)
            * multiplier
            / self.observability_speedup(ai_integration);
        if self.measuring() && self.incident_reviewer[i] {
            self.team.time_use.reviewer_incidents += hours;
        }
        self.queue
            .schedule_in(hours, Event::DiagnosisDone(incident));
    }

    pub(crate) fn on_diagnosis_done(&mut self, incident: u32) {
        let i = incident as usize;
        if self.incident_reviewer[i] {
            self.team.reviewers_busy = self.team.reviewers_busy.saturating_sub(1);
            self.dispatch_reviewers();
        }
        match self.records.incidents[i].cause {
            IncidentCause::Deployment { .. } => {
                if self.team.rng.recovery.random::<f64>() < self.p().recovery.rollback_probability {
                    let now = self.now();
                    let hours = self
                        .s()
                        .rollback
                        .sample(&mut self.team.rng.recovery)
                        .max(0.0);
                    self.queue
                        .schedule_in(hours, Event::RollbackDone(incident, now));
                } else {
                    // Hotfix: the responder writes it around the clock, then it goes through CI
                    // on the expedited path and deploys on its own.
                    let change = self.new_change(Origin::Hotfix);
                    let now = self.now();
                    let hours = self.s().hotfix.sample(&mut self.team.rng.recovery).max(0.0);
                    let record = &mut self.records.changes[change as usize];
                    record.first_commit_hours = now;
                    record.last_commit_hours = now + hours;
                    self.states[change as usize].incident = Some(incident);
                    self.queue.schedule_in(hours, Event::HotfixCoded(change));
                }
            }
            IncidentCause::Fragility | IncidentCause::Interaction | IncidentCause::OtherService => {
                let hours = self
                    .s()
                    .rollback
                    .sample(&mut self.team.rng.recovery)
                    .max(0.0);
                self.records.incidents[i].remediation = Remediation::Mitigation;
                self.queue
                    .schedule_in(hours, Event::MitigationDone(incident));
            }
        }
    }

    pub(crate) fn on_rollback_done(&mut self, incident: u32, started: f64) {
        let now = self.now();
        let i = incident as usize;
        let rolls_back = match self.records.incidents[i].cause {
            IncidentCause::Deployment { deployment } => Some(deployment),
            _ => None,
        };
        self.add_deployment(
            DeploymentRecord {
                id: 0,
                started_hours: started,
                finished_hours: now,
                reason: DeployReason::Rollback,
                change_count: 0,
                rolls_back,
                labelled_rework: false,
                team: 0,
            },
            Vec::new(),
        );
        self.records.incidents[i].remediation = Remediation::Rollback;
        self.restore(incident);
    }

    /// Service is restored; the responder goes back to work.
    pub(crate) fn restore(&mut self, incident: u32) {
        let now = self.now();
        let i = incident as usize;
        let record = &mut self.records.incidents[i];
        record.restored_hours = now;
        let closed_early = record.closed_early;
        if !closed_early || record.closed_hours > now {
            record.closed_hours = now;
        }
        if now >= self.model.warmup_hours {
            let from = record.detected_hours.max(self.model.warmup_hours);
            self.team.time_use.incidents += (now - from).max(0.0);
        }
        self.team.developers_busy = self.team.developers_busy.saturating_sub(1);
        let culture = &self.p().culture;
        if closed_early {
            // The root cause was never fixed: the failure may come back.
            if self.team.rng.culture.random::<f64>() < culture.recurrence_probability {
                let delay = self
                    .s()
                    .manifest_delay
                    .sample(&mut self.team.rng.culture)
                    .max(0.0);
                if now + delay <= self.model.end_hours {
                    self.queue.schedule_in(delay, Event::Recurrence(incident));
                }
            }
        } else if self.team.rng.culture.random::<f64>() < culture.postmortems {
            // A blameless post-mortem: the team learns, more so when it feels safe.
            let reduction = culture.postmortem_learning * self.safety();
            self.learn(reduction);
            self.records.incidents[i].postmortem = true;
            if self.measuring() {
                self.team.culture.postmortems += 1;
            }
        }
        self.dispatch_developers();
    }

    /// An incident whose root cause was not fixed happens again.
    pub(crate) fn on_recurrence(&mut self, original: u32) {
        let record = &self.records.incidents[original as usize];
        let (cause, ai_integration) = (record.cause, record.ai_integration);
        self.start_incident(cause, ai_integration, Some(original));
    }

    /// Brings the active team's fragility to now: it decays continuously at the rate in force.
    pub(crate) fn settle_fragility(&mut self) {
        let now = self.now();
        let dt = now - self.team.fragility_at;
        if dt > 0.0 {
            if self.team.fragility != 0.0 {
                let factor = (-self.tp().fragility_decay_per_hour * dt).exp();
                self.team.fragility *= factor;
                // The warm start's share of the stock (never above the stock: zero with it).
                self.team.fragility_inflow *= factor;
            }
            self.team.fragility_at = now;
        }
    }

    /// The active team's hazard of non-attributable incidents now, per hour, from fragility and
    /// from interacting changes.
    fn non_attributable_hazard(&mut self) -> (f64, f64) {
        self.settle_fragility();
        let now = self.now();
        let p = self.p();
        let fp = &p.fragility;
        let window = fp.interaction_window_hours.max(0.0);
        let team = &mut self.team;
        trim_to_window(
            &mut team.recent_deploys,
            &mut team.recent_changes,
            now - window,
        );
        let own = team.recent_changes;
        // In an organisation, other services' recent changes interact with this one's, weighted by
        // the coupling of their production.
        let others = if self.model.shared_interaction_window {
            // Every team trims its list with this same window, so each holds all its changes
            // since `now - window`: the others' are the organisation's minus this team's (the
            // same count as summing the other teams' lists, below).
            trim_to_window(&mut self.org_deploys, &mut self.org_changes, now - window);
            debug_assert!(self.org_changes >= own);
            Some(self.org_changes.saturating_sub(own))
        } else if self.teams() > 1 {
            Some(
                (0..self.teams())
                    .filter(|&t| t != self.cur)
                    .map(|t| {
                        self.team_state(t)
                            .recent_deploys
                            .iter()
                            .filter(|(at, _)| *at >= now - window)
                            .map(|(_, n)| n)
                            .sum::<u32>()
                    })
                    .sum(),
            )
        } else {
            None
        };
        let in_window = match others {
            Some(others) => f64::from(own) + p.org.interaction_coupling * f64::from(others),
            None => f64::from(own),
        };
        non_attributable_hazard_per_hour(
            self.team.fragility,
            fp.incidents_per_week_per_unit,
            in_window,
            fp.interaction_free_changes,
            fp.interaction_incidents_per_week,
        )
    }

    /// Non-attributable incidents are a Poisson process whose hazard changes continuously
    /// (fragility decays) and jumps (merges add fragility, deployments add interacting changes,
    /// a phase brings new parameters). They are drawn by thinning (Lewis and Shedler, "Simulation
    /// of nonhomogeneous Poisson processes by thinning", Naval Research Logistics Quarterly 26(3),
    /// 1979): candidates come at a rate at least the hazard, and a candidate at `t` becomes an
    /// incident with probability `hazard(t) / rate`. Between jumps the hazard only falls, so the
    /// hazard at one candidate bounds it until the next; when it jumps above the bound, the rate
    /// rises by the difference and, the processes being memoryless, the next candidate is the
    /// earlier of the one waiting and one drawn at the extra rate. Called wherever the hazard
    /// may have jumped.
    pub(crate) fn raise_hazard_bound(&mut self) {
        let (h_fragility, h_interaction) = self.non_attributable_hazard();
        let hazard = h_fragility + h_interaction;
        if hazard.is_nan() || hazard <= self.team.hazard_bound {
            return;
        }
        let extra = hazard - self.team.hazard_bound;
        self.team.hazard_bound = hazard;
        let at = self.now() + exponential_wait(&mut self.team.rng.fragility, extra);
        if at < self.team.check_at {
            self.schedule_check(at);
        }
    }

    /// A deployment added interacting changes to the active team's service, and to every service
    /// coupled with it.
    pub(crate) fn raise_hazard_bounds_after_deploy(&mut self) {
        self.raise_hazard_bound();
        if self.teams() > 1 {
            let active = self.cur;
            for t in (0..self.teams()).filter(|&t| t != active) {
                self.activate(t);
                if self.p().org.interaction_coupling > 0.0 {
                    self.raise_hazard_bound();
                }
            }
            self.activate(active);
        }
    }

    /// Makes the candidate at `at` the next one (any other waiting is superseded).
    fn schedule_check(&mut self, at: f64) {
        let team = &mut self.team;
        team.check_generation = team.check_generation.wrapping_add(1);
        team.check_at = at;
        if at <= self.model.end_hours {
            let event = Event::FragilityCheck(self.cur as u16, team.check_generation);
            self.queue.schedule_at(at, event);
        }
    }

    /// A candidate for a non-attributable incident: it starts one with probability
    /// `hazard / bound`; the next candidate comes at the hazard now.
    pub(crate) fn on_fragility_check(&mut self, generation: u32) {
        if generation != self.team.check_generation {
            return;
        }
        let (h_fragility, h_interaction) = self.non_attributable_hazard();
        let hazard = h_fragility + h_interaction;
        let rng = &mut self.team.rng.fragility;
        let cause = (rng.random::<f64>() * self.team.hazard_bound < hazard).then(|| {
            if rng.random::<f64>() * hazard < h_fragility {
                IncidentCause::Fragility
            } else {
                IncidentCause::Interaction
            }
        });
        self.team.hazard_bound = hazard;
        self.team.check_at = f64::INFINITY;
        if hazard > 0.0 {
            let at = self.now() + exponential_wait(&mut self.team.rng.fragility, hazard);
            self.schedule_check(at);
        }
        if let Some(cause) = cause {
            self.start_incident(cause, false, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::model::Model;
    use crate::model::params::Params;
    use crate::model::timeline::Schedule;

    /// Three coupled teams sharing one interaction window: the other services' changes counted as
    /// the organisation's minus the team's own give the records that summing every other team's
    /// list gives, replication for replication.
    #[test]
    fn the_organisations_count_equals_the_sum_over_the_other_teams() {
        let schedule = Schedule {
            phases: vec![(0.0, Arc::new(Params::default()))],
        };
        let teams: Vec<(String, Schedule)> = ["a", "b", "c"]
            .iter()
            .map(|name| (name.to_string(), schedule.clone()))
            .collect();
        let shared = Model::organisation(&teams);
        assert!(shared.shared_interaction_window);
        let mut summed = shared.clone();
        summed.shared_interaction_window = false;
        for replication in 0..3 {
            let (a, b) = (shared.run(5, replication), summed.run(5, replication));
            assert!(!a.incidents.is_empty());
            let json = |r| serde_json::to_string(r).unwrap_or_default();
            assert!(json(&a) == json(&b), "replication {replication} differs");
        }
    }
}
