//! The catalogue of parameters: unit, meaning, evidence and accepted range of every leaf key of
//! [`Params`]. Validation reads its ranges from here, and `dorasim params` prints it, so the
//! documentation and the checks cannot drift apart. A unit test fails when a field of `Params` is
//! missing from the catalogue.

use serde::Serialize;

use crate::model::params::Params;

/// What one parameter means and which values it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ParamInfo {
    /// Key path in a scenario file (`review.reviewers`).
    pub key: &'static str,
    /// Unit of the value (`hours`, `loc`, `share 0-1`, `people`).
    pub unit: &'static str,
    /// What the parameter means.
    pub meaning: &'static str,
    /// The evidence behind the default (see the calibration notes), or why there is none.
    pub source: &'static str,
    /// Lowest accepted value (for a distribution: lowest value it may produce).
    pub min: Option<f64>,
    /// Highest accepted value (for a distribution: highest value it may produce).
    pub max: Option<f64>,
    /// `min` itself is not accepted (the value must be strictly greater).
    pub min_exclusive: bool,
    /// `max` itself is not accepted (the value must be strictly smaller).
    pub max_exclusive: bool,
    /// Whole numbers only.
    pub integer: bool,
    /// Accepted words for a choice (empty for other parameters).
    pub choices: &'static [&'static str],
}

impl ParamInfo {
    /// The accepted range as text, such as `>= 0`, `in [0, 1]` or `> 0 and <= 24`.
    pub fn range_text(&self) -> String {
        let low = self
            .min
            .map(|m| (if self.min_exclusive { "> " } else { ">= " }, m));
        let high = self
            .max
            .map(|m| (if self.max_exclusive { "< " } else { "<= " }, m));
        match (low, high) {
            (Some((">= ", a)), Some(("<= ", b))) => format!("in [{a}, {b}]"),
            (Some((l, a)), Some((h, b))) => format!("{l}{a} and {h}{b}"),
            (Some((l, a)), None) => format!("{l}{a}"),
            (None, Some((h, b))) => format!("{h}{b}"),
            (None, None) if !self.choices.is_empty() => {
                format!("one of {}", self.choices.join(", "))
            }
            (None, None) if self.unit == "on/off" => "true or false".to_string(),
            (None, None) if self.unit == "distribution" => {
                "a distribution (see docs/model.md)".to_string()
            }
            (None, None) => "any value of its type".to_string(),
        }
    }

    /// True when `value` lies in the accepted range (NaN never does).
    pub fn accepts(&self, value: f64) -> bool {
        if !value.is_finite() {
            return false;
        }
        let above = match self.min {
            Some(m) if self.min_exclusive => value > m,
            Some(m) => value >= m,
            None => true,
        };
        let below = match self.max {
            Some(m) if self.max_exclusive => value < m,
            Some(m) => value <= m,
            None => true,
        };
        above && below
    }
}

/// Accepted values of a parameter, shared by many entries.
#[derive(Clone, Copy)]
struct Accepts {
    min: Option<f64>,
    max: Option<f64>,
    min_exclusive: bool,
    max_exclusive: bool,
    integer: bool,
    choices: &'static [&'static str],
}

const ANY: Accepts = Accepts {
    min: None,
    max: None,
    min_exclusive: false,
    max_exclusive: false,
    integer: false,
    choices: &[],
};
/// The largest value any unbounded-by-meaning parameter accepts: a million hours (114 years),
/// lines, rounds, or events per week (about 100 a minute). Far beyond any delivery system, and
/// small enough that rates, hazards and durations never overflow to infinity in the model.
const LARGEST: f64 = 1e6;

/// Probabilities and shares.
const SHARE: Accepts = Accepts {
    min: Some(0.0),
    max: Some(1.0),
    ..ANY
};
const NON_NEGATIVE: Accepts = Accepts {
    min: Some(0.0),
    max: Some(LARGEST),
    ..ANY
};
const POSITIVE: Accepts = Accepts {
    min: Some(0.0),
    max: Some(LARGEST),
    min_exclusive: true,
    ..ANY
};
/// Counts that must be at least one (people, rounds).
const COUNT: Accepts = Accepts {
    min: Some(1.0),
    max: Some(LARGEST),
    integer: true,
    ..ANY
};
/// Head counts: at least one person, and at most 100,000 (a larger organisation is not one
/// delivery system, and every person is simulated).
const PEOPLE: Accepts = Accepts {
    min: Some(1.0),
    max: Some(100_000.0),
    integer: true,
    ..ANY
};
/// Counts where zero means "none" or "no limit".
const COUNT_OR_ZERO: Accepts = Accepts {
    min: Some(0.0),
    max: Some(LARGEST),
    integer: true,
    ..ANY
};
/// On/off switches.
const SWITCH: Accepts = ANY;
/// Distributions of non-negative quantities (durations, sizes, multipliers). Unbounded above:
/// a log-normal has no largest value; the runaway guards bound what extreme draws can cost.
const DIST: Accepts = Accepts {
    min: Some(0.0),
    ..ANY
};

