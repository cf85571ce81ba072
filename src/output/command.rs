//! How a run is named and reproduced on the command line: its label with the overrides that
//! changed it, the `--set` flags quoted for a POSIX shell, and the command that reproduces it.

/// Origin of the scenario built into the binary (no file to name on a command line).
const EMBEDDED_ORIGIN: &str = crate::scenario::EMBEDDED_ORIGIN;

/// A scenario's `description` followed by the `overrides` that changed it.
pub fn label(description: &str, overrides: &[String]) -> String {
    if overrides.is_empty() {
        return description.to_string();
    }
    let joined = overrides
        .iter()
        .map(|s| format!("--set {s}"))
        .collect::<Vec<_>>()
        .join(" ");
    if description.trim().is_empty() {
        format!("With {joined}.")
    } else {
        format!("{} Changed by {joined}.", description.trim_end())
    }
}

/// The `--set` flags that reproduce `overrides`, each quoted for a POSIX shell when needed, with
/// a leading space (empty without overrides).
pub fn set_flags(overrides: &[String]) -> String {
    overrides
        .iter()
        .map(|s| format!(" --set {}", shell_word(s)))
        .collect()
}

/// The `dorasim run` command that reproduces a run of the scenario from `origin` (nothing for
/// the embedded default) with `overrides`, `runs`, `seed` and `lens`.
pub fn reproduce_command(
    origin: &str,
    overrides: &[String],
    runs: u64,
    seed: u64,
    lens: &str,
) -> String {
    let file = if origin == EMBEDDED_ORIGIN {
        String::new()
    } else {
        format!(" {}", shell_word(origin))
    };
    format!(
        "dorasim run{file}{} --runs {runs} --seed {seed} --lens {lens}",
        set_flags(overrides),
    )
}

/// `word` as one POSIX shell word: as it is when it needs no quoting, else single-quoted.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.=,/:+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_label_and_reproduce_a_run() {
        let sets = vec!["ai.adoption=0.8".to_string(), "name=two words".to_string()];
        assert_eq!(label("No AI.", &[]), "No AI.");
        assert_eq!(
            label("No AI.", &sets),
            "No AI. Changed by --set ai.adoption=0.8 --set name=two words."
        );
        assert_eq!(label("", &sets[..1]), "With --set ai.adoption=0.8.");
        assert_eq!(
            set_flags(&sets),
            " --set ai.adoption=0.8 --set 'name=two words'"
        );
        assert_eq!(
            reproduce_command("s.toml", &sets[..1], 10, 7, "truth"),
            "dorasim run s.toml --set ai.adoption=0.8 --runs 10 --seed 7 --lens truth"
        );
        assert_eq!(
            reproduce_command(EMBEDDED_ORIGIN, &[], 10, 7, "truth"),
            "dorasim run --runs 10 --seed 7 --lens truth"
        );
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}
