//! Keeper's settings: its section of the configuration record (`config::Section`, key
//! `keeper`), plus two secrets in secret storage: Commander's API key (write-only: set on the
//! page, never shown again) and the alert webhook's token (generated, shown once).

pub mod checks;
pub mod page;
pub mod provision;
pub mod secrets;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::caps::Caps;
use crate::config::rules::{is_custom_field_id, is_project_key};
use crate::config::{self, ConfigError, Section, bad};

/// The stored Keeper settings, or their defaults when none were saved yet.
pub async fn load(caps: &Caps) -> Result<KeeperSettings, String> {
    config::load_section(caps).await
}

/// Who may approve or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Deciders {
    /// Jira administrators and the administrators of the issue's project (Keeper's rule).
    Admins,
    /// Members of `deciderGroup` only.
    Group,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct KeeperSettings {
    /// Master switch: when off, alerts are answered 503 and the panel decides nothing.
    pub enabled: bool,
    /// Commander Service Mode's API v2 URL (`https://commander.example.com/api/v2`).
    pub api_url: String,
    /// Where alerts become issues.
    pub project_key: String,
    pub issue_type_name: String,
    /// The custom field holding the KEPM UID or the user's e-mail on tickets the app did not
    /// create (Keeper ITSM's); empty: read from the description.
    pub subject_field: String,
    pub deciders: Deciders,
    pub decider_group: String,
    pub approved_status: String,
    pub denied_status: String,
    pub expired_status: String,
    /// Notes on service desk requests are internal (the customer does not see them).
    pub internal_note: bool,
    /// Moving a request's issue to the approved or denied status decides it, with the panel's
    /// rules (`flows::moves`).
    pub decide_by_transition: bool,
}

impl Default for KeeperSettings {
    fn default() -> Self {
        KeeperSettings {
            enabled: false,
            api_url: String::new(),
            project_key: String::new(),
            issue_type_name: "Task".into(),
            subject_field: String::new(),
            deciders: Deciders::Admins,
            decider_group: String::new(),
            approved_status: "Approved".into(),
            denied_status: "Denied".into(),
            expired_status: "Expired".into(),
            internal_note: true,
            decide_by_transition: true,
        }
    }
}

impl Section for KeeperSettings {
    const KEY: &'static str = "keeper";

    fn decode_section(value: Value) -> Result<Self, String> {
        let settings: KeeperSettings = serde_json::from_value(value).map_err(|e| e.to_string())?;
        settings.validate().map_err(|e| e.to_string())?;
        Ok(settings)
    }
}

/// What is wrong with an API URL, if anything: https (http only to this machine), ending in
/// `/api/v2`, no user info, query or fragment.
pub fn api_url_problem(text: &str) -> Option<String> {
    let Ok(url) = url::Url::parse(text) else {
        return Some(
            "is not a URL; use the full Commander API v2 URL, like https://commander.example.com/api/v2".into(),
        );
    };
    let host = url.host_str().unwrap_or_default();
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Some("must be https (Commander's tunnel, e.g. ngrok or Cloudflare, serves https)".into());
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Some("must not carry a user, password, query or fragment (the API key goes in its own field)".into());
    }
    if !url.path().trim_end_matches('/').ends_with("/api/v2") {
        return Some("must end in /api/v2 (Commander Service Mode with the request queue, -q=y)".into());
    }
    None
}

impl KeeperSettings {
    pub fn normalized(mut self) -> KeeperSettings {
        self.api_url = self.api_url.trim().trim_end_matches('/').to_string();
        self.project_key = self.project_key.trim().to_ascii_uppercase();
        for field in [
            &mut self.issue_type_name,
            &mut self.subject_field,
            &mut self.decider_group,
            &mut self.approved_status,
            &mut self.denied_status,
            &mut self.expired_status,
        ] {
            *field = field.trim().to_string();
        }
        self
    }

    /// The host Commander is reached at (for egress), when the URL is set.
    pub fn api_host(&self) -> Option<String> {
        url::Url::parse(&self.api_url).ok()?.host_str().map(String::from)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if !self.api_url.is_empty()
            && let Some(problem) = api_url_problem(&self.api_url)
        {
            return Err(bad("apiUrl", problem));
        }
        if self.enabled && self.api_url.is_empty() {
            return Err(bad("apiUrl", "is required to enable Keeper"));
        }
        if !self.project_key.is_empty() && !is_project_key(&self.project_key) {
            return Err(bad(
                "projectKey",
                format!("\"{}\" is not a Jira project key", self.project_key),
            ));
        }
        if self.enabled && self.project_key.is_empty() {
            return Err(bad("projectKey", "is required: alerts become issues in this project"));
        }
        if self.issue_type_name.is_empty() || self.issue_type_name.chars().count() > 60 {
            return Err(bad("issueTypeName", "name the issue type (at most 60 characters)"));
        }
        if !self.subject_field.is_empty() && !is_custom_field_id(&self.subject_field) {
            return Err(bad(
                "subjectField",
                "must be a custom field id like customfield_10060, or empty",
            ));
        }
        if self.deciders == Deciders::Group && self.decider_group.is_empty() {
            return Err(bad("deciderGroup", "name the group whose members decide"));
        }
        if self.decider_group.chars().count() > 255 {
            return Err(bad("deciderGroup", "is longer than 255 characters"));
        }
        for (name, status) in [
            ("approvedStatus", &self.approved_status),
            ("deniedStatus", &self.denied_status),
            ("expiredStatus", &self.expired_status),
        ] {
            if status.is_empty() || status.chars().count() > 60 {
                return Err(bad(name, "name a status (at most 60 characters)"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_urls_must_be_commanders_v2_over_https() {
        assert_eq!(api_url_problem("https://x.ngrok.io/api/v2"), None);
        assert_eq!(api_url_problem("http://localhost:8900/api/v2"), None);
        for (url, says) in [
            ("https://x.ngrok.io", "/api/v2"),
            ("https://x.ngrok.io/api/v1", "/api/v2"),
            ("http://x.ngrok.io/api/v2", "https"),
            ("https://u:p@x.ngrok.io/api/v2", "user"),
            ("https://x.ngrok.io/api/v2?k=1", "query"),
            ("x.ngrok.io/api/v2", "not a URL"),
        ] {
            assert!(api_url_problem(url).unwrap().contains(says), "{url}");
        }
    }

    #[test]
    fn enabling_needs_the_url_and_the_project() {
        let mut settings = KeeperSettings {
            enabled: true,
            ..Default::default()
        };
        assert_eq!(settings.validate().unwrap_err().field, "apiUrl");
        settings.api_url = "https://x.ngrok.io/api/v2".into();
        assert_eq!(settings.validate().unwrap_err().field, "projectKey");
        settings.project_key = "OPS".into();
        assert!(settings.validate().is_ok());
        settings.deciders = Deciders::Group;
        assert_eq!(settings.validate().unwrap_err().field, "deciderGroup");
    }
}
