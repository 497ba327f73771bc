//! Jira's `avi:jira:updated:issue` product event, as Forge delivers it to a `trigger` module
//! (and the local host's sandbox Jira emits it): which issue, whose change, and the changelog.
//! Everything here is a claim of the platform's about a change; providers still read the
//! issue and their own records before acting on it.

use serde_json::{Value, json};

use crate::caps::{CapError, Caps};

/// The one event type the app subscribes to.
pub const ISSUE_UPDATED: &str = "avi:jira:updated:issue";

/// Largest event payload read; Jira's events are a few kilobytes.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// An issue-updated event, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueUpdated {
    /// Jira's id of the issue (digits).
    pub issue_id: String,
    pub issue_key: String,
    /// The account whose change it is (a person, or the app itself).
    pub actor: String,
    /// The changelog's id: the same change delivered twice has the same one.
    pub changelog_id: String,
    /// The status change, if the change moved the issue.
    pub status: Option<StatusChange>,
}

/// A move from one status to another, as the changelog names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub from_id: String,
    pub from_name: String,
    pub to_id: String,
    pub to_name: String,
}

fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Reads an event of `event_type` from its JSON payload; the error names what is wrong.
pub fn parse(event_type: &str, payload: &str) -> Result<IssueUpdated, String> {
    if event_type != ISSUE_UPDATED {
        return Err(format!(
            "unknown event type \"{}\" (the app handles {ISSUE_UPDATED})",
            crate::text::printable(event_type, 60)
        ));
    }
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(format!(
            "the event has {} bytes; at most {MAX_PAYLOAD_BYTES} are read",
            payload.len()
        ));
    }
    let event: Value = serde_json::from_str(payload).map_err(|e| format!("the event is not JSON: {e}"))?;
    if !event.is_object() {
        return Err("the event is not a JSON object".into());
    }
    let issue_id = text(&event, "/issue/id").ok_or("the event has no issue.id")?;
    if !is_id(issue_id) {
        return Err("the event's issue.id is not a Jira issue id".into());
    }
    let issue_key = text(&event, "/issue/key").ok_or("the event has no issue.key")?;
    if !crate::jira::is_issue_key(issue_key) {
        return Err("the event's issue.key is not a Jira issue key".into());
    }
    let actor = text(&event, "/atlassianId").ok_or("the event has no atlassianId")?;
    if actor.len() > 128 {
        return Err("the event's atlassianId is too long".into());
    }
    let changelog_id = match event.pointer("/changelog/id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err("the event has no changelog.id".into()),
    };
    if !is_id(&changelog_id) {
        return Err("the event's changelog.id is not a Jira changelog id".into());
    }
    let items = match event.pointer("/changelog/items") {
        Some(Value::Array(items)) => items,
        _ => return Err("the event has no changelog.items list".into()),
    };
    let status = items
        .iter()
        .find(|item| text(item, "/fieldId") == Some("status") || text(item, "/field") == Some("status"))
        .map(|item| {
            let field = |name: &str| text(item, &format!("/{name}")).unwrap_or_default().to_string();
            StatusChange {
                from_id: field("from"),
                from_name: field("fromString"),
                to_id: field("to"),
                to_name: field("toString"),
            }
        });
    if let Some(change) = &status
        && (change.to_name.is_empty() || change.from_name.is_empty())
    {
        return Err("the event's status change names no status (fromString, toString)".into());
    }
    Ok(IssueUpdated {
        issue_id: issue_id.to_string(),
        issue_key: issue_key.to_string(),
        actor: actor.to_string(),
        changelog_id,
        status,
    })
}

/// How long a run handling an event keeps others off it; after that, its run is taken to have
/// died and a redelivery handles the event again.
const HANDLING_MS: u64 = 60_000;

/// Whether this run handles an event (`begin`): every delivery of one change but the first is
/// a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begun {
    /// This run handles it; `done` or `abandon` afterwards.
    Handle,
    /// Another delivery handled it, or is handling it now.
    Duplicate,
}

fn marker_key(event: &IssueUpdated) -> String {
    format!(
        "event:{}:{}",
        crate::store::key_part(&event.issue_id),
        crate::store::key_part(&event.changelog_id)
    )
}

