//! Parts shared by the pages of the what-if studies (`sweep` and `sensitivity`): the study's
//! context (scenario, seed, reproduction command), the page frame with its header and the
//! scenario section, and the legend strip drawn under a chart so an exported SVG explains itself.

use std::fmt::Write;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::metrics::ledger::Lens;
use crate::scenario::Scenario;

use super::charts::{BLUE, GREEN, ORANGE, VERMILLION, font};
use super::data::{ReportData, ReportError};
use super::html::{css, escape};

/// A cartesian chart of the study pages.
pub(crate) type Plot<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Okabe-Ito sky blue.
pub const SKY: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Okabe-Ito reddish purple.
pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// A neutral grey that reads on light and dark backgrounds.
pub const GREY: RGBColor = RGBColor(0x88, 0x88, 0x88);

/// Series colours of the study charts, in order (Okabe-Ito).
pub const PALETTE: [RGBColor; 7] = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, GREY];

/// What a study page says about where its results came from.
#[derive(Debug, Clone, Default)]
pub struct StudyContext {
    /// dorasim version.
    pub version: String,
    /// Scenario name.
    pub name: String,
    /// The base scenario (after `--set`): description, lesson, timeline and resolved
    /// parameters. `None` when the page is rebuilt from a results directory alone.
    pub scenario: Option<ReportData>,
    /// Master seed, when known.
    pub seed: Option<u64>,
    /// Measurement lens, when known.
    pub lens: Option<String>,
    /// `--set` overrides applied at every point.
    pub sets: Vec<String>,
    /// Parameters the study varies (marked in the parameter list).
    pub varied: Vec<String>,
    /// The command that reproduces the study, when known.
    pub command: Option<String>,
}

impl StudyContext {
    /// The context of a study of `scenario` (already resolved with its `--set` overrides).
    pub fn from_scenario(
        scenario: &Scenario,
        seed: u64,
        lens: Lens,
        sets: &[String],
        varied: Vec<String>,
        command: String,
    ) -> Result<StudyContext, ReportError> {
        let data = ReportData::from_scenario(scenario, seed, 0, lens);
        Ok(StudyContext {
            version: env!("CARGO_PKG_VERSION").to_string(),
            name: scenario.name.clone(),
            scenario: Some(data),
            seed: Some(seed),
            lens: Some(lens.name().to_string()),
            sets: sets.to_vec(),
            varied,
            command: Some(command),
        })
    }
}

