//! The report's charts, drawn with plotters' SVG backend into strings.
//!
//! Text, axes and grid lines are drawn in a placeholder colour that is replaced by
//! `currentColor`, so a chart takes the page's text colour and reads in light and dark mode alike.
//! Series use the Okabe-Ito palette, which stays distinguishable with the common colour-vision
//! deficiencies.
//!
//! (About 860 lines: the four chart builders every page shares, fan, histogram, bars and forest,
//! and the standalone SVG with its title and legend.)

use plotters::prelude::*;

use crate::metrics::catalogue::MetricDef;
use crate::stats::modes::TwoModes;
use crate::stats::summary::Summary;

use super::data::{ReportError, TimelineEvent, WeekBand, WeeklySeries};

/// Placeholder for the page's text colour (replaced by `currentColor`).
pub(crate) const FG: RGBColor = RGBColor(0x01, 0x02, 0x03);
/// Okabe-Ito blue: the main series.
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe-Ito orange: the measured (dashboard) series, AI-assisted work.
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Okabe-Ito vermillion: timeline events.
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe-Ito bluish green.
pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);

pub(crate) const FONT: &str = "sans-serif";

/// One chart: an id (also its file name with `--charts`), a title, the SVG text, and the
/// legend the page shows beside it.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Id, unique in a report; `[a-z0-9-]` only.
    pub id: String,
    /// Title shown above the chart.
    pub title: String,
    /// Self-contained SVG document, as embedded in the page (the page gives its title).
    pub svg: String,
    /// The legend the page gives in HTML around the chart, which a standalone file must carry
    /// itself ([`Chart::standalone_svg`]). Empty when the chart draws its legend inside.
    pub legend: Vec<LegendEntry>,
}

/// One entry of a chart's legend: a swatch and what it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// How the swatch is drawn.
    pub swatch: Swatch,
    /// Its colour ([`FG`] for the text colour).
    pub colour: RGBColor,
    /// What it stands for.
    pub label: String,
}

impl LegendEntry {
    /// An entry of `swatch` in `colour` labelled `label`.
    pub fn new(swatch: Swatch, colour: RGBColor, label: &str) -> LegendEntry {
        LegendEntry {
            swatch,
            colour,
            label: label.to_string(),
        }
    }
}

/// The swatch of a legend entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Swatch {
    /// A solid line.
    Line,
    /// A dashed line.
    Dash,
    /// A filled box of the given opacity: a bar, a band.
    Fill(f64),
    /// A point on its interval (a forest plot's row).
    Point,
    /// An interval's whisker.
    Whisker,
}

/// The legend entry of an interval whisker in the text colour.
pub fn ci_entry() -> LegendEntry {
    LegendEntry::new(Swatch::Whisker, FG, "95 % confidence interval of the mean")
}

impl Chart {
    /// The chart with `legend` for its standalone file.
    pub fn with_legend(mut self, legend: Vec<LegendEntry>) -> Chart {
        self.legend = legend;
        self
    }

