//! The terminal summary: per metric, mean with 95 % CI, p5/p50/p95 over replications, the DORA
//! bucket, a note for each duration whose replications fall in two clusters (a median lead time
//! on a calendar cliff), tier probabilities, then the flow diagnostics that explain them.
//!
//! Piped or redirected, the summary has one fixed layout (about 140 columns), so scripts and CI
//! logs see the same text whatever runs them. On a terminal narrower than that (or with
//! `COLUMNS` set) it fits the width: the p5/p50/p95 columns go first, then the labels are
//! shortened with an ellipsis, then the DORA bucket and the confidence interval go, and prose
//! is wrapped; the table's header line says what was left out.
//!
//! (About 950 lines: every section of the summary with its full and narrow forms; the width and
//! text-fitting helpers are in `layout.rs`.)

use std::fmt::Write;

use crate::metrics::catalogue::{Group, MetricDef};
use crate::metrics::ledger::Lens;
use crate::metrics::tiers::{Tier, duration_bucket, frequency_bucket};
use crate::metrics::{METRICS, Metric};
use crate::runner::{RunSummary, TierCounts};
use crate::scenario::Scenario;
use crate::stats::summary::Summary;

use super::format::{number, printable, two_modes_note, value};
use super::layout::{clip_line, fit, resample, sparkline, use_colour, wrap};
pub use super::layout::{terminal_width, visible_width};

/// How the summary is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Columns every line must fit in; `None` prints the full layout (pipes, files, CI logs).
    pub width: Option<usize>,
    /// Colour the sparklines with ANSI escapes.
    pub colour: bool,
}

impl Style {
    /// The style for standard output: the width of [`terminal_width`], colour only on a
    /// terminal and never with `NO_COLOR` set.
    pub fn detect() -> Style {
        Style {
            width: terminal_width(),
            colour: use_colour(),
        }
    }
}

fn bucket(metric: Metric, mean: Option<f64>) -> String {
    let Some(x) = mean else { return String::new() };
    match metric {
        Metric::DeploysPerWeek => frequency_bucket(x).map(|b| b.label().to_string()),
        Metric::LeadTimeP50
        | Metric::LeadTimeP90
        | Metric::LeadTimeMean
        | Metric::RecoveryP50
        | Metric::RecoveryP90 => duration_bucket(x).map(|b| b.label().to_string()),
        _ => None,
    }
    .unwrap_or_default()
}

/// Why a metric is undefined in every replication.
fn undefined_reason(metric: Metric) -> &'static str {
    match metric {
        Metric::ChangeFailRate | Metric::ReworkRate | Metric::BatchSize => "n/a (0 deployments)",
        Metric::RecoveryP50 | Metric::RecoveryP90 => "n/a (no failed deployment)",
        Metric::LeadTimeP50
        | Metric::LeadTimeP90
        | Metric::LeadTimeMean
        | Metric::LeadTimeWorkingP50 => "n/a (no change deployed)",
        _ => "n/a",
    }
}

/// One line of a metric table, its cells already formatted.
struct MetricRow {
    label: String,
    /// `None` when the metric is undefined in every replication.
    cells: Option<Cells>,
    reason: &'static str,
}

struct Cells {
    mean: String,
    ci: String,
    p5: String,
    p50: String,
    p95: String,
    bucket: String,
    /// `  (N runs n/a)` when the metric is undefined in some replications.
    partial: String,
}

fn metric_row(index: usize, def: &MetricDef, s: &Summary) -> MetricRow {
    let metric = metric_at(index);
    let label = format!("{} ({})", def.label, def.unit);
    let reason = undefined_reason(metric);
    let Some(mean) = s.mean else {
        return MetricRow {
            label,
            cells: None,
            reason,
        };
    };
    let fmt = |x: Option<f64>| x.map_or("n/a".to_string(), |v| value(def, v));
    // Counts are whole numbers in every replication: show their percentiles as such (the
    // quantile sketch is accurate to 0.5 %, not to the unit).
    let quantile = |x: Option<f64>| match x {
        Some(v) if def.unit == "count" => format!("{}", v.round()),
        other => fmt(other),
    };
    let partial = if s.undefined > 0 {
        format!("  ({} runs n/a)", s.undefined)
    } else {
        String::new()
    };
    MetricRow {
        label,
        cells: Some(Cells {
            mean: value(def, mean),
            ci: format!("[{}, {}]", fmt(s.ci95_low), fmt(s.ci95_high)),
            p5: quantile(s.p5),
            p50: quantile(s.p50),
            p95: quantile(s.p95),
            bucket: bucket(metric, s.mean),
            partial,
        }),
        reason,
    }
}

