//! Ratios of means of paired samples, and composite indices built from several of them, with
//! delta-method confidence intervals; and the Wilson interval of a proportion.
//!
//! A published effect such as "pull requests merged +98 %" compares the mean of a metric in two
//! groups: `mean(B) / mean(A) − 1`. With two scenarios run on common random numbers, replication
//! `i` of A and of B form a pair, and the ratio's uncertainty comes from the pairs.
//!
//! An index combines several such ratios as a geometric mean, each taken in the direction in
//! which it counts (for a throughput index, deployment frequency up but lead time down):
//!
//! ```text
//! L = (1/K) Σ_k s_k · ln(mean(B_k) / mean(A_k)),   s_k = ±1,   index change = exp(L) − 1.
//! ```
//!
//! A single ratio is the index with one component. The interval is the delta method on the log
//! scale: each pair contributes the influence value
//! `ψ_i = (1/K) Σ_k s_k · ((b_ik − mean(B_k)) / mean(B_k) − (a_ik − mean(A_k)) / mean(A_k))`,
//! the standard error of `L` is `sd(ψ) / √n`, the 95 % interval of `L` is `L ± t(0.975, n − 1) ·
//! se`, and it is carried to the ratio scale by `exp(·) − 1` (so it is asymmetric, and a ratio
//! never falls below −100 %). The pairing enters through `ψ`: whatever A and B share cancels in
//! the difference of the two relative deviations. Deterministic: no resampling, no seed.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};
use thiserror::Error;

use super::moments::Moments;

/// One component of an index: a metric's values per replication in both scenarios.
#[derive(Debug, Clone, Copy)]
pub struct Component<'a> {
    /// Values in scenario A, one per replication (NaN when undefined).
    pub a: &'a [f64],
    /// Values in scenario B, paired with `a` by replication.
    pub b: &'a [f64],
    /// Counted as B over A (`true`), or as A over B (`false`: a metric that falls when the
    /// quantity the index measures rises, such as lead time in a throughput index).
    pub b_over_a: bool,
}

/// Why a ratio could not be estimated.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RatioError {
    /// An index needs at least one component.
    #[error("an index needs at least one component")]
    NoComponents,
    /// The components' samples must all come from the same replications.
    #[error("paired samples differ in length; pass one value per replication for every metric")]
    LengthMismatch,
    /// Fewer than two replications had every value defined.
    #[error(
        "only {n} replication(s) have every metric defined in both scenarios; at least 2 are needed"
    )]
    TooFewPairs {
        /// Usable replications.
        n: usize,
    },
    /// A mean is zero or negative, so its ratio has no logarithm.
    #[error("a mean is not positive ({mean}); the ratio is undefined")]
    NonPositiveMean {
        /// The offending mean.
        mean: f64,
    },
}

/// A ratio change (`exp(L) − 1`) with its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatioChange {
    /// Replications used (every value defined in both scenarios).
    pub n: usize,
    /// Point estimate of the change, e.g. 0.98 for +98 %.
    pub change: f64,
    /// Lower end of the 95 % interval.
    pub ci95_low: f64,
    /// Upper end of the 95 % interval.
    pub ci95_high: f64,
}

/// The change of an index of `components` from A to B, with its delta-method 95 % interval (see
/// the module documentation). Replications where any value is undefined (not finite) are left
/// out of every component, so that all means are taken over the same replications.
///
/// # Errors
///
/// See [`RatioError`].
pub fn index_change(components: &[Component<'_>]) -> Result<RatioChange, RatioError> {
    let first = components.first().ok_or(RatioError::NoComponents)?;
    let len = first.a.len();
    if components
        .iter()
        .any(|c| c.a.len() != len || c.b.len() != len)
    {
        return Err(RatioError::LengthMismatch);
    }
    let used: Vec<usize> = (0..len)
        .filter(|&i| {
            components
                .iter()
                .all(|c| c.a[i].is_finite() && c.b[i].is_finite())
        })
        .collect();
    let n = used.len();
    if n < 2 {
        return Err(RatioError::TooFewPairs { n });
    }
    // Means of finite values: finite.
    let mean = |xs: &[f64]| used.iter().map(|&i| xs[i]).sum::<f64>() / n as f64;
    let means: Vec<(f64, f64)> = components.iter().map(|c| (mean(c.a), mean(c.b))).collect();
    if let Some(&bad) = means.iter().flat_map(|(a, b)| [a, b]).find(|m| **m <= 0.0) {
        return Err(RatioError::NonPositiveMean { mean: bad });
    }
    let k = components.len() as f64;
    let sign = |c: &Component<'_>| if c.b_over_a { 1.0 } else { -1.0 };
    let log_index = components
        .iter()
        .zip(&means)
        .map(|(c, (ma, mb))| sign(c) * (mb / ma).ln())
        .sum::<f64>()
        / k;
    let mut influence = Moments::new();
    for &i in &used {
        let psi = components
            .iter()
            .zip(&means)
            .map(|(c, (ma, mb))| sign(c) * ((c.b[i] - mb) / mb - (c.a[i] - ma) / ma))
            .sum::<f64>()
            / k;
        influence.push(psi);
    }
    let half = influence.ci95_half_width();
    Ok(RatioChange {
        n,
        change: log_index.exp() - 1.0,
        ci95_low: (log_index - half).exp() - 1.0,
        ci95_high: (log_index + half).exp() - 1.0,
    })
}

/// The change of one metric's mean from A to B: `mean(B) / mean(A) − 1`, with its interval.
///
/// # Errors
///
/// See [`RatioError`].
pub fn ratio_change(a: &[f64], b: &[f64]) -> Result<RatioChange, RatioError> {
    index_change(&[Component {
        a,
        b,
        b_over_a: true,
    }])
}

/// A proportion with its 95 % Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    /// Trials.
    pub n: u64,
    /// Successes over trials (NaN when there is no trial).
    pub share: f64,
    /// Lower end of the 95 % Wilson interval.
    pub ci95_low: f64,
    /// Upper end of the 95 % Wilson interval.
    pub ci95_high: f64,
}

