//! The command line: `dorasim run`, `dorasim calibration`, `dorasim validate`, `dorasim params`,
//! and the what-if commands. Flags become a validated scenario at the boundary; everything else
//! is library code.

pub mod analysis;
pub mod calibration;
pub mod fit;
pub mod forecast;
pub mod sensitivity;
pub mod serve;
pub mod shards;

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::app;
use crate::metrics::ledger::Lens;
use crate::output::csv_files::{
    REPLICATIONS_CSV, ReplicationWriter, TEAMS_CSV, WEEKLY_CSV, teams_csv, weekly_csv,
};
use crate::output::json::{SUMMARY_JSON, summary_json};
use crate::output::{OutputDir, terminal};
use crate::runner::{self, RunPlan};
use crate::scenario::{self, Scenario, ScenarioErrors};

/// dorasim: Monte Carlo projections of DORA's five delivery metrics and reliability for a software
/// delivery system with AI-assisted development, limited review capacity, tests, deployment,
/// production failures and recovery.
#[derive(Debug, Parser)]
#[command(name = "dorasim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario many times and summarise the metrics with their uncertainty.
    Run(RunArgs),
    /// Compare scenarios on common random numbers: differences with paired confidence intervals.
    Compare(analysis::CompareArgs),
    /// Run a scenario over a design of parameter values; one CSV row per point and metric.
    Sweep(analysis::SweepArgs),
    /// Which parameters move the metrics most: Morris effects or Sobol indices.
    Sensitivity(analysis::SensitivityArgs),
    /// Merge the partial results of a sharded run or sweep.
    Merge(analysis::MergeArgs),
    /// Check the defaults against published figures (DORA, Faros AI): one row per target with
    /// the simulated value, its 95 % CI, the tolerance and a verdict; exits with 1 when a
    /// counted target misses beyond its 95 % CI (a miss on a tolerance edge is reported as not
    /// converged).
    Calibration(calibration::CalibrationArgs),
    /// Fit a scenario to a team's own delivery history (dorasim's, a plain CSV set, Four Keys
    /// or DevLake) and write it: what the data shows directly is set, the latent parameters are
    /// fitted by simulation with intervals, and every figure is checked.
    Calibrate(fit::CalibrateArgs),
    /// When will it be done? Completion dates of N work items or a release (p50, p70, p85, p95
    /// with intervals, the chance of meeting a deadline) and items in production by a date; with
    /// two or more scenarios, the shift of each percentile on common random numbers.
    Forecast(forecast::ForecastArgs),
    /// Write a self-contained HTML report (charts inline as SVG) of a run's, a comparison's, a
    /// sweep's or a sensitivity study's --out directory.
    Report(ReportArgs),
    /// Workshop mode: a local web page with sliders for the levers, streaming results as
    /// replications finish, A/B comparisons, share links and downloads; and a JSON API.
    Serve(serve::ServeArgs),
    /// Check scenario files and report every problem at once.
    Validate {
        /// Scenario files to check.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Overrides to check with them, as in `run`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// List every parameter: key path, default, unit, allowed range, meaning, evidence.
    Params {
        /// Show the values a scenario file resolves to instead of the defaults.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: ParamsFormat,
    },
    /// Print a shell completion script, derived from the command-line definition:
    /// `dorasim completions bash > ~/.local/share/bash-completion/completions/dorasim`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), derived from the command-line definition:
    /// `dorasim man > dorasim.1 && man ./dorasim.1`.
    Man,
}

/// Output formats of `dorasim params`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ParamsFormat {
    /// Aligned text.
    Table,
    /// CSV.
    Csv,
}

/// Options shared by every command that runs replications.
#[derive(Debug, Args)]
pub struct SimulationArgs {
    /// Master seed (default: the scenario's `run.seed`, 42). Scenarios compared or swept share it,
    /// so they run on common random numbers.
    #[arg(long, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Override any parameter, e.g. `--set review.reviewers=8 --set ai.adoption=0.8`; applied to
    /// every scenario and design point, and checked like a value in a file.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Worker threads (default: all cores). Results are identical for any value.
    #[arg(long, allow_negative_numbers = true)]
    pub threads: Option<usize>,
}

