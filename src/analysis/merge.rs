//! `dorasim merge`: folds the partial results of a sharded run, sweep or sensitivity study, in a
//! fixed order, into the output an unsharded run would have written.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::shard::{RUN_PARTIAL_KIND, RunPartial, Shard, scenario_hash};
use super::study::{PointOutput, SENSITIVITY_PARTIAL_KIND, SensitivityPartial, Study};
use super::sweep::{SWEEP_PARTIAL_KIND, SweepPartial};
use crate::metrics::ledger::Lens;
use crate::runner::{RunSummary, block_count};
use crate::scenario::Scenario;

/// Why partial files cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A file could not be read or parsed.
    #[error("cannot read partial result `{path}`: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        message: String,
    },
    /// The partials do not belong to the same run.
    #[error(
        "partial results do not belong to the same run: `{first}` has {field} {a}, `{other}` has {b}; merge only the shards of one run"
    )]
    Mismatch {
        /// First file.
        first: PathBuf,
        /// The disagreeing file.
        other: PathBuf,
        /// What differs.
        field: &'static str,
        /// Value in the first file.
        a: String,
        /// Value in the other.
        b: String,
    },
    /// A shard was given twice.
    #[error("shard {shard} appears twice: `{a}` and `{b}`")]
    Duplicate {
        /// Shard.
        shard: Shard,
        /// First file.
        a: PathBuf,
        /// Second file.
        b: PathBuf,
    },
    /// Shards are missing.
    #[error("missing shard(s) {missing} of {count}: pass every shard's partial file")]
    Missing {
        /// Missing shard numbers.
        missing: String,
        /// Number of shards.
        count: u64,
    },
    /// Files of different kinds.
    #[error(
        "`{0}` is not a partial result of dorasim run, sweep or sensitivity (kind `{1}`), or not of the same command as the first file"
    )]
    Kind(PathBuf, String),
    /// No partial given.
    #[error("no partial result files given")]
    Empty,
    /// A partial is internally inconsistent.
    #[error("partial result `{0}` is inconsistent: {1}")]
    Corrupt(PathBuf, String),
}

/// A merged run: what `dorasim run --out` writes.
#[derive(Debug)]
pub struct MergedRun {
    /// The scenario.
    pub scenario: Scenario,
    /// Every block merged in block order.
    pub summary: RunSummary,
    /// Lens.
    pub lens: Lens,
    /// Threads used (the largest over shards).
    pub threads: usize,
    /// Each shard's replication rows, in shard order (empty if the shards wrote none).
    pub replication_parts: Vec<PathBuf>,
}

/// A merged sweep: the shards' CSV files to concatenate, in shard order.
#[derive(Debug)]
pub struct MergedSweep {
    /// Each shard's CSV, in shard order.
    pub parts: Vec<PathBuf>,
}

/// A merged sensitivity study: the outputs at every evaluation point, in point order, ready
/// for [`analyse`](super::study::analyse).
#[derive(Debug)]
pub struct MergedSensitivity {
    /// The study.
    pub study: Study,
    /// The outputs of every point of the design, in point order.
    pub points: Vec<PointOutput>,
    /// Number of shards merged.
    pub shards: u64,
}

/// The merge of run, sweep or sensitivity partials.
#[derive(Debug)]
pub enum Merged {
    /// Partials of `dorasim run`.
    Run(Box<MergedRun>),
    /// Partials of `dorasim sweep`.
    Sweep(MergedSweep),
    /// Partials of `dorasim sensitivity`.
    Sensitivity(MergedSensitivity),
}

#[derive(Deserialize)]
struct Kind {
    kind: String,
}

fn read_err(path: &Path) -> impl Fn(String) -> MergeError + '_ {
    move |message| MergeError::Read {
        path: path.to_path_buf(),
        message,
    }
}

