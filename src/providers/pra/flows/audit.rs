//! The audit on the issue a ticket ID named (when the app can see it): one note (internal on a
//! service desk request) saying who asked for which Jump Item, the decision, the rule that made
//! it and how the appliance took the answer; and the issue property `pam-approvals.pra` with the
//! issue's last [`HISTORY`] requests, for display and JQL only (the app never reads it back to
//! decide). Through `lifecycle::recording`, so a retry adds nothing twice.

use super::super::records::{self, Delivered, History, HistoryEntry, Received, Verdict, keys};
use super::super::wire::response::Decision;
use crate::caps::Caps;
use crate::jira::client::JiraError;
use crate::lifecycle::recording::{self, Event, Issue, Order};
use crate::store;

/// The property's key on the issue.
pub const PROPERTY: &str = "pam-approvals.pra";
/// Requests the property keeps, newest last.
pub const HISTORY: usize = 20;

/// Records the request on its issue; nothing when the verdict names no issue.
pub async fn record(
    caps: &Caps,
    id: &str,
    received: &Received,
    verdict: &Verdict,
    delivered: Option<Delivered>,
) -> Result<(), JiraError> {
    let Some(issue) = &verdict.issue else { return Ok(()) };
    let request = &received.request;
    let entry = HistoryEntry {
        id: id.to_string(),
        at: received.received_at,
        user: request.user.label(),
        jump_item: request.jump_item.label(),
        decision: verdict.decision,
        rule: verdict.rule.clone(),
        delivered,
    };
    let history = remember(caps, &issue.id, entry).await?;
    let decided = match verdict.decision {
        Decision::Allow => "allowed",
        Decision::Deny => "denied",
    };
    let mut lines = vec![format!(
        "BeyondTrust PRA access {decided}: {} for Jump Item {}",
        request.user.label(),
        request.jump_item.label()
    )];
    if let Some(jumpoint) = &request.jump_item.jumpoint_name {
        lines.push(format!("Jumpoint: {jumpoint}"));
    }
    lines.push(match verdict.decision {
        Decision::Allow => "Every configured rule passed.".to_string(),
        Decision::Deny => format!("Rule \"{}\": {}", verdict.rule, verdict.message),
    });
    if !verdict.attributes.is_empty() {
        let attributes: Vec<String> = verdict.attributes.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        lines.push(format!("Session attributes: {}", attributes.join("; ")));
    }
    if let Some(delivered) = delivered {
        lines.push(format!("{}.", delivered.describe()));
    }
    let event = Event {
        id: event_id(id),
        lines,
        property_key: PROPERTY,
        property: serde_json::json!({ "requests": history }),
        // The audit moves nothing: the target is where the issue is.
        target_status: &issue.status,
        order: Order::PropertyFirst,
        internal_note: true,
    };
    let at = Issue {
        id: &issue.id,
        key: &issue.key,
        status: &issue.status,
        project_type: &issue.project_type,
    };
    recording::record(caps, &keys::recording(id), at, event).await?;
    Ok(())
}

/// Whether every audit step of request `id` is done.
pub async fn done(caps: &Caps, id: &str) -> bool {
    recording::load(caps, &keys::recording(id), &event_id(id))
        .await
        .is_ok_and(|r| r.complete())
}

/// The recording's event: one per request.
fn event_id(id: &str) -> String {
    format!("pra:{id}")
}

/// Adds the entry to the issue's kept history (once), newest last, at most [`HISTORY`].
async fn remember(caps: &Caps, issue_id: &str, entry: HistoryEntry) -> Result<Vec<HistoryEntry>, JiraError> {
    let key = keys::history(issue_id);
    let mut history = caps
        .kv_get(&key)
        .await?
        .and_then(|text| store::decode::<History>(records::VERSION, &text))
        .unwrap_or_default()
        .requests;
    match history.iter_mut().find(|e| e.id == entry.id) {
        Some(kept) => *kept = entry,
        None => history.push(entry),
    }
    let excess = history.len().saturating_sub(HISTORY);
    history.drain(..excess);
    let kept = History { requests: history };
    caps.kv_set(&key, &store::encode(records::VERSION, &kept)).await?;
    Ok(kept.requests)
}
