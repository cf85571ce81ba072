//! The report page: one self-contained HTML file (inline CSS and SVG, no script, no network),
//! readable in light and dark mode.
//!
//! (About 680 lines: one function per section of the run page, in page order.)

use std::fmt::Write;

use crate::metrics::Metric;
use crate::metrics::catalogue::Group;
use crate::metrics::ledger::Lens;
use crate::metrics::tiers::{Tier, duration_bucket, frequency_bucket};
use crate::output::format::{number, two_modes_note, two_modes_short, value};
use crate::runner::worth_a_note;

use super::charts::{BLUE, Chart, ORANGE, VERMILLION};
use super::data::{MetricEntry, ReportData, TierShares};

/// The page's sections: `(id, heading)`, in page order. Every report has all of them.
pub const SECTIONS: &[(&str, &str)] = &[
    ("summary", "DORA metrics and reliability"),
    ("tiers", "Performance tier"),
    ("teams", "Teams and the organisation"),
    ("agents", "Coding agents and AI review"),
    ("measured", "The dashboard beside the truth"),
    ("weekly", "Week by week"),
    ("distributions", "Spread over replications"),
    ("lead-time", "Where lead time goes"),
    ("defects", "Defect funnel"),
    ("review-flow", "Review queue and work in progress"),
    ("incidents", "Fragility and incidents"),
    ("time-use", "Where developer time goes"),
    ("scenario", "Scenario and reproduction"),
];

/// Sections a report shows only when the run has them: the teams of an organisation, and coding
/// agents or an AI reviewer.
pub const OPTIONAL_SECTIONS: &[&str] = &["teams", "agents"];

pub use crate::output::format::escape;

