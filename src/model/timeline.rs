//! Parameter changes during a run: a step at a given week, or a linear ramp between two weeks.
//!
//! Weeks count from the end of the warm-up (week 0 is the first measured week; negative weeks fall
//! inside the warm-up). A ramp is applied in daily steps, so a parameter read by the model is
//! piecewise constant over one day at most.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use super::params::SetError;
use super::params::{Kind, Params, Value, find};

pub use crate::engine::units::HOURS_PER_WEEK;
/// Granularity of ramps, hours.
pub const RAMP_STEP_HOURS: f64 = 24.0;

/// One change of one parameter during the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineChange {
    /// Key path of the parameter, as in the scenario file (`ai.adoption`).
    pub key: String,
    /// Week of a step change (after the warm-up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_week: Option<f64>,
    /// New value of a step change (any type the parameter accepts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// `[from_week, to_week]` of a linear ramp (numeric parameters only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ramp_weeks: Option<[f64; 2]>,
    /// Value at the start of the ramp; defaults to the value in force before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<f64>,
    /// Value at the end of the ramp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<f64>,
}

/// The value of a numeric parameter as a ramp sets it: rounded for whole-number parameters.
fn ramp_value(key: &str, x: f64) -> Value {
    let kind = find(key).map_or(Kind::Float, |info| info.kind);
    Value::number(kind, x)
}

/// The parameters in force over a run: a base set and the times (hours since the run started) at
/// which a new set takes over. Built once per scenario and shared by every replication.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// `(start_hours, params)` in increasing time; the first starts at 0.
    pub phases: Vec<(f64, Arc<Params>)>,
}

impl Schedule {
    /// Builds the schedule of a base parameter set and its timeline.
    pub fn build(base: &Params, timeline: &[TimelineChange]) -> Result<Schedule, SetError> {
        let warmup_hours = base.time.warmup_weeks * HOURS_PER_WEEK;
        let end_hours = warmup_hours + base.time.horizon_weeks * HOURS_PER_WEEK;
        let to_hours = |week: f64| (warmup_hours + week * HOURS_PER_WEEK).clamp(0.0, end_hours);
        let mut times: Vec<f64> = vec![0.0];
        for change in timeline {
            if let Some(w) = change.at_week {
                times.push(to_hours(w));
            }
            if let Some([a, b]) = change.ramp_weeks {
                let (start, stop) = (to_hours(a), to_hours(b));
                let mut t = start;
                while t < stop {
                    times.push(t);
                    t += RAMP_STEP_HOURS;
                }
                times.push(stop);
            }
        }
        times.sort_by(f64::total_cmp);
        times.dedup();
        // Each ramp's starting value, resolved once in timeline order (a ramp without `from`
        // starts from the value the earlier entries give at its start). Resolving it inside
        // `params_at` recursed into every earlier ramp: twelve ramps took 22 s.
        let mut froms: Vec<Option<f64>> = Vec::with_capacity(timeline.len());
        for (index, change) in timeline.iter().enumerate() {
            let from = match (change.ramp_weeks, change.from) {
                (Some([a, _]), None) => {
                    let before =
                        params_at(base, &timeline[..index], &froms, to_hours(a), &to_hours)?;
                    Some(
                        before
                            .get(&change.key)
                            .and_then(|v| v.as_number())
                            .ok_or_else(|| SetError::UnknownKey(change.key.clone()))?,
                    )
                }
                (_, from) => from,
            };
            froms.push(from);
        }
        let mut phases = Vec::with_capacity(times.len());
        for &t in &times {
            let params = params_at(base, timeline, &froms, t, &to_hours)?;
            let unchanged = phases
                .last()
                .is_some_and(|(_, p): &(f64, Arc<Params>)| **p == params);
            if !unchanged {
                phases.push((t, Arc::new(params)));
            }
        }
        Ok(Schedule { phases })
    }

    /// The parameters in force at the start of the run.
    pub fn initial(&self) -> &Arc<Params> {
        &self.phases[0].1
    }

    /// The parameters in force at `hours` (the last phase starting at or before it).
    pub fn at(&self, hours: f64) -> &Arc<Params> {
        let after = self.phases.partition_point(|(start, _)| *start <= hours);
        &self.phases[after.saturating_sub(1)].1
    }
}

