//! The what-if commands: `compare`, `sweep`, `sensitivity`, `merge`, and `run --shard`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;

use crate::analysis::design::{Design, DesignKind, ParamSpec};
use crate::analysis::shard::{self, Shard};
use crate::analysis::sweep::{self, SWEEP_PARTIAL_KIND, SweepPartial, SweepPlan};
use crate::analysis::{compare, progress};
use crate::app;
use crate::metrics::ledger::Lens;
use crate::output::OutputDir;

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

/// What a sweep and a sensitivity study start from: the scenario file's text (each point is
/// prepared from it with its own overrides), the file's scenario with `--set` (its identity is
/// hashed as written), the seed and lens the flags resolve to, and the parameters to vary.
pub(crate) struct StudyBase {
    pub text: String,
    pub origin: String,
    pub scenario: crate::scenario::Scenario,
    pub seed: u64,
    pub lens: Lens,
    pub specs: Vec<ParamSpec>,
}

impl StudyBase {
    /// Reads the scenario at `path` and resolves the flags; `runs` per point must be at least 1.
    pub(crate) fn read(
        path: &std::path::Path,
        common: &super::SimulationArgs,
        lens: Option<Lens>,
        runs: u32,
        params: &[String],
    ) -> Result<StudyBase> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the scenario file `{}`", path.display()))?;
        let origin = path.display().to_string();
        if runs == 0 {
            bail!("--runs must be at least 1");
        }
        let source = app::Source::Text {
            text: &text,
            origin: &origin,
        };
        let scenario = app::load(source, &common.set).map_err(|e| anyhow!("{e}"))?;
        let (seed, lens) = (
            common.seed.unwrap_or(scenario.run.seed),
            scenario.lens(lens),
        );
        let specs = params
            .iter()
            .map(|p| ParamSpec::parse(p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StudyBase {
            text,
            origin,
            scenario,
            seed,
            lens,
            specs,
        })
    }
}

/// `dorasim sweep`.
pub fn sweep(args: SweepArgs, out: &mut dyn Write) -> Result<()> {
    progress::install_interrupt_handler();
    args.reporting.check(args.force)?;
    let StudyBase {
        text,
        origin,
        scenario: base,
        seed,
        lens,
        specs,
    } = StudyBase::read(
        &args.scenario,
        &args.common,
        args.lens,
        args.runs,
        &args.params,
    )?;
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