/// Reads and checks partial files, and merges them.
pub fn merge(paths: &[PathBuf]) -> Result<Merged, MergeError> {
    let first = paths.first().ok_or(MergeError::Empty)?;
    let text = std::fs::read_to_string(first).map_err(|e| read_err(first)(e.to_string()))?;
    let kind: Kind = serde_json::from_str(&text).map_err(|e| read_err(first)(e.to_string()))?;
    match kind.kind.as_str() {
        RUN_PARTIAL_KIND => merge_runs(paths).map(|run| Merged::Run(Box::new(run))),
        SWEEP_PARTIAL_KIND => merge_sweeps(paths).map(Merged::Sweep),
        SENSITIVITY_PARTIAL_KIND => merge_sensitivity(paths).map(Merged::Sensitivity),
        other => Err(MergeError::Kind(first.clone(), other.to_string())),
    }
}

fn load<T: for<'de> Deserialize<'de>>(path: &Path, kind: &str) -> Result<T, MergeError> {
    let text = std::fs::read_to_string(path).map_err(|e| read_err(path)(e.to_string()))?;
    let k: Kind = serde_json::from_str(&text).map_err(|e| read_err(path)(e.to_string()))?;
    if k.kind != kind {
        return Err(MergeError::Kind(path.to_path_buf(), k.kind));
    }
    serde_json::from_str(&text).map_err(|e| read_err(path)(e.to_string()))
}

/// Loads every partial file of one kind, with its shard and path; an empty list is an error.
fn load_all<T: for<'de> Deserialize<'de>>(
    paths: &[PathBuf],
    kind: &str,
    shard_of: fn(&T) -> Shard,
) -> Result<Vec<(Shard, PathBuf, T)>, MergeError> {
    if paths.is_empty() {
        return Err(MergeError::Empty);
    }
    paths
        .iter()
        .map(|path| {
            let partial: T = load(path, kind)?;
            Ok((shard_of(&partial), path.clone(), partial))
        })
        .collect()
}

/// Sorts `(shard, item)` by shard and checks that shards 1..=N appear exactly once each.
fn order_shards<T>(mut items: Vec<(Shard, PathBuf, T)>) -> Result<Vec<(PathBuf, T)>, MergeError> {
    items.sort_by_key(|(s, _, _)| s.index);
    for pair in items.windows(2) {
        if pair[0].0.index == pair[1].0.index {
            return Err(MergeError::Duplicate {
                shard: pair[0].0,
                a: pair[0].1.clone(),
                b: pair[1].1.clone(),
            });
        }
    }
    let count = items.first().map_or(0, |(s, _, _)| s.count);
    let present: Vec<u64> = items.iter().map(|(s, _, _)| s.index).collect();
    let missing: Vec<String> = (1..=count)
        .filter(|k| !present.contains(k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing {
            missing: missing.join(", "),
            count,
        });
    }
    Ok(items.into_iter().map(|(_, p, t)| (p, t)).collect())
}

fn same<T: PartialEq + std::fmt::Display>(
    field: &'static str,
    first: (&Path, T),
    other: (&Path, T),
) -> Result<(), MergeError> {
    if first.1 == other.1 {
        Ok(())
    } else {
        Err(MergeError::Mismatch {
            first: first.0.to_path_buf(),
            other: other.0.to_path_buf(),
            field,
            a: first.1.to_string(),
            b: other.1.to_string(),
        })
    }
}

