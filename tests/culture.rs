//! Culture and metric gaming: each gaming behaviour flatters its measured metric and leaves the
//! true one the same or worse; the presets behave as the seed article describes; the lenses follow
//! the real tools' rules.
//!
//! Every comparison is paired (same seed, same replication index: common random numbers) and
//! decided by a 99.9 % Student-t interval of the mean paired difference.

use dorasim::metrics::ledger::{LedgerView, Lens};
use dorasim::metrics::{Metric, ReplicationMetrics, Weekly, compute};
use dorasim::model::Model;
use dorasim::model::params::{CultureParams, CulturePreset, Params};
use dorasim::stats::moments::Moments;

const SEED: u64 = 2024;
const RUNS: u64 = 40;

fn short(mut p: Params) -> Params {
    p.time.warmup_weeks = 2.0;
    p.time.horizon_weeks = 12.0;
    // A train every two hours instead of the default daily one: the culture mechanisms do not
    // depend on the policy, and frequent deployments keep weekly rates and lead-time medians off
    // the daily train's calendar steps, so 40 replications resolve the effects.
    p.deploy.interval_hours = 2.0;
    p
}

fn replicate(params: &Params, lens: Lens) -> Vec<ReplicationMetrics> {
    let model = Model::constant(params.clone());
    (0..RUNS)
        .map(|rep| compute(&model.run(SEED, rep), params.reliability.slo_target, lens))
        .collect()
}

/// 99.9 % interval of the mean of `values`.
fn interval(values: impl IntoIterator<Item = f64>) -> (f64, f64, f64) {
    let mut m = Moments::new();
    for v in values {
        m.push(v);
    }
    let half = m.ci_half_width(0.999);
    (m.mean() - half, m.mean(), m.mean() + half)
}

/// Interval of the paired difference `f(b) − f(a)` over replications where both are defined.
fn paired(
    a: &[ReplicationMetrics],
    b: &[ReplicationMetrics],
    f: impl Fn(&ReplicationMetrics) -> f64,
) -> (f64, f64, f64) {
    interval(
        a.iter()
            .zip(b)
            .map(|(x, y)| f(y) - f(x))
            .filter(|d| d.is_finite()),
    )
}

/// Full gaming pressure with every gaming propensity off; learning held fixed.
fn pressure_without_gaming() -> Params {
    let mut p = short(Params::default());
    p.culture = CultureParams {
        individual_scorecards: true,
        metric_targets: true,
        psychological_safety: 0.0,
        blame_safety_loss: 0.0,
        padding_deploys_per_week: 0.0,
        pr_splitting: 0.0,
        early_incident_close: 0.0,
        failure_reclassification: 0.0,
        hotfix_exclusion: 0.0,
        ..CultureParams::default()
    };
    p
}

/// Checks one gaming behaviour: `measured` moves in the flattering direction, `truth` does not
/// improve. `lower_is_better` gives the direction of both metrics.
fn check_behaviour(
    name: &str,
    switch_on: impl Fn(&mut Params),
    measured: Metric,
    truth: Metric,
    lower_is_better: bool,
) {
    check_behaviour_from(
        pressure_without_gaming(),
        name,
        switch_on,
        measured,
        truth,
        lower_is_better,
    );
}

/// [`check_behaviour`] from another base system.
fn check_behaviour_from(
    base: Params,
    name: &str,
    switch_on: impl Fn(&mut Params),
    measured: Metric,
    truth: Metric,
    lower_is_better: bool,
) {
    let mut gamed = base.clone();
    switch_on(&mut gamed);
    let a = replicate(&base, Lens::Truth);
    let b = replicate(&gamed, Lens::Truth);
    let (lo, mean, hi) = paired(&a, &b, |m| m.get(measured));
    let flatters = if lower_is_better { hi < 0.0 } else { lo > 0.0 };
    assert!(
        flatters,
        "{name}: measured {:?} should look better: paired difference {mean} [{lo}, {hi}]",
        measured
    );
    let (lo, mean, hi) = paired(&a, &b, |m| m.get(truth));
    let improves = if lower_is_better { hi < 0.0 } else { lo > 0.0 };
    assert!(
        !improves,
        "{name}: true {:?} must not improve: paired difference {mean} [{lo}, {hi}]",
        truth
    );
}

