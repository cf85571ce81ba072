//! Distributions as data: every duration and size in a scenario is one of these.
//!
//! A scenario writes `{ dist = "lognormal", median = 4.0, p90 = 12.0 }`; the model turns it into a
//! [`Sampler`] once, when the run starts, so the hot loop never re-derives parameters.

use rand::Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Triangular, Uniform};
use serde::{Deserialize, Serialize};

/// z-score of the 90th percentile of the standard normal distribution.
const Z90: f64 = 1.281_551_565_544_600_5;

/// A probability distribution for a non-negative quantity (hours, lines of code, multipliers).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum Dist {
    /// Always the same value.
    Constant {
        /// The value.
        value: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean of the distribution.
        mean: f64,
    },
    /// Log-normal given by its median and 90th percentile (p90 > median).
    Lognormal {
        /// Median (50th percentile).
        median: f64,
        /// 90th percentile; must exceed the median.
        p90: f64,
    },
    /// Gamma with shape k and scale θ (mean kθ).
    Gamma {
        /// Shape k > 0.
        shape: f64,
        /// Scale θ > 0.
        scale: f64,
    },
    /// Triangular between `min` and `max` with the given mode.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Uniform between `min` and `max`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound (> min).
        max: f64,
    },
}

impl Dist {
    /// The same shape with every value multiplied by `factor` (> 0): a draw of the result is
    /// `factor` times a draw of `self`.
    pub fn scaled(self, factor: f64) -> Self {
        match self {
            Dist::Constant { value } => Dist::Constant {
                value: value * factor,
            },
            Dist::Exponential { mean } => Dist::Exponential {
                mean: mean * factor,
            },
            Dist::Lognormal { median, p90 } => Dist::Lognormal {
                median: median * factor,
                p90: p90 * factor,
            },
            Dist::Gamma { shape, scale } => Dist::Gamma {
                shape,
                scale: scale * factor,
            },
            Dist::Triangular { min, mode, max } => Dist::Triangular {
                min: min * factor,
                mode: mode * factor,
                max: max * factor,
            },
            Dist::Uniform { min, max } => Dist::Uniform {
                min: min * factor,
                max: max * factor,
            },
        }
    }

    /// The same family with `f` applied to every field (shape parameters included).
    pub fn map_fields(self, f: impl Fn(f64) -> f64) -> Self {
        match self {
            Dist::Constant { value } => Dist::Constant { value: f(value) },
            Dist::Exponential { mean } => Dist::Exponential { mean: f(mean) },
            Dist::Lognormal { median, p90 } => Dist::Lognormal {
                median: f(median),
                p90: f(p90),
            },
            Dist::Gamma { shape, scale } => Dist::Gamma {
                shape: f(shape),
                scale: f(scale),
            },
            Dist::Triangular { min, mode, max } => Dist::Triangular {
                min: f(min),
                mode: f(mode),
                max: f(max),
            },
            Dist::Uniform { min, max } => Dist::Uniform {
                min: f(min),
                max: f(max),
            },
        }
    }

    /// Log-normal from median and p90.
    pub const fn lognormal(median: f64, p90: f64) -> Self {
        Dist::Lognormal { median, p90 }
    }

    /// Constant value.
    pub const fn constant(value: f64) -> Self {
        Dist::Constant { value }
    }

    /// Exponential with mean.
    pub const fn exponential(mean: f64) -> Self {
        Dist::Exponential { mean }
    }

    /// Triangular distribution.
    pub const fn triangular(min: f64, mode: f64, max: f64) -> Self {
        Dist::Triangular { min, mode, max }
    }

    /// Names of the distributions a scenario may use.
    pub const NAMES: [&'static str; 6] = [
        "constant",
        "exponential",
        "lognormal",
        "gamma",
        "triangular",
        "uniform",
    ];

