//! The report of `dorasim forecast`: per scenario, a histogram of the completion dates and
//! their cumulative probability (the chance of being done by each date, percentiles marked), the
//! items-by-date histogram, and the tables the terminal prints, on the shared page frame.

use std::fmt::Write;

use plotters::prelude::*;

use crate::analysis::forecast::{Clock, Forecast, show_date};

use super::charts::{
    BLUE, Bins, Chart, FG, LegendEntry, ORANGE, Swatch, VERMILLION, chart_error, finish, font,
    histogram_svg, tick,
};
use super::html::{css, escape, figure, frame};
use super::{Report, ReportError};

/// Section ids of a forecast report, in page order.
pub const FORECAST_SECTIONS: &[(&str, &str)] = &[
    ("completion", "When will it be done?"),
    ("items-by", "Items in production by the date"),
    ("shifts", "Shift against the baseline"),
    ("method", "How the forecast counts"),
];

/// Days after the start of the finite values.
fn days(values: &[f64]) -> Vec<f64> {
    values
        .iter()
        .filter(|v| v.is_finite())
        .map(|v| v / 24.0)
        .collect()
}

fn date_tick(clock: &Clock, day: f64) -> String {
    clock
        .date(day * 24.0)
        .map_or_else(|| tick(day), |d| d.strftime("%d %b").to_string())
}

/// A histogram of the completion dates (days after the start), with the percentiles marked.
fn completion_histogram(
    id: &str,
    title: &str,
    clock: &Clock,
    values: &[f64],
    marks: &[(f64, f64)],
) -> Result<Chart, ReportError> {
    let err = chart_error(id);
    let xs = days(values);
    let (lo, hi) = range(&xs);
    let count = ((xs.len() as f64).sqrt().ceil() as usize).clamp(8, 40);
    let bins = Bins::new(&xs, (lo, hi), count, 1.15);
    let top = bins.top;
    let mut svg = String::new();
    histogram_svg(
        &mut svg,
        (560, 260),
        18,
        &bins,
        "completion date",
        &|v| date_tick(clock, *v),
        &err,
        |chart| {
            for &(p, hours) in marks {
                let x = hours / 24.0;
                if !(lo..=hi).contains(&x) {
                    continue;
                }
                let colour = if (p - 0.85).abs() < 1e-9 {
                    VERMILLION
                } else {
                    ORANGE
                };
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(x, 0.0), (x, top)],
                        5,
                        4,
                        colour.stroke_width(2),
                    ))
                    .map_err(|e| err(e.to_string()))?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("p{}", (p * 100.0).round()),
                        (x, top * 0.97),
                        font(11),
                    )))
                    .map_err(|e| err(e.to_string()))?;
            }
            Ok(())
        },
    )?;
    Ok(finish(id, title, svg).with_legend(vec![
        LegendEntry::new(Swatch::Fill(0.75), BLUE, "replications done in each bin"),
        LegendEntry::new(Swatch::Dash, VERMILLION, "p85"),
        LegendEntry::new(Swatch::Dash, ORANGE, "p50, p70, p95"),
    ]))
}

