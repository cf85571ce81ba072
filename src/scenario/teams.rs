//! `[[teams]]`: an organisation of several teams, each a delivery system of its own (developers,
//! reviewers, agents, deploy policy, service) on the shared production of the organisation.
//!
//! ```toml
//! [[teams]]
//! name = "payments"
//! team.developers = 8
//! review.reviewers = 2
//! agents.sessions = 12
//! ```
//!
//! Each entry is a `name` plus parameters in the scenario's own sections; a team starts from the
//! scenario's parameters (the file's sections and `--set`) and sets its own on top. Every team
//! shares the run's clock, so `time.*` belongs to the scenario, not to a team; `--set
//! teams.NAME.section.field=value` changes one team's parameter. The timeline applies to every
//! team. Without `[[teams]]` the scenario is one team, exactly as before.

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml_edit::{Item, TableLike};

use super::error::{Problem, closest, describe};
use super::walk::{Loc, RawTeam, Src, Walker};
use crate::model::params::{Params, SECTIONS, find};

/// Most teams one scenario may declare (each is simulated in full).
pub const MAX_TEAMS: usize = 64;

/// One team of an organisation: its name and its parameters at the start of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSpec {
    /// The team's (and its service's) name.
    pub name: String,
    /// Its parameters: the scenario's, with the team's own on top.
    pub params: Params,
}

impl Walker<'_> {
    /// Walks `[[teams]]`.
    pub(crate) fn walk_teams(&mut self, key_span: Option<Range<usize>>, item: &Item) {
        let Item::ArrayOfTables(array) = item else {
            let loc = self.loc(&Src::File, item.span().or(key_span));
            self.report(
                &loc,
                Problem::new("teams", "`teams` must be a list of [[teams]] entries")
                    .found(describe(item))
                    .allowed("[[teams]] tables, each with a `name` and the team's parameters"),
            );
            return;
        };
        for (index, table) in array.iter().enumerate() {
            self.walk_team(index, table, table.span());
        }
    }

    fn walk_team(&mut self, index: usize, table: &dyn TableLike, span: Option<Range<usize>>) {
        let mut raw = RawTeam {
            entry: Some(self.loc(&Src::File, span)),
            ..RawTeam::default()
        };
        let base = format!("teams[{index}]");
        for (key, item) in table.iter() {
            let key_span = table.key(key).and_then(|k| k.span());
            let loc = self.loc(&Src::File, item.span().or(key_span.clone()));
            match key {
                "name" => match item.as_str() {
                    Some(name) if !name.trim().is_empty() => raw.name = Some(name.to_string()),
                    _ => self.report(
                        &loc,
                        Problem::new(
                            format!("{base}.name"),
                            "a team's `name` must be a non-empty string",
                        )
                        .found(describe(item))
                        .allowed("a quoted name, such as \"payments\""),
                    ),
                },
                "time" => self.report(
                    &loc,
                    Problem::new(
                        format!("{base}.time"),
                        "teams share the run's clock: `time` cannot be set per team",
                    )
                    .allowed("[time] at the top of the scenario"),
                ),
                section if SECTIONS.contains(&section) => match item.as_table_like() {
                    Some(fields) => {
                        for (field, value) in fields.iter() {
                            let field_span = fields.key(field).and_then(|k| k.span());
                            self.walk_team_field(
                                &mut raw,
                                &Src::File,
                                &base,
                                section,
                                field,
                                field_span,
                                value,
                            );
                        }
                    }
                    None => self.report(
                        &loc,
                        Problem::new(
                            format!("{base}.{section}"),
                            format!("`{section}` must be a table of parameters"),
                        )
                        .found(describe(item))
                        .allowed(format!(
                            "{section}.KEY = VALUE lines in the [[teams]] entry"
                        )),
                    ),
                },
                unknown => {
                    let mut candidates: Vec<&str> = vec!["name"];
                    candidates.extend(SECTIONS.iter().filter(|s| **s != "time"));
                    self.report(
                        &self.loc(&Src::File, key_span.or_else(|| item.span())),
                        Problem::new(
                            format!("{base}.{unknown}"),
                            format!("unknown key `{unknown}` in a [[teams]] entry"),
                        )
                        .found(unknown)
                        .allowed(format!(
                            "name, or a parameter section: {}",
                            candidates[1..].join(", ")
                        ))
                        .suggest(closest(unknown, candidates.iter().copied())),
                    );
                }
            }
        }
        if raw.name.is_none() && !table.contains_key("name") {
            let loc = raw.entry.clone().unwrap_or(Loc::Unknown);
            self.report(
                &loc,
                Problem::new(format!("{base}.name"), "a [[teams]] entry needs a `name`")
                    .allowed("name = \"payments\""),
            );
        }
        self.teams.push(raw);
    }

    /// Walks one parameter of a team (from the file, or `--set teams.NAME.section.field`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn walk_team_field(
        &mut self,
        raw: &mut RawTeam,
        src: &Src,
        base: &str,
        section: &str,
        field: &str,
        key_span: Option<Range<usize>>,
        item: &Item,
    ) {
        let key = format!("{section}.{field}");
        let path = format!("{base}.{key}");
        if section == "time" {
            let loc = self.loc(src, key_span.or_else(|| item.span()));
            self.report(
                &loc,
                Problem::new(
                    &path,
                    "teams share the run's clock: `time` cannot be set per team",
                )
                .allowed("time.* for the whole scenario"),
            );
            return;
        }
        let Some(info) = find(&key) else {
            let loc = self.loc(src, key_span.or_else(|| item.span()));
            let fields: Vec<&str> = crate::model::params::section_fields(section)
                .map(|i| &i.key[section.len() + 1..])
                .collect();
            self.report(
                &loc,
                Problem::new(&path, format!("unknown key `{field}` in [{section}]"))
                    .found(field)
                    .allowed(fields.join(", "))
                    .suggest(closest(field, fields.iter().copied())),
            );
            return;
        };
        let loc = self.loc(src, item.span().or(key_span));
        if let Some(value) = self.check_value(src, &path, &key, item, info.kind) {
            raw.locations.insert(key.clone(), loc);
            raw.values.push((key, value));
        }
    }

    /// Applies `--set teams.NAME.section.field=value` once the file's teams are known.
    pub(crate) fn walk_team_override(&mut self, key: &str, name: &str, rest: &[&str], item: &Item) {
        let src = Src::Set(key.to_string());
        let loc = Loc::Set(key.to_string());
        let Some(index) = self
            .teams
            .iter()
            .position(|t| t.name.as_deref() == Some(name))
        else {
            let names: Vec<String> = self.teams.iter().filter_map(|t| t.name.clone()).collect();
            let problem = Problem::new(key, format!("no team called `{name}` in this scenario"))
                .found(name)
                .allowed(if names.is_empty() {
                    "a scenario with [[teams]] entries".to_string()
                } else {
                    format!("one of: {}", names.join(", "))
                })
                .suggest(closest(name, names.iter().map(String::as_str)));
            self.report(&loc, problem);
            return;
        };
        let [section, field] = rest else {
            self.report(
                &loc,
                Problem::new(key, format!("unknown key `{key}` in --set"))
                    .allowed("teams.NAME.SECTION.FIELD, such as teams.payments.review.reviewers"),
            );
            return;
        };
        let mut raw = std::mem::take(&mut self.teams[index]);
        let base = format!("teams[{index}]");
        self.walk_team_field(&mut raw, &src, &base, section, field, None, item);
        self.teams[index] = raw;
    }
}

