//! Parameters of the work: calendar, demand, the team, AI assistance, defects and pull requests.

use super::*;
use crate::model::distribution::Dist;
use crate::{choice, section};

choice! {
    /// How work items arrive.
    pub enum DemandMode {
        /// A Poisson process at `items_per_week`.
        Poisson = "poisson",
        /// A backlog that never empties: developers always find work.
        Backlog = "backlog",
    }
}

section! {
    /// Run length and working calendar.
    "time" => pub struct TimeParams {
        /// Warm-up excluded from every metric (the pipeline starts empty).
        warmup_weeks: f64 = 6.0 => {
            unit: "weeks",
            // Ten years: beyond it a warm-up only burns time (and the horizon has its own bound).
            accepts: Accepts { min: Some(0.0), max: Some(520.0), ..ANY },
            source: "modelling assumption: long enough for the review queue to fill; check it with a longer warm-up",
        },
        /// Measured horizon after the warm-up.
        horizon_weeks: f64 = 26.0 => {
            unit: "weeks",
            // Twenty years: a longer horizon is no longer a projection, and it costs memory.
            accepts: Accepts { min: Some(0.0), min_exclusive: true, max: Some(1040.0), ..ANY },
            source: "modelling assumption: half a year, a usual planning horizon",
        },
        /// Human work follows a working calendar (true) or runs around the clock (false).
        working_calendar: bool = true => {
            unit: "on/off",
            accepts: SWITCH,
            source: "modelling convention",
        },
        /// Hour of the day the working day starts (0-23).
        workday_start_hour: f64 = 9.0 => {
            unit: "hour of day",
            accepts: Accepts { min: Some(0.0), max: Some(24.0), max_exclusive: true, ..ANY },
            source: "modelling convention: a 9:00 start",
        },
        /// Working hours per day (at least a quarter of an hour: shorter days make every hour of
        /// work span weeks of calendar, and the calendar arithmetic crawl).
        hours_per_day: f64 = 8.0 => {
            unit: "hours/day",
            accepts: Accepts { min: Some(0.25), max: Some(24.0), ..ANY },
            source: "modelling convention: an 8-hour day",
        },
        /// Working days per week (days 1..=n of each week, Monday first).
        days_per_week: u32 = 5 => {
            unit: "days/week",
            accepts: Accepts { min: Some(1.0), max: Some(7.0), integer: true, ..ANY },
            source: "modelling convention: a 5-day week",
        },
    }
}

section! {
    /// Incoming work items.
    "demand" => pub struct DemandParams {
        /// `poisson` (arrivals at a weekly rate) or `backlog` (never empties).
        mode: DemandMode = DemandMode::Backlog => {
            unit: "choice",
            accepts: CHOICE,
            source: "modelling assumption: a team with more work than capacity; use poisson to study utilisation",
        },
        /// Arrival rate for `poisson` mode.
        items_per_week: f64 = 100.0 => {
            unit: "items/week",
            accepts: POSITIVE,
            source: ASSUMPTION,
        },
        /// Share of items that are features.
        feature_share: f64 = 0.55 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// Share of items that are bug fixes (the rest are configuration changes).
        bugfix_share: f64 = 0.30 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "modelling assumption; Google SRE: configuration pushes cause 31 % of outages, so configuration changes are common",
        },
        /// Size of a feature.
        feature_size_loc: Dist = Dist::lognormal(80.0, 400.0) => {
            unit: "loc",
            accepts: DIST,
            source: "Sadowski et al. 2018: median change 24 lines at Google, 44-263 elsewhere; the tail is a modelling assumption",
        },
        /// Size of a bug fix.
        bugfix_size_loc: Dist = Dist::lognormal(25.0, 120.0) => {
            unit: "loc",
            accepts: DIST,
            source: "Sadowski et al. 2018: median change 24 lines at Google",
        },
        /// Size of a configuration change.
        config_size_loc: Dist = Dist::lognormal(8.0, 30.0) => {
            unit: "loc",
            accepts: DIST,
            source: ASSUMPTION,
        },
    }
}

section! {
    /// Developers and coding effort.
    "team" => pub struct TeamParams {
        /// Developers who write code (reviewers are counted in `review.reviewers`).
        developers: u32 = 34 => {
            unit: "people",
            accepts: PEOPLE,
            source: "scenario choice: 34 developers + 6 reviewer FTE make a 40-engineer team",
        },
        /// Changes one developer may have in flight (coding, in review, in rework, in tests).
        wip_limit: u32 = 3 => {
            unit: "changes",
            accepts: COUNT,
            source: ASSUMPTION,
        },
        /// Fixed coding effort per change.
        coding_overhead_hours: f64 = 3.0 => {
            unit: "hours",
            accepts: NON_NEGATIVE,
            source: "modelling assumption, set so a developer authors about 3 changes a week (Sadowski et al. 2018)",
        },
        /// Coding effort per line of code written by hand.
        coding_hours_per_loc: f64 = 0.05 => {
            unit: "hours/loc",
            accepts: NON_NEGATIVE,
            source: "modelling assumption, set so a developer authors about 3 changes a week (Sadowski et al. 2018)",
        },
        /// Multiplicative noise on coding effort (median 1).
        coding_effort_noise: Dist = Dist::lognormal(1.0, 2.0) => {
            unit: "multiplier",
            accepts: DIST,
            source: ASSUMPTION,
        },
        /// Effort to rework one defect found in review or tests.
        rework_hours_per_defect: Dist = Dist::lognormal(0.75, 3.0) => {
            unit: "hours",
            accepts: DIST,
            source: ASSUMPTION,
        },
        /// Share of developer time spent on maintenance and debt pay-down.
        maintenance_share: f64 = 0.10 => {
            unit: "share 0-1",
            accepts: Accepts { min: Some(0.0), max: Some(1.0), max_exclusive: true, ..ANY },
            source: ASSUMPTION,
        },
    }
}

