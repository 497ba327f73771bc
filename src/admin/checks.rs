//! "Validate configuration": the saved settings checked against the live Jira and EPM, each
//! check with its outcome and, when it does not pass, the exact fix.

use serde::{Deserialize, Serialize};

use super::checks_jira;
use super::view::SecretsState;
use crate::caps::Caps;
use crate::config::Config;
use crate::providers::epm;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    /// Not run because an earlier check failed (the detail says which).
    Skip,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub detail: String,
    /// What to change; "" when the check passes.
    pub fix: String,
}

impl Check {
    pub fn pass(id: &str, title: impl Into<String>, detail: impl Into<String>) -> Check {
        Check::new(id, title, Status::Pass, detail, "")
    }

    pub fn fail(id: &str, title: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check::new(id, title, Status::Fail, detail, fix)
    }

    pub fn warn(id: &str, title: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check::new(id, title, Status::Warn, detail, fix)
    }

    pub fn skip(id: &str, title: impl Into<String>, detail: impl Into<String>) -> Check {
        Check::new(id, title, Status::Skip, detail, "")
    }

    fn new(
        id: &str,
        title: impl Into<String>,
        status: Status,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check {
            id: id.into(),
            title: title.into(),
            status,
            detail: detail.into(),
            fix: fix.into(),
        }
    }
}

/// Counts per status, for the page's summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub warnings: usize,
    pub skipped: usize,
}

pub fn summary(checks: &[Check]) -> Summary {
    let count = |status| checks.iter().filter(|c| c.status == status).count();
    Summary {
        passed: count(Status::Pass),
        failed: count(Status::Fail),
        warnings: count(Status::Warn),
        skipped: count(Status::Skip),
    }
}

/// Every check, in the order an admin fixes things: the app's own settings, Jira, then EPM.
pub async fn run(caps: &Caps, config: &Config, secrets: &SecretsState) -> Vec<Check> {
    let mut checks = vec![enabled(config), webhook_credentials(secrets)];
    checks.extend(checks_jira::run(caps, config).await);
    checks.extend(epm::checks::run(caps, config, secrets.client_secret_set).await);
    checks
}

fn enabled(config: &Config) -> Check {
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