#[test]
fn padding_flatters_deployment_frequency_and_change_fail_rate() {
    let on = |p: &mut Params| p.culture.padding_deploys_per_week = 15.0;
    check_behaviour(
        "padding",
        on,
        Metric::MeasuredDeploysPerWeek,
        Metric::DeploysPerWeek,
        false,
    );
    check_behaviour(
        "padding",
        on,
        Metric::MeasuredChangeFailRate,
        Metric::ChangeFailRate,
        true,
    );
}

#[test]
fn artificial_splitting_flatters_lead_time() {
    // Every extra pull request costs its own minimum review (overhead and reading) and waits for
    // its own pickup, so splitting flatters the measured lead time only where review absorbs the
    // pieces at once: twelve reviewers who start as soon as they are free. With six, or with
    // reviewers who pick reviews up at breaks (the default), the pieces wait for each other and
    // splitting makes even the measured lead time worse: the gaming backfires.
    let on = |p: &mut Params| p.culture.pr_splitting = 0.8;
    let mut base = pressure_without_gaming();
    base.review.reviewers = 12;
    base.review.pickup_breaks_per_hour = 0.0;
    check_behaviour_from(
        base.clone(),
        "splitting",
        on,
        Metric::MeasuredLeadTimeP50,
        Metric::LeadTimeP50,
        true,
    );
    check_behaviour_from(
        base,
        "splitting",
        on,
        Metric::MeasuredLeadTimeP50,
        Metric::ChangeFailRate,
        true,
    );
}

#[test]
fn early_incident_closure_flatters_recovery_time() {
    let on = |p: &mut Params| p.culture.early_incident_close = 0.8;
    check_behaviour(
        "early closure",
        on,
        Metric::MeasuredRecoveryP50,
        Metric::RecoveryP50,
        true,
    );
    check_behaviour(
        "early closure",
        on,
        Metric::MeasuredRecoveryP50,
        Metric::Incidents,
        true,
    );
}

#[test]
fn reclassification_flatters_change_fail_rate() {
    let on = |p: &mut Params| p.culture.failure_reclassification = 0.8;
    check_behaviour(
        "reclassification",
        on,
        Metric::MeasuredChangeFailRate,
        Metric::ChangeFailRate,
        true,
    );
}

#[test]
fn leaving_hotfixes_out_flatters_rework_rate() {
    let on = |p: &mut Params| p.culture.hotfix_exclusion = 0.8;
    check_behaviour(
        "hotfix exclusion",
        on,
        Metric::MeasuredReworkRate,
        Metric::ReworkRate,
        true,
    );
}

fn preset(preset: CulturePreset) -> Params {
    let mut p = short(Params::default());
    p.culture = CultureParams::preset(preset);
    p
}

#[test]
fn surveillance_dashboard_looks_better_than_the_truth() {
    let runs = replicate(&preset(CulturePreset::Surveillance), Lens::Truth);
    // (true, measured, lower is better)
    let pairs = [
        (
            Metric::DeploysPerWeek,
            Metric::MeasuredDeploysPerWeek,
            false,
        ),
        (Metric::LeadTimeP50, Metric::MeasuredLeadTimeP50, true),
        (Metric::ChangeFailRate, Metric::MeasuredChangeFailRate, true),
        (Metric::RecoveryP50, Metric::MeasuredRecoveryP50, true),
    ];
    for (truth, measured, lower_is_better) in pairs {
        let (lo, mean, hi) = interval(
            runs.iter()
                .map(|m| m.get(measured) - m.get(truth))
                .filter(|d| d.is_finite()),
        );
        let better = if lower_is_better { hi < 0.0 } else { lo > 0.0 };
        assert!(
            better,
            "surveillance: measured − true for {truth:?} = {mean} [{lo}, {hi}]"
        );
    }
}