const fn entry(
    key: &'static str,
    unit: &'static str,
    meaning: &'static str,
    source: &'static str,
    accepts: Accepts,
) -> ParamInfo {
    ParamInfo {
        key,
        unit,
        meaning,
        source,
        min: accepts.min,
        max: accepts.max,
        min_exclusive: accepts.min_exclusive,
        max_exclusive: accepts.max_exclusive,
        integer: accepts.integer,
        choices: accepts.choices,
    }
}

const ASSUMPTION: &str = "modelling assumption, sweep it";

static CATALOGUE: &[ParamInfo] = &[
    // time
    entry(
        "time.warmup_weeks",
        "weeks",
        "Warm-up excluded from every metric (the pipeline starts empty).",
        "modelling assumption: long enough for the review queue to fill; check it with a longer warm-up",
        // Ten years: beyond it a warm-up only burns time (and the horizon has its own bound).
        Accepts {
            min: Some(0.0),
            max: Some(520.0),
            ..ANY
        },
    ),
    entry(
        "time.horizon_weeks",
        "weeks",
        "Measured horizon after the warm-up.",
        "modelling assumption: half a year, a usual planning horizon",
        // Twenty years: a longer horizon is no longer a projection, and it costs memory.
        Accepts {
            min: Some(0.0),
            min_exclusive: true,
            max: Some(1040.0),
            ..ANY
        },
    ),
    entry(
        "time.working_calendar",
        "on/off",
        "Human work follows a working calendar (true) or runs around the clock (false).",
        "modelling convention",
        SWITCH,
    ),
    entry(
        "time.workday_start_hour",
        "hour of day",
        "Hour of the day the working day starts (0-23).",
        "modelling convention: a 9:00 start",
        Accepts {
            min: Some(0.0),
            max: Some(24.0),
            max_exclusive: true,
            ..ANY
        },
    ),
    entry(
        "time.hours_per_day",
        "hours/day",
        "Working hours per day (at least a quarter of an hour: shorter days make every hour of work span weeks of calendar, and the calendar arithmetic crawl).",
        "modelling convention: an 8-hour day",
        Accepts {
            min: Some(0.25),
            max: Some(24.0),
            ..ANY
        },
    ),
    entry(
        "time.days_per_week",
        "days/week",
        "Working days per week (days 1..=n of each week, Monday first).",
        "modelling convention: a 5-day week",
        Accepts {
            min: Some(1.0),
            max: Some(7.0),
            integer: true,
            ..ANY
        },
    ),
    // demand
    entry(
        "demand.mode",
        "choice",
        "`poisson` (arrivals at a weekly rate) or `backlog` (never empties).",
        "modelling assumption: a team with more work than capacity; use poisson to study utilisation",
        Accepts {
            choices: &["poisson", "backlog"],
            ..ANY
        },
    ),
    entry(
        "demand.items_per_week",
        "items/week",
        "Arrival rate for `poisson` mode.",
        ASSUMPTION,
        POSITIVE,
    ),
    entry(
        "demand.feature_share",
        "share 0-1",
        "Share of items that are features.",
        ASSUMPTION,
        SHARE,
    ),
    entry(
        "demand.bugfix_share",
        "share 0-1",
        "Share of items that are bug fixes (the rest are configuration changes).",
        "modelling assumption; Google SRE: configuration pushes cause 31 % of outages, so configuration changes are common",
        SHARE,
    ),
    entry(
        "demand.feature_size_loc",
        "loc",
        "Size of a feature.",
        "Sadowski et al. 2018: median change 24 lines at Google, 44-263 elsewhere; the tail is a modelling assumption",
        DIST,
    ),
    entry(
        "demand.bugfix_size_loc",
        "loc",
        "Size of a bug fix.",
        "Sadowski et al. 2018: median change 24 lines at Google",
        DIST,
    ),
    entry(
        "demand.config_size_loc",
        "loc",
        "Size of a configuration change.",
        ASSUMPTION,
        DIST,
    ),
    // team
    entry(
        "team.developers",
        "people",
        "Developers who write code (reviewers are counted in `review.reviewers`).",
        "scenario choice: 34 developers + 6 reviewer FTE make a 40-engineer team",
        PEOPLE,
    ),
    entry(
        "team.wip_limit",
        "changes",
        "Changes one developer may have in flight (coding, in review, in rework, in tests).",
        ASSUMPTION,
        COUNT,
    ),
    entry(
        "team.coding_overhead_hours",
        "hours",
        "Fixed coding effort per change.",
        "modelling assumption, set so a developer authors about 3 changes a week (Sadowski et al. 2018)",
        NON_NEGATIVE,
    ),
    entry(
        "team.coding_hours_per_loc",
        "hours/loc",
        "Coding effort per line of code written by hand.",
        "modelling assumption, set so a developer authors about 3 changes a week (Sadowski et al. 2018)",
        NON_NEGATIVE,
    ),
    entry(
        "team.coding_effort_noise",
        "multiplier",
        "Multiplicative noise on coding effort (median 1).",
        ASSUMPTION,
        DIST,
    ),
    entry(
        "team.rework_hours_per_defect",
        "hours",
        "Effort to rework one defect found in review or tests.",
        ASSUMPTION,
        DIST,
    ),
    entry(
        "team.maintenance_share",
        "share 0-1",
        "Share of developer time spent on maintenance and debt pay-down.",
        ASSUMPTION,
        Accepts {
            min: Some(0.0),
            max: Some(1.0),
            max_exclusive: true,
            ..ANY
        },
    ),
    // ai
    entry(
        "ai.adoption",
        "share 0-1",
        "Probability that a change is AI-assisted (the adoption level).",
        "scenario choice; DORA 2024 reports effects per +25 % adoption",
        SHARE,
    ),
    entry(
        "ai.speedup",
        "fraction",
        "Coding speed-up of an AI-assisted change (0.2 = 20 % less effort; negative values are slow-downs).",
        "METR 2025 RCT -19 % (slower) to Copilot experiment 2023 +55.8 %, Google RCT 2024 about +21 %: triangular -20 %..+55 %",
        Accepts {
            max: Some(1.0),
            ..ANY
        },
    ),
    entry(
        "ai.size_multiplier",
        "multiplier",
        "Multiplier on change size for AI-assisted changes.",
        "Faros AI 2025: PR size +154 % in high-adoption teams",
        DIST,
    ),
    entry(
        "ai.defect_rate_multiplier",
        "multiplier",
        "Multiplier on defects per line of code for AI-assisted code.",
        "Faros AI 2025: bugs per developer +9 % on much more code (fewer per line); Uplevel 2024: bug rate +41 %; sweep it",
        NON_NEGATIVE,
    ),
    entry(
        "ai.integration_share",
        "share 0-1",
        "Share of an AI-assisted change's defects that are integration (undescribed-scenario) defects.",
        "practitioner seed: AI misses the undescribed scenarios; modelling assumption, sweep it",
        SHARE,
    ),
    entry(
        "ai.ai_written_tests_share",
        "share 0-1",
        "Share of AI-assisted changes whose tests are also AI-written.",
        ASSUMPTION,
        SHARE,
    ),
    entry(
        "ai.duplication_fragility",
        "fragility/change",
        "Fragility added per AI-assisted change for duplicated and copy-pasted code.",
        "GitClear 2025: copy-pasted lines 8.4 % -> 12.3 %, refactored lines 24.8 % -> 9.5 %; size is an assumption",
        NON_NEGATIVE,
    ),
    // defects
    entry(
        "defects.per_kloc",
        "defects/kloc",
        "Latent defects per 1,000 lines of hand-written code (all severities).",
        "modelling assumption, tuned with the shares below toward DORA Quick Check rates",
        NON_NEGATIVE,
    ),
    entry(
        "defects.integration_share",
        "share 0-1",
        "Share of a hand-written change's defects that are integration defects.",
        ASSUMPTION,
        SHARE,
    ),
    entry(
        "defects.failure_share",
        "share 0-1",
        "Share of defects that cause a production failure needing immediate intervention.",
        "modelling assumption, tuned toward DORA Quick Check mean change fail rate about 17-19 %",
        SHARE,
    ),
    entry(
        "defects.bug_share",
        "share 0-1",
        "Share of defects that cause a user-facing bug (the rest are harmless).",
        "modelling assumption, tuned toward DORA Quick Check mean rework rate about 22 % (2025)",
        SHARE,
    ),
    // pull requests
    entry(
        "pull_requests.max_loc",
        "loc",
        "Changes larger than this are split into several pull requests.",
        "SmartBear/Cisco review study: review 200-400 LOC at a time",
        // Below 10 lines a usual change splits into dozens of pull requests (and the model caps
        // a change at 1000 of them), which no team does.
        Accepts {
            min: Some(10.0),
            ..ANY
        },
    ),
    entry(
        "pull_requests.review_overhead_hours",
        "hours",
        "Review overhead per pull request.",
        ASSUMPTION,
        NON_NEGATIVE,
    ),
    // review
    entry(
        "review.reviewers",
        "people",
        "Review capacity in full-time reviewers.",
        "scenario choice: 6 reviewer FTE in a 40-engineer team",
        PEOPLE,
    ),
    entry(
        "review.loc_per_hour",
        "loc/hour",
        "Review speed at full depth for hand-written code.",
        "SmartBear/Cisco review study: 300-500 LOC/hour at most",
        POSITIVE,
    ),
    entry(
        "review.skim_loc_per_hour",
        "loc/hour",
        "Fastest reading rate: every line is read at least this fast, and this minimum effort (with the per-PR overhead) is never cut by pressure.",
        "SmartBear/Cisco review study: detection falls sharply above 500 LOC/hour; 1,500 LOC/hour as the skimming limit is a modelling assumption",
        POSITIVE,
    ),
    entry(
        "review.max_session_hours",
        "hours",
        "Longest sitting a reviewer gives one pull request in one round: a bigger pull request is read faster, at a lower depth, down to the skimming rate.",
        "SmartBear/Cisco review study: review at most 60-90 minutes at a time, effectiveness falls after that",
        POSITIVE,
    ),
    entry(
        "review.ai_extra_effort",
        "fraction",
        "Extra review effort for AI-assisted code to reach the same depth (0.5 = 50 % more).",
        "CodeRabbit 2025: AI PRs carry 1.7x the review findings; Faros AI 2025: review time +91 %",
        NON_NEGATIVE,
    ),
    entry(
        "review.effort_noise",
        "multiplier",
        "Multiplicative noise on review effort (median 1); `exponential` with mean 1 gives an M/M/c review stage.",
        ASSUMPTION,
        DIST,
    ),
    entry(
        "review.described_detection",
        "probability",
        "Probability of finding a described defect at full depth in a small pull request.",
        "Capers Jones (Code Complete 2): formal inspection removes 60 % (modal)",
        SHARE,
    ),
    entry(
        "review.integration_detection",
        "probability",
        "Probability of finding an integration defect at full depth in a small pull request.",
        "Capers Jones (Code Complete 2): informal code review removes 25 % (modal)",
        SHARE,
    ),
    entry(
        "review.ai_integration_visibility",
        "share 0-1",
        "Visibility of integration defects in AI-assisted code in a diff (1 = as visible as hand-written).",
        "practitioner seed: \"the diff looks clean\"; modelling assumption, sweep it",
        SHARE,
    ),
    entry(
        "review.size_threshold_loc",
        "loc",
        "Pull requests above this size are reviewed worse.",
        "SmartBear/Cisco review study: detection falls sharply above 400 LOC",
        POSITIVE,
    ),
    entry(
        "review.size_penalty_exponent",
        "exponent",
        "How fast detection falls above the size threshold.",
        "modelling assumption shaped on the SmartBear/Cisco study",
        NON_NEGATIVE,
    ),
    entry(
        "review.pressure_threshold",
        "PRs/reviewer",
        "Waiting pull requests per reviewer above which reviewers start cutting depth.",
        ASSUMPTION,
        NON_NEGATIVE,
    ),
    entry(
        "review.pressure_sensitivity",
        "per PR/reviewer",
        "How strongly depth falls with queue pressure (0 disables load-dependent depth).",
        "modelling assumption; Faros AI 2026: PRs merged with no review +31 %",
        NON_NEGATIVE,
    ),
    entry(
        "review.min_depth",
        "share 0-1",
        "The lowest depth reviewers aim for under pressure, as a share of the effort above the minimum reading effort.",
        ASSUMPTION,
        SHARE,
    ),
    entry(
        "review.max_rounds",
        "rounds",
        "Maximum review rounds before a pull request is approved as it is.",
        ASSUMPTION,
        COUNT,
    ),
    entry(
        "review.pickup_breaks_per_hour",
        "per working hour",
        "How often a reviewer reaches a break in their own work where a review could start (0 = reviewers watch the queue and start at once: no pickup delay).",
        "Sadowski et al. 2018: median review latency about 4 h at Google (changes of ~24 lines), 17-24 h at other companies (Rigby & Bird 2013): pickup, not reading, dominates review time",
        NON_NEGATIVE,
    ),
    entry(
        "review.free_block_mean_hours",
        "hours",
        "Mean length of the uninterrupted time at such a break (exponential): a review starts only at a break long enough for its sitting, so bigger pull requests wait longer.",
        "LinearB 2026 (8.1 M PRs): AI PRs, which are bigger, wait 4.6x longer for review pickup; modelling assumption for the value, sweep it",
        POSITIVE,
    ),
    // testing
    entry(
        "testing.coverage",
        "share 0-1",
        "Test coverage.",
        ASSUMPTION,
        SHARE,
    ),
    entry(
        "testing.described_max_detection",
        "probability",
        "Highest catch probability for described defects at full coverage.",
        "Capers Jones (Code Complete 2): unit test 30 %, system test 40 %, no technique above about 75 %",
        SHARE,
    ),
    entry(
        "testing.coverage_steepness",
        "per unit coverage",
        "How fast described-defect detection saturates with coverage (diminishing returns).",
        "Inozemtseva & Holmes 2014, Mockus et al. 2009: coverage has diminishing returns",
        NON_NEGATIVE,
    ),
    entry(
        "testing.integration_detection",
        "probability",
        "Probability that the test suite catches an integration defect.",
        "Capers Jones (Code Complete 2): integration test 35 %, regression test 25 % (modal)",
        SHARE,
    ),
    entry(
        "testing.blind_spot_correlation",
        "share 0-1",
        "Reduction of integration detection for AI-assisted changes whose tests are AI-written (0 = none, 1 = never caught).",
        ASSUMPTION,
        SHARE,
    ),
    entry(
        "testing.traffic_replay",
        "on/off",
        "Traffic-derived tests (replaying production traffic) are on.",
        "scenario lever",
        SWITCH,
    ),
    entry(
        "testing.traffic_replay_detection",
        "probability",
        "Probability that traffic-derived tests catch an integration defect, whoever wrote the code.",
        ASSUMPTION,
        SHARE,
    ),
    entry(
        "testing.traffic_replay_hours",
        "hours",
        "Extra CI time when traffic replay is on.",
        ASSUMPTION,
        NON_NEGATIVE,
    ),
    entry(
        "testing.ci_hours",
        "hours",
        "CI pipeline duration (machines: around the clock).",
        ASSUMPTION,
        DIST,
    ),
    entry(
        "testing.flaky_failure",
        "probability",
        "Probability that a CI run fails on a flaky test and is retried.",
        ASSUMPTION,
        SHARE,
    ),
    entry(
        "testing.max_retries",
        "retries",
        "Maximum automatic retries of a flaky run (at most 100: more is not a retry policy).",
        ASSUMPTION,
        Accepts {
            min: Some(0.0),
            max: Some(100.0),
            integer: true,
            ..ANY
        },
    ),
    entry(
        "testing.staging",
        "on/off",
        "A staging soak is on.",
        "scenario lever",
        SWITCH,
    ),
    entry(
        "testing.staging_hours",
        "hours",
        "Staging soak duration.",
        ASSUMPTION,
        DIST,
    ),
    entry(
        "testing.staging_detection",
        "probability",
        "Probability that staging catches an integration defect.",
        "Capers Jones (Code Complete 2): system test 40 % (modal); modelling assumption",
        SHARE,
    ),
    // deploy
    entry(
        "deploy.policy",
        "choice",
        "`continuous` or `scheduled`.",
        "scenario lever; DORA: elite teams deploy on demand",
        Accepts {
            choices: &["continuous", "scheduled"],
            ..ANY
        },
    ),
    entry(
        "deploy.interval_hours",
        "hours",
        "Time between scheduled deployments (24 = a daily train).",
        ASSUMPTION,
        POSITIVE,
    ),
    entry(
        "deploy.first_train_hour",
        "hour of the week",
        "Hour of Monday at which the first scheduled deployment leaves; the next ones follow every interval_hours (10 with a 24-hour interval: a daily train at 10:00).",
        "modelling convention: inside the default working window",
        Accepts {
            min: Some(0.0),
            max: Some(168.0),
            max_exclusive: true,
            ..ANY
        },
    ),
    entry(
        "deploy.working_hours_only",
        "on/off",
        "Deploy only inside working hours (a deploy window).",
        "scenario lever",
        SWITCH,
    ),
    entry(
        "deploy.max_batch",
        "changes",
        "Most changes one deployment carries (0 = no limit).",
        "DORA capabilities: bigger batches go with higher change fail rates",
        COUNT_OR_ZERO,
    ),
    entry(
        "deploy.urgent_bug_fix_share",
        "share 0-1",
        "Under a scheduled policy, the share of user-facing bug fixes urgent enough to skip the train and deploy on their own (0: only hotfixes of production failures skip it; 1: every bug fix does).",
        "DORA rework rate counts unplanned deployments made to fix a user-facing bug; with a release train only urgent fixes skip it; the share is a modelling assumption, sweep it",
        SHARE,
    ),
    entry(
        "deploy.duration_hours",
        "hours",
        "Duration of a deployment.",
        ASSUMPTION,
        DIST,
    ),
    // production
    entry(
        "production.manifest_probability",
        "probability",
        "Probability that an escaped failure or bug ever manifests.",
        ASSUMPTION,
        SHARE,
    ),
    entry(
        "production.manifest_delay_hours",
        "hours",
        "Delay from deployment to manifestation.",
        ASSUMPTION,
        DIST,
    ),
    entry(
        "production.failure_impact",
        "share 0-1",
        "User impact of a failure (share of users affected).",
        ASSUMPTION,
        Accepts {
            min: Some(0.0),
            max: Some(1.0),
            ..ANY
        },
    ),
    entry(
        "production.bug_report_delay_hours",
        "hours",
        "Delay from a user-facing bug manifesting to a fix being started.",
        ASSUMPTION,
        DIST,
    ),
    entry(
        "production.bug_fix_hours",
        "hours",
        "Effort to write a fix for a user-facing bug.",
        ASSUMPTION,
        DIST,
    ),
    // recovery
    entry(
        "recovery.observability",
        "share 0-1",
        "Observability investment (0 = none, 1 = excellent).",
        ASSUMPTION,
        SHARE,
    ),
    entry(
        "recovery.observability_effect",
        "multiplier",
        "How much full observability speeds detection and diagnosis.",
        ASSUMPTION,
        NON_NEGATIVE,
    ),
    entry(
        "recovery.observability_ai_effect",
        "multiplier",
        "Extra effect of observability on AI integration failures (tracing the undescribed path).",
        ASSUMPTION,
        NON_NEGATIVE,
    ),
    entry(
        "recovery.detection_hours",
        "hours",
        "Time from failure start to detection without observability.",
        "modelling assumption; DORA 2024 tiers: elite recover in < 1 hour, high in < 1 day",
        DIST,
    ),
    entry(
        "recovery.diagnosis_hours",
        "hours",
        "Diagnosis time without observability.",
        "Franke et al.: recovery times are log-normal (1,800+ incidents); VOID report: use medians",
        DIST,
    ),
    entry(
        "recovery.ai_integration_diagnosis_multiplier",
        "multiplier",
        "Diagnosis-time multiplier for integration failures in AI-generated code.",
        "modelling assumption; Faros AI 2026: incidents per PR x3.4",
        POSITIVE,
    ),
    entry(
        "recovery.rollback_probability",
        "probability",
        "Probability that a failed deployment can be rolled back.",
        ASSUMPTION,
        SHARE,
    ),
    entry(
        "recovery.rollback_hours",
        "hours",
        "Rollback duration.",
        ASSUMPTION,
        DIST,
    ),
    entry(
        "recovery.hotfix_hours",
        "hours",
        "Effort to write a hotfix when rollback is impossible.",
        ASSUMPTION,
        DIST,
    ),
    entry(
        "recovery.reviewer_pull_probability",
        "probability",
        "Probability that an incident pulls a reviewer off review for its diagnosis.",
        ASSUMPTION,
        SHARE,
    ),
    // fragility
    entry(
        "fragility.shallow_review",
        "fragility/change",
        "Fragility added by a change merged with review depth d: `shallow_review x (1 - d)`.",
        ASSUMPTION,
        NON_NEGATIVE,
    ),
    entry(
        "fragility.untested",
        "fragility/change",
        "Fragility added by a change merged with coverage c: `untested x (1 - c)`.",
        ASSUMPTION,
        NON_NEGATIVE,
    ),
    entry(
        "fragility.decay_per_week",
        "share/week",
        "Fraction of fragility that decays per week without maintenance.",
        ASSUMPTION,
        SHARE,
    ),
    entry(
        "fragility.maintenance_decay_per_week",
        "share/week per unit",
        "Extra weekly decay per unit of `team.maintenance_share`.",
        ASSUMPTION,
        NON_NEGATIVE,
    ),
    entry(
        "fragility.incidents_per_week_per_unit",
        "incidents/week",
        "Incidents per week per unit of fragility (not attributable to any deployment).",
        "modelling assumption; Google SRE: about 30 % of outages do not come from changes",
        NON_NEGATIVE,
    ),
    entry(
        "fragility.interaction_window_hours",
        "hours",
        "Window for the interaction hazard.",
        ASSUMPTION,
        POSITIVE,
    ),
    entry(
        "fragility.interaction_incidents_per_week",
        "incidents/week",
        "Incidents per week per change deployed within the window beyond `interaction_free_changes`.",
        "modelling assumption; Mockus & Weiss 2000: change size and diffusion predict failure",
        NON_NEGATIVE,
    ),
    entry(
        "fragility.interaction_free_changes",
        "changes",
        "Changes per window that interact harmlessly.",
        ASSUMPTION,
        NON_NEGATIVE,
    ),
    entry(
        "fragility.warm_start",
        "on/off",
        "Start the measured horizon with fragility at the level the warm-up's inflow sustains (an existing codebase) instead of what a short warm-up accumulated from zero.",
        "steady-state initialisation, a standard way to shorten a simulation's warm-up (Law, Simulation Modeling and Analysis); off models a brand-new codebase",
        SWITCH,
    ),
    // reliability
    entry(
        "reliability.slo_target",
        "share 0-1",
        "Weekly availability target.",
        "DORA: reliability as meeting SLO targets; 99.5 % is a common availability target (assumption)",
        SHARE,
    ),
    // culture
    entry(
        "culture.preset",
        "choice",
        "Preset the other culture keys start from: neutral, learning or surveillance (keys written in the scenario override it).",
        "DORA guide and the second seed article: the same metrics drive opposite outcomes under learning and surveillance cultures",
        Accepts {
            choices: &["neutral", "learning", "surveillance"],
            ..ANY
        },
    ),
    entry(
        "culture.psychological_safety",
        "share 0-1",
        "Psychological safety: willingness to report near-misses and admit mistakes; lowers gaming pressure and scales learning.",
        "modelling assumption (neutral 0.6, learning 0.9, surveillance 0.2), sweep it",
        SHARE,
    ),
    entry(
        "culture.individual_scorecards",
        "on/off",
        "Metrics are used as individual scorecards (half of the gaming pressure).",
        "seed article on surveillance culture; DORA guide warns against it",
        SWITCH,
    ),
    entry(
        "culture.metric_targets",
        "on/off",
        "Targets are set on the metrics (the other half of the gaming pressure: Goodhart's law).",
        "DORA guide: Goodhart's law as a pitfall of metric targets [P]",
        SWITCH,
    ),
    entry(
        "culture.padding_deploys_per_week",
        "per week",
        "Empty or config-only padding deployments per week at full gaming pressure.",
        "blog anecdote: deployment frequency +300 % in a quarter by splitting and deploying separately [S]; intensity is an assumption",
        NON_NEGATIVE,
    ),
    entry(
        "culture.pr_splitting",
        "share 0-1",
        "Share of changes split artificially into extra pull requests at full gaming pressure.",
        "blog anecdote: one-line PRs deployed separately [S]; intensity is an assumption",
        SHARE,
    ),
    entry(
        "culture.extra_pull_requests",
        "pull requests",
        "Extra pull requests an artificially split change is cut into.",
        "modelling assumption, sweep it",
        // A change has at most 1000 pull requests in the model.
        Accepts {
            min: Some(0.0),
            max: Some(1000.0),
            ..ANY
        },
    ),
    entry(
        "culture.split_integration_defects",
        "defects per PR",
        "Integration defects added per extra pull request (pieces that no longer fit together).",
        "Mockus & Weiss 2000: change diffusion predicts failure [P abstract]; size is an assumption",
        NON_NEGATIVE,
    ),
    entry(
        "culture.early_incident_close",
        "share 0-1",
        "Share of incidents closed in the tool before the root cause is fixed, at full gaming pressure.",
        "incident.io: incidents argued down to avoid targets [S]; intensity is an assumption",
        SHARE,
    ),
    entry(
        "culture.recurrence_probability",
        "share 0-1",
        "Probability that an incident closed before its root cause was fixed recurs.",
        "modelling assumption, sweep it",
        SHARE,
    ),
    entry(
        "culture.failure_reclassification",
        "share 0-1",
        "Share of deployment failures reclassified as not deploy-related, at full gaming pressure.",
        "incident.io: severity and cause argued down [S]; intensity is an assumption",
        SHARE,
    ),
    entry(
        "culture.hotfix_exclusion",
        "share 0-1",
        "Share of hotfix and bug-fix deployments left out of the rework count, at full gaming pressure.",
        "modelling assumption, sweep it",
        SHARE,
    ),
    entry(
        "culture.blame_safety_loss",
        "share 0-1",
        "Psychological safety lost each time an AI-amplified failure is blamed on a person (with individual scorecards).",
        "seed article: blame for AI-amplified failures; size is an assumption",
        SHARE,
    ),
    entry(
        "culture.postmortems",
        "share 0-1",
        "Share of incidents followed by a blameless post-mortem.",
        "DORA capabilities: learning culture, blameless post-mortems; shares are assumptions",
        SHARE,
    ),
    entry(
        "culture.postmortem_learning",
        "share 0-1",
        "Reduction of the defect rate per post-mortem, scaled by psychological safety.",
        "modelling assumption, sweep it",
        SHARE,
    ),
    entry(
        "culture.near_miss_learning",
        "share 0-1",
        "Reduction of the defect rate per reported near-miss (a defect caught in tests), scaled by psychological safety.",
        "modelling assumption, sweep it",
        SHARE,
    ),
    entry(
        "culture.learning_floor",
        "share 0-1",
        "Lowest defect-rate multiplier learning can reach.",
        "modelling assumption: no technique removes more than about 75 % of defects (Capers Jones) [S]",
        Accepts {
            min: Some(0.0),
            max: Some(1.0),
            min_exclusive: true,
            ..ANY
        },
    ),
    entry(
        "culture.debt_time_share",
        "share 0-1",
        "Extra share of developer time set aside for technical debt (adds to team.maintenance_share).",
        "seed article: celebrate when metrics temporarily worsen; share is an assumption",
        Accepts {
            min: Some(0.0),
            max: Some(0.5),
            ..ANY
        },
    ),
];

