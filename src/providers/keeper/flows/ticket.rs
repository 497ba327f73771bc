//! The issue a panel was opened on, read as the signed-in user (nobody sees an issue Jira
//! would hide from them), and the request it is: from the app's binding (`records::for_issue`)
//! when there is one; else, for a ticket Keeper ITSM made, from the configured field or the
//! description's documented lines, bound once (`records::write_request`) so that later edits of
//! the ticket never change which request it is. Who may decide never comes from here.

use serde_json::Value;

use super::super::records::{self, Request};
use super::super::settings::KeeperSettings;
use super::super::subject::{DeviceId, Email, Kind, Subject, Uid};
use crate::caps::Caps;
use crate::jira::client;
use crate::jira::is_issue_key;
use crate::protocol::Actor;
use crate::resolver::{Refusal, storage};

/// The issue property the app writes on Keeper issues (display and search only).
pub const ISSUE_PROPERTY: &str = "pam-approvals.keeper";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: String,
    pub key: String,
    pub status: String,
    pub project_key: String,
    pub project_type: String,
    pub kind: Option<Kind>,
    /// The configured subject field's text, if set on the issue.
    pub field: Option<String>,
    /// The description's text (ADF flattened to lines).
    pub description: String,
}

impl Ticket {
    /// The issue as `lifecycle::recording` writes to it.
    pub fn at(&self) -> crate::lifecycle::recording::Issue<'_> {
        crate::lifecycle::recording::Issue {
            id: &self.id,
            key: &self.key,
            status: &self.status,
            project_type: &self.project_type,
        }
    }
}

pub async fn load(caps: &Caps, actor: Actor, key: &str, settings: &KeeperSettings) -> Result<Ticket, Refusal> {
    if !is_issue_key(key) {
        return Err(Refusal::new("no-issue", "This panel was opened without a valid issue."));
    }
    let mut fields = "labels,status,project,description".to_string();
    if !settings.subject_field.is_empty() {
        fields.push(',');
        fields.push_str(&settings.subject_field);
    }
    let path = format!("/rest/api/3/issue/{key}?fields={fields}");
    let issue = client::call(caps, actor, "GET", &path, None)
        .await
        .map_err(|e| crate::resolver::issue_refusal(key, e))?;
    Ok(read(key, &issue, settings))
}

pub fn read(key: &str, issue: &Value, settings: &KeeperSettings) -> Ticket {
    let text = |pointer: &str| issue.pointer(pointer).and_then(Value::as_str).unwrap_or("").to_string();
    let labels = issue
        .pointer("/fields/labels")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect::<Vec<_>>())
        .unwrap_or_default();
    let field = if settings.subject_field.is_empty() {
        None
    } else {
        issue
            .pointer(&format!("/fields/{}", settings.subject_field))
            .and_then(Value::as_str)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut description = String::new();
    flatten(
        issue.pointer("/fields/description").unwrap_or(&Value::Null),
        &mut description,
    );
    Ticket {
        id: text("/id"),
        key: issue["key"].as_str().unwrap_or(key).to_string(),
        status: text("/fields/status/name"),
        project_key: text("/fields/project/key"),
        project_type: text("/fields/project/projectTypeKey"),
        kind: Kind::from_labels(labels.into_iter()),
        field,
        description,
    }
}

/// ADF to text: each block on its own line (bounded, as descriptions can be large).
fn flatten(node: &Value, out: &mut String) {
    if out.len() > 20_000 {
        return;
    }
    match node {
        Value::String(s) => out.push_str(s),
        Value::Object(o) => {
            if let Some(Value::String(t)) = o.get("text") {
                out.push_str(t);
            }
            if let Some(Value::Array(children)) = o.get("content") {
                for child in children {
                    flatten(child, out);
                }
            }
            if matches!(
                o.get("type").and_then(Value::as_str),
                Some("paragraph" | "heading" | "tableRow" | "listItem")
            ) {
                out.push('\n');
            }
        }
        _ => {}
    }
}

/// The value of a `Name: value` line of the description, for the first name that has one.
fn line_value<'a>(text: &'a str, names: &[&str]) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        let name = name.trim().trim_matches('*').trim();
        names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
            .then(|| value.trim().trim_matches(['`', '*']).trim())
            .filter(|v| !v.is_empty())
    })
}

/// The request a Keeper ITSM ticket names (docs/keeper.md, "Tickets Keeper ITSM made"): the
/// configured field, else the description's `Request UID:` line (KEPM) or `Email:` /
/// `Username:` line with an optional `Device name:` line (SSO device). The values must have the
/// exact shape of a UID or an e-mail; the error says where the app looked.
pub fn subject_of(ticket: &Ticket, kind: Kind, settings: &KeeperSettings) -> Result<Subject, String> {
    let field_name = if settings.subject_field.is_empty() {
        "the description"
    } else {
        "the subject field"
    };
    match kind {
        Kind::Kepm => {
            let raw = ticket
                .field
                .as_deref()
                .or_else(|| line_value(&ticket.description, &["Request UID", "Approval UID", "UID"]))
                .ok_or(format!(
                    "no KEPM request UID was found in {field_name} (a \"Request UID: …\" line)"
                ))?;
            Ok(Subject::Kepm { uid: Uid::parse(raw)? })
        }
        Kind::Device => {
            let raw = ticket
                .field
                .as_deref()
                .or_else(|| line_value(&ticket.description, &["Email", "Username", "User"]))
                .ok_or(format!(
                    "no user e-mail was found in {field_name} (an \"Email: …\" line)"
                ))?;
            let device_id = line_value(&ticket.description, &["Device ID"]).and_then(|d| DeviceId::parse(d).ok());
            let device_name =
                line_value(&ticket.description, &["Device name", "Device"]).map(|d| crate::text::printable(d, 100));
            Ok(Subject::Device {
                email: Email::parse(raw)?,
                device_id,
                device_name,
            })
        }
    }
}

