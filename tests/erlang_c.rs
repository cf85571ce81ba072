//! The review stage alone is an M/M/c queue: Poisson arrivals of equal-sized changes, coding that
//! takes no time, one pull request per change, exponential review effort at full depth, and
//! nothing else switched on (no defects, no AI, no incidents, no calendar). Its mean wait in queue
//! must agree with the Erlang-C formula and its utilisation with ρ = λ / (c μ).
//!
//! Tolerances are not tuned: each configuration runs independent replications with a fixed seed,
//! and the 99.9 % Student-t confidence interval of the per-replication means must contain the
//! analytic value (a correct model fails one of these checks with probability about 0.001).

use rayon::prelude::*;

use dorasim::model::Model;
use dorasim::model::distribution::Dist;
use dorasim::model::params::{DemandMode, Params};
use dorasim::stats::moments::Moments;

const SEED: u64 = 20_240_601;
const CONFIDENCE: f64 = 0.999;
/// Size of every change, lines of code.
const LOC: f64 = 100.0;

/// Mean wait in queue of an M/M/c queue with offered load `a = λ/μ` erlangs and mean service time
/// `service_hours`. Uses the Erlang-B recursion B(k) = a B(k−1) / (k + a B(k−1)), which never
/// forms a factorial or a power, then C = c B / (c − a (1 − B)) and Wq = C / (c μ − λ).
fn erlang_c_wait(servers: u32, arrivals_per_hour: f64, service_hours: f64) -> f64 {
    let a = arrivals_per_hour * service_hours;
    let c = f64::from(servers);
    assert!(a < c, "unstable queue: a = {a}, c = {c}");
    let mut b = 1.0;
    for k in 1..=servers {
        b = a * b / (f64::from(k) + a * b);
    }
    let wait_probability = c * b / (c - a * (1.0 - b));
    wait_probability / (c / service_hours - arrivals_per_hour)
}

/// Parameters under which review is an M/M/c queue with `servers` reviewers, utilisation `rho` and
/// mean service time `service_hours`.
fn mmc_params(servers: u32, rho: f64, service_hours: f64, weeks: f64) -> Params {
    let mut p = Params::default();
    p.time.working_calendar = false;
    p.time.warmup_weeks = 5.0;
    p.time.horizon_weeks = weeks;
    p.demand.mode = DemandMode::Poisson;
    p.demand.items_per_week = rho * f64::from(servers) / service_hours * 168.0;
    p.demand.feature_share = 1.0;
    p.demand.bugfix_share = 0.0;
    p.demand.feature_size_loc = Dist::constant(LOC);
    p.ai.adoption = 0.0;
    p.defects.per_kloc = 0.0;
    p.team.developers = 10_000;
    p.team.wip_limit = 10_000;
    p.team.coding_overhead_hours = 0.0;
    p.team.coding_hours_per_loc = 0.0;
    p.team.maintenance_share = 0.0;
    p.pull_requests.max_loc = 1e9;
    p.pull_requests.review_overhead_hours = 0.0;
    p.review.reviewers = servers;
    p.review.loc_per_hour = LOC / service_hours;
    p.review.effort_noise = Dist::exponential(1.0);
    p.review.pressure_sensitivity = 0.0;
    // Reviewers start as soon as they are free: no pickup wait before the queue.
    p.review.pickup_breaks_per_hour = 0.0;
    // No cap on one sitting: every service time is the exponential draw.
    p.review.max_session_hours = 1e9;
    p.fragility.incidents_per_week_per_unit = 0.0;
    p.fragility.interaction_incidents_per_week = 0.0;
    p.recovery.reviewer_pull_probability = 0.0;
    p
}

/// Per-replication mean wait in queue and reviewer utilisation.
fn simulate(params: Params, replications: u64) -> (Moments, Moments) {
    let model = Model::constant(params);
    let rows: Vec<(f64, f64)> = (0..replications)
        .into_par_iter()
        .map(|rep| {
            let r = model.run(SEED, rep);
            let wait = r.flow.review_wait_sum_hours / r.flow.reviews_started as f64;
            let utilisation = r.time_use.reviewing / r.flow.reviewer_hours_available;
            (wait, utilisation)
        })
        .collect();
    let mut wait = Moments::new();
    let mut utilisation = Moments::new();
    for (w, u) in rows {
        wait.push(w);
        utilisation.push(u);
    }
    assert_eq!(wait.undefined(), 0, "a replication started no review");
    (wait, utilisation)
}

