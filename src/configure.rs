//! Host provisioning (`invocation::configure`): validates and stores a configuration document
//! and secrets. The local host uses it at start-up; it is not reachable from web triggers or UI.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::caps::Caps;
use crate::config::{self, Config};
use crate::protocol::Outcome;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct Document {
    /// Settings to change; others keep their stored (or default) values.
    config: Map<String, Value>,
    secrets: Secrets,
    /// Leave a stored configuration alone (so a restart does not undo an admin's changes).
    only_if_unconfigured: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct Secrets {
    webhook_username: Option<String>,
    webhook_password: Option<String>,
    client_secret: Option<String>,
}

pub async fn configure(caps: &Caps, document: &str) -> Outcome {
    let document: Document = match serde_json::from_str(document) {
        Ok(d) => d,
        Err(e) => return Outcome::Error(format!("configuration document is not valid: {e}")),
    };
    let stored = match caps.kv_get(config::CONFIG_KEY).await {
        Ok(stored) => stored,
        Err(e) => return Outcome::Error(format!("could not read the configuration: {e}")),
    };
    let keep_stored = document.only_if_unconfigured && stored.is_some();
    let config = if keep_stored {
        None
    } else {
        let mut merged = match stored.as_deref().map(Config::decode).transpose() {
            Ok(current) => serde_json::to_value(current.unwrap_or_default()).unwrap_or_default(),
            Err(e) => return Outcome::Error(e),
        };
        if let Some(object) = merged.as_object_mut() {
            object.extend(document.config);
        }
        let config = match Config::decode(&merged.to_string()) {
            Ok(c) => c,
            Err(e) => return Outcome::Error(e),
        };
        let errors = config.validate();
        if !errors.is_empty() {
            let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return Outcome::Error(format!("configuration refused: {}", list.join("; ")));
        }
        Some(config)
    };
    let secrets = [
        (config::SECRET_WEBHOOK_USER, document.secrets.webhook_username),
        (config::SECRET_WEBHOOK_PASSWORD, document.secrets.webhook_password),
        (config::SECRET_CLIENT_SECRET, document.secrets.client_secret),
    ];
    if let Some((key, _)) = secrets
        .iter()
        .find(|(_, v)| v.as_deref().is_some_and(|v| v.trim().is_empty()))
    {
        return Outcome::Error(format!("secret {key} must not be empty"));
    }
    if let Some(config) = &config
        && let Err(e) = caps.kv_set(config::CONFIG_KEY, &config.encode()).await
    {
        return Outcome::Error(format!("could not store the configuration: {e}"));
    }
    let mut written = Vec::new();
    for (key, value) in secrets {
        if let Some(value) = value {
            if let Err(e) = caps.secret_set(key, &value).await {
                return Outcome::Error(format!("could not store secret {key}: {e}"));
            }
            written.push(key);
        }
    }
    Outcome::Value(json!({ "configWritten": config.is_some(), "secretsWritten": written }).to_string())
}
