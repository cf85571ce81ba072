//! The method of simulated moments on common random numbers (McFadden 1989; Pakes and Pollard
//! 1989; Gouriéroux and Monfort 1996), exactly identified: as many knobs as figures.
//!
//! Every evaluation simulates the same replications (same seed, same replication indices), so
//! the simulated figures are a deterministic, nearly smooth function of the knobs and a
//! Levenberg-Marquardt search on finite differences converges in a few steps. At the solution,
//! the sampling covariance of one history's figures, `Σ` (the spread of the figures between
//! replications as long as the history), and the Jacobian `J` give the delta-method covariance
//! of the knobs, `(1 + 1/R) J⁻¹ Σ J⁻ᵀ`, where `1/R` counts the simulation's own noise.

use nalgebra::{DMatrix, DVector};

/// Simulated figures at a point, one row per replication (figures in knob order; `NaN` where a
/// replication cannot show one).
pub type Rows = Vec<Vec<f64>>;

/// The mean of the finite values (`NaN` if there are none).
pub fn finite_mean(values: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, n) = values
        .into_iter()
        .filter(|x| x.is_finite())
        .fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n > 0 { sum / n as f64 } else { f64::NAN }
}

/// The mean of each column over its finite values.
pub fn means(rows: &Rows, width: usize) -> Vec<f64> {
    (0..width)
        .map(|k| finite_mean(rows.iter().map(|r| r[k])))
        .collect()
}

/// A forward-difference Jacobian of `f` at `z`, where `f(z) = centre`: one evaluation per
/// knob, each stepping `step` away from its upper bound rather than into it.
pub fn jacobian<E>(
    z: &[f64],
    centre: &[f64],
    step: f64,
    bounds: &[(f64, f64)],
    mut f: impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
) -> Result<DMatrix<f64>, E> {
    let mut jac = DMatrix::zeros(centre.len(), z.len());
    for k in 0..z.len() {
        let mut zk = z.to_vec();
        let h = if zk[k] + step > bounds[k].1 {
            -step
        } else {
            step
        };
        zk[k] += h;
        let value = f(&zk)?;
        for i in 0..centre.len() {
            jac[(i, k)] = (value[i] - centre[i]) / h;
        }
    }
    Ok(jac)
}

/// The covariance matrix of the columns (pairwise over replications where both are finite).
pub fn covariance(rows: &Rows, width: usize) -> DMatrix<f64> {
    let mean = means(rows, width);
    DMatrix::from_fn(width, width, |i, j| {
        let (sum, n) = rows
            .iter()
            .filter(|r| r[i].is_finite() && r[j].is_finite())
            .fold((0.0, 0usize), |(s, n), r| {
                (s + (r[i] - mean[i]) * (r[j] - mean[j]), n + 1)
            });
        if n > 1 {
            sum / (n - 1) as f64
        } else {
            f64::NAN
        }
    })
}

/// The outcome of a search.
#[derive(Debug, Clone)]
pub struct Solution {
    /// The knobs (log factors from the base).
    pub z: Vec<f64>,
    /// Largest remaining gap, in standard deviations of one history's figure.
    pub gap: f64,
    /// Steps taken.
    pub steps: usize,
    /// The gap fell below the tolerance.
    pub converged: bool,
    /// The search stopped at the closest point it could find with the gap above the tolerance:
    /// steps no longer shrink it (a parameter whose figure saturates, or a figure the model
    /// cannot reach). The remaining gap is the model's misfit, shown by the checks.
    pub stalled: bool,
    /// Replications simulated.
    pub simulations: u64,
}

/// What the search needs: the observed figures, their spread, a simulator and a budget.
pub struct Search<'a> {
    /// Observed figures, in knob order.
    pub observed: &'a [f64],
    /// One history's standard deviation of each figure (scales the gaps).
    pub scale: &'a [f64],
    /// Replications per evaluation.
    pub reps: u64,
    /// Most replications to spend.
    pub budget: u64,
    /// Stop when every gap is below this many standard deviations.
    pub tolerance: f64,
    /// Finite-difference step in log space.
    pub step: f64,
    /// Largest move of one knob in one step, in log space.
    pub max_move: f64,
    /// Lowest and highest z of each knob.
    pub bounds: &'a [(f64, f64)],
}

