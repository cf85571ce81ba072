//! Parameters of autonomous coding agents, of an automated first-pass reviewer, and of how the
//! services of an organisation of several teams share production.

use super::*;
use crate::model::distribution::Dist;
use crate::section;

section! {
    /// Autonomous coding agents: sessions that take work items, run on their own and open a pull
    /// request for human review, under a supervising engineer's attention.
    "agents" => pub struct AgentParams {
        /// Concurrent agent sessions the team runs (0 = no agents). A session is busy from the
        /// moment its task is assigned until its pull request is opened.
        sessions: u32 = 0 => {
            unit: "sessions",
            accepts: COUNT_OR_ZERO,
            source: "scenario choice: what leaders ask ('what if we run 20 background agents?')",
        },
        /// Engineers who run the sessions: at most this many developers are prompting or checking
        /// agents at once, and the sessions are shared among them.
        supervisors: u32 = 4 => {
            unit: "people",
            accepts: PEOPLE,
            source: ASSUMPTION,
        },
        /// Share of planned work items given to agents (Poisson demand; with a backlog, agents pull
        /// from it whenever a session is free). Only kinds agents take count.
        share: f64 = 0.3 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "scenario choice",
        },
        /// Agents take feature work.
        take_features: bool = true => {
            unit: "on/off",
            accepts: SWITCH,
            source: "Pinna et al. 2026 (MSR, 7,156 AIDev PRs): agents are given features, fixes, docs and config; acceptance varies by task type",
        },
        /// Agents take planned bug fixes.
        take_bug_fixes: bool = true => {
            unit: "on/off",
            accepts: SWITCH,
            source: "Pinna et al. 2026 (MSR): see take_features",
        },
        /// Agents take configuration changes.
        take_config: bool = true => {
            unit: "on/off",
            accepts: SWITCH,
            source: "Pinna et al. 2026 (MSR): see take_features",
        },
        /// Agents work around the clock (true) or on the team's working calendar (false).
        around_the_clock: bool = true => {
            unit: "on/off",
            accepts: SWITCH,
            source: "practitioner reports 2026: remote agents run asynchronously in the cloud and notify when done",
        },
        /// Hours an agent runs on one task before its pull request is ready (also one rework run).
        run_hours: Dist = Dist::lognormal(2.0, 8.0) => {
            unit: "hours",
            accepts: DIST,
            source: "modelling assumption, sweep it: background agents take minutes to hours per task; Li et al. 2025 report a median of 18 min from open to merge for Codex PRs, which is after the run",
        },
        /// Multiplier on the size a developer would write by hand.
        size_multiplier: Dist = Dist::lognormal(2.4, 5.0) => {
            unit: "multiplier",
            accepts: DIST,
            source: "as AI-assisted code (Faros AI 2025: PR size +154 %); no agent-specific size figure; sweep it",
        },
        /// Multiplier on defects per line of code for agent-written code.
        defect_rate_multiplier: f64 = 0.7 => {
            unit: "multiplier",
            accepts: NON_NEGATIVE,
            source: "CodeRabbit 2025: AI PRs carry 1.7x the review findings of human PRs; with 2.4x the lines, 0.7 per line gives 1.7x per pull request",
        },
        /// Share of an agent-written change's defects that are integration defects.
        integration_share: f64 = 0.4 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "as AI-assisted code (practitioner seed: AI misses the undescribed scenarios); sweep it",
        },
        /// Supervising engineer's hours to prompt and steer one task (writing the task,
        /// answering the agent's questions).
        supervision_hours_per_task: f64 = 0.5 => {
            unit: "hours",
            accepts: NON_NEGATIVE,
            source: ASSUMPTION,
        },
        /// Supervising engineer's hours to check one agent pull request before it goes to review
        /// (and again after each agent rework).
        supervision_hours_per_pr: f64 = 0.25 => {
            unit: "hours",
            accepts: NON_NEGATIVE,
            source: ASSUMPTION,
        },
        /// Coordination overhead: supervision effort grows by this share for each session an
        /// engineer juggles beyond the first (`1 + overhead x (sessions/supervisors - 1)`).
        coordination_overhead: f64 = 0.1 => {
            unit: "share per session",
            accepts: NON_NEGATIVE,
            source: "practitioner report 2026: engineers managed only a handful of concurrent sessions before coordination overhead offset the gain; 0.1 with the defaults saturates a supervisor at about 3-4 sessions; sweep it",
        },
        /// Probability that a reviewer closes an agent pull request unmerged at its first review
        /// (the review time is wasted; the work item goes back to the backlog).
        rejection_probability: f64 = 0.35 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "Li et al. 2025 (AIDev): agent PRs accepted 35-65 % vs 76.8 % for human PRs; 1 - 0.5/0.768 = 0.35",
        },
    }
}

section! {
    /// An automated reviewer that screens every pull request before a human reviews it.
    "ai_review" => pub struct AiReviewParams {
        /// Screen pull requests with an AI reviewer before human review.
        enabled: bool = false => {
            unit: "on/off",
            accepts: SWITCH,
            source: "scenario choice",
        },
        /// Probability that the AI reviewer finds one described defect.
        described_detection: f64 = 0.3 => {
            unit: "probability",
            accepts: SHARE,
            source: "modelling assumption, sweep it: Automated Code Review In Practice 2024: 73.8 % of automated comments resolved; Human-AI Synergy 2026: 16.6 % of AI suggestions adopted",
        },
        /// Probability that the AI reviewer finds one integration defect (weak: the diff alone
        /// does not show how parts fit together).
        integration_detection: f64 = 0.05 => {
            unit: "probability",
            accepts: SHARE,
            source: "modelling assumption, sweep it: practitioner seed (undescribed scenarios are invisible in the diff)",
        },
        /// False-positive comments per pull request (Poisson mean).
        false_positives_per_pr: f64 = 2.0 => {
            unit: "comments",
            accepts: NON_NEGATIVE,
            source: "Sun et al. 2025 (22,000 comments): 0.9-19.2 % of AI review comments led to a code change, against ~60 % of human ones; count is an assumption",
        },
        /// Author hours to read and dismiss one false-positive comment.
        false_positive_hours: f64 = 0.1 => {
            unit: "hours",
            accepts: NON_NEGATIVE,
            source: ASSUMPTION,
        },
        /// Hours the AI reviewer takes on a pull request (around the clock).
        hours: f64 = 0.1 => {
            unit: "hours",
            accepts: NON_NEGATIVE,
            source: "modelling assumption: minutes",
        },
        /// Complacency: human reviewers of a screened pull request aim for this share less depth
        /// (0 = no complacency).
        complacency: f64 = 0.15 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "modelling assumption, sweep it (automation bias); a parameter so that its effect can be shown, not assumed",
        },
    }
}

section! {
    /// How the services of an organisation of several teams share production (used only when a
    /// scenario declares `[[teams]]`).
    "org" => pub struct OrgParams {
        /// Share of a service's escaping integration defects that show in another team's service
        /// (cross-service integration defects).
        cross_service_share: f64 = 0.2 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// Weight of other services' changes in a service's interaction window (0 = services
        /// independent, 1 = one shared system).
        interaction_coupling: f64 = 0.2 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: ASSUMPTION,
        },
    }
}
