//! Directional checks of coding agents, the AI first-pass reviewer and organisations of several
//! teams (issue 13). Each check runs two arms with the same master seed and replication indices
//! (common random numbers) and asserts that the 99.9 % Student-t confidence interval of the mean
//! per-replication difference lies on the claimed side of zero. Seeds are fixed; replication
//! counts are chosen so that the effects sit well outside that interval, not tuned to pass.

use rayon::prelude::*;

use dorasim::metrics::{Lens, Metric, ReplicationMetrics, compute};
use dorasim::model::Model;
use dorasim::model::params::Params;
use dorasim::stats::moments::Moments;

const SEED: u64 = 1313;
const CONFIDENCE: f64 = 0.999;

/// Each replication's metrics (one team).
fn replications(params: &Params, runs: u64) -> Vec<ReplicationMetrics> {
    let model = Model::constant(params.clone());
    let slo = params.reliability.slo_target;
    (0..runs)
        .into_par_iter()
        .map(|rep| compute(&model.run(SEED, rep), slo, Lens::Truth))
        .collect()
}

/// Asserts the direction of the paired differences `treatment − base` of `metric`.
fn check(metric: Metric, base: &[ReplicationMetrics], treatment: &[ReplicationMetrics], up: bool) {
    let diffs: Vec<f64> = base
        .iter()
        .zip(treatment)
        .map(|(b, t)| t.get(metric) - b.get(metric))
        .collect();
    assert_paired(metric.def().key, &diffs, up);
}

fn assert_paired(what: &str, diffs: &[f64], up: bool) {
    let mut m = Moments::new();
    for d in diffs {
        m.push(*d);
    }
    let (mean, half) = (m.mean(), m.ci_half_width(CONFIDENCE));
    let (low, high) = (mean - half, mean + half);
    println!("{what}: {mean:.4} [{low:.4}, {high:.4}] n {}", m.count());
    let holds = if up { low > 0.0 } else { high < 0.0 };
    assert!(
        holds,
        "{what}: expected to go {}; paired difference {mean:.4}, 99.9 % CI [{low:.4}, {high:.4}]",
        if up { "up" } else { "down" }
    );
}

fn with_sessions(sessions: u32) -> Params {
    let mut p = Params::default();
    p.agents.sessions = sessions;
    p
}

#[test]
fn more_sessions_at_fixed_reviewers_lengthen_the_review_queue_and_lead_time() {
    let base = replications(&with_sessions(4), 24);
    let more = replications(&with_sessions(16), 24);
    check(Metric::ReviewQueue, &base, &more, true);
    check(Metric::ReviewWaitMean, &base, &more, true);
    check(Metric::LeadTimeP50, &base, &more, true);
    check(Metric::ReviewUtilisation, &base, &more, true);
}

#[test]
fn past_the_supervision_limit_more_sessions_stop_raising_delivered_changes() {
    // Below the limit, sessions add delivered changes ...
    let none = replications(&with_sessions(0), 24);
    let few = replications(&with_sessions(4), 24);
    check(Metric::ThroughputPerWeek, &none, &few, true);
    // ... past it (4 supervisors juggling 16 sessions each), coordination overhead eats the gain.
    let at_limit = replications(&with_sessions(16), 24);
    let past = replications(&with_sessions(64), 24);
    check(Metric::ThroughputPerWeek, &at_limit, &past, false);
    check(Metric::TimeSupervision, &few, &at_limit, true);
}

#[test]
fn adding_reviewers_relieves_the_agent_review_queue() {
    let base = with_sessions(16);
    let mut more_reviewers = base.clone();
    more_reviewers.review.reviewers += 3;
    let base = replications(&base, 24);
    let relieved = replications(&more_reviewers, 24);
    check(Metric::ReviewQueue, &base, &relieved, false);
    check(Metric::ReviewWaitMean, &base, &relieved, false);
    check(Metric::LeadTimeP50, &base, &relieved, false);
}

