//! CI tests, traffic-derived tests and the staging soak. Tests written alongside AI-generated code
//! share its blind spots; tests derived from production traffic do not.

use rand::RngExt;

use super::defects::{DefectClass, PerClass, Severity, Suite};
use super::records::Origin;
use super::simulation::{Event, Simulation, Task};
use super::timeline::HOURS_PER_WEEK;

/// Probability that the CI suite catches a described defect: rises with coverage with
/// diminishing returns (coverage is a weak predictor of effectiveness).
pub fn described_test_detection(coverage: f64, max_detection: f64, steepness: f64) -> f64 {
    (max_detection * (1.0 - (-steepness * coverage.clamp(0.0, 1.0)).exp())).clamp(0.0, 1.0)
}

/// Probability that the CI suite catches an integration defect, reduced by the blind-spot
/// correlation when an AI-assisted change has AI-written tests.
pub fn integration_test_detection(base: f64, blind_spot: f64, shared_blind_spots: bool) -> f64 {
    let p = if shared_blind_spots {
        base * (1.0 - blind_spot)
    } else {
        base
    };
    p.clamp(0.0, 1.0)
}

impl Simulation<'_> {
    /// Runs the CI pipeline on a change (machines: around the clock), with flaky retries.
    pub(crate) fn start_tests(&mut self, change: u32) {
        let p = self.p();
        let tp = &p.testing;
        let ci = &self.s().ci;
        let mut hours = ci.sample(&mut self.team.rng.testing).max(0.0);
        if tp.traffic_replay {
            hours += tp.traffic_replay_hours.max(0.0);
        }
        let mut retries = 0;
        while retries < tp.max_retries && self.team.rng.testing.random::<f64>() < tp.flaky_failure {
            hours += ci.sample(&mut self.team.rng.testing).max(0.0);
            retries += 1;
        }
        if self.measuring() {
            self.team.flow.flaky_retries += u64::from(retries);
        }
        self.records.changes[change as usize].test_hours += hours as f32;
        self.queue.schedule_in(hours, Event::TestsDone(change));
    }

    pub(crate) fn on_tests_done(&mut self, change: u32) {
        let p = self.p();
        let tp = &p.testing;
        let c = change as usize;
        let record = &self.records.changes[c];
        let shared_blind_spots = record.ai_assisted && record.ai_tests;
        let p_described = described_test_detection(
            tp.coverage,
            tp.described_max_detection,
            tp.coverage_steepness,
        );
        let p_ci = integration_test_detection(
            tp.integration_detection,
            tp.blind_spot_correlation,
            shared_blind_spots,
        );
        // Traffic replay catches integration defects independently of who wrote code and tests.
        let p_replay = if tp.traffic_replay {
            tp.traffic_replay_detection.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let p_integration = 1.0 - (1.0 - p_ci) * (1.0 - p_replay);
        let probability = PerClass::from_fn(|class| match class {
            DefectClass::Described => p_described,
            DefectClass::Integration => p_integration,
        });
        let found = self.catch(c, Suite::Ci, probability);
        let origin = self.records.changes[c].origin;
        if found > 0 {
            self.rework_after_tests(change, found);
        } else if tp.staging && origin != Origin::Hotfix {
            let hours = self.s().staging.sample(&mut self.team.rng.testing).max(0.0);
            self.records.changes[c].test_hours += hours as f32;
            self.queue.schedule_in(hours, Event::StagingDone(change));
        } else {
            self.merge(change);
        }
    }

    pub(crate) fn on_staging_done(&mut self, change: u32) {
        let p = self.p().testing.staging_detection;
        // The soak catches integration defects only (docs/model.md, staging).
        let probability = PerClass::from_fn(|class| match class {
            DefectClass::Described => 0.0,
            DefectClass::Integration => p,
        });
        let found = self.catch(change as usize, Suite::Staging, probability);
        if found > 0 {
            self.rework_after_tests(change, found);
        } else {
            self.merge(change);
        }
    }

    /// Gives each latent defect the suite has not yet looked at its class's catch probability and
    /// removes those found; returns how many were found. A defect the suite missed stays missed
    /// on every re-run (flaky retries, runs after rework): the same tests, the same blind spot.
    fn catch(&mut self, c: usize, suite: Suite, probability: PerClass<f64>) -> u16 {
        let mut found = PerClass::<u16>::default();
        for class in DefectClass::ALL {
            for severity in Severity::ALL {
                let state = &self.states[c];
                let n = state.latent[class][severity];
                let fresh = n.saturating_sub(state.unseen_by[suite][class][severity]);
                let hits = (0..fresh)
                    .filter(|_| self.team.rng.testing.random::<f64>() < probability[class])
                    .count() as u16;
                let state = &mut self.states[c];
                state.latent[class][severity] -= hits;
                state.unseen_by[suite][class][severity] = n - hits;
                found[class] += hits;
            }
        }
        let record = &mut self.records.changes[c];
        for class in DefectClass::ALL {
            record.caught_in_tests[class] += found[class];
        }
        self.report_near_misses(found.sum());
        found.sum()
    }

    fn rework_after_tests(&mut self, change: u32, found: u16) {
        if self.records.changes[change as usize].agent {
            self.start_agent_run(super::simulation::AgentJob::ReworkChange(change));
            return;
        }
        let effort = self.rework_effort(change as usize, found);
        self.queue_task(Task::ReworkChange(change), effort);
    }

    /// The change lands on the main branch: it adds to fragility when merged below the required
    /// review depth, without adequate tests, or with duplicated AI code.
    fn merge(&mut self, change: u32) {
        let now = self.now();
        let p = self.p();
        let c = change as usize;
        let record = &mut self.records.changes[c];
        record.merged_hours = now;
        let fp = &p.fragility;
        let added = fp.shallow_review * (1.0 - f64::from(record.review_depth)).max(0.0)
            + fp.untested * (1.0 - p.testing.coverage).max(0.0)
            + if record.ai_assisted {
                p.ai.duplication_fragility
            } else {
                0.0
            };
        let origin = record.origin;
        if added != 0.0 {
            self.settle_fragility();
            self.team.fragility += added;
            self.raise_hazard_bound();
        }
        if now >= self.model.warmup_hours - self.warm_start_window_weeks() * HOURS_PER_WEEK
            && now < self.model.warmup_hours
        {
            self.team.fragility_inflow += added;
        }
        match origin {
            Origin::Planned => {
                // Agents' changes never counted toward the developers' work in progress.
                if !self.records.changes[change as usize].agent {
                    self.team.in_flight = self.team.in_flight.saturating_sub(1);
                }
                self.team.merged_waiting.push(change);
                self.try_deploy_planned();
                self.dispatch_developers();
            }
            Origin::BugFix if self.bug_fix_rides_train(change) => {
                self.team.merged_waiting.push(change);
            }
            Origin::BugFix => {
                self.start_unplanned_deploy(change, super::records::DeployReason::BugFix)
            }
            Origin::Hotfix => {
                self.start_unplanned_deploy(change, super::records::DeployReason::Hotfix)
            }
        }
    }
}
