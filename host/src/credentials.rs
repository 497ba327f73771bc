//! Credentials for the local host. Webhook credentials come from PAM_WEBHOOK_USER /
//! PAM_WEBHOOK_PASSWORD, or in sandbox mode are generated once and kept in the data dir so a
//! restart keeps EPM's settings valid; the sandbox EPM's client secret is kept there the same way.
//! What the app itself stored (its secret storage in `<data-dir>/kv.sqlite`) is read for the
//! `send-sample` commands.

use std::path::Path;

use anyhow::Result;
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};

use crate::kv::{Kv, Table};

const FILE: &str = "sandbox-credentials.json";
/// The core's secret-storage keys of the webhook credentials (`src/config.rs`).
const SECRET_WEBHOOK_USER: &str = "epm.webhook.username";
const SECRET_WEBHOOK_PASSWORD: &str = "epm.webhook.password";
/// The core's secret-storage key of the PRA web trigger's URL secret.
const SECRET_PRA_URL: &str = "pra.url.secret";
/// The core's secret-storage key of the Keeper alert web trigger's bearer token.
const SECRET_KEEPER_ALERT_TOKEN: &str = "keeper.alert.token";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    user: String,
    password: String,
    /// The sandbox EPM's client secret (files written before it existed lack it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    epm_client_secret: Option<String>,
}

