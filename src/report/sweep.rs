//! The report of `dorasim sweep`, built from `sweep.csv` (so it also works after a resumed or a
//! merged sweep): each headline metric's mean with its 95 % CI against each swept parameter, and,
//! when exactly two parameters are swept, a heat map of the metric over the two.
//!
//! (About 1,180 lines: the sweep page has chart kinds of its own, effect lines with a row of values
//! per parameter and heat maps, kept here because only sweeps use them; the next change here should
//! split them into `sweep/effects.rs` and `sweep/heatmap.rs`.)

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::analysis::design::Values;
use crate::analysis::focus::{Better, FOCUS, HEADLINE};
use crate::analysis::sweep::SweepPlan;
use crate::metrics::Metric;
use crate::metrics::catalogue::MetricDef;
use crate::output::format::value;

use super::analysis::{self as study, Mark, PALETTE, Plot, StudyContext};
use super::charts::{BLUE, Chart, FG, axis_unit, chart_error, finish, font, tick, value_range};
use super::html::{escape, figure};
use super::{Report, ReportError};

/// Section ids of a sweep report, in page order.
pub const SWEEP_SECTIONS: &[(&str, &str)] = &[
    ("effects", "Each metric against the swept parameters"),
    ("heat-maps", "Two parameters together"),
    ("points", "Design points"),
    ("scenario", "Scenario and reproduction"),
];

/// Most distinct values of a parameter drawn one by one; a numeric parameter with more (a Latin
/// hypercube or Sobol design) is grouped into [`BINS`] equal-width bins.
const MAX_LEVELS: usize = 12;
/// Bins of a parameter with many distinct values.
const BINS: usize = 8;
/// Rows of the design-point table shown on the page (all of them are in sweep.csv).
const MAX_TABLE_ROWS: usize = 200;

/// A mean with its 95 % confidence interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: Option<f64>,
    /// 95 % confidence interval of the mean.
    pub ci95: Option<(f64, f64)>,
}

/// One design point of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// Point index in the design.
    pub point: usize,
    /// Value of each swept parameter, as written in sweep.csv.
    pub values: Vec<String>,
    /// Replications of the point.
    pub runs: u64,
    /// Estimates of the [`HEADLINE`] metrics, in that order.
    pub estimates: Vec<Estimate>,
    /// Share of replications in the DORA 2024 elite tier.
    pub elite: Option<f64>,
}

/// The rows of a sweep.csv that the report draws: the headline metrics of every point.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepTable {
    /// Swept parameters (key paths), in column order.
    pub params: Vec<String>,
    /// Design points in point order (a point written twice keeps its last rows).
    pub points: Vec<SweepPoint>,
}

impl SweepTable {
    /// Reads a sweep.csv (of `dorasim sweep`, a resumed sweep, or `dorasim merge`).
    pub fn from_csv(path: &Path) -> Result<SweepTable, ReportError> {
        let file = std::fs::File::open(path).map_err(|source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_reader(file, path)
    }

    /// Parses the text of a sweep.csv; `path` names it in errors.
    pub fn from_reader(reader: impl std::io::Read, path: &Path) -> Result<SweepTable, ReportError> {
        let bad = |message: String| ReportError::Parse {
            path: path.to_path_buf(),
            message,
        };
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| bad(format!("no `{name}` column (is it a dorasim sweep.csv?)")))
        };
        if headers.get(0) != Some("point") {
            return Err(bad("the first column is not `point`".into()));
        }
        let metric = column("metric")?;
        let (runs, mean, low, high) = (
            column("runs")?,
            column("mean")?,
            column("ci95_low")?,
            column("ci95_high")?,
        );
        let elite = headers.iter().position(|h| h == "tier_elite");
        let params: Vec<String> = headers
            .iter()
            .take(metric)
            .skip(1)
            .map(String::from)
            .collect();
        let mut points: BTreeMap<usize, SweepPoint> = BTreeMap::new();
        for record in reader.records() {
            // A row cut short by a kill is skipped, as a resumed sweep would.
            let Ok(record) = record else { continue };
            if record.len() != headers.len() {
                continue;
            }
            let Some(index) = HEADLINE
                .iter()
                .position(|m| Some(m.def().key) == record.get(metric))
            else {
                continue;
            };
            let Some(point) = record.get(0).and_then(|p| p.parse::<usize>().ok()) else {
                continue;
            };
            let number = |col: usize| {
                record
                    .get(col)
                    .and_then(|c| c.parse::<f64>().ok())
                    .filter(|x| x.is_finite())
            };
            let values: Vec<String> = (1..metric)
                .map(|c| record.get(c).unwrap_or_default().to_string())
                .collect();
            let entry = points.entry(point).or_insert_with(|| SweepPoint {
                point,
                values: values.clone(),
                runs: 0,
                estimates: vec![Estimate::default(); HEADLINE.len()],
                elite: None,
            });
            entry.values = values;
            entry.runs = record
                .get(runs)
                .and_then(|r| r.parse().ok())
                .unwrap_or(entry.runs);
            entry.elite = elite.and_then(number).or(entry.elite);
            entry.estimates[index] = Estimate {
                mean: number(mean),
                ci95: number(low).zip(number(high)),
            };
        }
        if points.is_empty() {
            return Err(bad("no rows of the headline metrics".into()));
        }
        Ok(SweepTable {
            params,
            points: points.into_values().collect(),
        })
    }
}

