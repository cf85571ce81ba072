//! Culture: gaming behaviours that emerge from surveillance and targets, and learning behaviours
//! (post-mortems, near-miss reports, debt time) that lower future defect rates.
//!
//! Gaming changes what the team's tooling records (the measured ledger), and sometimes the system
//! itself (artificial splits add integration defects; incidents closed early recur). Learning
//! changes the system: the defect rate falls with each post-mortem and reported near-miss.

use rand::RngExt;

use super::records::{DeployReason, DeploymentRecord};
use super::simulation::{Event, Simulation};
use crate::engine::random::exponential_wait;

impl Simulation<'_> {
    /// Psychological safety now: the culture's level less what blame has eroded.
    pub(crate) fn safety(&self) -> f64 {
        (self.p().culture.psychological_safety - self.team.safety_loss).clamp(0.0, 1.0)
    }

    /// Gaming pressure now (0-1).
    pub(crate) fn gaming_pressure(&self) -> f64 {
        self.p().culture.gaming_pressure(self.safety())
    }

    /// True with probability `propensity × pressure`, drawn from the culture stream.
    pub(crate) fn games(&mut self, propensity: f64) -> bool {
        let p = (propensity * self.gaming_pressure()).clamp(0.0, 1.0);
        p > 0.0 && self.team.rng.culture.random::<f64>() < p
    }

    /// Share of developer time on maintenance and debt pay-down.
    pub(crate) fn maintenance_share(&self) -> f64 {
        self.p().maintenance_share()
    }

    /// Lowers the defect rate by `reduction` (a share), down to the learning floor.
    pub(crate) fn learn(&mut self, reduction: f64) {
        let floor = self.p().culture.learning_floor;
        self.team.defect_multiplier =
            (self.team.defect_multiplier * (1.0 - reduction.clamp(0.0, 1.0))).max(floor);
    }

    /// Near-misses: defects caught in tests teach the team, when people feel safe to report them.
    pub(crate) fn report_near_misses(&mut self, found: u16) {
        if found > 0 {
            let per_report = self.p().culture.near_miss_learning * self.safety();
            self.learn(1.0 - (1.0 - per_report).powi(i32::from(found)));
        }
    }

    /// Padding: empty or config-only deployments in working hours, at
    /// `padding_deploys_per_week × gaming pressure` per week of working hours. Gaming pressure is
    /// the use of metrics for targets and scorecards (fixed within a phase) times the lack of
    /// safety (which moves with incidents and learning), so the rate is drawn by thinning:
    /// candidates come in working hours at the rate with no safety at all, and each becomes a
    /// padding deployment with probability `1 − safety` then. Armed at the start and at each
    /// phase change; a candidate of an older rate is superseded.
    pub(crate) fn arm_padding(&mut self) {
        let culture = &self.p().culture;
        let most_pressure = culture.gaming_pressure(0.0);
        let per_week = culture.padding_deploys_per_week.max(0.0) * most_pressure;
        let bound = per_week / self.calendar().hours_per_week().max(1.0);
        if bound == self.team.padding_bound {
            return;
        }
        self.team.padding_bound = bound;
        self.team.padding_generation = self.team.padding_generation.wrapping_add(1);
        self.next_padding_candidate();
    }

    /// Schedules the next padding candidate at the current rate (none at rate 0).
    fn next_padding_candidate(&mut self) {
        let bound = self.team.padding_bound;
        if bound.is_nan() || bound <= 0.0 {
            return;
        }
        let working_hours = exponential_wait(&mut self.team.rng.culture, bound);
        let at = self.calendar().finish(self.now(), working_hours);
        if at <= self.model.end_hours {
            let event = Event::PaddingCheck(self.cur as u16, self.team.padding_generation);
            self.queue.schedule_at(at, event);
        }
    }

    /// A padding candidate: a padding deployment with probability
    /// `gaming pressure now / pressure with no safety`.
    pub(crate) fn on_padding_check(&mut self, generation: u32) {
        if generation != self.team.padding_generation {
            return;
        }
        let most_pressure = self.p().culture.gaming_pressure(0.0);
        let pressure = self.gaming_pressure();
        if self.team.rng.culture.random::<f64>() * most_pressure < pressure {
            let now = self.now();
            self.add_deployment(
                DeploymentRecord {
                    id: 0,
                    started_hours: now,
                    finished_hours: now,
                    reason: DeployReason::Padding,
                    change_count: 0,
                    rolls_back: None,
                    labelled_rework: false,
                    team: 0,
                },
                Vec::new(),
            );
        }
        self.next_padding_candidate();
    }
}
