//! Recording how a request ended on its issue, once (`lifecycle::recording`): a note with the
//! time and the person (internal on service desk requests), the move to the configured status,
//! and the `pam-approvals.keeper` property with the structured audit. Everything as the app.

use serde_json::{Value, json};

use super::super::records::{Outcome, Request, keys};
use super::super::settings::KeeperSettings;
use super::super::subject::Subject;
use super::ticket::ISSUE_PROPERTY;
use crate::caps::Caps;
use crate::jira::client::{self, JiraError};
use crate::lifecycle::recording::{self, Event, Issue, Order, Recorded};
use crate::protocol::Actor;
use crate::time;

/// KEPM requests end this long after Keeper created them.
pub const KEPM_LIFETIME_MS: u64 = 30 * 60 * 1000;

/// The property the app writes: what the request is and how it ended (display and search
/// only; `openUntil`, indexed, lets the expiry tick find open KEPM requests).
pub fn property(request: &Request, outcome: Option<&Outcome>) -> Value {
    let mut property = json!({
        "provider": "keeper",
        "sid": request.sid,
        "kind": request.subject.kind(),
        "subject": request.subject,
        "raisedAt": request.raised_at,
    });
    match outcome {
        Some(outcome) => property["outcome"] = json!(outcome),
        None if matches!(request.subject, Subject::Kepm { .. }) => {
            property["openUntil"] = json!(request.raised_at + KEPM_LIFETIME_MS);
        }
        None => {}
    }
    property
}

fn lines(request: &Request, outcome: &Outcome) -> Vec<String> {
    let what = request.subject.label();
    let when = time::display(outcome.at);
    let by = outcome.by.as_deref().unwrap_or("someone");
    match (outcome.source.as_str(), outcome.result.as_str()) {
        ("jira", result) => vec![
            format!("Keeper: {what} {result} in Jira by {by}"),
            format!("Decided at {when}; Commander confirmed Keeper's new status."),
        ],
        ("expiry", _) => vec![
            format!("Keeper: {what} expired"),
            format!(
                "KEPM requests expire 30 minutes after Keeper created them ({}); the app recorded it at {when}.",
                time::display(request.raised_at)
            ),
        ],
        (_, "decided") => vec![
            format!("Keeper: {what} was processed outside Jira"),
            format!(
                "At {when} it was no longer pending in Keeper: approved or denied there (Keeper does not say which)."
            ),
        ],
        (_, result) => vec![
            format!("Keeper: {what} was processed outside Jira"),
            match &outcome.by {
                Some(by) => format!("Keeper shows it {result} by {by}; recorded at {when}."),
                None => format!("Keeper shows it {result}; recorded at {when}."),
            },
        ],
    }
}

/// Records `outcome` on the request's issue (each step once).
pub async fn on_issue(
    caps: &Caps,
    settings: &KeeperSettings,
    request: &Request,
    outcome: &Outcome,
) -> Result<Recorded, JiraError> {
    let path = format!("/rest/api/3/issue/{}?fields=status,project", request.issue_id);
    let issue = client::call(caps, Actor::App, "GET", &path, None).await?;
    let status = issue
        .pointer("/fields/status/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let project_type = issue
        .pointer("/fields/project/projectTypeKey")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let target = match outcome.result.as_str() {
        "approved" => settings.approved_status.as_str(),
        "denied" => settings.denied_status.as_str(),
        "expired" => settings.expired_status.as_str(),
        // Keeper does not say which: the status stays.
        _ => status,
    };
    let order = if outcome.source == "expiry" {
        Order::PropertyLast
    } else {
        Order::PropertyFirst
    };
    recording::record(
        caps,
        &keys::recording(&request.issue_id),
        Issue {
            id: &request.issue_id,
            key: &request.issue_key,
            status,
            project_type,
        },
        Event {
            id: format!("{}:{}", outcome.source, outcome.result),
            lines: lines(request, outcome),
            property_key: ISSUE_PROPERTY,
            property: property(request, Some(outcome)),
            target_status: target,
            order,
            internal_note: settings.internal_note,
        },
    )
    .await
}
