//! The report's data model: everything a report shows, built either from a run in memory or from
//! a run's `--out` directory (`summary.json`, `weekly.csv`, and `replications.csv` when present).
//! Both paths go through [`ReportData::from_summary_value`], so the two reports are the same.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::metrics::catalogue::{Group, MetricDef};
use crate::metrics::ledger::Lens;
use crate::metrics::{METRICS, Metric, ReplicationMetrics, WEEKLY};
use crate::output::csv_files::{REPLICATIONS_CSV, WEEKLY_CSV};
use crate::output::json::{SUMMARY_JSON, summary_json};
use crate::runner::RunSummary;
use crate::scenario::Scenario;
use crate::stats::modes::TwoModes;
use crate::stats::summary::Summary;

/// Errors building a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A results file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A results file is not what `dorasim run --out` writes.
    #[error("`{path}` is not a dorasim results file: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A chart could not be drawn.
    #[error("drawing the chart `{chart}`: {message}")]
    Chart {
        /// Chart id.
        chart: String,
        /// The plotting library's message.
        message: String,
    },
}

/// The metrics whose distribution over replications the report draws.
pub const DISTRIBUTION_METRICS: &[Metric] = &[
    Metric::DeploysPerWeek,
    Metric::LeadTimeP50,
    Metric::ChangeFailRate,
    Metric::RecoveryP50,
    Metric::ReworkRate,
    Metric::Availability,
    Metric::LeadTimeP90,
    Metric::LeadTimeMean,
    Metric::LeadTimeWorkingP50,
    Metric::RecoveryP90,
    Metric::SloWeeksMet,
    Metric::Incidents,
    Metric::NonAttributableIncidents,
    Metric::ReviewWaitMean,
];

/// Most replications kept in memory for the distributions of a report rendered during a run.
pub const MAX_DISTRIBUTION_VALUES: usize = 100_000;

/// One metric's summary over replications, with its description.
#[derive(Debug, Clone)]
pub struct MetricEntry {
    /// Description from the catalogue (key, label, unit, group).
    pub def: &'static MetricDef,
    /// Mean, CI and quantiles.
    pub summary: Summary,
    /// The two clusters the replications fall in, when they do (summary.json's `two_modes`;
    /// only the durations of [`crate::runner::CHECKED_FOR_TWO_MODES`] are checked).
    pub two_modes: Option<TwoModes>,
}

/// Quantile bands of one weekly series for one measured week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeekBand {
    /// Week of the measured horizon, 1-based.
    pub week: u32,
    /// Mean over replications.
    pub mean: Option<f64>,
    /// 5th percentile over replications.
    pub p5: Option<f64>,
    /// 25th percentile.
    pub p25: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 75th percentile.
    pub p75: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
}

/// One weekly series over the measured horizon.
#[derive(Debug, Clone)]
pub struct WeeklySeries {
    /// Description from the catalogue.
    pub def: &'static MetricDef,
    /// One band per week, in week order.
    pub weeks: Vec<WeekBand>,
}

/// A change of the scenario's timeline, in weeks of the measured horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEvent {
    /// Parameter key path.
    pub key: String,
    /// Week the change starts.
    pub start_week: f64,
    /// Week a ramp ends (`None` for a step).
    pub end_week: Option<f64>,
    /// Short description, such as `ai.adoption → 0.8 (ramp, weeks 0–13)`.
    pub label: String,
}

/// Replication values of one metric.
#[derive(Debug, Clone)]
pub struct Distribution {
    /// The metric.
    pub metric: Metric,
    /// Defined values, in replication order.
    pub values: Vec<f64>,
}

/// Share of replications per DORA tier.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TierShares {
    /// Elite, high, medium, low.
    pub shares: [f64; 4],
    /// Replications that could not be classified.
    pub unclassified: f64,
}

