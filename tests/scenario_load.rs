//! Loading scenarios through the public API: defaults, values and overrides reaching the
//! parameters, dotted keys, the serialised form, and unreadable files. (The error messages of
//! bad input are tested class by class in `scenario_errors.rs`.)

use dorasim::model::params::Params;
use dorasim::scenario::{
    DEFAULT_SCENARIO, EMBEDDED_ORIGIN, RunSettings, apply_overrides, embedded_default, load_file,
    load_str,
};

#[test]
fn embedded_default_is_valid() {
    let scenario = load_str(DEFAULT_SCENARIO, EMBEDDED_ORIGIN);
    let scenario = scenario.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scenario.name, "default");
    assert_eq!(
        scenario.params.team.developers + scenario.params.review.reviewers,
        40
    );
    assert_eq!(scenario.params.ai.adoption, 0.3);
    assert_eq!(scenario.timeline.len(), 1);
    assert_eq!(scenario.timeline[0].to, Some(0.5));
    assert_eq!(embedded_default(), scenario);
}

#[test]
fn an_empty_file_gives_the_defaults() {
    let scenario = load_str("", "scenarios/empty.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scenario.params, Params::default());
    assert_eq!(scenario.run, RunSettings::default());
    assert_eq!(scenario.name, "empty");
}

#[test]
fn values_and_overrides_reach_the_params() {
    let text = "name = \"x\"\n[run]\nruns = 10\n[review]\nreviewers = 7\neffort_noise = { dist = \"exponential\", mean = 1 }\n";
    let overrides: Vec<String> = [
        "ai.adoption=0.8",
        "deploy.policy=continuous",
        "run.seed=7",
        "review.reviewers=9",
        "description=two words",
    ]
    .map(String::from)
    .to_vec();
    let s = apply_overrides(text, "x.toml", &overrides).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        s.run,
        RunSettings {
            runs: 10,
            seed: 7,
            ..RunSettings::default()
        }
    );
    assert_eq!(s.params.review.reviewers, 9);
    assert_eq!(s.params.ai.adoption, 0.8);
    assert_eq!(
        s.params.deploy.policy,
        dorasim::model::params::DeployPolicy::Continuous
    );
    assert_eq!(
        s.params.review.effort_noise,
        dorasim::model::distribution::Dist::exponential(1.0)
    );
    assert_eq!(s.description, "two words");
}

#[test]
fn dotted_keys_and_sub_tables_are_accepted() {
    let text = "review.reviewers = 8\n[review.effort_noise]\ndist = \"exponential\"\nmean = 1.0\n";
    let s = load_str(text, "x.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.params.review.reviewers, 8);
    assert_eq!(
        s.params.review.effort_noise,
        dorasim::model::distribution::Dist::exponential(1.0)
    );
    let errors = load_str("review.reviewrs = 8\n", "x.toml")
        .err()
        .map(|e| e.to_string());
    let errors = errors.unwrap_or_default();
    assert!(
        errors.contains("x.toml:1:8") && errors.ends_with("1 error"),
        "{errors}"
    );
}

#[test]
fn an_override_replaces_a_bad_file_value() {
    let text = "[review]\nreviewers = \"many\"\n";
    let s = apply_overrides(text, "x.toml", &["review.reviewers=8".to_string()]);
    assert_eq!(s.map(|s| s.params.review.reviewers).ok(), Some(8));
}

#[test]
fn the_resolved_scenario_serializes_to_json() {
    let json = serde_json::to_value(embedded_default()).unwrap_or_default();
    assert_eq!(json["params"]["review"]["reviewers"], 6);
    assert_eq!(json["timeline"][0]["key"], "ai.adoption");
    assert_eq!(json["run"]["runs"], 1000);
}

#[test]
fn a_missing_file_is_an_error() {
    let errors = load_file("/nonexistent/dir/x.toml")
        .err()
        .map(|e| e.0)
        .unwrap_or_default();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("cannot read"));
    assert_eq!(errors[0].origin, "/nonexistent/dir/x.toml");
}
