//! The `session.custom.<code name>` attributes of an allowed session, from the issue.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::settings::PraSettings;
use super::window;
use crate::time;

/// Longest attribute value sent, in characters.
const MAX_VALUE_CHARS: usize = 255;

/// The attributes read from the issue; one without a value is left out.
pub fn from_issue(settings: &PraSettings, issue: &Value) -> BTreeMap<String, String> {
    let fields = &issue["fields"];
    let mut out = BTreeMap::new();
    for attribute in &settings.session_attributes {
        let value = match attribute.source.as_str() {
            "issueKey" => issue["key"].as_str().map(String::from),
            "issueUrl" => browse_url(issue),
            "summary" => fields["summary"].as_str().map(String::from),
            "status" => fields["status"]["name"].as_str().map(String::from),
            "assignee" => fields["assignee"]["displayName"].as_str().map(String::from),
            "windowStart" => window_time(&fields[settings.window_start_field.as_str()]),
            "windowEnd" => window_time(&fields[settings.window_end_field.as_str()]),
            field => text_of(&fields[field]),
        };
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            let value = crate::text::cap_chars(&value, MAX_VALUE_CHARS);
            out.insert(attribute.code_name.clone(), value);
        }
    }
    out
}

/// Without reading the issue (no rule needs it), only its key can be an attribute.
pub fn without_issue(settings: &PraSettings, key: Option<&str>) -> BTreeMap<String, String> {
    let Some(key) = key else { return BTreeMap::new() };
    settings
        .session_attributes
        .iter()
        .filter(|a| a.source == "issueKey")
        .map(|a| (a.code_name.clone(), key.to_string()))
        .collect()
}

/// `https://<site>/browse/<key>`, from the issue's `self` link.
fn browse_url(issue: &Value) -> Option<String> {
    let link = issue["self"].as_str()?;
    let site = &link[..link.find("/rest/api/")?];
    Some(format!("{site}/browse/{}", issue["key"].as_str()?))
}

fn window_time(value: &Value) -> Option<String> {
    window::instant(value).map(time::iso)
}

/// A field's value as text: strings and numbers as they are, options and people by name,
/// lists joined by commas.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(text_of).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        Value::Object(o) => ["value", "displayName", "name"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str).map(String::from)),
        Value::Null => None,
    }
}
