//! The report of `dorasim sensitivity`, built from `sensitivity.csv` (so it also works from a
//! results directory and after a merged, sharded study): per metric, a tornado chart of the
//! parameters sorted by importance — Morris mu* with its bootstrap interval and sigma as a
//! marker, or Sobol first-order and total indices with their bootstrap intervals — and the
//! indices as tables. A Sobol study's convergence check (the CSV's `converged` and `warning`
//! columns) is shown above the charts and under each metric's table.
//!
//! (About 760 lines: the Morris and the Sobol pages, each with its charts, tables and the
//! convergence warnings.)

use std::fmt::Write;
use std::path::Path;

use plotters::prelude::*;
use serde_json::Value;

use crate::analysis::focus::HEADLINE;
use crate::analysis::study::Study;
use crate::metrics::METRICS;
use crate::metrics::catalogue::MetricDef;
use crate::output::format::number;

use super::analysis::{self as study, Mark, StudyContext};
use super::charts::{
    BLUE, Chart, FG, ORANGE, VERMILLION, axis_unit, chart_error, finish, font, tick,
};
use super::html::{escape, figure};
use super::{Report, ReportError};

/// Section ids of a sensitivity report, in page order.
pub const SENSITIVITY_SECTIONS: &[(&str, &str)] = &[
    ("tornado", "What moves each metric"),
    ("indices", "The indices with their confidence intervals"),
    ("scenario", "Scenario and reproduction"),
];

/// The two methods' statistics of one parameter for one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityRow {
    /// Parameter key path.
    pub param: String,
    /// Low and high end of its range.
    pub range: Option<(f64, f64)>,
    /// Morris mu* and its 95 % bootstrap interval.
    pub mu_star: Option<(f64, Option<(f64, f64)>)>,
    /// Morris mu (signed mean effect).
    pub mu: Option<f64>,
    /// Morris sigma.
    pub sigma: Option<f64>,
    /// Sobol first-order index and its 95 % bootstrap interval.
    pub s1: Option<(f64, Option<(f64, f64)>)>,
    /// Sobol total index and its 95 % bootstrap interval.
    pub st: Option<(f64, Option<(f64, f64)>)>,
}

impl SensitivityRow {
    /// The ranking statistic: mu* (Morris) or ST (Sobol).
    pub fn importance(&self) -> f64 {
        self.st
            .or(self.mu_star)
            .map_or(f64::NEG_INFINITY, |(x, _)| x)
    }
}

/// The rows of one metric.
#[derive(Debug, Clone)]
pub struct MetricRows {
    /// The metric's description.
    pub def: &'static MetricDef,
    /// One row per parameter, most important first.
    pub rows: Vec<SensitivityRow>,
    /// Sobol: the convergence check of the metric's indices, when recorded.
    pub check: Option<MetricCheck>,
}

/// The convergence check of one metric's Sobol indices, as `sensitivity.csv` records it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricCheck {
    /// Whether the indices passed.
    pub converged: bool,
    /// Share of the variance between evaluation points that is simulation noise.
    pub noise_share: Option<f64>,
    /// Base samples and replications that would likely pass.
    pub recommended: Option<(u64, u64)>,
    /// What is wrong and what would likely fix it (empty when converged).
    pub warning: String,
}

/// A sensitivity.csv, grouped by metric.
#[derive(Debug, Clone)]
pub struct SensitivityTable {
    /// `morris` or `sobol`.
    pub method: String,
    /// Metrics in headline order (others after them, as found).
    pub metrics: Vec<MetricRows>,
}

impl SensitivityTable {
    /// Sobol: whether every metric's indices passed the convergence check (`None` when the
    /// file records no check, as for Morris).
    pub fn converged(&self) -> Option<bool> {
        let checks: Vec<&MetricCheck> = self
            .metrics
            .iter()
            .filter_map(|m| m.check.as_ref())
            .collect();
        (!checks.is_empty()).then(|| checks.iter().all(|c| c.converged))
    }

    /// The largest base samples and replications any metric's check recommends.
    pub fn recommended(&self) -> Option<(u64, u64)> {
        self.metrics
            .iter()
            .filter_map(|m| m.check.as_ref()?.recommended)
            .reduce(|(a, b), (c, d)| (a.max(c), b.max(d)))
    }

