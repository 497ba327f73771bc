//! The JSON answers of the sandboxes that speak `{"message": ...}` (EPM, PRA), and the mark that
//! carries a refusal's reason to the request log.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Why a request was refused, attached to the response for the request log.
#[derive(Debug, Clone)]
pub(crate) struct Refusal(pub String);

/// A JSON `{"message": ...}` answer (the field the app reads first), noted for the log.
pub(crate) fn message(status: StatusCode, text: impl Into<String>) -> Response {
    let text = text.into();
    refused(status, json!({ "message": text }), text)
}

/// `{"message": ..., "field": ...}`: a refused body, naming the field at fault when one is.
pub(crate) fn problem(status: StatusCode, field: Option<&str>, text: impl Into<String>) -> Response {
    let text = text.into();
    let mut answer = json!({ "message": text });
    if let Some(field) = field {
        answer["field"] = json!(field);
    }
    refused(status, answer, text)
}

/// 500: `sandbox`'s storage failed (`sandbox` as in "the EPM sandbox").
pub(crate) fn storage_failed(sandbox: &str, e: rusqlite::Error) -> Response {
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("The storage of {sandbox} failed: {e}"),
    )
}

/// A JSON answer with `status`, whose `reason` goes to the request log when it is an error.
fn refused(status: StatusCode, body: Value, reason: String) -> Response {
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
