//! The levers on the page: which parameters get a control, and the slider's span for a
//! workshop. Everything else about a control (unit, accepted range, meaning, evidence, choices)
//! comes from the parameter catalogue, so the page says what `dorasim params` says.

use serde::Serialize;

use crate::model::params::{Kind, Value};
use crate::scenario::{Scenario, catalogue};

/// A lever: its key and the span of its slider (a workshop's span, inside the accepted range;
/// the number box beside the slider takes any value, which the validation then judges).
struct Lever {
    key: &'static str,
    label: &'static str,
    slider: Option<(f64, f64, f64)>,
}

const LEVERS: &[Lever] = &[
    Lever {
        key: "ai.adoption",
        label: "AI adoption",
        slider: Some((0.0, 1.0, 0.05)),
    },
    Lever {
        key: "review.reviewers",
        label: "Reviewers",
        slider: Some((1.0, 20.0, 1.0)),
    },
    Lever {
        key: "team.developers",
        label: "Developers",
        slider: Some((4.0, 100.0, 1.0)),
    },
    Lever {
        key: "testing.coverage",
        label: "Test coverage",
        slider: Some((0.0, 1.0, 0.05)),
    },
    Lever {
        key: "testing.traffic_replay",
        label: "Traffic replay",
        slider: None,
    },
    Lever {
        key: "testing.staging",
        label: "Staging soak",
        slider: None,
    },
    Lever {
        key: "recovery.observability",
        label: "Observability",
        slider: Some((0.0, 1.0, 0.05)),
    },
    Lever {
        key: "deploy.policy",
        label: "Deploy policy",
        slider: None,
    },
    Lever {
        key: "deploy.interval_hours",
        label: "Deploy interval",
        slider: Some((1.0, 168.0, 1.0)),
    },
    Lever {
        key: "deploy.max_batch",
        label: "Largest batch",
        slider: Some((0.0, 50.0, 1.0)),
    },
    Lever {
        key: "agents.sessions",
        label: "Agent sessions",
        slider: Some((0.0, 40.0, 1.0)),
    },
    Lever {
        key: "agents.supervisors",
        label: "Agent supervisors",
        slider: Some((1.0, 20.0, 1.0)),
    },
    Lever {
        key: "ai_review.enabled",
        label: "AI first-pass review",
        slider: None,
    },
    Lever {
        key: "ai_review.complacency",
        label: "Reviewer complacency",
        slider: Some((0.0, 1.0, 0.05)),
    },
    Lever {
        key: "culture.preset",
        label: "Culture",
        slider: None,
    },
    Lever {
        key: "culture.psychological_safety",
        label: "Psychological safety",
        slider: Some((0.0, 1.0, 0.05)),
    },
];

/// One control of the page.
#[derive(Debug, Clone, Serialize)]
pub struct Control {
    /// Parameter key (`review.reviewers`).
    pub key: &'static str,
    /// Short label.
    pub label: &'static str,
    /// `number`, `integer`, `switch` or `choice`.
    pub kind: &'static str,
    /// Unit from the catalogue.
    pub unit: &'static str,
    /// The accepted range, as `dorasim params` says it.
    pub range: String,
    /// Meaning from the catalogue.
    pub meaning: &'static str,
    /// Evidence behind the default.
    pub source: &'static str,
    /// Words of a choice.
    pub choices: &'static [&'static str],
    /// Slider span: lowest, highest, step.
    pub slider: Option<(f64, f64, f64)>,
    /// The value in the server's scenario.
    pub value: serde_json::Value,
}

/// The controls for `scenario`'s values.
pub fn controls(scenario: &Scenario) -> Vec<Control> {
    LEVERS
        .iter()
        .filter_map(|lever| {
            let info = catalogue().iter().find(|p| p.key == lever.key)?;
            let kind = match info.kind {
                Kind::Float => "number",
                Kind::Integer => "integer",
                Kind::Bool => "switch",
                Kind::Choice => "choice",
                Kind::Dist => return None,
            };
            let value = match scenario.params.get(lever.key)? {
                Value::Integer(i) => serde_json::json!(i),
                Value::Float(x) => serde_json::json!(x),
                Value::Bool(b) => serde_json::json!(b),
                Value::Choice(w) => serde_json::json!(w),
                Value::Dist(_) => return None,
            };
            Some(Control {
                key: lever.key,
                label: lever.label,
                kind,
                unit: info.unit,
                range: info.range_text(),
                meaning: info.meaning,
                source: info.source,
                choices: info.choices,
                slider: lever.slider,
                value,
            })
        })
        .collect()
}
