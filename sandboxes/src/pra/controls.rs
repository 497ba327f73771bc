//! Test controls under `/_sandbox/` (not the appliance's API): play the user who asks for a
//! Jump Item, look at what the appliance received, change its settings (the module
//! documentation lists them with their shapes). The fault and log controls are the gate's.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::jump_request::{self, JumpRequest};
use super::store::{self, Settings};
use super::{PraSandbox, validate};
use crate::answer::{message, problem};
use crate::gate::Gated;

type Shared = State<Arc<PraSandbox>>;

/// The longest timeout a control may set: a day.
const MAX_TIMEOUT_SECONDS: u64 = 86_400;

fn storage_failed(e: rusqlite::Error) -> Response {
    crate::answer::storage_failed("the PRA sandbox", e)
}

fn refused(refusal: validate::Problem) -> Response {
    problem(StatusCode::BAD_REQUEST, refusal.key.as_deref(), refusal.message)
}

/// `POST requests`: a new pending request, answered 201 `{requestId, form, json}`.
pub(super) async fn create_request(State(sandbox): Shared, body: Bytes) -> Response {
    let JumpRequest { request_id, form } = match jump_request::from_body(&body) {
        Ok(request) => request,
        Err(refusal) => return refused(refusal),
    };
    match store::add_request(&sandbox.db(), &request_id, sandbox.now_ms(), &form) {
        Ok(true) => (
            StatusCode::CREATED,
            Json(json!({
                "requestId": request_id,
                "form": jump_request::form_body(&form),
                "json": jump_request::flat_json(&form),
            })),
        )
            .into_response(),
        Ok(false) => problem(
            StatusCode::CONFLICT,
            Some("requestId"),
            format!("A request with the id '{request_id}' exists."),
        ),
        Err(e) => storage_failed(e),
    }
}

/// `GET requests`.
pub(super) async fn requests(State(sandbox): Shared) -> Response {
    match store::requests(&sandbox.db(), sandbox.now_ms(), None) {
        Ok(all) => Json(all).into_response(),
        Err(e) => storage_failed(e),
    }
}

/// `GET requests/{id}`.
pub(super) async fn request(State(sandbox): Shared, Path(id): Path<String>) -> Response {
    match store::requests(&sandbox.db(), sandbox.now_ms(), Some(&id)) {
        Ok(mut found) => match found.pop() {
            Some(request) => Json(request).into_response(),
            None => message(StatusCode::NOT_FOUND, format!("No request with the id '{id}'.")),
        },
        Err(e) => storage_failed(e),
    }
}

/// `GET responses`.
pub(super) async fn responses(State(sandbox): Shared) -> Response {
    match store::responses(&sandbox.db()) {
        Ok(all) => Json(all).into_response(),
        Err(e) => storage_failed(e),
    }
}

/// `GET settings`.
pub(super) async fn settings(State(sandbox): Shared) -> Response {
    match store::settings(&sandbox.db()) {
        Ok(settings) => Json(settings).into_response(),
        Err(e) => storage_failed(e),
    }
}

/// Applies a `POST settings` body to `settings`, or names the field that is wrong.
fn changed(mut settings: Settings, body: &[u8]) -> Result<Settings, validate::Problem> {
    let object = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => object,
        _ => {
            return Err(validate::Problem {
                key: None,
                message: "The body must be a JSON object such as {\"ticketSystemConfigured\": false}.".into(),
            });
        }
    };
    for (field, value) in &object {
        match (field.as_str(), value) {
            ("ticketSystemConfigured", Value::Bool(configured)) => settings.ticket_system_configured = *configured,
            ("timeoutSeconds", value) => match value.as_u64() {
                Some(secs) if (1..=MAX_TIMEOUT_SECONDS).contains(&secs) => settings.timeout_seconds = secs,
                _ => {
                    return Err(validate::problem(
                        field,
                        format!(
                            "'timeoutSeconds' must be a whole number from 1 to {MAX_TIMEOUT_SECONDS}, not {value}."
                        ),
                    ));
                }
            },
            ("ticketSystemConfigured", other) => {
                return Err(validate::problem(
                    field,
                    format!("'{field}' must be true or false, not {other}."),
                ));
            }
            (unknown, _) => {
                return Err(validate::problem(
                    unknown,
                    format!("Unknown field '{unknown}': give ticketSystemConfigured and/or timeoutSeconds."),
                ));
            }
        }
    }
    Ok(settings)
}

/// `POST settings`: answers the settings in force.
pub(super) async fn change_settings(State(sandbox): Shared, body: Bytes) -> Response {
    let db = sandbox.db();
    let current = match store::settings(&db) {
        Ok(settings) => settings,
        Err(e) => return storage_failed(e),
    };
    let settings = match changed(current, &body) {
        Ok(settings) => settings,
        Err(refusal) => return refused(refusal),
    };
    match store::save_settings(&db, &settings) {
        Ok(()) => Json(settings).into_response(),
        Err(e) => storage_failed(e),
    }
}

/// `POST reset`: a fresh appliance.
pub(super) async fn reset(State(sandbox): Shared) -> Response {
    if let Err(e) = store::clear(&sandbox.db()) {
        return storage_failed(e);
    }
    sandbox.forget_calls();
    StatusCode::NO_CONTENT.into_response()
}
