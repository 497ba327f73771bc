//! Rule 4: the PRA user is the person the issue names (its assignee, reporter or a user custom
//! field). Jira is asked who the PRA user is: the e-mail address first (compared with the
//! field's own when Jira shows it, else by a user search), then the username. Jira may hide
//! e-mail addresses (a person's profile visibility); then only a search by name can match, and
//! the deny message says so.

use serde_json::Value;

use super::super::settings::PraSettings;
use super::super::wire::PraUser;
use super::ticket::Ticket;
use crate::caps::Caps;
use crate::jira::client::JiraError;
use crate::jira::users;

/// Why the requester is not the person on the issue; `None` when they are.
pub async fn mismatch(
    caps: &Caps,
    settings: &PraSettings,
    issue: &Value,
    user: &PraUser,
    ticket: &Ticket,
    now: u64,
) -> Result<Option<String>, JiraError> {
    let field = settings.requester_field.as_str();
    let person = &issue["fields"][field];
    let role = match field {
        "assignee" => "assigned to you",
        "reporter" => "reported by you",
        _ => "naming you as the implementer",
    };
    let Some(account) = person["accountId"].as_str() else {
        let nobody = match field {
            "assignee" => format!("{} has no assignee.", ticket.subject()),
            "reporter" => format!("{} has no reporter.", ticket.subject()),
            _ => format!("{} names nobody as the implementer.", ticket.subject()),
        };
        return Ok(Some(nobody));
    };
    let email = user.email_address.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let shown_email = person["emailAddress"].as_str().filter(|e| !e.is_empty());
    if let (Some(email), Some(shown)) = (email, shown_email)
        && email.eq_ignore_ascii_case(shown)
    {
        return Ok(None);
    }
    let mut searched_email_found = false;
    if let Some(email) = email {
        let found = users::find_account(caps, email, now).await?;
        searched_email_found = found.is_some();
        if found.as_deref() == Some(account) {
            return Ok(None);
        }
    }
    if let Some(username) = user.username.as_deref().map(str::trim).filter(|u| !u.is_empty())
        && users::find_account(caps, username, now).await?.as_deref() == Some(account)
    {
        return Ok(None);
    }
    let mut why = format!("{} is not {role}.", ticket.subject());
    if shown_email.is_none() && !searched_email_found {
        why.push_str(
            " Jira could not match your e-mail address: it may be hidden by Jira's privacy settings; ask your Jira admin.",
        );
    }
    Ok(Some(why))
}
