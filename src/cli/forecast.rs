//! `dorasim forecast`: when will N items be in production, how many by a date, when is a release
//! done; with two or more scenarios, the shift of each percentile on common random numbers.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use clap::Args;

use crate::analysis::forecast::{
    self, Arm, Clock, Forecast, Question, Release, date_text, show_date,
};
use crate::analysis::progress;
use crate::app;
use crate::output::OutputDir;

/// Arguments of `dorasim forecast`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("question").required(true).multiple(true)
    .args(["items", "by", "weeks", "release"])))]
pub struct ForecastArgs {
    /// Scenario files (default: the embedded default). With two or more, the first is the
    /// baseline and each other's percentiles are compared with it on common random numbers.
    pub scenarios: Vec<PathBuf>,
    /// When will this many planned work items be in production (counted from the start)?
    #[arg(long, value_name = "N", conflicts_with = "release",
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub items: Option<u64>,
    /// How many items will be in production by the end of this date (YYYY-MM-DD)?
    #[arg(long, value_name = "DATE", value_parser = parse_date, conflicts_with = "weeks")]
    pub by: Option<jiff::civil::Date>,
    /// How many items will be in production this many weeks after the start?
    #[arg(long, value_name = "W", value_parser = parse_weeks, allow_negative_numbers = true)]
    pub weeks: Option<f64>,
    /// When will the last item of this release be in production? A TOML file of [[item]]
    /// tables with `id`, optional `kind`, `size_loc` and `depends_on` (see README).
    #[arg(long, value_name = "FILE")]
    pub release: Option<PathBuf>,
    /// The start date (YYYY-MM-DD; default: today, UTC): the forecast counts from its working-day
    /// start, in the first week after the scenario's warm-up.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub start: Option<jiff::civil::Date>,
    /// Also give the probability of being done by the end of this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub deadline: Option<jiff::civil::Date>,
    /// Replications (default: the first scenario's `run.runs`, 1000).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: Option<u32>,
    /// Seed, overrides and threads.
    #[command(flatten)]
    pub common: super::SimulationArgs,
    /// Write forecast.csv (one row per scenario and replication) and forecast.json here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overwrite results already in the --out directory.
    #[arg(long)]
    pub force: bool,
    /// Print the forecast as JSON on stdout (the contents of forecast.json).
    #[arg(long)]
    pub json: bool,
    /// The HTML report and chart files.
    #[command(flatten)]
    pub reporting: super::ReportOutputArgs,
}

/// A date on the command line.
fn parse_date(text: &str) -> std::result::Result<jiff::civil::Date, String> {
    text.trim()
        .parse::<jiff::civil::Date>()
        .map_err(|_| format!("`{text}` is not a date: write YYYY-MM-DD, e.g. 2026-03-02"))
}

/// `--weeks`: a number of weeks above 0.
fn parse_weeks(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(w) if w.is_finite() && w > 0.0 && w <= 1040.0 => Ok(w),
        _ => Err(format!(
            "`{text}` is not a number of weeks above 0 (at most 1040)"
        )),
    }
}

/// Files `forecast --out` writes.
pub const FORECAST_FILES: [&str; 2] = ["forecast.csv", "forecast.json"];

/// Re-runs with a longer horizon at most this many times.
const MAX_EXTENSIONS: usize = 3;

