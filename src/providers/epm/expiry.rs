//! Expiry on the server: a scheduled trigger (`epm-expiry`, every few minutes) finds approvals
//! whose end has passed and records it on the issue: a note, the property, and the move to the
//! configured expired status. EPM ends the access on the endpoint itself; this makes Jira say so
//! without anyone opening the issue.
//!
//! An approval with an end carries `openExpiry` in its issue property (`record::on_issue`),
//! which the manifest indexes; the search asks for `openExpiry <= now`, and recording removes it,
//! so each approval is expired once. Ticks do not overlap (one every five minutes on Forge, one
//! at a time on the local host); were two to race, the worst case is the note twice.

use serde_json::{Value, json};

use super::issue;
use super::map::ISSUE_PROPERTY;
use super::record;
use crate::caps::Caps;
use crate::jira::client;
use crate::protocol::{Actor, LogLevel, Outcome};
use crate::webtrigger::load_config;

/// Module key of the scheduled trigger in the manifest.
pub const TICK: &str = "epm-expiry";
/// Issues handled per tick; the rest wait for the next one (a scheduled run has 55 s on Forge).
const BATCH: usize = 50;

pub async fn tick(caps: &Caps) -> Outcome {
    let config = match load_config(caps).await {
        Ok(config) => config,
        Err(e) => return Outcome::Error(e),
    };
    if !config.enabled {
        return Outcome::Value(json!({"due": 0, "expired": [], "failed": [], "disabled": true}).to_string());
    }
    let now = match caps.now().await {
        Ok(now) => now,
        Err(e) => return Outcome::Error(format!("the clock could not be read: {e}")),
    };
    let body = json!({
        "jql": format!("issue.property[{ISSUE_PROPERTY}].openExpiry <= {now} ORDER BY key ASC"),
        "fields": ["summary", "status", "project"],
        "properties": [ISSUE_PROPERTY],
        "maxResults": BATCH,
    });
    let found = match client::call(caps, Actor::App, "POST", "/rest/api/3/search/jql", Some(&body)).await {
        Ok(found) => found,
        Err(e) => return Outcome::Error(format!("the expiry search failed: {e}")),
    };
    let issues = found["issues"].as_array().cloned().unwrap_or_default();
    let mut expired = Vec::new();
    let mut failed = Vec::new();
    for found in &issues {
        let key = found["key"].as_str().unwrap_or_default();
        let facts = issue::facts(key, found);
        // The index can lag behind the property: check the stored value itself.
        let Some(property) = facts.property.clone() else {
            continue;
        };
        let Some(decision) = property.decision.clone().filter(|d| d.approved) else {
            continue;
        };
        if property.open_expiry.is_none_or(|end| end > now) {
            continue;
        }
        match record::expiry(caps, &config, &facts, &property, &decision, now).await {
            Ok(recorded) => expired.push(json!({"issueKey": facts.key, "movedTo": recorded.moved_to})),
            Err(e) => {
                caps.log(
                    LogLevel::Warn,
                    format!("{}: the expiry is not recorded yet: {e}", facts.key),
                )
                .await;
                failed.push(json!({"issueKey": facts.key, "error": e.to_string()}));
            }
        }
    }
    if !expired.is_empty() {
        caps.log(LogLevel::Info, format!("{} approval(s) expired", expired.len()))
            .await;
    }
    let due: Value = (expired.len() + failed.len()).into();
    Outcome::Value(json!({"due": due, "expired": expired, "failed": failed}).to_string())
}
