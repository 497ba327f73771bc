//! Finding a Jira account for a name from outside (the configured assignee, the EPM requesting
//! user): one user search, cached in KV so a burst of webhooks costs one lookup.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::{self, JiraError, query_value};
use crate::caps::Caps;
use crate::protocol::{Actor, LogLevel};
use crate::store;

/// How long a found account stays cached, and a "no such user" answer.
const FOUND_TTL_MS: u64 = 60 * 60 * 1000;
const NOT_FOUND_TTL_MS: u64 = 5 * 60 * 1000;
const RECORD_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedUser {
    account_id: Option<String>,
    at: u64,
}

/// The name to search for: `DOMAIN\name` becomes `name`; emails and names stay.
pub fn needle(name: &str) -> &str {
    let name = name.trim();
    name.rsplit_once('\\').map_or(name, |(_, n)| n).trim()
}

/// The users that match `needle` exactly (account id, email, the email's local part, or display
/// name, ignoring case): the active people as (account id, display name), and how many
/// deactivated ones. Apps are never matches.
pub struct Matches {
    pub active: Vec<(String, String)>,
    pub inactive: usize,
}

pub fn matches(users: &Value, needle: &str) -> Matches {
    let mut found = Matches {
        active: Vec::new(),
        inactive: 0,
    };
    let people = users
        .as_array()
        .into_iter()
        .flatten()
        .filter(|u| u["accountType"].as_str().is_none_or(|t| t == "atlassian"))
        .filter(|u| {
            let email = u["emailAddress"].as_str().unwrap_or("");
            let local = email.split('@').next().unwrap_or("");
            u["accountId"].as_str() == Some(needle)
                || (!email.is_empty() && email.eq_ignore_ascii_case(needle))
                || (!local.is_empty() && local.eq_ignore_ascii_case(needle))
                || u["displayName"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(needle))
        });
    for user in people {
        let Some(id) = user["accountId"].as_str() else { continue };
        if user["active"].as_bool().unwrap_or(false) {
            let name = user["displayName"].as_str().unwrap_or(id);
            found.active.push((id.to_string(), name.to_string()));
        } else {
            found.inactive += 1;
        }
    }
    found
}

/// Picks the one active user that matches exactly. Several matches or none give `None`:
/// guessing would put the wrong person on an access request.
pub fn pick(users: &Value, needle: &str) -> Option<String> {
    match matches(users, needle).active.as_slice() {
        [(one, _)] => Some(one.clone()),
        _ => None,
    }
}

/// The account id for `name`, from the cache or one user search.
pub async fn find_account(caps: &Caps, name: &str, now: u64) -> Result<Option<String>, JiraError> {
    let needle = needle(name);
    if needle.is_empty() {
        return Ok(None);
    }
    let key = format!("cache:user:{}", store::key_part(&needle.to_lowercase()));
    if let Some(text) = caps.kv_get(&key).await?
        && let Some(cached) = store::decode::<CachedUser>(RECORD_VERSION, &text)
    {
        let ttl = if cached.account_id.is_some() {
            FOUND_TTL_MS
        } else {
            NOT_FOUND_TTL_MS
        };
        if now.saturating_sub(cached.at) < ttl {
            return Ok(cached.account_id);
        }
    }
    let path = format!("/rest/api/3/user/search?query={}&maxResults=50", query_value(needle));
    let users = client::call(caps, Actor::App, "GET", &path, None).await?;
    let account_id = pick(&users, needle);
    if account_id.is_none() {
        caps.log(
            LogLevel::Warn,
            format!("no single active Jira user matches \"{needle}\""),
        )
        .await;
    }
    let record = store::encode(
        RECORD_VERSION,
        &CachedUser {
            account_id: account_id.clone(),
            at: now,
        },
    );
    caps.kv_set(&key, &record).await?;
    Ok(account_id)
}

/// KV key of the app's own Jira account id (it never changes for an installation).
const APP_ACCOUNT_KEY: &str = "jira:app-account";

/// The app's own account (`GET /myself` as the app, kept in KV after the first call): a change
/// an event reports as the app's is the app's own doing.
pub async fn app_account(caps: &Caps) -> Result<String, JiraError> {
    if let Some(known) = caps.kv_get(APP_ACCOUNT_KEY).await?.filter(|id| !id.is_empty()) {
        return Ok(known);
    }
    let me = client::call(caps, Actor::App, "GET", "/rest/api/3/myself", None).await?;
    let id = me["accountId"]
        .as_str()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| JiraError::Unexpected("/myself named no account".into()))?
        .to_string();
    caps.kv_set(APP_ACCOUNT_KEY, &id).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn users() -> Value {
        json!([
            {"accountId": "a1", "accountType": "atlassian", "displayName": "John Doe", "emailAddress": "john.doe@example.com", "active": true},
            {"accountId": "a2", "accountType": "atlassian", "displayName": "Sam Smith", "emailAddress": "sam@example.com", "active": true},
            {"accountId": "a3", "accountType": "atlassian", "displayName": "Sam Smith", "emailAddress": "sam2@example.com", "active": true},
            {"accountId": "a4", "accountType": "atlassian", "displayName": "Ivan", "emailAddress": "ivan@example.com", "active": false},
            {"accountId": "app", "accountType": "app", "displayName": "bot", "active": true}
        ])
    }

    #[test]
    fn picks_exactly_one_active_match() {
        assert_eq!(pick(&users(), "John Doe"), Some("a1".into()));
        assert_eq!(pick(&users(), "JOHN.DOE@example.com"), Some("a1".into()));
        assert_eq!(pick(&users(), "john.doe"), Some("a1".into()));
        assert_eq!(pick(&users(), "a1"), Some("a1".into()));
        assert_eq!(pick(&users(), "Sam Smith"), None, "ambiguous");
        assert_eq!(pick(&users(), "Ivan"), None, "inactive");
        assert_eq!(pick(&users(), "bot"), None, "apps are not people");
        assert_eq!(pick(&users(), "John"), None, "no partial matches");
    }

    #[test]
    fn needles_drop_the_windows_domain() {
        assert_eq!(needle("CORP\\bob"), "bob");
        assert_eq!(needle(" bob@example.com "), "bob@example.com");
    }
}
