//! Global sensitivity analysis, generic over any model `f: [0, 1]^k → ℝ` (or several outputs):
//! Morris elementary effects (screening) and Sobol first-order and total indices (variance
//! decomposition, Saltelli's sampling with the Saltelli 2010 and Jansen estimators) with
//! bootstrap confidence intervals.
//!
//! The estimators work on a design in the unit cube and the outputs evaluated at its points,
//! so an expensive simulator evaluates each point once for all its metrics, in parallel; the
//! closures [`morris`] and [`sobol`] wrap the whole thing for analytic test functions.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

use super::design::sobol_unit;

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

/// Sobol indices of one input, with bootstrap 95 % intervals.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SobolIndex {
    /// First-order index S1.
    pub first: f64,
    /// Its 95 % bootstrap interval.
    pub first_ci95: (f64, f64),
    /// Total index ST.
    pub total: f64,
    /// Its 95 % bootstrap interval.
    pub total_ci95: (f64, f64),
}

fn sobol_estimate(design: &SaltelliDesign, y: &[f64], rows: &[usize]) -> Vec<(f64, f64)> {
    let k = design.k;
    let per = k + 2;
    let n = rows.len() as f64;
    let (mut sum, mut sum2) = (0.0, 0.0);
    for &j in rows {
        for v in [y[j * per], y[j * per + 1]] {
            sum += v;
            sum2 += v * v;
        }
    }
    let mean = sum / (2.0 * n);
    let variance = (sum2 / (2.0 * n) - mean * mean).max(1e-300);
    (0..k)
        .map(|i| {
            let (mut first, mut total) = (0.0, 0.0);
            for &j in rows {
                let (fa, fb, fab) = (y[j * per], y[j * per + 1], y[j * per + 2 + i]);
                first += fb * (fab - fa); // Saltelli et al. (2010)
                total += (fa - fab) * (fa - fab); // Jansen (1999)
            }
            (first / n / variance, total / (2.0 * n) / variance)
        })
        .collect()
}

/// Sobol indices from a Saltelli design and the output at each of its points (NaN outputs
/// should be replaced by the caller; they poison the estimate).
pub fn sobol_indices(
    design: &SaltelliDesign,
    y: &[f64],
    bootstrap: usize,
    seed: u64,
) -> Vec<SobolIndex> {
    let all: Vec<usize> = (0..design.n).collect();
    let point = sobol_estimate(design, y, &all);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x0073_6f62_6f6c);
    let mut boots: Vec<Vec<(f64, f64)>> = Vec::with_capacity(bootstrap);
    let mut rows = vec![0; design.n];
    for _ in 0..bootstrap {
        for r in rows.iter_mut() {
            *r = rng.random_range(0..design.n);
        }
        boots.push(sobol_estimate(design, y, &rows));
    }
    (0..design.k)
        .map(|i| {
            let mut firsts: Vec<f64> = boots.iter().map(|b| b[i].0).collect();
            let mut totals: Vec<f64> = boots.iter().map(|b| b[i].1).collect();
            SobolIndex {
                first: point[i].0,
                first_ci95: percentile_interval(&mut firsts),
                total: point[i].1,
                total_ci95: percentile_interval(&mut totals),
            }
        })
        .collect()
}

/// Sobol indices of `f` over [0, 1]^k from `n` base rows (`n (k + 2)` evaluations).
pub fn sobol<F: Fn(&[f64]) -> f64>(f: F, k: usize, n: usize, seed: u64) -> Vec<SobolIndex> {
    let design = saltelli_design(k, n, seed);
    let y: Vec<f64> = design.points.iter().map(|x| f(x)).collect();
    sobol_indices(&design, &y, 200, seed)
}

/// The 2.5 % and 97.5 % percentiles (NaN-free input assumed; empty gives NaN).
fn percentile_interval(xs: &mut [f64]) -> (f64, f64) {
    xs.sort_by(f64::total_cmp);
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let at = |q: f64| xs[((q * (xs.len() - 1) as f64).round() as usize).min(xs.len() - 1)];
    (at(0.025), at(0.975))
}

/// A text bar of `share` (0..=1) over `width` characters, for tornado tables.
pub fn bar(share: f64, width: usize) -> String {
    let n = (share.clamp(0.0, 1.0) * width as f64).round() as usize;
    "█".repeat(n)
}
