//! The report's data model: everything a report shows, built either from a run in memory or from
//! a run's `--out` directory (`summary.json`, `weekly.csv`, and `replications.csv` when present).
//! Both paths go through the typed [`SummaryFile`] and [`ReportData::from_summary`], so the two
//! reports are the same.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::metrics::catalogue::{Group, MetricDef};
use crate::metrics::ledger::Lens;
use crate::metrics::{METRICS, Metric, ReplicationMetrics, WEEKLY};
use crate::model::params::{Params, Value, catalogue};
use crate::model::timeline::TimelineChange;
use crate::output::csv_files::{REPLICATIONS_CSV, WEEKLY_CSV};
use crate::output::json::{SUMMARY_JSON, SummaryFile, TierRecord, read_summary, summary_file};
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
    /// For an organisation: each team's name and metric summaries, in catalogue order (empty
    /// for one team).
    pub teams: Vec<(String, Vec<Summary>)>,
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
        let file = summary_file(scenario, summary, threads, lens);
        let mut data = Self::from_summary(&file, Path::new("<run>"))?;
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
        let file = read_summary(&text).map_err(|message| ReportError::Parse {
            path: summary_path.clone(),
            message,
        })?;
        let mut data = Self::from_summary(&file, &summary_path)?;
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

    /// The parts of the report held in a summary document; weekly series and distributions are
    /// left empty. Every metric of this version's catalogue must be in it.
    pub fn from_summary(file: &SummaryFile, path: &Path) -> Result<ReportData, ReportError> {
        let mut data = Self::from_scenario(&file.scenario, file.seed, file.runs, file.lens);
        data.version = file.version.clone();
        data.wall_seconds = file.timing.wall_seconds;
        data.tiers_2024 = tier_shares(&file.tiers.dora_2024);
        data.tiers_2023 = tier_shares(&file.tiers.dora_2023);
        for entry in &mut data.metrics {
            let record = file
                .metrics
                .get(entry.def.key)
                .ok_or_else(|| ReportError::Parse {
                    path: path.to_path_buf(),
                    message: format!(
                        "no metric `{}` (written by dorasim {}; rerun with this version)",
                        entry.def.key, file.version
                    ),
                })?;
            entry.summary = record.summary;
            entry.two_modes = record.two_modes.flatten();
        }
        for team in &file.teams {
            let summaries = METRICS
                .iter()
                .map(|def| {
                    team.metrics
                        .get(def.key)
                        .map_or_else(empty_summary, |r| r.summary)
                })
                .collect();
            data.teams.push((team.name.clone(), summaries));
        }
        Ok(data)
    }

    /// The parts of the report that describe a scenario (metrics empty), for a study's report.
    pub fn from_scenario(scenario: &Scenario, seed: u64, runs: u64, lens: Lens) -> ReportData {
        let params = &scenario.params;
        ReportData {
            version: env!("CARGO_PKG_VERSION").to_string(),
            name: scenario.name.clone(),
            description: crate::output::command::label(&scenario.description, &scenario.overrides),
            lesson: scenario.lesson.clone().filter(|l| !l.trim().is_empty()),
            origin: scenario.origin.clone(),
            overrides: scenario.overrides.clone(),
            seed,
            runs,
            lens: lens.name().to_string(),
            wall_seconds: None,
            horizon_weeks: params.time.horizon_weeks,
            warmup_weeks: params.time.warmup_weeks,
            metrics: METRICS
                .iter()
                .map(|def| MetricEntry {
                    def,
                    summary: empty_summary(),
                    two_modes: None,
                })
                .collect(),
            tiers_2024: TierShares::default(),
            tiers_2023: TierShares::default(),
            weekly: Vec::new(),
            events: scenario.timeline.iter().map(timeline_event).collect(),
            parameters: parameters(params),
            distributions: Vec::new(),
            teams: Vec::new(),
        }
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

fn tier_shares(record: &TierRecord) -> TierShares {
    TierShares {
        shares: record.shares(),
        unclassified: record.unclassified,
    }
}

/// A compact rendering of a parameter value: distributions as `lognormal median 80, p90 400`.
fn value_text(value: &Value) -> String {
    match value {
        Value::Float(x) => plain(*x),
        Value::Integer(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Choice(word) => word.clone(),
        Value::Dist(dist) => {
            let fields: Vec<String> = dist
                .fields()
                .iter()
                .map(|(name, x)| format!("{name} {}", plain(*x)))
                .collect();
            format!("{} {}", dist.name(), fields.join(", "))
        }
    }
}

/// Every parameter as `(key path, compact value)`, in catalogue order.
fn parameters(params: &Params) -> Vec<(String, String)> {
    catalogue()
        .iter()
        .filter_map(|info| Some((info.key.to_string(), value_text(&params.get(info.key)?))))
        .collect()
}

fn timeline_event(change: &TimelineChange) -> TimelineEvent {
    let key = change.key.clone();
    if let Some([start, end]) = change.ramp_weeks {
        let from = change
            .from
            .map(|f| format!("{} ", plain(f)))
            .unwrap_or_default();
        let to = change.to.map(plain).unwrap_or_default();
        return TimelineEvent {
            label: format!(
                "{key}: {from}→ {to} (ramp, weeks {}–{})",
                plain(start),
                plain(end)
            ),
            key,
            start_week: start,
            end_week: Some(end),
        };
    }
    let at = change.at_week.unwrap_or(0.0);
    let value = change.value.as_ref().map(value_text).unwrap_or_default();
    TimelineEvent {
        label: format!("{key} → {value} (week {})", plain(at)),
        key,
        start_week: at,
        end_week: None,
    }
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
