//! CSV outputs: one row per replication (streamed as replications finish), and weekly quantile
//! bands over replications (tidy: one row per week and series).

use crate::metrics::{METRICS, ReplicationMetrics, WEEKLY};
use crate::runner::RunSummary;

use std::fs::File;
use std::io::BufWriter;

use super::files::{OutputDir, OutputError, PendingFile, TempName};
use super::format::csv_cell;

/// File name of the per-replication CSV.
pub const REPLICATIONS_CSV: &str = "replications.csv";
/// File name of the weekly CSV.
pub const WEEKLY_CSV: &str = "weekly.csv";

/// Streams one row per replication into `replications.csv`.
pub struct ReplicationWriter {
    name: TempName,
    csv: csv::Writer<BufWriter<File>>,
}

fn csv_error(e: impl std::fmt::Display) -> String {
    format!("CSV: {e}")
}

impl ReplicationWriter {
    /// Opens the file (under a temporary name) and writes the header.
    pub fn create(dir: &OutputDir) -> Result<ReplicationWriter, OutputError> {
        let PendingFile { name, writer } = dir.create(REPLICATIONS_CSV)?;
        let mut csv = csv::Writer::from_writer(writer);
        let mut header = vec!["replication"];
        header.extend(METRICS.iter().map(|m| m.key));
        csv.write_record(&header).map_err(|e| OutputError::Io {
            path: name.temp().to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })?;
        Ok(ReplicationWriter { name, csv })
    }

    /// Writes one replication's row.
    pub fn write(&mut self, replication: u64, metrics: &ReplicationMetrics) -> Result<(), String> {
        let mut row = Vec::with_capacity(METRICS.len() + 1);
        row.push(replication.to_string());
        row.extend(metrics.values.iter().map(|x| csv_cell(*x)));
        self.csv.write_record(&row).map_err(csv_error)
    }

    /// Flushes and syncs the file but leaves it under its temporary name, to be renamed into
    /// place with the run's other files by [`super::files::commit_all`].
    pub fn finish_staged(self) -> Result<super::files::Staged, OutputError> {
        let ReplicationWriter { name, csv } = self;
        let io = |e: std::io::Error| OutputError::Io {
            path: name.temp().to_path_buf(),
            source: e,
        };
        let writer = csv
            .into_inner()
            .map_err(|e| io(std::io::Error::other(e.to_string())))?;
        let file = writer.into_inner().map_err(|e| io(e.into_error()))?;
        name.stage(&file)
    }

    /// Flushes and renames the file into place.
    pub fn finish(self) -> Result<std::path::PathBuf, OutputError> {
        let ReplicationWriter { name, csv } = self;
        let io = |e: std::io::Error| OutputError::Io {
            path: name.temp().to_path_buf(),
            source: e,
        };
        let writer = csv
            .into_inner()
            .map_err(|e| io(std::io::Error::other(e.to_string())))?;
        let file = writer.into_inner().map_err(|e| io(e.into_error()))?;
        name.commit(&file)
    }
}

/// File name of the per-team CSV (organisations of several teams only).
pub const TEAMS_CSV: &str = "teams.csv";

/// The per-team CSV text of an organisation, `None` for one team:
/// `team,metric,unit,n,mean,ci95_low,ci95_high,p5,p50,p95`, one row per team and metric, then the
/// organisation's roll-up under the team name `organisation`.
pub fn teams_csv(summary: &RunSummary) -> Result<Option<String>, String> {
    if summary.teams.is_empty() {
        return Ok(None);
    }
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "team",
        "metric",
        "unit",
        "n",
        "mean",
        "ci95_low",
        "ci95_high",
        "p5",
        "p50",
        "p95",
    ])
    .map_err(csv_error)?;
    for (name, accumulators) in super::teams::rows(summary) {
        for (def, acc) in crate::metrics::METRICS.iter().zip(accumulators) {
            let s = acc.summary();
            let cell = |x: Option<f64>| x.map_or(String::new(), csv_cell);
            csv.write_record([
                super::format::csv_text(name),
                def.key.to_string(),
                def.unit.to_string(),
                s.n.to_string(),
                cell(s.mean),
                cell(s.ci95_low),
                cell(s.ci95_high),
                cell(s.p5),
                cell(s.p50),
                cell(s.p95),
            ])
            .map_err(csv_error)?;
        }
    }
    let bytes = csv.into_inner().map_err(csv_error)?;
    String::from_utf8(bytes).map(Some).map_err(csv_error)
}

/// The weekly CSV text: `week,series,unit,n,mean,p5,p25,p50,p75,p95`.
pub fn weekly_csv(summary: &RunSummary) -> Result<String, String> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "week", "series", "unit", "n", "mean", "p5", "p25", "p50", "p75", "p95",
    ])
    .map_err(csv_error)?;
    for (week, row) in summary.weekly.iter().enumerate() {
        for (def, acc) in WEEKLY.iter().zip(row.iter()) {
            let s = acc.summary();
            let cell = |x: Option<f64>| x.map_or(String::new(), csv_cell);
            csv.write_record([
                (week + 1).to_string(),
                def.key.to_string(),
                def.unit.to_string(),
                s.n.to_string(),
                cell(s.mean),
                cell(s.p5),
                cell(s.p25),
                cell(s.p50),
                cell(s.p75),
                cell(s.p95),
            ])
            .map_err(csv_error)?;
        }
    }
    let bytes = csv.into_inner().map_err(csv_error)?;
    String::from_utf8(bytes).map_err(csv_error)
}