    /// Reads a sensitivity.csv.
    pub fn from_csv(path: &Path) -> Result<SensitivityTable, ReportError> {
        let file = std::fs::File::open(path).map_err(|source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_reader(file, path)
    }

    /// Parses the text of a sensitivity.csv; `path` names it in errors.
    pub fn from_reader(
        reader: impl std::io::Read,
        path: &Path,
    ) -> Result<SensitivityTable, ReportError> {
        let bad = |message: String| ReportError::Parse {
            path: path.to_path_buf(),
            message,
        };
        let mut reader = csv::Reader::from_reader(reader);
        let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
        let column = |name: &str| {
            headers.iter().position(|h| h == name).ok_or_else(|| {
                bad(format!(
                    "no `{name}` column (is it a dorasim sensitivity.csv?)"
                ))
            })
        };
        let [method, metric, param] = [column("method")?, column("metric")?, column("param")?];
        let optional = |name: &str| headers.iter().position(|h| h == name);
        let cols: Vec<Option<usize>> = [
            "low",
            "high",
            "mu_star",
            "mu_star_ci95_low",
            "mu_star_ci95_high",
            "mu",
            "sigma",
            "s1",
            "s1_ci95_low",
            "s1_ci95_high",
            "st",
            "st_ci95_low",
            "st_ci95_high",
        ]
        .iter()
        .map(|c| optional(c))
        .collect();
        let [converged, noise_share, samples, runs, warning] = [
            "converged",
            "noise_share",
            "recommended_samples",
            "recommended_runs",
            "warning",
        ]
        .map(optional);
        let mut found_method = String::new();
        let mut metrics: Vec<MetricRows> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| bad(e.to_string()))?;
            let Some(def) = METRICS.iter().find(|d| Some(d.key) == record.get(metric)) else {
                continue;
            };
            if found_method.is_empty() {
                found_method = record.get(method).unwrap_or_default().to_string();
            }
            let n = |i: usize| {
                cols[i]
                    .and_then(|c| record.get(c))
                    .and_then(|c| c.parse::<f64>().ok())
                    .filter(|x| x.is_finite())
            };
            let with_ci = |i: usize| n(i).map(|x| (x, n(i + 1).zip(n(i + 2))));
            let row = SensitivityRow {
                param: record.get(param).unwrap_or_default().to_string(),
                range: n(0).zip(n(1)),
                mu_star: with_ci(2),
                mu: n(5),
                sigma: n(6),
                s1: with_ci(7),
                st: with_ci(10),
            };
            let text = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or_default();
            let whole = |c: Option<usize>| text(c).parse::<u64>().ok();
            let check = match text(converged) {
                "true" | "false" => Some(MetricCheck {
                    converged: text(converged) == "true",
                    noise_share: text(noise_share)
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite()),
                    recommended: whole(samples).zip(whole(runs)),
                    warning: text(warning).to_string(),
                }),
                _ => None,
            };
            match metrics.iter_mut().find(|m| m.def.key == def.key) {
                Some(m) => m.rows.push(row),
                None => metrics.push(MetricRows {
                    def,
                    rows: vec![row],
                    check,
                }),
            }
        }
        if metrics.is_empty() {
            return Err(bad("no rows".into()));
        }
        let rank = |def: &MetricDef| {
            HEADLINE
                .iter()
                .position(|m| m.def().key == def.key)
                .unwrap_or(HEADLINE.len())
        };
        metrics.sort_by_key(|m| rank(m.def));
        for m in &mut metrics {
            m.rows
                .sort_by(|a, b| b.importance().total_cmp(&a.importance()));
        }
        Ok(SensitivityTable {
            method: found_method,
            metrics,
        })
    }
}

/// What the page says about the study besides its indices.
#[derive(Debug, Clone, Default)]
pub struct SensitivityInfo {
    /// Scenario, seed, reproduction command.
    pub context: StudyContext,
    /// Replications per evaluation point, when known.
    pub runs: Option<u64>,
    /// Evaluation points, when known.
    pub evaluations: Option<u64>,
    /// Morris trajectories or Sobol base samples, in words, when known.
    pub design: Option<String>,
}

