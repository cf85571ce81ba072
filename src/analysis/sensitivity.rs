//! Global sensitivity analysis, generic over any model `f: [0, 1]^k → ℝ` (or several outputs):
//! Morris elementary effects (screening) and Sobol first-order and total indices (variance
//! decomposition on Saltelli's sampling: Saltelli et al. 2010 for S1 on the centred output,
//! Jansen 1999 for ST) with bootstrap percentile intervals over the base rows, and a
//! convergence check that says when the indices are not fit to publish and what sizes would
//! likely fix them.
//!
//! The estimators work on a design in the unit cube and the outputs evaluated at its points,
//! so an expensive simulator evaluates each point once for all its metrics, in parallel; the
//! closures [`morris`] and [`sobol`] wrap the whole thing for analytic test functions. A
//! simulator's outputs are means over replications: the points of one Saltelli row share their
//! replication seeds ([`row_seed`]), and the variance of each mean is passed beside it so that
//! the estimator can take the simulation noise out of the output's variance.
//!
//! (About 960 lines: some 590 of estimators and their convergence check, the rest their tests on
//! functions with analytic indices, Ishigami and Sobol G, kept beside the code they check.)

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

use super::design::sobol_unit;
use crate::engine::random::mix;

/// A Morris design: `trajectories` one-at-a-time paths of `k + 1` points on a `levels` grid.
#[derive(Debug, Clone)]
pub struct MorrisDesign {
    /// Number of inputs.
    pub k: usize,
    /// Points, trajectory after trajectory (`trajectories × (k + 1)` points in [0, 1]^k).
    pub points: Vec<Vec<f64>>,
    /// For each trajectory step: which input moved, and by how much (±Δ).
    pub steps: Vec<(usize, f64)>,
}

/// Builds a Morris design with `levels` grid levels (even; Δ = levels / (2 (levels − 1))).
pub fn morris_design(k: usize, trajectories: usize, levels: usize, seed: u64) -> MorrisDesign {
    let levels = levels.max(2);
    let delta = levels as f64 / (2.0 * (levels - 1) as f64);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x6d6f_7272_6973);
    let mut points = Vec::with_capacity(trajectories * (k + 1));
    let mut steps = Vec::with_capacity(trajectories * k);
    // Base values are chosen so that x + Δ stays in [0, 1].
    let base_levels = levels / 2;
    for _ in 0..trajectories {
        let mut x: Vec<f64> = (0..k)
            .map(|_| rng.random_range(0..base_levels) as f64 / (levels - 1) as f64)
            .collect();
        // Start half of the inputs from the upper end so steps go both ways.
        let up: Vec<bool> = (0..k).map(|_| rng.random::<bool>()).collect();
        for (xi, &u) in x.iter_mut().zip(&up) {
            if !u {
                *xi += delta;
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            let j = rng.random_range(0..=i);
            order.swap(i, j);
        }
        points.push(x.clone());
        for &i in &order {
            let step = if up[i] { delta } else { -delta };
            x[i] += step;
            points.push(x.clone());
            steps.push((i, step));
        }
    }
    MorrisDesign { k, points, steps }
}

/// Morris statistics of one input.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct MorrisEffect {
    /// Mean of the elementary effects.
    pub mu: f64,
    /// Mean of their absolute values (the ranking statistic).
    pub mu_star: f64,
    /// Their standard deviation (non-linearity and interactions).
    pub sigma: f64,
    /// Bootstrap 95 % interval of `mu_star` over trajectories.
    pub mu_star_ci95: (f64, f64),
}

