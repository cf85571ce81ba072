//! Every parameter of the delivery system, declared once.
//!
//! Each parameter is one entry of a [`section!`] table (in `work.rs`, `pipeline.rs`,
//! `operations.rs` and `culture.rs`): its field, type and default, its unit, accepted range,
//! meaning and the evidence behind the default. From that one entry come the `Params` structs
//! (the meaning becomes the field's documentation), `dorasim params`, the range checks
//! ([`check_params`]), typed get and set by key path ([`Params::get`], [`Params::set`]) for `--set`,
//! timelines, sweeps and sensitivity, and the choice lists of the enums ([`choice!`]). Field names
//! are the scenario file's keys (`review.reviewers`); units are in the names (`_hours`, `_loc`).
//!
//! Adding a parameter: add its entry to the table of its section, use it in the model, and
//! document its calibration in `docs/calibration.md`. Nothing else.

mod agents;
mod checks;
mod culture;
mod operations;
mod pipeline;
mod value;
mod work;

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

pub use agents::{AgentParams, AiReviewParams, OrgParams};
pub use checks::{Problem, check_changed, check_params};
pub use culture::{CultureParams, CulturePreset};
pub use operations::{FragilityParams, ProductionParams, RecoveryParams, ReliabilityParams};
pub use pipeline::{DeployParams, DeployPolicy, ReviewParams, TestingParams};
pub use value::{Kind, ParamType, SetError, Value};
pub use work::{
    AiParams, DefectParams, DemandMode, DemandParams, PullRequestParams, TeamParams, TimeParams,
};

/// Accepted values of a parameter, shared by many entries of the tables.
#[derive(Debug, Clone, Copy)]
pub struct Accepts {
    /// Lowest accepted value (for a distribution: lowest value it may produce).
    pub min: Option<f64>,
    /// Highest accepted value (for a distribution: highest value it may produce).
    pub max: Option<f64>,
    /// `min` itself is not accepted.
    pub min_exclusive: bool,
    /// `max` itself is not accepted.
    pub max_exclusive: bool,
    /// Whole numbers only.
    pub integer: bool,
}

/// Any value of the parameter's type.
pub const ANY: Accepts = Accepts {
    min: None,
    max: None,
    min_exclusive: false,
    max_exclusive: false,
    integer: false,
};
/// The largest value any unbounded-by-meaning parameter accepts: a million hours (114 years),
/// lines, rounds, or events per week (about 100 a minute). Far beyond any delivery system, and
/// small enough that rates, hazards and durations never overflow to infinity in the model.
pub const LARGEST: f64 = 1e6;
/// Probabilities and shares.
pub const SHARE: Accepts = Accepts {
    min: Some(0.0),
    max: Some(1.0),
    ..ANY
};
/// Non-negative quantities.
pub const NON_NEGATIVE: Accepts = Accepts {
    min: Some(0.0),
    max: Some(LARGEST),
    ..ANY
};
/// Strictly positive quantities.
pub const POSITIVE: Accepts = Accepts {
    min: Some(0.0),
    max: Some(LARGEST),
    min_exclusive: true,
    ..ANY
};
/// Counts that must be at least one (rounds).
pub const COUNT: Accepts = Accepts {
    min: Some(1.0),
    max: Some(LARGEST),
    integer: true,
    ..ANY
};
/// Head counts: at least one person, and at most 100,000 (a larger organisation is not one
/// delivery system, and every person is simulated).
pub const PEOPLE: Accepts = Accepts {
    min: Some(1.0),
    max: Some(100_000.0),
    integer: true,
    ..ANY
};
/// Counts where zero means "none" or "no limit".
pub const COUNT_OR_ZERO: Accepts = Accepts {
    min: Some(0.0),
    max: Some(LARGEST),
    integer: true,
    ..ANY
};
/// On/off switches.
pub const SWITCH: Accepts = ANY;
/// One word of a choice; the words come from the enum ([`choice!`]).
pub const CHOICE: Accepts = ANY;
/// Distributions of non-negative quantities (durations, sizes, multipliers). Unbounded above:
/// a log-normal has no largest value; the runaway guards bound what extreme draws can cost.
pub const DIST: Accepts = Accepts {
    min: Some(0.0),
    ..ANY
};
/// The source of a default that no study measures.
pub const ASSUMPTION: &str = "modelling assumption, sweep it";