/// Builds every team's parameters (the scenario's `base` values, then the team's own), checks
/// them, and reports each problem where the team's value was written.
pub(crate) fn assemble_teams(
    walker: &mut Walker<'_>,
    base: &[(String, crate::model::params::Value)],
) -> Vec<TeamSpec> {
    let raws = std::mem::take(&mut walker.teams);
    if raws.len() > MAX_TEAMS {
        let loc = raws[MAX_TEAMS].entry.clone().unwrap_or(Loc::Unknown);
        walker.report(
            &loc,
            Problem::new(
                "teams",
                format!("{} teams: at most {MAX_TEAMS}", raws.len()),
            )
            .allowed(format!("at most {MAX_TEAMS} [[teams]] entries")),
        );
        return Vec::new();
    }
    let mut teams = Vec::with_capacity(raws.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, raw) in raws.iter().enumerate() {
        let Some(name) = raw.name.clone() else {
            continue;
        };
        if let Some(first) = seen.insert(name.clone(), index) {
            let loc = raw.entry.clone().unwrap_or(Loc::Unknown);
            walker.report(
                &loc,
                Problem::new(
                    format!("teams[{index}].name"),
                    format!("two teams are called `{name}` (teams[{first}] and teams[{index}])"),
                )
                .allowed("a different name for each team"),
            );
            continue;
        }
        let values: Vec<(String, crate::model::params::Value)> =
            base.iter().chain(raw.values.iter()).cloned().collect();
        let params = match super::assemble(&values) {
            Ok(params) => params,
            Err(e) => {
                walker.report(
                    &Loc::Unknown,
                    Problem::new("", format!("internal error reading team `{name}`: {e}")),
                );
                continue;
            }
        };
        for mut problem in crate::model::params::check_params(&params) {
            let own = std::iter::once(&problem.key_path)
                .chain(problem.related.iter())
                .find_map(|k| raw.locations.get(k).map(|loc| (k.clone(), loc.clone())));
            // A problem of the scenario's own values is reported once, for the scenario.
            if let Some((key, loc)) = own {
                problem.key_path = format!("teams[{index}].{key}");
                problem.message = format!("team `{name}`: {}", problem.message);
                walker.report(&loc, problem);
            }
        }
        teams.push(TeamSpec { name, params });
    }
    teams
}
