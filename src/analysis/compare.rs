//! Paired comparison of scenarios run on common random numbers.
//!
//! Every scenario runs the same replication indices from the same master seed. The model draws
//! each source of randomness (arrivals, sizes, coding, review, tests, production) from its own
//! stream, so replication `i` of scenario B meets the same arrivals and the same luck as
//! replication `i` of scenario A wherever their parameters agree. The difference B − A is then
//! estimated from the per-replication differences, whose spread is much smaller than that of
//! either scenario: the paired interval is narrower than the one independent runs would give,
//! and [`Difference::narrowing`] says by how much.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::focus::{Better, DASHBOARD, FOCUS};
use crate::metrics::Metric;
use crate::metrics::ledger::Lens;
use crate::model::Model;
use crate::runner::{self, RunError, RunPlan, RunSummary};
use crate::stats::modes::TwoModes;
use crate::stats::moments::Moments;
use crate::stats::paired::paired_difference;
use crate::stats::summary::Summary;

/// One scenario's replications: the aggregated summary and, for each metric of [`FOCUS`] then
/// [`DASHBOARD`], the value of every replication in replication order (what pairing needs).
#[derive(Debug, Clone)]
pub struct Arm {
    /// Scenario name.
    pub name: String,
    /// Aggregates over the replications, as `dorasim run` reports them.
    pub summary: RunSummary,
    /// `samples[j][i]`: metric `j` of [`compared`] in replication `i` (NaN when undefined).
    pub samples: Vec<Vec<f64>>,
    /// The lens its dashboard is read through.
    pub lens: Lens,
}

/// Every metric an arm records: [`FOCUS`], then [`DASHBOARD`].
pub fn compared() -> impl Iterator<Item = &'static (Metric, Better)> {
    FOCUS.iter().chain(DASHBOARD)
}

impl Arm {
    /// Whether its dashboard differs from the truth in some replication (a lens other than
    /// `truth` reads the records differently, or gaming changed them).
    pub fn dashboard_differs(&self) -> bool {
        const GAPS: [Metric; 5] = [
            Metric::GapDeploysPerWeek,
            Metric::GapLeadTimeP50,
            Metric::GapChangeFailRate,
            Metric::GapRecoveryP50,
            Metric::GapReworkRate,
        ];
        self.lens != Lens::Truth
            || GAPS.iter().any(|g| {
                let m = self.summary.metric(*g).moments();
                m.count() > 0 && (m.mean() != 0.0 || m.variance() > 0.0)
            })
    }
}

/// Runs one scenario for a comparison; `on_replication` is called after each replication (for
/// progress, and to stop on Ctrl-C by returning an error).
pub fn run_arm(
    name: &str,
    model: &Model,
    plan: RunPlan,
    lens: Lens,
    mut on_replication: impl FnMut() -> Result<(), String>,
) -> Result<Arm, RunError> {
    let mut samples: Vec<Vec<f64>> = compared()
        .map(|_| Vec::with_capacity(usize::try_from(plan.runs).unwrap_or(0)))
        .collect();
    let summary = runner::run_with_lens(model, plan, lens, |_, metrics| {
        for (sample, (metric, _)) in samples.iter_mut().zip(compared()) {
            sample.push(metrics.get(*metric));
        }
        on_replication()
    })?;
    Ok(Arm {
        name: name.to_string(),
        summary,
        samples,
        lens,
    })
}

/// The difference of one scenario against the baseline on one metric.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Difference {
    /// Replications where the metric was defined in both scenarios.
    pub pairs: usize,
    /// Mean of B − A over those pairs.
    pub mean: f64,
    /// Lower end of the paired 95 % confidence interval of the mean difference.
    pub ci95_low: f64,
    /// Upper end of the paired 95 % confidence interval.
    pub ci95_high: f64,
    /// Share of replications in which B is better than A (direction-aware; ties count half).
    pub prob_better: f64,
    /// Half-width of the paired interval.
    pub paired_half_width: f64,
    /// Half-width the interval would have with independent runs (Welch).
    pub unpaired_half_width: Option<f64>,
    /// Unpaired over paired half-width: how many times narrower pairing made the interval.
    pub narrowing: Option<f64>,
}

