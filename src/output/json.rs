//! The summary JSON: the run's seed, fully resolved scenario, every metric's summary (with, for
//! the duration quantiles, whether the replications fall in two clusters), notes, tier
//! probabilities and timing. Everything outside `timing` is identical for any thread count.
//!
//! The file is written and read back through the same typed [`SummaryFile`]: a missing or
//! mistyped field is an error when reading, never a silent default.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};

use crate::metrics::catalogue::Group;
use crate::metrics::ledger::Lens;
use crate::metrics::tiers::Tier;
use crate::metrics::{METRICS, Metric};
use crate::output::format::two_modes_note;
use crate::runner::{CHECKED_FOR_TWO_MODES, RunSummary, TierCounts};
use crate::scenario::Scenario;
use crate::stats::modes::TwoModes;
use crate::stats::summary::Summary;

/// File name of the summary JSON.
pub const SUMMARY_JSON: &str = "summary.json";

/// The name `summary.json` gives the tool in its `tool` field.
pub const TOOL: &str = "dorasim";

/// The whole `summary.json` document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryFile {
    /// Always `dorasim`.
    pub tool: String,
    /// Version of dorasim that wrote the file.
    pub version: String,
    /// Master seed.
    pub seed: u64,
    /// Replications.
    pub runs: u64,
    /// Events processed over all replications.
    pub events: u64,
    /// The lens of the measured ledger.
    pub lens: Lens,
    /// The fully resolved scenario.
    pub scenario: Scenario,
    /// Every metric's summary, by key, in catalogue order.
    pub metrics: IndexMap<String, MetricRecord>,
    /// Notes on metrics whose replications fall in two clusters.
    pub notes: Vec<String>,
    /// Warnings (metrics still growing at the end of the horizon).
    pub warnings: Vec<String>,
    /// Share of replications in each DORA tier.
    pub tiers: TierTables,
    /// Wall time and speed (the only part that depends on the machine and threads).
    pub timing: Timing,
    /// For an organisation of several teams: each team's metrics, from its own service's records
    /// (the `metrics` above are the organisation's roll-up). Absent for one team.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<TeamRecord>,
}

/// One team's metrics in `summary.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamRecord {
    /// The team's name.
    pub name: String,
    /// Every metric's summary, by key, in catalogue order.
    pub metrics: IndexMap<String, MetricRecord>,
}

/// The metric records of one set of accumulators (`two_modes` from `summary` when given).
fn metric_records(
    accumulators: &[crate::stats::summary::Accumulator],
    summary: Option<&RunSummary>,
) -> IndexMap<String, MetricRecord> {
    METRICS
        .iter()
        .zip(accumulators)
        .zip(Metric::ALL)
        .map(|((def, acc), metric)| {
            let record = MetricRecord {
                summary: acc.summary(),
                label: def.label.to_string(),
                unit: def.unit.to_string(),
                group: def.group,
                two_modes: summary.and_then(|summary| {
                    CHECKED_FOR_TWO_MODES
                        .contains(metric)
                        .then(|| summary.two_modes(*metric))
                }),
            };
            (def.key.to_string(), record)
        })
        .collect()
}

/// One metric in `summary.json`: its summary over replications and its description. (Unknown
/// fields cannot be refused here: serde does not support that with a flattened field.)
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetricRecord {
    /// Mean, CI and quantiles.
    #[serde(flatten)]
    pub summary: Summary,
    /// Label from the catalogue.
    pub label: String,
    /// Unit from the catalogue.
    pub unit: String,
    /// Group from the catalogue.
    pub group: Group,
    /// For the durations checked for two clusters: the clusters (`null` when there are none);
    /// absent for the other metrics.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub two_modes: Option<Option<TwoModes>>,
}

/// A field that may be `null` but was present.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Share of replications per tier in each DORA table.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierTables {
    /// The 2023 table.
    pub dora_2023: TierRecord,
    /// The 2024 table.
    pub dora_2024: TierRecord,
}

/// Share of replications per tier.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRecord {
    /// Elite.
    pub elite: f64,
    /// High.
    pub high: f64,
    /// Medium.
    pub medium: f64,
    /// Low.
    pub low: f64,
    /// Replications no tier fits.
    pub unclassified: f64,
}

impl TierRecord {
    /// The shares of `counts`.
    fn of(counts: &TierCounts) -> TierRecord {
        let [elite, high, medium, low] = counts.shares();
        let total = (counts.counts.iter().sum::<u64>() + counts.unclassified).max(1) as f64;
        TierRecord {
            elite,
            high,
            medium,
            low,
            unclassified: counts.unclassified as f64 / total,
        }
    }

    /// The shares in [`Tier::ALL`] order.
    pub fn shares(&self) -> [f64; 4] {
        [self.elite, self.high, self.medium, self.low]
    }
}

/// Wall time and speed of the run (`null` when not measurable).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    /// Worker threads.
    pub threads: usize,
    /// Wall time, seconds.
    pub wall_seconds: Option<f64>,
    /// Replications per second of wall time.
    pub replications_per_second: Option<f64>,
    /// Events per second of wall time.
    pub events_per_second: Option<f64>,
}

/// `Some(x)` for a finite `x` (JSON has no NaN or infinity).
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Builds the summary document.
pub fn summary_file(
    scenario: &Scenario,
    summary: &RunSummary,
    threads: usize,
    lens: Lens,
) -> SummaryFile {
    debug_assert_eq!(Tier::ALL.len(), 4);
    let metrics = metric_records(&summary.metrics, Some(summary));
    let notes = summary
        .two_modes_noted()
        .iter()
        .map(|(m, modes)| two_modes_note(m.def(), modes, summary.metric(*m).summary().mean))
        .collect();
    SummaryFile {
        tool: TOOL.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        seed: summary.seed,
        runs: summary.runs,
        events: summary.events,
        lens,
        scenario: scenario.clone(),
        metrics,
        notes,
        warnings: summary
            .growth_warnings()
            .iter()
            .map(|g| g.message())
            .collect(),
        tiers: TierTables {
            dora_2023: TierRecord::of(&summary.tiers_2023),
            dora_2024: TierRecord::of(&summary.tiers_2024),
        },
        timing: Timing {
            threads,
            wall_seconds: finite(summary.wall_seconds),
            replications_per_second: finite(summary.replications_per_second()),
            events_per_second: finite(summary.events_per_second()),
        },
        teams: summary
            .teams
            .iter()
            .map(|t| TeamRecord {
                name: t.name.clone(),
                metrics: metric_records(&t.metrics, None),
            })
            .collect(),
    }
}

/// Builds the summary document as JSON.
pub fn summary_json(
    scenario: &Scenario,
    summary: &RunSummary,
    threads: usize,
    lens: Lens,
) -> serde_json::Value {
    serde_json::to_value(summary_file(scenario, summary, threads, lens))
        .unwrap_or(serde_json::Value::Null)
}

/// Reads a summary document back; `Err` says which field is missing or mistyped.
pub fn read_summary(text: &str) -> Result<SummaryFile, String> {
    let file: SummaryFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if file.tool != TOOL {
        return Err(format!("`tool` is {:?}, not {TOOL:?}", file.tool));
    }
    Ok(file)
}
