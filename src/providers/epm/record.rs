//! Recording an event (a decision, or the end of an approval) on its issue, after the app's own
//! record of it is kept (`deliver::keep`, `keys::decision`). The steps are the issue property,
//! the note and the transition, each done once: a `Recording` in KV notes which steps of which
//! event are done, so a retry (the next page view, tick or update) does only what is missing and
//! never posts a second note. All as the app, so the record does not depend on the approver's
//! own permissions.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::issue::IssueFacts;
use super::keys;
use super::map::ISSUE_PROPERTY;
use super::property::{DecisionRecord, EpmProperty};
use super::trusted::RequestRecord;
use super::view::decision_lines;
use crate::caps::Caps;
use crate::jira::adf;
use crate::jira::client::{self, JiraError};
use crate::protocol::{Actor, LogLevel};
use crate::providers::epm::settings::EpmSettings;
use crate::store;

const VERSION: u32 = 1;

/// Where the note went and what happened to the status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// `true` for a note kept internal on a JSM request, `false` for a plain comment.
    pub internal_note: bool,
    /// The status the issue moved to, if it moved.
    pub moved_to: Option<String>,
    /// Why the status did not move, when it should have.
    pub status_note: Option<String>,
    /// Whether this call wrote anything (false when every step was already done).
    pub wrote: bool,
}

/// Which steps of recording `event` are done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Recording {
    event: String,
    property: bool,
    note: bool,
    transition: bool,
    internal_note: bool,
    moved_to: Option<String>,
    status_note: Option<String>,
}

impl Recording {
    fn complete(&self) -> bool {
        self.property && self.note && self.transition
    }
}

/// The step order. A decision writes the property first (the page and JQL see it at once); the
/// end of an approval writes it last, because removing `openExpiry` is what takes the issue out
/// of the expiry search, so the tick finds it again until the note and transition are done.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    PropertyFirst,
    PropertyLast,
}

/// The status a decision should lead to.
pub fn target_status(config: &EpmSettings, record: &DecisionRecord) -> String {
    if record.approved {
        config.approved_status.clone()
    } else {
        config.denied_status.clone()
    }
}

/// The event id of a decision: a change of mind in EPM is a new event.
fn decision_event(decision: &DecisionRecord) -> String {
    format!("decision:{}:{}", decision.approved, decision.decided_at)
}

/// Whether the recording of this decision (or of its end) is finished.
pub async fn is_complete(caps: &Caps, record: &RequestRecord, decision: &DecisionRecord) -> Result<bool, JiraError> {
    let event = match decision.expired_at {
        Some(_) => expiry_event(decision),
        None => decision_event(decision),
    };
    let done = load(caps, record, &event).await?;
    Ok(done.complete())
}

/// A decision kept (or ended) moments ago is being recorded by the run that kept it; any other
/// run leaves it that run's time to finish, so two runs never add the same note. How long
/// still to wait, `None` when another run may complete it.
pub fn wait_before_repair(decision: &DecisionRecord, now: u64) -> Option<u64> {
    let since = decision.expired_at.unwrap_or(decision.kept_at);
    REPAIR_AFTER_MS
        .checked_sub(now.saturating_sub(since))
        .filter(|&w| w > 0)
}

/// A decision kept in storage but not fully recorded on the issue is completed by another run
/// (a view, a redelivery, the queue) once it is this old.
pub const REPAIR_AFTER_MS: u64 = 30_000;

/// Records the decision, or its end when it ended, on the issue: each missing step.
pub async fn complete(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    record: &RequestRecord,
    decision: &DecisionRecord,
) -> Result<Recorded, JiraError> {
    match decision.expired_at {
        Some(_) => expiry(caps, config, issue, record, decision).await,
        None => on_issue(caps, config, issue, record, decision).await,
    }
}

pub async fn on_issue(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    record: &RequestRecord,
    decision: &DecisionRecord,
) -> Result<Recorded, JiraError> {
    let mut lines = vec![format!(
        "EPM access request {} (request id {}).",
        if decision.approved { "approved" } else { "denied" },
        record.request.request_id
    )];
    lines.extend(decision_lines(decision));
    let property = record.property(Some(decision));
    let target = target_status(config, decision);
    let event = decision_event(decision);
    write(
        caps,
        config,
        issue,
        record,
        &event,
        lines,
        &property,
        &target,
        Order::PropertyFirst,
    )
    .await
}

fn expiry_event(decision: &DecisionRecord) -> String {
    format!("expiry:{}", decision.decided_at)
}

/// Records that an approval has ended (`decision.expired_at` set in the app's record): a note,
/// the move to the configured expired status, then the property without `openExpiry`.
pub async fn expiry(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    record: &RequestRecord,
    decision: &DecisionRecord,
) -> Result<Recorded, JiraError> {
    let ended = decision.expires_at.or(decision.expired_at).unwrap_or_default();
    let lines = vec![
        format!("EPM access expired (request id {}).", record.request.request_id),
        format!(
            "The approval for {} by {} ended at {}.",
            decision.duration_label,
            decision.decided_by.display_name,
            crate::time::display(ended)
        ),
    ];
    let property = record.property(Some(decision));
    let event = expiry_event(decision);
    write(
        caps,
        config,
        issue,
        record,
        &event,
        lines,
        &property,
        &config.expired_status,
        Order::PropertyLast,
    )
    .await
}

