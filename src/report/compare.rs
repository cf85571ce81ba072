//! The report of `dorasim compare`: paired differences against the baseline with their 95 %
//! confidence intervals, as a forest plot per scenario and a table.
//!
//! The page is built from a [`CompareData`]: from the comparison just run
//! ([`CompareData::from_comparison`], `compare --report`), or read back from the `compare.json`
//! that `compare --out DIR` wrote ([`CompareData::from_dir`], `dorasim report DIR`). Both give
//! the same page.

use std::fmt::Write;
use std::path::Path;

use plotters::style::RGBColor;
use serde::Deserialize;

use crate::analysis::compare::{Comparison, Difference, MetricComparison};
use crate::analysis::focus::Better;
use crate::metrics::METRICS;
use crate::output::format::{in_the_gap, number, two_modes_short};
use crate::stats::modes::TwoModes;
use crate::stats::summary::Summary;

use super::charts::{self, Chart, ForestRow, GREEN, LegendEntry, Swatch, VERMILLION};
use super::html::{css, escape, figure, frame};
use super::{Report, ReportError};

/// Section ids of a comparison report, in page order.
pub const COMPARE_SECTIONS: &[(&str, &str)] = &[
    ("differences", "Paired differences against the baseline"),
    ("estimates", "Each scenario's estimates"),
];

const GREY: RGBColor = RGBColor(0x88, 0x88, 0x88);

/// The file of a comparison's results that `dorasim compare --out DIR` writes and
/// `dorasim report DIR` reads.
pub const COMPARE_JSON: &str = "compare.json";

/// What a comparison's page shows.
#[derive(Debug, Clone)]
pub struct CompareData {
    /// Scenario names, baseline first.
    pub scenarios: Vec<String>,
    /// Master seed shared by every scenario.
    pub seed: u64,
    /// Replications per scenario.
    pub runs: u64,
    /// Each compared metric's estimates and differences.
    pub metrics: Vec<MetricComparison>,
    /// The dorasim version that ran the comparison.
    pub version: String,
}

impl CompareData {
    /// The page's data of a comparison run by dorasim `version`.
    pub fn from_comparison(comparison: &Comparison, version: &str) -> CompareData {
        CompareData {
            scenarios: comparison.scenarios.clone(),
            seed: comparison.seed,
            runs: comparison.runs,
            metrics: comparison.metrics.clone(),
            version: version.to_string(),
        }
    }

    /// Reads the `compare.json` of a `dorasim compare --out` directory.
    pub fn from_dir(dir: &Path) -> Result<CompareData, ReportError> {
        let path = dir.join(COMPARE_JSON);
        let text = std::fs::read_to_string(&path).map_err(|source| ReportError::Read {
            path: path.clone(),
            source,
        })?;
        Self::from_json(&text, &path)
    }

    /// Parses the text of a `compare.json`; `path` names it in errors. Every field the page
    /// needs must be there: a missing one is an error, never a silent default.
    pub fn from_json(text: &str, path: &Path) -> Result<CompareData, ReportError> {
        let bad = |message: String| ReportError::Parse {
            path: path.to_path_buf(),
            message,
        };
        let file: CompareFile = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if file.tool != "dorasim" {
            return Err(bad(format!(
                "`tool` is `{}`, not `dorasim`",
                file.tool.escape_debug()
            )));
        }
        let c = file.comparison;
        let n = c.scenarios.len();
        if n < 2 {
            return Err(bad(format!(
                "{n} scenario(s): a comparison has at least two"
            )));
        }
        let metrics = c
            .metrics
            .into_iter()
            .map(|m| {
                let def = METRICS.iter().find(|d| d.key == m.metric).ok_or_else(|| {
                    bad(format!(
                        "unknown metric `{}` (written by another version of dorasim?)",
                        m.metric.escape_debug()
                    ))
                })?;
                let better = [Better::Lower, Better::Higher]
                    .into_iter()
                    .find(|b| b.name() == m.better)
                    .ok_or_else(|| {
                        bad(format!(
                            "`{}`: `better` is `{}`, not `lower` or `higher`",
                            def.key,
                            m.better.escape_debug()
                        ))
                    })?;
                for (field, len) in [
                    ("estimates", m.estimates.len()),
                    ("differences", m.differences.len()),
                    ("two_modes", m.two_modes.len()),
                ] {
                    if len != n {
                        return Err(bad(format!(
                            "`{}`: {len} `{field}` for {n} scenarios",
                            def.key
                        )));
                    }
                }
                Ok(MetricComparison {
                    metric: def.key,
                    label: def.label,
                    unit: def.unit,
                    better,
                    estimates: m.estimates,
                    differences: m
                        .differences
                        .into_iter()
                        .map(|d| d.map(DifferenceFile::into_difference))
                        .collect(),
                    two_modes: m.two_modes,
                })
            })
            .collect::<Result<Vec<_>, ReportError>>()?;
        Ok(CompareData {
            scenarios: c.scenarios,
            seed: c.seed,
            runs: c.runs,
            metrics,
            version: file.version,
        })
    }
}

