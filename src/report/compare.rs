//! The report of `dorasim compare`: paired differences against the baseline with their 95 %
//! confidence intervals, as a forest plot per scenario and a table.

use std::fmt::Write;

use plotters::style::RGBColor;

use crate::analysis::compare::Comparison;
use crate::analysis::focus::Better;
use crate::output::format::{in_the_gap, number, two_modes_short};

use super::charts::{self, Chart, ForestRow, GREEN, VERMILLION};
use super::html::{css, escape, figure};
use super::{Report, ReportError};

/// Section ids of a comparison report, in page order.
pub const COMPARE_SECTIONS: &[(&str, &str)] = &[
    ("differences", "Paired differences against the baseline"),
    ("estimates", "Each scenario's estimates"),
];

const GREY: RGBColor = RGBColor(0x88, 0x88, 0x88);

fn show(unit: &str, x: Option<f64>) -> String {
    match x {
        Some(v) if unit == "share" => format!("{:.2} %", v * 100.0),
        Some(v) => number(v),
        None => "n/a".to_string(),
    }
}

/// † The scenarios whose replications fall in two clusters on a metric, with the two modes.
fn two_modes_notes(out: &mut String, comparison: &Comparison) {
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

/// Draws the forest plots and builds the page of a comparison.
pub fn build(comparison: &Comparison, version: &str) -> Result<Report, ReportError> {
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
        charts.push(charts::forest(
            &format!("difference-{k}"),
            &format!("{name} − {baseline}"),
            &rows,
            "change from the baseline's mean (%), paired 95 % CI",
        )?);
    }
    let mut out = String::new();
    let title = format!("dorasim comparison — {}", comparison.scenarios.join(" vs "));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n\
         <header>\n<h1>{}</h1>\n<p class=\"meta\">baseline <code>{}</code> · {} replications per scenario on common random numbers · seed {} · dorasim {}</p>\n<nav>",
        escape(&title),
        css(),
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
    out.push_str("</section>\n</main>\n<footer>Generated by dorasim; self-contained: no scripts, fonts or network requests.</footer>\n</body>\n</html>\n");
    Ok(Report { html: out, charts })
}
