//! The application layer: one way from what a user asked for to what a command runs.
//!
//! Every command (run, run --shard, compare, sweep, sensitivity, validate; later serve) turns
//! its request, a scenario file or the embedded default, `--set` overrides and the run flags,
//! into a [`Prepared`] scenario here: the scenario with its `run` settings resolved against the
//! flags (so the scenario recorded in `summary.json` or a partial file reproduces the run), and
//! its model with the runaway guard the scenario asks for. The command line only parses
//! arguments and prints, so commands cannot drift apart on the guard, the lens, the label or the
//! reproduce command.

use std::path::Path;

use crate::metrics::ledger::Lens;
use crate::model::Model;
use crate::model::timeline::SetError;
use crate::output::command;
use crate::runner::RunPlan;
use crate::scenario::{self, Scenario, ScenarioErrors};

/// Where a scenario comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// The scenario built into the binary (`scenarios/default.toml`).
    Embedded,
    /// A scenario file.
    File(&'a Path),
    /// Scenario text already read, named `origin` in messages.
    Text {
        /// The TOML text.
        text: &'a str,
        /// The file it came from.
        origin: &'a str,
    },
}

/// What a user asked for: a scenario, overrides, and the run flags that override its `[run]`.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The scenario.
    pub source: Source<'a>,
    /// `--set KEY=VALUE` overrides, applied on top of the scenario.
    pub set: &'a [String],
    /// `--runs`, if given.
    pub runs: Option<u32>,
    /// `--seed`, if given.
    pub seed: Option<u64>,
    /// `--lens`, if given.
    pub lens: Option<Lens>,
}

impl<'a> Request<'a> {
    /// A request for `source` with `set` overrides and no run flags.
    pub fn new(source: Source<'a>, set: &'a [String]) -> Self {
        Request {
            source,
            set,
            runs: None,
            seed: None,
            lens: None,
        }
    }
}

/// Why a request cannot be prepared.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// The scenario or an override is invalid (every problem, located).
    #[error("{0}")]
    Scenario(#[from] ScenarioErrors),
    /// The timeline cannot be compiled into phases.
    #[error("{origin}: timeline: {error}")]
    Timeline {
        /// The scenario's origin.
        origin: String,
        /// What went wrong.
        error: SetError,
    },
    /// `--runs 0`.
    #[error("--runs must be at least 1")]
    NoRuns,
}

/// A scenario ready to run: its `run` settings hold the effective runs, seed and lens.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The scenario, with `run` resolved against the command line.
    pub scenario: Scenario,
    /// Its model, with the scenario's runaway guard.
    pub model: Model,
}

impl Prepared {
    /// Replications to run.
    pub fn runs(&self) -> u64 {
        u64::from(self.scenario.run.runs)
    }

    /// The master seed.
    pub fn seed(&self) -> u64 {
        self.scenario.run.seed
    }

    /// The measurement lens.
    pub fn lens(&self) -> Lens {
        self.scenario.run.lens
    }

    /// The plan of the whole run on `threads` worker threads.
    pub fn plan(&self, threads: usize) -> RunPlan {
        RunPlan {
            seed: self.seed(),
            runs: self.runs(),
            threads,
        }
    }

    /// The description a reader should see (with the overrides that changed it).
    pub fn label(&self) -> String {
        command::label(&self.scenario.description, &self.scenario.overrides)
    }

    /// The command that reproduces this run.
    pub fn reproduce(&self) -> String {
        let s = &self.scenario;
        command::reproduce_command(
            &s.origin,
            &s.overrides,
            u64::from(s.run.runs),
            s.run.seed,
            s.run.lens.name(),
        )
    }
}

/// Loads the scenario of a request with its overrides (no run flags applied).
pub fn load(source: Source<'_>, set: &[String]) -> Result<Scenario, ScenarioErrors> {
    match source {
        Source::Embedded => scenario::embedded_default_with_overrides(set),
        Source::File(path) => scenario::load_file_with_overrides(path, set),
        Source::Text { text, origin } => scenario::apply_overrides(text, origin, set),
    }
}

/// Loads the scenario of a request with its overrides, and its model, built from the schedules
/// that loading checked ([`scenario::load_with_model`]).
fn load_with_model(
    source: Source<'_>,
    set: &[String],
) -> Result<(Scenario, Model), ScenarioErrors> {
    match source {
        Source::Embedded => {
            scenario::load_with_model(scenario::DEFAULT_SCENARIO, scenario::EMBEDDED_ORIGIN, set)
        }
        Source::File(path) => scenario::load_file_with_model(path, set),
        Source::Text { text, origin } => scenario::load_with_model(text, origin, set),
    }
}

/// Prepares a request: the scenario with its overrides, its `run` settings resolved against the
/// flags, and its model with the guard.
pub fn prepare(request: &Request<'_>) -> Result<Prepared, PrepareError> {
    let (mut scenario, model) = load_with_model(request.source, request.set)?;
    let run = &mut scenario.run;
    run.runs = request.runs.unwrap_or(run.runs);
    run.seed = request.seed.unwrap_or(run.seed);
    run.lens = request.lens.unwrap_or(run.lens);
    if run.runs == 0 {
        return Err(PrepareError::NoRuns);
    }
    Ok(Prepared { scenario, model })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_scenario_and_the_guard_comes_from_it() {
        let text =
            "[run]\nruns = 30\nseed = 5\nlens = \"devlake\"\nmax_events_per_replication = 5000\n";
        let source = Source::Text {
            text,
            origin: "x.toml",
        };
        let set = vec!["ai.adoption=0.8".to_string()];
        let plain = prepare(&Request::new(source, &set)).expect("valid");
        assert_eq!(
            (plain.runs(), plain.seed(), plain.lens()),
            (30, 5, Lens::Devlake)
        );
        assert_eq!(plain.model.guard().max_events, 5000);
        assert!(plain.label().contains("--set ai.adoption=0.8"));
        let flagged = prepare(&Request {
            runs: Some(7),
            seed: Some(9),
            lens: Some(Lens::Truth),
            ..Request::new(source, &set)
        })
        .expect("valid");
        assert_eq!(
            (flagged.runs(), flagged.seed(), flagged.lens()),
            (7, 9, Lens::Truth)
        );
        assert_eq!(
            flagged.reproduce(),
            "dorasim run x.toml --set ai.adoption=0.8 --runs 7 --seed 9 --lens truth"
        );
        let zero = prepare(&Request {
            runs: Some(0),
            ..Request::new(source, &set)
        });
        assert!(matches!(zero, Err(PrepareError::NoRuns)));
    }
}
