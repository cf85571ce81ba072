//! dorasim's own schema (`dorasim-events/1`): `events.json`, the measured log in hours, exact;
//! and `ground_truth.json`, what the tooling cannot see. `calibrate` reads `events.json`.

use std::path::Path;

use super::{Export, Format, InputError, RenderError, json_bytes, read_text};
use crate::history::log::{MeasuredLog, SCHEMA};

/// dorasim's measured log.
pub const EVENTS_JSON: &str = "events.json";
/// Ground truth, for researchers.
pub const GROUND_TRUTH_JSON: &str = "ground_truth.json";

/// dorasim's own schema.
pub struct Dorasim;

impl Format for Dorasim {
    fn name(&self) -> &'static str {
        "dorasim"
    }

    fn describe(&self) -> &'static str {
        "dorasim's own measured log, `events.json` (schema dorasim-events/1)"
    }

    fn files(&self) -> &'static [&'static str] {
        &[EVENTS_JSON, GROUND_TRUTH_JSON]
    }

    fn required(&self) -> &'static [&'static str] {
        &[EVENTS_JSON]
    }

    fn write(&self, export: Export<'_>) -> Result<Vec<Vec<u8>>, RenderError> {
        Ok(vec![
            json_bytes(EVENTS_JSON, export.log)?,
            json_bytes(GROUND_TRUTH_JSON, export.truth)?,
        ])
    }

    fn read(&self, dir: &Path) -> Result<MeasuredLog, InputError> {
        let path = dir.join(EVENTS_JSON);
        let text = read_text(&path)?;
        let log: MeasuredLog = serde_json::from_str(&text).map_err(|e| {
            InputError::at(
                &path,
                e.line(),
                None,
                format!("{e} (expected the `{SCHEMA}` schema, see docs/events.md)"),
            )
        })?;
        if log.schema != SCHEMA {
            return Err(InputError::file(
                &path,
                format!("schema `{}` is not `{SCHEMA}`", log.schema),
            ));
        }
        Ok(log)
    }
}
