//! "Validate configuration": the saved settings checked against the live Jira and EPM, each
//! check with its outcome and, when it does not pass, the exact fix.

use super::view::SecretsState;
use super::{EpmSettings, checks_epm, checks_jira};
use crate::caps::Caps;
use crate::config::check::Check;

/// Every check, in the order an admin fixes things: the app's own settings, Jira, then EPM.
pub async fn run(caps: &Caps, config: &EpmSettings, secrets: &SecretsState) -> Vec<Check> {
    let mut checks = vec![enabled(config), webhook_credentials(secrets)];
    checks.extend(checks_jira::run(caps, config).await);
    checks.extend(checks_epm::run(caps, config, secrets.client_secret_set).await);
    checks
}

fn enabled(config: &EpmSettings) -> Check {
    let title = "Integration enabled";
    if config.enabled {
        Check::pass("enabled", title, "EPM webhooks are accepted.")
    } else {
        Check::warn(
            "enabled",
            title,
            "The integration is off: EPM webhooks are answered 503 and no issue is created.",
            "Turn on \"Enable integration\" and save.",
        )
    }
}

fn webhook_credentials(secrets: &SecretsState) -> Check {
    let title = "Webhook username and password";
    if !secrets.webhook_username.is_empty() && secrets.webhook_password_set {
        Check::pass(
            "webhookCredentials",
            title,
            format!(
                "Set (username \"{}\"); EPM must send the same pair.",
                secrets.webhook_username
            ),
        )
    } else {
        Check::fail(
            "webhookCredentials",
            title,
            "No webhook username or password is set, so every EPM webhook is refused (401).",
            "Set the webhook username and password here, save, and enter the same pair in both EPM \
             webhooks (Authentication Type: Basic).",
        )
    }
}
