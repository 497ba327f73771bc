//! Test controls under `/_sandbox/` (not EPM's API): look at what EPM received, and make it
//! misbehave on purpose.
//!
//! - `GET decisions`: recorded decisions, oldest first, `{seq, apiVersion, receivedAt, notification}`.
//! - `GET requests`: every management call since start or reset, with its status.
//! - `POST reset`: forgets decisions, the request log and planned failures (tokens stay valid).
//! - `POST fail` `{"times": n, "status": 503}` | `{"times": n, "unreachable": true}`: the next n
//!   management calls (token or notification) fail so; replaces any earlier plan.
//! - `POST revoke-tokens`: every issued token is refused from now on (the app's 401 retry).
//! - `POST expire-tokens`: every issued token is expired now (as if an hour had passed).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::faults::FaultPlan;
use super::{EpmSandbox, message, store};
use crate::sandbox::time::now_ms;

type Shared = State<Arc<EpmSandbox>>;

fn storage_failed(e: rusqlite::Error) -> Response {
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("EPM sandbox storage failed: {e}"),
    )
}

pub(super) async fn decisions(State(sandbox): Shared) -> Response {
    match store::decisions(&sandbox.db()) {
        Ok(all) => Json(all).into_response(),
        Err(e) => storage_failed(e),
    }
}

pub(super) async fn requests(State(sandbox): Shared) -> Response {
    Json(sandbox.log().entries()).into_response()
}

pub(super) async fn reset(State(sandbox): Shared) -> Response {
    if let Err(e) = store::clear_decisions(&sandbox.db()) {
        return storage_failed(e);
    }
    sandbox.log().clear();
    *sandbox.faults() = FaultPlan::default();
    StatusCode::NO_CONTENT.into_response()
}

pub(super) async fn fail(State(sandbox): Shared, body: Bytes) -> Response {
    match FaultPlan::parse(&body) {
        Ok(plan) => {
            let described = plan.describe();
            *sandbox.faults() = plan;
            Json(described).into_response()
        }
        Err(problem) => message(StatusCode::BAD_REQUEST, problem),
    }
}

pub(super) async fn revoke_tokens(State(sandbox): Shared) -> Response {
    match store::revoke_all(&sandbox.db(), now_ms()) {
        Ok(count) => Json(json!({ "revoked": count })).into_response(),
        Err(e) => storage_failed(e),
    }
}

pub(super) async fn expire_tokens(State(sandbox): Shared) -> Response {
    match store::expire_all(&sandbox.db(), now_ms()) {
        Ok(count) => Json(json!({ "expired": count })).into_response(),
        Err(e) => storage_failed(e),
    }
}
