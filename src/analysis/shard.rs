//! Runs split across processes or machines: `--shard K/N`, or the job index of a Slurm job array
//! or a Kubernetes Indexed Job.
//!
//! A run is reduced in fixed blocks of [`BLOCK`](crate::runner::BLOCK) replications, merged in
//! block order. Shard K of N runs a contiguous range of blocks and writes their summaries, one
//! per block, to a partial result file; [`merge`](super::merge) folds the blocks of every shard
//! in block order, which is exactly what an unsharded run does, so the merged output is
//! byte-identical. A sweep is split the same way over its design points.

use serde::{Deserialize, Serialize};

use crate::runner::RunSummary;

/// Errors of shard specifications and partial files.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// `--shard` is not `K/N` with 1 ≤ K ≤ N.
    #[error("invalid shard `{0}`: expected K/N with 1 <= K <= N, such as --shard 2/8")]
    Spec(String),
    /// An environment variable holds something other than a number.
    #[error("environment variable {name}=`{value}` is not a whole number")]
    Env {
        /// Variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// A job index was found but not the number of shards.
    #[error(
        "{0} is set but the number of shards is unknown: pass --shards N or set DORASIM_SHARDS"
    )]
    MissingCount(&'static str),
}

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1-based shard number.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Parses `K/N` (1-based K).
    pub fn parse(text: &str) -> Result<Shard, ShardError> {
        let bad = || ShardError::Spec(text.to_string());
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        Shard::new(index, count).ok_or_else(bad)
    }

    /// Shard `index` (1-based) of `count`, if `1 <= index <= count`.
    pub fn new(index: u64, count: u64) -> Option<Shard> {
        (index >= 1 && index <= count).then_some(Shard { index, count })
    }

    /// The shard to run: `--shard K/N` if given, else the job index of a Slurm job array
    /// (`SLURM_ARRAY_TASK_ID` relative to `SLURM_ARRAY_TASK_MIN`, with `SLURM_ARRAY_TASK_COUNT`)
    /// or of a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, 0-based, with `--shards N` or
    /// `DORASIM_SHARDS`), else none (an unsharded run).
    pub fn resolve(
        flag: Option<&str>,
        shards: Option<u64>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Shard>, ShardError> {
        if let Some(text) = flag {
            return Shard::parse(text).map(Some);
        }
        let number = |name: &'static str| -> Result<Option<u64>, ShardError> {
            match env(name) {
                None => Ok(None),
                Some(v) if v.trim().is_empty() => Ok(None),
                Some(value) => value
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| ShardError::Env { name, value }),
            }
        };
        let count = match shards {
            Some(n) => Some(n),
            None => number("DORASIM_SHARDS")?,
        };
        if let Some(task) = number("SLURM_ARRAY_TASK_ID")? {
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let count = match count {
                Some(n) => n,
                None => number("SLURM_ARRAY_TASK_COUNT")?
                    .ok_or(ShardError::MissingCount("SLURM_ARRAY_TASK_ID"))?,
            };
            let index = task.checked_sub(min).map(|i| i + 1).unwrap_or(0);
            return Shard::new(index, count)
                .map(Some)
                .ok_or_else(|| ShardError::Spec(format!("{index}/{count} (from Slurm)")));
        }
        if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let count = count.ok_or(ShardError::MissingCount("JOB_COMPLETION_INDEX"))?;
            return Shard::new(index + 1, count).map(Some).ok_or_else(|| {
                ShardError::Spec(format!("{}/{count} (from Kubernetes)", index + 1))
            });
        }
        Ok(None)
    }

    /// This shard's contiguous part of `0..total` (blocks of a run, or points of a sweep). The
    /// parts of shards 1..=N cover `0..total` in order, without overlap.
    pub fn range(&self, total: u64) -> std::ops::Range<u64> {
        let part = |k: u64| (u128::from(total) * u128::from(k) / u128::from(self.count)) as u64;
        part(self.index - 1)..part(self.index)
    }

    /// File-name stem: `K-of-N`.
    pub fn stem(&self) -> String {
        format!("{}-of-{}", self.index, self.count)
    }
}

/// The environment of this process, for [`Shard::resolve`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Format tag of a run's partial file.
pub const RUN_PARTIAL_KIND: &str = "dorasim-run-partial";

