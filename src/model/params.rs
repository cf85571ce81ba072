//! Every parameter of the delivery system, one struct per part of the system.
//!
//! Field names are the scenario file's keys (`review.reviewers`, `ai.adoption`, ...). Every field
//! has a default calibrated to published evidence (see `docs/calibration.md`), so a scenario states
//! only what differs. Units are in the names: `_hours`, `_loc`, `_weeks`, `_per_week`.

use serde::{Deserialize, Serialize};

use super::distribution::Dist;

/// All parameters of one delivery system at one moment of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Run length and working calendar.
    pub time: TimeParams,
    /// Incoming work.
    pub demand: DemandParams,
    /// Developers and coding.
    pub team: TeamParams,
    /// AI-assisted development.
    pub ai: AiParams,
    /// Latent defects injected with each change.
    pub defects: DefectParams,
    /// Pull request splitting.
    pub pull_requests: PullRequestParams,
    /// Code review.
    pub review: ReviewParams,
    /// CI tests and staging.
    pub testing: TestingParams,
    /// Deployment policy.
    pub deploy: DeployParams,
    /// Escaped defects in production.
    pub production: ProductionParams,
    /// Detection, diagnosis and remediation of failures.
    pub recovery: RecoveryParams,
    /// Cumulative instability (fragility) and maintenance.
    pub fragility: FragilityParams,
    /// Service level objective used for reliability.
    pub reliability: ReliabilityParams,
    /// Culture: how metrics are used, gaming and learning behaviours.
    pub culture: CultureParams,
}

impl Params {
    /// Share of developer time on maintenance and debt pay-down: the team's share plus the
    /// culture's debt time, capped so some time is always left for changes.
    pub fn maintenance_share(&self) -> f64 {
        (self.team.maintenance_share + self.culture.debt_time_share).clamp(0.0, 0.95)
    }
}

/// Run length and working calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimeParams {
    /// Warm-up excluded from every metric (the pipeline starts empty), in weeks.
    pub warmup_weeks: f64,
    /// Measured horizon after the warm-up, in weeks.
    pub horizon_weeks: f64,
    /// Human work follows a working calendar (true) or runs around the clock (false).
    pub working_calendar: bool,
    /// Hour of the day the working day starts (0-23).
    pub workday_start_hour: f64,
    /// Working hours per day.
    pub hours_per_day: f64,
    /// Working days per week (days 1..=n of each week, Monday first).
    pub days_per_week: u32,
}

impl Default for TimeParams {
    fn default() -> Self {
        TimeParams {
            warmup_weeks: 6.0,
            horizon_weeks: 26.0,
            working_calendar: true,
            workday_start_hour: 9.0,
            hours_per_day: 8.0,
            days_per_week: 5,
        }
    }
}

/// How work items arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DemandMode {
    /// A Poisson process at `items_per_week`.
    Poisson,
    /// A backlog that never empties: developers always find work.
    Backlog,
}

/// Incoming work items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemandParams {
    /// `poisson` (arrivals at a weekly rate) or `backlog` (never empties).
    pub mode: DemandMode,
    /// Arrival rate for `poisson` mode, items per week.
    pub items_per_week: f64,
    /// Share of items that are features.
    pub feature_share: f64,
    /// Share of items that are bug fixes (the rest are configuration changes).
    pub bugfix_share: f64,
    /// Size of a feature, lines of code.
    pub feature_size_loc: Dist,
    /// Size of a bug fix, lines of code.
    pub bugfix_size_loc: Dist,
    /// Size of a configuration change, lines of code.
    pub config_size_loc: Dist,
}

impl Default for DemandParams {
    fn default() -> Self {
        DemandParams {
            mode: DemandMode::Backlog,
            items_per_week: 100.0,
            feature_share: 0.55,
            bugfix_share: 0.30,
            feature_size_loc: Dist::lognormal(80.0, 400.0),
            bugfix_size_loc: Dist::lognormal(25.0, 120.0),
            config_size_loc: Dist::lognormal(8.0, 30.0),
        }
    }
}

