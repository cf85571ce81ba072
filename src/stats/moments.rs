//! Streaming, mergeable mean and variance.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Streaming mean and variance of a sample (Welford's update), mergeable with Chan et al.'s
/// pairwise formula.
///
/// Non-finite values (NaN, and also ±∞) are not part of the sample: [`Moments::push`] counts
/// them in [`Moments::undefined`] instead. A metric that cannot be computed in a replication
/// (for example lead time when nothing was deployed) should be pushed as NaN.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
    undefined: u64,
}

impl Moments {
    /// An empty accumulator.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one observation. Non-finite values are counted as undefined and otherwise ignored.
    pub fn push(&mut self, x: f64) {
        if !x.is_finite() {
            self.undefined += 1;
            return;
        }
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Merges another accumulator into this one, as if its observations had been pushed here
    /// (Chan, Golub and LeVeque's pairwise update). Merging in a fixed order gives identical
    /// results on every run.
    pub fn merge(&mut self, other: &Moments) {
        self.undefined += other.undefined;
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            self.n = other.n;
            self.mean = other.mean;
            self.m2 = other.m2;
            return;
        }
        let na = self.n as f64;
        let nb = other.n as f64;
        let n = na + nb;
        let delta = other.mean - self.mean;
        self.mean += delta * nb / n;
        self.m2 += other.m2 + delta * delta * na * nb / n;
        self.n += other.n;
    }

    /// Number of (finite) observations in the sample.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Number of pushed values that were undefined (NaN or infinite).
    #[must_use]
    pub fn undefined(&self) -> u64 {
        self.undefined
    }

    /// Sample mean; NaN when there are no observations.
    #[must_use]
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// Unbiased sample variance (divisor n − 1); NaN when there are fewer than two observations.
    #[must_use]
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            // Rounding can leave m2 a hair below zero for constant samples.
            (self.m2 / (self.n - 1) as f64).max(0.0)
        }
    }

    /// Sample standard deviation; NaN when there are fewer than two observations.
    #[must_use]
    pub fn std_dev(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Standard error of the mean, s / √n; NaN when there are fewer than two observations.
    #[must_use]
    pub fn std_error(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            self.std_dev() / (self.n as f64).sqrt()
        }
    }

    /// Half-width of the two-sided Student-t confidence interval for the mean at confidence
    /// `level` (for example 0.95): t(1 − (1 − level)/2, n − 1) · s / √n.
    ///
    /// NaN when there are fewer than two observations or `level` is not strictly between 0
    /// and 1.
    #[must_use]
    pub fn ci_half_width(&self, level: f64) -> f64 {
        if self.n < 2 || !(level > 0.0 && level < 1.0) {
            return f64::NAN;
        }
        match StudentsT::new(0.0, 1.0, (self.n - 1) as f64) {
            Ok(t) => t.inverse_cdf(0.5 + level / 2.0) * self.std_error(),
            Err(_) => f64::NAN,
        }
    }

    /// Half-width of the 95 % Student-t confidence interval for the mean; NaN for n < 2.
    #[must_use]
    pub fn ci95_half_width(&self) -> f64 {
        self.ci_half_width(0.95)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(xs: &[f64]) -> Moments {
        let mut m = Moments::new();
        for &x in xs {
            m.push(x);
        }
        m
    }

    // Reference values computed by hand / two-pass formula; 1e-12 covers f64 rounding
    // on numbers of order 1–10.
    const EPS: f64 = 1e-12;

    #[test]
    fn mean_and_variance_match_two_pass() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let m = from(&xs);
        assert_eq!(m.count(), 8);
        assert!((m.mean() - 5.0).abs() < EPS);
        // Sum of squared deviations is 32, so the sample variance is 32/7.
        assert!((m.variance() - 32.0 / 7.0).abs() < EPS);
        assert!((m.std_dev() - (32.0f64 / 7.0).sqrt()).abs() < EPS);
    }

    #[test]
    fn nan_and_infinity_are_undefined() {
        let m = from(&[1.0, f64::NAN, 3.0, f64::INFINITY]);
        assert_eq!(m.count(), 2);
        assert_eq!(m.undefined(), 2);
        assert!((m.mean() - 2.0).abs() < EPS);
    }

    #[test]
    fn empty_and_single_are_nan() {
        let empty = Moments::new();
        assert!(empty.mean().is_nan());
        assert!(empty.variance().is_nan());
        assert!(empty.ci95_half_width().is_nan());
        let one = from(&[3.0]);
        assert!((one.mean() - 3.0).abs() < EPS);
        assert!(one.variance().is_nan());
        assert!(one.ci95_half_width().is_nan());
    }

    #[test]
    fn merge_equals_sequential() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 37) % 101) as f64 * 0.5 + 1e6)
            .collect();
        let all = from(&xs);
        let mut a = from(&xs[..313]);
        let b = from(&xs[313..]);
        a.merge(&b);
        assert_eq!(a.count(), all.count());
        // Values are offset by 1e6 to exercise cancellation; relative 1e-9 is generous for
        // both algorithms, which are numerically stable.
        assert!((a.mean() - all.mean()).abs() < 1e-9 * all.mean());
        assert!((a.variance() - all.variance()).abs() < 1e-9 * all.variance());
    }

    #[test]
    fn merge_with_empty_keeps_undefined_counts() {
        let mut a = Moments::new();
        a.push(f64::NAN);
        let b = from(&[1.0, 2.0]);
        a.merge(&b);
        assert_eq!(a.count(), 2);
        assert_eq!(a.undefined(), 1);
        assert!((a.mean() - 1.5).abs() < EPS);
        let mut c = b;
        c.merge(&Moments::new());
        assert_eq!(c, b);
    }

    #[test]
    fn ci_uses_student_t() {
        // 10 observations 1..=10: mean 5.5, s² = 55/6. t(0.975, 9) = 2.2621571628 (tables);
        // statrs inverts the regularised incomplete beta to ~1e-9, so 1e-6 is ample.
        let xs: Vec<f64> = (1..=10).map(f64::from).collect();
        let m = from(&xs);
        let se = (55.0f64 / 6.0).sqrt() / 10f64.sqrt();
        assert!((m.ci95_half_width() - 2.262_157_162_8 * se).abs() < 1e-6);
        // t(0.995, 9) = 3.2498355440.
        assert!((m.ci_half_width(0.99) - 3.249_835_544_0 * se).abs() < 1e-6);
        assert!(m.ci_half_width(1.0).is_nan());
        assert!(m.ci_half_width(f64::NAN).is_nan());
    }

    #[test]
    fn constant_sample_has_zero_variance() {
        let m = from(&[0.1; 1000]);
        assert!(m.variance() >= 0.0);
        assert!(m.variance() < 1e-25);
    }
}
