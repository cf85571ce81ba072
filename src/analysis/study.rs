//! A sensitivity study of the simulator (`dorasim sensitivity`): what identifies it, its design
//! in the unit cube, the partial result of one shard of its evaluation points, and the analysis
//! of the evaluated outputs into tornado tables, `sensitivity.csv` and `sensitivity.json`.
//!
//! Each evaluation point is the means of the [`HEADLINE`] metrics over the same replications
//! from the same seed, so a point gives the same outputs whichever process evaluates it. Shard K
//! of N evaluates a contiguous range of the points and writes their outputs to
//! `sensitivity-K-of-N.json`; [`merge`](super::merge) puts the outputs of every shard back in
//! point order and [`analyse`] computes the indices (bootstrap intervals from the same seed)
//! exactly as the unsharded command does.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::design::{DesignError, ParamSpec, Values};
use super::focus::HEADLINE;
use super::sensitivity::{self, MorrisEffect, SobolIndex};
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
/// Bootstrap resamples of every interval.
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

/// The indices of one metric.
#[derive(Debug, Clone)]
pub enum Indices {
    /// Morris statistics, one per parameter (in `--param` order).
    Morris(Vec<MorrisEffect>),
    /// Sobol indices, one per parameter (in `--param` order).
    Sobol(Vec<SobolIndex>),
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
    /// The terminal tables.
    pub report: String,
    /// `sensitivity.csv`.
    pub csv: Vec<u8>,
    /// `sensitivity.json`.
    pub json: serde_json::Value,
}

/// Computes the indices of every [`HEADLINE`] metric from the outputs at each point of the
/// study's design (`outputs[point][metric]`, in evaluation order).
pub fn analyse(study: &Study, outputs: &[Vec<f64>]) -> anyhow::Result<Analysis> {
    let specs = study.specs()?;
    let k = specs.len();
    let seed = study.seed;
    let mut report = String::new();
    let mut metrics = Vec::new();
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
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
    ])?;
    let mut json = serde_json::Map::new();
    let cell = crate::output::format::csv_cell;
    let _ = writeln!(
        report,
        "Sensitivity of `{}` ({:?}, {} evaluations of {} replications, seed {seed})",
        study.scenario,
        study.method,
        outputs.len(),
        study.runs
    );
    for (m, metric) in HEADLINE.iter().enumerate() {
        let mut y: Vec<f64> = outputs.iter().map(|o| o[m]).collect();
        // An undefined mean (nothing deployed at a point) would poison the estimators: use the
        // mean over the points where the metric is defined, and say so.
        let finite: Vec<f64> = y.iter().copied().filter(|v| v.is_finite()).collect();
        let fill = finite.iter().sum::<f64>() / finite.len().max(1) as f64;
        let undefined = y.len() - finite.len();
        y.iter_mut()
            .filter(|v| !v.is_finite())
            .for_each(|v| *v = fill);
        let def = metric.def();
        let _ = writeln!(report, "\n{} ({})", def.label, def.unit);
        if undefined > 0 {
            let _ = writeln!(
                report,
                "  ({undefined} points had no value; filled with the mean)"
            );
        }
        let range = |p: &ParamSpec| match &p.values {
            Values::Range { low, high } => (*low, *high),
            _ => (f64::NAN, f64::NAN),
        };
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
                    csv.write_record([
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
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ])?;
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
                let design = sensitivity::saltelli_design(k, study.samples.unwrap_or(4), seed);
                let indices = sensitivity::sobol_indices(&design, &y, BOOTSTRAP, seed);
                let mut order: Vec<usize> = (0..k).collect();
                order.sort_by(|&a, &b| indices[b].total.total_cmp(&indices[a].total));
                let _ = writeln!(
                    report,
                    "  {:<36} {:>18} {:>18}  ST (tornado)",
                    "parameter", "S1 [95 % CI]", "ST [95 % CI]"
                );
                for i in order {
                    let s = indices[i];
                    let _ = writeln!(
                        report,
                        "  {:<36} {:>5.2} [{:>5.2},{:>5.2}] {:>5.2} [{:>5.2},{:>5.2}]  {}",
                        specs[i].key,
                        s.first,
                        s.first_ci95.0,
                        s.first_ci95.1,
                        s.total,
                        s.total_ci95.0,
                        s.total_ci95.1,
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
                        cell(s.first_ci95.0),
                        cell(s.first_ci95.1),
                        cell(s.total),
                        cell(s.total_ci95.0),
                        cell(s.total_ci95.1),
                    ])?;
                }
                json.insert(
                    def.key.into(),
                    serde_json::to_value(
                        specs
                            .iter()
                            .zip(&indices)
                            .map(|(p, e)| (p.key.clone(), *e))
                            .collect::<std::collections::BTreeMap<_, _>>(),
                    )?,
                );
                Indices::Sobol(indices)
            }
        };
        metrics.push(MetricSensitivity {
            metric: *metric,
            undefined,
            indices,
        });
    }
    let csv = csv.into_inner().map_err(|e| anyhow::anyhow!("CSV: {e}"))?;
    let json = serde_json::json!({
        "tool": "dorasim",
        "scenario": study.scenario,
        "method": study.method.name(),
        "runs": study.runs,
        "seed": seed,
        "evaluations": outputs.len(),
        "metrics": json,
    });
    Ok(Analysis {
        specs,
        metrics,
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
