//! What a client may ask for, and how it becomes a validated scenario: the JSON bodies of the
//! API, the query string of the page's links, and the scenario TOML a link downloads.
//!
//! Every request goes through [`crate::app::prepare`], the way `dorasim run --set` does, so a
//! bad value gets the same message beside the slider as in a terminal. No path from a request
//! reaches the file system: the scenario is the text the server read at start-up.

use serde::{Deserialize, Serialize};
use toml_edit::{DocumentMut, Item, Table, Value as TomlValue};

use crate::app::{self, PrepareError, Prepared, Source};
use crate::scenario::ScenarioError;

use super::Limits;

/// The scenario the server was started with, read once at start-up.
#[derive(Debug, Clone)]
pub struct BaseScenario {
    /// Its TOML text.
    pub text: String,
    /// Where it came from (a file path or `<embedded default>`), for messages.
    pub origin: String,
}

impl BaseScenario {
    /// The scenario built into the binary.
    pub fn embedded() -> Self {
        BaseScenario {
            text: crate::scenario::DEFAULT_SCENARIO.to_string(),
            origin: crate::scenario::EMBEDDED_ORIGIN.to_string(),
        }
    }
}

/// Overrides as a client sends them: `["review.reviewers=8"]` exactly as `--set` takes them, or
/// an object `{"review.reviewers": 8, "deploy.policy": "continuous"}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub enum Overrides {
    /// `KEY=VALUE` strings, as on the command line.
    List(Vec<String>),
    /// Keys and JSON values (numbers, booleans, strings; objects for distributions).
    Map(serde_json::Map<String, serde_json::Value>),
    /// None.
    #[default]
    #[serde(skip)]
    None,
}

impl Overrides {
    /// The `--set KEY=VALUE` strings these overrides stand for.
    pub fn to_set(&self) -> Result<Vec<String>, String> {
        match self {
            Overrides::None => Ok(Vec::new()),
            Overrides::List(list) => Ok(list.clone()),
            Overrides::Map(map) => map
                .iter()
                .map(|(key, value)| Ok(format!("{key}={}", toml_text(key, value)?)))
                .collect(),
        }
    }
}

/// A JSON value written as the TOML value `--set` reads.
fn toml_text(key: &str, value: &serde_json::Value) -> Result<String, String> {
    Ok(toml_value(key, value)?.to_string().trim().to_string())
}

fn toml_value(key: &str, value: &serde_json::Value) -> Result<TomlValue, String> {
    use serde_json::Value as J;
    Ok(match value {
        J::Bool(b) => TomlValue::from(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => TomlValue::from(i),
            None => TomlValue::from(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => TomlValue::from(s.as_str()),
        J::Object(map) => {
            let mut table = toml_edit::InlineTable::new();
            for (k, v) in map {
                table.insert(k, toml_value(key, v)?);
            }
            TomlValue::InlineTable(table)
        }
        J::Array(items) => {
            let mut array = toml_edit::Array::new();
            for v in items {
                array.push(toml_value(key, v)?);
            }
            TomlValue::Array(array)
        }
        J::Null => return Err(format!("`{key}`: null is not a value; leave the key out")),
    })
}

/// The body of `POST /api/run`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// Overrides on top of the server's scenario.
    #[serde(default)]
    pub set: Overrides,
    /// Master seed (default: the scenario's `run.seed`).
    pub seed: Option<u64>,
    /// Replications (default: the server's `--default-runs`, at most `--max-runs`).
    pub runs: Option<u32>,
}

/// The body of `POST /api/compare`: a baseline A and a variant B on common random numbers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareRequest {
    /// Overrides of the baseline A.
    #[serde(default)]
    pub baseline: Overrides,
    /// Overrides of the variant B.
    #[serde(default)]
    pub variant: Overrides,
    /// Master seed shared by both.
    pub seed: Option<u64>,
    /// Replications of each.
    pub runs: Option<u32>,
}

/// A request refused: the HTTP status, a one-line message, and each scenario problem (key path,
/// message, accepted values) for the page to show beside its control.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    /// HTTP status code.
    #[serde(skip)]
    pub status: u16,
    /// What is wrong, in one line or a few.
    pub error: String,
    /// Every problem of the scenario and its overrides, as `dorasim validate` reports them.
    pub problems: Vec<ScenarioError>,
}