/// Developers and coding effort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeamParams {
    /// Developers who write code (reviewers are counted in `review.reviewers`).
    pub developers: u32,
    /// Changes one developer may have in flight (coding, in review, in rework, in tests).
    pub wip_limit: u32,
    /// Fixed coding effort per change, hours.
    pub coding_overhead_hours: f64,
    /// Coding effort per line of code written by hand, hours.
    pub coding_hours_per_loc: f64,
    /// Multiplicative noise on coding effort (median 1).
    pub coding_effort_noise: Dist,
    /// Effort to rework one defect found in review or tests, hours.
    pub rework_hours_per_defect: Dist,
    /// Share of developer time spent on maintenance and debt pay-down.
    pub maintenance_share: f64,
}

impl Default for TeamParams {
    fn default() -> Self {
        TeamParams {
            developers: 34,
            wip_limit: 3,
            coding_overhead_hours: 3.0,
            coding_hours_per_loc: 0.05,
            coding_effort_noise: Dist::lognormal(1.0, 2.0),
            rework_hours_per_defect: Dist::lognormal(0.75, 3.0),
            maintenance_share: 0.10,
        }
    }
}

/// AI-assisted development.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AiParams {
    /// Probability that a change is AI-assisted (the adoption level).
    pub adoption: f64,
    /// Coding speed-up of an AI-assisted change as a fraction (0.2 = 20 % less effort; negative
    /// values are slow-downs).
    pub speedup: Dist,
    /// Multiplier on change size for AI-assisted changes.
    pub size_multiplier: Dist,
    /// Multiplier on defects per line of code for AI-assisted code.
    pub defect_rate_multiplier: f64,
    /// Share of an AI-assisted change's defects that are integration (undescribed-scenario) defects.
    pub integration_share: f64,
    /// Share of AI-assisted changes whose tests are also AI-written.
    pub ai_written_tests_share: f64,
    /// Fragility added per AI-assisted change for duplicated and copy-pasted code.
    pub duplication_fragility: f64,
}

impl Default for AiParams {
    fn default() -> Self {
        AiParams {
            adoption: 0.4,
            speedup: Dist::triangular(-0.2, 0.2, 0.55),
            size_multiplier: Dist::lognormal(2.4, 5.0),
            defect_rate_multiplier: 0.25,
            integration_share: 0.4,
            ai_written_tests_share: 0.7,
            duplication_fragility: 0.02,
        }
    }
}

/// Latent defects injected with each change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DefectParams {
    /// Latent defects per 1,000 lines of hand-written code (all severities).
    pub per_kloc: f64,
    /// Share of a hand-written change's defects that are integration defects.
    pub integration_share: f64,
    /// Share of defects that cause a production failure needing immediate intervention.
    pub failure_share: f64,
    /// Share of defects that cause a user-facing bug (the rest are harmless).
    pub bug_share: f64,
}

impl Default for DefectParams {
    fn default() -> Self {
        DefectParams {
            per_kloc: 15.0,
            integration_share: 0.3,
            failure_share: 0.05,
            bug_share: 0.12,
        }
    }
}

/// Pull request splitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PullRequestParams {
    /// Changes larger than this are split into several pull requests, lines of code.
    pub max_loc: f64,
    /// Review overhead per pull request, hours.
    pub review_overhead_hours: f64,
}

impl Default for PullRequestParams {
    fn default() -> Self {
        PullRequestParams {
            max_loc: 400.0,
            review_overhead_hours: 0.25,
        }
    }
}

