//! The signed-in user as Jira knows them (`GET /myself` as that user): who a page's caller
//! is, for every provider's rules on who may decide.

use serde_json::Value;

use crate::caps::Caps;
use crate::jira::client;
use crate::protocol::Actor;
use crate::resolver::{Refusal, unavailable};

/// The signed-in user as Jira knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver {
    pub account_id: String,
    pub display_name: String,
    /// Empty when Jira hides it (the user's privacy settings).
    pub email: String,
    pub groups: Vec<String>,
}

/// Reads the user the run acts for (`GET /myself` as that user, with groups).
pub async fn current(caps: &Caps, context_account: Option<&str>) -> Result<Approver, Refusal> {
    let me = client::call(caps, Actor::User, "GET", "/rest/api/3/myself?expand=groups", None)
        .await
        .map_err(|e| unavailable(&e))?;
    let account_id = me["accountId"].as_str().unwrap_or_default();
    if account_id.is_empty() || context_account.is_some_and(|a| a != account_id) {
        return Err(Refusal::new(
            "forbidden",
            "Jira did not confirm who you are; sign in again and reopen the request.",
        ));
    }
    Ok(from_user(&me))
}

/// Another person, by account (`GET /user?accountId=…&expand=groups` as the app): who made a
/// change the app was told of by an event.
pub async fn by_account(caps: &Caps, account_id: &str) -> Result<Approver, Refusal> {
    let path = format!(
        "/rest/api/3/user?accountId={}&expand=groups",
        client::query_value(account_id)
    );
    let user = client::call(caps, Actor::App, "GET", &path, None)
        .await
        .map_err(|e| unavailable(&e))?;
    if user["accountId"].as_str() != Some(account_id) {
        return Err(Refusal::new("forbidden", "Jira did not confirm who made the change."));
    }
    Ok(from_user(&user))
}

/// Whether the person with this account holds Jira `permission`, on what `scope` names
/// (`"&issueKey=…"`, `"&projectKey=…"`, or `""` for a global permission), looked up as the app
/// (`GET /user/permission/search`): the rights of someone an event names, who is not signed in.
pub async fn account_holds(caps: &Caps, account_id: &str, permission: &str, scope: &str) -> Result<bool, Refusal> {
    let path = format!(
        "/rest/api/3/user/permission/search?accountId={}&permissions={permission}{scope}",
        client::query_value(account_id)
    );
    let answer = client::call(caps, Actor::App, "GET", &path, None)
        .await
        .map_err(|e| unavailable(&e))?;
    Ok(answer
        .as_array()
        .is_some_and(|users| users.iter().any(|u| u["accountId"].as_str() == Some(account_id))))
}

/// A Jira `User` (with its groups expanded) as an approver.
fn from_user(me: &Value) -> Approver {
    let account_id = me["accountId"].as_str().unwrap_or_default().to_string();
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
    Approver {
        display_name: me["displayName"].as_str().unwrap_or(&account_id).to_string(),
        email: me["emailAddress"].as_str().unwrap_or_default().to_string(),
        account_id,
        groups,
    }
}

/// A PAM system's name of a user (`DOMAIN\user`, `user@domain`, a display name), without a domain prefix and
/// ignoring case, against the approver's e-mail address, its local part, and display name.
pub fn same_person(system_user: &str, approver: &Approver) -> bool {
    let name = system_user
        .rsplit('\\')
        .next()
        .unwrap_or(system_user)
        .trim()
        .to_lowercase();
    if name.is_empty() {
        return false;
    }
    let email = approver.email.trim().to_lowercase();
    let local = |address: &str| address.split('@').next().unwrap_or_default().to_string();
    let display = approver.display_name.trim().to_lowercase();
    name == display || (!email.is_empty() && (name == email || name == local(&email) || local(&name) == local(&email)))
}
