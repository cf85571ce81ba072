//! A sensitivity study of the simulator (`dorasim sensitivity`): what identifies it, its design
//! in the unit cube, the partial result of one shard of its evaluation points, and the analysis
//! of the evaluated outputs into tornado tables, `sensitivity.csv` and `sensitivity.json`.
//!
//! Each evaluation point is the means of the [`HEADLINE`] metrics over `runs` replications from
//! the point's seed ([`Study::point_seed`]), with the variance of each mean from simulation
//! noise, so a point gives the same outputs whichever process evaluates it. A Morris study runs
//! every point from the master seed; a Sobol study gives the points of one Saltelli base row
//! the same seed and each row its own (common random numbers within a row, independent rows).
//! Shard K of N evaluates a contiguous range of the points and writes their outputs to
//! `sensitivity-K-of-N.json`; [`merge`](super::merge) puts the outputs of every shard back in
//! point order and [`analyse`] computes the indices (bootstrap intervals from the same seed)
//! exactly as the unsharded command does. A Sobol analysis checks its own convergence
//! ([`sensitivity::sobol_convergence`]) and says so on the terminal, in both files and, through
//! the CSV, in the report.
//!
//! (About 680 lines: a study's design of points, its analysis, and its terminal, CSV and JSON
//! outputs.)

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::design::{DesignError, ParamSpec, Values};
use super::focus::HEADLINE;
use super::sensitivity::{
    self, Convergence, MAX_INTERVAL_WIDTH, MAX_NOISE_SHARE, MorrisEffect, SOBOL_BOOTSTRAP,
    SobolEstimate, SobolNoise, SobolOptions,
};
use super::shard::Shard;
use crate::metrics::Metric;

/// File name of the indices as CSV.
pub const SENSITIVITY_CSV: &str = "sensitivity.csv";
/// File name of the indices as JSON.
pub const SENSITIVITY_JSON: &str = "sensitivity.json";
/// Format tag of a sensitivity shard's partial file.
pub const SENSITIVITY_PARTIAL_KIND: &str = "dorasim-sensitivity-partial";
/// Grid levels of a Morris design.
pub const MORRIS_LEVELS: usize = 4;
/// Bootstrap resamples of every Morris interval (Sobol: [`SOBOL_BOOTSTRAP`]).
pub const BOOTSTRAP: usize = 200;

/// Sensitivity methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Morris elementary effects: cheap screening (mu*, sigma).
    Morris,
    /// Sobol first-order and total indices (Saltelli sampling).
    Sobol,
}

impl Method {
    /// Lower-case name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Method::Morris => "morris",
            Method::Sobol => "sobol",
        }
    }
}

/// What identifies a sensitivity study: shards of one study agree on all of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Study {
    /// Scenario name.
    pub scenario: String,
    /// Hash of the resolved scenario (with `--set` applied, without its origin).
    pub scenario_hash: String,
    /// `--set` overrides applied at every point, before the point's values.
    pub sets: Vec<String>,
    /// `--param KEY=LOW..HIGH` arguments, as given.
    pub params: Vec<String>,
    /// Method.
    pub method: Method,
    /// Morris trajectories (Morris only, at least 2).
    pub trajectories: Option<usize>,
    /// Sobol base samples (Sobol only, at least 4).
    pub samples: Option<usize>,
    /// Replications per evaluation point.
    pub runs: u64,
    /// Master seed: of the replications at every point, of the design and of the bootstrap.
    pub seed: u64,
    /// Measurement lens (as on the command line).
    pub lens: String,
}

impl Study {
    /// The parameters, parsed.
    pub fn specs(&self) -> Result<Vec<ParamSpec>, DesignError> {
        self.params.iter().map(|p| ParamSpec::parse(p)).collect()
    }

    /// The master seed of the replications at evaluation point `point`: the study's seed for
    /// Morris; for Sobol, the seed of the point's Saltelli base row
    /// ([`sensitivity::row_seed`]), shared by A, B and every AB of the row.
    pub fn point_seed(&self, point: usize) -> u64 {
        match self.method {
            Method::Morris => self.seed,
            Method::Sobol => sensitivity::row_seed(self.seed, point / (self.params.len() + 2)),
        }
    }