/// Everything a report shows.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// Version of dorasim that ran the scenario.
    pub version: String,
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// The lesson of a teaching scenario.
    pub lesson: Option<String>,
    /// Scenario file or `<embedded default>`.
    pub origin: String,
    /// The `--set` overrides applied on top of the file.
    pub overrides: Vec<String>,
    /// Master seed.
    pub seed: u64,
    /// Replications.
    pub runs: u64,
    /// Lens of the measured ledger.
    pub lens: String,
    /// Wall time of the run, seconds.
    pub wall_seconds: Option<f64>,
    /// Measured weeks.
    pub horizon_weeks: f64,
    /// Warm-up weeks.
    pub warmup_weeks: f64,
    /// Every metric, in catalogue order.
    pub metrics: Vec<MetricEntry>,
    /// DORA 2024 tier shares.
    pub tiers_2024: TierShares,
    /// DORA 2023 tier shares.
    pub tiers_2023: TierShares,
    /// Weekly series, in catalogue order.
    pub weekly: Vec<WeeklySeries>,
    /// The scenario's timeline.
    pub events: Vec<TimelineEvent>,
    /// Resolved parameters as `(key path, value)`.
    pub parameters: Vec<(String, String)>,
    /// Distributions over replications (empty without per-replication values).
    pub distributions: Vec<Distribution>,
}

impl ReportData {
    /// The report of a run held in memory. `replications` are the per-replication values
    /// collected by a [`DistributionCollector`] (may be empty).
    pub fn from_run(
        scenario: &Scenario,
        summary: &RunSummary,
        threads: usize,
        lens: Lens,
        distributions: Vec<Distribution>,
    ) -> Result<ReportData, ReportError> {
        let json = summary_json(scenario, summary, threads, lens);
        let mut data = Self::from_summary_value(&json, Path::new("<run>"))?;
        data.weekly = WEEKLY
            .iter()
            .enumerate()
            .map(|(index, def)| WeeklySeries {
                def,
                weeks: summary
                    .weekly
                    .iter()
                    .enumerate()
                    .map(|(week, row)| {
                        let s = row.get(index).map(|acc| acc.summary());
                        band(week as u32 + 1, s.as_ref())
                    })
                    .collect(),
            })
            .collect();
        data.distributions = distributions;
        Ok(data)
    }

    /// The report of a run's `--out` directory.
    pub fn from_dir(dir: &Path) -> Result<ReportData, ReportError> {
        let summary_path = dir.join(SUMMARY_JSON);
        let text = read(&summary_path)?;
        let json: Value = serde_json::from_str(&text).map_err(|e| ReportError::Parse {
            path: summary_path.clone(),
            message: e.to_string(),
        })?;
        let mut data = Self::from_summary_value(&json, &summary_path)?;
        let weekly_path = dir.join(WEEKLY_CSV);
        if weekly_path.exists() {
            data.weekly = parse_weekly(&weekly_path, &read(&weekly_path)?)?;
        }
        let replications_path = dir.join(REPLICATIONS_CSV);
        if replications_path.exists() {
            data.distributions = parse_replications(&replications_path)?;
        }
        Ok(data)
    }

