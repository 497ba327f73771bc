//! The "ticket created" workflow: exactly one Jira issue per EPM request, whatever the number
//! of deliveries, their concurrency, or a crash between steps.
//!
//! Protocol, per request (tenant + request id):
//! 1. An `IntakeRecord` under `keys::issue` proves the issue exists: answer its key.
//! 2. Otherwise claim creation with set-if-absent on `keys::claim(gen)`, starting at gen 0.
//!    Exactly one delivery wins a generation and creates; the others poll for the record.
//! 3. A claim is abandoned when its owner released it (Jira refused or failed) or it is older
//!    than `CLAIM_STALE_MS` (its run died; runs live under a minute). Then the next generation
//!    is claimed, and its owner first searches Jira for an issue already carrying the request
//!    id, because the dead or failed run may have created it before it could record it.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::keys;
use super::map::{self, ISSUE_PROPERTY, People};
use super::wire::{RequestRef, TicketCreated};
use crate::caps::{CapError, Caps};
use crate::config::Config;
use crate::jira::client::{self, JiraError};
use crate::jira::users;
use crate::protocol::{Actor, HttpResponse, LogLevel};
use crate::store;

/// A claim older than this belongs to a run that died (Forge web triggers end within 55 s).
pub const CLAIM_STALE_MS: u64 = 60_000;
/// How often a waiting delivery looks for the owner's record.
const POLL_MS: u32 = 200;
/// How long a waiting delivery waits before answering 503 (EPM will deliver again).
const MAX_WAIT_MS: u64 = 20_000;
/// Claim generations tried before giving up on one delivery.
const MAX_GENERATIONS: u32 = 5;
pub const RECORD_VERSION: u32 = 1;

/// Proof that the issue of a request exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntakeRecord {
    pub issue_key: String,
    pub issue_id: String,
    pub created_at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Claim {
    at: u64,
    released: bool,
}

enum Waited {
    Recorded(IntakeRecord),
    Abandoned,
    TimedOut,
}

/// Runs the intake of one ticket-created event and answers the web trigger.
pub async fn intake(caps: &Caps, config: &Config, request: &TicketCreated) -> HttpResponse {
    match intake_inner(caps, config, request).await {
        Ok(response) => response,
        Err(e) => {
            caps.log(LogLevel::Error, format!("storage failed during EPM intake: {e}"))
                .await;
            retry_later(&format!("storage is unavailable ({e}); retry later"))
        }
    }
}

async fn intake_inner(caps: &Caps, config: &Config, request: &TicketCreated) -> Result<HttpResponse, CapError> {
    let req = &request.request;
    if let Some(record) = read_record(caps, req).await? {
        return Ok(existing(&record));
    }
    for generation in 0..MAX_GENERATIONS {
        let now = caps.now().await?;
        let claim = store::encode(
            RECORD_VERSION,
            &Claim {
                at: now,
                released: false,
            },
        );
        if caps.kv_set_if_absent(&keys::claim(req, generation), &claim).await? {
            return create_as_owner(caps, config, request, generation, now).await;
        }
        match wait_for_owner(caps, req, generation).await? {
            Waited::Recorded(record) => return Ok(existing(&record)),
            Waited::Abandoned => continue,
            Waited::TimedOut => {
                return Ok(retry_later(
                    "the issue for this request is being created by another delivery; retry later",
                ));
            }
        }
    }
    Ok(retry_later(
        "creating the issue for this request failed repeatedly; retry later",
    ))
}

async fn read_record(caps: &Caps, req: &RequestRef) -> Result<Option<IntakeRecord>, CapError> {
    let text = caps.kv_get(&keys::issue(req)).await?;
    Ok(text.and_then(|t| store::decode(RECORD_VERSION, &t)))
}

async fn wait_for_owner(caps: &Caps, req: &RequestRef, generation: u32) -> Result<Waited, CapError> {
    let started = caps.now().await?;
    loop {
        let now = caps.now().await?;
        let claim = caps.kv_get(&keys::claim(req, generation)).await?;
        match claim.and_then(|t| store::decode::<Claim>(RECORD_VERSION, &t)) {
            Some(c) if c.released || now.saturating_sub(c.at) > CLAIM_STALE_MS => return Ok(Waited::Abandoned),
            // An unreadable claim cannot be waited on; treat it as abandoned.
            None => return Ok(Waited::Abandoned),
            Some(_) => {}
        }
        if now.saturating_sub(started) >= MAX_WAIT_MS {
            return Ok(Waited::TimedOut);
        }
        caps.sleep(POLL_MS).await?;
        if let Some(record) = read_record(caps, req).await? {
            return Ok(Waited::Recorded(record));
        }
    }
}

