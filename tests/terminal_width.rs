//! The terminal summary at a terminal's width: with no limit it is byte for byte the layout
//! piped and CI output always had (`tests/golden/terminal_full.txt`); at 80 columns no line is
//! wider than 80 characters, and the figures that matter are still there.
//!
//! The summary is synthetic (values drawn from a fixed formula, not simulated), so the golden
//! file depends only on the metric catalogue and the terminal layout, not on the model's
//! calibration. After an intended change of the layout or the catalogue, rewrite it with
//! `DORASIM_BLESS=1 cargo test --release --test terminal_width` and review the diff.

use std::path::Path;

use dorasim::metrics::catalogue::Group;
use dorasim::metrics::ledger::Lens;
use dorasim::metrics::{METRICS, Metric, WEEKLY};
use dorasim::output::terminal::{self, Style};
use dorasim::runner::RunSummary;
use dorasim::scenario::{self, Scenario};
use dorasim::stats::summary::Accumulator;

const GOLDEN: &str = "tests/golden/terminal_full.txt";

/// A small deterministic generator (64-bit LCG, top bits), so the summary needs no simulation.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A value of `metric` in replication `rep`: a share, a duration or a count of plausible size,
/// with replication-to-replication noise. The median lead time falls in two clusters (a
/// calendar cliff), the median recovery is undefined in some replications and the p90 recovery
/// in all of them, and the dashboard's gaps are zero except for the change fail rate.
fn value(metric: Metric, rep: u64, rng: &mut Lcg) -> f64 {
    let def = metric.def();
    let noise = rng.next() - 0.5;
    match metric {
        Metric::LeadTimeP50 | Metric::MeasuredLeadTimeP50 => {
            if rep.is_multiple_of(2) {
                96.0 + noise
            } else {
                120.0 + noise
            }
        }
        Metric::RecoveryP50 | Metric::MeasuredRecoveryP50 if rep.is_multiple_of(7) => f64::NAN,
        Metric::RecoveryP90 => f64::NAN,
        Metric::GapChangeFailRate => -0.04 + 0.01 * noise,
        _ if def.key.starts_with("gap_") => 0.0,
        _ if def.unit == "share" => 0.25 + 0.1 * noise,
        _ if def.unit == "hours" => 30.0 + 10.0 * noise + (metric as usize % 13) as f64,
        _ => 5.0 + 2.0 * noise + (metric as usize % 17) as f64 * 11.0,
    }
}

/// 200 replications of synthetic metrics and 26 weeks of weekly series.
fn synthetic_summary() -> RunSummary {
    let mut summary = RunSummary::new(42);
    let mut rng = Lcg(7);
    summary.metrics = METRICS.iter().map(|_| Accumulator::new()).collect();
    summary.weekly = (0..26)
        .map(|_| WEEKLY.iter().map(|_| Accumulator::new()).collect())
        .collect();
    for rep in 0..200u64 {
        for (acc, metric) in summary.metrics.iter_mut().zip(Metric::ALL) {
            // A one-team run without agents or an AI reviewer: their metrics are zero (and draw
            // nothing, so the other synthetic values stay as they were).
            if matches!(metric.def().group, Group::Agents | Group::Organisation) {
                acc.push(0.0);
                continue;
            }
            acc.push(value(*metric, rep, &mut rng));
        }
        for (week, row) in summary.weekly.iter_mut().enumerate() {
            for (series, acc) in row.iter_mut().enumerate() {
                let trend = 1.0 + 0.02 * week as f64 * ((series % 3) as f64 - 1.0);
                acc.push((0.2 + rng.next() * 0.1) * trend * (1 + series % 5) as f64);
            }
        }
    }
    summary.runs = 200;
    summary.tiers_2024.counts = [10, 120, 60, 10];
    summary.tiers_2023.counts = [0, 150, 50, 0];
    summary.events = 5_719_889;
    summary.wall_seconds = 0.554;
    summary
}

fn synthetic_scenario() -> Scenario {
    let mut scenario = scenario::embedded_default();
    scenario.name = "synthetic".to_string();
    scenario.origin = "tests/terminal_width.rs".to_string();
    scenario.description = "A synthetic summary for the layout tests: a team whose median lead \
        time sits on a calendar cliff, whose recovery time is sometimes undefined, and whose \
        dashboard flatters its change fail rate."
        .to_string();
    scenario.lesson = Some(
        "Long prose such as this lesson is wrapped to the terminal's width on a narrow \
         terminal, and printed on one line when the output is piped, as it always was."
            .to_string(),
    );
    scenario
}

fn render(style: Style) -> String {
    terminal::render_styled(
        &synthetic_scenario(),
        &synthetic_summary(),
        2,
        Lens::Truth,
        true,
        style,
    )
}

#[test]
fn without_a_width_limit_the_summary_is_byte_identical_to_the_full_layout() {
    let text = render(Style {
        width: None,
        colour: false,
    });
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("DORASIM_BLESS").is_some() {
        std::fs::write(&golden, &text).expect("write the golden file");
    }
    let expected = std::fs::read_to_string(&golden).expect("golden file");
    if text != expected {
        let line = text
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .map_or("the line count".to_string(), |i| format!("line {}", i + 1));
        panic!(
            "the full layout changed at {line} (piped and CI output must not change; if the \
             change is intended, rerun with DORASIM_BLESS=1 and review the diff)\n{text}"
        );
    }
}

#[test]
fn at_80_columns_every_line_fits_and_the_means_are_kept() {
    for width in [80, 100, 60] {
        let text = render(Style {
            width: Some(width),
            colour: false,
        });
        for (i, line) in text.lines().enumerate() {
            assert!(
                line.chars().count() <= width,
                "width {width}, line {} has {} characters:\n{line}\n\n{text}",
                i + 1,
                line.chars().count()
            );
            // Every part fits by its own layout: no line needed the last-resort cut.
            assert!(
                !line.ends_with('…'),
                "width {width}, line {} was cut:\n{line}\n\n{text}",
                i + 1
            );
        }
        // The means (and their intervals while there is room) survive; the percentile columns
        // are the first to go.
        assert!(text.contains("Deployment frequency"), "{text}");
        assert!(text.contains("Performance tier"), "{text}");
        assert!(text.contains("Two modes."), "{text}");
        assert!(text.contains("Lesson:"), "{text}");
        if width >= 80 {
            assert!(text.contains("[95 % CI]"), "{text}");
            assert!(text.contains("DORA bucket"), "{text}");
        }
        let header = text
            .lines()
            .find(|l| l.trim_end().ends_with("mean") || l.contains("mean [95 % CI]"))
            .expect("the DORA table's header");
        assert!(
            !header.contains("p50"),
            "width {width} keeps the percentiles:\n{text}"
        );
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains(&format!("Left out to fit {width} columns: ")),
            "{text}"
        );
        if std::env::var_os("DORASIM_SHOW").is_some() {
            println!("{text}");
        }
    }
}

#[test]
fn a_wide_terminal_gets_the_full_layout() {
    let full = render(Style {
        width: None,
        colour: false,
    });
    let wide = render(Style {
        width: Some(400),
        colour: false,
    });
    assert_eq!(full, wide);
}

#[test]
fn colour_never_counts_towards_the_width() {
    let text = render(Style {
        width: Some(80),
        colour: true,
    });
    assert!(text.contains("\x1b[36m"), "sparklines are coloured");
    for line in text.lines() {
        let visible = terminal::visible_width(line);
        assert!(visible <= 80, "{visible} columns: {line}");
    }
}
