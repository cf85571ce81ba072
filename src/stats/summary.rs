//! Per-metric accumulator and its serialisable summary.

use serde::{Deserialize, Serialize};

use super::modes::{TwoModes, two_modes};
use super::moments::Moments;
use super::quantiles::QuantileSketch;

/// Summary of one metric over replications. Free of NaN: anything that cannot be computed is
/// `None` (serialised as `null`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of replications where the metric was defined.
    pub n: u64,
    /// Number of replications where the metric was undefined (pushed as NaN or ±∞).
    pub undefined: u64,
    /// Mean over the defined values.
    pub mean: Option<f64>,
    /// Lower end of the 95 % Student-t confidence interval for the mean (needs n ≥ 2).
    pub ci95_low: Option<f64>,
    /// Upper end of the 95 % Student-t confidence interval for the mean (needs n ≥ 2).
    pub ci95_high: Option<f64>,
    /// Sample standard deviation (needs n ≥ 2).
    pub std_dev: Option<f64>,
    /// 5th percentile (sketch, 0.5 % relative accuracy).
    pub p5: Option<f64>,
    /// 25th percentile (sketch).
    pub p25: Option<f64>,
    /// Median (sketch).
    pub p50: Option<f64>,
    /// 75th percentile (sketch).
    pub p75: Option<f64>,
    /// 95th percentile (sketch).
    pub p95: Option<f64>,
    /// Exact minimum.
    pub min: Option<f64>,
    /// Exact maximum.
    pub max: Option<f64>,
}

/// Streaming, mergeable accumulator of one metric: moments, a quantile sketch, and the exact
/// minimum and maximum. Memory is bounded (see [`QuantileSketch`]) however many values arrive.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Accumulator {
    moments: Moments,
    sketch: QuantileSketch,
    /// The sketch holds `1 − x`: relative accuracy near 1 (availability 99.9 % vs 99.5 %).
    complement: bool,
}

