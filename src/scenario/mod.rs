//! Scenario files and `--set` overrides: parsed once, validated once, at the boundary.
//!
//! A scenario file states only what differs from the defaults of
//! [`Params`]:
//!
//! ```toml
//! name = "more reviewers"
//! description = "What do two more reviewers buy?"
//!
//! [run]
//! runs = 500
//!
//! [review]
//! reviewers = 8
//!
//! [[timeline]]
//! key = "ai.adoption"
//! ramp_weeks = [0, 26]
//! to = 0.8
//! ```
//!
//! Loading reports every problem at once, each with its file, line, key path and what would be
//! accepted:
//!
//! ```
//! let errors = dorasim::scenario::load_str("[review]\nreviewrs = 8\n", "x.toml").unwrap_err();
//! assert_eq!(errors.errors()[0].key_path, "review.reviewrs");
//! assert_eq!(errors.errors()[0].suggestion.as_deref(), Some("reviewers"));
//! ```
//!
//! Stages: the document is parsed with spans ([`toml_edit`]) and walked against the parameter
//! tables of [`crate::model::params`] (unknown keys, types, non-finite numbers), each leaf
//! becoming a typed [`Value`]; overrides are walked the same way; the values are set into the
//! default parameters, which then get their range and consistency checks
//! ([`check_params`]); finally every timeline change is applied and checked again.

pub mod error;
mod overrides;
mod teams;
mod timeline;
mod walk;

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use error::{ScenarioError, ScenarioErrors};
pub use teams::{MAX_TEAMS, TeamSpec};

use crate::model::params::{CultureParams, CulturePreset, ParamType, Params, Value, check_params};
pub use crate::model::params::{ParamInfo, catalogue};
use crate::model::timeline::{Schedule, TimelineChange};
use error::Problem;
use walk::{Loc, Walker};

/// Origin of the scenario built into the binary.
pub const EMBEDDED_ORIGIN: &str = "<embedded default>";

/// The text of `scenarios/default.toml`, built into the binary.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

/// How many replications to run and from which master seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunSettings {
    /// Number of replications.
    pub runs: u32,
    /// Master seed of every random stream.
    pub seed: u64,
    /// How the measured ledger is read (`truth`, `four-keys`, `devlake`, `gitlab`).
    pub lens: crate::metrics::ledger::Lens,
    /// Show the same history through every lens, side by side.
    pub all_lenses: bool,
    /// Guard: events one replication may process before it is stopped as a runaway.
    pub max_events_per_replication: u64,
    /// Guard: changes one replication may create before it is stopped as a runaway.
    pub max_changes_per_replication: u64,
}

impl RunSettings {
    /// The guard against runaway replications these settings ask for.
    pub fn guard(&self) -> crate::model::guard::Guard {
        crate::model::guard::Guard {
            max_events: self.max_events_per_replication,
            max_changes: self.max_changes_per_replication,
        }
    }
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            runs: 1000,
            seed: 42,
            lens: crate::metrics::ledger::Lens::Truth,
            all_lenses: false,
            max_events_per_replication: crate::model::guard::DEFAULT_MAX_EVENTS,
            max_changes_per_replication: crate::model::guard::DEFAULT_MAX_CHANGES,
        }
    }
}

/// One validated scenario: everything a run needs, with every default filled in. Serialised in
/// `summary.json` and partial files, and read back from them with the same type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name (the file's `name`, or its file name).
    pub name: String,
    /// What the scenario represents.
    pub description: String,
    /// The lesson it teaches, for the shipped teaching scenarios.
    pub lesson: Option<String>,
    /// Replications and seed.
    pub run: RunSettings,
    /// The parameters at the start of the run.
    pub params: Params,
    /// Changes of parameters during the run.
    pub timeline: Vec<TimelineChange>,
    /// Where the scenario came from: a file path or `<embedded default>`.
    pub origin: String,
    /// The `--set KEY=VALUE` overrides applied on top of the file, as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// The teams of an organisation (`[[teams]]`); empty for a one-team scenario, whose team is
    /// `params`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<TeamSpec>,
}

impl Scenario {
    /// The model this scenario describes, with the runaway guard its `[run]` settings ask for.
    /// Every command builds its model here (or in [`load_with_model`], which keeps the
    /// schedules loading checked), so none can drop the guard.
    pub fn model(&self) -> Result<crate::model::Model, crate::model::timeline::SetError> {
        if self.teams.is_empty() {
            let schedule = Schedule::build(&self.params, &self.timeline)?;
            return Ok(self.model_of(vec![(String::new(), schedule)]));
        }
        let teams = self
            .teams
            .iter()
            .map(|team| {
                Ok((
                    team.name.clone(),
                    Schedule::build(&team.params, &self.timeline)?,
                ))
            })
            .collect::<Result<Vec<_>, crate::model::timeline::SetError>>()?;
        Ok(self.model_of(teams))
    }

