//! The app's configuration: one versioned JSON record in KV (`config`), plus secrets kept in
//! secret storage. Defaults match the seed's settings table; validation names the field.

use serde::{Deserialize, Serialize};

use crate::providers::epm::placeholders;

/// KV key of the configuration record.
pub const CONFIG_KEY: &str = "config";
/// Secret-storage keys. Their values are never logged or returned.
pub const SECRET_WEBHOOK_USER: &str = "epm.webhook.username";
pub const SECRET_WEBHOOK_PASSWORD: &str = "epm.webhook.password";
pub const SECRET_CLIENT_SECRET: &str = "epm.client.secret";

const VERSION: u32 = 1;

/// Everything an admin sets, except secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Config {
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
}

pub const DEFAULT_SUMMARY_TEMPLATE: &str = "EPM JIT Application Access Request - %%User%%";

impl Default for Config {
    fn default() -> Self {
        Config {
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
        }
    }
}

/// A setting that is not acceptable, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ConfigError {
    pub field: &'static str,
    pub problem: String,
}

/// A [`ConfigError`] for `field`.
pub(crate) fn bad(field: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        field,
        problem: problem.into(),
    }
}

impl Config {
    /// Decodes a stored or submitted record; unknown fields are an error (a typo must not pass
    /// silently), missing ones take their defaults.
    pub fn decode(json: &str) -> Result<Config, String> {
        let config: Config = serde_json::from_str(json).map_err(|e| format!("configuration is not valid: {e}"))?;
        if config.version != VERSION {
            return Err(format!("configuration version {} is not supported", config.version));
        }
        Ok(config)
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
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
        errors
    }
}

fn is_dns_name(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').count() >= 2
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// A host name the app must never send the EPM client secret to: an IP address in any notation
/// (a name whose last label is a number is one, as URL parsers read it: `127.1`, `0x7f.1`), and
/// names reserved for this machine or a private network. IPv6 literals never get here: a colon
/// or bracket is not a DNS name. (Names that resolve to private addresses cannot be told apart
/// without DNS; the Forge manifest's egress list is the fence for those.)
fn is_local_or_numeric(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let last = host.rsplit('.').next().unwrap_or("");
    let numeric = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last
                .strip_prefix("0x")
                .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit())));
    numeric
        || host == "localhost"
        || [".localhost", ".local", ".internal", ".home.arpa"]
            .iter()
            .any(|suffix| host.ends_with(suffix))
}

/// An absolute URL EPM can post to: https (http only to this machine, for the local host),
/// a host, no user info, no whitespace.
fn is_webhook_url(url: &str) -> bool {
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
            return false;
        }
        rest
    } else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    url.len() <= 2000
        && !authority.is_empty()
        && !authority.contains('@')
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_project_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    (2..=10).contains(&bytes.len())
        && bytes[0].is_ascii_uppercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
}

fn is_custom_field_id(id: &str) -> bool {
    id.strip_prefix("customfield_")
        .is_some_and(|n| !n.is_empty() && n.len() <= 18 && n.bytes().all(|b| b.is_ascii_digit()))
}

fn is_label(label: &str) -> bool {
    !label.is_empty() && label.chars().count() <= 255 && !label.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let config = Config::default();
        assert!(config.validate().is_empty(), "{:?}", config.validate());
        assert_eq!(Config::decode(&config.encode()).unwrap(), config);
    }

    #[test]
    fn missing_fields_take_defaults_and_unknown_fields_are_refused() {
        let config = Config::decode(r#"{"enabled": true}"#).unwrap();
        assert!(config.enabled);
        assert_eq!(config.project_key, "PMCJIT");
        let err = Config::decode(r#"{"enabeld": true}"#).unwrap_err();
        assert!(err.contains("enabeld"), "{err}");
    }

    #[test]
    fn validation_names_each_bad_field() {
        let config = Config {
            service_hostname: "https://evil.example.com:443/x".into(),
            project_key: "pmc".into(),
            custom_field_id: "cf_1".into(),
            summary_template: "Request %%Nope%%".into(),
            labels: vec!["two words".into()],
            epm_api_version: "v9".into(),
            ..Config::default()
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

    #[test]
    fn webhook_urls() {
        for good in [
            "https://example.atlassian-dev.net/x/1?y=2",
            "http://127.0.0.1:8080/webtrigger/epm-webhook",
            "http://localhost/w",
        ] {
            assert!(is_webhook_url(good), "{good}");
        }
        for bad in [
            "http://example.com/w",
            "https://user:pw@example.com/",
            "https:///x",
            "ftp://example.com",
            "https://a.com/ x",
            "javascript:alert(1)",
        ] {
            assert!(!is_webhook_url(bad), "{bad}");
        }
    }

    #[test]
    fn host_names() {
        assert!(is_dns_name("pmc-services.example.com"));
        for bad in ["example", "a..b", "-a.com", "a.com:8080", "a.com/x", "user@a.com", ""] {
            assert!(!is_dns_name(bad), "{bad}");
        }
    }

    /// The EPM host gets the client secret: never an address on this machine or a private
    /// network, in any spelling. The names the sandboxes and tests use stay valid.
    #[test]
    fn service_host_names_refuse_addresses_and_local_names() {
        let refused = |host: &str| {
            let config = Config {
                service_hostname: host.into(),
                ..Config::default()
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
