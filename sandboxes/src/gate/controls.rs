//! The test controls every gated sandbox has (`/_sandbox/...`): fault rules of the shared
//! syntax (`crate::faults`) and the request log.
//!
//! - `POST fail` with a rule: adds it, answers it with its `id` (400 naming the field otherwise).
//! - `GET fail`: the rules with how many calls each matched and failed.
//! - `DELETE fail`: clears them, answers `{"cleared": n}`.
//! - the request log: every API call since start or reset, with its status (EPM serves it as
//!   `GET requests`, PRA as `GET log`).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Gated;
use crate::answer::problem;
use crate::faults::Rule;

/// Adds a rule of the shared syntax (`POST fail`).
pub(crate) async fn add_fault<S: Gated>(State(sandbox): State<Arc<S>>, body: Bytes) -> Response {
    let added = Rule::parse(&body).and_then(|rule| sandbox.faults().add(rule));
    match added {
        Ok(rule) => Json(rule).into_response(),
        Err(refusal) => problem(StatusCode::BAD_REQUEST, refusal.field.as_deref(), refusal.to_string()),
    }
}

/// `GET fail`.
pub(crate) async fn fault_rules<S: Gated>(State(sandbox): State<Arc<S>>) -> Response {
    Json(sandbox.faults().list()).into_response()
}

/// `DELETE fail`.
pub(crate) async fn clear_faults<S: Gated>(State(sandbox): State<Arc<S>>) -> Response {
    let cleared = sandbox.faults().clear();
    Json(json!({ "cleared": cleared })).into_response()
}

/// The request log, oldest first.
pub(crate) async fn logged<S: Gated>(State(sandbox): State<Arc<S>>) -> Response {
    Json(sandbox.log().entries()).into_response()
}