async fn create_as_owner(
    caps: &Caps,
    config: &Config,
    request: &TicketCreated,
    generation: u32,
    now: u64,
) -> Result<HttpResponse, CapError> {
    let req = &request.request;
    let created = async {
        if generation > 0
            && let Some((key, id)) = find_existing(caps, config, req).await?
        {
            caps.log(
                LogLevel::Info,
                format!("found {key} already created for EPM request {}", req.request_id),
            )
            .await;
            return Ok((key, id, false));
        }
        let people = find_people(caps, config, request, now).await;
        let (key, id) = create_issue(caps, config, request, people, now).await?;
        Ok::<_, JiraError>((key, id, true))
    }
    .await;
    match created {
        Ok((issue_key, issue_id, fresh)) => {
            let record = IntakeRecord {
                issue_key,
                issue_id,
                created_at: now,
            };
            if let Err(e) = caps
                .kv_set(&keys::issue(req), &store::encode(RECORD_VERSION, &record))
                .await
            {
                // The issue exists; a later delivery recovers the record from Jira.
                caps.log(
                    LogLevel::Error,
                    format!("{} created but not recorded: {e}", record.issue_key),
                )
                .await;
            }
            super::apply::apply_pending(caps, config, req).await;
            if fresh {
                caps.log(
                    LogLevel::Info,
                    format!("created {} for EPM request {}", record.issue_key, req.request_id),
                )
                .await;
                Ok(HttpResponse::json(
                    201,
                    &json!({ "issueKey": record.issue_key, "created": true }),
                ))
            } else {
                Ok(existing(&record))
            }
        }
        Err(e) => {
            let released = store::encode(
                RECORD_VERSION,
                &Claim {
                    at: now,
                    released: true,
                },
            );
            caps.kv_set(&keys::claim(req, generation), &released).await?;
            caps.log(
                LogLevel::Error,
                format!("could not create the issue for EPM request {}: {e}", req.request_id),
            )
            .await;
            Ok(if e.is_transient() {
                retry_later(&e.to_string())
            } else {
                HttpResponse::error(502, format!("could not create the Jira issue: {e}"))
            })
        }
    }
}

/// Assignee and reporter accounts. A lookup failure costs the field, never the ticket.
async fn find_people(caps: &Caps, config: &Config, request: &TicketCreated, now: u64) -> People {
    let mut people = People::default();
    if !config.assignee_name.trim().is_empty() {
        match users::find_account(caps, &config.assignee_name, now).await {
            Ok(id) => people.assignee = id,
            Err(e) => caps.log(LogLevel::Warn, format!("assignee lookup failed: {e}")).await,
        }
    }
    if config.automatic_reporter
        && let Some(user) = request.user()
    {
        match users::find_account(caps, user, now).await {
            Ok(id) => people.reporter = id,
            Err(e) => caps.log(LogLevel::Warn, format!("reporter lookup failed: {e}")).await,
        }
    }
    people
}

/// One create call; if Jira refuses only the people (e.g. the app may not set the reporter),
/// once more without them.
async fn create_issue(
    caps: &Caps,
    config: &Config,
    request: &TicketCreated,
    mut people: People,
    now: u64,
) -> Result<(String, String), JiraError> {
    loop {
        let body = map::create_issue(config, request, &people, now);
        match client::call(caps, Actor::App, "POST", "/rest/api/3/issue", Some(&body)).await {
            Ok(created) => {
                let key = created["key"].as_str().unwrap_or_default().to_string();
                let id = created["id"].as_str().unwrap_or_default().to_string();
                if key.is_empty() {
                    return Err(JiraError::Unexpected("the create answer has no issue key".into()));
                }
                return Ok((key, id));
            }
            Err(JiraError::Refused { errors, message, .. })
                if (people.assignee.is_some() || people.reporter.is_some()) && only_people_refused(&errors) =>
            {
                caps.log(
                    LogLevel::Warn,
                    format!("Jira refused the assignee or reporter ({message}); creating without them"),
                )
                .await;
                people = People::default();
            }
            Err(e) => return Err(e),
        }
    }
}

fn only_people_refused(errors: &Value) -> bool {
    errors
        .as_object()
        .is_some_and(|e| !e.is_empty() && e.keys().all(|k| k == "assignee" || k == "reporter"))
}

/// An issue already carrying the request id in the custom field (and, when it has the app's
/// property, the same tenant).
async fn find_existing(caps: &Caps, config: &Config, req: &RequestRef) -> Result<Option<(String, String)>, JiraError> {
    let body = json!({
        "jql": map::find_issue_jql(config, req),
        "fields": [config.custom_field_id],
        "properties": [ISSUE_PROPERTY],
        "maxResults": 20,
    });
    let found = client::call(caps, Actor::App, "POST", "/rest/api/3/search/jql", Some(&body)).await?;
    let issues = found["issues"].as_array().cloned().unwrap_or_default();
    Ok(issues.iter().find_map(|issue| {
        let same_id = issue["fields"][&config.custom_field_id].as_str() == Some(req.request_id.as_str());
        let tenant = &issue["properties"][ISSUE_PROPERTY]["tenantId"];
        let same_tenant = tenant.is_null() || tenant.as_str() == Some(req.tenant_id.as_str());
        (same_id && same_tenant).then(|| {
            (
                issue["key"].as_str().unwrap_or_default().to_string(),
                issue["id"].as_str().unwrap_or_default().to_string(),
            )
        })
    }))
}

fn existing(record: &IntakeRecord) -> HttpResponse {
    HttpResponse::json(200, &json!({ "issueKey": record.issue_key, "created": false }))
}

fn retry_later(message: &str) -> HttpResponse {
    HttpResponse::error(503, message).with_header("Retry-After", "5")
}
