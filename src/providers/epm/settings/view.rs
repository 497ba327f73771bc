//! What the configuration page shows: the settings, which secrets are set (never their values),
//! the web trigger URL to paste into EPM, the two EPM templates and warnings.

use serde::{Deserialize, Serialize};

use super::EpmSettings;
use super::egress;
use crate::providers::epm::wire::templates::{self, Template};

/// Which credentials are stored. Secrets are write-only: only whether they are set crosses to
/// the page. The webhook username is a login name EPM is configured with, so it is shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretsState {
    pub webhook_username: String,
    pub webhook_password_set: bool,
    pub client_secret_set: bool,
}

/// A URL to paste into EPM's webhook settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookUrl {
    pub label: String,
    pub url: String,
    /// The one to paste (the custom URL when set, else the web trigger's).
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminView {
    pub config: EpmSettings,
    pub secrets: SecretsState,
    pub webhook_urls: Vec<WebhookUrl>,
    pub templates: Vec<Template>,
    pub warnings: Vec<String>,
}

/// `web_trigger_url`: the EPM web trigger's URL as the host knows it (Forge:
/// `webTrigger.getUrl`), `None` when the host did not say.
pub fn build(config: EpmSettings, secrets: SecretsState, web_trigger_url: Option<&str>) -> AdminView {
    let mut webhook_urls = Vec::new();
    let custom = config.custom_webhook_url.trim();
    if !custom.is_empty() {
        webhook_urls.push(WebhookUrl {
            label: "Custom webhook URL (paste this into both EPM webhooks)".into(),
            url: custom.to_string(),
            primary: true,
        });
    }
    if let Some(url) = web_trigger_url.filter(|u| !u.is_empty()) {
        webhook_urls.push(WebhookUrl {
            label: if custom.is_empty() {
                "Web trigger URL (paste this into both EPM webhooks)".into()
            } else {
                "The app's own web trigger URL (your custom URL must forward to it)".into()
            },
            url: url.to_string(),
            primary: custom.is_empty(),
        });
    }
    AdminView {
        warnings: warnings(&config, &secrets, webhook_urls.is_empty()),
        config,
        secrets,
        webhook_urls,
        templates: templates::all(),
    }
}

/// What works differently from what the admin may expect, worded with the fix.
pub fn warnings(config: &EpmSettings, secrets: &SecretsState, no_url: bool) -> Vec<String> {
    let mut warnings = Vec::new();
    if !config.enabled {
        warnings.push(
            "The integration is off: EPM webhooks are answered 503 and no issue is created. Turn on \
             \"Enable integration\" when the settings below are complete."
                .to_string(),
        );
    }
    if secrets.webhook_username.is_empty() || !secrets.webhook_password_set {
        warnings.push(
            "No webhook username and password are set: every EPM webhook is refused (401). Set \
             them here and enter the same pair in both EPM webhooks (Authentication Type: Basic)."
                .to_string(),
        );
    }
    if !config.automatic_reporter {
        warnings.push(
            "Automatic reporter is off: the app knows the requester only by EPM's user name, not as \
             a Jira account, so the check that nobody approves their own request can only compare \
             names and e-mail addresses. Turn on \"Automatic reporter\" so that requesters are \
             matched to their Jira accounts."
                .to_string(),
        );
    }
    if no_url {
        warnings.push(
            "The host did not tell the app its web trigger URL. On Jira Cloud run `forge webtrigger` \
             to get it, or set \"Custom webhook URL\"."
                .to_string(),
        );
    }
    warnings.extend(egress::warning(&config.service_hostname));
    warnings
}