    /// The chart as a standalone SVG document for a slide: its title as an SVG `<title>` and
    /// as a visible heading above the chart, and its legend (the one the page gives in HTML)
    /// drawn below it. Text takes `currentColor`, as in the page.
    pub fn standalone_svg(&self) -> String {
        let (width, height) = svg_size(&self.svg).unwrap_or((640, 280));
        let title = xml_text(&self.title);
        // Title lines of at most ~9.5 px a character at 17 px bold.
        let per_line = ((f64::from(width) - 28.0) / 9.5).max(20.0) as usize;
        let mut lines: Vec<String> = Vec::new();
        for word in self.title.split_whitespace() {
            match lines.last_mut() {
                Some(line) if line.chars().count() + 1 + word.chars().count() <= per_line => {
                    line.push(' ');
                    line.push_str(word);
                }
                _ => lines.push(word.to_string()),
            }
        }
        let heading = 12 + 22 * lines.len() as u32;
        let rows = legend_rows(&self.legend, width);
        let legend_height = rows.last().map_or(0, |&(_, row)| 22 * (row as u32 + 1) + 8);
        let total = heading + height + legend_height;
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{total}\" \
             viewBox=\"0 0 {width} {total}\" role=\"img\" aria-labelledby=\"{id}-title\">\n\
             <title id=\"{id}-title\">{title}</title>\n\
             <g class=\"title\" font-family=\"{FONT}\" font-size=\"17\" font-weight=\"bold\" \
             fill=\"currentColor\">\n",
            id = self.id,
        );
        for (k, line) in lines.iter().enumerate() {
            out.push_str(&format!(
                "<text x=\"14\" y=\"{}\">{}</text>\n",
                24 + 22 * k,
                xml_text(line)
            ));
        }
        out.push_str("</g>\n");
        // The chart itself, moved below the heading.
        out.push_str(
            &self
                .svg
                .replacen("<svg ", &format!("<svg x=\"0\" y=\"{heading}\" "), 1),
        );
        out.push('\n');
        if !self.legend.is_empty() {
            out.push_str(&format!(
                "<g class=\"legend\" font-family=\"{FONT}\" font-size=\"14\" fill=\"currentColor\">\n"
            ));
            for (entry, (x, row)) in self.legend.iter().zip(rows) {
                let y = heading + height + 14 + 22 * row as u32;
                out.push_str(&swatch_svg(entry, x, y));
                out.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\">{}</text>\n",
                    x + 34,
                    y + 5,
                    xml_text(&entry.label)
                ));
            }
            out.push_str("</g>\n");
        }
        out.push_str("</svg>\n");
        out
    }
}

/// The `width` and `height` attributes of the first `<svg>` tag of `svg`.
fn svg_size(svg: &str) -> Option<(u32, u32)> {
    let start = svg.find("<svg")?;
    let tag = &svg[start..start + svg[start..].find('>')?];
    let attribute = |name: &str| -> Option<u32> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = tag[at..].find('"')?;
        tag[at..at + end].parse().ok()
    };
    Some((attribute("width")?, attribute("height")?))
}

/// Text for an SVG document: XML's special characters escaped, control characters (invalid in
/// XML) replaced.
fn xml_text(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    crate::output::format::escape(&clean)
}

/// The left edge and row of each legend entry, wrapped to `width` pixels (about 7.2 px a
/// character at 14 px).
fn legend_rows(entries: &[LegendEntry], width: u32) -> Vec<(u32, usize)> {
    let mut out = Vec::new();
    let (mut x, mut row) = (14u32, 0usize);
    for entry in entries {
        let w = 34 + (entry.label.chars().count() as f64 * 7.2) as u32 + 24;
        if x + w > width && x > 14 {
            x = 14;
            row += 1;
        }
        out.push((x, row));
        x += w;
    }
    out
}

/// A colour for an SVG attribute: the text colour placeholder becomes `currentColor`.
fn svg_colour(c: RGBColor) -> String {
    if c == FG {
        "currentColor".to_string()
    } else {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }
}

/// The swatch of `entry` in the 26 × 12 px box at `x`, centred on `y`.
fn swatch_svg(entry: &LegendEntry, x: u32, y: u32) -> String {
    let c = svg_colour(entry.colour);
    let line = |extra: &str| {
        format!(
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{c}\" stroke-width=\"3\"{extra}/>\n",
            x + 2,
            x + 26
        )
    };
    match entry.swatch {
        Swatch::Line => line(""),
        Swatch::Dash => line(" stroke-dasharray=\"6 4\""),
        Swatch::Fill(opacity) => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"24\" height=\"12\" fill=\"{c}\" fill-opacity=\"{opacity}\"/>\n",
            x + 2,
            y - 6
        ),
        Swatch::Point => format!(
            "{}<circle cx=\"{}\" cy=\"{y}\" r=\"5\" fill=\"{c}\"/>\n",
            line(""),
            x + 14
        ),
        Swatch::Whisker => format!(
            "<path d=\"M{a} {y}H{b}M{a} {top}V{bottom}M{b} {top}V{bottom}\" stroke=\"{c}\" \
             stroke-width=\"1.5\" fill=\"none\"/>\n",
            a = x + 2,
            b = x + 26,
            top = y - 5,
            bottom = y + 5
        ),
    }
}

