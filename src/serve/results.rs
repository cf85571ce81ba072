//! What the page shows of a run, partial or final: DORA's five metrics and reliability with
//! their confidence intervals, the tier probabilities, the dashboard beside the truth, and (when
//! the run is done) the weekly fan charts, drawn by the report's own chart code so they look the
//! same as in `dorasim report`.

use serde::Serialize;

use crate::analysis::focus::{Better, DASHBOARD, FOCUS};
use crate::metrics::Metric;
use crate::metrics::ledger::Lens;
use crate::report::ReportData;
use crate::runner::{RunSummary, TierCounts};
use crate::scenario::Scenario;
use crate::stats::summary::Summary;

/// One metric's estimate.
#[derive(Debug, Clone, Serialize)]
pub struct MetricView {
    /// Catalogue key.
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Which direction is better.
    pub better: Better,
    /// Mean, CI and quantiles over the replications so far.
    #[serde(flatten)]
    pub summary: Summary,
}

/// Share of replications per tier (elite, high, medium, low) and unclassified.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TierView {
    /// Elite.
    pub elite: f64,
    /// High.
    pub high: f64,
    /// Medium.
    pub medium: f64,
    /// Low.
    pub low: f64,
    /// No tier fits (nothing deployed).
    pub unclassified: f64,
}

impl TierView {
    fn of(counts: &TierCounts) -> Self {
        let [elite, high, medium, low] = counts.shares();
        let total = (counts.counts.iter().sum::<u64>() + counts.unclassified).max(1) as f64;
        TierView {
            elite,
            high,
            medium,
            low,
            unclassified: counts.unclassified as f64 / total,
        }
    }
}

/// One dashboard metric beside its true counterpart.
#[derive(Debug, Clone, Serialize)]
pub struct DashboardView {
    /// Label of the true metric.
    pub label: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// The true ledger's estimate.
    pub truth: Summary,
    /// The measured ledger's estimate (through the lens).
    pub measured: Summary,
    /// The gap, measured − true, per replication.
    pub gap: Summary,
}

/// A chart, drawn server-side as SVG with its title and legend.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    /// Chart id (as in the report).
    pub id: String,
    /// Title.
    pub title: String,
    /// The standalone SVG.
    pub svg: String,
}

/// The page's view of one run.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    /// Master seed.
    pub seed: u64,
    /// Replications in these figures.
    pub runs: u64,
    /// The lens of the dashboard.
    pub lens: &'static str,
    /// Scenario name.
    pub name: String,
    /// Description with the overrides.
    pub label: String,
    /// The lesson of a teaching scenario.
    pub lesson: Option<String>,
    /// DORA's five metrics, reliability and flow ([`FOCUS`]).
    pub metrics: Vec<MetricView>,
    /// DORA 2024 tiers.
    pub tiers_2024: TierView,
    /// DORA 2023 tiers.
    pub tiers_2023: TierView,
    /// The dashboard beside the truth.
    pub dashboard: Vec<DashboardView>,
    /// Weekly fan charts (final results only).
    pub charts: Vec<ChartView>,
}

/// The true metric and the gap metric of each dashboard metric.
const DASHBOARD_PAIRS: [(Metric, Metric); 5] = [
    (Metric::DeploysPerWeek, Metric::GapDeploysPerWeek),
    (Metric::LeadTimeP50, Metric::GapLeadTimeP50),
    (Metric::ChangeFailRate, Metric::GapChangeFailRate),
    (Metric::RecoveryP50, Metric::GapRecoveryP50),
    (Metric::ReworkRate, Metric::GapReworkRate),
];

/// Weekly series drawn as fan charts: the series and its measured overlay.
const FANS: &[(&str, Option<&str>)] = &[
    ("deployments", Some("measured_deployments")),
    ("lead_time_p50_hours", Some("measured_lead_time_p50_hours")),
    ("change_fail_rate", Some("measured_change_fail_rate")),
    ("recovery_p50_hours", None),
    ("rework_rate", Some("measured_rework_rate")),
    ("availability", None),
];

/// The view of `summary` (replications so far); with `charts`, the fan charts too.
pub fn run_view(scenario: &Scenario, summary: &RunSummary, lens: Lens, charts: bool) -> RunView {
    let metrics = FOCUS
        .iter()
        .map(|&(metric, better)| {
            let def = metric.def();
            MetricView {
                key: def.key,
                label: def.label,
                unit: def.unit,
                better,
                summary: summary.metric(metric).summary(),
            }
        })
        .collect();
    let dashboard = DASHBOARD
        .iter()
        .zip(DASHBOARD_PAIRS)
        .map(|(&(measured, _), (truth, gap))| DashboardView {
            label: truth.def().label,
            unit: truth.def().unit,
            truth: summary.metric(truth).summary(),
            measured: summary.metric(measured).summary(),
            gap: summary.metric(gap).summary(),
        })
        .collect();
    RunView {
        seed: summary.seed,
        runs: summary.runs,
        lens: lens.name(),
        name: scenario.name.clone(),
        label: crate::output::command::label(&scenario.description, &scenario.overrides),
        lesson: scenario.lesson.clone().filter(|l| !l.trim().is_empty()),
        metrics,
        tiers_2024: TierView::of(&summary.tiers_2024),
        tiers_2023: TierView::of(&summary.tiers_2023),
        dashboard,
        charts: if charts && summary.runs > 0 {
            fan_charts(scenario, summary, lens)
        } else {
            Vec::new()
        },
    }
}

/// The weekly fan charts of the report, drawn from `summary`. A chart that cannot be drawn is
/// left out (the numbers stand without it).
fn fan_charts(scenario: &Scenario, summary: &RunSummary, lens: Lens) -> Vec<ChartView> {
    let Ok(data) = ReportData::from_run(scenario, summary, 1, lens, Vec::new()) else {
        return Vec::new();
    };
    FANS.iter()
        .filter_map(|(key, overlay)| {
            let series = data.weekly_series(key)?;
            let overlay = overlay.and_then(|k| data.weekly_series(k));
            let id = format!("weekly-{}", key.replace('_', "-"));
            let chart =
                crate::report::charts::fan(&id, series, overlay, &data.events, data.horizon_weeks)
                    .ok()?;
            Some(ChartView {
                id: chart.id.clone(),
                title: chart.title.clone(),
                svg: chart.standalone_svg(),
            })
        })
        .collect()
}
