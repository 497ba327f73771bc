//! Issue-updated events, as Forge delivers `avi:jira:updated:issue` to an app: one per change
//! of an issue's fields or status (a transition, an edit, a completed JSM approval), with the
//! changelog of what changed and who changed it. Property writes and comments make none, and
//! neither does a change that changes nothing.
//!
//! The sandbox keeps the last [`MAX_LOGGED_EVENTS`] in memory (`GET /_sandbox/events`) and sends
//! each new one to the subscriber ([`JiraSandbox::subscribe_events`]; the host delivers them to
//! the app). `POST /_sandbox/events/{changelogId}/redeliver` sends one again, as Forge may
//! (at-least-once delivery).

use std::collections::VecDeque;
use std::sync::{Arc, MutexGuard};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rusqlite::Connection;
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::JiraSandbox;
use super::adf_html::lines;
use super::catalog::{Catalog, FieldRec};
use super::error::JiraError;
use super::store::{self, Issue};

/// The event log keeps at most this many events (oldest dropped first).
pub(crate) const MAX_LOGGED_EVENTS: usize = 1_000;
/// Forge's event type for an updated issue.
pub const ISSUE_UPDATED_EVENT: &str = "avi:jira:updated:issue";

/// The recent events and whoever takes them.
#[derive(Default)]
pub(crate) struct EventLog {
    entries: VecDeque<Value>,
    subscriber: Option<UnboundedSender<Value>>,
}

impl EventLog {
    /// Sends to the subscriber; true when one took it (a dropped receiver is forgotten).
    fn deliver(&mut self, event: &Value) -> bool {
        let delivered = self
            .subscriber
            .as_ref()
            .is_some_and(|subscriber| subscriber.send(event.clone()).is_ok());
        if !delivered {
            self.subscriber = None;
        }
        delivered
    }
}

impl JiraSandbox {
    /// The events made from now on, in order (earlier ones are not replayed). A second call
    /// replaces the first subscriber.
    pub fn subscribe_events(&self) -> UnboundedReceiver<Value> {
        let (sender, receiver) = unbounded_channel();
        self.event_log().subscriber = Some(sender);
        receiver
    }

    /// The last [`MAX_LOGGED_EVENTS`] events, oldest first.
    pub fn events(&self) -> Vec<Value> {
        self.event_log().entries.iter().cloned().collect()
    }

    fn event_log(&self) -> MutexGuard<'_, EventLog> {
        self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records (and delivers) the event of `actor` changing `before` into `after`, unless
    /// nothing a changelog shows changed. Called with the database lock held, so events are
    /// logged in the order of the changes and of their changelog ids.
    pub(crate) fn record_update(
        &self,
        conn: &mut Connection,
        actor: &str,
        before: &Issue,
        after: &Issue,
    ) -> rusqlite::Result<()> {
        let items = changelog_items(&self.catalog, before, after);
        if items.is_empty() {
            return Ok(());
        }
        let changelog_id = store::next_changelog_id(conn)?;
        let event = json!({
            "eventType": ISSUE_UPDATED_EVENT,
            "atlassianId": actor,
            "issue": self.event_issue(after),
            "changelog": {"id": changelog_id.to_string(), "items": items},
            "associatedUsers": [{"accountId": actor}],
        });
        let mut log = self.event_log();
        if log.entries.len() >= MAX_LOGGED_EVENTS {
            log.entries.pop_front();
        }
        log.entries.push_back(event.clone());
        log.deliver(&event);
        Ok(())
    }

    /// The issue as the event carries it: a few fields, not the whole issue.
    fn event_issue(&self, issue: &Issue) -> Value {
        let catalog = &self.catalog;
        let status = catalog.status(&issue.status_id);
        let project = catalog.project_by_id(&issue.project_id);
        let issue_type = catalog.issue_type(&issue.issue_type_id);
        json!({
            "id": issue.id.to_string(),
            "key": issue.key,
            "self": self.issue_self(issue.id),
            "fields": {
                "summary": issue.summary,
                "status": {"id": issue.status_id, "name": status.map(|s| s.name.as_str())},
                "project": {
                    "id": issue.project_id,
                    "key": project.map(|p| p.key.as_str()),
                    "name": project.map(|p| p.name.as_str()),
                },
                "issuetype": {"id": issue.issue_type_id, "name": issue_type.map(|t| t.name.as_str())},
                "labels": issue.labels,
            },
        })
    }
}

