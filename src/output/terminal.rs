//! The terminal summary: per metric, mean with 95 % CI, p5/p50/p95 over replications, the DORA
//! bucket, a note for each duration whose replications fall in two clusters (a median lead time
//! on a calendar cliff), tier probabilities, then the flow diagnostics that explain them.

use std::fmt::Write;

use crate::metrics::catalogue::{Group, MetricDef};
use crate::metrics::ledger::Lens;
use crate::metrics::tiers::{Tier, duration_bucket, frequency_bucket};
use crate::metrics::{METRICS, Metric};
use crate::runner::{RunSummary, TierCounts};
use crate::scenario::Scenario;
use crate::stats::summary::Summary;

use super::format::{number, printable, two_modes_note, value};

fn bucket(metric: Metric, mean: Option<f64>) -> String {
    let Some(x) = mean else { return String::new() };
    match metric {
        Metric::DeploysPerWeek => frequency_bucket(x).map(|b| b.label().to_string()),
        Metric::LeadTimeP50
        | Metric::LeadTimeP90
        | Metric::LeadTimeMean
        | Metric::RecoveryP50
        | Metric::RecoveryP90 => duration_bucket(x).map(|b| b.label().to_string()),
        _ => None,
    }
    .unwrap_or_default()
}

/// Why a metric is undefined in every replication.
fn undefined_reason(metric: Metric) -> &'static str {
    match metric {
        Metric::ChangeFailRate | Metric::ReworkRate | Metric::BatchSize => "n/a (0 deployments)",
        Metric::RecoveryP50 | Metric::RecoveryP90 => "n/a (no failed deployment)",
        Metric::LeadTimeP50
        | Metric::LeadTimeP90
        | Metric::LeadTimeMean
        | Metric::LeadTimeWorkingP50 => "n/a (no change deployed)",
        _ => "n/a",
    }
}

fn metric_line(out: &mut String, index: usize, def: &MetricDef, s: &Summary) {
    let metric = metric_at(index);
    let label = format!("{} ({})", def.label, def.unit);
    let Some(mean) = s.mean else {
        let _ = writeln!(out, "  {label:<52} {}", undefined_reason(metric));
        return;
    };
    let fmt = |x: Option<f64>| x.map_or("n/a".to_string(), |v| value(def, v));
    let ci = format!("[{}, {}]", fmt(s.ci95_low), fmt(s.ci95_high));
    // Counts are whole numbers in every replication: show their percentiles as such (the
    // quantile sketch is accurate to 0.5 %, not to the unit).
    let quantile = |x: Option<f64>| match x {
        Some(v) if def.unit == "count" => format!("{}", v.round()),
        other => fmt(other),
    };
    let partial = if s.undefined > 0 {
        format!("  ({} runs n/a)", s.undefined)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  {label:<52} {:>10} {ci:<22} {:>10} {:>10} {:>10}  {}{partial}",
        value(def, mean),
        quantile(s.p5),
        quantile(s.p50),
        quantile(s.p95),
        bucket(metric, s.mean),
    );
}

fn metric_at(index: usize) -> Metric {
    Metric::ALL.get(index).copied().unwrap_or(Metric::Incidents)
}

fn tier_line(out: &mut String, name: &str, counts: &TierCounts) {
    let shares = counts.shares();
    let cells: Vec<String> = Tier::ALL
        .iter()
        .zip(shares)
        .map(|(t, s)| format!("{} {:>5.1} %", t.label(), s * 100.0))
        .collect();
    let _ = writeln!(out, "  {name:<10} {}", cells.join("   "));
}

fn section(out: &mut String, title: &str, summary: &RunSummary, group: Group) {
    let _ = writeln!(out, "\n{title}");
    for (i, def) in METRICS.iter().enumerate() {
        if def.group == group {
            metric_line(out, i, def, &summary.metrics[i].summary());
        }
    }
}

fn mean_of(summary: &RunSummary, metric: Metric) -> Option<f64> {
    summary.metric(metric).summary().mean
}

