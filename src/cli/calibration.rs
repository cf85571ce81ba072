//! `dorasim calibration`: runs the calibration suite and prints its table.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::analysis::progress;
use crate::calibration::{self, SuitePlan, TARGETS, render};

/// Output formats of `dorasim calibration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CalibrationFormat {
    /// Aligned text for the terminal.
    Table,
    /// The Markdown table of docs/calibration.md.
    Markdown,
    /// One CSV row per target.
    Csv,
    /// JSON.
    Json,
}

/// Arguments of `dorasim calibration`.
#[derive(Debug, Args)]
pub struct CalibrationArgs {
    /// Replications per arm.
    #[arg(long, default_value_t = calibration::DEFAULT_RUNS)]
    pub runs: u32,
    /// Master seed shared by every arm (common random numbers).
    #[arg(long, default_value_t = calibration::DEFAULT_SEED)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results are identical for any value.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CalibrationFormat,
    /// Replace the generated table between `<!-- calibration:begin -->` and
    /// `<!-- calibration:end -->` in FILE (docs/calibration.md) with this run's Markdown.
    #[arg(long, value_name = "FILE")]
    pub write_doc: Option<PathBuf>,
}

/// `dorasim calibration`. Prints the table, writes the document if asked, and fails with
/// [`calibration::TargetsMissed`] when a counted target missed.
pub fn calibration(args: CalibrationArgs, out: &mut dyn Write) -> Result<()> {
    if args.runs < 2 {
        bail!("--runs must be at least 2 for confidence intervals");
    }
    let threads = super::threads(args.threads)?;
    if let Some(path) = &args.write_doc {
        render::check_doc(path)?;
    }
    progress::install_interrupt_handler();
    let plan = SuitePlan {
        seed: args.seed,
        runs: u64::from(args.runs),
        threads,
    };
    let arms = calibration::distinct_arms(TARGETS).len() as u64;
    let bar = progress::bar(arms * plan.runs, "calibration");
    let report = calibration::run(TARGETS, plan, &mut || {
        bar.inc(1);
        progress::check()
    })?;
    bar.finish_and_clear();
    match args.format {
        CalibrationFormat::Table => write!(out, "{}", render::table(&report))?,
        CalibrationFormat::Markdown => write!(out, "{}", render::markdown(&report))?,
        CalibrationFormat::Csv => {
            write!(out, "{}", render::csv(&report).map_err(anyhow::Error::msg)?)?
        }
        CalibrationFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&render::json(&report))
                .context("serialising the calibration report")?
        )?,
    }
    if let Some(path) = &args.write_doc {
        let written = render::write_doc(path, &report)?;
        if args.format == CalibrationFormat::Table {
            writeln!(out, "Wrote the generated table into {}", written.display())?;
        }
    }
    report.check()?;
    Ok(())
}
