//! What a history shows directly, set without simulation: the length of the window, the
//! deployment policy and its cadence, and the rates and shares with their exact intervals.

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use crate::engine::units::HOURS_PER_WEEK;
use crate::history::{DeployLabel, MeasuredLog};
use crate::model::params::{Params, Value};
use crate::stats::quantiles::quantile;

use super::moments::Counts;

/// A parameter set straight from the data.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// Key path.
    pub key: &'static str,
    /// Value written.
    pub value: Value,
    /// What in the data gave it.
    pub from: String,
}

/// Planned deployments (not rework, rollback or empty) finished in the window, by start time.
fn planned_starts(log: &MeasuredLog) -> Vec<(f64, usize)> {
    let (from, to) = (log.window.from_hours, log.window.to_hours);
    let mut starts: Vec<(f64, usize)> = log
        .deployments
        .iter()
        .filter(|d| d.label == DeployLabel::Deploy && !d.changes.is_empty())
        .filter(|d| d.finished_hours.is_some_and(|f| f >= from && f < to))
        .map(|d| (d.started_hours, d.changes.len()))
        .collect();
    starts.sort_by(|a, b| a.0.total_cmp(&b.0));
    starts
}

fn median(mut values: Vec<f64>) -> f64 {
    quantile(&mut values, 0.5)
}

/// The deployment policy the history shows: continuous when planned deployments carry about one
/// change each; otherwise a schedule whose interval is the median gap between planned
/// deployments (a daily train has gaps of 24 h on weekdays and 72 h over a weekend: median 24),
/// leaving at the hour of the week the starts cluster at.
pub fn deploy_settings(log: &MeasuredLog) -> Vec<Setting> {
    let starts = planned_starts(log);
    if starts.len() < 4 {
        return Vec::new();
    }
    let per_deployment = median(starts.iter().map(|s| s.1 as f64).collect());
    if per_deployment <= 1.5 {
        return vec![Setting {
            key: "deploy.policy",
            value: Value::Choice("continuous".into()),
            from: format!(
                "{} planned deployments carrying a median of {per_deployment} change each",
                starts.len()
            ),
        }];
    }
    let gaps: Vec<f64> = starts.windows(2).map(|w| w[1].0 - w[0].0).collect();
    let interval = median(gaps).round().clamp(1.0, 24.0 * 28.0);
    let phase = |t: f64| t.rem_euclid(interval.min(HOURS_PER_WEEK));
    let first_hour = median(starts.iter().map(|s| phase(s.0)).collect()).floor();
    vec![
        Setting {
            key: "deploy.policy",
            value: Value::Choice("scheduled".into()),
            from: format!(
                "{} planned deployments carrying a median of {per_deployment} changes each",
                starts.len()
            ),
        },
        Setting {
            key: "deploy.interval_hours",
            value: Value::Float(interval),
            from: "the median gap between planned deployments".into(),
        },
        Setting {
            key: "deploy.first_train_hour",
            value: Value::Float(first_hour.clamp(0.0, HOURS_PER_WEEK - 1.0)),
            from: "the median hour planned deployments start at".into(),
        },
    ]
}

/// Applies `settings` to `params`.
pub fn apply(params: &mut Params, settings: &[Setting]) -> Result<(), String> {
    for s in settings {
        params.set(s.key, &s.value).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// An estimate with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Point estimate.
    pub estimate: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// Exact (Garwood) 95 % interval of a Poisson rate: `count` events in `exposure`.
pub fn poisson_rate(count: f64, exposure: f64) -> Interval {
    let chi = |p: f64, dof: f64| {
        ChiSquared::new(dof)
            .map(|d| d.inverse_cdf(p))
            .unwrap_or(f64::NAN)
    };
    let low = if count > 0.0 {
        chi(0.025, 2.0 * count) / 2.0
    } else {
        0.0
    };
    let high = chi(0.975, 2.0 * count + 2.0) / 2.0;
    Interval {
        estimate: count / exposure,
        low: low / exposure,
        high: high / exposure,
    }
}

/// Wilson 95 % interval of a proportion `k / n`.
pub fn proportion(k: f64, n: f64) -> Interval {
    if n <= 0.0 {
        return Interval {
            estimate: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
        };
    }
    let z = Normal::standard().inverse_cdf(0.975);
    let p = k / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    Interval {
        estimate: p,
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
    }
}

/// The rates and shares a history shows, with exact intervals.
pub fn rates(counts: &Counts) -> Vec<(&'static str, Interval)> {
    vec![
        (
            "deployments per week",
            poisson_rate(counts.deployments, counts.weeks),
        ),
        (
            "changes per week",
            poisson_rate(counts.changes, counts.weeks),
        ),
        (
            "change fail rate",
            proportion(counts.failures, counts.deployments),
        ),
        ("rework rate", proportion(counts.rework, counts.deployments)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_match_textbook_values() {
        // Garwood: 10 events -> [4.795, 18.39]; Wilson 5/20 -> [0.112, 0.469].
        let p = poisson_rate(10.0, 1.0);
        assert!(
            (p.low - 4.795).abs() < 1e-3 && (p.high - 18.39).abs() < 1e-2,
            "{p:?}"
        );
        let w = proportion(5.0, 20.0);
        assert!(
            (w.low - 0.1119).abs() < 1e-3 && (w.high - 0.4690).abs() < 1e-3,
            "{w:?}"
        );
        assert_eq!(poisson_rate(0.0, 2.0).low, 0.0);
    }
}