/// One metric across the compared scenarios.
#[derive(Debug, Clone, Serialize)]
pub struct MetricComparison {
    /// Metric key.
    pub metric: &'static str,
    /// Human label.
    pub label: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Which direction is better.
    pub better: Better,
    /// Each scenario's estimate, in scenario order.
    pub estimates: Vec<Summary>,
    /// Each scenario against the first (`None` for the first itself, or when fewer than two
    /// replications have the metric defined in both).
    pub differences: Vec<Option<Difference>>,
    /// Per scenario, the two clusters its replications fall in, when they do
    /// ([`crate::stats::modes`]; checked for the metrics of
    /// [`crate::runner::CHECKED_FOR_TWO_MODES`] only): its mean is then a value few replications
    /// have, and a difference of means can hide replications jumping between the clusters.
    pub two_modes: Vec<Option<TwoModes>>,
}

/// A whole comparison: the first scenario is the baseline A.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Scenario names, baseline first.
    pub scenarios: Vec<String>,
    /// Master seed shared by every scenario.
    pub seed: u64,
    /// Replications per scenario.
    pub runs: u64,
    /// One entry per metric of [`FOCUS`], then of [`DASHBOARD`] when `dashboard` holds.
    pub metrics: Vec<MetricComparison>,
    /// Why the dashboard's metrics are compared too, if they are ([`dashboard_reason`]).
    pub dashboard: Option<&'static str>,
    /// Each scenario's lens, in scenario order.
    pub lenses: Vec<&'static str>,
}

/// Why a comparison shows the dashboard beside the truth, if it does: the scenarios read their
/// records through different lenses, or through a lens other than `truth`, their cultures differ,
/// or some scenario's dashboard differs from its truth (gaming). `cultures_differ` comes from the
/// caller, which knows the scenarios.
pub fn dashboard_reason(arms: &[Arm], cultures_differ: bool) -> Option<&'static str> {
    let first = arms.first()?;
    if arms.iter().any(|a| a.lens != first.lens) {
        Some("the scenarios read their records through different lenses")
    } else if cultures_differ {
        Some("the scenarios' cultures differ")
    } else if arms.iter().any(Arm::dashboard_differs) {
        Some("a scenario's dashboard differs from its true ledger")
    } else {
        None
    }
}

/// Compares every arm against the first: the metrics of [`FOCUS`], and those of [`DASHBOARD`]
/// too when there is a reason to ([`dashboard_reason`]).
pub fn compare(arms: &[Arm], dashboard: Option<&'static str>) -> Comparison {
    let metrics = compared()
        .enumerate()
        .take(if dashboard.is_some() {
            FOCUS.len() + DASHBOARD.len()
        } else {
            FOCUS.len()
        })
        .map(|(j, &(metric, better))| compare_metric(arms, j, metric, better))
        .collect();
    Comparison {
        scenarios: arms.iter().map(|a| a.name.clone()).collect(),
        seed: arms.first().map_or(0, |a| a.summary.seed),
        runs: arms.first().map_or(0, |a| a.summary.runs),
        metrics,
        dashboard,
        lenses: arms.iter().map(|a| a.lens.name()).collect(),
    }
}

fn compare_metric(arms: &[Arm], j: usize, metric: Metric, better: Better) -> MetricComparison {
    let def = metric.def();
    let estimates = arms
        .iter()
        .map(|a| a.summary.metric(metric).summary())
        .collect();
    let differences = arms
        .iter()
        .enumerate()
        .map(|(k, arm)| {
            let base = arms.first()?;
            (k > 0)
                .then(|| difference(&base.samples[j], &arm.samples[j], better))
                .flatten()
        })
        .collect();
    MetricComparison {
        metric: def.key,
        label: def.label,
        unit: def.unit,
        better,
        estimates,
        differences,
        two_modes: arms.iter().map(|a| a.summary.two_modes(metric)).collect(),
    }
}

