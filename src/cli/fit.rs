//! `dorasim calibrate`: fits a scenario to a team's own history and writes it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::analysis::progress;
use crate::fitting::write::text;
use crate::fitting::{self, Fit, Settings};
use crate::history::formats::{self, Format};
use crate::history::{MeasuredLog, time};
use crate::output::files::check_file_target;

/// Arguments of `dorasim calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Directory holding the team's history (see docs/history.md for the formats).
    pub history: PathBuf,
    /// Format of the history: `auto` picks the one whose files are there.
    #[arg(long, default_value = "auto", value_parser = format_names())]
    pub format: String,
    /// Scenario holding what you know (developers, reviewers, AI adoption, culture); the rest is
    /// fitted or left at its default. Default: the defaults of `dorasim params`.
    #[arg(long, value_name = "SCENARIO")]
    pub base: Option<PathBuf>,
    /// Known facts, as in `run` (`--set team.developers=12 --set review.reviewers=3`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Start of the window to fit (a date or time, UTC): default the history's first event.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// End of the window to fit (exclusive): default the history's last event.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// The calibrated scenario to write.
    #[arg(short, long, value_name = "FILE", default_value = "calibrated.toml")]
    pub out: PathBuf,
    /// Also write the fit report as a self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Replace `--out` (and `--report`) if they exist.
    #[arg(long)]
    pub force: bool,
    /// Most replications to simulate in all (the search stops there and says so).
    #[arg(long, default_value_t = Settings::default().budget)]
    pub budget: u64,
    /// Seed of the simulated histories.
    #[arg(long, default_value_t = Settings::default().seed)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results are identical for any value.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the fit as JSON on stdout (fitted values with intervals, direct settings, checks,
    /// the search) instead of the tables; the scenario is still written to --out.
    #[arg(long)]
    pub json: bool,
}

fn format_names() -> clap::builder::PossibleValuesParser {
    let mut names = vec!["auto"];
    names.extend(formats::ALL.iter().map(|f| f.name()));
    clap::builder::PossibleValuesParser::new(names)
}

/// A date (`2026-03-02`) or time, as hours since the epoch.
fn date_hours(flag: &str, text: &str) -> Result<f64> {
    let with_time = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_string()
    };
    time::hours_of(&with_time).with_context(|| {
        format!(
            "{flag} `{text}`: write a date (2026-03-02) or an RFC 3339 time (2026-03-02T09:00:00Z)"
        )
    })
}

/// Reads the history in `dir` with `format` (or the one whose files are there).
pub fn read_history(dir: &Path, format: &str) -> Result<(MeasuredLog, &'static dyn Format)> {
    if !dir.is_dir() {
        bail!(
            "`{}` is not a directory: give the directory holding the history's files (docs/history.md)",
            dir.display()
        );
    }
    let format = if format == "auto" {
        formats::detect(dir).with_context(|| {
            let wanted: Vec<String> = formats::ALL
                .iter()
                .map(|f| format!("{} ({})", f.name(), f.required().join(", ")))
                .collect();
            format!(
                "`{}` holds no history file dorasim knows; expected one of: {}",
                dir.display(),
                wanted.join("; ")
            )
        })?
    } else {
        formats::find(format).with_context(|| format!("unknown format `{format}`"))?
    };
    Ok((format.read(dir)?, format))
}

