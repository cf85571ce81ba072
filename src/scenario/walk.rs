//! The first stage of loading: walk the parsed document (which keeps byte spans) against the
//! parameter tables of `model::params`, so that unknown keys, wrong types and non-finite numbers
//! are reported with their line and column, and each accepted leaf becomes a typed `Value`.
//!
//! (About 680 lines: one walk for every kind of value, numbers, words, switches and
//! distributions, each with its messages; the timeline's entries are walked in `timeline.rs`, and
//! the wording helpers are in `error.rs`.)

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml_edit::{Item, TableLike, Value as TomlValue};

use super::RunSettings;
use super::error::{Problem, ScenarioError, allowed_text, closest, describe};
use crate::metrics::ledger::Lens;
use crate::model::distribution::Dist;
use crate::model::params::{self, Kind, SECTIONS, Value, find};
use crate::model::timeline::TimelineChange;

/// Top-level keys of a scenario file besides the parameter sections.
const SCENARIO_KEYS: [&str; 6] = ["name", "description", "lesson", "run", "timeline", "teams"];
/// Keys of `[run]`.
const RUN_KEYS: [&str; 6] = [
    "runs",
    "seed",
    "lens",
    "all_lenses",
    "max_events_per_replication",
    "max_changes_per_replication",
];
/// Every parameter key path with its kind, in alphabetical order (the order candidates are
/// offered in when a key is misspelt).
pub(crate) fn sorted_keys() -> Vec<(&'static str, Kind)> {
    let mut keys: Vec<(&'static str, Kind)> = params::catalogue()
        .iter()
        .map(|i| (i.key, i.kind))
        .collect();
    keys.sort_unstable_by_key(|(k, _)| *k);
    keys
}

/// The section keys, in alphabetical order.
fn sorted_sections() -> Vec<&'static str> {
    let mut sections = SECTIONS.to_vec();
    sections.sort_unstable();
    sections
}

/// The field names of a section, in alphabetical order.
fn sorted_fields(section: &str) -> Vec<&'static str> {
    let mut fields: Vec<&'static str> = params::section_fields(section)
        .map(|i| &i.key[section.len() + 1..])
        .collect();
    fields.sort_unstable();
    fields
}

/// The kind of parameter `section.field`, if there is one.
fn kind_of(section: &str, field: &str) -> Option<Kind> {
    find(&format!("{section}.{field}")).map(|i| i.kind)
}

/// The first section (alphabetically) that has a field called `field`, as `section.field`.
fn section_with(field: &str) -> Option<String> {
    sorted_sections()
        .into_iter()
        .find(|s| kind_of(s, field).is_some())
        .map(|s| format!("{s}.{field}"))
}

/// Where a value was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Loc {
    /// In the scenario file, 1-based.
    File { line: usize, column: usize },
    /// In the `--set` override of this key.
    Set(String),
    /// Nowhere in particular (a default, or the file as a whole).
    Unknown,
}

/// Which input an item comes from.
#[derive(Debug, Clone)]
pub(crate) enum Src {
    /// The scenario file: spans are byte offsets into it.
    File,
    /// A `--set KEY=VALUE` override.
    Set(String),
}

/// A `[[timeline]]` entry after the walk, with where each of its fields was written.
#[derive(Debug, Clone)]
pub(crate) struct RawChange {
    /// Position in the timeline (0-based).
    pub index: usize,
    /// The change, with every field that was well-typed.
    pub change: TimelineChange,
    /// Where each field (and `entry`, the entry as a whole) was written.
    pub locations: HashMap<String, Loc>,
    /// The entry is complete and consistent, so it can be applied.
    pub complete: bool,
}

/// A `[[teams]]` entry after the walk.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawTeam {
    pub name: Option<String>,
    pub entry: Option<Loc>,
    /// The team's own values, in the order written (the file's, then `--set teams.NAME...`).
    pub values: Vec<(String, Value)>,
    /// Where each of them was written.
    pub locations: HashMap<String, Loc>,
}

