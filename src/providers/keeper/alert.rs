//! A Keeper Admin Console alert webhook, as the admin composes it from Keeper's variables
//! (docs/keeper.md, "The alert webhook"): a JSON object with `alert_name`, `description`,
//! `timestamp`, `remote_address`, `username` and `json`, the raw ARAM event (an object, or that
//! object as a string when the template quotes `#json`). The event's name is `json.audit_event`,
//! else the alert's title. Unknown events are accepted and only logged; a known event without
//! the field that identifies its request is refused, naming the field.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::subject::{Email, Subject, Uid};
use crate::text::printable;

/// What an alert is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A new request: a KEPM elevation ("Agent created approval request") or an SSO device
    /// ("Device admin approval requested").
    Created(Box<Request>),
    /// A KEPM request's status changed in Keeper ("Changed approval request status").
    StatusChanged(Uid),
    /// Any other alert: kept out, logged.
    Other(String),
}

/// A new request as the alert describes it: display only, except the subject (validated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub subject: Subject,
    /// Keeper's user who asked, when the alert names one.
    pub username: Option<String>,
    /// When Keeper raised it (ISO-8601, as sent) and as an instant.
    pub timestamp: String,
    pub at: Option<u64>,
    pub alert_name: String,
    pub description: String,
    pub remote_address: String,
    pub client_version: String,
    pub agent_uid: String,
    pub enterprise_id: Option<i64>,
}

/// A refusal naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

const CREATED_KEPM: [&str; 2] = ["approval_request_created", "agent created approval request"];
const CHANGED_KEPM: [&str; 3] = [
    "approval_request_status_changed",
    "changed approval request status",
    "approval_request_status_change",
];
const CREATED_DEVICE: [&str; 2] = ["device_admin_approval_requested", "device admin approval requested"];

