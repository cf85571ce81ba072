//! The what-if commands: `compare`, `sweep`, `sensitivity`, `merge`, and `run --shard`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;

use super::RunArgs;
use crate::analysis::design::{Design, DesignKind, ParamSpec};
use crate::analysis::focus::HEADLINE;
use crate::analysis::merge::{Merged, concatenate_csv};
use crate::analysis::sensitivity::paired_noise;
use crate::analysis::shard::{self, RUN_PARTIAL_KIND, RunPartial, Shard};
use crate::analysis::study::{
    self, PointOutput, SENSITIVITY_CSV, SENSITIVITY_JSON, SENSITIVITY_PARTIAL_KIND,
    SensitivityPartial, Study,
};
use crate::analysis::sweep::{self, SWEEP_CSV, SWEEP_PARTIAL_KIND, SweepPartial, SweepPlan};
use crate::analysis::{compare, progress};
use crate::app;
use crate::metrics::ledger::Lens;
use crate::output::OutputDir;
use crate::output::csv_files::{REPLICATIONS_CSV, ReplicationWriter, WEEKLY_CSV, weekly_csv};
use crate::output::json::{SUMMARY_JSON, summary_json};
use crate::runner::{self, RunPlan, RunSummary, block_count};
use crate::scenario;

/// Arguments of `dorasim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files: the first is the baseline A, the others are compared with it.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    /// Replications per scenario (default: the first scenario's `run.runs`).
    #[arg(long)]
    pub runs: Option<u32>,
    /// Seed, overrides and threads.
    #[command(flatten)]
    pub common: super::SimulationArgs,
    /// Write compare.csv and compare.json to this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overwrite results already in the --out directory.
    #[arg(long)]
    pub force: bool,
    /// Measurement lens (default: each scenario's `run.lens`, `truth` unless it sets one).
    #[arg(long, value_enum)]
    pub lens: Option<Lens>,
    /// The HTML report and chart files.
    #[command(flatten)]
    pub reporting: super::ReportOutputArgs,
}

/// Arguments of `dorasim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario file.
    pub scenario: PathBuf,
    /// A parameter to vary: `KEY=V1,V2,...` or `KEY=LOW..HIGH`. Repeat for several.
    #[arg(long = "param", value_name = "KEY=SPEC", required = true)]
    pub params: Vec<String>,
    /// How points are chosen.
    #[arg(long, value_enum, default_value = "grid")]
    pub design: DesignKind,
    /// Points (LHS, Sobol), or steps of each range (grid).
    #[arg(long, default_value_t = 5)]
    pub points: usize,
    /// Replications per point.
    #[arg(long, default_value_t = 200)]
    pub runs: u32,
    /// Seed, overrides and threads.
    #[command(flatten)]
    pub common: super::SimulationArgs,
    /// Directory of sweep.csv (resumed if it already holds points of this sweep).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Start over instead of resuming.
    #[arg(long)]
    pub force: bool,
    /// Measurement lens (default: each scenario's `run.lens`, `truth` unless it sets one).
    #[arg(long, value_enum)]
    pub lens: Option<Lens>,
    /// Sharding across processes or machines.
    #[command(flatten)]
    pub sharding: super::ShardArgs,
    /// The HTML report and chart files.
    #[command(flatten)]
    pub reporting: super::ReportOutputArgs,
}

pub use crate::analysis::study::Method;

