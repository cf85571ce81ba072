//! Deployment: merged changes reach production by a policy (continuous, scheduled train), within
//! deploy windows, with a maximum batch. Fixes go out on their own, unplanned.

use super::defects::{DefectClass, Severity};
use super::params::DeployPolicy;
use super::records::{DeployReason, DeploymentRecord, Origin};
use super::simulation::{Event, Simulation};
use rand::RngExt;

impl Simulation<'_> {
    /// Starts the release train: it leaves at `first_train_hour` on Monday, then every
    /// interval. The train runs whatever the policy, so a timeline can switch to a schedule
    /// mid-run; under continuous deployment its departures do nothing.
    pub(crate) fn start_deploy_schedule(&mut self) {
        let first = self.p().deploy.first_train_hour.max(0.0);
        self.queue
            .schedule_at(first, Event::TrainDeparture(self.cur as u16));
    }

    /// A scheduled departure of the release train. Departures follow the timetable in force,
    /// `first_train_hour + k × interval_hours`, so a timeline that changes the interval or the
    /// policy mid-run keeps the train on its timetable.
    pub(crate) fn on_train_departure(&mut self) {
        let now = self.now();
        let deploy = &self.p().deploy;
        let interval = deploy.interval_hours.max(0.01);
        let first = deploy.first_train_hour.max(0.0);
        let slots = (now - first) / interval;
        let on_timetable = (slots - slots.round()).abs() < 1e-9;
        let next = first + (slots + 1e-9).floor().max(-1.0) * interval + interval;
        self.queue
            .schedule_at(next.max(now + 1e-6), Event::TrainDeparture(self.cur as u16));
        if on_timetable && deploy.policy == DeployPolicy::Scheduled && self.deploy_window_open() {
            self.deploy_batch();
        }
    }

    /// The deploy window opens for changes that merged while it was closed (continuous policy).
    pub(crate) fn on_deploy_window_opens(&mut self) {
        self.team.tick_pending = false;
        self.try_deploy_planned();
    }

    /// The service an escaping defect of `class` shows in: the deploying team's own, or, for a
    /// cross-service integration defect in an organisation, another team's (drawn uniformly).
    /// One team never draws, so its streams stay as they were.
    fn service_of(&mut self, class: DefectClass) -> u16 {
        let teams = self.teams();
        let own = self.cur;
        if teams < 2 || class != DefectClass::Integration {
            return own as u16;
        }
        let share = self.p().org.cross_service_share;
        if self.team.rng.production.random::<f64>() >= share {
            return own as u16;
        }
        let other = self.team.rng.production.random_range(0..teams - 1);
        (if other >= own { other + 1 } else { other }) as u16
    }

    fn deploy_window_open(&self) -> bool {
        !self.p().deploy.working_hours_only || self.calendar().is_open(self.now())
    }

    /// Under continuous deployment, deploys what is merged as soon as the pipeline and the window
    /// allow. Under a schedule, waits for the train.
    pub(crate) fn try_deploy_planned(&mut self) {
        if self.p().deploy.policy != DeployPolicy::Continuous || self.team.merged_waiting.is_empty()
        {
            return;
        }
        if self.deploy_window_open() {
            self.deploy_batch();
        } else if !self.team.tick_pending {
            self.team.tick_pending = true;
            let open = self.calendar().next_open(self.now());
            self.queue
                .schedule_at(open, Event::DeployWindowOpens(self.cur as u16));
        }
    }

    /// Deploys up to `max_batch` waiting changes if no planned deployment is running.
    fn deploy_batch(&mut self) {
        if self.team.deploying || self.team.merged_waiting.is_empty() {
            return;
        }
        let max = self.p().deploy.max_batch as usize;
        let take = if max == 0 {
            self.team.merged_waiting.len()
        } else {
            max.min(self.team.merged_waiting.len())
        };
        let batch: Vec<u32> = self.team.merged_waiting.drain(..take).collect();
        self.team.deploying = true;
        self.start_deployment(batch, DeployReason::Planned);
    }

    /// True when a merged bug fix waits for the release train instead of deploying on its own:
    /// under a schedule, unless it is urgent. Whether a fix is urgent is drawn with the item (its
    /// split draw, which bug fixes never use otherwise), so it is common to compared scenarios.
    pub(crate) fn bug_fix_rides_train(&self, change: u32) -> bool {
        let deploy = &self.p().deploy;
        deploy.policy == DeployPolicy::Scheduled
            && self.states[change as usize].split_draw >= deploy.urgent_bug_fix_share
    }

    /// Deploys a fix on its own, straight away.
    pub(crate) fn start_unplanned_deploy(&mut self, change: u32, reason: DeployReason) {
        self.start_deployment(vec![change], reason);
    }

    fn start_deployment(&mut self, changes: Vec<u32>, reason: DeployReason) {
        let now = self.now();
        let hours = self.s().deploy.sample(&mut self.team.rng.deploy).max(0.0);
        // Gaming: some hotfixes and bug fixes never get their label, so the rework count shrinks.
        let labelled_rework = reason.is_rework() && !self.games(self.p().culture.hotfix_exclusion);
        if reason.is_rework() && !labelled_rework && self.measuring() {
            self.team.culture.excluded_rework += 1;
        }
        let record = DeploymentRecord {
            id: 0,
            started_hours: now,
            finished_hours: f64::NAN,
            reason,
            change_count: changes.len() as u32,
            rolls_back: None,
            labelled_rework,
            team: 0,
        };
        let id = self.add_deployment(record, changes);
        self.queue.schedule_in(hours, Event::DeployDone(id));
    }

    pub(crate) fn on_deploy_done(&mut self, deployment: u32) {
        let now = self.now();
        let d = deployment as usize;
        self.records.deployments[d].finished_hours = now;
        let changes = std::mem::take(&mut self.deployed_changes[d]);
        let manifest_probability = self.p().production.manifest_probability;
        let end = self.model.end_hours;
        let calendar = self.calendar();
        for &change in &changes {
            let c = change as usize;
            let latent = self.states[c].latent;
            let record = &mut self.records.changes[c];
            record.deployed_hours = now;
            record.lead_working_hours =
                calendar.working_hours_between(record.first_commit_hours, now) as f32;
            record.deployment = Some(deployment);
            record.escaped = latent.map(|row| row.values().sum());
            record.escaped_failures = latent[DefectClass::Described][Severity::Failure]
                + latent[DefectClass::Integration][Severity::Failure];
            if record.origin == Origin::Planned {
                self.team.in_system = self.team.in_system.saturating_sub(1);
            }
            for (class, row) in latent.iter() {
                for severity in Severity::MANIFESTING {
                    for _ in 0..row[severity] {
                        if self.team.rng.production.random::<f64>() >= manifest_probability {
                            continue;
                        }
                        let delay = self
                            .s()
                            .manifest_delay
                            .sample(&mut self.team.rng.production)
                            .max(0.0);
                        if now + delay <= end {
                            let service = self.service_of(class);
                            self.queue.schedule_in(
                                delay,
                                Event::Manifest {
                                    change,
                                    deployment,
                                    class,
                                    severity,
                                    service,
                                },
                            );
                        }
                    }
                }
            }
        }
        self.team
            .recent_deploys
            .push_back((now, changes.len() as u32));
        self.team.recent_changes += changes.len() as u32;
        if self.model.shared_interaction_window {
            self.org_deploys.push_back((now, changes.len() as u32));
            self.org_changes += changes.len() as u32;
        }
        if !changes.is_empty() {
            self.raise_hazard_bounds_after_deploy();
        }
        match self.records.deployments[d].reason {
            DeployReason::Planned => {
                self.team.deploying = false;
                self.try_deploy_planned();
            }
            DeployReason::Hotfix => {
                if let Some(&change) = changes.first()
                    && let Some(incident) = self.states[change as usize].incident
                {
                    self.records.incidents[incident as usize].remediation =
                        super::records::Remediation::Hotfix;
                    self.restore(incident);
                }
            }
            DeployReason::BugFix | DeployReason::Rollback | DeployReason::Padding => {}
        }
        self.deployed_changes[d] = changes;
    }
}
