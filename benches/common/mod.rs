//! Models the benchmarks share (included with `mod common;`; not a benchmark of its own).

#![allow(dead_code)]

use dorasim::model::Model;
use dorasim::model::timeline::Schedule;
use dorasim::scenario::embedded_default;

/// The embedded default scenario, compiled.
pub fn default_model() -> Model {
    let scenario = embedded_default();
    let schedule = Schedule::build(&scenario.params, &scenario.timeline).expect("default timeline");
    Model::new(&schedule)
}

/// The shipped organisation of five teams (`scenarios/org-of-five-teams.toml`), compiled.
pub fn organisation_model() -> Model {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/org-of-five-teams.toml"
    );
    let scenario = dorasim::scenario::load_file(path).expect("the shipped organisation");
    scenario.model().expect("its timeline")
}