/// Elementary effects from a design and the output at each of its points.
pub fn morris_effects(
    design: &MorrisDesign,
    y: &[f64],
    bootstrap: usize,
    seed: u64,
) -> Vec<MorrisEffect> {
    let k = design.k;
    let per = k + 1;
    let trajectories = design.points.len() / per.max(1);
    // effects[i][t]: effect of input i in trajectory t.
    let mut effects = vec![Vec::with_capacity(trajectories); k];
    for t in 0..trajectories {
        for s in 0..k {
            let (i, step) = design.steps[t * k + s];
            let (a, b) = (y[t * per + s], y[t * per + s + 1]);
            effects[i].push((b - a) / step);
        }
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x626f_6f74);
    effects
        .iter()
        .map(|e| {
            let finite: Vec<f64> = e.iter().copied().filter(|x| x.is_finite()).collect();
            let n = finite.len().max(1) as f64;
            let mu = finite.iter().sum::<f64>() / n;
            let mu_star = finite.iter().map(|x| x.abs()).sum::<f64>() / n;
            let sigma = if finite.len() > 1 {
                (finite.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                f64::NAN
            };
            let mut boots: Vec<f64> = (0..bootstrap)
                .map(|_| {
                    (0..finite.len())
                        .map(|_| finite[rng.random_range(0..finite.len())].abs())
                        .sum::<f64>()
                        / n
                })
                .collect();
            MorrisEffect {
                mu,
                mu_star,
                sigma,
                mu_star_ci95: percentile_interval(&mut boots),
            }
        })
        .collect()
}

/// Morris screening of `f` over [0, 1]^k.
pub fn morris<F: Fn(&[f64]) -> f64>(
    f: F,
    k: usize,
    trajectories: usize,
    seed: u64,
) -> Vec<MorrisEffect> {
    let design = morris_design(k, trajectories, 4, seed);
    let y: Vec<f64> = design.points.iter().map(|x| f(x)).collect();
    morris_effects(&design, &y, 200, seed)
}

/// Saltelli's sampling for Sobol indices: matrices A and B (N rows each, from a scrambled Sobol
/// sequence in 2k dimensions) and, for each input i, A with column i taken from B.
#[derive(Debug, Clone)]
pub struct SaltelliDesign {
    /// Number of inputs.
    pub k: usize,
    /// Rows of A and B.
    pub n: usize,
    /// Points in evaluation order: for each row j, A_j, B_j, then AB_1j … AB_kj
    /// (`n × (k + 2)` points).
    pub points: Vec<Vec<f64>>,
}

impl SaltelliDesign {
    /// Points of one base row: A_j, B_j and the k points AB_ij.
    pub fn points_per_row(&self) -> usize {
        self.k + 2
    }

    /// The base row that evaluation point `point` belongs to.
    pub fn row_of(&self, point: usize) -> usize {
        point / self.points_per_row()
    }
}

/// Builds a Saltelli design of `n` base rows.
pub fn saltelli_design(k: usize, n: usize, seed: u64) -> SaltelliDesign {
    let mut points = Vec::with_capacity(n * (k + 2));
    for j in 0..n {
        // Skip the first point of the sequence, which lies on the cube's corner unscrambled.
        let a: Vec<f64> = (0..k).map(|d| sobol_unit(j + 1, d, seed)).collect();
        let b: Vec<f64> = (0..k).map(|d| sobol_unit(j + 1, k + d, seed)).collect();
        points.push(a.clone());
        points.push(b.clone());
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            points.push(ab);
        }
    }
    SaltelliDesign { k, n, points }
}

/// The master seed of the replications at every point of base row `row`.
///
/// Common random numbers across the Saltelli matrices: A_j, B_j and every AB_ij are simulated
/// with the same replication seeds, so the noise the simulator adds to all of them cancels in
/// the differences f(AB_ij) − f(A_j) the estimators are made of. Different rows get independent
/// seeds, so the rows are independent draws of (inputs, noise) and a bootstrap over rows sees
/// the simulation noise as well as the sampling of the inputs.
pub fn row_seed(seed: u64, row: usize) -> u64 {
    mix(mix(seed ^ 0x5361_6c74_656c_6c69) ^ row as u64)
}

/// Bootstrap resamples (of the base rows) behind every Sobol interval dorasim reports.
pub const SOBOL_BOOTSTRAP: usize = 1000;
/// Confidence level of the Sobol intervals dorasim reports.
pub const SOBOL_LEVEL: f64 = 0.95;
/// Convergence: the widest acceptable 95 % interval of an index, on its 0–1 scale.
pub const MAX_INTERVAL_WIDTH: f64 = 0.2;
/// Convergence: the largest acceptable share of simulation noise in the variance of the
/// outputs between evaluation points. Beyond it the indices describe a signal smaller than the
/// noise laid over it and rest on the noise correction.
pub const MAX_NOISE_SHARE: f64 = 0.5;
/// Convergence: an index outside [0, 1] by no more than this is within the precision a
/// converged index has (a quarter of [`MAX_INTERVAL_WIDTH`]), whatever its interval.
pub const OUTSIDE_TOLERANCE: f64 = 0.05;
/// The noise correction of the variance never removes more than this share of it (beyond, the
/// indices would divide by a difference of two nearly equal numbers; the estimate is flagged by
/// [`MAX_NOISE_SHARE`] long before).
const MAX_NOISE_REMOVED: f64 = 0.95;

/// Sobol indices of one input with their bootstrap intervals.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SobolIndex {
    /// First-order index S1: the share of the output's variance the input explains alone.
    pub first: f64,
    /// Its bootstrap percentile interval at the estimate's level (95 % wherever dorasim
    /// reports one, hence the name in JSON).
    #[serde(rename = "first_ci95")]
    pub first_ci: (f64, f64),
    /// Total index ST: the share involving the input, interactions included.
    pub total: f64,
    /// Its bootstrap percentile interval at the estimate's level.
    #[serde(rename = "total_ci95")]
    pub total_ci: (f64, f64),
}

/// Sobol indices of every input of one output.
#[derive(Debug, Clone)]
pub struct SobolEstimate {
    /// One per input, in input order.
    pub indices: Vec<SobolIndex>,
    /// Variance of the output over the input ranges, simulation noise removed; NaN when the
    /// output does not vary (its indices are NaN too: there is nothing to share out).
    pub variance: f64,
    /// Share of the observed variance between evaluation points that is simulation noise (0
    /// for a deterministic function).
    pub noise_share: f64,
    /// Confidence level of the intervals.
    pub level: f64,
}