impl SensitivityInfo {
    /// The information of a study run now: `base` is the scenario after its `--set` overrides,
    /// `origin` the scenario file, `out` the `--out` directory if any.
    pub fn from_study(
        study_args: &Study,
        base: &crate::scenario::Scenario,
        evaluations: usize,
        out: Option<&Path>,
    ) -> Result<SensitivityInfo, ReportError> {
        let mut command: Vec<String> = vec!["dorasim".into(), "sensitivity".into()];
        command.push(base.origin.clone());
        for p in &study_args.params {
            command.push("--param".into());
            command.push(p.clone());
        }
        command.extend(["--method".into(), study_args.method.name().to_string()]);
        let design = match (study_args.trajectories, study_args.samples) {
            (Some(t), _) => {
                command.extend(["--trajectories".into(), t.to_string()]);
                Some(format!("{t} trajectories"))
            }
            (None, Some(s)) => {
                command.extend(["--samples".into(), s.to_string()]);
                Some(format!("{s} base samples"))
            }
            (None, None) => None,
        };
        command.extend([
            "--runs".into(),
            study_args.runs.to_string(),
            "--seed".into(),
            study_args.seed.to_string(),
            "--lens".into(),
            study_args.lens.clone(),
        ]);
        for set in &study_args.sets {
            command.push("--set".into());
            command.push(set.clone());
        }
        if let Some(out) = out {
            command.push("--out".into());
            command.push(out.display().to_string());
        }
        let lens = crate::metrics::ledger::Lens::ALL
            .iter()
            .copied()
            .find(|l| l.name() == study_args.lens)
            .unwrap_or(crate::metrics::ledger::Lens::Truth);
        let varied = study_args
            .params
            .iter()
            .map(|p| {
                p.split_once('=')
                    .map_or(p.as_str(), |(k, _)| k)
                    .trim()
                    .to_string()
            })
            .collect();
        Ok(SensitivityInfo {
            context: StudyContext::from_scenario(
                base,
                study_args.seed,
                lens,
                &study_args.sets,
                varied,
                study::shell_command(&command),
            )?,
            runs: Some(study_args.runs),
            evaluations: Some(evaluations as u64),
            design,
        })
    }

    /// What a results directory tells: its sensitivity.json (`null` when missing) and table.
    pub fn from_json(json: &Value, table: &SensitivityTable) -> SensitivityInfo {
        let varied = table
            .metrics
            .first()
            .map(|m| m.rows.iter().map(|r| r.param.clone()).collect())
            .unwrap_or_default();
        SensitivityInfo {
            context: StudyContext {
                version: env!("CARGO_PKG_VERSION").to_string(),
                name: json
                    .get("scenario")
                    .and_then(Value::as_str)
                    .unwrap_or("(not recorded)")
                    .to_string(),
                seed: json.get("seed").and_then(Value::as_u64),
                varied,
                ..StudyContext::default()
            },
            runs: json.get("runs").and_then(Value::as_u64),
            evaluations: json.get("evaluations").and_then(Value::as_u64),
            design: None,
        }
    }
}

fn label(row: &SensitivityRow) -> String {
    match row.range {
        Some((lo, hi)) => format!("{} ({}–{})", row.param, tick(lo), tick(hi)),
        None => row.param.clone(),
    }
}

/// The unit of an effect on the metric: percentage points for shares.
fn effect_unit(def: &MetricDef) -> (f64, String) {
    let (factor, unit) = axis_unit(def);
    if def.unit == "share" {
        (factor, "percentage points".to_string())
    } else {
        (factor, unit)
    }
}