fn merge_runs(paths: &[PathBuf]) -> Result<MergedRun, MergeError> {
    let items = load_all(paths, RUN_PARTIAL_KIND, |p: &RunPartial| p.shard)?;
    // Every partial is checked against the first, by reference: no copy of its blocks.
    let (_, first_path, first) = &items[0];
    for (_, path, p) in &items {
        same("seed", (first_path, first.seed), (path, p.seed))?;
        same("runs", (first_path, first.runs), (path, p.runs))?;
        same("lens", (first_path, &first.lens), (path, &p.lens))?;
        same(
            "scenario hash",
            (first_path, &first.scenario_hash),
            (path, &p.scenario_hash),
        )?;
        same(
            "number of shards",
            (first_path, first.shard.count),
            (path, p.shard.count),
        )?;
        same(
            "dorasim version",
            (first_path, &first.version),
            (path, &p.version),
        )?;
        if scenario_hash(&p.scenario) != p.scenario_hash {
            return Err(MergeError::Corrupt(
                path.clone(),
                "its scenario does not match its scenario hash".into(),
            ));
        }
        let expected = p.shard.range(block_count(p.runs));
        if (p.first_block, p.end_block) != (expected.start, expected.end)
            || p.blocks.len() as u64 != expected.end - expected.start
        {
            return Err(MergeError::Corrupt(
                path.clone(),
                format!(
                    "shard {} of {} runs should hold blocks {}..{}, it holds {} block(s) from {}",
                    p.shard,
                    p.runs,
                    expected.start,
                    expected.end,
                    p.blocks.len(),
                    p.first_block
                ),
            ));
        }
    }
    // What the merged output needs of the first partial; all partials agree on it.
    let first_path = first_path.clone();
    let (seed, lens_name, scenario_json) = (first.seed, first.lens.clone(), first.scenario.clone());
    let ordered = order_shards(items)?;
    let mut summary = RunSummary::new(seed);
    let mut parts = Vec::new();
    let mut threads = 0;
    for (path, partial) in &ordered {
        for block in &partial.blocks {
            summary.merge(block);
        }
        summary.wall_seconds += partial.wall_seconds;
        threads = threads.max(partial.threads);
        if let Some(name) = &partial.replications_csv {
            let dir = path.parent().unwrap_or(Path::new("."));
            let part = dir.join(name);
            verify_part(path, &part, partial.replications_csv_check.as_ref())?;
            parts.push(part);
        }
    }
    if !parts.is_empty() && parts.len() != ordered.len() {
        return Err(MergeError::Corrupt(
            first_path,
            "some shards wrote replications.csv rows and others did not".into(),
        ));
    }
    let lens = <Lens as clap::ValueEnum>::from_str(&lens_name, true)
        .map_err(|e| MergeError::Corrupt(first_path.clone(), format!("lens: {e}")))?;
    let scenario = scenario_from_json(&scenario_json)
        .map_err(|e| MergeError::Corrupt(first_path.clone(), format!("scenario: {e}")))?;
    Ok(MergedRun {
        scenario,
        summary,
        lens,
        threads,
        replication_parts: parts,
    })
}

fn merge_sweeps(paths: &[PathBuf]) -> Result<MergedSweep, MergeError> {
    let items = load_all(paths, SWEEP_PARTIAL_KIND, |p: &SweepPartial| p.shard)?;
    let (_, first_path, first) = &items[0];
    for (_, path, p) in &items {
        same(
            "sweep arguments hash",
            (first_path, &first.arguments_hash),
            (path, &p.arguments_hash),
        )?;
        same(
            "number of shards",
            (first_path, first.shard.count),
            (path, p.shard.count),
        )?;
        if !p.complete {
            return Err(MergeError::Corrupt(
                path.clone(),
                "this shard did not finish; re-run it (it resumes) before merging".into(),
            ));
        }
    }
    let ordered = order_shards(items)?;
    let mut parts = Vec::new();
    for (path, p) in ordered {
        let part = path.parent().unwrap_or(Path::new(".")).join(&p.csv);
        verify_part(&path, &part, p.csv_check.as_ref())?;
        parts.push(part);
    }
    Ok(MergedSweep { parts })
}