/// What the page says about the sweep besides its rows.
#[derive(Debug, Clone, Default)]
pub struct SweepInfo {
    /// Scenario, seed, reproduction command.
    pub context: StudyContext,
    /// How points were chosen (`grid`, `lhs`, `sobol`), when known.
    pub design: Option<String>,
}

impl SweepInfo {
    /// The information of a sweep about to run (or just run) from `plan`, with `base` the
    /// scenario after its `--set` overrides; `design` and `points` are the `--design` and
    /// `--points` arguments, `out` the `--out` directory.
    pub fn from_plan(
        plan: &SweepPlan,
        base: &crate::scenario::Scenario,
        design: &str,
        points: usize,
        out: &Path,
    ) -> Result<SweepInfo, ReportError> {
        let mut command: Vec<String> = vec!["dorasim".into(), "sweep".into(), plan.origin.clone()];
        for p in &plan.design.params {
            let spec = match &p.values {
                Values::List(items) => items.join(","),
                Values::Range { low, high } => format!("{low}..{high}"),
            };
            command.push("--param".into());
            command.push(format!("{}={spec}", p.key));
        }
        command.extend([
            "--design".into(),
            design.to_string(),
            "--points".into(),
            points.to_string(),
            "--runs".into(),
            plan.runs.to_string(),
            "--seed".into(),
            plan.seed.to_string(),
            "--lens".into(),
            plan.lens.name().to_string(),
        ]);
        for set in &plan.sets {
            command.push("--set".into());
            command.push(set.clone());
        }
        command.push("--out".into());
        command.push(out.display().to_string());
        let mut text = study::shell_command(&command);
        let _ = write!(
            text,
            " && dorasim report {}",
            study::shell_command(&[out.display().to_string()])
        );
        let varied = plan.design.params.iter().map(|p| p.key.clone()).collect();
        Ok(SweepInfo {
            context: StudyContext::from_scenario(
                base, plan.seed, plan.lens, &plan.sets, varied, text,
            )?,
            design: Some(design.to_string()),
        })
    }

    /// What a results directory alone tells.
    pub fn from_table(table: &SweepTable) -> SweepInfo {
        SweepInfo {
            context: StudyContext {
                version: env!("CARGO_PKG_VERSION").to_string(),
                name: "(not recorded in sweep.csv)".to_string(),
                varied: table.params.clone(),
                ..StudyContext::default()
            },
            design: None,
        }
    }
}

/// The levels of one swept parameter: its distinct values, or bins of them.
#[derive(Debug, Clone)]
struct Axis {
    key: String,
    /// Label of each level.
    labels: Vec<String>,
    /// Coordinate of each level (the value, a bin's centre, or the index of a word).
    xs: Vec<f64>,
    /// Position of each level in the swept range, 0 (lowest) to 1 (highest).
    positions: Vec<f64>,
    /// Level of each point.
    level_of: Vec<usize>,
    /// The values are numbers.
    numeric: bool,
    /// The values are grouped in bins.
    binned: bool,
}

