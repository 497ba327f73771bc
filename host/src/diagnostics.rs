//! `GET /_diagnostics`: the configuration page's "Diagnostics" (the core's `admin.diagnostics`:
//! the last deliveries per web trigger, the last queue jobs, the dead letters) as JSON, for a
//! Jira administrator signed in to this host, e.g. with curl on a host without a browser. The
//! same checks as the bridge (this host's own pages, signed in); a person who is not an admin
//! gets 403 with the core's message. Retrying a dead letter stays on the page (`admin.retry`).

use axum::body::to_bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::bridge;
use crate::state::{AppState, json_error};

/// Largest answer read back from the resolver run (100 entries per list are far below).
const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;

pub async fn show(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let account_id = match bridge::signed_in(&state, &uri, &headers).await {
        Ok(account_id) => account_id,
        Err(refusal) => return refusal,
    };
    let answer = bridge::run_resolver(&state, &account_id, "admin.diagnostics", &json!({}), json!({})).await;
    if answer.status() != StatusCode::OK {
        return answer;
    }
    let Ok(bytes) = to_bytes(answer.into_body(), MAX_ANSWER_BYTES).await else {
        return json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the diagnostics answer could not be read",
        );
    };
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if value["ok"] == json!(true) {
        return (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], bytes).into_response();
    }
    let message = value["error"]["message"]
        .as_str()
        .unwrap_or("the diagnostics are unavailable");
    let status = match value["error"]["code"].as_str() {
        Some("forbidden") => StatusCode::FORBIDDEN,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    json_error(status, message)
}
