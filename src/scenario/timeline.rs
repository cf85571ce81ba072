//! The `[[timeline]]` entries: walked with their spans like the rest of the file (a step or a
//! ramp of a known parameter, each field well-typed), then checked against the resolved
//! parameters: weeks inside the run, and the parameters each change produces held to the same
//! range checks as the file.

use std::collections::HashMap;
use std::ops::Range;

use toml_edit::{Item, TableLike, Value as TomlValue};

use super::error::{Problem, allowed_text, closest, describe};
use super::walk::{Loc, RawChange, Src, Walker, finite_number, sorted_keys};
use crate::model::params::{Kind, Params, Value, check_changed, check_params, find};
use crate::model::timeline::{Schedule, TimelineChange};

/// Keys of a `[[timeline]]` entry.
const CHANGE_KEYS: [&str; 6] = ["key", "at_week", "value", "ramp_weeks", "from", "to"];
/// Parameters a timeline may not change: they define the run itself.
const FIXED_DURING_RUN: [&str; 2] = ["time.warmup_weeks", "time.horizon_weeks"];

impl Walker<'_> {
    pub(crate) fn walk_timeline(&mut self, key_span: Option<Range<usize>>, item: &Item) {
        let mut entries: Vec<(&dyn TableLike, Option<Range<usize>>)> = Vec::new();
        match item {
            Item::ArrayOfTables(array) => {
                entries.extend(array.iter().map(|t| (t as &dyn TableLike, t.span())));
            }
            Item::Value(TomlValue::Array(array)) => {
                for (index, value) in array.iter().enumerate() {
                    match value.as_inline_table() {
                        Some(table) => entries.push((table as &dyn TableLike, table.span())),
                        None => {
                            let loc = self.loc(&Src::File, value.span());
                            let problem = Problem::new(
                                format!("timeline[{index}]"),
                                "a timeline entry must be a table",
                            )
                            .found(describe(&Item::Value(value.clone())))
                            .allowed("{ key = \"ai.adoption\", at_week = 4, value = 0.6 }");
                            self.report(&loc, problem);
                        }
                    }
                }
            }
            other => {
                let loc = self.loc(&Src::File, other.span().or(key_span));
                let problem = Problem::new("timeline", "`timeline` must be a list of [[timeline]] entries")
                    .found(describe(other))
                    .allowed("[[timeline]] tables with `key` and either `at_week` + `value` or `ramp_weeks` + `to`");
                self.report(&loc, problem);
            }
        }
        for (index, (table, span)) in entries.into_iter().enumerate() {
            self.walk_change(index, table, span);
        }
    }

    fn walk_change(&mut self, index: usize, table: &dyn TableLike, span: Option<Range<usize>>) {
        let base = format!("timeline[{index}]");
        let mut locations = HashMap::new();
        let entry_loc = self.loc(&Src::File, span);
        locations.insert("entry".to_string(), entry_loc.clone());
        let mut change = TimelineChange {
            key: String::new(),
            at_week: None,
            value: None,
            ramp_weeks: None,
            from: None,
            to: None,
        };
        let mut complete = true;
        let leaves = sorted_keys();
        let all_keys: Vec<&str> = leaves.iter().map(|(k, _)| *k).collect();

        // The parameter first: the type of `value` depends on it.
        let mut kind = None;
        match table.get_key_value("key") {
            None => {
                let problem = Problem::new(
                    format!("{base}.key"),
                    "a timeline entry needs `key`, the parameter it changes",
                )
                .allowed("a parameter key path such as \"ai.adoption\" (see `dorasim params`)");
                self.report(&entry_loc, problem);
                complete = false;
            }
            Some((k, item)) => {
                let loc = self.loc(&Src::File, item.span().or_else(|| k.span()));
                locations.insert("key".to_string(), loc.clone());
                match item.as_str() {
                    Some(key) if FIXED_DURING_RUN.contains(&key) => {
                        let problem = Problem::new(
                            format!("{base}.key"),
                            format!("`{key}` defines the run and cannot change during it"),
                        )
                        .found(describe(item))
                        .allowed("any parameter except time.warmup_weeks and time.horizon_weeks");
                        self.report(&loc, problem);
                        complete = false;
                    }
                    Some(key) => match leaves.iter().find(|(k, _)| *k == key) {
                        Some((_, k)) => {
                            kind = Some(*k);
                            change.key = key.to_string();
                        }
                        None => {
                            let problem = Problem::new(
                                format!("{base}.key"),
                                format!("unknown parameter `{key}` in the timeline"),
                            )
                            .found(describe(item))
                            .allowed("a parameter key path (see `dorasim params`)")
                            .suggest(closest(key, all_keys.iter().copied()));
                            self.report(&loc, problem);
                            complete = false;
                        }
                    },
                    None => {
                        let problem = Problem::new(
                            format!("{base}.key"),
                            "`key` must be a parameter key path in quotes",
                        )
                        .found(describe(item))
                        .allowed("a parameter key path such as \"ai.adoption\"");
                        self.report(&loc, problem);
                        complete = false;
                    }
                }
            }
        }

        for (field, item) in table.iter() {
            let key_span = table.key(field).and_then(|k| k.span());
            let path = format!("{base}.{field}");
            let loc = self.loc(&Src::File, item.span().or_else(|| key_span.clone()));
            locations.insert(field.to_string(), loc.clone());
            let week_allowed = "a week number (weeks count from the end of the warm-up)";
            match field {
                "key" => {}
                "at_week" => match finite_number(item) {
                    Some(week) => change.at_week = Some(week),
                    None => {
                        self.report(
                            &loc,
                            Problem::new(path, "`at_week` must be a finite number")
                                .found(describe(item))
                                .allowed(week_allowed),
                        );
                        complete = false;
                    }
                },
                "from" | "to" => match finite_number(item) {
                    Some(v) if field == "from" => change.from = Some(v),
                    Some(v) => change.to = Some(v),
                    None => {
                        let problem =
                            Problem::new(path, format!("`{field}` must be a finite number"))
                                .found(describe(item))
                                .allowed(kind.map_or_else(String::new, |k| {
                                    allowed_text(k, find(&change.key))
                                }));
                        self.report(&loc, problem);
                        complete = false;
                    }
                },
                "ramp_weeks" => {
                    let weeks: Option<Vec<f64>> = item.as_array().map(|a| {
                        a.iter()
                            .filter_map(|v| finite_number(&Item::Value(v.clone())))
                            .collect()
                    });
                    match (weeks, item.as_array().map(|a| a.len())) {
                        (Some(w), Some(2)) if w.len() == 2 => {
                            if w[0] >= w[1] {
                                let problem = Problem::new(
                                    path,
                                    format!(
                                        "the ramp must end after it starts, found [{}, {}]",
                                        w[0], w[1]
                                    ),
                                )
                                .found(describe(item))
                                .allowed("[from_week, to_week] with from_week < to_week");
                                self.report(&loc, problem);
                                complete = false;
                            }
                            change.ramp_weeks = Some([w[0], w[1]]);
                        }
                        _ => {
                            let problem =
                                Problem::new(path, "`ramp_weeks` must be two finite week numbers")
                                    .found(describe(item))
                                    .allowed("[from_week, to_week] with from_week < to_week");
                            self.report(&loc, problem);
                            complete = false;
                        }
                    }
                }
                "value" => {
                    if let Some(kind) = kind {
                        let key = change.key.clone();
                        match self.check_value(&Src::File, &path, &key, item, kind) {
                            Some(v) => change.value = Some(v),
                            None => complete = false,
                        }
                    }
                }
                unknown => {
                    let loc = self.loc(&Src::File, key_span.or_else(|| item.span()));
                    let problem =
                        Problem::new(path, format!("unknown key `{unknown}` in a timeline entry"))
                            .found(unknown)
                            .allowed(CHANGE_KEYS.join(", "))
                            .suggest(closest(unknown, CHANGE_KEYS));
                    self.report(&loc, problem);
                    complete = false;
                }
            }
        }

        let shape = "a step (`at_week` + `value`) or a ramp (`ramp_weeks` + `to`, optional `from`)";
        let has = |k: &str| table.contains_key(k);
        match (has("at_week"), has("ramp_weeks")) {
            (true, true) => {
                let problem = Problem::new(
                    base.clone(),
                    "a timeline entry has both `at_week` and `ramp_weeks`",
                )
                .found("at_week and ramp_weeks")
                .allowed(shape);
                self.report(&entry_loc, problem);
                complete = false;
            }
            (false, false) => {
                let problem = Problem::new(
                    base.clone(),
                    "a timeline entry needs `at_week` (a step) or `ramp_weeks` (a ramp)",
                )
                .found("neither at_week nor ramp_weeks")
                .allowed(shape);
                self.report(&entry_loc, problem);
                complete = false;
            }
            (true, false) => {
                if !has("value") {
                    let problem = Problem::new(
                        format!("{base}.value"),
                        "a step needs `value`, the new value from `at_week` on",
                    )
                    .allowed(shape);
                    self.report(&entry_loc, problem);
                    complete = false;
                }
                for field in ["from", "to"] {
                    if has(field) {
                        let loc = locations.get(field).cloned().unwrap_or(Loc::Unknown);
                        let problem = Problem::new(
                            format!("{base}.{field}"),
                            format!("`{field}` belongs to a ramp, not to a step"),
                        )
                        .found(field)
                        .allowed(shape);
                        self.report(&loc, problem);
                        complete = false;
                    }
                }
            }
            (false, true) => {
                if !has("to") {
                    let problem = Problem::new(
                        format!("{base}.to"),
                        "a ramp needs `to`, the value at the end of the ramp",
                    )
                    .allowed(shape);
                    self.report(&entry_loc, problem);
                    complete = false;
                }
                if has("value") {
                    let loc = locations.get("value").cloned().unwrap_or(Loc::Unknown);
                    let problem = Problem::new(
                        format!("{base}.value"),
                        "`value` belongs to a step; a ramp goes `to` a value",
                    )
                    .found("value")
                    .allowed(shape);
                    self.report(&loc, problem);
                    complete = false;
                }
                if let Some(k @ (Kind::Bool | Kind::Choice | Kind::Dist)) = kind {
                    let loc = locations.get("ramp_weeks").cloned().unwrap_or(Loc::Unknown);
                    let what = match k {
                        Kind::Bool => "an on/off switch",
                        Kind::Choice => "a choice",
                        _ => "a distribution",
                    };
                    let problem = Problem::new(
                        format!("{base}.ramp_weeks"),
                        format!("`{}` is {what}, not a number: it cannot ramp", change.key),
                    )
                    .found(format!("key = \"{}\", {}", change.key, k.described()))
                    .allowed("a ramp on a numeric parameter, or a step (`at_week` + `value`) for this one");
                    self.report(&loc, problem);
                    complete = false;
                }
            }
        }
        self.timeline.push(RawChange {
            index,
            change,
            locations,
            complete,
        });
    }
}

/// Checks every complete timeline entry against `params`. `params_valid` says the parameters
/// themselves passed their checks (otherwise only the weeks are checked, to avoid reporting the
/// same problem twice). Returns the schedule it checked, when it got that far (the model is
/// built from it, not built again).
pub(crate) fn check_timeline(
    walker: &mut Walker<'_>,
    params: &Params,
    params_valid: bool,
) -> Option<Schedule> {
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
                // A phase differs from `params` (which has no problems) only in the keys the
                // timeline changes, so only those can be out of range.
                let changed: Vec<&str> = timeline.iter().map(|c| c.key.as_str()).collect();
                let mut seen: Vec<String> = Vec::new();
                for (start_hours, phase) in &schedule.phases {
                    for problem in check_changed(phase, &changed) {
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
                return Some(schedule);
            }
            Err(e) => walker.report(&Loc::Unknown, Problem::new("timeline", e.to_string())),
        }
    }
    None
}
