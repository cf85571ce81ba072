//! The latent parameters `calibrate` fits by simulation, each matched to the figure of the
//! history that moves most with it. A knob moves its parameter by a factor `exp(z)` from the base
//! scenario's value (z = 0 is the base), so the search runs in log space where every knob has a
//! comparable scale and stays positive.

use super::moments::Moment;
use crate::model::params::{DemandMode, Params, Value};

/// How a knob changes the parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Multiplies one number, kept in `[low, high]`.
    Number {
        /// Key path.
        key: &'static str,
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
    },
    /// Multiplies every value of the distributions at these keys.
    Scale(&'static [&'static str]),
}

/// Which teams a knob fits: throughput is set by arrivals under Poisson demand, by coding
/// effort for a team that always has work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demand {
    /// Any demand mode.
    Any,
    /// Only with `demand.mode = "poisson"`.
    Poisson,
    /// Only with `demand.mode = "backlog"`.
    Backlog,
}

/// A fitted parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Knob {
    /// What it is called in reports.
    pub name: &'static str,
    /// What it changes.
    pub action: Action,
    /// The figure it is matched to.
    pub moment: Moment,
    /// Why that figure identifies it.
    pub why: &'static str,
    /// The demand modes it applies to.
    pub demand: Demand,
}

/// Every knob that can be fitted. The first that applies to a figure is used (a base scenario
/// with Poisson demand fits its arrival rate, a backlog team its coding effort).
pub const KNOBS: [Knob; 7] = [
    Knob {
        name: "defects.failure_share",
        action: Action::Number {
            key: "defects.failure_share",
            low: 1e-4,
            // With bug_share at most 0.5 too, the two shares never add up to more than 1.
            high: 0.5,
        },
        moment: Moment::ChangeFailRate,
        why: "the share of defects that fail in production sets the change fail rate",
        demand: Demand::Any,
    },
    Knob {
        name: "defects.bug_share",
        action: Action::Number {
            key: "defects.bug_share",
            low: 1e-4,
            high: 0.5,
        },
        moment: Moment::ReworkRate,
        why: "user-facing bugs become bug-fix deployments: the rework rate",
        demand: Demand::Any,
    },
    Knob {
        name: "recovery.diagnosis_hours",
        action: Action::Scale(&["recovery.diagnosis_hours"]),
        moment: Moment::RecoveryGeoMean,
        why: "diagnosis is the longest step of recovery: the recovery time",
        demand: Demand::Any,
    },
    Knob {
        name: "review.pickup_breaks_per_hour",
        action: Action::Number {
            key: "review.pickup_breaks_per_hour",
            low: 1e-3,
            high: 100.0,
        },
        moment: Moment::ReviewTimeGeoMean,
        why: "how soon reviewers pick a pull request up dominates its time in review",
        demand: Demand::Any,
    },
    Knob {
        name: "demand.*_size_loc",
        action: Action::Scale(&[
            "demand.feature_size_loc",
            "demand.bugfix_size_loc",
            "demand.config_size_loc",
        ]),
        moment: Moment::PullRequestLocP50,
        why: "work item sizes set pull request sizes",
        demand: Demand::Any,
    },
    Knob {
        name: "demand.items_per_week",
        action: Action::Number {
            key: "demand.items_per_week",
            low: 0.01,
            high: 1e6,
        },
        moment: Moment::ChangesPerWeek,
        why: "with Poisson demand, arrivals set the changes deployed per week",
        demand: Demand::Poisson,
    },
    Knob {
        name: "team.coding effort",
        action: Action::Scale(&["team.coding_overhead_hours", "team.coding_hours_per_loc"]),
        moment: Moment::ChangesPerWeek,
        why: "a team that always has work delivers as fast as it codes: changes per week",
        demand: Demand::Backlog,
    },
];

impl Knob {
    /// Does this knob apply to `params` (the demand mode decides which knob fits throughput)?
    pub fn applies(&self, params: &Params) -> bool {
        let poisson = params.demand.mode == DemandMode::Poisson;
        match self.demand {
            Demand::Any => true,
            Demand::Poisson => poisson,
            Demand::Backlog => !poisson,
        }
    }

    /// The parameter keys it writes.
    pub fn keys(&self) -> Vec<&'static str> {
        match self.action {
            Action::Number { key, .. } => vec![key],
            Action::Scale(keys) => keys.to_vec(),
        }
    }

    /// Sets its parameters in `params` to the base's times `exp(z)`.
    pub fn apply(&self, base: &Params, params: &mut Params, z: f64) -> Result<(), String> {
        let factor = z.exp();
        match self.action {
            Action::Number { key, low, high } => {
                let value = number(base, key)?;
                // A base of zero (e.g. no pickup delay) cannot be scaled: start from the low end.
                let start = if value > 0.0 { value } else { low.max(1e-3) };
                let v = (start * factor).clamp(low, high);
                params
                    .set(key, &Value::Float(v))
                    .map_err(|e| e.to_string())?;
            }
            Action::Scale(keys) => {
                for key in keys {
                    match base.get(key) {
                        Some(Value::Dist(d)) => params
                            .set(key, &Value::Dist(d.scaled(factor)))
                            .map_err(|e| e.to_string())?,
                        Some(Value::Float(x)) => params
                            .set(key, &Value::Float(x * factor))
                            .map_err(|e| e.to_string())?,
                        _ => return Err(format!("`{key}` is not a number or distribution")),
                    }
                }
            }
        }
        Ok(())
    }
}

/// A number parameter of `params`.
pub fn number(params: &Params, key: &str) -> Result<f64, String> {
    match params.get(key) {
        Some(Value::Float(x)) => Ok(x),
        Some(Value::Integer(i)) => Ok(i as f64),
        _ => Err(format!("`{key}` is not a number")),
    }
}