fn check(servers: u32, rho: f64, service_hours: f64, weeks: f64, replications: u64) {
    let (wait, utilisation) =
        simulate(mmc_params(servers, rho, service_hours, weeks), replications);
    let lambda = rho * f64::from(servers) / service_hours;
    let expected = erlang_c_wait(servers, lambda, service_hours);
    let half = wait.ci_half_width(CONFIDENCE);
    println!(
        "M/M/{servers} rho {rho}: wait {:.4} ± {half:.4} h vs Erlang C {expected:.4} h; \
         utilisation {:.5} ± {:.5}",
        wait.mean(),
        utilisation.mean(),
        utilisation.ci_half_width(CONFIDENCE),
    );
    assert!(
        (wait.mean() - expected).abs() <= half,
        "M/M/{servers}, rho {rho}: simulated mean wait {:.4} h ± {half:.4} (99.9 % CI, {} reps) \
         does not contain Erlang C {expected:.4} h",
        wait.mean(),
        wait.count(),
    );
    let half = utilisation.ci_half_width(CONFIDENCE);
    assert!(
        (utilisation.mean() - rho).abs() <= half,
        "M/M/{servers}: simulated utilisation {:.5} ± {half:.5} (99.9 % CI) does not contain rho \
         {rho}",
        utilisation.mean(),
    );
}

#[test]
fn erlang_c_formula_matches_known_values() {
    // M/M/1: Wq = ρ / (μ − λ).
    let w = erlang_c_wait(1, 0.8, 1.0);
    assert!((w - 4.0).abs() < 1e-12, "M/M/1 wait {w}");
    // M/M/2 with λ = 1, μ = 1 (a = 1): C = 1/3, Wq = C / (2 − 1) = 1/3.
    let w = erlang_c_wait(2, 1.0, 1.0);
    assert!((w - 1.0 / 3.0).abs() < 1e-12, "M/M/2 wait {w}");
    // Large c stays finite (no factorial overflow).
    let w = erlang_c_wait(500, 495.0, 1.0);
    assert!(w.is_finite() && w > 0.0, "M/M/500 wait {w}");
}

#[test]
fn single_reviewer_at_80_percent() {
    check(1, 0.8, 1.0, 200.0, 60);
}

#[test]
fn three_reviewers_at_85_percent() {
    check(3, 0.85, 2.0, 200.0, 60);
}

#[test]
fn six_reviewers_at_90_percent() {
    check(6, 0.9, 1.5, 200.0, 60);
}

/// With every item written by coding agents (sessions without limit, supervision that takes no
/// time, nothing rejected), the agents' pull requests still reach review as a Poisson stream (the
/// output of an M/G/∞ stage), so review must still match Erlang C.
#[test]
fn agents_only_review_still_matches_erlang_c() {
    let (servers, rho, service_hours) = (3, 0.85, 2.0);
    let mut p = mmc_params(servers, rho, service_hours, 200.0);
    p.agents.sessions = 100_000;
    p.agents.supervisors = 10_000;
    p.agents.share = 1.0;
    p.agents.supervision_hours_per_task = 0.0;
    p.agents.supervision_hours_per_pr = 0.0;
    p.agents.rejection_probability = 0.0;
    p.agents.size_multiplier = Dist::constant(1.0);
    p.agents.run_hours = Dist::lognormal(2.0, 8.0);
    p.review.ai_extra_effort = 0.0;
    let one = Model::constant(p.clone()).run(SEED, 0);
    assert!(
        !one.changes.is_empty() && one.changes.iter().all(|c| c.agent),
        "every change should be agent-written"
    );
    let (wait, utilisation) = simulate(p, 60);
    let lambda = rho * f64::from(servers) / service_hours;
    let expected = erlang_c_wait(servers, lambda, service_hours);
    let half = wait.ci_half_width(CONFIDENCE);
    println!(
        "agents only, M/M/{servers} rho {rho}: wait {:.4} ± {half:.4} h vs Erlang C {expected:.4} h",
        wait.mean()
    );
    assert!(
        (wait.mean() - expected).abs() <= half,
        "agents only: simulated mean wait {:.4} h ± {half:.4} (99.9 % CI) does not contain Erlang \
         C {expected:.4} h",
        wait.mean()
    );
    let half = utilisation.ci_half_width(CONFIDENCE);
    assert!(
        (utilisation.mean() - rho).abs() <= half,
        "agents only: utilisation {:.5} ± {half:.5} does not contain rho {rho}",
        utilisation.mean()
    );
}