    /// The parameters of the distribution called `name`, in the order they are usually written
    /// (empty for an unknown name).
    pub fn field_names(name: &str) -> &'static [&'static str] {
        match name {
            "constant" => &["value"],
            "exponential" => &["mean"],
            "lognormal" => &["median", "p90"],
            "gamma" => &["shape", "scale"],
            "triangular" => &["min", "mode", "max"],
            "uniform" => &["min", "max"],
            _ => &[],
        }
    }

    /// The distribution's name as a scenario writes it.
    pub fn name(&self) -> &'static str {
        match self {
            Dist::Constant { .. } => "constant",
            Dist::Exponential { .. } => "exponential",
            Dist::Lognormal { .. } => "lognormal",
            Dist::Gamma { .. } => "gamma",
            Dist::Triangular { .. } => "triangular",
            Dist::Uniform { .. } => "uniform",
        }
    }

    /// The distribution's parameters with their names, in [`Dist::field_names`] order.
    pub fn fields(&self) -> Vec<(&'static str, f64)> {
        let values: Vec<f64> = match *self {
            Dist::Constant { value } => vec![value],
            Dist::Exponential { mean } => vec![mean],
            Dist::Lognormal { median, p90 } => vec![median, p90],
            Dist::Gamma { shape, scale } => vec![shape, scale],
            Dist::Triangular { min, mode, max } => vec![min, mode, max],
            Dist::Uniform { min, max } => vec![min, max],
        };
        Dist::field_names(self.name())
            .iter()
            .copied()
            .zip(values)
            .collect()
    }

    /// The distribution called `name` with parameter values in [`Dist::field_names`] order, or
    /// `None` for an unknown name or the wrong number of values.
    pub fn from_fields(name: &str, values: &[f64]) -> Option<Dist> {
        Some(match (name, values) {
            ("constant", &[value]) => Dist::Constant { value },
            ("exponential", &[mean]) => Dist::Exponential { mean },
            ("lognormal", &[median, p90]) => Dist::Lognormal { median, p90 },
            ("gamma", &[shape, scale]) => Dist::Gamma { shape, scale },
            ("triangular", &[min, mode, max]) => Dist::Triangular { min, mode, max },
            ("uniform", &[min, max]) => Dist::Uniform { min, max },
            _ => return None,
        })
    }

    /// Checks the parameters; returns a message describing what is allowed when they are not.
    /// `allow_negative` admits distributions that can go below zero (speed-ups).
    pub fn check(&self, allow_negative: bool) -> Result<(), String> {
        let finite = |name: &str, v: f64| -> Result<(), String> {
            if v.is_finite() {
                Ok(())
            } else {
                Err(format!("`{name}` must be a finite number, found {v}"))
            }
        };
        let non_negative = |name: &str, v: f64| -> Result<(), String> {
            finite(name, v)?;
            if allow_negative || v >= 0.0 {
                Ok(())
            } else {
                Err(format!("`{name}` must be >= 0, found {v}"))
            }
        };
        let positive = |name: &str, v: f64| -> Result<(), String> {
            finite(name, v)?;
            if v > 0.0 {
                Ok(())
            } else {
                Err(format!("`{name}` must be > 0, found {v}"))
            }
        };
        match *self {
            Dist::Constant { value } => non_negative("value", value),
            Dist::Exponential { mean } => positive("mean", mean),
            Dist::Lognormal { median, p90 } => {
                positive("median", median)?;
                positive("p90", p90)?;
                if p90 <= median {
                    return Err(format!(
                        "`p90` ({p90}) must be greater than `median` ({median}) for a log-normal"
                    ));
                }
                Ok(())
            }
            Dist::Gamma { shape, scale } => {
                positive("shape", shape)?;
                positive("scale", scale)
            }
            Dist::Triangular { min, mode, max } => {
                non_negative("min", min)?;
                finite("mode", mode)?;
                finite("max", max)?;
                if !(min <= mode && mode <= max && min < max) {
                    return Err(format!(
                        "triangular needs min <= mode <= max and min < max, found min={min}, mode={mode}, max={max}"
                    ));
                }
                Ok(())
            }
            Dist::Uniform { min, max } => {
                non_negative("min", min)?;
                finite("max", max)?;
                if min >= max {
                    return Err(format!(
                        "uniform needs min < max, found min={min}, max={max}"
                    ));
                }
                Ok(())
            }
        }
    }

    /// The distribution's mean.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Constant { value } => value,
            Dist::Exponential { mean } => mean,
            Dist::Lognormal { median, p90 } => {
                let sigma = (p90 / median).ln() / Z90;
                median * (sigma * sigma / 2.0).exp()
            }
            Dist::Gamma { shape, scale } => shape * scale,
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Uniform { min, max } => (min + max) / 2.0,
        }
    }

    /// Builds the sampler. Call [`Dist::check`] first: invalid parameters give a constant at the
    /// mean rather than a panic.
    pub fn sampler(&self) -> Sampler {
        let fallback = Sampler::Constant(self.mean().max(0.0));
        match *self {
            Dist::Constant { value } => Sampler::Constant(value),
            Dist::Exponential { mean } => {
                Exp::new(1.0 / mean).map_or(fallback, Sampler::Exponential)
            }
            Dist::Lognormal { median, p90 } => {
                let sigma = (p90 / median).ln() / Z90;
                LogNormal::new(median.ln(), sigma).map_or(fallback, Sampler::Lognormal)
            }
            Dist::Gamma { shape, scale } => {
                Gamma::new(shape, scale).map_or(fallback, Sampler::Gamma)
            }
            Dist::Triangular { min, mode, max } => {
                Triangular::new(min, max, mode).map_or(fallback, Sampler::Triangular)
            }
            Dist::Uniform { min, max } => Uniform::new(min, max).map_or(fallback, Sampler::Uniform),
        }
    }
}

