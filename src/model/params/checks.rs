//! Range and consistency checks on typed parameters, read from the tables. They run on the
//! parameters a file gives, and again on the parameters each timeline change produces, so a
//! change is held to the same rules as the file.

use super::{Params, Value, catalogue};
use crate::model::distribution::Dist;

/// Every range and consistency problem of `params` (empty when they are valid).
pub fn check_params(params: &Params) -> Vec<Problem> {
    check_where(params, |_| true)
}

/// The problems of `params` when only the parameters `changed` may differ from a set that has
/// none (a timeline's phase, against the valid parameters it started from): the same list as
/// [`check_params`] gives, without range-checking the parameters that cannot have a problem.
/// Called for every phase of a schedule (one a day along a ramp), where checking every
/// parameter of every phase was most of the cost of loading a scenario.
pub fn check_changed(params: &Params, changed: &[&str]) -> Vec<Problem> {
    check_where(params, |key| changed.contains(&key))
}

/// Range problems of the parameters `range_checked` selects, then every inconsistency.
fn check_where(params: &Params, range_checked: impl Fn(&str) -> bool) -> Vec<Problem> {
    let mut problems = Vec::new();
    for info in catalogue() {
        let key = info.key;
        if !range_checked(key) {
            continue;
        }
        match params.get(key) {
            Some(Value::Float(number)) if !info.accepts(number) => {
                problems.push(out_of_range(info, number));
            }
            Some(Value::Integer(number)) if !info.accepts(number as f64) => {
                problems.push(out_of_range(info, number as f64));
            }
            Some(Value::Dist(dist)) => {
                // Written out only for a problem: formatting every distribution of every
                // parameter set checked cost more than the checks.
                let found = || Value::Dist(dist).to_string();
                let allow_negative = info.min.is_none_or(|m| m < 0.0);
                if let Err(message) = dist.check(allow_negative) {
                    problems.push(
                        Problem::new(key, format!("invalid distribution for `{key}`: {message}"))
                            .found(found())
                            .allowed(dist_rule(&dist, allow_negative)),
                    );
                    continue;
                }
                if let Some(max) = info.max {
                    let highest = match dist {
                        Dist::Constant { value } => value,
                        Dist::Uniform { max, .. } | Dist::Triangular { max, .. } => max,
                        _ => f64::INFINITY,
                    };
                    if highest > max {
                        problems.push(
                            Problem::new(key, format!("`{key}` can produce values above {max}"))
                                .found(found())
                                .allowed(format!(
                                    "a constant, uniform or triangular distribution with values <= {max} ({})",
                                    info.unit
                                )),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    // An inconsistency between two settings is only worth reporting when each is in range.
    let in_range_problem = |key: &String| problems.iter().any(|p: &Problem| &p.key_path == key);
    let inconsistencies: Vec<Problem> = consistency(params)
        .into_iter()
        .filter(|p| !in_range_problem(&p.key_path) && !p.related.iter().any(in_range_problem))
        .collect();
    problems.extend(inconsistencies);
    problems
}

/// The problem of a number outside its parameter's range.
fn out_of_range(info: &super::ParamInfo, number: f64) -> Problem {
    let key = info.key;
    let kind = if info.integer {
        "a whole number"
    } else {
        "a number"
    };
    let shown = shown_number(number);
    let message = if number.is_finite() {
        format!("`{key}` = {shown} is out of range")
    } else {
        format!("`{key}` must be a finite number (nan and inf are not accepted)")
    };
    Problem::new(key, message).found(shown).allowed(format!(
        "{kind} {} ({})",
        info.range_text(),
        info.unit
    ))
}

/// What a distribution of this kind needs, as text.
fn dist_rule(dist: &Dist, allow_negative: bool) -> String {
    let (name, rule) = match dist {
        Dist::Constant { .. } if allow_negative => ("constant", "any finite value"),
        Dist::Constant { .. } => ("constant", "value >= 0"),
        Dist::Exponential { .. } => ("exponential", "mean > 0"),
        Dist::Lognormal { .. } => ("lognormal", "median > 0 and p90 > median"),
        Dist::Gamma { .. } => ("gamma", "shape > 0 and scale > 0"),
        Dist::Triangular { .. } if allow_negative => {
            ("triangular", "min <= mode <= max and min < max")
        }
        Dist::Triangular { .. } => ("triangular", "0 <= min <= mode <= max and min < max"),
        Dist::Uniform { .. } if allow_negative => ("uniform", "min < max"),
        Dist::Uniform { .. } => ("uniform", "0 <= min < max"),
    };
    format!(
        "{{ dist = \"{name}\", {} }} with {rule}",
        Dist::field_names(name).join(", ")
    )
}

/// Settings that are each in range but contradict each other.
fn consistency(params: &Params) -> Vec<Problem> {
    let mut problems = Vec::new();
    let time = &params.time;
    if time.warmup_weeks.is_finite()
        && time.horizon_weeks.is_finite()
        && time.warmup_weeks >= time.horizon_weeks
    {
        problems.push(
            Problem::new(
                "time.warmup_weeks",
                format!(
                    "the warm-up ({} weeks) must be shorter than the measured horizon ({} weeks)",
                    time.warmup_weeks, time.horizon_weeks
                ),
            )
            .found(format!(
                "warmup_weeks = {}, horizon_weeks = {}",
                time.warmup_weeks, time.horizon_weeks
            ))
            .allowed("time.warmup_weeks < time.horizon_weeks")
            .related("time.horizon_weeks"),
        );
    }
    let day_end = time.workday_start_hour + time.hours_per_day;
    if day_end > 24.0 {
        problems.push(
            Problem::new(
                "time.hours_per_day",
                format!("the working day ends at hour {day_end}, after midnight"),
            )
            .found(format!(
                "workday_start_hour = {}, hours_per_day = {}",
                time.workday_start_hour, time.hours_per_day
            ))
            .allowed("time.workday_start_hour + time.hours_per_day <= 24")
            .related("time.workday_start_hour"),
        );
    }
    let demand = &params.demand;
    let item_shares = demand.feature_share + demand.bugfix_share;
    if item_shares > 1.0 + 1e-9 {
        problems.push(
            Problem::new(
                "demand.bugfix_share",
                format!("feature and bug-fix shares add up to {item_shares}, more than 1"),
            )
            .found(format!(
                "feature_share = {}, bugfix_share = {}",
                demand.feature_share, demand.bugfix_share
            ))
            .allowed("demand.feature_share + demand.bugfix_share <= 1 (the rest are configuration changes)")
            .related("demand.feature_share"),
        );
    }
    let defects = &params.defects;
    let defect_shares = defects.failure_share + defects.bug_share;
    if defect_shares > 1.0 + 1e-9 {
        problems.push(
            Problem::new(
                "defects.bug_share",
                format!("failure and bug shares of defects add up to {defect_shares}, more than 1"),
            )
            .found(format!(
                "failure_share = {}, bug_share = {}",
                defects.failure_share, defects.bug_share
            ))
            .allowed("defects.failure_share + defects.bug_share <= 1 (the rest are harmless)")
            .related("defects.failure_share"),
        );
    }
    problems
}

/// A number as an error message shows it: plainly, or in scientific notation when very large or
/// very small (`1e308`, not 309 digits).
fn shown_number(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e15 || x.abs() < 1e-4) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// A problem before it is given a place: the key path it concerns and what to tell the user.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Problem {
    /// Key path the problem concerns.
    pub key_path: String,
    /// What was there.
    pub found: String,
    /// What is wrong.
    pub message: String,
    /// What would be accepted.
    pub allowed: String,
    /// A close valid alternative.
    pub suggestion: Option<String>,
    /// Other keys the problem involves (an inconsistency between two settings is reported where
    /// the user wrote one of them).
    pub related: Vec<String>,
}

impl Problem {
    /// A problem with `key_path`, saying `message`.
    pub fn new(key_path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            key_path: key_path.into(),
            message: message.into(),
            ..Problem::default()
        }
    }

    /// What was there.
    pub fn found(mut self, found: impl Into<String>) -> Self {
        self.found = found.into();
        self
    }

    /// What would be accepted.
    pub fn allowed(mut self, allowed: impl Into<String>) -> Self {
        self.allowed = allowed.into();
        self
    }

    /// A close valid alternative.
    pub fn suggest(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }

    /// Another key the problem involves.
    pub fn related(mut self, key: impl Into<String>) -> Self {
        self.related.push(key.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(check_params(&Params::default()), Vec::new());
    }

    #[test]
    fn checking_the_changed_keys_gives_the_same_problems_as_checking_all() {
        let changes: [(&str, Value); 5] = [
            ("ai.adoption", Value::Float(1.5)),
            ("review.reviewers", Value::Integer(0)),
            ("demand.feature_share", Value::Float(0.9)),
            (
                "review.effort_noise",
                Value::Dist(Dist::lognormal(2.0, 1.0)),
            ),
            ("time.warmup_weeks", Value::Float(30.0)),
        ];
        // Every subset of the changes, applied to valid parameters.
        for mask in 0u32..(1 << changes.len()) {
            let mut params = Params::default();
            let mut keys = Vec::new();
            for (i, (key, value)) in changes.iter().enumerate() {
                if mask & (1 << i) != 0 {
                    params.set(key, value).expect("settable");
                    keys.push(*key);
                }
            }
            assert_eq!(
                check_changed(&params, &keys),
                check_params(&params),
                "{keys:?}"
            );
        }
    }

    #[test]
    fn ranges_and_consistency_are_checked() {
        let mut params = Params::default();
        params.ai.adoption = 1.5;
        params.review.reviewers = 0;
        params.time.warmup_weeks = 30.0;
        params.demand.feature_share = 0.9;
        params.review.effort_noise = Dist::lognormal(2.0, 1.0);
        params.production.failure_impact = Dist::lognormal(0.1, 0.5);
        let keys: Vec<String> = check_params(&params)
            .into_iter()
            .map(|p| p.key_path)
            .collect();
        for key in [
            "ai.adoption",
            "review.reviewers",
            "time.warmup_weeks",
            "demand.bugfix_share",
            "review.effort_noise",
            "production.failure_impact",
        ] {
            assert!(
                keys.iter().any(|k| k == key),
                "{key} not reported in {keys:?}"
            );
        }
    }

    #[test]
    fn speedup_may_be_negative_but_sizes_may_not() {
        let mut params = Params::default();
        params.ai.speedup = Dist::triangular(-0.5, 0.0, 0.5);
        assert!(check_params(&params).is_empty());
        params.team.rework_hours_per_defect = Dist::Uniform {
            min: -1.0,
            max: 1.0,
        };
        let problems = check_params(&params);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key_path, "team.rework_hours_per_defect");
    }
}
