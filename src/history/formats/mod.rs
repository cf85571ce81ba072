//! The formats a history is written in and read from, one file each, behind one trait.
//!
//! | Format | Written by `--events` | Read by `calibrate` |
//! | --- | --- | --- |
//! | [`dorasim`] | `events.json`, `ground_truth.json` | `events.json` |
//! | [`fourkeys`] | Four Keys `events_raw` rows | the same |
//! | [`devlake`] | DevLake webhook bodies and domain tables | the domain tables |
//!
//! To add a format: a file here with a unit struct implementing [`Format`], listed in [`ALL`].

use std::path::{Path, PathBuf};

use super::log::MeasuredLog;
use super::truth::GroundTruth;

pub mod devlake;
pub mod dorasim;
pub mod fourkeys;

/// What an export holds: the measured log and its ground truth.
#[derive(Debug, Clone, Copy)]
pub struct Export<'a> {
    /// The measured log.
    pub log: &'a MeasuredLog,
    /// What the tooling cannot see.
    pub truth: &'a GroundTruth,
}

/// A file of a format could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("cannot render `{file}`: {message}")]
pub struct RenderError {
    /// The file.
    pub file: &'static str,
    /// What went wrong.
    pub message: String,
}

/// A history file that cannot be read: which file, row and column, and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct InputError {
    /// The file.
    pub file: PathBuf,
    /// Line in the file (1 = the first line; a CSV header is line 1), when the problem has one.
    pub line: Option<usize>,
    /// Column or field, when the problem has one.
    pub column: Option<String>,
    /// What is wrong and what is accepted.
    pub message: String,
}

impl InputError {
    /// A problem with the whole file.
    pub fn file(file: &Path, message: impl Into<String>) -> InputError {
        InputError {
            file: file.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem at one line (and column).
    pub fn at(file: &Path, line: usize, column: Option<&str>, message: impl Into<String>) -> Self {
        InputError {
            file: file.to_path_buf(),
            line: Some(line),
            column: column.map(str::to_string),
            message: message.into(),
        }
    }

    fn describe(&self) -> String {
        let mut text = format!("`{}`", self.file.display());
        if let Some(line) = self.line {
            text.push_str(&format!(", line {line}"));
        }
        if let Some(column) = &self.column {
            text.push_str(&format!(", column `{column}`"));
        }
        format!("{text}: {}", self.message)
    }
}

/// One format of a history: the files it writes, how it writes them and how it reads them back.
pub trait Format: Sync {
    /// Its name on the command line (`calibrate --format NAME`).
    fn name(&self) -> &'static str;
    /// One line for `--help` and error messages.
    fn describe(&self) -> &'static str;
    /// The files it writes, in the order [`Format::write`] returns them.
    fn files(&self) -> &'static [&'static str];
    /// The files [`Format::read`] needs in the directory (the rest are optional).
    fn required(&self) -> &'static [&'static str];
    /// Renders an export, one byte vector per file of [`Format::files`].
    fn write(&self, export: Export<'_>) -> Result<Vec<Vec<u8>>, RenderError>;
    /// Reads a history from the files in `dir`. The log's window spans the data unless the
    /// format records one.
    fn read(&self, dir: &Path) -> Result<MeasuredLog, InputError>;
}

/// Every format, in the order `--events` writes them.
pub const ALL: [&dyn Format; 3] = [&dorasim::Dorasim, &fourkeys::FourKeys, &devlake::Devlake];

/// The format called `name`.
pub fn find(name: &str) -> Option<&'static dyn Format> {
    ALL.into_iter().find(|f| f.name() == name)
}

/// The format whose required files are all in `dir`, the first in [`ALL`] order; `None` if none.
pub fn detect(dir: &Path) -> Option<&'static dyn Format> {
    ALL.into_iter()
        .find(|f| f.required().iter().all(|name| dir.join(name).is_file()))
}

/// Every file written by every format.
pub fn all_files() -> Vec<&'static str> {
    ALL.iter().flat_map(|f| f.files().iter().copied()).collect()
}

/// Reads a whole file, as an [`InputError`] naming it when it cannot.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| {
        InputError::file(
            path,
            match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                _ => format!("cannot read it: {e}"),
            },
        )
    })
}

