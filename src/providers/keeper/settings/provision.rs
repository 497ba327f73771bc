//! Host provisioning of Keeper (`invocation::configure` with `"provider": "keeper"`): the local
//! host applies it at start-up (its sandbox points Keeper at the sandbox Commander).
//!
//! `{"provider": "keeper", "config": {...}, "secrets": {"apiKey": "...", "alertToken": "..."},
//! "generateToken": true, "onlyIfUnconfigured": true}`: `config` holds the settings to change,
//! validated like a save; `apiKey` and `alertToken` set the secrets; `generateToken` makes a
//! token when none is set. With `onlyIfUnconfigured`, stored settings and secrets stay.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{KeeperSettings, secrets};
use crate::caps::Caps;
use crate::config;
use crate::protocol::Outcome;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Document {
    #[allow(dead_code)]
    provider: String,
    #[serde(default)]
    config: Map<String, Value>,
    #[serde(default)]
    secrets: Secrets,
    #[serde(default)]
    generate_token: bool,
    #[serde(default)]
    only_if_unconfigured: bool,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Secrets {
    api_key: Option<String>,
    alert_token: Option<String>,
}

pub async fn configure(caps: &Caps, document: &str) -> Outcome {
    match apply(caps, document).await {
        Ok(done) => Outcome::Value(done.to_string()),
        Err(e) => Outcome::Error(format!("Keeper provisioning: {e}")),
    }
}

async fn set_secret(caps: &Caps, key: &str, value: &str, keep: bool) -> Result<bool, String> {
    if keep && crate::auth::is_set(caps, key).await.map_err(|e| e.to_string())? {
        return Ok(false);
    }
    caps.secret_set(key, value).await.map_err(|e| e.to_string())?;
    Ok(true)
}

async fn apply(caps: &Caps, document: &str) -> Result<Value, String> {
    let document: Document = serde_json::from_str(document).map_err(|e| format!("the document is not valid: {e}"))?;
    let keep = document.only_if_unconfigured;
    let mut secrets_applied = Vec::new();
    if let Some(key) = document.secrets.api_key {
        if !secrets::acceptable_api_key(&key) {
            return Err("secrets.apiKey must be 8 to 512 printable characters without spaces".into());
        }
        if set_secret(caps, secrets::API_KEY, &key, keep).await? {
            secrets_applied.push("apiKey");
        }
    }
    if let Some(token) = document.secrets.alert_token {
        if !crate::auth::acceptable(&token) {
            return Err("secrets.alertToken must be 32 to 128 letters, digits, - or _".into());
        }
        if set_secret(caps, secrets::ALERT_TOKEN, &token, keep).await? {
            secrets_applied.push("alertToken");
        }
    } else if document.generate_token
        && !crate::auth::is_set(caps, secrets::ALERT_TOKEN)
            .await
            .map_err(|e| e.to_string())?
    {
        crate::auth::generate(caps, secrets::ALERT_TOKEN)
            .await
            .map_err(|e| e.to_string())?;
        secrets_applied.push("alertToken");
    }
    let settings_applied = config::provision_section(caps, document.config, keep, KeeperSettings::normalized).await?;
    Ok(json!({ "provider": "keeper", "settingsApplied": settings_applied, "secretsApplied": secrets_applied }))
}