/// Code review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewParams {
    /// Review capacity in full-time reviewers.
    pub reviewers: u32,
    /// Review speed at full depth for hand-written code, lines of code per hour.
    pub loc_per_hour: f64,
    /// Fastest reading rate, lines of code per hour: however deep the review, every line is read
    /// at least this fast, and this minimum effort (with the per-PR overhead) is never cut.
    pub skim_loc_per_hour: f64,
    /// Longest sitting a reviewer gives one pull request in one round, hours: a bigger pull
    /// request is read faster, at a lower depth, down to the skimming rate.
    pub max_session_hours: f64,
    /// Extra review effort for AI-assisted code to reach the same depth (0.5 = 50 % more).
    pub ai_extra_effort: f64,
    /// Multiplicative noise on review effort (median 1). `exponential` with mean 1 gives an M/M/c
    /// review stage.
    pub effort_noise: Dist,
    /// Probability of finding a described defect at full depth in a small pull request.
    pub described_detection: f64,
    /// Probability of finding an integration defect at full depth in a small pull request.
    pub integration_detection: f64,
    /// Visibility of integration defects in AI-assisted code in a diff (1 = as visible as
    /// hand-written; lower: "the diff looks clean").
    pub ai_integration_visibility: f64,
    /// Pull requests above this size are reviewed worse, lines of code.
    pub size_threshold_loc: f64,
    /// How fast detection falls above the size threshold (exponent).
    pub size_penalty_exponent: f64,
    /// Waiting pull requests per reviewer above which reviewers start cutting depth.
    pub pressure_threshold: f64,
    /// How strongly depth falls with queue pressure (0 disables load-dependent depth).
    pub pressure_sensitivity: f64,
    /// The lowest depth reviewers aim for under pressure, as a share of the effort above the
    /// minimum reading effort (the achieved depth never falls below skimming).
    pub min_depth: f64,
    /// Maximum review rounds before a pull request is approved as it is.
    pub max_rounds: u32,
    /// How often, per working hour, a reviewer reaches a break in their own work where a review
    /// could start (0 = reviewers watch the queue and start at once: no pickup delay).
    pub pickup_breaks_per_hour: f64,
    /// Mean length of the uninterrupted time at such a break, hours (exponential): a review
    /// starts only at a break long enough for its sitting, so bigger pull requests wait longer.
    pub free_block_mean_hours: f64,
}

impl Default for ReviewParams {
    fn default() -> Self {
        ReviewParams {
            reviewers: 6,
            loc_per_hour: 300.0,
            skim_loc_per_hour: 1500.0,
            max_session_hours: 1.0,
            ai_extra_effort: 0.5,
            effort_noise: Dist::lognormal(1.0, 2.0),
            described_detection: 0.6,
            integration_detection: 0.25,
            ai_integration_visibility: 0.7,
            size_threshold_loc: 400.0,
            size_penalty_exponent: 0.0,
            pressure_threshold: 1.0,
            pressure_sensitivity: 0.3,
            min_depth: 0.2,
            max_rounds: 4,
            pickup_breaks_per_hour: 0.5,
            free_block_mean_hours: 0.4,
        }
    }
}

/// CI tests, traffic-derived tests and staging.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TestingParams {
    /// Test coverage (0-1).
    pub coverage: f64,
    /// Highest catch probability for described defects at full coverage.
    pub described_max_detection: f64,
    /// How fast described-defect detection saturates with coverage (diminishing returns).
    pub coverage_steepness: f64,
    /// Probability that the test suite catches an integration defect.
    pub integration_detection: f64,
    /// Blind-spot correlation: reduction of integration detection for AI-assisted changes whose
    /// tests are AI-written (0 = none, 1 = never caught).
    pub blind_spot_correlation: f64,
    /// Traffic-derived tests (replaying production traffic) are on.
    pub traffic_replay: bool,
    /// Probability that traffic-derived tests catch an integration defect, whoever wrote the code.
    pub traffic_replay_detection: f64,
    /// Extra CI time when traffic replay is on, hours.
    pub traffic_replay_hours: f64,
    /// CI pipeline duration, hours (machines: around the clock).
    pub ci_hours: Dist,
    /// Probability that a CI run fails on a flaky test and is retried.
    pub flaky_failure: f64,
    /// Maximum automatic retries of a flaky run.
    pub max_retries: u32,
    /// A staging soak is on.
    pub staging: bool,
    /// Staging soak duration, hours.
    pub staging_hours: Dist,
    /// Probability that staging catches an integration defect.
    pub staging_detection: f64,
}