async fn load(caps: &Caps, record: &RequestRecord, event: &str) -> Result<Recording, JiraError> {
    let text = caps.kv_get(&keys::recording(&record.request_ref())).await?;
    Ok(text
        .and_then(|t| store::decode::<Recording>(VERSION, &t))
        .filter(|r| r.event == event)
        .unwrap_or_else(|| Recording {
            event: event.to_string(),
            ..Recording::default()
        }))
}

async fn save(caps: &Caps, record: &RequestRecord, done: &Recording) -> Result<(), JiraError> {
    caps.kv_set(&keys::recording(&record.request_ref()), &store::encode(VERSION, done))
        .await?;
    Ok(())
}

/// The event's steps that are not done yet, in `order`, each saved as done when it succeeds.
#[allow(clippy::too_many_arguments)]
async fn write(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    record: &RequestRecord,
    event: &str,
    mut lines: Vec<String>,
    property: &EpmProperty,
    target: &str,
    order: Order,
) -> Result<Recorded, JiraError> {
    let mut done = load(caps, record, event).await?;
    let wrote = !done.complete();
    // Where the issue is: by id, so a moved issue (new key) is still the one the app created.
    let at = issue.id.as_str();
    if order == Order::PropertyFirst && !done.property {
        put_property(caps, at, property).await?;
        done.property = true;
        save(caps, record, &done).await?;
    }
    let mut transition = None;
    if !done.transition {
        let already_there = issue.status.eq_ignore_ascii_case(target);
        transition = if already_there {
            None
        } else {
            find_transition(caps, at, target).await?
        };
        if !already_there && transition.is_none() {
            done.status_note = Some(format!(
                "The status stays \"{}\": the workflow has no transition to \"{target}\" from it.",
                issue.status
            ));
        }
    }
    if !done.note {
        lines.extend(done.status_note.clone());
        done.internal_note = add_note(caps, config, issue, &lines).await?;
        done.note = true;
        save(caps, record, &done).await?;
    }
    if !done.transition {
        if let Some(id) = transition {
            let path = format!("/rest/api/3/issue/{at}/transitions");
            client::call(
                caps,
                Actor::App,
                "POST",
                &path,
                Some(&json!({"transition": {"id": id}})),
            )
            .await?;
            done.moved_to = Some(target.to_string());
        }
        if let Some(note) = &done.status_note {
            caps.log(LogLevel::Warn, format!("{}: {note}", issue.key)).await;
        }
        done.transition = true;
        save(caps, record, &done).await?;
    }
    if order == Order::PropertyLast && !done.property {
        put_property(caps, at, property).await?;
        done.property = true;
        save(caps, record, &done).await?;
    }
    Ok(Recorded {
        internal_note: done.internal_note,
        moved_to: done.moved_to,
        status_note: done.status_note,
        wrote,
    })
}

/// Writes the app's property on the issue with this id (as the app).
pub async fn put_property(caps: &Caps, issue: &str, property: &EpmProperty) -> Result<(), JiraError> {
    let path = format!("/rest/api/3/issue/{issue}/properties/{ISSUE_PROPERTY}");
    client::call(caps, Actor::App, "PUT", &path, Some(&property.to_value())).await?;
    Ok(())
}

/// The id of a transition leading to `target` (by the target status's name, else by the
/// transition's own name); `None` when the workflow has none from the current status.
async fn find_transition(caps: &Caps, issue: &str, target: &str) -> Result<Option<String>, JiraError> {
    let path = format!("/rest/api/3/issue/{issue}/transitions");
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

/// The note: an ADF comment on the platform route (text nodes, so an approver's message cannot
/// inject markup or mentions). On service desk projects, when configured, it is kept internal
/// with JSM's documented `sd.public.comment` property, so the customer who asked does not see it.
async fn add_note(caps: &Caps, config: &EpmSettings, issue: &IssueFacts, lines: &[String]) -> Result<bool, JiraError> {
    let internal = config.internal_note && issue.project_type == "service_desk";
    let mut paragraphs = vec![adf::paragraph([adf::strong(&lines[0])])];
    paragraphs.extend(lines[1..].iter().map(|l| adf::paragraph([adf::text(l)])));
    let mut body = json!({"body": adf::doc(paragraphs)});
    if internal {
        body["properties"] = json!([{"key": "sd.public.comment", "value": {"internal": true}}]);
    }
    let path = format!("/rest/api/3/issue/{}/comment", issue.id);
    client::call(caps, Actor::App, "POST", &path, Some(&body)).await?;
    Ok(internal)
}
