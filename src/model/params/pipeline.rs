//! Parameters of the delivery pipeline: review, tests and deployment.

use super::*;
use crate::model::distribution::Dist;
use crate::{choice, section};

choice! {
    /// When merged changes reach production.
    pub enum DeployPolicy {
        /// Each merged change is deployed as soon as it is merged (up to `max_batch` together).
        Continuous = "continuous",
        /// Everything merged is deployed every `interval_hours` (a release train).
        Scheduled = "scheduled",
    }
}

section! {
    /// Code review.
    "review" => pub struct ReviewParams {
        /// Review capacity in full-time reviewers.
        reviewers: u32 = 6 => {
            unit: "people",
            accepts: PEOPLE,
            source: "scenario choice: 6 reviewer FTE in a 40-engineer team",
        },
        /// Review speed at full depth for hand-written code.
        loc_per_hour: f64 = 300.0 => {
            unit: "loc/hour",
            accepts: POSITIVE,
            source: "SmartBear/Cisco review study: 300-500 LOC/hour at most",
        },
        /// Fastest reading rate: every line is read at least this fast, and this minimum effort
        /// (with the per-PR overhead) is never cut by pressure.
        skim_loc_per_hour: f64 = 1500.0 => {
            unit: "loc/hour",
            accepts: POSITIVE,
            source: "SmartBear/Cisco review study: detection falls sharply above 500 LOC/hour; 1,500 LOC/hour as the skimming limit is a modelling assumption",
        },
        /// Longest sitting a reviewer gives one pull request in one round: a bigger pull request is
        /// read faster, at a lower depth, down to the skimming rate.
        max_session_hours: f64 = 1.0 => {
            unit: "hours",
            accepts: POSITIVE,
            source: "SmartBear/Cisco review study: review at most 60-90 minutes at a time, effectiveness falls after that",
        },
        /// Extra review effort for AI-assisted code to reach the same depth (0.5 = 50 % more).
        ai_extra_effort: f64 = 0.5 => {
            unit: "fraction",
            accepts: NON_NEGATIVE,
            source: "CodeRabbit 2025: AI PRs carry 1.7x the review findings; Faros AI 2025: review time +91 %",
        },
        /// Multiplicative noise on review effort (median 1); `exponential` with mean 1 gives an
        /// M/M/c review stage.
        effort_noise: Dist = Dist::lognormal(1.0, 2.0) => {
            unit: "multiplier",
            accepts: DIST,
            source: ASSUMPTION,
        },
        /// Probability of finding a described defect at full depth in a small pull request.
        described_detection: f64 = 0.6 => {
            unit: "probability",
            accepts: SHARE,
            source: "Capers Jones (Code Complete 2): formal inspection removes 60 % (modal)",
        },
        /// Probability of finding an integration defect at full depth in a small pull request.
        integration_detection: f64 = 0.25 => {
            unit: "probability",
            accepts: SHARE,
            source: "Capers Jones (Code Complete 2): informal code review removes 25 % (modal)",
        },
        /// Visibility of integration defects in AI-assisted code in a diff (1 = as visible as
        /// hand-written).
        ai_integration_visibility: f64 = 0.7 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "practitioner seed: \"the diff looks clean\"; modelling assumption, sweep it",
        },
        /// Pull requests above this size are reviewed worse.
        size_threshold_loc: f64 = 400.0 => {
            unit: "loc",
            accepts: POSITIVE,
            source: "SmartBear/Cisco review study: detection falls sharply above 400 LOC",
        },
        /// How fast detection falls above the size threshold.
        size_penalty_exponent: f64 = 0.0 => {
            unit: "exponent",
            accepts: NON_NEGATIVE,
            source: "modelling assumption shaped on the SmartBear/Cisco study",
        },
        /// Waiting pull requests per reviewer above which reviewers start cutting depth.
        pressure_threshold: f64 = 1.0 => {
            unit: "PRs/reviewer",
            accepts: NON_NEGATIVE,
            source: ASSUMPTION,
        },
        /// How strongly depth falls with queue pressure (0 disables load-dependent depth).
        pressure_sensitivity: f64 = 0.3 => {
            unit: "per PR/reviewer",
            accepts: NON_NEGATIVE,
            source: "modelling assumption; Faros AI 2026: PRs merged with no review +31 %",
        },
        /// The lowest depth reviewers aim for under pressure, as a share of the effort above the
        /// minimum reading effort.
        min_depth: f64 = 0.2 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// Maximum review rounds before a pull request is approved as it is.
        max_rounds: u32 = 4 => {
            unit: "rounds",
            accepts: COUNT,
            source: ASSUMPTION,
        },
        /// How often a reviewer reaches a break in their own work where a review could start (0 =
        /// reviewers watch the queue and start at once: no pickup delay).
        pickup_breaks_per_hour: f64 = 0.5 => {
            unit: "per working hour",
            accepts: NON_NEGATIVE,
            source: "Sadowski et al. 2018: median review latency about 4 h at Google (changes of ~24 lines), 17-24 h at other companies (Rigby & Bird 2013): pickup, not reading, dominates review time",
        },
        /// Mean length of the uninterrupted time at such a break (exponential): a review starts
        /// only at a break long enough for its sitting, so bigger pull requests wait longer.
        free_block_mean_hours: f64 = 0.4 => {
            unit: "hours",
            accepts: POSITIVE,
            source: "LinearB 2026 (8.1 M PRs): AI PRs, which are bigger, wait 4.6x longer for review pickup; modelling assumption for the value, sweep it",
        },
    }
}

