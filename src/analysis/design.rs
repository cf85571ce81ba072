//! Parameter specifications (`KEY=2,4,6` or `KEY=0..1`) and experimental designs over them:
//! full grids, Latin hypercubes and scrambled Sobol sequences.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Errors of parameter specifications and designs.
#[derive(Debug, thiserror::Error)]
pub enum DesignError {
    /// The specification is malformed.
    #[error(
        "invalid --param `{spec}`: {message}; expected KEY=V1,V2,... (a list) or KEY=LOW..HIGH (a range), such as review.reviewers=2,4,6 or ai.adoption=0..1"
    )]
    Spec {
        /// The argument.
        spec: String,
        /// What is wrong.
        message: String,
    },
    /// The design cannot be built.
    #[error("{0}")]
    Design(String),
}

/// Values a parameter takes in a design.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Listed values, as written (numbers or words such as a deployment strategy).
    List(Vec<String>),
    /// A numeric range `low..high`.
    Range {
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
    },
}

/// One parameter of a design.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    /// Key path (`review.reviewers`).
    pub key: String,
    /// Values.
    pub values: Values,
    /// The parameter takes whole numbers only: sampled values are rounded.
    pub integer: bool,
}

impl ParamSpec {
    /// Parses `KEY=V1,V2,...` or `KEY=LOW..HIGH`.
    pub fn parse(text: &str) -> Result<ParamSpec, DesignError> {
        let err = |message: &str| DesignError::Spec {
            spec: text.to_string(),
            message: message.to_string(),
        };
        let (key, spec) = text.split_once('=').ok_or_else(|| err("no `=`"))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(err("empty key"));
        }
        if key.starts_with("run.") {
            return Err(err(
                "`run.*` keys are settings of the run, not model parameters, and cannot vary \
                 across a design: use --runs, --seed or --lens",
            ));
        }
        let spec = spec.trim();
        let integer = crate::model::params::find(key).is_some_and(|info| info.integer);
        let values = if let Some((low, high)) = spec.split_once("..") {
            let number = |s: &str| {
                s.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| err(&format!("`{}` is not a number", s.trim())))
            };
            let (low, high) = (number(low)?, number(high)?);
            if low > high {
                return Err(err("the range's low end is above its high end"));
            }
            Values::Range { low, high }
        } else {
            let items: Vec<String> = spec.split(',').map(|s| s.trim().to_string()).collect();
            if items.iter().any(String::is_empty) {
                return Err(err("empty value in the list"));
            }
            Values::List(items)
        };
        Ok(ParamSpec {
            key: key.to_string(),
            values,
            integer,
        })
    }

    /// The value at position `u` in [0, 1] (a sample of a range, or an item of a list chosen by
    /// `u`), as text for `--set`.
    pub fn at(&self, u: f64) -> String {
        let u = u.clamp(0.0, 1.0);
        match &self.values {
            Values::List(items) => {
                let i = ((u * items.len() as f64) as usize).min(items.len() - 1);
                items[i].clone()
            }
            Values::Range { low, high } => self.number(low + u * (high - low)),
        }
    }

    /// The grid values: a list as written, a range in `steps` equal steps (the midpoint for 1).
    pub fn grid(&self, steps: usize) -> Vec<String> {
        match &self.values {
            Values::List(items) => items.clone(),
            Values::Range { low, high } => match steps {
                0 | 1 => vec![self.number((low + high) / 2.0)],
                n => (0..n)
                    .map(|i| self.number(low + (high - low) * i as f64 / (n - 1) as f64))
                    .collect(),
            },
        }
    }

    fn number(&self, x: f64) -> String {
        if self.integer {
            format!("{}", x.round() as i64)
        } else {
            format!("{x}")
        }
    }
}

/// How design points are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DesignKind {
    /// Every combination: lists as given, ranges in `--points` equal steps.
    Grid,
    /// Latin hypercube of `--points` points: each range cut into as many strata, one point in
    /// each.
    Lhs,
    /// Owen-scrambled Sobol sequence of `--points` points (low discrepancy).
    Sobol,
}

/// Most points a sweep design may have: at about 2.5 ms to validate a point and 5 ms per
/// replication, 100,000 points take minutes to check and hours to run even at one replication
/// each; larger designs are almost always a typo (`--points 10000` on a 4-parameter grid).
pub const MAX_DESIGN_POINTS: usize = 100_000;

/// A design: parameter specifications and a rule giving the values of point `i`. Points are
/// produced one at a time, so memory stays flat however many there are.
#[derive(Debug, Clone)]
pub struct Design {
    /// The parameters.
    pub params: Vec<ParamSpec>,
    kind: DesignKind,
    points: usize,
    seed: u64,
    /// Grid axes (grid designs only).
    axes: Vec<Vec<String>>,
    /// Latin hypercube strata: `strata[d][i]` (LHS only; `points × dims` numbers).
    strata: Vec<Vec<u32>>,
}