/// How Sobol intervals are computed.
#[derive(Debug, Clone, Copy)]
pub struct SobolOptions {
    /// Bootstrap resamples of the base rows.
    pub bootstrap: usize,
    /// Confidence level of the percentile intervals, in (0, 1).
    pub level: f64,
    /// Seed of the resampling.
    pub seed: u64,
}

impl SobolOptions {
    /// The intervals dorasim reports: 95 %, from [`SOBOL_BOOTSTRAP`] resamples.
    pub fn reported(seed: u64) -> SobolOptions {
        SobolOptions {
            bootstrap: SOBOL_BOOTSTRAP,
            level: SOBOL_LEVEL,
            seed,
        }
    }
}

/// The simulation noise of a simulator's output at the points of a Saltelli design, measured
/// over the replications that the points of a base row share. Each slice holds one value per
/// point, in evaluation order; zero where unknown.
#[derive(Debug, Clone, Copy)]
pub struct SobolNoise<'a> {
    /// The variance of each point's output (a mean over replications) from simulation noise:
    /// the replications' variance over their number. Used at A and B points.
    pub variance: &'a [f64],
    /// At each AB_ij point, the variance of f(AB_ij) − f(A_j) from simulation noise (the
    /// variance of the paired differences over the shared replications, over their number).
    pub difference: &'a [f64],
    /// At each AB_ij point, the covariance of f(B_j) with f(AB_ij) − f(A_j) from simulation
    /// noise, over the shared replications.
    pub cross: &'a [f64],
}

/// The noise terms of one AB_ij point, [`SobolNoise::difference`] and [`SobolNoise::cross`],
/// from the values of the replications its row shares: `a[r]`, `b[r]` and `ab[r]` are
/// replication r at A_j, B_j and AB_ij (NaN where undefined; replications where any of the three
/// is undefined are left out). NaN with fewer than two usable replications.
pub fn paired_noise(a: &[f64], b: &[f64], ab: &[f64]) -> (f64, f64) {
    let usable: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .zip(ab)
        .filter(|((a, b), ab)| a.is_finite() && b.is_finite() && ab.is_finite())
        .map(|((a, b), ab)| (ab - a, *b))
        .collect();
    if usable.len() < 2 {
        return (f64::NAN, f64::NAN);
    }
    let n = usable.len() as f64;
    let mean_d = usable.iter().map(|(d, _)| d).sum::<f64>() / n;
    let mean_b = usable.iter().map(|(_, b)| b).sum::<f64>() / n;
    let (mut var, mut cov) = (0.0, 0.0);
    for (d, b) in &usable {
        var += (d - mean_d) * (d - mean_d);
        cov += (b - mean_b) * (d - mean_d);
    }
    (var / (n - 1.0) / n, cov / (n - 1.0) / n)
}

/// The point estimate from the base rows `rows` (a bootstrap passes rows drawn with
/// replacement).
struct RowEstimate {
    first: Vec<f64>,
    total: Vec<f64>,
    variance: f64,
    noise_share: f64,
}

fn sobol_estimate(
    design: &SaltelliDesign,
    y: &[f64],
    noise: Option<SobolNoise<'_>>,
    rows: &[usize],
) -> RowEstimate {
    let (k, per) = (design.k, design.points_per_row());
    let n = rows.len().max(1) as f64;
    let term =
        |values: Option<&[f64]>, p: usize| values.and_then(|v| v.get(p)).copied().unwrap_or(0.0);
    let (variance_of, difference_of, cross_of) = (
        noise.map(|z| z.variance),
        noise.map(|z| z.difference),
        noise.map(|z| z.cross),
    );
    let mean = rows
        .iter()
        .map(|&j| y[j * per] + y[j * per + 1])
        .sum::<f64>()
        / (2.0 * n);
    let (mut observed, mut noisy) = (0.0, 0.0);
    for &j in rows {
        for p in [j * per, j * per + 1] {
            observed += (y[p] - mean).powi(2);
            noisy += term(variance_of, p);
        }
    }
    observed /= 2.0 * n;
    noisy /= 2.0 * n;
    // An output that does not vary (beyond rounding) has no variance to share out.
    if !observed.is_finite() || observed <= mean * mean * 1e-24 {
        return RowEstimate {
            first: vec![f64::NAN; k],
            total: vec![f64::NAN; k],
            variance: f64::NAN,
            noise_share: 0.0,
        };
    }
    // The observed variance between points holds the variance of the expected output over the
    // input ranges plus, for a simulator, the variance of each point's mean over its
    // replications: the latter is removed, as the indices are shares of the former.
    let noise_share = (noisy / observed).clamp(0.0, 1.0);
    let variance = observed * (1.0 - noise_share.min(MAX_NOISE_REMOVED));
    let mut first = vec![0.0; k];
    let mut total = vec![0.0; k];
    for &j in rows {
        // Centred on the mean: the uncentred product f_B (f_AB − f_A) carries the squared mean
        // in its variance, which swamps the index when the output's mean is large beside its
        // spread (an availability of 99.9 % ± 0.1 %).
        let (fa, fb) = (y[j * per], y[j * per + 1] - mean);
        for i in 0..k {
            let p = j * per + 2 + i;
            let fab = y[p];
            // Saltelli et al. (2010) and Jansen (1999), each less what the simulation noise
            // left in it after the shared replications (zero for a deterministic function):
            // E[f_B (f_AB − f_A)] gains the noise covariance of B with AB − A, and
            // E[(f_A − f_AB)²] the noise variance of the difference.
            first[i] += fb * (fab - fa) - term(cross_of, p);
            total[i] += (fa - fab) * (fa - fab) - term(difference_of, p);
        }
    }
    RowEstimate {
        first: first.iter().map(|v| v / n / variance).collect(),
        total: total.iter().map(|v| v / (2.0 * n) / variance).collect(),
        variance,
        noise_share,
    }
}

