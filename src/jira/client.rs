//! Jira REST calls with the policies every call shares: JSON bodies, honouring 429 `Retry-After`
//! (bounded), and turning Jira's error shape into one readable line.

use serde_json::Value;

use crate::caps::{CapError, Caps};
use crate::protocol::{Actor, HttpResponse, LogLevel};

/// Attempts per call when Jira answers 429 or 503.
const MAX_ATTEMPTS: u32 = 3;
/// Longest wait honoured from `Retry-After`; a web trigger has under a minute in all.
const MAX_RETRY_WAIT_MS: u32 = 5_000;

/// Why a Jira call did not give a usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JiraError {
    #[error("Jira could not be reached: {0}")]
    Unreachable(String),
    #[error("Jira is busy or unavailable (HTTP {0}); retry later")]
    Unavailable(u16),
    #[error("Jira refused the request (HTTP {status}): {message}")]
    Refused {
        status: u16,
        message: String,
        errors: Value,
    },
    #[error("Jira answered something unexpected: {0}")]
    Unexpected(String),
}

impl JiraError {
    /// Errors that a later retry of the whole request may not see again.
    pub fn is_transient(&self) -> bool {
        matches!(self, JiraError::Unreachable(_) | JiraError::Unavailable(_))
    }
}

impl From<CapError> for JiraError {
    fn from(e: CapError) -> Self {
        JiraError::Unreachable(e.to_string())
    }
}

/// Sends a Jira call; a 2xx answer's body parsed as JSON (`Null` when empty).
pub async fn call(
    caps: &Caps,
    actor: Actor,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, JiraError> {
    call_retrying(caps, actor, method, path, body, &[429, 503]).await
}

/// A call that must not be repeated when it may have taken effect (a create): only a 429,
/// which Jira answers before doing anything, is retried; a 503 or a timeout is returned as
/// `Unavailable` / `Unreachable` (the outcome is unknown).
pub async fn call_once(
    caps: &Caps,
    actor: Actor,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, JiraError> {
    call_retrying(caps, actor, method, path, body, &[429]).await
}

async fn call_retrying(
    caps: &Caps,
    actor: Actor,
    method: &str,
    path: &str,
    body: Option<&Value>,
    retried: &[u16],
) -> Result<Value, JiraError> {
    let mut attempt = 1;
    loop {
        let response = caps.jira(actor, method, path, body).await?;
        if response.is_success() {
            return parse_body(&response);
        }
        if retried.contains(&response.status) {
            if attempt >= MAX_ATTEMPTS {
                return Err(JiraError::Unavailable(response.status));
            }
            let wait = retry_after_ms(&response, attempt);
            caps.log(
                LogLevel::Warn,
                format!(
                    "Jira answered {} to {method} {}; retrying in {wait} ms",
                    response.status,
                    strip_query(path)
                ),
            )
            .await;
            caps.sleep(wait).await?;
            attempt += 1;
            continue;
        }
        if response.status >= 500 {
            return Err(JiraError::Unavailable(response.status));
        }
        return Err(refused(&response));
    }
}

fn parse_body(response: &HttpResponse) -> Result<Value, JiraError> {
    if response.body.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&response.body).map_err(|e| JiraError::Unexpected(format!("body is not JSON: {e}")))
}

fn retry_after_ms(response: &HttpResponse, attempt: u32) -> u32 {
    let header = response
        .header("Retry-After")
        .and_then(|v| v.trim().parse::<u32>().ok());
    match header {
        Some(seconds) => seconds.saturating_mul(1000).min(MAX_RETRY_WAIT_MS),
        None => (500 * attempt).min(MAX_RETRY_WAIT_MS),
    }
}

/// Jira's `{errorMessages: [], errors: {field: message}}` as one line.
fn refused(response: &HttpResponse) -> JiraError {
    let body: Value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    let mut parts: Vec<String> = body["errorMessages"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m.as_str().map(String::from)).collect())
        .unwrap_or_default();
    if let Some(errors) = body["errors"].as_object() {
        parts.extend(
            errors
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or(&v.to_string()))),
        );
    }
    if parts.is_empty() {
        parts.push("no details given".into());
    }
    JiraError::Refused {
        status: response.status,
        message: parts.join("; "),
        errors: body.get("errors").cloned().unwrap_or(Value::Null),
    }
}

fn strip_query(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

/// Everything but RFC 3986's unreserved characters is encoded (valid in queries and forms).
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a query parameter (or form field) value.
/// The key and id of the issue `POST /rest/api/3/issue` answered (an error when either is
/// missing: the create's outcome is then unknown).
pub fn created_issue(created: &Value) -> Result<(String, String), JiraError> {
    let key = created["key"].as_str().unwrap_or_default().to_string();
    let id = created["id"].as_str().unwrap_or_default().to_string();
    if key.is_empty() || id.is_empty() {
        return Err(JiraError::Unexpected("the create answer has no issue key or id".into()));
    }
    Ok((key, id))
}

pub fn query_value(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// A JQL string literal: quoted, with `"` and `\` escaped.
pub fn jql_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
