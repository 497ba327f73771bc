//! Sends a request to a router (a sandbox), in-process, as if over HTTP: the router sees the
//! same method, path, headers and body, and the caller gets the same kind of answer (or a
//! transport failure when the response is marked [`Unreachable`], or takes longer than the
//! host's client waits — [`crate::http::REQUEST_TIMEOUT`] — to answer; like a real server, the
//! router then still finishes the request on its own).

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use tower::ServiceExt;

use crate::wit::HttpResponse;

/// Marks a response that stands for *no* response: the host was unreachable. The caller gets a
/// transport failure instead of the response.
#[derive(Debug, Clone, Copy)]
pub struct Unreachable;

/// Largest sandbox response the host passes on.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// `path_and_query` starts at the sandbox root (e.g. "/rest/api/3/myself").
pub async fn send(
    router: &Router,
    method: &str,
    path_and_query: &str,
    headers: &[(String, String)],
    body: String,
) -> Result<HttpResponse, String> {
    send_within(
        router,
        method,
        path_and_query,
        headers,
        body,
        crate::http::REQUEST_TIMEOUT,
    )
    .await
}

async fn send_within(
    router: &Router,
    method: &str,
    path_and_query: &str,
    headers: &[(String, String)],
    body: String,
    timeout: Duration,
) -> Result<HttpResponse, String> {
    let mut builder = axum::http::Request::builder().method(method).uri(path_and_query);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    let request = builder
        .body(Body::from(body))
        .map_err(|e| format!("invalid request: {e}"))?;
    // A task of its own, so a request the caller stops waiting for is still carried out.
    let call = tokio::spawn(router.clone().oneshot(request));
    let response = match tokio::time::timeout(timeout, call).await {
        Err(_) => {
            return Err(format!(
                "operation timed out (no answer within {} ms)",
                timeout.as_millis()
            ));
        }
        Ok(Err(join)) => return Err(format!("the sandbox failed: {join}")),
        Ok(Ok(answer)) => answer.map_err(|e| e.to_string())?,
    };
    if response.extensions().get::<Unreachable>().is_some() {
        return Err("could not connect to the host (connection refused)".into());
    }
    let status = response.status().as_u16();
    let headers = crate::http::header_pairs(response.headers());
    let bytes = axum::body::to_bytes(response.into_body(), MAX_RESPONSE_BYTES)
        .await
        .map_err(|e| format!("reading the sandbox answer: {e}"))?;
    Ok(HttpResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use axum::routing::get;

    use super::*;

    /// Validates: an answer slower than the timeout is a transport failure for the caller, and
    /// the request is still carried out to the end (as a server does when its client gives up).
    #[tokio::test]
    async fn a_slow_answer_times_out_but_the_request_completes() {
        let done = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&done);
        let router = Router::new().route(
            "/slow",
            get(move || async move {
                tokio::time::sleep(Duration::from_millis(150)).await;
                flag.store(true, Ordering::SeqCst);
                "late"
            }),
        );
        let timed_out = send_within(&router, "GET", "/slow", &[], String::new(), Duration::from_millis(30)).await;
        assert!(
            timed_out.as_ref().is_err_and(|e| e.contains("timed out")),
            "{timed_out:?}"
        );
        assert!(!done.load(Ordering::SeqCst));
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(done.load(Ordering::SeqCst), "the request went on without its caller");
        let answered = send_within(&router, "GET", "/slow", &[], String::new(), Duration::from_secs(5))
            .await
            .expect("in time");
        assert_eq!((answered.status, answered.body.as_str()), (200, "late"));
    }
}