/// The dashboard beside the truth: each DORA metric from both ledgers, the gap, whether the gap
/// flatters, and the denominators of the ratios.
fn measured_section(out: &mut String, summary: &RunSummary, lens: Lens) {
    let _ = writeln!(
        out,
        "\nDashboard (measured ledger through the `{}` lens) beside the true ledger",
        lens.name()
    );
    let _ = writeln!(
        out,
        "  {:<44} {:>12} {:>12}   gap: measured − true [95 % CI]",
        "metric (mean over replications)", "true", "measured"
    );
    // (true, measured, gap, higher is better)
    let rows = [
        (
            Metric::DeploysPerWeek,
            Metric::MeasuredDeploysPerWeek,
            Metric::GapDeploysPerWeek,
            true,
        ),
        (
            Metric::LeadTimeP50,
            Metric::MeasuredLeadTimeP50,
            Metric::GapLeadTimeP50,
            false,
        ),
        (
            Metric::ChangeFailRate,
            Metric::MeasuredChangeFailRate,
            Metric::GapChangeFailRate,
            false,
        ),
        (
            Metric::RecoveryP50,
            Metric::MeasuredRecoveryP50,
            Metric::GapRecoveryP50,
            false,
        ),
        (
            Metric::ReworkRate,
            Metric::MeasuredReworkRate,
            Metric::GapReworkRate,
            false,
        ),
    ];
    for (truth, measured, gap_metric, higher_is_better) in rows {
        let def = truth.def();
        let (t, m) = (mean_of(summary, truth), mean_of(summary, measured));
        let show = |x: Option<f64>| x.map_or("n/a".to_string(), |v| value(def, v));
        let signed = |x: f64| {
            let sign = if x >= 0.0 { "+" } else { "-" };
            format!("{sign}{}", value(def, x.abs()))
        };
        let g = summary.metric(gap_metric).summary();
        let gap = match (g.mean, g.ci95_low, g.ci95_high) {
            (Some(d), Some(lo), Some(hi)) if d == 0.0 && lo == 0.0 && hi == 0.0 => {
                "identical in every replication".to_string()
            }
            (Some(d), Some(lo), Some(hi)) => {
                // The verdict needs the interval to exclude zero: the gap is not noise.
                let verdict = if lo <= 0.0 && hi >= 0.0 {
                    "≈ same"
                } else if (d > 0.0) == higher_is_better {
                    "flatters"
                } else {
                    "looks worse"
                };
                format!("{} [{}, {}] {verdict}", signed(d), signed(lo), signed(hi))
            }
            (Some(d), _, _) => signed(d),
            _ => "n/a".to_string(),
        };
        let _ = writeln!(
            out,
            "  {:<44} {:>12} {:>12}   {}",
            def.label,
            show(t),
            show(m),
            gap
        );
    }
    let n = |metric| mean_of(summary, metric).map_or("n/a".to_string(), number);
    let pct = |metric| {
        mean_of(summary, metric).map_or("n/a".to_string(), |v| format!("{:.1} %", v * 100.0))
    };
    let _ = writeln!(
        out,
        "  measured change fail rate {} = {} failures / {} deployments, {} of them padding",
        pct(Metric::MeasuredChangeFailRate),
        n(Metric::MeasuredFailures),
        n(Metric::MeasuredDeployments),
        n(Metric::PaddingDeployments),
    );
    let _ = writeln!(
        out,
        "  true change fail rate {} = {} failed deployments / {} deployments",
        pct(Metric::ChangeFailRate),
        n(Metric::FailedDeployments),
        n(Metric::Deployments),
    );
    let _ = writeln!(
        out,
        "  measured rework rate {} = {} labelled / {} deployments; true {} = {} / {}",
        pct(Metric::MeasuredReworkRate),
        n(Metric::MeasuredReworkDeployments),
        n(Metric::MeasuredDeployments),
        pct(Metric::ReworkRate),
        n(Metric::ReworkDeployments),
        n(Metric::Deployments),
    );
}

/// The same history through every lens: how the tool's rule itself moves the number.
fn lens_section(out: &mut String, summary: &RunSummary) {
    let _ = writeln!(out, "\nOne history, four lenses (mean over replications)");
    let _ = writeln!(
        out,
        "  {:<12} {:>14} {:>14} {:>14} {:>14}",
        "lens", "deploys/week", "lead p50 (h)", "change fail", "recovery p50"
    );
    for (k, lens) in Lens::ALL.iter().enumerate() {
        let first = Metric::LensTruthDeploysPerWeek as usize + 4 * k;
        let cell = |i: usize| {
            let metric = Metric::ALL[first + i];
            mean_of(summary, metric).map_or("n/a".to_string(), |v| value(metric.def(), v))
        };
        let _ = writeln!(
            out,
            "  {:<12} {:>14} {:>14} {:>14} {:>14}",
            lens.name(),
            cell(0),
            cell(1),
            cell(2),
            cell(3)
        );
    }
    let _ = writeln!(
        out,
        "  true ledger  {:>14} {:>14} {:>14} {:>14}",
        mean_of(summary, Metric::DeploysPerWeek).map_or("n/a".into(), number),
        mean_of(summary, Metric::LeadTimeP50).map_or("n/a".into(), number),
        mean_of(summary, Metric::ChangeFailRate)
            .map_or("n/a".into(), |v| value(Metric::ChangeFailRate.def(), v)),
        mean_of(summary, Metric::RecoveryP50).map_or("n/a".into(), number),
    );
}