impl Refusal {
    /// A refusal with no scenario problems.
    pub fn new(status: u16, error: impl Into<String>) -> Self {
        Refusal {
            status,
            error: error.into(),
            problems: Vec::new(),
        }
    }
}

impl From<PrepareError> for Refusal {
    fn from(e: PrepareError) -> Self {
        let problems = match &e {
            PrepareError::Scenario(errors) => errors.errors().to_vec(),
            _ => Vec::new(),
        };
        Refusal {
            status: 400,
            error: e.to_string().trim_end().to_string(),
            problems,
        }
    }
}

/// Reads a JSON body into `T`, with serde's message (line, column, unknown field and the fields
/// accepted) on failure.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return serde_json::from_slice(b"{}")
            .map_err(|e| Refusal::new(400, format!("invalid request body: {e}")));
    }
    serde_json::from_slice(body).map_err(|e| {
        let what = if e.is_syntax() || e.is_eof() {
            "malformed JSON"
        } else {
            "invalid request"
        };
        Refusal::new(400, format!("{what}: {e}"))
    })
}

/// One scenario of a request, validated: overrides, seed and replications applied, within the
/// server's limits.
pub fn prepare(
    base: &BaseScenario,
    set: &[String],
    seed: Option<u64>,
    runs: Option<u32>,
    limits: &Limits,
) -> Result<Prepared, Refusal> {
    let runs = runs.unwrap_or(limits.default_runs);
    if runs > limits.max_runs {
        return Err(Refusal::new(
            400,
            format!(
                "runs = {runs} is above this server's limit of {} replications per request \
                 (start it with a higher --max-runs)",
                limits.max_runs
            ),
        ));
    }
    if set.len() > MAX_OVERRIDES {
        return Err(Refusal::new(
            400,
            format!(
                "{} overrides; at most {MAX_OVERRIDES} per request",
                set.len()
            ),
        ));
    }
    let source = Source::Text {
        text: &base.text,
        origin: &base.origin,
    };
    Ok(app::prepare(&app::Request {
        runs: Some(runs),
        seed,
        ..app::Request::new(source, set)
    })?)
}

/// Most overrides one request may carry (there are fewer than 150 parameters).
pub const MAX_OVERRIDES: usize = 400;

/// The query string of the page's links (`?set=review.reviewers=8&seed=42&runs=200`), and of the
/// scenario and report downloads.
#[derive(Debug, Clone, Default)]
pub struct LinkQuery {
    /// `set` values, in order.
    pub set: Vec<String>,
    /// `seed`.
    pub seed: Option<u64>,
    /// `runs`.
    pub runs: Option<u32>,
}

impl LinkQuery {
    /// Reads decoded `(name, value)` pairs. Unknown names are refused, like unknown keys in a
    /// body; `base` (the page's pinned baseline) is accepted and ignored here.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, Refusal> {
        let mut query = LinkQuery::default();
        for (name, value) in pairs {
            match name.as_str() {
                "set" => query.set.push(value.clone()),
                "seed" => {
                    query.seed = Some(value.trim().parse().map_err(|_| {
                        Refusal::new(
                            400,
                            format!("seed = {value:?} is not a whole number from 0 to 2^64 - 1"),
                        )
                    })?)
                }
                "runs" => {
                    query.runs = Some(value.trim().parse().map_err(|_| {
                        Refusal::new(
                            400,
                            format!("runs = {value:?} is not a whole number of replications"),
                        )
                    })?)
                }
                "base" | "ab" => {}
                other => {
                    return Err(Refusal::new(
                        400,
                        format!("unknown query parameter `{other}`; accepted: set, seed, runs"),
                    ));
                }
            }
        }
        Ok(query)
    }
}

