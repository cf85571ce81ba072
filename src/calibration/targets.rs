//! The published targets, declared once. `dorasim calibration` runs them, and the table of
//! `docs/calibration.md` is generated from them.
//!
//! Sources are cited as in the project's evidence file, with its tags: **\[P\]** read in the
//! primary source, **\[S\]** from secondary write-ups. Every AI arm runs the built-in defaults
//! with no timeline (so the whole horizon runs at the adoption set) and the default review
//! capacity, held fixed.

use super::{Arm, Base, Measure, Part, Rule, Target};
use crate::metrics::Metric;
use crate::metrics::tiers::Tier;

/// No AI assistance.
const NO_AI: Arm = Arm::defaults(&["ai.adoption=0"]);
/// Half the changes AI-assisted: +50 points, twice DORA 2024's step of +25 points.
const HALF_AI: Arm = Arm::defaults(&["ai.adoption=0.5"]);
/// High adoption, as in Faros AI's high-adoption teams.
const HIGH_AI: Arm = Arm::defaults(&["ai.adoption=0.8"]);

/// The embedded default scenario, with its adoption ramp.
const EMBEDDED_DEFAULT: Arm = Arm {
    base: Base::EmbeddedDefault,
    sets: &[],
};

/// The shipped weekly release train.
const RELEASE_TRAIN: Arm = Arm {
    base: Base::File {
        path: "scenarios/release-train.toml",
        text: include_str!("../../scenarios/release-train.toml"),
    },
    sets: &[],
};

/// DORA's throughput factor: deployment frequency up, change lead time and failed-deployment
/// recovery time down (arm means; lead time as a mean, recovery time as each replication's
/// median).
const THROUGHPUT: &[Part] = &[
    Part::up(Metric::DeploysPerWeek),
    Part::down(Metric::LeadTimeMean),
    Part::down(Metric::RecoveryP50),
];

/// DORA's instability factor: change fail rate and deployment rework rate.
const INSTABILITY: &[Part] = &[
    Part::up(Metric::ChangeFailRate),
    Part::up(Metric::ReworkRate),
];

const FAROS_2025: &str = "Faros AI 2025 [S]";
const FAROS_2026: &str = "Faros AI 2026, adtmag.com 2026-04-22 [S]";
const CORTEX_2026: &str = "Cortex 2026 benchmark [S]";
const FAROS_TELEMETRY: &str =
    "Faros AI 2025 and 2026 telemetry, faros.ai/blog/key-takeaways-from-the-dora-report-2025 [S]";
const DORA_2024: &str = "DORA 2024, dora.dev/ai/gen-ai-report [P]";
const DORA_2025: &str = "DORA 2025, dora.dev/insights/balancing-ai-tensions [P]";
const QUICK_CHECK: &str = "DORA Quick Check, dora.dev/quickcheck [P, inference]";
const TIERS_2024: &str = "DORA 2024 tiers, octopus.com/blog/2024-devops-performance-clusters [S]";

