//! `dorasim sensitivity`: Morris screening or Sobol indices over a design of parameter values,
//! each point prepared through the application layer, the points evaluated on worker threads.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};

use super::analysis::{Method, SensitivityArgs, StudyBase};
use crate::analysis::focus::HEADLINE;
use crate::analysis::progress;
use crate::analysis::sensitivity::paired_noise;
use crate::analysis::shard::{self, Shard};
use crate::analysis::study::{
    self, PointOutput, SENSITIVITY_CSV, SENSITIVITY_JSON, SENSITIVITY_PARTIAL_KIND,
    SensitivityPartial, Study,
};
use crate::app;
use crate::metrics::ledger::Lens;
use crate::output::OutputDir;
use crate::runner::{self, RunPlan, RunSummary};
use crate::scenario;

/// Writes sensitivity.csv and sensitivity.json.
pub(crate) fn write_sensitivity(
    dir: &OutputDir,
    analysis: &study::Analysis,
) -> Result<(PathBuf, PathBuf)> {
    let a = dir.write(SENSITIVITY_CSV, &analysis.csv)?;
    let json = serde_json::to_string_pretty(&analysis.json)?;
    let b = dir.write(SENSITIVITY_JSON, json.as_bytes())?;
    Ok((a, b))
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
    let source = app::Source::Text {
        text: &text,
        origin: &origin,
    };
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
    // Checked before the design is allocated (`--samples 1e11` aborted on allocation).
    let max = crate::analysis::design::MAX_DESIGN_POINTS;
    match study.point_count() {
        Some(n) if n <= max => {}
        count => bail!(
            "this {} design has {} evaluation points, more than a study may have ({max}); use \
             fewer --{}",
            if study.method == Method::Morris {
                "Morris"
            } else {
                "Sobol"
            },
            count.map_or_else(|| "too many".to_string(), |n| n.to_string()),
            if study.method == Method::Morris {
                "trajectories"
            } else {
                "samples"
            }
        ),
    }
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