/// What one shard of `dorasim run` leaves for `dorasim merge`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunPartial {
    /// Always [`RUN_PARTIAL_KIND`].
    pub kind: String,
    /// dorasim version that wrote it.
    pub version: String,
    /// Which shard.
    pub shard: Shard,
    /// Master seed.
    pub seed: u64,
    /// Replications of the whole run.
    pub runs: u64,
    /// Measurement lens (as on the command line).
    pub lens: String,
    /// Hash of the resolved scenario (without its origin): partials of different scenarios
    /// must not be merged.
    pub scenario_hash: String,
    /// The resolved scenario, as it appears in `summary.json`.
    pub scenario: serde_json::Value,
    /// First block of this shard.
    pub first_block: u64,
    /// One past its last block.
    pub end_block: u64,
    /// The block summaries, in block order.
    pub blocks: Vec<RunSummary>,
    /// This shard's rows of `replications.csv` (a file beside the partial), if written.
    pub replications_csv: Option<String>,
    /// That file's size in bytes and FNV-1a checksum, as written: `merge` refuses a file that
    /// was cut short, edited or swapped for another run's.
    #[serde(default)]
    pub replications_csv_check: Option<FileCheck>,
    /// Worker threads used.
    pub threads: usize,
    /// Wall time of this shard, seconds.
    pub wall_seconds: f64,
}

/// A file's size and FNV-1a checksum, to verify it later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCheck {
    /// Size in bytes.
    pub bytes: u64,
    /// FNV-1a 64-bit checksum of the contents, hexadecimal.
    pub fnv1a: String,
}

impl FileCheck {
    /// Size and checksum of the file at `path`, read in streaming fashion.
    pub fn of(path: &std::path::Path) -> std::io::Result<FileCheck> {
        use std::io::Read;
        let mut file = std::io::BufReader::new(std::fs::File::open(path)?);
        let mut h = FNV_OFFSET;
        let mut bytes = 0u64;
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
            h = fnv1a_update(h, &buf[..n]);
        }
        Ok(FileCheck {
            bytes,
            fnv1a: format!("{h:016x}"),
        })
    }
}

/// File name of a run's partial for `shard`.
pub fn run_partial_name(shard: Shard) -> String {
    format!("partial-{}.json", shard.stem())
}

/// File name of a shard's replication rows.
pub fn replications_part_name(shard: Shard) -> String {
    format!("replications-{}.csv", shard.stem())
}

/// FNV-1a's starting value.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// The FNV-1a hash `h` continued over `bytes`, so a file can be hashed in pieces.
fn fnv1a_update(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A stable 64-bit FNV-1a hash, as 16 hex digits.
pub fn fnv1a(bytes: &[u8]) -> String {
    format!("{:016x}", fnv1a_update(FNV_OFFSET, bytes))
}

/// Hash of a resolved scenario's JSON, without its `origin` (the same scenario may live at
/// different paths on different machines).
pub fn scenario_hash(scenario: &serde_json::Value) -> String {
    let mut value = scenario.clone();
    if let serde_json::Value::Object(map) = &mut value {
        map.remove("origin");
    }
    fnv1a(value.to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_ranges_cover_everything() {
        assert_eq!(Shard::parse("2/3").ok(), Shard::new(2, 3));
        assert!(Shard::parse("0/3").is_err());
        assert!(Shard::parse("4/3").is_err());
        assert!(Shard::parse("x").is_err());
        for total in [0u64, 1, 2, 7, 16, 100] {
            for n in 1..=5 {
                let mut next = 0;
                for k in 1..=n {
                    let r = Shard { index: k, count: n }.range(total);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
        ]);
        assert_eq!(
            Shard::resolve(None, None, &slurm).ok().flatten(),
            Shard::new(5, 8)
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0"), ("DORASIM_SHARDS", "4")]);
        assert_eq!(
            Shard::resolve(None, None, &k8s).ok().flatten(),
            Shard::new(1, 4)
        );
        let k8s_no_count = env(&[("JOB_COMPLETION_INDEX", "0")]);
        assert!(Shard::resolve(None, None, &k8s_no_count).is_err());
        assert_eq!(
            Shard::resolve(None, Some(2), &k8s_no_count).ok().flatten(),
            Shard::new(1, 2)
        );
        let none = env(&[]);
        assert_eq!(Shard::resolve(None, None, &none).ok().flatten(), None);
        assert_eq!(
            Shard::resolve(Some("3/3"), None, &slurm).ok().flatten(),
            Shard::new(3, 3)
        );
    }
}