/// Every target, in table order.
pub const TARGETS: &[Target] = &[
    Target {
        id: "faros-prs-merged",
        source: FAROS_2025,
        measured: "pull requests merged per week, change of the mean",
        measure: Measure::Change {
            a: NO_AI,
            b: HIGH_AI,
            index: &[Part::up(Metric::PullRequestsPerWeek)],
            per: 1.0,
        },
        rule: Rule::FactorTwo { figure: 0.98 },
        superseded: Some(
            "Faros's own figures cannot all hold in one team: tasks +21 % with PRs +98 % and PR \
             size +154 % means 1.64 PRs per task and 4.2× the lines per task, which no other \
             source reports. The model takes the reading that PR volume follows the work done \
             (faros-tasks, cortex-prs-per-author: +21 %, +20 %; Faros 2026 tasks +34 %; Cui et \
             al. RCT +26 % tasks) and that AI makes PRs bigger (faros-pr-size), not more numerous.",
        ),
        note: "Faros compares high-adoption teams with low-adoption ones.",
    },
    Target {
        id: "faros-tasks",
        source: FAROS_2025,
        measured: "planned changes (work items) delivered per week, change of the mean",
        measure: Measure::Change {
            a: NO_AI,
            b: HIGH_AI,
            index: &[Part::up(Metric::ThroughputPerWeek)],
            per: 1.0,
        },
        rule: Rule::FactorTwo { figure: 0.21 },
        superseded: None,
        note: "Tasks completed per developer; developers fixed, so per week.",
    },
    Target {
        id: "cortex-prs-per-author",
        source: CORTEX_2026,
        measured: "pull requests merged per week, change of the mean",
        measure: Measure::Change {
            a: NO_AI,
            b: HIGH_AI,
            index: &[Part::up(Metric::PullRequestsPerWeek)],
            per: 1.0,
        },
        rule: Rule::FactorTwo { figure: 0.20 },
        superseded: None,
        note: "PRs per author; developers fixed, so per week. Read as low against high adoption.",
    },
    Target {
        id: "faros-pr-size",
        source: FAROS_2025,
        measured: "pull request size (mean loc per merged pull request), change of the mean",
        measure: Measure::Change {
            a: NO_AI,
            b: HIGH_AI,
            index: &[Part::up(Metric::PullRequestSizeMean)],
            per: 1.0,
        },
        rule: Rule::FactorTwo { figure: 1.54 },
        superseded: None,
        note: "",
    },
    Target {
        id: "faros-review-time",
        source: FAROS_2025,
        measured: "pull request review time (median of approved − opened), change of the mean",
        measure: Measure::Change {
            a: NO_AI,
            b: HIGH_AI,
            index: &[Part::up(Metric::PullRequestReviewTimeP50)],
            per: 1.0,
        },
        rule: Rule::FactorTwo { figure: 0.91 },
        superseded: None,
        note: "Faros 2026 reports ×5 and LinearB 2026 a 4.6× longer pickup for AI PRs. In the \
               model the rise comes from pickup: a reviewer starts a review at a break long \
               enough for its sitting, and AI-assisted PRs are bigger.",
    },
    Target {
        id: "faros-bugs-per-dev",
        source: FAROS_2025,
        measured: "user-facing bugs per developer-week, change of the mean",
        measure: Measure::Change {
            a: NO_AI,
            b: HIGH_AI,
            index: &[Part::up(Metric::BugsPerDeveloperWeek)],
            per: 1.0,
        },
        rule: Rule::FactorTwo { figure: 0.09 },
        superseded: Some(
            "Superseded by Faros AI 2026 (faros2026-bugs-per-dev: +54 % over 22,000 developers, \
             the larger and later study), which Uplevel 2024's +41 % bug rate supports.",
        ),
        note: "Bugs manifested ÷ developers ÷ measured weeks.",
    },
    Target {
        id: "faros2026-bugs-per-dev",
        source: FAROS_2026,
        measured: "user-facing bugs per developer-week, change of the mean",
        measure: Measure::Change {
            a: NO_AI,
            b: HIGH_AI,
            index: &[Part::up(Metric::BugsPerDeveloperWeek)],
            per: 1.0,
        },
        rule: Rule::FactorTwo { figure: 0.54 },
        superseded: None,
        note: "Bugs manifested ÷ developers ÷ measured weeks.",
    },
    Target {
        id: "cortex-cfr",
        source: CORTEX_2026,
        measured: "change fail rate, change of the mean",
        measure: Measure::Change {
            a: NO_AI,
            b: HIGH_AI,
            index: &[Part::up(Metric::ChangeFailRate)],
            per: 1.0,
        },
        rule: Rule::FactorTwo { figure: 0.30 },
        superseded: None,
        note: "Published as about +30 %. Read as low against high adoption. DORA 2024's −7.2 % \
               stability per +25 points compounds to about +25 % instability over 80 points: \
               the two agree.",
    },
    Target {
        id: "dora2024-stability",
        source: DORA_2024,
        measured: "instability index (change fail rate, rework rate) per +25 points of adoption",
        measure: Measure::Change {
            a: NO_AI,
            b: HALF_AI,
            index: INSTABILITY,
            per: 2.0,
        },
        rule: Rule::FactorTwo { figure: 0.072 },
        superseded: None,
        note: "Published as delivery stability −7.2 % per +25 points, read as instability +7.2 %, \
               measured from adoption 0 to 0.5 and halved. Index change = \
               exp(mean(ln(CFR_B/CFR_A), ln(RR_B/RR_A))) − 1 on arm means.",
    },
    Target {
        id: "dora2024-throughput",
        source: DORA_2024,
        measured: "throughput index (deployment frequency, lead time, recovery time) per +25 points of adoption",
        measure: Measure::Change {
            a: NO_AI,
            b: HALF_AI,
            index: THROUGHPUT,
            per: 2.0,
        },
        rule: Rule::FactorTwo { figure: -0.015 },
        superseded: Some(
            "DORA 2025 reports the reverse for throughput and Faros AI's telemetry finds it \
             flat; the model takes the measured reading (faros-delivery-flat).",
        ),
        note: "Index change = exp(mean(ln(DF_B/DF_A), ln(LT_A/LT_B), ln(RT_A/RT_B))) − 1 on arm \
               means; LT the mean change lead time, RT the median recovery time.",
    },
    Target {
        id: "dora2024-review-speed",
        source: DORA_2024,
        measured: "review speed (1 ÷ pull request review time, median) per +25 points of adoption",
        measure: Measure::Change {
            a: NO_AI,
            b: HALF_AI,
            index: &[Part::down(Metric::PullRequestReviewTimeP50)],
            per: 2.0,
        },
        rule: Rule::FactorTwo { figure: 0.031 },
        superseded: Some(
            "A survey perception, superseded by Faros AI 2025's measured review time +91 % \
             (faros-review-time).",
        ),
        note: "",
    },
    Target {
        id: "dora2025-throughput",
        source: DORA_2025,
        measured: "throughput index (deployment frequency, lead time, recovery time), sign",
        measure: Measure::Change {
            a: NO_AI,
            b: HIGH_AI,
            index: THROUGHPUT,
            per: 1.0,
        },
        rule: Rule::Positive,
        superseded: Some(
            "A survey reading (self-reported delivery performance), superseded by the measured \
             one: Faros AI's telemetry (10,000 developers in 2025, 22,000 in 2026) finds \
             organisational delivery metrics flat while individual output rises \
             (faros-delivery-flat). The same rule as for review speed: measured over perceived.",
        ),
        note: "Higher adoption goes with higher throughput.",
    },
    Target {
        id: "faros-delivery-flat",
        source: FAROS_TELEMETRY,
        measured: "throughput index (deployment frequency, lead time, recovery time), flat",
        measure: Measure::Change {
            a: NO_AI,
            b: HIGH_AI,
            index: THROUGHPUT,
            per: 1.0,
        },
        rule: Rule::Flat { within: 0.05 },
        superseded: None,
        note: "The AI productivity paradox: tasks +21 % and PRs up, but organisational delivery \
               metrics stay flat because review absorbs the gain. Flat read as within ±5 %, a \
               quarter of the smallest individual-output gain reported (+20 %).",
    },
    Target {
        id: "dora2025-instability",
        source: DORA_2025,
        measured: "instability index (change fail rate, rework rate), sign",
        measure: Measure::Change {
            a: NO_AI,
            b: HIGH_AI,
            index: INSTABILITY,
            per: 1.0,
        },
        rule: Rule::Positive,
        superseded: None,
        note: "Higher adoption goes with higher instability too: AI as an amplifier.",
    },
    Target {
        id: "quickcheck-cfr",
        source: QUICK_CHECK,
        measured: "change fail rate, mean",
        measure: Measure::Level {
            arm: EMBEDDED_DEFAULT,
            metric: Metric::ChangeFailRate,
        },
        rule: Rule::FactorTwo { figure: 0.18 },
        superseded: None,
        note: "Industry mean about 17 % (2024) and 19 % (2025), with a spread as large as the mean.",
    },
    Target {
        id: "quickcheck-rework",
        source: QUICK_CHECK,
        measured: "deployment rework rate, mean",
        measure: Measure::Level {
            arm: EMBEDDED_DEFAULT,
            metric: Metric::ReworkRate,
        },
        rule: Rule::FactorTwo { figure: 0.22 },
        superseded: None,
        note: "Industry mean about 22 % (2025).",
    },
    Target {
        id: "tier-baseline",
        source: TIERS_2024,
        measured: "share of replications in the High or Medium tier",
        measure: Measure::TierShare {
            arm: NO_AI,
            tiers: &[Tier::High, Tier::Medium],
        },
        rule: Rule::AtLeast { threshold: 0.5 },
        superseded: None,
        note: "Without AI assistance the default team should sit in the middle clusters.",
    },
    Target {
        id: "tier-default",
        source: TIERS_2024,
        measured: "share of replications in the Elite tier",
        measure: Measure::TierShare {
            arm: EMBEDDED_DEFAULT,
            tiers: &[Tier::Elite],
        },
        rule: Rule::Below { threshold: 0.5 },
        superseded: None,
        note: "",
    },
    Target {
        id: "tier-release-train",
        source: TIERS_2024,
        measured: "share of replications in the Medium or Low tier",
        measure: Measure::TierShare {
            arm: RELEASE_TRAIN,
            tiers: &[Tier::Medium, Tier::Low],
        },
        rule: Rule::AtLeast { threshold: 0.5 },
        superseded: Some(
            "The 2024 table itself rules this out for a weekly train: Medium's centre is lead \
             time 1 week – 1 month, weekly – monthly deploys and a 10 % change fail rate, while \
             a weekly train ships within about a week, its hotfixes keep deploys above one a \
             week, and its big batches fail more often, nearer High's 20 % or Low's 40 %. The \
             model's train (median lead time ~7 days, ~2.7 deploys a week, CFR ~33 %) is \
             nearest High; a fortnightly train moves lead time to Medium's bucket but not the \
             other three. The issue's expectation is not kept.",
        ),
        note: "Medium needs a slower cadence and fewer failures than a weekly train gives.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_arm_is_a_valid_scenario() {
        let mut ids: Vec<&str> = TARGETS.iter().map(|t| t.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), TARGETS.len());
        for arm in super::super::distinct_arms(TARGETS) {
            if let Err(e) = arm.scenario() {
                panic!("{e}");
            }
        }
    }

    #[test]
    fn the_suite_runs_five_distinct_arms() {
        // Targets share arms: each runs once.
        assert_eq!(super::super::distinct_arms(TARGETS).len(), 5);
    }

    #[test]
    fn superseded_rows_say_why() {
        let throughput = TARGETS.iter().find(|t| t.id == "dora2024-throughput");
        assert!(throughput.and_then(|t| t.superseded).is_some_and(|why| {
            why.contains("the model takes the measured reading (faros-delivery-flat)")
        }));
        assert_eq!(TARGETS.iter().filter(|t| !t.counted()).count(), 6);
        // A superseded figure names what replaces it, or why the model cannot follow it.
        for t in TARGETS.iter().filter(|t| !t.counted()) {
            assert!(t.superseded.is_some_and(|why| why.len() > 80), "{}", t.id);
        }
    }
}
