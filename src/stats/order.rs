//! Quantiles as order statistics, with distribution-free confidence intervals.
//!
//! A forecast's percentile is read as "the date by which `q` of the simulated futures were
//! done": the order statistic of rank ⌈q·n⌉, a value some replication actually took. Its 95 %
//! interval comes from the binomial distribution of the number of replications below the true
//! quantile (the classic order-statistic interval: no assumption about the distribution, exact
//! coverage of at least 95 % whenever the sample allows it). Values may be `+∞` (a replication
//! that never got there within its horizon): they sort last, so a percentile that lands on them
//! says so instead of inventing a value.

use statrs::distribution::{Binomial, DiscreteCDF};

/// The order statistic of `sorted` (ascending, `+∞` allowed, no NaN) at quantile `q`: the
/// smallest value with at least a share `q` of the values at or below it. `NaN` when empty.
pub fn order_quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as usize).clamp(1, n);
    sorted[rank - 1]
}

/// The 95 % distribution-free confidence interval of the `q` quantile from `sorted`: the order
/// statistics of ranks `l` and `u` with `P(l ≤ B < u) ≥ 0.95` for `B ~ Binomial(n, q)`, as
/// close to `q·n` as the binomial allows. Ranks beyond the sample clamp to its ends (the interval
/// is then open on that side: a small sample cannot pin an extreme quantile down).
pub fn order_quantile_ci(sorted: &[f64], q: f64) -> (f64, f64) {
    let n = sorted.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let q = q.clamp(0.0, 1.0);
    let Ok(binomial) = Binomial::new(q, n as u64) else {
        return (sorted[0], sorted[n - 1]);
    };
    let alpha = 0.05;
    // Lower rank l: the largest with P(B ≤ l − 1) ≤ α/2. Upper rank u: the smallest with
    // P(B ≤ u − 1) ≥ 1 − α/2.
    let centre = (q * n as f64).round() as u64;
    let mut lower = centre.max(1);
    while lower > 1 && binomial.cdf(lower - 1) > alpha / 2.0 {
        lower -= 1;
    }
    let mut upper = centre.max(1);
    while upper < n as u64 && binomial.cdf(upper - 1) < 1.0 - alpha / 2.0 {
        upper += 1;
    }
    (
        sorted[lower as usize - 1],
        sorted[(upper as usize).min(n) - 1],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_intervals() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(order_quantile(&values, 0.5), 50.0);
        assert_eq!(order_quantile(&values, 0.85), 85.0);
        assert_eq!(order_quantile(&values, 0.851), 86.0);
        let (lo, hi) = order_quantile_ci(&values, 0.5);
        // The textbook interval for the median of 100 values: ranks 40 and 61.
        assert_eq!((lo, hi), (40.0, 61.0));
        let (lo, hi) = order_quantile_ci(&values, 0.95);
        assert!(lo < 95.0 && hi >= 99.0, "{lo} {hi}");
        let with_inf = [1.0, 2.0, f64::INFINITY];
        assert_eq!(order_quantile(&with_inf, 0.95), f64::INFINITY);
        assert!(order_quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn the_interval_covers_the_true_quantile_about_95_percent_of_the_time() {
        let mut covered = 0;
        for trial in 0..400 {
            let mut sample = crate::stats::test_uniforms(200, 1000 + trial);
            sample.sort_by(f64::total_cmp);
            let (lo, hi) = order_quantile_ci(&sample, 0.85);
            if lo <= 0.85 && 0.85 <= hi {
                covered += 1;
            }
        }
        let share = f64::from(covered) / 400.0;
        assert!((0.92..=0.995).contains(&share), "coverage {share}");
    }
}
