//! Rule 5: the Jump Item is listed on the issue, in the configured field: a text field (names
//! separated by commas, semicolons, spaces or lines; a paragraph field's document too), labels,
//! or a select list. What of the Jump Item may match is configured (host name, IP addresses,
//! group); a host name matches in full or by its first label (`web-01` for
//! `web-01.corp.example`). Any case.

use serde_json::Value;

use super::super::settings::PraSettings;
use super::super::wire::JumpItem;
use super::ticket::Ticket;

/// Why the Jump Item is not on the issue; `None` when it is.
pub fn mismatch(settings: &PraSettings, issue: &Value, item: &JumpItem, ticket: &Ticket) -> Option<String> {
    let listed = listed(&issue["fields"][settings.asset_field.as_str()]);
    let mut candidates = Vec::new();
    for what in &settings.asset_match {
        let value = match what.as_str() {
            "computer_name" => item.computer_name.as_deref(),
            "public_ip" => item.public_ip.as_deref(),
            "private_ip" => item.private_ip.as_deref(),
            "group" => item.group.as_deref(),
            _ => None,
        };
        if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
            candidates.push(value.to_string());
            if what == "computer_name"
                && let Some((host, _)) = value.split_once('.')
                && !host.bytes().all(|b| b.is_ascii_digit())
            {
                candidates.push(host.to_string());
            }
        }
    }
    let on_ticket = candidates
        .iter()
        .any(|c| listed.iter().any(|l| l.eq_ignore_ascii_case(c)));
    if on_ticket {
        return None;
    }
    if listed.is_empty() {
        return Some(format!("{} lists no Jump Items.", ticket.subject()));
    }
    Some(format!(
        "Jump Item {} is not listed on {}.",
        item.label(),
        ticket.object()
    ))
}

/// Every name the field lists.
pub fn listed(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(value, &mut out);
    out
}

fn collect(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.extend(
            text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(String::from),
        ),
        Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
        // A select option (`value`), or a document (its text nodes, under `content`).
        Value::Object(object) => {
            if let Some(v) = object.get("value") {
                collect(v, out);
            }
            if object.get("type").and_then(Value::as_str) == Some("text") {
                if let Some(text) = object.get("text") {
                    collect(text, out);
                }
            } else if let Some(content) = object.get("content") {
                collect(content, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_labels_selects_and_documents_are_read() {
        assert_eq!(listed(&json!("web-01, db-02;\nfs-03")), ["web-01", "db-02", "fs-03"]);
        assert_eq!(listed(&json!(["web-01", "db-02"])), ["web-01", "db-02"]);
        assert_eq!(listed(&json!([{"value": "web-01", "id": "1"}])), ["web-01"]);
        assert_eq!(listed(&json!({"value": "web-01"})), ["web-01"]);
        let document = json!({"type": "doc", "version": 1, "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "web-01 and 10.0.4.21"}]}]});
        assert_eq!(listed(&document), ["web-01", "and", "10.0.4.21"]);
        assert!(listed(&Value::Null).is_empty());
    }
}
