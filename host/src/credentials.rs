//! Webhook credentials for the local host: from PAM_WEBHOOK_USER / PAM_WEBHOOK_PASSWORD, or in
//! sandbox mode generated once and kept in the data dir so a restart keeps EPM's settings valid.

use std::path::Path;

use anyhow::{Context, Result};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};

const FILE: &str = "sandbox-credentials.json";

#[derive(Serialize, Deserialize)]
struct Stored {
    user: String,
    password: String,
}

/// The credentials to configure, if any: the environment wins; in sandbox mode the stored or
/// freshly generated pair. Outside the sandbox without the variables, the stored secrets stay.
pub fn webhook_credentials(data_dir: &Path, sandbox: bool) -> Result<Option<(String, String)>> {
    let env_user = std::env::var("PAM_WEBHOOK_USER").ok().filter(|v| !v.is_empty());
    let env_password = std::env::var("PAM_WEBHOOK_PASSWORD").ok().filter(|v| !v.is_empty());
    if !sandbox {
        return Ok(env_user.zip(env_password));
    }
    let path = data_dir.join(FILE);
    let stored: Option<Stored> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let stored = match stored {
        Some(s) => s,
        None => {
            let generated = Stored {
                user: "pam-webhook".into(),
                password: random_password(),
            };
            write_private(&path, &serde_json::to_string(&generated)?)?;
            generated
        }
    };
    Ok(Some((
        env_user.unwrap_or(stored.user),
        env_password.unwrap_or(stored.password),
    )))
}

/// The stored sandbox credentials (for `send-sample`).
pub fn stored(data_dir: &Path) -> Option<(String, String)> {
    let text = std::fs::read_to_string(data_dir.join(FILE)).ok()?;
    let s: Stored = serde_json::from_str(&text).ok()?;
    Some((s.user, s.password))
}

/// The sandbox's configuration: the seed's example settings, enabled, applied only on first start.
pub fn sandbox_document() -> serde_json::Value {
    serde_json::json!({
        "config": {
            "enabled": true,
            "serviceHostname": "pmc-services.example.com",
            "clientId": "pmc-api-account-client-id",
            "assigneeName": "John Doe",
        },
        "onlyIfUnconfigured": true,
    })
}

fn random_password() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

fn write_private(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