/// Sobol indices from a Saltelli design and the output at each of its points, with bootstrap
/// percentile intervals over the base rows.
///
/// The estimators are Saltelli et al. (2010) for S1, on the output centred on its mean, and
/// Jansen (1999) for ST, over the variance of the output. For a simulator, `noise` holds the
/// simulation noise measured at each point: it is subtracted from the variance and from both
/// numerators, so the indices are those of the expected output (the mean over infinitely many
/// replications), unbiased whatever the number of replications. Undefined outputs must be
/// filled by the caller: a NaN poisons the estimate.
pub fn sobol_indices(
    design: &SaltelliDesign,
    y: &[f64],
    noise: Option<SobolNoise<'_>>,
    options: SobolOptions,
) -> SobolEstimate {
    let all: Vec<usize> = (0..design.n).collect();
    let point = sobol_estimate(design, y, noise, &all);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(options.seed ^ 0x0073_6f62_6f6c);
    let mut firsts = vec![Vec::with_capacity(options.bootstrap); design.k];
    let mut totals = vec![Vec::with_capacity(options.bootstrap); design.k];
    let mut rows = vec![0; design.n];
    for _ in 0..options.bootstrap {
        for r in rows.iter_mut() {
            *r = rng.random_range(0..design.n.max(1));
        }
        let b = sobol_estimate(design, y, noise, &rows);
        for i in 0..design.k {
            firsts[i].push(b.first[i]);
            totals[i].push(b.total[i]);
        }
    }
    let indices = (0..design.k)
        .map(|i| SobolIndex {
            first: point.first[i],
            first_ci: interval(&mut firsts[i], options.level),
            total: point.total[i],
            total_ci: interval(&mut totals[i], options.level),
        })
        .collect();
    SobolEstimate {
        indices,
        variance: point.variance,
        noise_share: point.noise_share,
        level: options.level,
    }
}

/// Sobol indices of `f` over [0, 1]^k from `n` base rows (`n (k + 2)` evaluations), with
/// 95 % intervals.
pub fn sobol<F: Fn(&[f64]) -> f64>(f: F, k: usize, n: usize, seed: u64) -> SobolEstimate {
    let design = saltelli_design(k, n, seed);
    let y: Vec<f64> = design.points.iter().map(|x| f(x)).collect();
    sobol_indices(&design, &y, None, SobolOptions::reported(seed))
}

/// Whether a Sobol estimate can be published as it is, and what would likely fix it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Convergence {
    /// No problem found.
    pub converged: bool,
    /// One sentence per problem: an index outside [0, 1] by more than its interval's width
    /// (and [`OUTSIDE_TOLERANCE`]), intervals wider than [`MAX_INTERVAL_WIDTH`], simulation
    /// noise above [`MAX_NOISE_SHARE`].
    pub warnings: Vec<String>,
    /// The widest interval of an index.
    pub widest_interval: f64,
    /// Base samples that would likely bring every interval under the limit (the current
    /// number when they already are).
    pub samples: usize,
    /// Replications per evaluation that would likely bring the noise share under the limit
    /// (the current number when it already is; `None` for a deterministic function).
    pub runs: Option<u64>,
}

