//! Recording a decision on its issue, in this order: the note (the audit trail comes first: a
//! note twice is better than none), the issue property, then the transition to the configured
//! status. All as the app, so the record does not depend on the approver's own permissions.

use serde_json::{Value, json};

use super::issue::IssueFacts;
use super::map::ISSUE_PROPERTY;
use super::property::{DecisionRecord, EpmProperty};
use super::view::decision_lines;
use crate::caps::Caps;
use crate::config::Config;
use crate::jira::adf;
use crate::jira::client::{self, JiraError};
use crate::protocol::{Actor, LogLevel};

/// Where the note went and what happened to the status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// `true` for a JSM internal note, `false` for a platform comment.
    pub internal_note: bool,
    /// The status the issue moved to, if it moved.
    pub moved_to: Option<String>,
    /// Why the status did not move, when it should have.
    pub status_note: Option<String>,
}

/// The status a decision should lead to.
pub fn target_status(config: &Config, record: &DecisionRecord) -> String {
    if record.approved {
        config.approved_status.clone()
    } else {
        config.denied_status.clone()
    }
}

pub async fn on_issue(
    caps: &Caps,
    config: &Config,
    issue: &IssueFacts,
    property: &EpmProperty,
    record: &DecisionRecord,
) -> Result<Recorded, JiraError> {
    let mut lines = vec![format!(
        "EPM access request {} (request id {}).",
        if record.approved { "approved" } else { "denied" },
        property.request_id
    )];
    lines.extend(decision_lines(record));
    let mut updated = property.clone();
    updated.decision = Some(record.clone());
    // An approval with an end waits for the expiry tick (`expiry.rs`); anything else does not.
    updated.open_expiry = record.expires_at.filter(|_| record.approved);
    updated.expired_at = None;
    write(caps, config, issue, lines, &updated, &target_status(config, record)).await
}

/// Records that an approval has ended: a note, the property without `openExpiry` (so the
/// expiry search does not find it again) and with `expiredAt`, then the move to the configured
/// expired status.
pub async fn expiry(
    caps: &Caps,
    config: &Config,
    issue: &IssueFacts,
    property: &EpmProperty,
    decision: &DecisionRecord,
    now: u64,
) -> Result<Recorded, JiraError> {
    let lines = vec![
        format!("EPM access expired (request id {}).", property.request_id),
        format!(
            "The approval for {} by {} ended at {}.",
            decision.duration_label,
            decision.decided_by.display_name,
            crate::time::display(decision.expires_at.unwrap_or(now))
        ),
    ];
    let mut updated = property.clone();
    updated.open_expiry = None;
    updated.expired_at = Some(now);
    write(caps, config, issue, lines, &updated, &config.expired_status).await
}

/// The record's three writes, in order: the note (`lines`, plus why the status stays when the
/// workflow cannot reach `target`), the property, then the transition.
async fn write(
    caps: &Caps,
    config: &Config,
    issue: &IssueFacts,
    mut lines: Vec<String>,
    property: &EpmProperty,
    target: &str,
) -> Result<Recorded, JiraError> {
    let already_there = issue.status.eq_ignore_ascii_case(target);
    let transition = if already_there {
        None
    } else {
        find_transition(caps, &issue.key, target).await?
    };
    let status_note = (!already_there && transition.is_none()).then(|| {
        format!(
            "The status stays \"{}\": the workflow has no transition to \"{target}\" from it.",
            issue.status
        )
    });
    lines.extend(status_note.clone());
    let internal_note = add_note(caps, config, issue, &lines).await?;
    let path = format!("/rest/api/3/issue/{}/properties/{ISSUE_PROPERTY}", issue.key);
    client::call(caps, Actor::App, "PUT", &path, Some(&property.to_value())).await?;
    let mut moved_to = None;
    if let Some(id) = transition {
        let path = format!("/rest/api/3/issue/{}/transitions", issue.key);
        let body = json!({"transition": {"id": id}});
        client::call(caps, Actor::App, "POST", &path, Some(&body)).await?;
        moved_to = Some(target.to_string());
    }
    if let Some(note) = &status_note {
        caps.log(LogLevel::Warn, format!("{}: {note}", issue.key)).await;
    }
    Ok(Recorded {
        internal_note,
        moved_to,
        status_note,
    })
}

/// The id of a transition leading to `target` (by the target status's name, else by the
/// transition's own name); `None` when the workflow has none from the current status.
async fn find_transition(caps: &Caps, key: &str, target: &str) -> Result<Option<String>, JiraError> {
    let path = format!("/rest/api/3/issue/{key}/transitions");
    let answer = client::call(caps, Actor::App, "GET", &path, None).await?;
    let transitions = answer["transitions"].as_array().cloned().unwrap_or_default();
    let named = |pointer: &str| {
        transitions.iter().find(|t| {
            t.pointer(pointer)
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(target))
        })
    };
    Ok(named("/to/name")
        .or_else(|| named("/name"))
        .and_then(|t| t["id"].as_str().map(String::from)))
}

/// A JSM internal note on service desk requests (when configured), else a platform comment.
/// An issue in a service desk project that is not a customer request refuses the JSM call; it
/// gets a platform comment marked internal with JSM's `sd.public.comment` property, so that the
/// note does not become visible to the customer who asked.
async fn add_note(caps: &Caps, config: &Config, issue: &IssueFacts, lines: &[String]) -> Result<bool, JiraError> {
    let wants_internal = config.internal_note && issue.project_type == "service_desk";
    if wants_internal {
        let path = format!("/rest/servicedeskapi/request/{}/comment", issue.key);
        let body = json!({"body": lines.join("\n"), "public": false});
        match client::call(caps, Actor::App, "POST", &path, Some(&body)).await {
            Ok(_) => return Ok(true),
            Err(JiraError::Refused {
                status: 400 | 403 | 404,
                message,
                ..
            }) => {
                caps.log(
                    LogLevel::Warn,
                    format!(
                        "{} took no internal note ({message}); adding a comment instead",
                        issue.key
                    ),
                )
                .await;
            }
            Err(e) => return Err(e),
        }
    }
    let mut paragraphs = vec![adf::paragraph([adf::strong(&lines[0])])];
    paragraphs.extend(lines[1..].iter().map(|l| adf::paragraph([adf::text(l)])));
    let mut body = json!({"body": adf::doc(paragraphs)});
    if wants_internal {
        body["properties"] = json!([{"key": "sd.public.comment", "value": {"internal": true}}]);
    }
    let path = format!("/rest/api/3/issue/{}/comment", issue.key);
    client::call(caps, Actor::App, "POST", &path, Some(&body)).await?;
    Ok(false)
}
