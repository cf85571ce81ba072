//! The calibration suite's result as a terminal table, Markdown (the generated table of
//! `docs/calibration.md`), CSV and JSON, and the splice of the Markdown into the document.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::{Measure, NotConverged, Outcome, Report, Rule, Verdict};
use crate::output::OutputDir;

/// The line that opens the generated block in a document.
pub const BEGIN: &str = "<!-- calibration:begin -->";
/// The line that closes it.
pub const END: &str = "<!-- calibration:end -->";

/// A percentage with `decimals` decimals, signed when `signed`; a true minus sign.
fn percent(x: f64, decimals: usize, signed: bool) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let pct = x * 100.0;
    let text = format!("{:.*}", decimals, pct.abs());
    let sign = if pct < 0.0 && text.chars().any(|c| matches!(c, '1'..='9')) {
        "−"
    } else if signed {
        "+"
    } else {
        ""
    };
    format!("{sign}{text} %")
}

/// A published figure as a percentage, to two decimals without trailing zeros (`+98 %`,
/// `+7.2 %`, `−0.75 %`).
fn figure_percent(x: f64, signed: bool) -> String {
    let text = percent(x, 2, signed);
    let (number, unit) = text.split_at(text.len() - " %".len());
    let number = number.trim_end_matches('0').trim_end_matches('.');
    format!("{number}{unit}")
}

/// Whether a measure's values are shares or changes shown as percentages, and signed.
fn style(measure: &Measure) -> (bool, bool) {
    match measure {
        Measure::Change { .. } => (true, true),
        Measure::Level { metric, .. } => (metric.def().unit == "share", false),
        Measure::TierShare { .. } => (true, false),
    }
}

/// A simulated value in the measure's style.
fn value(measure: &Measure, x: f64) -> String {
    match (measure, style(measure)) {
        (_, (true, signed)) => percent(x, 1, signed),
        (Measure::Level { metric, .. }, _) => crate::output::format::value(metric.def(), x),
        _ => crate::output::format::number(x),
    }
}

/// A published figure or threshold in the measure's style.
fn figure(measure: &Measure, x: f64) -> String {
    match (measure, style(measure)) {
        (_, (true, signed)) => figure_percent(x, signed),
        _ => crate::output::format::number(x),
    }
}

/// The published figure, as stated.
pub fn target_text(o: &Outcome) -> String {
    let m = &o.target.measure;
    match o.target.rule {
        Rule::FactorTwo { figure: f } => figure(m, f),
        Rule::Positive => "up (> 0)".to_string(),
        Rule::AtLeast { threshold } => format!("≥ {}", figure(m, threshold)),
        Rule::Below { threshold } => format!("< {}", figure(m, threshold)),
        Rule::Flat { .. } => "flat".to_string(),
    }
}

/// The simulated value with its interval.
pub fn simulated_text(o: &Outcome) -> String {
    let m = &o.target.measure;
    match o.estimate {
        Some(e) => format!(
            "{} [{}, {}]",
            value(m, e.value),
            value(m, e.ci95_low),
            value(m, e.ci95_high)
        ),
        None => "n/a".to_string(),
    }
}

/// The tolerance rule, with its accepted range.
pub fn tolerance_text(o: &Outcome) -> String {
    let m = &o.target.measure;
    let rule = o.target.rule;
    match rule {
        Rule::FactorTwo { .. } => {
            let (low, high) = rule.accepted();
            format!("factor 2: {} … {}", figure(m, low), figure(m, high))
        }
        Rule::Positive => "sign: estimate and CI above 0".to_string(),
        Rule::AtLeast { threshold } => format!("estimate ≥ {}", figure(m, threshold)),
        Rule::Below { threshold } => format!("estimate < {}", figure(m, threshold)),
        Rule::Flat { .. } => {
            let (low, high) = rule.accepted();
            format!("flat: {} … {}", figure(m, low), figure(m, high))
        }
    }
}

/// The verdict, flagged when the interval straddles a tolerance edge.
pub fn verdict_text(o: &Outcome) -> String {
    match (o.verdict, o.not_converged) {
        (Verdict::Superseded, _) | (_, None) => o.verdict.label().to_string(),
        (v, Some(_)) => format!("{}, not converged", v.label()),
    }
}

/// What is measured, and where.
pub fn measured_text(o: &Outcome) -> String {
    format!("{}; {}", o.target.measured, o.target.measure.arms_label())
}

