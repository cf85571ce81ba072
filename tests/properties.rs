//! Invariants that must hold for every valid parameter set, checked by proptest over random
//! scenarios (short horizons keep each case fast). The generator of cases has a fixed seed, so the
//! same 32 scenarios run every time.
//!
//! - every change is deployed at most once, by the deployment its record names;
//! - arrival ≤ first commit ≤ merge ≤ deployment, so lead time is never negative, and a
//!   deployed change's lead time in working hours lies between 0 and its wall-clock lead time;
//! - no metric is NaN unless it is undefined by definition (a rate or quantile with an empty
//!   denominator), and the change fail rate is NaN exactly when nothing was deployed;
//! - rates, shares and availability stay in [0, 1];
//! - results are bit-identical for 1 and 2 worker threads.

use std::collections::HashMap;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use dorasim::metrics::{Lens, Metric, ReplicationMetrics, compute};
use dorasim::model::Model;
use dorasim::model::params::{DeployPolicy, Params};
use dorasim::model::records::{DeployReason, RunRecords};
use dorasim::runner::{self, RunPlan, RunSummary};

/// A random valid parameter set, and a master seed.
fn scenario() -> impl Strategy<Value = (Params, u64)> {
    (
        (
            0.0..=1.0f64,  // adoption
            1u32..=12,     // reviewers
            1u32..=60,     // developers
            0.0..=1.0f64,  // coverage
            any::<bool>(), // continuous deployment
            1.0..=48.0f64, // deploy interval, hours
            0u32..=5,      // max batch
            any::<bool>(), // traffic replay
            any::<bool>(), // staging
            0.0..=1.0f64,  // observability
        ),
        (
            4u32..=8,
            1u32..=3,
            any::<bool>(),
            any::<bool>(),
            any::<u64>(),
        ),
    )
        .prop_map(
            |(
                (
                    adoption,
                    reviewers,
                    developers,
                    coverage,
                    continuous,
                    interval,
                    max_batch,
                    replay,
                    staging,
                    observability,
                ),
                (horizon, warmup, calendar, window, seed),
            )| {
                let mut p = Params::default();
                p.ai.adoption = adoption;
                p.review.reviewers = reviewers;
                p.team.developers = developers;
                p.testing.coverage = coverage;
                p.deploy.policy = if continuous {
                    DeployPolicy::Continuous
                } else {
                    DeployPolicy::Scheduled
                };
                p.deploy.interval_hours = interval;
                p.deploy.max_batch = max_batch;
                p.deploy.working_hours_only = window;
                p.testing.traffic_replay = replay;
                p.testing.staging = staging;
                p.recovery.observability = observability;
                p.time.horizon_weeks = f64::from(horizon);
                p.time.warmup_weeks = f64::from(warmup);
                p.time.working_calendar = calendar;
                (p, seed)
            },
        )
}

