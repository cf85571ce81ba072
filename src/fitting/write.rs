//! The calibrated scenario as a commented TOML file: the base scenario's own text (its comments
//! and timeline kept) with every value the calibration changed written in place, each with a
//! comment saying where it came from: its estimate, interval and the figure of the history.

use toml_edit::{DocumentMut, Item, Table};

use super::{Fit, direct::Interval};
use crate::model::params::{Params, Value, catalogue};

/// Three significant digits, enough for a fitted value and honest about its precision.
fn round(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 3 - 1 - x.abs().log10().floor() as i32;
    let factor = 10f64.powi(digits);
    (x * factor).round() / factor
}

/// `value` rounded to three significant digits (every number of a distribution).
pub fn rounded(value: &Value) -> Value {
    match value {
        Value::Float(x) => Value::Float(round(*x)),
        Value::Dist(d) => Value::Dist(d.map_fields(round)),
        other => other.clone(),
    }
}

/// `value` for a reader: three significant digits, distributions as `lognormal median 3, p90 16`.
pub fn text(value: &Value) -> String {
    match value {
        Value::Float(x) => format!("{}", round(*x)),
        Value::Dist(d) => {
            let fields: Vec<String> = d
                .fields()
                .iter()
                .map(|(k, x)| format!("{k} {}", round(*x)))
                .collect();
            format!("{} {}", d.name(), fields.join(", "))
        }
        other => other.to_string(),
    }
}

fn interval(i: &Interval) -> String {
    format!(
        "x{} [x{}, x{}]",
        round(i.estimate),
        round(i.low),
        round(i.high)
    )
}

/// Sets `key` in `doc` to `value` with `comment` lines above it.
fn put(doc: &mut DocumentMut, key: &str, value: &Value, comment: &[String]) -> Result<(), String> {
    let (section, field) = key
        .split_once('.')
        .ok_or_else(|| format!("`{key}` is not a key path"))?;
    let parsed: toml_edit::Value = value
        .to_string()
        .parse()
        .map_err(|e| format!("`{key}`: {e}"))?;
    if !doc.contains_key(section) {
        doc.insert(section, Item::Table(Table::new()));
    }
    let table = doc[section]
        .as_table_mut()
        .ok_or_else(|| format!("`{section}` is not a table in the base scenario"))?;
    table.insert(field, toml_edit::value(parsed));
    if let Some(mut k) = table.key_mut(field) {
        let prefix: String = comment.iter().map(|line| format!("# {line}\n")).collect();
        k.leaf_decor_mut().set_prefix(format!("\n{prefix}"));
    }
    Ok(())
}

/// The calibrated scenario: `base_text` (the base scenario file, or empty for the defaults) with
/// the fit's values written in. `history` names the data, `name` the new scenario.
pub fn scenario_toml(
    base_text: &str,
    base_params: &Params,
    fit: &Fit,
    history: &str,
    name: &str,
) -> Result<String, String> {
    let mut doc: DocumentMut = base_text.parse().map_err(|e| format!("{e}"))?;
    doc.insert("name", toml_edit::value(name));
    doc.insert(
        "description",
        toml_edit::value(format!(
            "Calibrated by `dorasim calibrate` to {history} ({:.1} weeks).",
            fit.weeks
        )),
    );
    // Fitted knobs.
    let mut written = std::collections::HashSet::new();
    for f in &fit.fitted {
        for (key, _base, value, low, high) in &f.values {
            let mut lines = vec![format!(
                "Fitted to the {} of the history ({} {}): {} (95 % interval {} to {}); factor on the base {}.",
                f.knob.moment.label(),
                round(f.observed),
                f.knob.moment.unit(),
                text(value),
                text(low),
                text(high),
                interval(&f.factor),
            )];
            if !f.identified {
                lines.push(
                    "NOT pinned down by this history: the interval is the search range.".into(),
                );
            }
            if f.at_bound {
                lines.push("At the end of its search range: the history asks for more than this parameter can give.".into());
            }
            put(&mut doc, key, &rounded(value), &lines)?;
            written.insert(*key);
        }
    }
    for s in &fit.direct {
        put(
            &mut doc,
            s.key,
            &s.value,
            &[format!("Set from the history: {}.", s.from)],
        )?;
        written.insert(s.key);
    }
    // Anything else that differs from the base file (the window's length, `--set` overrides).
    for info in catalogue() {
        if written.contains(info.key) {
            continue;
        }
        let (now, before) = (fit.params.get(info.key), base_params.get(info.key));
        if now.is_some() && now != before {
            let why = if info.key == "time.horizon_weeks" {
                "The length of the history's window.".to_string()
            } else {
                "Given with --set.".to_string()
            };
            if let Some(v) = now {
                put(&mut doc, info.key, &v, &[why])?;
            }
        }
    }
    let mut header = vec![
        format!("Calibrated by `dorasim calibrate` to {history}."),
        format!(
            "{} replications simulated; the search {}.",
            fit.solution.simulations,
            fit.solution.verdict()
        ),
        String::new(),
        "figure: observed | simulated mean [95 % range of one history]".into(),
    ];
    for c in &fit.checks {
        header.push(format!(
            "{}: {} | {} [{}, {}] {}{}",
            c.moment.label(),
            round(c.observed),
            round(c.simulated),
            round(c.low),
            round(c.high),
            c.moment.unit(),
            if c.within() { "" } else { "  <- POOR FIT" }
        ));
    }
    if !fit.skipped.is_empty() {
        header.push(String::new());
        header.push("Left at the base value (not identified by this history):".into());
        for s in &fit.skipped {
            header.push(format!("  {}: {}", s.knob.name, s.reason));
        }
    }
    let prefix: String = header
        .iter()
        .map(|l| {
            if l.is_empty() {
                "#\n".to_string()
            } else {
                format!("# {l}\n")
            }
        })
        .collect();
    let body = doc.to_string();
    Ok(format!("{prefix}\n{}", body.trim_start()))
}