/// `Some(x)` when `x` is finite.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl Accumulator {
    /// An empty accumulator.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty accumulator for values close to 1 (such as availability): its quantiles keep
    /// their relative accuracy on the distance to 1.
    #[must_use]
    pub fn near_one() -> Self {
        Accumulator {
            complement: true,
            ..Self::default()
        }
    }

    /// Adds one value; NaN or ±∞ counts as undefined.
    pub fn push(&mut self, x: f64) {
        self.moments.push(x);
        self.sketch.push(if self.complement { 1.0 - x } else { x });
    }

    fn quantile(&self, q: f64) -> Option<f64> {
        if self.complement {
            self.sketch.quantile(1.0 - q).map(|v| 1.0 - v)
        } else {
            self.sketch.quantile(q)
        }
    }

    /// Merges another accumulator into this one. Merge in a fixed order (replication index
    /// order) for bit-identical results.
    pub fn merge(&mut self, other: &Accumulator) {
        debug_assert_eq!(self.complement, other.complement);
        self.moments.merge(&other.moments);
        self.sketch.merge(&other.sketch);
    }

    /// The moments accumulated so far.
    #[must_use]
    pub fn moments(&self) -> &Moments {
        &self.moments
    }

    /// The quantile sketch accumulated so far.
    #[must_use]
    pub fn sketch(&self) -> &QuantileSketch {
        &self.sketch
    }

    /// Whether the values fall in two clusters separated by a gap ([`super::modes`]), read from
    /// the quantile sketch: one value per defined replication, or 1,001 equally spaced ranks
    /// beyond that many (each within the sketch's 0.5 % accuracy). Deterministic, and the same
    /// for a run merged from shards as for one process.
    #[must_use]
    pub fn two_modes(&self) -> Option<TwoModes> {
        const MAX_POINTS: usize = 1001;
        let n = usize::try_from(self.moments.count()).unwrap_or(usize::MAX);
        if n < 2 {
            return None;
        }
        let points = n.min(MAX_POINTS);
        let mut sorted: Vec<f64> = (0..points)
            .filter_map(|k| {
                let q = if points == n {
                    // The sketch answers the value of rank ⌊q (n − 1)⌋: aim at the middle of
                    // rank k so rounding cannot land on k − 1.
                    ((k as f64 + 0.5) / (n - 1) as f64).min(1.0)
                } else {
                    k as f64 / (points - 1) as f64
                };
                self.quantile(q)
            })
            .collect();
        sorted.sort_by(f64::total_cmp);
        two_modes(&sorted)
    }

    /// The summary of everything pushed or merged so far.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let m = &self.moments;
        let mean = finite(m.mean());
        let half = finite(m.ci95_half_width());
        let ci = mean.zip(half);
        Summary {
            n: m.count(),
            undefined: m.undefined(),
            mean,
            ci95_low: ci.map(|(c, h)| c - h),
            ci95_high: ci.map(|(c, h)| c + h),
            std_dev: finite(m.std_dev()),
            p5: self.quantile(0.05),
            p25: self.quantile(0.25),
            p50: self.quantile(0.50),
            p75: self.quantile(0.75),
            p95: self.quantile(0.95),
            min: if self.complement {
                self.sketch.max().map(|v| 1.0 - v)
            } else {
                self.sketch.min()
            },
            max: if self.complement {
                self.sketch.min().map(|v| 1.0 - v)
            } else {
                self.sketch.max()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_one_keeps_resolution_close_to_one() {
        let mut acc = Accumulator::near_one();
        for i in 0..=100 {
            // 0.990 ..= 0.999
            acc.push(0.990 + 0.009 * f64::from(i) / 100.0);
        }
        let s = acc.summary();
        let p50 = s.p50.unwrap_or(f64::NAN);
        // Median 0.9945; 0.5 % relative error on 1 − x is at most 3e-5 here.
        assert!((p50 - 0.9945).abs() < 1e-4, "{p50}");
        assert!(s.p5.unwrap_or(0.0) < s.p95.unwrap_or(0.0));
        assert!((s.min.unwrap_or(0.0) - 0.990).abs() < 1e-12);
        assert!((s.max.unwrap_or(0.0) - 0.999).abs() < 1e-12);
    }

    #[test]
    fn summary_of_fixed_values() {
        let mut acc = Accumulator::new();
        for i in 1..=101 {
            acc.push(f64::from(i));
        }
        acc.push(f64::NAN);
        let s = acc.summary();
        assert_eq!(s.n, 101);
        assert_eq!(s.undefined, 1);
        // Mean 51 exactly; tolerance covers f64 rounding in Welford's update.
        let mean = s.mean.unwrap_or(f64::NAN);
        assert!((mean - 51.0).abs() < 1e-12);
        let (lo, hi) = (
            s.ci95_low.unwrap_or(f64::NAN),
            s.ci95_high.unwrap_or(f64::NAN),
        );
        assert!(lo < 51.0 && 51.0 < hi);
        assert!(((51.0 - lo) - (hi - 51.0)).abs() < 1e-9);
        assert_eq!(s.min, Some(1.0));
        assert_eq!(s.max, Some(101.0));
        // Ranks ⌊q·100⌋ → values 6, 26, 51, 76, 96; sketch error ≤ 0.5 %.
        for (got, want) in [
            (s.p5, 6.0),
            (s.p25, 26.0),
            (s.p50, 51.0),
            (s.p75, 76.0),
            (s.p95, 96.0),
        ] {
            let got = got.unwrap_or(f64::NAN);
            assert!(
                ((got - want) / want).abs() <= 0.005 + 1e-12,
                "{got} vs {want}"
            );
        }
    }

    #[test]
    fn empty_and_single_are_none_not_nan() {
        let mut acc = Accumulator::new();
        acc.push(f64::NAN);
        let s = acc.summary();
        assert_eq!((s.n, s.undefined), (0, 1));
        assert!(s.mean.is_none() && s.p50.is_none() && s.min.is_none() && s.std_dev.is_none());
        acc.push(2.0);
        let s = acc.summary();
        assert_eq!(s.mean, Some(2.0));
        assert_eq!(s.p50, Some(2.0));
        assert!(s.ci95_low.is_none() && s.ci95_high.is_none() && s.std_dev.is_none());
    }

    #[test]
    fn merge_matches_sequential() {
        let xs: Vec<f64> = (0..500).map(|i| f64::from((i * 71) % 97) - 10.0).collect();
        let mut whole = Accumulator::new();
        let mut a = Accumulator::new();
        let mut b = Accumulator::new();
        for (i, &x) in xs.iter().enumerate() {
            whole.push(x);
            if i < 200 { a.push(x) } else { b.push(x) }
        }
        a.merge(&b);
        let (sa, sw) = (a.summary(), whole.summary());
        assert_eq!(sa.n, sw.n);
        assert_eq!(
            (sa.min, sa.max, sa.p50, sa.p95),
            (sw.min, sw.max, sw.p50, sw.p95)
        );
        // Chan's merge and Welford's update round differently; 1e-9 relative is generous.
        let (ma, mw) = (sa.mean.unwrap_or(f64::NAN), sw.mean.unwrap_or(f64::NAN));
        assert!((ma - mw).abs() < 1e-9 * mw.abs());
    }

    #[test]
    fn two_modes_are_read_from_the_sketch() {
        // 60 replications near 30 h and 140 near 42 h, in an interleaved order, plus undefined
        // ones; then the same values split over two merged accumulators.
        let value = |i: u32| {
            let jitter = f64::from((i * 37) % 11) * 0.2;
            if i % 10 < 3 {
                29.0 + jitter
            } else {
                41.0 + jitter
            }
        };
        let mut whole = Accumulator::new();
        let (mut a, mut b) = (Accumulator::new(), Accumulator::new());
        for i in 0..200 {
            whole.push(value(i));
            if i < 77 {
                a.push(value(i))
            } else {
                b.push(value(i))
            }
        }
        whole.push(f64::NAN);
        a.merge(&b);
        let modes = whole.two_modes().expect("two clusters");
        assert!((modes.share_low - 0.3).abs() < 1e-12, "{modes:?}");
        assert!((modes.low - 30.0).abs() < 0.5 && (modes.high - 42.0).abs() < 0.5);
        assert!(modes.gap_from < 31.5 && modes.gap_to > 40.5, "{modes:?}");
        assert_eq!(a.two_modes(), Some(modes));
        // One cluster: nothing to report.
        let mut one = Accumulator::new();
        for i in 0..200 {
            one.push(41.0 + f64::from((i * 37) % 11) * 0.2);
        }
        assert_eq!(one.two_modes(), None);
    }

    #[test]
    fn serialises_without_nan() {
        let json = serde_json::to_string(&Accumulator::new().summary()).unwrap_or_default();
        assert!(json.contains("\"mean\":null"), "{json}");
        assert!(!json.contains("NaN"));
    }
}
