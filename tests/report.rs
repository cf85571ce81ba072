//! The HTML report: self-contained (no external references), every section present, and the
//! same page whether rendered during the run or later from the run's `--out` directory.

use std::path::{Path, PathBuf};
use std::process::Command;

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
    let model = scenario.model().expect("timeline");
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
        let name = path
            .file_stem()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        for (id, _) in SECTIONS {
            let expected = match *id {
                "teams" => name.starts_with("org-"),
                "agents" => name.starts_with("agents-") || name.starts_with("org-"),
                _ => true,
            };
            assert_eq!(
                html.contains(&format!("<section id=\"{id}\">")),
                expected,
                "{}: section `{id}` shown: expected {expected}",
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
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Every kind of results directory it reads, by the file that marks it.
    for file in [
        "summary.json",
        "sweep.csv",
        "sensitivity.csv",
        "compare.json",
    ] {
        assert!(stderr.contains(file), "no `{file}` in: {stderr}");
    }
    assert!(stderr.contains("holds no results to report on"), "{stderr}");
    let missing = dir.path().join("no-such-dir");
    let output = Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .arg("report")
        .arg(&missing)
        .output()
        .expect("dorasim report");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot be read"), "{stderr}");
    assert!(stderr.contains("compare.json"), "{stderr}");
}

#[test]
fn report_of_a_compare_directory_equals_the_report_written_by_compare() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let out = dir.path().join("comparison");
    let during = dir.path().join("during.html");
    let (charts_during, charts_after) = (dir.path().join("charts-a"), dir.path().join("charts-b"));
    let bin = env!("CARGO_BIN_EXE_dorasim");
    let compare = Command::new(bin)
        .arg("compare")
        .arg(root.join("baseline.toml"))
        .arg(root.join("ai-rollout.toml"))
        .arg(root.join("surveillance.toml"))
        .args(["--runs", "12", "--threads", "2", "--out"])
        .arg(&out)
        .arg("--report")
        .arg(&during)
        .arg("--charts")
        .arg(&charts_during)
        .output()
        .expect("dorasim compare");
    assert!(
        compare.status.success(),
        "{}",
        String::from_utf8_lossy(&compare.stderr)
    );
    let report = Command::new(bin)
        .arg("report")
        .arg(&out)
        .arg("--charts")
        .arg(&charts_after)
        .output()
        .expect("dorasim report");
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let after = std::fs::read_to_string(out.join("report.html")).expect("DIR/report.html");
    let during = std::fs::read_to_string(&during).expect("--report file");
    assert_eq!(during, after, "compare --report and report DIR differ");
    assert!(after.contains("surveillance − baseline") && after.contains("difference [95 % CI]"));
    for name in ["difference-1.svg", "difference-2.svg"] {
        let a = std::fs::read_to_string(charts_during.join(name)).expect("chart of compare");
        let b = std::fs::read_to_string(charts_after.join(name)).expect("chart of report");
        assert_eq!(a, b, "{name} differs");
    }
    let svg =
        xml::parse(&std::fs::read_to_string(charts_after.join("difference-2.svg")).expect("chart"))
            .expect("well-formed SVG");
    assert_eq!(
        svg.child("title").map(xml::Node::text).as_deref(),
        Some("surveillance − baseline")
    );
    let texts = svg.heading_and_legend();
    for label in [
        "better beyond noise",
        "worse beyond noise",
        "the interval includes no change",
    ] {
        assert!(
            texts.iter().any(|t| t == label),
            "no legend `{label}` in {texts:?}"
        );
    }

    // compare.json is read strictly: a field the page needs, missing, is an error that names
    // the file and the field.
    let path = out.join("compare.json");
    let text = std::fs::read_to_string(&path).expect("compare.json");
    assert!(report::compare::CompareData::from_json(&text, &path).is_ok());
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let difference = json["comparison"]["metrics"][0]["differences"][1]
        .as_object_mut()
        .expect("a difference");
    difference.remove("narrowing");
    let error = report::compare::CompareData::from_json(&json.to_string(), &path)
        .expect_err("a missing field");
    let message = error.to_string();
    assert!(
        message.contains("compare.json") && message.contains("narrowing"),
        "{message}"
    );
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

#[test]
fn standalone_chart_files_carry_their_title_and_legend() {
    let dir = tempfile::tempdir().expect("temp dir");
    let charts = dir.path().join("charts");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ai-rollout.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_dorasim"))
        .arg("run")
        .arg(&scenario)
        .args(["--runs", "20", "--threads", "2", "--charts"])
        .arg(&charts)
        .output()
        .expect("dorasim run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // (file, title, legend labels): the page gives these in HTML around the chart.
    let expected: [(&str, &str, &[&str]); 3] = [
        (
            "defect-funnel.svg",
            "Defects per replication, hand-written vs AI-assisted",
            &[
                "hand-written",
                "AI-assisted",
                "95 % confidence interval of the mean",
            ],
        ),
        (
            "weekly-deployments.svg",
            "Deployments",
            // ai-rollout ramps its adoption: the shaded ramp is explained too.
            &[
                "median over replications",
                "p25–p75",
                "p5–p95",
                "ramp in the timeline",
            ],
        ),
        (
            "dist-deploys-per-week.svg",
            "Deployment frequency",
            &["replications in each bin", "mean"],
        ),
    ];
    for (file, title, legend) in expected {
        let text = std::fs::read_to_string(charts.join(file)).expect("chart file");
        let svg = xml::parse(&text).unwrap_or_else(|e| panic!("{file}: not well-formed: {e}"));
        assert_eq!(svg.name, "svg");
        assert_eq!(
            svg.attribute("xmlns"),
            Some("http://www.w3.org/2000/svg"),
            "{file}"
        );
        // The accessible name and the visible heading.
        assert_eq!(
            svg.child("title").map(xml::Node::text).as_deref(),
            Some(title),
            "{file}"
        );
        let texts = svg.heading_and_legend();
        assert_eq!(
            texts.first().map(String::as_str),
            Some(title),
            "{file}: {texts:?}"
        );
        for label in legend {
            assert!(
                texts.iter().any(|t| t == label),
                "{file}: no legend `{label}` in {texts:?}"
            );
        }
        // The chart itself is inside, below the heading, and the legend inside the canvas.
        let chart = svg.child("svg").expect("the chart");
        let number = |node: &xml::Node, name: &str| -> f64 {
            node.attribute(name)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{file}: no numeric `{name}`"))
        };
        assert!(number(chart, "y") >= 20.0, "{file}");
        let bottom = number(&svg, "height");
        assert!(
            number(chart, "y") + number(chart, "height") < bottom,
            "{file}"
        );
        for text in svg
            .descendants("text")
            .into_iter()
            .filter(|t| !t.is_inside_chart)
        {
            assert!(
                number(text.node, "y") < bottom,
                "{file}: text below the canvas"
            );
        }
    }
}

/// Just enough of an XML parser to check that a chart file is well-formed and to read its
/// elements: a prolog, comments, elements with quoted attributes, text with the predefined
/// and numeric entities.
mod xml {
    /// An element.
    #[derive(Debug)]
    pub struct Node {
        pub name: String,
        pub attributes: Vec<(String, String)>,
        pub children: Vec<Child>,
    }

    #[derive(Debug)]
    pub enum Child {
        Element(Node),
        Text(String),
    }

    /// A `<text>` element found by [`Node::descendants`], and whether it is inside the nested
    /// chart `<svg>`.
    pub struct Found<'a> {
        pub node: &'a Node,
        pub is_inside_chart: bool,
    }

    impl Node {
        pub fn attribute(&self, name: &str) -> Option<&str> {
            self.attributes
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        }

        pub fn child(&self, name: &str) -> Option<&Node> {
            self.children.iter().find_map(|c| match c {
                Child::Element(e) if e.name == name => Some(e),
                _ => None,
            })
        }

        /// The text inside, whitespace trimmed.
        pub fn text(&self) -> String {
            let mut out = String::new();
            for c in &self.children {
                match c {
                    Child::Text(t) => out.push_str(t),
                    Child::Element(e) => out.push_str(&e.text()),
                }
            }
            out.trim().to_string()
        }

        /// Every `name` element below this one, in document order.
        pub fn descendants(&self, name: &str) -> Vec<Found<'_>> {
            let mut out = Vec::new();
            self.collect(name, false, &mut out);
            out
        }

        fn collect<'a>(&'a self, name: &str, inside: bool, out: &mut Vec<Found<'a>>) {
            for c in &self.children {
                if let Child::Element(e) = c {
                    if e.name == name {
                        out.push(Found {
                            node: e,
                            is_inside_chart: inside,
                        });
                    }
                    e.collect(name, inside || e.name == "svg", out);
                }
            }
        }

        /// The texts of the standalone file outside the chart itself: heading, then legend.
        pub fn heading_and_legend(&self) -> Vec<String> {
            self.descendants("text")
                .into_iter()
                .filter(|t| !t.is_inside_chart)
                .map(|t| t.node.text())
                .collect()
        }
    }

    pub fn parse(text: &str) -> Result<Node, String> {
        let mut p = Parser { s: text, at: 0 };
        p.skip_misc()?;
        let root = p.element()?;
        p.skip_misc()?;
        if p.at != p.s.len() {
            return Err(format!("content after the root element at byte {}", p.at));
        }
        Ok(root)
    }

    struct Parser<'a> {
        s: &'a str,
        at: usize,
    }

    impl Parser<'_> {
        fn rest(&self) -> &str {
            &self.s[self.at..]
        }

        fn skip_space(&mut self) {
            let trimmed = self.rest().trim_start();
            self.at = self.s.len() - trimmed.len();
        }

        /// Whitespace, the prolog and comments.
        fn skip_misc(&mut self) -> Result<(), String> {
            loop {
                self.skip_space();
                let (open, close) = if self.rest().starts_with("<?") {
                    ("<?", "?>")
                } else if self.rest().starts_with("<!--") {
                    ("<!--", "-->")
                } else {
                    return Ok(());
                };
                let end = self.rest()[open.len()..]
                    .find(close)
                    .ok_or_else(|| format!("unclosed `{open}`"))?;
                self.at += open.len() + end + close.len();
            }
        }

        fn name(&mut self) -> Result<String, String> {
            let end = self
                .rest()
                .find(|c: char| c.is_whitespace() || "/>=".contains(c))
                .ok_or("unexpected end in a name")?;
            if end == 0 {
                return Err(format!("a name expected at byte {}", self.at));
            }
            let name = self.rest()[..end].to_string();
            self.at += end;
            Ok(name)
        }

        fn element(&mut self) -> Result<Node, String> {
            if !self.rest().starts_with('<') {
                return Err(format!("`<` expected at byte {}", self.at));
            }
            self.at += 1;
            let name = self.name()?;
            let mut attributes = Vec::new();
            loop {
                self.skip_space();
                if self.rest().starts_with("/>") {
                    self.at += 2;
                    return Ok(Node {
                        name,
                        attributes,
                        children: Vec::new(),
                    });
                }
                if self.rest().starts_with('>') {
                    self.at += 1;
                    break;
                }
                let key = self.name()?;
                self.skip_space();
                if !self.rest().starts_with('=') {
                    return Err(format!("`=` expected after `{key}`"));
                }
                self.at += 1;
                self.skip_space();
                let quote = self.rest().chars().next().ok_or("unexpected end")?;
                if quote != '"' && quote != '\'' {
                    return Err(format!("unquoted value of `{key}`"));
                }
                let end = self.rest()[1..]
                    .find(quote)
                    .ok_or_else(|| format!("unclosed value of `{key}`"))?;
                let value = decode(&self.rest()[1..1 + end])?;
                self.at += end + 2;
                attributes.push((key, value));
            }
            let mut children = Vec::new();
            loop {
                if self.rest().starts_with("</") {
                    self.at += 2;
                    let close = self.name()?;
                    if close != name {
                        return Err(format!("`<{name}>` closed by `</{close}>`"));
                    }
                    self.skip_space();
                    if !self.rest().starts_with('>') {
                        return Err(format!("`>` expected after `</{close}`"));
                    }
                    self.at += 1;
                    return Ok(Node {
                        name,
                        attributes,
                        children,
                    });
                }
                if self.rest().starts_with("<!--") {
                    self.skip_misc()?;
                    continue;
                }
                if self.rest().starts_with('<') {
                    children.push(Child::Element(self.element()?));
                    continue;
                }
                let end = self
                    .rest()
                    .find('<')
                    .ok_or_else(|| format!("`<{name}>` is never closed"))?;
                children.push(Child::Text(decode(&self.rest()[..end])?));
                self.at += end;
            }
        }
    }

    fn decode(text: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            let end = rest[amp..]
                .find(';')
                .ok_or_else(|| format!("unterminated entity in `{text}`"))?;
            let entity = &rest[amp + 1..amp + end];
            let c = match entity {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => entity
                    .strip_prefix("#x")
                    .map(|h| u32::from_str_radix(h, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse))
                    .and_then(Result::ok)
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("unknown entity `&{entity};`"))?,
            };
            out.push(c);
            rest = &rest[amp + end + 1..];
        }
        if rest.contains('<') {
            return Err("`<` in text".to_string());
        }
        out.push_str(rest);
        Ok(out)
    }
}
