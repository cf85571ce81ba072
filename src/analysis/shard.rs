//! Runs split across processes or machines: `--shard K/N`, or `--shard auto` for the job index
//! of a Slurm job array or a Kubernetes Indexed Job.
//!
//! A run is reduced in fixed blocks of [`BLOCK`](crate::runner::BLOCK) replications, merged in
//! block order. Shard K of N runs a contiguous range of blocks and writes their summaries, one
//! per block, to a partial result file; [`merge`](super::merge) folds the blocks of every shard
//! in block order, which is exactly what an unsharded run does, so the merged output is
//! byte-identical. A sweep is split the same way over its design points.
//!
//! The scheduler's environment is read only when asked (`--shard auto`): a command inside a job
//! array without `--shard` is an ordinary, unsharded command, so an array that runs one scenario
//! per task works as written. The number of shards is always stated by the user (`K/N`,
//! `--shards N` or `DORASIM_SHARDS`), never taken from the size of the submitted array:
//! `SLURM_ARRAY_TASK_COUNT` counts the tasks of one submission, which is 1 for a resubmitted task
//! (`sbatch --array=3`) and half the study for a stepped array, so deriving the count from it
//! gives the wrong shard. A Slurm task's ID is its shard number, 1 to N.

use serde::{Deserialize, Serialize};

use crate::runner::RunSummary;

/// The `--shard` value that reads the shard from the scheduler's environment.
pub const AUTO: &str = "auto";