/// The cumulative probability of being done by each date, one line per scenario.
fn cumulative(
    id: &str,
    title: &str,
    clock: &Clock,
    series: &[(String, Vec<f64>)],
    deadline: Option<f64>,
) -> Result<Chart, ReportError> {
    let err = chart_error(id);
    let all: Vec<f64> = series.iter().flat_map(|(_, v)| days(v)).collect();
    let (lo, hi) = range(&all);
    let colours = [BLUE, ORANGE, super::charts::GREEN, VERMILLION];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (560, 260)).into_drawing_area();
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .margin_right(18)
            .x_label_area_size(40)
            .y_label_area_size(52)
            .build_cartesian_2d(lo..hi, 0f64..100f64)
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc("done by (date)")
            .y_desc("chance (%)")
            .label_style(font(12))
            .axis_desc_style(font(13))
            .axis_style(FG.mix(0.55))
            .bold_line_style(FG.mix(0.10))
            .max_light_lines(0)
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&|v| date_tick(clock, *v))
            .y_label_formatter(&|v| tick(*v))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        for (k, (_, values)) in series.iter().enumerate() {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let n = sorted.len().max(1) as f64;
            let mut points = vec![(lo, 0.0)];
            for (i, v) in sorted.iter().enumerate() {
                if !v.is_finite() {
                    break;
                }
                let x = v / 24.0;
                points.push((x, 100.0 * i as f64 / n));
                points.push((x, 100.0 * (i + 1) as f64 / n));
            }
            if let Some(&(_, y)) = points.last() {
                points.push((hi, y));
            }
            chart
                .draw_series(LineSeries::new(
                    points,
                    colours[k % colours.len()].stroke_width(2),
                ))
                .map_err(|e| err(e.to_string()))?;
        }
        for p in [50.0, 85.0] {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(lo, p), (hi, p)],
                    3,
                    4,
                    FG.mix(0.4).stroke_width(1),
                ))
                .map_err(|e| err(e.to_string()))?;
        }
        if let Some(d) = deadline.map(|h| h / 24.0).filter(|d| (lo..=hi).contains(d)) {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(d, 0.0), (d, 100.0)],
                    5,
                    4,
                    VERMILLION.stroke_width(2),
                ))
                .map_err(|e| err(e.to_string()))?;
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let mut legend: Vec<LegendEntry> = series
        .iter()
        .enumerate()
        .map(|(k, (name, _))| LegendEntry::new(Swatch::Line, colours[k % colours.len()], name))
        .collect();
    legend.push(LegendEntry::new(Swatch::Dash, FG, "50 % and 85 %"));
    if deadline.is_some() {
        legend.push(LegendEntry::new(
            Swatch::Dash,
            VERMILLION,
            "deadline (end of day)",
        ));
    }
    Ok(finish(id, title, svg).with_legend(legend))
}

/// A histogram of the items in production by the date.
fn items_histogram(id: &str, title: &str, values: &[f64]) -> Result<Chart, ReportError> {
    let err = chart_error(id);
    let xs: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let (lo, hi) = range(&xs);
    let (lo, hi) = (lo.floor(), hi.ceil().max(lo.floor() + 1.0));
    let count = ((hi - lo) as usize).clamp(1, 30);
    let bins = Bins::new(&xs, (lo, hi), count, 1.12);
    let mut svg = String::new();
    histogram_svg(
        &mut svg,
        (560, 260),
        18,
        &bins,
        "items in production",
        &|v| tick(*v),
        &err,
        |_| Ok(()),
    )?;
    Ok(finish(id, title, svg).with_legend(vec![LegendEntry::new(
        Swatch::Fill(0.75),
        BLUE,
        "replications with that many items",
    )]))
}

fn range(values: &[f64]) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo < 1e-9 {
        (lo, hi) = (lo - 0.5, hi + 0.5);
    }
    let pad = (hi - lo) * 0.04;
    (lo - pad, hi + pad)
}

fn date_cell(clock: &Clock, hours: f64) -> String {
    escape(&crate::analysis::forecast::date_text(clock, hours))
}

