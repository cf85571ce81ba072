//! The calibration suite: published figures the default model must reproduce, each checked by
//! running scenario arms on common random numbers and judging the simulated value against the
//! figure with a tolerance rule.
//!
//! Every target is declared once, in [`targets::TARGETS`]: its source, the arm or arms it runs
//! (parameter overrides on the built-in defaults, or a shipped scenario), the statistic, the
//! published figure and the rule. This module runs the arms (each distinct arm once, whatever
//! the number of targets that read it) and evaluates every target; [`render`] turns the result
//! into a terminal table, Markdown (the table of `docs/calibration.md`), CSV or JSON; the command
//! line only parses and prints.
//!
//! Statistics, computed per replication and then paired:
//!
//! - **Change** of a metric's mean from arm A to arm B, `mean(B) / mean(A) − 1`, or of a
//!   composite index (the geometric mean of several directed ratios), with a delta-method 95 %
//!   interval on paired replications ([`crate::stats::ratio`]); optionally divided by a factor
//!   (DORA 2024 reports effects per +25 points of adoption: measured from 0 to 0.5, halved).
//! - **Level** of a metric in one arm: the mean over replications with its Student-t interval.
//! - **Tier share**: the share of replications classified in a set of DORA 2024 tiers, with its
//!   Wilson interval.
//!
//! The verdict reads the point estimate (and, for sign-only targets, the interval); the interval
//! is shown, and when it straddles a tolerance edge the row is flagged *not converged*, with the
//! number of replications that would settle it.
//!
//! (About 740 lines: running the arms on common random numbers and judging every target, with the
//! tests of the verdict rules.)

pub mod render;
pub mod targets;
pub mod tolerance;

use serde::Serialize;

use crate::metrics::tiers::Tier;
use crate::metrics::{METRIC_COUNT, Metric};
use crate::runner::{self, RunError, RunPlan, TierCounts};
use crate::scenario::{self, Scenario};
use crate::stats::moments::Moments;
use crate::stats::ratio::{Component, index_change, wilson};

pub use targets::TARGETS;
pub use tolerance::{NotConverged, Rule, Verdict};

/// Replications per arm of `dorasim calibration` and of the generated table.
pub const DEFAULT_RUNS: u32 = 400;
/// Master seed of `dorasim calibration` and of the generated table.
pub const DEFAULT_SEED: u64 = 42;

/// Origin named in messages for the built-in defaults.
pub const DEFAULTS_ORIGIN: &str = "<built-in defaults>";

/// What an arm starts from, before its overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The built-in defaults of `dorasim params`, with no timeline.
    Defaults,
    /// The embedded default scenario (`scenarios/default.toml`, with its adoption ramp).
    EmbeddedDefault,
    /// A shipped scenario file, built into the binary.
    File {
        /// Its path in the repository, as shown.
        path: &'static str,
        /// Its text (`include_str!`).
        text: &'static str,
    },
}

/// One scenario a target runs: a base and `--set`-style overrides on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arm {
    /// What it starts from.
    pub base: Base,
    /// Overrides, `KEY=VALUE`, checked like `--set`.
    pub sets: &'static [&'static str],
}

impl Arm {
    /// The built-in defaults with overrides.
    pub const fn defaults(sets: &'static [&'static str]) -> Arm {
        Arm {
            base: Base::Defaults,
            sets,
        }
    }

    /// What the base is called.
    pub fn base_label(&self) -> &'static str {
        match self.base {
            Base::Defaults => "defaults",
            Base::EmbeddedDefault => "embedded default scenario",
            Base::File { path, .. } => path,
        }
    }

    /// A short description: the base and its overrides.
    pub fn label(&self) -> String {
        if self.sets.is_empty() {
            self.base_label().to_string()
        } else {
            format!("{} + {}", self.base_label(), self.sets.join(", "))
        }
    }

    /// The validated scenario of this arm.
    pub fn scenario(&self) -> Result<Scenario, CalibrationError> {
        let sets: Vec<String> = self.sets.iter().map(|s| s.to_string()).collect();
        let (text, origin) = match self.base {
            Base::Defaults => ("", DEFAULTS_ORIGIN),
            Base::EmbeddedDefault => (scenario::DEFAULT_SCENARIO, scenario::EMBEDDED_ORIGIN),
            Base::File { path, text } => (text, path),
        };
        scenario::apply_overrides(text, origin, &sets).map_err(|e| CalibrationError::Scenario {
            arm: self.label(),
            message: e.to_string(),
        })
    }
}