/// The request the ticket is: the app's binding, or a first binding of a Keeper ITSM ticket.
pub async fn request_of(caps: &Caps, ticket: &Ticket, settings: &KeeperSettings) -> Result<Request, Refusal> {
    if let Some(request) = records::for_issue(caps, &ticket.id).await.map_err(storage)? {
        return Ok(request);
    }
    let Some(kind) = ticket.kind else {
        return Err(Refusal::new(
            "not-keeper",
            "This issue has no Keeper approval label (ITSM_approval_request_created or ITSM_device_admin_approval_requested).",
        ));
    };
    let subject = subject_of(ticket, kind, settings).map_err(|e| Refusal::new("not-keeper", format!("{e}.")))?;
    let now = caps.now().await.map_err(storage)?;
    let request = Request {
        // A ticket of Keeper ITSM is its own device request (its time tells requests apart).
        sid: records::sid(&subject, &ticket.id),
        subject,
        issue_key: ticket.key.clone(),
        issue_id: ticket.id.clone(),
        raised_at: now,
        username: None,
        source: "ticket".into(),
    };
    let bound = records::write_request(caps, &request).await.map_err(storage)?;
    if bound == request.sid {
        // The app's property (as the app), so the expiry tick finds the ticket from now on.
        let property = super::record::property(&request, None);
        if let Err(e) = crate::lifecycle::recording::put_property(caps, &ticket.id, ISSUE_PROPERTY, &property).await {
            caps.log(
                crate::protocol::LogLevel::Warn,
                format!("{}: the Keeper property could not be written ({e})", ticket.key),
            )
            .await;
        }
    }
    if bound != request.sid {
        // Someone bound it first (a concurrent view): that binding stands.
        return records::read_request(caps, &bound)
            .await
            .map_err(storage)?
            .ok_or_else(|| Refusal::new("unavailable", "The issue's request is being recorded; try again."));
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ticket(labels: &[&str], description: Value) -> Ticket {
        let issue = json!({"id": "10001", "key": "OPS-1", "fields": {"labels": labels, "description": description,
            "status": {"name": "Open"}, "project": {"key": "OPS", "projectTypeKey": "software"}}});
        read("OPS-1", &issue, &KeeperSettings::default())
    }

    fn adf(lines: &[&str]) -> Value {
        json!({"type": "doc", "version": 1, "content": lines.iter().map(|l| json!({"type": "paragraph", "content": [{"type": "text", "text": l}]})).collect::<Vec<_>>()})
    }

    #[test]
    fn reads_the_subject_from_the_descriptions_documented_lines() {
        let settings = KeeperSettings::default();
        let kepm = ticket(
            &["ITSM_approval_request_created"],
            adf(&["Elevation asked", "Request UID: hV0Y0cF1SxSLFwQd0yQ8Kw"]),
        );
        assert_eq!(kepm.kind, Some(Kind::Kepm));
        assert_eq!(
            subject_of(&kepm, Kind::Kepm, &settings).unwrap().label(),
            "KEPM request hV0Y0cF1SxSLFwQd0yQ8Kw"
        );
        let device = ticket(
            &["ITSM_device_admin_approval_requested"],
            adf(&["**Email:** bob@example.com", "Device name: Bob's Mac"]),
        );
        assert_eq!(
            subject_of(&device, Kind::Device, &settings).unwrap().label(),
            "device \"Bob's Mac\" of bob@example.com"
        );
    }

    #[test]
    fn a_forged_subject_never_reaches_a_command() {
        let settings = KeeperSettings::default();
        for line in [
            "Request UID: hV0Y0cF1SxSLFwQd0yQ8Kw; rm -rf /",
            "Request UID: --approve",
            "Request UID: \"x\"\n--deny",
        ] {
            let forged = ticket(&["ITSM_approval_request_created"], adf(&[line]));
            assert!(subject_of(&forged, Kind::Kepm, &settings).is_err(), "{line}");
        }
        let none = ticket(&["ITSM_approval_request_created"], Value::Null);
        assert!(
            subject_of(&none, Kind::Kepm, &settings)
                .unwrap_err()
                .contains("Request UID")
        );
        let bad_email = ticket(
            &["ITSM_device_admin_approval_requested"],
            adf(&["Email: bob@example.com --approve"]),
        );
        assert!(subject_of(&bad_email, Kind::Device, &settings).is_err());
    }
}
