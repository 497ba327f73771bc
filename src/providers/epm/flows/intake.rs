//! The "ticket created" workflow: exactly one Jira issue per EPM request, whatever the number
//! of deliveries, their concurrency, or a crash between steps.
//!
//! Protocol, per request (tenant + request id):
//! The webhook's body is kept and a job queued before this runs (`inbox.rs`), so a run that
//! cannot finish leaves the rest to the queue.
//!
//! 1. The app's `RequestRecord` (`trusted.rs`) proves the issue exists: answer its key.
//! 2. Otherwise take the creation lease (`lifecycle/lease.rs`: set-if-absent on `keys::claim`'s generation,
//!    starting at the generation the hint names). Exactly one delivery wins a generation and
//!    creates; the others poll for the record.
//! 3. A lease is free for the next generation when its owner released it (Jira refused the
//!    create, so nothing was made), when it is older than `CLAIM_STALE_MS` (its run died; runs
//!    live under a minute), or `SETTLE_MS` after its owner saw the create's outcome unknown (a
//!    timeout or 5xx after `POST /issue`: the issue may exist). The owner of any later
//!    generation first searches Jira for an issue the app created with this exact request id
//!    (`find_existing`), so a create that happened is found, not repeated. The hint slides
//!    past used generations, so failures never lock a request out.

use serde_json::{Value, json};

use super::trusted::{self, RequestRecord};
use crate::caps::{CapError, Caps};
use crate::jira::client::{self, JiraError};
use crate::jira::users;
use crate::jobs;
use crate::lifecycle::lease::{self, Envelope, Lease, State as LeaseState, Taken};
use crate::protocol::{Actor, HttpResponse, LogLevel};
use crate::providers::epm::keys;
use crate::providers::epm::mapping::map::{self, ISSUE_PROPERTY, People};
use crate::providers::epm::mapping::property::EpmProperty;
use crate::providers::epm::settings::EpmSettings;
use crate::providers::epm::wire::{RequestRef, TicketCreated};

/// A lease older than this belongs to a run that died (Forge web triggers end within 55 s).
pub const CLAIM_STALE_MS: u64 = 60_000;
/// After a create with an unknown outcome, how long before the next owner searches for it
/// (Jira's search index lags a few seconds behind a create).
pub const SETTLE_MS: u64 = 10_000;
/// How often a waiting delivery looks for the owner's record.
const POLL_MS: u32 = 200;
/// Generations tried by one run before it leaves the rest to the queued job.
const MAX_GENERATIONS: u32 = 5;

/// Whether the next generation may be taken over this lease: released, left unknown long
/// enough for Jira's index, or held by a run that died (too old, or of a host process that is
/// gone: `instance.rs`).
fn abandoned(lease: &Lease, now: u64, instance: Option<&str>) -> bool {
    if lease.orphaned(instance) {
        return true;
    }
    let age = now.saturating_sub(lease.at);
    match lease.state {
        // `Decided` is never written to a creation lease: settled, like a release.
        LeaseState::Released | LeaseState::Decided => true,
        LeaseState::Unknown => age >= SETTLE_MS,
        LeaseState::Held | LeaseState::Sending => age > CLAIM_STALE_MS,
    }
}

enum Waited {
    Recorded(Box<RequestRecord>),
    Abandoned,
    TimedOut,
}

/// How far one intake run got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intake {
    /// The request has its issue: created by this run (`fresh`) or earlier.
    Recorded { record: Box<RequestRecord>, fresh: bool },
    /// Not finished (Jira busy, a create whose outcome is unknown, another run creating it,
    /// storage failing): the queued job finishes it, after at least `hint_ms`.
    Unfinished { hint_ms: Option<u64>, reason: String },
    /// Jira refused the create: trying again makes the same request.
    Refused(String),
}

/// How long a web trigger waits for another delivery that is creating the issue.
pub const WEB_TRIGGER_WAIT_MS: u64 = 10_000;
/// How long a job waits for it (then it asks to run again later).
pub const JOB_WAIT_MS: u64 = 5_000;

/// Runs the intake of one ticket-created event: exactly one issue per request.
pub async fn run(caps: &Caps, config: &EpmSettings, request: &TicketCreated, max_wait_ms: u64) -> Intake {
    match intake_inner(caps, config, request, max_wait_ms).await {
        Ok(intake) => intake,
        Err(e) => {
            caps.log(LogLevel::Error, format!("storage failed during EPM intake: {e}"))
                .await;
            Intake::Unfinished {
                hint_ms: None,
                reason: format!("storage is unavailable ({e})"),
            }
        }
    }
}