impl Default for TestingParams {
    fn default() -> Self {
        TestingParams {
            coverage: 0.7,
            described_max_detection: 0.6,
            coverage_steepness: 3.0,
            integration_detection: 0.25,
            blind_spot_correlation: 0.3,
            traffic_replay: false,
            traffic_replay_detection: 0.5,
            traffic_replay_hours: 0.5,
            ci_hours: Dist::lognormal(0.4, 1.0),
            flaky_failure: 0.05,
            max_retries: 2,
            staging: false,
            staging_hours: Dist::constant(4.0),
            staging_detection: 0.2,
        }
    }
}

/// When merged changes reach production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeployPolicy {
    /// Each merged change is deployed as soon as it is merged (up to `max_batch` together).
    Continuous,
    /// Everything merged is deployed every `interval_hours` (a release train).
    Scheduled,
}

/// Deployment policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeployParams {
    /// `continuous` or `scheduled`.
    pub policy: DeployPolicy,
    /// Time between scheduled deployments, hours (24 = a daily train).
    pub interval_hours: f64,
    /// Hour of Monday (0-24) at which the first scheduled deployment leaves; later ones follow
    /// every `interval_hours` (10 with a 24-hour interval: a daily train at 10:00).
    pub first_train_hour: f64,
    /// Deploy only inside working hours (a deploy window).
    pub working_hours_only: bool,
    /// Most changes one deployment carries (0 = no limit).
    pub max_batch: u32,
    /// Under a scheduled policy, the share of user-facing bug fixes urgent enough to skip the
    /// train and deploy on their own (0: only hotfixes of production failures skip it; 1: every
    /// bug fix does). Under continuous deployment every fix deploys on its own anyway.
    pub urgent_bug_fix_share: f64,
    /// Duration of a deployment, hours.
    pub duration_hours: Dist,
}

impl Default for DeployParams {
    fn default() -> Self {
        DeployParams {
            policy: DeployPolicy::Scheduled,
            interval_hours: 24.0,
            first_train_hour: 10.0,
            working_hours_only: true,
            max_batch: 0,
            urgent_bug_fix_share: 0.2,
            duration_hours: Dist::lognormal(0.25, 0.6),
        }
    }
}

/// Escaped defects in production.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProductionParams {
    /// Probability that an escaped failure or bug ever manifests.
    pub manifest_probability: f64,
    /// Delay from deployment to manifestation, hours.
    pub manifest_delay_hours: Dist,
    /// User impact of a failure (share of users affected, 0-1).
    pub failure_impact: Dist,
    /// Delay from a user-facing bug manifesting to a fix being started, hours.
    pub bug_report_delay_hours: Dist,
    /// Effort to write a fix for a user-facing bug, hours.
    pub bug_fix_hours: Dist,
}

impl Default for ProductionParams {
    fn default() -> Self {
        ProductionParams {
            manifest_probability: 0.8,
            manifest_delay_hours: Dist::lognormal(12.0, 96.0),
            failure_impact: Dist::triangular(0.0, 0.01, 0.12),
            bug_report_delay_hours: Dist::lognormal(8.0, 48.0),
            bug_fix_hours: Dist::lognormal(2.0, 8.0),
        }
    }
}

