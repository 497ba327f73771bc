//! EPM's management API: the OAuth client-credentials token (cached in secret storage until
//! shortly before it expires) and the decision notification. Contract: ../shared/contracts/CONTRACTS.md.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::caps::Caps;
use crate::config::{Config, SECRET_CLIENT_SECRET};
use crate::protocol::{HttpRequest, HttpResponse, LogLevel};
use crate::store;

/// Secret-storage key of the cached access token (a credential, so not in plain KV).
const TOKEN_KEY: &str = "epm.token";
/// A token is renewed this long before EPM says it expires.
const RENEW_BEFORE_MS: u64 = 60_000;
const TOKEN_VERSION: u32 = 1;

/// Why EPM could not take a call. Messages never contain credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EpmError {
    #[error("the EPM connection is not configured: {0}")]
    NotConfigured(&'static str),
    #[error("EPM could not be reached: {0}")]
    Unreachable(String),
    /// The decision call went out but no answer came back: EPM may have applied it.
    #[error("EPM did not answer the decision call: {0}")]
    NoAnswer(String),
    #[error("EPM refused the token request (HTTP {0}); check the client id and secret")]
    TokenRefused(u16),
    #[error("EPM's token service failed (HTTP {0})")]
    TokenFailed(u16),
    #[error("EPM refused the decision (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
    #[error("EPM answered something unexpected: {0}")]
    Unexpected(String),
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedToken {
    access_token: String,
    expires_at: u64,
}

/// The decision as EPM's notification call takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub request_id: String,
    pub ticket_id: String,
    pub ticket_url: String,
    pub approved: bool,
    pub duration: String,
    pub decision_time: String,
    pub performed_by: String,
    pub message: String,
}

impl Notification {
    pub fn body(&self) -> Value {
        json!({
            "itsmRequestId": self.ticket_id,
            "systemId": self.request_id,
            "ticketId": self.ticket_id,
            "ticketUrl": self.ticket_url,
            "decision": if self.approved { "Approved" } else { "Denied" },
            "status": if self.approved { "2000" } else { "2001" },
            "duration": self.duration,
            "decisionTime": self.decision_time,
            "decisionPerformedByUser": self.performed_by,
            "message": self.message,
        })
    }
}

fn base_url(config: &Config) -> Result<String, EpmError> {
    if config.service_hostname.is_empty() {
        return Err(EpmError::NotConfigured("service hostname"));
    }
    Ok(format!("https://{}", config.service_hostname))
}

/// The form body of the token request.
pub fn token_request(config: &Config, client_secret: &str) -> Result<HttpRequest, EpmError> {
    if config.client_id.is_empty() {
        return Err(EpmError::NotConfigured("client id"));
    }
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        crate::jira::client::query_value(&config.client_id),
        crate::jira::client::query_value(client_secret)
    );
    Ok(HttpRequest {
        method: "POST".into(),
        url: format!("{}/oauth/connect/token", base_url(config)?),
        headers: vec![
            ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
            ("Accept".into(), "application/json".into()),
        ],
        body: form,
    })
}

fn parse_token(response: &HttpResponse, now: u64) -> Result<CachedToken, EpmError> {
    if (400..500).contains(&response.status) {
        return Err(EpmError::TokenRefused(response.status));
    }
    if !response.is_success() {
        return Err(EpmError::TokenFailed(response.status));
    }
    let body: Value =
        serde_json::from_str(&response.body).map_err(|_| EpmError::Unexpected("token answer is not JSON".into()))?;
    let token = body["access_token"].as_str().filter(|t| !t.is_empty());
    let token = token.ok_or_else(|| EpmError::Unexpected("token answer has no access_token".into()))?;
    let expires_in = body["expires_in"].as_u64().unwrap_or(3600);
    Ok(CachedToken {
        access_token: token.to_string(),
        expires_at: now + expires_in * 1000,
    })
}

/// Whether a token answer grants a token (the configuration check; the token is not kept).
pub fn check_token_response(response: &HttpResponse) -> Result<(), EpmError> {
    parse_token(response, 0).map(drop)
}

/// A valid access token: the cached one, or a new one from EPM.
pub async fn access_token(caps: &Caps, config: &Config, now: u64) -> Result<String, EpmError> {
    let unreachable = |e: crate::caps::CapError| EpmError::Unreachable(e.to_string());
    if let Some(text) = caps.secret_get(TOKEN_KEY).await.map_err(unreachable)?
        && let Some(cached) = store::decode::<CachedToken>(TOKEN_VERSION, &text)
        && cached.expires_at > now + RENEW_BEFORE_MS
    {
        return Ok(cached.access_token);
    }
    let secret = caps.secret_get(SECRET_CLIENT_SECRET).await.map_err(unreachable)?;
    let secret = secret
        .filter(|s| !s.is_empty())
        .ok_or(EpmError::NotConfigured("client secret"))?;
    let response = caps.fetch(token_request(config, &secret)?).await.map_err(unreachable)?;
    let token = parse_token(&response, now)?;
    caps.secret_set(TOKEN_KEY, &store::encode(TOKEN_VERSION, &token))
        .await
        .map_err(unreachable)?;
    Ok(token.access_token)
}

pub async fn forget_token(caps: &Caps) {
    let _ = caps.secret_set(TOKEN_KEY, "").await;
}

/// Sends the decision. A 401 means the cached token was revoked: one retry with a new one.
pub async fn send_decision(
    caps: &Caps,
    config: &Config,
    notification: &Notification,
    now: u64,
) -> Result<(), EpmError> {
    let url = format!(
        "{}/management-api/{}/AuthorizationRequest/notification",
        base_url(config)?,
        config.epm_api_version
    );
    for attempt in 0..2 {
        let token = access_token(caps, config, now).await?;
        let request = HttpRequest {
            method: "POST".into(),
            url: url.clone(),
            headers: vec![
                ("Authorization".into(), format!("Bearer {token}")),
                ("Content-Type".into(), "application/json".into()),
            ],
            body: notification.body().to_string(),
        };
        let response = caps
            .fetch(request)
            .await
            .map_err(|e| EpmError::NoAnswer(e.to_string()))?;
        if response.is_success() {
            return Ok(());
        }
        if response.status == 401 && attempt == 0 {
            caps.log(LogLevel::Warn, "EPM refused the cached token; requesting a new one")
                .await;
            forget_token(caps).await;
            continue;
        }
        return Err(EpmError::Refused {
            status: response.status,
            message: refusal_message(&response),
        });
    }
    Err(EpmError::Refused {
        status: 401,
        message: "the new token was refused too".into(),
    })
}

/// A short reason from EPM's answer (JSON `message`/`title`/`error`, or the start of the text).
fn refusal_message(response: &HttpResponse) -> String {
    let body: Value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    let text = ["message", "title", "error", "detail"]
        .iter()
        .find_map(|k| body[*k].as_str().map(String::from))
        .unwrap_or_else(|| response.body.chars().take(200).collect());
    if text.trim().is_empty() {
        "no details given".into()
    } else {
        text
    }
}