/// What one parameter means and which values it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ParamInfo {
    /// Key path in a scenario file (`review.reviewers`).
    pub key: &'static str,
    /// Unit of the value (`hours`, `loc`, `share 0-1`, `people`).
    pub unit: &'static str,
    /// What the parameter means.
    pub meaning: &'static str,
    /// The evidence behind the default (see the calibration notes), or why there is none.
    pub source: &'static str,
    /// Lowest accepted value (for a distribution: lowest value it may produce).
    pub min: Option<f64>,
    /// Highest accepted value (for a distribution: highest value it may produce).
    pub max: Option<f64>,
    /// `min` itself is not accepted (the value must be strictly greater).
    pub min_exclusive: bool,
    /// `max` itself is not accepted (the value must be strictly smaller).
    pub max_exclusive: bool,
    /// Whole numbers only.
    pub integer: bool,
    /// The type of the value.
    #[serde(skip)]
    pub kind: Kind,
    /// Accepted words for a choice (empty for other parameters).
    pub choices: &'static [&'static str],
}

impl ParamInfo {
    /// An entry of the tables; used by [`section!`].
    #[doc(hidden)]
    pub const fn new(
        key: &'static str,
        unit: &'static str,
        meaning: &'static str,
        source: &'static str,
        accepts: Accepts,
        kind: Kind,
        choices: &'static [&'static str],
    ) -> ParamInfo {
        ParamInfo {
            key,
            unit,
            meaning: meaning.trim_ascii(),
            source,
            min: accepts.min,
            max: accepts.max,
            min_exclusive: accepts.min_exclusive,
            max_exclusive: accepts.max_exclusive,
            integer: accepts.integer || matches!(kind, Kind::Integer),
            kind,
            choices,
        }
    }

    /// The accepted range as text, such as `>= 0`, `in [0, 1]` or `> 0 and <= 24`.
    pub fn range_text(&self) -> String {
        let low = self
            .min
            .map(|m| (if self.min_exclusive { "> " } else { ">= " }, m));
        let high = self
            .max
            .map(|m| (if self.max_exclusive { "< " } else { "<= " }, m));
        match (low, high) {
            (Some((">= ", a)), Some(("<= ", b))) => format!("in [{a}, {b}]"),
            (Some((l, a)), Some((h, b))) => format!("{l}{a} and {h}{b}"),
            (Some((l, a)), None) => format!("{l}{a}"),
            (None, Some((h, b))) => format!("{h}{b}"),
            (None, None) if !self.choices.is_empty() => {
                format!("one of {}", self.choices.join(", "))
            }
            (None, None) if self.kind == Kind::Bool => "true or false".to_string(),
            (None, None) if self.kind == Kind::Dist => {
                "a distribution (see docs/model.md)".to_string()
            }
            (None, None) => "any value of its type".to_string(),
        }
    }

    /// True when `value` lies in the accepted range (NaN never does).
    pub fn accepts(&self, value: f64) -> bool {
        if !value.is_finite() {
            return false;
        }
        let above = match self.min {
            Some(m) if self.min_exclusive => value > m,
            Some(m) => value >= m,
            None => true,
        };
        let below = match self.max {
            Some(m) if self.max_exclusive => value < m,
            Some(m) => value <= m,
            None => true,
        };
        above && below
    }
}