pub(crate) fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&FG)
}

pub(crate) fn chart_error(id: &str) -> impl Fn(String) -> ReportError + '_ {
    move |message| ReportError::Chart {
        chart: id.to_string(),
        message,
    }
}

pub(crate) fn finish(id: &str, title: &str, svg: String) -> Chart {
    let svg = svg.replace("#010203", "currentColor").replacen(
        "<svg ",
        "<svg role=\"img\" class=\"chart\" ",
        1,
    );
    Chart {
        id: id.to_string(),
        title: title.to_string(),
        svg,
        legend: Vec::new(),
    }
}

/// How a unit is drawn on an axis: a factor (shares become percentages) and the axis title.
pub fn axis_unit(def: &MetricDef) -> (f64, String) {
    match def.unit {
        "share" => (100.0, "%".to_string()),
        "per week" => (1.0, format!("{} per week", noun(def.key))),
        "count" => (1.0, noun(def.key).to_string()),
        other => (1.0, other.to_string()),
    }
}

/// What a count or rate counts, for axis titles.
fn noun(key: &str) -> &'static str {
    if key.contains("incident") {
        "incidents"
    } else if key.contains("deploy") {
        "deployments"
    } else if key.contains("failure") {
        "failures"
    } else if key.contains("pull_request") {
        "pull requests"
    } else if key.contains("throughput") {
        "changes"
    } else {
        "count"
    }
}

/// An axis tick: up to three significant decimals, no trailing zeros.
pub fn tick(v: f64) -> String {
    let a = v.abs();
    let text = if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    if text.contains('.') {
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        if trimmed == "-0" {
            "0".to_string()
        } else {
            trimmed.to_string()
        }
    } else {
        text
    }
}

/// A value range with some headroom; starts at zero when the data are non-negative and not far
/// from it (counts, rates), hugs the data otherwise (availability near 100 %).
pub(crate) fn value_range(lo: f64, hi: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let (lo, hi) = if hi - lo < 1e-12 {
        let pad = (hi.abs() * 0.05).max(1e-6);
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    };
    let span = hi - lo;
    let low = if lo >= 0.0 && lo <= 0.5 * hi {
        0.0
    } else {
        lo - 0.08 * span
    };
    (low, hi + 0.08 * span)
}

