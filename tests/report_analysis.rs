//! The HTML reports of the what-if studies: `sweep --report` (metric against parameter lines and
//! two-parameter heat maps) and `sensitivity --report` (tornado charts), self-contained, with
//! every section and chart, no NaN, and the same charts from `dorasim report DIR` afterwards.

use std::path::{Path, PathBuf};
use std::process::Command;

use dorasim::report::sensitivity::{SENSITIVITY_SECTIONS, SensitivityTable};
use dorasim::report::sweep::{SWEEP_SECTIONS, SweepTable};

mod common;
use common::external_references;

const HEADLINE_IDS: [&str; 8] = [
    "deploys-per-week",
    "lead-time-p50-hours",
    "lead-time-mean-hours",
    "lead-time-working-p50-hours",
    "change-fail-rate",
    "recovery-p50-hours",
    "rework-rate",
    "availability",
];

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn dorasim(args: &[&str], paths: &[(&str, &Path)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dorasim"));
    command.args(args);
    for (flag, path) in paths {
        if !flag.is_empty() {
            command.arg(flag);
        }
        command.arg(path);
    }
    let output = command.output().expect("dorasim");
    assert!(
        output.status.success(),
        "dorasim {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Checks what every study page must satisfy: self-contained, every section, every chart
/// embedded once, no NaN, no placeholder colour.
fn check_page(html: &str, sections: &[(&str, &str)], chart_ids: &[String]) {
    let problems = external_references(html);
    assert!(problems.is_empty(), "external references: {problems:?}");
    for (id, _) in sections {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "no section `{id}`"
        );
    }
    for id in chart_ids {
        assert!(
            html.contains(&format!("<figure id=\"chart-{id}\">")),
            "chart {id} not embedded"
        );
    }
    assert_eq!(html.matches("<svg").count(), chart_ids.len(), "charts");
    assert!(!html.contains("NaN"), "NaN in the page");
    assert!(!html.contains("inf<") && !html.contains(">inf"), "infinity");
    assert!(!html.contains("#010203"), "placeholder colour left");
}

fn svg_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("--charts directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).expect("svg");
        assert!(text.starts_with("<?xml") && text.contains("</svg>") && !text.contains("NaN"));
    }
    names
}

#[test]
fn sweep_report_has_lines_and_heat_maps_and_rebuilds_from_the_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("sweep");
    let page = dir.path().join("sweep.html");
    let charts = dir.path().join("charts");
    let stdout = dorasim(
        &[
            "sweep",
            scenario("baseline.toml").to_str().expect("path"),
            "--param",
            "review.reviewers=2,3,4",
            "--param",
            "ai.adoption=0..1",
            "--points",
            "3",
            "--runs",
            "2",
            "--threads",
            "2",
            "--set",
            "time.warmup_weeks=1",
            "--set",
            "time.horizon_weeks=2",
        ],
        &[("--out", &out), ("--report", &page), ("--charts", &charts)],
    );
    assert!(stdout.contains("Report: ") && stdout.contains("Charts: 16 SVG files"));
    let html = std::fs::read_to_string(&page).expect("sweep report");
    let mut ids: Vec<String> = HEADLINE_IDS.iter().map(|k| format!("effect-{k}")).collect();
    ids.extend(HEADLINE_IDS.iter().map(|k| format!("heat-{k}")));
    check_page(&html, SWEEP_SECTIONS, &ids);
    // Both parameters are lines of each chart, named with their ranges in the SVG legend.
    assert!(html.contains("review.reviewers (2 → 4)") && html.contains("ai.adoption (0 → 1)"));
    assert!(html.contains("lower is better") && html.contains("higher is better"));
    // The scenario section: the base scenario's parameters and the reproducing command.
    assert!(html.contains("dorasim sweep ") && html.contains("--param review.reviewers=2,3,4"));
    assert!(html.contains("class=\"swept\"><code>review.reviewers</code>"));
    let mut expected: Vec<String> = ids.iter().map(|id| format!("{id}.svg")).collect();
    expected.sort();
    assert_eq!(svg_files(&charts), expected);

    // `dorasim report DIR` finds sweep.csv and draws the same charts from it.
    dorasim(&["report"], &[("", &out)]);
    let again = std::fs::read_to_string(out.join("report.html")).expect("DIR/report.html");
    check_page(&again, SWEEP_SECTIONS, &ids);
    for id in &ids {
        let chart = |page: &str| {
            let start = page
                .find(&format!("<figure id=\"chart-{id}\">"))
                .expect("figure");
            page[start..start + page[start..].find("</figure>").expect("end")].to_string()
        };
        assert_eq!(chart(&html), chart(&again), "chart {id} differs");
    }
    assert!(again.contains("does not record the scenario"));
}

