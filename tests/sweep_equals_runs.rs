//! A sweep's point is the scenario run with the point's values as `--set`: its rows equal those
//! of a separate run of the scenario loaded and built the plain way (every override through
//! `apply_overrides`, the model built afresh by `Scenario::model`), for a one-team scenario and
//! for an organisation (where a global override reaches every team that does not set the
//! parameter itself, and `teams.NAME.section.field` one team).

use dorasim::analysis::design::{Design, DesignKind, ParamSpec};
use dorasim::analysis::focus::FOCUS;
use dorasim::analysis::sweep::{self, SweepPlan};
use dorasim::metrics::ledger::Lens;
use dorasim::output::format::csv_cell;
use dorasim::runner::{self, RunPlan};
use dorasim::scenario;

fn check(file: &str, sets: &[&str], params: &[&str], runs: u64) {
    let text = std::fs::read_to_string(file).expect("scenario");
    let specs: Vec<ParamSpec> = params
        .iter()
        .map(|p| ParamSpec::parse(p).expect("spec"))
        .collect();
    let plan = SweepPlan {
        text: text.clone(),
        origin: file.to_string(),
        sets: sets.iter().map(|s| s.to_string()).collect(),
        design: Design::new(specs, DesignKind::Grid, 2, 42).expect("design"),
        runs,
        seed: 7,
        lens: Lens::Truth,
        threads: 2,
        shard: None,
    };
    plan.validate(&|| {}).expect("valid design");
    let dir = tempfile::tempdir().expect("temp dir");
    sweep::run(&plan, dir.path(), false, &|| {}).expect("sweep");
    let csv = std::fs::read_to_string(dir.path().join(sweep::SWEEP_CSV)).expect("csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), plan.design.len() * FOCUS.len());
    for i in 0..plan.design.len() {
        let mut overrides = plan.sets.clone();
        for (p, v) in plan.design.params.iter().zip(plan.design.point(i)) {
            overrides.push(format!("{}={v}", p.key));
        }
        let loaded = scenario::apply_overrides(&text, file, &overrides).expect("valid point");
        let model = loaded.model().expect("model");
        let summary = runner::run_with_lens(
            &model,
            RunPlan {
                seed: 7,
                runs,
                threads: 1,
            },
            Lens::Truth,
            |_, _| Ok(()),
        )
        .expect("run");
        for (m, (metric, _)) in FOCUS.iter().enumerate() {
            let row = &rows[i * FOCUS.len() + m];
            assert_eq!(row[0], i.to_string());
            assert_eq!(row[column("metric")], metric.def().key);
            let s = summary.metric(*metric).summary();
            let cell = |x: Option<f64>| x.map_or(String::new(), csv_cell);
            for (name, value) in [
                ("mean", s.mean),
                ("p5", s.p5),
                ("p50", s.p50),
                ("p95", s.p95),
                ("ci95_low", s.ci95_low),
                ("ci95_high", s.ci95_high),
            ] {
                assert_eq!(
                    row[column(name)],
                    cell(value),
                    "{file} point {i} ({overrides:?}) {} {name}",
                    metric.def().key
                );
            }
            assert_eq!(row[column("n")], s.n.to_string());
        }
    }
}

#[test]
fn a_one_team_sweep_equals_separate_runs_with_set() {
    check(
        "scenarios/default.toml",
        &["review.reviewers=5"],
        &["ai.adoption=0.2..0.7", "deploy.policy=continuous,scheduled"],
        3,
    );
}

#[test]
fn an_organisation_sweep_equals_separate_runs_with_set() {
    check(
        "scenarios/org-of-five-teams.toml",
        &["time.horizon_weeks=8"],
        &["agents.sessions=2,6", "teams.checkout.review.reviewers=3,5"],
        1,
    );
}
