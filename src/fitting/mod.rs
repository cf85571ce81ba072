//! `dorasim calibrate`: a scenario fitted to a team's own history.
//!
//! 1. The history (any format of [`crate::history::formats`]) is measured into figures
//!    ([`moments`]): the five DORA metrics by the tooling's rules, and the flow behind them.
//! 2. What it shows directly is set directly ([`direct`]): the window's length, the deployment
//!    policy and cadence; rates and shares get exact intervals.
//! 3. Latent parameters ([`knobs`]: defect shares, diagnosis time, review pickup, sizes,
//!    throughput) are fitted by the method of simulated moments on common random numbers
//!    ([`solve`]), each matched to the figure it moves most; intervals by the delta method.
//!    A knob whose figure the history cannot show is left at the base value and said so.
//! 4. Every figure is checked: the observed value against the spread of simulated histories of
//!    the same length under the calibrated scenario.

pub mod direct;
pub mod knobs;
pub mod moments;
pub mod solve;
pub mod write;

use nalgebra::DMatrix;
use rayon::prelude::*;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::history::{ExportInfo, MeasuredLog, measured_log};
use crate::metrics::ledger::Lens;
use crate::model::RunScratch;
use crate::model::params::{Params, Value, check_params};
use crate::scenario::Scenario;

use direct::{Interval, Setting};
use knobs::{KNOBS, Knob};
use moments::{Counts, Figures, Moment, figures};
use solve::{
    Rows, Search, Solution, covariance, finite_mean, jacobian, knob_covariance, means, weak_knobs,
};

/// How hard to work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Seed of the simulated histories.
    pub seed: u64,
    /// Replications per evaluation during the search.
    pub reps: u64,
    /// Replications at the solution, for the intervals and the checks.
    pub final_reps: u64,
    /// Most replications to simulate in all.
    pub budget: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            seed: 1,
            reps: 48,
            final_reps: 200,
            budget: 8_000,
        }
    }
}

/// The search stops when every fitted figure is within this many standard deviations of one
/// history from its observed value: a small fraction of the history's own noise, well below what it can tell.
pub const TOLERANCE: f64 = 0.15;

/// A knob whose 95 % interval would span more than a factor of ten each way (sd of its log
/// factor above this) is not identified by the history.
const MAX_SD: f64 = 1.2;

/// Fewest replications at the solution (the covariance of a handful of figures needs a few dozen).
const MIN_FINAL_REPS: u64 = 40;

/// Least evidence a figure needs before its knob is fitted.
fn minimum(moment: Moment, counts: &Counts) -> Result<(), String> {
    let (have, need, what) = match moment {
        Moment::ChangeFailRate | Moment::ReworkRate | Moment::DeploysPerWeek => {
            (counts.deployments, 10.0, "deployments")
        }
        Moment::RecoveryP50 | Moment::RecoveryGeoMean => (
            counts.recoveries,
            3.0,
            "failed deployments with a recovery time",
        ),
        Moment::ReviewTimeP50 | Moment::ReviewTimeGeoMean => {
            (counts.reviews, 10.0, "pull requests with review times")
        }
        Moment::PullRequestLocP50 => (counts.sized, 10.0, "pull requests with sizes"),
        Moment::ChangesPerWeek | Moment::LeadTimeP50 | Moment::LeadTimeLogMean => {
            (counts.changes, 10.0, "changes deployed")
        }
    };
    if have >= need {
        Ok(())
    } else {
        Err(format!(
            "the history has {have} {what}; at least {need} are needed"
        ))
    }
}

/// A fitted knob.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The knob.
    pub knob: Knob,
    /// Its figure in the history.
    pub observed: f64,
    /// Fitted factor on the base value, and its 95 % interval.
    pub factor: Interval,
    /// Each parameter written: key, base value, fitted value, values at the interval's ends.
    pub values: Vec<(&'static str, Value, Value, Value, Value)>,
    /// Hit the end of its range.
    pub at_bound: bool,
    /// Its interval is finite and narrower than a factor of ten each way.
    pub identified: bool,
}

/// A knob left at the base value.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// The knob.
    pub knob: Knob,
    /// Why.
    pub reason: String,
}