fn metric_at(index: usize) -> Metric {
    Metric::ALL.get(index).copied().unwrap_or(Metric::Incidents)
}

/// The rows of every metric table of the summary, by group.
fn group_rows(summary: &RunSummary, group: Group) -> Vec<MetricRow> {
    METRICS
        .iter()
        .enumerate()
        .filter(|(_, def)| def.group == group)
        .map(|(i, def)| metric_row(i, def, &summary.metrics[i].summary()))
        .collect()
}

/// The groups of the metric tables, in page order, after the DORA table.
const SECTIONS: [(&str, Group); 9] = [
    ("Reliability", Group::Reliability),
    ("Flow", Group::Flow),
    (
        "Where lead time goes (mean hours per delivered change)",
        Group::LeadTimeBreakdown,
    ),
    (
        "Defect funnel (defects per replication, changes delivered in the horizon)",
        Group::Defects,
    ),
    ("Incidents and fragility", Group::Incidents),
    (
        "Where developer time went (share of working hours)",
        Group::TimeUse,
    ),
    ("Culture: gaming and learning", Group::Culture),
    ("Coding agents and AI review", Group::Agents),
    (
        "Organisation: services sharing production",
        Group::Organisation,
    ),
];

/// Whether a section is shown: the agents' only when agents or an AI reviewer ran, the
/// organisation's only for several teams.
fn shown(summary: &RunSummary, group: Group) -> bool {
    let used = |m: Metric| summary.metric(m).summary().mean.is_some_and(|x| x > 0.0);
    match group {
        Group::Agents => used(Metric::AgentShare) || used(Metric::AiScreened),
        Group::Organisation => !summary.teams.is_empty(),
        _ => true,
    }
}

const DORA_TITLE: &str = "DORA metrics (true ledger)";
const BUCKET_HEADER: &str = "DORA bucket";
const CI_HEADER: &str = "[95 % CI]";

/// The columns of the metric tables, shared by every table so that they line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Columns {
    /// The fixed layout: label (52), mean, CI, p5, p50, p95, then the DORA bucket.
    Full,
    /// Fitted to `width`: no percentiles; the label cut to `label` characters; the mean right-
    /// aligned in `mean`; the CI (in `ci` characters) and the DORA bucket when they fit. How
    /// many replications had no value goes after the bucket, or under it when there is no room.
    Fitted {
        width: usize,
        label: usize,
        mean: usize,
        ci: Option<usize>,
        bucket: bool,
    },
}

impl Columns {
    /// The widest full-layout line of `rows`: the width a terminal needs for every column.
    fn full_width(rows: &[&MetricRow]) -> usize {
        let mut text = String::new();
        dora_header(&mut text, Columns::Full);
        for row in rows {
            row_line(&mut text, row, Columns::Full);
        }
        text.lines().map(visible_width).max().unwrap_or(0)
    }