#[test]
fn ai_first_pass_review_lowers_human_review_time_and_misses_integration_defects() {
    let base = Params::default();
    let mut screened = base.clone();
    screened.ai_review.enabled = true;
    let off = replications(&base, 32);
    let on = replications(&screened, 32);
    // Humans spend less effort per review round (complacency) and fewer rounds (the AI's
    // findings were fixed before they looked).
    check(Metric::ReviewEffortPerPr, &off, &on, false);
    check(Metric::ReviewRounds, &off, &on, false);
    // It catches described defects: fewer of them escape ...
    let escaped = |m: &ReplicationMetrics, metrics: &[Metric]| -> f64 {
        metrics.iter().map(|x| m.get(*x)).sum()
    };
    let described = [Metric::EscapedDescribedHuman, Metric::EscapedDescribedAi];
    let integration = [
        Metric::EscapedIntegrationHuman,
        Metric::EscapedIntegrationAi,
    ];
    let diffs = |metrics: &[Metric]| -> Vec<f64> {
        off.iter()
            .zip(&on)
            .map(|(b, t)| escaped(t, metrics) - escaped(b, metrics))
            .collect()
    };
    assert_paired("escaped described defects", &diffs(&described), false);
    // ... but hardly any integration defect: the integration share of what escapes rises.
    let integration_share = |m: &ReplicationMetrics| {
        let i = escaped(m, &integration);
        i / (i + escaped(m, &described))
    };
    let shares: Vec<f64> = off
        .iter()
        .zip(&on)
        .map(|(b, t)| integration_share(t) - integration_share(b))
        .collect();
    assert_paired("integration share of escaped defects", &shares, true);
    let found: f64 = on.iter().map(|m| m.get(Metric::AiReviewFindings)).sum();
    assert!(found > 0.0, "the AI reviewer found nothing");
}

/// An organisation of two default teams; `sessions` agent sessions in the first.
fn organisation(sessions: u32) -> dorasim::scenario::Scenario {
    let text = format!(
        "[[teams]]\nname = \"agents\"\nagents.sessions = {sessions}\n\n[[teams]]\nname = \"other\"\n"
    );
    match dorasim::scenario::load_str(&text, "org.toml") {
        Ok(s) => s,
        Err(e) => panic!("the organisation does not load: {e}"),
    }
}

/// Incidents of team `team`'s service in each replication.
fn team_incidents(scenario: &dorasim::scenario::Scenario, team: usize, runs: u64) -> Vec<f64> {
    let model = match scenario.model() {
        Ok(m) => m,
        Err(e) => panic!("no model: {e}"),
    };
    let slo = scenario.params.reliability.slo_target;
    (0..runs)
        .into_par_iter()
        .map(|rep| {
            let records = model.run(SEED, rep);
            compute(&records.team_view(team), slo, Lens::Truth).get(Metric::Incidents)
        })
        .collect()
}

#[test]
fn an_agent_heavy_team_raises_the_other_teams_incidents_through_shared_production() {
    let runs = 40;
    let quiet = team_incidents(&organisation(0), 1, runs);
    let busy = team_incidents(&organisation(16), 1, runs);
    let diffs: Vec<f64> = quiet.iter().zip(&busy).map(|(q, b)| b - q).collect();
    assert_paired("the other team's incidents", &diffs, true);
}

#[test]
fn a_one_team_organisation_is_the_one_team_scenario() {
    let one = match dorasim::scenario::load_str("[[teams]]\nname = \"only\"\n", "one.toml") {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let plain = match dorasim::scenario::load_str("", "plain.toml") {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let (a, b) = match (one.model(), plain.model()) {
        (Ok(a), Ok(b)) => (a, b),
        _ => panic!("no model"),
    };
    let (ra, rb) = (a.run(5, 0), b.run(5, 0));
    assert_eq!(ra.events, rb.events);
    assert_eq!(ra.changes.len(), rb.changes.len());
    assert_eq!(ra.incidents.len(), rb.incidents.len());
}
