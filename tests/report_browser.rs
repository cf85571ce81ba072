//! The HTML report in a real browser: headless Chromium (Debian's `chromium` package, installed
//! by `.ci/run`) loads a report of a real run from disk, with no console message (the page has
//! no script, so any message means a failed load or an error), with every section in the DOM,
//! and a screenshot is saved under `target/report-browser/`.
//!
//! Without Chromium the test is skipped with a message, except under CI (`CI` set), where it
//! fails. `cargo test --release --test report_browser -- --ignored` regenerates the README's
//! screenshots in `docs/screenshots/`.

#[path = "common/chromium.rs"]
mod chromium;

use chromium::chromium;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dorasim::report::SECTIONS;

/// Chromium, or `None` (with a message) when it is missing outside CI. Panics in CI.
fn chromium_or_skip() -> Option<PathBuf> {
    match chromium() {
        Some(path) => Some(path),
        None if std::env::var_os("CI").is_some() => {
            panic!("chromium is not installed, and CI is set: install Debian's `chromium` package")
        }
        None => {
            eprintln!(
                "SKIPPED: report_browser needs Chromium (apt-get install chromium, or set CHROMIUM); \
                 it is missing and CI is not set"
            );
            None
        }
    }
}

/// Runs headless Chromium on `page` with the flags this machine needs (no sandbox as root, no
/// background networking) and a fresh profile.
fn headless(chromium: &Path, page: &Path, extra: &[&str]) -> Output {
    let profile = tempfile::tempdir().expect("profile dir");
    let url = format!("file://{}", page.display());
    Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("start chromium")
}

/// The page's console messages in Chromium's log (`…:CONSOLE:…] "message", source: …`).
fn console_messages(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_string)
        .collect()
}

/// Runs `dorasim run SCENARIO --out DIR --report DIR/report.html` and returns the report.
fn real_report(dir: &Path, scenario: &str, runs: u32, extra: &[&str]) -> PathBuf {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(scenario);
    let out = dir.join("results");
    let report = dir.join("report.html");
    let output = Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .arg("run")
        .arg(&scenario)
        .args([
            "--runs",
            &runs.to_string(),
            "--threads",
            "2",
            "--force",
            "--out",
        ])
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .args(extra)
        .output()
        .expect("dorasim run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    report
}

/// A tiny sweep: two parameters, three points each, two replications of three weeks.
const SWEEP_ARGS: &[&str] = &[
    "--param",
    "review.reviewers=2,3,4",
    "--param",
    "ai.adoption=0..1",
    "--points",
    "3",
    "--runs",
    "2",
    "--set",
    "time.warmup_weeks=1",
    "--set",
    "time.horizon_weeks=2",
];

/// A tiny Morris study of two parameters.
const SENSITIVITY_ARGS: &[&str] = &[
    "--param",
    "review.reviewers=2..5",
    "--param",
    "deploy.interval_hours=1..48",
    "--trajectories",
    "2",
    "--runs",
    "2",
    "--set",
    "time.warmup_weeks=1",
    "--set",
    "time.horizon_weeks=2",
];

/// Runs `dorasim COMMAND baseline.toml ARGS --out DIR/COMMAND --report DIR/COMMAND.html` and
/// returns the report.
fn study_report(dir: &Path, command: &str, args: &[&str]) -> PathBuf {
    let report = dir.join(format!("{command}.html"));
    let output = Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .arg(command)
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("scenarios")
                .join("baseline.toml"),
        )
        .args(args)
        .args(["--threads", "2", "--force", "--out"])
        .arg(dir.join(command))
        .arg("--report")
        .arg(&report)
        .output()
        .expect("dorasim");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    report
}

fn is_png(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| b.len() > 1000 && b.starts_with(b"\x89PNG\r\n\x1a\n"))
}