    /// The columns of a table of `rows` that fit `width`: all of them when they fit; else, in
    /// order, without the percentiles (the labels shortened down to 24 characters), without
    /// the bucket too, then without the CI (the labels down to 12 characters).
    fn choose(rows: &[&MetricRow], width: Option<usize>) -> Columns {
        let Some(width) = width else {
            return Columns::Full;
        };
        if Columns::full_width(rows) <= width {
            return Columns::Full;
        }
        let longest = |f: &dyn Fn(&Cells) -> usize| {
            rows.iter()
                .filter_map(|r| r.cells.as_ref())
                .map(f)
                .max()
                .unwrap_or(0)
        };
        let mean = longest(&|c| c.mean.chars().count()).max("mean".len());
        let ci = longest(&|c| c.ci.chars().count()).max(CI_HEADER.chars().count());
        let label_needed = rows
            .iter()
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(0)
            .max(DORA_TITLE.len() - 2);
        // Only the DORA table has buckets (and a header line naming them).
        let any_bucket = rows
            .iter()
            .any(|r| r.cells.as_ref().is_some_and(|c| !c.bucket.is_empty()));
        let candidates = [
            (Some(ci), true, 24),
            (Some(ci), false, 24),
            (None, false, 12),
        ];
        let mut chosen = Columns::Fitted {
            width,
            label: 4,
            mean,
            ci: None,
            bucket: false,
        };
        for (ci, bucket, shortest) in candidates {
            // Everything right of the label, in the widest row (the header included); the
            // count of replications without a value can go on a line of its own.
            let rest = |cells: Option<&Cells>, reason: &str| match cells {
                None => 1 + reason.chars().count(),
                Some(c) => {
                    1 + mean
                        + ci.map_or(0, |w| 1 + w)
                        + if bucket && !c.bucket.is_empty() {
                            2 + c.bucket.chars().count()
                        } else {
                            0
                        }
                }
            };
            let header = 1
                + mean
                + ci.map_or(0, |w| 1 + w)
                + if bucket && any_bucket {
                    2 + BUCKET_HEADER.len()
                } else {
                    0
                };
            let right = rows
                .iter()
                .map(|r| rest(r.cells.as_ref(), r.reason))
                .max()
                .unwrap_or(0)
                .max(header);
            let room = width.saturating_sub(2 + right);
            let label = room.min(label_needed);
            chosen = Columns::Fitted {
                width,
                label: label.max(4),
                mean,
                ci,
                bucket,
            };
            if label >= shortest {
                break;
            }
        }
        chosen
    }

    fn shows_percentiles(self) -> bool {
        self == Columns::Full
    }
}

