//! Expiry on the server: a scheduled trigger (`epm-expiry`, every few minutes) finds approvals
//! whose end has passed and records it on the issue: a note, the move to the configured expired
//! status, and the property. EPM ends the access on the endpoint itself; this makes Jira say so
//! without anyone opening the issue.
//!
//! Jira's search is only the way to *find* candidates: an approval with an end carries
//! `openExpiry` in its issue property, which the manifest indexes. Anyone who may edit an issue
//! can write that property, so each candidate is checked against the app's records (the request
//! record by issue id, and the decision EPM has); only an approval whose *record* says it ended
//! is acted on. Forged or failing candidates cannot starve the rest: they are excluded from the
//! next page's search within a tick, a failing issue waits out a growing backoff (its failure
//! budget), and a tick stops at a time budget.

use serde_json::{Value, json};

use super::deliver;
use super::record;
use super::trusted;
use crate::caps::{CapError, Caps};
use crate::jira::client;
use crate::protocol::{Actor, LogLevel, Outcome};
use crate::providers::epm::keys;
use crate::providers::epm::mapping::issue;
use crate::providers::epm::mapping::map::ISSUE_PROPERTY;
use crate::providers::epm::records::{RETRY_VERSION, Retry};
use crate::providers::epm::settings::EpmSettings;
use crate::store;

/// Module key of the scheduled trigger in the manifest.
pub const TICK: &str = "epm-expiry";
/// Issues asked for per search.
const PAGE: usize = 50;
/// A tick stops starting new work after this long (a scheduled run has 55 s on Forge).
pub const TIME_BUDGET_MS: u64 = 25_000;
/// At most this many candidates are excluded from one tick's searches (the JQL stays short).
const MAX_EXCLUDED: usize = 500;
/// A failing issue is retried after 5 min, then 10, 20 … up to a day.
const FIRST_BACKOFF_MS: u64 = 5 * 60_000;
const MAX_BACKOFF_MS: u64 = 24 * 60 * 60_000;

/// What the tick made of one candidate.
enum Candidate {
    Expired(Value),
    Failed(Value),
    /// Not the app's issue, not due by the app's record, or waiting out its backoff.
    Skipped,
}

pub async fn tick(caps: &Caps) -> Outcome {
    let config = match crate::providers::epm::settings::load(caps).await {
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
    let mut expired = Vec::new();
    let mut failed = Vec::new();
    let mut excluded: Vec<String> = Vec::new();
    let mut skipped = 0usize;
    let mut out_of_time = false;
    'pages: loop {
        let found = match search(caps, now, &excluded).await {
            Ok(found) => found,
            Err(e) if expired.is_empty() && failed.is_empty() && excluded.is_empty() => {
                return Outcome::Error(format!("the expiry search failed: {e}"));
            }
            Err(e) => {
                caps.log(LogLevel::Warn, format!("the expiry search failed: {e}")).await;
                break;
            }
        };
        if found.is_empty() {
            break;
        }
        for candidate in &found {
            if caps
                .now()
                .await
                .map_or(true, |t| t.saturating_sub(now) >= TIME_BUDGET_MS)
            {
                out_of_time = true;
                break 'pages;
            }
            let key = candidate["key"].as_str().unwrap_or_default().to_string();
            match handle(caps, &config, candidate, now).await {
                Candidate::Expired(done) => expired.push(done),
                Candidate::Failed(done) => {
                    failed.push(done);
                    excluded.push(key);
                }
                Candidate::Skipped => {
                    skipped += 1;
                    excluded.push(key);
                }
            }
        }
        if excluded.len() >= MAX_EXCLUDED {
            out_of_time = true;
            break;
        }
    }
    if !expired.is_empty() {
        caps.log(LogLevel::Info, format!("{} approval(s) expired", expired.len()))
            .await;
    }
    let due: Value = (expired.len() + failed.len()).into();
    Outcome::Value(
        json!({"due": due, "expired": expired, "failed": failed, "skipped": skipped, "more": out_of_time}).to_string(),
    )
}

