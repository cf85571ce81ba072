//! The HTML report: self-contained (no external references), every section present, and the
//! same page whether rendered during the run or later from the run's `--out` directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use dorasim::model::{Model, timeline::Schedule};
use dorasim::report::{self, DistributionCollector, ReportData, SECTIONS};
use dorasim::runner::{self, RunPlan};

mod common;
use common::external_references;

fn scenarios() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
            .expect("scenarios directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
    paths.sort();
    paths
}

fn render(path: &Path, runs: u64) -> report::Report {
    let scenario = dorasim::scenario::load_file(path).expect("valid scenario");
    let schedule = Schedule::build(&scenario.params, &scenario.timeline).expect("timeline");
    let model = Model::new(&schedule);
    let plan = RunPlan {
        seed: 7,
        runs,
        threads: 2,
    };
    let mut collector = DistributionCollector::new();
    let summary = runner::run(&model, plan, |_, m| {
        collector.push(m);
        Ok(())
    })
    .expect("run");
    let data = ReportData::from_run(
        &scenario,
        &summary,
        2,
        scenario.run.lens,
        collector.finish(),
    )
    .expect("report data");
    report::build(&data).expect("report")
}

#[test]
fn shipped_scenarios_render_self_contained_reports_with_every_section() {
    for path in scenarios() {
        let report = render(&path, 12);
        let html = &report.html;
        let problems = external_references(html);
        assert!(
            problems.is_empty(),
            "{}: external references: {problems:?}",
            path.display()
        );
        for (id, _) in SECTIONS {
            assert!(
                html.contains(&format!("<section id=\"{id}\">")),
                "{}: no section `{id}`",
                path.display()
            );
        }
        assert!(
            report.charts.len() >= 20,
            "{}: {} charts",
            path.display(),
            report.charts.len()
        );
        for chart in &report.charts {
            assert!(
                html.contains(&format!("<figure id=\"chart-{}\">", chart.id)),
                "chart {} not embedded",
                chart.id
            );
            assert!(chart.svg.contains("<svg") && chart.svg.contains("</svg>"));
            assert!(
                !chart.svg.contains("NaN"),
                "chart {} has NaN coordinates",
                chart.id
            );
            assert!(
                !chart.svg.contains("#010203"),
                "placeholder colour left in {}",
                chart.id
            );
        }
        assert_eq!(html.matches("<svg").count(), report.charts.len());
    }
}

#[test]
fn the_checker_finds_external_references() {
    let bad = r#"<img src="https://example.org/x.png"><link href="style.css"><style>@import "x.css"; a{background:url(x.png)}</style><script src="a.js"></script>"#;
    let problems = external_references(bad);
    assert!(problems.len() >= 6, "{problems:?}");
    assert!(external_references("<a href=\"#summary\">ok</a>").is_empty());
}

#[test]
fn report_from_the_output_directory_equals_the_report_rendered_during_the_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("results");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ai-rollout.toml");
    let bin = env!("CARGO_BIN_EXE_dorasim");
    let during = dir.path().join("during.html");
    let charts = dir.path().join("charts");
    let status = Command::new(bin)
        .arg("run")
        .arg(&scenario)
        .args(["--runs", "30", "--seed", "3", "--threads", "2", "--out"])
        .arg(&out)
        .arg("--report")
        .arg(&during)
        .arg("--charts")
        .arg(&charts)
        .output()
        .expect("dorasim run");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let report = Command::new(bin)
        .arg("report")
        .arg(&out)
        .output()
        .expect("dorasim report");
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let after = std::fs::read_to_string(out.join("report.html")).expect("DIR/report.html");
    let during = std::fs::read_to_string(&during).expect("--report file");
    assert_eq!(during, after, "the two paths give different reports");
    assert!(after.contains("ai-rollout") && after.contains("dist-deploys-per-week"));
    let svgs: Vec<_> = std::fs::read_dir(&charts)
        .expect("--charts directory")
        .filter_map(|e| e.ok())
        .collect();
    assert!(svgs.len() >= 20, "{} SVG files", svgs.len());
    for entry in svgs {
        let text = std::fs::read_to_string(entry.path()).expect("svg");
        assert!(text.starts_with("<?xml") && text.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    }
}

/// `summary.json` is read back through the type that wrote it: a missing or mistyped field is an
/// error naming it, never a silent default (a report of zero replications).
#[test]
fn report_of_a_damaged_summary_names_the_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("results");
    let bin = env!("CARGO_BIN_EXE_dorasim");
    let run = Command::new(bin)
        .args(["run", "--runs", "4", "--seed", "1", "--quiet", "--out"])
        .arg(&out)
        .output()
        .expect("dorasim run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let path = out.join("summary.json");
    let text = std::fs::read_to_string(&path).expect("summary.json");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    for (damage, field) in [("remove", "runs"), ("retype", "seed")] {
        let mut damaged = json.clone();
        match damage {
            "remove" => {
                damaged.as_object_mut().map(|o| o.remove(field));
            }
            _ => damaged[field] = serde_json::json!("forty-two"),
        }
        std::fs::write(&path, damaged.to_string()).expect("write");
        let report = Command::new(bin)
            .arg("report")
            .arg(&out)
            .output()
            .expect("dorasim report");
        let stderr = String::from_utf8_lossy(&report.stderr);
        assert!(!report.status.success(), "{damage} {field}: accepted");
        assert!(
            stderr.contains("summary.json") && (stderr.contains(field) || damage == "retype"),
            "{damage} {field}: {stderr}"
        );
    }
    json["tool"] = serde_json::json!("other");
    std::fs::write(&path, json.to_string()).expect("write");
    let report = Command::new(bin)
        .arg("report")
        .arg(&out)
        .output()
        .expect("report");
    assert!(!report.status.success());
}

#[test]
fn report_of_a_directory_without_results_says_what_is_missing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .arg("report")
        .arg(dir.path())
        .output()
        .expect("dorasim report");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("summary.json"), "{stderr}");
}

#[test]
fn compare_report_is_self_contained_with_paired_differences() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let page = dir.path().join("compare.html");
    let output = Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .arg("compare")
        .arg(root.join("baseline.toml"))
        .arg(root.join("ai-rollout.toml"))
        .args(["--runs", "12", "--threads", "2", "--report"])
        .arg(&page)
        .output()
        .expect("dorasim compare");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(&page).expect("compare report");
    let problems = external_references(&html);
    assert!(problems.is_empty(), "external references: {problems:?}");
    for (id, _) in report::compare::COMPARE_SECTIONS {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "no section `{id}`"
        );
    }
    assert!(html.contains("<svg") && html.contains("ai-rollout − baseline"));
    assert!(html.contains("difference [95 % CI]"));
}
