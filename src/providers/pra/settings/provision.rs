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
    let settings_applied = config::provision_section(
        caps,
        document.config,
        document.only_if_unconfigured,
        PraSettings::normalized,
    )
    .await?;
    let set = crate::auth::is_set(caps, secret::SECRET_KEY)
        .await
        .map_err(|e| e.to_string())?;
    let mut secret_applied = false;
    if let Some(given) = document.secrets.url_secret {
        if !crate::auth::acceptable(&given) {
            return Err("secrets.urlSecret must be 32 to 128 letters, digits, - or _".into());
        }
        if !(document.only_if_unconfigured && set) {
            caps.secret_set(secret::SECRET_KEY, &given)
                .await
                .map_err(|e| e.to_string())?;
            secret_applied = true;
        }
    } else if document.generate_secret && !set {
        crate::auth::generate(caps, secret::SECRET_KEY)
            .await
            .map_err(|e| e.to_string())?;
        secret_applied = true;
    }
    Ok(json!({ "provider": "pra", "settingsApplied": settings_applied, "secretApplied": secret_applied }))
}
