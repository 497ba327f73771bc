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
mod notification;
mod store;
mod token;
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
use crate::gate::{self, Gated, Gatekeeper, controls as gated};
use crate::sqlite::lock;

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
    /// The request log and fault rules.
    gate: Gatekeeper,
}

impl EpmSandbox {
    /// Opens (creating on first use) the sandbox database at `db_path` (":memory:" for tests).
    pub fn open(db_path: &Path, client: ClientCredentials) -> anyhow::Result<Arc<EpmSandbox>> {
        Ok(Arc::new(EpmSandbox {
            db: Mutex::new(store::open(db_path)?),
            client,
            gate: Gatekeeper::default(),
        }))
    }

    /// The axum router, with routes relative to the sandbox root. Mount it with
    /// `Router::new().nest("/sandbox/epm", sandbox.router())`.
    pub fn router(self: &Arc<Self>) -> Router {
        let routes = Router::new()
            .route("/oauth/connect/token", post(token::issue))
            .route(
                "/management-api/{version}/AuthorizationRequest/notification",
                post(notification::receive),
            )
            .route("/_sandbox/decisions", get(controls::decisions))
            .route("/_sandbox/requests", get(gated::logged::<Self>))
            .route("/_sandbox/reset", post(controls::reset))
            .route(
                "/_sandbox/fail",
                post(controls::fail)
                    .get(gated::fault_rules::<Self>)
                    .delete(gated::clear_faults::<Self>),
            )
            .route("/_sandbox/revoke-tokens", post(controls::revoke_tokens))
            .route("/_sandbox/expire-tokens", post(controls::expire_tokens))
            .fallback(not_found);
        gate::guard(routes, self)
    }

    /// The database connection.
    fn db(&self) -> MutexGuard<'_, Connection> {
        lock(&self.db)
    }
}

impl Gated for EpmSandbox {
    const NAME: &'static str = "EPM sandbox";
    const MAX_BODY_BYTES: usize = MAX_BODY_BYTES;

    fn gatekeeper(&self) -> &Gatekeeper {
        &self.gate
    }

    /// A notification's JSON (or its text); never a token request's form: it holds the secret.
    fn logged_body(&self, path: &str, body: &[u8]) -> Option<Value> {
        if !path.contains("/AuthorizationRequest/") {
            return None;
        }
        serde_json::from_slice::<Value>(body)
            .ok()
            .or_else(|| (!body.is_empty()).then(|| Value::String(String::from_utf8_lossy(body).into_owned())))
    }

    fn now_ms(&self) -> i64 {
        crate::time::now_ms()
    }
}

async fn not_found() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "No such management API operation in the EPM sandbox.",
    )
}

#[cfg(test)]
mod tests;
