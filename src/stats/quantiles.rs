//! Mergeable quantile sketch with bounded memory.

use sketches_ddsketch::{Config, DDSketch};

/// Value at quantile `q` of `values` (reordered in place), by linear interpolation between order
/// statistics; `NaN` if empty. Linear time: two selections, no full sort.
pub fn quantile(values: &mut [f64], q: f64) -> f64 {
    quantiles(values, [q])[0]
}

/// The `qs`-quantiles of `values` (reordered in place), `qs` increasing: each exactly what
/// [`quantile`] returns for it, in one selection each over a shrinking part of `values`.
///
/// [`quantile`] selects its order statistic in the whole slice; after the first selection here,
/// every value from that order statistic on is at or above it, so the next one (of higher rank)
/// is selected among those alone. Its value is the same: values equal by `total_cmp` are the same
/// bits, and the interpolation reads the same set of values above it (whose smallest is the same
/// whichever order `f64::min` meets them in, signed zeros aside, and a zero's sign does not reach
/// the interpolated result).
pub fn quantiles<const N: usize>(values: &mut [f64], qs: [f64; N]) -> [f64; N] {
    let mut out = [f64::NAN; N];
    if values.is_empty() {
        return out;
    }
    let last = (values.len() - 1) as f64;
    // `values[start..]` holds the ranks from `start` on.
    let mut start = 0;
    for (q, slot) in qs.into_iter().zip(&mut out) {
        let pos = q.clamp(0.0, 1.0) * last;
        let lo = pos.floor() as usize;
        debug_assert!(lo >= start, "quantiles asked in increasing order");
        let (_, lo_value, above) =
            values[start..].select_nth_unstable_by(lo - start, f64::total_cmp);
        let lo_value = *lo_value;
        start = lo;
        let fraction = pos - lo as f64;
        *slot = if fraction == 0.0 {
            lo_value
        } else {
            let hi_value = above.iter().copied().fold(f64::INFINITY, f64::min);
            lo_value + (hi_value - lo_value) * fraction
        };
    }
    out
}

/// Relative accuracy of [`QuantileSketch`]: a returned quantile is within 0.5 % of the value at
/// the requested rank.
pub const RELATIVE_ACCURACY: f64 = 0.005;

/// Largest number of bins in each of the two (positive and negative) stores. With
/// γ = (1 + 0.005)/(1 − 0.005) one bin covers a factor of about 1.01, so 4096 bins cover about
/// 17 orders of magnitude before the smallest magnitudes are collapsed together. Memory is
/// at most 2 × 4096 × 8 bytes = 64 KiB per sketch, whatever the number of values.
pub const MAX_BINS: u32 = 4096;

/// Magnitudes at or below this value are counted as exact zeros.
pub const ZERO_THRESHOLD: f64 = 1e-9;

/// Streaming quantile sketch: a [DDSketch](https://arxiv.org/abs/1908.10693) with 0.5 %
/// relative accuracy.
///
/// DDSketch maps positive values to logarithmic bins. Zeros and negative values are handled the
/// way the `sketches-ddsketch` crate itself does it (version 0.4): values whose magnitude is at
/// most [`ZERO_THRESHOLD`] go to an exact zero count, negative values to a second store keyed by
/// their magnitude, so a negative quantile is also within 0.5 % of its true value. Results are
/// clamped to the exact minimum and maximum seen.
///
/// Non-finite values (NaN, ±∞) are ignored; count them elsewhere (see
/// [`super::summary::Accumulator`]). The sketch is deterministic: the same values pushed and
/// merged in the same order give bit-identical quantiles. (Below the collapse limit the bins do
/// not even depend on the order; once more than [`MAX_BINS`] bins would be needed, the
/// smallest magnitudes are merged into one bin.)
#[derive(Clone)]
pub struct QuantileSketch {
    inner: DDSketch,
}

