//! Deciding a Keeper request by moving its issue: a person moves the issue of a request to the
//! configured status after approval or denial, and the decision goes to Keeper through Commander
//! with the panel's own rules and path (`decide::decide_as`: Keeper's live state, the 30-minute
//! window, who may decide and never the requester, first decision wins). The event only names
//! who moved the issue where; the request is the app's record for the issue's Jira id. A move the
//! app does not accept is moved back with a note (`lifecycle::moves`).

use serde_json::Value;

use super::super::records::{self, Decision, Request};
use super::super::settings::{self, KeeperSettings};
use super::decide::{self, Who};
use super::panel::Loaded;
use super::ticket::{self, Ticket};
use crate::approver::by_account;
use crate::caps::Caps;
use crate::jira::events::{IssueUpdated, StatusChange};
use crate::lifecycle::moves::{self, Handled};
use crate::protocol::{Actor, Outcome};

/// The Keeper part of an issue-updated event; `None` when the issue is not a Keeper request's.
pub async fn on_issue_updated(caps: &Caps, event: &IssueUpdated) -> Option<Outcome> {
    let change = event.status.as_ref()?;
    let request = match records::for_issue(caps, &event.issue_id).await {
        Ok(found) => found?,
        Err(e) => return Some(Outcome::Error(format!("the app's storage failed ({e})"))),
    };
    Some(moves::once(caps, event, |_| handle(caps, event, change, request)).await)
}

async fn handle(caps: &Caps, event: &IssueUpdated, change: &StatusChange, request: Request) -> Result<Handled, String> {
    let settings = settings::load(caps).await?;
    if !settings.enabled {
        return Ok(Handled::Ignored("the Keeper integration is turned off".into()));
    }
    if !settings.decide_by_transition {
        return Ok(Handled::Ignored(
            "deciding Keeper requests by moving the issue is turned off".into(),
        ));
    }
    let Some(approved) = moves::meaning(&change.to_name, &settings.approved_status, &settings.denied_status) else {
        return Ok(Handled::Ignored(format!(
            "moved to \"{}\", which decides nothing",
            change.to_name
        )));
    };
    if moves::by_the_app(caps, event).await? {
        return Ok(Handled::Ignored("the app's own change".into()));
    }
    let ticket = ticket::load(caps, Actor::App, &event.issue_key, &settings)
        .await
        .map_err(|r| r.message)?;
    if ticket.id != request.issue_id {
        return Ok(Handled::Ignored("the issue's key now names another issue".into()));
    }
    if !ticket.status.eq_ignore_ascii_case(&change.to_name) {
        return Ok(Handled::Ignored(format!(
            "the issue has moved on to \"{}\" since",
            ticket.status
        )));
    }
    let mover = by_account(caps, &event.actor).await.map_err(|r| r.message)?;
    let name = mover.display_name.clone();
    if let Some(outcome) = records::read_outcome(caps, &request.sid)
        .await
        .map_err(|e| e.to_string())?
    {
        if outcome.result == if approved { "approved" } else { "denied" } {
            return Ok(Handled::Ignored("the request is already decided so".into()));
        }
        let back_to = status_after(&settings, &outcome.result)
            .unwrap_or(&change.from_name)
            .to_string();
        let why = format!("The request is already closed: Keeper shows it {}.", outcome.result);
        return refuse(caps, &settings, &ticket, change, &back_to, &name, why).await;
    }
    let decision = if approved { Decision::Approve } else { Decision::Deny };
    let loaded = Loaded {
        settings: settings.clone(),
        ticket: ticket.clone(),
        request,
    };
    match decide::decide_as(caps, &loaded, decision, Who::Account(mover)).await {
        Ok(view) => Ok(Handled::Decided {
            approved,
            by: name,
            pending: !view.pointer("/view/pending").is_none_or(Value::is_null),
        }),
        Err(refusal) if refusal.code == "unavailable" => Err(refusal.message),
        Err(refusal) => {
            refuse(
                caps,
                &settings,
                &ticket,
                change,
                &change.from_name,
                &name,
                refusal.message,
            )
            .await
        }
    }
}

/// The status an outcome leads to, for the outcomes that have one.
fn status_after<'a>(settings: &'a KeeperSettings, result: &str) -> Option<&'a str> {
    match result {
        "approved" => Some(&settings.approved_status),
        "denied" => Some(&settings.denied_status),
        "expired" => Some(&settings.expired_status),
        _ => None,
    }
}

async fn refuse(
    caps: &Caps,
    settings: &KeeperSettings,
    ticket: &Ticket,
    change: &StatusChange,
    to: &str,
    mover: &str,
    why: String,
) -> Result<Handled, String> {
    let refused = moves::Refused {
        issue: ticket.at(),
        change,
        to,
        mover,
        system: "Keeper",
        internal_note: settings.internal_note,
    };
    moves::move_back(caps, refused, why).await
}
