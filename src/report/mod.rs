//! HTML reports: one self-contained file per run, charts inline as SVG.
//!
//! A report is built in three steps: the [`data::ReportData`] model (from a run in memory with
//! [`ReportData::from_run`], or from a run's `--out` directory with [`ReportData::from_dir`]),
//! the [`charts`] drawn from it with plotters' SVG backend, and the [`html`] page around them.
//!
//! ```no_run
//! use std::path::Path;
//! use dorasim::report::{ReportData, build};
//!
//! let data = ReportData::from_dir(Path::new("results")).expect("a run's --out directory");
//! let report = build(&data).expect("charts");
//! std::fs::write("results/report.html", report.html).expect("write");
//! ```

pub mod analysis;
pub mod charts;
pub mod compare;
pub mod data;
pub mod fit;
pub mod forecast;
pub mod html;
pub mod sensitivity;
pub mod sweep;

use std::path::{Path, PathBuf};

use crate::metrics::Metric;
use crate::metrics::catalogue::Group;
use crate::output::{OutputDir, OutputError};

pub use charts::Chart;
pub use data::{DistributionCollector, ReportData, ReportError};
pub use html::SECTIONS;

use charts::{BLUE, BarSeries, GREEN, LegendEntry, ORANGE, Swatch, ci_entry};

/// Default file name of a report in a run's output directory.
pub const REPORT_HTML: &str = "report.html";

/// A rendered report: the page and every chart in it.
#[derive(Debug, Clone)]
pub struct Report {
    /// The self-contained HTML page.
    pub html: String,
    /// The charts, also embedded in the page.
    pub charts: Vec<Chart>,
}

/// Weekly series drawn in each section: `(chart id prefix, series key, measured overlay key)`.
const WEEKLY_CHARTS: &[(&str, &str, Option<&str>)] = &[
    ("weekly-", "deployments", Some("measured_deployments")),
    (
        "weekly-",
        "lead_time_p50_hours",
        Some("measured_lead_time_p50_hours"),
    ),
    (
        "weekly-",
        "change_fail_rate",
        Some("measured_change_fail_rate"),
    ),
    ("weekly-", "recovery_p50_hours", None),
    ("weekly-", "rework_rate", Some("measured_rework_rate")),
    ("weekly-", "availability", None),
    ("weekly-", "ai_adoption", None),
    ("flow-", "review_queue", None),
    ("flow-", "wip", None),
    ("incidents-", "fragility", None),
    ("incidents-", "incidents", None),
    ("incidents-", "incidents_non_attributable", None),
];

/// Draws every chart and builds the page.
pub fn build(data: &ReportData) -> Result<Report, ReportError> {
    let charts = all_charts(data)?;
    let html = html::page(data, &charts);
    Ok(Report { html, charts })
}

fn all_charts(data: &ReportData) -> Result<Vec<Chart>, ReportError> {
    let mut out = Vec::new();
    for (prefix, key, overlay) in WEEKLY_CHARTS {
        let Some(series) = data.weekly_series(key) else {
            continue;
        };
        let overlay = overlay.and_then(|k| data.weekly_series(k));
        let id = format!("{prefix}{}", key.replace('_', "-"));
        out.push(charts::fan(
            &id,
            series,
            overlay,
            &data.events,
            data.horizon_weeks,
        )?);
    }
    for distribution in &data.distributions {
        let def = distribution.metric.def();
        let id = format!("dist-{}", def.key.replace('_', "-"));
        out.push(charts::histogram(
            &id,
            def,
            &distribution.values,
            data.summary(distribution.metric),
            data.metrics[distribution.metric as usize]
                .two_modes
                .as_ref(),
        )?);
    }
    out.push(lead_time_chart(data)?);
    out.push(funnel_chart(data)?);
    out.push(time_use_chart(data)?);
    Ok(out)
}

/// Mean and 95 % CI of a metric, scaled.
fn bar_value(data: &ReportData, metric: Metric, factor: f64) -> Option<charts::BarValue> {
    let s = data.summary(metric);
    let ci = s
        .ci95_low
        .zip(s.ci95_high)
        .map(|(l, h)| (l * factor, h * factor));
    s.mean.map(|m| (m * factor, ci))
}

fn lead_time_chart(data: &ReportData) -> Result<Chart, ReportError> {
    let stages = [
        (Metric::LeadCoding, "Coding"),
        (Metric::LeadReviewWait, "Review wait"),
        (Metric::LeadReview, "Review"),
        (Metric::LeadRework, "Rework"),
        (Metric::LeadTests, "Tests, staging"),
        (Metric::LeadDeployWait, "Deploy wait"),
    ];
    let labels: Vec<&str> = stages.iter().map(|(_, l)| *l).collect();
    let series = BarSeries {
        colour: BLUE,
        values: stages
            .iter()
            .map(|(m, _)| bar_value(data, *m, 1.0))
            .collect(),
    };
    Ok(charts::bars(
        "lead-time",
        "Lead time by stage (mean hours per change)",
        &labels,
        &[series],
        "hours per change",
        640,
    )?
    .with_legend(vec![
        LegendEntry::new(Swatch::Fill(0.85), BLUE, "mean hours per delivered change"),
        ci_entry(),
    ]))
}