impl Axis {
    fn new(table: &SweepTable, d: usize) -> Axis {
        let key = table.params[d].clone();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut distinct: Vec<&str> = Vec::new();
        for p in &table.points {
            let v = p.values[d].as_str();
            index.entry(v).or_insert_with(|| {
                distinct.push(v);
                distinct.len() - 1
            });
        }
        let numbers: Option<Vec<f64>> = distinct
            .iter()
            .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect();
        let spread = |xs: &[f64]| {
            let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lo, hi)
        };
        let position = |x: f64, lo: f64, hi: f64| {
            if hi - lo > 1e-12 {
                (x - lo) / (hi - lo)
            } else {
                0.5
            }
        };
        match numbers {
            Some(numbers) if distinct.len() > MAX_LEVELS => {
                let (lo, hi) = spread(&numbers);
                let width = ((hi - lo) / BINS as f64).max(1e-12);
                let bin = |x: f64| (((x - lo) / width) as usize).min(BINS - 1);
                let xs: Vec<f64> = (0..BINS).map(|b| lo + (b as f64 + 0.5) * width).collect();
                Axis {
                    key,
                    labels: xs.iter().map(|x| tick(*x)).collect(),
                    positions: xs.iter().map(|x| position(*x, lo, hi)).collect(),
                    xs,
                    level_of: table
                        .points
                        .iter()
                        .map(|p| bin(p.values[d].parse().unwrap_or(lo)))
                        .collect(),
                    numeric: true,
                    binned: true,
                }
            }
            Some(numbers) => {
                let mut order: Vec<usize> = (0..distinct.len()).collect();
                order.sort_by(|&a, &b| numbers[a].total_cmp(&numbers[b]));
                let mut rank = vec![0; distinct.len()];
                for (r, &i) in order.iter().enumerate() {
                    rank[i] = r;
                }
                let (lo, hi) = spread(&numbers);
                let xs: Vec<f64> = order.iter().map(|&i| numbers[i]).collect();
                Axis {
                    key,
                    labels: order
                        .iter()
                        .map(|&i| value_label(distinct[i], numbers[i]))
                        .collect(),
                    positions: xs.iter().map(|x| position(*x, lo, hi)).collect(),
                    xs,
                    level_of: table
                        .points
                        .iter()
                        .map(|p| rank[index[p.values[d].as_str()]])
                        .collect(),
                    numeric: true,
                    binned: false,
                }
            }
            None => {
                let n = distinct.len();
                Axis {
                    key,
                    labels: distinct.iter().map(|v| v.to_string()).collect(),
                    xs: (0..n).map(|i| i as f64).collect(),
                    positions: (0..n)
                        .map(|i| position(i as f64, 0.0, (n - 1) as f64))
                        .collect(),
                    level_of: table
                        .points
                        .iter()
                        .map(|p| index[p.values[d].as_str()])
                        .collect(),
                    numeric: false,
                    binned: false,
                }
            }
        }
    }

    /// The swept range in words: `2 → 4`, `0 → 1 (8 bins)`, `a, b, c`.
    fn range_text(&self) -> String {
        let first = self.labels.first().cloned().unwrap_or_default();
        let last = self.labels.last().cloned().unwrap_or_default();
        if !self.numeric {
            let mut words = self.labels.iter().take(4).cloned().collect::<Vec<_>>();
            if self.labels.len() > 4 {
                words.push("…".into());
            }
            words.join(", ")
        } else if self.binned {
            format!("{BINS} bins centred {first} → {last}")
        } else {
            format!("{first} → {last}")
        }
    }
}

