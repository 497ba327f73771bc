//! Who may decide a request, checked on the server (`check`): the configured approval right (permission
//! to transition the issue, or membership of a group) and never the person who asked.

use serde_json::Value;

use super::issue::{IssueFacts, unavailable};
use super::property::{EpmProperty, Person};
use crate::caps::Caps;
use crate::config::Config;
use crate::jira::client::{self, query_value};
use crate::protocol::Actor;
use crate::resolver::Refusal;

/// The signed-in user as Jira knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver {
    pub account_id: String,
    pub display_name: String,
    pub groups: Vec<String>,
}

impl Approver {
    pub fn person(&self) -> Person {
        Person {
            account_id: Some(self.account_id.clone()),
            display_name: self.display_name.clone(),
        }
    }
}

/// Reads the user the run acts for (`GET /myself` as that user, with groups).
async fn current(caps: &Caps, context_account: Option<&str>) -> Result<Approver, Refusal> {
    let me = client::call(caps, Actor::User, "GET", "/rest/api/3/myself?expand=groups", None)
        .await
        .map_err(|e| unavailable(&e))?;
    let account_id = me["accountId"].as_str().unwrap_or_default().to_string();
    if account_id.is_empty() || context_account.is_some_and(|a| a != account_id) {
        return Err(Refusal::new(
            "forbidden",
            "Jira did not confirm who you are; sign in again and reopen the request.",
        ));
    }
    let groups = me
        .pointer("/groups/items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|g| g["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    Ok(Approver {
        display_name: me["displayName"].as_str().unwrap_or(&account_id).to_string(),
        account_id,
        groups,
    })
}

/// The signed-in user and why they may not decide this request, if so (`blocker`).
pub async fn check(
    caps: &Caps,
    config: &Config,
    issue: &IssueFacts,
    property: &EpmProperty,
    context_account: Option<&str>,
) -> Result<(Approver, Option<Refusal>), Refusal> {
    let approver = current(caps, context_account).await?;
    let requester = property.requester_account_id.as_deref();
    let blocked = blocker(caps, config, issue, requester, &approver).await?;
    Ok((approver, blocked))
}

/// Why `approver` may not decide the request on `issue`, if so. A refusal for the checks
/// themselves failing (Jira down) is an `Err`.
async fn blocker(
    caps: &Caps,
    config: &Config,
    issue: &IssueFacts,
    requester: Option<&str>,
    approver: &Approver,
) -> Result<Option<Refusal>, Refusal> {
    if requester == Some(approver.account_id.as_str()) {
        return Ok(Some(Refusal::new(
            "self-approval",
            "You asked for this access, so someone else has to decide it.",
        )));
    }
    let group = config.approver_group.trim();
    if !group.is_empty() {
        let member = approver.groups.iter().any(|g| g.eq_ignore_ascii_case(group));
        return Ok((!member).then(|| {
            Refusal::new(
                "forbidden",
                format!("Only members of the Jira group \"{group}\" may decide access requests."),
            )
        }));
    }
    let path = format!(
        "/rest/api/3/mypermissions?issueKey={}&permissions=TRANSITION_ISSUES",
        query_value(&issue.key)
    );
    let answer = client::call(caps, Actor::User, "GET", &path, None)
        .await
        .map_err(|e| unavailable(&e))?;
    let allowed = answer
        .pointer("/permissions/TRANSITION_ISSUES/havePermission")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok((!allowed).then(|| {
        Refusal::new(
            "forbidden",
            format!(
                "You need the \"Transition issues\" permission on {} to decide this request.",
                issue.key
            ),
        )
    }))
}