/// Parameters in force at `t` hours: every step at or before `t` and every ramp's value at `t`,
/// applied in the order the timeline lists them. `froms[i]` is entry `i`'s resolved starting
/// value when it is a ramp.
fn params_at(
    base: &Params,
    timeline: &[TimelineChange],
    froms: &[Option<f64>],
    t: f64,
    to_hours: &dyn Fn(f64) -> f64,
) -> Result<Params, SetError> {
    let mut params = base.clone();
    for (index, change) in timeline.iter().enumerate() {
        if let (Some(w), Some(v)) = (change.at_week, &change.value)
            && to_hours(w) <= t
        {
            params.set(&change.key, v)?;
        }
        if let (Some([a, b]), Some(to)) = (change.ramp_weeks, change.to) {
            let (start, stop) = (to_hours(a), to_hours(b));
            if t < start {
                continue;
            }
            // Without `from`, the ramp starts from the value in force when it starts: the base
            // value as changed by the earlier timeline entries (resolved by the caller).
            let from = froms
                .get(index)
                .copied()
                .flatten()
                .ok_or_else(|| SetError::UnknownKey(change.key.clone()))?;
            let progress = if stop > start {
                ((t - start) / (stop - start)).min(1.0)
            } else {
                1.0
            };
            let value = from + (to - from) * progress;
            params.set(&change.key, &ramp_value(&change.key, value))?;
        }
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adoption_at(schedule: &Schedule, hours: f64) -> f64 {
        let phase = schedule.phases.iter().rev().find(|(t, _)| *t <= hours);
        phase.map_or(f64::NAN, |(_, p)| p.ai.adoption)
    }

    #[test]
    fn a_ramp_without_from_starts_from_the_value_in_force() {
        let base = Params::default();
        let timeline = vec![
            TimelineChange {
                key: "ai.adoption".into(),
                at_week: Some(1.0),
                value: Some(Value::Float(0.6)),
                ramp_weeks: None,
                from: None,
                to: None,
            },
            TimelineChange {
                key: "ai.adoption".into(),
                at_week: None,
                value: None,
                ramp_weeks: Some([3.0, 5.0]),
                from: None,
                to: Some(0.8),
            },
        ];
        let schedule = Schedule::build(&base, &timeline).expect("valid timeline");
        let week = |w: f64| (base.time.warmup_weeks + w) * HOURS_PER_WEEK;
        assert_eq!(adoption_at(&schedule, week(0.5)), base.ai.adoption);
        assert_eq!(adoption_at(&schedule, week(2.0)), 0.6);
        assert_eq!(adoption_at(&schedule, week(3.0)), 0.6);
        assert!((adoption_at(&schedule, week(4.0)) - 0.7).abs() < 1e-9);
        assert!((adoption_at(&schedule, week(6.0)) - 0.8).abs() < 1e-9);
    }

    #[test]
    fn chained_ramps_without_from_each_start_where_the_last_ended() {
        // Thirty ramps on one key, none with `from`: each starts from the value the earlier
        // ones leave. (Resolving that recursively took time doubling with every ramp.)
        let base = Params::default();
        let timeline: Vec<TimelineChange> = (0..30)
            .map(|i| TimelineChange {
                key: "ai.adoption".into(),
                at_week: None,
                value: None,
                ramp_weeks: Some([f64::from(i) * 0.5, f64::from(i) * 0.5 + 0.5]),
                from: None,
                to: Some(if i % 2 == 0 { 0.9 } else { 0.1 }),
            })
            .collect();
        let schedule = Schedule::build(&base, &timeline).expect("valid timeline");
        let week = |w: f64| (base.time.warmup_weeks + w) * HOURS_PER_WEEK;
        // Each ramp ends at its `to`, which is where the next one starts: 0.9, 0.1, 0.9, ...
        for i in 0..30 {
            let end = f64::from(i) * 0.5 + 0.5;
            let expected = if i % 2 == 0 { 0.9 } else { 0.1 };
            assert!(
                (adoption_at(&schedule, week(end)) - expected).abs() < 1e-9,
                "ramp {i}"
            );
        }
        // The first ramp rises from the base value: below 0.9 inside it.
        assert!(adoption_at(&schedule, week(0.25)) < 0.9);
        assert!(adoption_at(&schedule, week(0.25)) >= base.ai.adoption);
    }

    #[test]
    fn integer_parameters_take_integral_steps() {
        let base = Params::default();
        let set = base
            .with("review.reviewers", &ramp_value("review.reviewers", 7.6))
            .expect("integral");
        assert_eq!(set.review.reviewers, 8);
        assert!(base.with("review.reviewrs", &Value::Integer(8)).is_err());
    }
}