/// Runs of consecutive weeks where `f` is defined, as `(x, values)` points.
fn runs<T: Copy>(weeks: &[WeekBand], f: impl Fn(&WeekBand) -> Option<T>) -> Vec<Vec<(f64, T)>> {
    let mut out: Vec<Vec<(f64, T)>> = Vec::new();
    let mut current = Vec::new();
    for band in weeks {
        match f(band) {
            Some(v) => current.push((f64::from(band.week) - 0.5, v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn band_polygon(points: &[(f64, (f64, f64))], style: ShapeStyle) -> Polygon<(f64, f64)> {
    let upper = points.iter().map(|&(x, (_, hi))| (x, hi));
    let lower = points.iter().rev().map(|&(x, (lo, _))| (x, lo));
    Polygon::new(upper.chain(lower).collect::<Vec<_>>(), style)
}

/// A weekly fan chart: median over replications with p25–p75 and p5–p95 bands, an optional
/// overlay (the measured series' median, dashed), and the timeline's events.
pub fn fan(
    id: &str,
    series: &WeeklySeries,
    overlay: Option<&WeeklySeries>,
    events: &[TimelineEvent],
    horizon_weeks: f64,
) -> Result<Chart, ReportError> {
    let err = chart_error(id);
    let (factor, y_desc) = axis_unit(series.def);
    let y_desc = match series.def.key {
        "lead_time_p50_hours" | "recovery_p50_hours" => "hours".to_string(),
        "review_queue" => "pull requests waiting".to_string(),
        "wip" => "changes in progress".to_string(),
        "fragility" => "fragility (units)".to_string(),
        "deployments" => "deployments per week".to_string(),
        "incidents" | "incidents_non_attributable" => "incidents per week".to_string(),
        _ => y_desc,
    };
    let scaled = |x: Option<f64>| x.map(|v| v * factor);
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for band in series
        .weeks
        .iter()
        .chain(overlay.iter().flat_map(|o| o.weeks.iter()))
    {
        for v in [band.p5, band.p50, band.p95].into_iter().flatten() {
            lo = lo.min(v * factor);
            hi = hi.max(v * factor);
        }
    }
    let (y0, y1) = value_range(lo, hi);
    let weeks = (series.weeks.len() as f64).max(horizon_weeks).max(1.0);
    // The dashboard's line only where it tells something: drawn over an identical median
    // it would hide it.
    let differs = overlay.is_some_and(|o| {
        o.weeks
            .iter()
            .zip(&series.weeks)
            .any(|(m, t)| match (m.p50, t.p50) {
                (Some(m), Some(t)) => (m - t).abs() > 1e-3 * t.abs().max(1e-9),
                (a, b) => a.is_some() != b.is_some(),
            })
    });
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 280)).into_drawing_area();
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .margin_right(18)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(0f64..weeks, y0..y1)
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc("week of the measured horizon")
            .y_desc(y_desc)
            .label_style(font(13))
            .axis_desc_style(font(14))
            .axis_style(FG.mix(0.55))
            .bold_line_style(FG.mix(0.10))
            .max_light_lines(0)
            .x_labels(14)
            .y_labels(6)
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        let line_height = (y1 - y0) * 17.0 / 220.0;
        for (index, event) in events.iter().enumerate() {
            let start = event.start_week.clamp(0.0, weeks);
            match event.end_week {
                Some(end) => {
                    let end = end.clamp(0.0, weeks);
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(start, y0), (end.max(start + 0.05), y1)],
                            VERMILLION.mix(0.10).filled(),
                        )))
                        .map_err(|e| err(e.to_string()))?;
                }
                None => {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(start, y0), (start, y1)],
                            VERMILLION.stroke_width(2),
                        )))
                        .map_err(|e| err(e.to_string()))?;
                }
            }
            let label = event.key.rsplit('.').next().unwrap_or(&event.key);
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("▸ {label}"),
                    (start + 0.15, y1 - index as f64 * line_height),
                    (FONT, 13).into_font().color(&VERMILLION),
                )))
                .map_err(|e| err(e.to_string()))?;
        }
        let outer = |b: &WeekBand| scaled(b.p5).zip(scaled(b.p95));
        let inner = |b: &WeekBand| scaled(b.p25).zip(scaled(b.p75));
        for points in runs(&series.weeks, outer) {
            chart
                .draw_series(std::iter::once(band_polygon(
                    &points,
                    BLUE.mix(0.16).filled(),
                )))
                .map_err(|e| err(e.to_string()))?;
        }
        for points in runs(&series.weeks, inner) {
            chart
                .draw_series(std::iter::once(band_polygon(
                    &points,
                    BLUE.mix(0.30).filled(),
                )))
                .map_err(|e| err(e.to_string()))?;
        }
        for points in runs(&series.weeks, |b| scaled(b.p50)) {
            chart
                .draw_series(LineSeries::new(points, BLUE.stroke_width(2)))
                .map_err(|e| err(e.to_string()))?;
        }
        if let Some(overlay) = overlay.filter(|_| differs) {
            for points in runs(&overlay.weeks, |b| scaled(b.p50)) {
                chart
                    .draw_series(DashedLineSeries::new(points, 6, 4, ORANGE.stroke_width(2)))
                    .map_err(|e| err(e.to_string()))?;
            }
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let mut legend = vec![
        LegendEntry::new(Swatch::Line, BLUE, "median over replications"),
        LegendEntry::new(Swatch::Fill(0.45), BLUE, "p25–p75"),
        LegendEntry::new(Swatch::Fill(0.2), BLUE, "p5–p95"),
    ];
    if differs {
        legend.push(LegendEntry::new(
            Swatch::Dash,
            ORANGE,
            "dashboard (measured) median",
        ));
    }
    if events.iter().any(|e| e.end_week.is_some()) {
        legend.push(LegendEntry::new(
            Swatch::Fill(0.3),
            VERMILLION,
            "ramp in the timeline",
        ));
    }
    if events.iter().any(|e| e.end_week.is_none()) {
        legend.push(LegendEntry::new(
            Swatch::Line,
            VERMILLION,
            "step in the timeline",
        ));
    }
    Ok(finish(id, series.def.label, svg).with_legend(legend))
}