/// Marks the event as being handled by this run, unless another delivery has it.
pub async fn begin(caps: &Caps, event: &IssueUpdated, now: u64) -> Result<Begun, CapError> {
    let key = marker_key(event);
    let mark = json!({"at": now, "done": false}).to_string();
    if caps.kv_set_if_absent(&key, &mark).await? {
        return Ok(Begun::Handle);
    }
    let held: Value = caps
        .kv_get(&key)
        .await?
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let done = held["done"].as_bool().unwrap_or(true);
    let since = held["at"].as_u64().unwrap_or(now);
    if done || now.saturating_sub(since) < HANDLING_MS {
        return Ok(Begun::Duplicate);
    }
    caps.kv_set(&key, &mark).await?;
    Ok(Begun::Handle)
}

/// The event is handled for good: later deliveries are duplicates.
pub async fn done(caps: &Caps, event: &IssueUpdated, now: u64) {
    let mark = json!({"at": now, "done": true}).to_string();
    if let Err(e) = caps.kv_set(&marker_key(event), &mark).await {
        caps.log(
            crate::protocol::LogLevel::Warn,
            format!(
                "{}: could not mark event {} handled: {e}",
                event.issue_key, event.changelog_id
            ),
        )
        .await;
    }
}

/// The run could not finish: a redelivery may try again at once.
pub async fn abandon(caps: &Caps, event: &IssueUpdated) {
    let _ = caps.kv_delete(&marker_key(event)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub fn moved(from: &str, to: &str) -> Value {
        json!({
            "eventType": ISSUE_UPDATED,
            "atlassianId": "acc-1",
            "issue": {"id": "10005", "key": "PMCJIT-5", "fields": {"status": {"name": to}}},
            "changelog": {"id": "10100", "items": [
                {"field": "status", "fieldtype": "jira", "fieldId": "status", "from": "10001", "fromString": from, "to": "10002", "toString": to},
            ]},
        })
    }

    #[test]
    fn reads_a_status_change() {
        let event = parse(ISSUE_UPDATED, &moved("Open", "Approved").to_string()).unwrap();
        assert_eq!(
            (event.issue_id.as_str(), event.issue_key.as_str()),
            ("10005", "PMCJIT-5")
        );
        assert_eq!((event.actor.as_str(), event.changelog_id.as_str()), ("acc-1", "10100"));
        let status = event.status.unwrap();
        assert_eq!(
            (status.from_name.as_str(), status.to_name.as_str()),
            ("Open", "Approved")
        );
        assert_eq!((status.from_id.as_str(), status.to_id.as_str()), ("10001", "10002"));
        let mut other = moved("Open", "Approved");
        other["changelog"]["items"] = json!([{"field": "labels", "fieldId": "labels", "toString": "x"}]);
        other["changelog"]["id"] = json!(10101);
        let event = parse(ISSUE_UPDATED, &other.to_string()).unwrap();
        assert_eq!((event.changelog_id.as_str(), event.status), ("10101", None));
    }

    #[test]
    fn names_what_is_wrong() {
        let cases: Vec<(&str, String, &str)> = vec![
            (
                "avi:jira:created:issue",
                moved("Open", "Approved").to_string(),
                "unknown event type",
            ),
            (ISSUE_UPDATED, "{".into(), "not JSON"),
            (ISSUE_UPDATED, "[]".into(), "not a JSON object"),
            (ISSUE_UPDATED, json!({}).to_string(), "issue.id"),
            (ISSUE_UPDATED, "x".repeat(MAX_PAYLOAD_BYTES + 1), "bytes"),
        ];
        for (kind, payload, expected) in cases {
            let error = parse(kind, &payload).unwrap_err();
            assert!(error.contains(expected), "{expected}: {error}");
        }
        let edits: [(&str, Value, &str); 6] = [
            ("/issue/id", json!("10005; drop"), "issue.id"),
            ("/issue/key", json!("../x"), "issue.key"),
            ("/atlassianId", json!(""), "atlassianId"),
            ("/changelog/id", json!(null), "changelog.id"),
            ("/changelog/items", json!({}), "changelog.items"),
            ("/changelog/items/0/toString", json!(""), "status change"),
        ];
        for (pointer, value, expected) in edits {
            let mut event = moved("Open", "Approved");
            *event.pointer_mut(pointer).unwrap() = value;
            let error = parse(ISSUE_UPDATED, &event.to_string()).unwrap_err();
            assert!(error.contains(expected), "{pointer}: {error}");
        }
    }
}