/// A tornado chart of one metric: one row per parameter, most important at the top.
fn tornado(metric: &MetricRows, sobol: bool) -> Result<Chart, ReportError> {
    let id = format!("tornado-{}", metric.def.key.replace('_', "-"));
    let err = chart_error(&id);
    let rows = &metric.rows;
    let n = rows.len().max(1);
    let (factor, unit) = if sobol {
        (1.0, String::new())
    } else {
        effect_unit(metric.def)
    };
    let scale =
        |v: (f64, Option<(f64, f64)>)| (v.0 * factor, v.1.map(|(a, b)| (a * factor, b * factor)));
    let mut values: Vec<f64> = vec![0.0];
    for r in rows {
        let stats = if sobol {
            [r.s1, r.st]
        } else {
            [r.mu_star, None]
        };
        for (x, ci) in stats.into_iter().flatten().map(scale) {
            values.push(x);
            // Intervals of a Sobol index from few samples can be very wide: the axis shows
            // them up to [-1, 2] (beyond, the whisker runs off the edge without its cap).
            if let Some((a, b)) = ci {
                values.extend(if sobol {
                    [a.max(-1.0), b.min(2.0)]
                } else {
                    [a, b]
                });
            }
        }
        if !sobol && let Some(s) = r.sigma {
            values.push(s * factor);
        }
    }
    let lo = values.iter().copied().fold(0.0, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let (lo, hi) = if sobol {
        (lo, hi.max(0.1))
    } else {
        (lo, if hi > 0.0 { hi } else { 1.0 })
    };
    let span = hi - lo;
    let (x0, x1) = (
        if lo < 0.0 { lo - 0.04 * span } else { 0.0 },
        hi + 0.06 * span,
    );
    let labels: Vec<String> = rows.iter().map(label).collect();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(8);
    let y_area = (16.0 + 7.3 * longest as f64).clamp(120.0, 400.0) as u32;
    let entries: Vec<(Mark, RGBColor, String)> = if sobol {
        vec![
            (
                Mark::Bar,
                BLUE,
                "S1: first-order index (the parameter alone)".into(),
            ),
            (
                Mark::Bar,
                ORANGE,
                "ST: total index (with its interactions)".into(),
            ),
            (Mark::Whisker, FG, "95 % bootstrap interval".into()),
        ]
    } else {
        vec![
            (
                Mark::Bar,
                BLUE,
                "mu*: mean |effect| of moving the parameter across its range".into(),
            ),
            (Mark::Whisker, FG, "95 % bootstrap interval of mu*".into()),
            (
                Mark::Diamond,
                VERMILLION,
                "sigma: spread of the effects (non-linearity, interactions)".into(),
            ),
        ]
    };
    let width = 900u32;
    let height = 64 + 40 * n as u32;
    let strip = study::legend_height(&entries, width);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height + strip)).into_drawing_area();
        let (area, legend) = root.split_vertically(height);
        let mut plot = ChartBuilder::on(&area)
            .margin(10)
            .margin_right(24)
            .x_label_area_size(44)
            .y_label_area_size(y_area)
            .build_cartesian_2d(x0..x1, -0.5f64..(n as f64 - 0.5))
            .map_err(|e| err(e.to_string()))?;
        let row_label = |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let x_desc = if sobol {
            "share of the metric's variance over the parameter ranges".to_string()
        } else {
            format!("change in the metric across a parameter's range ({unit})")
        };
        plot.configure_mesh()
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
            .y_label_formatter(&row_label)
            .draw()
            .map_err(|e| err(e.to_string()))?;
        if x0 < 0.0 {
            plot.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                FG.mix(0.6).stroke_width(1),
            )))
            .map_err(|e| err(e.to_string()))?;
        }
        let clip = |x: f64| x.clamp(x0, x1);
        let draw_bar = |plot: &mut study::Plot<'_, '_>,
                        y0: f64,
                        y1: f64,
                        (v, ci): (f64, Option<(f64, f64)>),
                        colour: RGBColor|
         -> Result<(), String> {
            plot.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y0), (clip(v), y1)],
                colour.mix(0.85).filled(),
            )))
            .map_err(|e| e.to_string())?;
            if let Some((a, b)) = ci {
                let mid = (y0 + y1) / 2.0;
                let cap = (y1 - y0) * 0.3;
                let mut paths = vec![PathElement::new(
                    vec![(clip(a), mid), (clip(b), mid)],
                    FG.stroke_width(1),
                )];
                for end in [a, b].into_iter().filter(|e| *e == clip(*e)) {
                    paths.push(PathElement::new(
                        vec![(end, mid - cap), (end, mid + cap)],
                        FG.stroke_width(1),
                    ));
                }
                plot.draw_series(paths).map_err(|e| e.to_string())?;
            }
            Ok(())
        };
        for (i, r) in rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            if sobol {
                if let Some(s1) = r.s1 {
                    draw_bar(&mut plot, y + 0.02, y + 0.34, s1, BLUE).map_err(&err)?;
                }
                if let Some(st) = r.st {
                    draw_bar(&mut plot, y - 0.34, y - 0.02, st, ORANGE).map_err(&err)?;
                }
            } else {
                if let Some(mu_star) = r.mu_star {
                    draw_bar(&mut plot, y - 0.28, y + 0.28, scale(mu_star), BLUE).map_err(&err)?;
                }
                if let Some(sigma) = r.sigma {
                    plot.draw_series(std::iter::once(
                        EmptyElement::at((clip(sigma * factor), y))
                            + Polygon::new(
                                vec![(0, -8), (7, 0), (0, 8), (-7, 0)],
                                VERMILLION.filled(),
                            ),
                    ))
                    .map_err(|e| err(e.to_string()))?;
                }
            }
        }
        study::legend(&legend, &entries).map_err(&err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let title = if sobol {
        format!("{}: Sobol indices", metric.def.label)
    } else {
        format!("{}: Morris screening", metric.def.label)
    };
    Ok(finish(&id, &title, svg))
}

