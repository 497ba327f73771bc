//! Web trigger requests, whatever the host: method, size, authentication and the master switch
//! are checked before a provider sees the body, and nothing is written on any refusal.

use crate::auth;
use crate::caps::Caps;
use crate::config::{self, Config, SECRET_WEBHOOK_PASSWORD, SECRET_WEBHOOK_USER};
use crate::protocol::{HttpRequest, HttpResponse, LogLevel};
use crate::providers::epm;

/// Largest webhook body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub async fn handle(caps: &Caps, trigger: &str, request: &HttpRequest) -> HttpResponse {
    if trigger != epm::WEB_TRIGGER {
        return HttpResponse::error(404, format!("unknown web trigger \"{}\"", printable(trigger)));
    }
    if !request.method.eq_ignore_ascii_case("POST") {
        return HttpResponse::error(405, format!("method {} is not allowed; EPM webhooks use POST", printable(&request.method)))
            .with_header("Allow", "POST");
    }
    if request.body.len() > MAX_BODY_BYTES {
        return HttpResponse::error(
            413,
            format!("request body is {} bytes; the limit is {MAX_BODY_BYTES} bytes", request.body.len()),
        );
    }
    let config = match load_config(caps).await {
        Ok(config) => config,
        Err(message) => {
            caps.log(LogLevel::Error, message.clone()).await;
            return HttpResponse::error(503, message);
        }
    };
    let user = caps.secret_get(SECRET_WEBHOOK_USER).await;
    let password = caps.secret_get(SECRET_WEBHOOK_PASSWORD).await;
    let (Ok(user), Ok(password)) = (user, password) else {
        return HttpResponse::error(503, "secret storage is unavailable; retry later").with_header("Retry-After", "5");
    };
    let presented = auth::parse_basic(request.header("Authorization"));
    if !auth::matches(presented.as_ref(), user.as_deref(), password.as_deref()) {
        if user.is_none() || password.is_none() {
            caps.log(LogLevel::Warn, "webhook refused: no webhook credentials are configured").await;
        }
        return HttpResponse::error(401, "authentication required")
            .with_header("WWW-Authenticate", "Basic realm=\"PAM Approvals for Jira\", charset=\"UTF-8\"");
    }
    if !config.enabled {
        return HttpResponse::error(503, "the EPM integration is disabled in the app's configuration");
    }
    epm::handle_webhook(caps, &config, &request.body).await
}

/// The stored configuration, or the defaults when none was saved yet.
pub async fn load_config(caps: &Caps) -> Result<Config, String> {
    match caps.kv_get(config::CONFIG_KEY).await {
        Ok(None) => Ok(Config::default()),
        Ok(Some(text)) => Config::decode(&text).map_err(|e| format!("the stored configuration is unreadable: {e}")),
        Err(e) => Err(format!("the configuration could not be read ({e}); retry later")),
    }
}

/// Text from a caller, safe to echo in a message: no control characters, at most 40 chars.
fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(40).collect()
}
