//! `--set KEY=VALUE` overrides. The value is read as a TOML value (`8`, `0.8`, `true`,
//! `{ dist = "exponential", mean = 1.0 }`); anything that is not valid TOML is taken as a string,
//! so `--set deploy.policy=continuous` needs no quotes. Overrides then go through the same checks
//! as the file, and their problems are reported at `--set KEY`.

use toml_edit::{Document, Item, Value};

use super::error::ScenarioError;

/// One parsed override.
#[derive(Debug, Clone)]
pub(crate) struct Override {
    /// Dotted key path (`review.reviewers`).
    pub key: String,
    /// The value, as a document item.
    pub item: Item,
}

/// Parses `KEY=VALUE`.
pub(crate) fn parse(argument: &str) -> Result<Override, Box<ScenarioError>> {
    let malformed = |message: &str| {
        Box::new(ScenarioError {
            origin: format!("--set {argument}"),
            line: None,
            column: None,
            key_path: String::new(),
            found: argument.to_string(),
            message: message.to_string(),
            allowed: "KEY=VALUE, e.g. --set review.reviewers=8 or --set deploy.policy=continuous"
                .to_string(),
            suggestion: None,
        })
    };
    let Some((key, raw)) = argument.split_once('=') else {
        return Err(malformed(
            "an override needs `=` between the key and the value",
        ));
    };
    let key = key.trim();
    if key.is_empty() || key.split('.').any(str::is_empty) {
        return Err(malformed("an override needs a key path before `=`"));
    }
    let raw = raw.trim();
    Ok(Override {
        key: key.to_string(),
        item: parse_value(raw),
    })
}

/// A TOML value if `raw` is exactly one, a string otherwise.
fn parse_value(raw: &str) -> Item {
    if let Ok(doc) = Document::parse(format!("value = {raw}")) {
        let table = doc.as_table();
        if table.len() == 1
            && let Some(item @ Item::Value(_)) = table.get("value")
        {
            return item.clone();
        }
    }
    Item::Value(Value::from(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_toml_or_strings() {
        let parsed = |arg: &str| parse(arg).map(|o| (o.key, o.item.to_string().trim().to_string()));
        assert_eq!(
            parsed("review.reviewers=8").ok(),
            Some(("review.reviewers".into(), "8".into()))
        );
        assert_eq!(
            parsed("deploy.policy=continuous").ok(),
            Some(("deploy.policy".into(), "\"continuous\"".into()))
        );
        assert!(
            parse("review.effort_noise={ dist = \"exponential\", mean = 1.0 }")
                .is_ok_and(|o| o.item.is_inline_table())
        );
        assert!(parse("name=a\nb = 2").is_ok_and(|o| o.item.is_str()));
        assert!(parse("review.reviewers").is_err());
        assert!(parse("=3").is_err());
    }
}