/// One component of a composite index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// The metric.
    pub metric: Metric,
    /// Counted as B over A (`true`), or A over B (a metric that falls when the index rises).
    pub rises: bool,
}

impl Part {
    /// A metric counted as B over A.
    pub const fn up(metric: Metric) -> Part {
        Part {
            metric,
            rises: true,
        }
    }

    /// A metric counted as A over B.
    pub const fn down(metric: Metric) -> Part {
        Part {
            metric,
            rises: false,
        }
    }
}

/// What a target measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// The change of an index of arm means from `a` to `b`, `exp(mean of directed log ratios) −
    /// 1` (one part: `mean(B) / mean(A) − 1`), divided by `per`.
    Change {
        /// Arm A.
        a: Arm,
        /// Arm B.
        b: Arm,
        /// The index's parts (one for a single metric).
        index: &'static [Part],
        /// Divisor of the change (2 for "per +25 points" measured over 0 → 0.5).
        per: f64,
    },
    /// The mean of a metric over the replications of one arm.
    Level {
        /// The arm.
        arm: Arm,
        /// The metric.
        metric: Metric,
    },
    /// The share of replications of one arm classified in one of `tiers` (DORA 2024 table).
    TierShare {
        /// The arm.
        arm: Arm,
        /// The tiers counted.
        tiers: &'static [Tier],
    },
}

impl Measure {
    /// The arms this measure runs.
    pub fn arms(&self) -> Vec<Arm> {
        match *self {
            Measure::Change { a, b, .. } => vec![a, b],
            Measure::Level { arm, .. } | Measure::TierShare { arm, .. } => vec![arm],
        }
    }

    /// The statistic's name: `change`, `level` or `tier_share`.
    pub fn kind(&self) -> &'static str {
        match self {
            Measure::Change { .. } => "change",
            Measure::Level { .. } => "level",
            Measure::TierShare { .. } => "tier_share",
        }
    }

    /// Where it is measured: the arm, or the two arms (only what differs when they share a
    /// base and keys, e.g. "ai.adoption 0 → 0.8 on the defaults").
    pub fn arms_label(&self) -> String {
        match *self {
            Measure::Change { a, b, per, .. } => {
                let arms = transition(&a, &b);
                if per == 1.0 {
                    arms
                } else {
                    format!("{arms}, change ÷ {per}")
                }
            }
            Measure::Level { arm, .. } | Measure::TierShare { arm, .. } => arm.label(),
        }
    }
}

/// "key a → b on the base" when the arms share a base and the same keys; "A → B" otherwise.
fn transition(a: &Arm, b: &Arm) -> String {
    fn split(s: &&'static str) -> Option<(&'static str, &'static str)> {
        s.split_once('=').map(|(k, v)| (k.trim(), v.trim()))
    }
    let pairs: Option<Vec<_>> = a.sets.iter().map(split).collect();
    let others: Option<Vec<_>> = b.sets.iter().map(split).collect();
    match (pairs, others) {
        (Some(x), Some(y))
            if a.base == b.base
                && !x.is_empty()
                && x.len() == y.len()
                && x.iter().zip(&y).all(|(p, q)| p.0 == q.0) =>
        {
            let changes: Vec<String> = x
                .iter()
                .zip(&y)
                .map(|(p, q)| {
                    if p.1 == q.1 {
                        format!("{}={}", p.0, p.1)
                    } else {
                        format!("{} {} → {}", p.0, p.1, q.1)
                    }
                })
                .collect();
            format!("{} on the {}", changes.join(", "), a.base_label())
        }
        _ => format!("{} → {}", a.label(), b.label()),
    }
}

