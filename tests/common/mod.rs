//! Helpers shared by the report tests.

/// Every value of `attribute="…"` in the page.
fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!("{attribute}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push(&rest[..end]);
    }
    out
}

/// Problems that would make the page fetch anything or depend on anything outside itself.
pub fn external_references(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let lower = html.to_lowercase();
    for attribute in [
        "src",
        "href",
        "xlink:href",
        "action",
        "srcset",
        "poster",
        "data",
    ] {
        for value in attribute_values(&lower, attribute) {
            if !value.starts_with('#') {
                problems.push(format!("{attribute}=\"{value}\""));
            }
        }
    }
    for pattern in [
        "http://",
        "https://",
        "<script",
        "<link",
        "@import",
        "url(",
        "<iframe",
        "<object",
        "<embed",
        "<img",
        "@font-face",
    ] {
        if lower.contains(pattern) {
            problems.push(format!("contains `{pattern}`"));
        }
    }
    problems
}