section! {
    /// CI tests, traffic-derived tests and staging.
    "testing" => pub struct TestingParams {
        /// Test coverage.
        coverage: f64 = 0.7 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// Highest catch probability for described defects at full coverage.
        described_max_detection: f64 = 0.6 => {
            unit: "probability",
            accepts: SHARE,
            source: "Capers Jones (Code Complete 2): unit test 30 %, system test 40 %, no technique above about 75 %",
        },
        /// How fast described-defect detection saturates with coverage (diminishing returns).
        coverage_steepness: f64 = 3.0 => {
            unit: "per unit coverage",
            accepts: NON_NEGATIVE,
            source: "Inozemtseva & Holmes 2014, Mockus et al. 2009: coverage has diminishing returns",
        },
        /// Probability that the test suite catches an integration defect.
        integration_detection: f64 = 0.25 => {
            unit: "probability",
            accepts: SHARE,
            source: "Capers Jones (Code Complete 2): integration test 35 %, regression test 25 % (modal)",
        },
        /// Reduction of integration detection for AI-assisted changes whose tests are AI-written (0
        /// = none, 1 = never caught).
        blind_spot_correlation: f64 = 0.3 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// Traffic-derived tests (replaying production traffic) are on.
        traffic_replay: bool = false => {
            unit: "on/off",
            accepts: SWITCH,
            source: "scenario lever",
        },
        /// Probability that traffic-derived tests catch an integration defect, whoever wrote the
        /// code.
        traffic_replay_detection: f64 = 0.5 => {
            unit: "probability",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// Extra CI time when traffic replay is on.
        traffic_replay_hours: f64 = 0.5 => {
            unit: "hours",
            accepts: NON_NEGATIVE,
            source: ASSUMPTION,
        },
        /// CI pipeline duration (machines: around the clock).
        ci_hours: Dist = Dist::lognormal(0.4, 1.0) => {
            unit: "hours",
            accepts: DIST,
            source: ASSUMPTION,
        },
        /// Probability that a CI run fails on a flaky test and is retried.
        flaky_failure: f64 = 0.05 => {
            unit: "probability",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// Maximum automatic retries of a flaky run (at most 100: more is not a retry policy).
        max_retries: u32 = 2 => {
            unit: "retries",
            accepts: Accepts { min: Some(0.0), max: Some(100.0), integer: true, ..ANY },
            source: ASSUMPTION,
        },
        /// A staging soak is on.
        staging: bool = false => {
            unit: "on/off",
            accepts: SWITCH,
            source: "scenario lever",
        },
        /// Staging soak duration.
        staging_hours: Dist = Dist::constant(4.0) => {
            unit: "hours",
            accepts: DIST,
            source: ASSUMPTION,
        },
        /// Probability that staging catches an integration defect.
        staging_detection: f64 = 0.2 => {
            unit: "probability",
            accepts: SHARE,
            source: "Capers Jones (Code Complete 2): system test 40 % (modal); modelling assumption",
        },
    }
}

section! {
    /// Deployment policy.
    "deploy" => pub struct DeployParams {
        /// `continuous` or `scheduled`.
        policy: DeployPolicy = DeployPolicy::Scheduled => {
            unit: "choice",
            accepts: CHOICE,
            source: "scenario lever; DORA: elite teams deploy on demand",
        },
        /// Time between scheduled deployments (24 = a daily train).
        interval_hours: f64 = 24.0 => {
            unit: "hours",
            accepts: POSITIVE,
            source: ASSUMPTION,
        },
        /// Hour of Monday at which the first scheduled deployment leaves; the next ones follow
        /// every interval_hours (10 with a 24-hour interval: a daily train at 10:00).
        first_train_hour: f64 = 10.0 => {
            unit: "hour of the week",
            accepts: Accepts { min: Some(0.0), max: Some(168.0), max_exclusive: true, ..ANY },
            source: "modelling convention: inside the default working window",
        },
        /// Deploy only inside working hours (a deploy window).
        working_hours_only: bool = true => {
            unit: "on/off",
            accepts: SWITCH,
            source: "scenario lever",
        },
        /// Most changes one deployment carries (0 = no limit).
        max_batch: u32 = 0 => {
            unit: "changes",
            accepts: COUNT_OR_ZERO,
            source: "DORA capabilities: bigger batches go with higher change fail rates",
        },
        /// Under a scheduled policy, the share of user-facing bug fixes urgent enough to skip the
        /// train and deploy on their own (0: only hotfixes of production failures skip it; 1: every
        /// bug fix does).
        urgent_bug_fix_share: f64 = 0.2 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "DORA rework rate counts unplanned deployments made to fix a user-facing bug; with a release train only urgent fixes skip it; the share is a modelling assumption, sweep it",
        },
        /// Duration of a deployment.
        duration_hours: Dist = Dist::lognormal(0.25, 0.6) => {
            unit: "hours",
            accepts: DIST,
            source: ASSUMPTION,
        },
    }
}
