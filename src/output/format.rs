//! Number formatting shared by the writers.

use crate::metrics::catalogue::MetricDef;
use crate::stats::modes::TwoModes;

/// Formats a value in a metric's unit: shares as percentages, others with sensible precision.
pub fn value(def: &MetricDef, x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    if def.unit == "share" {
        let pct = x * 100.0;
        if (pct.abs() < 1.0 && pct != 0.0) || (99.0..100.0).contains(&pct) {
            format!("{pct:.2} %")
        } else {
            format!("{pct:.1} %")
        }
    } else {
        number(x)
    }
}

/// A plain number with precision chosen by magnitude.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let a = x.abs();
    if a >= 1000.0 {
        format!("{x:.0}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else if a == 0.0 {
        "0".to_string()
    } else {
        format!("{x:.3}")
    }
}

/// A CSV cell: empty for undefined values, full precision otherwise (round-trips exactly).
pub fn csv_cell(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// A text cell for a CSV file that spreadsheets will open: a cell beginning with `=`, `+`, `-`,
/// `@`, a tab or a carriage return would be read as a formula (CSV injection), so it gets a
/// leading `'`, unless it is a plain number such as `-0.5`. Every other text is kept as it is.
pub fn csv_text(text: &str) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && text.trim().parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// `text` with control characters (escape sequences, bells, carriage returns) replaced by `�`,
/// for printing user-written text (scenario names, descriptions) on a terminal. Newlines and
/// tabs are kept.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// A value with its unit, rounded for prose: `30.2 h`, `12.5 %`.
fn approx(def: &MetricDef, x: f64) -> String {
    match def.unit {
        "hours" if x.is_finite() => format!("{x:.1}\u{a0}h"),
        _ => value(def, x),
    }
}

/// The two clusters in a few words, for a card or a table cell:
/// `~30.2 h (30 %) and ~42.0 h (70 %)`.
pub fn two_modes_short(def: &MetricDef, modes: &TwoModes) -> String {
    format!(
        "~{} ({:.0}\u{a0}%) and ~{} ({:.0}\u{a0}%)",
        approx(def, modes.low),
        modes.share_low * 100.0,
        approx(def, modes.high),
        modes.share_high() * 100.0
    )
}

/// How many replications lie inside the gap, in words: "none", "only 0.9 %".
fn between(share: f64) -> String {
    if share > 0.0 {
        format!("only {:.1}\u{a0}%", share * 100.0)
    } else {
        "none".to_string()
    }
}

/// Whether `mean` lies in the (nearly) empty gap between the two clusters: a value almost no
/// replication has.
pub fn in_the_gap(modes: &TwoModes, mean: f64) -> bool {
    mean > modes.gap_from && mean < modes.gap_to
}

/// What the terminal summary, the report and a comparison say when a metric's replications fall
/// in two clusters ([`crate::stats::modes`]): the two modes, the empty gap, where the mean lies,
/// and, for a wall-clock lead time, why and what to read instead.
pub fn two_modes_note(def: &MetricDef, modes: &TwoModes, mean: Option<f64>) -> String {
    let mut note = format!(
        "{}: the replications fall in two clusters, ~{} ({:.0}\u{a0}% of replications) and ~{} \
         ({:.0}\u{a0}%), with {} between {} and {}",
        def.label,
        approx(def, modes.low),
        modes.share_low * 100.0,
        approx(def, modes.high),
        modes.share_high() * 100.0,
        between(modes.share_between),
        approx(def, modes.gap_from),
        approx(def, modes.gap_to),
    );
    match mean {
        Some(m) if in_the_gap(modes, m) => note.push_str(&format!(
            "; the mean, {}, lies in that gap: almost no replication has it.",
            approx(def, m)
        )),
        Some(m) => note.push_str(&format!("; the mean, {}, hides the split.", approx(def, m))),
        None => note.push('.'),
    }
    // Wall-clock lead times, not the working-hours median, bunch by working day.
    if def.key.contains("lead_time") && !def.key.contains("working") {
        let statistic = if def.key.contains("p90") {
            "p90"
        } else {
            "median"
        };
        note.push_str(&format!(
            " Lead times bunch by working day (the same day, after a night, after a weekend); \
             each replication's {statistic} lands in one bunch or the next, so minutes of process \
             time can move it by a night. Compare the mean lead time or the median in working \
             hours, which move smoothly."
        ));
    }
    note
}

/// Escapes text for HTML and SVG (XML) element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod safe_text_tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_neutralised_numbers_are_not() {
        for (cell, expected) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1+1", "'+1+1"),
            ("-cmd", "'-cmd"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("-0.5", "-0.5"),
            ("+3", "+3"),
            ("1e-3", "1e-3"),
            ("baseline", "baseline"),
            ("", ""),
        ] {
            assert_eq!(csv_text(cell), expected, "{cell:?}");
        }
    }

    #[test]
    fn control_characters_do_not_reach_the_terminal() {
        assert_eq!(printable("a\u{1b}[31mred\u{7}"), "a\u{fffd}[31mred\u{fffd}");
        assert_eq!(printable("two\nlines\tand tab"), "two\nlines\tand tab");
        assert_eq!(printable("over\rwrite"), "over\u{fffd}write");
    }
}
