//! What the configuration page submits (`admin.save`) and its validation: every problem at
//! once, named by field, so the page shows each next to its input and nothing partial is saved.
//! The page runs the same `validate` before sending.

use serde::{Deserialize, Serialize};

use super::EpmSettings;
use super::view::SecretsState;
use crate::config::{ConfigError, bad};

/// Shortest webhook password and client secret accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_SECRET_CHARS: usize = 1024;
const MAX_USERNAME_CHARS: usize = 128;

/// Credentials typed on the page. `None` or "" keeps the stored value: a secret's input is
/// blank unless the admin replaces it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SecretInput {
    pub webhook_username: Option<String>,
    pub webhook_password: Option<String>,
    pub client_secret: Option<String>,
}

impl SecretInput {
    fn given(value: &Option<String>) -> Option<&str> {
        value.as_deref().filter(|v| !v.is_empty())
    }

    pub fn webhook_username(&self) -> Option<&str> {
        Self::given(&self.webhook_username)
    }

    pub fn webhook_password(&self) -> Option<&str> {
        Self::given(&self.webhook_password)
    }

    pub fn client_secret(&self) -> Option<&str> {
        Self::given(&self.client_secret)
    }
}

/// The `admin.save` payload: every setting, and the credentials to replace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveRequest {
    pub config: EpmSettings,
    #[serde(default)]
    pub secrets: SecretInput,
}

/// Every problem with `request`, given what is stored (`stored`), in form order.
pub fn validate(request: &SaveRequest, stored: &SecretsState) -> Vec<ConfigError> {
    let mut errors = validate_values(request, stored);
    required_while_enabled(request, stored, &mut errors);
    errors
}

/// [`validate`] for a change of what is stored (`current` settings, `stored` secrets): also
/// refuses to keep the stored client secret for a new EPM host or client id
/// ([`stored_secret_kept_for_new_host`]). What `admin.save` runs; the page runs [`validate`].
pub fn validate_change(request: &SaveRequest, current: &EpmSettings, stored: &SecretsState) -> Vec<ConfigError> {
    let mut errors = validate(request, stored);
    check_stored_secret(request, current, stored, &mut errors);
    errors
}

/// What host provisioning (`configure`, e.g. Forge's `PAM_CONFIGURE`) checks: the same rules as
/// [`validate_change`] except "required while enabled", since a host may bring the settings and
/// the client secret in separate documents (the local sandbox does). An enabled integration
/// missing a credential fails closed: webhooks are refused, decisions cannot reach EPM.
pub fn validate_provisioning(request: &SaveRequest, current: &EpmSettings, stored: &SecretsState) -> Vec<ConfigError> {
    let mut errors = validate_values(request, stored);
    check_stored_secret(request, current, stored, &mut errors);
    errors
}

fn check_stored_secret(
    request: &SaveRequest,
    current: &EpmSettings,
    stored: &SecretsState,
    errors: &mut Vec<ConfigError>,
) {
    // A host or client id that is refused anyway is the problem to show.
    if !errors.iter().any(|e| matches!(e.field, "serviceHostname" | "clientId")) {
        errors.extend(stored_secret_kept_for_new_host(request, current, stored));
    }
}

/// The stored client secret was typed for one EPM host and client id: a save that changes
/// either (to a host, not to none) without typing the secret again would have the app post the
/// stored secret to the new host (on the next decision or "Validate configuration").
pub fn stored_secret_kept_for_new_host(
    request: &SaveRequest,
    current: &EpmSettings,
    stored: &SecretsState,
) -> Option<ConfigError> {
    let config = &request.config;
    if !stored.client_secret_set || request.secrets.client_secret().is_some() || config.service_hostname.is_empty() {
        return None;
    }
    if config.service_hostname != current.service_hostname {
        Some(bad(
            "clientSecret",
            "Enter the client secret again: the EPM host changed, and the stored secret is never \
             sent to a new host.",
        ))
    } else if config.client_id != current.client_id {
        Some(bad(
            "clientSecret",
            "Enter the client secret again: the client id changed, and the stored secret is only \
             used with the client id it was entered for.",
        ))
    } else {
        None
    }
}

/// Every problem with the values given, without "required while enabled" (host provisioning
/// may bring the settings and the client secret in separate documents).
pub fn validate_values(request: &SaveRequest, stored: &SecretsState) -> Vec<ConfigError> {
    let config = &request.config;
    let secrets = &request.secrets;
    let mut errors = config.validate();
    if let Some(user) = secrets.webhook_username() {
        if user.chars().count() > MAX_USERNAME_CHARS {
            errors.push(bad(
                "webhookUsername",
                format!("is longer than {MAX_USERNAME_CHARS} characters"),
            ));
        } else if user.contains(':') || user.chars().any(|c| c.is_control() || c.is_whitespace()) {
            errors.push(bad(
                "webhookUsername",
                "must not contain a colon, spaces or control characters (HTTP Basic cannot carry them)",
            ));
        }
    }
    for (field, value) in [
        ("webhookPassword", secrets.webhook_password()),
        ("clientSecret", secrets.client_secret()),
    ] {
        let Some(value) = value else { continue };
        let chars = value.chars().count();
        if field == "webhookPassword" && chars < MIN_PASSWORD_CHARS {
            errors.push(bad(field, format!("must be at least {MIN_PASSWORD_CHARS} characters")));
        } else if chars > MAX_SECRET_CHARS {
            errors.push(bad(field, format!("is longer than {MAX_SECRET_CHARS} characters")));
        } else if value.trim() != value || value.chars().any(char::is_control) {
            errors.push(bad(
                field,
                "must not start or end with spaces or contain control characters",
            ));
        }
    }
    let user = secrets.webhook_username().unwrap_or(&stored.webhook_username);
    if secrets.webhook_password().is_some_and(|p| p == user) {
        errors.push(bad("webhookPassword", "must differ from the username"));
    }
    if config.client_id.chars().count() > 255 || config.client_id.chars().any(char::is_control) {
        errors.push(bad(
            "clientId",
            "must be at most 255 characters, without control characters",
        ));
    }
    errors
}

/// The settings and credentials an enabled integration cannot work without, each named once
/// (a field that already has a problem keeps that one).
pub fn required_while_enabled(request: &SaveRequest, stored: &SecretsState, errors: &mut Vec<ConfigError>) {
    let config = &request.config;
    let secrets = &request.secrets;
    let user = secrets.webhook_username().unwrap_or(&stored.webhook_username);
    if config.enabled {
        let required: [(&'static str, bool); 5] = [
            ("serviceHostname", !config.service_hostname.is_empty()),
            ("clientId", !config.client_id.trim().is_empty()),
            (
                "clientSecret",
                secrets.client_secret().is_some() || stored.client_secret_set,
            ),
            ("webhookUsername", !user.is_empty()),
            (
                "webhookPassword",
                secrets.webhook_password().is_some() || stored.webhook_password_set,
            ),
        ];
        for (field, present) in required {
            if !present && !errors.iter().any(|e| e.field == field) {
                errors.push(bad(field, "is required while the integration is enabled"));
            }
        }
    }
}

/// The errors as the page's `fields` map (first problem per field).
pub fn fields_map(errors: &[ConfigError]) -> serde_json::Map<String, serde_json::Value> {
    let mut map = serde_json::Map::new();
    for error in errors {
        map.entry(error.field.to_string())
            .or_insert_with(|| serde_json::Value::String(error.problem.clone()));
    }
    map
}