fn hex(c: plotters::style::RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

const TIER_COLOURS: [&str; 4] = ["#009E73", "#56B4E9", "#E69F00", "#D55E00"];

/// The page's styles: `style.css`, with the charts' colours filled in.
pub(crate) fn css() -> String {
    let template = include_str!("style.css");
    // The file opens with a comment for its readers; the page carries the rules only.
    let rules = template
        .split_once("*/\n")
        .map_or(template, |(_, rules)| rules);
    rules
        .replace("%BLUE%", &hex(BLUE))
        .replace("%ORANGE%", &hex(ORANGE))
}

/// Fills the page frame (`page.html`: head, styles, body, footer) shared by every report page.
/// `version`, `title` and `footer` are text (escaped here); `css` and `body` are HTML.
pub(crate) fn frame(version: &str, title: &str, css: &str, body: &str, footer: &str) -> String {
    let template = include_str!("page.html");
    let mut out = String::with_capacity(template.len() + css.len() + body.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        match &after[..end] {
            "version" => out.push_str(&escape(version)),
            "title" => out.push_str(&escape(title)),
            "css" => out.push_str(css),
            "body" => out.push_str(body),
            "footer" => out.push_str(footer),
            other => {
                out.push_str("{{");
                out.push_str(other);
                out.push_str("}}");
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Builds the page from the report data and its charts.
pub fn page(data: &ReportData, charts: &[Chart]) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let chart = |id: &str| charts.iter().find(|c| c.id == id);
    let title = format!("dorasim report — {}", data.name);
    header(&mut out, data);
    out.push_str("<main>\n");
    let used = |m: Metric| data.mean(m).is_some_and(|x| x > 0.0);
    for (id, heading) in SECTIONS {
        let skip = match *id {
            "teams" => data.teams.is_empty(),
            "agents" => !used(Metric::AgentShare) && !used(Metric::AiScreened),
            _ => false,
        };
        if skip {
            continue;
        }
        let _ = writeln!(out, "<section id=\"{id}\">\n<h2>{}</h2>", escape(heading));
        match *id {
            "teams" => teams(&mut out, data),
            "agents" => agent_stats(&mut out, data),
            "summary" => summary(&mut out, data),
            "tiers" => tiers(&mut out, data),
            "measured" => measured(&mut out, data),
            "weekly" => {
                out.push_str(
                    "<p class=\"muted\">Each week of the measured horizon across replications. \
                     Weekly values are noisy by nature (few deployments, fewer failures a week); \
                     the bands show how far one team's week can stray from the typical one.</p>\n",
                );
                fan_legend(&mut out, data, true);
                figures(&mut out, charts, "weekly-", false);
            }
            "distributions" => {
                if data.distributions.is_empty() {
                    out.push_str(
                        "<p class=\"muted\">No per-replication values: run with <code>--out DIR</code> \
                         (which writes replications.csv) to see the distributions.</p>\n",
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "<p class=\"muted\">Histogram of each replication's value ({} replications); \
                         the <span style=\"color:{}\">vertical line</span> is the mean; \
                         <span style=\"color:{}\">dashed lines</span> mark two modes, when the \
                         replications fall in two clusters.</p>",
                        data.distributions
                            .first()
                            .map_or(0, |d| d.values.len().max(1)),
                        hex(VERMILLION),
                        hex(ORANGE)
                    );
                    figures(&mut out, charts, "dist-", true);
                }
            }
            "lead-time" => lead_time(&mut out, data, chart("lead-time")),
            "defects" => defects(&mut out, data, chart("defect-funnel")),
            "review-flow" => {
                flow_stats(&mut out, data);
                fan_legend(&mut out, data, false);
                figures(&mut out, charts, "flow-", false);
            }
            "incidents" => {
                incident_stats(&mut out, data);
                fan_legend(&mut out, data, false);
                figures(&mut out, charts, "incidents-", false);
            }
            "time-use" => {
                out.push_str(
                    "<p class=\"muted\">Share of developers' working hours, mean over replications \
                     with its 95 % confidence interval.</p>\n",
                );
                figures(&mut out, charts, "time-use", false);
            }
            "scenario" => scenario(&mut out, data),
            _ => {}
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n");
    let footer = format!(
        "Generated by dorasim {} from scenario <code>{}</code>, seed {}, {} replications.",
        escape(&data.version),
        escape(&data.name),
        data.seed,
        data.runs
    );
    frame(&data.version, &title, &css(), &out, &footer)
}

fn header(out: &mut String, data: &ReportData) {
    let _ = writeln!(
        out,
        "<header>\n<h1>{}</h1>\n<p>{}</p>\n<p class=\"meta\">{} replications · seed {} · {} measured weeks after {} weeks of warm-up · lens <code>{}</code> · dorasim {}{}</p>",
        escape(&data.name),
        escape(data.description.trim()),
        data.runs,
        data.seed,
        number(data.horizon_weeks),
        number(data.warmup_weeks),
        escape(&data.lens),
        escape(&data.version),
        data.wall_seconds
            .map_or(String::new(), |s| format!(" · run took {s:.2} s")),
    );
    if let Some(lesson) = &data.lesson {
        let _ = writeln!(
            out,
            "<div class=\"lesson\"><strong>Lesson.</strong> {}</div>",
            escape(lesson.trim())
        );
    }
    out.push_str("<nav>");
    for (id, heading) in SECTIONS {
        let _ = write!(out, "<a href=\"#{id}\">{}</a>", escape(heading));
    }
    out.push_str("</nav>\n</header>\n");
}

fn fmt(entry: &MetricEntry, x: Option<f64>) -> String {
    x.map_or("n/a".to_string(), |v| value(entry.def, v))
}

fn bucket(metric: Metric, x: Option<f64>) -> Option<&'static str> {
    let x = x?;
    match metric {
        Metric::DeploysPerWeek => frequency_bucket(x).map(|b| b.label()),
        Metric::LeadTimeP50 | Metric::RecoveryP50 => duration_bucket(x).map(|b| b.label()),
        _ => None,
    }
}

/// The gap between the dashboard and the truth, and whether it flatters.
fn gap(entry: &MetricEntry, truth: f64, measured: f64, higher_is_better: bool) -> (String, bool) {
    let d = measured - truth;
    let scale = truth.abs().max(1e-12);
    let sign = if d >= 0.0 { "+" } else { "−" };
    if (d / scale).abs() < 0.02 {
        (
            format!("{sign}{} (≈ same)", value(entry.def, d.abs())),
            false,
        )
    } else if (d > 0.0) == higher_is_better {
        (
            format!("{sign}{} (flatters)", value(entry.def, d.abs())),
            true,
        )
    } else {
        (
            format!("{sign}{} (looks worse)", value(entry.def, d.abs())),
            false,
        )
    }
}

/// The headline metrics: `(truth, measured counterpart, higher is better)`.
const HEADLINE: [(Metric, Option<Metric>, bool); 6] = [
    (
        Metric::DeploysPerWeek,
        Some(Metric::MeasuredDeploysPerWeek),
        true,
    ),
    (
        Metric::LeadTimeP50,
        Some(Metric::MeasuredLeadTimeP50),
        false,
    ),
    (
        Metric::ChangeFailRate,
        Some(Metric::MeasuredChangeFailRate),
        false,
    ),
    (
        Metric::RecoveryP50,
        Some(Metric::MeasuredRecoveryP50),
        false,
    ),
    (Metric::ReworkRate, Some(Metric::MeasuredReworkRate), false),
    (Metric::Availability, None, true),
];

fn summary(out: &mut String, data: &ReportData) {
    out.push_str(
        "<p class=\"muted\">Mean over replications with the 95 % confidence interval of the mean, \
         the range p5–p95 that one replication (one possible half-year) falls in, the DORA \
         survey bucket, and what the team's dashboard shows.</p>\n<div class=\"cards\">\n",
    );
    for (metric, measured, higher_is_better) in HEADLINE {
        let entry = &data.metrics[metric as usize];
        let s = &entry.summary;
        let (big, unit) = match (s.mean, entry.def.unit) {
            (Some(m), "share") => (value(entry.def, m), String::new()),
            (Some(m), unit) => (number(m), unit.to_string()),
            (None, _) => ("n/a".to_string(), String::new()),
        };
        let _ = write!(
            out,
            "<div class=\"card\" id=\"card-{}\"><div class=\"label\">{}</div>\
             <div class=\"value\">{} <span class=\"unit\">{}</span></div><dl>\
             <dt>95 % CI</dt><dd>{} – {}</dd><dt>p5 – p95</dt><dd>{} – {}</dd>",
            entry.def.key,
            escape(entry.def.label),
            escape(&big),
            escape(&unit),
            escape(&fmt(entry, s.ci95_low)),
            escape(&fmt(entry, s.ci95_high)),
            escape(&fmt(entry, s.p5)),
            escape(&fmt(entry, s.p95)),
        );
        if let Some(b) = bucket(metric, s.mean) {
            let _ = write!(out, "<dt>DORA bucket</dt><dd>{}</dd>", escape(b));
        }
        if metric == Metric::LeadTimeP50 {
            // Beside the DORA median, the two statistics that move smoothly with process time.
            for (companion, label) in [
                (Metric::LeadTimeMean, "mean"),
                (Metric::LeadTimeWorkingP50, "median, working h"),
            ] {
                let e = &data.metrics[companion as usize];
                let _ = write!(
                    out,
                    "<dt>{label}</dt><dd>{} h</dd>",
                    escape(&fmt(e, e.summary.mean))
                );
            }
        }
        if let Some(modes) = &entry.two_modes {
            let _ = write!(
                out,
                "<dt>two modes</dt><dd class=\"flatters\"><a href=\"#two-modes-{}\">{}</a></dd>",
                entry.def.key,
                escape(&two_modes_short(entry.def, modes))
            );
        }
        if s.undefined > 0 {
            let _ = write!(
                out,
                "<dt>undefined</dt><dd>in {} replications</dd>",
                s.undefined
            );
        }
        if let Some(measured) = measured {
            let m = data.mean(measured);
            let _ = write!(out, "<dt>dashboard</dt><dd>{}</dd>", escape(&fmt(entry, m)));
            if let (Some(t), Some(m)) = (s.mean, m) {
                let (text, flatters) = gap(entry, t, m, higher_is_better);
                let class = if flatters { " class=\"flatters\"" } else { "" };
                let _ = write!(out, "<dt>gap</dt><dd{class}>{}</dd>", escape(&text));
            }
        } else if metric == Metric::Availability {
            let slo = &data.metrics[Metric::SloWeeksMet as usize];
            let _ = write!(
                out,
                "<dt>SLO weeks met</dt><dd>{}</dd>",
                escape(&fmt(slo, slo.summary.mean))
            );
        }
        out.push_str("</dl></div>\n");
    }
    out.push_str("</div>\n");
    two_modes_notes(out, data);
}

/// A note for each metric whose replications fall in two clusters, so that no card shows,
/// unremarked, a mean that almost no replication has; with a link to the histogram when the
/// report has one.
fn two_modes_notes(out: &mut String, data: &ReportData) {
    let modes_of = |m: Metric| data.metrics[m as usize].two_modes;
    for (metric, entry) in Metric::ALL.iter().zip(&data.metrics) {
        let Some(modes) = &entry.two_modes else {
            continue;
        };
        if !worth_a_note(*metric, modes, modes_of) {
            continue;
        }
        let note = two_modes_note(entry.def, modes, entry.summary.mean);
        let histogram = data
            .distributions
            .iter()
            .any(|d| d.metric.def().key == entry.def.key && !d.values.is_empty());
        let link = if histogram {
            format!(
                " <a href=\"#chart-dist-{}\">Histogram of the replications</a> (dashed: the two modes).",
                entry.def.key.replace('_', "-")
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<p class=\"two-modes\" id=\"two-modes-{}\"><strong>Two modes.</strong> {}{link}</p>",
            entry.def.key,
            escape(&note)
        );
    }
}

fn tier_bar(out: &mut String, name: &str, shares: &TierShares) {
    let _ = write!(
        out,
        "<div class=\"tierrow\"><div>{}</div><div class=\"tierbar\" role=\"img\" aria-label=\"{}\">",
        escape(name),
        escape(
            &Tier::ALL
                .iter()
                .zip(shares.shares)
                .map(|(t, s)| format!("{} {:.1} %", t.label(), s * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    for ((colour, share), tier) in TIER_COLOURS.iter().zip(shares.shares).zip(Tier::ALL) {
        if share > 0.0 {
            let text = if share >= 0.08 {
                format!("{} {:.0} %", tier.label(), share * 100.0)
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "<span style=\"width:{:.3}%;background:{colour}\">{text}</span>",
                share * 100.0
            );
        }
    }
    out.push_str("</div></div>\n");
}

fn tiers(out: &mut String, data: &ReportData) {
    out.push_str(
        "<p class=\"muted\">Share of replications whose profile (lead time, deployment \
         frequency, change fail rate, recovery time) is nearest each published DORA cluster.</p>\n",
    );
    tier_bar(out, "DORA 2024", &data.tiers_2024);
    tier_bar(out, "DORA 2023", &data.tiers_2023);
    out.push_str("<div class=\"legend\">");
    for (i, tier) in Tier::ALL.iter().enumerate() {
        let _ = write!(
            out,
            "<span><span class=\"swatch\" style=\"background:{}\"></span>{} ({:.1} % / {:.1} %)</span>",
            TIER_COLOURS[i],
            tier.label(),
            data.tiers_2024.shares[i] * 100.0,
            data.tiers_2023.shares[i] * 100.0
        );
    }
    if data.tiers_2024.unclassified > 0.0 || data.tiers_2023.unclassified > 0.0 {
        let _ = write!(
            out,
            "<span>unclassified ({:.1} % / {:.1} %)</span>",
            data.tiers_2024.unclassified * 100.0,
            data.tiers_2023.unclassified * 100.0
        );
    }
    out.push_str("<span>(DORA 2024 / 2023)</span></div>\n");
}

fn measured(out: &mut String, data: &ReportData) {
    let _ = writeln!(
        out,
        "<p class=\"muted\">The same history as the team's tooling records it, read through the \
         <code>{}</code> lens, beside the true ledger (means over replications).</p>",
        escape(&data.lens)
    );
    out.push_str("<table><tr><th>metric</th><th class=\"num\">true</th><th class=\"num\">dashboard</th><th class=\"num\">gap</th></tr>\n");
    for (metric, measured, higher_is_better) in HEADLINE {
        let Some(measured) = measured else { continue };
        let entry = &data.metrics[metric as usize];
        let (t, m) = (entry.summary.mean, data.mean(measured));
        let (text, flatters) = match (t, m) {
            (Some(t), Some(m)) => gap(entry, t, m, higher_is_better),
            _ => ("n/a".to_string(), false),
        };
        let class = if flatters { " flatters" } else { "" };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num{class}\">{}</td></tr>",
            escape(entry.def.label),
            escape(&fmt(entry, t)),
            escape(&fmt(entry, m)),
            escape(&text)
        );
    }
    out.push_str("</table>\n<h3 style=\"margin-top:16px\">One history, four lenses</h3>\n");
    out.push_str("<table><tr><th>lens</th><th class=\"num\">deploys / week</th><th class=\"num\">lead time p50 (h)</th><th class=\"num\">change fail rate</th><th class=\"num\">recovery p50 (h)</th></tr>\n");
    for (k, lens) in Lens::ALL.iter().enumerate() {
        let first = Metric::LensTruthDeploysPerWeek as usize + 4 * k;
        let _ = write!(out, "<tr><td>{}</td>", escape(lens.name()));
        for i in 0..4 {
            let entry = &data.metrics[first + i];
            let _ = write!(
                out,
                "<td class=\"num\">{}</td>",
                escape(&fmt(entry, entry.summary.mean))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    let culture: Vec<&MetricEntry> = data
        .group(Group::Culture)
        .filter(|e| e.summary.mean.is_some_and(|m| m != 0.0))
        .collect();
    if !culture.is_empty() {
        out.push_str("<h3 style=\"margin-top:16px\">What the culture did (mean per replication)</h3>\n<table>\n");
        for entry in culture {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
                escape(entry.def.label),
                escape(&fmt(entry, entry.summary.mean))
            );
        }
        out.push_str("</table>\n");
    }
}

fn fan_legend(out: &mut String, data: &ReportData, measured: bool) {
    let blue = hex(BLUE);
    let _ = write!(
        out,
        "<div class=\"legend\"><span><span class=\"swatch line\" style=\"background:{blue}\"></span>median</span>\
         <span><span class=\"swatch\" style=\"background:{blue};opacity:.45\"></span>p25–p75</span>\
         <span><span class=\"swatch\" style=\"background:{blue};opacity:.2\"></span>p5–p95</span>"
    );
    if measured {
        out.push_str(
            "<span><span class=\"swatch dash\"></span>dashboard (measured) median, where it differs</span>",
        );
    }
    if !data.events.is_empty() {
        let _ = write!(
            out,
            "<span><span class=\"swatch\" style=\"background:{0};opacity:.3\"></span>ramp / \
             <span class=\"swatch line\" style=\"background:{0}\"></span>step in the timeline</span>",
            hex(VERMILLION)
        );
    }
    out.push_str("</div>\n");
}

fn figures(out: &mut String, charts: &[Chart], prefix: &str, small: bool) {
    let class = if small { "charts small" } else { "charts" };
    let _ = writeln!(out, "<div class=\"{class}\">");
    for chart in charts.iter().filter(|c| c.id.starts_with(prefix)) {
        figure(out, chart);
    }
    out.push_str("</div>\n");
}

pub(crate) fn figure(out: &mut String, chart: &Chart) {
    // Inline SVG needs no namespace declaration; leaving it out keeps the page free of URLs.
    let svg = chart
        .svg
        .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    let _ = writeln!(
        out,
        "<figure id=\"chart-{}\"><h3>{}</h3>\n{}</figure>",
        chart.id,
        escape(&chart.title),
        svg
    );
}

fn lead_time(out: &mut String, data: &ReportData, chart: Option<&Chart>) {
    let show = |m: Metric| data.mean(m).map_or("n/a".to_string(), number);
    let _ = writeln!(
        out,
        "<p class=\"muted\">Mean hours per delivered change in each stage, with the 95 % \
         confidence interval; the stages add up to the mean change lead time, {} h (median {} h; \
         median in working hours, nights and weekends left out, {} h).</p>",
        show(Metric::LeadTimeMean),
        show(Metric::LeadTimeP50),
        show(Metric::LeadTimeWorkingP50)
    );
    if let Some(chart) = chart {
        out.push_str("<div class=\"charts\">\n");
        figure(out, chart);
        out.push_str("</div>\n");
    }
}

fn defects(out: &mut String, data: &ReportData, chart: Option<&Chart>) {
    out.push_str(
        "<p class=\"muted\">Defects per replication (described and integration defects together), \
         by where they were caught; mean with its 95 % confidence interval.</p>\n",
    );
    let _ = writeln!(
        out,
        "<div class=\"legend\"><span><span class=\"swatch\" style=\"background:{}\"></span>hand-written</span>\
         <span><span class=\"swatch\" style=\"background:{}\"></span>AI-assisted</span></div>",
        hex(BLUE),
        hex(ORANGE)
    );
    if let Some(chart) = chart {
        out.push_str("<div class=\"charts\">\n");
        figure(out, chart);
        out.push_str("</div>\n");
    }
    let show = |m: Metric| {
        let e = &data.metrics[m as usize];
        fmt(e, e.summary.mean)
    };
    let _ = writeln!(
        out,
        "<p>Share of defects escaping to production: hand-written {}, AI-assisted {}. \
         Failed deployments {}, of them from AI integration defects {}; user-facing bugs {}.</p>",
        escape(&show(Metric::EscapeRateHuman)),
        escape(&show(Metric::EscapeRateAi)),
        escape(&show(Metric::FailedDeployments)),
        escape(&show(Metric::AiIntegrationFailures)),
        escape(&show(Metric::BugsManifested)),
    );
}

fn stat_table(out: &mut String, data: &ReportData, metrics: &[Metric]) {
    out.push_str("<table><tr><th>metric</th><th class=\"num\">mean</th><th class=\"num\">95 % CI</th><th class=\"num\">p5 – p95</th></tr>\n");
    for m in metrics {
        let e = &data.metrics[*m as usize];
        let s = &e.summary;
        let _ = writeln!(
            out,
            "<tr><td>{} ({})</td><td class=\"num\">{}</td><td class=\"num\">{} – {}</td><td class=\"num\">{} – {}</td></tr>",
            escape(e.def.label),
            escape(e.def.unit),
            escape(&fmt(e, s.mean)),
            escape(&fmt(e, s.ci95_low)),
            escape(&fmt(e, s.ci95_high)),
            escape(&fmt(e, s.p5)),
            escape(&fmt(e, s.p95)),
        );
    }
    out.push_str("</table>\n");
}

/// Each team's DORA metrics as its own tooling measures them, and the organisation's roll-up.
fn teams(out: &mut String, data: &ReportData) {
    use crate::output::teams::{ORGANISATION, TEAM_COLUMNS, cell};
    out.push_str(
        "<p class=\"muted\">DORA defines its metrics per application or service: each row is one \
         team's service, read from that service's own records (its change fail rate counts the \
         failures its tooling links to its own deployments). The last row is the organisation's \
         roll-up, every service together, as a leader's dashboard shows it. Mean over \
         replications ± half-width of its 95 % confidence interval; <em>from others</em> counts \
         incidents in the service caused by another team's deployment.</p>\n<table><tr><th>team</th>",
    );
    for (_, header) in TEAM_COLUMNS {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape(header));
    }
    out.push_str("</tr>\n");
    let org: Vec<crate::stats::summary::Summary> = data.metrics.iter().map(|e| e.summary).collect();
    for (name, summaries) in data
        .teams
        .iter()
        .map(|(n, s)| (n.as_str(), s))
        .chain(std::iter::once((ORGANISATION, &org)))
    {
        let _ = write!(out, "<tr><td>{}</td>", escape(name));
        for (metric, _) in TEAM_COLUMNS {
            let _ = write!(
                out,
                "<td class=\"num\">{}</td>",
                escape(&cell(metric, &summaries[metric as usize]))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

fn agent_stats(out: &mut String, data: &ReportData) {
    out.push_str(
        "<p class=\"muted\">Agents' pull requests go through the same review as everyone's; \
         supervising them is developer time. The AI reviewer screens pull requests before humans \
         see them.</p>\n",
    );
    stat_table(
        out,
        data,
        &[
            Metric::AgentShare,
            Metric::AgentPrsRejected,
            Metric::TimeSupervision,
            Metric::ReviewTimeOnAgents,
            Metric::ReviewEffortPerPr,
            Metric::EscapeRateAgent,
            Metric::AiScreened,
            Metric::AiReviewFindings,
            Metric::AiReviewFalsePositives,
        ],
    );
}

fn flow_stats(out: &mut String, data: &ReportData) {
    stat_table(
        out,
        data,
        &[
            Metric::ReviewUtilisation,
            Metric::ReviewWaitMean,
            Metric::ReviewQueue,
            Metric::ReviewDepth,
            Metric::ReviewRounds,
            Metric::WorkInProgress,
            Metric::PullRequestsPerWeek,
            Metric::AiShare,
        ],
    );
}

fn incident_stats(out: &mut String, data: &ReportData) {
    stat_table(
        out,
        data,
        &[
            Metric::Incidents,
            Metric::IncidentsFromDeployments,
            Metric::IncidentsFromFragility,
            Metric::IncidentsFromInteraction,
            Metric::NonAttributableIncidents,
            Metric::FragilityEnd,
        ],
    );
}

fn scenario(out: &mut String, data: &ReportData) {
    let _ = writeln!(out, "<p>{}</p>", escape(data.description.trim()));
    if let Some(lesson) = &data.lesson {
        let _ = writeln!(
            out,
            "<div class=\"lesson\"><strong>Lesson.</strong> {}</div>",
            escape(lesson.trim())
        );
    }
    let reproduce = crate::output::command::reproduce_command(
        &data.origin,
        &data.overrides,
        data.runs,
        data.seed,
        &data.lens,
    );
    let _ = writeln!(
        out,
        "<p>Scenario <code>{}</code> from <code>{}</code>, seed {}, {} replications, lens <code>{}</code>, dorasim {}. To reproduce:</p>\n<pre><code>{} --out DIR &amp;&amp; dorasim report DIR</code></pre>",
        escape(&data.name),
        escape(&data.origin),
        data.seed,
        data.runs,
        escape(&data.lens),
        escape(&data.version),
        escape(&reproduce),
    );
    out.push_str("<h3>Timeline</h3>\n");
    if data.events.is_empty() {
        out.push_str("<p class=\"muted\">No parameter changes during the run.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for event in &data.events {
            let _ = writeln!(out, "<li><code>{}</code></li>", escape(&event.label));
        }
        out.push_str("</ul>\n");
    }
    let _ = writeln!(
        out,
        "<h3>Resolved parameters ({})</h3>\n<div class=\"params\">",
        data.parameters.len()
    );
    for (key, value) in &data.parameters {
        let _ = writeln!(
            out,
            "<div><code>{}</code><span>{}</span></div>",
            escape(key),
            escape(value)
        );
    }
    out.push_str("</div>\n");
}