/// The web trigger's answer: 201 created, 200 already there, 202 accepted (the queue finishes
/// it), 502 Jira refused the create.
pub fn answer(request: &TicketCreated, intake: &Intake) -> HttpResponse {
    match intake {
        Intake::Recorded { record, fresh: true } => {
            HttpResponse::json(201, &json!({ "issueKey": record.issue_key, "created": true }))
        }
        Intake::Recorded { record, fresh: false } => existing(record),
        Intake::Unfinished { reason, .. } => jobs::accepted(&request.request.request_id, reason),
        Intake::Refused(e) => HttpResponse::error(502, format!("could not create the Jira issue: {e}")),
    }
}

async fn intake_inner(
    caps: &Caps,
    config: &EpmSettings,
    request: &TicketCreated,
    max_wait_ms: u64,
) -> Result<Intake, CapError> {
    let req = &request.request;
    if let Some(record) = trusted::read(caps, req).await? {
        return Ok(Intake::Recorded {
            record: Box::new(record),
            fresh: false,
        });
    }
    let keys = keys::claim(req);
    let instance = crate::instance::current(caps).await;
    let instance = instance.as_deref();
    for _ in 0..MAX_GENERATIONS {
        let now = caps.now().await?;
        let free = |l: &Lease| abandoned(l, now, instance);
        match lease::take(caps, &keys, &Lease::held(now, instance), free, MAX_GENERATIONS).await? {
            Taken::Won {
                generation,
                after_earlier,
            } => return create_as_owner(caps, config, request, generation, after_earlier, now).await,
            Taken::Held(generation, _) => match wait_for_owner(caps, req, generation, instance, max_wait_ms).await? {
                Waited::Recorded(record) => {
                    return Ok(Intake::Recorded { record, fresh: false });
                }
                Waited::Abandoned => continue,
                Waited::TimedOut => {
                    return Ok(Intake::Unfinished {
                        hint_ms: Some(u64::from(POLL_MS) * 10),
                        reason: "the issue for this request is being created by another delivery".into(),
                    });
                }
            },
            Taken::Exhausted => break,
        }
    }
    Ok(Intake::Unfinished {
        hint_ms: Some(SETTLE_MS),
        reason: "creating the issue for this request failed repeatedly".into(),
    })
}

async fn wait_for_owner(
    caps: &Caps,
    req: &RequestRef,
    generation: u32,
    instance: Option<&str>,
    max_wait_ms: u64,
) -> Result<Waited, CapError> {
    let started = caps.now().await?;
    loop {
        let now = caps.now().await?;
        // Absent right after a conflict means not readable yet: keep waiting, never take it.
        if let Some(lease) = lease::read::<Lease>(caps, &keys::claim(req), generation).await?
            && abandoned(&lease, now, instance)
        {
            return Ok(Waited::Abandoned);
        }
        if now.saturating_sub(started) >= max_wait_ms {
            return Ok(Waited::TimedOut);
        }
        caps.sleep(POLL_MS).await?;
        if let Some(record) = trusted::read(caps, req).await? {
            return Ok(Waited::Recorded(Box::new(record)));
        }
    }
}