    /// The model of this scenario's schedules (one unnamed team, or every team by name).
    fn model_of(&self, mut schedules: Vec<(String, Schedule)>) -> crate::model::Model {
        let model = if self.teams.is_empty() {
            match schedules.pop() {
                Some((_, schedule)) => crate::model::Model::new(&schedule),
                None => crate::model::Model::constant(self.params.clone()),
            }
        } else {
            crate::model::Model::organisation(&schedules)
        };
        model.with_guard(self.run.guard())
    }

    /// The teams' names (empty for a one-team scenario).
    pub fn team_names(&self) -> Vec<String> {
        self.teams.iter().map(|t| t.name.clone()).collect()
    }

    /// The measurement lens: the command line's when given, else the scenario's `[run] lens`.
    pub fn lens(&self, flag: Option<crate::metrics::ledger::Lens>) -> crate::metrics::ledger::Lens {
        flag.unwrap_or(self.run.lens)
    }
}

/// The parameters the walked values give: the defaults, then the culture preset if one was
/// written (so a scenario takes a preset and adjusts it), then every value in the order written.
fn assemble(values: &[(String, Value)]) -> Result<Params, crate::model::params::SetError> {
    let mut params = Params::default();
    let preset = values.iter().rev().find(|(k, _)| k == "culture.preset");
    if let Some((_, value)) = preset {
        params.culture =
            CultureParams::preset(CulturePreset::from_value(value).map_err(|message| {
                crate::model::params::SetError::BadValue {
                    key: "culture.preset".to_string(),
                    message,
                }
            })?);
    }
    for (key, value) in values {
        params.set(key, value)?;
    }
    Ok(params)
}

/// Loads a scenario from TOML text; `origin` names it in error messages.
pub fn load_str(text: &str, origin: &str) -> Result<Scenario, ScenarioErrors> {
    apply_overrides(text, origin, &[])
}

/// Loads a scenario file.
pub fn load_file(path: impl AsRef<Path>) -> Result<Scenario, ScenarioErrors> {
    load_file_with_overrides(path, &[])
}

/// Loads a scenario file, then applies `--set KEY=VALUE` overrides.
pub fn load_file_with_overrides(
    path: impl AsRef<Path>,
    overrides: &[String],
) -> Result<Scenario, ScenarioErrors> {
    read_then(path.as_ref(), |text, origin| {
        apply_overrides(text, origin, overrides)
    })
}

/// [`load_file_with_overrides`] and the scenario's model, as [`load_with_model`] gives them.
pub fn load_file_with_model(
    path: impl AsRef<Path>,
    overrides: &[String],
) -> Result<(Scenario, crate::model::Model), ScenarioErrors> {
    read_then(path.as_ref(), |text, origin| {
        load_with_model(text, origin, overrides)
    })
}

/// Reads the scenario file at `path` and loads its text with `load`.
fn read_then<T>(
    path: &Path,
    load: impl FnOnce(&str, &str) -> Result<T, ScenarioErrors>,
) -> Result<T, ScenarioErrors> {
    let origin = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => load(&text, &origin),
        Err(e) => Err(ScenarioErrors(vec![ScenarioError {
            origin,
            line: None,
            column: None,
            key_path: String::new(),
            found: String::new(),
            message: format!("cannot read the scenario file: {e}"),
            allowed: "a readable TOML scenario file, such as scenarios/default.toml".to_string(),
            suggestion: None,
        }])),
    }
}

/// The default scenario built into the binary (`scenarios/default.toml`).
pub fn embedded_default() -> Scenario {
    match load_str(DEFAULT_SCENARIO, EMBEDDED_ORIGIN) {
        Ok(scenario) => scenario,
        // Unreachable while the unit test `embedded_default_is_valid` passes.
        Err(_) => Scenario {
            name: "default".to_string(),
            description: String::new(),
            lesson: None,
            run: RunSettings::default(),
            params: Params::default(),
            timeline: Vec::new(),
            origin: EMBEDDED_ORIGIN.to_string(),
            overrides: Vec::new(),
            teams: Vec::new(),
        },
    }
}

/// The embedded default scenario with `--set KEY=VALUE` overrides.
pub fn embedded_default_with_overrides(overrides: &[String]) -> Result<Scenario, ScenarioErrors> {
    apply_overrides(DEFAULT_SCENARIO, EMBEDDED_ORIGIN, overrides)
}

/// Loads scenario `text` (named `origin` in messages) with `--set KEY=VALUE` overrides applied on
/// top. Every problem of the file and of the overrides is reported, not just the first.
pub fn apply_overrides(
    text: &str,
    origin: &str,
    overrides: &[String],
) -> Result<Scenario, ScenarioErrors> {
    compile(text, origin, overrides).map(|(scenario, _)| scenario)
}