/// One published figure and how the model is checked against it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Stable identifier, e.g. `faros-prs-merged`.
    pub id: &'static str,
    /// The source as cited in the evidence file, with its tag (`[P]`, `[S]`).
    pub source: &'static str,
    /// What is measured, in words.
    pub measured: &'static str,
    /// The arms and the statistic.
    pub measure: Measure,
    /// The published figure and the tolerance rule.
    pub rule: Rule,
    /// Why the model deliberately does not follow this figure (shown, never counted).
    pub superseded: Option<&'static str>,
    /// Anything else the reader needs (empty when nothing).
    pub note: &'static str,
}

impl Target {
    /// Whether the row counts towards the suite's verdict.
    pub fn counted(&self) -> bool {
        self.superseded.is_none()
    }
}

/// An estimate with its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Point estimate.
    pub value: f64,
    /// Lower end of the 95 % interval.
    pub ci95_low: f64,
    /// Upper end of the 95 % interval.
    pub ci95_high: f64,
    /// Replications (or pairs) it rests on.
    pub n: u64,
}

/// Errors of the calibration suite.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    /// An arm's scenario or overrides are invalid (a bug in the target table).
    #[error("calibration arm `{arm}` is not a valid scenario:\n{message}")]
    Scenario {
        /// The arm.
        arm: String,
        /// The scenario errors.
        message: String,
    },
    /// An arm's timeline cannot be compiled.
    #[error("calibration arm `{arm}`: timeline: {message}")]
    Timeline {
        /// The arm.
        arm: String,
        /// The cause.
        message: String,
    },
    /// The runner stopped (Ctrl-C, a guard, thread pool).
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Some counted targets missed: the command's outcome, after the table has been printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "calibration: {missed} of {counted} counted targets missed (see the table above, and docs/calibration.md)"
)]
pub struct TargetsMissed {
    /// Counted targets that missed.
    pub missed: usize,
    /// Counted targets.
    pub counted: usize,
}

/// How many replications, from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuitePlan {
    /// Master seed shared by every arm (common random numbers).
    pub seed: u64,
    /// Replications per arm.
    pub runs: u64,
    /// Worker threads (results are identical for any value).
    pub threads: usize,
}

/// The replications of one arm: every metric of every replication, and the DORA 2024 tiers.
#[derive(Debug, Clone)]
pub struct ArmRun {
    /// The arm.
    pub arm: Arm,
    /// `samples[metric][replication]` (NaN where undefined).
    pub samples: Vec<Vec<f64>>,
    /// Replications per DORA 2024 tier.
    pub tiers_2024: TierCounts,
    /// Wall time, seconds.
    pub wall_seconds: f64,
}

impl ArmRun {
    fn sample(&self, metric: Metric) -> &[f64] {
        &self.samples[metric as usize]
    }
}

/// One target's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The target.
    pub target: Target,
    /// The simulated value with its interval (`None` when it could not be computed).
    pub estimate: Option<Estimate>,
    /// Why there is no estimate.
    pub problem: Option<String>,
    /// Whether the estimate satisfies the rule (whatever the row's status).
    pub rule_passes: bool,
    /// Pass, miss, or superseded.
    pub verdict: Verdict,
    /// Set when the interval straddles a tolerance edge.
    pub not_converged: Option<NotConverged>,
}

/// The whole suite's result.
#[derive(Debug, Clone)]
pub struct Report {
    /// Master seed.
    pub seed: u64,
    /// Replications per arm.
    pub runs: u64,
    /// Distinct arms run.
    pub arms: Vec<Arm>,
    /// One per target, in table order.
    pub outcomes: Vec<Outcome>,
    /// Wall time of all the arms, seconds.
    pub wall_seconds: f64,
}

impl Report {
    /// Counted targets.
    pub fn counted(&self) -> usize {
        self.outcomes.iter().filter(|o| o.target.counted()).count()
    }