/// `successes` out of `n` with the 95 % Wilson score interval, which stays inside [0, 1] and
/// keeps a sensible width at shares of 0 and 1, unlike the normal approximation.
pub fn wilson(successes: u64, n: u64) -> Proportion {
    if n == 0 {
        return Proportion {
            n,
            share: f64::NAN,
            ci95_low: f64::NAN,
            ci95_high: f64::NAN,
        };
    }
    let z = z_975();
    let (k, m) = (successes.min(n) as f64, n as f64);
    let p = k / m;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * m)) / (1.0 + z2 / m);
    let half = z / (1.0 + z2 / m) * (p * (1.0 - p) / m + z2 / (4.0 * m * m)).sqrt();
    Proportion {
        n,
        share: p,
        ci95_low: (centre - half).max(0.0),
        ci95_high: (centre + half).min(1.0),
    }
}

/// The 97.5 % quantile of the standard normal distribution.
fn z_975() -> f64 {
    Normal::standard().inverse_cdf(0.975)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(r: Result<RatioChange, RatioError>) -> RatioChange {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_constant_ratio_has_a_zero_width_interval() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = a.map(|x| 1.5 * x);
        let r = ok(ratio_change(&a, &b));
        assert_eq!(r.n, 4);
        assert!((r.change - 0.5).abs() < 1e-12);
        assert!((r.ci95_low - 0.5).abs() < 1e-12 && (r.ci95_high - 0.5).abs() < 1e-12);
    }

    #[test]
    fn the_ratio_is_of_means_and_the_interval_follows_the_delta_method() {
        // Means 2 and 3: change +50 %.
        let a = [1.0, 2.0, 3.0];
        let b = [3.0, 2.0, 4.0];
        let r = ok(ratio_change(&a, &b));
        assert!((r.change - 0.5).abs() < 1e-12);
        // ψ_i = (b_i − 3)/3 − (a_i − 2)/2 = 1/2, −1/3, −1/6: mean 0, s² = 7/36.
        let se = (7.0f64 / 36.0 / 3.0).sqrt();
        let t = 4.302_652_729_7; // t(0.975, 2)
        let l = 1.5f64.ln();
        assert!((r.ci95_low - ((l - t * se).exp() - 1.0)).abs() < 1e-6);
        assert!((r.ci95_high - ((l + t * se).exp() - 1.0)).abs() < 1e-6);
    }

    #[test]
    fn an_index_is_the_geometric_mean_of_its_directed_ratios() {
        let a1 = [1.0, 1.0];
        let b1 = [4.0, 4.0]; // × 4
        let a2 = [2.0, 2.0];
        let b2 = [1.0, 1.0]; // halved, counted A over B: × 2
        let r = ok(index_change(&[
            Component {
                a: &a1,
                b: &b1,
                b_over_a: true,
            },
            Component {
                a: &a2,
                b: &b2,
                b_over_a: false,
            },
        ]));
        // exp((ln 4 + ln 2) / 2) − 1 = √8 − 1.
        assert!((r.change - (8.0f64.sqrt() - 1.0)).abs() < 1e-12);
    }

    #[test]
    fn undefined_replications_are_left_out_of_every_component() {
        let a = [1.0, f64::NAN, 1.0, 1.0];
        let b = [2.0, 100.0, 2.0, 2.0];
        let r = ok(ratio_change(&a, &b));
        assert_eq!(r.n, 3);
        assert!((r.change - 1.0).abs() < 1e-12);
    }

    #[test]
    fn errors() {
        assert_eq!(index_change(&[]), Err(RatioError::NoComponents));
        assert_eq!(
            ratio_change(&[1.0], &[1.0, 2.0]),
            Err(RatioError::LengthMismatch)
        );
        assert_eq!(
            ratio_change(&[1.0, f64::NAN], &[1.0, 1.0]),
            Err(RatioError::TooFewPairs { n: 1 })
        );
        assert_eq!(
            ratio_change(&[0.0, 0.0], &[1.0, 1.0]),
            Err(RatioError::NonPositiveMean { mean: 0.0 })
        );
    }

    #[test]
    fn wilson_matches_a_worked_example() {
        // 81 of 263: 0.3080, Wilson 95 % interval [0.2553, 0.3662] (Newcombe 1998, method 3).
        let p = wilson(81, 263);
        assert!((p.share - 81.0 / 263.0).abs() < 1e-12);
        assert!((p.ci95_low - 0.2553).abs() < 5e-4, "{}", p.ci95_low);
        assert!((p.ci95_high - 0.3662).abs() < 5e-4, "{}", p.ci95_high);
        let all = wilson(10, 10);
        assert_eq!(all.ci95_high, 1.0);
        assert!(all.ci95_low > 0.6 && all.ci95_low < 0.75);
        assert!(wilson(0, 0).share.is_nan());
    }
}