fn not_converged_text(flag: NotConverged, runs: u64) -> String {
    match flag.runs_needed {
        Some(n) => format!(
            "Not converged: the 95 % CI straddles a tolerance edge; about {n} runs per arm (now {runs}) would settle it."
        ),
        None => "Not converged: the estimate sits on a tolerance edge.".to_string(),
    }
}

/// A sentence: capital first letter, final full stop.
fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.is_empty() && !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// Everything else, as sentences: why superseded, the target's note, convergence, why
/// undefined.
pub fn note_text(o: &Outcome, runs: u64) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(why) = o.target.superseded {
        let alone = if o.rule_passes { "pass" } else { "miss" };
        parts.push(sentence(why));
        parts.push(format!(
            "Shown, not counted; by its own rule it would {alone}."
        ));
    }
    parts.push(sentence(o.target.note));
    if let Some(flag) = o.not_converged.filter(|_| o.target.counted()) {
        parts.push(not_converged_text(flag, runs));
    }
    if let Some(problem) = &o.problem {
        parts.push(sentence(&format!("undefined: {problem}")));
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

/// "7 of 12 counted targets pass, 5 miss; 2 superseded (shown, not counted).", saying how many
/// misses are not converged (undecided at these runs).
pub fn summary_line(report: &Report) -> String {
    let undecided = match report.missed_not_converged() {
        0 => String::new(),
        n => format!(" ({n} not converged: on a tolerance edge, undecided at these runs)"),
    };
    format!(
        "{} of {} counted targets pass, {} miss{undecided}; {} superseded (shown, not counted).",
        report.passed(),
        report.counted(),
        report.missed(),
        report.superseded()
    )
}

/// The terminal table.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Calibration: {} published targets, {} arms × {} replications, seed {} (arms paired on common random numbers)\n",
        report.outcomes.len(),
        report.arms.len(),
        report.runs,
        report.seed
    );
    let rows: Vec<[String; 5]> = report
        .outcomes
        .iter()
        .map(|o| {
            [
                o.target.id.to_string(),
                target_text(o),
                simulated_text(o),
                tolerance_text(o),
                verdict_text(o),
            ]
        })
        .collect();
    let header = [
        "id",
        "target",
        "simulated [95 % CI]",
        "tolerance",
        "verdict",
    ]
    .map(String::from);
    let width = |k: usize| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|r| r[k].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..5).map(width).collect();
    let line = |cells: &[String; 5]| {
        let mut text = String::new();
        for (k, cell) in cells.iter().enumerate() {
            let pad = widths[k].saturating_sub(cell.chars().count());
            if k == 4 {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell}{}  ", " ".repeat(pad));
            }
        }
        text
    };
    let _ = writeln!(out, "{}", line(&header));
    let indent = " ".repeat(widths[0] + 2);
    for (o, row) in report.outcomes.iter().zip(&rows) {
        let _ = writeln!(out, "{}", line(row));
        let _ = writeln!(out, "{indent}{} · {}", o.target.source, measured_text(o));
        let note = note_text(o, report.runs);
        if !note.is_empty() {
            let _ = writeln!(out, "{indent}note: {note}");
        }
    }
    let _ = writeln!(
        out,
        "\n{} {} replications in {:.1} s.",
        summary_line(report),
        report.arms.len() as u64 * report.runs,
        report.wall_seconds
    );
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The Markdown table generated into `docs/calibration.md` (no timing: the same seed and runs
/// give the same text on any machine and thread count).
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Generated by `dorasim calibration --write-doc docs/calibration.md` from the targets declared \
         in `src/calibration/targets.rs`: {} replications per arm, seed {}, each pair of arms on \
         common random numbers. Do not edit by hand; `tests/calibration.rs` fails when this table \
         is stale.\n",
        report.runs, report.seed
    );
    let _ = writeln!(out, "**{}**\n", summary_line(report));
    let _ = writeln!(
        out,
        "| Id | Source | Measured | Target | Simulated [95 % CI] | Tolerance | Verdict | Note |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- | --- |");
    for o in &report.outcomes {
        let verdict = match o.verdict {
            Verdict::Miss => format!("**{}**", verdict_text(o)),
            _ => verdict_text(o),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
            o.target.id,
            cell(o.target.source),
            cell(&measured_text(o)),
            cell(&target_text(o)),
            cell(&simulated_text(o)),
            cell(&tolerance_text(o)),
            verdict,
            cell(&note_text(o, report.runs)),
        );
    }
    // A blank line ends the table before the end marker.
    out.push('\n');
    out
}