/// Checks a Sobol estimate from `samples` base rows (and `runs` replications per point, for a
/// simulator) against the limits, and estimates the sizes that would likely pass them.
///
/// The noise share η falls as 1/runs, so a share above [`MAX_NOISE_SHARE`] asks for
/// `runs × η (1 − t) / ((1 − η) t)` replications, for a target t of half the limit. An
/// interval's width falls as 1/√samples (and, where noise dominates it, as 1/√runs), so a
/// width w above [`MAX_INTERVAL_WIDTH`] asks for `samples × 1.2 (w / limit)²` base rows, less
/// the factor by which the runs grow, rounded up to a multiple of 32.
/// An index outside [0, 1] by more than its interval's width (and by more than
/// [`OUTSIDE_TOLERANCE`]) asks for at least four times the samples.
///
/// The sizes are estimates, optimistic from a small study: its bootstrap has seen few of the
/// rare rows that widen an interval, so widths first shrink more slowly than 1/√samples.
pub fn sobol_convergence(
    estimate: &SobolEstimate,
    names: &[String],
    samples: usize,
    runs: Option<u64>,
) -> Convergence {
    let percent = estimate.level * 100.0;
    let mut warnings = Vec::new();
    let mut new_runs = runs;
    let mut runs_factor = 1.0;
    if let Some(r) = runs
        && estimate.noise_share > MAX_NOISE_SHARE
    {
        let share = estimate.noise_share.min(0.999);
        let target = MAX_NOISE_SHARE / 2.0;
        let needed = (r as f64 * share * (1.0 - target) / ((1.0 - share) * target)).ceil();
        new_runs = Some((needed as u64).max(r + 1));
        runs_factor = needed / r as f64;
        warnings.push(format!(
            "simulation noise is {:.0} % of the variance between evaluation points (the limit \
             is {:.0} %): the indices describe a signal smaller than the noise over it",
            100.0 * estimate.noise_share,
            100.0 * MAX_NOISE_SHARE
        ));
    }
    let mut factor: f64 = 1.0;
    let mut widest: Option<(f64, String)> = None;
    let mut too_wide = 0;
    if estimate.variance.is_finite() {
        for (name, s) in names.iter().zip(&estimate.indices) {
            for (label, value, (lo, hi)) in
                [("S1", s.first, s.first_ci), ("ST", s.total, s.total_ci)]
            {
                if !(value.is_finite() && lo.is_finite() && hi.is_finite()) {
                    warnings.push(format!("{label} of `{name}` could not be estimated"));
                    factor = factor.max(4.0 / runs_factor);
                    continue;
                }
                // Outside [0, 1] by more than the interval's width: about four standard errors,
                // which a true index in [0, 1] almost never shows even among the dozens of
                // intervals of one study (the interval merely missing [0, 1] happens to one
                // index in forty by chance).
                let width = hi - lo;
                let excess = (-value).max(value - 1.0);
                if excess > width.max(OUTSIDE_TOLERANCE) {
                    warnings.push(format!(
                        "{label} of `{name}` = {value:.2} [{lo:.2}, {hi:.2}] lies outside [0, 1] \
                         by more than its {percent:.0} % interval"
                    ));
                    factor = factor.max(4.0 / runs_factor);
                }
                if width > MAX_INTERVAL_WIDTH {
                    too_wide += 1;
                    factor = factor.max(1.2 * (width / MAX_INTERVAL_WIDTH).powi(2) / runs_factor);
                }
                if widest.as_ref().is_none_or(|(w, _)| width > *w) {
                    widest = Some((width, format!("{label} of `{name}`")));
                }
            }
        }
    }
    if too_wide > 0
        && let Some((width, which)) = &widest
    {
        warnings.push(format!(
            "{too_wide} of {} {percent:.0} % intervals are wider than {MAX_INTERVAL_WIDTH} \
             (the widest, {which}, is {width:.2} wide)",
            2 * names.len()
        ));
    }
    let new_samples = if factor > 1.0 {
        ((samples as f64 * factor).ceil() as usize)
            .max(samples + 1)
            .div_ceil(32)
            .saturating_mul(32)
    } else {
        samples
    };
    Convergence {
        converged: warnings.is_empty(),
        warnings,
        widest_interval: widest.map_or(f64::NAN, |(w, _)| w),
        samples: new_samples,
        runs: new_runs,
    }
}

/// The percentile interval at `level` of the finite values (NaN when there are none).
fn interval(xs: &mut Vec<f64>, level: f64) -> (f64, f64) {
    xs.retain(|x| x.is_finite());
    let tail = (1.0 - level) / 2.0;
    percentile_range(xs, tail, 1.0 - tail)
}

/// The 2.5 % and 97.5 % percentiles (NaN-free input assumed; empty gives NaN).
fn percentile_interval(xs: &mut [f64]) -> (f64, f64) {
    percentile_range(xs, 0.025, 0.975)
}

/// The `low` and `high` quantiles of `xs` (nearest rank; NaN-free input assumed; empty gives
/// NaN).
fn percentile_range(xs: &mut [f64], low: f64, high: f64) -> (f64, f64) {
    xs.sort_by(f64::total_cmp);
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let at = |q: f64| xs[((q * (xs.len() - 1) as f64).round() as usize).min(xs.len() - 1)];
    (at(low), at(high))
}

/// A text bar of `share` (0..=1) over `width` characters, for tornado tables.
pub fn bar(share: f64, width: usize) -> String {
    let n = (share.clamp(0.0, 1.0) * width as f64).round() as usize;
    "█".repeat(n)
}

#[cfg(test)]
mod tests {
    //! The Sobol estimator on functions with analytic indices, clean and with simulation-like
    //! noise on common random numbers. Tolerances are the estimator's own intervals at
    //! α = 0.001 (99.9 %, from 4,000 bootstrap resamples), with an upper bound on their width
    //! so that a test cannot pass on a uselessly wide interval.

