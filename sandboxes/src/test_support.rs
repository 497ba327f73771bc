//! Sending requests through a sandbox's router in tests (EPM's, PRA's).

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use crate::Unreachable;

pub(crate) const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");
pub(crate) const JSON: (&str, &str) = ("content-type", "application/json");

/// What a sandbox answered.
pub(crate) struct Reply {
    pub status: StatusCode,
    /// The body as JSON (null when it is not JSON, or when there was no answer).
    pub json: Value,
    /// The body as text.
    pub text: String,
    /// No answer: a fault played an unreachable host.
    pub unreachable: bool,
    pub challenge: Option<String>,
    pub retry_after: Option<String>,
}

pub(crate) async fn send(router: &Router, method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body.to_string())).expect("request"))
        .await
        .expect("infallible");
    let status = response.status();
    let unreachable = response.extensions().get::<Unreachable>().is_some();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (challenge, retry_after) = (header("www-authenticate"), header("retry-after"));
    let text = if unreachable {
        String::new()
    } else {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Reply {
        status,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        unreachable,
        challenge,
        retry_after,
    }
}

/// The JSON a `GET` answers.
pub(crate) async fn get(router: &Router, path: &str) -> Value {
    send(router, "GET", path, &[], "").await.json
}

/// `POST` a JSON body.
pub(crate) async fn post_json(router: &Router, path: &str, body: &Value) -> Reply {
    send(router, "POST", path, &[JSON], &body.to_string()).await
}

/// Adds a fault rule (`POST /_sandbox/fail`).
pub(crate) async fn fail(router: &Router, rule: Value) -> Reply {
    post_json(router, "/_sandbox/fail", &rule).await
}

/// A temp dir for a sandbox's database file, removed on drop.
pub(crate) struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "pam-{name}-sandbox-{}-{}",
            std::process::id(),
            crate::time::now_ms()
        ));
        std::fs::create_dir_all(&dir).expect("dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