/// Detection, diagnosis and remediation of failures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecoveryParams {
    /// Observability investment (0 = none, 1 = excellent): divides detection and diagnosis time
    /// by (1 + `observability_effect` × observability).
    pub observability: f64,
    /// How much full observability speeds detection and diagnosis.
    pub observability_effect: f64,
    /// Extra effect of observability on AI integration failures (tracing the undescribed path).
    pub observability_ai_effect: f64,
    /// Time from failure start to detection without observability, hours.
    pub detection_hours: Dist,
    /// Diagnosis time without observability, hours (log-normal: Franke et al.).
    pub diagnosis_hours: Dist,
    /// Diagnosis-time multiplier for integration failures in AI-generated code.
    pub ai_integration_diagnosis_multiplier: f64,
    /// Probability that a failed deployment can be rolled back.
    pub rollback_probability: f64,
    /// Rollback duration, hours.
    pub rollback_hours: Dist,
    /// Effort to write a hotfix when rollback is impossible, hours.
    pub hotfix_hours: Dist,
    /// Probability that an incident pulls a reviewer off review for its diagnosis.
    pub reviewer_pull_probability: f64,
}

impl Default for RecoveryParams {
    fn default() -> Self {
        RecoveryParams {
            observability: 0.3,
            observability_effect: 2.0,
            observability_ai_effect: 1.0,
            detection_hours: Dist::lognormal(0.5, 4.0),
            diagnosis_hours: Dist::lognormal(1.5, 8.0),
            ai_integration_diagnosis_multiplier: 1.8,
            rollback_probability: 0.7,
            rollback_hours: Dist::lognormal(0.3, 1.0),
            hotfix_hours: Dist::lognormal(2.0, 8.0),
            reviewer_pull_probability: 0.5,
        }
    }
}

/// Cumulative instability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FragilityParams {
    /// Fragility added by a change merged with review depth d: `shallow_review × (1 − d)`.
    pub shallow_review: f64,
    /// Fragility added by a change merged with coverage c: `untested × (1 − c)`.
    pub untested: f64,
    /// Fraction of fragility that decays per week without maintenance.
    pub decay_per_week: f64,
    /// Extra weekly decay per unit of `team.maintenance_share`.
    pub maintenance_decay_per_week: f64,
    /// Incidents per week per unit of fragility (not attributable to any deployment).
    pub incidents_per_week_per_unit: f64,
    /// Window for the interaction hazard, hours.
    pub interaction_window_hours: f64,
    /// Incidents per week per change deployed within the window beyond `interaction_free_changes`.
    pub interaction_incidents_per_week: f64,
    /// Changes per window that interact harmlessly.
    pub interaction_free_changes: f64,
    /// Start the measured horizon with the fragility stock at the level the warm-up's inflow
    /// sustains (a codebase with a history), instead of whatever the short warm-up accumulated
    /// from zero (a brand-new codebase, still filling up through the horizon).
    pub warm_start: bool,
}

impl Default for FragilityParams {
    fn default() -> Self {
        FragilityParams {
            shallow_review: 0.05,
            untested: 0.02,
            decay_per_week: 0.05,
            maintenance_decay_per_week: 1.0,
            incidents_per_week_per_unit: 0.05,
            interaction_window_hours: 24.0,
            interaction_incidents_per_week: 0.02,
            interaction_free_changes: 15.0,
            warm_start: true,
        }
    }
}

/// Service level objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReliabilityParams {
    /// Weekly availability target (0-1).
    pub slo_target: f64,
}

impl Default for ReliabilityParams {
    fn default() -> Self {
        ReliabilityParams { slo_target: 0.995 }
    }
}

/// Named starting points for the culture section; a scenario takes one and adjusts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CulturePreset {
    /// Metrics are watched but neither scored nor targeted; some post-mortems.
    Neutral,
    /// Team-level indicators, blameless post-mortems, time set aside for technical debt.
    Learning,
    /// Metrics as individual scorecards with targets; low psychological safety.
    Surveillance,
}

