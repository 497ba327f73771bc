//! `%%Name%%` templates (the summary): checking and rendering with a request's values.

use crate::providers::epm::wire::TicketCreated;
use crate::providers::epm::wire::fields;

/// Jira's limit on a summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 255;

/// Names of the placeholders used in a template, or the first problem found.
fn placeholder_names(template: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("%%") {
        let after = &rest[start + 2..];
        let end = after
            .find("%%")
            .ok_or_else(|| format!("unclosed placeholder after \"{}\"", &rest[..start]))?;
        let name = &after[..end];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("\"%%{name}%%\" is not a placeholder name"));
        }
        names.push(name);
        rest = &after[end + 2..];
    }
    Ok(names)
}

/// Checks that every placeholder is closed and names a field of the EPM request.
pub fn check_template(template: &str) -> Result<(), String> {
    if template.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if template.chars().count() > 1000 {
        return Err("is longer than 1000 characters".into());
    }
    for name in placeholder_names(template)? {
        if fields::by_placeholder(name).is_none() {
            return Err(format!("unknown placeholder %%{name}%%"));
        }
    }
    Ok(())
}

/// Renders the summary: placeholders replaced by the request's values (absent ones by nothing),
/// whitespace and control characters collapsed to single spaces, capped at Jira's 255.
pub fn render_summary(template: &str, request: &TicketCreated) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("%%") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("%%") {
            Some(end) => {
                let name = &after[..end];
                if let Some(field) = fields::by_placeholder(name) {
                    out.push_str(request.get(field.key).unwrap_or(""));
                } else {
                    // Validation refuses unknown names; an old stored template keeps them visible.
                    out.push_str(&rest[start..start + 2 + end + 2]);
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let collapsed = out
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty());
    let mut summary = collapsed.collect::<Vec<_>>().join(" ");
    // A template whose values were all absent can end in a dangling separator.
    summary = summary.trim_end_matches([' ', '-', ':', '|']).to_string();
    if summary.is_empty() {
        summary = "EPM JIT Application Access Request".into();
    }
    cap_chars(&summary, MAX_SUMMARY_CHARS)
}

pub use crate::text::cap_chars;
