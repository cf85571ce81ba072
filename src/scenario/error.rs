//! Errors of the scenario boundary: every problem found in one pass, each saying what is wrong,
//! where (file, line, key path) and what would be accepted.

use std::fmt;

use serde::Serialize;
use toml_edit::{Item, Value as TomlValue};

use crate::model::distribution::Dist;
use crate::model::params::{Kind, ParamInfo};

/// One problem in a scenario file or a `--set` override.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioError {
    /// Where the problem is: the file path, `<embedded default>`, or `--set KEY` for an override.
    pub origin: String,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters) in the file, when known.
    pub column: Option<usize>,
    /// Key path of the offending setting (`review.reviewers`, `timeline[2].ramp_weeks`).
    pub key_path: String,
    /// What was there (empty when nothing was).
    pub found: String,
    /// What is wrong.
    pub message: String,
    /// What would be accepted.
    pub allowed: String,
    /// A close valid alternative, when there is one.
    pub suggestion: Option<String>,
}

impl ScenarioError {
    /// True when the error comes from a `--set` override rather than a file.
    pub fn is_override(&self) -> bool {
        self.origin.starts_with("--set")
    }
}

/// Longest line of user text an error message repeats (a found value, a quoted source line);
/// longer ones are cut, saying how long they were.
pub const MAX_ECHO_CHARS: usize = 200;

/// Most errors printed for one scenario; the rest are counted.
pub const MAX_SHOWN_ERRORS: usize = 50;

/// `text` with every line cut to [`MAX_ECHO_CHARS`] characters.
fn clip(text: &str) -> String {
    text.lines()
        .map(|line| {
            let n = line.chars().count();
            if n > MAX_ECHO_CHARS {
                let head: String = line.chars().take(MAX_ECHO_CHARS).collect();
                format!("{head}… ({n} characters)")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", clip(&self.message))?;
        match (self.line, self.column) {
            (Some(line), Some(column)) => writeln!(f, "  --> {}:{line}:{column}", self.origin)?,
            (Some(line), None) => writeln!(f, "  --> {}:{line}", self.origin)?,
            _ => writeln!(f, "  --> {}", self.origin)?,
        }
        if !self.key_path.is_empty() {
            writeln!(f, "   = key: {}", self.key_path)?;
        }
        if !self.found.is_empty() {
            writeln!(f, "   = found: {}", clip(&self.found))?;
        }
        if !self.allowed.is_empty() {
            writeln!(f, "   = allowed: {}", self.allowed)?;
        }
        if let Some(suggestion) = &self.suggestion {
            writeln!(f, "   = help: did you mean `{suggestion}`?")?;
        }
        Ok(())
    }
}

/// Every problem found while loading one scenario (never empty when returned as an error).
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl ScenarioErrors {
    /// The individual problems, in the order they were found.
    pub fn errors(&self) -> &[ScenarioError] {
        &self.0
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is no problem.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for error in self.0.iter().take(MAX_SHOWN_ERRORS) {
            writeln!(f, "{error}")?;
        }
        let n = self.0.len();
        if n > MAX_SHOWN_ERRORS {
            writeln!(
                f,
                "… and {} more errors not shown (the first {MAX_SHOWN_ERRORS} are above)",
                n - MAX_SHOWN_ERRORS
            )?;
        }
        write!(f, "{n} error{}", if n == 1 { "" } else { "s" })
    }
}

/// A problem before it is given a place (declared with the parameter checks in the model).
pub(crate) use crate::model::params::Problem;

/// The closest candidate to a misspelt word, if one is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    // Jaro-Winkler ranks well but misses transpositions in short words (`p09` for `p90`), which
    // an edit distance of one catches.
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(word, c),
                strsim::damerau_levenshtein(word, c),
                c,
            )
        })
        .filter(|(similarity, edits, _)| *similarity >= 0.8 || *edits <= 1)
        .max_by(|a, b| b.1.cmp(&a.1).then(a.0.total_cmp(&b.0)))
        .map(|(_, _, c)| c.to_string())
}

/// What would be accepted for a parameter, as text.
pub(crate) fn allowed_text(kind: Kind, info: Option<&ParamInfo>) -> String {
    let range = info.map(ParamInfo::range_text).unwrap_or_default();
    let unit = info.map_or(String::new(), |i| format!(" ({})", i.unit));
    let range = if range.is_empty() {
        String::new()
    } else {
        format!(" {range}")
    };
    match kind {
        Kind::Float => format!("a number{range}{unit}"),
        Kind::Integer => format!("a whole number{range}{unit}"),
        Kind::Bool => "true or false".to_string(),
        Kind::Choice => {
            let choices = info.map_or(&[][..], |i| i.choices);
            format!("one of: {}", choices.join(", "))
        }
        Kind::Dist => format!(
            "a distribution {{ dist = NAME, ... }} with NAME one of {}, e.g. {{ dist = \"lognormal\", median = 4.0, p90 = 12.0 }}{}",
            Dist::NAMES.join(", "),
            if range.is_empty() {
                String::new()
            } else {
                format!("; values{range}")
            }
        ),
    }
}

/// What an item is, for the `found:` line of a message.
pub(crate) fn describe(item: &Item) -> String {
    match item {
        Item::None => "nothing".to_string(),
        Item::Table(_) => "a table".to_string(),
        Item::ArrayOfTables(_) => "an array of tables".to_string(),
        Item::Value(value) => match value {
            // `--set x=1e400` is not valid TOML (it overflows a float), so it arrives as a string.
            TomlValue::String(s) if s.value().trim().parse::<f64>().is_ok_and(f64::is_infinite) => {
                format!(
                    "the number {}, too large for a 64-bit float (beyond 1.8e308)",
                    s.value().trim()
                )
            }
            TomlValue::String(s) => format!("the string {:?}", s.value()),
            TomlValue::Integer(i) => format!("the integer {}", i.value()),
            // Scientific notation for huge and tiny values: `1e308`, not 309 digits.
            TomlValue::Float(f)
                if f.value().abs() >= 1e15 || (*f.value() != 0.0 && f.value().abs() < 1e-6) =>
            {
                format!("the float {:e}", f.value())
            }
            TomlValue::Float(f) => format!("the float {}", f.value()),
            TomlValue::Boolean(b) => format!("the boolean {}", b.value()),
            TomlValue::Datetime(d) => format!("the date-time {}", d.value()),
            TomlValue::Array(a) => format!("an array of {} values", a.len()),
            TomlValue::InlineTable(t) => {
                let text = t.to_string();
                if text.len() <= 80 {
                    format!("the table {}", text.trim())
                } else {
                    "an inline table".to_string()
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_only() {
        assert_eq!(
            closest("reviewrs", ["reviewers", "loc_per_hour"]).as_deref(),
            Some("reviewers")
        );
        assert_eq!(
            closest("continous", ["continuous", "scheduled"]).as_deref(),
            Some("continuous")
        );
        assert_eq!(closest("zzz", ["reviewers", "loc_per_hour"]), None);
        assert_eq!(closest("p09", ["median", "p90"]).as_deref(), Some("p90"));
    }
}