/// One CSV row per target, numbers at full precision.
pub fn csv(report: &Report) -> Result<String, String> {
    let e = |e: csv::Error| format!("CSV: {e}");
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "source",
        "measured",
        "arms",
        "statistic",
        "rule",
        "figure",
        "accepted_low",
        "accepted_high",
        "estimate",
        "ci95_low",
        "ci95_high",
        "n",
        "verdict",
        "counted",
        "rule_passes",
        "not_converged",
        "runs_needed",
        "note",
    ])
    .map_err(e)?;
    let num = |x: Option<f64>| x.map_or(String::new(), crate::output::format::csv_cell);
    for o in &report.outcomes {
        let (low, high) = o.target.rule.accepted();
        let figure = match o.target.rule {
            Rule::FactorTwo { figure } => Some(figure),
            Rule::Positive => None,
            Rule::AtLeast { threshold } | Rule::Below { threshold } => Some(threshold),
            Rule::Flat { .. } => Some(0.0),
        };
        let est = o.estimate;
        w.write_record([
            o.target.id.to_string(),
            o.target.source.to_string(),
            o.target.measured.to_string(),
            o.target.measure.arms_label(),
            o.target.measure.kind().to_string(),
            rule_name(o.target.rule).to_string(),
            num(figure),
            num(Some(low)),
            num(Some(high)),
            num(est.map(|e| e.value)),
            num(est.map(|e| e.ci95_low)),
            num(est.map(|e| e.ci95_high)),
            est.map_or(String::new(), |e| e.n.to_string()),
            o.verdict.label().to_lowercase(),
            o.target.counted().to_string(),
            o.rule_passes.to_string(),
            o.not_converged.is_some().to_string(),
            o.not_converged
                .and_then(|f| f.runs_needed)
                .map_or(String::new(), |n| n.to_string()),
            note_text(o, report.runs),
        ])
        .map_err(e)?;
    }
    let bytes = w.into_inner().map_err(|e| format!("CSV: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("CSV: {e}"))
}

fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::FactorTwo { .. } => "factor_two",
        Rule::Positive => "positive",
        Rule::AtLeast { .. } => "at_least",
        Rule::Below { .. } => "below",
        Rule::Flat { .. } => "flat",
    }
}

/// The report as JSON.
pub fn json(report: &Report) -> serde_json::Value {
    let finite = |x: f64| x.is_finite().then_some(x);
    let targets: Vec<serde_json::Value> = report
        .outcomes
        .iter()
        .map(|o| {
            let (low, high) = o.target.rule.accepted();
            serde_json::json!({
                "id": o.target.id,
                "source": o.target.source,
                "measured": o.target.measured,
                "arms": o.target.measure.arms_label(),
                "statistic": o.target.measure.kind(),
                "rule": o.target.rule,
                "accepted": { "low": finite(low), "high": finite(high) },
                "target": target_text(o),
                "estimate": o.estimate,
                "simulated": simulated_text(o),
                "verdict": o.verdict,
                "counted": o.target.counted(),
                "rule_passes": o.rule_passes,
                "not_converged": o.not_converged,
                "superseded": o.target.superseded,
                "note": note_text(o, report.runs),
            })
        })
        .collect();
    serde_json::json!({
        "tool": "dorasim",
        "version": env!("CARGO_PKG_VERSION"),
        "seed": report.seed,
        "runs_per_arm": report.runs,
        "arms": report.arms.iter().map(|a| a.label()).collect::<Vec<_>>(),
        "summary": {
            "counted": report.counted(),
            "passed": report.passed(),
            "missed": report.missed(),
            "missed_not_converged": report.missed_not_converged(),
            "superseded": report.superseded(),
        },
        "targets": targets,
    })
}

/// Problems splicing the generated table into a document.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// The document lacks a marker, or has them in the wrong order.
    #[error(
        "`{path}` has no `{BEGIN}` … `{END}` block (each marker on its own line, begin first); add them where the generated table belongs"
    )]
    Markers {
        /// The document.
        path: PathBuf,
    },
    /// The document cannot be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The document.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The document cannot be written.
    #[error(transparent)]
    Write(#[from] crate::output::files::OutputError),
}

/// Byte range of the text between the markers: after the begin marker's line, up to the end
/// marker.
fn block_range(doc: &str) -> Option<std::ops::Range<usize>> {
    let begin = doc.find(BEGIN)?;
    let mut start = begin + BEGIN.len();
    if doc[start..].starts_with('\n') {
        start += 1;
    }
    let end = start + doc[start..].find(END)?;
    Some(start..end)
}

/// The text between the markers of `doc` (what [`markdown`] generated last time).
pub fn extract(doc: &str) -> Option<&str> {
    block_range(doc).map(|r| &doc[r])
}