    /// The parts of the report held in a summary document (see
    /// `summary_json`); weekly series and distributions
    /// are left empty.
    pub fn from_summary_value(json: &Value, path: &Path) -> Result<ReportData, ReportError> {
        let bad = |message: &str| ReportError::Parse {
            path: path.to_path_buf(),
            message: message.to_string(),
        };
        if json.get("tool").and_then(Value::as_str) != Some("dorasim") {
            return Err(bad("no `\"tool\": \"dorasim\"` field"));
        }
        let scenario = json.get("scenario").ok_or_else(|| bad("no `scenario`"))?;
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
        let metrics_json = json.get("metrics").ok_or_else(|| bad("no `metrics`"))?;
        let metrics = METRICS
            .iter()
            .map(|def| {
                let entry = metrics_json.get(def.key);
                let summary = entry
                    .and_then(|v| serde_json::from_value::<Summary>(v.clone()).ok())
                    .unwrap_or_else(empty_summary);
                // Absent from a summary.json of an older version: no clusters reported.
                let two_modes = entry
                    .and_then(|v| v.get("two_modes"))
                    .and_then(|v| serde_json::from_value::<TwoModes>(v.clone()).ok());
                MetricEntry {
                    def,
                    summary,
                    two_modes,
                }
            })
            .collect();
        let params = scenario.get("params").cloned().unwrap_or(Value::Null);
        let number = |v: &Value, a: &str, b: &str| v.get(a).and_then(|t| t.get(b))?.as_f64();
        let mut parameters = Vec::new();
        flatten(&params, "", &mut parameters);
        let events = scenario
            .get("timeline")
            .and_then(Value::as_array)
            .map(|changes| changes.iter().filter_map(timeline_event).collect())
            .unwrap_or_default();
        let overrides: Vec<String> = scenario
            .get("overrides")
            .and_then(Value::as_array)
            .map(|sets| {
                sets.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Ok(ReportData {
            version: text(json, "version").unwrap_or_default(),
            name: text(scenario, "name").unwrap_or_default(),
            description: crate::output::command::label(
                &text(scenario, "description").unwrap_or_default(),
                &overrides,
            ),
            lesson: text(scenario, "lesson").filter(|l| !l.trim().is_empty()),
            origin: text(scenario, "origin").unwrap_or_default(),
            overrides,
            seed: json.get("seed").and_then(Value::as_u64).unwrap_or(0),
            runs: json.get("runs").and_then(Value::as_u64).unwrap_or(0),
            lens: text(json, "lens").unwrap_or_else(|| "truth".into()),
            wall_seconds: json
                .get("timing")
                .and_then(|t| t.get("wall_seconds"))
                .and_then(Value::as_f64),
            horizon_weeks: number(&params, "time", "horizon_weeks").unwrap_or(26.0),
            warmup_weeks: number(&params, "time", "warmup_weeks").unwrap_or(0.0),
            metrics,
            tiers_2024: tier_shares(json.get("tiers").and_then(|t| t.get("dora_2024"))),
            tiers_2023: tier_shares(json.get("tiers").and_then(|t| t.get("dora_2023"))),
            weekly: Vec::new(),
            events,
            parameters,
            distributions: Vec::new(),
        })
    }

    /// The summary of one metric.
    pub fn summary(&self, metric: Metric) -> &Summary {
        &self.metrics[metric as usize].summary
    }

    /// Mean of one metric, when defined.
    pub fn mean(&self, metric: Metric) -> Option<f64> {
        self.summary(metric).mean
    }

    /// The weekly series with this key.
    pub fn weekly_series(&self, key: &str) -> Option<&WeeklySeries> {
        self.weekly.iter().find(|s| s.def.key == key)
    }

    /// The metrics of one group, in catalogue order.
    pub fn group(&self, group: Group) -> impl Iterator<Item = &MetricEntry> {
        self.metrics.iter().filter(move |m| m.def.group == group)
    }
}

/// Collects, during a run, the per-replication values of [`DISTRIBUTION_METRICS`] (at most
/// [`MAX_DISTRIBUTION_VALUES`] replications, so memory stays bounded).
#[derive(Debug, Clone, Default)]
pub struct DistributionCollector {
    values: Vec<Vec<f64>>,
    seen: usize,
}

impl DistributionCollector {
    /// An empty collector.
    pub fn new() -> Self {
        DistributionCollector {
            values: vec![Vec::new(); DISTRIBUTION_METRICS.len()],
            seen: 0,
        }
    }

    /// Records one replication.
    pub fn push(&mut self, metrics: &ReplicationMetrics) {
        if self.seen >= MAX_DISTRIBUTION_VALUES {
            return;
        }
        self.seen += 1;
        for (values, metric) in self.values.iter_mut().zip(DISTRIBUTION_METRICS) {
            let x = metrics.get(*metric);
            if x.is_finite() {
                values.push(x);
            }
        }
    }

    /// The distributions collected.
    pub fn finish(self) -> Vec<Distribution> {
        DISTRIBUTION_METRICS
            .iter()
            .zip(self.values)
            .map(|(metric, values)| Distribution {
                metric: *metric,
                values,
            })
            .collect()
    }
}

/// The shortest exact text of a number (`13`, `0.8`).
fn plain(x: f64) -> String {
    format!("{x}")
}

fn read(path: &Path) -> Result<String, ReportError> {
    std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn empty_summary() -> Summary {
    Summary {
        n: 0,
        undefined: 0,
        mean: None,
        ci95_low: None,
        ci95_high: None,
        std_dev: None,
        p5: None,
        p25: None,
        p50: None,
        p75: None,
        p95: None,
        min: None,
        max: None,
    }
}

fn band(week: u32, s: Option<&Summary>) -> WeekBand {
    WeekBand {
        week,
        mean: s.and_then(|s| s.mean),
        p5: s.and_then(|s| s.p5),
        p25: s.and_then(|s| s.p25),
        p50: s.and_then(|s| s.p50),
        p75: s.and_then(|s| s.p75),
        p95: s.and_then(|s| s.p95),
    }
}

fn tier_shares(value: Option<&Value>) -> TierShares {
    let get = |key: &str| value.and_then(|v| v.get(key)).and_then(Value::as_f64);
    TierShares {
        shares: ["elite", "high", "medium", "low"].map(|k| get(k).unwrap_or(0.0)),
        unclassified: get("unclassified").unwrap_or(0.0),
    }
}

/// A compact rendering of a parameter value: distributions as `lognormal median 80, p90 400`.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), plain),
        Value::Object(map) if map.contains_key("dist") => {
            let rest: Vec<String> = map
                .iter()
                .filter(|(k, _)| k.as_str() != "dist")
                .map(|(k, v)| format!("{k} {}", value_text(v)))
                .collect();
            format!("{} {}", value_text(&map["dist"]), rest.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(value_text).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

fn flatten(value: &Value, prefix: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.contains_key("dist") => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(v, &path, out);
            }
        }
        other => out.push((prefix.to_string(), value_text(other))),
    }
}

fn timeline_event(change: &Value) -> Option<TimelineEvent> {
    let key = change.get("key")?.as_str()?.to_string();
    let weeks = |v: &Value| plain(v.as_f64().unwrap_or(f64::NAN));
    if let Some(ramp) = change.get("ramp_weeks").and_then(Value::as_array) {
        let start = ramp.first()?.as_f64()?;
        let end = ramp.get(1)?.as_f64()?;
        let from = change
            .get("from")
            .map(|f| format!("{} ", value_text(f)))
            .unwrap_or_default();
        let to = change.get("to").map(value_text).unwrap_or_default();
        return Some(TimelineEvent {
            label: format!(
                "{key}: {from}→ {to} (ramp, weeks {}–{})",
                weeks(&ramp[0]),
                weeks(&ramp[1])
            ),
            key,
            start_week: start,
            end_week: Some(end),
        });
    }
    let at = change.get("at_week")?.as_f64()?;
    let value = change.get("value").map(value_text).unwrap_or_default();
    Some(TimelineEvent {
        label: format!("{key} → {value} (week {})", plain(at)),
        key,
        start_week: at,
        end_week: None,
    })
}

fn parse_weekly(path: &Path, text: &str) -> Result<Vec<WeeklySeries>, ReportError> {
    let bad = |message: String| ReportError::Parse {
        path: path.to_path_buf(),
        message,
    };
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("no `{name}` column")))
    };
    let [week, series, mean, p5, p25, p50, p75, p95] =
        ["week", "series", "mean", "p5", "p25", "p50", "p75", "p95"];
    let (week, series) = (column(week)?, column(series)?);
    let cols = [
        column(mean)?,
        column(p5)?,
        column(p25)?,
        column(p50)?,
        column(p75)?,
        column(p95)?,
    ];
    let mut by_key: BTreeMap<&'static str, Vec<WeekBand>> = BTreeMap::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let Some(def) = WEEKLY.iter().find(|d| Some(d.key) == record.get(series)) else {
            continue;
        };
        let week = record
            .get(week)
            .and_then(|w| w.parse::<u32>().ok())
            .ok_or_else(|| bad(format!("row {}: week is not a whole number", line + 2)))?;
        let cell = |i: usize| record.get(cols[i]).and_then(|c| c.parse::<f64>().ok());
        by_key.entry(def.key).or_default().push(WeekBand {
            week,
            mean: cell(0),
            p5: cell(1),
            p25: cell(2),
            p50: cell(3),
            p75: cell(4),
            p95: cell(5),
        });
    }
    Ok(WEEKLY
        .iter()
        .filter_map(|def| {
            let mut weeks = by_key.remove(def.key)?;
            weeks.sort_by_key(|b| b.week);
            Some(WeeklySeries { def, weeks })
        })
        .collect())
}

fn parse_replications(path: &Path) -> Result<Vec<Distribution>, ReportError> {
    let bad = |message: String| ReportError::Parse {
        path: path.to_path_buf(),
        message,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let columns: Vec<(Metric, usize)> = DISTRIBUTION_METRICS
        .iter()
        .filter_map(|m| Some((*m, headers.iter().position(|h| h == m.def().key)?)))
        .collect();
    let mut values = vec![Vec::new(); columns.len()];
    for record in reader.records().take(MAX_DISTRIBUTION_VALUES) {
        let record = record.map_err(|e| bad(e.to_string()))?;
        for (out, (_, col)) in values.iter_mut().zip(&columns) {
            if let Some(x) = record.get(*col).and_then(|c| c.parse::<f64>().ok())
                && x.is_finite()
            {
                out.push(x);
            }
        }
    }
    Ok(columns
        .into_iter()
        .zip(values)
        .map(|((metric, _), values)| Distribution { metric, values })
        .collect())
}
