//! The secret in the PRA web trigger URL (`?secret=…`): PRA can only be given a URL, so the
//! URL is the credential. 256 bits from the host's secure generator, kept in secret storage,
//! replaced by "Generate a new URL" on the configuration page (the old URL stops working at
//! once). It is shown once, in the answer to that action, and never again.

/// Secret-storage key of the URL secret. Its value is never logged or returned, except once to
/// the admin who generated it.
pub const SECRET_KEY: &str = "pra.url.secret";
/// The query parameter carrying it.
pub const PARAM: &str = "secret";
/// The web trigger URL with the secret added to its query.
pub fn url_with(trigger_url: &str, secret: &str) -> String {
    let separator = if trigger_url.contains('?') { '&' } else { '?' };
    format!("{trigger_url}{separator}{PARAM}={secret}")
}