/// One figure: observed against simulated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check {
    /// The figure.
    pub moment: Moment,
    /// In the history.
    pub observed: f64,
    /// Mean over simulated histories of the same length.
    pub simulated: f64,
    /// 2.5 % and 97.5 % of simulated histories, each with parameters drawn from their fitted
    /// distribution: where one history falls 95 % of the time.
    pub low: f64,
    /// See `low`.
    pub high: f64,
    /// Was this figure fitted (matched by a knob) or only checked?
    pub fitted: bool,
}

impl Check {
    /// The observed value lies within the simulated 95 % range (or the history cannot show it).
    pub fn within(&self) -> bool {
        !self.observed.is_finite()
            || !self.simulated.is_finite()
            || (self.observed >= self.low && self.observed <= self.high)
    }
}

impl Solution {
    /// How the search ended, in words.
    pub fn verdict(&self) -> String {
        if self.converged {
            format!(
                "converged in {} steps (largest gap {:.2} SD of one history)",
                self.steps, self.gap
            )
        } else if self.stalled {
            format!(
                "reached its closest point in {} steps: a gap of {:.2} SD of one history remains that no parameter closes (see the checks)",
                self.steps, self.gap
            )
        } else {
            format!(
                "did NOT converge in {} steps (largest gap {:.2} SD of one history): raise --budget",
                self.steps, self.gap
            )
        }
    }
}

/// The outcome of a calibration.
#[derive(Debug, Clone)]
pub struct Fit {
    /// The calibrated parameters.
    pub params: Params,
    /// Length of the history's window, weeks.
    pub weeks: f64,
    /// The figures of the history.
    pub observed: Figures,
    /// The counts behind them.
    pub counts: Counts,
    /// Rates and shares with exact intervals.
    pub rates: Vec<(&'static str, Interval)>,
    /// Set directly from the data.
    pub direct: Vec<Setting>,
    /// Fitted by simulation.
    pub fitted: Vec<Fitted>,
    /// Left at the base value.
    pub skipped: Vec<Skipped>,
    /// Observed against simulated, every figure.
    pub checks: Vec<Check>,
    /// The search.
    pub solution: Solution,
    /// The intervals could not be computed (a knob does not move its figure).
    pub singular: bool,
    /// The settings used.
    pub settings: Settings,
}

/// Why a calibration cannot run.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// The history is too short or empty.
    #[error("{0}")]
    History(String),
    /// The base scenario cannot take the fitted values.
    #[error("{0}")]
    Scenario(String),
    /// The budget cannot pay for a fit.
    #[error("{0}")]
    Budget(String),
}

/// Knob values at `z` applied to `base`.
fn params_at(base: &Params, active: &[Knob], z: &[f64]) -> Result<Params, String> {
    let mut params = base.clone();
    for (knob, &zk) in active.iter().zip(z) {
        knob.apply(base, &mut params, zk)?;
    }
    let problems = check_params(&params);
    if let Some(p) = problems.first() {
        return Err(format!("{}: {} (found {})", p.key_path, p.message, p.found));
    }
    Ok(params)
}

/// Simulated figures of `reps` histories under `params` (same seeds every time: common random
/// numbers), in replication order.
fn simulate(
    scenario: &Scenario,
    params: &Params,
    lens: Lens,
    seed: u64,
    reps: u64,
) -> Result<Vec<Figures>, String> {
    let mut s = scenario.clone();
    s.params = params.clone();
    let model = s.model().map_err(|e| e.to_string())?;
    let info = ExportInfo {
        scenario: s.name.clone(),
        seed,
        replication: 0,
    };
    Ok((0..reps)
        .into_par_iter()
        .map_init(RunScratch::default, |scratch, r| {
            model.read_run(seed, r, scratch, |records| {
                figures(&measured_log(records, &info), lens).0
            })
        })
        .collect())
}

fn rows(figs: &[Figures], moments: &[Moment]) -> Rows {
    figs.iter()
        .map(|f| moments.iter().map(|&m| f.get(m)).collect())
        .collect()
}