/// Options that split a long command across processes or machines.
#[derive(Debug, Args)]
pub struct ShardArgs {
    /// Run only shard K of N (1-based) and write a partial result to --out for `dorasim merge`.
    /// `auto` reads K from the scheduler: a Slurm array task's SLURM_ARRAY_TASK_ID (tasks 1..N)
    /// or a Kubernetes pod's JOB_COMPLETION_INDEX + 1, with N from --shards. Without --shard
    /// the scheduler's environment is ignored and the command is not sharded.
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,
    /// Number of shards for --shard auto (default: the DORASIM_SHARDS environment variable).
    #[arg(long, value_name = "N")]
    pub shards: Option<u64>,
}

/// The report outputs a command can add to its results.
#[derive(Debug, Args)]
pub struct ReportOutputArgs {
    /// Also write a self-contained HTML report (charts inline as SVG, no network needed).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Also write each chart of the report as an SVG file to DIR, for slides.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
}

impl ReportOutputArgs {
    /// Checks the report's path before any simulation runs: an existing file is replaced only
    /// with `--force`, and never a device, FIFO or directory.
    pub fn check(&self, force: bool) -> Result<()> {
        if let Some(path) = &self.report {
            crate::output::files::check_file_target(path, force)?;
        }
        Ok(())
    }
}

/// Arguments of `dorasim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML). Without it, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// Number of replications (default: the scenario's `run.runs`, 1000).
    #[arg(long, allow_negative_numbers = true)]
    pub runs: Option<u32>,
    /// Seed, overrides and threads.
    #[command(flatten)]
    pub common: SimulationArgs,
    /// Write replications.csv, weekly.csv and summary.json to this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overwrite results already in the --out directory.
    #[arg(long)]
    pub force: bool,
    /// How the measured ledger (the team's dashboard) is read: ground-truth attribution or a real
    /// tool's rules (default: the scenario's `run.lens`, `truth`).
    #[arg(long, value_enum)]
    pub lens: Option<Lens>,
    /// Also show the same history read through every lens, side by side.
    #[arg(long)]
    pub all_lenses: bool,
    /// Print nothing on success (errors still go to stderr); for scripts that read --out.
    #[arg(long, conflicts_with = "json")]
    pub quiet: bool,
    /// Print the summary as JSON on stdout (the contents of summary.json) instead of the tables.
    #[arg(long)]
    pub json: bool,
    /// Sharding across processes or machines.
    #[command(flatten)]
    pub sharding: ShardArgs,
    /// Also write one replication's event log to DIR: the measured log (as the team's tooling
    /// recorded it) in Four Keys and Apache DevLake shapes, as plain CSV files (see
    /// docs/history.md) and as events.json, plus ground_truth.json (see docs/events.md).
    /// Honours --force.
    #[arg(long, value_name = "DIR")]
    pub events: Option<PathBuf>,
    /// Which replication --events exports (0-based; must be below --runs).
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub events_replication: u64,
    /// The HTML report and chart files.
    #[command(flatten)]
    pub reporting: ReportOutputArgs,
}

/// Arguments of `dorasim report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A run's --out directory (summary.json, weekly.csv, and replications.csv if present), a
    /// comparison's (compare.json), a sweep's (sweep.csv) or a sensitivity study's
    /// (sensitivity.csv).
    pub dir: PathBuf,
    /// Where to write the report (default: DIR/report.html).
    #[arg(long, value_name = "FILE.html")]
    pub out: Option<PathBuf>,
    /// Also write each chart as an SVG file to this directory, for slides.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
}

/// Loads a scenario file (or the embedded default) with overrides.
pub fn load(path: Option<&PathBuf>, set: &[String]) -> Result<Scenario, ScenarioErrors> {
    app::load(source(path), set)
}