/// One page of candidates: issues whose property says an approval ended by `now`, without the
/// ones this tick already looked at.
async fn search(caps: &Caps, now: u64, excluded: &[String]) -> Result<Vec<Value>, client::JiraError> {
    let mut jql = format!("issue.property[{ISSUE_PROPERTY}].openExpiry <= {now}");
    if !excluded.is_empty() {
        let keys: Vec<String> = excluded.iter().map(|k| client::jql_string(k)).collect();
        jql.push_str(&format!(" AND key NOT IN ({})", keys.join(", ")));
    }
    jql.push_str(" ORDER BY key ASC");
    let body = json!({
        "jql": jql,
        "fields": ["summary", "status", "project"],
        "properties": [ISSUE_PROPERTY],
        "maxResults": PAGE,
    });
    let found = client::call(caps, Actor::App, "POST", "/rest/api/3/search/jql", Some(&body)).await?;
    Ok(found["issues"].as_array().cloned().unwrap_or_default())
}

async fn handle(caps: &Caps, config: &EpmSettings, found: &Value, now: u64) -> Candidate {
    let key = found["key"].as_str().unwrap_or_default();
    let facts = issue::facts(key, found);
    let checked = async {
        let Some(record) = trusted::for_issue(caps, &facts.id, facts.property.as_ref()).await? else {
            return Ok(None);
        };
        let request = record.request_ref();
        let known = deliver::recorded(caps, &request).await?;
        let due = known
            .as_ref()
            .is_some_and(|d| d.approved && d.expires_at.is_some_and(|end| end <= now));
        if !due {
            // The app's own issue, with a property someone edited to look due: write back what
            // the app's records say, so the search stops finding it.
            restore(caps, &facts, &record, known.as_ref()).await;
            return Ok(None);
        }
        let Some(mut decision) = known else {
            return Ok(None);
        };
        let retry = read_retry(caps, &facts.id).await?;
        if retry.next_at > now {
            return Ok(None);
        }
        if decision.expired_at.is_none() {
            // The app's record first: from here on the approval has ended, whatever Jira says.
            decision.expired_at = Some(now);
            deliver::keep(caps, &request, &decision).await?;
        }
        Ok::<_, CapError>(Some((record, decision, retry)))
    }
    .await;
    let (record, decision, retry) = match checked {
        Ok(Some(found)) => found,
        Ok(None) => return Candidate::Skipped,
        Err(e) => {
            caps.log(LogLevel::Warn, format!("{key}: storage failed during expiry: {e}"))
                .await;
            return Candidate::Failed(json!({"issueKey": key, "error": e.to_string()}));
        }
    };
    match record::expiry(caps, config, &facts, &record, &decision).await {
        Ok(recorded) => {
            if retry.failures > 0 {
                let _ = caps.kv_delete(&keys::expiry_retry(&facts.id)).await;
            }
            Candidate::Expired(json!({"issueKey": facts.key, "movedTo": recorded.moved_to}))
        }
        Err(e) => {
            let failures = retry.failures.saturating_add(1);
            let backoff = FIRST_BACKOFF_MS
                .saturating_mul(1 << (failures - 1).min(20))
                .min(MAX_BACKOFF_MS);
            let next = Retry {
                failures,
                next_at: now + backoff,
            };
            let _ = caps
                .kv_set(&keys::expiry_retry(&facts.id), &store::encode(RETRY_VERSION, &next))
                .await;
            caps.log(
                LogLevel::Warn,
                format!(
                    "{}: the expiry is not recorded yet ({e}); failure {failures}, next try in {} min",
                    facts.key,
                    backoff / 60_000
                ),
            )
            .await;
            Candidate::Failed(json!({"issueKey": facts.key, "error": e.to_string(), "failures": failures}))
        }
    }
}

async fn restore(
    caps: &Caps,
    facts: &issue::IssueFacts,
    record: &trusted::RequestRecord,
    known: Option<&crate::providers::epm::mapping::property::DecisionRecord>,
) {
    let property = record.property(known);
    if facts.property.as_ref() == Some(&property) {
        return;
    }
    match record::put_property(caps, &facts.id, &property).await {
        Ok(()) => {
            caps.log(
                LogLevel::Warn,
                format!(
                    "{}: its property said the approval ended, the app's records do not; the property is restored",
                    facts.key
                ),
            )
            .await
        }
        Err(e) => {
            caps.log(
                LogLevel::Warn,
                format!("{}: could not restore the property: {e}", facts.key),
            )
            .await
        }
    }
}

async fn read_retry(caps: &Caps, issue_id: &str) -> Result<Retry, CapError> {
    Ok(caps
        .kv_get(&keys::expiry_retry(issue_id))
        .await?
        .and_then(|t| store::decode(RETRY_VERSION, &t))
        .unwrap_or_default())
}