fn check_records(r: &RunRecords) -> Result<(), TestCaseError> {
    // Changes carried by each completed deployment, counted from the change records.
    let mut carried: HashMap<u32, u32> = HashMap::new();
    for c in &r.changes {
        let id = c.id;
        match c.deployment {
            Some(d) => {
                *carried.entry(d).or_default() += 1;
                let dep = r.deployments.get(d as usize);
                prop_assert!(dep.is_some(), "change {id} names missing deployment {d}");
                let dep = dep.unwrap_or_else(|| unreachable!());
                prop_assert!(
                    dep.reason != DeployReason::Rollback,
                    "change {id} carried by rollback {d}"
                );
                prop_assert_eq!(
                    dep.finished_hours.to_bits(),
                    c.deployed_hours.to_bits(),
                    "change {} deployed at {} but deployment {} finished at {}",
                    id,
                    c.deployed_hours,
                    d,
                    dep.finished_hours
                );
            }
            None => prop_assert!(
                c.deployed_hours.is_nan(),
                "change {id} has deployed_hours {} but no deployment",
                c.deployed_hours
            ),
        }
        let (a, f, m, d) = (
            c.arrived_hours,
            c.first_commit_hours,
            c.merged_hours,
            c.deployed_hours,
        );
        // A later milestone is reached only after the earlier ones.
        prop_assert!(
            m.is_finite() || !d.is_finite(),
            "change {id}: deployed, never merged"
        );
        prop_assert!(
            f.is_finite() || !m.is_finite(),
            "change {id}: merged, no first commit"
        );
        prop_assert!(
            a <= f || f.is_nan(),
            "change {id}: first commit {f} before arrival {a}"
        );
        prop_assert!(
            m.is_nan() || f <= m,
            "change {id}: merged {m} before first commit {f}"
        );
        prop_assert!(
            d.is_nan() || m <= d,
            "change {id}: deployed {d} before merge {m}"
        );
        prop_assert!(
            d.is_nan() || d - f >= 0.0,
            "change {id}: negative lead time {}",
            d - f
        );
        // Working hours: set exactly when deployed, never negative, never more than the clock.
        let w = f64::from(c.lead_working_hours);
        prop_assert_eq!(
            w.is_nan(),
            d.is_nan(),
            "change {}: working-hours lead time {} with deployed_hours {}",
            id,
            w,
            d
        );
        prop_assert!(
            w.is_nan() || (w >= 0.0 && w <= (d - f) * (1.0 + 1e-6) + 1e-6),
            "change {id}: working-hours lead time {w} outside [0, {}]",
            d - f
        );
    }
    let mut total = 0u64;
    for dep in &r.deployments {
        let id = dep.id;
        let seen = carried.get(&dep.id).copied().unwrap_or(0);
        if dep.reason == DeployReason::Rollback {
            prop_assert_eq!(dep.change_count, 0, "rollback {} carries changes", id);
            prop_assert!(dep.rolls_back.is_some(), "rollback {id} rolls nothing back");
        } else if dep.finished_hours.is_finite() {
            prop_assert_eq!(
                dep.change_count,
                seen,
                "deployment {} says it carried {} changes; {} changes name it",
                id,
                dep.change_count,
                seen
            );
            total += u64::from(dep.change_count);
        } else {
            // Still running at the end: its changes are not in production yet.
            prop_assert_eq!(seen, 0, "unfinished deployment {} has deployed changes", id);
        }
        prop_assert!(
            dep.finished_hours.is_nan() || dep.started_hours <= dep.finished_hours,
            "deployment {id} finished before it started"
        );
    }
    let deployed = r.changes.iter().filter(|c| c.deployment.is_some()).count() as u64;
    prop_assert_eq!(
        total,
        deployed,
        "sum of change_count {} vs changes with a deployment {}",
        total,
        deployed
    );
    for i in &r.incidents {
        prop_assert!(
            i.restored_hours.is_nan()
                || (i.started_hours <= i.detected_hours && i.detected_hours <= i.restored_hours),
            "incident {}: started {} detected {} restored {}",
            i.id,
            i.started_hours,
            i.detected_hours,
            i.restored_hours
        );
    }
    Ok(())
}

/// Metrics that may be NaN: rates over deployments, quantiles of empty samples (whatever ledger or
/// lens they come from, recognised by their key so that new lenses are covered), and means over
/// merged or delivered changes, reviews or injected defects. Everything else must be a number.
fn may_be_undefined(metric: Metric) -> bool {
    use Metric as M;
    let key = metric.def().key;
    key.ends_with("_rate")
        || key.contains("_p50")
        || key.contains("_p90")
        || matches!(
            metric,
            M::BatchSize
                | M::LeadTimeMean
                | M::ChangeSizeMean
                | M::PullRequestSizeMean
                | M::BugsPerDeveloperWeek
                | M::AiShare
                | M::ReviewRounds
                | M::ReviewDepth
                | M::ReviewWaitMean
                | M::EscapeRateHuman
                | M::EscapeRateAi
                | M::EscapeRateAgent
                | M::AgentShare
                | M::ReviewTimeOnAgents
                | M::ReviewEffortPerPr
                | M::LeadCoding
                | M::LeadReviewWait
                | M::LeadReview
                | M::LeadRework
                | M::LeadTests
                | M::LeadDeployWait
        )
}

/// Metrics that are shares of something: they must lie in [0, 1] when defined.
const SHARES: &[Metric] = &[
    Metric::TimeCoding,
    Metric::ReviewUtilisation,
    Metric::ChangeFailRate,
    Metric::ReworkRate,
    Metric::MeasuredChangeFailRate,
    Metric::MeasuredReworkRate,
    Metric::SafetyEnd,
    Metric::Availability,
    Metric::SloWeeksMet,
    Metric::AiShare,
    Metric::ReviewDepth,
    Metric::EscapeRateHuman,
    Metric::EscapeRateAi,
    Metric::TimeRework,
    Metric::TimeBugFixing,
    Metric::TimeIncidents,
    Metric::TimeMaintenance,
    Metric::TimeIdle,
];

