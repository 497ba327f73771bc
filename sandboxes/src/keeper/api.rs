//! Commander's API v2 routes (`service/api/command.py`, `routes.py`) behind its decorators in
//! their order (`unified_api_decorator`): the rate limit (`security_check`), the key
//! (`auth_check`), the allow-list (`policy_check`, `POST` only), then the route.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::queue::ResultOf;
use super::store::{self, Settings};
use super::{CommanderSandbox, error, flask_page, json_answer};
use crate::sqlite::lock;

type Shared = State<Arc<CommanderSandbox>>;

/// The message of a queued submission.
const QUEUED_MESSAGE: &str = "Request queued successfully. Use /api/v2/status/<request_id> to check progress, /api/v2/result/<request_id> to get results, or /api/v2/queue/status for queue info.";
/// Commander refuses longer commands (`policy_check`).
const MAX_COMMAND_CHARS: usize = 4096;
/// flask-limiter's window for `N/minute`.
const WINDOW_MS: i64 = 60_000;

/// flask-limiter's fixed windows (memory storage): per key, the window opened by its first
/// hit and the hits in it. The key is the caller's address and the endpoint; every caller of
/// the sandbox counts as one address (in-process calls have none).
#[derive(Debug, Default)]
pub(super) struct Limiter {
    windows: HashMap<&'static str, (i64, u64)>,
}

impl Limiter {
    /// Counts a hit at `now`; the seconds until the window ends when over `limit`.
    fn hit(&mut self, endpoint: &'static str, now: i64, limit: u64) -> Option<i64> {
        let window = self.windows.entry(endpoint).or_insert((now, 0));
        if now >= window.0 + WINDOW_MS {
            *window = (now, 0);
        }
        window.1 += 1;
        (window.1 > limit).then(|| (window.0 + WINDOW_MS - now + 999) / 1000)
    }

    pub(super) fn clear(&mut self) {
        self.windows.clear();
    }
}

/// SHA-256 (hex) of a key, trimmed: Commander's `derive_owner_key`.
pub(super) fn digest(key: &str) -> String {
    Sha256::digest(key.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl CommanderSandbox {
    /// `security_check`'s limit: a 429 page when `endpoint` is over it.
    fn rate_limited(&self, endpoint: &'static str, settings: &Settings) -> Option<Response> {
        let limit = settings.rate_limit_per_minute;
        let retry = lock(&self.limiter).hit(endpoint, self.now(), limit)?;
        let mut page = flask_page(StatusCode::TOO_MANY_REQUESTS, &format!("{limit} per 1 minute"));
        if settings.retry_after_header
            && let Ok(value) = HeaderValue::from_str(&retry.max(1).to_string())
        {
            page.headers_mut().insert(header::RETRY_AFTER, value);
        }
        Some(page)
    }

    /// `auth_check`: the key's owner digest and allow-list, or the 401.
    fn authenticate(&self, headers: &HeaderMap) -> Result<(String, String), Box<Response>> {
        let invalid = || Box::new(error(StatusCode::UNAUTHORIZED, "Please provide a valid api key"));
        let given = headers
            .get("api-key")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(invalid)?;
        let key = match store::key(&self.db(), &given) {
            Ok(Some(key)) => key,
            Ok(None) => return Err(invalid()),
            Err(e) => return Err(Box::new(error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))),
        };
        if key.expires_ms.is_some_and(|expires| self.now() > expires) {
            return Err(Box::new(error(StatusCode::UNAUTHORIZED, "API key has expired")));
        }
        Ok((digest(&given), key.commands))
    }

    /// The rate limit then the key, for `endpoint`.
    fn admit(&self, endpoint: &'static str, headers: &HeaderMap) -> Result<(String, String), Box<Response>> {
        let settings = store::settings(&self.db()).unwrap_or_default();
        if let Some(limited) = self.rate_limited(endpoint, &settings) {
            return Err(Box::new(limited));
        }
        self.authenticate(headers)
    }
}

/// `GET /health`: no key, no rate limit.
pub(super) async fn health() -> Response {
    json_answer(StatusCode::OK, &json!({"status": "ok"}), None)
}

/// werkzeug's `Request.is_json`.
fn is_json(headers: &HeaderMap) -> bool {
    let mimetype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    mimetype == "application/json" || (mimetype.starts_with("application/") && mimetype.ends_with("+json"))
}

/// Python's truth of a JSON value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Python's `html.escape(command)`.
fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// `policy_check` on a `POST`: the refusal, if any.
fn policy(data: Option<&Value>, allowed: &str) -> Option<Response> {
    let data = data.filter(|d| truthy(d))?;
    let Some(object) = data.as_object() else {
        // `request_data.get(...)` on a list or a scalar: an AttributeError, Flask's 500 page.
        return Some(flask_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.",
        ));
    };
    let command = match object.get("command") {
        None | Some(Value::Null) => {
            return Some(error(StatusCode::BAD_REQUEST, "Missing required field \"command\""));
        }
        Some(Value::String(command)) => command,
        Some(_) => return Some(error(StatusCode::BAD_REQUEST, "Command must be a string")),
    };
    if command.chars().count() > MAX_COMMAND_CHARS {
        return Some(error(StatusCode::BAD_REQUEST, "Command length exceeded"));
    }
    let first = command.split(' ').next().unwrap_or_default();
    let permitted = allowed.split(',').map(str::trim).any(|word| word == first);
    if allowed.trim().is_empty() || !permitted {
        return Some(error(StatusCode::FORBIDDEN, "Not permitted to perform this function"));
    }
    None
}

