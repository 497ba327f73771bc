//! An embedded fake of Keeper Commander in Service Mode, REST API v2 (the request queue), for
//! KEPM elevation requests and SSO device approvals (contract: ../shared/contracts/CONTRACTS.md,
//! "Keeper Commander Service Mode, API v2", and `docs/keeper.md`; behaviour read from Keeper's
//! source, Keeper-Security/Commander `keepercommander/service/`, `commands/pedm/pedm_admin.py`,
//! `commands/enterprise.py`).
//!
//! The host mounts [`CommanderSandbox::router`] under `/sandbox/keeper`, and in sandbox mode
//! sends the app's fetches to `https://`[`HOST`]`/...` through the same router in-process, so
//! the app's API URL is `https://keeper.sandbox.test/api/v2`. The Commander API:
//!
//! - `GET /health` (no key, never rate limited) → 200 `{"status": "ok"}`.
//! - Every other call passes, in Commander's order: the rate limit (per endpoint, as
//!   flask-limiter keys it on the caller's address and the endpoint; default 60 a minute, a
//!   fixed window opened by the first call; over it: 429 with Flask's HTML page and, unless
//!   turned off in `settings`, `Retry-After` in seconds), the key (`api-key` header: missing or
//!   unknown 401 `{"status":"error","error":"Please provide a valid api key"}`, expired 401
//!   `API key has expired`), then for `POST` the allow-list (403 `Not permitted to perform this
//!   function` when the command's first word, split at single spaces, is not in the key's list).
//! - `POST /api/v2/executecommand-async` `{"command": "..."}` → 202 `{"success": true,
//!   "request_id": "<uuid4>", "status": "queued", "message": "Request queued successfully. ..."}`.
//!   Refused as Commander refuses: a `command` absent or null (400 `Missing required field
//!   "command"`), not a string (400 `Command must be a string`), longer than 4096 characters
//!   (400 `Command length exceeded`), empty (403: its first word "" is not allowed), a body
//!   that is not `application/json` (400 `Content-Type must be application/json`), JSON that
//!   does not parse (500 `400 Bad Request: The browser (or proxy) sent a request that this
//!   server could not understand.`: Flask's error caught by the route), `{}` (400 `Invalid or
//!   empty JSON`), a queue holding `queueSize` (100) queued entries (503 `Error: Request queue
//!   is full. Please try again later.`). Other fields are ignored. The command is kept
//!   HTML-escaped (as Commander keeps it; `status` shows it so) and run unescaped.
//! - `GET /api/v2/status/{id}` → 200 `{"success": true, "request_id", "command", "status":
//!   "queued"|"processing"|"completed"|"failed"|"expired", "created_at", "started_at",
//!   "completed_at", "result", "status_code", "error_message", "temp_files": []}` (times naive
//!   ISO 8601 as Python's `isoformat()`, in UTC here); 404 `Error: Request not found` when
//!   unknown, forgotten, or submitted with another key.
//! - `GET /api/v2/result/{id}` → the command's result with its status code (200
//!   `{"status": "success", "command", "data"|"message"}`, 400 `{"status": "error"|"warning",
//!   ...}`, 500 when the command raised, ...: Commander's `parse_keeper_response` rules, ported
//!   in `response.rs`); 202 `{"status": "queued"|"processing", "error": "Error: Request not
//!   completed yet"}`; 500 `{"error": ...}` failed; 504 `{"error": "Error: Request expired
//!   after waiting more than 300s in queue"}`; 404 as for `status`.
//! - `GET /api/v2/queue/status` → 200 `{"success": true, "queue_size", "active_requests",
//!   "completed_requests", "currently_processing", "worker_running"}` (the caller's own).
//! - Anything else: Flask's HTML 404 (or 405 for a known path with another method).
//!
//! The worker (`queue.rs`): one, first in first out, evaluated lazily on the sandbox clock at
//! every call (API or control), so what it did is exactly what a background worker would have
//! done by then. An entry starts when the worker is free (and not paused), is `processing` for
//! `processingMs` (default 100 ms), then runs against the sandbox's state at that moment and is
//! `completed`. An entry still queued 300 s after it was submitted expires (it is then never
//! run); a finished entry is forgotten 3,600 s after it finished. Queued entries live in memory,
//! as in Commander: a restart forgets them.
//!
//! Commands (`command.rs`; parsed as Commander does: first word, then `shlex` and argparse;
//! `pedm` and `kepm` are aliases of `epm`):
//!
//! - `service-status` → 200 `{"status": "success", "command": "service-status", "message":
//!   "Current status: Commander Service is Running (PID: 4242, Terminal: unknown terminal)",
//!   "data": null}`.
//! - `epm approval list [--type pending|approved|denied|expired|escalated] [--format json]`,
//!   `epm approval view <UID> [--format json]`: `data` as `docs/keeper.md` gives it (`list`
//!   gives `account_info`/`application_info` as `"key=value"` strings cut at 30 characters,
//!   newest first; `view` gives them as objects); a pending request whose `expire_in` minutes
//!   (30) have passed since `created` shows `Expired`. An unknown UID in `view` raises in
//!   Commander: 500 `{"status": "error", "error": "Unexpected error: Approval UID \"<uid>\" does
//!   not exist"}`.
//! - `epm approval action --approve <UID>` / `--deny <UID>` (each repeatable; `--remove`
//!   drops requests): a UID that is not base64url of 16 bytes is logged `Invalid UID: <uid>`
//!   (400 error); a pending request that has not expired is decided, with no output (200
//!   `Command executed successfully but produced no output`); anything else is the backend's
//!   refusal, logged `Failed to approved "<uid>": <why>` / `Failed to deny "<uid>": <why>`
//!   (`<why>` is `approval request does not exist`, `approval request has expired` or
//!   `approval request is already <status>`, the sandbox's wording), 500 by Commander's rules.
//! - `device-approve [--reload] [--format json]`: pending SSO device requests, `data` an array
//!   of `{date, email, device_id, device_name, device_type, ip_address, client_version,
//!   location}` by date; none pending: 200 message `There are no pending devices to approve`.
//!   `device-approve --approve|--deny <email|device id>`: every pending device whose id starts
//!   with the value or whose user's email is the value (none given: all); none: message `No
//!   matching devices found`; else they leave the pending list, decided, with no output.
//! - Any other command a key allows: 400 `{"status": "error", "command", "error"}` saying the
//!   sandbox does not implement it.
//!
//! Seeds (`seed.rs`, made on first open and by `reset`, relative to the sandbox clock): the key
//! [`DEFAULT_API_KEY`] allowing `service-status,epm,device-approve` (no expiry); three KEPM
//! requests, pending 5 and 29 minutes old and one 31 minutes old that shows `Expired`; two
//! pending SSO device requests.
//!
//! Test controls under `/_sandbox/` (not Commander's API; JSON in and out, refusals `{"message",
//! "field"}`):
//!
//! - `POST kepm`: adds a KEPM request; every field optional: `{uid, approvalType, agentUid,
//!   accountInfo: {}, applicationInfo: {}, justification, expireIn, status, createdSecondsAgo |
//!   createdMinutesAgo}` → 201 the record (`GET state`'s shape), 409 if the UID exists.
//! - `POST devices`: adds a pending device request: `{deviceId (20 lowercase hex), email,
//!   deviceName, deviceType, ipAddress, clientVersion, location, createdSecondsAgo |
//!   createdMinutesAgo}` → 201 the record.
//! - `POST kepm/{uid}/decide` `{"status": "Approved"|"Denied"|"Escalated"}`: decided in Keeper
//!   (outside Jira) → 200 the record; 404 unknown; 409 not pending (or expired).
//! - `POST devices/{id}/decide` `{"decision": "approve"|"deny"}` (the full id) → 200 the
//!   record; 404 unknown; 409 already decided.
//! - `GET state`: `{kepm: [...], devices: [...], queue: [...], worker: {...}}` as they stand now.
//! - `POST keys` `{key?, commands: "a,b" | ["a", "b"], expiresInSeconds? | expiresAt?}` → 201
//!   `{key, digest, commands, expiresAt}` (a random key unless given; 409 if it exists);
//!   `GET keys`: every key as `{digest, commands, expiresAt, expired}`, never its value.
//! - `GET`/`POST settings` `{rateLimitPerMinute 1-100000, queueSize 1-10000, processingMs
//!   0-600000, workerPaused, retryAfterHeader, failNext 0-1000}` (any of them; answers the
//!   settings in force). Defaults 60, 100, 100, false, true, 0. `failNext: n` makes the next n
//!   commands the worker runs fail (`failed`, result 500).
//! - `POST reset`: forgets every request, device, key, queued entry, the log, rate windows and
//!   fault rules, restores the settings and the seeds (ages relative to now).
//! - `POST`/`GET`/`DELETE fail`: fault rules of the shared syntax (`crate::faults`) on paths
//!   such as `/api/v2/executecommand-async`, answered `{"status": "error", "error"}`.
//! - `GET log`: every Commander API call with its status; the body kept is the JSON submitted
//!   (a command holds no secret); headers, so the `api-key`, are never kept.
//!
//! KEPM requests, devices, keys and settings are kept in SQLite; the queue, the log, the rate
//! windows and fault rules live in memory.