/// Every parameter, in the order of [`Params`].
pub fn catalogue() -> &'static [ParamInfo] {
    CATALOGUE
}

/// The catalogue entry of a key path, if any.
pub fn find(key: &str) -> Option<&'static ParamInfo> {
    CATALOGUE.iter().find(|info| info.key == key)
}

/// One row per parameter with its value in `params` as TOML text, for `dorasim params`.
pub fn params_rows(params: &Params) -> Vec<(ParamInfo, String)> {
    let root = toml::Value::try_from(params).ok();
    CATALOGUE
        .iter()
        .map(|info| {
            let value = root.as_ref().and_then(|r| value_at(r, info.key));
            (*info, value.map_or_else(|| "?".to_string(), value_text))
        })
        .collect()
}

/// The value at a dotted key path of a TOML tree.
pub(crate) fn value_at<'a>(root: &'a toml::Value, key: &str) -> Option<&'a toml::Value> {
    key.split('.')
        .try_fold(root, |node, part| node.as_table()?.get(part))
}

/// A value as one line of TOML: distributions as inline tables with `dist` first.
pub fn value_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Float(f) => format_float(*f),
        toml::Value::Table(table) => {
            let mut parts: Vec<String> = Vec::new();
            if let Some(name) = table.get("dist") {
                parts.push(format!("dist = {}", value_text(name)));
            }
            let order = table
                .get("dist")
                .and_then(toml::Value::as_str)
                .map_or(&[][..], super::walk::dist_fields);
            for field in order {
                if let Some(v) = table.get(*field) {
                    parts.push(format!("{field} = {}", value_text(v)));
                }
            }
            for (k, v) in table {
                if k != "dist" && !order.contains(&k.as_str()) {
                    parts.push(format!("{k} = {}", value_text(v)));
                }
            }
            format!("{{ {} }}", parts.join(", "))
        }
        toml::Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(value_text).collect::<Vec<_>>().join(", ")
            )
        }
        other => other.to_string(),
    }
}

