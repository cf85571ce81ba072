//! `dorasim forecast`: validation against hand-computed and closed-form answers, directional
//! checks, determinism across thread counts, and clear errors.

use std::path::Path;
use std::process::Command;

use dorasim::analysis::forecast::{self, Clock, Question, Sample};
use dorasim::runner::RunPlan;

fn dorasim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dorasim"))
}

fn date(text: &str) -> jiff::civil::Date {
    text.parse().expect("a date")
}

/// Runs the forecast of `scenario` (TOML text, with `set` overrides) in the library.
fn run(
    text: &str,
    set: &[&str],
    runs: u64,
    question: &Question,
    start: &str,
) -> (Clock, Vec<Sample>) {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    let scenario = dorasim::scenario::apply_overrides(text, "test.toml", &set)
        .unwrap_or_else(|e| panic!("{e}"));
    let model = scenario.model().expect("a valid timeline");
    let time = &scenario.params.time;
    let clock = Clock::new(date(start), time.warmup_weeks, time.workday_start_hour);
    let plan = RunPlan {
        seed: 42,
        runs,
        threads: 2,
    };
    let samples = forecast::run(&model, plan, &clock, question, || Ok(())).expect("runs");
    (clock, samples)
}

const DETERMINISTIC: &str = include_str!("forecast/deterministic.toml");
const DEFAULT: &str = include_str!("../scenarios/default.toml");
/// No timeline: adoption stays where `--set` puts it.
const BASELINE: &str = include_str!("../scenarios/baseline.toml");

#[test]
fn a_deterministic_pipeline_gives_the_hand_computed_date() {
    // Item k (from 0) is in production at 10 k + 12.5 hours (see the scenario's comment). The
    // forecast starts on Monday 2 March 2026 at 09:00, model hour 168 + 9 = 177, so the first
    // item done after it is k = 17 (182.5 h) and the N-th is k = 16 + N, done at
    // 172.5 + 10 N: 95.5 hours after the start for N = 10, Friday 6 March at 08:30.
    let question = Question {
        items: Some(10),
        by_hours: Some(168.0),
        release: None,
    };
    let (clock, samples) = run(DETERMINISTIC, &[], 20, &question, "2026-03-02");
    for s in &samples {
        assert_eq!(s.completion_hours, 95.5);
        // Done by one week after the start: 10 N − 4.5 ≤ 168, N ≤ 17.
        assert_eq!(s.items_by, 17.0);
    }
    assert_eq!(
        clock.datetime(95.5).map(|d| d.to_string()).as_deref(),
        Some("2026-03-06T08:30:00")
    );
    let summary = forecast::completion_summary(&samples, clock.hours_to_end_of(date("2026-03-06")));
    for p in &summary.percentiles {
        assert_eq!((p.value, p.ci95_low, p.ci95_high), (95.5, 95.5, 95.5));
    }
    assert_eq!(summary.deadline.map(|d| d.share), Some(1.0));
    // A day earlier the deadline is never met.
    let missed = forecast::completion_summary(&samples, clock.hours_to_end_of(date("2026-03-05")));
    assert_eq!(missed.deadline.map(|d| d.share), Some(0.0));
}

/// The 99.9 % normal quantile: tolerances of closed-form checks.
const Z_999: f64 = 3.29;

#[test]
fn with_poisson_throughput_only_items_by_a_date_follow_the_poisson_law() {
    // Poisson arrivals at 20 items a week into a pipeline that never queues (100 developers and
    // reviewers, constant stage times, no defects): an M/G/∞ system, whose departures are again
    // a Poisson process. Items in production within one week after the start ~ Poisson(20).
    let set = [
        "demand.mode=poisson",
        "demand.items_per_week=20",
        "team.developers=100",
        "review.reviewers=100",
    ];
    let question = Question {
        items: None,
        by_hours: Some(168.0),
        release: None,
    };
    let runs = 2000;
    let (_, samples) = run(DETERMINISTIC, &set, runs, &question, "2026-03-02");
    let counts: Vec<f64> = samples.iter().map(|s| s.items_by).collect();
    assert!(counts.iter().all(|c| c.is_finite()));
    let n = counts.len() as f64;
    let mean = counts.iter().sum::<f64>() / n;
    let lambda = 20.0;
    // Mean: within 3.29 standard errors of λ (the Poisson variance is λ).
    assert!(
        (mean - lambda).abs() < Z_999 * (lambda / n).sqrt(),
        "mean {mean} against {lambda}"
    );
    let variance = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (n - 1.0);
    // The sample variance, against λ: Var(s²) ≈ (μ4 − σ⁴(n − 3)/(n − 1)) / n with the Poisson
    // fourth central moment μ4 = λ + 3λ².
    let var_of_var = (lambda + 3.0 * lambda * lambda - lambda * lambda * (n - 3.0) / (n - 1.0)) / n;
    assert!(
        (variance - lambda).abs() < Z_999 * var_of_var.sqrt(),
        "variance {variance} against {lambda}"
    );
    // The distribution: P(X ≤ k) at several k within a 99.9 % interval of the closed form.
    for k in [12u32, 16, 20, 24, 28] {
        let mut cdf = 0.0;
        let mut pmf = (-lambda).exp();
        for i in 0..=k {
            if i > 0 {
                pmf *= lambda / f64::from(i);
            }
            cdf += pmf;
        }
        let share = counts.iter().filter(|c| **c <= f64::from(k)).count() as f64 / n;
        let tolerance = Z_999 * (cdf * (1.0 - cdf) / n).sqrt() + 1e-9;
        assert!(
            (share - cdf).abs() < tolerance,
            "P(X ≤ {k}): simulated {share}, Poisson {cdf} (± {tolerance})"
        );
    }
}