    use std::f64::consts::PI;

    use rand_distr::{Distribution, StandardNormal};

    use super::*;

    const TEST_LEVEL: f64 = 0.999;

    fn options(seed: u64) -> SobolOptions {
        SobolOptions {
            bootstrap: 4000,
            level: TEST_LEVEL,
            seed,
        }
    }

    /// The Ishigami function (a = 7, b = 0.1) on [−π, π]³, from the unit cube.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// Its analytic first-order and total indices (Saltelli et al. 2008, Global Sensitivity
    /// Analysis: The Primer, § 4.9): V1 = ½ (1 + bπ⁴/5)², V2 = a²/8, V3 = 0,
    /// V13 = b²π⁸ (1/18 − 1/50), V = V1 + V2 + V13.
    fn ishigami_indices() -> ([f64; 3], [f64; 3]) {
        let (a, b) = (7.0, 0.1);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
    }

    /// Sobol's G function with coefficients [`G_COEFFICIENTS`]: the smaller a_i, the more
    /// important x_i (99 makes an input nearly inert).
    const G_COEFFICIENTS: [f64; 5] = [0.0, 0.5, 3.0, 9.0, 99.0];

    fn sobol_g(x: &[f64]) -> f64 {
        x.iter()
            .zip(G_COEFFICIENTS)
            .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
            .product()
    }

