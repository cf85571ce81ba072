//! Parameter sweeps: one tidy CSV row per design point and metric, appended and flushed as
//! points finish, so memory stays flat in the number of points and an interrupted sweep resumes
//! where it stopped.
//!
//! Every point runs the same replications from the same seed (common random numbers across
//! points), so differences between neighbouring points are not blurred by sampling noise.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::design::Design;
use super::focus::FOCUS;
use super::shard::Shard;
use crate::metrics::ledger::Lens;
use crate::metrics::tiers::Tier;
use crate::model::Model;
use crate::output::format::csv_cell;
use crate::runner::{self, RunPlan, RunSummary};
use crate::scenario;

/// File name of an unsharded sweep's CSV.
pub const SWEEP_CSV: &str = "sweep.csv";
/// Format tag of a sweep shard's manifest.
pub const SWEEP_PARTIAL_KIND: &str = "dorasim-sweep-partial";

/// Errors of a sweep.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A design point gives an invalid scenario.
    #[error("design point {point} ({values}) is invalid:\n{message}")]
    Point {
        /// Point index.
        point: usize,
        /// `key=value` of the point.
        values: String,
        /// The scenario errors (each naming the key).
        message: String,
    },
    /// The existing CSV was written by a different sweep.
    #[error(
        "`{0}` holds rows of a different sweep ({1}); re-run with the same arguments to resume it, or pass --force to start over"
    )]
    Foreign(PathBuf, String),
    /// I/O.
    #[error("`{0}`: {1}")]
    Io(PathBuf, String),
    /// The run failed (or was interrupted).
    #[error("{0}")]
    Run(String),
}

/// Format tag of a sweep's identity record.
pub const SWEEP_IDENTITY_KIND: &str = "dorasim-sweep-identity";

/// What identifies a sweep, recorded beside its CSV (`sweep.identity.json`) when the CSV is
/// created and checked before resuming: a CSV resumed by another sweep would mix two studies in
/// one file with nothing to tell them apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepIdentity {
    /// [`SWEEP_IDENTITY_KIND`].
    pub kind: String,
    /// Hash of the scenario after `--set`, without its origin (so a renamed file still resumes,
    /// an edited one does not).
    pub scenario_hash: String,
    /// The `--set` overrides.
    pub sets: Vec<String>,
    /// The design ([`Design::describe`]).
    pub design: String,
    /// Replications per point.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Lens.
    pub lens: String,
}

impl SweepIdentity {
    /// What differs from `other`, in words (empty when nothing does).
    pub fn differences(&self, other: &SweepIdentity) -> Vec<String> {
        let mut out = Vec::new();
        if self.scenario_hash != other.scenario_hash {
            out.push("the scenario (after --set) differs".to_string());
        }
        if self.sets != other.sets {
            out.push(format!("--set was {:?}, now {:?}", self.sets, other.sets));
        }
        if self.design != other.design {
            out.push(format!(
                "the design was `{}`, now `{}`",
                self.design, other.design
            ));
        }
        if self.runs != other.runs {
            out.push(format!("--runs was {}, now {}", self.runs, other.runs));
        }
        if self.seed != other.seed {
            out.push(format!("the seed was {}, now {}", self.seed, other.seed));
        }
        if self.lens != other.lens {
            out.push(format!("the lens was {}, now {}", self.lens, other.lens));
        }
        out
    }
}

/// Manifest of one shard of a sweep, for `dorasim merge`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepPartial {
    /// Always [`SWEEP_PARTIAL_KIND`].
    pub kind: String,
    /// dorasim version.
    pub version: String,
    /// Which shard.
    pub shard: Shard,
    /// Points in the whole design.
    pub points: u64,
    /// Hash of the sweep's arguments: shards of different sweeps must not be merged.
    pub arguments_hash: String,
    /// This shard's CSV, beside the manifest.
    pub csv: String,
    /// Whether every point of the shard finished.
    pub complete: bool,
    /// The CSV's size and checksum when the shard finished; `merge` verifies them.
    #[serde(default)]
    pub csv_check: Option<super::shard::FileCheck>,
}