/// A ready-to-draw distribution.
#[derive(Debug, Clone, Copy)]
pub enum Sampler {
    /// Always this value.
    Constant(f64),
    /// Exponential.
    Exponential(Exp<f64>),
    /// Log-normal.
    Lognormal(LogNormal<f64>),
    /// Gamma.
    Gamma(Gamma<f64>),
    /// Triangular.
    Triangular(Triangular<f64>),
    /// Uniform.
    Uniform(Uniform<f64>),
}

impl Sampler {
    /// Draws one value.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Constant(v) => *v,
            Sampler::Exponential(d) => d.sample(rng),
            Sampler::Lognormal(d) => d.sample(rng),
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_fields_match_the_serde_shape() {
        let examples = [
            Dist::constant(1.0),
            Dist::exponential(2.0),
            Dist::lognormal(1.0, 2.0),
            Dist::Gamma {
                shape: 1.5,
                scale: 3.0,
            },
            Dist::triangular(0.0, 1.0, 2.0),
            Dist::Uniform { min: 0.0, max: 1.0 },
        ];
        assert_eq!(examples.map(|d| d.name()), Dist::NAMES);
        for dist in examples {
            let json = serde_json::to_value(dist).expect("serialisable");
            let object = json.as_object().expect("an object");
            assert_eq!(
                object.get("dist").and_then(|v| v.as_str()),
                Some(dist.name())
            );
            let mut serde_fields: Vec<&str> = object
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "dist")
                .collect();
            let mut fields: Vec<&str> = dist.fields().iter().map(|(f, _)| *f).collect();
            serde_fields.sort_unstable();
            fields.sort_unstable();
            assert_eq!(serde_fields, fields, "{}", dist.name());
            let values: Vec<f64> = dist.fields().iter().map(|(_, x)| *x).collect();
            assert_eq!(Dist::from_fields(dist.name(), &values), Some(dist));
        }
        assert_eq!(Dist::from_fields("lognormal", &[1.0]), None);
    }
}