section! {
    /// AI-assisted development.
    "ai" => pub struct AiParams {
        /// Probability that a change is AI-assisted (the adoption level).
        adoption: f64 = 0.4 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "scenario choice; DORA 2024 reports effects per +25 % adoption",
        },
        /// Coding speed-up of an AI-assisted change (0.2 = 20 % less effort; negative values are
        /// slow-downs).
        speedup: Dist = Dist::triangular(-0.2, 0.2, 0.55) => {
            unit: "fraction",
            accepts: Accepts { max: Some(1.0), ..ANY },
            source: "METR 2025 RCT -19 % (slower) to Copilot experiment 2023 +55.8 %, Google RCT 2024 about +21 %: triangular -20 %..+55 %",
        },
        /// Multiplier on change size for AI-assisted changes.
        size_multiplier: Dist = Dist::lognormal(2.4, 5.0) => {
            unit: "multiplier",
            accepts: DIST,
            source: "Faros AI 2025: PR size +154 % in high-adoption teams",
        },
        /// Multiplier on defects per line of code for AI-assisted code.
        defect_rate_multiplier: f64 = 0.25 => {
            unit: "multiplier",
            accepts: NON_NEGATIVE,
            source: "Faros AI 2025: bugs per developer +9 % on much more code (fewer per line); Uplevel 2024: bug rate +41 %; sweep it",
        },
        /// Share of an AI-assisted change's defects that are integration (undescribed-scenario)
        /// defects.
        integration_share: f64 = 0.4 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "practitioner seed: AI misses the undescribed scenarios; modelling assumption, sweep it",
        },
        /// Share of AI-assisted changes whose tests are also AI-written.
        ai_written_tests_share: f64 = 0.7 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// Fragility added per AI-assisted change for duplicated and copy-pasted code.
        duplication_fragility: f64 = 0.02 => {
            unit: "fragility/change",
            accepts: NON_NEGATIVE,
            source: "GitClear 2025: copy-pasted lines 8.4 % -> 12.3 %, refactored lines 24.8 % -> 9.5 %; size is an assumption",
        },
    }
}

section! {
    /// Latent defects injected with each change.
    "defects" => pub struct DefectParams {
        /// Latent defects per 1,000 lines of hand-written code (all severities).
        per_kloc: f64 = 15.0 => {
            unit: "defects/kloc",
            accepts: NON_NEGATIVE,
            source: "modelling assumption, tuned with the shares below toward DORA Quick Check rates",
        },
        /// Share of a hand-written change's defects that are integration defects.
        integration_share: f64 = 0.3 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// Share of defects that cause a production failure needing immediate intervention.
        failure_share: f64 = 0.05 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "modelling assumption, tuned toward DORA Quick Check mean change fail rate about 17-19 %",
        },
        /// Share of defects that cause a user-facing bug (the rest are harmless).
        bug_share: f64 = 0.12 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "modelling assumption, tuned toward DORA Quick Check mean rework rate about 22 % (2025)",
        },
        /// Multiplier on defects per line of code for configuration changes (1 = as error-prone
        /// per line as code).
        config_rate_multiplier: f64 = 1.0 => {
            unit: "multiplier",
            accepts: NON_NEGATIVE,
            source: "Google SRE: configuration pushes cause 31 % of outages against 37 % for binary pushes, though they are a few lines each, so per line they are riskier; the size is unmeasured: default 1 (no difference), sweep it",
        },
    }
}

section! {
    /// Pull request splitting.
    "pull_requests" => pub struct PullRequestParams {
        /// Changes larger than this are split into several pull requests.
        max_loc: f64 = 400.0 => {
            unit: "loc",
            // Below 10 lines a usual change splits into dozens of pull requests (and the model caps
            // a change at 1000 of them), which no team does.
            accepts: Accepts { min: Some(10.0), ..ANY },
            source: "SmartBear/Cisco review study: review 200-400 LOC at a time",
        },
        /// Review overhead per pull request.
        review_overhead_hours: f64 = 0.25 => {
            unit: "hours",
            accepts: NON_NEGATIVE,
            source: ASSUMPTION,
        },
    }
}