/// Replication values counted into equal bins over `[lo, hi]`, with the height of the plot.
pub(crate) struct Bins {
    pub lo: f64,
    pub hi: f64,
    pub width: f64,
    pub counts: Vec<u64>,
    /// The highest bar times the headroom above it.
    pub top: f64,
}

impl Bins {
    /// Counts `values` (all inside `[lo, hi]`) into `bins` bins; the plot reaches `headroom`
    /// times the highest bar.
    pub(crate) fn new(values: &[f64], (lo, hi): (f64, f64), bins: usize, headroom: f64) -> Bins {
        let width = (hi - lo) / bins as f64;
        let mut counts = vec![0u64; bins];
        for v in values {
            counts[(((v - lo) / width) as usize).min(bins - 1)] += 1;
        }
        let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * headroom;
        Bins {
            lo,
            hi,
            width,
            counts,
            top,
        }
    }
}

/// The plotting area of a histogram: value across, replications up.
pub(crate) type HistogramArea<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Draws a histogram of `bins` into `svg` (`size` pixels, `margin_right` at the right): the
/// mesh with `x_desc` and `x_label` on the value axis, the bars, then whatever `marks` draws
/// over them (a mean, modes, percentiles).
#[allow(clippy::too_many_arguments)]
pub(crate) fn histogram_svg(
    svg: &mut String,
    size: (u32, u32),
    margin_right: u32,
    bins: &Bins,
    x_desc: &str,
    x_label: &dyn Fn(&f64) -> String,
    err: &dyn Fn(String) -> ReportError,
    marks: impl FnOnce(&mut HistogramArea<'_, '_>) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let root = SVGBackend::with_string(svg, size).into_drawing_area();
    let mut chart = ChartBuilder::on(&root)
        .margin(8)
        .margin_right(margin_right)
        .x_label_area_size(40)
        .y_label_area_size(52)
        .build_cartesian_2d(bins.lo..bins.hi, 0f64..bins.top)
        .map_err(|e| err(e.to_string()))?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc("replications")
        .label_style(font(12))
        .axis_desc_style(font(13))
        .axis_style(FG.mix(0.55))
        .bold_line_style(FG.mix(0.10))
        .max_light_lines(0)
        .disable_x_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(x_label)
        .y_label_formatter(&|v| tick(*v))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    let (lo, width) = (bins.lo, bins.width);
    chart
        .draw_series(
            bins.counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, c)| {
                    let x0 = lo + i as f64 * width;
                    Rectangle::new(
                        [(x0 + width * 0.04, 0.0), (x0 + width * 0.96, *c as f64)],
                        BLUE.mix(0.75).filled(),
                    )
                }),
        )
        .map_err(|e| err(e.to_string()))?;
    marks(&mut chart)?;
    root.present().map_err(|e| err(e.to_string()))
}