/// `dorasim calibrate`.
pub fn calibrate(args: CalibrateArgs, stdout: &mut dyn Write) -> Result<()> {
    let mut sink = std::io::sink();
    let out: &mut dyn Write = if args.json { &mut sink } else { &mut *stdout };
    let threads = super::threads(args.threads)?;
    check_file_target(&args.out, args.force)?;
    if let Some(report) = &args.report {
        check_file_target(report, args.force)?;
    }
    let (mut log, format) = read_history(&args.history, &args.format)?;
    if let Some(from) = &args.from {
        log.window.from_hours = date_hours("--from", from)?;
    }
    if let Some(to) = &args.to {
        log.window.to_hours = date_hours("--to", to)?;
    }
    if log.window.to_hours <= log.window.from_hours {
        bail!(
            "the window is empty: --from {} is not before --to {}",
            time::timestamp(log.window.from_hours).unwrap_or_default(),
            time::timestamp(log.window.to_hours).unwrap_or_default()
        );
    }
    let (base_text, origin) = match &args.base {
        Some(path) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the base scenario `{}`", path.display()))?,
            path.display().to_string(),
        ),
        None => (String::new(), "<defaults>".to_string()),
    };
    let base_file = crate::scenario::load_str(&base_text, &origin)?;
    let base = crate::scenario::apply_overrides(&base_text, &origin, &args.set)?;
    let settings = Settings {
        seed: args.seed,
        budget: args.budget,
        ..Settings::default()
    };
    let from = time::timestamp(log.window.from_hours).unwrap_or_default();
    let to = time::timestamp(log.window.to_hours).unwrap_or_default();
    writeln!(
        out,
        "Calibrating to `{}` ({}: {} deployments, {} changes, {} incidents), window {from} to {to}",
        args.history.display(),
        format.name(),
        log.deployments.len(),
        log.changes.len(),
        log.incidents.len()
    )?;
    progress::install_interrupt_handler();
    let bar = progress::bar(settings.budget, "simulating");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("starting the worker threads")?;
    let fit =
        pool.install(|| fitting::calibrate(&base, &log, format.lens(), settings, |n| bar.inc(n)))?;
    bar.finish_and_clear();
    let history = format!(
        "`{}` ({} format, {from} to {to})",
        args.history.display(),
        format.name()
    );
    let name = args.out.file_stem().map_or("calibrated".to_string(), |s| {
        s.to_string_lossy().into_owned()
    });
    let toml = fitting::write::scenario_toml(&base_text, &base_file.params, &fit, &history, &name)
        .map_err(anyhow::Error::msg)?;
    // The written file must load: check before anything is written.
    let calibrated = crate::scenario::load_str(&toml, &args.out.display().to_string())
        .context("the calibrated scenario does not load (a bug: please report it)")?;
    write!(out, "{}", render(&fit))?;
    let page = match &args.report {
        Some(_) => {
            let command =
                crate::report::analysis::shell_command(&std::env::args().collect::<Vec<_>>());
            let context = crate::report::analysis::StudyContext::from_scenario(
                &calibrated,
                args.seed,
                calibrated.run.lens,
                &[],
                fit.fitted
                    .iter()
                    .flat_map(|f| f.knob.keys())
                    .map(str::to_string)
                    .collect(),
                command,
            )?;
            Some(crate::report::fit::fit_page(&fit, &context, &history)?)
        }
        None => None,
    };
    // Both files complete under temporary names and renamed into place; nothing is written
    // before the calibration and its report are done.
    let path = crate::report::write_html(&args.out, &toml)?;
    writeln!(out, "\nWrote {}", path.display())?;
    if let (Some(report), Some(page)) = (&args.report, page) {
        let path = crate::report::write_html(report, &page)?;
        writeln!(out, "Wrote {}", path.display())?;
    }
    writeln!(
        out,
        "Next: dorasim run {0}    then what-ifs: dorasim compare {0} other.toml",
        path.display()
    )?;
    if args.json {
        let text =
            serde_json::to_string_pretty(&fit_json(&fit, &path)).context("serialising the fit")?;
        writeln!(stdout, "{text}")?;
    }
    Ok(())
}

/// A number for JSON: `null` when not finite.
fn number(x: f64) -> serde_json::Value {
    if x.is_finite() {
        serde_json::json!(x)
    } else {
        serde_json::Value::Null
    }
}

/// The fit as JSON, for scripts.
pub fn fit_json(fit: &Fit, scenario: &Path) -> serde_json::Value {
    use serde_json::json;
    let value = |v: &crate::model::params::Value| {
        serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
    };
    json!({
        "scenario": scenario.display().to_string(),
        "weeks": number(fit.weeks),
        "search": {
            "simulations": fit.solution.simulations,
            "steps": fit.solution.steps,
            "converged": fit.solution.converged,
            "stalled": fit.solution.stalled,
            "largest_gap_sd": number(fit.solution.gap),
            "verdict": fit.solution.verdict(),
        },
        "rates": fit.rates.iter().map(|(what, i)| json!({
            "what": what,
            "estimate": number(i.estimate),
            "ci95": [number(i.low), number(i.high)],
        })).collect::<Vec<_>>(),
        "direct": fit.direct.iter().map(|d| json!({
            "key": d.key,
            "value": value(&d.value),
            "from": d.from,
        })).collect::<Vec<_>>(),
        "fitted": fit.fitted.iter().flat_map(|f| f.values.iter().map(move |(key, base, v, low, high)| json!({
            "key": key,
            "value": value(v),
            "ci95": [value(low), value(high)],
            "base": value(base),
            "factor": number(f.factor.estimate),
            "factor_ci95": [number(f.factor.low), number(f.factor.high)],
            "figure": f.knob.moment.label(),
            "observed": number(f.observed),
            "identified": f.identified,
            "at_bound": f.at_bound,
        }))).collect::<Vec<_>>(),
        "not_fitted": fit.skipped.iter().map(|s| json!({
            "knob": s.knob.name,
            "reason": s.reason,
        })).collect::<Vec<_>>(),
        "checks": fit.checks.iter().map(|c| json!({
            "figure": c.moment.label(),
            "unit": c.moment.unit(),
            "dora": c.moment.is_dora(),
            "observed": number(c.observed),
            "simulated": number(c.simulated),
            "range95": [number(c.low), number(c.high)],
            "fitted": c.fitted,
            "within": c.within(),
        })).collect::<Vec<_>>(),
    })
}