fn check_metrics(m: &ReplicationMetrics) -> Result<(), TestCaseError> {
    for &metric in Metric::ALL {
        let v = m.get(metric);
        let key = metric.def().key;
        prop_assert!(!v.is_infinite(), "{key} is infinite");
        if !may_be_undefined(metric) {
            prop_assert!(!v.is_nan(), "{key} is NaN");
        }
    }
    let deployments = m.get(Metric::Deployments);
    prop_assert_eq!(
        m.get(Metric::ChangeFailRate).is_nan(),
        deployments == 0.0,
        "change fail rate {} with {} deployments",
        m.get(Metric::ChangeFailRate),
        deployments
    );
    let measured = m.get(Metric::MeasuredDeployments);
    prop_assert_eq!(
        m.get(Metric::MeasuredChangeFailRate).is_nan(),
        measured == 0.0,
        "measured change fail rate {} with {} measured deployments",
        m.get(Metric::MeasuredChangeFailRate),
        measured
    );
    for &metric in SHARES {
        let v = m.get(metric);
        prop_assert!(
            v.is_nan() || (0.0..=1.0).contains(&v),
            "{} = {v} outside [0, 1]",
            metric.def().key
        );
    }
    Ok(())
}

fn run(model: &Model, seed: u64, runs: u64, threads: usize) -> RunSummary {
    let plan = RunPlan {
        seed,
        runs,
        threads,
    };
    match runner::run(model, plan, |_, _| Ok(())) {
        Ok(summary) => summary,
        Err(e) => panic!("run failed: {e}"),
    }
}

/// Every metric's and every weekly series' summary, printed with Rust's shortest round-trip
/// formatting (so equal text means equal bits, and −0.0 ≠ 0.0).
fn fingerprint(s: &RunSummary) -> Vec<String> {
    let mut out: Vec<String> = s
        .metrics
        .iter()
        .map(|a| format!("{:?} {:?}", a.summary(), a.moments()))
        .collect();
    for week in &s.weekly {
        out.extend(week.iter().map(|a| format!("{:?}", a.summary())));
    }
    out.push(format!(
        "{} {} {:?} {:?}",
        s.runs, s.events, s.tiers_2023, s.tiers_2024
    ));
    out
}

fn assert_thread_independent(model: &Model, seed: u64, runs: u64) -> Result<(), TestCaseError> {
    let one = fingerprint(&run(model, seed, runs, 1));
    let two = fingerprint(&run(model, seed, runs, 2));
    prop_assert_eq!(one.len(), two.len());
    for (i, (a, b)) in one.iter().zip(&two).enumerate() {
        prop_assert_eq!(a, b, "row {} differs between 1 and 2 threads", i);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        rng_seed: RngSeed::Fixed(0x646f_7261),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn invariants_hold_for_random_scenarios((params, seed) in scenario()) {
        let model = Model::constant(params.clone());
        for replication in 0..2 {
            let records = model.run(seed, replication);
            check_records(&records)?;
            check_metrics(&compute(&records, params.reliability.slo_target, Lens::Truth))?;
        }
        assert_thread_independent(&model, seed, 6)?;
    }
}

/// More replications than one reduction batch of either thread count (64 per thread), so the
/// in-order reduction across batches is exercised too.
#[test]
fn many_replications_identical_for_one_and_two_threads() {
    let mut p = Params::default();
    p.time.horizon_weeks = 4.0;
    p.time.warmup_weeks = 1.0;
    let model = Model::constant(p);
    if let Err(e) = assert_thread_independent(&model, 99, 150) {
        panic!("{e}");
    }
}

/// Time-use shares (developer time coding, reviewer utilisation) must stay within [0, 1]: nobody
/// works more hours than the window holds. Two small, overloaded teams over a short horizon, where
/// single tasks are long compared with the window.
#[test]
fn time_use_shares_stay_within_one() {
    let small_team = |developers: u32, reviewers: u32, adoption: f64| {
        let mut p = Params::default();
        p.time.warmup_weeks = 1.0;
        p.time.horizon_weeks = 4.0;
        p.team.developers = developers;
        p.review.reviewers = reviewers;
        p.ai.adoption = adoption;
        p
    };
    for params in [small_team(5, 1, 0.0), small_team(24, 1, 0.9)] {
        let model = Model::constant(params.clone());
        for replication in 0..200 {
            let m = compute(
                &model.run(7, replication),
                params.reliability.slo_target,
                Lens::Truth,
            );
            for metric in [Metric::TimeCoding, Metric::ReviewUtilisation] {
                let v = m.get(metric);
                assert!(
                    v <= 1.0,
                    "{} = {v} > 1 in replication {replication} with {} developers, {} reviewers",
                    metric.def().key,
                    params.team.developers,
                    params.review.reviewers,
                );
            }
        }
    }
}