/// The header line of the DORA table (with a blank line before it).
fn dora_header(out: &mut String, columns: Columns) {
    match columns {
        Columns::Full => {
            let _ = writeln!(
                out,
                "\n{DORA_TITLE:<54} {:>10} {:<22} {:>10} {:>10} {:>10}  {BUCKET_HEADER}",
                "mean", CI_HEADER, "p5", "p50", "p95"
            );
        }
        Columns::Fitted {
            label,
            mean,
            ci,
            bucket,
            ..
        } => {
            // The title takes the label column and the two spaces before it; when the labels
            // are cut shorter than the title, the title gets a line of its own.
            let title = if DORA_TITLE.len() <= label + 2 {
                fit(DORA_TITLE, label + 2)
            } else {
                let _ = writeln!(out, "\n{DORA_TITLE}");
                " ".repeat(label + 2)
            };
            let mut line = format!("{title} {:>mean$}", "mean");
            if let Some(ci) = ci {
                let _ = write!(line, " {CI_HEADER:<ci$}");
            }
            if bucket {
                let _ = write!(line, "  {BUCKET_HEADER}");
            }
            if DORA_TITLE.len() <= label + 2 {
                out.push('\n');
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
}

/// One metric's line in `columns`.
fn row_line(out: &mut String, row: &MetricRow, columns: Columns) {
    let label = &row.label;
    match (columns, &row.cells) {
        (Columns::Full, None) => {
            let _ = writeln!(out, "  {label:<52} {}", row.reason);
        }
        (Columns::Full, Some(c)) => {
            let _ = writeln!(
                out,
                "  {label:<52} {:>10} {:<22} {:>10} {:>10} {:>10}  {}{}",
                c.mean, c.ci, c.p5, c.p50, c.p95, c.bucket, c.partial,
            );
        }
        (Columns::Fitted { label: width, .. }, None) => {
            let _ = writeln!(out, "  {} {}", fit(label, width), row.reason);
        }
        (
            Columns::Fitted {
                width,
                label: label_width,
                mean,
                ci,
                bucket,
            },
            Some(c),
        ) => {
            let mut line = format!("  {} {:>mean$}", fit(label, label_width), c.mean);
            if let Some(ci) = ci {
                let _ = write!(line, " {:<ci$}", c.ci);
            }
            if bucket && !c.bucket.is_empty() {
                let _ = write!(line, "  {}", c.bucket);
            }
            let line = line.trim_end();
            let partial = c.partial.trim_start();
            if partial.is_empty() {
                let _ = writeln!(out, "{line}");
            } else if visible_width(line) + 2 + visible_width(partial) <= width {
                let _ = writeln!(out, "{line}  {partial}");
            } else {
                // Under the bucket, or under the label when that is too far right.
                let column = 2 + label_width + 1 + mean + ci.map_or(0, |w| 1 + w) + 2;
                let column = if column + visible_width(partial) <= width {
                    column
                } else {
                    4
                };
                let _ = writeln!(out, "{line}\n{}{partial}", " ".repeat(column));
            }
        }
    }
}

fn tier_line(out: &mut String, name: &str, counts: &TierCounts, width: Option<usize>) {
    let shares = counts.shares();
    let cells: Vec<String> = Tier::ALL
        .iter()
        .zip(shares)
        .map(|(t, s)| format!("{} {:>5.1} %", t.label(), s * 100.0))
        .collect();
    let line = format!("  {name:<10} {}", cells.join("   "));
    match width {
        Some(width) if visible_width(&line) > width => {
            // Two tiers a line, under the first.
            let indent = " ".repeat(13);
            for (k, pair) in cells.chunks(2).enumerate() {
                let lead = if k == 0 {
                    format!("  {name:<10} ")
                } else {
                    indent.clone()
                };
                let _ = writeln!(out, "{lead}{}", pair.join("   "));
            }
        }
        _ => {
            let _ = writeln!(out, "{line}");
        }
    }
}

fn section(out: &mut String, title: &str, rows: &[MetricRow], columns: Columns, style: Style) {
    out.push('\n');
    prose(out, title, "", style);
    for row in rows {
        row_line(out, row, columns);
    }
}

fn mean_of(summary: &RunSummary, metric: Metric) -> Option<f64> {
    summary.metric(metric).summary().mean
}

/// Writes `text` as one line, or wrapped to the width when there is one.
fn prose(out: &mut String, text: &str, indent: &str, style: Style) {
    match style.width {
        None => {
            let _ = writeln!(out, "{indent}{text}");
        }
        Some(width) if indent.len() + visible_width(text) <= width => {
            let _ = writeln!(out, "{indent}{text}");
        }
        Some(width) => wrap(out, text, indent, width),
    }
}

/// The dashboard beside the truth: each DORA metric from both ledgers, the gap, whether the gap
/// flatters, and the denominators of the ratios.
fn measured_section(out: &mut String, summary: &RunSummary, lens: Lens, style: Style) {
    out.push('\n');
    prose(
        out,
        &format!(
            "Dashboard (measured ledger through the `{}` lens) beside the true ledger",
            lens.name()
        ),
        "",
        style,
    );
    if let Some(rules) = lens.rules() {
        prose(out, rules, "  ", style);
    }
    // (true, measured, gap, higher is better)
    let metrics = [
        (
            Metric::DeploysPerWeek,
            Metric::MeasuredDeploysPerWeek,
            Metric::GapDeploysPerWeek,
            true,
        ),
        (
            Metric::LeadTimeP50,
            Metric::MeasuredLeadTimeP50,
            Metric::GapLeadTimeP50,
            false,
        ),
        (
            Metric::ChangeFailRate,
            Metric::MeasuredChangeFailRate,
            Metric::GapChangeFailRate,
            false,
        ),
        (
            Metric::RecoveryP50,
            Metric::MeasuredRecoveryP50,
            Metric::GapRecoveryP50,
            false,
        ),
        (
            Metric::ReworkRate,
            Metric::MeasuredReworkRate,
            Metric::GapReworkRate,
            false,
        ),
    ];
    // (label, true, measured, gap)
    let rows: Vec<[String; 4]> = metrics
        .into_iter()
        .map(|(truth, measured, gap_metric, higher_is_better)| {
            let def = truth.def();
            let (t, m) = (mean_of(summary, truth), mean_of(summary, measured));
            let show = |x: Option<f64>| x.map_or("n/a".to_string(), |v| value(def, v));
            let g = summary.metric(gap_metric).summary();
            [
                def.label.to_string(),
                show(t),
                show(m),
                gap_text(def, &g, higher_is_better),
            ]
        })
        .collect();
    let header = [
        "metric (mean over replications)",
        "true",
        "measured",
        "gap: measured − true [95 % CI]",
    ];
    let full = |out: &mut String, cells: [&str; 4]| {
        let _ = writeln!(
            out,
            "  {:<44} {:>12} {:>12}   {}",
            cells[0], cells[1], cells[2], cells[3]
        );
    };
    let widest = |k: usize| {
        rows.iter()
            .map(|r| r[k].chars().count())
            .chain([header[k].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let full_width = 2 + widest(0).max(44) + 1 + 12 + 1 + 12 + 3 + widest(3);
    match style.width {
        Some(width) if full_width > width => {
            let number = widest(1).max(widest(2));
            let inline_room = width.saturating_sub(2 + 1 + number + 1 + number + 3 + widest(3));
            let gap_inline = inline_room >= 16;
            let label = if gap_inline {
                inline_room
            } else {
                width.saturating_sub(2 + 1 + number + 1 + number).max(4)
            }
            .min(widest(0));
            let line = |out: &mut String, cells: [&str; 4], indent_gap: &str| {
                let head = format!(
                    "  {} {:>number$} {:>number$}",
                    fit(cells[0], label),
                    cells[1],
                    cells[2]
                );
                if gap_inline {
                    let _ = writeln!(out, "{head}   {}", cells[3]);
                } else {
                    let _ = writeln!(out, "{head}");
                    let _ = writeln!(out, "{indent_gap}{}", cells[3]);
                }
            };
            let header_label = if header[0].chars().count() > label {
                "metric (means)"
            } else {
                header[0]
            };
            line(out, [header_label, header[1], header[2], header[3]], "    ");
            for r in &rows {
                line(out, [&r[0], &r[1], &r[2], &r[3]], "    gap: ");
            }
        }
        _ => {
            full(out, header);
            for r in &rows {
                full(out, [&r[0], &r[1], &r[2], &r[3]]);
            }
        }
    }
    let n = |metric| mean_of(summary, metric).map_or("n/a".to_string(), number);
    let pct = |metric| {
        mean_of(summary, metric).map_or("n/a".to_string(), |v| format!("{:.1} %", v * 100.0))
    };
    let lines = [
        format!(
            "measured change fail rate {} = {} failures / {} deployments, {} of them padding",
            pct(Metric::MeasuredChangeFailRate),
            n(Metric::MeasuredFailures),
            n(Metric::MeasuredDeployments),
            n(Metric::PaddingDeployments),
        ),
        format!(
            "true change fail rate {} = {} failed deployments / {} deployments",
            pct(Metric::ChangeFailRate),
            n(Metric::FailedDeployments),
            n(Metric::Deployments),
        ),
        format!(
            "measured rework rate {} = {} labelled / {} deployments; true {} = {} / {}",
            pct(Metric::MeasuredReworkRate),
            n(Metric::MeasuredReworkDeployments),
            n(Metric::MeasuredDeployments),
            pct(Metric::ReworkRate),
            n(Metric::ReworkDeployments),
            n(Metric::Deployments),
        ),
    ];
    for line in lines {
        prose(out, &line, "  ", style);
    }
}

/// The gap between the dashboard and the truth: its mean and 95 % CI with a verdict, or
/// "identical in every replication".
fn gap_text(def: &MetricDef, g: &Summary, higher_is_better: bool) -> String {
    let signed = |x: f64| {
        let sign = if x >= 0.0 { "+" } else { "-" };
        format!("{sign}{}", value(def, x.abs()))
    };
    match (g.mean, g.ci95_low, g.ci95_high) {
        (Some(d), Some(lo), Some(hi)) if d == 0.0 && lo == 0.0 && hi == 0.0 => {
            "identical in every replication".to_string()
        }
        (Some(d), Some(lo), Some(hi)) => {
            // The verdict needs the interval to exclude zero: the gap is not noise.
            let verdict = if lo <= 0.0 && hi >= 0.0 {
                "≈ same"
            } else if (d > 0.0) == higher_is_better {
                "flatters"
            } else {
                "looks worse"
            };
            format!("{} [{}, {}] {verdict}", signed(d), signed(lo), signed(hi))
        }
        (Some(d), _, _) => signed(d),
        _ => "n/a".to_string(),
    }
}

/// The same history through every lens: how the tool's rule itself moves the number.
fn lens_section(out: &mut String, summary: &RunSummary, width: Option<usize>) {
    // The full table takes 74 columns; narrower, it takes 57 with shorter headings.
    if width.is_some_and(|w| w < 74) {
        return lens_section_narrow(out, summary);
    }
    let _ = writeln!(out, "\nOne history, four lenses (mean over replications)");
    let _ = writeln!(
        out,
        "  {:<12} {:>14} {:>14} {:>14} {:>14}",
        "lens", "deploys/week", "lead p50 (h)", "change fail", "recovery p50"
    );
    for (k, lens) in Lens::ALL.iter().enumerate() {
        let first = Metric::LensTruthDeploysPerWeek as usize + 4 * k;
        let cell = |i: usize| {
            let metric = Metric::ALL[first + i];
            mean_of(summary, metric).map_or("n/a".to_string(), |v| value(metric.def(), v))
        };
        let _ = writeln!(
            out,
            "  {:<12} {:>14} {:>14} {:>14} {:>14}",
            lens.name(),
            cell(0),
            cell(1),
            cell(2),
            cell(3)
        );
    }
    let _ = writeln!(
        out,
        "  true ledger  {:>14} {:>14} {:>14} {:>14}",
        mean_of(summary, Metric::DeploysPerWeek).map_or("n/a".into(), number),
        mean_of(summary, Metric::LeadTimeP50).map_or("n/a".into(), number),
        mean_of(summary, Metric::ChangeFailRate)
            .map_or("n/a".into(), |v| value(Metric::ChangeFailRate.def(), v)),
        mean_of(summary, Metric::RecoveryP50).map_or("n/a".into(), number),
    );
}

/// [`lens_section`] in 57 columns.
fn lens_section_narrow(out: &mut String, summary: &RunSummary) {
    let _ = writeln!(out, "\nOne history, four lenses (means)");
    let row = |out: &mut String, cells: [&str; 5]| {
        let _ = writeln!(
            out,
            "  {:<11} {:>10} {:>10} {:>10} {:>10}",
            cells[0], cells[1], cells[2], cells[3], cells[4]
        );
    };
    row(
        out,
        [
            "lens",
            "deploys/wk",
            "lead p50 h",
            "fail rate",
            "recov. p50",
        ],
    );
    let show = |metric: Metric| {
        mean_of(summary, metric).map_or("n/a".to_string(), |v| value(metric.def(), v))
    };
    for (k, lens) in Lens::ALL.iter().enumerate() {
        let first = Metric::LensTruthDeploysPerWeek as usize + 4 * k;
        let cell = |i: usize| show(Metric::ALL[first + i]);
        row(out, [lens.name(), &cell(0), &cell(1), &cell(2), &cell(3)]);
    }
    row(
        out,
        [
            "true ledger",
            &show(Metric::DeploysPerWeek),
            &show(Metric::LeadTimeP50),
            &show(Metric::ChangeFailRate),
            &show(Metric::RecoveryP50),
        ],
    );
}

/// Renders the whole terminal summary for standard output ([`Style::detect`]).
pub fn render(
    scenario: &Scenario,
    summary: &RunSummary,
    threads: usize,
    lens: Lens,
    all_lenses: bool,
) -> String {
    render_styled(
        scenario,
        summary,
        threads,
        lens,
        all_lenses,
        Style::detect(),
    )
}

/// Renders the whole terminal summary in `style`: with no width, the full layout; with one,
/// every line fits it.
pub fn render_styled(
    scenario: &Scenario,
    summary: &RunSummary,
    threads: usize,
    lens: Lens,
    all_lenses: bool,
    style: Style,
) -> String {
    let mut out = String::new();
    let p = &scenario.params;
    prose(
        &mut out,
        &format!(
            "dorasim {} — scenario `{}` ({})",
            env!("CARGO_PKG_VERSION"),
            printable(&scenario.name),
            printable(&scenario.origin)
        ),
        "",
        style,
    );
    let label = printable(&super::command::label(
        &scenario.description,
        &scenario.overrides,
    ));
    if !label.trim().is_empty() {
        match style.width {
            None => {
                let _ = writeln!(out, "{}", label.trim());
            }
            Some(_) => {
                for paragraph in label.trim().lines() {
                    prose(&mut out, paragraph, "", style);
                }
            }
        }
    }
    prose(
        &mut out,
        &format!(
            "{} replications, seed {}, {} measured weeks after {} weeks of warm-up; {} events in {:.2} s on {} threads ({:.0} replications/s, {:.1} M events/s)",
            summary.runs,
            summary.seed,
            number(p.time.horizon_weeks),
            number(p.time.warmup_weeks),
            summary.events,
            summary.wall_seconds,
            threads,
            summary.replications_per_second(),
            summary.events_per_second() / 1e6,
        ),
        "",
        style,
    );
    let dora = group_rows(summary, Group::Dora);
    let sections: Vec<(&str, Vec<MetricRow>)> = SECTIONS
        .iter()
        .filter(|(_, group)| shown(summary, *group))
        .map(|(title, group)| (*title, group_rows(summary, *group)))
        .collect();
    // Each table fits on its own: the DORA table's bucket column need not cut the labels of
    // the others.
    let columns_of = |rows: &[MetricRow]| {
        let rows: Vec<&MetricRow> = rows.iter().collect();
        Columns::choose(&rows, style.width)
    };
    let dora_columns = columns_of(&dora);
    let section_columns: Vec<Columns> = sections.iter().map(|(_, rows)| columns_of(rows)).collect();
    let every_row: Vec<&MetricRow> = dora
        .iter()
        .chain(sections.iter().flat_map(|(_, rows)| rows))
        .collect();
    let every_columns: Vec<Columns> = std::iter::once(dora_columns)
        .chain(section_columns.iter().copied())
        .collect();
    prose(
        &mut out,
        &figures_explained(&every_columns, &every_row, style.width),
        "",
        style,
    );
    dora_header(&mut out, dora_columns);
    for row in &dora {
        row_line(&mut out, row, dora_columns);
    }
    two_modes_notes(&mut out, summary, style);
    sparklines(&mut out, summary, style);
    out.push('\n');
    prose(
        &mut out,
        "Performance tier (share of replications; nearest DORA cluster)",
        "",
        style,
    );
    tier_line(&mut out, "DORA 2024", &summary.tiers_2024, style.width);
    tier_line(&mut out, "DORA 2023", &summary.tiers_2023, style.width);
    out.push_str(&super::teams::table(summary));
    measured_section(&mut out, summary, lens, style);
    if all_lenses {
        lens_section(&mut out, summary, style.width);
    }
    for ((title, rows), columns) in sections.iter().zip(section_columns) {
        section(&mut out, title, rows, columns, style);
    }
    if let Some(lesson) = &scenario.lesson {
        out.push('\n');
        prose(
            &mut out,
            &format!("Lesson: {}", printable(lesson.trim())),
            "",
            style,
        );
    }
    match style.width {
        None => out,
        Some(width) => out
            .lines()
            .map(|line| clip_line(line, width) + "\n")
            .collect(),
    }
}

/// The line that explains the figures of the tables, and what a narrow terminal left out of
/// them (`columns`: those of each table).
fn figures_explained(columns: &[Columns], rows: &[&MetricRow], width: Option<usize>) -> String {
    let full = "Each figure: mean over replications [95 % confidence interval of the mean], then p5 / p50 / p95 across replications.";
    if columns.iter().all(|c| c.shows_percentiles()) {
        return full.to_string();
    }
    let without_ci = columns
        .iter()
        .any(|c| matches!(c, Columns::Fitted { ci: None, .. }));
    let (left_out, what) = if without_ci {
        (
            "the 95 % CI and p5 / p50 / p95",
            "Each figure: mean over replications.",
        )
    } else {
        (
            "p5 / p50 / p95",
            "Each figure: mean over replications [95 % confidence interval of the mean].",
        )
    };
    format!(
        "{what} Left out to fit {} columns: {left_out} (a terminal {} columns wide shows them, \
         as does piping the output).",
        width.unwrap_or(0),
        Columns::full_width(rows)
    )
}

/// A note under the DORA table for each metric whose replications fall in two clusters, so that
/// the table never shows, unremarked, a mean that almost no replication has.
fn two_modes_notes(out: &mut String, summary: &RunSummary, style: Style) {
    let width = style.width.map_or(100, |w| w.min(100));
    for (metric, modes) in summary.two_modes_noted() {
        let note = two_modes_note(metric.def(), &modes, mean_of(summary, metric));
        let _ = writeln!(out);
        wrap(out, &format!("Two modes. {note}"), "  ", width);
    }
}

/// The weekly median of each DORA metric and availability as a sparkline, with its first and
/// last week.
fn sparklines(out: &mut String, summary: &RunSummary, style: Style) {
    use crate::metrics::{WEEKLY, Weekly};
    if summary.weekly.is_empty() {
        return;
    }
    let weeks = summary.weekly.len();
    let lines: Vec<(String, Vec<Option<f64>>, String)> = [
        Weekly::Deployments,
        Weekly::LeadTimeP50,
        Weekly::ChangeFailRate,
        Weekly::RecoveryP50,
        Weekly::ReworkRate,
        Weekly::Availability,
    ]
    .into_iter()
    .map(|series| {
        let def = &WEEKLY[series as usize];
        let medians: Vec<Option<f64>> = summary
            .weekly
            .iter()
            .map(|week| week.get(series as usize).and_then(|acc| acc.summary().p50))
            .collect();
        let ends = |v: Option<&Option<f64>>| {
            v.copied()
                .flatten()
                .map_or("n/a".to_string(), |x| value(def, x))
        };
        let ends = format!("{} → {}", ends(medians.first()), ends(medians.last()));
        (format!("{} ({})", def.label, def.unit), medians, ends)
    })
    .collect();
    // (label width, weeks a character): 52 and one week in the full layout; on a narrow
    // terminal the labels are cut (down to 12 characters), then the weeks grouped.
    const SHORTEST: usize = 12;
    let (label, per_character) = match style.width {
        None => (52, 1),
        Some(width) => {
            let labels = lines.iter().map(|l| l.0.chars().count()).max();
            let ends = lines.iter().map(|l| l.2.chars().count()).max();
            let (labels, ends) = (labels.unwrap_or(0), ends.unwrap_or(0));
            let room = width.saturating_sub(2 + 1 + 2 + ends);
            if room >= weeks + 52 {
                (52, 1)
            } else if room >= weeks + SHORTEST {
                ((room - weeks).min(labels), 1)
            } else {
                let columns = room.saturating_sub(SHORTEST).max(1);
                let per_character = weeks.div_ceil(columns);
                let label = room.saturating_sub(weeks.div_ceil(per_character));
                (label.min(labels), per_character)
            }
        }
    };
    let heading = if per_character > 1 {
        format!(
            "Weekly median, week 1 to {weeks} (scaled to each line's range; a character is {per_character} weeks)"
        )
    } else {
        format!("Weekly median, week 1 to {weeks} (scaled to each line's range)")
    };
    out.push('\n');
    prose(out, &heading, "", style);
    for (text, medians, ends) in &lines {
        let line = sparkline(&resample(medians, per_character));
        let line = if style.colour {
            format!("\x1b[36m{line}\x1b[0m")
        } else {
            line
        };
        let text = match style.width {
            None => format!("{text:<52}"),
            Some(_) if label == 52 => format!("{text:<52}"),
            Some(_) => fit(text, label),
        };
        let _ = writeln!(out, "  {text} {line}  {ends}");
    }
}