mod api;
mod command;
mod controls;
mod queue;
mod response;
pub mod seed;
mod store;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rusqlite::Connection;
use serde_json::{Value, json};

use crate::answer::Refusal;
use crate::clock::SandboxClock;
use crate::gate::{self, Gated, Gatekeeper, controls as gated};
use crate::sqlite::lock;

pub use seed::DEFAULT_API_KEY;

/// The reserved host name the sandbox configuration gives the app for Commander (`.test`
/// never resolves on a real network).
pub const HOST: &str = "keeper.sandbox.test";
/// Where Commander's API v2 is, below the sandbox root (the app's `apiUrl` ends with it).
pub const API_PREFIX: &str = "/api/v2";
/// Largest request body the sandbox reads.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The fake Commander.
pub struct CommanderSandbox {
    db: Mutex<Connection>,
    /// Request ages, queue timing, key expiry and rate windows are measured on it.
    clock: Arc<SandboxClock>,
    gate: Gatekeeper,
    /// The request queue and its worker (in memory, as in Commander).
    queue: Mutex<queue::Queue>,
    /// flask-limiter's fixed windows, per endpoint.
    limiter: Mutex<api::Limiter>,
}

impl CommanderSandbox {
    /// Opens (creating and seeding on first use) the sandbox database at `db_path` (":memory:"
    /// for tests). `clock` is the sandbox clock the app runs on too (none: real time).
    pub fn open(db_path: &Path, clock: Option<Arc<SandboxClock>>) -> anyhow::Result<Arc<CommanderSandbox>> {
        let clock = clock.unwrap_or_default();
        let conn = store::open(db_path)?;
        store::seed_once(&conn, now_of(&clock))?;
        Ok(Arc::new(CommanderSandbox {
            db: Mutex::new(conn),
            clock,
            gate: Gatekeeper::default(),
            queue: Mutex::new(queue::Queue::default()),
            limiter: Mutex::new(api::Limiter::default()),
        }))
    }