#[test]
fn report_loads_in_headless_chromium_with_every_section_and_no_console_error() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");

    // The console check must be able to fail: a page with a script error is caught.
    let broken = dir.path().join("broken.html");
    std::fs::write(
        &broken,
        "<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>",
    )
    .expect("write control page");
    let control = headless(&chromium, &broken, &["--dump-dom"]);
    assert!(
        !console_messages(&control.stderr).is_empty(),
        "the console check saw nothing on a page with a script error; stderr:\n{}",
        String::from_utf8_lossy(&control.stderr)
    );

    let report = real_report(dir.path(), "ai-rollout.toml", 40, &[]);
    let loaded = headless(&chromium, &report, &["--dump-dom"]);
    assert!(loaded.status.success(), "chromium failed: {loaded:?}");
    let messages = console_messages(&loaded.stderr);
    assert!(messages.is_empty(), "console messages: {messages:#?}");
    let dom = String::from_utf8_lossy(&loaded.stdout);
    // ai-rollout has one team and no agents: the optional sections are left out.
    for (id, heading) in SECTIONS
        .iter()
        .filter(|(id, _)| !dorasim::report::html::OPTIONAL_SECTIONS.contains(id))
    {
        assert!(
            dom.contains(&format!("<section id=\"{id}\">")),
            "section `{id}` ({heading}) missing from the rendered DOM"
        );
    }
    let charts = dom.matches("<svg").count();
    assert!(charts >= 20, "only {charts} charts in the rendered DOM");
    for card in [
        "card-deploys_per_week",
        "card-lead_time_p50_hours",
        "card-change_fail_rate",
        "card-recovery_p50_hours",
        "card-rework_rate",
        "card-availability",
    ] {
        assert!(dom.contains(card), "metric card {card} missing");
    }

    // The comparison report loads cleanly too.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let compare = dir.path().join("compare.html");
    let output = Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .arg("compare")
        .arg(root.join("baseline.toml"))
        .arg(root.join("ai-rollout.toml"))
        .args(["--runs", "12", "--threads", "2", "--report"])
        .arg(&compare)
        .output()
        .expect("dorasim compare");
    assert!(output.status.success());
    let loaded = headless(&chromium, &compare, &["--dump-dom"]);
    let messages = console_messages(&loaded.stderr);
    assert!(messages.is_empty(), "compare page console: {messages:#?}");
    let dom = String::from_utf8_lossy(&loaded.stdout);
    for (id, _) in dorasim::report::compare::COMPARE_SECTIONS {
        assert!(
            dom.contains(&format!("<section id=\"{id}\">")),
            "compare: no `{id}`"
        );
    }

    // So do the sweep report (lines and heat maps) and the sensitivity report (tornadoes).
    let sweep = study_report(dir.path(), "sweep", SWEEP_ARGS);
    let loaded = headless(&chromium, &sweep, &["--dump-dom"]);
    let messages = console_messages(&loaded.stderr);
    assert!(messages.is_empty(), "sweep page console: {messages:#?}");
    let dom = String::from_utf8_lossy(&loaded.stdout);
    for (id, _) in dorasim::report::sweep::SWEEP_SECTIONS {
        assert!(
            dom.contains(&format!("<section id=\"{id}\">")),
            "sweep: no `{id}`"
        );
    }
    let charts = dom.matches("<svg").count();
    // Two parameters: a line chart and a heat map per headline metric.
    let expected = 2 * dorasim::analysis::focus::HEADLINE.len();
    assert_eq!(
        charts, expected,
        "sweep: {charts} charts in the rendered DOM"
    );
    let sensitivity = study_report(dir.path(), "sensitivity", SENSITIVITY_ARGS);
    let loaded = headless(&chromium, &sensitivity, &["--dump-dom"]);
    let messages = console_messages(&loaded.stderr);
    assert!(
        messages.is_empty(),
        "sensitivity page console: {messages:#?}"
    );
    let dom = String::from_utf8_lossy(&loaded.stdout);
    for (id, _) in dorasim::report::sensitivity::SENSITIVITY_SECTIONS {
        assert!(
            dom.contains(&format!("<section id=\"{id}\">")),
            "sensitivity: no `{id}`"
        );
    }

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-browser");
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    let shot = shots.join("ai-rollout.png");
    let _ = std::fs::remove_file(&shot);
    let taken = headless(
        &chromium,
        &report,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
        ],
    );
    assert!(
        is_png(&shot),
        "no screenshot at {}: {}",
        shot.display(),
        String::from_utf8_lossy(&taken.stderr)
    );
    eprintln!("screenshot: {}", shot.display());
}

/// Regenerates `docs/screenshots/*.png`, the README's pictures of the shipped scenarios.
#[test]
#[ignore = "writes docs/screenshots; run with --ignored to refresh them"]
fn regenerate_readme_screenshots() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&docs).expect("docs/screenshots");
    for (scenario, name, dark) in [
        ("default.toml", "default", false),
        ("ai-rollout.toml", "ai-rollout", false),
        ("surveillance.toml", "surveillance", false),
        ("lens-disagreement.toml", "lens-disagreement", false),
        ("ai-rollout.toml", "ai-rollout-dark", true),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let report = real_report(dir.path(), scenario, 500, &[]);
        let shot = docs.join(format!("{name}.png"));
        let mut flags = vec![
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2300".to_string(),
        ];
        if dark {
            flags.push("--force-dark-mode".to_string());
            flags.push("--blink-settings=preferredColorScheme=0".to_string());
        }
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        let taken = headless(&chromium, &report, &flags);
        assert!(
            is_png(&shot),
            "no screenshot of {scenario}: {}",
            String::from_utf8_lossy(&taken.stderr)
        );
    }
    // The what-if studies: a 3 × 3 sweep and a Morris study of the baseline.
    let sweep: &[&str] = &[
        "--param",
        "review.reviewers=4,6,8",
        "--param",
        "ai.adoption=0..0.8",
        "--points",
        "3",
        "--runs",
        "200",
    ];
    let sensitivity: &[&str] = &[
        "--param",
        "review.reviewers=3..8",
        "--param",
        "ai.adoption=0..0.8",
        "--param",
        "deploy.interval_hours=1..24",
        "--param",
        "testing.coverage=0.4..0.9",
        "--trajectories",
        "10",
        "--runs",
        "50",
    ];
    for (command, args, height) in [("sweep", sweep, 2300), ("sensitivity", sensitivity, 1900)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let report = study_report(dir.path(), command, args);
        let shot = docs.join(format!("{command}.png"));
        let taken = headless(
            &chromium,
            &report,
            &[
                &format!("--screenshot={}", shot.display()),
                &format!("--window-size=1280,{height}"),
            ],
        );
        assert!(
            is_png(&shot),
            "no screenshot of the {command} report: {}",
            String::from_utf8_lossy(&taken.stderr)
        );
    }
}
