//! PRA's settings: its section of the configuration record (`config::Section`, key `pra`), plus
//! the web trigger URL's secret in secret storage. Validation names the field.

pub mod checks;
pub mod page;
pub mod provision;
pub mod secret;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::caps::Caps;
use crate::config::rules::{is_custom_field_id, is_dns_name, is_local_or_numeric, is_project_key};
use crate::config::{self, ConfigError, Section, bad};

/// The stored PRA settings, or their defaults when none were saved yet.
pub async fn load(caps: &Caps) -> Result<PraSettings, String> {
    config::load_section(caps).await
}

/// Most session attributes an answer carries.
pub const MAX_ATTRIBUTES: usize = 20;
/// Where a session attribute's value comes from, besides a custom field id.
pub const ATTRIBUTE_SOURCES: [&str; 7] = [
    "issueKey",
    "issueUrl",
    "summary",
    "status",
    "assignee",
    "windowStart",
    "windowEnd",
];
/// What of the Jump Item may match the asset field.
pub const ASSET_MATCHES: [&str; 4] = ["computer_name", "public_ip", "private_ip", "group"];

/// Everything an admin sets for PRA, except the URL secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PraSettings {
    /// Master switch: when off, requests are answered 503 and nothing is kept.
    pub enabled: bool,
    /// The appliance's host name (`acme.beyondtrustcloud.com`): the only host answers go to.
    pub appliance_host: String,
    /// PRA's "Treat the Ticket ID as sensitive information": the ticket ID never appears in
    /// logs, errors or answers, and the web trigger URL must be https.
    pub sensitive_ticket_id: bool,
    pub rules: Rules,
    /// Rule 1: the projects a ticket may be in (empty: any project).
    pub allowed_projects: Vec<String>,
    /// Rule 3: the statuses that allow access (names, any case).
    pub allowed_statuses: Vec<String>,
    /// Rule 4: where the requester must be: `assignee`, `reporter` or a user custom field id.
    pub requester_field: String,
    /// Rule 5: the field listing the Jump Items (text, labels or multi-select custom field).
    pub asset_field: String,
    /// Rule 5: what of the Jump Item may appear in it.
    pub asset_match: Vec<String>,
    /// Rule 6: the date-time fields of the change window.
    pub window_start_field: String,
    pub window_end_field: String,
    /// Attributes of an allowed session: `session.custom.<code name>` from issue data.
    pub session_attributes: Vec<SessionAttribute>,
}

/// Each rule on or off; they are checked in this order and the first failing one decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Rules {
    /// 1. The ticket ID is a Jira issue key in an allowed project.
    pub issue_key: bool,
    /// 2. The issue exists and the app can see it (implied by any rule after it).
    pub issue_exists: bool,
    /// 3. Its status is allowed.
    pub status: bool,
    /// 4. The requester is the assignee (or the configured user field).
    pub requester: bool,
    /// 5. The Jump Item is listed on the issue.
    pub jump_item: bool,
    /// 6. Now is inside the change window.
    pub change_window: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionAttribute {
    /// PRA's code name of the custom session attribute.
    pub code_name: String,
    /// One of [`ATTRIBUTE_SOURCES`] or a custom field id.
    pub source: String,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            issue_key: true,
            issue_exists: true,
            status: true,
            requester: true,
            jump_item: false,
            change_window: false,
        }
    }
}

impl Rules {
    /// Whether the issue must be read at all.
    pub fn need_issue(&self) -> bool {
        self.issue_exists || self.status || self.requester || self.jump_item || self.change_window
    }
}

impl Default for PraSettings {
    fn default() -> Self {
        PraSettings {
            enabled: false,
            appliance_host: String::new(),
            sensitive_ticket_id: false,
            rules: Rules::default(),
            allowed_projects: Vec::new(),
            allowed_statuses: vec!["In Progress".into(), "Approved".into()],
            requester_field: "assignee".into(),
            asset_field: String::new(),
            asset_match: vec!["computer_name".into(), "public_ip".into(), "private_ip".into()],
            window_start_field: String::new(),
            window_end_field: String::new(),
            session_attributes: Vec::new(),
        }
    }
}

impl Section for PraSettings {
    const KEY: &'static str = "pra";

    fn decode_section(value: Value) -> Result<Self, String> {
        let settings: PraSettings = serde_json::from_value(value).map_err(|e| e.to_string())?;
        settings.validate().map_err(|e| e.to_string())?;
        Ok(settings)
    }
}

/// A user field the requester rule can read.
pub fn is_user_field(field: &str) -> bool {
    matches!(field, "assignee" | "reporter") || is_custom_field_id(field)
}