/// The scenario of `prepared` as a TOML file that `dorasim run` runs to the same summary: the
/// server's scenario text with each override written at its key and `[run]` holding the
/// replications and the seed. Checked by reading it back: the file must describe exactly the
/// prepared scenario.
pub fn scenario_toml(base: &BaseScenario, prepared: &Prepared) -> Result<String, Refusal> {
    let internal = |what: String| Refusal::new(500, format!("cannot write the scenario: {what}"));
    let mut document: DocumentMut = base
        .text
        .parse()
        .map_err(|e: toml_edit::TomlError| internal(e.to_string()))?;
    for argument in &prepared.scenario.overrides {
        let Some((key, raw)) = argument.split_once('=') else {
            return Err(internal(format!("override {argument:?} has no `=`")));
        };
        let parts: Vec<&str> = key.trim().split('.').collect();
        let item = Item::Value(value_of(raw.trim()));
        match parts.as_slice() {
            [top] => {
                document[top] = item;
            }
            [section, field] => {
                let table = document
                    .entry(section)
                    .or_insert_with(|| Item::Table(Table::new()));
                let Some(table) = table.as_table_like_mut() else {
                    return Err(internal(format!("`{section}` is not a table")));
                };
                table.insert(field, item);
            }
            _ => return Err(internal(format!("unexpected key {key:?}"))),
        }
    }
    let run = document
        .entry("run")
        .or_insert_with(|| Item::Table(Table::new()));
    let Some(run) = run.as_table_like_mut() else {
        return Err(internal("`run` is not a table".to_string()));
    };
    let settings = &prepared.scenario.run;
    run.insert(
        "runs",
        Item::Value(TomlValue::from(i64::from(settings.runs))),
    );
    // TOML integers are signed 64-bit: a seed above that cannot be written.
    let seed = i64::try_from(settings.seed).map_err(|_| {
        Refusal::new(
            400,
            format!(
                "seed {} cannot be written to a scenario file (TOML integers stop at {})",
                settings.seed,
                i64::MAX
            ),
        )
    })?;
    run.insert("seed", Item::Value(TomlValue::from(seed)));
    let header = format!(
        "# Written by `dorasim serve` from {}{}.\n# Run it with `dorasim run THIS_FILE.toml`: same seed, same replications, same summary.\n\n",
        base.origin,
        if prepared.scenario.overrides.is_empty() {
            String::new()
        } else {
            format!(
                " with --set {}",
                prepared.scenario.overrides.join(" --set ")
            )
        }
    );
    let text = format!("{header}{document}");
    // The file must say exactly what was run.
    let back = crate::scenario::load_str(&text, "scenario.toml")
        .map_err(|e| internal(format!("it does not read back: {e}")))?;
    let s = &prepared.scenario;
    if back.params != s.params
        || back.timeline != s.timeline
        || back.run != s.run
        || back.lesson != s.lesson
    {
        return Err(internal(
            "it reads back as a different scenario".to_string(),
        ));
    }
    Ok(text)
}

/// A TOML value if `raw` is exactly one, a string otherwise (as `--set` reads it).
fn value_of(raw: &str) -> TomlValue {
    if let Ok(doc) = format!("value = {raw}").parse::<DocumentMut>()
        && doc.as_table().len() == 1
        && let Some(Item::Value(v)) = doc.as_table().get("value")
    {
        let mut v = v.clone();
        v.decor_mut().clear();
        return v;
    }
    TomlValue::from(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_become_set_strings() {
        let o: Overrides = serde_json::from_str(
            r#"{"review.reviewers": 8, "deploy.policy": "continuous", "ai.adoption": 0.5}"#,
        )
        .expect("an object");
        assert_eq!(
            o.to_set().expect("valid"),
            vec![
                "review.reviewers=8",
                "deploy.policy=\"continuous\"",
                "ai.adoption=0.5"
            ]
        );
        let l: Overrides = serde_json::from_str(r#"["review.reviewers=8"]"#).expect("a list");
        assert_eq!(l.to_set().expect("valid"), vec!["review.reviewers=8"]);
    }

    #[test]
    fn the_scenario_file_reads_back_as_the_request() {
        let base = BaseScenario::embedded();
        let set = vec![
            "review.reviewers=8".to_string(),
            "deploy.policy=continuous".to_string(),
            "testing.traffic_replay=true".to_string(),
        ];
        let prepared = prepare(&base, &set, Some(7), Some(30), &Limits::default()).expect("ok");
        let text = scenario_toml(&base, &prepared).expect("written");
        assert!(text.contains("reviewers = 8"), "{text}");
        assert!(text.contains("seed = 7"), "{text}");
    }
}
