//! The decision on a ticket ID: the rules an admin turned on, checked in order, the first
//! failing one deciding `deny` with a message the PRA user can act on; all passing, `allow`
//! with the configured session attributes. Jira is read as the app. Only what the app itself
//! reads from Jira decides (the issue's status, fields and people as Jira holds them); nothing
//! the requester sent is trusted beyond naming themselves and the Jump Item.

mod assets;
mod attributes;
mod requester;
pub mod ticket;
mod window;

use serde_json::Value;

use super::records::{TicketIssue, Verdict};
use super::settings::PraSettings;
use super::wire::JumpRequest;
use crate::caps::Caps;
use crate::jira::client::{self, JiraError};
use crate::protocol::Actor;
use ticket::Ticket;

/// Decides `request` at `now` under `settings`. A Jira error that a retry may not see again is
/// returned (the job tries again); everything else is a decision.
pub async fn decide(
    caps: &Caps,
    settings: &PraSettings,
    request: &JumpRequest,
    now: u64,
) -> Result<Verdict, JiraError> {
    let deny = |rule, message, issue| Verdict::deny(rule, message, issue, now);
    let rules = settings.rules;
    let ticket = Ticket::read(&request.ticket_id, settings.sensitive_ticket_id);
    let key = ticket.key();
    if rules.issue_key {
        let Some(key) = key else {
            return Ok(deny(
                "issue-key",
                format!("{} is not a Jira issue key like PMC-12.", ticket.subject()),
                None,
            ));
        };
        let project = key.split('-').next().unwrap_or("");
        let allowed = &settings.allowed_projects;
        if !allowed.is_empty() && !allowed.iter().any(|p| p == project) {
            return Ok(deny(
                "issue-key",
                format!(
                    "{} is not in a project that grants access ({}).",
                    ticket.subject(),
                    allowed.join(", ")
                ),
                None,
            ));
        }
    }
    if !rules.need_issue() {
        let attributes = attributes::without_issue(settings, key);
        return Ok(Verdict::allow(attributes, None, now));
    }
    let not_found = || {
        deny(
            "issue-exists",
            format!(
                "{} does not exist in Jira, or the approval app cannot see it.",
                ticket.subject()
            ),
            None,
        )
    };
    let Some(key) = key else { return Ok(not_found()) };
    let Some(fields) = read_issue(caps, settings, key).await? else {
        return Ok(not_found());
    };
    let issue = TicketIssue {
        id: fields.id.clone(),
        key: fields.key.clone(),
        status: fields.text("/fields/status/name"),
        project_type: fields.text("/fields/project/projectTypeKey"),
    };
    let found = Some(issue.clone());
    if rules.status
        && !settings
            .allowed_statuses
            .iter()
            .any(|s| s.eq_ignore_ascii_case(&issue.status))
    {
        return Ok(deny(
            "status",
            format!(
                "{} is in status \"{}\"; access needs {}.",
                ticket.subject(),
                issue.status,
                settings.allowed_statuses.join(" or ")
            ),
            found,
        ));
    }
    if rules.requester
        && let Some(why) = requester::mismatch(caps, settings, &fields.value, &request.user, &ticket, now).await?
    {
        return Ok(deny("requester", why, found));
    }
    if rules.jump_item
        && let Some(why) = assets::mismatch(settings, &fields.value, &request.jump_item, &ticket)
    {
        return Ok(deny("jump-item", why, found));
    }
    if rules.change_window
        && let Some(why) = window::outside(settings, &fields.value, &ticket, now)
    {
        return Ok(deny("change-window", why, found));
    }
    let attributes = attributes::from_issue(settings, &fields.value);
    Ok(Verdict::allow(attributes, found, now))
}

/// The issue as Jira answered it.
struct IssueFields {
    id: String,
    key: String,
    value: Value,
}

impl IssueFields {
    fn text(&self, pointer: &str) -> String {
        self.value
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    }
}

/// The issue with the fields the rules and attributes read; `None` when Jira says it does not
/// exist or the app may not see it.
async fn read_issue(caps: &Caps, settings: &PraSettings, key: &str) -> Result<Option<IssueFields>, JiraError> {
    let mut fields = vec!["summary", "status", "project", "assignee", "reporter"];
    let configured = [
        settings.requester_field.as_str(),
        settings.asset_field.as_str(),
        settings.window_start_field.as_str(),
        settings.window_end_field.as_str(),
    ];
    let attribute_fields = settings.session_attributes.iter().map(|a| a.source.as_str());
    for field in configured.into_iter().chain(attribute_fields) {
        if (field.starts_with("customfield_") || field == "labels" || field == "duedate") && !fields.contains(&field) {
            fields.push(field);
        }
    }
    let path = format!("/rest/api/3/issue/{key}?fields={}", fields.join(","));
    match client::call(caps, Actor::App, "GET", &path, None).await {
        Ok(value) => {
            let id = value["id"].as_str().unwrap_or("").to_string();
            let key = value["key"].as_str().unwrap_or(key).to_string();
            if id.is_empty() {
                return Err(JiraError::Unexpected("the issue has no id".into()));
            }
            Ok(Some(IssueFields { id, key, value }))
        }
        Err(JiraError::Refused {
            status: 401 | 403 | 404,
            ..
        }) => Ok(None),
        Err(e) => Err(e),
    }
}