    /// Counted targets that passed.
    pub fn passed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.verdict == Verdict::Pass)
            .count()
    }

    /// Counted targets that missed.
    pub fn missed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.verdict == Verdict::Miss)
            .count()
    }

    /// Rows shown but not counted.
    pub fn superseded(&self) -> usize {
        self.outcomes.len() - self.counted()
    }

    /// Counted targets that missed with a 95 % CI straddling the tolerance edge: undecided at
    /// these runs (more replications could turn them either way).
    pub fn missed_not_converged(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.verdict == Verdict::Miss && o.not_converged.is_some())
            .count()
    }

    /// `Err` when a counted target missed beyond its sampling noise: the estimate and its whole
    /// 95 % CI outside the tolerance. A miss whose CI straddles the edge is reported (`MISS, not
    /// converged`, with the runs that would settle it) but does not fail, as a pass whose CI
    /// straddles the edge does not count as settled either: a model sitting on a tolerance edge
    /// would otherwise pass or fail with any change of random streams.
    pub fn check(&self) -> Result<(), TargetsMissed> {
        match self.missed() - self.missed_not_converged() {
            0 => Ok(()),
            missed => Err(TargetsMissed {
                missed,
                counted: self.counted(),
            }),
        }
    }
}

/// The distinct arms of `targets`, in order of first use.
pub fn distinct_arms(targets: &[Target]) -> Vec<Arm> {
    let mut arms: Vec<Arm> = Vec::new();
    for arm in targets.iter().flat_map(|t| t.measure.arms()) {
        if !arms.contains(&arm) {
            arms.push(arm);
        }
    }
    arms
}

/// Runs one arm: `plan.runs` replications from `plan.seed`, read through the true ledger.
/// `on_replication` is called after each replication (progress; an error stops the run).
pub fn run_arm(
    arm: Arm,
    plan: SuitePlan,
    on_replication: &mut dyn FnMut() -> Result<(), String>,
) -> Result<ArmRun, CalibrationError> {
    let scenario = arm.scenario()?;
    let model = scenario.model().map_err(|e| CalibrationError::Timeline {
        arm: arm.label(),
        message: e.to_string(),
    })?;
    let capacity = usize::try_from(plan.runs).unwrap_or(0);
    let mut samples: Vec<Vec<f64>> = (0..METRIC_COUNT)
        .map(|_| Vec::with_capacity(capacity))
        .collect();
    let run_plan = RunPlan {
        seed: plan.seed,
        runs: plan.runs,
        threads: plan.threads,
    };
    let summary = runner::run_with_lens(
        &model,
        run_plan,
        crate::metrics::ledger::Lens::Truth,
        |_, metrics| {
            for (column, &x) in samples.iter_mut().zip(metrics.values.iter()) {
                column.push(x);
            }
            on_replication()
        },
    )?;
    Ok(ArmRun {
        arm,
        samples,
        tiers_2024: summary.tiers_2024,
        wall_seconds: summary.wall_seconds,
    })
}

/// Runs every distinct arm of `targets` and evaluates every target.
pub fn run(
    targets: &[Target],
    plan: SuitePlan,
    on_replication: &mut dyn FnMut() -> Result<(), String>,
) -> Result<Report, CalibrationError> {
    let arms = distinct_arms(targets);
    let mut runs = Vec::with_capacity(arms.len());
    for &arm in &arms {
        runs.push(run_arm(arm, plan, on_replication)?);
    }
    let outcomes = targets
        .iter()
        .map(|t| evaluate(t, &runs, plan.runs))
        .collect();
    Ok(Report {
        seed: plan.seed,
        runs: plan.runs,
        arms,
        outcomes,
        wall_seconds: runs.iter().map(|r| r.wall_seconds).sum(),
    })
}

/// Computes a target's statistic from the arms' replications and judges it.
pub fn evaluate(target: &Target, runs: &[ArmRun], runs_per_arm: u64) -> Outcome {
    let (estimate, problem) = match estimate(&target.measure, runs) {
        Ok(e) => (Some(e), None),
        Err(problem) => (None, Some(problem)),
    };
    judge(target, estimate, problem, runs_per_arm)
}