/// `compare.json` as `crate::analysis::compare::to_json` writes it (the parts the page shows).
#[derive(Deserialize)]
struct CompareFile {
    tool: String,
    version: String,
    comparison: ComparisonFile,
}

#[derive(Deserialize)]
struct ComparisonFile {
    scenarios: Vec<String>,
    seed: u64,
    runs: u64,
    metrics: Vec<MetricFile>,
}

#[derive(Deserialize)]
struct MetricFile {
    metric: String,
    better: String,
    estimates: Vec<Summary>,
    differences: Vec<Option<DifferenceFile>>,
    two_modes: Vec<Option<TwoModes>>,
}

/// [`Difference`] as written; its optional fields must be present (`null` when undefined).
#[derive(Deserialize)]
struct DifferenceFile {
    pairs: usize,
    mean: f64,
    ci95_low: f64,
    ci95_high: f64,
    prob_better: f64,
    paired_half_width: f64,
    #[serde(deserialize_with = "Option::deserialize")]
    unpaired_half_width: Option<f64>,
    #[serde(deserialize_with = "Option::deserialize")]
    narrowing: Option<f64>,
}

impl DifferenceFile {
    fn into_difference(self) -> Difference {
        Difference {
            pairs: self.pairs,
            mean: self.mean,
            ci95_low: self.ci95_low,
            ci95_high: self.ci95_high,
            prob_better: self.prob_better,
            paired_half_width: self.paired_half_width,
            unpaired_half_width: self.unpaired_half_width,
            narrowing: self.narrowing,
        }
    }
}

fn show(unit: &str, x: Option<f64>) -> String {
    match x {
        Some(v) if unit == "share" => format!("{:.2} %", v * 100.0),
        Some(v) => number(v),
        None => "n/a".to_string(),
    }
}

/// † The scenarios whose replications fall in two clusters on a metric, with the two modes.
fn two_modes_notes(out: &mut String, comparison: &CompareData) {
    let mut items = Vec::new();
    for m in &comparison.metrics {
        let Some(def) = crate::metrics::METRICS.iter().find(|d| d.key == m.metric) else {
            continue;
        };
        for (k, modes) in m.two_modes.iter().enumerate() {
            if let (Some(modes), Some(name)) = (modes, comparison.scenarios.get(k)) {
                let mean = m.estimates.get(k).and_then(|s| s.mean);
                let verdict = if mean.is_some_and(|x| in_the_gap(modes, x)) {
                    "; the mean lies in the gap between them"
                } else {
                    "; the mean hides the split"
                };
                items.push(format!(
                    "<li><code>{}</code>, {}: {}{verdict}</li>",
                    escape(name),
                    escape(m.label),
                    escape(&two_modes_short(def, modes))
                ));
            }
        }
    }
    if items.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<div id=\"two-modes\"><p>† The replications fall in two clusters separated by an empty \
         gap: the mean shown describes few of them, and a difference of means can hide \
         replications moving from one cluster to the other (for a wall-clock lead time: shipping \
         after a night instead of the same day). Compare the mean lead time and the median in \
         working hours, which move smoothly.</p>\n<ul>\n{}\n</ul></div>",
        items.join("\n")
    );
}

/// Draws the forest plots and builds the page of a comparison run by dorasim `version`.
pub fn build(comparison: &Comparison, version: &str) -> Result<Report, ReportError> {
    build_data(&CompareData::from_comparison(comparison, version))
}

