//! `dorasim run --shard K/N` and `dorasim merge`: a shard's partial result, and the merge of
//! partials into the files the unsharded command writes.

use std::io::Write;

use anyhow::{Context, Result, anyhow, bail};

use super::RunArgs;
use super::analysis::MergeArgs;
use super::sensitivity::write_sensitivity;
use crate::analysis::merge::{Merged, concatenate_csv};
use crate::analysis::progress;
use crate::analysis::shard::{self, RUN_PARTIAL_KIND, RunPartial, Shard};
use crate::analysis::study::{self, SENSITIVITY_CSV, SENSITIVITY_JSON};
use crate::analysis::sweep::SWEEP_CSV;
use crate::output::OutputDir;
use crate::output::csv_files::{
    REPLICATIONS_CSV, ReplicationWriter, TEAMS_CSV, WEEKLY_CSV, teams_csv, weekly_csv,
};
use crate::output::json::{SUMMARY_JSON, summary_json};
use crate::runner::{self, RunPlan, RunSummary, block_count};

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
                &[REPLICATIONS_CSV, WEEKLY_CSV, TEAMS_CSV, SUMMARY_JSON],
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
            if let Some(teams) = teams_csv(&run.summary).map_err(|e| anyhow!(e))? {
                staged.push(dir.stage(TEAMS_CSV, teams.as_bytes())?);
            }
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