/// `dorasim forecast`.
pub fn forecast(args: ForecastArgs, stdout: &mut dyn Write) -> Result<()> {
    progress::install_interrupt_handler();
    args.reporting.check(args.force)?;
    let threads = super::threads(args.common.threads)?;
    let start = match args.start {
        Some(d) => d,
        // Today in UTC: the build carries no time-zone database, and a forecast is in days.
        None => jiff::tz::TimeZone::UTC
            .to_datetime(jiff::Timestamp::now())
            .date(),
    };
    let release = match &args.release {
        Some(path) => Some(Release::load(path)?),
        None => None,
    };
    let sources: Vec<app::Source<'_>> = if args.scenarios.is_empty() {
        vec![app::Source::Embedded]
    } else {
        args.scenarios
            .iter()
            .map(|p| app::Source::File(p))
            .collect()
    };
    // Every scenario runs the first one's runs and seed (common random numbers) unless the
    // command line sets them.
    let first = app::prepare(&app::Request {
        runs: args.runs,
        seed: args.common.seed,
        ..app::Request::new(sources[0], &args.common.set)
    })
    .map_err(|e| anyhow!("{e}"))?;
    let (runs, seed) = (first.scenario.run.runs, first.scenario.run.seed);
    let mut question = Question {
        items: args.items,
        by_hours: None,
        release,
    };
    let (mut out_dir, mut _lock) = (None, None);
    if let Some(dir) = &args.out {
        let (dir, lock) =
            OutputDir::prepare_exclusive(dir, &FORECAST_FILES, args.force, "forecast")?;
        out_dir = Some(dir);
        _lock = Some(lock);
    }
    let mut arms = Vec::new();
    let mut by_label = None;
    let bar = progress::bar(u64::from(runs) * sources.len() as u64, "forecast");
    for source in &sources {
        // The scenario with the command's overrides, then the release's mix of kinds and sizes.
        let mut set = args.common.set.clone();
        let base = app::load(*source, &set).map_err(|e| anyhow!("{e}"))?;
        if let Some(release) = &question.release {
            set.extend(release.overrides(&base.params));
        }
        let time = &base.params.time;
        let clock = Clock::new(start, time.warmup_weeks, time.workday_start_hour);
        if let Some(date) = args.by {
            let hours = clock
                .hours_to_end_of(date)
                .filter(|h| *h > 0.0)
                .ok_or_else(|| {
                    anyhow!(
                        "--by {date} is not after the start ({}): give a later date",
                        show_date(start)
                    )
                })?;
            question.by_hours = Some(hours);
            by_label = Some(show_date(date));
        } else if let Some(weeks) = args.weeks {
            question.by_hours = Some(weeks * 168.0);
            by_label = clock.datetime(weeks * 168.0).map(|d| {
                format!(
                    "{} {} ({weeks} weeks after the start)",
                    show_date(d.date()),
                    d.time().strftime("%H:%M")
                )
            });
        }
        if let Some(deadline) = args.deadline {
            if question.target_items().is_none() {
                bail!("--deadline needs --items or --release: the chance of being done by a date");
            }
            if clock.hours_to_end_of(deadline).is_none_or(|h| h <= 0.0) {
                bail!(
                    "--deadline {deadline} is before the start ({}): give a later date",
                    show_date(start)
                );
            }
        }
        let scenario_horizon = time.horizon_weeks;
        let mut horizon = scenario_horizon;
        let mut extensions = 0;
        let (samples, name, origin) = loop {
            let mut set_run = set.clone();
            if horizon != scenario_horizon {
                set_run.push(format!("time.horizon_weeks={horizon}"));
            }
            let prepared = app::prepare(&app::Request {
                runs: Some(runs),
                seed: Some(seed),
                ..app::Request::new(*source, &set_run)
            })
            .map_err(|e| anyhow!("{e}"))?;
            let samples = forecast::run(
                &prepared.model,
                prepared.plan(threads),
                &clock,
                &question,
                || {
                    bar.inc(1);
                    progress::check()
                },
            )
            .map_err(|e| anyhow!("{e}"))?;
            let needed =
                forecast::horizon_needed(&samples, &question, &clock, time.warmup_weeks, horizon);
            match needed {
                Some(weeks) if extensions < MAX_EXTENSIONS && horizon < 1040.0 => {
                    horizon = weeks.min(1040.0);
                    extensions += 1;
                    bar.inc_length(u64::from(runs));
                }
                _ => {
                    break (
                        samples,
                        prepared.scenario.name.clone(),
                        prepared.scenario.origin.clone(),
                    );
                }
            }
        };
        arms.push(Arm {
            name,
            origin,
            horizon_weeks: horizon,
            scenario_horizon_weeks: scenario_horizon,
            clock,
            samples,
        });
    }
    bar.finish_and_clear();
    // Scenarios that share a name (copies of one file) are told apart by their files.
    let names: Vec<String> = arms.iter().map(|a| a.name.clone()).collect();
    for arm in &mut arms {
        if names.iter().filter(|n| **n == arm.name).count() > 1 {
            arm.name = std::path::Path::new(&arm.origin)
                .file_stem()
                .map_or(arm.origin.clone(), |s| s.to_string_lossy().to_string());
        }
    }
    let shifts = if question.target_items().is_some() {
        arms.iter()
            .skip(1)
            .map(|arm| forecast::percentile_shifts(&arms[0].samples, &arm.samples, seed))
            .collect()
    } else {
        Vec::new()
    };
    let result = Forecast {
        question,
        start,
        deadline: args.deadline,
        by_label,
        seed,
        runs: u64::from(runs),
        arms,
        shifts,
        overrides: args.common.set.clone(),
    };
    let json = serde_json::to_string_pretty(&to_json(&result))?;
    let mut sink = std::io::sink();
    let out: &mut dyn Write = if args.json { &mut sink } else { &mut *stdout };
    write!(out, "{}", render(&result))?;
    if let Some(dir) = out_dir {
        let a = dir.write("forecast.csv", to_csv(&result)?.as_bytes())?;
        let b = dir.write("forecast.json", json.as_bytes())?;
        writeln!(out, "\nWrote:\n  {}\n  {}", a.display(), b.display())?;
    }
    if args.reporting.report.is_some() || args.reporting.charts.is_some() {
        let report = crate::report::forecast::build(&result, env!("CARGO_PKG_VERSION"))?;
        super::write_built_report(
            &report,
            args.reporting.report.as_deref(),
            args.reporting.charts.as_deref(),
            out,
        )?;
    }
    if args.json {
        writeln!(stdout, "{json}")?;
    }
    Ok(())
}

