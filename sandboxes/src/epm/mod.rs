//! An embedded fake of BeyondTrust EPM's management API (contract:
//! ../shared/contracts/CONTRACTS.md, "Management API"): the OAuth client-credentials token and
//! the decision notification, held to that contract strictly, plus test controls.
//!
//! The host mounts [`EpmSandbox::router`] under `/sandbox/epm`, and in sandbox mode sends the
//! app's fetches to `https://`[`HOST`]`/...` through the same router in-process. Routes:
//!
//! - `POST /oauth/connect/token` (form `grant_type=client_credentials&client_id&client_secret`)
//! - `POST /management-api/{v1|v2|v3}/AuthorizationRequest/notification` (Bearer token, JSON)
//! - `/_sandbox/...`: `GET decisions`, `GET requests`, `POST reset`, `POST`/`GET`/`DELETE fail`,
//!   `POST revoke-tokens`, `POST expire-tokens` (see `controls.rs`).
//!
//! Issued tokens and recorded decisions are kept in SQLite (like the sandbox Jira's issues, they
//! survive a restart, so the app's cached token stays valid); the request log and planned
//! failures live in memory.

mod controls;
mod faults;
mod gate;
mod log;
mod notification;
mod store;
mod token;
mod validate;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rusqlite::Connection;

use crate::faults::FaultRules;
use log::RequestLog;

/// The reserved host name the sandbox configuration gives the app as EPM's services host
/// (`.test` never resolves on a real network, so nothing can leak to the internet).
pub const HOST: &str = "epm.sandbox.test";
/// The API client the sandbox knows (its secret is generated per data dir).
pub const CLIENT_ID: &str = "pam-approvals-sandbox-client";
/// What EPM says its tokens live for.
const TOKEN_LIFETIME_SECS: i64 = 3600;
/// Largest request body the sandbox reads.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// The one API account of the fake tenant.
#[derive(Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: String,
}

/// The fake EPM tenant.
pub struct EpmSandbox {
    db: Mutex<Connection>,
    client: ClientCredentials,
    log: Mutex<RequestLog>,
    faults: Mutex<FaultRules>,
}

impl EpmSandbox {
    /// Opens (creating on first use) the sandbox database at `db_path` (":memory:" for tests).
    pub fn open(db_path: &Path, client: ClientCredentials) -> anyhow::Result<Arc<EpmSandbox>> {
        Ok(Arc::new(EpmSandbox {
            db: Mutex::new(store::open(db_path)?),
            client,
            log: Mutex::new(RequestLog::default()),
            faults: Mutex::new(FaultRules::default()),
        }))
    }

    /// The axum router, with routes relative to the sandbox root. Mount it with
    /// `Router::new().nest("/sandbox/epm", sandbox.router())`.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/oauth/connect/token", post(token::issue))
            .route(
                "/management-api/{version}/AuthorizationRequest/notification",
                post(notification::receive),
            )
            .route("/_sandbox/decisions", get(controls::decisions))
            .route("/_sandbox/requests", get(controls::requests))
            .route("/_sandbox/reset", post(controls::reset))
            .route(
                "/_sandbox/fail",
                post(controls::fail)
                    .get(controls::fault_rules)
                    .delete(controls::clear_faults),
            )
            .route("/_sandbox/revoke-tokens", post(controls::revoke_tokens))
            .route("/_sandbox/expire-tokens", post(controls::expire_tokens))
            .fallback(not_found)
            .layer(middleware::from_fn_with_state(Arc::clone(self), gate::gate))
            .with_state(Arc::clone(self))
    }

    /// The database connection (poisoning is ignored: every write is one statement).
    fn db(&self) -> MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn log(&self) -> MutexGuard<'_, RequestLog> {
        self.log.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn faults(&self) -> MutexGuard<'_, FaultRules> {
        self.faults.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Why a request was refused, attached to the response for the request log.
#[derive(Debug, Clone)]
struct Refusal(String);

/// A JSON `{"message": ...}` answer (the field the app reads first), noted for the log.
fn message(status: StatusCode, text: impl Into<String>) -> Response {
    let text = text.into();
    refused(status, serde_json::json!({ "message": text }), text)
}

/// A JSON answer with `status`, whose `reason` goes to the request log when it is an error.
fn refused(status: StatusCode, body: serde_json::Value, reason: String) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body.to_string(),
    )
        .into_response();
    if status.is_client_error() || status.is_server_error() {
        response.extensions_mut().insert(Refusal(reason));
    }
    response
}

async fn not_found() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "No such management API operation in the EPM sandbox.",
    )
}

#[cfg(test)]
mod tests;
