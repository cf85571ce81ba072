//! Typed parameter values: what `--set`, timelines, sweeps and sensitivity write into
//! [`super::Params`], without going through any file format.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::distribution::Dist;

/// The type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A real number.
    Float,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Bool,
    /// One word out of a fixed list.
    Choice,
    /// A distribution, `{ dist = "...", ... }`.
    Dist,
}

impl Kind {
    /// The kind as a reader says it (`a number`, `a distribution`).
    pub fn described(self) -> &'static str {
        match self {
            Kind::Float => "a number",
            Kind::Integer => "a whole number",
            Kind::Bool => "a boolean",
            Kind::Choice => "a choice",
            Kind::Dist => "a distribution",
        }
    }
}

/// A value of one parameter. Serialised as the value itself (a number, word or distribution),
/// as in a scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A whole number (first, so that reading back keeps `8` whole and `8.0` a float).
    Integer(i64),
    /// A real number.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// One word of a choice.
    Choice(String),
    /// A distribution.
    Dist(Dist),
}

impl Value {
    /// The kind of parameter this value fits.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Float(_) => Kind::Float,
            Value::Integer(_) => Kind::Integer,
            Value::Bool(_) => Kind::Bool,
            Value::Choice(_) => Kind::Choice,
            Value::Dist(_) => Kind::Dist,
        }
    }

    /// The value as a number, for a numeric parameter.
    pub fn as_number(&self) -> Option<f64> {
        match *self {
            Value::Float(f) => Some(f),
            Value::Integer(i) => Some(i as f64),
            _ => None,
        }
    }

    /// A number as a value of a parameter of `kind`: rounded for whole-number parameters (a
    /// ramp's daily steps, a sweep's points).
    pub fn number(kind: Kind, x: f64) -> Value {
        match kind {
            Kind::Integer if x.is_finite() => Value::Integer(x.round() as i64),
            _ => Value::Float(x),
        }
    }
}

/// A value as one line of TOML: floats always with a decimal point, distributions as inline
/// tables with `dist` first.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Float(x) => f.write_str(&float_text(*x)),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Choice(word) => write!(f, "{word:?}"),
            Value::Dist(dist) => {
                write!(f, "{{ dist = {:?}", dist.name())?;
                for (field, x) in dist.fields() {
                    write!(f, ", {field} = {}", float_text(x))?;
                }
                f.write_str(" }")
            }
        }
    }
}

/// A float as TOML writes it, always with a decimal point or exponent.
fn float_text(x: f64) -> String {
    let text = format!("{x}");
    if x.is_finite() && !text.contains(['.', 'e', 'E']) {
        format!("{text}.0")
    } else {
        text
    }
}

/// Error applying a value to a key path.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SetError {
    /// No parameter has this key path.
    #[error("unknown parameter `{0}`")]
    UnknownKey(String),
    /// The value does not fit the parameter.
    #[error("`{key}`: {message}")]
    BadValue {
        /// Key path.
        key: String,
        /// What went wrong.
        message: String,
    },
}

/// A type a parameter may have.
pub trait ParamType: Sized {
    /// The kind of the type.
    const KIND: Kind;
    /// The words of a choice (empty for other types).
    const CHOICES: &'static [&'static str] = &[];
    /// The value of a field of this type.
    fn to_value(&self) -> Value;
    /// A field of this type from a value, or what was wrong with it.
    fn from_value(value: &Value) -> Result<Self, String>;
}

fn wrong(expected: &str, value: &Value) -> String {
    format!(
        "expected {expected}, found {} {value}",
        value.kind().described()
    )
}

impl ParamType for f64 {
    const KIND: Kind = Kind::Float;
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        value.as_number().ok_or_else(|| wrong("a number", value))
    }
}

impl ParamType for u32 {
    const KIND: Kind = Kind::Integer;
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        let whole = match *value {
            Value::Integer(i) => Some(i),
            Value::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Some(f as i64)
            }
            _ => None,
        };
        let whole = whole.ok_or_else(|| wrong("a whole number", value))?;
        u32::try_from(whole).map_err(|_| format!("{whole} is out of range for a whole number"))
    }
}

impl ParamType for bool {
    const KIND: Kind = Kind::Bool;
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        match *value {
            Value::Bool(b) => Ok(b),
            _ => Err(wrong("true or false", value)),
        }
    }
}

impl ParamType for Dist {
    const KIND: Kind = Kind::Dist;
    fn to_value(&self) -> Value {
        Value::Dist(*self)
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Dist(d) => Ok(*d),
            _ => Err(wrong("a distribution", value)),
        }
    }
}

/// Declares an enum whose values a scenario writes as words: the enum, its serde names and its
/// [`ParamType`], so the accepted words are derived from the variants and never typed twice.
#[macro_export]
#[doc(hidden)]
macro_rules! choice {
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident {
            $( $(#[doc = $vdoc:literal])* $variant:ident = $word:literal ),+ $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[doc = $vdoc])* #[serde(rename = $word)] $variant, )+
        }

        impl $name {
            /// The word a scenario file writes for this value.
            pub fn word(self) -> &'static str {
                match self { $( $name::$variant => $word, )+ }
            }
        }

        impl $crate::model::params::ParamType for $name {
            const KIND: $crate::model::params::Kind = $crate::model::params::Kind::Choice;
            const CHOICES: &'static [&'static str] = &[$($word),+];
            fn to_value(&self) -> $crate::model::params::Value {
                $crate::model::params::Value::Choice(self.word().to_string())
            }
            fn from_value(value: &$crate::model::params::Value) -> Result<Self, String> {
                match value {
                    $( $crate::model::params::Value::Choice(w) if w == $word => Ok($name::$variant), )+
                    other => Err(format!(
                        "expected one of {}, found {other}",
                        [$($word),+].join(", ")
                    )),
                }
            }
        }
    };
}