/// A histogram of one metric over replications, with the mean marked, and, when the
/// replications fall in two clusters, the two modes as dashed lines.
pub fn histogram(
    id: &str,
    def: &MetricDef,
    values: &[f64],
    summary: &Summary,
    modes: Option<&TwoModes>,
) -> Result<Chart, ReportError> {
    let err = chart_error(id);
    let (factor, x_desc) = axis_unit(def);
    let values: Vec<f64> = values.iter().map(|v| v * factor).collect();
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        let pad = (hi.abs() * 0.05).max(0.5);
        (lo, hi) = (lo - pad, hi + pad);
    }
    let count = ((values.len() as f64).sqrt().ceil() as usize).clamp(8, 30);
    let bins = Bins::new(&values, (lo, hi), count, 1.12);
    let top = bins.top;
    let mut modes_drawn = false;
    let mut svg = String::new();
    histogram_svg(
        &mut svg,
        (420, 230),
        16,
        &bins,
        &x_desc,
        &|v| tick(*v),
        &err,
        |chart| {
            if let Some(mean) = summary.mean {
                let mean = mean * factor;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(mean, 0.0), (mean, top)],
                        VERMILLION.stroke_width(2),
                    )))
                    .map_err(|e| err(e.to_string()))?;
            }
            for mode in modes.iter().flat_map(|m| [m.low, m.high]) {
                let x = mode * factor;
                if (lo..=hi).contains(&x) {
                    modes_drawn = true;
                    chart
                        .draw_series(DashedLineSeries::new(
                            vec![(x, 0.0), (x, top)],
                            5,
                            4,
                            ORANGE.stroke_width(2),
                        ))
                        .map_err(|e| err(e.to_string()))?;
                }
            }
            Ok(())
        },
    )?;
    let mut legend = vec![LegendEntry::new(
        Swatch::Fill(0.75),
        BLUE,
        "replications in each bin",
    )];
    if summary.mean.is_some() {
        legend.push(LegendEntry::new(Swatch::Line, VERMILLION, "mean"));
    }
    if modes_drawn {
        legend.push(LegendEntry::new(
            Swatch::Dash,
            ORANGE,
            "the two modes (two clusters)",
        ));
    }
    Ok(finish(id, def.label, svg).with_legend(legend))
}

/// One bar: its height and an optional `(low, high)` interval.
pub type BarValue = (f64, Option<(f64, f64)>);

/// One series of a bar chart: a value and an optional interval per category.
#[derive(Debug, Clone)]
pub struct BarSeries {
    /// Colour of the bars.
    pub colour: RGBColor,
    /// `(value, (low, high))` per category; `None` leaves a gap.
    pub values: Vec<Option<BarValue>>,
}

/// Vertical bars, grouped by category, with interval whiskers.
pub fn bars(
    id: &str,
    title: &str,
    categories: &[&str],
    series: &[BarSeries],
    y_desc: &str,
    width_px: u32,
) -> Result<Chart, ReportError> {
    let err = chart_error(id);
    let n = categories.len().max(1);
    let mut hi = 0f64;
    for s in series {
        for (v, interval) in s.values.iter().flatten() {
            hi = hi.max(*v).max(interval.map_or(0.0, |(_, h)| h));
        }
    }
    let top = if hi > 0.0 { hi * 1.12 } else { 1.0 };
    let group = 0.78;
    let bar = group / series.len().max(1) as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width_px, 280)).into_drawing_area();
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .margin_right(18)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)
            .map_err(|e| err(e.to_string()))?;
        let label = |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 {
                categories
                    .get(i as usize)
                    .map_or(String::new(), |c| c.to_string())
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .y_desc(y_desc)
            .label_style(font(13))
            .axis_desc_style(font(14))
            .axis_style(FG.mix(0.55))
            .bold_line_style(FG.mix(0.10))
            .max_light_lines(0)
            .disable_x_mesh()
            .x_labels(n + 1)
            .y_labels(6)
            .x_label_formatter(&label)
            .y_label_formatter(&|v| tick(*v))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        for (j, s) in series.iter().enumerate() {
            for (i, value) in s.values.iter().enumerate() {
                let Some((v, interval)) = value else { continue };
                let x0 = i as f64 - group / 2.0 + j as f64 * bar;
                let x1 = x0 + bar * 0.92;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, 0.0), (x1, *v)],
                        s.colour.mix(0.85).filled(),
                    )))
                    .map_err(|e| err(e.to_string()))?;
                if let Some((low, high)) = interval {
                    let mid = (x0 + x1) / 2.0;
                    let cap = bar * 0.15;
                    chart
                        .draw_series([
                            PathElement::new(vec![(mid, *low), (mid, *high)], FG.stroke_width(1)),
                            PathElement::new(
                                vec![(mid - cap, *low), (mid + cap, *low)],
                                FG.stroke_width(1),
                            ),
                            PathElement::new(
                                vec![(mid - cap, *high), (mid + cap, *high)],
                                FG.stroke_width(1),
                            ),
                        ])
                        .map_err(|e| err(e.to_string()))?;
                }
            }
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(finish(id, title, svg))
}