fn text(object: &Map<String, Value>, key: &str, max: usize) -> String {
    match object.get(key) {
        Some(Value::String(s)) => printable(s.trim(), max),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

pub fn parse(body: &str) -> Result<Event, Invalid> {
    let value: Value = crate::text::parse_json(body).map_err(|e| match e {
        crate::text::JsonProblem::Syntax(e) => Invalid(format!(
            "the alert is not JSON ({e}); send the webhook body the configuration page shows"
        )),
        crate::text::JsonProblem::DuplicateKey(key) => {
            Invalid(format!("\"{key}\" is sent twice with different values"))
        }
    })?;
    let Value::Object(alert) = value else {
        return Err(Invalid("the alert must be a JSON object".into()));
    };
    let event = match alert.get("json") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(Value::String(s)) if s.trim().is_empty() => Map::new(),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(o)) => o,
            _ => return Err(Invalid("\"json\" must be Keeper's #json event: a JSON object".into())),
        },
        Some(_) => return Err(Invalid("\"json\" must be Keeper's #json event: a JSON object".into())),
    };
    // The event's own fields first, the alert's variables where it has none.
    let pick = |key: &str, max: usize| {
        let own = text(&event, key, max);
        if own.is_empty() { text(&alert, key, max) } else { own }
    };
    let alert_name = text(&alert, "alert_name", 200);
    let audit_event = text(&event, "audit_event", 100);
    let name = if audit_event.is_empty() {
        alert_name.to_ascii_lowercase()
    } else {
        audit_event.to_ascii_lowercase()
    };
    let is = |names: &[&str]| names.contains(&name.as_str());
    let timestamp = pick("timestamp", 40);
    let username = Some(pick("username", 254)).filter(|u| !u.is_empty());
    let request = |subject: Subject| Request {
        subject,
        username: username.clone(),
        at: crate::time::parse(&timestamp),
        timestamp: timestamp.clone(),
        alert_name: alert_name.clone(),
        description: text(&alert, "description", 1_000),
        remote_address: pick("remote_address", 60),
        client_version: pick("client_version", 60),
        agent_uid: pick("agent_uid", 60),
        enterprise_id: event.get("enterprise_id").and_then(Value::as_i64),
    };
    let uid = || {
        let raw = pick("request_uid", 100);
        if raw.is_empty() {
            return Err(Invalid("json.request_uid is required for a KEPM approval alert".into()));
        }
        Uid::parse(&raw).map_err(|e| Invalid(format!("json.request_uid: {e}")))
    };
    if is(&CREATED_KEPM) {
        return Ok(Event::Created(Box::new(request(Subject::Kepm { uid: uid()? }))));
    }
    if is(&CHANGED_KEPM) {
        return Ok(Event::StatusChanged(uid()?));
    }
    if is(&CREATED_DEVICE) {
        let raw = username.clone().ok_or_else(|| {
            Invalid("json.username (the user's e-mail) is required for a device approval alert".into())
        })?;
        let email = Email::parse(&raw).map_err(|e| Invalid(format!("json.username: {e}")))?;
        let device_name = Some(pick("device_name", 100)).filter(|d| !d.is_empty());
        let device_id = Some(pick("device_id", 40))
            .filter(|d| !d.is_empty())
            .map(|d| super::subject::DeviceId::parse(&d).map_err(|e| Invalid(format!("json.device_id: {e}"))))
            .transpose()?;
        return Ok(Event::Created(Box::new(request(Subject::Device {
            email,
            device_id,
            device_name,
        }))));
    }
    let shown = if name.is_empty() {
        "(no name)".to_string()
    } else {
        printable(&name, 80)
    };
    Ok(Event::Other(shown))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const UID: &str = "hV0Y0cF1SxSLFwQd0yQ8Kw";

    #[test]
    fn reads_a_kepm_alert_with_the_event_as_object_or_string() {
        let event = json!({"audit_event": "approval_request_created", "category": "epm", "username": "bob@example.com",
            "timestamp": "2023-11-14T22:13:20Z", "enterprise_id": 42, "agent_uid": "a1", "request_uid": UID});
        for json_value in [event.clone(), Value::String(event.to_string())] {
            let body = json!({"alert_name": "Agent created approval request", "json": json_value}).to_string();
            let Event::Created(request) = parse(&body).unwrap() else {
                panic!()
            };
            assert_eq!(
                request.subject,
                Subject::Kepm {
                    uid: Uid::parse(UID).unwrap()
                }
            );
            assert_eq!(request.username.as_deref(), Some("bob@example.com"));
            assert_eq!(request.at, Some(1_700_000_000_000));
            assert_eq!(request.enterprise_id, Some(42));
        }
    }

    #[test]
    fn the_alert_title_names_the_event_when_the_json_does_not() {
        let body = json!({"alert_name": "Changed approval request status", "json": {"request_uid": UID}}).to_string();
        assert_eq!(parse(&body).unwrap(), Event::StatusChanged(Uid::parse(UID).unwrap()));
        let body = json!({"alert_name": "Device admin approval requested", "username": "Bob@Example.com", "json": {"device_name": "Bob's Mac"}}).to_string();
        let Event::Created(request) = parse(&body).unwrap() else {
            panic!()
        };
        assert_eq!(request.subject.label(), "device \"Bob's Mac\" of bob@example.com");
    }

    #[test]
    fn unknown_events_are_other_and_bad_fields_are_named() {
        let body = json!({"alert_name": "Record shared", "json": {"audit_event": "record_share"}}).to_string();
        assert_eq!(parse(&body).unwrap(), Event::Other("record_share".into()));
        for (body, field) in [
            (
                json!({"json": {"audit_event": "approval_request_created"}}),
                "json.request_uid",
            ),
            (
                json!({"json": {"audit_event": "approval_request_created", "request_uid": "x; rm -rf /"}}),
                "json.request_uid",
            ),
            (
                json!({"json": {"audit_event": "device_admin_approval_requested"}}),
                "json.username",
            ),
            (
                json!({"json": {"audit_event": "device_admin_approval_requested", "username": "--deny"}}),
                "json.username",
            ),
            (json!({"json": 5}), "\"json\""),
            (json!([1]), "JSON object"),
        ] {
            let Invalid(message) = parse(&body.to_string()).unwrap_err();
            assert!(message.contains(field), "{message}");
        }
        assert!(parse("{").unwrap_err().0.contains("not JSON"));
    }
}