/// Everything a sweep needs.
#[derive(Debug, Clone)]
pub struct SweepPlan {
    /// Scenario file text.
    pub text: String,
    /// Its origin (path) for messages.
    pub origin: String,
    /// `--set` overrides applied at every point, before the point's values.
    pub sets: Vec<String>,
    /// The design.
    pub design: Design,
    /// Replications per point.
    pub runs: u64,
    /// Master seed (shared by every point).
    pub seed: u64,
    /// Measurement lens.
    pub lens: Lens,
    /// Worker threads.
    pub threads: usize,
    /// This process's shard, if any.
    pub shard: Option<Shard>,
}

/// What a sweep did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SweepOutcome {
    /// Points in the whole design.
    pub points: usize,
    /// Points in this shard.
    pub in_shard: usize,
    /// Points skipped because the CSV already held them.
    pub skipped: usize,
    /// Points computed now.
    pub computed: usize,
    /// Stopped early by Ctrl-C.
    pub interrupted: bool,
}

impl SweepPlan {
    /// The `--set` arguments of point `i`.
    fn overrides(&self, values: &[String]) -> Vec<String> {
        let mut sets = self.sets.clone();
        for (p, v) in self.design.params.iter().zip(values) {
            sets.push(format!("{}={v}", p.key));
        }
        sets
    }

    /// Point `i` (with parameter `values`) is invalid: `message` says why.
    fn invalid(&self, i: usize, values: &[String], message: String) -> SweepError {
        SweepError::Point {
            point: i,
            values: self
                .design
                .params
                .iter()
                .zip(values)
                .map(|(p, v)| format!("{}={v}", p.key))
                .collect::<Vec<_>>()
                .join(", "),
            message,
        }
    }

    /// The model of point `i` (its scenario fully validated, with the scenario's guard), and the
    /// point's parameter values.
    pub fn model_at(&self, i: usize) -> Result<(Model, Vec<String>), SweepError> {
        let values = self.design.point(i);
        let invalid = |message: String| self.invalid(i, &values, message);
        let (_, model) =
            scenario::load_with_model(&self.text, &self.origin, &self.overrides(&values))
                .map_err(|e| invalid(e.to_string()))?;
        Ok((model, values))
    }

    /// The points of this process (its shard, or all).
    pub fn range(&self) -> std::ops::Range<usize> {
        let total = self.design.len() as u64;
        let r = self.shard.map_or(0..total, |s| s.range(total));
        r.start as usize..r.end as usize
    }

    /// Checks every point of this process before anything runs; `checked` is called after each.
    /// Only the checks run (the points' models are built when they run): a point that loads
    /// without errors has had every schedule of its model built and checked.
    pub fn validate(&self, checked: &dyn Fn()) -> Result<(), SweepError> {
        self.range().try_for_each(|i| {
            let values = self.design.point(i);
            scenario::apply_overrides(&self.text, &self.origin, &self.overrides(&values))
                .map_err(|e| self.invalid(i, &values, e.to_string()))?;
            checked();
            Ok(())
        })
    }

    /// The CSV header.
    pub fn header(&self) -> Vec<String> {
        let mut h = vec!["point".to_string()];
        h.extend(self.design.params.iter().map(|p| p.key.clone()));
        h.extend(
            [
                "metric",
                "unit",
                "runs",
                "n",
                "mean",
                "ci95_low",
                "ci95_high",
                "p5",
                "p50",
                "p95",
            ]
            .map(String::from),
        );
        h.extend(
            Tier::ALL
                .iter()
                .map(|t| format!("tier_{}", t.label().to_lowercase())),
        );
        h
    }

    /// File name of this process's CSV.
    pub fn csv_name(&self) -> String {
        match self.shard {
            Some(s) => format!("sweep-{}.csv", s.stem()),
            None => SWEEP_CSV.to_string(),
        }
    }

    /// The file name of the identity record beside the CSV.
    pub fn identity_name(&self) -> String {
        match self.shard {
            Some(s) => format!("sweep-{}.identity.json", s.stem()),
            None => "sweep.identity.json".to_string(),
        }
    }

    /// What identifies this sweep ([`SweepIdentity`]).
    pub fn identity(&self) -> Result<SweepIdentity, SweepError> {
        let base = scenario::apply_overrides(&self.text, &self.origin, &self.sets)
            .map_err(|e| SweepError::Run(e.to_string()))?;
        let value = serde_json::to_value(&base).map_err(|e| SweepError::Run(e.to_string()))?;
        Ok(SweepIdentity {
            kind: SWEEP_IDENTITY_KIND.to_string(),
            scenario_hash: super::shard::scenario_hash(&value),
            sets: self.sets.clone(),
            design: self.design.describe(),
            runs: self.runs,
            seed: self.seed,
            lens: self.lens.name().to_string(),
        })
    }
}