fn p85(samples: &[Sample]) -> f64 {
    forecast::completion_summary(samples, None).percentiles[2].value
}

#[test]
fn more_reviewers_at_high_adoption_bring_the_p85_earlier() {
    // At 80 % adoption, AI-assisted pull requests are bigger and cost more review: with 3
    // reviewer FTE review is the bottleneck, and doubling it brings the p85 date earlier. (With
    // the default 6, the default team is bound by its developers, not by review: 9 reviewers
    // move no percentile, which the forecast shows as a shift of 0.)
    let question = Question {
        items: Some(300),
        by_hours: None,
        release: None,
    };
    let high = "ai.adoption=0.8";
    let (_, three) = run(
        BASELINE,
        &[high, "review.reviewers=3"],
        200,
        &question,
        "2026-03-02",
    );
    let (_, six) = run(
        BASELINE,
        &[high, "review.reviewers=6"],
        200,
        &question,
        "2026-03-02",
    );
    let shifts = forecast::percentile_shifts(&three, &six, 42);
    let shift = shifts[2];
    assert_eq!(shift.probability, 0.85);
    assert!(p85(&six) < p85(&three));
    assert!(
        shift.shift < 0.0 && shift.ci95_high < 0.0,
        "p85 shift {} h [{}, {}]",
        shift.shift,
        shift.ci95_low,
        shift.ci95_high
    );
}

#[test]
fn a_weekly_release_train_moves_completion_dates_onto_train_days() {
    let question = Question {
        items: Some(200),
        by_hours: None,
        release: None,
    };
    let weekday_share = |set: &[&str]| {
        let (clock, samples) = run(DEFAULT, set, 100, &question, "2026-03-02");
        let on_wednesday = samples
            .iter()
            .filter(|s| {
                clock
                    .date(s.completion_hours)
                    .is_some_and(|d| d.weekday() == jiff::civil::Weekday::Wednesday)
            })
            .count();
        on_wednesday as f64 / samples.len() as f64
    };
    // A weekly train leaving on Wednesdays at 10:00 (2 days and 10 hours into the week). Items
    // whose deployment failed and were hotfixed are done when the hotfix lands, off the train
    // (about one date in six with the default failure rate).
    let train = [
        "deploy.policy=scheduled",
        "deploy.interval_hours=168",
        "deploy.first_train_hour=58",
    ];
    let with_train = weekday_share(&train);
    assert!(with_train >= 0.75, "{with_train} of dates on Wednesdays");
    // Without failures, every date is a train day.
    let mut exact = train.to_vec();
    exact.push("defects.failure_share=0");
    assert_eq!(weekday_share(&exact), 1.0);
    // The default daily train spreads the dates over the working days.
    let daily = weekday_share(&[]);
    assert!(
        daily < 0.5,
        "{daily} of dates on Wednesdays with a daily train"
    );
}

#[test]
fn a_release_is_done_when_its_last_item_is_in_production() {
    let release = forecast::Release::parse(
        "[[item]]\nid = \"api\"\nsize_loc = 300\n\n[[item]]\nid = \"ui\"\ndepends_on = [\"api\"]\n\n[[item]]\nid = \"flag\"\nkind = \"config\"\n",
        "release.toml",
    )
    .expect("a valid release");
    let question = Question {
        items: None,
        by_hours: None,
        release: Some(release),
    };
    // On the deterministic pipeline items are picked up every 10 hours and take 12.5 hours to
    // production. The start (model hour 177) finds item 18 just picked up at 180: the release is
    // items 18, 19, 20 (picked up at 180, 190, 200; done at 192.5, 202.5, 212.5). `ui` depends on
    // `api`, done at 192.5, after `ui` was picked up: it shifts by 2.5 hours to 205.
    let (_, samples) = run(DETERMINISTIC, &[], 5, &question, "2026-03-02");
    for s in &samples {
        assert_eq!(s.completion_hours, 212.5 - 177.0);
    }
}