/// Declares one section of parameters: the struct (each field documented by its meaning), its
/// defaults, its catalogue entries and typed get and set by field name.
///
/// ```ignore
/// section! {
///     /// Run length and working calendar.
///     "time" => pub struct TimeParams {
///         /// Measured horizon after the warm-up.
///         horizon_weeks: f64 = 26.0 => {
///             unit: "weeks",
///             accepts: POSITIVE,
///             source: "modelling assumption: half a year, a usual planning horizon",
///         },
///     }
/// }
/// ```
#[macro_export]
#[doc(hidden)]
macro_rules! section {
    (
        $(#[doc = $sdoc:literal])*
        $key:literal => pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])+
                $field:ident : $ty:ty = $default:expr => {
                    unit: $unit:literal,
                    accepts: $accepts:expr,
                    source: $source:expr $(,)?
                }
            ),* $(,)?
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            $( $(#[doc = $doc])+ pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $( $field: $default, )* }
            }
        }

        impl $name {
            /// The section's key in a scenario file.
            pub const KEY: &'static str = $key;
            /// The catalogue entry of every field, in declaration order.
            pub const INFO: &'static [$crate::model::params::ParamInfo] = &[
                $(
                    $crate::model::params::ParamInfo::new(
                        concat!($key, ".", stringify!($field)),
                        $unit,
                        concat!($($doc),+),
                        $source,
                        $accepts,
                        <$ty as $crate::model::params::ParamType>::KIND,
                        <$ty as $crate::model::params::ParamType>::CHOICES,
                    ),
                )*
            ];

            /// The value of a field, by name.
            pub fn get(&self, field: &str) -> Option<$crate::model::params::Value> {
                $(
                    if field == stringify!($field) {
                        return Some($crate::model::params::ParamType::to_value(&self.$field));
                    }
                )*
                None
            }

            /// Sets a field by name; `Ok(false)` when there is no such field.
            pub fn set(
                &mut self,
                field: &str,
                value: &$crate::model::params::Value,
            ) -> Result<bool, String> {
                $(
                    if field == stringify!($field) {
                        self.$field = $crate::model::params::ParamType::from_value(value)?;
                        return Ok(true);
                    }
                )*
                Ok(false)
            }
        }
    };
}