/// Arguments of `dorasim sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario file.
    pub scenario: PathBuf,
    /// A parameter and its range: `KEY=LOW..HIGH`. Repeat for several.
    #[arg(long = "param", value_name = "KEY=LOW..HIGH", required = true)]
    pub params: Vec<String>,
    /// Method.
    #[arg(long, value_enum, default_value = "morris")]
    pub method: Method,
    /// Morris trajectories (at least 2: one gives no spread of the elementary effects).
    #[arg(long, default_value_t = 10,
          value_parser = at_least::<2>)]
    pub trajectories: usize,
    /// Sobol base samples (evaluations: samples × (parameters + 2)); at least 4.
    #[arg(long, default_value_t = 64,
          value_parser = at_least::<4>)]
    pub samples: usize,
    /// Replications per evaluation.
    #[arg(long, default_value_t = 50)]
    pub runs: u32,
    /// Seed, overrides and threads.
    #[command(flatten)]
    pub common: super::SimulationArgs,
    /// Write sensitivity.csv and sensitivity.json to this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overwrite results already in the --out directory.
    #[arg(long)]
    pub force: bool,
    /// Measurement lens (default: each scenario's `run.lens`, `truth` unless it sets one).
    #[arg(long, value_enum)]
    pub lens: Option<Lens>,
    /// Sharding across processes or machines.
    #[command(flatten)]
    pub sharding: super::ShardArgs,
    /// The HTML report and chart files.
    #[command(flatten)]
    pub reporting: super::ReportOutputArgs,
}

/// Arguments of `dorasim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Partial result files of every shard (`partial-K-of-N.json`, `sweep-K-of-N.json` or
    /// `sensitivity-K-of-N.json`).
    #[arg(required = true)]
    pub partials: Vec<PathBuf>,
    /// Directory for the merged output.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Overwrite results already in the --out directory.
    #[arg(long)]
    pub force: bool,
}

/// A whole number of at least `MIN`, for a count option (clap value parser).
fn at_least<const MIN: usize>(text: &str) -> std::result::Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= MIN => Ok(n),
        Ok(n) => Err(format!("{n} is too few: at least {MIN}")),
        Err(_) => Err(format!("`{text}` is not a whole number (at least {MIN})")),
    }
}

/// `dorasim compare`.
pub fn compare(args: CompareArgs, out: &mut dyn Write) -> Result<()> {
    progress::install_interrupt_handler();
    args.reporting.check(args.force)?;
    // Every arm runs the first scenario's runs and seed (common random numbers) unless the
    // command line sets them; each keeps its own lens unless `--lens` is given.
    if args.runs.is_some_and(|r| r < 2) {
        bail!("--runs must be at least 2 for confidence intervals");
    }
    let mut prepared: Vec<app::Prepared> = Vec::new();
    for path in &args.scenarios {
        let (runs, seed) = match prepared.first() {
            Some(first) => (Some(first.scenario.run.runs), Some(first.seed())),
            None => (args.runs, args.common.seed),
        };
        let request = app::Request {
            runs,
            seed,
            lens: args.lens,
            ..app::Request::new(app::Source::File(path), &args.common.set)
        };
        prepared.push(app::prepare(&request).map_err(|e| anyhow!("{e}"))?);
    }
    let runs = prepared[0].runs();
    if runs < 2 {
        bail!("--runs must be at least 2 for confidence intervals");
    }
    let threads = super::threads(args.common.threads)?;
    let (out_dir, _lock) = match &args.out {
        Some(dir) => {
            let (dir, lock) = OutputDir::prepare_exclusive(
                dir,
                &["compare.csv", crate::report::compare::COMPARE_JSON],
                args.force,
                "compare",
            )?;
            (Some(dir), Some(lock))
        }
        None => (None, None),
    };
    let bar = progress::bar(runs * prepared.len() as u64, "compare");
    let mut arms = Vec::new();
    for p in &prepared {
        let arm = compare::run_arm(
            &p.scenario.name,
            &p.model,
            p.plan(threads),
            p.lens(),
            || {
                bar.inc(1);
                progress::check()
            },
        )?;
        arms.push(arm);
    }
    bar.finish_and_clear();
    let culture = &prepared[0].scenario.params.culture;
    let cultures_differ = prepared
        .iter()
        .any(|p| &p.scenario.params.culture != culture);
    let comparison = compare::compare(&arms, compare::dashboard_reason(&arms, cultures_differ));
    let tiers: Vec<_> = arms.iter().map(|a| a.summary.tiers_2024).collect();
    write!(out, "{}", compare::render(&comparison, &tiers))?;
    if let Some(dir) = out_dir {
        let csv = compare::to_csv(&comparison).map_err(|e| anyhow!(e))?;
        let a = dir.write("compare.csv", csv.as_bytes())?;
        let json = serde_json::to_string_pretty(&compare::to_json(&comparison, &tiers))?;
        let b = dir.write(crate::report::compare::COMPARE_JSON, json.as_bytes())?;
        writeln!(out, "\nWrote:\n  {}\n  {}", a.display(), b.display())?;
    }
    if args.reporting.report.is_some() || args.reporting.charts.is_some() {
        let report = crate::report::compare::build(&comparison, env!("CARGO_PKG_VERSION"))?;
        if let Some(path) = &args.reporting.report {
            let path = crate::report::write_html(path, &report.html)?;
            writeln!(out, "\nReport: {}", path.display())?;
        }
        if let Some(dir) = &args.reporting.charts {
            let written = crate::report::write_charts(dir, &report.charts)?;
            writeln!(
                out,
                "Charts: {} SVG files in {}",
                written.len(),
                dir.display()
            )?;
        }
    }
    Ok(())
}

