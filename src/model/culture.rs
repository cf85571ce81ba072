//! Culture: gaming behaviours that emerge from surveillance and targets, and learning behaviours
//! (post-mortems, near-miss reports, debt time) that lower future defect rates.
//!
//! Gaming changes what the team's tooling records (the measured ledger), and sometimes the system
//! itself (artificial splits add integration defects; incidents closed early recur). Learning
//! changes the system: the defect rate falls with each post-mortem and reported near-miss.

use rand::RngExt;

use super::records::{DeployReason, DeploymentRecord};
use super::simulation::Simulation;

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

    /// Padding: empty or config-only deployments inside the deploy window, at a rate that grows
    /// with gaming pressure. Checked once an hour.
    pub(crate) fn maybe_pad(&mut self, hours: f64) {
        let per_week = self.p().culture.padding_deploys_per_week * self.gaming_pressure();
        if per_week <= 0.0 || !self.calendar().is_open(self.now()) {
            return;
        }
        let per_open_hour = per_week / self.calendar().hours_per_week().max(1.0);
        if self.team.rng.culture.random::<f64>()
            < super::production::probability_of_event(per_open_hour * hours)
        {
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
    }
}