impl Design {
    /// What determines the design's points, in one line: its kind, size, seed and each
    /// parameter with its values.
    pub fn describe(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| format!("{}={:?}", p.key, p.values))
            .collect();
        format!(
            "{:?}, {} points, seed {}: {}",
            self.kind,
            self.points,
            self.seed,
            params.join("; ")
        )
    }

    /// Builds the design. `points` is the number of points (LHS, Sobol) or the steps of each
    /// range (grid).
    pub fn new(
        params: Vec<ParamSpec>,
        kind: DesignKind,
        points: usize,
        seed: u64,
    ) -> Result<Design, DesignError> {
        if params.is_empty() {
            return Err(DesignError::Design(
                "no --param given: name at least one parameter to vary".into(),
            ));
        }
        if points == 0 {
            return Err(DesignError::Design("--points must be at least 1".into()));
        }
        for (i, p) in params.iter().enumerate() {
            if params[..i].iter().any(|q| q.key == p.key) {
                return Err(DesignError::Design(format!(
                    "--param `{}` is given twice: give each key once, with all its values \
                     (`{}=V1,V2,...` or `{}=LOW..HIGH`)",
                    p.key, p.key, p.key
                )));
            }
        }
        if kind == DesignKind::Sobol && params.len() > 256 {
            return Err(DesignError::Design(
                "a Sobol design handles at most 256 parameters".into(),
            ));
        }
        // Checked before anything is allocated: `--points 1e12` or a grid of 200^4 points would
        // abort on allocation or validate for days.
        if points > MAX_DESIGN_POINTS {
            return Err(DesignError::Design(format!(
                "--points {points} is more than a design may have ({MAX_DESIGN_POINTS}); \
                 use fewer points"
            )));
        }
        let axes: Vec<Vec<String>> = if kind == DesignKind::Grid {
            params.iter().map(|p| p.grid(points)).collect()
        } else {
            Vec::new()
        };
        if kind == DesignKind::Grid {
            let total = axes
                .iter()
                .try_fold(1usize, |n, axis| n.checked_mul(axis.len()))
                .filter(|&n| n <= MAX_DESIGN_POINTS);
            if total.is_none() {
                let sizes: Vec<String> = axes.iter().map(|a| a.len().to_string()).collect();
                return Err(DesignError::Design(format!(
                    "a grid of {} points is more than a design may have ({MAX_DESIGN_POINTS}); \
                     use fewer --points or values, or --design lhs or sobol, which cover the \
                     ranges with as many points as you choose",
                    sizes.join(" × ")
                )));
            }
        }
        let strata = if kind == DesignKind::Lhs {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x6c68_735f_6465_7369);
            params
                .iter()
                .map(|_| {
                    let mut perm: Vec<u32> = (0..points as u32).collect();
                    for i in (1..perm.len()).rev() {
                        let j = rng.random_range(0..=i);
                        perm.swap(i, j);
                    }
                    perm
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Design {
            params,
            kind,
            points,
            seed,
            axes,
            strata,
        })
    }

    /// Number of design points.
    pub fn len(&self) -> usize {
        match self.kind {
            DesignKind::Grid => self.axes.iter().map(Vec::len).product(),
            _ => self.points,
        }
    }

    /// Whether the design has no point.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values of point `i` (0-based), one per parameter, as text for `--set`.
    pub fn point(&self, i: usize) -> Vec<String> {
        match self.kind {
            DesignKind::Grid => {
                // The last parameter varies fastest.
                let mut rest = i;
                let mut values = vec![String::new(); self.axes.len()];
                for (d, axis) in self.axes.iter().enumerate().rev() {
                    values[d] = axis[rest % axis.len()].clone();
                    rest /= axis.len();
                }
                values
            }
            DesignKind::Lhs => self
                .params
                .iter()
                .enumerate()
                .map(|(d, p)| {
                    // A jitter inside the stratum, reproducible per (point, dimension).
                    let mut rng = Xoshiro256PlusPlus::seed_from_u64(
                        self.seed ^ ((i as u64) << 20) ^ (d as u64).wrapping_mul(0x9E37_79B9),
                    );
                    let jitter: f64 = rng.random();
                    p.at((f64::from(self.strata[d][i]) + jitter) / self.points as f64)
                })
                .collect(),
            DesignKind::Sobol => self
                .params
                .iter()
                .enumerate()
                .map(|(d, p)| p.at(sobol_unit(i, d, self.seed)))
                .collect(),
        }
    }
}

/// Coordinate `dimension` of point `index` of an Owen-scrambled Sobol sequence in [0, 1).
pub fn sobol_unit(index: usize, dimension: usize, seed: u64) -> f64 {
    let seed = (seed ^ (seed >> 32)) as u32;
    f64::from(sobol_burley::sample(index as u32, dimension as u32, seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_specs() {
        let p = ParamSpec::parse("review.reviewers=2,4,6").ok();
        assert_eq!(
            p.map(|p| (p.values, p.integer)),
            Some((Values::List(vec!["2".into(), "4".into(), "6".into()]), true))
        );
        let r = ParamSpec::parse("ai.adoption=0..1").ok().map(|p| p.values);
        assert_eq!(
            r,
            Some(Values::Range {
                low: 0.0,
                high: 1.0
            })
        );
        assert!(ParamSpec::parse("ai.adoption").is_err());
        assert!(ParamSpec::parse("ai.adoption=1..0").is_err());
        assert!(ParamSpec::parse("ai.adoption=a..1").is_err());
    }

    #[test]
    fn grid_is_the_product() {
        let params = vec![
            ParamSpec::parse("review.reviewers=2,4").unwrap_or_else(|e| panic!("{e}")),
            ParamSpec::parse("ai.adoption=0..1").unwrap_or_else(|e| panic!("{e}")),
        ];
        let d = Design::new(params, DesignKind::Grid, 3, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.len(), 6);
        assert_eq!(d.point(0), vec!["2", "0"]);
        assert_eq!(d.point(1), vec!["2", "0.5"]);
        assert_eq!(d.point(5), vec!["4", "1"]);
    }

    #[test]
    fn lhs_fills_every_stratum() {
        let params = vec![ParamSpec::parse("ai.adoption=0..1").unwrap_or_else(|e| panic!("{e}"))];
        let d = Design::new(params, DesignKind::Lhs, 10, 7).unwrap_or_else(|e| panic!("{e}"));
        let mut strata: Vec<usize> = (0..10)
            .map(|i| (d.point(i)[0].parse::<f64>().unwrap_or(-1.0) * 10.0) as usize)
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..10).collect::<Vec<_>>());
    }
}
