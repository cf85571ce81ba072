//! Checks of the timeline that need the resolved parameters: weeks inside the run, and the
//! parameters each change produces, held to the same range checks as the file.

use super::error::Problem;
use super::walk::{Loc, RawChange, Walker};
use crate::model::params::{Kind, Params, Value, check_params, find};
use crate::model::timeline::Schedule;

/// Checks every complete timeline entry against `params`. `params_valid` says the parameters
/// themselves passed their checks (otherwise only the weeks are checked, to avoid reporting the
/// same problem twice).
pub(crate) fn check_timeline(walker: &mut Walker<'_>, params: &Params, params_valid: bool) {
    let changes: Vec<RawChange> = walker.timeline.clone();
    let errors_before = walker.errors.len();
    let warmup = params.time.warmup_weeks;
    let horizon = params.time.horizon_weeks;
    let weeks_known =
        warmup.is_finite() && horizon.is_finite() && warmup >= 0.0 && horizon > warmup;
    for raw in changes.iter().filter(|c| c.complete) {
        let base = format!("timeline[{}]", raw.index);
        let loc_of = |field: &str| {
            raw.locations
                .get(field)
                .or_else(|| raw.locations.get("entry"))
                .cloned()
                .unwrap_or(Loc::Unknown)
        };
        let change = &raw.change;
        if weeks_known {
            let allowed = format!(
                "a week in [-{warmup}, {horizon}]: weeks count from the end of the {warmup}-week warm-up"
            );
            let mut weeks: Vec<(&str, f64)> = Vec::new();
            weeks.extend(change.at_week.map(|w| ("at_week", w)));
            if let Some([a, b]) = change.ramp_weeks {
                weeks.extend([("ramp_weeks", a), ("ramp_weeks", b)]);
            }
            for (field, week) in weeks {
                if week < -warmup || week > horizon {
                    let problem = Problem::new(
                        format!("{base}.{field}"),
                        format!("week {week} is outside the run"),
                    )
                    .found(week.to_string())
                    .allowed(allowed.clone());
                    walker.report(&loc_of(field), problem);
                }
            }
        }
        if !params_valid {
            continue;
        }
        let mut trials: Vec<(&str, String, Result<Params, String>)> = Vec::new();
        if let (Some(week), Some(value)) = (change.at_week, &change.value) {
            let result = params.with(&change.key, value).map_err(|e| e.to_string());
            trials.push(("value", format!("from week {week}"), result));
        }
        if let Some([a, b]) = change.ramp_weeks {
            for (field, value, week) in [("from", change.from, a), ("to", change.to, b)] {
                let Some(value) = value else { continue };
                let kind = find(&change.key).map_or(Kind::Float, |i| i.kind);
                let result = params
                    .with(&change.key, &Value::number(kind, value))
                    .map_err(|e| e.to_string());
                trials.push((field, format!("at week {week}"), result));
            }
        }
        for (field, when, result) in trials {
            match result {
                Ok(changed) => {
                    for problem in check_params(&changed) {
                        let problem = Problem {
                            key_path: format!("{base}.{field}"),
                            message: format!("{when}, {}", problem.message),
                            related: Vec::new(),
                            ..problem
                        };
                        walker.report(&loc_of(field), problem);
                    }
                }
                Err(message) => {
                    let problem = Problem::new(format!("{base}.{field}"), message).allowed(
                        format!("a value `{}` accepts (see `dorasim params`)", change.key),
                    );
                    walker.report(&loc_of(field), problem);
                }
            }
        }
    }
    // The entries may be fine one by one and still clash together (two ramps on shares that
    // then add up to more than 1): check every phase of the schedule they build.
    if params_valid && walker.errors.len() == errors_before && changes.iter().all(|c| c.complete) {
        let timeline: Vec<_> = changes.iter().map(|c| c.change.clone()).collect();
        match Schedule::build(params, &timeline) {
            Ok(schedule) => {
                let mut seen: Vec<String> = Vec::new();
                for (start_hours, phase) in &schedule.phases {
                    for problem in check_params(phase) {
                        if seen.contains(&problem.message) {
                            continue;
                        }
                        seen.push(problem.message.clone());
                        let week = start_hours / crate::model::timeline::HOURS_PER_WEEK - warmup;
                        let problem = Problem {
                            key_path: "timeline".to_string(),
                            message: format!(
                                "the timeline's changes together give, from week {week:.1}: {}",
                                problem.message
                            ),
                            related: Vec::new(),
                            ..problem
                        };
                        walker.report(&Loc::Unknown, problem);
                    }
                }
            }
            Err(e) => walker.report(&Loc::Unknown, Problem::new("timeline", e.to_string())),
        }
    }
}