/// A parameter's value as a label: as written in sweep.csv when that is short (`4`, `0.25`,
/// `daily`), else to four significant digits (`0.30000000000000004` → `0.3`, an LHS sample
/// `0.28374651` → `0.2837`).
fn value_label(written: &str, x: f64) -> String {
    if written.chars().count() <= 6 || !x.is_finite() {
        return written.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let decimals = (3 - x.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A point of a marginal line: level, mean, and the averaged interval.
type MarginalPoint = (usize, f64, Option<(f64, f64)>);

/// A point of a drawn line: x, mean, and its interval (scaled to the axis unit).
type LinePoint = (f64, f64, Option<(f64, f64)>);

/// The mean of metric `m` at each level of `axis`, averaged over the points with that level;
/// the interval is the average of those points' intervals.
fn marginal(table: &SweepTable, axis: &Axis, m: usize) -> Vec<MarginalPoint> {
    let levels = axis.labels.len();
    let mut sum = vec![0.0; levels];
    let mut count = vec![0usize; levels];
    let mut ci = vec![(0.0, 0.0); levels];
    let mut ci_count = vec![0usize; levels];
    for (p, &level) in table.points.iter().zip(&axis.level_of) {
        let e = p.estimates[m];
        if let Some(mean) = e.mean {
            sum[level] += mean;
            count[level] += 1;
            if let Some((lo, hi)) = e.ci95 {
                ci[level].0 += lo;
                ci[level].1 += hi;
                ci_count[level] += 1;
            }
        }
    }
    (0..levels)
        .filter(|&l| count[l] > 0)
        .map(|l| {
            let n = ci_count[l] as f64;
            let interval = (ci_count[l] > 0).then(|| (ci[l].0 / n, ci[l].1 / n));
            (l, sum[l] / count[l] as f64, interval)
        })
        .collect()
}

/// Clips an interval to the metric's possible values (a t interval from few replications can
/// reach below zero or above 100 %).
fn clip(def: &MetricDef, (lo, hi): (f64, f64)) -> (f64, f64) {
    if def.unit == "share" {
        (lo.clamp(0.0, 1.0), hi.clamp(0.0, 1.0))
    } else {
        (lo.max(0.0), hi.max(0.0))
    }
}

fn better(metric: Metric) -> Option<Better> {
    FOCUS.iter().find(|(m, _)| *m == metric).map(|(_, b)| *b)
}

fn direction(metric: Metric) -> &'static str {
    match better(metric) {
        Some(Better::Higher) => "higher is better",
        Some(Better::Lower) => "lower is better",
        None => "",
    }
}

fn chart_id(prefix: &str, metric: Metric) -> String {
    format!("{prefix}{}", metric.def().key.replace('_', "-"))
}

/// Draws marker `shape` at `(x, y)` in chart coordinates.
fn point_marker(
    plot: &mut Plot<'_, '_>,
    shape: usize,
    at: (f64, f64),
    colour: RGBColor,
) -> Result<(), String> {
    let style = colour.filled();
    let result = match shape % 5 {
        0 => plot.draw_series(std::iter::once(Circle::new(at, 5, style))),
        1 => plot.draw_series(std::iter::once(
            EmptyElement::at(at) + Polygon::new(vec![(0, -6), (-6, 5), (6, 5)], style),
        )),
        2 => plot.draw_series(std::iter::once(
            EmptyElement::at(at) + Rectangle::new([(-5, -5), (5, 5)], style),
        )),
        3 => plot.draw_series(std::iter::once(
            EmptyElement::at(at) + Polygon::new(vec![(0, -6), (6, 0), (0, 6), (-6, 0)], style),
        )),
        _ => plot.draw_series(std::iter::once(Cross::new(at, 5, colour.stroke_width(2)))),
    };
    result.map(|_| ()).map_err(|e| e.to_string())
}

/// A line of the metric's mean over one parameter's values, with its 95 % CI band.
fn effect_one(table: &SweepTable, axis: &Axis, m: usize) -> Result<Chart, ReportError> {
    let metric = HEADLINE[m];
    let def = metric.def();
    let id = chart_id("effect-", metric);
    let err = chart_error(&id);
    let (factor, y_desc) = axis_unit(def);
    let line = marginal(table, axis, m);
    let points: Vec<LinePoint> = line
        .iter()
        .map(|&(l, mean, ci)| {
            let ci = ci
                .map(|c| clip(def, c))
                .map(|(a, b)| (a * factor, b * factor));
            (axis.xs[l], mean * factor, ci)
        })
        .collect();
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            let (l, h) = p.2.unwrap_or((p.1, p.1));
            (a.min(l).min(p.1), b.max(h).max(p.1))
        });
    let (y0, y1) = value_range(lo, hi);
    let (x0, x1) = if axis.numeric {
        let (a, b) = (axis.xs[0], axis.xs[axis.xs.len() - 1]);
        let pad = ((b - a) * 0.04).max(if b > a { 0.0 } else { 0.5 });
        (a - pad, b + pad)
    } else {
        (-0.5, axis.xs.len() as f64 - 0.5)
    };
    let entries = vec![
        (Mark::Line(0), BLUE, "mean over replications".to_string()),
        (
            Mark::Band,
            BLUE,
            "95 % confidence interval of the mean".to_string(),
        ),
    ];
    let (width, height) = (640u32, 280u32);
    let strip = study::legend_height(&entries, width);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height + strip)).into_drawing_area();
        let (area, legend) = root.split_vertically(height);
        let mut plot = ChartBuilder::on(&area)
            .margin(10)
            .margin_right(18)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| err(e.to_string()))?;
        let labels = axis.labels.clone();
        let numeric = axis.numeric;
        let x_label = move |v: &f64| {
            if numeric {
                tick(*v)
            } else {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
        };
        let x_desc = if axis.binned {
            format!("{} (bin centres)", axis.key)
        } else {
            axis.key.clone()
        };
        plot.configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style(font(13))
            .axis_desc_style(font(14))
            .axis_style(FG.mix(0.55))
            .bold_line_style(FG.mix(0.10))
            .max_light_lines(0)
            .x_labels(if numeric { 8 } else { axis.labels.len() + 1 })
            .y_labels(6)
            .x_label_formatter(&x_label)
            .y_label_formatter(&|v| tick(*v))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        let band: Vec<(f64, (f64, f64))> =
            points.iter().filter_map(|p| Some((p.0, p.2?))).collect();
        if band.len() >= 2 {
            plot.draw_series(std::iter::once(band_polygon(
                &band,
                BLUE.mix(0.22).filled(),
            )))
            .map_err(|e| err(e.to_string()))?;
        } else {
            for (x, (a, b)) in &band {
                plot.draw_series(std::iter::once(PathElement::new(
                    vec![(*x, *a), (*x, *b)],
                    BLUE.mix(0.5).stroke_width(6),
                )))
                .map_err(|e| err(e.to_string()))?;
            }
        }
        plot.draw_series(LineSeries::new(
            points.iter().map(|p| (p.0, p.1)),
            BLUE.stroke_width(2),
        ))
        .map_err(|e| err(e.to_string()))?;
        for p in &points {
            point_marker(&mut plot, 0, (p.0, p.1), BLUE).map_err(&err)?;
        }
        study::legend(&legend, &entries).map_err(&err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let title = format!("{} against {} ({})", def.label, axis.key, direction(metric));
    Ok(finish(&id, &title, svg))
}

fn band_polygon(points: &[(f64, (f64, f64))], style: ShapeStyle) -> Polygon<(f64, f64)> {
    let upper = points.iter().map(|&(x, (_, hi))| (x, hi));
    let lower = points.iter().rev().map(|&(x, (lo, _))| (x, lo));
    Polygon::new(upper.chain(lower).collect::<Vec<_>>(), style)
}

/// One line per parameter: the metric's mean at each of the parameter's values, averaged over
/// the other parameters, at the value's position in the parameter's swept range.
fn effect_many(table: &SweepTable, axes: &[Axis], m: usize) -> Result<Chart, ReportError> {
    let metric = HEADLINE[m];
    let def = metric.def();
    let id = chart_id("effect-", metric);
    let err = chart_error(&id);
    let (factor, y_desc) = axis_unit(def);
    let lines: Vec<Vec<LinePoint>> = axes
        .iter()
        .map(|axis| {
            marginal(table, axis, m)
                .into_iter()
                .map(|(l, mean, ci)| {
                    let ci = ci
                        .map(|c| clip(def, c))
                        .map(|(a, b)| (a * factor, b * factor));
                    (axis.positions[l], mean * factor, ci)
                })
                .collect()
        })
        .collect();
    let (lo, hi) = lines
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            let (l, h) = p.2.unwrap_or((p.1, p.1));
            (a.min(l).min(p.1), b.max(h).max(p.1))
        });
    let (y0, y1) = value_range(lo, hi);
    let entries: Vec<(Mark, RGBColor, String)> = axes
        .iter()
        .enumerate()
        .map(|(d, a)| {
            (
                Mark::Line(d),
                PALETTE[d % PALETTE.len()],
                format!("{} ({})", a.key, a.range_text()),
            )
        })
        .collect();
    // Under the axis, one row per parameter with its values at their places, in the
    // parameter's colour and marker (the legend names it): each line is read against its own
    // values, not a rank.
    const ROW: u32 = 18;
    let rows = ROW * axes.len() as u32;
    let (width, height) = (640u32, 262 + rows);
    let strip = study::legend_height(&entries, width);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height + strip)).into_drawing_area();
        let (area, legend) = root.split_vertically(height);
        let mut plot = ChartBuilder::on(&area)
            .margin(10)
            .margin_right(18)
            .x_label_area_size(26 + rows)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.04f64..1.04f64, y0..y1)
            .map_err(|e| err(e.to_string()))?;
        plot.configure_mesh()
            .x_desc(
                "each parameter's values (rows in the legend's colours), across its swept range",
            )
            .y_desc(y_desc)
            .label_style(font(13))
            .axis_desc_style(font(14))
            .axis_style(FG.mix(0.55))
            .bold_line_style(FG.mix(0.10))
            .max_light_lines(0)
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&|v| tick(*v))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        value_rows(&root, &plot, axes, &lines_levels(table, axes, m), y0).map_err(&err)?;
        for (d, line) in lines.iter().enumerate() {
            let colour = PALETTE[d % PALETTE.len()];
            let band: Vec<(f64, (f64, f64))> =
                line.iter().filter_map(|p| Some((p.0, p.2?))).collect();
            if band.len() >= 2 {
                plot.draw_series(std::iter::once(band_polygon(
                    &band,
                    colour.mix(0.12).filled(),
                )))
                .map_err(|e| err(e.to_string()))?;
            }
        }
        for (d, line) in lines.iter().enumerate() {
            let colour = PALETTE[d % PALETTE.len()];
            plot.draw_series(LineSeries::new(
                line.iter().map(|p| (p.0, p.1)),
                colour.stroke_width(2),
            ))
            .map_err(|e| err(e.to_string()))?;
            for p in line {
                point_marker(&mut plot, d, (p.0, p.1), colour).map_err(&err)?;
            }
        }
        study::legend(&legend, &entries).map_err(&err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let title = format!(
        "{} against each parameter ({})",
        def.label,
        direction(metric)
    );
    Ok(finish(&id, &title, svg))
}

