//! Tolerance rules: when a simulated value reproduces a published figure, and when its
//! confidence interval is too wide to tell.

use serde::Serialize;

use super::Estimate;

/// How a simulated value is judged against a published figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Rule {
    /// Factor 2, sign exact: the point estimate has the figure's sign and its magnitude lies
    /// within [|figure| / 2, 2 × |figure|]. Published AI effects are observational correlations
    /// across very different teams; a factor of 2 asks for the right direction and order of
    /// magnitude, not for a fitted constant.
    FactorTwo {
        /// The published figure (a change such as 0.98 for +98 %, or a level).
        figure: f64,
    },
    /// Sign only: the point estimate is above 0, and so is its whole 95 % interval.
    Positive,
    /// The point estimate is at least `threshold`.
    AtLeast {
        /// The threshold.
        threshold: f64,
    },
    /// The point estimate is below `threshold`.
    Below {
        /// The threshold.
        threshold: f64,
    },
    /// Flat: a published "no measurable change", read as a point estimate within ±`within`.
    Flat {
        /// Half-width of the accepted band (0.05 for ±5 %).
        within: f64,
    },
}

/// A row's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The counted target is reproduced.
    Pass,
    /// The counted target is not reproduced.
    Miss,
    /// The model deliberately does not follow this figure: shown, never counted.
    Superseded,
}

impl Verdict {
    /// As printed: `pass`, `MISS`, `superseded`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Miss => "MISS",
            Verdict::Superseded => "superseded",
        }
    }
}

/// The interval straddles a tolerance edge: more replications are needed to be sure of the
/// verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NotConverged {
    /// Replications per arm that would shrink the interval clear of the edge (rounded up to a
    /// hundred), assuming the estimate stays put and the interval narrows as 1/√runs; `None`
    /// when the estimate sits exactly on the edge.
    pub runs_needed: Option<u64>,
}

impl Rule {
    /// Whether the estimate satisfies the rule.
    pub fn passes(&self, e: &Estimate) -> bool {
        let x = e.value;
        if !x.is_finite() {
            return false;
        }
        match *self {
            Rule::FactorTwo { figure } => {
                let (low, high) = self.accepted();
                figure != 0.0 && x.signum() == figure.signum() && low <= x && x <= high
            }
            Rule::Positive => x > 0.0 && e.ci95_low > 0.0,
            Rule::AtLeast { threshold } => x >= threshold,
            Rule::Below { threshold } => x < threshold,
            Rule::Flat { within } => x.abs() <= within,
        }
    }

    /// The accepted range of the point estimate, `[low, high]` (infinite where open).
    pub fn accepted(&self) -> (f64, f64) {
        match *self {
            Rule::FactorTwo { figure } => {
                let (a, b) = (figure / 2.0, figure * 2.0);
                (a.min(b), a.max(b))
            }
            Rule::Positive => (0.0, f64::INFINITY),
            Rule::AtLeast { threshold } => (threshold, f64::INFINITY),
            Rule::Below { threshold } => (f64::NEG_INFINITY, threshold),
            Rule::Flat { within } => (-within, within),
        }
    }

    /// The values where the verdict flips.
    pub fn edges(&self) -> Vec<f64> {
        let (low, high) = self.accepted();
        [low, high].into_iter().filter(|x| x.is_finite()).collect()
    }

    /// `Some` when the estimate's interval straddles an edge, with the replications that would
    /// settle it (the largest over the straddled edges).
    pub fn not_converged(&self, e: &Estimate, runs: u64) -> Option<NotConverged> {
        let straddled: Vec<f64> = self
            .edges()
            .into_iter()
            .filter(|&edge| e.ci95_low < edge && edge < e.ci95_high)
            .collect();
        if straddled.is_empty() {
            return None;
        }
        let mut needed: Option<u64> = Some(0);
        for edge in straddled {
            let distance = (e.value - edge).abs();
            // The interval's half on the edge's side (intervals on a log scale are asymmetric).
            let half = if edge > e.value {
                e.ci95_high - e.value
            } else {
                e.value - e.ci95_low
            };
            needed = match needed {
                Some(most) if distance > 0.0 => {
                    let runs = (runs.max(1) as f64) * (half / distance).powi(2);
                    Some(most.max(round_up_to_hundred(runs)))
                }
                _ => None,
            };
        }
        Some(NotConverged {
            runs_needed: needed,
        })
    }
}