#[test]
fn one_parameter_sweep_draws_lines_over_its_values_and_no_heat_map() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("sweep");
    let page = dir.path().join("sweep.html");
    dorasim(
        &[
            "sweep",
            scenario("baseline.toml").to_str().expect("path"),
            "--param",
            "deploy.policy=scheduled,continuous",
            "--runs",
            "2",
            "--threads",
            "2",
            "--set",
            "time.warmup_weeks=1",
            "--set",
            "time.horizon_weeks=2",
        ],
        &[("--out", &out), ("--report", &page)],
    );
    let html = std::fs::read_to_string(&page).expect("sweep report");
    let ids: Vec<String> = HEADLINE_IDS.iter().map(|k| format!("effect-{k}")).collect();
    check_page(&html, SWEEP_SECTIONS, &ids);
    assert!(html.contains("against deploy.policy") && html.contains(">continuous<"));
    assert!(html.contains("Heat maps are drawn when exactly two parameters are swept"));
}

#[test]
fn sweep_table_reads_resumed_and_merged_files() {
    // Rows out of point order (a merge of shards), a point written twice (kept once, last
    // rows win), a row cut short by a kill, and metrics the report does not draw.
    let text = "point,review.reviewers,metric,unit,runs,n,mean,ci95_low,ci95_high,p5,p50,p95,tier_elite,tier_high,tier_medium,tier_low\n\
        1,4,deploys_per_week,per week,2,2,30,28,32,29,30,31,1,0,0,0\n\
        1,4,wip_avg,count,2,2,5,4,6,5,5,5,1,0,0,0\n\
        0,2,deploys_per_week,per week,2,2,20,18,22,19,20,21,0,1,0,0\n\
        0,2,deploys_per_week,per week,2,2,21,19,23,19,20,21,0,1,0,0\n\
        2,6,deploys_per_week,per week,2";
    let table = SweepTable::from_reader(text.as_bytes(), Path::new("sweep.csv")).expect("parse");
    assert_eq!(table.params, ["review.reviewers"]);
    let points: Vec<usize> = table.points.iter().map(|p| p.point).collect();
    assert_eq!(points, [0, 1]);
    assert_eq!(table.points[0].estimates[0].mean, Some(21.0));
    assert_eq!(table.points[1].estimates[0].ci95, Some((28.0, 32.0)));
    assert!(table.points[0].estimates[1].mean.is_none());
    let bad = SweepTable::from_reader("a,b\n1,2\n".as_bytes(), Path::new("x.csv"));
    assert!(bad.is_err());
}

#[test]
fn sensitivity_reports_have_sorted_tornado_charts_for_both_methods() {
    for (method, budget) in [
        ("morris", ["--trajectories", "2"]),
        ("sobol", ["--samples", "4"]),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("study");
        let page = dir.path().join("sensitivity.html");
        dorasim(
            &[
                "sensitivity",
                scenario("baseline.toml").to_str().expect("path"),
                "--param",
                "review.reviewers=2..5",
                "--param",
                "deploy.interval_hours=1..48",
                "--method",
                method,
                budget[0],
                budget[1],
                "--runs",
                "2",
                "--threads",
                "2",
                "--set",
                "time.warmup_weeks=1",
                "--set",
                "time.horizon_weeks=2",
            ],
            &[("--out", &out), ("--report", &page)],
        );
        let html = std::fs::read_to_string(&page).expect("sensitivity report");
        let ids: Vec<String> = HEADLINE_IDS
            .iter()
            .map(|k| format!("tornado-{k}"))
            .collect();
        check_page(&html, SENSITIVITY_SECTIONS, &ids);
        assert!(
            html.contains("deploy.interval_hours (1–48)"),
            "{method}: labels"
        );
        let legend = if method == "morris" {
            "sigma: spread"
        } else {
            "ST: total index"
        };
        assert!(html.contains(legend), "{method}: legend");
        assert!(
            html.contains(&format!("--method {method}")),
            "{method}: command"
        );

        // Rows are sorted by importance, as the tornado draws them.
        let table = SensitivityTable::from_csv(&out.join("sensitivity.csv")).expect("csv");
        assert_eq!(table.method, method);
        for m in &table.metrics {
            assert!(
                m.rows
                    .windows(2)
                    .all(|w| w[0].importance() >= w[1].importance()),
                "{method} {}: not sorted",
                m.def.key
            );
        }

        // `dorasim report DIR` finds sensitivity.csv.
        dorasim(&["report"], &[("", &out)]);
        let again = std::fs::read_to_string(out.join("report.html")).expect("DIR/report.html");
        check_page(&again, SENSITIVITY_SECTIONS, &ids);
        assert!(again.contains("baseline"));
    }
}