/// The levels of each axis that have a value of metric `m` (those its line passes through).
fn lines_levels(table: &SweepTable, axes: &[Axis], m: usize) -> Vec<Vec<usize>> {
    axes.iter()
        .map(|axis| marginal(table, axis, m).iter().map(|p| p.0).collect())
        .collect()
}

/// Draws, under the x axis of `plot`, one row per parameter: its marker at the left, then each
/// of its values (`levels[d]`) at the value's place, in the parameter's colour. A value that
/// would overlap the previous one in its row is left out (the legend gives the range).
fn value_rows(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    plot: &Plot<'_, '_>,
    axes: &[Axis],
    levels: &[Vec<usize>],
    y0: f64,
) -> Result<(), String> {
    let (left, top) = plot.backend_coord(&(-0.04, y0));
    for (d, (axis, levels)) in axes.iter().zip(levels).enumerate() {
        let colour = PALETTE[d % PALETTE.len()];
        let y = top + 8 + 18 * d as i32;
        study::marker(root, d, (left - 14, y + 7), colour)?;
        let style = TextStyle::from((super::charts::FONT, 13).into_font())
            .color(&colour)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let mut right_edge = i32::MIN;
        for &level in levels {
            let label = &axis.labels[level];
            let (x, _) = plot.backend_coord(&(axis.positions[level], y0));
            // About 7 px a character at 13 px.
            let half = (label.chars().count() as i32 * 7 + 1) / 2;
            if x - half < right_edge + 6 {
                continue;
            }
            root.draw(&Text::new(label.clone(), (x, y), style.clone()))
                .map_err(|e| e.to_string())?;
            right_edge = x + half;
        }
    }
    Ok(())
}

