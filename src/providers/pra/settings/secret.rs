//! The secret in the PRA web trigger URL (`?secret=…`): PRA can only be given a URL, so the
//! URL is the credential. 256 bits from the host's secure generator, kept in secret storage,
//! replaced by "Generate a new URL" on the configuration page (the old URL stops working at
//! once). It is shown once, in the answer to that action, and never again.

use crate::caps::{CapError, Caps};

/// Secret-storage key of the URL secret. Its value is never logged or returned, except once to
/// the admin who generated it.
pub const SECRET_KEY: &str = "pra.url.secret";
/// The query parameter carrying it.
pub const PARAM: &str = "secret";
/// Random bytes per secret (256 bits; the issue asks for at least 128).
const BYTES: u32 = 32;

/// Whether a secret is set (for the page and the checks).
pub async fn is_set(caps: &Caps) -> Result<bool, CapError> {
    Ok(caps.secret_get(SECRET_KEY).await?.is_some_and(|s| !s.is_empty()))
}

/// Replaces the secret with a new one; answers it (for the one answer that shows it).
pub async fn rotate(caps: &Caps) -> Result<String, CapError> {
    let secret = caps.random_hex(BYTES).await?;
    caps.secret_set(SECRET_KEY, &secret).await?;
    Ok(secret)
}

/// A secret given by provisioning (the local host's sandbox): 32 to 128 hex digits or
/// URL-safe characters, so it needs no encoding in a URL.
pub fn acceptable(secret: &str) -> bool {
    (32..=128).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The web trigger URL with the secret added to its query.
pub fn url_with(trigger_url: &str, secret: &str) -> String {
    let separator = if trigger_url.contains('?') { '&' } else { '?' };
    format!("{trigger_url}{separator}{PARAM}={secret}")
}