    /// The axum router, with routes relative to the sandbox root. Mount it with
    /// `Router::new().nest("/sandbox/keeper", sandbox.router())`.
    pub fn router(self: &Arc<Self>) -> Router {
        let routes = Router::new()
            .route("/health", get(api::health))
            .route("/api/v2/executecommand-async", post(api::execute_async))
            .route("/api/v2/status/{id}", get(api::status))
            .route("/api/v2/result/{id}", get(api::result))
            .route("/api/v2/queue/status", get(api::queue_status))
            .route("/_sandbox/kepm", post(controls::add_kepm))
            .route("/_sandbox/kepm/{uid}/decide", post(controls::decide_kepm))
            .route("/_sandbox/devices", post(controls::add_device))
            .route("/_sandbox/devices/{id}/decide", post(controls::decide_device))
            .route("/_sandbox/state", get(controls::state))
            .route("/_sandbox/keys", post(controls::add_key).get(controls::keys))
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
            .fallback(not_found)
            .method_not_allowed_fallback(method_not_allowed);
        gate::guard(routes, self)
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        lock(&self.db)
    }

    fn queue(&self) -> MutexGuard<'_, queue::Queue> {
        lock(&self.queue)
    }

    /// The sandbox clock's now, in milliseconds since the Unix epoch.
    fn now(&self) -> i64 {
        now_of(&self.clock)
    }

    /// The queue and the store, after the worker caught up with the clock (every API call and
    /// every control looks at them through this, so the worker's lazy steps happen in order).
    fn settled(&self) -> (MutexGuard<'_, queue::Queue>, MutexGuard<'_, Connection>) {
        let mut queue = self.queue();
        let db = self.db();
        let settings = store::settings(&db).unwrap_or_default();
        queue.settle(self.now(), &settings, |command, at| command::execute(&db, command, at));
        (queue, db)
    }
}

