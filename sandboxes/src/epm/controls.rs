//! Test controls under `/_sandbox/` (not EPM's API): look at what EPM received, and make it
//! misbehave on purpose.
//!
//! - `GET decisions`: recorded decisions, oldest first, `{seq, apiVersion, receivedAt, notification}`.
//! - `GET requests`: every management call since start or reset, with its status.
//! - `POST reset`: forgets decisions, the request log and fault rules (tokens stay valid).
//! - `POST fail` with a rule (`{"method"?, "path"?, "fault": {...}, "times" | "rate", ...}`, the
//!   syntax shared with the sandbox Jira, see `crate::faults`): adds it, answers it with
//!   its `id`. Paths are below `/sandbox/epm`, e.g. `/oauth/connect/token` or
//!   `/management-api/*/AuthorizationRequest/notification`; a status fault answers
//!   `{"message": ...}`; `afterHandling` records the decision and then fails the answer.
//! - `POST fail` `{"times": n, "status": 503}` | `{"times": n, "unreachable": true}` (the older
//!   form): the next n management calls (token or notification) fail so; replaces every rule.
//! - `GET fail`: the rules with how many calls each matched and failed; `DELETE fail` clears them.
//! - `POST revoke-tokens`: every issued token is refused from now on (the app's 401 retry).
//! - `POST expire-tokens`: every issued token is expired now (as if an hour had passed).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::faults;
use super::{EpmSandbox, store};
use crate::answer::message;
use crate::gate::{Gated, controls as gated};
use crate::time::now_ms;

type Shared = State<Arc<EpmSandbox>>;

fn storage_failed(e: rusqlite::Error) -> Response {
    crate::answer::storage_failed("the EPM sandbox", e)
}

pub(super) async fn decisions(State(sandbox): Shared) -> Response {
    match store::decisions(&sandbox.db()) {
        Ok(all) => Json(all).into_response(),
        Err(e) => storage_failed(e),
    }
}

pub(super) async fn reset(State(sandbox): Shared) -> Response {
    if let Err(e) = store::clear_decisions(&sandbox.db()) {
        return storage_failed(e);
    }
    sandbox.forget_calls();
    StatusCode::NO_CONTENT.into_response()
}

pub(super) async fn fail(State(sandbox): Shared, body: Bytes) -> Response {
    if faults::is_older_form(&body) {
        return match faults::parse(&body) {
            Ok(plan) => {
                let mut rules = sandbox.faults();
                rules.clear();
                if let Some(rule) = plan.rule
                    && let Err(problem) = rules.add(rule)
                {
                    return message(StatusCode::BAD_REQUEST, problem.to_string());
                }
                Json(plan.answer).into_response()
            }
            Err(problem) => message(StatusCode::BAD_REQUEST, problem),
        };
    }
    gated::add_fault(State(sandbox), body).await
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