/// [`apply_overrides`] and the scenario's model ([`Scenario::model`]), built from the schedules
/// that checking the timeline already built: a sweep or sensitivity point builds its schedules
/// once.
pub fn load_with_model(
    text: &str,
    origin: &str,
    overrides: &[String],
) -> Result<(Scenario, crate::model::Model), ScenarioErrors> {
    let (scenario, schedules) = compile(text, origin, overrides)?;
    if schedules.len() == scenario.teams.len().max(1) {
        let model = scenario.model_of(schedules);
        return Ok((scenario, model));
    }
    // Loading without errors checks (so builds) every schedule; built here rather than trusting
    // that.
    match scenario.model() {
        Ok(model) => Ok((scenario, model)),
        Err(e) => Err(ScenarioErrors(vec![ScenarioError {
            origin: origin.to_string(),
            line: None,
            column: None,
            key_path: "timeline".to_string(),
            found: String::new(),
            message: format!("timeline: {e}"),
            allowed: "timeline changes that give valid parameters".to_string(),
            suggestion: None,
        }])),
    }
}

/// The scenario and the schedules its checks built: one unnamed schedule for a one-team
/// scenario, one per team (by name) for an organisation.
fn compile(
    text: &str,
    origin: &str,
    overrides: &[String],
) -> Result<(Scenario, Vec<(String, Schedule)>), ScenarioErrors> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for argument in overrides {
        match overrides::parse(argument) {
            Ok(o) => parsed.push(o),
            Err(e) => errors.push(*e),
        }
    }
    let overridden: HashSet<String> = parsed.iter().map(|o| o.key.clone()).collect();
    let mut walker = Walker::new(origin, text, overridden);
    walker.errors = errors;

    let document = match toml_edit::Document::parse(text) {
        Ok(document) => document,
        Err(e) => {
            let loc = match e.span() {
                Some(span) => {
                    let (line, column) = walker.line_column(span.start);
                    Loc::File { line, column }
                }
                None => Loc::Unknown,
            };
            let found = match &loc {
                Loc::File { line, .. } => text
                    .lines()
                    .nth(line - 1)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                _ => String::new(),
            };
            let message = format!("TOML syntax error: {}", e.message().trim());
            walker.report(
                &loc,
                Problem::new("", message)
                    .found(found)
                    .allowed("valid TOML (https://toml.io)"),
            );
            return Err(ScenarioErrors(walker.errors));
        }
    };
    walker.walk_document(document.as_table());
    for o in &parsed {
        walker.walk_override(&o.key, &o.item);
    }

    let params = match assemble(&walker.values) {
        Ok(params) => params,
        Err(e) => {
            // The walk only lets well-typed values through, so this is a bug, not a user error.
            walker.report(
                &Loc::Unknown,
                Problem::new("", format!("internal error reading the scenario: {e}")),
            );
            return Err(ScenarioErrors(walker.errors));
        }
    };
    let run = walker.run;
    let mut texts = std::mem::take(&mut walker.texts);
    let name = texts.remove("name");
    let description = texts.remove("description");
    let lesson = texts.remove("lesson");

    let problems = check_params(&params);
    let params_valid = problems.is_empty();
    for problem in problems {
        walker.report_at_key(problem);
    }
    let base_values = walker.values.clone();
    let teams = teams::assemble_teams(&mut walker, &base_values);
    let checked = timeline::check_timeline(&mut walker, &params, params_valid);
    let mut schedules: Vec<(String, Schedule)> = Vec::with_capacity(teams.len().max(1));
    if teams.is_empty() {
        schedules.extend(checked.map(|schedule| (String::new(), schedule)));
    } else {
        let changes: Vec<TimelineChange> =
            walker.timeline.iter().map(|c| c.change.clone()).collect();
        for team in &teams {
            // The timeline applies to every team: it must be valid on each team's parameters too.
            match Schedule::build(&team.params, &changes) {
                Ok(schedule) => schedules.push((team.name.clone(), schedule)),
                Err(e) => walker.report(
                    &walk::Loc::Unknown,
                    Problem::new("timeline", format!("team `{}`: {e}", team.name))
                        .allowed("timeline changes that are valid for every team"),
                ),
            }
        }
    }

    if !walker.errors.is_empty() {
        // Read like a compiler's output: the file top to bottom, then the overrides.
        let mut errors = walker.errors;
        errors.sort_by_key(|e| (e.is_override(), e.line.is_none(), e.line, e.column));
        return Err(ScenarioErrors(errors));
    }
    let timeline = walker.timeline.iter().map(|c| c.change.clone()).collect();
    let scenario = Scenario {
        name: name.unwrap_or_else(|| default_name(origin)),
        description: description.unwrap_or_default(),
        lesson,
        run,
        params,
        timeline,
        origin: origin.to_string(),
        overrides: overrides.to_vec(),
        teams,
    };
    Ok((scenario, schedules))
}

/// The name of a scenario without `name`: its file name without extension.
fn default_name(origin: &str) -> String {
    Path::new(origin)
        .file_stem()
        .map_or_else(|| origin.to_string(), |s| s.to_string_lossy().into_owned())
}