/// Draws the tornado charts and builds the page of a sensitivity study from its table.
pub fn build(table: &SensitivityTable, info: &SensitivityInfo) -> Result<Report, ReportError> {
    let sobol = table.method == "sobol";
    let charts = table
        .metrics
        .iter()
        .map(|m| tornado(m, sobol))
        .collect::<Result<Vec<_>, _>>()?;
    let context = &info.context;
    let method = if sobol {
        "Sobol indices, Saltelli sampling"
    } else {
        "Morris screening"
    };
    let params = table.metrics.first().map_or(0, |m| m.rows.len());
    let title = format!("dorasim sensitivity — {}", context.name);
    let meta = format!(
        "{method}{} · {params} parameters{}{}{} · dorasim {}",
        info.design
            .as_ref()
            .map_or(String::new(), |d| format!(" of {d}")),
        info.evaluations
            .map_or(String::new(), |e| format!(" · {e} evaluation points")),
        info.runs
            .map_or(String::new(), |r| format!(" × {r} replications each")),
        context
            .seed
            .map_or(String::new(), |s| format!(" · seed {s}")),
        context.version
    );
    let html = study::page(
        &title,
        &meta,
        context,
        SENSITIVITY_SECTIONS,
        |id, out| match id {
            "tornado" => {
                if sobol {
                    verdict(out, table);
                    out.push_str(
                        "<p class=\"muted\">For each metric, the parameters sorted by their total \
                         index ST (top: the most influential). S1 is the share of the metric's \
                         variance the parameter explains alone; ST adds its interactions with the \
                         others, so ST − S1 measures interaction. Whiskers: 95 % bootstrap \
                         intervals (1000 resamples of the base rows). S1 by Saltelli et al. 2010 \
                         on the centred output, ST by Jansen 1999; the points of a base row share \
                         their replications' seeds, and the simulation noise measured over them \
                         is taken out of the variance and of both estimators. An index is \
                         converged when it lies in [0, 1] or outside by less than its interval's \
                         width (or 0.05), and its interval is at most 0.2 wide; and a metric when \
                         its simulation noise is at most half of its variance between evaluation \
                         points.</p>\n",
                    );
                } else {
                    out.push_str(
                        "<p class=\"muted\">For each metric, the parameters sorted by mu* (top: \
                         the most influential): the mean absolute change of the metric when the \
                         parameter moves across its whole range, in the metric's unit. The \
                         whisker is mu*'s 95 % bootstrap interval over trajectories; the diamond \
                         is sigma, the spread of the effects — a sigma comparable to mu* means the \
                         effect depends on where the others stand (non-linearity or \
                         interactions).</p>\n",
                    );
                }
                out.push_str("<div class=\"charts wide\">\n");
                for chart in &charts {
                    figure(out, chart);
                }
                out.push_str("</div>\n");
            }
            "indices" => indices(out, table, sobol),
            _ => {}
        },
    );
    Ok(Report { html, charts })
}