    /// Its analytic indices: V_i = 1 / (3 (1 + a_i)²), V = Π (1 + V_i) − 1,
    /// S_i = V_i / V, ST_i = V_i Π_{j≠i} (1 + V_j) / V.
    fn sobol_g_indices() -> (Vec<f64>, Vec<f64>) {
        let vi: Vec<f64> = G_COEFFICIENTS
            .iter()
            .map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a)))
            .collect();
        let product: f64 = vi.iter().map(|v| 1.0 + v).product();
        let v = product - 1.0;
        let first = vi.iter().map(|x| x / v).collect();
        let total = vi.iter().map(|x| x * product / (1.0 + x) / v).collect();
        (first, total)
    }

    /// The outputs of a simulator-like version of `f` at every point of `design`, with the
    /// noise terms dorasim measures: a point's output is the mean of `runs` replications
    /// f(x) + σ(x) (z_r + ρ w_r). z_r is replication r of the row's seed, shared by every point
    /// of a base row as dorasim's points share replication seeds (or, with `common` false, each
    /// point's own); w_r is each point's own, the part of the noise that common random numbers
    /// cannot align (events that drift apart once parameters differ); σ(x) grows along x_0, so
    /// even z does not cancel exactly between two points.
    struct Simulated {
        y: Vec<f64>,
        variance: Vec<f64>,
        difference: Vec<f64>,
        cross: Vec<f64>,
    }

    impl Simulated {
        fn noise(&self) -> SobolNoise<'_> {
            SobolNoise {
                variance: &self.variance,
                difference: &self.difference,
                cross: &self.cross,
            }
        }
    }

    fn simulate(
        design: &SaltelliDesign,
        f: impl Fn(&[f64]) -> f64,
        runs: usize,
        sigma: f64,
        rho: f64,
        common: bool,
        seed: u64,
    ) -> Simulated {
        let per = design.points_per_row();
        let count = design.points.len();
        let mut out = Simulated {
            y: Vec::with_capacity(count),
            variance: Vec::with_capacity(count),
            difference: vec![0.0; count],
            cross: vec![0.0; count],
        };
        let normals = |seed: u64| -> Vec<f64> {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            (0..runs).map(|_| StandardNormal.sample(&mut rng)).collect()
        };
        for j in 0..design.n {
            let row = row_seed(seed, j);
            let shared = normals(row);
            let mut replications: Vec<Vec<f64>> = Vec::with_capacity(per);
            for p in 0..per {
                let x = &design.points[j * per + p];
                let own = normals(mix(row ^ mix(p as u64 + 1)));
                let z = if common {
                    shared.clone()
                } else {
                    normals(mix(row ^ mix(p as u64 + 1000)))
                };
                let scale = sigma * (0.5 + x[0]);
                let values: Vec<f64> = (0..runs)
                    .map(|r| f(x) + scale * (z[r] + rho * own[r]))
                    .collect();
                let mean = values.iter().sum::<f64>() / runs as f64;
                let var =
                    values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (runs as f64 - 1.0);
                out.y.push(mean);
                out.variance.push(var / runs as f64);
                replications.push(values);
            }
            for p in 2..per {
                let (d, c) = paired_noise(&replications[0], &replications[1], &replications[p]);
                out.difference[j * per + p] = d;
                out.cross[j * per + p] = c;
            }
        }
        out
    }

    /// Every analytic index lies in its interval, and every interval is narrower than
    /// `max_width`.
    fn assert_recovered(estimate: &SobolEstimate, first: &[f64], total: &[f64], max_width: f64) {
        for (i, s) in estimate.indices.iter().enumerate() {
            for (what, truth, value, (lo, hi)) in [
                ("S1", first[i], s.first, s.first_ci),
                ("ST", total[i], s.total, s.total_ci),
            ] {
                assert!(
                    lo <= truth && truth <= hi,
                    "{what}[{i}] = {value:.4} [{lo:.4}, {hi:.4}] misses the analytic {truth:.4}"
                );
                assert!(
                    hi - lo < max_width,
                    "{what}[{i}]: interval [{lo:.4}, {hi:.4}] wider than {max_width}"
                );
            }
        }
    }

    #[test]
    fn ishigami_indices_match_analytic_values() {
        let (first, total) = ishigami_indices();
        let design = saltelli_design(3, 2048, 11);
        let y: Vec<f64> = design.points.iter().map(|x| ishigami(x)).collect();
        let estimate = sobol_indices(&design, &y, None, options(11));
        assert_recovered(&estimate, &first, &total, 0.2);
        assert_eq!(estimate.noise_share, 0.0);
    }

    #[test]
    fn sobol_g_indices_match_analytic_values() {
        let (first, total) = sobol_g_indices();
        let design = saltelli_design(G_COEFFICIENTS.len(), 2048, 5);
        let y: Vec<f64> = design.points.iter().map(|x| sobol_g(x)).collect();
        let estimate = sobol_indices(&design, &y, None, options(5));
        assert_recovered(&estimate, &first, &total, 0.2);
    }

    #[test]
    fn ishigami_with_simulation_noise_on_common_random_numbers() {
        // Noise with a standard deviation of 5 per replication (the function's is 3.7), over 10
        // replications, a fifth of it out of step between the points of a row.
        let (first, total) = ishigami_indices();
        let design = saltelli_design(3, 2048, 21);
        let sim = simulate(&design, ishigami, 10, 5.0, 0.2, true, 21);
        let estimate = sobol_indices(&design, &sim.y, Some(sim.noise()), options(21));
        assert_recovered(&estimate, &first, &total, 0.2);
        assert!(
            estimate.noise_share > 0.01 && estimate.noise_share < MAX_NOISE_SHARE,
            "noise share {}",
            estimate.noise_share
        );
        // Without the noise terms the same outputs give biased indices: the noise inflates the
        // variance and ST (the analytic ST of x_3 lies below the interval).
        let blind = sobol_indices(&design, &sim.y, None, options(21));
        assert!(
            blind
                .indices
                .iter()
                .zip(&first)
                .any(|(s, t)| s.first_ci.1 < *t)
        );
    }

    #[test]
    fn sobol_g_with_simulation_noise_on_common_random_numbers() {
        let (first, total) = sobol_g_indices();
        let design = saltelli_design(G_COEFFICIENTS.len(), 2048, 8);
        let sim = simulate(&design, sobol_g, 8, 0.4, 0.3, true, 8);
        let estimate = sobol_indices(&design, &sim.y, Some(sim.noise()), options(8));
        assert_recovered(&estimate, &first, &total, 0.2);
    }

    #[test]
    fn common_random_numbers_narrow_the_intervals() {
        // The same noise drawn independently at every point: still unbiased, but the noise no
        // longer cancels in f(AB) − f(A), so the intervals are wider.
        let design = saltelli_design(3, 512, 3);
        let width = |common: bool| {
            let sim = simulate(&design, ishigami, 10, 10.0, 0.2, common, 3);
            let e = sobol_indices(&design, &sim.y, Some(sim.noise()), options(3));
            e.indices
                .iter()
                .map(|s| (s.first_ci.1 - s.first_ci.0) + (s.total_ci.1 - s.total_ci.0))
                .sum::<f64>()
        };
        let (shared, independent) = (width(true), width(false));
        assert!(
            shared < 0.8 * independent,
            "total width {shared:.3} with common random numbers, {independent:.3} without"
        );
    }

    #[test]
    fn first_order_index_does_not_depend_on_the_outputs_mean() {
        // The uncentred Saltelli product f_B (f_AB − f_A) made S1 of an output with a large
        // mean (availability near 1) swing by hundreds; centred, a shift changes nothing.
        let design = saltelli_design(3, 256, 4);
        let y: Vec<f64> = design.points.iter().map(|x| ishigami(x)).collect();
        let shifted: Vec<f64> = y.iter().map(|v| v + 1.0e4).collect();
        let a = sobol_indices(&design, &y, None, SobolOptions::reported(4));
        let b = sobol_indices(&design, &shifted, None, SobolOptions::reported(4));
        for (s, t) in a.indices.iter().zip(&b.indices) {
            assert!((s.first - t.first).abs() < 1e-6, "{s:?} vs {t:?}");
            assert!((s.first_ci.1 - s.first_ci.0 - (t.first_ci.1 - t.first_ci.0)).abs() < 1e-6);
        }
    }

    #[test]
    fn an_undersampled_estimate_is_flagged_with_the_samples_that_would_fix_it() {
        let names: Vec<String> = ["x1", "x2", "x3"].map(String::from).to_vec();
        let small = sobol(ishigami, 3, 16, 2);
        let check = sobol_convergence(&small, &names, 16, None);
        assert!(!check.converged, "{check:?}");
        assert!(
            check.warnings.iter().any(|w| w.contains("wider than 0.2")),
            "{check:?}"
        );
        assert!(
            check.samples > 16 && check.samples.is_multiple_of(32),
            "{check:?}"
        );
        assert_eq!(check.runs, None);
        // The width shrinks as 1/√samples: the recommended size brings it under the limit.
        let fixed = sobol(ishigami, 3, check.samples, 2);
        let again = sobol_convergence(&fixed, &names, check.samples, None);
        assert!(again.converged, "{again:?}");
        assert_eq!(again.samples, check.samples);
    }

    #[test]
    fn noise_beyond_the_limit_asks_for_more_runs() {
        let names: Vec<String> = ["x1", "x2", "x3"].map(String::from).to_vec();
        let design = saltelli_design(3, 256, 6);
        let sim = simulate(&design, ishigami, 4, 8.0, 0.2, true, 6);
        let estimate = sobol_indices(
            &design,
            &sim.y,
            Some(sim.noise()),
            SobolOptions::reported(6),
        );
        assert!(estimate.noise_share > MAX_NOISE_SHARE, "{estimate:?}");
        let check = sobol_convergence(&estimate, &names, 256, Some(4));
        assert!(!check.converged);
        assert!(
            check
                .warnings
                .iter()
                .any(|w| w.contains("simulation noise"))
        );
        assert!(check.runs.is_some_and(|r| r > 4), "{check:?}");
    }

    #[test]
    fn an_index_outside_zero_one_by_more_than_its_interval_is_flagged() {
        let names = vec!["x".to_string()];
        let estimate = SobolEstimate {
            indices: vec![SobolIndex {
                first: -0.5,
                first_ci: (-0.6, -0.4),
                total: 0.5,
                total_ci: (0.45, 0.55),
            }],
            variance: 1.0,
            noise_share: 0.0,
            level: 0.95,
        };
        let check = sobol_convergence(&estimate, &names, 64, Some(10));
        assert!(!check.converged);
        assert!(check.warnings[0].contains("outside [0, 1]"), "{check:?}");
        assert!(check.samples >= 256, "{check:?}");
        // Outside by less than its interval's width, or by less than the tolerance however
        // narrow the interval: not a problem.
        for (value, ci) in [
            (-0.02, (-0.08, 0.04)),
            (-0.03, (-0.035, -0.025)),
            (1.1, (1.0, 1.18)),
        ] {
            let mut near = estimate.clone();
            near.indices[0].first = value;
            near.indices[0].first_ci = ci;
            assert!(
                sobol_convergence(&near, &names, 64, Some(10)).converged,
                "{value} {ci:?}"
            );
        }
        // Far outside with a wide interval: flagged by its width, not as outside.
        let mut wide = estimate.clone();
        wide.indices[0].first = 2.6;
        wide.indices[0].first_ci = (-5.0, 8.0);
        let check = sobol_convergence(&wide, &names, 64, Some(10));
        assert!(!check.converged && check.warnings.iter().all(|w| !w.contains("outside")));
    }

    #[test]
    fn a_constant_output_has_no_indices_and_nothing_to_fix() {
        let design = saltelli_design(2, 32, 1);
        let y = vec![0.999; design.points.len()];
        let estimate = sobol_indices(&design, &y, None, SobolOptions::reported(1));
        assert!(estimate.variance.is_nan());
        assert!(estimate.indices.iter().all(|s| s.first.is_nan()));
        let names: Vec<String> = ["a", "b"].map(String::from).to_vec();
        assert!(sobol_convergence(&estimate, &names, 32, Some(2)).converged);
    }

    #[test]
    fn paired_noise_is_the_variance_and_covariance_of_the_differences() {
        let a = [1.0, 2.0, 3.0, f64::NAN];
        let b = [0.0, 1.0, 5.0, 1.0];
        let ab = [2.0, 2.0, 5.0, 1.0];
        // Usable replications 0..3: d = ab − a = [1, 0, 2], b = [0, 1, 5].
        let (d, c) = paired_noise(&a, &b, &ab);
        assert!((d - 1.0 / 3.0).abs() < 1e-12, "{d}"); // var(d) = 1, over 3
        assert!((c - 2.0 / 3.0).abs() < 1e-12, "{c}"); // cov(b, d) = 2, over 3
        assert!(paired_noise(&[1.0], &[1.0], &[1.0]).0.is_nan());
    }

    #[test]
    fn rows_have_their_own_seeds() {
        let seeds: Vec<u64> = (0..1000).map(|j| row_seed(42, j)).collect();
        let mut unique = seeds.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), seeds.len());
        assert_eq!(row_seed(42, 7), seeds[7]);
        assert_ne!(row_seed(43, 7), seeds[7]);
        let design = saltelli_design(3, 4, 1);
        assert_eq!((design.row_of(4), design.row_of(5)), (0, 1));
    }
}