/// `doc` with the text between its markers replaced by `block`.
pub fn splice(doc: &str, block: &str, path: &Path) -> Result<String, DocError> {
    let range = block_range(doc).ok_or_else(|| DocError::Markers {
        path: path.to_path_buf(),
    })?;
    let mut out = String::with_capacity(doc.len() + block.len());
    out.push_str(&doc[..range.start]);
    out.push_str(block);
    if !block.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&doc[range.end..]);
    Ok(out)
}

/// Checks, before anything runs, that the document at `path` can take the generated table.
pub fn check_doc(path: &Path) -> Result<(), DocError> {
    let doc = std::fs::read_to_string(path).map_err(|source| DocError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    block_range(&doc)
        .map(|_| ())
        .ok_or_else(|| DocError::Markers {
            path: path.to_path_buf(),
        })
}

/// Replaces the generated block of the document at `path` with the report's Markdown, writing
/// to a temporary file renamed into place (a reader sees the old document or the new one).
pub fn write_doc(path: &Path, report: &Report) -> Result<PathBuf, DocError> {
    let doc = std::fs::read_to_string(path).map_err(|source| DocError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = splice(&doc, &markdown(report), path)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| DocError::Markers {
            path: path.to_path_buf(),
        })?;
    Ok(OutputDir::prepare(&dir, &[], true)?.write(&name, text.as_bytes())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::{Estimate, TARGETS, judge};

    fn outcome(id: &str, value: f64, low: f64, high: f64) -> Outcome {
        let target = TARGETS
            .iter()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("no target {id}"));
        let e = Estimate {
            value,
            ci95_low: low,
            ci95_high: high,
            n: 400,
        };
        judge(target, Some(e), None, 400)
    }

    #[test]
    fn percentages_use_a_true_minus_and_drop_trailing_zeros() {
        assert_eq!(percent(-0.0151, 1, true), "−1.5 %");
        assert_eq!(percent(0.273, 1, true), "+27.3 %");
        assert_eq!(percent(-0.0001, 1, true), "+0.0 %");
        assert_eq!(figure_percent(0.98, true), "+98 %");
        assert_eq!(figure_percent(0.072, true), "+7.2 %");
        assert_eq!(figure_percent(0.5, false), "50 %");
        assert_eq!(figure_percent(-0.0075, true), "−0.75 %");
        assert_eq!(figure_percent(0.455, true), "+45.5 %");
    }

    #[test]
    fn cells_describe_the_rule() {
        let o = outcome("faros-prs-merged", 0.273, 0.269, 0.277);
        assert_eq!(target_text(&o), "+98 %");
        assert_eq!(simulated_text(&o), "+27.3 % [+26.9 %, +27.7 %]");
        assert_eq!(tolerance_text(&o), "factor 2: +49 % … +196 %");
        assert_eq!(verdict_text(&o), "superseded");
        let review = outcome("faros-review-time", 0.345, 0.336, 0.354);
        assert_eq!(verdict_text(&review), "MISS");
        assert_eq!(
            measured_text(&o),
            "pull requests merged per week, change of the mean; ai.adoption 0 → 0.8 on the defaults"
        );
        let cfr = outcome("quickcheck-cfr", 0.105, 0.104, 0.106);
        assert_eq!(target_text(&cfr), "18 %");
        assert_eq!(tolerance_text(&cfr), "factor 2: 9 % … 36 %");
        assert_eq!(verdict_text(&cfr), "pass");
        let tier = outcome("tier-default", 0.52, 0.47, 0.57);
        assert_eq!(target_text(&tier), "< 50 %");
        assert_eq!(verdict_text(&tier), "MISS, not converged");
        assert!(note_text(&tier, 400).contains("runs per arm (now 400)"));
        let superseded = outcome("dora2024-throughput", 0.02, 0.01, 0.03);
        assert_eq!(verdict_text(&superseded), "superseded");
        assert!(note_text(&superseded, 400).contains("by its own rule it would miss"));
    }

    #[test]
    fn splice_replaces_only_the_block() {
        let doc = format!("intro\n{BEGIN}\nold table\n{END}\nrest\n");
        let path = Path::new("doc.md");
        let new = splice(&doc, "new table\n", path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(new, format!("intro\n{BEGIN}\nnew table\n{END}\nrest\n"));
        assert_eq!(extract(&new), Some("new table\n"));
        assert!(splice("no markers", "x", path).is_err());
        assert!(splice(&format!("{END}\n{BEGIN}\n"), "x", path).is_err());
    }
}
