//! Paired comparison of two scenarios run with common random numbers.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::moments::Moments;

/// Why a paired comparison could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PairedError {
    /// The two samples must come from the same replications, one value each.
    #[error(
        "paired samples differ in length: {a} values for A, {b} for B; pass one value per replication for both"
    )]
    LengthMismatch {
        /// Length of the first sample.
        a: usize,
        /// Length of the second sample.
        b: usize,
    },
    /// Fewer than two replications had the metric defined in both scenarios.
    #[error(
        "only {n} replication(s) have the metric defined in both scenarios; at least 2 are needed"
    )]
    TooFewPairs {
        /// Number of usable pairs.
        n: usize,
    },
}

/// Result of a paired comparison of B against A (differences are B − A).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedDiff {
    /// Number of pairs used (both values finite).
    pub n: usize,
    /// Number of pairs skipped because either value was undefined (NaN or ±∞).
    pub skipped: usize,
    /// Mean of B − A.
    pub mean_diff: f64,
    /// Lower end of the 95 % Student-t confidence interval for the mean difference.
    pub ci95_low: f64,
    /// Upper end of the 95 % Student-t confidence interval for the mean difference.
    pub ci95_high: f64,
    /// Share of pairs where B > A, ties counting one half.
    pub prob_b_greater: f64,
}

/// Compares two samples paired by replication (`a[i]` and `b[i]` come from replication `i`
/// of scenarios A and B, run with common random numbers).
///
/// Pairs where either value is NaN or infinite are skipped. The confidence interval is the
/// Student-t interval of the mean of the differences B − A, which accounts for the
/// correlation common random numbers induce.
///
/// # Errors
///
/// [`PairedError::LengthMismatch`] when the slices differ in length;
/// [`PairedError::TooFewPairs`] when fewer than two pairs are usable.
pub fn paired_difference(a: &[f64], b: &[f64]) -> Result<PairedDiff, PairedError> {
    if a.len() != b.len() {
        return Err(PairedError::LengthMismatch {
            a: a.len(),
            b: b.len(),
        });
    }
    let mut diffs = Moments::new();
    let mut score = 0.0;
    for (&x, &y) in a.iter().zip(b) {
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        diffs.push(y - x);
        score += match y.partial_cmp(&x) {
            Some(std::cmp::Ordering::Greater) => 1.0,
            Some(std::cmp::Ordering::Equal) => 0.5,
            _ => 0.0,
        };
    }
    // Counts fit in usize: they never exceed `a.len()`.
    let n = usize::try_from(diffs.count()).unwrap_or(usize::MAX);
    if n < 2 {
        return Err(PairedError::TooFewPairs { n });
    }
    let mean = diffs.mean();
    let half = diffs.ci95_half_width();
    Ok(PairedDiff {
        n,
        skipped: a.len() - n,
        mean_diff: mean,
        ci95_low: mean - half,
        ci95_high: mean + half,
        prob_b_greater: score / n as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_pairs() {
        let a = [10.0, 12.0, 9.0, 11.0, f64::NAN];
        let b = [11.0, 14.0, 9.0, 12.0, 3.0];
        let d = paired_difference(&a, &b);
        let Ok(d) = d else {
            panic!("expected a result, got {d:?}")
        };
        // Differences 1, 2, 0, 1: mean 1, s² = 2/3, t(0.975, 3) = 3.1824463053.
        assert_eq!((d.n, d.skipped), (4, 1));
        assert!((d.mean_diff - 1.0).abs() < 1e-12);
        let half = 3.182_446_305_3 * (2.0f64 / 3.0).sqrt() / 2.0;
        // statrs's t quantile is accurate to ~1e-9; 1e-6 is ample.
        assert!((d.ci95_high - (1.0 + half)).abs() < 1e-6);
        assert!((d.ci95_low - (1.0 - half)).abs() < 1e-6);
        // Three of four B values greater, one tie: (3 + 0.5) / 4.
        assert!((d.prob_b_greater - 0.875).abs() < 1e-12);
    }

    #[test]
    fn errors() {
        assert_eq!(
            paired_difference(&[1.0], &[1.0, 2.0]),
            Err(PairedError::LengthMismatch { a: 1, b: 2 })
        );
        assert_eq!(
            paired_difference(&[1.0, f64::NAN], &[2.0, 3.0]),
            Err(PairedError::TooFewPairs { n: 1 })
        );
        assert_eq!(
            paired_difference(&[], &[]),
            Err(PairedError::TooFewPairs { n: 0 })
        );
    }

    #[test]
    fn identical_samples_give_zero_interval() {
        let a = [1.0, 2.0, 3.0];
        let d = paired_difference(&a, &a);
        assert!(
            matches!(d, Ok(d) if d.mean_diff == 0.0 && d.ci95_low == 0.0 && d.prob_b_greater == 0.5)
        );
    }
}