/// A float as TOML writes it, always with a decimal point or exponent.
fn format_float(f: f64) -> String {
    let text = format!("{f}");
    if f.is_finite() && !text.contains(['.', 'e', 'E']) {
        format!("{text}.0")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::scenario::walk::{Kind, leaf_kinds};

    #[test]
    fn catalogue_covers_exactly_the_leaf_keys_of_params() {
        let leaves: BTreeSet<String> = leaf_kinds().into_iter().map(|(k, _)| k).collect();
        let documented: BTreeSet<String> = CATALOGUE.iter().map(|i| i.key.to_string()).collect();
        let undocumented: Vec<_> = leaves.difference(&documented).collect();
        let stale: Vec<_> = documented.difference(&leaves).collect();
        assert!(
            undocumented.is_empty(),
            "parameters missing from the catalogue: {undocumented:?}"
        );
        assert!(
            stale.is_empty(),
            "catalogue entries that are not parameters: {stale:?}"
        );
        assert_eq!(CATALOGUE.len(), leaves.len(), "duplicate catalogue entries");
    }

    #[test]
    fn catalogue_agrees_with_the_types_of_params() {
        for (key, kind) in leaf_kinds() {
            let info = find(&key).expect("covered by the other test");
            assert_eq!(info.integer, kind == Kind::Integer, "{key}: integer flag");
            assert_eq!(
                !info.choices.is_empty(),
                kind == Kind::Choice,
                "{key}: choices"
            );
            assert!(!info.meaning.is_empty() && !info.source.is_empty() && !info.unit.is_empty());
        }
    }

    #[test]
    fn every_choice_is_accepted_by_the_model_and_defaults_are_in_range() {
        let defaults = Params::default();
        for (info, text) in params_rows(&defaults) {
            for choice in info.choices {
                let set = crate::model::timeline::set_value(
                    &defaults,
                    info.key,
                    toml::Value::String((*choice).to_string()),
                );
                assert!(set.is_ok(), "{}: `{choice}` rejected by serde", info.key);
            }
            assert_ne!(text, "?", "{} has no value", info.key);
        }
        assert!(crate::scenario::checks::check_params(&defaults).is_empty());
    }

    #[test]
    fn range_text_reads_naturally() {
        assert_eq!(
            find("ai.adoption").map(ParamInfo::range_text).as_deref(),
            Some("in [0, 1]")
        );
        assert_eq!(
            find("time.hours_per_day")
                .map(ParamInfo::range_text)
                .as_deref(),
            Some("in [0.25, 24]")
        );
        assert!(find("review.reviewers").is_some_and(|i| !i.accepts(0.0) && i.accepts(3.0)));
        assert!(find("ai.adoption").is_some_and(|i| !i.accepts(f64::NAN)));
        // Rates and durations have an upper bound; distributions do not.
        assert_eq!(
            find("demand.items_per_week")
                .map(ParamInfo::range_text)
                .as_deref(),
            Some("> 0 and <= 1000000")
        );
        assert!(find("fragility.incidents_per_week_per_unit").is_some_and(|i| !i.accepts(1e308)));
        assert!(find("testing.max_retries").is_some_and(|i| i.accepts(100.0) && !i.accepts(101.0)));
    }

    #[test]
    fn distributions_print_with_dist_first() {
        let rows = params_rows(&Params::default());
        let speedup = rows
            .iter()
            .find(|(i, _)| i.key == "ai.speedup")
            .map(|(_, t)| t.clone());
        assert_eq!(
            speedup.as_deref(),
            Some("{ dist = \"triangular\", min = -0.2, mode = 0.2, max = 0.55 }")
        );
    }
}