/// The scenario source of an optional file argument.
fn source(path: Option<&PathBuf>) -> app::Source<'_> {
    path.map_or(app::Source::Embedded, |p| app::Source::File(p))
}

/// Runs the command line, writing results to `out` (errors go to the caller).
pub fn main_with(cli: Cli, out: &mut dyn Write) -> Result<()> {
    match cli.command {
        Command::Run(args) => {
            let env = crate::analysis::shard::process_env;
            match crate::analysis::shard::Shard::resolve(
                args.sharding.shard.as_deref(),
                args.sharding.shards,
                &env,
            )? {
                Some(shard) => shards::run_shard(args, shard, out),
                None => run(args, out),
            }
        }
        Command::Compare(args) => analysis::compare(args, out),
        Command::Sweep(args) => analysis::sweep(args, out),
        Command::Sensitivity(args) => sensitivity::sensitivity(args, out),
        Command::Merge(args) => shards::merge(args, out),
        Command::Calibration(args) => calibration::calibration(args, out),
        Command::Calibrate(args) => fit::calibrate(args, out),
        Command::Forecast(args) => forecast::forecast(args, out),
        Command::Report(args) => report(&args, out),
        Command::Serve(args) => serve::serve(&args, out),
        Command::Validate { scenarios, set } => validate(&scenarios, &set, out),
        Command::Params { scenario, format } => params(scenario.as_ref(), format, out),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "dorasim", out);
            Ok(())
        }
        Command::Man => {
            use clap::CommandFactory;
            clap_mangen::Man::new(Cli::command()).render(out)?;
            Ok(())
        }
    }
}

/// Exit codes of the binary, documented in the README: 0 success; 1 a calibration target
/// missed; 2 bad input or usage (clap's code for usage errors too); 3 a run stopped by its
/// runaway guard; 130 interrupted by Ctrl-C (the shell's convention, 128 + SIGINT).
pub mod exit {
    /// A calibration target missed.
    pub const TARGET_MISSED: u8 = 1;
    /// Bad input or usage.
    pub const BAD_INPUT: u8 = 2;
    /// A run stopped by its runaway guard.
    pub const GUARD_STOPPED: u8 = 3;
    /// Interrupted by Ctrl-C.
    pub const INTERRUPTED: u8 = 130;
}

/// The exit code of a command that failed (other than a missed calibration target): interrupted,
/// stopped by a guard, or bad input.
pub fn exit_code_of_failure() -> u8 {
    if crate::analysis::progress::interrupted() {
        exit::INTERRUPTED
    } else if crate::runner::guard_stopped() {
        exit::GUARD_STOPPED
    } else {
        exit::BAD_INPUT
    }
}

