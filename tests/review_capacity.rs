//! Review capacity binds (issue: "review that binds"). With too few reviewers for the team, the
//! review queue must grow, change lead time rise and delivered changes fall, because a thin review
//! still costs a minimum reading effort per line and per pull request.
//!
//! Both arms start from the shipped defaults and run on common random numbers (same seed, same
//! replication indices), so the per-replication differences carry little noise. A claim holds
//! when the 99.9 % Student-t interval of the mean paired difference lies on the claimed side of
//! zero. The seed is fixed; 100 replications put the effects many interval widths from zero.

use dorasim::metrics::{Metric, ReplicationMetrics};
use dorasim::model::Model;
use dorasim::model::params::Params;
use dorasim::runner::{self, RunPlan};
use dorasim::stats::moments::Moments;

const SEED: u64 = 31;
const RUNS: u64 = 100;

fn replications(params: &Params) -> Vec<ReplicationMetrics> {
    let model = Model::constant(params.clone());
    let mut rows = Vec::new();
    let plan = RunPlan {
        seed: SEED,
        runs: RUNS,
        threads: 2,
    };
    runner::run(&model, plan, |_, m| {
        rows.push(m.clone());
        Ok(())
    })
    .expect("run");
    rows
}

/// Mean paired difference `b − a` of a metric and its 99.9 % half-width.
fn paired(a: &[ReplicationMetrics], b: &[ReplicationMetrics], metric: Metric) -> (f64, f64) {
    let mut m = Moments::new();
    for (x, y) in a.iter().zip(b) {
        let d = y.get(metric) - x.get(metric);
        if d.is_finite() {
            m.push(d);
        }
    }
    (m.mean(), m.ci_half_width(0.999))
}

#[test]
fn one_reviewer_for_34_developers_binds() {
    let six = Params::default();
    let mut one = Params::default();
    one.review.reviewers = 1;
    assert_eq!(six.review.reviewers, 6);
    assert_eq!(six.team.developers, 34);
    let a = replications(&six);
    let b = replications(&one);

    // Each metric and whether one reviewer must raise (true) or lower (false) it.
    for (metric, rises) in [
        (Metric::ReviewQueue, true),
        (Metric::LeadTimeP90, true),
        (Metric::LeadReviewWait, true),
        (Metric::ThroughputPerWeek, false),
    ] {
        let (diff, hw) = paired(&a, &b, metric);
        let holds = if rises {
            diff - hw > 0.0
        } else {
            diff + hw < 0.0
        };
        assert!(holds, "{metric:?}, 1 − 6 reviewers = {diff} ± {hw}");
    }
    // The single reviewer is the bottleneck: busy nearly all the time.
    let utilisation: f64 = b
        .iter()
        .map(|m| m.get(Metric::ReviewUtilisation))
        .sum::<f64>()
        / b.len() as f64;
    assert!(
        utilisation > 0.95,
        "one reviewer's utilisation {utilisation}"
    );
}

#[test]
fn a_suite_that_missed_a_defect_misses_it_on_every_rerun() {
    // With flaky CI failing every run and retried many times, the suite gets many runs per
    // change; detection is decided once per defect, so the escape rate must not fall.
    let base = Params::default();
    let mut flaky = Params::default();
    flaky.testing.flaky_failure = 1.0;
    flaky.testing.max_retries = 5;
    let a = replications(&base);
    let b = replications(&flaky);
    let caught = |rows: &[ReplicationMetrics]| -> f64 {
        rows.iter()
            .map(|m| m.get(Metric::TestsDescribedHuman) + m.get(Metric::TestsIntegrationHuman))
            .sum::<f64>()
            / rows.len() as f64
    };
    let injected = |rows: &[ReplicationMetrics]| -> f64 {
        rows.iter()
            .map(|m| {
                m.get(Metric::InjectedDescribedHuman) + m.get(Metric::InjectedIntegrationHuman)
            })
            .sum::<f64>()
            / rows.len() as f64
    };
    let share_a = caught(&a) / injected(&a);
    let share_b = caught(&b) / injected(&b);
    // Retries add time, not detection: the shares agree within a few percent (the time shift
    // moves which changes land in the window, nothing more).
    assert!(
        (share_b / share_a - 1.0).abs() < 0.05,
        "share caught in tests: {share_a} without retries, {share_b} with five"
    );
}