    /// Number of evaluation points the design has (`None` when it overflows): Morris
    /// `trajectories × (k + 1)`, Sobol `samples × (k + 2)`.
    pub fn point_count(&self) -> Option<usize> {
        let k = self.params.len();
        match self.method {
            Method::Morris => self
                .trajectories
                .unwrap_or(2)
                .checked_mul(k.checked_add(1)?),
            Method::Sobol => self.samples.unwrap_or(4).checked_mul(k.checked_add(2)?),
        }
    }

    /// The evaluation points in the unit cube, in evaluation order.
    pub fn points(&self) -> Vec<Vec<f64>> {
        let k = self.params.len();
        match self.method {
            Method::Morris => {
                sensitivity::morris_design(
                    k,
                    self.trajectories.unwrap_or(2),
                    MORRIS_LEVELS,
                    self.seed,
                )
                .points
            }
            Method::Sobol => {
                sensitivity::saltelli_design(k, self.samples.unwrap_or(4), self.seed).points
            }
        }
    }
}

/// What one shard of `dorasim sensitivity` leaves for `dorasim merge`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SensitivityPartial {
    /// Always [`SENSITIVITY_PARTIAL_KIND`].
    pub kind: String,
    /// dorasim version that wrote it.
    pub version: String,
    /// Which shard.
    pub shard: Shard,
    /// The study.
    pub study: Study,
    /// Evaluation points of the whole study.
    pub evaluations: u64,
    /// First point of this shard.
    pub first_point: u64,
    /// One past its last point.
    pub end_point: u64,
    /// Keys of the metrics of each output, in order.
    pub metrics: Vec<String>,
    /// For each point of the shard, in order, the mean of each metric over the replications
    /// (`null` where the mean is undefined, such as nothing deployed).
    pub outputs: Vec<Vec<Option<f64>>>,
    /// For each point of the shard, in order, the variance of each metric's mean from
    /// simulation noise (see [`PointOutput::noise`]; `null` where unknown).
    pub noise: Vec<Vec<Option<f64>>>,
    /// For each point, [`PointOutput::difference_noise`] (`null` where unknown or unused).
    pub difference_noise: Vec<Vec<Option<f64>>>,
    /// For each point, [`PointOutput::cross_noise`] (`null` where unknown or unused).
    pub cross_noise: Vec<Vec<Option<f64>>>,
    /// Worker threads used.
    pub threads: usize,
    /// Wall time of this shard, seconds.
    pub wall_seconds: f64,
}

/// File name of a sensitivity shard's partial for `shard`.
pub fn partial_name(shard: Shard) -> String {
    format!("sensitivity-{}.json", shard.stem())
}

/// Keys of the [`HEADLINE`] metrics, the outputs of every point.
pub fn metric_keys() -> Vec<String> {
    HEADLINE.iter().map(|m| m.def().key.to_string()).collect()
}

/// Outputs as stored in a partial file: undefined (non-finite) means become `None`.
pub fn to_stored(outputs: &[Vec<f64>]) -> Vec<Vec<Option<f64>>> {
    outputs
        .iter()
        .map(|o| o.iter().map(|v| v.is_finite().then_some(*v)).collect())
        .collect()
}

/// Outputs read back from partial files: `None` becomes NaN.
pub fn from_stored(outputs: &[Vec<Option<f64>>]) -> Vec<Vec<f64>> {
    outputs
        .iter()
        .map(|o| o.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
        .collect()
}

/// What the evaluation of one point gives, one value per [`HEADLINE`] metric (NaN where
/// undefined or unknown).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointOutput {
    /// The metric's mean over the point's replications.
    pub means: Vec<f64>,
    /// The variance of that mean from simulation noise: the replications' variance over their
    /// number.
    pub noise: Vec<f64>,
    /// Sobol AB_ij points: the noise variance of f(AB_ij) − f(A_j) over the replications the
    /// row shares ([`sensitivity::paired_noise`]); NaN at other points.
    pub difference_noise: Vec<f64>,
    /// Sobol AB_ij points: the noise covariance of f(B_j) with f(AB_ij) − f(A_j); NaN at other
    /// points.
    pub cross_noise: Vec<f64>,
}

