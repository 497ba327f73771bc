//! The `keeper-expiry` tick: KEPM requests end 30 minutes after Keeper made them, and the app
//! records that on their issues without anyone opening them (note, status, property). The
//! indexed `openUntil` of the app's property only finds candidates: each is looked up in the
//! app's records by issue id, and only a request the app knows, still undecided and past its
//! time by the app's clock is marked. A candidate whose property was edited to look due gets
//! the property the app's records say written back, so the search stops finding it; an issue
//! the app does not know is never written to.

use serde_json::{Value, json};

use super::super::records::{self, Outcome};
use super::super::settings;
use super::reconcile;
use super::record::{self, KEPM_LIFETIME_MS};
use super::ticket::ISSUE_PROPERTY;
use crate::caps::Caps;
use crate::jira::client::{self, jql_string};
use crate::lifecycle::recording;
use crate::protocol::{Actor, LogLevel, Outcome as RunOutcome};

pub const TICK: &str = "keeper-expiry";
const PAGE: usize = 50;
const BUDGET_MS: u64 = 25_000;

pub async fn tick(caps: &Caps) -> RunOutcome {
    let settings = match settings::load(caps).await {
        Ok(s) => s,
        Err(e) => return RunOutcome::Error(e),
    };
    if !settings.enabled {
        return RunOutcome::Value(json!({"expired": 0, "skipped": "Keeper is disabled"}).to_string());
    }
    let Ok(started) = caps.now().await else {
        return RunOutcome::Error("the clock failed".into());
    };
    let mut passed: Vec<String> = Vec::new();
    let (mut expired, mut restored) = (0, 0);
    loop {
        let now = caps.now().await.unwrap_or(started);
        if now.saturating_sub(started) > BUDGET_MS {
            break;
        }
        let mut jql = format!("issue.property[{ISSUE_PROPERTY}].openUntil <= {now}");
        if !passed.is_empty() {
            let keys: Vec<String> = passed.iter().map(|k| jql_string(k)).collect();
            jql.push_str(&format!(" AND key NOT IN ({})", keys.join(", ")));
        }
        jql.push_str(" ORDER BY key ASC");
        let body = json!({"jql": jql, "fields": ["status"], "maxResults": PAGE});
        let found = match client::call(caps, Actor::App, "POST", "/rest/api/3/search/jql", Some(&body)).await {
            Ok(found) => found,
            Err(e) => return RunOutcome::Error(format!("the expiry search failed: {e}")),
        };
        let issues = found["issues"].as_array().cloned().unwrap_or_default();
        if issues.is_empty() {
            break;
        }
        for issue in &issues {
            let (Some(id), Some(key)) = (issue["id"].as_str(), issue["key"].as_str()) else {
                continue;
            };
            passed.push(key.to_string());
            match one(caps, &settings, id, now).await {
                Ok(Some(true)) => expired += 1,
                Ok(Some(false)) => restored += 1,
                Ok(None) => {}
                Err(e) => {
                    caps.log(
                        LogLevel::Warn,
                        format!("{key}: the Keeper expiry could not be recorded ({e})"),
                    )
                    .await
                }
            }
        }
        if issues.len() < PAGE {
            break;
        }
    }
    RunOutcome::Value(json!({"expired": expired, "restored": restored}).to_string())
}

/// `Some(true)`: marked expired; `Some(false)`: its property put back; `None`: left alone.
async fn one(
    caps: &Caps,
    settings: &settings::KeeperSettings,
    issue_id: &str,
    now: u64,
) -> Result<Option<bool>, String> {
    let Some(request) = records::for_issue(caps, issue_id).await.map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let outcome = records::read_outcome(caps, &request.sid)
        .await
        .map_err(|e| e.to_string())?;
    let in_flight = reconcile::current_claim(caps, &request)
        .await
        .map_err(|e| e.to_string())?
        .is_some();
    let due = request.raised_at + KEPM_LIFETIME_MS <= now;
    let kepm = matches!(request.subject, super::super::subject::Subject::Kepm { .. });
    if kepm && due && outcome.is_none() && !in_flight {
        let expired = Outcome {
            result: "expired".into(),
            source: "expiry".into(),
            by: None,
            at: now,
        };
        reconcile::conclude(caps, settings, &request, None, expired)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(Some(true));
    }
    if in_flight {
        return Ok(None);
    }
    // Not the app's to expire (decided, or a property edited to look due): the app's own view.
    let property: Value = record::property(&request, outcome.as_ref());
    recording::put_property(caps, issue_id, ISSUE_PROPERTY, &property)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Some(false))
}