/// An error and its causes on one line, each cause said once: a cause whose text an outer
/// message already quotes (an I/O error inside "cannot write `x`: …") is not repeated.
pub fn error_text(error: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// True when the error is only a closed output pipe (`dorasim params | head`), which is not a
/// failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The scenario of `run` and `run --shard` prepared by the application layer (so the two cannot
/// drift apart), and the worker threads.
pub(crate) fn prepare_run(args: &RunArgs) -> Result<(app::Prepared, usize)> {
    let threads = threads(args.common.threads)?;
    let prepared = app::prepare(&app::Request {
        runs: args.runs,
        seed: args.common.seed,
        lens: args.lens,
        ..app::Request::new(source(args.scenario.as_ref()), &args.common.set)
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((prepared, threads))
}

fn run(args: RunArgs, stdout: &mut dyn Write) -> Result<()> {
    args.reporting.check(args.force)?;
    // With --quiet or --json the human-readable text goes nowhere; --json prints the summary.
    let mut sink = std::io::sink();
    let out: &mut dyn Write = if args.quiet || args.json {
        &mut sink
    } else {
        &mut *stdout
    };
    let (app::Prepared { scenario, model }, threads) = prepare_run(&args)?;
    let (runs, seed, lens) = (scenario.run.runs, scenario.run.seed, scenario.run.lens);
    // The lock is held until the function returns, after the files are published.
    let (out_dir, _lock) = match &args.out {
        Some(dir) => {
            let (dir, lock) = OutputDir::prepare_exclusive(dir, &RUN_FILES, args.force, "run")?;
            (Some(dir), Some(lock))
        }
        None => (None, None),
    };
    // Ctrl-C stops between batches of replications; the files in --out are then untouched.
    crate::analysis::progress::install_interrupt_handler();
    let events_dir = match &args.events {
        Some(_) if args.events_replication >= u64::from(runs) => bail!(
            "--events-replication {} is not among the {runs} replications",
            args.events_replication
        ),
        Some(dir) => Some(OutputDir::prepare_exclusive(
            dir,
            &crate::output::events::files(),
            args.force,
            "events",
        )?),
        None => None,
    };
    let mut rows = match &out_dir {
        Some(dir) => Some(ReplicationWriter::create(dir)?),
        None => None,
    };
    let plan = RunPlan {
        seed,
        runs: u64::from(runs),
        threads,
    };
    let mut collector = (args.reporting.report.is_some() || args.reporting.charts.is_some())
        .then(crate::report::DistributionCollector::new);
    let progress = crate::analysis::progress::bar(u64::from(runs), "replications");
    let summary = runner::run_with_lens(&model, plan, lens, |rep, metrics| {
        crate::analysis::progress::check()?;
        progress.inc(1);
        if let Some(c) = collector.as_mut() {
            c.push(metrics);
        }
        match rows.as_mut() {
            Some(writer) => writer.write(rep, metrics),
            None => Ok(()),
        }
    })
    .map_err(|e| stopped(e, out_dir.as_ref()))?;
    progress.finish_and_clear();
    write!(
        out,
        "{}",
        terminal::render(
            &scenario,
            &summary,
            threads,
            lens,
            args.all_lenses || scenario.run.all_lenses
        )
    )?;
    for growth in summary.growth_warnings() {
        writeln!(out, "\n{}", growth.message())?;
    }
    let json = summary_json(&scenario, &summary, threads, lens);
    let summary_text = serde_json::to_string_pretty(&json).context("serialising the summary")?;
    if let Some(dir) = out_dir {
        // Every file complete and synced under a temporary name first, then all renamed
        // together: an error or Ctrl-C before the renames leaves the previous set whole.
        let mut staged = Vec::new();
        if let Some(writer) = rows {
            staged.push(writer.finish_staged()?);
        }
        let weekly = weekly_csv(&summary).map_err(|e| anyhow::anyhow!(e))?;
        staged.push(dir.stage(WEEKLY_CSV, weekly.as_bytes())?);
        if let Some(teams) = teams_csv(&summary).map_err(|e| anyhow::anyhow!(e))? {
            staged.push(dir.stage(TEAMS_CSV, teams.as_bytes())?);
        }
        staged.push(dir.stage(SUMMARY_JSON, summary_text.as_bytes())?);
        if crate::analysis::progress::interrupted() {
            drop(staged);
            return Err(stopped(
                runner::RunError::Sink(crate::analysis::progress::INTERRUPTED_MESSAGE.into()),
                Some(&dir),
            ));
        }
        let written = crate::output::files::commit_all(staged)?;
        writeln!(out, "\nWrote:")?;
        for path in written {
            writeln!(out, "  {}", path.display())?;
        }
    }
    if let Some(collector) = collector {
        let data = crate::report::ReportData::from_run(
            &scenario,
            &summary,
            threads,
            lens,
            collector.finish(),
        )?;
        write_report(
            &data,
            args.reporting.report.as_deref(),
            args.reporting.charts.as_deref(),
            out,
        )?;
    }
    if let Some((dir, _lock)) = events_dir {
        let info = crate::history::ExportInfo {
            scenario: scenario.name.clone(),
            seed,
            replication: args.events_replication,
        };
        writeln!(out, "\nEvent log of replication {}:", info.replication)?;
        for path in crate::output::events::export(&dir, &model, &info)? {
            writeln!(out, "  {}", path.display())?;
        }
    }
    if args.json {
        writeln!(stdout, "{summary_text}")?;
    }
    Ok(())
}

/// Builds the report of `data` and writes the page to `html` and the charts to `charts`.
fn write_report(
    data: &crate::report::ReportData,
    html: Option<&std::path::Path>,
    charts: Option<&std::path::Path>,
    out: &mut dyn Write,
) -> Result<()> {
    let report = crate::report::build(data)?;
    if let Some(path) = html {
        let path = crate::report::write_html(path, &report.html)?;
        writeln!(out, "\nReport: {}", path.display())?;
    }
    if let Some(dir) = charts {
        let written = crate::report::write_charts(dir, &report.charts)?;
        writeln!(
            out,
            "Charts: {} SVG files in {}",
            written.len(),
            dir.display()
        )?;
    }
    Ok(())
}

fn report(args: &ReportArgs, out: &mut dyn Write) -> Result<()> {
    use crate::analysis::{study::SENSITIVITY_CSV, sweep::SWEEP_CSV};
    use crate::report::compare::COMPARE_JSON;
    let html = args
        .out
        .clone()
        .unwrap_or_else(|| args.dir.join(crate::report::REPORT_HTML));
    // A run's directory holds summary.json; a sweep's sweep.csv; a sensitivity study's
    // sensitivity.csv (and sensitivity.json); a comparison's compare.json (and compare.csv).
    let holds = |name: &str| args.dir.join(name).is_file();
    if holds(SUMMARY_JSON) {
        let data = crate::report::ReportData::from_dir(&args.dir)?;
        return write_report(&data, Some(&html), args.charts.as_deref(), out);
    }
    if holds(SWEEP_CSV) {
        use crate::report::sweep::{SweepInfo, SweepTable, build};
        let table = SweepTable::from_csv(&args.dir.join(SWEEP_CSV))?;
        let report = build(&table, &SweepInfo::from_table(&table))?;
        return write_built_report(&report, Some(&html), args.charts.as_deref(), out);
    }
    if holds(SENSITIVITY_CSV) {
        use crate::report::sensitivity::{SensitivityInfo, SensitivityTable, build};
        let table = SensitivityTable::from_csv(&args.dir.join(SENSITIVITY_CSV))?;
        let json = std::fs::read_to_string(args.dir.join(crate::analysis::study::SENSITIVITY_JSON))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(serde_json::Value::Null);
        let report = build(&table, &SensitivityInfo::from_json(&json, &table))?;
        return write_built_report(&report, Some(&html), args.charts.as_deref(), out);
    }
    if holds(COMPARE_JSON) {
        let data = crate::report::compare::CompareData::from_dir(&args.dir)?;
        let report = crate::report::compare::build_data(&data)?;
        return write_built_report(&report, Some(&html), args.charts.as_deref(), out);
    }
    let what = match std::fs::metadata(&args.dir) {
        Ok(meta) if meta.is_dir() => "holds no results to report on".to_string(),
        Ok(_) => "is not a directory".to_string(),
        Err(e) => format!("cannot be read: {e}"),
    };
    bail!(
        "`{}` {what}. `dorasim report` reads the --out directory of:\n  \
         dorasim run          {SUMMARY_JSON} (with {WEEKLY_CSV} and {REPLICATIONS_CSV} if present)\n  \
         dorasim sweep        {SWEEP_CSV}\n  \
         dorasim sensitivity  {SENSITIVITY_CSV} (with {sensitivity_json})\n  \
         dorasim compare      {COMPARE_JSON}",
        args.dir.display(),
        sensitivity_json = crate::analysis::study::SENSITIVITY_JSON,
    )
}

/// Writes a built report (of a sweep or a sensitivity study): the page to `html`, the charts
/// to `charts`.
pub(crate) fn write_built_report(
    report: &crate::report::Report,
    html: Option<&std::path::Path>,
    charts: Option<&std::path::Path>,
    out: &mut dyn Write,
) -> Result<()> {
    if let Some(path) = html {
        let path = crate::report::write_html(path, &report.html)?;
        writeln!(out, "\nReport: {}", path.display())?;
    }
    if let Some(dir) = charts {
        let written = crate::report::write_charts(dir, &report.charts)?;
        writeln!(
            out,
            "Charts: {} SVG files in {}",
            written.len(),
            dir.display()
        )?;
    }
    Ok(())
}

/// The files `dorasim run --out` writes.
const RUN_FILES: [&str; 4] = [REPLICATIONS_CSV, WEEKLY_CSV, TEAMS_CSV, SUMMARY_JSON];

/// The error of a run that stopped early (Ctrl-C, a guard, a failed write), saying what the
/// --out directory holds now: nothing of this run is ever renamed into place.
fn stopped(error: runner::RunError, out_dir: Option<&OutputDir>) -> anyhow::Error {
    let Some(dir) = out_dir else {
        return anyhow::anyhow!("{error}");
    };
    let kept = dir.existing(&RUN_FILES);
    let what = if kept.is_empty() {
        "no results were written".to_string()
    } else {
        format!(
            "its previous files are kept unchanged ({})",
            kept.join(", ")
        )
    };
    anyhow::anyhow!(
        "{error}\nnothing of this run was written to `{}`: {what}",
        dir.path().display()
    )
}

fn validate(paths: &[PathBuf], set: &[String], out: &mut dyn Write) -> Result<()> {
    let mut failed = 0;
    for path in paths {
        match scenario::load_file_with_overrides(path, set) {
            Ok(s) => {
                let timeline = s.model();
                match timeline {
                    Ok(_) => writeln!(out, "ok: {} (`{}`)", path.display(), s.name)?,
                    Err(e) => {
                        failed += 1;
                        eprintln!("error: {}: timeline: {e}", path.display());
                    }
                }
            }
            Err(errors) => {
                failed += 1;
                eprintln!("{errors}");
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} scenario files have errors", paths.len());
    }
    Ok(())
}

fn params(path: Option<&PathBuf>, format: ParamsFormat, out: &mut dyn Write) -> Result<()> {
    let params = match path {
        Some(p) => {
            scenario::load_file(p)
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .params
        }
        None => crate::model::params::Params::default(),
    };
    let rows = params.rows();
    match format {
        ParamsFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(["key", "value", "unit", "allowed", "meaning", "source"])?;
            for (info, value) in rows {
                w.write_record([
                    info.key,
                    &value,
                    info.unit,
                    &info.range_text(),
                    info.meaning,
                    info.source,
                ])?;
            }
            w.flush()?;
        }
        ParamsFormat::Table => {
            for (info, value) in rows {
                writeln!(out, "{:<44} {:<40} {}", info.key, value, info.unit)?;
                writeln!(out, "    {} Allowed: {}.", info.meaning, info.range_text())?;
                writeln!(out, "    Source: {}", info.source)?;
            }
        }
    }
    Ok(())
}

/// Most worker threads a command accepts. The results are the same for any count; far more
/// threads than cores only costs memory and start-up time, and a count in the thousands can
/// exhaust the system's threads before a single replication runs.
pub const MAX_THREADS: usize = 1024;

/// The worker threads to use: `--threads` if given (1 to [`MAX_THREADS`]), else every core.
pub(crate) fn threads(requested: Option<usize>) -> Result<usize> {
    match requested {
        Some(0) => bail!("--threads must be at least 1 (omit it to use every core)"),
        Some(n) if n > MAX_THREADS => bail!(
            "--threads {n} is too many: at most {MAX_THREADS} (results are identical for any \
             count; omit it to use every core)"
        ),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}