fn round_up_to_hundred(runs: f64) -> u64 {
    let hundreds = (runs / 100.0).ceil().min(1e15);
    (hundreds as u64).max(1) * 100
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(value: f64) -> Estimate {
        Estimate {
            value,
            ci95_low: value,
            ci95_high: value,
            n: 100,
        }
    }

    fn interval(value: f64, low: f64, high: f64) -> Estimate {
        Estimate {
            value,
            ci95_low: low,
            ci95_high: high,
            n: 100,
        }
    }

    #[test]
    fn factor_two_edges_are_inclusive() {
        let rule = Rule::FactorTwo { figure: 0.98 };
        for x in [0.49, 0.98, 1.96] {
            assert!(rule.passes(&point(x)), "{x}");
        }
        for x in [0.4899, 1.9601, 0.0, -0.98, f64::NAN] {
            assert!(!rule.passes(&point(x)), "{x}");
        }
    }

    #[test]
    fn factor_two_needs_the_exact_sign() {
        let rule = Rule::FactorTwo { figure: -0.015 };
        assert_eq!(rule.accepted(), (-0.03, -0.0075));
        assert!(rule.passes(&point(-0.01)));
        assert!(!rule.passes(&point(0.01)));
        assert!(!rule.passes(&point(-0.04)));
        assert!(!Rule::FactorTwo { figure: 0.0 }.passes(&point(0.0)));
    }

    #[test]
    fn levels_and_thresholds() {
        let level = Rule::FactorTwo { figure: 0.18 };
        assert!(level.passes(&point(0.09)) && level.passes(&point(0.36)));
        assert!(!level.passes(&point(0.08)) && !level.passes(&point(0.37)));
        assert!(Rule::AtLeast { threshold: 0.5 }.passes(&point(0.5)));
        assert!(!Rule::AtLeast { threshold: 0.5 }.passes(&point(0.49)));
        assert!(Rule::Below { threshold: 0.5 }.passes(&point(0.49)));
        assert!(!Rule::Below { threshold: 0.5 }.passes(&point(0.5)));
    }

    #[test]
    fn positive_needs_the_interval_above_zero() {
        assert!(Rule::Positive.passes(&interval(0.1, 0.01, 0.2)));
        assert!(!Rule::Positive.passes(&interval(0.1, -0.01, 0.2)));
        assert!(!Rule::Positive.passes(&interval(-0.1, -0.2, -0.01)));
        let flag = Rule::Positive.not_converged(&interval(0.1, -0.01, 0.2), 400);
        assert!(flag.is_some());
    }

    #[test]
    fn not_converged_when_the_interval_straddles_an_edge() {
        let rule = Rule::FactorTwo { figure: 1.0 };
        // Clear of both edges (0.5 and 2).
        assert_eq!(rule.not_converged(&interval(1.0, 0.9, 1.1), 400), None);
        // Straddles 0.5: the half-width on that side (0.1) is twice the distance (0.05), so
        // four times the runs.
        let flag = rule.not_converged(&interval(0.55, 0.45, 0.6), 400);
        assert_eq!(
            flag,
            Some(NotConverged {
                runs_needed: Some(1600)
            })
        );
        // On the edge itself: no number of runs settles it.
        let on_edge = rule.not_converged(&interval(0.5, 0.45, 0.55), 400);
        assert_eq!(on_edge, Some(NotConverged { runs_needed: None }));
        // A miss whose interval reaches into the accepted range is flagged too.
        assert!(
            rule.not_converged(&interval(0.45, 0.4, 0.52), 400)
                .is_some()
        );
        // Thresholds have one edge.
        let share = Rule::AtLeast { threshold: 0.5 };
        assert!(
            share
                .not_converged(&interval(0.52, 0.47, 0.57), 400)
                .is_some()
        );
        assert!(
            share
                .not_converged(&interval(0.62, 0.57, 0.67), 400)
                .is_none()
        );
    }

    #[test]
    fn runs_needed_round_up_to_a_hundred() {
        assert_eq!(round_up_to_hundred(401.0), 500);
        assert_eq!(round_up_to_hundred(0.5), 100);
        assert_eq!(round_up_to_hundred(1600.0), 1600);
    }
}
