//! Number formatting shared by the writers.

use crate::metrics::catalogue::MetricDef;

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
