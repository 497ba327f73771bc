//! EPM's settings: its section of the configuration record (`config::Section`, key `epm`),
//! plus its secrets in secret storage. Defaults match the seed's settings table; validation
//! names the field.

pub mod checks;
pub mod checks_epm;
pub mod checks_jira;
pub mod egress;
pub mod form;
pub mod page;
pub mod provision;
pub mod save;
pub mod view;

#[cfg(test)]
mod page_tests;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::caps::Caps;
use crate::config::rules::{
    is_custom_field_id, is_dns_name, is_label, is_local_or_numeric, is_project_key, is_webhook_url,
};
use crate::config::{self, ConfigError, Section, bad};
use crate::providers::epm::mapping::placeholders;
use crate::providers::epm::wire::duration::AccessDuration;

/// Secret-storage keys. Their values are never logged or returned.
pub const SECRET_WEBHOOK_USER: &str = "epm.webhook.username";
pub const SECRET_WEBHOOK_PASSWORD: &str = "epm.webhook.password";
pub const SECRET_CLIENT_SECRET: &str = "epm.client.secret";

/// The stored EPM settings, or their defaults when none were saved yet.
pub async fn load(caps: &Caps) -> Result<EpmSettings, String> {
    config::load_section(caps).await
}

const VERSION: u32 = 1;

/// Everything an admin sets for EPM, except secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct EpmSettings {
    pub version: u32,
    /// Master switch: when off, webhooks are answered 503 and nothing is created.
    pub enabled: bool,
    /// EPM services host name, e.g. `pmc-services.example.com` (bare DNS name).
    pub service_hostname: String,
    pub client_id: String,
    /// EPM management API version segment, `v2` or `v3`.
    pub epm_api_version: String,
    pub project_key: String,
    pub issue_type_name: String,
    /// Summary template; `%%Name%%` placeholders of the EPM request.
    pub summary_template: String,
    /// Set the reporter to the requesting user when Jira knows them.
    pub automatic_reporter: bool,
    /// Display name, email or account id of the default assignee ("" for none).
    pub assignee_name: String,
    /// Custom field that receives the EPM request id, e.g. `customfield_10001`.
    pub custom_field_id: String,
    pub labels: Vec<String>,
    /// Optional web trigger URL to show to admins when it differs from the default.
    pub custom_webhook_url: String,
    /// Workflow statuses the decision moves the issue to (by name, as the workflow has them).
    pub approved_status: String,
    pub denied_status: String,
    pub expired_status: String,
    /// Who may decide: "" means anyone with permission to transition the issue; otherwise
    /// members of this Jira group.
    pub approver_group: String,
    /// Record decisions as JSM internal notes (`public: false`) on service desk requests.
    pub internal_note: bool,
    /// Moving an open request to the approved or denied status decides it (`flows::jira_way`).
    pub decide_by_transition: bool,
    /// A select field whose value ("4 hours", "once") is the duration of an approval by
    /// transition or JSM approval ("" for none: the default applies).
    pub duration_field_id: String,
    /// The duration when the field is empty or not configured ("" for none: such an approval is
    /// refused and the issue moved back).
    pub default_duration: String,
    /// A completed JSM approval on the request decides it.
    pub decide_by_jsm_approval: bool,
    /// JSM's approver list is the right to decide (instead of the group or permission check);
    /// the requester is still never accepted.
    pub trust_jsm_approvers: bool,
}

pub const DEFAULT_SUMMARY_TEMPLATE: &str = "EPM JIT Application Access Request - %%User%%";

impl Default for EpmSettings {
    fn default() -> Self {
        EpmSettings {
            version: VERSION,
            enabled: false,
            service_hostname: String::new(),
            client_id: String::new(),
            epm_api_version: "v2".into(),
            project_key: "PMCJIT".into(),
            issue_type_name: "Access Request".into(),
            summary_template: DEFAULT_SUMMARY_TEMPLATE.into(),
            automatic_reporter: true,
            assignee_name: String::new(),
            custom_field_id: "customfield_10001".into(),
            labels: vec!["pam-approvals".into(), "epm-jit".into()],
            custom_webhook_url: String::new(),
            approved_status: "Approved".into(),
            denied_status: "Denied".into(),
            expired_status: "Expired".into(),
            approver_group: String::new(),
            internal_note: true,
            decide_by_transition: true,
            duration_field_id: String::new(),
            default_duration: "once".into(),
            decide_by_jsm_approval: false,
            trust_jsm_approvers: false,
        }
    }
}

impl Section for EpmSettings {
    const KEY: &'static str = "epm";

    fn decode_section(value: Value) -> Result<Self, String> {
        EpmSettings::decode(&value.to_string())
    }
}

impl EpmSettings {
    /// Decodes a stored or submitted record; unknown fields are an error (a typo must not pass
    /// silently), missing ones take their defaults.
    pub fn decode(json: &str) -> Result<EpmSettings, String> {
        let config: EpmSettings = serde_json::from_str(json).map_err(|e| format!("configuration is not valid: {e}"))?;
        if config.version != VERSION {
            return Err(format!("configuration version {} is not supported", config.version));
        }
        Ok(config)
    }

    /// The EPM section of a stored configuration record.
    pub fn from_stored(record: &str) -> Result<EpmSettings, String> {
        config::Config::decode(record)?.section()
    }

    /// The configuration record holding only these settings, as stored.
    pub fn stored(&self) -> String {
        config::Config::of(self).encode()
    }