fn now_of(clock: &SandboxClock) -> i64 {
    i64::try_from(clock.now_ms()).unwrap_or(i64::MAX)
}

impl Gated for CommanderSandbox {
    const NAME: &'static str = "Keeper Commander sandbox";
    const MAX_BODY_BYTES: usize = MAX_BODY_BYTES;

    fn gatekeeper(&self) -> &Gatekeeper {
        &self.gate
    }

    /// The submitted JSON (`{"command": ...}`: no secret; the key is a header, never kept).
    fn logged_body(&self, _path: &str, body: &[u8]) -> Option<Value> {
        (!body.is_empty()).then(|| {
            serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
        })
    }

    fn now_ms(&self) -> i64 {
        self.now()
    }

    fn fault_answer(status: StatusCode, text: String) -> Response {
        error(status, text)
    }
}

/// Commander's error shape, `{"status": "error", "error": ...}`, noted for the log.
fn error(status: StatusCode, text: impl Into<String>) -> Response {
    let text = text.into();
    json_answer(status, &json!({"status": "error", "error": text}), Some(text))
}

/// A JSON answer (Flask's `jsonify`), its reason noted for the log when it is a refusal.
fn json_answer(status: StatusCode, body: &Value, reason: Option<String>) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body.to_string(),
    )
        .into_response();
    if status.is_client_error() || status.is_server_error() {
        let reason = reason.unwrap_or_else(|| {
            body.get("error").or_else(|| body.get("message")).map_or_else(
                || body.to_string(),
                |v| v.as_str().map_or_else(|| v.to_string(), str::to_string),
            )
        });
        response.extensions_mut().insert(Refusal(reason));
    }
    response
}

/// Flask's (werkzeug's) HTML error page.
fn flask_page(status: StatusCode, description: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = format!(
        "<!doctype html>\n<html lang=en>\n<title>{} {title}</title>\n<h1>{title}</h1>\n<p>{description}</p>\n",
        status.as_u16()
    );
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response();
    response
        .extensions_mut()
        .insert(Refusal(format!("{title}: {description}")));
    response
}

async fn not_found() -> Response {
    flask_page(
        StatusCode::NOT_FOUND,
        "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
    )
}

async fn method_not_allowed() -> Response {
    flask_page(
        StatusCode::METHOD_NOT_ALLOWED,
        "The method is not allowed for the requested URL.",
    )
}

#[cfg(test)]
mod tests;