fn rows(point: usize, values: &[String], summary: &RunSummary) -> Vec<Vec<String>> {
    let cell = |x: Option<f64>| x.map_or(String::new(), csv_cell);
    let tiers = summary.tiers_2024.shares();
    FOCUS
        .iter()
        .map(|(metric, _)| {
            let s = summary.metric(*metric).summary();
            let mut row = vec![point.to_string()];
            row.extend(values.iter().map(|v| crate::output::format::csv_text(v)));
            row.extend([
                metric.def().key.to_string(),
                metric.def().unit.to_string(),
                summary.runs.to_string(),
                s.n.to_string(),
                cell(s.mean),
                cell(s.ci95_low),
                cell(s.ci95_high),
                cell(s.p5),
                cell(s.p50),
                cell(s.p95),
            ]);
            row.extend(tiers.iter().map(|x| csv_cell(*x)));
            row
        })
        .collect()
}

/// A finished point: index, parameter values and summary.
type FinishedPoint = (usize, Vec<String>, RunSummary);

/// Refuses to resume the CSV at `path` unless the identity record beside it is this sweep's.
fn check_identity(
    path: &Path,
    identity_path: &Path,
    identity: &SweepIdentity,
) -> Result<(), SweepError> {
    let foreign = |why: String| SweepError::Foreign(path.to_path_buf(), why);
    let text = std::fs::read_to_string(identity_path).map_err(|_| {
        foreign(format!(
            "no `{}` beside it records which sweep wrote it",
            identity_path.display()
        ))
    })?;
    let recorded: SweepIdentity = serde_json::from_str(&text)
        .map_err(|e| foreign(format!("`{}` is unreadable: {e}", identity_path.display())))?;
    let differences = recorded.differences(identity);
    if differences.is_empty() {
        Ok(())
    } else {
        Err(foreign(differences.join("; ")))
    }
}

/// Reads an existing CSV, keeps the points that are complete and match the design (point
/// index and parameter values), rewrites it without anything else (a row cut short by a kill),
/// and returns which points are done.
fn resume(plan: &SweepPlan, path: &Path) -> Result<Vec<bool>, SweepError> {
    let io = |e: &dyn std::fmt::Display| SweepError::Io(path.to_path_buf(), e.to_string());
    let mut done = vec![false; plan.design.len()];
    if !path.exists() {
        return Ok(done);
    }
    let header = plan.header();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| io(&e))?;
    let found: Vec<String> = reader
        .headers()
        .map_err(|e| io(&e))?
        .iter()
        .map(String::from)
        .collect();
    if found != header {
        return Err(SweepError::Foreign(
            path.to_path_buf(),
            format!("its columns are {}", found.join(",")),
        ));
    }
    // Pass 1: count the valid rows of each point (memory: one counter per point).
    let params = plan.design.params.len();
    let mut counts: HashMap<usize, usize> = HashMap::new();
    let point_of = |record: &csv::StringRecord| -> Option<usize> {
        if record.len() != header.len() {
            return None;
        }
        let i: usize = record.get(0)?.parse().ok()?;
        if i >= plan.design.len() {
            return None;
        }
        let values = plan.design.point(i);
        let same = (0..params).all(|d| {
            record.get(d + 1) == Some(crate::output::format::csv_text(&values[d]).as_str())
        });
        same.then_some(i)
    };
    for record in reader.records() {
        let Ok(record) = record else { break };
        if let Some(i) = point_of(&record) {
            *counts.entry(i).or_default() += 1;
        } else if let Some(i) = record.get(0).and_then(|s| s.parse::<usize>().ok())
            && i < plan.design.len()
            && record.len() == header.len()
        {
            return Err(SweepError::Foreign(
                path.to_path_buf(),
                format!("point {i} has other parameter values than this design"),
            ));
        }
    }
    for (&i, &n) in &counts {
        done[i] = n == FOCUS.len();
    }
    // Pass 2: rewrite the file with the complete points only, atomically.
    let temp = path.with_extension("csv.resume");
    {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(path)
            .map_err(|e| io(&e))?;
        let mut writer = csv::Writer::from_path(&temp).map_err(|e| io(&e))?;
        writer.write_record(&header).map_err(|e| io(&e))?;
        for record in reader.records() {
            let Ok(record) = record else { break };
            if point_of(&record).is_some_and(|i| done[i]) {
                writer.write_record(&record).map_err(|e| io(&e))?;
            }
        }
        writer.flush().map_err(|e| io(&e))?;
    }
    std::fs::rename(&temp, path).map_err(|e| io(&e))?;
    Ok(done)
}