fn interval(v: Option<(f64, Option<(f64, f64)>)>, factor: f64) -> (String, String) {
    match v {
        Some((x, ci)) => (
            number(x * factor),
            ci.map_or("n/a".to_string(), |(a, b)| {
                format!("{} – {}", number(a * factor), number(b * factor))
            }),
        ),
        None => ("n/a".to_string(), "n/a".to_string()),
    }
}

/// The convergence verdict of a Sobol study: a warning naming the metrics that did not
/// converge and the sizes that would likely fix them, or a line saying every check passed.
fn verdict(out: &mut String, table: &SensitivityTable) {
    match table.converged() {
        Some(false) => {
            let failing: Vec<&str> = table
                .metrics
                .iter()
                .filter(|m| m.check.as_ref().is_some_and(|c| !c.converged))
                .map(|m| m.def.label)
                .collect();
            let _ = write!(
                out,
                "<div class=\"two-modes\" id=\"not-converged\" role=\"alert\"><strong>Not \
                 converged: these indices are not fit to publish.</strong> The indices of {} of {} \
                 metrics fail the convergence check ({}): see the warning under each table \
                 below.",
                failing.len(),
                table.metrics.len(),
                escape(&failing.join(", "))
            );
            if let Some((samples, runs)) = table.recommended() {
                let _ = write!(
                    out,
                    " Likely fix: re-run with <code>--samples {samples} --runs {runs}</code> \
                     (intervals narrow as 1/√samples, the noise share falls as 1/runs)."
                );
            }
            out.push_str("</div>\n");
        }
        Some(true) => out.push_str(
            "<p id=\"converged\"><strong>Converged:</strong> no index lies outside [0, 1] by \
             more than its 95 % interval, every interval is at most 0.2 wide, and simulation \
             noise is at most half of each metric's variance between evaluation points.</p>\n",
        ),
        None => {}
    }
}

fn indices(out: &mut String, table: &SensitivityTable, sobol: bool) {
    for m in &table.metrics {
        let (factor, unit) = if sobol {
            (1.0, String::new())
        } else {
            effect_unit(m.def)
        };
        let _ = writeln!(
            out,
            "<h3 style=\"margin-top:16px\">{}{}</h3>",
            escape(m.def.label),
            if sobol {
                String::new()
            } else {
                format!(" ({})", escape(&unit))
            }
        );
        if sobol {
            out.push_str("<table><tr><th>parameter</th><th class=\"num\">range</th><th class=\"num\">S1</th><th class=\"num\">S1 95 % CI</th><th class=\"num\">ST</th><th class=\"num\">ST 95 % CI</th></tr>\n");
        } else {
            out.push_str("<table><tr><th>parameter</th><th class=\"num\">range</th><th class=\"num\">mu*</th><th class=\"num\">mu* 95 % CI</th><th class=\"num\">mu</th><th class=\"num\">sigma</th></tr>\n");
        }
        for r in &m.rows {
            let range = r.range.map_or("n/a".to_string(), |(a, b)| {
                format!("{} – {}", number(a), number(b))
            });
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td>",
                escape(&r.param),
                escape(&range)
            );
            let cells = if sobol {
                let (s1, s1_ci) = interval(r.s1, 1.0);
                let (st, st_ci) = interval(r.st, 1.0);
                [s1, s1_ci, st, st_ci]
            } else {
                let (mu_star, ci) = interval(r.mu_star, factor);
                let show = |x: Option<f64>| x.map_or("n/a".to_string(), |v| number(v * factor));
                [mu_star, ci, show(r.mu), show(r.sigma)]
            };
            for c in cells {
                let _ = write!(out, "<td class=\"num\">{}</td>", escape(&c));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
        if let Some(check) = &m.check {
            if let Some(share) = check.noise_share {
                let _ = writeln!(
                    out,
                    "<p class=\"muted\">Simulation noise: {:.0} % of the variance between \
                     evaluation points.</p>",
                    100.0 * share
                );
            }
            if !check.converged {
                let _ = writeln!(
                    out,
                    "<div class=\"two-modes\" role=\"alert\"><strong>Not converged.</strong> \
                     {}</div>",
                    escape(&check.warning)
                );
            }
        }
    }
}