/// One changelog item: `from`/`to` are ids (statuses, users, options) or null for text.
fn item(field: &FieldRec, from: (Option<String>, Option<String>), to: (Option<String>, Option<String>)) -> Value {
    json!({
        "field": if field.custom { field.name.as_str() } else { field.id.as_str() },
        "fieldtype": if field.custom { "custom" } else { "jira" },
        "fieldId": field.id,
        "from": from.0,
        "fromString": from.1,
        "to": to.0,
        "toString": to.1,
    })
}

/// What changed from `before` to `after`, field by field in the catalog's order.
pub(crate) fn changelog_items(catalog: &Catalog, before: &Issue, after: &Issue) -> Vec<Value> {
    let user = |account: &Option<String>| {
        let name = account
            .as_deref()
            .map(|id| catalog.user(id).map_or(id.to_string(), |u| u.display_name.clone()));
        (account.clone(), name)
    };
    let status = |id: &str| {
        let name = catalog.status(id).map_or(id.to_string(), |s| s.name.clone());
        (Some(id.to_string()), Some(name))
    };
    let text = |value: Option<String>| (None, value);
    let mut items = Vec::new();
    for field in &catalog.fields {
        let (from, to) = match field.id.as_str() {
            "summary" if before.summary != after.summary => {
                (text(Some(before.summary.clone())), text(Some(after.summary.clone())))
            }
            "description" if before.description != after.description => (
                text(before.description.as_ref().map(lines)),
                text(after.description.as_ref().map(lines)),
            ),
            "assignee" if before.assignee != after.assignee => (user(&before.assignee), user(&after.assignee)),
            "reporter" if before.reporter != after.reporter => (user(&before.reporter), user(&after.reporter)),
            "labels" if before.labels != after.labels => {
                (text(Some(before.labels.join(" "))), text(Some(after.labels.join(" "))))
            }
            "status" if before.status_id != after.status_id => (status(&before.status_id), status(&after.status_id)),
            id if field.custom && before.custom.get(id) != after.custom.get(id) => (
                custom_value(field, before.custom.get(id)),
                custom_value(field, after.custom.get(id)),
            ),
            _ => continue,
        };
        items.push(item(field, from, to));
    }
    items
}

/// A custom field's value in a changelog: a select's option id and value, other values as text.
fn custom_value(field: &FieldRec, value: Option<&Value>) -> (Option<String>, Option<String>) {
    match value {
        None | Some(Value::Null) => (None, None),
        Some(value) if field.is_select() => (
            value.get("id").and_then(Value::as_str).map(str::to_string),
            value.get("value").and_then(Value::as_str).map(str::to_string),
        ),
        Some(Value::String(text)) => (None, Some(text.clone())),
        Some(Value::Array(items)) => {
            let words: Vec<String> = items
                .iter()
                .map(|item| item.as_str().map_or_else(|| item.to_string(), str::to_string))
                .collect();
            (None, Some(words.join(" ")))
        }
        Some(other) => (None, Some(other.to_string())),
    }
}

type Shared = State<Arc<JiraSandbox>>;

/// `GET /_sandbox/events`: the event log, oldest first.
pub(crate) async fn list(State(sandbox): Shared) -> Response {
    Json(sandbox.events()).into_response()
}

/// `POST /_sandbox/events/{changelogId}/redeliver`: sends a logged event to the subscriber
/// again; answers `{"changelogId", "delivered"}` (false when nobody subscribes).
pub(crate) async fn redeliver(State(sandbox): Shared, Path(changelog_id): Path<String>) -> Response {
    let mut log = sandbox.event_log();
    let event = log
        .entries
        .iter()
        .find(|event| event.pointer("/changelog/id").and_then(Value::as_str) == Some(changelog_id.as_str()))
        .cloned();
    let Some(event) = event else {
        return JiraError::message(
            StatusCode::NOT_FOUND,
            format!(
                "No event with changelog id '{changelog_id}' in the event log (it keeps the last {MAX_LOGGED_EVENTS})."
            ),
        )
        .into_response();
    };
    let delivered = log.deliver(&event);
    Json(json!({"changelogId": changelog_id, "delivered": delivered})).into_response()
}