impl Search<'_> {
    fn residual(&self, means: &[f64]) -> DVector<f64> {
        DVector::from_iterator(
            means.len(),
            means
                .iter()
                .zip(self.observed)
                .zip(self.scale)
                .map(|((m, o), s)| if m.is_finite() { (m - o) / s } else { 0.0 }),
        )
    }

    fn clamp(&self, z: &mut [f64]) {
        for (v, (lo, hi)) in z.iter_mut().zip(self.bounds) {
            *v = v.clamp(*lo, *hi);
        }
    }

    /// Runs Levenberg-Marquardt from `z0`; `simulate(z)` returns the mean figures at `z`.
    pub fn run<E>(
        &self,
        z0: Vec<f64>,
        mut simulate: impl FnMut(&[f64]) -> Result<Vec<f64>, E>,
        mut progress: impl FnMut(u64),
    ) -> Result<Solution, E> {
        let p = z0.len();
        let mut spent = 0u64;
        let mut eval = |z: &[f64], spent: &mut u64| -> Result<Vec<f64>, E> {
            *spent += self.reps;
            progress(self.reps);
            simulate(z)
        };
        let mut z = z0;
        let mut r = self.residual(&eval(&z, &mut spent)?);
        let mut lambda = 1e-2;
        let mut steps = 0;
        // A finite-difference Jacobian to start, then Broyden's rank-one updates from each
        // trial (one simulation per step instead of p + 1); refreshed when steps stop helping.
        let mut jac: Option<DMatrix<f64>> = None;
        let mut failures = 0;
        let mut fresh;
        let mut small_steps = 0;
        let mut stalled = false;
        while r.amax() > self.tolerance && spent + self.reps <= self.budget {
            let j = match jac.take() {
                Some(j) => {
                    fresh = false;
                    j
                }
                None => {
                    fresh = true;
                    if spent + self.reps * (p as u64 + 1) > self.budget {
                        break;
                    }
                    let centre: Vec<f64> = r.iter().copied().collect();
                    jacobian(&z, &centre, self.step, self.bounds, |zk| {
                        Ok(self
                            .residual(&eval(zk, &mut spent)?)
                            .iter()
                            .copied()
                            .collect())
                    })?
                }
            };
            let jt = j.transpose();
            let jtj = &jt * &j;
            let mut a = jtj.clone();
            for i in 0..p {
                a[(i, i)] += lambda * jtj[(i, i)].max(1e-9);
            }
            let Some(delta) = a.lu().solve(&(-(&jt * &r))) else {
                lambda *= 10.0;
                jac = None;
                if lambda > 1e6 {
                    break;
                }
                continue;
            };
            let mut trial: Vec<f64> = z
                .iter()
                .zip(delta.iter())
                .map(|(v, d)| v + d.clamp(-self.max_move, self.max_move))
                .collect();
            self.clamp(&mut trial);
            if spent + self.reps > self.budget {
                break;
            }
            let rt = self.residual(&eval(&trial, &mut spent)?);
            let step = DVector::from_iterator(p, trial.iter().zip(&z).map(|(t, v)| t - v));
            let mut updated = j.clone();
            let ss = step.dot(&step);
            if ss > 0.0 {
                updated += (&rt - &r - &j * &step) * step.transpose() / ss;
            }
            if rt.norm() < r.norm() {
                // Steps that shrink the gap by under 1 % twice in a row: a minimum with a gap.
                small_steps = if rt.norm() > 0.99 * r.norm() {
                    small_steps + 1
                } else {
                    0
                };
                if small_steps >= 2 {
                    stalled = true;
                }
                z = trial;
                r = rt;
                lambda = (lambda / 3.0).max(1e-6);
                steps += 1;
                failures = 0;
                jac = Some(updated);
                if stalled {
                    break;
                }
            } else {
                lambda *= 4.0;
                failures += 1;
                // No step helps even on a freshly measured Jacobian with heavy damping.
                if fresh && lambda > 1e3 {
                    stalled = true;
                    break;
                }
                // Two failed trials in a row: the secant model is stale; rebuild it here.
                jac = if failures >= 2 { None } else { Some(updated) };
                if failures >= 2 {
                    failures = 0;
                }
                if lambda > 1e6 {
                    break;
                }
            }
        }
        Ok(Solution {
            gap: r.amax(),
            converged: r.amax() <= self.tolerance,
            stalled: stalled && r.amax() > self.tolerance,
            z,
            steps,
            simulations: spent,
        })
    }
}