/// Judges an estimate against a target's rule.
pub fn judge(
    target: &Target,
    estimate: Option<Estimate>,
    problem: Option<String>,
    runs_per_arm: u64,
) -> Outcome {
    let rule_passes = estimate.is_some_and(|e| target.rule.passes(&e));
    let verdict = match (target.counted(), rule_passes) {
        (false, _) => Verdict::Superseded,
        (true, true) => Verdict::Pass,
        (true, false) => Verdict::Miss,
    };
    let not_converged = estimate.and_then(|e| target.rule.not_converged(&e, runs_per_arm));
    Outcome {
        target: *target,
        estimate,
        problem,
        rule_passes,
        verdict,
        not_converged,
    }
}

fn find(runs: &[ArmRun], arm: Arm) -> Result<&ArmRun, String> {
    runs.iter()
        .find(|r| r.arm == arm)
        .ok_or_else(|| format!("arm `{}` was not run", arm.label()))
}

/// The statistic of `measure` from the arms' replications.
pub fn estimate(measure: &Measure, runs: &[ArmRun]) -> Result<Estimate, String> {
    match *measure {
        Measure::Change { a, b, index, per } => {
            let (ra, rb) = (find(runs, a)?, find(runs, b)?);
            let components: Vec<Component<'_>> = index
                .iter()
                .map(|p| Component {
                    a: ra.sample(p.metric),
                    b: rb.sample(p.metric),
                    b_over_a: p.rises,
                })
                .collect();
            let r = index_change(&components).map_err(|e| e.to_string())?;
            Ok(Estimate {
                value: r.change / per,
                ci95_low: r.ci95_low / per,
                ci95_high: r.ci95_high / per,
                n: r.n as u64,
            })
        }
        Measure::Level { arm, metric } => {
            let mut m = Moments::new();
            find(runs, arm)?
                .sample(metric)
                .iter()
                .for_each(|&x| m.push(x));
            if m.count() < 2 {
                return Err(format!(
                    "{} is defined in only {} replication(s)",
                    metric.def().label,
                    m.count()
                ));
            }
            let half = m.ci95_half_width();
            Ok(Estimate {
                value: m.mean(),
                ci95_low: m.mean() - half,
                ci95_high: m.mean() + half,
                n: m.count(),
            })
        }
        Measure::TierShare { arm, tiers } => {
            let counts = find(runs, arm)?.tiers_2024;
            let hits: u64 = Tier::ALL
                .iter()
                .zip(counts.counts)
                .filter(|(t, _)| tiers.contains(t))
                .map(|(_, c)| c)
                .sum();
            let total = counts.counts.iter().sum::<u64>() + counts.unclassified;
            if total == 0 {
                return Err("no replication".to_string());
            }
            let p = wilson(hits, total);
            Ok(Estimate {
                value: p.share,
                ci95_low: p.ci95_low,
                ci95_high: p.ci95_high,
                n: total,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Arm = Arm::defaults(&["ai.adoption=0"]);
    const B: Arm = Arm::defaults(&["ai.adoption=0.8"]);
    const PULL_REQUESTS: &[Part] = &[Part::up(Metric::PullRequestsPerWeek)];

    fn target(rule: Rule, superseded: Option<&'static str>) -> Target {
        Target {
            id: "t",
            source: "test [P]",
            measured: "pull requests merged per week",
            measure: Measure::Change {
                a: A,
                b: B,
                index: PULL_REQUESTS,
                per: 1.0,
            },
            rule,
            superseded,
            note: "",
        }
    }

    fn arm_run(arm: Arm, metric: Metric, values: &[f64], tiers: [u64; 4]) -> ArmRun {
        let mut samples = vec![vec![f64::NAN; values.len()]; METRIC_COUNT];
        samples[metric as usize] = values.to_vec();
        ArmRun {
            arm,
            samples,
            tiers_2024: TierCounts {
                counts: tiers,
                unclassified: 0,
            },
            wall_seconds: 0.0,
        }
    }

    #[test]
    fn arms_are_labelled_by_what_differs() {
        let m = target(Rule::Positive, None).measure;
        assert_eq!(m.arms_label(), "ai.adoption 0 → 0.8 on the defaults");
        let level = Measure::Level {
            arm: Arm {
                base: Base::EmbeddedDefault,
                sets: &[],
            },
            metric: Metric::ChangeFailRate,
        };
        assert_eq!(level.arms_label(), "embedded default scenario");
        assert!(A.scenario().is_ok() && B.scenario().is_ok());
        assert_eq!(
            distinct_arms(&[target(Rule::Positive, None); 3]),
            vec![A, B]
        );
    }

    #[test]
    fn a_change_is_the_ratio_of_arm_means_divided_by_per() {
        let runs = [
            arm_run(
                A,
                Metric::PullRequestsPerWeek,
                &[100.0, 110.0, 90.0],
                [0; 4],
            ),
            arm_run(
                B,
                Metric::PullRequestsPerWeek,
                &[200.0, 230.0, 170.0],
                [0; 4],
            ),
        ];
        let mut t = target(Rule::FactorTwo { figure: 0.98 }, None);
        let o = evaluate(&t, &runs, 3);
        let e = o.estimate.unwrap_or_else(|| panic!("{:?}", o.problem));
        assert!((e.value - 1.0).abs() < 1e-12);
        assert!(e.ci95_low < 1.0 && e.ci95_high > 1.0);
        assert_eq!(o.verdict, Verdict::Pass);
        if let Measure::Change { per, .. } = &mut t.measure {
            *per = 2.0;
        }
        let halved = estimate(&t.measure, &runs).unwrap_or_else(|e| panic!("{e}"));
        assert!((halved.value - 0.5).abs() < 1e-12);
    }

    #[test]
    fn superseded_rows_never_fail() {
        let runs = [
            arm_run(A, Metric::PullRequestsPerWeek, &[100.0, 100.0], [0; 4]),
            arm_run(B, Metric::PullRequestsPerWeek, &[50.0, 50.0], [0; 4]),
        ];
        let t = target(Rule::FactorTwo { figure: 0.98 }, Some("newer evidence"));
        let o = evaluate(&t, &runs, 2);
        assert!(!o.rule_passes);
        assert_eq!(o.verdict, Verdict::Superseded);
        let report = Report {
            seed: 1,
            runs: 2,
            arms: vec![A, B],
            outcomes: vec![o],
            wall_seconds: 0.0,
        };
        assert_eq!((report.counted(), report.missed()), (0, 0));
        assert_eq!(report.check(), Ok(()));
    }

    #[test]
    fn an_undefined_statistic_misses_with_its_reason() {
        let runs = [
            arm_run(A, Metric::PullRequestsPerWeek, &[f64::NAN, 1.0], [0; 4]),
            arm_run(B, Metric::PullRequestsPerWeek, &[1.0, 1.0], [0; 4]),
        ];
        let o = evaluate(&target(Rule::Positive, None), &runs, 2);
        assert_eq!(o.verdict, Verdict::Miss);
        assert!(o.problem.is_some_and(|p| p.contains("at least 2")));
        let report = Report {
            seed: 1,
            runs: 2,
            arms: vec![A, B],
            outcomes: vec![evaluate(&target(Rule::Positive, None), &runs, 2)],
            wall_seconds: 0.0,
        };
        assert_eq!(
            report.check(),
            Err(TargetsMissed {
                missed: 1,
                counted: 1
            })
        );
    }

    #[test]
    fn tier_shares_count_unclassified_replications_in_the_denominator() {
        let mut run = arm_run(A, Metric::ChangeFailRate, &[0.1; 4], [1, 2, 3, 2]);
        run.tiers_2024.unclassified = 2;
        let m = Measure::TierShare {
            arm: A,
            tiers: &[Tier::High, Tier::Medium],
        };
        let e = estimate(&m, &[run]).unwrap_or_else(|e| panic!("{e}"));
        assert!((e.value - 0.5).abs() < 1e-12);
        assert_eq!(e.n, 10);
        assert!(e.ci95_low < 0.5 && e.ci95_high > 0.5);
    }
}