/// Declares the sections of [`Params`].
macro_rules! sections {
    ($( $(#[doc = $doc:literal])+ $field:ident : $ty:ident ),* $(,)?) => {
        /// All parameters of one delivery system at one moment of a run.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
        #[serde(default, deny_unknown_fields)]
        pub struct Params {
            $( $(#[doc = $doc])+ pub $field: $ty, )*
        }

        /// Every parameter, section by section, in declaration order.
        static CATALOGUE: LazyLock<Vec<ParamInfo>> = LazyLock::new(|| {
            let mut all = Vec::new();
            $( all.extend_from_slice($ty::INFO); )*
            all
        });

        /// The key of every section, in declaration order.
        pub const SECTIONS: &[&str] = &[$( $ty::KEY ),*];

        impl Params {
            /// The value of a parameter by its key path (`review.reviewers`).
            pub fn get(&self, key: &str) -> Option<Value> {
                let (section, field) = key.split_once('.')?;
                $( if section == $ty::KEY { return self.$field.get(field); } )*
                None
            }

            /// Sets a parameter by its key path. Integers are accepted where numbers are
            /// expected, and whole numbers where integers are.
            pub fn set(&mut self, key: &str, value: &Value) -> Result<(), SetError> {
                let unknown = || SetError::UnknownKey(key.to_string());
                let (section, field) = key.split_once('.').ok_or_else(unknown)?;
                let result = match section {
                    $( s if s == $ty::KEY => self.$field.set(field, value), )*
                    _ => Ok(false),
                };
                match result {
                    Ok(true) => Ok(()),
                    Ok(false) => Err(unknown()),
                    Err(message) => Err(SetError::BadValue {
                        key: key.to_string(),
                        message,
                    }),
                }
            }
        }
    };
}

sections! {
    /// Run length and working calendar.
    time: TimeParams,
    /// Incoming work.
    demand: DemandParams,
    /// Developers and coding.
    team: TeamParams,
    /// AI-assisted development.
    ai: AiParams,
    /// Latent defects injected with each change.
    defects: DefectParams,
    /// Pull request splitting.
    pull_requests: PullRequestParams,
    /// Code review.
    review: ReviewParams,
    /// CI tests and staging.
    testing: TestingParams,
    /// Deployment policy.
    deploy: DeployParams,
    /// Escaped defects in production.
    production: ProductionParams,
    /// Detection, diagnosis and remediation of failures.
    recovery: RecoveryParams,
    /// Cumulative instability (fragility) and maintenance.
    fragility: FragilityParams,
    /// Service level objective used for reliability.
    reliability: ReliabilityParams,
    /// Culture: how metrics are used, gaming and learning behaviours.
    culture: CultureParams,
    /// Autonomous coding agents.
    agents: AgentParams,
    /// An automated first-pass reviewer.
    ai_review: AiReviewParams,
    /// How the services of several teams share production.
    org: OrgParams,
}

impl Params {
    /// Share of developer time on maintenance and debt pay-down: the team's share plus the
    /// culture's debt time, capped so some time is always left for changes.
    pub fn maintenance_share(&self) -> f64 {
        (self.team.maintenance_share + self.culture.debt_time_share).clamp(0.0, 0.95)
    }

    /// A copy with one parameter changed.
    pub fn with(&self, key: &str, value: &Value) -> Result<Params, SetError> {
        let mut changed = self.clone();
        changed.set(key, value)?;
        Ok(changed)
    }

    /// One row per parameter with its value as TOML text, for `dorasim params`.
    pub fn rows(&self) -> Vec<(ParamInfo, String)> {
        catalogue()
            .iter()
            .map(|info| {
                let value = self.get(info.key);
                (
                    *info,
                    value.map_or_else(|| "?".to_string(), |v| v.to_string()),
                )
            })
            .collect()
    }
}

/// Every parameter, in the order of [`Params`].
pub fn catalogue() -> &'static [ParamInfo] {
    &CATALOGUE
}

/// The catalogue entry of a key path, if any.
pub fn find(key: &str) -> Option<&'static ParamInfo> {
    catalogue().iter().find(|info| info.key == key)
}

/// The catalogue entries of one section.
pub fn section_fields(section: &str) -> impl Iterator<Item = &'static ParamInfo> {
    let prefix_len = section.len();
    catalogue().iter().filter(move |info| {
        info.key.len() > prefix_len
            && info.key.starts_with(section)
            && info.key.as_bytes()[prefix_len] == b'.'
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_round_trips_through_get_and_set() {
        let mut params = Params::default();
        for info in catalogue() {
            let value = params
                .get(info.key)
                .expect("every catalogue key has a value");
            assert_eq!(value.kind(), info.kind, "{}", info.key);
            params
                .set(info.key, &value)
                .expect("its own value is accepted");
        }
        assert_eq!(params, Params::default());
        assert!(params.get("review.reviewrs").is_none());
        assert!(params.set("review.reviewrs", &Value::Integer(3)).is_err());
    }

    #[test]
    fn the_catalogue_and_the_serde_shape_agree() {
        // The serialised form (summary.json) has exactly the catalogue's keys.
        let json = serde_json::to_value(Params::default()).expect("serialisable");
        let mut keys = Vec::new();
        for (section, fields) in json.as_object().expect("object") {
            for field in fields.as_object().expect("object").keys() {
                keys.push(format!("{section}.{field}"));
            }
        }
        let catalogued: Vec<String> = catalogue().iter().map(|i| i.key.to_string()).collect();
        let mut a = keys.clone();
        let mut b = catalogued.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        assert_eq!(SECTIONS.len(), json.as_object().map_or(0, |o| o.len()));
    }

    #[test]
    fn choices_come_from_the_enums_and_defaults_are_in_range() {
        assert_eq!(
            find("deploy.policy").map(|i| i.choices),
            Some(&["continuous", "scheduled"][..])
        );
        let params = Params::default();
        for info in catalogue() {
            for word in info.choices {
                let mut p = params.clone();
                p.set(info.key, &Value::Choice((*word).to_string()))
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(p.get(info.key), Some(Value::Choice((*word).to_string())));
            }
            if let Some(Value::Float(v)) = params.get(info.key) {
                assert!(
                    info.accepts(v),
                    "{} default {v} outside its range",
                    info.key
                );
            }
        }
    }

    #[test]
    fn range_text_reads_naturally() {
        let text = |k: &str| find(k).map(ParamInfo::range_text).unwrap_or_default();
        assert_eq!(text("ai.adoption"), "in [0, 1]");
        assert_eq!(text("review.reviewers"), "in [1, 100000]");
        assert_eq!(text("time.workday_start_hour"), ">= 0 and < 24");
        assert_eq!(text("deploy.policy"), "one of continuous, scheduled");
        assert_eq!(text("testing.staging"), "true or false");
    }

    #[test]
    fn meanings_are_single_trimmed_sentences() {
        for info in catalogue() {
            assert!(
                !info.meaning.is_empty() && info.meaning.trim() == info.meaning,
                "{}",
                info.key
            );
            assert!(
                !info.meaning.contains("  "),
                "{}: {:?}",
                info.key,
                info.meaning
            );
        }
    }
}