/// `POST /api/v2/executecommand-async`.
pub(super) async fn execute_async(State(sandbox): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let (owner, allowed) = match sandbox.admit("executecommand-async", &headers) {
        Ok(admitted) => admitted,
        Err(refused) => return *refused,
    };
    let json_body = is_json(&headers);
    let parsed: Option<Value> = if json_body {
        serde_json::from_slice(&body).ok()
    } else {
        None
    };
    if let Some(refused) = policy(parsed.as_ref(), &allowed) {
        return refused;
    }
    // The route: `validate_request_json`, then `validate_and_escape_command`.
    if !json_body {
        return error(StatusCode::BAD_REQUEST, "Content-Type must be application/json");
    }
    let Some(data) = parsed else {
        // `request.json` raised werkzeug's BadRequest; the route's `except` answers it as 500.
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "400 Bad Request: The browser (or proxy) sent a request that this server could not understand.",
        );
    };
    if !truthy(&data) {
        return error(StatusCode::BAD_REQUEST, "Invalid or empty JSON");
    }
    let command = match data.get("command") {
        Some(Value::String(command)) if !command.is_empty() => command.clone(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return error(
                StatusCode::BAD_REQUEST,
                "Missing required field \"command\" or incorrect field name",
            );
        }
        Some(_) => return error(StatusCode::BAD_REQUEST, "Command must be a string"),
    };
    let (mut queue, db) = sandbox.settled();
    let settings = store::settings(&db).unwrap_or_default();
    if u64::try_from(queue.queued()).unwrap_or(u64::MAX) >= settings.queue_size {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Error: Request queue is full. Please try again later.",
        );
    }
    let id = queue.submit(&owner, html_escape(&command), command, sandbox.now());
    json_answer(
        StatusCode::ACCEPTED,
        &json!({"success": true, "request_id": id, "status": "queued", "message": QUEUED_MESSAGE}),
        None,
    )
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Error: Request not found")
}

/// `GET /api/v2/status/{id}`.
pub(super) async fn status(State(sandbox): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let (owner, _) = match sandbox.admit("status", &headers) {
        Ok(admitted) => admitted,
        Err(refused) => return *refused,
    };
    let (queue, _db) = sandbox.settled();
    match queue.get(&id, &owner) {
        Some(entry) => {
            let mut answer = entry.to_dict();
            answer["success"] = json!(true);
            json_answer(StatusCode::OK, &answer, None)
        }
        None => not_found(),
    }
}

/// `GET /api/v2/result/{id}`.
pub(super) async fn result(State(sandbox): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let (owner, _) = match sandbox.admit("result", &headers) {
        Ok(admitted) => admitted,
        Err(refused) => return *refused,
    };
    let (queue, _db) = sandbox.settled();
    match queue.result(&id, &owner) {
        None => not_found(),
        Some(ResultOf::Done(result, code)) => json_answer(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &result,
            None,
        ),
        Some(ResultOf::NotYet(status)) => json_answer(
            StatusCode::ACCEPTED,
            &json!({"status": status.as_str(), "error": "Error: Request not completed yet"}),
            None,
        ),
    }
}

/// `GET /api/v2/queue/status`.
pub(super) async fn queue_status(State(sandbox): Shared, headers: HeaderMap) -> Response {
    let (owner, _) = match sandbox.admit("queue/status", &headers) {
        Ok(admitted) => admitted,
        Err(refused) => return *refused,
    };
    let (queue, db) = sandbox.settled();
    let running = !store::settings(&db).unwrap_or_default().worker_paused;
    json_answer(StatusCode::OK, &queue.status_for(&owner, running), None)
}