/// Walks one scenario file and its overrides, collecting well-typed values and every problem.
pub(crate) struct Walker<'a> {
    origin: &'a str,
    line_starts: Vec<usize>,
    text: &'a str,
    overridden: HashSet<String>,
    /// Every problem found so far, located.
    pub errors: Vec<ScenarioError>,
    /// Where each accepted leaf value was written.
    pub locations: HashMap<String, Loc>,
    /// The accepted texts: `name`, `description` and `lesson`.
    pub texts: HashMap<String, String>,
    /// The accepted `[run]` settings.
    pub run: RunSettings,
    /// The accepted parameter values, in the order written (the file, then the overrides).
    pub values: Vec<(String, Value)>,
    /// The timeline entries.
    pub timeline: Vec<RawChange>,
    /// The `[[teams]]` entries.
    pub(crate) teams: Vec<RawTeam>,
}

impl<'a> Walker<'a> {
    /// A walker for the file `origin` with contents `text`; `overridden` are the keys that `--set`
    /// replaces (problems with the file's value of those keys are not reported).
    pub(crate) fn new(origin: &'a str, text: &'a str, overridden: HashSet<String>) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Walker {
            origin,
            line_starts,
            text,
            overridden,
            errors: Vec::new(),
            locations: HashMap::new(),
            texts: HashMap::new(),
            run: RunSettings::default(),
            values: Vec::new(),
            timeline: Vec::new(),
            teams: Vec::new(),
        }
    }

    /// Line and column (1-based, column in characters) of a byte offset in the file.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, column + 1)
    }

    pub(crate) fn loc(&self, src: &Src, span: Option<Range<usize>>) -> Loc {
        match (src, span) {
            (Src::Set(key), _) => Loc::Set(key.clone()),
            (Src::File, Some(span)) => {
                let (line, column) = self.line_column(span.start);
                Loc::File { line, column }
            }
            (Src::File, None) => Loc::Unknown,
        }
    }

    /// Records a problem at a location.
    pub(crate) fn report(&mut self, loc: &Loc, problem: Problem) {
        let (origin, line, column) = match loc {
            Loc::File { line, column } => (self.origin.to_string(), Some(*line), Some(*column)),
            Loc::Set(key) => (format!("--set {key}"), None, None),
            Loc::Unknown => (self.origin.to_string(), None, None),
        };
        self.errors.push(ScenarioError {
            origin,
            line,
            column,
            key_path: problem.key_path,
            found: problem.found,
            message: problem.message,
            allowed: problem.allowed,
            suggestion: problem.suggestion,
        });
    }

    /// Records a problem found on typed values, at the place the user wrote the key it concerns
    /// (or, for an inconsistency between keys, one of the keys the user wrote).
    pub(crate) fn report_at_key(&mut self, mut problem: Problem) {
        let written = std::iter::once(&problem.key_path)
            .chain(problem.related.iter())
            .find_map(|k| self.locations.get(k).map(|loc| (k.clone(), loc.clone())));
        match written {
            Some((key, loc)) => {
                problem.key_path = key;
                self.report(&loc, problem);
            }
            None => self.report(&Loc::Unknown, problem),
        }
    }

    /// Walks the whole document.
    pub(crate) fn walk_document(&mut self, root: &dyn TableLike) {
        for (key, item) in root.iter() {
            let key_span = root.key(key).and_then(|k| k.span());
            self.walk_top(&Src::File, key, key_span, item);
        }
    }

    /// Applies one override `--set KEY=VALUE`.
    pub(crate) fn walk_override(&mut self, key: &str, item: &Item) {
        let src = Src::Set(key.to_string());
        let parts: Vec<&str> = key.split('.').collect();
        match parts.as_slice() {
            [top] => self.walk_top(&src, top, None, item),
            ["run", field] => self.walk_run_field(&src, field, None, item),
            ["teams", name, rest @ ..] => self.walk_team_override(key, name, rest, item),
            [section, field] if SECTIONS.contains(section) => {
                self.walk_field(&src, section, field, None, item)
            }
            [section, field, ..] if kind_of(section, field) == Some(Kind::Dist) => {
                let loc = Loc::Set(key.to_string());
                self.report(
                    &loc,
                    Problem::new(key, format!("`{section}.{field}` is a distribution: set it whole"))
                        .allowed(format!(
                            "--set {section}.{field}='{{ dist = \"lognormal\", median = 4.0, p90 = 12.0 }}'"
                        )),
                );
            }
            _ => {
                let settable = settable_keys();
                let loc = Loc::Set(key.to_string());
                self.report(
                    &loc,
                    Problem::new(key, format!("unknown key `{key}` in --set"))
                        .found(key)
                        .allowed("a parameter key path (see `dorasim params`), run.runs, run.seed, name, description or lesson")
                        .suggest(closest(key, settable.iter().map(String::as_str))),
                );
            }
        }
    }

    fn walk_top(&mut self, src: &Src, key: &str, key_span: Option<Range<usize>>, item: &Item) {
        let loc = self.loc(src, item.span().or_else(|| key_span.clone()));
        match key {
            "name" | "description" | "lesson" => {
                if matches!(src, Src::File) && self.overridden.contains(key) {
                    return;
                }
                match item.as_str() {
                    Some(text) => {
                        self.locations.insert(key.to_string(), loc);
                        self.texts.insert(key.to_string(), text.to_string());
                    }
                    None => self.report(
                        &loc,
                        Problem::new(key, format!("`{key}` must be a string"))
                            .found(describe(item))
                            .allowed("a quoted string"),
                    ),
                }
            }
            "run" => match item.as_table_like() {
                Some(table) => {
                    for (field, value) in table.iter() {
                        let span = table.key(field).and_then(|k| k.span());
                        self.walk_run_field(src, field, span, value);
                    }
                }
                None => self.report(
                    &loc,
                    Problem::new("run", "`run` must be a table")
                        .found(describe(item))
                        .allowed("[run] with `runs` and `seed`"),
                ),
            },
            "teams" => match src {
                Src::File => self.walk_teams(key_span, item),
                Src::Set(_) => self.report(
                    &loc,
                    Problem::new("teams", "teams cannot be declared with --set")
                        .allowed("[[teams]] entries in a scenario file; --set teams.NAME.SECTION.FIELD=VALUE changes one team's parameter"),
                ),
            },
            "timeline" => match src {
                Src::File => self.walk_timeline(key_span, item),
                Src::Set(_) => self.report(
                    &loc,
                    Problem::new("timeline", "timeline entries cannot be set with --set")
                        .allowed("[[timeline]] entries in a scenario file"),
                ),
            },
            section if SECTIONS.contains(&section) => match item.as_table_like() {
                Some(table) => {
                    for (field, value) in table.iter() {
                        let span = table.key(field).and_then(|k| k.span());
                        self.walk_field(src, section, field, span, value);
                    }
                }
                None => self.report(
                    &loc,
                    Problem::new(
                        section,
                        format!("`{section}` must be a table of parameters"),
                    )
                    .found(describe(item))
                    .allowed(format!(
                        "[{section}] with keys: {}",
                        self.section_keys(section)
                    )),
                ),
            },
            unknown => {
                let loc = self.loc(src, key_span.or_else(|| item.span()));
                let mut candidates: Vec<&str> = SCENARIO_KEYS.to_vec();
                candidates.extend(sorted_sections());
                let suggestion =
                    closest(unknown, candidates.iter().copied()).or_else(|| section_with(unknown));
                let problem = Problem::new(unknown, format!("unknown section or key `{unknown}`"))
                    .found(unknown)
                    .allowed(candidates.join(", "))
                    .suggest(suggestion);
                self.report(&loc, problem);
            }
        }
    }

    fn section_keys(&self, section: &str) -> String {
        sorted_fields(section).join(", ")
    }

    fn walk_run_field(
        &mut self,
        src: &Src,
        field: &str,
        key_span: Option<Range<usize>>,
        item: &Item,
    ) {
        let path = format!("run.{field}");
        if matches!(src, Src::File) && self.overridden.contains(&path) {
            return;
        }
        let loc = self.loc(src, item.span().or_else(|| key_span.clone()));
        let (min, max, allowed) = match field {
            "runs" => (1, i64::from(u32::MAX), "a whole number >= 1 (replications)"),
            "seed" => (0, i64::MAX, "a whole number >= 0"),
            "max_events_per_replication" => (
                1000,
                i64::MAX,
                "a whole number >= 1000 (events one replication may process before the guard stops it)",
            ),
            "max_changes_per_replication" => (
                100,
                i64::MAX,
                "a whole number >= 100 (changes one replication may create before the guard stops it)",
            ),
            "lens" => {
                let lenses = Lens::ALL.map(Lens::name);
                match Lens::ALL.iter().find(|l| Some(l.name()) == item.as_str()) {
                    Some(lens) => {
                        self.locations.insert(path, loc);
                        self.run.lens = *lens;
                    }
                    None => {
                        let found = item.as_str().unwrap_or_default();
                        let problem = Problem::new(&path, format!("unknown lens for `{path}`"))
                            .found(describe(item))
                            .allowed(format!("one of: {}", lenses.join(", ")))
                            .suggest(closest(found, lenses));
                        self.report(&loc, problem);
                    }
                }
                return;
            }
            "all_lenses" => {
                match item.as_bool() {
                    Some(b) => {
                        self.locations.insert(path, loc);
                        self.run.all_lenses = b;
                    }
                    None => self.report(
                        &loc,
                        Problem::new(&path, format!("`{path}` must be true or false"))
                            .found(describe(item))
                            .allowed("true or false"),
                    ),
                }
                return;
            }
            _ => {
                let loc = self.loc(src, key_span.or_else(|| item.span()));
                let problem = Problem::new(&path, format!("unknown key `{field}` in [run]"))
                    .found(field)
                    .allowed(RUN_KEYS.join(", "))
                    .suggest(closest(field, RUN_KEYS));
                self.report(&loc, problem);
                return;
            }
        };
        match whole_number(item) {
            Some(n) if (min..=max).contains(&n) => {
                self.locations.insert(path, loc);
                // In range, so the conversions cannot fail.
                let n = n.unsigned_abs();
                match field {
                    "runs" => self.run.runs = u32::try_from(n).unwrap_or(u32::MAX),
                    "seed" => self.run.seed = n,
                    "max_events_per_replication" => self.run.max_events_per_replication = n,
                    _ => self.run.max_changes_per_replication = n,
                }
            }
            Some(n) => self.report(
                &loc,
                Problem::new(&path, format!("`{path}` = {n} is out of range"))
                    .found(describe(item))
                    .allowed(allowed),
            ),
            None => self.report(
                &loc,
                Problem::new(&path, format!("`{path}` must be a whole number"))
                    .found(describe(item))
                    .allowed(allowed),
            ),
        }
    }

    fn walk_field(
        &mut self,
        src: &Src,
        section: &str,
        field: &str,
        key_span: Option<Range<usize>>,
        item: &Item,
    ) {
        let path = format!("{section}.{field}");
        if matches!(src, Src::File) && self.overridden.contains(&path) {
            return;
        }
        let Some(kind) = kind_of(section, field) else {
            let loc = self.loc(src, key_span.or_else(|| item.span()));
            let fields = sorted_fields(section);
            let suggestion = closest(field, fields.iter().copied())
                .map(|f| {
                    if matches!(src, Src::Set(_)) {
                        format!("{section}.{f}")
                    } else {
                        f
                    }
                })
                .or_else(|| section_with(field));
            let problem = Problem::new(&path, format!("unknown key `{field}` in [{section}]"))
                .found(field)
                .allowed(fields.join(", "))
                .suggest(suggestion);
            self.report(&loc, problem);
            return;
        };
        let loc = self.loc(src, item.span().or(key_span));
        if let Some(value) = self.check_value(src, &path, &path, item, kind) {
            self.locations.insert(path.clone(), loc);
            self.values.push((path, value));
        }
    }

    /// Checks that `item` has the type of parameter `key`; `path` names it in messages (the key
    /// itself, or a timeline field). Returns the value converted to the parameter's type.
    pub(crate) fn check_value(
        &mut self,
        src: &Src,
        path: &str,
        key: &str,
        item: &Item,
        kind: Kind,
    ) -> Option<Value> {
        let info = find(key);
        let loc = self.loc(src, item.span());
        let allowed = allowed_text(kind, info);
        let wrong_type = |what: &str| {
            Problem::new(path, format!("`{key}` must be {what}"))
                .found(describe(item))
                .allowed(allowed.clone())
        };
        let not_finite = || {
            Problem::new(
                path,
                format!("`{key}` must be a finite number (nan and inf are not accepted)"),
            )
            .found(describe(item))
            .allowed(allowed.clone())
        };
        let problem = match (kind, item.as_value()) {
            (Kind::Float, Some(TomlValue::Integer(i))) => {
                return Some(Value::Float(*i.value() as f64));
            }
            (Kind::Float, Some(TomlValue::Float(f))) if f.value().is_finite() => {
                return Some(Value::Float(*f.value()));
            }
            (Kind::Float | Kind::Integer, Some(TomlValue::Float(f))) if !f.value().is_finite() => {
                not_finite()
            }
            (Kind::Float, _) => wrong_type("a number"),
            (Kind::Integer, Some(TomlValue::Integer(_) | TomlValue::Float(_))) => {
                match whole_number(item) {
                    Some(n) if (0..=i64::from(u32::MAX)).contains(&n) => {
                        return Some(Value::Integer(n));
                    }
                    Some(n) => Problem::new(path, format!("`{key}` = {n} is out of range"))
                        .found(describe(item))
                        .allowed(allowed.clone()),
                    None => wrong_type("a whole number"),
                }
            }
            (Kind::Integer, _) => wrong_type("a whole number"),
            (Kind::Bool, Some(TomlValue::Boolean(b))) => return Some(Value::Bool(*b.value())),
            (Kind::Bool, _) => wrong_type("true or false"),
            (Kind::Choice, Some(TomlValue::String(s))) => {
                let choices = info.map_or(&[][..], |i| i.choices);
                let word = s.value();
                if choices.contains(&word.as_str()) {
                    return Some(Value::Choice(word.clone()));
                }
                Problem::new(path, format!("unknown value `{word}` for `{key}`"))
                    .found(describe(item))
                    .allowed(allowed.clone())
                    .suggest(closest(word, choices.iter().copied()))
            }
            (Kind::Choice, _) => wrong_type("a word in quotes"),
            (Kind::Dist, _) => return self.check_dist(src, path, key, item),
        };
        self.report(&loc, problem);
        None
    }

    /// Checks the shape of a distribution: a known `dist` name and exactly its numeric fields.
    /// Its parameter values are checked later, with [`crate::model::distribution::Dist::check`].
    fn check_dist(&mut self, src: &Src, path: &str, key: &str, item: &Item) -> Option<Value> {
        let loc = self.loc(src, item.span());
        let names = Dist::NAMES.join(", ");
        let Some(table) = item.as_table_like() else {
            let problem = Problem::new(path, format!("`{key}` must be a distribution"))
                .found(describe(item))
                .allowed(allowed_text(Kind::Dist, None));
            self.report(&loc, problem);
            return None;
        };
        let Some((name_key, name_item)) = table.get_key_value("dist") else {
            let problem =
                Problem::new(path, format!("the distribution `{key}` has no `dist` name"))
                    .found(describe(item))
                    .allowed(format!("dist = one of {names}"));
            self.report(&loc, problem);
            return None;
        };
        let name_loc = self.loc(src, name_item.span().or_else(|| name_key.span()));
        let dist_path = format!("{path}.dist");
        let Some(name) = name_item.as_str() else {
            let problem = Problem::new(
                dist_path,
                "`dist` must be the name of a distribution in quotes",
            )
            .found(describe(name_item))
            .allowed(names);
            self.report(&name_loc, problem);
            return None;
        };
        if !Dist::NAMES.contains(&name) {
            let problem = Problem::new(dist_path, format!("unknown distribution `{name}`"))
                .found(describe(name_item))
                .allowed(names)
                .suggest(closest(name, Dist::NAMES));
            self.report(&name_loc, problem);
            return None;
        }
        let fields = Dist::field_names(name);
        let expected = format!(
            "{{ dist = \"{name}\", {} }}",
            fields
                .iter()
                .map(|f| format!("{f} = <number>"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut values: HashMap<&str, f64> = HashMap::new();
        let mut complete = true;
        for (field, value) in table.iter() {
            if field == "dist" {
                continue;
            }
            let field_path = format!("{path}.{field}");
            let key_span = table.key(field).and_then(|k| k.span());
            if !fields.contains(&field) {
                let loc = self.loc(src, key_span.or_else(|| value.span()));
                let problem = Problem::new(
                    field_path,
                    format!("unknown key `{field}` in a {name} distribution"),
                )
                .found(field)
                .allowed(expected.clone())
                .suggest(closest(field, fields.iter().copied()));
                self.report(&loc, problem);
                complete = false;
                continue;
            }
            let loc = self.loc(src, value.span().or(key_span));
            match value.as_value() {
                Some(TomlValue::Integer(i)) => {
                    values.insert(field, *i.value() as f64);
                }
                Some(TomlValue::Float(f)) if f.value().is_finite() => {
                    values.insert(field, *f.value());
                }
                Some(TomlValue::Float(_)) => {
                    let problem = Problem::new(
                        field_path,
                        format!("`{field}` must be a finite number (nan and inf are not accepted)"),
                    )
                    .found(describe(value))
                    .allowed(expected.clone());
                    self.report(&loc, problem);
                    complete = false;
                }
                _ => {
                    let problem =
                        Problem::new(field_path, format!("`{field}` of `{key}` must be a number"))
                            .found(describe(value))
                            .allowed(expected.clone());
                    self.report(&loc, problem);
                    complete = false;
                }
            }
        }
        for field in fields {
            if !table.contains_key(field) {
                let problem = Problem::new(
                    format!("{path}.{field}"),
                    format!("the {name} distribution `{key}` needs `{field}`"),
                )
                .found(describe(item))
                .allowed(expected.clone());
                self.report(&loc, problem);
                complete = false;
            }
        }
        if !complete {
            return None;
        }
        let ordered: Vec<f64> = fields
            .iter()
            .filter_map(|f| values.get(f).copied())
            .collect();
        Dist::from_fields(name, &ordered).map(Value::Dist)
    }
}

/// Every key `--set` accepts.
fn settable_keys() -> Vec<String> {
    let mut keys: Vec<String> = sorted_keys()
        .into_iter()
        .map(|(k, _)| k.to_string())
        .collect();
    keys.extend(RUN_KEYS.map(|k| format!("run.{k}")));
    keys.extend(["name", "description", "lesson"].map(String::from));
    keys
}

/// An integer, or a float with no fractional part.
fn whole_number(item: &Item) -> Option<i64> {
    match item.as_value()? {
        TomlValue::Integer(i) => Some(*i.value()),
        TomlValue::Float(f)
            if f.value().is_finite() && f.value().fract() == 0.0 && f.value().abs() < 9.0e15 =>
        {
            Some(*f.value() as i64)
        }
        _ => None,
    }
}

/// An integer or a finite float.
pub(crate) fn finite_number(item: &Item) -> Option<f64> {
    match item.as_value()? {
        TomlValue::Integer(i) => Some(*i.value() as f64),
        TomlValue::Float(f) if f.value().is_finite() => Some(*f.value()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_in_characters() {
        let text = "a = 1\nbé = 2\n";
        let walker = Walker::new("x.toml", text, HashSet::new());
        assert_eq!(walker.line_column(0), (1, 1));
        assert_eq!(walker.line_column(6), (2, 1));
        assert_eq!(walker.line_column(text.rfind('=').unwrap_or(0)), (2, 4));
    }
}
