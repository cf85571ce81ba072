//! Errors of the scenario boundary: every problem found in one pass, each saying what is wrong,
//! where (file, line, key path) and what would be accepted.

use std::fmt;

use serde::Serialize;

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
