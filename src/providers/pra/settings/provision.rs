//! Host provisioning of PRA (`invocation::configure` with `"provider": "pra"`): the local host
//! applies it at start-up (its sandbox points PRA at the sandbox appliance).
//!
//! `{"provider": "pra", "config": {...}, "secrets": {"urlSecret": "..."}, "generateSecret": true,
//! "onlyIfUnconfigured": true}`: `config` holds the settings to change (the rest stay as stored),
//! validated like a save; `urlSecret` sets the URL secret (32–128 URL-safe characters);
//! `generateSecret` makes one when none is set. With `onlyIfUnconfigured`, stored settings and a
//! stored secret are left alone.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{PraSettings, secret};
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
    generate_secret: bool,
    #[serde(default)]
    only_if_unconfigured: bool,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Secrets {
    url_secret: Option<String>,
}

pub async fn configure(caps: &Caps, document: &str) -> Outcome {
    match apply(caps, document).await {
        Ok(done) => Outcome::Value(done.to_string()),
        Err(e) => Outcome::Error(format!("PRA provisioning: {e}")),
    }
}

async fn apply(caps: &Caps, document: &str) -> Result<Value, String> {
    let document: Document = serde_json::from_str(document).map_err(|e| format!("the document is not valid: {e}"))?;
    let mut record = config::load(caps).await?;
    let keep_stored = document.only_if_unconfigured && record.has::<PraSettings>();
    let mut settings_applied = false;
    if !keep_stored && !document.config.is_empty() {
        let current: PraSettings = record
            .section()
            .map_err(|e| format!("the stored PRA settings are unreadable: {e}"))?;
        let mut merged = serde_json::to_value(current).map_err(|e| e.to_string())?;
        if let Value::Object(object) = &mut merged {
            object.extend(document.config);
        }
        let settings: PraSettings = serde_json::from_value(merged).map_err(|e| format!("config: {e}"))?;
        let settings = settings.normalized();
        settings.validate().map_err(|e| format!("config: {e}"))?;
        record.set(&settings);
        caps.kv_set(config::CONFIG_KEY, &record.encode())
            .await
            .map_err(|e| format!("the configuration could not be stored: {e}"))?;
        settings_applied = true;
    }
    let set = secret::is_set(caps).await.map_err(|e| e.to_string())?;
    let mut secret_applied = false;
    if let Some(given) = document.secrets.url_secret {
        if !secret::acceptable(&given) {
            return Err("secrets.urlSecret must be 32 to 128 letters, digits, - or _".into());
        }
        if !(document.only_if_unconfigured && set) {
            caps.secret_set(secret::SECRET_KEY, &given)
                .await
                .map_err(|e| e.to_string())?;
            secret_applied = true;
        }
    } else if document.generate_secret && !set {
        secret::rotate(caps).await.map_err(|e| e.to_string())?;
        secret_applied = true;
    }
    Ok(json!({ "provider": "pra", "settingsApplied": settings_applied, "secretApplied": secret_applied }))
}