/// Serialised as `null` when empty: an empty DDSketch holds ±∞ as its minimum and maximum,
/// which JSON cannot represent. Every other field is finite, so a non-empty sketch round-trips
/// exactly (with serde_json's `float_roundtrip`), and merging the restored sketch gives the same
/// bits as merging the original.
impl serde::Serialize for QuantileSketch {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let inner = (!self.is_empty()).then_some(&self.inner);
        inner.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for QuantileSketch {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let inner: Option<DDSketch> = serde::Deserialize::deserialize(deserializer)?;
        let Some(inner) = inner else {
            return Ok(QuantileSketch::new());
        };
        // A sketch of another configuration could not be merged with ours: refuse it here.
        let mut probe = QuantileSketch::new().inner;
        if probe.merge(&inner).is_err() {
            return Err(serde::de::Error::custom(
                "quantile sketch of a different configuration (accuracy or bins)",
            ));
        }
        Ok(QuantileSketch { inner })
    }
}

impl std::fmt::Debug for QuantileSketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuantileSketch")
            .field("count", &self.count())
            .field("min", &self.min())
            .field("max", &self.max())
            .finish()
    }
}

impl Default for QuantileSketch {
    fn default() -> Self {
        Self::new()
    }
}

impl QuantileSketch {
    /// An empty sketch with the fixed configuration ([`RELATIVE_ACCURACY`], [`MAX_BINS`],
    /// [`ZERO_THRESHOLD`]). All sketches share it, so any two can be merged.
    #[must_use]
    pub fn new() -> Self {
        Self {
            inner: DDSketch::new(Config::new(RELATIVE_ACCURACY, MAX_BINS, ZERO_THRESHOLD)),
        }
    }

    /// Adds one value. Non-finite values are ignored.
    pub fn push(&mut self, x: f64) {
        if x.is_finite() {
            self.inner.add(x);
        }
    }

    /// Merges another sketch into this one.
    pub fn merge(&mut self, other: &QuantileSketch) {
        // Both sketches were built by `new` with the same constant configuration, so the
        // only error DDSketch::merge can return (configuration mismatch) cannot occur.
        let merged = self.inner.merge(&other.inner);
        debug_assert!(merged.is_ok(), "QuantileSketch configurations always match");
    }

    /// Number of values in the sketch.
    #[must_use]
    pub fn count(&self) -> usize {
        self.inner.count()
    }

    /// Whether no value has been added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Exact smallest value, or `None` when empty.
    #[must_use]
    pub fn min(&self) -> Option<f64> {
        self.inner.min()
    }

    /// Exact largest value, or `None` when empty.
    #[must_use]
    pub fn max(&self) -> Option<f64> {
        self.inner.max()
    }

