//! An embedded fake of a BeyondTrust PRA appliance (B Series) for ticket-ID approval (contract:
//! ../shared/contracts/CONTRACTS.md, "BeyondTrust PRA ticket-ID approval", from the seed
//! ../shared/seeds/001_67183f35777c8e96.txt): the endpoint the app answers an approval request
//! at, held to that contract strictly, plus controls that play the appliance's other side.
//!
//! The host mounts [`PraSandbox::router`] under `/sandbox/pra`, and in sandbox mode sends the
//! app's fetches to `https://`[`HOST`]`/...` through the same router in-process (they arrive with
//! `Host: pra.sandbox.test`). The appliance API:
//!
//! - `POST /api/endpoint_approval`, `Content-Type: application/x-www-form-urlencoded` (else
//!   415), keys `response_id` and `response` (`allow`|`deny`) required, `message` (at most 255
//!   characters) and any number of `session.custom.<code name>` (`[A-Za-z0-9_]{1,64}`) optional,
//!   no other key, no key twice (else 400 `{"message", "field"}` naming the key). Then 404 when
//!   no ticket system URL is configured (`settings`), 403 when the request id is unknown,
//!   already answered, or pending longer than the appliance timeout (on the sandbox clock);
//!   else 200 with an empty body (the seed names none): the response is recorded and the
//!   request is no longer pending. Refusals answer `{"message": ...}`.
//!
//! Test controls under `/_sandbox/` (not the appliance's API; JSON in and out):
//!
//! - `POST requests`: a user asks for a Jump Item with a ticket ID; the body is empty or a JSON
//!   object of overrides, every one optional, strings or null (null leaves the key out, as the
//!   appliance does for a Jumpoint's IPs): `{requestId, ticketId, computerName, type, comments,
//!   group, tag, jumpointName, publicIp, privateIp, custom: {name: value}, user: {id, username,
//!   publicDisplayName, privateDisplayName, emailAddress}}` (`custom` replaces the default custom
//!   fields). Answers 201 `{requestId, form, json}`: the new pending request's id (32 random hex
//!   characters unless given; 409 if it exists), the exact form body the appliance would POST to
//!   the ticket system URL, and the same keys as a flat JSON object (see `jump_request.rs` for
//!   the keys and defaults). Nothing is sent: the caller posts `form` to the app.
//! - `GET requests`: every request, oldest first, `{requestId, state, createdAt, timedOutAt,
//!   json, response}` with `state` `pending`|`answered`|`timedOut` and `response` null or as in
//!   `GET responses`. `GET requests/{id}`: one of them (404 if unknown).
//! - `GET responses`: recorded responses, oldest first, `{seq, requestId, response, message,
//!   sessionCustom: {name: value}, receivedAt}`.
//! - `GET settings` / `POST settings` `{"ticketSystemConfigured": bool, "timeoutSeconds":
//!   1-86400}` (either or both; answers the settings in force). Defaults: configured, 120 s.
//! - `POST reset`: forgets requests, responses, the log and fault rules; settings to defaults.
//! - `POST`/`GET`/`DELETE fail`: fault rules of the syntax shared with the sandbox Jira and EPM
//!   (`crate::faults`), on paths such as `/api/endpoint_approval`; `afterHandling` records the
//!   response, then fails the answer.
//! - `GET log`: every appliance API call since start or reset, with its status, the fault that
//!   fired and why it was refused; `body` is the form as a JSON object.
//!
//! Requests, responses and settings are kept in SQLite (pending requests survive a restart, as
//! on the appliance); the log and fault rules live in memory.

mod approval;
mod controls;
mod jump_request;
mod store;
mod validate;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use rusqlite::Connection;
use serde_json::Value;

use crate::answer::message;
use crate::clock::SandboxClock;
use crate::gate::{self, Gated, Gatekeeper, controls as gated};
use crate::sqlite::lock;

/// The reserved host name the sandbox configuration gives the app as the appliance's host
/// (`.test` never resolves on a real network, so nothing can leak to the internet).
pub const HOST: &str = "pra.sandbox.test";
/// Where the appliance takes the ticket system's answers.
pub const RESPONSE_PATH: &str = "/api/endpoint_approval";
/// Largest request body the sandbox reads.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The fake appliance.
pub struct PraSandbox {
    db: Mutex<Connection>,
    /// Request timeouts are measured on it, so tests can move time instead of waiting.
    clock: Arc<SandboxClock>,
    /// The request log and fault rules.
    gate: Gatekeeper,
}

impl PraSandbox {
    /// Opens (creating on first use) the sandbox database at `db_path` (":memory:" for tests).
    /// `clock` is the sandbox clock the app runs on too (none: real time).
    pub fn open(db_path: &Path, clock: Option<Arc<SandboxClock>>) -> anyhow::Result<Arc<PraSandbox>> {
        Ok(Arc::new(PraSandbox {
            db: Mutex::new(store::open(db_path)?),
            clock: clock.unwrap_or_default(),
            gate: Gatekeeper::default(),
        }))
    }

    /// The axum router, with routes relative to the sandbox root. Mount it with
    /// `Router::new().nest("/sandbox/pra", sandbox.router())`.
    pub fn router(self: &Arc<Self>) -> Router {
        let routes = Router::new()
            .route(RESPONSE_PATH, post(approval::receive))
            .route(
                "/_sandbox/requests",
                post(controls::create_request).get(controls::requests),
            )
            .route("/_sandbox/requests/{id}", get(controls::request))
            .route("/_sandbox/responses", get(controls::responses))
            .route(
                "/_sandbox/settings",
                get(controls::settings).post(controls::change_settings),
            )
            .route("/_sandbox/reset", post(controls::reset))
            .route(
                "/_sandbox/fail",
                post(gated::add_fault::<Self>)
                    .get(gated::fault_rules::<Self>)
                    .delete(gated::clear_faults::<Self>),
            )
            .route("/_sandbox/log", get(gated::logged::<Self>))
            .fallback(not_found);
        gate::guard(routes, self)
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        lock(&self.db)
    }
}

impl Gated for PraSandbox {
    const NAME: &'static str = "PRA sandbox";
    const MAX_BODY_BYTES: usize = MAX_BODY_BYTES;

    fn gatekeeper(&self) -> &Gatekeeper {
        &self.gate
    }

    /// The response form as a JSON object (it holds no secret); a repeated key keeps its last
    /// value here, the refusal names it.
    fn logged_body(&self, _path: &str, body: &[u8]) -> Option<Value> {
        (!body.is_empty()).then(|| {
            Value::Object(
                form_urlencoded::parse(body)
                    .map(|(key, value)| (key.into_owned(), Value::String(value.into_owned())))
                    .collect(),
            )
        })
    }

    fn now_ms(&self) -> i64 {
        i64::try_from(self.clock.now_ms()).unwrap_or(i64::MAX)
    }
}

async fn not_found() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "No such appliance API operation in the PRA sandbox.",
    )
}

#[cfg(test)]
mod tests;