/// `dorasim run --shard K/N`: runs this shard's blocks and writes its partial result.
pub fn run_shard(args: RunArgs, shard: Shard, out: &mut dyn Write) -> Result<()> {
    progress::install_interrupt_handler();
    let Some(dir) = &args.out else {
        bail!(
            "--shard needs --out DIR: each shard writes a partial result there for `dorasim merge`"
        );
    };
    let (crate::app::Prepared { scenario, model }, threads) = super::prepare_run(&args)?;
    let (runs, seed, lens) = (
        u64::from(scenario.run.runs),
        scenario.run.seed,
        scenario.run.lens,
    );
    let partial_name = shard::run_partial_name(shard);
    let rows_name = shard::replications_part_name(shard);
    // Locked per shard: shards of one study write into one directory side by side.
    let (dir, _lock) =
        OutputDir::prepare_exclusive(dir, &[&partial_name, &rows_name], args.force, &partial_name)?;
    let blocks = shard.range(block_count(runs));
    let first_rep = blocks.start * runner::BLOCK;
    let end_rep = (blocks.end * runner::BLOCK).min(runs).max(first_rep);
    let bar = progress::bar(end_rep - first_rep, &format!("shard {shard}"));
    let started = std::time::Instant::now();
    // The shard's rows are written as `replications.csv` in a private directory (so a shard
    // never clobbers a merged file beside it), then renamed after the shard.
    let private = dir
        .path()
        .join(format!(".shard-{}-{}", shard.stem(), std::process::id()));
    let mut writer = ReplicationWriter::create(&OutputDir::prepare(&private, &[], true)?)?;
    let mut summaries: Vec<RunSummary> = Vec::new();
    let plan = RunPlan {
        seed,
        runs,
        threads,
    };
    runner::run_blocks(
        &model,
        plan,
        lens,
        blocks.clone(),
        |rep, metrics| {
            bar.inc(1);
            writer.write(rep, metrics)?;
            progress::check()
        },
        |_, block| {
            summaries.push(block);
            Ok(())
        },
    )?;
    bar.finish_and_clear();
    let written = writer.finish()?;
    let check = shard::FileCheck::of(&written)
        .with_context(|| format!("reading back {}", written.display()))?;
    std::fs::rename(&written, dir.path().join(&rows_name))
        .with_context(|| format!("renaming {} to {rows_name}", written.display()))?;
    let _ = std::fs::remove_dir(&private);
    let scenario_json = serde_json::to_value(&scenario)?;
    let partial = RunPartial {
        kind: RUN_PARTIAL_KIND.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        shard,
        seed,
        runs,
        lens: lens.name().to_string(),
        scenario_hash: shard::scenario_hash(&scenario_json),
        scenario: scenario_json,
        first_block: blocks.start,
        end_block: blocks.end,
        blocks: summaries,
        replications_csv: Some(rows_name.clone()),
        replications_csv_check: Some(check),
        threads,
        wall_seconds: started.elapsed().as_secs_f64(),
    };
    let text = serde_json::to_string(&partial).context("serialising the partial result")?;
    let path = dir.write(&partial_name, text.as_bytes())?;
    writeln!(
        out,
        "shard {shard}: replications {first_rep}..{end_rep} of {runs} (blocks {}..{}) of `{}`\nWrote:\n  {}\n  {}\nMerge every shard with: dorasim merge {}/partial-*-of-{}.json --out DIR",
        blocks.start,
        blocks.end,
        scenario.name,
        path.display(),
        dir.path().join(&rows_name).display(),
        dir.path().display(),
        shard.count
    )?;
    if blocks.is_empty() {
        writeln!(
            out,
            "Note: shard {shard} has no replications to run. A run is split on blocks of {} \
             replications, and {runs} replications make {} block(s) for {} shards; its partial \
             is still needed by `merge`. Use at most {} shards, or more --runs.",
            runner::BLOCK,
            block_count(runs),
            shard.count,
            block_count(runs).max(1)
        )?;
    }
    Ok(())
}