    /// The `q`-quantile (0 ≤ q ≤ 1): within 0.5 % relative error of the value of rank
    /// ⌊q (n − 1)⌋ (0-based) in the sorted sample; `q = 0` and `q = 1` give the exact minimum
    /// and maximum. `None` when the sketch is empty or `q` is outside [0, 1] or NaN.
    #[must_use]
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let value = self.inner.quantile(q).ok()??;
        let (lo, hi) = (self.min()?, self.max()?);
        Some(value.clamp(lo, hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_in_one_pass_equal_quantile_one_at_a_time() {
        // Ties, both zeros, infinities and NaNs of either sign, in many orders and lengths.
        let pool = [
            0.0,
            -0.0,
            1.0,
            1.0,
            -2.5,
            3.25,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            7.0,
            0.1,
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for len in 0..80 {
            for _ in 0..40 {
                let values: Vec<f64> = (0..len)
                    .map(|_| {
                        let r = next();
                        if r % 3 == 0 {
                            pool[(r >> 8) as usize % pool.len()]
                        } else {
                            ((r >> 11) % 1000) as f64 / 7.0 - 50.0
                        }
                    })
                    .collect();
                let mut one = values.clone();
                let expected = [quantile(&mut one, 0.5), quantile(&mut one, 0.9)];
                let mut both = values.clone();
                let got = quantiles(&mut both, [0.5, 0.9]);
                assert_eq!(
                    got.map(f64::to_bits),
                    expected.map(f64::to_bits),
                    "{values:?}"
                );
            }
        }
    }

    #[test]
    fn quantile_interpolates() {
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        assert_eq!(quantile(&mut v, 0.5), 2.5);
        assert_eq!(quantile(&mut v, 0.0), 1.0);
        assert_eq!(quantile(&mut v, 1.0), 4.0);
        assert!(quantile(&mut [], 0.5).is_nan());
    }

    use crate::stats::test_uniforms as uniforms;

    /// Exact value at the rank the sketch uses, ⌊q (n − 1)⌋.
    fn exact(sorted: &[f64], q: f64) -> f64 {
        sorted[(q * (sorted.len() - 1) as f64) as usize]
    }

    const QS: [f64; 9] = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];

    #[test]
    fn uniform_100k_within_one_percent() {
        let xs = uniforms(100_000, 42);
        let mut s = QuantileSketch::new();
        for &x in &xs {
            s.push(x);
        }
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(s.count(), 100_000);
        for q in QS {
            let got = s.quantile(q).unwrap_or(f64::NAN);
            let want = exact(&sorted, q);
            // Compared with the exact order statistic of the same rank, the only error is the
            // bin width: the guarantee is 0.5 %, the brief asks for 1 %.
            assert!(((got - want) / want).abs() < 0.01, "q={q}: {got} vs {want}");
            assert!(((got - want) / want).abs() <= RELATIVE_ACCURACY + 1e-12);
        }
        assert_eq!(s.quantile(0.0), Some(sorted[0]));
        assert_eq!(s.quantile(1.0), sorted.last().copied());
        // Memory stays bounded: bins for values in (0, 1) span a few thousand keys at most.
        assert!(s.inner.length() <= 2 * MAX_BINS as usize);
    }

    #[test]
    fn zeros_and_negatives() {
        // 100 values −50..=49: 50 negatives, one zero, 49 positives.
        let mut s = QuantileSketch::new();
        for i in -50..50 {
            s.push(f64::from(i));
        }
        let sorted: Vec<f64> = (-50..50).map(f64::from).collect();
        for q in [0.0, 0.1, 0.25, 0.49, 0.5, 0.51, 0.75, 0.9, 1.0] {
            let got = s.quantile(q).unwrap_or(f64::NAN);
            let want = exact(&sorted, q);
            if want == 0.0 {
                assert_eq!(got, 0.0, "q={q}");
            } else {
                assert!(
                    ((got - want) / want).abs() <= RELATIVE_ACCURACY + 1e-12,
                    "q={q}"
                );
                assert_eq!(got.signum(), want.signum());
            }
        }
        // Rank ⌊0.5 × 99⌋ = 49 is −1; rank 50 is the zero.
        assert_eq!(s.quantile(50.0 / 99.0), Some(0.0));
    }

    #[test]
    fn all_zeros() {
        let mut s = QuantileSketch::new();
        for _ in 0..10 {
            s.push(0.0);
        }
        assert_eq!(s.quantile(0.5), Some(0.0));
        assert_eq!(s.min(), Some(0.0));
    }

    #[test]
    fn constant_value_is_exact_after_clamping() {
        let mut s = QuantileSketch::new();
        for _ in 0..10 {
            s.push(3.7);
        }
        assert_eq!(s.quantile(0.5), Some(3.7));
    }

    #[test]
    fn empty_invalid_and_non_finite() {
        let mut s = QuantileSketch::new();
        assert_eq!(s.quantile(0.5), None);
        s.push(f64::NAN);
        s.push(f64::INFINITY);
        assert!(s.is_empty());
        s.push(1.0);
        assert_eq!(s.quantile(-0.1), None);
        assert_eq!(s.quantile(1.1), None);
        assert_eq!(s.quantile(f64::NAN), None);
        assert_eq!(s.quantile(0.5), Some(1.0));
    }

    #[test]
    fn merge_matches_single_sketch_and_is_deterministic() {
        let xs = uniforms(10_000, 7);
        let mut whole = QuantileSketch::new();
        let mut a = QuantileSketch::new();
        let mut b = QuantileSketch::new();
        for (i, &x) in xs.iter().enumerate() {
            let v = x * 100.0 - 20.0;
            whole.push(v);
            if i % 3 == 0 { a.push(v) } else { b.push(v) }
        }
        a.merge(&b);
        assert_eq!(a.count(), whole.count());
        for q in QS {
            // Same bins, same counts: bit-identical answers.
            assert_eq!(a.quantile(q), whole.quantile(q));
        }
        let mut empty = QuantileSketch::new();
        empty.merge(&whole);
        assert_eq!(empty.quantile(0.5), whole.quantile(0.5));
        assert_eq!(empty.min(), whole.min());
    }
}