fn fmt(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// The fit report for the terminal.
pub fn render(fit: &Fit) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "\nWhat the history shows ({:.1} weeks; exact 95 % intervals):\n",
        fit.weeks
    ));
    for (what, i) in &fit.rates {
        s.push_str(&format!(
            "  {what:<22} {:>9}  [{}, {}]\n",
            fmt(i.estimate),
            fmt(i.low),
            fmt(i.high)
        ));
    }
    if !fit.direct.is_empty() {
        s.push_str("\nSet from the history:\n");
        for d in &fit.direct {
            s.push_str(&format!(
                "  {:<32} {}  ({})\n",
                d.key,
                text(&d.value),
                d.from
            ));
        }
    }
    s.push_str("\nFitted by simulation (95 % intervals):\n");
    for f in &fit.fitted {
        for (key, base, value, low, high) in &f.values {
            s.push_str(&format!(
                "  {key:<32} {}  [{}, {}]   base {}{}\n",
                text(value),
                text(low),
                text(high),
                text(base),
                if f.at_bound {
                    "  (at the end of its range)"
                } else {
                    ""
                }
            ));
        }
        s.push_str(&format!(
            "      from the {} of the history, {} {}\n",
            f.knob.moment.label(),
            fmt(f.observed),
            f.knob.moment.unit()
        ));
    }
    if fit.singular {
        s.push_str(
            "  (no intervals: a fitted parameter does not move its figure at the solution)\n",
        );
    }
    for sk in &fit.skipped {
        s.push_str(&format!(
            "  {:<32} not fitted: {}\n",
            sk.knob.name, sk.reason
        ));
    }
    s.push_str("  Not identified by a history (left as given): team size, reviewers, AI adoption and\n  its effects, culture; state them with --base or --set.\n");
    s.push_str("\nObserved against simulated (histories as long as yours):\n");
    s.push_str(&format!(
        "  {:<34} {:>9} {:>9}  {:<22} {}\n",
        "figure", "observed", "simulated", "95 % range", "fit"
    ));
    let mut poor = 0;
    for c in &fit.checks {
        let verdict = if !c.observed.is_finite() {
            "not in the history"
        } else if c.within() {
            "ok"
        } else {
            poor += 1;
            "POOR"
        };
        s.push_str(&format!(
            "  {:<34} {:>9} {:>9}  {:<22} {}{}\n",
            format!("{} ({})", c.moment.label(), c.moment.unit()),
            fmt(c.observed),
            fmt(c.simulated),
            format!("[{}, {}]", fmt(c.low), fmt(c.high)),
            verdict,
            if c.fitted {
                ""
            } else {
                " (checked, not fitted)"
            }
        ));
    }
    s.push_str(&format!(
        "\n{} replications simulated; the search {}.\n",
        fit.solution.simulations,
        fit.solution.verdict()
    ));
    if fit.weeks < 8.0 || fit.counts.deployments < 30.0 {
        s.push_str(&format!(
            "Note: a short history ({:.1} weeks, {} deployments): intervals are wide and some parameters cannot be pinned down; a quarter or more of history is better.\n",
            fit.weeks, fit.counts.deployments
        ));
    }
    if poor > 0 {
        s.push_str(&format!(
            "Warning: {poor} figure(s) outside the range of simulated histories: the model does not reproduce this team there; read the scenario's numbers for those with care.\n"
        ));
    }
    s
}