/// One row of a forest plot: a label, an estimate with its interval, and its colour.
#[derive(Debug, Clone)]
pub struct ForestRow {
    /// Category label (left axis).
    pub label: String,
    /// Point estimate.
    pub estimate: f64,
    /// `(low, high)` interval.
    pub interval: (f64, f64),
    /// Colour of the point and interval.
    pub colour: RGBColor,
}

/// A forest plot: one horizontal interval per row around a zero line (paired differences).
pub fn forest(
    id: &str,
    title: &str,
    rows: &[ForestRow],
    x_desc: &str,
) -> Result<Chart, ReportError> {
    let err = chart_error(id);
    let n = rows.len().max(1);
    let (mut lo, mut hi) = (0f64, 0f64);
    for r in rows {
        lo = lo.min(r.interval.0).min(r.estimate);
        hi = hi.max(r.interval.1).max(r.estimate);
    }
    // A few huge changes (a queue growing tenfold) would flatten every other row: the axis
    // stops at three times the median absolute estimate (at least 50 units), and rows beyond it
    // are drawn to the edge with their value written beside them.
    let mut magnitudes: Vec<f64> = rows.iter().map(|r| r.estimate.abs()).collect();
    magnitudes.sort_by(f64::total_cmp);
    let typical = magnitudes.get(magnitudes.len() / 2).copied().unwrap_or(0.0);
    let cap = (3.0 * typical).max(50.0);
    let (lo, hi) = (lo.max(-cap), hi.min(cap));
    let span = (hi - lo).max(1e-9);
    let (lo, hi) = (lo - 0.08 * span, hi + 0.16 * span);
    let clip = |x: f64| x.clamp(lo, hi);
    let height = 70 + 34 * n as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .margin_right(24)
            .x_label_area_size(44)
            .y_label_area_size(300)
            .build_cartesian_2d(lo..hi, -0.5f64..(n as f64 - 0.5))
            .map_err(|e| err(e.to_string()))?;
        // Row 0 at the top.
        let label = |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                rows[n - 1 - i as usize].label.clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .label_style(font(13))
            .axis_desc_style(font(14))
            .axis_style(FG.mix(0.55))
            .bold_line_style(FG.mix(0.10))
            .max_light_lines(0)
            .disable_y_mesh()
            .x_labels(8)
            .y_labels(n + 1)
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&label)
            .draw()
            .map_err(|e| err(e.to_string()))?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                FG.mix(0.6).stroke_width(1),
            )))
            .map_err(|e| err(e.to_string()))?;
        for (i, r) in rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let (low, high) = (clip(r.interval.0), clip(r.interval.1));
            chart
                .draw_series([
                    PathElement::new(vec![(low, y), (high, y)], r.colour.stroke_width(3)),
                    PathElement::new(
                        vec![(low, y - 0.15), (low, y + 0.15)],
                        r.colour.stroke_width(2),
                    ),
                    PathElement::new(
                        vec![(high, y - 0.15), (high, y + 0.15)],
                        r.colour.stroke_width(2),
                    ),
                ])
                .map_err(|e| err(e.to_string()))?;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (clip(r.estimate), y),
                    5,
                    r.colour.filled(),
                )))
                .map_err(|e| err(e.to_string()))?;
            if r.estimate > hi || r.estimate < lo {
                let x = if r.estimate > hi {
                    hi - 0.15 * span
                } else {
                    lo
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{:+.0} ▸", r.estimate),
                        (x, y + 0.38),
                        font(12),
                    )))
                    .map_err(|e| err(e.to_string()))?;
            }
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(finish(id, title, svg))
}