/// Renders the whole terminal summary.
pub fn render(
    scenario: &Scenario,
    summary: &RunSummary,
    threads: usize,
    lens: Lens,
    all_lenses: bool,
) -> String {
    let mut out = String::new();
    let p = &scenario.params;
    let _ = writeln!(
        out,
        "dorasim {} — scenario `{}` ({})",
        env!("CARGO_PKG_VERSION"),
        printable(&scenario.name),
        printable(&scenario.origin)
    );
    let label = printable(&super::command::label(
        &scenario.description,
        &scenario.overrides,
    ));
    if !label.trim().is_empty() {
        let _ = writeln!(out, "{}", label.trim());
    }
    let _ = writeln!(
        out,
        "{} replications, seed {}, {} measured weeks after {} weeks of warm-up; {} events in {:.2} s on {} threads ({:.0} replications/s, {:.1} M events/s)",
        summary.runs,
        summary.seed,
        number(p.time.horizon_weeks),
        number(p.time.warmup_weeks),
        summary.events,
        summary.wall_seconds,
        threads,
        summary.replications_per_second(),
        summary.events_per_second() / 1e6,
    );
    let _ = writeln!(
        out,
        "Each figure: mean over replications [95 % confidence interval of the mean], then p5 / p50 / p95 across replications."
    );
    let _ = writeln!(
        out,
        "\n{:<54} {:>10} {:<22} {:>10} {:>10} {:>10}  DORA bucket",
        "DORA metrics (true ledger)", "mean", "[95 % CI]", "p5", "p50", "p95"
    );
    for (i, def) in METRICS.iter().enumerate() {
        if def.group == Group::Dora {
            metric_line(&mut out, i, def, &summary.metrics[i].summary());
        }
    }
    two_modes_notes(&mut out, summary);
    sparklines(&mut out, summary, use_colour());
    let _ = writeln!(
        out,
        "\nPerformance tier (share of replications; nearest DORA cluster)"
    );
    tier_line(&mut out, "DORA 2024", &summary.tiers_2024);
    tier_line(&mut out, "DORA 2023", &summary.tiers_2023);
    measured_section(&mut out, summary, lens);
    if all_lenses {
        lens_section(&mut out, summary);
    }
    section(&mut out, "Reliability", summary, Group::Reliability);
    section(&mut out, "Flow", summary, Group::Flow);
    section(
        &mut out,
        "Where lead time goes (mean hours per delivered change)",
        summary,
        Group::LeadTimeBreakdown,
    );
    section(
        &mut out,
        "Defect funnel (defects per replication, changes delivered in the horizon)",
        summary,
        Group::Defects,
    );
    section(
        &mut out,
        "Incidents and fragility",
        summary,
        Group::Incidents,
    );
    section(
        &mut out,
        "Where developer time went (share of working hours)",
        summary,
        Group::TimeUse,
    );
    section(
        &mut out,
        "Culture: gaming and learning",
        summary,
        Group::Culture,
    );
    if let Some(lesson) = &scenario.lesson {
        let _ = writeln!(out, "\nLesson: {}", printable(lesson.trim()));
    }
    out
}

/// A note under the DORA table for each metric whose replications fall in two clusters, so that
/// the table never shows, unremarked, a mean that almost no replication has.
fn two_modes_notes(out: &mut String, summary: &RunSummary) {
    for (metric, modes) in summary.two_modes_noted() {
        let note = two_modes_note(metric.def(), &modes, mean_of(summary, metric));
        let _ = writeln!(out);
        wrap(out, &format!("Two modes. {note}"), "  ", 100);
    }
}

/// Writes `text` in lines of at most `width` characters (longer words stay whole), each
/// starting with `indent`.
fn wrap(out: &mut String, text: &str, indent: &str, width: usize) {
    let mut line = String::new();
    // Split at plain spaces only: a no-break space keeps `26 %` together.
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty()
            && indent.len() + line.chars().count() + 1 + word.chars().count() > width
        {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
}

/// Colour only on a terminal, and never with `NO_COLOR` set.
fn use_colour() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A sparkline of `values` (`None` for an undefined week, drawn as a space).
pub fn sparkline(values: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let defined = values.iter().flatten().copied();
    let (lo, hi) = defined.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    values
        .iter()
        .map(|v| match v {
            Some(v) if hi > lo => {
                BARS[(((v - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
            Some(_) => BARS[3],
            None => ' ',
        })
        .collect()
}

/// The weekly median of each DORA metric and availability as a sparkline, with its first and
/// last week.
fn sparklines(out: &mut String, summary: &RunSummary, colour: bool) {
    use crate::metrics::{WEEKLY, Weekly};
    if summary.weekly.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nWeekly median, week 1 to {} (scaled to each line's range)",
        summary.weekly.len()
    );
    for series in [
        Weekly::Deployments,
        Weekly::LeadTimeP50,
        Weekly::ChangeFailRate,
        Weekly::RecoveryP50,
        Weekly::ReworkRate,
        Weekly::Availability,
    ] {
        let def = &WEEKLY[series as usize];
        let medians: Vec<Option<f64>> = summary
            .weekly
            .iter()
            .map(|week| week.get(series as usize).and_then(|acc| acc.summary().p50))
            .collect();
        let line = sparkline(&medians);
        let line = if colour {
            format!("\x1b[36m{line}\x1b[0m")
        } else {
            line
        };
        let ends = |v: Option<&Option<f64>>| {
            v.copied()
                .flatten()
                .map_or("n/a".to_string(), |x| value(def, x))
        };
        let label = format!("{} ({})", def.label, def.unit);
        let _ = writeln!(
            out,
            "  {label:<52} {line}  {} → {}",
            ends(medians.first()),
            ends(medians.last())
        );
    }
}