/// The `q` quantile of the finite values by nearest rank, rounded outward (down below the
/// median, up above it): a figure that takes a few discrete values (a median lead time on a
/// calendar cliff) keeps its extreme values inside its range instead of between them.
fn quantile(mut values: Vec<f64>, q: f64) -> f64 {
    values.retain(|x| x.is_finite());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let pos = q * (values.len() - 1) as f64;
    let rank = if q < 0.5 { pos.floor() } else { pos.ceil() };
    values[rank as usize]
}

/// Figures of `settings.final_reps` histories, each simulated with knobs drawn from
/// `N(z, cov)` (seeded by the settings' seed: reproducible), in replication order.
fn predictive(
    start: &Params,
    base: &Scenario,
    active: &[Knob],
    z: &[f64],
    cov: &DMatrix<f64>,
    lens: Lens,
    settings: Settings,
) -> Result<Vec<Figures>, FitError> {
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};
    let p = z.len();
    // A covariance that is not positive definite (rounding) keeps only its diagonal.
    let lower = cov.clone().cholesky().map(|c| c.l()).unwrap_or_else(|| {
        DMatrix::from_fn(p, p, |i, j| {
            if i == j {
                cov[(i, i)].max(0.0).sqrt()
            } else {
                0.0
            }
        })
    });
    let mut rng = crate::engine::random::SimRng::seed_from_u64(settings.seed ^ 0x9e37_79b9);
    let draws: Vec<Vec<f64>> = (0..settings.final_reps)
        .map(|_| {
            let e = nalgebra::DVector::from_fn(p, |_, _| StandardNormal.sample(&mut rng));
            let d = &lower * e;
            (0..p).map(|k| (z[k] + d[k]).clamp(-4.6, 4.6)).collect()
        })
        .collect();
    let info = ExportInfo {
        scenario: base.name.clone(),
        seed: settings.seed,
        replication: 0,
    };
    draws
        .into_par_iter()
        .enumerate()
        .map_init(RunScratch::default, |scratch, (r, zr)| {
            let mut s = base.clone();
            s.params = params_at(start, active, &zr)?;
            let model = s.model().map_err(|e| e.to_string())?;
            Ok(model.read_run(settings.seed, r as u64, scratch, |records| {
                figures(&measured_log(records, &info), lens).0
            }))
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(FitError::Scenario)
}

/// Fits `base` (a scenario with what the user knows: team size, reviewers, AI adoption) to the
/// history `log`, measured (as every simulated history) by `lens`: the rules of the tool the
/// history came from. `progress` is told of each batch of replications simulated.
pub fn calibrate(
    base: &Scenario,
    log: &MeasuredLog,
    lens: Lens,
    settings: Settings,
    progress: impl Fn(u64),
) -> Result<Fit, FitError> {
    let (observed, counts) = figures(log, lens);
    if counts.weeks < 1.0 {
        return Err(FitError::History(format!(
            "the history spans {:.1} days; calibration needs at least a week (better: a quarter)",
            counts.weeks * 7.0
        )));
    }
    if counts.deployments < 1.0 {
        return Err(FitError::History(
            "the history has no deployment inside its window: nothing to calibrate to".into(),
        ));
    }
    let mut start = base.params.clone();
    start.time.horizon_weeks = (counts.weeks * 100.0).round() / 100.0;
    let mut direct = direct::deploy_settings(log);
    if start.time.warmup_weeks >= start.time.horizon_weeks {
        // A warm-up must be shorter than the horizon it precedes.
        direct.push(Setting {
            key: "time.warmup_weeks",
            value: Value::Float((start.time.horizon_weeks / 2.0 * 10.0).floor() / 10.0),
            from: format!(
                "half the history's length: the base's warm-up of {} weeks is longer than the history",
                start.time.warmup_weeks
            ),
        });
    }
    direct::apply(&mut start, &direct).map_err(FitError::Scenario)?;

    let mut active: Vec<Knob> = Vec::new();
    let mut skipped = Vec::new();
    for knob in KNOBS.iter().filter(|k| k.applies(&start)) {
        // Review pickup falls back on lead time when the history has no review times.
        let mut knob = *knob;
        if knob.moment == Moment::ReviewTimeGeoMean && !observed.get(knob.moment).is_finite() {
            knob.moment = Moment::LeadTimeLogMean;
            knob.why = "without review times, pickup delay is read from the lead time";
        }
        let knob = &knob;
        let value = observed.get(knob.moment);
        let reason = if !value.is_finite() {
            Some(format!(
                "the history does not show the {}",
                knob.moment.label()
            ))
        } else {
            minimum(knob.moment, &counts).err()
        };
        match reason {
            Some(reason) => skipped.push(Skipped {
                knob: *knob,
                reason,
            }),
            None => active.push(*knob),
        }
    }
    // The budget bounds every replication: at most half of it goes to the final stage (the
    // Jacobian, the spread and the predictive checks, `final_reps` each).
    let knobs = active.len() as u64;
    let final_reps = (settings.budget / 2 / (knobs + 2)).clamp(MIN_FINAL_REPS, settings.final_reps);
    let least = settings.reps + final_reps * (knobs + 2);
    if settings.budget < least {
        return Err(FitError::Budget(format!(
            "--budget {} is too small to fit {knobs} parameters: at least {least} replications \
             (the default is {})",
            settings.budget,
            Settings::default().budget
        )));
    }
    let settings = Settings {
        final_reps,
        ..settings
    };
    // Fit; then drop the knobs the history cannot pin down (their figure does not move, or their
    // interval spans more than a factor of ten each way) and fit the rest again, once.
    let mut spent = 0u64;
    let mut retried = false;
    let mut z_start = vec![0.0; active.len()];
    let (active, targets, mut solution, z, at, cov) = loop {
        let targets: Vec<Moment> = active.iter().map(|k| k.moment).collect();
        let obs: Vec<f64> = targets.iter().map(|&m| observed.get(m)).collect();
        let bounds: Vec<(f64, f64)> = vec![(-4.6, 4.6); active.len()];
        let p = active.len() as u64;
        let final_cost = settings.final_reps * (p + 1);
        // Keep room for the predictive checks at the end.
        let search_budget = settings
            .budget
            .saturating_sub(final_cost + spent + settings.final_reps);

        let run_at = |z: &[f64], reps: u64| -> Result<Vec<Figures>, String> {
            let params = params_at(&start, &active, z)?;
            simulate(base, &params, lens, settings.seed, reps)
        };
        // The spread of one history's figures at the start scales the gaps.
        let first = run_at(&vec![0.0; active.len()], settings.reps).map_err(FitError::Scenario)?;
        progress(settings.reps);
        let spread = covariance(&rows(&first, &targets), targets.len());
        let scale: Vec<f64> = (0..targets.len())
            .map(|k| {
                let sd = spread[(k, k)].sqrt();
                if sd.is_finite() && sd > 0.0 {
                    sd
                } else {
                    0.05 * obs[k].abs().max(1e-3)
                }
            })
            .collect();
        let search = Search {
            observed: &obs,
            scale: &scale,
            reps: settings.reps,
            budget: search_budget.saturating_sub(settings.reps),
            tolerance: TOLERANCE,
            step: 0.1,
            max_move: 1.5,
            bounds: &bounds,
        };
        let mut solution = search
            .run(
                z_start.clone(),
                |z| {
                    let figs = run_at(z, settings.reps)?;
                    Ok::<_, String>(means(&rows(&figs, &targets), targets.len()))
                },
                &progress,
            )
            .map_err(FitError::Scenario)?;
        solution.simulations += settings.reps;

        // At the solution: the spread of one history, the Jacobian, and the checks.
        let z = solution.z.clone();
        let at = run_at(&z, settings.final_reps).map_err(FitError::Scenario)?;
        progress(settings.final_reps);
        solution.simulations += final_cost;
        let at_rows = rows(&at, &targets);
        let centre = means(&at_rows, targets.len());
        let sigma = covariance(&at_rows, targets.len());
        let jac = jacobian(&z, &centre, 0.1, &bounds, |zj| {
            let figs = run_at(zj, settings.final_reps).map_err(FitError::Scenario)?;
            progress(settings.final_reps);
            Ok::<_, FitError>(means(&rows(&figs, &targets), targets.len()))
        })?;
        let cov = knob_covariance(&jac, &sigma, settings.final_reps);
        let weak = weak_knobs(&jac, &sigma, settings.final_reps, MAX_SD);
        let left = settings
            .budget
            .saturating_sub(spent + solution.simulations + settings.final_reps);
        let refit = (active.len() - weak.len()) as u64 + 2;
        let room = left >= settings.final_reps * refit + 2 * settings.reps * refit;
        if weak.is_empty() || retried || weak.len() == active.len() || !room {
            break (active, targets, solution, z, at, cov);
        }
        for &k in &weak {
            skipped.push(Skipped {
                knob: active[k],
                reason: format!(
                    "the history does not pin it down (its {} barely moves it, or its interval \
                     spans more than ten times either way): left at the base value",
                    active[k].moment.label()
                ),
            });
        }
        // The rest start again from where they were.
        z_start = (0..active.len())
            .filter(|k| !weak.contains(k))
            .map(|k| z[k])
            .collect();
        active = active
            .iter()
            .enumerate()
            .filter(|(k, _)| !weak.contains(k))
            .map(|(_, knob)| *knob)
            .collect();
        spent += solution.simulations;
        retried = true;
    };
    solution.simulations += spent;
    let bounds: Vec<(f64, f64)> = vec![(-4.6, 4.6); active.len()];
    let obs: Vec<f64> = targets.iter().map(|&m| observed.get(m)).collect();
    let z95 = Normal::standard().inverse_cdf(0.975);
    let params = params_at(&start, &active, &z).map_err(FitError::Scenario)?;
    let mut fitted = Vec::new();
    for (k, knob) in active.iter().enumerate() {
        let sd = cov
            .as_ref()
            .map_or(f64::INFINITY, |c| c[(k, k)].max(0.0).sqrt());
        let (lo_z, hi_z) = (z[k] - z95 * sd, z[k] + z95 * sd);
        let value_at = |zk: f64| -> Result<Params, String> {
            let mut params = start.clone();
            knob.apply(&start, &mut params, zk.clamp(-4.6, 4.6))?;
            Ok(params)
        };
        let (low, high) = (
            value_at(lo_z).map_err(FitError::Scenario)?,
            value_at(hi_z).map_err(FitError::Scenario)?,
        );
        let values = knob
            .keys()
            .into_iter()
            .filter_map(|key| {
                Some((
                    key,
                    start.get(key)?,
                    params.get(key)?,
                    low.get(key)?,
                    high.get(key)?,
                ))
            })
            .collect();
        fitted.push(Fitted {
            knob: *knob,
            observed: obs[k],
            factor: Interval {
                estimate: z[k].exp(),
                low: lo_z.exp(),
                high: hi_z.exp(),
            },
            values,
            at_bound: z[k] <= bounds[k].0 + 1e-9 || z[k] >= bounds[k].1 - 1e-9,
            identified: sd.is_finite() && sd <= MAX_SD,
        });
    }
    // Checks against histories simulated with the parameters drawn from their fitted
    // distribution, one draw per replication (a posterior predictive check): the range of one
    // history then includes what the history could not pin down about the parameters.
    let predictive = match &cov {
        Some(c) => predictive(&start, base, &active, &z, c, lens, settings)?,
        None => at.clone(),
    };
    progress(settings.final_reps);
    solution.simulations += settings.final_reps;
    let checks = Moment::ALL
        .iter()
        .map(|&m| {
            let values: Vec<f64> = predictive.iter().map(|f| f.get(m)).collect();
            Check {
                moment: m,
                observed: observed.get(m),
                simulated: finite_mean(values.iter().copied()),
                low: quantile(values.clone(), 0.025),
                high: quantile(values, 0.975),
                fitted: targets.contains(&m),
            }
        })
        .collect();
    Ok(Fit {
        params,
        weeks: counts.weeks,
        observed,
        rates: direct::rates(&counts),
        counts,
        direct,
        fitted,
        skipped,
        checks,
        singular: cov.is_none(),
        solution,
        settings,
    })
}