/// `dorasim merge`.
pub fn merge(args: MergeArgs, out: &mut dyn Write) -> Result<()> {
    match crate::analysis::merge::merge(&args.partials)? {
        Merged::Run(run) => {
            // The same set, under the same lock, as `dorasim run --out`: staged, then published
            // together, so a kill never leaves a mixed set.
            let (dir, _lock) = OutputDir::prepare_exclusive(
                &args.out,
                &[REPLICATIONS_CSV, WEEKLY_CSV, SUMMARY_JSON],
                args.force,
                "run",
            )?;
            let mut staged = Vec::new();
            if !run.replication_parts.is_empty() {
                let mut pending = dir.create(REPLICATIONS_CSV)?;
                concatenate_csv(&run.replication_parts, &mut pending.writer)
                    .map_err(|e| anyhow!("merging replications: {e}"))?;
                staged.push(pending.stage()?);
            }
            let weekly = weekly_csv(&run.summary).map_err(|e| anyhow!(e))?;
            staged.push(dir.stage(WEEKLY_CSV, weekly.as_bytes())?);
            let json = summary_json(&run.scenario, &run.summary, run.threads, run.lens);
            let text = serde_json::to_string_pretty(&json).context("serialising the summary")?;
            staged.push(dir.stage(SUMMARY_JSON, text.as_bytes())?);
            let written = crate::output::files::commit_all(staged)?;
            write!(
                out,
                "{}",
                crate::output::terminal::render(
                    &run.scenario,
                    &run.summary,
                    run.threads,
                    run.lens,
                    run.scenario.run.all_lenses
                )
            )?;
            writeln!(out, "\nMerged {} shards. Wrote:", args.partials.len())?;
            for path in written {
                writeln!(out, "  {}", path.display())?;
            }
        }
        Merged::Sweep(sweep) => {
            let (dir, _lock) =
                OutputDir::prepare_exclusive(&args.out, &[SWEEP_CSV], args.force, SWEEP_CSV)?;
            let mut pending = dir.create(SWEEP_CSV)?;
            concatenate_csv(&sweep.parts, &mut pending.writer)
                .map_err(|e| anyhow!("merging sweep rows: {e}"))?;
            let path = pending.commit()?;
            writeln!(
                out,
                "Merged {} sweep shards. Wrote:\n  {}",
                sweep.parts.len(),
                path.display()
            )?;
        }
        Merged::Sensitivity(merged) => {
            let (dir, _lock) = OutputDir::prepare_exclusive(
                &args.out,
                &[SENSITIVITY_CSV, SENSITIVITY_JSON],
                args.force,
                "sensitivity",
            )?;
            let analysis = study::analyse(&merged.study, &merged.points)?;
            write!(out, "{}", analysis.report)?;
            let (a, b) = write_sensitivity(&dir, &analysis)?;
            writeln!(
                out,
                "\nMerged {} sensitivity shards. Wrote:\n  {}\n  {}",
                merged.shards,
                a.display(),
                b.display()
            )?;
        }
    }
    Ok(())
}

