//! The per-team table of an organisation: each team's DORA metrics as its own service's tooling
//! measures them (DORA defines them per application or service), with the organisation's roll-up
//! (every service's records together) as a leader sees it. Shared by the terminal, the CSV and
//! the report.

use crate::metrics::Metric;
use crate::runner::RunSummary;
use crate::stats::summary::{Accumulator, Summary};

use super::format::value;

/// The metrics of the per-team table, in column order, with a short header.
pub const TEAM_COLUMNS: [(Metric, &str); 9] = [
    (Metric::DeploysPerWeek, "deploys/week"),
    (Metric::LeadTimeP50, "lead p50 h"),
    (Metric::ChangeFailRate, "change fail"),
    (Metric::RecoveryP50, "recovery p50 h"),
    (Metric::ReworkRate, "rework"),
    (Metric::Availability, "availability"),
    (Metric::ThroughputPerWeek, "delivered/week"),
    (Metric::Incidents, "incidents"),
    (Metric::IncidentsCrossService, "from others"),
];

/// Name of the roll-up row.
pub const ORGANISATION: &str = "organisation";

/// The rows of the table: each team's name and accumulators, then the organisation's.
pub fn rows(summary: &RunSummary) -> Vec<(&str, &[Accumulator])> {
    summary
        .teams
        .iter()
        .map(|t| (t.name.as_str(), t.metrics.as_slice()))
        .chain(std::iter::once((ORGANISATION, summary.metrics.as_slice())))
        .collect()
}

/// A figure with the half-width of its 95 % confidence interval: `6.69 ±0.11`.
pub fn cell(metric: Metric, s: &Summary) -> String {
    let def = metric.def();
    match (s.mean, s.ci95_low, s.ci95_high) {
        (Some(mean), Some(low), Some(high)) => {
            let half = (high - low) / 2.0;
            let shown = value(def, half);
            format!("{} ±{}", value(def, mean), shown.trim_end_matches(" %"))
        }
        (Some(mean), _, _) => value(def, mean),
        _ => "n/a".to_string(),
    }
}

/// The per-team table as text (empty for a one-team run).
pub fn table(summary: &RunSummary) -> String {
    use std::fmt::Write;
    if summary.teams.is_empty() {
        return String::new();
    }
    let rows = rows(summary);
    let name_width = rows
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(_, accs)| {
            TEAM_COLUMNS
                .iter()
                .map(|(m, _)| cell(*m, &accs[*m as usize].summary()))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = TEAM_COLUMNS
        .iter()
        .enumerate()
        .map(|(k, (_, h))| {
            cells
                .iter()
                .map(|r| r[k].chars().count())
                .max()
                .unwrap_or(0)
                .max(h.len())
        })
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nTeams: each service's DORA metrics as its own tooling measures them, and the \
         organisation's roll-up (mean ±95 % CI half-width)"
    );
    let _ = write!(out, "  {:<name_width$}", "team");
    for ((_, h), w) in TEAM_COLUMNS.iter().zip(&widths) {
        let _ = write!(out, "  {h:>w$}");
    }
    out.push('\n');
    for ((name, _), row) in rows.iter().zip(&cells) {
        let _ = write!(out, "  {:<name_width$}", super::format::printable(name));
        for (c, w) in row.iter().zip(&widths) {
            let _ = write!(out, "  {c:>w$}");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "  'from others': incidents in the service caused by another team's deployment (cross-service \
         integration defects); each team's change fail rate counts only failures its own service's \
         tooling links to its own deployments, the organisation's counts them all."
    );
    out
}
