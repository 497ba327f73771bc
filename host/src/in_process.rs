//! Sends a request to a sandbox through its router, in-process, as if over HTTP: the sandbox
//! sees the same method, path, headers and body, and the caller gets the same kind of answer
//! (or a transport failure when the sandbox plays an unreachable host).

use axum::Router;
use axum::body::Body;
use tower::ServiceExt;

use crate::runtime::HttpResponse;
use crate::sandbox::Unreachable;

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
    let mut builder = axum::http::Request::builder().method(method).uri(path_and_query);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    let request = builder
        .body(Body::from(body))
        .map_err(|e| format!("invalid request: {e}"))?;
    let response = router.clone().oneshot(request).await.map_err(|e| e.to_string())?;
    if response.extensions().get::<Unreachable>().is_some() {
        return Err("could not connect to the host (connection refused)".into());
    }
    let status = response.status().as_u16();
    let headers = crate::capabilities::header_pairs(response.headers());
    let bytes = axum::body::to_bytes(response.into_body(), MAX_RESPONSE_BYTES)
        .await
        .map_err(|e| format!("reading the sandbox answer: {e}"))?;
    Ok(HttpResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}