impl PointOutput {
    /// The four fields of every point as stored in a partial file.
    #[allow(clippy::type_complexity)]
    pub fn to_stored(points: &[PointOutput]) -> [Vec<Vec<Option<f64>>>; 4] {
        let field = |f: fn(&PointOutput) -> &Vec<f64>| {
            to_stored(&points.iter().map(|p| f(p).clone()).collect::<Vec<_>>())
        };
        [
            field(|p| &p.means),
            field(|p| &p.noise),
            field(|p| &p.difference_noise),
            field(|p| &p.cross_noise),
        ]
    }

    /// The points of a partial file.
    pub fn from_partial(partial: &SensitivityPartial) -> Vec<PointOutput> {
        let [means, noise, difference, cross] = [
            &partial.outputs,
            &partial.noise,
            &partial.difference_noise,
            &partial.cross_noise,
        ]
        .map(|v| from_stored(v));
        means
            .into_iter()
            .zip(noise)
            .zip(difference)
            .zip(cross)
            .map(
                |(((means, noise), difference_noise), cross_noise)| PointOutput {
                    means,
                    noise,
                    difference_noise,
                    cross_noise,
                },
            )
            .collect()
    }
}

/// The indices of one metric.
#[derive(Debug, Clone)]
pub enum Indices {
    /// Morris statistics, one per parameter (in `--param` order).
    Morris(Vec<MorrisEffect>),
    /// Sobol indices, one per parameter (in `--param` order), and their convergence check.
    Sobol(SobolEstimate, Convergence),
}

/// The sensitivity of one metric.
#[derive(Debug, Clone)]
pub struct MetricSensitivity {
    /// The metric.
    pub metric: Metric,
    /// Points where its mean was undefined (filled with the mean of the others).
    pub undefined: usize,
    /// Its indices.
    pub indices: Indices,
}

/// The analysis of a study: structured results and their renderings.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The parameters.
    pub specs: Vec<ParamSpec>,
    /// One entry per [`HEADLINE`] metric.
    pub metrics: Vec<MetricSensitivity>,
    /// Sobol: whether every metric's indices passed the convergence check (`None` for Morris).
    pub converged: Option<bool>,
    /// The terminal tables.
    pub report: String,
    /// `sensitivity.csv`.
    pub csv: Vec<u8>,
    /// `sensitivity.json`.
    pub json: serde_json::Value,
}

/// Columns of `sensitivity.csv`.
pub const CSV_COLUMNS: &[&str] = &[
    "method",
    "metric",
    "param",
    "low",
    "high",
    "mu_star",
    "mu_star_ci95_low",
    "mu_star_ci95_high",
    "mu",
    "sigma",
    "s1",
    "s1_ci95_low",
    "s1_ci95_high",
    "st",
    "st_ci95_low",
    "st_ci95_high",
    "noise_share",
    "converged",
    "recommended_samples",
    "recommended_runs",
    "warning",
];

/// A metric's values at every point with the undefined ones (nothing deployed at a point)
/// filled with the mean of the defined ones, which would otherwise poison the estimators, and
/// how many were filled.
fn filled(values: impl Iterator<Item = f64>) -> (Vec<f64>, usize) {
    let mut y: Vec<f64> = values.collect();
    let (sum, count) = y
        .iter()
        .filter(|v| v.is_finite())
        .fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    let fill = sum / count.max(1) as f64;
    let undefined = y.len() - count;
    y.iter_mut()
        .filter(|v| !v.is_finite())
        .for_each(|v| *v = fill);
    (y, undefined)
}