/// Draws the charts and builds the page of a forecast run by dorasim `version`.
pub fn build(f: &Forecast, version: &str) -> Result<Report, ReportError> {
    let mut charts = Vec::new();
    let mut body = String::new();
    let names: Vec<String> = f.arms.iter().map(|a| a.name.clone()).collect();
    let title = format!("dorasim forecast — {}", names.join(" vs "));
    let _ = write!(
        body,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{} · start {} · {} replications per scenario · seed {} · dorasim {}</p>\n<nav>",
        escape(&title),
        escape(&f.asked()),
        escape(&show_date(f.start)),
        f.runs,
        f.seed,
        escape(version)
    );
    for (id, heading) in FORECAST_SECTIONS {
        let _ = write!(body, "<a href=\"#{id}\">{}</a>", escape(heading));
    }
    body.push_str("</nav>\n</header>\n<main>\n");
    let clock0 = f.arms[0].clock;
    if f.question.target_items().is_some() {
        let _ = writeln!(
            body,
            "<section id=\"completion\">\n<h2>{}</h2>\n<p class=\"muted\">Each percentile is the \
             date by which that share of the simulated futures was done (pN: done by then in N % of \
             replications), with its 95 % distribution-free order-statistic interval.</p>",
            escape(FORECAST_SECTIONS[0].1)
        );
        body.push_str("<table><tr><th>scenario</th>");
        for p in crate::analysis::forecast::PERCENTILES {
            let _ = write!(
                body,
                "<th class=\"num\">p{} [95 % CI]</th>",
                (p * 100.0).round()
            );
        }
        if f.deadline.is_some() {
            body.push_str("<th class=\"num\">chance by the deadline</th>");
        }
        body.push_str("</tr>\n");
        for (k, arm) in f.arms.iter().enumerate() {
            let Some(c) = f.completion(k) else { continue };
            let _ = write!(body, "<tr><td>{}</td>", escape(&arm.name));
            for p in &c.percentiles {
                let _ = write!(
                    body,
                    "<td class=\"num\">{}<br><span class=\"muted\">[{}, {}]</span></td>",
                    date_cell(&arm.clock, p.value),
                    date_cell(&arm.clock, p.ci95_low),
                    date_cell(&arm.clock, p.ci95_high)
                );
            }
            if let Some(d) = c.deadline {
                let _ = write!(
                    body,
                    "<td class=\"num\">{:.1} % [{:.1} %, {:.1} %]</td>",
                    d.share * 100.0,
                    d.ci95_low * 100.0,
                    d.ci95_high * 100.0
                );
            }
            body.push_str("</tr>\n");
            if c.reached < c.runs {
                let _ = writeln!(
                    body,
                    "<tr><td colspan=\"6\" class=\"muted\">{} of {} replications of {} were not done within the horizon ({} measured weeks).</td></tr>",
                    c.runs - c.reached,
                    c.runs,
                    escape(&arm.name),
                    arm.horizon_weeks
                );
            }
        }
        body.push_str("</table>\n<div class=\"charts\">\n");
        let deadline = f.deadline.and_then(|d| clock0.hours_to_end_of(d));
        let series: Vec<(String, Vec<f64>)> = f
            .arms
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    a.samples.iter().map(|s| s.completion_hours).collect(),
                )
            })
            .collect();
        let cdf = cumulative(
            "forecast-cumulative",
            "Chance of being done by each date",
            &clock0,
            &series,
            deadline,
        )?;
        figure(&mut body, &cdf);
        charts.push(cdf);
        for (k, arm) in f.arms.iter().enumerate() {
            let Some(c) = f.completion(k) else { continue };
            let marks: Vec<(f64, f64)> = c
                .percentiles
                .iter()
                .map(|p| (p.probability, p.value))
                .collect();
            let chart = completion_histogram(
                &format!("forecast-histogram-{k}"),
                &format!("Completion dates: {}", arm.name),
                &arm.clock,
                &series[k].1,
                &marks,
            )?;
            figure(&mut body, &chart);
            charts.push(chart);
        }
        body.push_str("</div>\n</section>\n");
    }
    if let Some(by) = &f.by_label {
        let _ = writeln!(
            body,
            "<section id=\"items-by\">\n<h2>{}</h2>\n<p class=\"muted\">Items in production by {}: \
             \"at least X in N % of futures\" is the count reached or beaten in that share of \
             replications, with its 95 % order-statistic interval.</p>\n<table><tr><th>scenario</th><th class=\"num\">mean [95 % CI]</th>",
            escape(FORECAST_SECTIONS[1].1),
            escape(by)
        );
        for p in crate::analysis::forecast::PERCENTILES {
            let _ = write!(
                body,
                "<th class=\"num\">at least, {} %</th>",
                (p * 100.0).round()
            );
        }
        body.push_str("</tr>\n");
        for (k, arm) in f.arms.iter().enumerate() {
            let Some(items) = f.items_by(k) else { continue };
            let _ = write!(
                body,
                "<tr><td>{}</td><td class=\"num\">{:.1} [{:.1}, {:.1}]</td>",
                escape(&arm.name),
                items.mean,
                items.mean_ci95_low,
                items.mean_ci95_high
            );
            for p in &items.at_least {
                let _ = write!(
                    body,
                    "<td class=\"num\">{} <span class=\"muted\">[{}, {}]</span></td>",
                    p.value, p.ci95_low, p.ci95_high
                );
            }
            body.push_str("</tr>\n");
        }
        body.push_str("</table>\n<div class=\"charts\">\n");
        for (k, arm) in f.arms.iter().enumerate() {
            let values: Vec<f64> = arm.samples.iter().map(|s| s.items_by).collect();
            let chart = items_histogram(
                &format!("forecast-items-{k}"),
                &format!("Items in production by {by}: {}", arm.name),
                &values,
            )?;
            figure(&mut body, &chart);
            charts.push(chart);
        }
        body.push_str("</div>\n</section>\n");
    }
    if !f.shifts.is_empty() {
        let _ = writeln!(
            body,
            "<section id=\"shifts\">\n<h2>{}</h2>\n<p class=\"muted\">Each scenario against the \
             baseline <code>{}</code> on common random numbers (same seed, same replications): \
             the shift of each percentile in calendar days with its paired 95 % bootstrap \
             interval (negative: earlier).</p>\n<table><tr><th>scenario</th><th>percentile</th><th class=\"num\">baseline</th><th class=\"num\">scenario</th><th class=\"num\">shift, days [95 % CI]</th></tr>",
            escape(FORECAST_SECTIONS[2].1),
            escape(&f.arms[0].name)
        );
        for (k, shifts) in f.shifts.iter().enumerate() {
            for s in shifts {
                let d = |h: f64| {
                    if h.is_finite() {
                        format!("{:+.1}", h / 24.0)
                    } else {
                        "n/a".into()
                    }
                };
                let _ = writeln!(
                    body,
                    "<tr><td>{}</td><td>p{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} [{}, {}]</td></tr>",
                    escape(&f.arms[k + 1].name),
                    (s.probability * 100.0).round(),
                    date_cell(&f.arms[0].clock, s.a),
                    date_cell(&f.arms[k + 1].clock, s.b),
                    d(s.shift),
                    d(s.ci95_low),
                    d(s.ci95_high)
                );
            }
        }
        body.push_str("</table>\n</section>\n");
    }
    let _ = writeln!(
        body,
        "<section id=\"method\">\n<h2>{}</h2>\n<ul>\
         <li>Items are planned work items (features, planned bug fixes, configuration changes); \
         unplanned bug fixes and hotfixes are rework on the way, not items.</li>\
         <li>An item counts when it is in production, not merged. An item whose deployment \
         failed counts only when its fix is in production: the hotfix's deployment, or after a \
         rollback the next planned deployment.</li>\
         <li>The forecast starts on {} at the working day's start, in the first week after the \
         scenario's warm-up: the team is in its steady state, with its work in progress.</li>\
         {}</ul>\n</section>\n</main>\n",
        escape(FORECAST_SECTIONS[3].1),
        escape(&show_date(f.start)),
        if f.question.release.is_some() {
            "<li>A release is simulated as the next planned items the team picks up after the \
             start, with the release's mix of kinds and mean sizes; a dependent item's work \
             starts when its dependency is in production.</li>"
        } else {
            ""
        }
    );
    let html = frame(
        version,
        &title,
        &css(),
        &body,
        &format!(
            "Generated by dorasim {} from {}, seed {}.",
            escape(version),
            escape(
                &f.arms
                    .iter()
                    .map(|a| a.origin.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            f.seed
        ),
    );
    Ok(Report { html, charts })
}
