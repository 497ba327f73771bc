//! Recording an event (a decision, or the end of an approval) on its issue, after the app's own
//! record of it is kept. The steps are the issue property, the note (a comment) and the
//! transition, each done once: a `Recording` in KV (at a key the provider names) notes which
//! steps of which event are done, so a retry (the next page view, tick, update or job) does
//! only what is missing and never posts a second note. All as the app, so the record does not
//! depend on the approver's own permissions. The provider gives the texts and the property as
//! plain data (`Event`); nothing here knows what a provider's property or wording means.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::caps::Caps;
use crate::jira::adf;
use crate::jira::client::{self, JiraError};
use crate::protocol::{Actor, LogLevel};
use crate::store;

pub const VERSION: u32 = 1;

/// A decision kept in storage but not fully recorded on the issue is completed by another run
/// (a view, a redelivery, the queue) once it is this old.
pub const REPAIR_AFTER_MS: u64 = 30_000;

/// Which steps of recording `event` are done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Recording {
    pub event: String,
    pub property: bool,
    pub note: bool,
    pub transition: bool,
    pub internal_note: bool,
    pub moved_to: Option<String>,
    pub status_note: Option<String>,
}

impl Recording {
    pub fn complete(&self) -> bool {
        self.property && self.note && self.transition
    }
}

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

/// The step order. A decision writes the property first (the page and JQL see it at once); the
/// end of an approval writes it last, because removing what made the issue due is what takes
/// it out of the provider's search, so its tick finds it again until note and transition are
/// done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    PropertyFirst,
    PropertyLast,
}

/// The issue an event is recorded on, as Jira has it now.
#[derive(Debug, Clone, Copy)]
pub struct Issue<'a> {
    /// Jira's id: a moved issue (new key) is still the one the app created.
    pub id: &'a str,
    pub key: &'a str,
    pub status: &'a str,
    /// `service_desk` for JSM projects (internal notes are possible there).
    pub project_type: &'a str,
}

/// What to record, in the provider's words.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// Which event (a change of mind is a new event): the done-flags of another are reset.
    pub id: String,
    /// The note: the first line in bold, then one paragraph per line.
    pub lines: Vec<String>,
    /// The app's issue property: its key and value.
    pub property_key: &'a str,
    pub property: Value,
    /// The status to move the issue to.
    pub target_status: &'a str,
    pub order: Order,
    /// Keep the note internal on a service desk request.
    pub internal_note: bool,
}

/// The done-flags kept under `key` for `event` (fresh ones for another event).
pub async fn load(caps: &Caps, key: &str, event: &str) -> Result<Recording, JiraError> {
    let text = caps.kv_get(key).await?;
    Ok(text
        .and_then(|t| store::decode::<Recording>(VERSION, &t))
        .filter(|r| r.event == event)
        .unwrap_or_else(|| Recording {
            event: event.to_string(),
            ..Recording::default()
        }))
}

async fn save(caps: &Caps, key: &str, done: &Recording) -> Result<(), JiraError> {
    caps.kv_set(key, &store::encode(VERSION, done)).await?;
    Ok(())
}

/// An event kept at `since` is being recorded by the run that kept it; any other run leaves it
/// that run's time to finish, so two runs never add the same note. How long still to wait,
/// `None` when another run may complete it.
pub fn wait_before_repair(since: u64, now: u64) -> Option<u64> {
    REPAIR_AFTER_MS
        .checked_sub(now.saturating_sub(since))
        .filter(|&w| w > 0)
}

/// The event's steps that are not done yet, in its order, each saved as done (under `key`)
/// when it succeeds.
pub async fn record(caps: &Caps, key: &str, issue: Issue<'_>, event: Event<'_>) -> Result<Recorded, JiraError> {
    let mut done = load(caps, key, &event.id).await?;
    let wrote = !done.complete();
    let at = issue.id;
    let target = event.target_status;
    if event.order == Order::PropertyFirst && !done.property {
        put_property(caps, at, event.property_key, &event.property).await?;
        done.property = true;
        save(caps, key, &done).await?;
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
        let mut lines = event.lines;
        lines.extend(done.status_note.clone());
        done.internal_note = add_note(caps, issue, event.internal_note, &lines).await?;
        done.note = true;
        save(caps, key, &done).await?;
    }
    if !done.transition {
        if let Some(id) = transition {
            transition_by_id(caps, at, &id).await?;
            done.moved_to = Some(target.to_string());
        }
        if let Some(note) = &done.status_note {
            caps.log(LogLevel::Warn, format!("{}: {note}", issue.key)).await;
        }
        done.transition = true;
        save(caps, key, &done).await?;
    }
    if event.order == Order::PropertyLast && !done.property {
        put_property(caps, at, event.property_key, &event.property).await?;
        done.property = true;
        save(caps, key, &done).await?;
    }
    Ok(Recorded {
        internal_note: done.internal_note,
        moved_to: done.moved_to,
        status_note: done.status_note,
        wrote,
    })
}

/// Writes the app's property `key` on the issue with this id (as the app).
pub async fn put_property(caps: &Caps, issue: &str, key: &str, property: &Value) -> Result<(), JiraError> {
    let path = format!("/rest/api/3/issue/{issue}/properties/{key}");
    client::call(caps, Actor::App, "PUT", &path, Some(property)).await?;
    Ok(())
}

/// Moves the issue with this id to the status named `target` (as the app), if its workflow has
/// a transition there from where it is: whether it moved.
pub async fn move_to(caps: &Caps, issue: &str, target: &str) -> Result<bool, JiraError> {
    let Some(id) = find_transition(caps, issue, target).await? else {
        return Ok(false);
    };
    transition_by_id(caps, issue, &id).await?;
    Ok(true)
}

/// Moves the issue with this id by workflow transition `id` (as the app).
async fn transition_by_id(caps: &Caps, issue: &str, id: &str) -> Result<(), JiraError> {
    let path = format!("/rest/api/3/issue/{issue}/transitions");
    let body = json!({"transition": {"id": id}});
    client::call(caps, Actor::App, "POST", &path, Some(&body)).await?;
    Ok(())
}

/// Adds a note that is no event's step (a refusal, say): the same ADF comment, internal on a
/// service desk request when asked. Whether it was kept internal.
pub async fn note(caps: &Caps, issue: Issue<'_>, internal_note: bool, lines: &[String]) -> Result<bool, JiraError> {
    add_note(caps, issue, internal_note, lines).await
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
/// inject markup or mentions). On service desk projects, when asked, it is kept internal with
/// JSM's documented `sd.public.comment` property, so the customer who asked does not see it.
async fn add_note(caps: &Caps, issue: Issue<'_>, internal_note: bool, lines: &[String]) -> Result<bool, JiraError> {
    let internal = internal_note && issue.project_type == "service_desk";
    let (first, rest) = lines.split_first().map_or(("", &[][..]), |(f, r)| (f.as_str(), r));
    let mut paragraphs = vec![adf::paragraph([adf::strong(first)])];
    paragraphs.extend(rest.iter().map(|l| adf::paragraph([adf::text(l)])));
    let mut body = json!({"body": adf::doc(paragraphs)});
    if internal {
        body["properties"] = json!([{"key": "sd.public.comment", "value": {"internal": true}}]);
    }
    let path = format!("/rest/api/3/issue/{}/comment", issue.id);
    client::call(caps, Actor::App, "POST", &path, Some(&body)).await?;
    Ok(internal)
}