/// A heat map of the metric's mean over two parameters, in the viridis scale, with a colour bar.
fn heat_map(table: &SweepTable, axes: &[Axis], m: usize) -> Result<Chart, ReportError> {
    let metric = HEADLINE[m];
    let def = metric.def();
    let id = chart_id("heat-", metric);
    let err = chart_error(&id);
    let (factor, unit) = axis_unit(def);
    let (ax, ay) = (&axes[0], &axes[1]);
    let (nx, ny) = (ax.labels.len(), ay.labels.len());
    let mut sum = vec![0.0; nx * ny];
    let mut count = vec![0usize; nx * ny];
    for (k, p) in table.points.iter().enumerate() {
        if let Some(mean) = p.estimates[m].mean {
            let cell = ax.level_of[k] + nx * ay.level_of[k];
            sum[cell] += mean * factor;
            count[cell] += 1;
        }
    }
    let cells: Vec<Option<f64>> = sum
        .iter()
        .zip(&count)
        .map(|(s, &c)| (c > 0).then(|| s / c as f64))
        .collect();
    let (mut vmin, mut vmax) = cells
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if !vmin.is_finite() {
        (vmin, vmax) = (0.0, 1.0);
    }
    if vmax - vmin < 1e-12 {
        let pad = (vmax.abs() * 0.05).max(1e-6);
        (vmin, vmax) = (vmin - pad, vmax + pad);
    }
    let colour = |v: f64| -> RGBColor { ViridisRGB.get_color_normalized(v, vmin, vmax) };
    let label_width = ay
        .labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(4);
    let y_area = (28 + 8 * label_width as u32).clamp(64, 200);
    let (width, height) = (640u32, 340u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let (area, bar) = root.split_horizontally(width - 110);
        let mut plot = ChartBuilder::on(&area)
            .margin(10)
            .margin_right(8)
            .x_label_area_size(44)
            .y_label_area_size(y_area)
            .build_cartesian_2d(-0.5f64..(nx as f64 - 0.5), -0.5f64..(ny as f64 - 0.5))
            .map_err(|e| err(e.to_string()))?;
        let level_label = |labels: &[String], v: f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let x_desc = if ax.binned {
            format!("{} (bins)", ax.key)
        } else {
            ax.key.clone()
        };
        let y_desc = if ay.binned {
            format!("{} (bins)", ay.key)
        } else {
            ay.key.clone()
        };
        plot.configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style(font(13))
            .axis_desc_style(font(14))
            .axis_style(FG.mix(0.55))
            .disable_mesh()
            .x_labels(nx + 1)
            .y_labels(ny + 1)
            .x_label_formatter(&|v| level_label(&ax.labels, *v))
            .y_label_formatter(&|v| level_label(&ay.labels, *v))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        plot.draw_series(cells.iter().enumerate().filter_map(|(c, v)| {
            let v = (*v)?;
            let (i, j) = ((c % nx) as f64, (c / nx) as f64);
            Some(Rectangle::new(
                [(i - 0.5, j - 0.5), (i + 0.5, j + 0.5)],
                colour(v).filled(),
            ))
        }))
        .map_err(|e| err(e.to_string()))?;
        if nx <= 12 && ny <= 12 {
            for (c, v) in cells.iter().enumerate() {
                let Some(v) = *v else { continue };
                let light = (v - vmin) / (vmax - vmin) > 0.55;
                let ink = if light {
                    RGBColor(0, 0, 0)
                } else {
                    RGBColor(255, 255, 255)
                };
                let style = TextStyle::from((super::charts::FONT, 15).into_font())
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                plot.draw_series(std::iter::once(Text::new(
                    tick(v),
                    ((c % nx) as f64, (c / nx) as f64),
                    style,
                )))
                .map_err(|e| err(e.to_string()))?;
            }
        }
        colour_bar(&bar, vmin, vmax, &unit, &colour).map_err(&err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let title = format!(
        "{} over {} and {} ({})",
        def.label,
        ax.key,
        ay.key,
        direction(metric)
    );
    Ok(finish(&id, &title, svg))
}

fn colour_bar(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    vmin: f64,
    vmax: f64,
    unit: &str,
    colour: &dyn Fn(f64) -> RGBColor,
) -> Result<(), String> {
    let mut bar = ChartBuilder::on(area)
        .margin(10)
        .margin_left(6)
        .x_label_area_size(44)
        .right_y_label_area_size(58)
        .build_cartesian_2d(0f64..1f64, vmin..vmax)
        .map_err(|e| e.to_string())?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(unit)
        .label_style(font(12))
        .axis_desc_style(font(13))
        .axis_style(FG.mix(0.55))
        .y_labels(6)
        .y_label_formatter(&|v| tick(*v))
        .draw()
        .map_err(|e| e.to_string())?;
    let steps = 64;
    let step = (vmax - vmin) / steps as f64;
    bar.draw_series((0..steps).map(|i| {
        let a = vmin + i as f64 * step;
        // Each step overlaps the next, so no seam shows between them.
        let top = (a + 2.0 * step).min(vmax);
        Rectangle::new([(0.0, a), (1.0, top)], colour(a + step / 2.0).filled())
    }))
    .map_err(|e| e.to_string())?;
    Ok(())
}

/// Draws the charts and builds the page of a sweep.
pub fn build(table: &SweepTable, info: &SweepInfo) -> Result<Report, ReportError> {
    let axes: Vec<Axis> = (0..table.params.len())
        .map(|d| Axis::new(table, d))
        .collect();
    let mut charts = Vec::new();
    for m in 0..HEADLINE.len() {
        if table.points.iter().all(|p| p.estimates[m].mean.is_none()) {
            continue;
        }
        charts.push(match axes.as_slice() {
            [axis] => effect_one(table, axis, m)?,
            _ => effect_many(table, &axes, m)?,
        });
    }
    if axes.len() == 2 {
        for m in 0..HEADLINE.len() {
            if table.points.iter().any(|p| p.estimates[m].mean.is_some()) {
                charts.push(heat_map(table, &axes, m)?);
            }
        }
    }
    let runs = table.points.iter().map(|p| p.runs).max().unwrap_or(0);
    let context = &info.context;
    let title = format!("dorasim sweep — {}", context.name);
    let meta = format!(
        "{} design points{} × {} replications (every point runs the same seeds) · parameters: {}{}{} · dorasim {}",
        table.points.len(),
        info.design
            .as_ref()
            .map_or(String::new(), |d| format!(" ({d} design)")),
        runs,
        table.params.join(", "),
        context
            .seed
            .map_or(String::new(), |s| format!(" · seed {s}")),
        context
            .lens
            .as_ref()
            .map_or(String::new(), |l| format!(" · lens {l}")),
        context.version
    );
    let html = study::page(&title, &meta, context, SWEEP_SECTIONS, |id, out| match id {
        "effects" => effects_section(out, &axes, &charts),
        "heat-maps" => heat_section(out, &axes, &charts),
        "points" => points_table(out, table),
        _ => {}
    });
    Ok(Report { html, charts })
}

fn effects_section(out: &mut String, axes: &[Axis], charts: &[Chart]) {
    if let [axis] = axes {
        let _ = writeln!(
            out,
            "<p class=\"muted\">Mean over replications at each value of <code>{}</code>, with \
             the 95 % confidence interval of the mean as a band (clipped to the metric's possible \
             values). Every point runs the same seeds, so neighbouring points differ by the \
             parameter, not by luck.</p>",
            escape(&axis.key)
        );
    } else {
        out.push_str(
            "<p class=\"muted\">One line per swept parameter. At each value of a parameter, the \
             metric's mean over the design points that have that value — averaging over the other \
             parameters — drawn at the value's place in that parameter's swept range, with the \
             values written under the axis in the parameter's colour. The bands average those \
             points' 95 % confidence intervals. A steep line is a parameter that matters; a flat one \
             barely moves the metric.</p>\n",
        );
    }
    if axes.iter().any(|a| a.binned) {
        let _ = writeln!(
            out,
            "<p class=\"note\">Parameters with more than {MAX_LEVELS} distinct values (Latin \
             hypercube and Sobol designs) are grouped into {BINS} equal-width bins.</p>"
        );
    }
    out.push_str("<div class=\"charts\">\n");
    for chart in charts.iter().filter(|c| c.id.starts_with("effect-")) {
        figure(out, chart);
    }
    out.push_str("</div>\n");
}

fn heat_section(out: &mut String, axes: &[Axis], charts: &[Chart]) {
    if axes.len() != 2 {
        let _ = writeln!(
            out,
            "<p class=\"muted\">Heat maps are drawn when exactly two parameters are swept; this \
             sweep varies {}.</p>",
            match axes.len() {
                1 => "one".to_string(),
                n => n.to_string(),
            }
        );
        return;
    }
    let _ = writeln!(
        out,
        "<p class=\"muted\">The metric's mean over replications in each cell of <code>{}</code> \
         (across) × <code>{}</code> (up), in the viridis scale (dark: low, yellow: high; readable \
         with colour-vision deficiencies and in grey). Each chart says whether higher or lower \
         is better; a blank cell has no design point.</p>",
        escape(&axes[0].key),
        escape(&axes[1].key)
    );
    out.push_str("<div class=\"charts\">\n");
    for chart in charts.iter().filter(|c| c.id.starts_with("heat-")) {
        figure(out, chart);
    }
    out.push_str("</div>\n");
}

fn points_table(out: &mut String, table: &SweepTable) {
    let shown = table.points.len().min(MAX_TABLE_ROWS);
    let _ = writeln!(
        out,
        "<p class=\"muted\">Mean over replications of each headline metric at each design point, \
         and the share of replications in the DORA 2024 elite tier.{}</p>",
        if shown < table.points.len() {
            format!(
                " The first {shown} of {} points; sweep.csv holds them all.",
                table.points.len()
            )
        } else {
            String::new()
        }
    );
    out.push_str("<div style=\"overflow-x:auto\"><table><tr><th class=\"num\">point</th>");
    for p in &table.params {
        let _ = write!(out, "<th>{}</th>", escape(p));
    }
    for m in HEADLINE {
        let _ = write!(
            out,
            "<th class=\"num\">{} ({})</th>",
            escape(m.def().label),
            escape(m.def().unit)
        );
    }
    out.push_str("<th class=\"num\">P(elite)</th></tr>\n");
    for p in table.points.iter().take(shown) {
        let _ = write!(out, "<tr><td class=\"num\">{}</td>", p.point);
        for v in &p.values {
            let _ = write!(out, "<td>{}</td>", escape(v));
        }
        for (m, e) in HEADLINE.iter().zip(&p.estimates) {
            let text = e.mean.map_or("n/a".to_string(), |x| value(m.def(), x));
            let _ = write!(out, "<td class=\"num\">{}</td>", escape(&text));
        }
        let _ = writeln!(
            out,
            "<td class=\"num\">{}</td></tr>",
            p.elite
                .map_or("n/a".to_string(), |x| format!("{:.0} %", x * 100.0))
        );
    }
    out.push_str("</table></div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sweep.csv of a 3 × 3 grid over two parameters, as `dorasim sweep` writes it (the
    /// columns the report reads), with a grid value written as floating point leaves it.
    fn grid_table() -> SweepTable {
        let mut csv = String::from(
            "point,review.reviewers,ai.adoption,metric,runs,mean,ci95_low,ci95_high,tier_elite\n",
        );
        let mut point = 0;
        for reviewers in ["4", "6", "8"] {
            for adoption in ["0", "0.30000000000000004", "0.6"] {
                for (k, metric) in HEADLINE.iter().enumerate() {
                    let mean = 1.0 + k as f64 + reviewers.parse::<f64>().unwrap_or(0.0) * 0.1;
                    csv.push_str(&format!(
                        "{point},{reviewers},{adoption},{},20,{mean},{},{},0.1\n",
                        metric.def().key,
                        mean - 0.05,
                        mean + 0.05
                    ));
                }
                point += 1;
            }
        }
        SweepTable::from_reader(csv.as_bytes(), Path::new("sweep.csv")).expect("sweep.csv")
    }

    /// The contents of the `<text>` elements of an SVG document.
    fn text_elements(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let start = t.find('>')? + 1;
                let end = t.find("</text>")?;
                Some(t[start..end].trim().to_string())
            })
            .collect()
    }

    #[test]
    fn values_are_labelled_sensibly() {
        assert_eq!(value_label("4", 4.0), "4");
        assert_eq!(value_label("0.25", 0.25), "0.25");
        assert_eq!(
            value_label("0.30000000000000004", 0.30000000000000004),
            "0.3"
        );
        assert_eq!(value_label("0.28374651", 0.28374651), "0.2837");
        assert_eq!(value_label("1234.5678", 1234.5678), "1235");
        assert_eq!(value_label("12.345678", 12.345678), "12.35");
    }

    #[test]
    fn lines_of_several_parameters_are_labelled_with_their_values_not_ranks() {
        let report = build(&grid_table(), &SweepInfo::default()).expect("report");
        let chart = report
            .charts
            .iter()
            .find(|c| c.id == "effect-change-fail-rate")
            .expect("the change fail rate's effect chart");
        let texts = text_elements(&chart.svg);
        for rank in ["lowest", "middle", "highest"] {
            assert!(
                !texts.iter().any(|t| t.contains(rank)),
                "`{rank}` in {texts:?}"
            );
        }
        // Each parameter's values, formatted (0.30000000000000004 as 0.3), under the axis.
        for value in ["4", "6", "8", "0", "0.3", "0.6"] {
            assert!(
                texts.iter().any(|t| t == value),
                "no value `{value}` in {texts:?}"
            );
        }
        // The legend names each parameter with its range.
        assert!(
            texts.iter().any(|t| t == "review.reviewers (4 → 8)"),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t == "ai.adoption (0 → 0.6)"),
            "{texts:?}"
        );
        // The values of ai.adoption are in its colour (the legend's second).
        let orange = "#E69F00";
        assert!(
            chart
                .svg
                .split("<text")
                .any(|t| t.contains(orange) && t.contains(">\n0.3\n</text>")),
            "0.3 not drawn in ai.adoption's colour"
        );
        // The heat map's axes use the same labels.
        let heat = report
            .charts
            .iter()
            .find(|c| c.id == "heat-change-fail-rate")
            .expect("heat map");
        assert!(text_elements(&heat.svg).iter().any(|t| t == "0.3"));
    }
}
