//! The summary JSON: the run's seed, fully resolved scenario, every metric's summary (with, for
//! the duration quantiles, whether the replications fall in two clusters), notes, tier
//! probabilities and timing. Everything outside `timing` is identical for any thread count.

use serde_json::{Map, Value, json};

use crate::metrics::ledger::Lens;
use crate::metrics::tiers::Tier;
use crate::metrics::{METRICS, Metric};
use crate::output::format::two_modes_note;
use crate::runner::{CHECKED_FOR_TWO_MODES, RunSummary, TierCounts};
use crate::scenario::Scenario;

/// File name of the summary JSON.
pub const SUMMARY_JSON: &str = "summary.json";

fn tiers(counts: &TierCounts) -> Value {
    let shares = counts.shares();
    let mut map = Map::new();
    for (tier, share) in Tier::ALL.iter().zip(shares) {
        map.insert(tier.label().to_lowercase(), json!(share));
    }
    let total = (counts.counts.iter().sum::<u64>() + counts.unclassified).max(1) as f64;
    map.insert(
        "unclassified".into(),
        json!(counts.unclassified as f64 / total),
    );
    Value::Object(map)
}

/// Builds the summary document.
pub fn summary_json(
    scenario: &Scenario,
    summary: &RunSummary,
    threads: usize,
    lens: Lens,
) -> Value {
    let mut metrics = Map::new();
    for ((def, acc), metric) in METRICS.iter().zip(&summary.metrics).zip(Metric::ALL) {
        let mut entry = serde_json::to_value(acc.summary()).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut entry {
            map.insert("label".into(), json!(def.label));
            map.insert("unit".into(), json!(def.unit));
            map.insert("group".into(), json!(def.group));
            if CHECKED_FOR_TWO_MODES.contains(metric) {
                map.insert("two_modes".into(), json!(summary.two_modes(*metric)));
            }
        }
        metrics.insert(def.key.to_string(), entry);
    }
    let notes: Vec<String> = summary
        .two_modes_noted()
        .iter()
        .map(|(m, modes)| two_modes_note(m.def(), modes, summary.metric(*m).summary().mean))
        .collect();
    json!({
        "tool": "dorasim",
        "version": env!("CARGO_PKG_VERSION"),
        "seed": summary.seed,
        "runs": summary.runs,
        "events": summary.events,
        "lens": lens,
        "scenario": scenario,
        "metrics": metrics,
        "notes": notes,
        "warnings": summary
            .growth_warnings()
            .iter()
            .map(|g| g.message())
            .collect::<Vec<_>>(),
        "tiers": {
            "dora_2023": tiers(&summary.tiers_2023),
            "dora_2024": tiers(&summary.tiers_2024),
        },
        "timing": {
            "threads": threads,
            "wall_seconds": summary.wall_seconds,
            "replications_per_second": summary.replications_per_second(),
            "events_per_second": summary.events_per_second(),
        },
    })
}