#[test]
fn learning_keeps_the_dashboard_honest_and_improves_the_truth() {
    let learning = replicate(&preset(CulturePreset::Learning), Lens::Truth);
    for (truth, measured) in [
        (Metric::DeploysPerWeek, Metric::MeasuredDeploysPerWeek),
        (Metric::ChangeFailRate, Metric::MeasuredChangeFailRate),
        (Metric::RecoveryP50, Metric::MeasuredRecoveryP50),
        (Metric::ReworkRate, Metric::MeasuredReworkRate),
    ] {
        for m in &learning {
            let (t, x) = (m.get(truth), m.get(measured));
            assert!(
                (t.is_nan() && x.is_nan()) || (x - t).abs() <= 0.02 * t.abs().max(1e-9),
                "learning: {measured:?} {x} vs {truth:?} {t}"
            );
        }
    }
    // True change fail rate over the last four weeks of the horizon, learning vs surveillance.
    let surveillance = replicate(&preset(CulturePreset::Surveillance), Lens::Truth);
    let late_cfr = |m: &ReplicationMetrics| {
        let weeks = &m.weeks[m.weeks.len().saturating_sub(4)..];
        let values: Vec<f64> = weeks
            .iter()
            .map(|w| w[Weekly::ChangeFailRate as usize])
            .filter(|x| x.is_finite())
            .collect();
        values.iter().sum::<f64>() / values.len().max(1) as f64
    };
    let (lo, mean, hi) = paired(&surveillance, &learning, late_cfr);
    assert!(
        hi < 0.0,
        "late true CFR, learning − surveillance = {mean} [{lo}, {hi}]"
    );
}

#[test]
fn devlake_blames_incidents_no_deployment_caused() {
    let mut p = short(Params::default());
    p.fragility.incidents_per_week_per_unit = 0.3;
    let runs = replicate(&p, Lens::Truth);
    let non_attributable: f64 = runs
        .iter()
        .map(|m| m.get(Metric::NonAttributableIncidents))
        .sum();
    assert!(
        non_attributable > 0.0,
        "the scenario needs incidents no deployment caused"
    );
    let (lo, mean, hi) = interval(runs.iter().map(|m| {
        m.get(Metric::LensDevlakeChangeFailRate) - m.get(Metric::LensTruthChangeFailRate)
    }));
    assert!(
        lo > 0.0,
        "DevLake − truth change fail rate = {mean} [{lo}, {hi}]"
    );
}

#[test]
fn four_keys_per_commit_lead_time_is_at_most_the_first_commit_lead_time() {
    let p = short(Params::default());
    let records = Model::constant(p).run(SEED, 0);
    let view = LedgerView::measured(&records, Lens::FourKeys);
    assert!(!view.lead_times.is_empty());
    // Every per-commit lead time is bounded by the first-commit lead time of a change deployed at
    // the same moment (a deployment carrying no change is timed from its own empty commit).
    for (deployed, lead) in &view.lead_times {
        let longest = records
            .changes
            .iter()
            .filter(|c| c.deployed_hours == *deployed)
            .map(|c| c.deployed_hours - c.first_commit_hours)
            .fold(f64::NEG_INFINITY, f64::max);
        if longest == f64::NEG_INFINITY {
            continue;
        }
        // Four Keys counts whole minutes between whole-second times: at most a second more.
        assert!(
            *lead <= longest + 1.0 / 3600.0 + 1e-9,
            "per-commit {lead} > first-commit {longest}"
        );
    }
    let mut per_commit: Vec<f64> = view.lead_times.iter().map(|l| l.1).collect();
    let truth = LedgerView::truth(&records);
    let mut first_commit: Vec<f64> = truth.lead_times.iter().map(|l| l.1).collect();
    let q = dorasim::metrics::compute::quantile;
    assert!(q(&mut per_commit, 0.5) <= q(&mut first_commit, 0.5));
}

#[test]
fn a_scenario_takes_a_preset_and_adjusts_it() {
    let s = dorasim::scenario::load_str(
        "[culture]\npreset = \"surveillance\"\npsychological_safety = 0.5\n",
        "test",
    )
    .expect("valid");
    let expected = CultureParams::preset(CulturePreset::Surveillance);
    assert_eq!(s.params.culture.psychological_safety, 0.5);
    assert!(s.params.culture.individual_scorecards);
    assert_eq!(s.params.culture.postmortems, expected.postmortems);
}