/// Errors of shard specifications and partial files.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// `--shard` is neither `K/N` with 1 ≤ K ≤ N nor `auto`.
    #[error(
        "invalid shard `{0}`: expected K/N with 1 <= K <= N, such as --shard 2/8, or --shard auto \
         inside a Slurm job array or a Kubernetes Indexed Job"
    )]
    Spec(String),
    /// `--shards N` without `--shard auto`.
    #[error(
        "--shards {0} is only read with --shard auto; --shard K/N states the number of shards \
         itself, and without --shard the run is not sharded"
    )]
    ShardsWithoutAuto(u64),
    /// The number of shards is zero.
    #[error("the number of shards ({source_name} = 0) must be at least 1")]
    ZeroCount {
        /// Where it came from: `--shards` or `DORASIM_SHARDS`.
        source_name: &'static str,
    },
    /// An environment variable holds something other than a number.
    #[error("environment variable {name}=`{value}` is not a whole number")]
    Env {
        /// Variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// `--shard auto` outside any job array.
    #[error(
        "--shard auto found no job index: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor \
         JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set{hint}; outside a job array, \
         use --shard K/N"
    )]
    NoJobIndex {
        /// What else was found, if anything (a Slurm job that is not an array).
        hint: String,
    },
    /// Both a Slurm and a Kubernetes job index are set.
    #[error(
        "--shard auto found two job indices, SLURM_ARRAY_TASK_ID={slurm} and \
         JOB_COMPLETION_INDEX={kubernetes}, and cannot tell which one numbers the shards; \
         use --shard K/N"
    )]
    TwoSchedulers {
        /// `SLURM_ARRAY_TASK_ID`.
        slurm: u64,
        /// `JOB_COMPLETION_INDEX`.
        kubernetes: u64,
    },
    /// A Slurm job array without a stated number of shards.
    #[error(
        "--shard auto in Slurm array task {task} needs the number of shards: pass --shards N or \
         set DORASIM_SHARDS=N, and number the array's tasks 1..N (sbatch --array=1-N), or write \
         --shard \"${{SLURM_ARRAY_TASK_ID}}/N\". It is not taken from the array's size \
         ({array}): that counts the tasks of this submission, not the shards of the study, and \
         a resubmitted task (--array=3), a stepped (--array=1-16:2) or a listed (--array=1,3,5) \
         array would run the wrong shard"
    )]
    SlurmNeedsCount {
        /// `SLURM_ARRAY_TASK_ID`.
        task: u64,
        /// How the array looks (`SLURM_ARRAY_TASK_COUNT=…`, or `not set`).
        array: String,
    },
    /// A Slurm array whose task IDs are not all shard numbers 1..N.
    #[error(
        "--shard auto: Slurm array tasks are shard numbers, 1 to {count}, but this array \
         {found}; submit tasks within 1-{count} (sbatch --array=1-{count}, or a single task \
         such as --array=3 to re-run shard 3), or change --shards/DORASIM_SHARDS"
    )]
    SlurmTaskOutside {
        /// What was found, such as `has task 0 (SLURM_ARRAY_TASK_ID=0)`.
        found: String,
        /// Number of shards.
        count: u64,
    },
    /// A Kubernetes index without a stated number of shards.
    #[error(
        "--shard auto in a Kubernetes Indexed Job (JOB_COMPLETION_INDEX={0}) needs the number of \
         shards: pass --shards N or set DORASIM_SHARDS=N, equal to the Job's completions"
    )]
    KubernetesNeedsCount(u64),
    /// A Kubernetes index beyond the number of shards.
    #[error(
        "--shard auto: JOB_COMPLETION_INDEX={index} must be below the number of shards, {count} \
         (pod i runs shard i+1); make --shards/DORASIM_SHARDS equal to the Job's completions"
    )]
    KubernetesIndexOutside {
        /// `JOB_COMPLETION_INDEX`.
        index: u64,
        /// Number of shards.
        count: u64,
    },
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

    /// The shard to run, from `--shard` (`flag`) and `--shards` (`shards`): none without
    /// `--shard` (an unsharded run; the environment is not read), `K/N` as given, or with
    /// `auto` the job index found by `env`:
    ///
    /// - Slurm job array: shard `SLURM_ARRAY_TASK_ID` of N, tasks numbered 1..N, with N from
    ///   `--shards` or `DORASIM_SHARDS`. Refused without N, and when the array's tasks
    ///   (`SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_MAX`) are not all within 1..N, so that
    ///   every task of a misnumbered array fails, not only some.
    /// - Kubernetes Indexed Job: shard `JOB_COMPLETION_INDEX + 1` of N (pods indexed 0..N-1).
    pub fn resolve(
        flag: Option<&str>,
        shards: Option<u64>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Shard>, ShardError> {
        match flag.map(str::trim) {
            None => match shards {
                Some(n) => Err(ShardError::ShardsWithoutAuto(n)),
                None => Ok(None),
            },
            Some(AUTO) => Shard::from_scheduler(shards, env).map(Some),
            Some(text) => match shards {
                Some(n) => Err(ShardError::ShardsWithoutAuto(n)),
                None => Shard::parse(text).map(Some),
            },
        }
    }

    /// `--shard auto`: the shard from a Slurm or Kubernetes job index (see [`Shard::resolve`]).
    fn from_scheduler(
        shards: Option<u64>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Shard, ShardError> {
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
            Some(0) => {
                return Err(ShardError::ZeroCount {
                    source_name: "--shards",
                });
            }
            Some(n) => Some(n),
            None => match number("DORASIM_SHARDS")? {
                Some(0) => {
                    return Err(ShardError::ZeroCount {
                        source_name: "DORASIM_SHARDS",
                    });
                }
                n => n,
            },
        };
        match (
            number("SLURM_ARRAY_TASK_ID")?,
            number("JOB_COMPLETION_INDEX")?,
        ) {
            (Some(slurm), Some(kubernetes)) => Err(ShardError::TwoSchedulers { slurm, kubernetes }),
            (Some(task), None) => {
                let Some(count) = count else {
                    let array = match env("SLURM_ARRAY_TASK_COUNT") {
                        Some(c) => format!("SLURM_ARRAY_TASK_COUNT={}", c.trim()),
                        None => "not set".to_string(),
                    };
                    return Err(ShardError::SlurmNeedsCount { task, array });
                };
                let outside = |found: String| ShardError::SlurmTaskOutside { found, count };
                if let Some(min) = number("SLURM_ARRAY_TASK_MIN")?.filter(|&m| m == 0) {
                    return Err(outside(format!(
                        "starts at task {min} (SLURM_ARRAY_TASK_MIN={min})"
                    )));
                }
                if let Some(max) = number("SLURM_ARRAY_TASK_MAX")?.filter(|&m| m > count) {
                    return Err(outside(format!(
                        "runs up to task {max} (SLURM_ARRAY_TASK_MAX={max})"
                    )));
                }
                Shard::new(task, count)
                    .ok_or_else(|| outside(format!("has task {task} (SLURM_ARRAY_TASK_ID={task})")))
            }
            (None, Some(index)) => {
                let count = count.ok_or(ShardError::KubernetesNeedsCount(index))?;
                if index >= count {
                    return Err(ShardError::KubernetesIndexOutside { index, count });
                }
                Ok(Shard {
                    index: index + 1,
                    count,
                })
            }
            (None, None) => Err(ShardError::NoJobIndex {
                hint: match env("SLURM_JOB_ID") {
                    Some(id) => format!(
                        " (Slurm job {} is not an array: submit it with sbatch --array=1-N)",
                        id.trim()
                    ),
                    None => String::new(),
                },
            }),
        }
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

    /// An environment of the given variables only.
    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    /// Task 5 of a whole `sbatch --array=1-16` array.
    const SLURM_WHOLE: &[(&str, &str)] = &[
        ("SLURM_JOB_ID", "100"),
        ("SLURM_ARRAY_JOB_ID", "100"),
        ("SLURM_ARRAY_TASK_ID", "5"),
        ("SLURM_ARRAY_TASK_MIN", "1"),
        ("SLURM_ARRAY_TASK_MAX", "16"),
        ("SLURM_ARRAY_TASK_COUNT", "16"),
        ("SLURM_ARRAY_TASK_STEP", "1"),
    ];

    fn auto(shards: Option<u64>, vars: &'static [(&'static str, &'static str)]) -> String {
        match Shard::resolve(Some("auto"), shards, &env(vars)) {
            Ok(shard) => format!("{shard:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn without_shard_the_environment_is_ignored() {
        // A one-scenario-per-task array, or any command run inside a job array, is unsharded.
        for vars in [
            SLURM_WHOLE,
            &[("JOB_COMPLETION_INDEX", "2"), ("DORASIM_SHARDS", "4")],
            &[("SLURM_ARRAY_TASK_ID", "x"), ("DORASIM_SHARDS", "0")],
        ] {
            assert_eq!(Shard::resolve(None, None, &env(vars)).ok(), Some(None));
        }
        // K/N is taken as written, whatever the scheduler says.
        assert_eq!(
            Shard::resolve(Some("3/3"), None, &env(SLURM_WHOLE)).ok(),
            Some(Shard::new(3, 3))
        );
    }

    #[test]
    fn shards_is_refused_without_shard_auto() {
        for flag in [None, Some("1/4")] {
            let e = Shard::resolve(flag, Some(4), &env(SLURM_WHOLE));
            assert!(matches!(e, Err(ShardError::ShardsWithoutAuto(4))), "{e:?}");
        }
        let text = ShardError::ShardsWithoutAuto(4).to_string();
        assert!(
            text.contains("--shards 4 is only read with --shard auto"),
            "{text}"
        );
    }

    #[test]
    fn auto_takes_the_slurm_task_id_as_the_shard_number() {
        let five_of_16 = format!("{:?}", Shard::new(5, 16));
        // The whole array, with N from DORASIM_SHARDS or --shards.
        let whole_with_env: &[(&str, &str)] = &[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "16"),
            ("SLURM_ARRAY_TASK_COUNT", "16"),
            ("DORASIM_SHARDS", "16"),
        ];
        assert_eq!(auto(None, whole_with_env), five_of_16);
        assert_eq!(auto(Some(16), SLURM_WHOLE), five_of_16);
        // `sbatch --array=5` alone (a resubmitted task): a one-task array, still shard 5 of 16.
        let resubmitted: &[(&str, &str)] = &[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "5"),
            ("SLURM_ARRAY_TASK_MAX", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
            ("SLURM_ARRAY_TASK_STEP", "1"),
        ];
        assert_eq!(auto(Some(16), resubmitted), five_of_16);
        // `--array=1-16:2` (stepped) and `--array=1,5,9` (listed).
        let stepped: &[(&str, &str)] = &[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "15"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ];
        assert_eq!(auto(Some(16), stepped), five_of_16);
        let listed: &[(&str, &str)] = &[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "9"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ];
        assert_eq!(auto(Some(16), listed), five_of_16);
        // The last task, and an array with only the ID set (older Slurm).
        assert_eq!(
            auto(Some(16), &[("SLURM_ARRAY_TASK_ID", "16")]),
            format!("{:?}", Shard::new(16, 16))
        );
    }

    #[test]
    fn auto_refuses_a_slurm_array_whose_count_is_not_stated() {
        // Deriving N from the array would make a resubmitted task shard 1/1 (the whole study).
        let resubmitted: &[(&str, &str)] = &[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "3"),
            ("SLURM_ARRAY_TASK_MAX", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
        ];
        for vars in [SLURM_WHOLE, resubmitted] {
            let e = Shard::resolve(Some("auto"), None, &env(vars));
            assert!(
                matches!(e, Err(ShardError::SlurmNeedsCount { .. })),
                "{e:?}"
            );
        }
        let text = auto(None, resubmitted);
        for part in [
            "Slurm array task 3 needs the number of shards",
            "--shards N or set DORASIM_SHARDS=N",
            "sbatch --array=1-N",
            "--shard \"${SLURM_ARRAY_TASK_ID}/N\"",
            "the array's size (SLURM_ARRAY_TASK_COUNT=1)",
            "--array=1-16:2",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
    }

    #[test]
    fn auto_refuses_slurm_tasks_outside_1_to_n_in_every_task() {
        // `--array=0-15`: every task refuses (task 4 too), not only task 0.
        let zero_based: &[(&str, &str)] = &[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "15"),
            ("SLURM_ARRAY_TASK_COUNT", "16"),
        ];
        let text = auto(Some(16), zero_based);
        assert!(
            text.contains(
                "Slurm array tasks are shard numbers, 1 to 16, but this array starts at task 0 \
                 (SLURM_ARRAY_TASK_MIN=0)"
            ),
            "{text}"
        );
        assert!(text.contains("sbatch --array=1-16"), "{text}");
        // `--array=1-20` for 16 shards: task 2 refuses as well.
        let too_many: &[(&str, &str)] = &[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "20"),
        ];
        assert!(auto(Some(16), too_many).contains("SLURM_ARRAY_TASK_MAX=20"));
        // A task beyond N, or task 0, when the bounds are not in the environment.
        assert!(auto(Some(16), &[("SLURM_ARRAY_TASK_ID", "17")]).contains("has task 17"));
        assert!(auto(Some(16), &[("SLURM_ARRAY_TASK_ID", "0")]).contains("has task 0"));
        for (shards, vars) in [
            (Some(16), zero_based),
            (Some(16), too_many),
            (Some(16), &[("SLURM_ARRAY_TASK_ID", "0")][..]),
        ] {
            let e = Shard::resolve(Some("auto"), shards, &env(vars));
            assert!(
                matches!(e, Err(ShardError::SlurmTaskOutside { count: 16, .. })),
                "{e:?}"
            );
        }
    }

    #[test]
    fn auto_reads_a_kubernetes_index_from_0() {
        let first: &[(&str, &str)] = &[("JOB_COMPLETION_INDEX", "0"), ("DORASIM_SHARDS", "4")];
        assert_eq!(auto(None, first), format!("{:?}", Shard::new(1, 4)));
        let last: &[(&str, &str)] = &[("JOB_COMPLETION_INDEX", "3"), ("DORASIM_SHARDS", "4")];
        assert_eq!(auto(None, last), format!("{:?}", Shard::new(4, 4)));
        // --shards wins over DORASIM_SHARDS.
        assert_eq!(auto(Some(8), last), format!("{:?}", Shard::new(4, 8)));
        let beyond: &[(&str, &str)] = &[("JOB_COMPLETION_INDEX", "4"), ("DORASIM_SHARDS", "4")];
        let e = Shard::resolve(Some("auto"), None, &env(beyond));
        assert!(
            matches!(
                e,
                Err(ShardError::KubernetesIndexOutside { index: 4, count: 4 })
            ),
            "{e:?}"
        );
        assert!(auto(None, beyond).contains("must be below the number of shards, 4"));
        let no_count: &[(&str, &str)] = &[("JOB_COMPLETION_INDEX", "0")];
        let text = auto(None, no_count);
        assert!(
            text.contains("needs the number of shards: pass --shards N or set DORASIM_SHARDS=N"),
            "{text}"
        );
        assert_eq!(auto(Some(2), no_count), format!("{:?}", Shard::new(1, 2)));
    }

    #[test]
    fn auto_refuses_what_it_cannot_read() {
        // Outside any array; in a Slurm job that is not an array.
        let text = auto(Some(4), &[]);
        assert!(text.contains("--shard auto found no job index"), "{text}");
        assert!(text.contains("use --shard K/N"), "{text}");
        let text = auto(Some(4), &[("SLURM_JOB_ID", "77")]);
        assert!(text.contains("Slurm job 77 is not an array"), "{text}");
        // Two schedulers at once.
        let both: &[(&str, &str)] = &[("SLURM_ARRAY_TASK_ID", "1"), ("JOB_COMPLETION_INDEX", "0")];
        let e = Shard::resolve(Some("auto"), Some(4), &env(both));
        assert!(
            matches!(
                e,
                Err(ShardError::TwoSchedulers {
                    slurm: 1,
                    kubernetes: 0
                })
            ),
            "{e:?}"
        );
        // Not numbers; a count of zero.
        let text = auto(Some(4), &[("SLURM_ARRAY_TASK_ID", "3a")]);
        assert!(
            text.contains("SLURM_ARRAY_TASK_ID=`3a` is not a whole number"),
            "{text}"
        );
        let text = auto(
            None,
            &[("SLURM_ARRAY_TASK_ID", "3"), ("DORASIM_SHARDS", "16x")],
        );
        assert!(text.contains("DORASIM_SHARDS=`16x`"), "{text}");
        assert!(auto(Some(0), SLURM_WHOLE).contains("(--shards = 0) must be at least 1"));
        let zero: &[(&str, &str)] = &[("SLURM_ARRAY_TASK_ID", "3"), ("DORASIM_SHARDS", "0")];
        assert!(auto(None, zero).contains("(DORASIM_SHARDS = 0) must be at least 1"));
        // `auto` is a word of its own, not a K/N.
        let text = Shard::resolve(Some("Auto"), None, &env(SLURM_WHOLE))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(text.contains("invalid shard `Auto`"), "{text}");
        assert!(
            text.contains("or --shard auto inside a Slurm job array"),
            "{text}"
        );
    }
}