impl PraSettings {
    /// Trims what an admin typed, upper-cases project keys, drops empty list entries.
    pub fn normalized(mut self) -> PraSettings {
        self.appliance_host = self.appliance_host.trim().trim_end_matches('.').to_ascii_lowercase();
        let tidy = |list: Vec<String>, upper: bool| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for item in list {
                let item = item.trim();
                let item = if upper {
                    item.to_ascii_uppercase()
                } else {
                    item.to_string()
                };
                if !item.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&item)) {
                    out.push(item);
                }
            }
            out
        };
        self.allowed_projects = tidy(self.allowed_projects, true);
        self.allowed_statuses = tidy(self.allowed_statuses, false);
        self.asset_match = tidy(self.asset_match, false);
        for field in [
            &mut self.requester_field,
            &mut self.asset_field,
            &mut self.window_start_field,
            &mut self.window_end_field,
        ] {
            *field = field.trim().to_string();
        }
        for attribute in &mut self.session_attributes {
            attribute.code_name = attribute.code_name.trim().to_string();
            attribute.source = attribute.source.trim().to_string();
        }
        self
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let host = &self.appliance_host;
        if !host.is_empty() && (!is_dns_name(host) || is_local_or_numeric(host)) {
            return Err(bad(
                "applianceHost",
                "must be the appliance's DNS name, like acme.beyondtrustcloud.com (no scheme, path, port or IP address)",
            ));
        }
        if self.enabled && host.is_empty() {
            return Err(bad("applianceHost", "is required to enable PRA"));
        }
        if let Some(key) = self.allowed_projects.iter().find(|k| !is_project_key(k)) {
            return Err(bad("allowedProjects", format!("\"{key}\" is not a Jira project key")));
        }
        if self.allowed_statuses.iter().any(|s| s.chars().count() > 60) {
            return Err(bad("allowedStatuses", "a status name is longer than 60 characters"));
        }
        if self.rules.status && self.allowed_statuses.is_empty() {
            return Err(bad(
                "allowedStatuses",
                "name at least one status, or turn the status rule off",
            ));
        }
        if !is_user_field(&self.requester_field) {
            return Err(bad(
                "requesterField",
                "must be assignee, reporter or a user custom field id like customfield_10050",
            ));
        }
        if !self.asset_field.is_empty() && !is_custom_field_id(&self.asset_field) && self.asset_field != "labels" {
            return Err(bad(
                "assetField",
                "must be labels or a custom field id like customfield_10060",
            ));
        }
        if self.rules.jump_item && self.asset_field.is_empty() {
            return Err(bad("assetField", "is required for the Jump Item rule"));
        }
        if let Some(m) = self.asset_match.iter().find(|m| !ASSET_MATCHES.contains(&m.as_str())) {
            return Err(bad(
                "assetMatch",
                format!("\"{m}\" is not one of {}", ASSET_MATCHES.join(", ")),
            ));
        }
        if self.rules.jump_item && self.asset_match.is_empty() {
            return Err(bad("assetMatch", "name what of the Jump Item must be on the ticket"));
        }
        for (name, field) in [
            ("windowStartField", &self.window_start_field),
            ("windowEndField", &self.window_end_field),
        ] {
            if !field.is_empty() && !is_custom_field_id(field) && field != "duedate" {
                return Err(bad(name, "must be a date-time custom field id like customfield_10070"));
            }
            if self.rules.change_window && field.is_empty() {
                return Err(bad(name, "is required for the change window rule"));
            }
        }
        if self.session_attributes.len() > MAX_ATTRIBUTES {
            return Err(bad("sessionAttributes", format!("at most {MAX_ATTRIBUTES} attributes")));
        }
        for (i, attribute) in self.session_attributes.iter().enumerate() {
            let code = &attribute.code_name;
            if code.is_empty() || code.len() > 64 || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(bad(
                    "sessionAttributes",
                    format!("code name \"{code}\" must be 1 to 64 letters, digits or underscores"),
                ));
            }
            if self.session_attributes[..i].iter().any(|a| a.code_name == *code) {
                return Err(bad("sessionAttributes", format!("code name \"{code}\" is used twice")));
            }
            if !ATTRIBUTE_SOURCES.contains(&attribute.source.as_str()) && !is_custom_field_id(&attribute.source) {
                return Err(bad(
                    "sessionAttributes",
                    format!(
                        "the source of \"{code}\" must be one of {} or a custom field id",
                        ATTRIBUTE_SOURCES.join(", ")
                    ),
                ));
            }
            let window = matches!(attribute.source.as_str(), "windowStart" | "windowEnd");
            if window && (self.window_start_field.is_empty() || self.window_end_field.is_empty()) {
                return Err(bad(
                    "sessionAttributes",
                    format!("\"{code}\" reads the change window: set its fields first"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