/// Writes sensitivity.csv and sensitivity.json.
fn write_sensitivity(dir: &OutputDir, analysis: &study::Analysis) -> Result<(PathBuf, PathBuf)> {
    let a = dir.write(SENSITIVITY_CSV, &analysis.csv)?;
    let json = serde_json::to_string_pretty(&analysis.json)?;
    let b = dir.write(SENSITIVITY_JSON, json.as_bytes())?;
    Ok((a, b))
}

/// `dorasim sweep`.
pub fn sweep(args: SweepArgs, out: &mut dyn Write) -> Result<()> {
    progress::install_interrupt_handler();
    args.reporting.check(args.force)?;
    let text = std::fs::read_to_string(&args.scenario).with_context(|| {
        format!(
            "cannot read the scenario file `{}`",
            args.scenario.display()
        )
    })?;
    let origin = args.scenario.display().to_string();
    let source = app::Source::Text {
        text: &text,
        origin: &origin,
    };
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    // The file's scenario (its identity is hashed as written); each point is prepared below.
    let base = app::load(source, &args.common.set).map_err(|e| anyhow!("{e}"))?;
    let (seed, lens) = (
        args.common.seed.unwrap_or(base.run.seed),
        base.lens(args.lens),
    );
    let specs = args
        .params
        .iter()
        .map(|p| ParamSpec::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let design = Design::new(specs, args.design, args.points, seed)?;
    let shard = Shard::resolve(
        args.sharding.shard.as_deref(),
        args.sharding.shards,
        &shard::process_env,
    )?;
    let plan = SweepPlan {
        text,
        origin,
        sets: args.common.set.clone(),
        design,
        runs: u64::from(args.runs),
        seed,
        lens,
        threads: super::threads(args.common.threads)?,
        shard,
    };
    // Every point is checked before any runs; a large design shows its progress.
    let checking = progress::bar(plan.range().len() as u64, "checking points");
    plan.validate(&|| checking.inc(1))?;
    checking.finish_and_clear();
    let bar = progress::bar(plan.range().len() as u64, "sweep");
    let outcome = sweep::run(&plan, &args.out, args.force, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let path = args.out.join(plan.csv_name());
    writeln!(
        out,
        "sweep of `{}`: {} design points{}, {} replications each; {} already done (skipped), {} computed",
        base.name,
        outcome.points,
        shard.map_or(String::new(), |s| format!(
            " (shard {s}: {} of them)",
            outcome.in_shard
        )),
        plan.runs,
        outcome.skipped,
        outcome.computed
    )?;
    writeln!(out, "Wrote:\n  {}", path.display())?;
    if outcome.interrupted {
        bail!(
            "{}: {} points kept in {}; re-run the same command to resume",
            progress::INTERRUPTED_MESSAGE,
            outcome.skipped + outcome.computed,
            path.display()
        );
    }
    if let Some(shard) = shard {
        let hash = shard::fnv1a(
            format!(
                "{}|{:?}|{:?}|{:?}|{}|{}|{}|{}|{}",
                shard::scenario_hash(&serde_json::to_value(&base)?),
                args.common.set,
                args.params,
                args.design,
                args.points,
                args.runs,
                seed,
                plan.lens.name(),
                shard.count
            )
            .as_bytes(),
        );
        let partial = SweepPartial {
            kind: SWEEP_PARTIAL_KIND.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            shard,
            points: outcome.points as u64,
            arguments_hash: hash,
            csv: plan.csv_name(),
            complete: true,
            csv_check: Some(
                shard::FileCheck::of(&path)
                    .with_context(|| format!("reading back {}", path.display()))?,
            ),
        };
        let dir = OutputDir::prepare(&args.out, &[], true)?;
        let name = format!("sweep-{}.json", shard.stem());
        let p = dir.write(&name, serde_json::to_string_pretty(&partial)?.as_bytes())?;
        writeln!(out, "  {}", p.display())?;
    }
    if args.reporting.report.is_some() || args.reporting.charts.is_some() {
        let table = crate::report::sweep::SweepTable::from_csv(&path)?;
        let design = format!("{:?}", args.design).to_lowercase();
        let info = crate::report::sweep::SweepInfo::from_plan(
            &plan,
            &base,
            &design,
            args.points,
            &args.out,
        )?;
        let report = crate::report::sweep::build(&table, &info)?;
        super::write_built_report(
            &report,
            args.reporting.report.as_deref(),
            args.reporting.charts.as_deref(),
            out,
        )?;
    }
    Ok(())
}

/// Runs the replications of one evaluation point: the summary, and each [`HEADLINE`] metric's
/// value in every replication (`values[metric][replication]`, NaN where undefined).
fn run_point(
    model: &crate::model::Model,
    plan: RunPlan,
    lens: Lens,
) -> Result<(RunSummary, Vec<Vec<f64>>)> {
    let mut values = vec![Vec::with_capacity(plan.runs as usize); HEADLINE.len()];
    let summary = runner::run_with_lens(model, plan, lens, |_, metrics| {
        for (v, m) in values.iter_mut().zip(HEADLINE) {
            v.push(metrics.get(*m));
        }
        progress::check()
    })?;
    Ok((summary, values))
}

/// A point's output from its summary: means and their noise variances (no paired terms).
fn point_output(summary: &RunSummary) -> PointOutput {
    let moments = |m: &crate::metrics::Metric| summary.metric(*m).moments();
    PointOutput {
        means: HEADLINE.iter().map(|m| moments(m).mean()).collect(),
        noise: HEADLINE
            .iter()
            .map(|m| moments(m).variance() / moments(m).count() as f64)
            .collect(),
        difference_noise: vec![f64::NAN; HEADLINE.len()],
        cross_noise: vec![f64::NAN; HEADLINE.len()],
    }
}

/// The units of work of a study's points `range`: one point each (Morris), or the points of
/// one Saltelli base row each (Sobol), as the paired noise terms of a row's AB points need the
/// replications of its A and B.
fn work_units(study: &Study, range: std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
    let per = match study.method {
        Method::Morris => 1,
        Method::Sobol => study.params.len() + 2,
    };
    let mut units = Vec::new();
    let mut start = range.start;
    while start < range.end {
        let end = ((start / per + 1) * per).min(range.end);
        units.push(start..end);
        start = end;
    }
    units
}

/// Evaluates units of work `0..count` (points or rows of points) with `evaluate` on `threads`
/// plain worker threads that take the next unit as they finish one (points differ widely in
/// cost), and returns the results in order. Each point runs its replications on one thread of
/// its own: the runner's pool is never installed from inside another pool's worker, which
/// would make a waiting worker steal and nest further points (one core busy, memory growing
/// with every point).
///
/// On failure, the error of the first failing unit in order, whatever the threads did: units
/// after a failure are skipped, units before it are all evaluated.
fn evaluate_units<T: Send, F>(count: usize, threads: usize, evaluate: F) -> Result<Vec<T>>
where
    F: Fn(usize) -> Result<T> + Sync,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let first_failure = AtomicUsize::new(usize::MAX);
    let mut done: Vec<(usize, Result<T>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.clamp(1, count.max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= count || i > first_failure.load(Ordering::SeqCst) {
                            return mine;
                        }
                        let result = evaluate(i);
                        if result.is_err() {
                            first_failure.fetch_min(i, Ordering::SeqCst);
                        }
                        mine.push((i, result));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    let mut outputs = Vec::with_capacity(count);
    for (i, result) in done {
        if i != outputs.len() {
            bail!("unit of work {} was not evaluated", outputs.len());
        }
        outputs.push(result?);
    }
    if outputs.len() != count {
        bail!("unit of work {} was not evaluated", outputs.len());
    }
    Ok(outputs)
}

/// `dorasim sensitivity`.
pub fn sensitivity(args: SensitivityArgs, out: &mut dyn Write) -> Result<()> {
    progress::install_interrupt_handler();
    args.reporting.check(args.force)?;
    let text = std::fs::read_to_string(&args.scenario).with_context(|| {
        format!(
            "cannot read the scenario file `{}`",
            args.scenario.display()
        )
    })?;
    let origin = args.scenario.display().to_string();
    let source = app::Source::Text {
        text: &text,
        origin: &origin,
    };
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    // The file's scenario (its identity is hashed as written); each point is prepared below.
    let base = app::load(source, &args.common.set).map_err(|e| anyhow!("{e}"))?;
    let (seed, lens) = (
        args.common.seed.unwrap_or(base.run.seed),
        base.lens(args.lens),
    );
    let specs = args
        .params
        .iter()
        .map(|p| ParamSpec::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    if args.method == Method::Sobol && args.runs < 2 {
        bail!(
            "--runs {} is too few for a Sobol study: at least 2, as the simulation noise is \
             measured over each point's replications and taken out of the indices",
            args.runs
        );
    }
    let shard = Shard::resolve(
        args.sharding.shard.as_deref(),
        args.sharding.shards,
        &shard::process_env,
    )?;
    let study = Study {
        scenario: base.name.clone(),
        scenario_hash: shard::scenario_hash(&serde_json::to_value(&base)?),
        sets: args.common.set.clone(),
        params: args.params.clone(),
        method: args.method,
        trajectories: (args.method == Method::Morris).then_some(args.trajectories),
        samples: (args.method == Method::Sobol).then_some(args.samples),
        runs: u64::from(args.runs),
        seed,
        lens: lens.name().to_string(),
    };
    let points = study.points();
    // Locked as `merge` locks the same set (a shard under its own name, beside its siblings).
    let locked = match (&args.out, shard) {
        (Some(dir), Some(shard)) => {
            let name = study::partial_name(shard);
            Some(OutputDir::prepare_exclusive(
                dir,
                &[&name],
                args.force,
                &name,
            )?)
        }
        (Some(dir), None) => Some(OutputDir::prepare_exclusive(
            dir,
            &[SENSITIVITY_CSV, SENSITIVITY_JSON],
            args.force,
            "sensitivity",
        )?),
        (None, Some(_)) => bail!(
            "--shard needs --out DIR: each shard writes a partial result there for `dorasim merge`"
        ),
        (None, None) => None,
    };
    let (out_dir, _lock) = match locked {
        Some((dir, lock)) => (Some(dir), Some(lock)),
        None => (None, None),
    };
    // Validate every point before running any.
    let overrides = |x: &[f64]| -> Vec<String> {
        let mut sets = args.common.set.clone();
        sets.extend(
            specs
                .iter()
                .zip(x)
                .map(|(p, &u)| format!("{}={}", p.key, p.at(u))),
        );
        sets
    };
    for (i, x) in points.iter().enumerate() {
        let sets = overrides(x);
        scenario::apply_overrides(&text, &origin, &sets).map_err(|e| {
            anyhow!(
                "design point {i} ({}) is invalid:\n{e}",
                sets[args.common.set.len()..].join(", ")
            )
        })?;
    }
    let threads = super::threads(args.common.threads)?;
    // A shard evaluates its contiguous part of the points, each exactly as an unsharded run.
    let range = shard.map_or(0..points.len(), |s| {
        let r = s.range(points.len() as u64);
        r.start as usize..r.end as usize
    });
    let label = shard.map_or("sensitivity".to_string(), |s| format!("shard {s}"));
    let bar = progress::bar(range.len() as u64, &label);
    let started = std::time::Instant::now();
    let units = work_units(&study, range.clone());
    let per_row = specs.len() + 2;
    let evaluated = evaluate_units(units.len(), threads, |u| {
        let run = |point: usize| -> Result<(RunSummary, Vec<Vec<f64>>)> {
            let sets = overrides(&points[point]);
            let prepared = app::prepare(&app::Request {
                runs: Some(args.runs),
                seed: Some(study.point_seed(point)),
                lens: Some(lens),
                ..app::Request::new(source, &sets)
            })
            .map_err(|e| anyhow!("{e}"))?;
            run_point(&prepared.model, prepared.plan(1), lens)
        };
        let unit = units[u].clone();
        if study.method == Method::Morris {
            let outputs = unit
                .map(|point| {
                    let (summary, _) = run(point)?;
                    bar.inc(1);
                    Ok(point_output(&summary))
                })
                .collect::<Result<Vec<_>>>()?;
            return Ok(outputs);
        }
        // A Sobol row: A and B first (also when this shard holds only some of the row's AB
        // points, which need them), then the row's AB points in the unit.
        let row_start = unit.start / per_row * per_row;
        let (a, a_values) = run(row_start)?;
        let (b, b_values) = run(row_start + 1)?;
        let mut outputs = Vec::with_capacity(unit.len());
        for point in unit {
            let output = match point - row_start {
                0 => point_output(&a),
                1 => point_output(&b),
                _ => {
                    let (ab, ab_values) = run(point)?;
                    let mut output = point_output(&ab);
                    for m in 0..HEADLINE.len() {
                        let (difference, cross) =
                            paired_noise(&a_values[m], &b_values[m], &ab_values[m]);
                        output.difference_noise[m] = difference;
                        output.cross_noise[m] = cross;
                    }
                    output
                }
            };
            bar.inc(1);
            outputs.push(output);
        }
        Ok(outputs)
    });
    bar.finish_and_clear();
    let evaluated: Vec<PointOutput> = evaluated?.into_iter().flatten().collect();
    if let (Some(shard), Some(dir)) = (shard, &out_dir) {
        let [outputs, noise, difference_noise, cross_noise] = PointOutput::to_stored(&evaluated);
        let partial = SensitivityPartial {
            kind: SENSITIVITY_PARTIAL_KIND.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            shard,
            study,
            evaluations: points.len() as u64,
            first_point: range.start as u64,
            end_point: range.end as u64,
            metrics: study::metric_keys(),
            outputs,
            noise,
            difference_noise,
            cross_noise,
            threads,
            wall_seconds: started.elapsed().as_secs_f64(),
        };
        let text = serde_json::to_string(&partial).context("serialising the partial result")?;
        let path = dir.write(&study::partial_name(shard), text.as_bytes())?;
        writeln!(
            out,
            "sensitivity of `{}` shard {shard}: evaluation points {}..{} of {}, {} replications each\nWrote:\n  {}\nMerge every shard with: dorasim merge {}/sensitivity-*-of-{}.json --out DIR",
            base.name,
            range.start,
            range.end,
            points.len(),
            args.runs,
            path.display(),
            dir.path().display(),
            shard.count
        )?;
        return Ok(());
    }
    let analysis = study::analyse(&study, &evaluated)?;
    write!(out, "{}", analysis.report)?;
    if let Some(dir) = out_dir {
        let (a, b) = write_sensitivity(&dir, &analysis)?;
        writeln!(out, "\nWrote:\n  {}\n  {}", a.display(), b.display())?;
    }
    if args.reporting.report.is_some() || args.reporting.charts.is_some() {
        use crate::report::sensitivity::{SensitivityInfo, SensitivityTable, build};
        let table = SensitivityTable::from_reader(
            analysis.csv.as_slice(),
            std::path::Path::new(SENSITIVITY_CSV),
        )?;
        let info = SensitivityInfo::from_study(&study, &base, points.len(), args.out.as_deref())?;
        let report = build(&table, &info)?;
        super::write_built_report(
            &report,
            args.reporting.report.as_deref(),
            args.reporting.charts.as_deref(),
            out,
        )?;
    }
    Ok(())
}
