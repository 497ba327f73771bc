//! Reading and saving the configuration for the page: the stored settings, which secrets are
//! set, and an all-or-nothing save (everything is validated before the first write).

use super::form::{self, SaveRequest};
use super::view::SecretsState;
use super::{EpmSettings, SECRET_CLIENT_SECRET, SECRET_WEBHOOK_PASSWORD, SECRET_WEBHOOK_USER};
use crate::caps::Caps;
use crate::config;
use crate::protocol::LogLevel;
use crate::providers::epm::wire::api;
use crate::resolver::Refusal;
use crate::resolver::storage;

/// What is stored: the settings (defaults when none) and which secrets are set.
pub async fn stored(caps: &Caps) -> Result<(EpmSettings, SecretsState), Refusal> {
    let config = super::load(caps).await.map_err(|e| Refusal::new("unavailable", e))?;
    let is_set = |v: Option<String>| v.is_some_and(|v| !v.is_empty());
    let secrets = SecretsState {
        webhook_username: caps
            .secret_get(SECRET_WEBHOOK_USER)
            .await
            .map_err(storage)?
            .unwrap_or_default(),
        webhook_password_set: is_set(caps.secret_get(SECRET_WEBHOOK_PASSWORD).await.map_err(storage)?),
        client_secret_set: is_set(caps.secret_get(SECRET_CLIENT_SECRET).await.map_err(storage)?),
    };
    Ok((config, secrets))
}

/// Validates `request` whole and, only if it is clean, writes the settings and the credentials
/// given; answers what is stored afterwards. A changed EPM host, client id or secret drops the
/// cached EPM token.
pub async fn save(caps: &Caps, request: SaveRequest) -> Result<(EpmSettings, SecretsState), Refusal> {
    let (current, secrets) = stored(caps).await?;
    let errors = form::validate_change(&request, &current, &secrets);
    if !errors.is_empty() {
        let count = form::fields_map(&errors).len();
        let noun = if count == 1 { "setting needs" } else { "settings need" };
        return Err(
            Refusal::new("invalid", format!("{count} {noun} attention; nothing was saved."))
                .with_fields(serde_json::Value::Object(form::fields_map(&errors))),
        );
    }
    let input = &request.secrets;
    let epm_changed = current.service_hostname != request.config.service_hostname
        || current.client_id != request.config.client_id
        || input.client_secret().is_some();
    // The other providers' sections stay as stored.
    config::save_section(caps, &request.config)
        .await
        .map_err(|e| Refusal::new("unavailable", e))?;
    let writes = [
        (SECRET_WEBHOOK_USER, input.webhook_username()),
        (SECRET_WEBHOOK_PASSWORD, input.webhook_password()),
        (SECRET_CLIENT_SECRET, input.client_secret()),
    ];
    for (key, value) in writes {
        if let Some(value) = value {
            caps.secret_set(key, value).await.map_err(storage)?;
        }
    }
    if epm_changed {
        api::forget_token(caps).await;
    }
    let changed: Vec<&str> = writes.iter().filter(|(_, v)| v.is_some()).map(|(k, _)| *k).collect();
    caps.log(
        LogLevel::Info,
        format!(
            "configuration saved; credentials replaced: {}",
            if changed.is_empty() {
                "none".to_string()
            } else {
                changed.join(", ")
            }
        ),
    )
    .await;
    let now_stored = SecretsState {
        webhook_username: input.webhook_username().map_or(secrets.webhook_username, String::from),
        webhook_password_set: secrets.webhook_password_set || input.webhook_password().is_some(),
        client_secret_set: secrets.client_secret_set || input.client_secret().is_some(),
    };
    Ok((request.config, now_stored))
}