    /// Every problem with the settings, in field order; empty when valid.
    pub fn validate(&self) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        if self.version != VERSION {
            errors.push(bad("version", format!("must be {VERSION} (this version of the app)")));
        }
        if !self.service_hostname.is_empty() {
            if !is_dns_name(&self.service_hostname) {
                errors.push(bad(
                    "serviceHostname",
                    "must be a bare host name like pmc-services.example.com (no scheme, path or port)",
                ));
            } else if is_local_or_numeric(&self.service_hostname) {
                errors.push(bad(
                    "serviceHostname",
                    "must be EPM's public services host name like pmc-services.example.com, not an IP \
                     address, localhost or a .local/.internal name",
                ));
            }
        }
        if !matches!(self.epm_api_version.as_str(), "v2" | "v3") {
            errors.push(bad("epmApiVersion", "must be v2 or v3"));
        }
        if !is_project_key(&self.project_key) {
            errors.push(bad(
                "projectKey",
                "must be an upper-case Jira project key like PMCJIT (letter first, 2-10 characters)",
            ));
        }
        if self.issue_type_name.trim().is_empty() || self.issue_type_name.len() > 255 {
            errors.push(bad("issueTypeName", "must be a non-empty issue type name"));
        }
        if let Err(problem) = placeholders::check_template(&self.summary_template) {
            errors.push(bad("summaryTemplate", problem));
        }
        if self.assignee_name.len() > 255 {
            errors.push(bad("assigneeName", "is longer than 255 characters"));
        }
        if !is_custom_field_id(&self.custom_field_id) {
            errors.push(bad("customFieldId", "must look like customfield_10001"));
        }
        if let Some(label) = self.labels.iter().find(|l| !is_label(l)) {
            errors.push(bad(
                "labels",
                format!("\"{label}\" is not a valid Jira label (no spaces, 1-255 characters)"),
            ));
        }
        for (field, status) in [
            ("approvedStatus", &self.approved_status),
            ("deniedStatus", &self.denied_status),
            ("expiredStatus", &self.expired_status),
        ] {
            if status.trim().is_empty() || status.chars().count() > 255 {
                errors.push(bad(field, "must be the name of a workflow status (1-255 characters)"));
            }
        }
        if !self.custom_webhook_url.is_empty() && !is_webhook_url(&self.custom_webhook_url) {
            errors.push(bad(
                "customWebhookUrl",
                "must be an https:// URL without credentials (http:// only for localhost), at most 2000 characters",
            ));
        }
        if self.approver_group.chars().count() > 255 {
            errors.push(bad("approverGroup", "is longer than 255 characters"));
        }
        if !self.duration_field_id.is_empty() && !is_custom_field_id(&self.duration_field_id) {
            errors.push(bad("durationFieldId", "must look like customfield_10060, or be empty"));
        }
        if !self.default_duration.is_empty()
            && let Err(problem) = AccessDuration::from_label(&self.default_duration)
        {
            errors.push(bad("defaultDuration", format!("{problem}, or leave it empty")));
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let config = EpmSettings::default();
        assert!(config.validate().is_empty(), "{:?}", config.validate());
        assert_eq!(
            config::Config::decode(&config.stored())
                .unwrap()
                .section::<EpmSettings>()
                .unwrap(),
            config
        );
    }

    #[test]
    fn missing_fields_take_defaults_and_unknown_fields_are_refused() {
        let config = EpmSettings::decode(r#"{"enabled": true}"#).unwrap();
        assert!(config.enabled);
        assert_eq!(config.project_key, "PMCJIT");
        let err = EpmSettings::decode(r#"{"enabeld": true}"#).unwrap_err();
        assert!(err.contains("enabeld"), "{err}");
    }

    #[test]
    fn validation_names_each_bad_field() {
        let config = EpmSettings {
            service_hostname: "https://evil.example.com:443/x".into(),
            project_key: "pmc".into(),
            custom_field_id: "cf_1".into(),
            summary_template: "Request %%Nope%%".into(),
            labels: vec!["two words".into()],
            epm_api_version: "v9".into(),
            ..EpmSettings::default()
        };
        let fields: Vec<_> = config.validate().iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "serviceHostname",
                "epmApiVersion",
                "projectKey",
                "summaryTemplate",
                "customFieldId",
                "labels"
            ]
        );
    }

    /// The EPM host gets the client secret: never an address on this machine or a private
    /// network, in any spelling. The names the sandboxes and tests use stay valid.
    #[test]
    fn service_host_names_refuse_addresses_and_local_names() {
        let refused = |host: &str| {
            let config = EpmSettings {
                service_hostname: host.into(),
                ..EpmSettings::default()
            };
            config.validate().iter().any(|e| e.field == "serviceHostname")
        };
        for bad in [
            "127.0.0.1",
            "10.0.0.8",
            "192.168.1.20",
            "169.254.169.254",
            "0.0.0.0",
            "127.1",
            "0x7f.1",
            "0x7F000001.0",
            "2130706433.0",
            "123.456",
            "::1",
            "[::1]",
            "[fd00::1]",
            "fe80::1%25eth0",
            "[::ffff:127.0.0.1]",
            "localhost",
            "LocalHost",
            "epm.localhost",
            "printer.local",
            "metadata.google.internal",
            "EPM.Corp.Internal",
            "router.home.arpa",
        ] {
            assert!(refused(bad), "{bad} must be refused");
        }
        for good in [
            "pmc-services.example.com",
            "epm.sandbox.test",
            "epm.example.test",
            "yourtenant-services.pm.beyondtrustcloud.com",
            "1password.example.com",
            "10.example.com",
            "localhost.example.com",
            "internal.example.com",
            "x.example.com",
        ] {
            assert!(!refused(good), "{good} must be accepted");
        }
    }
}