/// The paired difference `b − a` with its unpaired counterpart.
pub fn difference(a: &[f64], b: &[f64], better: Better) -> Option<Difference> {
    let paired = paired_difference(a, b).ok()?;
    let paired_half_width = (paired.ci95_high - paired.ci95_low) / 2.0;
    let unpaired_half_width = welch_half_width(a, b);
    let narrowing = unpaired_half_width
        .filter(|_| paired_half_width > 0.0)
        .map(|u| u / paired_half_width);
    Some(Difference {
        pairs: paired.n,
        mean: paired.mean_diff,
        ci95_low: paired.ci95_low,
        ci95_high: paired.ci95_high,
        prob_better: better.probability_b_better(paired.prob_b_greater),
        paired_half_width,
        unpaired_half_width,
        narrowing,
    })
}

/// Half-width of the 95 % Welch interval of the difference of means of two independent samples
/// (what the comparison would give had the scenarios been run on independent random numbers).
pub fn welch_half_width(a: &[f64], b: &[f64]) -> Option<f64> {
    let moments = |xs: &[f64]| {
        let mut m = Moments::new();
        xs.iter().for_each(|&x| m.push(x));
        m
    };
    let (ma, mb) = (moments(a), moments(b));
    if ma.count() < 2 || mb.count() < 2 {
        return None;
    }
    let va = ma.variance() / ma.count() as f64;
    let vb = mb.variance() / mb.count() as f64;
    let se2 = va + vb;
    if se2 <= 0.0 {
        return Some(0.0);
    }
    let df = se2 * se2
        / (va * va / (ma.count() - 1) as f64 + vb * vb / (mb.count() - 1) as f64).max(1e-300);
    let t = StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(0.975);
    Some(t * se2.sqrt())
}

