//! Every management call passes here: a planned failure answers instead of the route, and the
//! call is logged. Test controls (`/_sandbox/...`) pass straight through and are not logged.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use super::faults::Fault;
use super::log::LoggedRequest;
use super::{EpmSandbox, MAX_BODY_BYTES, Refusal, message};
use crate::sandbox::Unreachable;
use crate::sandbox::time::{now_ms, utc_iso};

pub(super) async fn gate(State(sandbox): State<Arc<EpmSandbox>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if path.starts_with("/_sandbox/") {
        return next.run(request).await;
    }
    let mut entry = LoggedRequest {
        seq: 0,
        at: utc_iso(now_ms()),
        method: request.method().to_string(),
        path: path.clone(),
        status: None,
        injected: false,
        error: None,
        body: None,
    };
    // Taken before the body is read, so a planned failure counts each call exactly once.
    let fault = sandbox.faults().take();
    let (parts, body) = request.into_parts();
    let read = axum::body::to_bytes(body, MAX_BODY_BYTES).await;
    let bytes = read.as_ref().cloned().unwrap_or_default();
    if path.contains("/AuthorizationRequest/") {
        entry.body = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .or_else(|| (!bytes.is_empty()).then(|| Value::String(String::from_utf8_lossy(&bytes).into_owned())));
    }
    let response = match fault {
        Some(Fault::Unreachable) => {
            entry.injected = true;
            entry.error = Some("unreachable".into());
            unreachable()
        }
        Some(Fault::Status(status)) => {
            entry.injected = true;
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            message(
                status,
                format!(
                    "The EPM sandbox failed this call on purpose (HTTP {}).",
                    status.as_u16()
                ),
            )
        }
        None if read.is_err() => message(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
        ),
        None => next.run(Request::from_parts(parts, Body::from(bytes))).await,
    };
    if fault != Some(Fault::Unreachable) {
        entry.status = Some(response.status().as_u16());
        entry.error = response.extensions().get::<Refusal>().map(|r| r.0.clone());
    }
    sandbox.log().push(entry);
    response
}

/// A response that is no response: in-process callers see the [`Unreachable`] mark; over real
/// HTTP the body fails, so the connection is cut before a complete answer.
fn unreachable() -> Response {
    let cut = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "the EPM sandbox plays an unreachable host",
        ))
    });
    let mut response = Response::new(Body::from_stream(cut));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response.extensions_mut().insert(Unreachable);
    response
}