/// Calendar days, signed, one decimal.
fn days(hours: f64) -> String {
    if hours.is_finite() {
        format!("{:+.1}", hours / 24.0).replace('-', "−")
    } else {
        "n/a".to_string()
    }
}

/// The terminal text of a forecast.
pub fn render(f: &Forecast) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "Forecast: {}", f.asked());
    let _ = writeln!(
        s,
        "{} replications per scenario, seed {}; start {} at the working day's start, in the first week after the warm-up.",
        f.runs,
        f.seed,
        show_date(f.start)
    );
    let _ = writeln!(
        s,
        "Items are planned work items in production; an item whose deployment failed counts only when its fix is in production."
    );
    if let Some(release) = &f.question.release {
        let _ = writeln!(
            s,
            "Release: the next {} planned items picked up after the start, with the release's mix of kinds and mean sizes{}.",
            release.items.len(),
            if release.items.iter().any(|i| !i.depends_on.is_empty()) {
                "; dependent items start when their dependencies are in production"
            } else {
                ""
            }
        );
    }
    for (k, arm) in f.arms.iter().enumerate() {
        let _ = writeln!(s, "\nScenario `{}` ({})", arm.name, arm.origin);
        if arm.horizon_weeks != arm.scenario_horizon_weeks {
            let _ = writeln!(
                s,
                "  The scenario's {}-week horizon was too short: run over {} measured weeks (--set time.horizon_weeks={}).",
                arm.scenario_horizon_weeks, arm.horizon_weeks, arm.horizon_weeks
            );
        }
        if let Some(c) = f.completion(k) {
            let _ = writeln!(
                s,
                "  {:<10} {:<18} {:<40} {:>10}",
                "percentile", "done by", "[95 % CI]", "weeks"
            );
            for p in &c.percentiles {
                let ci = format!(
                    "[{}, {}]",
                    date_text(&arm.clock, p.ci95_low),
                    date_text(&arm.clock, p.ci95_high)
                );
                let weeks = if p.value.is_finite() {
                    format!("{:.1}", p.value / 168.0)
                } else {
                    "—".to_string()
                };
                let _ = writeln!(
                    s,
                    "  p{:<9} {:<18} {:<40} {:>10}",
                    (p.probability * 100.0).round(),
                    date_text(&arm.clock, p.value),
                    ci,
                    weeks
                );
            }
            if let (Some(d), Some(deadline)) = (c.deadline, f.deadline) {
                let _ = writeln!(
                    s,
                    "  Chance of being done by the end of {}: {:.1} % [{:.1} %, {:.1} %]",
                    show_date(deadline),
                    d.share * 100.0,
                    d.ci95_low * 100.0,
                    d.ci95_high * 100.0
                );
            }
            if c.reached < c.runs {
                let _ = writeln!(
                    s,
                    "  {} of {} replications were not done within the horizon ({} measured weeks); percentiles there read \"not within horizon\".",
                    c.runs - c.reached,
                    c.runs,
                    arm.horizon_weeks
                );
            }
        }
        if let (Some(items), Some(by)) = (f.items_by(k), &f.by_label) {
            let _ = writeln!(
                s,
                "  Items in production by {by}: mean {:.1} [{:.1}, {:.1}]",
                items.mean, items.mean_ci95_low, items.mean_ci95_high
            );
            for p in &items.at_least {
                let _ = writeln!(
                    s,
                    "    at least {:>6} items in {:>3.0} % of futures  [95 % CI {}, {}]",
                    p.value,
                    p.probability * 100.0,
                    p.ci95_low,
                    p.ci95_high
                );
            }
            if items.runs < f.runs {
                let _ = writeln!(
                    s,
                    "  {} of {} replications ended before that date and are left out.",
                    f.runs - items.runs,
                    f.runs
                );
            }
        }
    }
    for (k, shifts) in f.shifts.iter().enumerate() {
        let (a, b) = (&f.arms[0], &f.arms[k + 1]);
        let _ = writeln!(
            s,
            "\nShift `{}` − `{}` on common random numbers (calendar days, paired 95 % bootstrap CI):",
            b.name, a.name
        );
        for shift in shifts {
            let _ = writeln!(
                s,
                "  p{:<3} {} → {}  {} days [{}, {}]",
                (shift.probability * 100.0).round(),
                date_text(&a.clock, shift.a),
                date_text(&b.clock, shift.b),
                days(shift.shift),
                days(shift.ci95_low),
                days(shift.ci95_high)
            );
        }
    }
    s
}