/// The comparison as tidy CSV: one row per metric and scenario.
pub fn to_csv(comparison: &Comparison) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let e = |e: csv::Error| format!("CSV: {e}");
    w.write_record([
        "metric",
        "unit",
        "better",
        "scenario",
        "baseline",
        "n",
        "mean",
        "ci95_low",
        "ci95_high",
        "diff",
        "diff_ci95_low",
        "diff_ci95_high",
        "prob_better",
        "paired_half_width",
        "unpaired_half_width",
        "narrowing",
    ])
    .map_err(e)?;
    let cell = |x: Option<f64>| x.map_or(String::new(), crate::output::format::csv_cell);
    let baseline = comparison.scenarios.first().cloned().unwrap_or_default();
    for m in &comparison.metrics {
        for (k, name) in comparison.scenarios.iter().enumerate() {
            let s = &m.estimates[k];
            let d = m.differences[k];
            w.write_record([
                m.metric.to_string(),
                m.unit.to_string(),
                m.better.name().to_string(),
                crate::output::format::csv_text(name),
                crate::output::format::csv_text(&baseline),
                s.n.to_string(),
                cell(s.mean),
                cell(s.ci95_low),
                cell(s.ci95_high),
                cell(d.map(|d| d.mean)),
                cell(d.map(|d| d.ci95_low)),
                cell(d.map(|d| d.ci95_high)),
                cell(d.map(|d| d.prob_better)),
                cell(d.map(|d| d.paired_half_width)),
                cell(d.and_then(|d| d.unpaired_half_width)),
                cell(d.and_then(|d| d.narrowing)),
            ])
            .map_err(e)?;
        }
    }
    let bytes = w.into_inner().map_err(|e| format!("CSV: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("CSV: {e}"))
}

/// The terminal table: per metric, each scenario's mean and CI, then B − A with its paired CI,
/// the probability that B is better and how much pairing narrowed the interval.
pub fn render(comparison: &Comparison, tiers: &[crate::runner::TierCounts]) -> String {
    use crate::output::format::value;
    use std::fmt::Write;
    let mut out = String::new();
    let letter = |k: usize| char::from(b'A' + (k % 26) as u8);
    let _ = writeln!(
        out,
        "Paired comparison on common random numbers: {} replications per scenario, seed {}",
        comparison.runs, comparison.seed
    );
    for (k, name) in comparison.scenarios.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {} = {}",
            letter(k),
            crate::output::format::printable(name)
        );
    }
    let _ = writeln!(
        out,
        "Δ = scenario − A, paired 95 % CI; P(better) = share of replications where the scenario beats A; \
         narrowed = unpaired ÷ paired CI half-width."
    );
    if let Some(reason) = comparison.dashboard {
        let lenses: Vec<String> = comparison
            .lenses
            .iter()
            .enumerate()
            .map(|(k, lens)| format!("{} `{lens}`", letter(k)))
            .collect();
        let _ = writeln!(
            out,
            "After the true metrics come the dashboard's (measured), because {reason}; lenses: {}.",
            lenses.join(", ")
        );
    }
    for m in &comparison.metrics {
        let Some(def) = crate::metrics::METRICS.iter().find(|d| d.key == m.metric) else {
            continue;
        };
        let _ = writeln!(
            out,
            "\n{} ({}), {} is better",
            m.label,
            m.unit,
            m.better.name()
        );
        for (k, s) in m.estimates.iter().enumerate() {
            let show = |x: Option<f64>| x.map_or("n/a".to_string(), |v| value(def, v));
            let estimate = format!(
                "{:>10} [{}, {}]",
                show(s.mean),
                show(s.ci95_low),
                show(s.ci95_high)
            );
            let diff = match m.differences[k] {
                Some(d) => format!(
                    "Δ {:>10} [{}, {}]  P(better) {:>5.1} %  narrowed {}",
                    signed(value(def, d.mean), d.mean),
                    signed(value(def, d.ci95_low), d.ci95_low),
                    signed(value(def, d.ci95_high), d.ci95_high),
                    d.prob_better * 100.0,
                    d.narrowing
                        .map_or("n/a".to_string(), |x| format!("×{x:.1}"))
                ),
                None if k == 0 => "(baseline)".to_string(),
                None => "Δ n/a".to_string(),
            };
            let _ = writeln!(out, "  {}  {estimate:<36} {diff}", letter(k));
        }
        for (k, modes) in m.two_modes.iter().enumerate() {
            if let Some(modes) = modes {
                let mean = m.estimates.get(k).and_then(|s| s.mean);
                let _ = writeln!(
                    out,
                    "     {} falls in two clusters, {}: its mean {}",
                    letter(k),
                    crate::output::format::two_modes_short(def, modes),
                    if mean.is_some_and(|x| crate::output::format::in_the_gap(modes, x)) {
                        "lies in the gap between them"
                    } else {
                        "hides the split"
                    }
                );
            }
        }
    }
    if !tiers.is_empty() {
        let _ = writeln!(out, "\nDORA 2024 performance tier (share of replications)");
        for (k, counts) in tiers.iter().enumerate() {
            let cells: Vec<String> = crate::metrics::tiers::Tier::ALL
                .iter()
                .zip(counts.shares())
                .map(|(t, s)| format!("{} {:>5.1} %", t.label(), s * 100.0))
                .collect();
            let _ = writeln!(out, "  {}  {}", letter(k), cells.join("   "));
        }
    }
    out
}

fn signed(text: String, x: f64) -> String {
    if x > 0.0 { format!("+{text}") } else { text }
}

/// The comparison as JSON, with tier probabilities per scenario.
pub fn to_json(comparison: &Comparison, tiers: &[crate::runner::TierCounts]) -> serde_json::Value {
    let tiers: Vec<serde_json::Value> = tiers
        .iter()
        .map(|t| {
            let mut map = serde_json::Map::new();
            for (tier, share) in crate::metrics::tiers::Tier::ALL.iter().zip(t.shares()) {
                map.insert(tier.label().to_lowercase(), serde_json::json!(share));
            }
            serde_json::Value::Object(map)
        })
        .collect();
    serde_json::json!({
        "tool": "dorasim",
        "version": env!("CARGO_PKG_VERSION"),
        "comparison": comparison,
        "tiers_dora_2024": tiers,
    })
}
