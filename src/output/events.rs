//! Event-log export (`dorasim run --events DIR`): one replication's history written in every
//! format of [`crate::history::formats`] (dorasim's own schema, plain CSV, Four Keys, Apache
//! DevLake), each file atomically. See `docs/events.md` for the field mappings.

use std::path::PathBuf;

use crate::history::formats::{self, Export};
use crate::history::{ExportInfo, ground_truth, measured_log};
use crate::model::Model;
use crate::model::records::RunRecords;

use super::files::{OutputDir, OutputError};

/// Every file the export writes.
pub fn files() -> Vec<&'static str> {
    formats::all_files()
}

/// Writes every format's files for `records` into `dir` (each atomically), returning their
/// paths. Prepare `dir` with [`OutputDir::prepare`]`(path, &files(), force)`.
pub fn write_events(
    dir: &OutputDir,
    records: &RunRecords,
    info: &ExportInfo,
) -> Result<Vec<PathBuf>, OutputError> {
    let log = measured_log(records, info);
    let truth = ground_truth(records, info);
    let export = Export {
        log: &log,
        truth: &truth,
    };
    let mut written = Vec::new();
    for format in formats::ALL {
        let contents = format.write(export).map_err(|e| OutputError::Io {
            path: dir.path().join(e.file),
            source: std::io::Error::other(e.message),
        })?;
        for (name, bytes) in format.files().iter().zip(contents) {
            written.push(dir.write(name, &bytes)?);
        }
    }
    Ok(written)
}

/// Re-runs replication `info.replication` of `model` with `info.seed` (the same records as in the
/// run) and writes its event log into `dir`.
pub fn export(
    dir: &OutputDir,
    model: &Model,
    info: &ExportInfo,
) -> Result<Vec<PathBuf>, OutputError> {
    let records = model.run(info.seed, info.replication);
    write_events(dir, &records, info)
}