/// One row per scenario and replication.
pub fn to_csv(f: &Forecast) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "scenario",
        "replication",
        "completion_hours",
        "completion_date",
        "items_by",
        "items_in_horizon",
    ])?;
    for arm in &f.arms {
        for (rep, s) in arm.samples.iter().enumerate() {
            let completion = if s.completion_hours.is_finite() {
                format!("{}", s.completion_hours)
            } else {
                String::new()
            };
            let date = if s.completion_hours.is_finite() {
                arm.clock
                    .date(s.completion_hours)
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            } else {
                String::new()
            };
            let items = if s.items_by.is_finite() {
                format!("{}", s.items_by)
            } else {
                String::new()
            };
            w.write_record([
                arm.name.clone(),
                rep.to_string(),
                completion,
                date,
                items,
                s.items_in_horizon.to_string(),
            ])?;
        }
    }
    Ok(String::from_utf8(
        w.into_inner().map_err(|e| anyhow!("{e}"))?,
    )?)
}

/// A time after the start in JSON: hours and date, `null` when not within the horizon.
fn json_time(clock: &Clock, hours: f64) -> serde_json::Value {
    if hours.is_finite() {
        serde_json::json!({
            "hours": hours,
            "date": clock.date(hours).map(|d| d.to_string()),
        })
    } else {
        serde_json::Value::Null
    }
}

/// The forecast as JSON (`forecast.json`, `--json`).
pub fn to_json(f: &Forecast) -> serde_json::Value {
    use serde_json::json;
    let scenarios: Vec<serde_json::Value> = f
        .arms
        .iter()
        .enumerate()
        .map(|(k, arm)| {
            let completion = f.completion(k).map(|c| {
                json!({
                    "runs": c.runs,
                    "reached": c.reached,
                    "percentiles": c.percentiles.iter().map(|p| json!({
                        "probability": p.probability,
                        "value": json_time(&arm.clock, p.value),
                        "ci95_low": json_time(&arm.clock, p.ci95_low),
                        "ci95_high": json_time(&arm.clock, p.ci95_high),
                    })).collect::<Vec<_>>(),
                    "deadline": c.deadline.map(|d| json!({
                        "date": f.deadline.map(|x| x.to_string()),
                        "probability": d.share,
                        "ci95_low": d.ci95_low,
                        "ci95_high": d.ci95_high,
                    })),
                })
            });
            let items_by = f.items_by(k).map(|i| {
                json!({
                    "hours_after_start": f.question.by_hours,
                    "runs": i.runs,
                    "mean": i.mean,
                    "mean_ci95": [i.mean_ci95_low, i.mean_ci95_high],
                    "at_least": i.at_least.iter().map(|p| json!({
                        "probability": p.probability,
                        "items": p.value,
                        "ci95": [p.ci95_low, p.ci95_high],
                    })).collect::<Vec<_>>(),
                })
            });
            json!({
                "name": arm.name,
                "origin": arm.origin,
                "horizon_weeks": arm.horizon_weeks,
                "scenario_horizon_weeks": arm.scenario_horizon_weeks,
                "start_model_hours": arm.clock.origin_hours,
                "completion": completion,
                "items_by": items_by,
            })
        })
        .collect();
    let shifts: Vec<serde_json::Value> = f
        .shifts
        .iter()
        .enumerate()
        .map(|(k, shifts)| {
            json!({
                "scenario": f.arms[k + 1].name,
                "baseline": f.arms[0].name,
                "percentiles": shifts.iter().map(|s| json!({
                    "probability": s.probability,
                    "baseline": json_time(&f.arms[0].clock, s.a),
                    "scenario": json_time(&f.arms[k + 1].clock, s.b),
                    "shift_hours": s.shift.is_finite().then_some(s.shift),
                    "ci95_hours": [
                        s.ci95_low.is_finite().then_some(s.ci95_low),
                        s.ci95_high.is_finite().then_some(s.ci95_high)
                    ],
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "tool": "dorasim",
        "version": env!("CARGO_PKG_VERSION"),
        "question": {
            "items": f.question.items,
            "release": f.question.release,
            "by_hours_after_start": f.question.by_hours,
            "deadline": f.deadline.map(|d| d.to_string()),
        },
        "start": f.start.to_string(),
        "seed": f.seed,
        "runs": f.runs,
        "overrides": f.overrides,
        "counting": "planned work items in production after the start; an item whose deployment failed counts only when its fix is in production",
        "scenarios": scenarios,
        "shifts": shifts,
    })
}