/// What to re-run with when some metric did not converge: the largest sizes any metric asks
/// for, and the sentence that says so.
fn advice(study: &Study, checks: &[&Convergence]) -> (usize, u64, String) {
    let samples = study.samples.unwrap_or(4);
    let new_samples = checks.iter().map(|c| c.samples).max().unwrap_or(samples);
    let new_runs = checks
        .iter()
        .filter_map(|c| c.runs)
        .max()
        .unwrap_or(study.runs);
    let cost = (new_samples as f64 * new_runs as f64) / (samples as f64 * study.runs as f64);
    let mut why = Vec::new();
    if new_samples > samples {
        why.push("intervals narrow as 1/√samples");
    }
    if new_runs > study.runs {
        why.push("the noise share falls as 1/runs");
    }
    let text = format!(
        "likely fix: re-run with --samples {new_samples} --runs {new_runs} ({}; about \
         {cost:.1} times the replications of this study)",
        why.join(", ")
    );
    (new_samples, new_runs, text)
}

/// Computes the indices of every [`HEADLINE`] metric from the outputs at each point of the
/// study's design, in evaluation order (Sobol also uses their noise terms).
pub fn analyse(study: &Study, points: &[PointOutput]) -> anyhow::Result<Analysis> {
    let specs = study.specs()?;
    let names: Vec<String> = specs.iter().map(|p| p.key.clone()).collect();
    let k = specs.len();
    let seed = study.seed;
    let mut report = String::new();
    let mut metrics = Vec::new();
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(CSV_COLUMNS)?;
    let mut json = serde_json::Map::new();
    let mut diagnostics = serde_json::Map::new();
    let cell = crate::output::format::csv_cell;
    let _ = writeln!(
        report,
        "Sensitivity of `{}` ({:?}, {} evaluations of {} replications, seed {seed})",
        study.scenario,
        study.method,
        points.len(),
        study.runs
    );
    if study.method == Method::Sobol {
        let _ = writeln!(
            report,
            "S1: Saltelli et al. 2010 (centred), ST: Jansen 1999; 95 % bootstrap intervals \
             ({SOBOL_BOOTSTRAP} resamples of the {} base rows). The points of a base row share \
             their replications' seeds; the simulation noise measured over them is taken out.",
            study.samples.unwrap_or(4)
        );
    }
    let range = |p: &ParamSpec| match &p.values {
        Values::Range { low, high } => (*low, *high),
        _ => (f64::NAN, f64::NAN),
    };
    for (m, metric) in HEADLINE.iter().enumerate() {
        let value = |f: fn(&PointOutput) -> &Vec<f64>| {
            filled(
                points
                    .iter()
                    .map(|p| f(p).get(m).copied().unwrap_or(f64::NAN)),
            )
        };
        let (y, undefined) = value(|p| &p.means);
        let def = metric.def();
        let _ = writeln!(report, "\n{} ({})", def.label, def.unit);
        if undefined > 0 {
            let _ = writeln!(
                report,
                "  ({undefined} points had no value; filled with the mean)"
            );
        }
        let indices = match study.method {
            Method::Morris => {
                let design = sensitivity::morris_design(
                    k,
                    study.trajectories.unwrap_or(2),
                    MORRIS_LEVELS,
                    seed,
                );
                let effects = sensitivity::morris_effects(&design, &y, BOOTSTRAP, seed);
                let top = effects
                    .iter()
                    .map(|e| e.mu_star)
                    .fold(0.0, f64::max)
                    .max(1e-300);
                let mut order: Vec<usize> = (0..k).collect();
                order.sort_by(|&a, &b| effects[b].mu_star.total_cmp(&effects[a].mu_star));
                let _ = writeln!(
                    report,
                    "  {:<36} {:>12} {:>12}  mu* (tornado)",
                    "parameter", "mu*", "sigma"
                );
                for i in order {
                    let e = effects[i];
                    let _ = writeln!(
                        report,
                        "  {:<36} {:>12} {:>12}  {}",
                        specs[i].key,
                        crate::output::format::number(e.mu_star),
                        crate::output::format::number(e.sigma),
                        sensitivity::bar(e.mu_star / top, 30)
                    );
                    let (lo, hi) = range(&specs[i]);
                    let mut row = vec![
                        "morris".into(),
                        def.key.into(),
                        specs[i].key.clone(),
                        cell(lo),
                        cell(hi),
                        cell(e.mu_star),
                        cell(e.mu_star_ci95.0),
                        cell(e.mu_star_ci95.1),
                        cell(e.mu),
                        cell(e.sigma),
                    ];
                    row.resize(CSV_COLUMNS.len(), String::new());
                    csv.write_record(row)?;
                }
                json.insert(
                    def.key.into(),
                    serde_json::to_value(
                        specs
                            .iter()
                            .zip(&effects)
                            .map(|(p, e)| (p.key.clone(), *e))
                            .collect::<std::collections::BTreeMap<_, _>>(),
                    )?,
                );
                Indices::Morris(effects)
            }
            Method::Sobol => {
                let samples = study.samples.unwrap_or(4);
                let design = sensitivity::saltelli_design(k, samples, seed);
                // Noise terms unknown at a point (a metric defined by fewer than two of its
                // replications) take the mean of the others.
                let [(variance, _), (difference, _), (cross, _)] = [
                    value(|p| &p.noise),
                    value(|p| &p.difference_noise),
                    value(|p| &p.cross_noise),
                ];
                let noise = SobolNoise {
                    variance: &variance,
                    difference: &difference,
                    cross: &cross,
                };
                let estimate = sensitivity::sobol_indices(
                    &design,
                    &y,
                    Some(noise),
                    SobolOptions::reported(seed),
                );
                let check =
                    sensitivity::sobol_convergence(&estimate, &names, samples, Some(study.runs));
                let indices = &estimate.indices;
                let mut order: Vec<usize> = (0..k).collect();
                order.sort_by(|&a, &b| indices[b].total.total_cmp(&indices[a].total));
                let _ = writeln!(
                    report,
                    "  {:<36} {:>18} {:>18}  ST (tornado)",
                    "parameter", "S1 [95 % CI]", "ST [95 % CI]"
                );
                let (fix_samples, fix_runs, fix) = advice(study, &[&check]);
                let warning = if check.converged {
                    String::new()
                } else {
                    format!("{}; {fix}", check.warnings.join("; "))
                };
                for i in order {
                    let s = indices[i];
                    let _ = writeln!(
                        report,
                        "  {:<36} {:>5.2} [{:>5.2},{:>5.2}] {:>5.2} [{:>5.2},{:>5.2}]  {}",
                        specs[i].key,
                        s.first,
                        s.first_ci.0,
                        s.first_ci.1,
                        s.total,
                        s.total_ci.0,
                        s.total_ci.1,
                        sensitivity::bar(s.total, 30)
                    );
                    let (lo, hi) = range(&specs[i]);
                    csv.write_record([
                        "sobol".into(),
                        def.key.into(),
                        specs[i].key.clone(),
                        cell(lo),
                        cell(hi),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        cell(s.first),
                        cell(s.first_ci.0),
                        cell(s.first_ci.1),
                        cell(s.total),
                        cell(s.total_ci.0),
                        cell(s.total_ci.1),
                        cell(estimate.noise_share),
                        check.converged.to_string(),
                        fix_samples.to_string(),
                        fix_runs.to_string(),
                        crate::output::format::csv_text(&warning),
                    ])?;
                }
                if estimate.variance.is_finite() {
                    let _ = writeln!(
                        report,
                        "  simulation noise: {:.0} % of the variance between evaluation points",
                        100.0 * estimate.noise_share
                    );
                } else {
                    let _ = writeln!(
                        report,
                        "  the metric does not vary over these ranges: no variance to share out"
                    );
                }
                for w in &check.warnings {
                    let _ = writeln!(report, "  warning: {w}");
                }
                json.insert(
                    def.key.into(),
                    serde_json::to_value(
                        specs
                            .iter()
                            .zip(indices)
                            .map(|(p, e)| (p.key.clone(), *e))
                            .collect::<std::collections::BTreeMap<_, _>>(),
                    )?,
                );
                diagnostics.insert(
                    def.key.into(),
                    serde_json::json!({
                        "converged": check.converged,
                        "noise_share": estimate.noise_share,
                        "widest_interval": check.widest_interval,
                        "warnings": check.warnings,
                    }),
                );
                Indices::Sobol(estimate, check)
            }
        };
        metrics.push(MetricSensitivity {
            metric: *metric,
            undefined,
            indices,
        });
    }
    let csv = csv.into_inner().map_err(|e| anyhow::anyhow!("CSV: {e}"))?;
    let mut json = serde_json::json!({
        "tool": "dorasim",
        "scenario": study.scenario,
        "method": study.method.name(),
        "runs": study.runs,
        "seed": seed,
        "evaluations": points.len(),
        "metrics": json,
    });
    let checks: Vec<&Convergence> = metrics
        .iter()
        .filter_map(|m| match &m.indices {
            Indices::Sobol(_, c) => Some(c),
            Indices::Morris(_) => None,
        })
        .collect();
    let converged = (study.method == Method::Sobol).then(|| checks.iter().all(|c| c.converged));
    if let (Some(converged), Some(object)) = (converged, json.as_object_mut()) {
        let failing: Vec<&str> = metrics
            .iter()
            .filter(|m| matches!(&m.indices, Indices::Sobol(_, c) if !c.converged))
            .map(|m| m.metric.def().key)
            .collect();
        let (samples, runs, fix) = advice(study, &checks);
        let _ = writeln!(report);
        let summary = if converged {
            format!(
                "Converged: no index lies outside [0, 1] by more than its 95 % interval, every \
                 interval is at most {MAX_INTERVAL_WIDTH} wide and simulation noise is at most \
                 {:.0} % of the variance of every metric.",
                100.0 * MAX_NOISE_SHARE
            )
        } else {
            format!(
                "NOT CONVERGED: the indices of {} of {} metrics ({}) are not fit to publish; \
                 {fix}.",
                failing.len(),
                metrics.len(),
                failing.join(", ")
            )
        };
        let _ = writeln!(report, "{summary}");
        object.insert("converged".into(), converged.into());
        object.insert(
            "warning".into(),
            if converged {
                serde_json::Value::Null
            } else {
                summary.into()
            },
        );
        object.insert(
            "recommended".into(),
            serde_json::json!({ "samples": samples, "runs": runs }),
        );
        object.insert(
            "estimator".into(),
            serde_json::json!({
                "first_order": "Saltelli et al. 2010, on the output centred on its mean",
                "total": "Jansen 1999",
                "noise": "measured over the replications each base row shares, and subtracted \
                          from the variance and from both estimators' numerators",
                "intervals": format!(
                    "95 % bootstrap percentile intervals, {SOBOL_BOOTSTRAP} resamples of the \
                     base rows"
                ),
                "random_numbers": "the points of one base row share their replications' \
                                   seeds; rows are independent",
                "max_interval_width": MAX_INTERVAL_WIDTH,
                "max_noise_share": MAX_NOISE_SHARE,
            }),
        );
        object.insert("diagnostics".into(), diagnostics.into());
    }
    Ok(Analysis {
        specs,
        metrics,
        converged,
        report,
        csv,
        json,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_survive_a_partial_file_bit_for_bit() {
        let outputs = vec![
            vec![0.1 + 0.2, f64::NAN, 1e-300],
            vec![-0.0, 22.25, f64::INFINITY],
        ];
        let text = serde_json::to_string(&to_stored(&outputs)).unwrap_or_default();
        let stored: Vec<Vec<Option<f64>>> = serde_json::from_str(&text).unwrap_or_default();
        let back = from_stored(&stored);
        assert_eq!(back.len(), 2);
        for (a, b) in outputs.iter().flatten().zip(back.iter().flatten()) {
            assert!(a.to_bits() == b.to_bits() || (!a.is_finite() && b.is_nan()));
        }
    }
}