fn cli_forecast(dir: &Path, threads: u32) -> Vec<Vec<u8>> {
    let output = dorasim()
        .args([
            "forecast",
            "--items",
            "150",
            "--weeks",
            "2",
            "--start",
            "2026-03-04",
            "--deadline",
            "2026-03-20",
            "--runs",
            "70",
            "--threads",
            &threads.to_string(),
            "--out",
        ])
        .arg(dir)
        .output()
        .expect("dorasim starts");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    ["forecast.csv", "forecast.json"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).expect("written"))
        .collect()
}

#[test]
fn the_same_seed_gives_identical_files_on_one_and_two_threads() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let one = cli_forecast(&dir.path().join("one"), 1);
    let two = cli_forecast(&dir.path().join("two"), 2);
    assert_eq!(one, two);
    let json: serde_json::Value = serde_json::from_slice(&one[1]).expect("JSON");
    let p85 = &json["scenarios"][0]["completion"]["percentiles"][2];
    assert_eq!(p85["probability"], 0.85);
    assert!(
        p85["value"]["date"]
            .as_str()
            .is_some_and(|d| d.starts_with("2026-"))
    );
}

#[test]
fn two_scenarios_show_paired_shifts_and_a_report() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let report = dir.path().join("forecast.html");
    let output = dorasim()
        .args([
            "forecast",
            "scenarios/baseline.toml",
            "scenarios/release-train.toml",
            "--items",
            "120",
            "--start",
            "2026-03-02",
            "--runs",
            "64",
            "--report",
        ])
        .arg(&report)
        .output()
        .expect("dorasim starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("Shift `release-train` − `baseline`"),
        "{stdout}"
    );
    assert!(stdout.contains("p85"), "{stdout}");
    let html = std::fs::read_to_string(&report).expect("the report");
    for (id, _) in dorasim::report::forecast::FORECAST_SECTIONS {
        if *id != "items-by" {
            assert!(html.contains(&format!("id=\"{id}\"")), "section {id}");
        }
    }
    assert!(html.contains("chart-forecast-cumulative"));
    assert!(html.contains("chart-forecast-histogram-0"));
}

fn fails_with(args: &[&str], expected: &[&str]) {
    let output = dorasim().args(args).output().expect("dorasim starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    for text in expected {
        assert!(stderr.contains(text), "{args:?}: `{text}` not in {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bad_input_gets_a_clear_error() {
    fails_with(&["forecast"], &["--items"]);
    fails_with(&["forecast", "--items", "0"], &["--items"]);
    fails_with(
        &["forecast", "--items", "5", "--start", "2026-02-30"],
        &["--start", "YYYY-MM-DD"],
    );
    fails_with(&["forecast", "--by", "tomorrow"], &["--by", "YYYY-MM-DD"]);
    fails_with(&["forecast", "--weeks", "-1"], &["--weeks", "above 0"]);
    fails_with(
        &[
            "forecast",
            "--weeks",
            "2",
            "--deadline",
            "2026-04-01",
            "--start",
            "2026-03-02",
        ],
        &["--deadline needs --items or --release"],
    );
    fails_with(
        &[
            "forecast",
            "--items",
            "5",
            "--start",
            "2026-03-02",
            "--by",
            "2026-03-01",
        ],
        &["--by 2026-03-01 is not after the start"],
    );
    fails_with(
        &["forecast", "--items", "5", "--set", "review.reviewers=-2"],
        &["review.reviewers"],
    );
    let dir = tempfile::tempdir().expect("a scratch directory");
    let release = dir.path().join("release.toml");
    std::fs::write(
        &release,
        "[[item]]\nid = \"a\"\n\n[[item]]\nid = \"b\"\nkind = \"epic\"\n",
    )
    .expect("written");
    let path = release.to_string_lossy().to_string();
    fails_with(
        &["forecast", "--release", &path],
        &["release.toml:6", "\"epic\"", "allowed"],
    );
    fails_with(
        &["forecast", "--release", "/nonexistent/release.toml"],
        &["cannot be read"],
    );
}
