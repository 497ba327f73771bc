//! Every management call passes here: a fault rule that fires answers instead of the route (or
//! delays it, or replaces its answer after it ran), and the call is logged. Test controls
//! (`/_sandbox/...`) pass straight through and are not logged.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use super::log::LoggedRequest;
use super::{EpmSandbox, MAX_BODY_BYTES, Refusal, message};
use crate::faults::{self, Fault};
use crate::time::{now_ms, utc_iso};

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
        fault: None,
        error: None,
        body: None,
    };
    // Decided before the body is read, so a rule counts each call exactly once.
    let fault = sandbox.faults().decide(request.method().as_str(), &path);
    let (parts, body) = request.into_parts();
    let read = axum::body::to_bytes(body, MAX_BODY_BYTES).await;
    let bytes = read.as_ref().cloned().unwrap_or_default();
    if path.contains("/AuthorizationRequest/") {
        entry.body = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .or_else(|| (!bytes.is_empty()).then(|| Value::String(String::from_utf8_lossy(&bytes).into_owned())));
    }
    if let Some(fault) = fault {
        entry.injected = true;
        entry.fault = Some(fault.describe());
    }
    let handle = async move {
        if read.is_err() {
            message(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
            )
        } else {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
    };
    let response = faults::serve(fault, handle, &mut entry.fault, injected).await;
    if matches!(fault, Some(Fault::Unreachable { .. })) {
        entry.error = Some("unreachable".into());
    } else {
        entry.status = Some(response.status().as_u16());
        entry.error = response.extensions().get::<Refusal>().map(|r| r.0.clone());
    }
    sandbox.log().push(entry);
    response
}

/// The answer a fault gives in place of EPM's.
fn injected(fault: Fault) -> Response {
    match fault {
        Fault::Unreachable { .. } => faults::cut_connection("the EPM sandbox"),
        Fault::Status { status, .. } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut response = message(
                status,
                format!(
                    "The EPM sandbox failed this call on purpose (HTTP {}).",
                    status.as_u16()
                ),
            );
            faults::add_retry_after(&mut response, fault);
            response
        }
        Fault::Delay { .. } => message(StatusCode::INTERNAL_SERVER_ERROR, "a delay is not an answer"),
    }
}
