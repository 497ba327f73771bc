//! The "ticket created" workflow: exactly one Jira issue per EPM request, whatever the number
//! of deliveries, their concurrency, or a crash between steps.
//!
//! The protocol is the core's (`lifecycle/create.rs`); EPM plugs in its creation lease
//! (`keys::claim`), its `RequestRecord` (`trusted.rs`), and how it creates the issue: people
//! lookup, the issue property, the search for an issue an earlier owner made (`find_existing`),
//! the create call, the record, and any decision update that arrived first
//! (`update::apply_pending`). The webhook's body is kept and a job queued before this runs
//! (`inbox.rs`), so a run that cannot finish leaves the rest to the queue.

use serde_json::{Value, json};

use super::trusted::{self, RequestRecord};
use crate::caps::{CapError, Caps};
use crate::jira::client::{self, JiraError};
use crate::jira::users;
use crate::jobs;
use crate::lifecycle::create::{self, Created, Creation, Failure};
use crate::lifecycle::lease::Slots;
use crate::protocol::{Actor, HttpResponse, LogLevel};
use crate::providers::epm::keys;
use crate::providers::epm::mapping::map::{self, ISSUE_PROPERTY, People};
use crate::providers::epm::mapping::property::EpmProperty;
use crate::providers::epm::settings::EpmSettings;
use crate::providers::epm::wire::{RequestRef, TicketCreated};

pub use crate::lifecycle::create::{CLAIM_STALE_MS, JOB_WAIT_MS, SETTLE_MS, WEB_TRIGGER_WAIT_MS};

/// How far one intake run got (`lifecycle::create::Created`).
pub type Intake = Created<RequestRecord>;

/// Runs the intake of one ticket-created event: exactly one issue per request.
pub async fn run(caps: &Caps, config: &EpmSettings, request: &TicketCreated, max_wait_ms: u64) -> Intake {
    create::run(caps, &EpmCreation { config, request }, max_wait_ms).await
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

/// One EPM request's issue, as the core's creation protocol runs it.
struct EpmCreation<'a> {
    config: &'a EpmSettings,
    request: &'a TicketCreated,
}

impl Creation for EpmCreation<'_> {
    type Record = RequestRecord;

    fn lease(&self) -> Slots {
        keys::claim(&self.request.request)
    }

    async fn recorded(&self, caps: &Caps) -> Result<Option<RequestRecord>, CapError> {
        trusted::read(caps, &self.request.request).await
    }

    async fn create(&self, caps: &Caps, after_earlier: bool, now: u64) -> Result<(RequestRecord, bool), Failure> {
        let (config, request) = (self.config, self.request);
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
        let (issue_key, issue_id, fresh) = match created {
            Ok(created) => created,
            Err(e) => {
                caps.log(
                    LogLevel::Error,
                    format!("could not create the issue for EPM request {}: {e}", req.request_id),
                )
                .await;
                // A refusal made nothing; a timeout or 5xx may have made the issue.
                return Err(if e.is_transient() {
                    Failure::Unknown(e.to_string())
                } else {
                    Failure::Refused(e.to_string())
                });
            }
        };
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
            return Err(Failure::NotRecorded(format!(
                "{} was created but the app could not record it ({e})",
                record.issue_key
            )));
        }
        super::update::apply_pending(caps, config, req).await;
        if fresh {
            caps.log(
                LogLevel::Info,
                format!("created {} for EPM request {}", record.issue_key, req.request_id),
            )
            .await;
        }
        Ok((record, fresh))
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
            Ok(created) => return client::created_issue(&created),
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