fn merge_sensitivity(paths: &[PathBuf]) -> Result<MergedSensitivity, MergeError> {
    let items = load_all(paths, SENSITIVITY_PARTIAL_KIND, |p: &SensitivityPartial| {
        p.shard
    })?;
    let (_, first_path, first) = &items[0];
    let fp = first_path.as_path();
    let a = &first.study;
    let list = |v: &[String]| v.join(" ");
    let size = |n: Option<usize>| n.map_or("none".to_string(), |n| n.to_string());
    for (_, path, p) in &items {
        let (path, b) = (path.as_path(), &p.study);
        same(
            "scenario hash",
            (fp, &a.scenario_hash),
            (path, &b.scenario_hash),
        )?;
        same("parameters", (fp, list(&a.params)), (path, list(&b.params)))?;
        same("method", (fp, a.method.name()), (path, b.method.name()))?;
        same(
            "trajectories",
            (fp, size(a.trajectories)),
            (path, size(b.trajectories)),
        )?;
        same("samples", (fp, size(a.samples)), (path, size(b.samples)))?;
        same("seed", (fp, a.seed), (path, b.seed))?;
        same("runs", (fp, a.runs), (path, b.runs))?;
        same("lens", (fp, &a.lens), (path, &b.lens))?;
        same(
            "number of shards",
            (fp, first.shard.count),
            (path, p.shard.count),
        )?;
        same(
            "metrics",
            (fp, list(&first.metrics)),
            (path, list(&p.metrics)),
        )?;
        same("dorasim version", (fp, &first.version), (path, &p.version))?;
        let evaluations = b.points().len() as u64;
        let expected = p.shard.range(evaluations);
        if p.evaluations != evaluations
            || (p.first_point, p.end_point) != (expected.start, expected.end)
            || p.outputs.len() as u64 != expected.end - expected.start
            || p.outputs.iter().any(|o| o.len() != p.metrics.len())
            || [&p.noise, &p.difference_noise, &p.cross_noise]
                .iter()
                .any(|v| v.len() != p.outputs.len() || v.iter().any(|o| o.len() != p.metrics.len()))
        {
            return Err(MergeError::Corrupt(
                path.to_path_buf(),
                format!(
                    "shard {} of a study of {evaluations} evaluation points should hold points {}..{}, it holds {} point(s) from {}",
                    p.shard,
                    expected.start,
                    expected.end,
                    p.outputs.len(),
                    p.first_point
                ),
            ));
        }
    }
    if first.metrics != super::study::metric_keys() {
        return Err(MergeError::Corrupt(
            first_path.clone(),
            format!(
                "its outputs are of metrics {}, this dorasim analyses {}",
                list(&first.metrics),
                list(&super::study::metric_keys())
            ),
        ));
    }
    let (study, shards) = (first.study.clone(), first.shard.count);
    let ordered = order_shards(items)?;
    let mut points = Vec::new();
    for (_, partial) in &ordered {
        points.extend(PointOutput::from_partial(partial));
    }
    Ok(MergedSensitivity {
        study,
        points,
        shards,
    })
}

/// Reads back a scenario serialised as in `summary.json`.
pub fn scenario_from_json(value: &serde_json::Value) -> Result<Scenario, String> {
    Scenario::deserialize(value).map_err(|e| e.to_string())
}

/// Checks a shard's rows file (`replications-K-of-N.csv`, `sweep-K-of-N.csv`) against the size
/// and checksum its partial recorded.
fn verify_part(
    partial: &Path,
    part: &Path,
    check: Option<&super::shard::FileCheck>,
) -> Result<(), MergeError> {
    let corrupt = |message: String| MergeError::Corrupt(part.to_path_buf(), message);
    let Some(expected) = check else {
        return Err(MergeError::Corrupt(
            partial.to_path_buf(),
            "it names a results file but records no checksum for it (written by an older \
             dorasim): re-run that shard"
                .into(),
        ));
    };
    let found = super::shard::FileCheck::of(part).map_err(|e| corrupt(e.to_string()))?;
    if found.bytes != expected.bytes {
        return Err(corrupt(format!(
            "it has {} bytes where its shard wrote {} (cut short or edited): re-run that shard",
            found.bytes, expected.bytes
        )));
    }
    if found.fnv1a != expected.fnv1a {
        return Err(corrupt(format!(
            "its checksum {} is not the {} its shard recorded (edited, or another run's file): \
             re-run that shard",
            found.fnv1a, expected.fnv1a
        )));
    }
    Ok(())
}

/// Concatenates CSV files that share a header line: the header once, then every file's rows, in
/// order. Streams; memory stays flat.
pub fn concatenate_csv(parts: &[PathBuf], out: &mut dyn std::io::Write) -> Result<(), String> {
    use std::io::BufRead;
    let mut header: Option<String> = None;
    for part in parts {
        let file = std::fs::File::open(part).map_err(|e| format!("`{}`: {e}", part.display()))?;
        let mut reader = std::io::BufReader::new(file);
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .map_err(|e| format!("`{}`: {e}", part.display()))?;
        match &header {
            None => {
                out.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
                header = Some(line);
            }
            Some(h) if *h == line => {}
            Some(_) => {
                return Err(format!(
                    "`{}` has a different header from the first part",
                    part.display()
                ));
            }
        }
        std::io::copy(&mut reader, out).map_err(|e| format!("`{}`: {e}", part.display()))?;
    }
    Ok(())
}