fn funnel_chart(data: &ReportData) -> Result<Chart, ReportError> {
    use Metric as M;
    // (described, integration) per stage, hand-written then AI-assisted.
    let stages = [
        (
            "Injected",
            [M::InjectedDescribedHuman, M::InjectedIntegrationHuman],
            [M::InjectedDescribedAi, M::InjectedIntegrationAi],
        ),
        (
            "Caught in review",
            [M::ReviewDescribedHuman, M::ReviewIntegrationHuman],
            [M::ReviewDescribedAi, M::ReviewIntegrationAi],
        ),
        (
            "Caught in tests",
            [M::TestsDescribedHuman, M::TestsIntegrationHuman],
            [M::TestsDescribedAi, M::TestsIntegrationAi],
        ),
        (
            "Escaped",
            [M::EscapedDescribedHuman, M::EscapedIntegrationHuman],
            [M::EscapedDescribedAi, M::EscapedIntegrationAi],
        ),
    ];
    // The sum of two means; its CI from the two half-widths added in quadrature is a fair
    // approximation for a chart (the two counts are positively correlated, so slightly narrow).
    let sum = |pair: [Metric; 2]| {
        let mut mean = 0.0;
        let mut half_sq = 0.0;
        for m in pair {
            let s = data.summary(m);
            mean += s.mean?;
            let half = s.ci95_high.zip(s.mean).map_or(0.0, |(h, m)| h - m);
            half_sq += half * half;
        }
        let half = f64::sqrt(half_sq);
        Some((mean, Some(((mean - half).max(0.0), mean + half))))
    };
    let labels: Vec<&str> = stages.iter().map(|(l, _, _)| *l).collect();
    let human = BarSeries {
        colour: BLUE,
        values: stages.iter().map(|(_, h, _)| sum(*h)).collect(),
    };
    let ai = BarSeries {
        colour: ORANGE,
        values: stages.iter().map(|(_, _, a)| sum(*a)).collect(),
    };
    Ok(charts::bars(
        "defect-funnel",
        "Defects per replication, hand-written vs AI-assisted",
        &labels,
        &[human, ai],
        "defects per replication",
        640,
    )?
    .with_legend(vec![
        LegendEntry::new(Swatch::Fill(0.85), BLUE, "hand-written"),
        LegendEntry::new(Swatch::Fill(0.85), ORANGE, "AI-assisted"),
        ci_entry(),
    ]))
}

fn time_use_chart(data: &ReportData) -> Result<Chart, ReportError> {
    let entries: Vec<_> = data.group(Group::TimeUse).collect();
    let labels: Vec<&str> = entries
        .iter()
        .map(|e| e.def.label.trim_start_matches("Developer time: "))
        .collect();
    let series = BarSeries {
        colour: GREEN,
        values: entries
            .iter()
            .map(|e| {
                let s = &e.summary;
                let ci = s
                    .ci95_low
                    .zip(s.ci95_high)
                    .map(|(l, h)| (l * 100.0, h * 100.0));
                s.mean.map(|m| (m * 100.0, ci))
            })
            .collect(),
    };
    Ok(charts::bars(
        "time-use",
        "Developer time (% of working hours)",
        &labels,
        &[series],
        "% of working hours",
        640,
    )?
    .with_legend(vec![
        LegendEntry::new(Swatch::Fill(0.85), GREEN, "mean share of working hours"),
        ci_entry(),
    ]))
}

/// Writes `html` atomically to `path` (creating its directory), replacing any earlier report.
pub fn write_html(path: &Path, html: &str) -> Result<PathBuf, OutputError> {
    // Never rename a temporary file over a device or a FIFO (`--report /dev/null` as root).
    crate::output::files::check_file_target(path, true)?;
    let (dir, name) = split(path);
    OutputDir::prepare(&dir, &[], true)?.write(&name, html.as_bytes())
}

/// Writes each chart to `dir` as `<id>.svg`, replacing earlier files of the same names. Each
/// file stands alone, for a slide: it carries the chart's title and legend
/// ([`Chart::standalone_svg`]), which the page gives in HTML around it.
pub fn write_charts(dir: &Path, charts: &[Chart]) -> Result<Vec<PathBuf>, OutputError> {
    let out = OutputDir::prepare(dir, &[], true)?;
    charts
        .iter()
        .map(|c| {
            let svg = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
                c.standalone_svg()
            );
            out.write(&format!("{}.svg", c.id), svg.as_bytes())
        })
        .collect()
}

fn split(path: &Path) -> (PathBuf, String) {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map_or_else(
        || REPORT_HTML.to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    (dir, name)
}