async fn create_as_owner(
    caps: &Caps,
    config: &EpmSettings,
    request: &TicketCreated,
    generation: u32,
    after_earlier: bool,
    now: u64,
) -> Result<Intake, CapError> {
    let req = &request.request;
    let people = find_people(caps, config, request, now).await;
    let property = EpmProperty::new(request, people.reporter.clone(), now);
    let created = async {
        if after_earlier && let Some((key, id)) = find_existing(caps, req).await? {
            caps.log(
                LogLevel::Info,
                format!("found {key} already created for EPM request {}", req.request_id),
            )
            .await;
            return Ok((key, id, false));
        }
        let (key, id) = create_issue(caps, config, request, &property, people).await?;
        Ok::<_, JiraError>((key, id, true))
    }
    .await;
    match created {
        Ok((issue_key, issue_id, fresh)) => {
            let record = RequestRecord {
                issue_key,
                issue_id,
                created_at: now,
                request: property,
                epm_user: request.user().map(String::from),
                legacy: false,
            };
            if let Err(e) = trusted::write(caps, &record).await {
                // The issue exists; the next delivery's owner finds it in Jira and records it.
                caps.log(
                    LogLevel::Error,
                    format!("{} created but not recorded: {e}", record.issue_key),
                )
                .await;
                lease::settle(
                    caps,
                    &keys::claim(req),
                    generation,
                    &Lease::settled(now, LeaseState::Unknown),
                )
                .await?;
                return Ok(Intake::Unfinished {
                    hint_ms: Some(SETTLE_MS),
                    reason: format!("{} was created but the app could not record it ({e})", record.issue_key),
                });
            }
            super::update::apply_pending(caps, config, req).await;
            if fresh {
                caps.log(
                    LogLevel::Info,
                    format!("created {} for EPM request {}", record.issue_key, req.request_id),
                )
                .await;
            }
            Ok(Intake::Recorded {
                record: Box::new(record),
                fresh,
            })
        }
        Err(e) => {
            // A refusal made nothing; a timeout or 5xx may have made the issue, so the next
            // owner waits for Jira's index and searches before it creates.
            let state = if e.is_transient() {
                LeaseState::Unknown
            } else {
                LeaseState::Released
            };
            lease::settle(caps, &keys::claim(req), generation, &Lease::settled(now, state)).await?;
            caps.log(
                LogLevel::Error,
                format!("could not create the issue for EPM request {}: {e}", req.request_id),
            )
            .await;
            Ok(if e.is_transient() {
                Intake::Unfinished {
                    hint_ms: Some(SETTLE_MS),
                    reason: e.to_string(),
                }
            } else {
                Intake::Refused(e.to_string())
            })
        }
    }
}

/// Assignee and reporter accounts. A lookup failure costs the field, never the ticket.
async fn find_people(caps: &Caps, config: &EpmSettings, request: &TicketCreated, now: u64) -> People {
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
/// once more without them. The create is never retried on a 5xx or a timeout
/// (`client::call_once`): it may have happened.
async fn create_issue(
    caps: &Caps,
    config: &EpmSettings,
    request: &TicketCreated,
    property: &EpmProperty,
    mut people: People,
) -> Result<(String, String), JiraError> {
    loop {
        let body = map::create_issue(config, request, &people, property);
        match client::call_once(caps, Actor::App, "POST", "/rest/api/3/issue", Some(&body)).await {
            Ok(created) => {
                let key = created["key"].as_str().unwrap_or_default().to_string();
                let id = created["id"].as_str().unwrap_or_default().to_string();
                if key.is_empty() || id.is_empty() {
                    return Err(JiraError::Unexpected("the create answer has no issue key or id".into()));
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

/// An issue the app itself created for exactly this request: an exact match on the indexed
/// property path (`string` type, so `=` compares whole values; the JQL string is escaped), then
/// checked in the answer: same tenant and request id, and created by an app account (a person
/// can copy the property onto an issue of theirs, but cannot make an app its creator).
async fn find_existing(caps: &Caps, req: &RequestRef) -> Result<Option<(String, String)>, JiraError> {
    let body = json!({
        "jql": map::find_issue_jql(req),
        "fields": ["creator"],
        "properties": [ISSUE_PROPERTY],
        "maxResults": 20,
    });
    let found = client::call(caps, Actor::App, "POST", "/rest/api/3/search/jql", Some(&body)).await?;
    let issues = found["issues"].as_array().cloned().unwrap_or_default();
    Ok(issues.iter().find_map(|issue| {
        let property = &issue["properties"][ISSUE_PROPERTY];
        let same = property["requestId"].as_str() == Some(req.request_id.as_str())
            && property["tenantId"].as_str() == Some(req.tenant_id.as_str());
        let by_app = issue.pointer("/fields/creator/accountType").and_then(Value::as_str) == Some("app");
        let key = issue["key"].as_str().filter(|k| !k.is_empty())?;
        let id = issue["id"].as_str().filter(|i| !i.is_empty())?;
        (same && by_app).then(|| (key.to_string(), id.to_string()))
    }))
}

fn existing(record: &RequestRecord) -> HttpResponse {
    HttpResponse::json(200, &json!({ "issueKey": record.issue_key, "created": false }))
}