/// Runs the sweep into `dir`, resuming from the CSV already there. `on_point` is called after
/// each point finishes (progress).
pub fn run(
    plan: &SweepPlan,
    dir: &Path,
    force: bool,
    on_point: &(dyn Fn() + Sync),
) -> Result<SweepOutcome, SweepError> {
    let range = plan.range();
    let path = dir.join(plan.csv_name());
    let io = |e: &dyn std::fmt::Display| SweepError::Io(path.clone(), e.to_string());
    std::fs::create_dir_all(dir).map_err(|e| io(&e))?;
    // Held until the sweep returns: a second sweep into the same CSV is refused.
    let _lock = crate::output::files::lock(dir, &plan.csv_name())
        .map_err(|e| SweepError::Run(e.to_string()))?;
    let identity_path = dir.join(plan.identity_name());
    if force {
        for p in [&path, &identity_path] {
            if p.exists() {
                std::fs::remove_file(p).map_err(|e| io(&e))?;
            }
        }
    }
    let identity = plan.identity()?;
    if path.exists() {
        check_identity(&path, &identity_path, &identity)?;
    }
    let done = resume(plan, &path)?;
    let skipped = range.clone().filter(|&i| done[i]).count();
    let fresh = !path.exists();
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| io(&e))?;
    let mut csv = csv::Writer::from_writer(BufWriter::new(file));
    if fresh {
        let text = serde_json::to_string_pretty(&identity).map_err(|e| io(&e))?;
        let temp = identity_path.with_extension("json.tmp");
        std::fs::write(&temp, text).map_err(|e| io(&e))?;
        std::fs::rename(&temp, &identity_path).map_err(|e| io(&e))?;
        csv.write_record(plan.header()).map_err(|e| io(&e))?;
        csv.flush().map_err(|e| io(&e))?;
    }
    let todo: Vec<usize> = range.clone().filter(|&i| !done[i]).collect();
    let batch = 2 * plan.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(plan.threads.max(1))
        .build()
        .map_err(|e| SweepError::Run(e.to_string()))?;
    let mut computed = 0;
    let mut interrupted = false;
    for chunk in todo.chunks(batch) {
        if super::progress::interrupted() {
            interrupted = true;
            break;
        }
        let results: Vec<Result<FinishedPoint, SweepError>> = pool.install(|| {
            chunk
                .par_iter()
                .map(|&i| {
                    let (model, values) = plan.model_at(i)?;
                    let run_plan = RunPlan {
                        seed: plan.seed,
                        runs: plan.runs,
                        threads: 1,
                    };
                    let summary = runner::run_with_lens(&model, run_plan, plan.lens, |_, _| {
                        super::progress::check()
                    })
                    .map_err(|e| SweepError::Run(e.to_string()))?;
                    on_point();
                    Ok((i, values, summary))
                })
                .collect()
        });
        // Keep the points in order: write the finished prefix of the batch.
        for result in results {
            match result {
                Ok((i, values, summary)) => {
                    for row in rows(i, &values, &summary) {
                        csv.write_record(&row).map_err(|e| io(&e))?;
                    }
                    computed += 1;
                }
                Err(_) if super::progress::interrupted() => {
                    interrupted = true;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        csv.flush().map_err(|e| io(&e))?;
        if interrupted {
            break;
        }
    }
    let mut writer = csv.into_inner().map_err(|e| io(&e))?;
    writer.flush().map_err(|e| io(&e))?;
    let file: &File = writer.get_ref();
    file.sync_all().map_err(|e| io(&e))?;
    Ok(SweepOutcome {
        points: plan.design.len(),
        in_shard: range.len(),
        skipped,
        computed,
        interrupted,
    })
}
