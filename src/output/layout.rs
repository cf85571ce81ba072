//! Text layout for the terminal: the width to fit, the width of a line as seen (colour escapes
//! do not count), fitting and wrapping text to a width, and sparklines.

use std::fmt::Write;

/// The width the summary must fit: `COLUMNS` when it is a positive whole number (also when the
/// output is piped: the user asked for it), else the terminal's width when standard output is a
/// terminal, else `None` (the full layout).
pub fn terminal_width() -> Option<usize> {
    width_from(std::env::var("COLUMNS").ok().as_deref(), || {
        console::Term::stdout()
            .size_checked()
            .map(|(_rows, columns)| usize::from(columns))
    })
}

/// [`terminal_width`] from the value of `COLUMNS` and a probe of the terminal.
pub(crate) fn width_from(
    columns: Option<&str>,
    terminal: impl FnOnce() -> Option<usize>,
) -> Option<usize> {
    match columns.and_then(|c| c.trim().parse::<usize>().ok()) {
        Some(n) if n > 0 => Some(n),
        _ => terminal().filter(|n| *n > 0),
    }
}

/// Columns a line takes on a terminal: its characters, without ANSI escape sequences.
pub fn visible_width(line: &str) -> usize {
    let mut width = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // A CSI sequence (`ESC [ … final byte`): the final byte is in `@`..=`~`.
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            width += 1;
        }
    }
    width
}

/// `text` in exactly `width` characters: padded with spaces, or cut with an ellipsis.
pub(crate) fn fit(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n <= width {
        format!("{text}{}", " ".repeat(width - n))
    } else if width == 0 {
        String::new()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

/// `line` cut to `width` visible columns with an ellipsis (a colour in force is reset). The
/// last resort that keeps the no-line-wider-than-the-terminal promise on absurdly narrow
/// terminals; every table fits widths of 60 columns and more without it.
pub(crate) fn clip_line(line: &str, width: usize) -> String {
    if visible_width(line) <= width {
        return line.to_string();
    }
    let mut out = String::new();
    let mut shown = 0;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            out.push(c);
            if chars.peek() == Some(&'[') {
                out.extend(chars.next());
                for c in chars.by_ref() {
                    out.push(c);
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        if shown + 1 == width {
            out.push('…');
            break;
        }
        out.push(c);
        shown += 1;
    }
    if out.contains('\x1b') {
        out.push_str("\x1b[0m");
    }
    out
}

/// Writes `text` in lines of at most `width` characters (longer words stay whole), each
/// starting with `indent`.
pub(crate) fn wrap(out: &mut String, text: &str, indent: &str, width: usize) {
    let mut line = String::new();
    // Split at plain spaces only: a no-break space keeps `26 %` together.
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty()
            && indent.len() + line.chars().count() + 1 + word.chars().count() > width
        {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
}

/// Colour only on a terminal, and never with `NO_COLOR` set.
pub(crate) fn use_colour() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A sparkline of `values` (`None` for an undefined week, drawn as a space).
pub fn sparkline(values: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let defined = values.iter().flatten().copied();
    let (lo, hi) = defined.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    values
        .iter()
        .map(|v| match v {
            Some(v) if hi > lo => {
                BARS[(((v - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
            Some(_) => BARS[3],
            None => ' ',
        })
        .collect()
}

/// `values` averaged over groups of `per_character` consecutive weeks (the last group may be
/// shorter; an undefined week is left out of its group's mean, and a group with none is
/// undefined), for a sparkline on a narrow terminal.
pub(crate) fn resample(values: &[Option<f64>], per_character: usize) -> Vec<Option<f64>> {
    values
        .chunks(per_character.max(1))
        .map(|group| {
            let defined: Vec<f64> = group.iter().flatten().copied().collect();
            (!defined.is_empty()).then(|| defined.iter().sum::<f64>() / defined.len() as f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_wins_then_the_terminal_then_none() {
        assert_eq!(width_from(Some("80"), || Some(120)), Some(80));
        assert_eq!(width_from(Some(" 132 "), || None), Some(132));
        assert_eq!(width_from(None, || Some(120)), Some(120));
        assert_eq!(width_from(Some("wide"), || Some(90)), Some(90));
        assert_eq!(width_from(Some("0"), || None), None);
        assert_eq!(width_from(None, || None), None);
    }

    #[test]
    fn fit_pads_or_cuts_with_an_ellipsis() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn escapes_do_not_count_and_survive_a_cut() {
        let line = "ab\x1b[36m▁▂▃▄\x1b[0m cd";
        assert_eq!(visible_width(line), 9);
        let cut = clip_line(line, 5);
        assert_eq!(visible_width(&cut), 5);
        assert!(cut.ends_with("\x1b[0m"), "{cut:?}");
        assert_eq!(clip_line("short", 10), "short");
    }

    #[test]
    fn resampling_averages_groups_and_skips_undefined_weeks() {
        let values = [
            Some(1.0),
            Some(3.0),
            None,
            None,
            Some(5.0),
            Some(7.0),
            Some(9.0),
        ];
        assert_eq!(
            resample(&values, 2),
            vec![Some(2.0), None, Some(6.0), Some(9.0)]
        );
        assert_eq!(resample(&values, 1), values.to_vec());
    }
}