/// Culture: how the metrics are used, and the gaming and learning behaviours that follow.
///
/// Gaming intensities are not switched on directly: each behaviour's propensity is multiplied by
/// the gaming pressure, `(scorecards + targets) / 2 × (1 − psychological safety)`, so gaming
/// emerges from surveillance and targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CultureParams {
    /// The preset the other culture keys start from (applied when the scenario is read).
    pub preset: CulturePreset,
    /// Psychological safety (0-1): willingness to report near-misses and admit mistakes.
    pub psychological_safety: f64,
    /// Metrics are used as individual scorecards.
    pub individual_scorecards: bool,
    /// Targets are set on the metrics.
    pub metric_targets: bool,
    /// Padding deployments (empty or config-only) per week at full gaming pressure.
    pub padding_deploys_per_week: f64,
    /// Share of changes split artificially into extra pull requests at full pressure.
    pub pr_splitting: f64,
    /// Extra pull requests an artificially split change is cut into.
    pub extra_pull_requests: f64,
    /// Integration defects added per extra pull request (pieces that no longer fit together).
    pub split_integration_defects: f64,
    /// Share of incidents closed in the tool before the root cause is fixed, at full pressure.
    pub early_incident_close: f64,
    /// Probability that an incident closed early recurs.
    pub recurrence_probability: f64,
    /// Share of deployment failures reclassified as not deploy-related, at full pressure.
    pub failure_reclassification: f64,
    /// Share of hotfix and bug-fix deployments left out of the rework count, at full pressure.
    pub hotfix_exclusion: f64,
    /// Psychological safety lost each time an AI-amplified failure is blamed on a person
    /// (only with individual scorecards).
    pub blame_safety_loss: f64,
    /// Share of incidents followed by a blameless post-mortem.
    pub postmortems: f64,
    /// Reduction of the defect rate per post-mortem, scaled by psychological safety.
    pub postmortem_learning: f64,
    /// Reduction of the defect rate per near-miss reported (a defect caught in tests), scaled by
    /// psychological safety.
    pub near_miss_learning: f64,
    /// Lowest defect-rate multiplier learning can reach.
    pub learning_floor: f64,
    /// Extra share of developer time set aside for technical debt.
    pub debt_time_share: f64,
}

impl Default for CultureParams {
    fn default() -> Self {
        CultureParams::preset(CulturePreset::Neutral)
    }
}

impl CultureParams {
    /// The values of a preset.
    pub fn preset(preset: CulturePreset) -> Self {
        let neutral = CultureParams {
            preset: CulturePreset::Neutral,
            psychological_safety: 0.6,
            individual_scorecards: false,
            metric_targets: false,
            padding_deploys_per_week: 15.0,
            pr_splitting: 0.6,
            extra_pull_requests: 3.0,
            split_integration_defects: 0.1,
            early_incident_close: 0.6,
            recurrence_probability: 0.5,
            failure_reclassification: 0.5,
            hotfix_exclusion: 0.6,
            blame_safety_loss: 0.002,
            postmortems: 0.3,
            // Post-mortems in a neutral culture fix the incident but leave no lasting lesson, so
            // the reference system does not drift: systematic learning is the learning preset's.
            postmortem_learning: 0.0,
            near_miss_learning: 0.0,
            learning_floor: 0.6,
            debt_time_share: 0.0,
        };
        match preset {
            CulturePreset::Neutral => neutral,
            CulturePreset::Learning => CultureParams {
                preset,
                psychological_safety: 0.9,
                postmortems: 0.9,
                postmortem_learning: 0.005,
                near_miss_learning: 0.0001,
                debt_time_share: 0.1,
                ..neutral
            },
            CulturePreset::Surveillance => CultureParams {
                preset,
                psychological_safety: 0.2,
                individual_scorecards: true,
                metric_targets: true,
                postmortems: 0.1,
                // Blame keeps lessons shallow; what little is learned is scaled down further by
                // low psychological safety.
                postmortem_learning: 0.005,
                near_miss_learning: 0.0001,
                ..neutral
            },
        }
    }

    /// Gaming pressure (0-1) at a given psychological safety.
    pub fn gaming_pressure(&self, safety: f64) -> f64 {
        let use_ = (f64::from(u8::from(self.individual_scorecards))
            + f64::from(u8::from(self.metric_targets)))
            / 2.0;
        (use_ * (1.0 - safety.clamp(0.0, 1.0))).clamp(0.0, 1.0)
    }
}
