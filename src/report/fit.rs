//! The fit report of `dorasim calibrate --report FILE`: the history's figures against simulated
//! histories of the calibrated scenario, the fitted parameters with their intervals, what was
//! set directly and what the history could not identify.

use std::fmt::Write;

use crate::fitting::Fit;
use crate::fitting::write::text;

use super::analysis::{StudyContext, page};
use super::charts::{ForestRow, GREEN, VERMILLION, forest};
use super::data::ReportError;
use super::html::{escape, figure};

fn num(x: f64) -> String {
    if !x.is_finite() {
        "–".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// The fit report page. `history` says what was read (directory, format, window).
pub fn fit_page(fit: &Fit, context: &StudyContext, history: &str) -> Result<String, ReportError> {
    let rows: Vec<ForestRow> = fit
        .checks
        .iter()
        .filter(|c| c.observed.is_finite() && c.simulated.is_finite() && c.simulated != 0.0)
        .map(|c| {
            let rel = |x: f64| 100.0 * (x / c.simulated - 1.0);
            ForestRow {
                label: c.moment.label().to_string(),
                estimate: rel(c.observed),
                interval: (rel(c.low), rel(c.high)),
                colour: if c.within() { GREEN } else { VERMILLION },
            }
        })
        .collect();
    let chart = forest(
        "fit-checks",
        "The history (point) against simulated histories (bar: 95 % range)",
        &rows,
        "% from the calibrated scenario's mean",
    )?;
    let poor = fit.checks.iter().filter(|c| !c.within()).count();
    let meta = format!(
        "{history}. {} replications simulated; the search {}. {}",
        fit.solution.simulations,
        fit.solution.verdict(),
        if poor == 0 {
            "Every figure of the history is within the range of simulated histories.".to_string()
        } else {
            format!("{poor} figure(s) outside the range of simulated histories: poor fit there.")
        }
    );
    let sections = [
        ("figures", "Observed against simulated"),
        ("fitted", "Fitted parameters"),
        ("direct", "Read from the data"),
        ("scenario", "Calibrated scenario"),
    ];
    Ok(page(
        "Calibration to a team's history",
        &meta,
        context,
        &sections,
        |id, out| match id {
            "figures" => {
                out.push_str(
                    "<p>Each figure as the history shows it, and where it falls among histories \
                     of the same length simulated from the calibrated scenario. Fitted figures \
                     were matched by a parameter; the others are checks the fit did not aim at.</p>\n",
                );
                figure(out, &chart);
                out.push_str(
                    "<table><thead><tr><th>figure</th><th>unit</th><th>observed</th>\
                     <th>simulated mean</th><th>95 % range of one history</th><th>role</th>\
                     <th>fit</th></tr></thead><tbody>\n",
                );
                for c in &fit.checks {
                    let verdict = if !c.observed.is_finite() {
                        "not in the history"
                    } else if c.within() {
                        "ok"
                    } else {
                        "<strong>poor</strong>"
                    };
                    let _ = writeln!(
                        out,
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>[{}, {}]</td><td>{}</td><td>{verdict}</td></tr>",
                        escape(c.moment.label()),
                        escape(c.moment.unit()),
                        num(c.observed),
                        num(c.simulated),
                        num(c.low),
                        num(c.high),
                        if c.fitted { "fitted" } else { "check" },
                    );
                }
                out.push_str("</tbody></table>\n");
            }
            "fitted" => {
                out.push_str(
                    "<p>Fitted by the method of simulated moments on common random numbers; 95 % \
                     intervals by the delta method from the spread of simulated histories as \
                     long as this one.</p>\n<table><thead><tr><th>parameter</th><th>fitted</th>\
                     <th>95 % interval</th><th>base</th><th>from</th></tr></thead><tbody>\n",
                );
                for f in &fit.fitted {
                    for (key, base, value, low, high) in &f.values {
                        let _ = writeln!(
                            out,
                            "<tr><td><code>{}</code></td><td>{}</td><td>{} to {}</td><td>{}</td><td>{} {} {}{}</td></tr>",
                            escape(key),
                            escape(&text(value)),
                            escape(&text(low)),
                            escape(&text(high)),
                            escape(&text(base)),
                            escape(f.knob.moment.label()),
                            num(f.observed),
                            escape(f.knob.moment.unit()),
                            if f.at_bound {
                                " (at the end of its range)"
                            } else {
                                ""
                            },
                        );
                    }
                }
                out.push_str("</tbody></table>\n");
                if !fit.skipped.is_empty() {
                    out.push_str("<p>Left at the base value:</p><ul>\n");
                    for s in &fit.skipped {
                        let _ = writeln!(
                            out,
                            "<li><code>{}</code>: {}</li>",
                            escape(s.knob.name),
                            escape(&s.reason)
                        );
                    }
                    out.push_str("</ul>\n");
                }
                out.push_str(
                    "<p class=\"note\">No history identifies team size, reviewers, AI adoption \
                     and its effects, or culture: they come from the base scenario and \
                     <code>--set</code>.</p>\n",
                );
            }
            "direct" => {
                out.push_str("<table><thead><tr><th>what</th><th>estimate</th><th>exact 95 % interval</th></tr></thead><tbody>\n");
                for (what, i) in &fit.rates {
                    let _ = writeln!(
                        out,
                        "<tr><td>{}</td><td>{}</td><td>[{}, {}]</td></tr>",
                        escape(what),
                        num(i.estimate),
                        num(i.low),
                        num(i.high)
                    );
                }
                out.push_str("</tbody></table>\n");
                for d in &fit.direct {
                    let _ = writeln!(
                        out,
                        "<p><code>{}</code> = {} ({})</p>",
                        escape(d.key),
                        escape(&text(&d.value)),
                        escape(&d.from)
                    );
                }
            }
            _ => {}
        },
    ))
}
