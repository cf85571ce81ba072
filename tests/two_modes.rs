//! A median lead time whose replications fall in two clusters (a calendar cliff) is never shown
//! unremarked: the terminal summary, summary.json, the HTML report and a comparison all name the
//! two modes. The replications are constructed, so the test does not hang on the calibration.

use dorasim::analysis::compare::{Arm, compare, compared, render};
use dorasim::metrics::{Lens, METRIC_COUNT, Metric};
use dorasim::output::json::summary_json;
use dorasim::output::terminal;
use dorasim::report::{self, ReportData, data::Distribution};
use dorasim::runner::RunSummary;

const RUNS: u32 = 200;

/// Replication `i`'s median lead time: 30 % of replications near 26 h (shipped the same or the
/// next working day), the rest near 47 h (after one more night).
fn split_median(i: u32) -> f64 {
    let jitter = f64::from((i * 37) % 13) * 0.15;
    if i % 10 < 3 {
        25.0 + jitter
    } else {
        46.0 + jitter
    }
}

/// A summary of `RUNS` replications where every metric is 1 except the median lead time, which
/// `median` gives, and the mean lead time, which is unimodal.
fn summary(median: impl Fn(u32) -> f64) -> RunSummary {
    let mut s = RunSummary::new(42);
    for i in 0..RUNS {
        let mut row = [1.0; METRIC_COUNT];
        row[Metric::LeadTimeP50 as usize] = median(i);
        row[Metric::LeadTimeMean as usize] = 60.0 + f64::from(i % 7);
        for (acc, x) in s.metrics.iter_mut().zip(row) {
            acc.push(x);
        }
    }
    s.runs = u64::from(RUNS);
    s
}

#[test]
fn two_clusters_of_median_lead_time_are_named_everywhere() {
    let scenario = dorasim::scenario::embedded_default();
    let split = summary(split_median);

    let text = terminal::render(&scenario, &split, 1, Lens::Truth, false);
    // The note is wrapped: compare its words, whatever the line breaks (and no-break spaces).
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for phrase in [
        "Two modes. Change lead time, median: the replications fall in two clusters",
        "(30 % of replications)",
        "(70 %)",
        "lies in that gap",
        "Compare the mean lead time or the median in working hours",
    ] {
        assert!(words.contains(phrase), "no `{phrase}` in:\n{text}");
    }

    let json = summary_json(&scenario, &split, 1, Lens::Truth);
    let modes = &json["metrics"]["lead_time_p50_hours"]["two_modes"];
    assert_eq!(modes["share_low"].as_f64(), Some(0.3));
    let (low, high) = (
        modes["low"].as_f64().unwrap_or(f64::NAN),
        modes["high"].as_f64().unwrap_or(f64::NAN),
    );
    assert!((25.5..27.5).contains(&low) && (46.5..48.5).contains(&high));
    assert!(
        json["metrics"]["lead_time_mean_hours"]
            .get("two_modes")
            .is_none()
    );
    assert_eq!(json["notes"].as_array().map(Vec::len), Some(1));

    let values: Vec<f64> = (0..RUNS).map(split_median).collect();
    let distributions = vec![Distribution {
        metric: Metric::LeadTimeP50,
        values,
    }];
    let data = ReportData::from_run(&scenario, &split, 1, Lens::Truth, distributions)
        .expect("report data");
    let page = report::build(&data).expect("report").html;
    assert!(page.contains("<p class=\"two-modes\" id=\"two-modes-lead_time_p50_hours\">"));
    assert!(page.contains("<dt>two modes</dt>"));
    assert!(page.contains("href=\"#chart-dist-lead-time-p50-hours\""));
    assert!(page.contains("<figure id=\"chart-dist-lead-time-p50-hours\">"));

    // A comparison marks the scenario whose replications split, and only that one.
    let arm = |name: &str, s: &RunSummary, median: &dyn Fn(u32) -> f64| Arm {
        name: name.to_string(),
        summary: s.clone(),
        samples: compared()
            .map(|(m, _)| {
                (0..RUNS)
                    .map(|i| match m {
                        Metric::LeadTimeP50 => median(i),
                        _ => 1.0,
                    })
                    .collect()
            })
            .collect(),
        lens: Lens::Truth,
    };
    let together = |i: u32| 46.0 + f64::from((i * 37) % 13) * 0.15;
    let arms = [
        arm("one-mode", &summary(together), &together),
        arm("split", &split, &split_median),
    ];
    let comparison = compare(&arms, None);
    let out = render(&comparison, &[]);
    assert!(
        out.contains("B falls in two clusters") && !out.contains("A falls in two clusters"),
        "{out}"
    );
}

#[test]
fn one_cluster_gives_no_note() {
    let scenario = dorasim::scenario::embedded_default();
    let one = summary(|i| 28.0 + f64::from((i * 37) % 13) * 0.3);
    let text = terminal::render(&scenario, &one, 1, Lens::Truth, false);
    assert!(!text.contains("Two modes"), "{text}");
    let json = summary_json(&scenario, &one, 1, Lens::Truth);
    assert!(json["metrics"]["lead_time_p50_hours"]["two_modes"].is_null());
    assert_eq!(json["notes"], serde_json::json!([]));
}