/// A command line with each argument quoted for a POSIX shell where it needs it.
pub fn shell_command<S: AsRef<str>>(args: &[S]) -> String {
    args.iter()
        .map(|a| {
            let a = a.as_ref();
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=,:+@%".contains(c));
            if plain {
                a.to_string()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Builds a study page: head, header (title, description, `meta` line, lesson, navigation),
/// one `<section>` per entry of `sections` filled by `body` (the `scenario` section is filled
/// here), and the footer.
pub(crate) fn page(
    title: &str,
    meta: &str,
    context: &StudyContext,
    sections: &[(&str, &str)],
    mut body: impl FnMut(&str, &mut String),
) -> String {
    let mut out = String::with_capacity(128 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"generator\" content=\"dorasim {}\">\n<title>{}</title>\n<style>\n{}{}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
        escape(&context.version),
        escape(title),
        css(),
        EXTRA_CSS,
        escape(title)
    );
    if let Some(data) = &context.scenario
        && !data.description.trim().is_empty()
    {
        let _ = writeln!(out, "<p>{}</p>", escape(data.description.trim()));
    }
    let _ = writeln!(out, "<p class=\"meta\">{}</p>", escape(meta));
    if let Some(lesson) = context.scenario.as_ref().and_then(|d| d.lesson.as_ref()) {
        let _ = writeln!(
            out,
            "<div class=\"lesson\"><strong>Lesson of the scenario.</strong> {}</div>",
            escape(lesson.trim())
        );
    }
    out.push_str("<nav>");
    for (id, heading) in sections {
        let _ = write!(out, "<a href=\"#{id}\">{}</a>", escape(heading));
    }
    out.push_str("</nav>\n</header>\n<main>\n");
    for (id, heading) in sections {
        let _ = writeln!(out, "<section id=\"{id}\">\n<h2>{}</h2>", escape(heading));
        if *id == "scenario" {
            scenario_section(&mut out, context);
        } else {
            body(id, &mut out);
        }
        out.push_str("</section>\n");
    }
    let _ = writeln!(
        out,
        "</main>\n<footer>Generated by dorasim {} from scenario <code>{}</code>{}. \
         Self-contained: no scripts, fonts or network requests.</footer>\n</body>\n</html>",
        escape(&context.version),
        escape(&context.name),
        context
            .seed
            .map_or(String::new(), |s| format!(", seed {s}"))
    );
    out
}

/// Styles of the study pages beyond the run report's.
const EXTRA_CSS: &str = ".charts.wide { grid-template-columns: 1fr; }
.swept { color: var(--accent); font-weight: 600; }
.note { font-size: 13px; color: var(--muted); }
";

fn scenario_section(out: &mut String, context: &StudyContext) {
    let Some(data) = &context.scenario else {
        let _ = writeln!(
            out,
            "<p>Scenario <code>{}</code>{}. The results file does not record the scenario itself: \
             the page written by the study's own <code>--report</code> option shows its \
             description, every resolved parameter and the command that reproduces the study.</p>",
            escape(&context.name),
            context
                .seed
                .map_or(String::new(), |s| format!(", seed {s}"))
        );
        return;
    };
    if let Some(lesson) = &data.lesson {
        let _ = writeln!(
            out,
            "<div class=\"lesson\"><strong>Lesson.</strong> {}</div>",
            escape(lesson.trim())
        );
    }
    let _ = writeln!(
        out,
        "<p>Scenario <code>{}</code> from <code>{}</code>{}{}, dorasim {}.</p>",
        escape(&data.name),
        escape(&data.origin),
        context
            .seed
            .map_or(String::new(), |s| format!(", seed {s}")),
        context.lens.as_ref().map_or(String::new(), |l| format!(
            ", lens <code>{}</code>",
            escape(l)
        )),
        escape(&context.version),
    );
    if let Some(command) = &context.command {
        let _ = writeln!(
            out,
            "<p>To reproduce:</p>\n<pre><code>{}</code></pre>",
            escape(command)
        );
    }
    if !context.sets.is_empty() {
        out.push_str("<p>Overrides applied at every point:</p>\n<ul>\n");
        for set in &context.sets {
            let _ = writeln!(out, "<li><code>{}</code></li>", escape(set));
        }
        out.push_str("</ul>\n");
    }
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
        "<h3>Resolved parameters of the base scenario ({})</h3>\n<p class=\"note\">\
         <span class=\"swept\">Highlighted</span>: varied by the study (the value shown is the \
         base scenario's).</p>\n<div class=\"params\">",
        data.parameters.len()
    );
    for (key, value) in &data.parameters {
        let class = if context.varied.iter().any(|v| v == key) {
            " class=\"swept\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<div{class}><code>{}</code><span>{}</span></div>",
            escape(key),
            escape(value)
        );
    }
    out.push_str("</div>\n");
}

/// The mark of a legend entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A line with the series' marker.
    Line(usize),
    /// A filled bar.
    Bar,
    /// A light band (an interval around a line).
    Band,
    /// A diamond marker.
    Diamond,
    /// A whisker (an interval).
    Whisker,
}

/// Draws marker `shape` (cycled: circle, triangle, square, diamond, cross) at pixel `(x, y)`.
pub(crate) fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    shape: usize,
    (x, y): (i32, i32),
    colour: RGBColor,
) -> Result<(), String> {
    let style = colour.filled();
    let r = 5;
    let result = match shape % 5 {
        0 => area.draw(&Circle::new((x, y), r, style)),
        1 => area.draw(&Polygon::new(
            vec![(x, y - r - 1), (x - r - 1, y + r), (x + r + 1, y + r)],
            style,
        )),
        2 => area.draw(&Rectangle::new([(x - r, y - r), (x + r, y + r)], style)),
        3 => area.draw(&Polygon::new(
            vec![
                (x, y - r - 1),
                (x + r + 1, y),
                (x, y + r + 1),
                (x - r - 1, y),
            ],
            style,
        )),
        _ => area.draw(&Cross::new((x, y), r, colour.stroke_width(2))),
    };
    result.map_err(|e| e.to_string())
}

/// Height in pixels of a legend strip of `entries` in `width` pixels.
pub(crate) fn legend_height(entries: &[(Mark, RGBColor, String)], width: u32) -> u32 {
    let rows = legend_layout(entries, width)
        .last()
        .map_or(0, |(_, row)| row + 1);
    (rows as u32) * 22 + 8
}

/// Left edge and row of each legend entry.
fn legend_layout(entries: &[(Mark, RGBColor, String)], width: u32) -> Vec<(i32, usize)> {
    let mut out = Vec::new();
    let (mut x, mut row) = (14i32, 0usize);
    for (_, _, text) in entries {
        let w = 34 + (text.chars().count() as f64 * 7.2) as i32 + 24;
        if x + w > width as i32 && x > 14 {
            x = 14;
            row += 1;
        }
        out.push((x, row));
        x += w;
    }
    out
}

/// Draws a legend strip: one mark and text per entry, wrapped in rows.
pub(crate) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(Mark, RGBColor, String)],
) -> Result<(), String> {
    let width = area.dim_in_pixel().0;
    for ((mark, colour, text), (x, row)) in entries.iter().zip(legend_layout(entries, width)) {
        let y = 12 + 22 * row as i32;
        let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        match mark {
            Mark::Line(shape) => {
                area.draw(&PathElement::new(
                    vec![(x, y), (x + 26, y)],
                    colour.stroke_width(2),
                ))
                .map_err(e)?;
                marker(area, *shape, (x + 13, y), *colour)?;
            }
            Mark::Bar => area
                .draw(&Rectangle::new(
                    [(x + 2, y - 6), (x + 24, y + 6)],
                    colour.mix(0.85).filled(),
                ))
                .map_err(e)?,
            Mark::Band => area
                .draw(&Rectangle::new(
                    [(x + 2, y - 6), (x + 24, y + 6)],
                    colour.mix(0.25).filled(),
                ))
                .map_err(e)?,
            Mark::Diamond => marker(area, 3, (x + 13, y), *colour)?,
            Mark::Whisker => {
                for path in [
                    vec![(x + 2, y), (x + 24, y)],
                    vec![(x + 2, y - 5), (x + 2, y + 5)],
                    vec![(x + 24, y - 5), (x + 24, y + 5)],
                ] {
                    area.draw(&PathElement::new(path, colour.stroke_width(1)))
                        .map_err(e)?;
                }
            }
        }
        area.draw(&Text::new(text.clone(), (x + 34, y - 8), font(14)))
            .map_err(e)?;
    }
    Ok(())
}