/// The delta-method covariance of the knobs, `(1 + 1/reps) J⁻¹ Σ J⁻ᵀ`; `None` when `J` is
/// singular (a knob that does not move its figure).
pub fn knob_covariance(
    jacobian: &DMatrix<f64>,
    sigma: &DMatrix<f64>,
    reps: u64,
) -> Option<DMatrix<f64>> {
    let inverse = jacobian.clone().try_inverse()?;
    let cov = &inverse * sigma * inverse.transpose() * (1.0 + 1.0 / reps as f64);
    cov.iter().all(|x| x.is_finite()).then_some(cov)
}

/// The knobs the history cannot pin down, dropped one at a time: while some knob's interval is
/// wider than `max_sd` (or the Jacobian is singular), drop the least identified one (a column
/// that moves no figure, else the largest standard deviation) with its figure, and recompute the
/// others' covariance from what remains. Dropping one of two confounded knobs usually pins the
/// other.
pub fn weak_knobs(jac: &DMatrix<f64>, sigma: &DMatrix<f64>, reps: u64, max_sd: f64) -> Vec<usize> {
    let mut kept: Vec<usize> = (0..jac.ncols()).collect();
    let mut weak = Vec::new();
    while !kept.is_empty() {
        let sub = |m: &DMatrix<f64>| {
            DMatrix::from_fn(kept.len(), kept.len(), |i, j| m[(kept[i], kept[j])])
        };
        let (j, s) = (sub(jac), sub(sigma));
        let drop = match knob_covariance(&j, &s, reps) {
            Some(cov) => (0..kept.len())
                .map(|k| (k, cov[(k, k)].max(0.0).sqrt()))
                .filter(|&(_, sd)| sd.is_nan() || sd > max_sd)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(k, _)| k),
            // Singular: the column that moves the figures least (in SDs of one history).
            None => (0..kept.len())
                .map(|k| {
                    let response = (0..kept.len())
                        .map(|i| j[(i, k)].abs() / s[(i, i)].sqrt())
                        .filter(|x| x.is_finite())
                        .fold(0.0, f64::max);
                    (k, response)
                })
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(k, _)| k),
        };
        match drop {
            Some(k) => weak.push(kept.remove(k)),
            None => break,
        }
    }
    weak.sort_unstable();
    weak
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_root_of_a_smooth_map_and_its_delta_method_covariance() {
        // figures = (2 e^{z0}, e^{z0} + 3 e^{z1}); observed at z = (0.5, -0.2).
        let truth = [0.5f64, -0.2];
        let f = |z: &[f64]| vec![2.0 * z[0].exp(), z[0].exp() + 3.0 * z[1].exp()];
        let observed = f(&truth);
        let search = Search {
            observed: &observed,
            scale: &[0.1, 0.1],
            reps: 1,
            budget: 200,
            tolerance: 1e-4,
            step: 1e-4,
            max_move: 1.0,
            bounds: &[(-5.0, 5.0), (-5.0, 5.0)],
        };
        let s = search
            .run(vec![0.0, 0.0], |z| Ok::<_, ()>(f(z)), |_| ())
            .unwrap();
        assert!(s.converged, "{s:?}");
        assert!((s.z[0] - truth[0]).abs() < 1e-3 && (s.z[1] - truth[1]).abs() < 1e-3);
        let j = DMatrix::from_row_slice(2, 2, &[2.0, 0.0, 0.0, 3.0]);
        let cov = knob_covariance(&j, &DMatrix::identity(2, 2), 1_000_000).unwrap();
        assert!((cov[(0, 0)] - 0.25).abs() < 1e-6 && (cov[(1, 1)] - 1.0 / 9.0).abs() < 1e-6);
        assert!(knob_covariance(&DMatrix::zeros(2, 2), &DMatrix::identity(2, 2), 10).is_none());
    }
}
