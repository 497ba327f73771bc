//! The gate every API call of the EPM and PRA sandboxes passes: a fault rule that fires answers
//! instead of the route (or delays it, or replaces its answer after it ran), and the call is
//! logged. Test controls (`/_sandbox/...`) pass straight through and are not logged; the
//! controls every gated sandbox shares (`fail`, the log) are in [`controls`].

pub(crate) mod controls;

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use crate::answer::{Refusal, message};
use crate::faults::{self, Fault, FaultRules};
use crate::request_log::{LoggedRequest, RequestLog};
use crate::sqlite::lock;
use crate::time::utc_iso;

/// What the gate keeps for a sandbox: its request log and its fault rules (in memory).
#[derive(Debug, Default)]
pub(crate) struct Gatekeeper {
    log: Mutex<RequestLog>,
    faults: Mutex<FaultRules>,
}

/// A sandbox behind the gate: its gatekeeper, and what it keeps of a body.
pub(crate) trait Gated: Send + Sync + 'static {
    /// The sandbox's name in its injected answers ("EPM sandbox").
    const NAME: &'static str;
    /// Largest request body the sandbox reads.
    const MAX_BODY_BYTES: usize;

    fn gatekeeper(&self) -> &Gatekeeper;

    /// What the log keeps of a call's body (none when it may hold a secret).
    fn logged_body(&self, path: &str, body: &[u8]) -> Option<Value>;

    /// The time the log notes, in milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;

    /// A fault rule's answer with `status`, in the system's error shape (`{"message": ...}`
    /// unless the sandbox says otherwise).
    fn fault_answer(status: StatusCode, text: String) -> Response {
        message(status, text)
    }

    fn log(&self) -> MutexGuard<'_, RequestLog> {
        lock(&self.gatekeeper().log)
    }

    fn faults(&self) -> MutexGuard<'_, FaultRules> {
        lock(&self.gatekeeper().faults)
    }

    /// Forgets the log and the fault rules (a sandbox's `POST /_sandbox/reset`).
    fn forget_calls(&self) {
        self.log().clear();
        self.faults().clear();
    }
}

/// `routes` behind the gate, with `sandbox` as their state: the sandbox's router.
pub(crate) fn guard<S: Gated>(routes: Router<Arc<S>>, sandbox: &Arc<S>) -> Router {
    routes
        .layer(axum::middleware::from_fn_with_state(Arc::clone(sandbox), gate::<S>))
        .with_state(Arc::clone(sandbox))
}

async fn gate<S: Gated>(State(sandbox): State<Arc<S>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if path.starts_with("/_sandbox/") {
        return next.run(request).await;
    }
    let mut entry = LoggedRequest {
        seq: 0,
        at: utc_iso(sandbox.now_ms()),
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
    let read = axum::body::to_bytes(body, S::MAX_BODY_BYTES).await;
    let bytes = read.as_ref().cloned().unwrap_or_default();
    entry.body = sandbox.logged_body(&path, &bytes);
    if let Some(fault) = fault {
        entry.injected = true;
        entry.fault = Some(fault.describe());
    }
    let handle = async move {
        if read.is_err() {
            message(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("The request body is larger than {} bytes.", S::MAX_BODY_BYTES),
            )
        } else {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
    };
    let response = faults::serve(fault, handle, &mut entry.fault, injected::<S>).await;
    if matches!(fault, Some(Fault::Unreachable { .. })) {
        entry.error = Some("unreachable".into());
    } else {
        entry.status = Some(response.status().as_u16());
        entry.error = response.extensions().get::<Refusal>().map(|r| r.0.clone());
    }
    sandbox.log().push(entry);
    response
}

/// The answer a fault gives in place of the sandbox's.
fn injected<S: Gated>(fault: Fault) -> Response {
    match fault {
        Fault::Unreachable { .. } => faults::cut_connection(&format!("the {}", S::NAME)),
        Fault::Status { status, .. } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut response = S::fault_answer(
                status,
                format!(
                    "The {} failed this call on purpose (HTTP {}).",
                    S::NAME,
                    status.as_u16()
                ),
            );
            faults::add_retry_after(&mut response, fault);
            response
        }
        Fault::Delay { .. } => message(StatusCode::INTERNAL_SERVER_ERROR, "a delay is not an answer"),
    }
}