fn read_stored(data_dir: &Path) -> Option<Stored> {
    let text = std::fs::read_to_string(data_dir.join(FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// `PAM_WEBHOOK_USER` / `PAM_WEBHOOK_PASSWORD`, when both are set: an operator's explicit
/// choice, applied at every start.
pub fn env_credentials() -> Option<(String, String)> {
    let user = std::env::var("PAM_WEBHOOK_USER").ok().filter(|v| !v.is_empty());
    let password = std::env::var("PAM_WEBHOOK_PASSWORD").ok().filter(|v| !v.is_empty());
    user.zip(password)
}

/// The credentials to configure, if any: the environment wins; in sandbox mode the stored or
/// freshly generated pair. Outside the sandbox without the variables, the stored secrets stay.
pub fn webhook_credentials(data_dir: &Path, sandbox: bool) -> Result<Option<(String, String)>> {
    let env_user = std::env::var("PAM_WEBHOOK_USER").ok().filter(|v| !v.is_empty());
    let env_password = std::env::var("PAM_WEBHOOK_PASSWORD").ok().filter(|v| !v.is_empty());
    if !sandbox {
        return Ok(env_user.zip(env_password));
    }
    let stored = match read_stored(data_dir) {
        Some(s) => s,
        None => {
            let generated = Stored {
                user: "pam-webhook".into(),
                password: random_password(),
                epm_client_secret: None,
            };
            crate::data_dir::write_private(&data_dir.join(FILE), &serde_json::to_string(&generated)?)?;
            generated
        }
    };
    Ok(Some((
        env_user.unwrap_or(stored.user),
        env_password.unwrap_or(stored.password),
    )))
}

/// The webhook credentials in effect (for `send-sample` and the start-up lines): the app's
/// stored secrets in `<data-dir>/kv.sqlite`, which the configuration page may have changed, else
/// the sandbox's generated pair.
pub fn stored(data_dir: &Path) -> Option<(String, String)> {
    app_kv(data_dir)
        .and_then(|kv| live(&kv))
        .or_else(|| read_stored(data_dir).map(|s| (s.user, s.password)))
}

/// The webhook username and password the app has stored, when both are set.
pub fn live(kv: &Kv) -> Option<(String, String)> {
    secret(kv, SECRET_WEBHOOK_USER).zip(secret(kv, SECRET_WEBHOOK_PASSWORD))
}

/// The PRA web trigger's URL secret the app has stored in `data_dir` (for `send-sample-pra`).
pub fn pra_url_secret(data_dir: &Path) -> Option<String> {
    app_kv(data_dir).and_then(|kv| secret(&kv, SECRET_PRA_URL))
}

/// The Keeper alert web trigger's bearer token the app has stored in `data_dir` (for
/// `send-sample-keeper`).
pub fn keeper_alert_token(data_dir: &Path) -> Option<String> {
    app_kv(data_dir).and_then(|kv| secret(&kv, SECRET_KEEPER_ALERT_TOKEN))
}

/// The app's storage in `data_dir`, if it has any (never created here).
fn app_kv(data_dir: &Path) -> Option<Kv> {
    let database = data_dir.join("kv.sqlite");
    database.exists().then(|| Kv::open(&database).ok()).flatten()
}

/// One of the app's secrets, when set and not empty.
fn secret(kv: &Kv, key: &str) -> Option<String> {
    kv.get(Table::Secrets, key).ok().flatten().filter(|v| !v.is_empty())
}

/// The sandbox EPM's client secret: the stored one, or a new one added to the file (after
/// [`webhook_credentials`] has created it in sandbox mode).
pub fn sandbox_epm_client_secret(data_dir: &Path) -> Result<String> {
    let mut stored = read_stored(data_dir).unwrap_or_else(|| Stored {
        user: "pam-webhook".into(),
        password: random_password(),
        epm_client_secret: None,
    });
    if let Some(secret) = stored.epm_client_secret.clone().filter(|s| !s.is_empty()) {
        return Ok(secret);
    }
    let secret = random_password();
    stored.epm_client_secret = Some(secret.clone());
    crate::data_dir::write_private(&data_dir.join(FILE), &serde_json::to_string(&stored)?)?;
    Ok(secret)
}

fn random_password() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epm_secret_is_added_to_an_old_file_and_kept() {
        let dir = std::env::temp_dir().join(format!("pam-credentials-{}-{}", std::process::id(), random_password()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join(FILE), r#"{"user": "u", "password": "p"}"#).expect("old file");
        let secret = sandbox_epm_client_secret(&dir).expect("secret");
        assert_eq!(secret.len(), 24);
        assert_eq!(sandbox_epm_client_secret(&dir).expect("again"), secret);
        assert_eq!(stored(&dir), Some(("u".into(), "p".into())), "webhook credentials kept");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_pra_url_secret_is_read_from_the_apps_storage() {
        let dir = std::env::temp_dir().join(format!("pam-credentials-{}-{}", std::process::id(), random_password()));
        std::fs::create_dir_all(&dir).expect("dir");
        assert_eq!(pra_url_secret(&dir), None, "no storage: none, and none created");
        assert!(!dir.join("kv.sqlite").exists());
        let kv = Kv::open(&dir.join("kv.sqlite")).expect("kv");
        kv.set(Table::Secrets, SECRET_PRA_URL, "").expect("set");
        assert_eq!(pra_url_secret(&dir), None, "an empty secret is none");
        kv.set(Table::Secrets, SECRET_PRA_URL, "s3cr3t").expect("set");
        assert_eq!(pra_url_secret(&dir).as_deref(), Some("s3cr3t"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_keeper_alert_token_is_read_from_the_apps_storage() {
        let dir = std::env::temp_dir().join(format!("pam-credentials-{}-{}", std::process::id(), random_password()));
        std::fs::create_dir_all(&dir).expect("dir");
        assert_eq!(keeper_alert_token(&dir), None, "no storage: none, and none created");
        assert!(!dir.join("kv.sqlite").exists());
        let kv = Kv::open(&dir.join("kv.sqlite")).expect("kv");
        kv.set(Table::Secrets, SECRET_KEEPER_ALERT_TOKEN, "").expect("set");
        assert_eq!(keeper_alert_token(&dir), None, "an empty token is none");
        kv.set(Table::Secrets, SECRET_KEEPER_ALERT_TOKEN, "t0ken").expect("set");
        assert_eq!(keeper_alert_token(&dir).as_deref(), Some("t0ken"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