/// Draws the forest plots and builds the page of a comparison's data.
pub fn build_data(comparison: &CompareData) -> Result<Report, ReportError> {
    let version = comparison.version.as_str();
    let baseline = comparison.scenarios.first().cloned().unwrap_or_default();
    let mut charts: Vec<Chart> = Vec::new();
    for (k, name) in comparison.scenarios.iter().enumerate().skip(1) {
        let rows: Vec<ForestRow> = comparison
            .metrics
            .iter()
            .filter_map(|m| {
                let d = m.differences.get(k).copied().flatten()?;
                let base = m.estimates.first()?.mean.filter(|b| b.abs() > 1e-12)?;
                let pct = |x: f64| 100.0 * x / base.abs();
                let better = match m.better {
                    Better::Higher => d.ci95_low > 0.0,
                    Better::Lower => d.ci95_high < 0.0,
                };
                let worse = match m.better {
                    Better::Higher => d.ci95_high < 0.0,
                    Better::Lower => d.ci95_low > 0.0,
                };
                let colour = if better {
                    GREEN
                } else if worse {
                    VERMILLION
                } else {
                    GREY
                };
                Some(ForestRow {
                    label: m.label.to_string(),
                    estimate: pct(d.mean),
                    interval: (pct(d.ci95_low), pct(d.ci95_high)),
                    colour,
                })
            })
            .collect();
        charts.push(
            charts::forest(
                &format!("difference-{k}"),
                &format!("{name} − {baseline}"),
                &rows,
                "change from the baseline's mean (%), paired 95 % CI",
            )?
            .with_legend(vec![
                LegendEntry::new(Swatch::Point, GREEN, "better beyond noise"),
                LegendEntry::new(Swatch::Point, VERMILLION, "worse beyond noise"),
                LegendEntry::new(Swatch::Point, GREY, "the interval includes no change"),
            ]),
        );
    }
    let mut out = String::new();
    let title = format!("dorasim comparison — {}", comparison.scenarios.join(" vs "));
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">baseline <code>{}</code> · {} replications per scenario on common random numbers · seed {} · dorasim {}</p>\n<nav>",
        escape(&title),
        escape(&baseline),
        comparison.runs,
        comparison.seed,
        escape(version)
    );
    for (id, heading) in COMPARE_SECTIONS {
        let _ = write!(out, "<a href=\"#{id}\">{}</a>", escape(heading));
    }
    out.push_str("</nav>\n</header>\n<main>\n");
    let _ = writeln!(
        out,
        "<section id=\"differences\">\n<h2>{}</h2>\n<p class=\"muted\">Mean of the per-replication \
         difference (scenario − baseline) with its paired 95 % confidence interval, as a share of \
         the baseline's mean. <span style=\"color:#009E73\">Green</span>: better beyond noise; \
         <span style=\"color:#D55E00\">vermillion</span>: worse beyond noise; grey: the interval \
         includes no change.</p>\n<div class=\"charts\" style=\"grid-template-columns:1fr\">",
        escape(COMPARE_SECTIONS[0].1)
    );
    for chart in &charts {
        figure(&mut out, chart);
    }
    out.push_str("</div>\n</section>\n");
    let _ = writeln!(
        out,
        "<section id=\"estimates\">\n<h2>{}</h2>\n<table><tr><th>metric</th><th>better</th>",
        escape(COMPARE_SECTIONS[1].1)
    );
    for (k, name) in comparison.scenarios.iter().enumerate() {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape(name));
        if k > 0 {
            out.push_str(
                "<th class=\"num\">difference [95 % CI]</th><th class=\"num\">P(better)</th>",
            );
        }
    }
    out.push_str("</tr>\n");
    for m in &comparison.metrics {
        let _ = write!(
            out,
            "<tr><td>{} ({})</td><td>{}</td>",
            escape(m.label),
            escape(m.unit),
            m.better.name()
        );
        for (k, estimate) in m.estimates.iter().enumerate() {
            // A mean between two clusters of replications is flagged, and explained below.
            let mark = if m.two_modes.get(k).is_some_and(Option::is_some) {
                " <a href=\"#two-modes\">†</a>"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<td class=\"num\">{}{mark}</td>",
                escape(&show(m.unit, estimate.mean))
            );
            if k > 0 {
                match m.differences.get(k).copied().flatten() {
                    Some(d) => {
                        let _ = write!(
                            out,
                            "<td class=\"num\">{} [{}, {}]</td><td class=\"num\">{:.0} %</td>",
                            escape(&show(m.unit, Some(d.mean))),
                            escape(&show(m.unit, Some(d.ci95_low))),
                            escape(&show(m.unit, Some(d.ci95_high))),
                            d.prob_better * 100.0
                        );
                    }
                    None => out.push_str("<td class=\"num\">n/a</td><td class=\"num\">n/a</td>"),
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    two_modes_notes(&mut out, comparison);
    out.push_str("</section>\n</main>\n");
    let html = frame(
        version,
        &title,
        &css(),
        &out,
        &format!(
            "Generated by dorasim {} from scenarios {}, seed {}.",
            escape(version),
            escape(&comparison.scenarios.join(", ")),
            comparison.seed
        ),
    );
    Ok(Report { html, charts })
}
