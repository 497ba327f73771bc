//! EPM's web trigger (`epm-webhook`) after the generic checks of `webtrigger.rs`: Basic
//! authentication with the webhook pair first (a caller without it learns nothing about the
//! configuration: whether it is stored, readable or enabled), then the master switch, then the
//! body (`wire::parse`) into the inbox.

use crate::auth;
use crate::caps::Caps;
use crate::protocol::{HttpRequest, HttpResponse, LogLevel};
use crate::providers::epm::settings::{self, EpmSettings, SECRET_WEBHOOK_PASSWORD, SECRET_WEBHOOK_USER};
use crate::providers::epm::{flows::inbox, wire};

pub async fn receive(caps: &Caps, request: &HttpRequest) -> HttpResponse {
    if let Some(refusal) = auth::require_basic(caps, request, SECRET_WEBHOOK_USER, SECRET_WEBHOOK_PASSWORD).await {
        return refusal;
    }
    let config = match settings::load(caps).await {
        Ok(config) => config,
        Err(message) => {
            caps.log(LogLevel::Error, message.clone()).await;
            return HttpResponse::error(503, message);
        }
    };
    if !config.enabled {
        return HttpResponse::error(503, "the EPM integration is disabled in the app's configuration");
    }
    handle_webhook(caps, &config, &request.body).await
}

/// Handles an authenticated webhook body from EPM.
pub async fn handle_webhook(caps: &Caps, config: &EpmSettings, body: &str) -> HttpResponse {
    match wire::parse(body) {
        Err(e) => HttpResponse::error(400, e.to_string()),
        Ok(event) => inbox::receive(caps, config, body, event).await,
    }
}