/// CSV bytes of `rows` (the first row is the header).
pub fn csv_bytes(file: &'static str, rows: Vec<Vec<String>>) -> Result<Vec<u8>, RenderError> {
    let error = |e: csv::Error| RenderError {
        file,
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(row).map_err(error)?;
    }
    w.into_inner().map_err(|e| error(e.into_error().into()))
}

/// Pretty JSON of `value`. Every optional time is an `Option`, so no NaN reaches the serialiser.
pub fn json_bytes<T: serde::Serialize>(
    file: &'static str,
    value: &T,
) -> Result<Vec<u8>, RenderError> {
    serde_json::to_vec_pretty(value).map_err(|e| RenderError {
        file,
        message: e.to_string(),
    })
}

/// Rows of a CSV file with a header, each deserialised into `T` (field names = column names;
/// extra columns are ignored), with its line number. A missing column, an unreadable value or a
/// malformed row is an [`InputError`] naming the file, line and column.
pub fn csv_rows<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<Vec<(usize, T)>, InputError> {
    let text = read_text(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| InputError::file(path, format!("cannot read the header: {e}")))?
        .clone();
    let mut rows = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|e| csv_error(path, &headers, &e))?;
        let line = record
            .position()
            .map_or(rows.len() + 2, |p| p.line() as usize);
        let row = record
            .deserialize(Some(&headers))
            .map_err(|e| csv_error(path, &headers, &e))
            .map_err(|mut e| {
                e.line = e.line.or(Some(line));
                if !e.message.starts_with("missing field") {
                    e.line = Some(line);
                }
                e
            })?;
        rows.push((line, row));
    }
    Ok(rows)
}

fn csv_error(path: &Path, headers: &csv::StringRecord, e: &csv::Error) -> InputError {
    let line = e.position().map(|p| p.line() as usize);
    let (column, message) = match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let column = err
                .field()
                .and_then(|i| headers.get(i as usize))
                .map(str::to_string);
            let message = match err.kind() {
                csv::DeserializeErrorKind::Message(m) if m.starts_with("missing field") => {
                    format!(
                        "{m}: the header has {}",
                        headers.iter().collect::<Vec<_>>().join(", ")
                    )
                }
                _ => err.kind().to_string(),
            };
            (column, message)
        }
        _ => (None, e.to_string()),
    };
    InputError {
        file: path.to_path_buf(),
        // A missing column is a problem of the header, line 1.
        line: if message.starts_with("missing field") {
            Some(1)
        } else {
            line
        },
        column,
        message,
    }
}

/// A timestamp cell as hours since [`crate::history::time::EPOCH`], or an error naming the file,
/// line and column with the spellings accepted.
pub fn time_cell(path: &Path, line: usize, column: &str, text: &str) -> Result<f64, InputError> {
    crate::history::time::hours_of(text).ok_or_else(|| {
        InputError::at(
            path,
            line,
            Some(column),
            format!(
                "cannot read `{text}` as a time; write RFC 3339 (`2026-01-05T09:30:00Z`, \
                 `2026-01-05T11:30:00+02:00`) or `2026-01-05 09:30:00` (UTC)"
            ),
        )
    })
}

/// An optional timestamp cell: empty means "not reached".
pub fn optional_time_cell(
    path: &Path,
    line: usize,
    column: &str,
    text: &str,
) -> Result<Option<f64>, InputError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        time_cell(path, line, column, text).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Row {
        id: u32,
        finished: String,
    }

    #[test]
    fn csv_errors_name_the_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.csv");
        std::fs::write(&path, "id,finished\n1,2026-01-05T10:00:00Z\nx,2026\n").unwrap();
        let e = csv_rows::<Row>(&path).err().unwrap();
        assert_eq!((e.line, e.column.as_deref()), (Some(3), Some("id")), "{e}");
        std::fs::write(&path, "id,started\n1,2026\n").unwrap();
        let e = csv_rows::<Row>(&path).err().unwrap();
        assert_eq!(e.line, Some(1), "{e}");
        assert!(e.message.contains("finished"), "{e}");
        std::fs::write(&path, "id,finished\n1,2026-01-05T10:00:00Z\n").unwrap();
        let rows = csv_rows::<Row>(&path).unwrap();
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[0].1.id, 1);
        assert_eq!(rows[0].1.finished, "2026-01-05T10:00:00Z");
        let e = time_cell(&path, 2, "finished", "soon").err().unwrap();
        assert!(e.to_string().contains("line 2, column `finished`"), "{e}");
    }
}
