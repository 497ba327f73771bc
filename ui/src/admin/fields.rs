//! The configuration form's inputs, in the order the page shows them. Each is named as the core
//! names it (`EpmSettings`'s JSON keys and `SecretInput`'s), which is also the input's id in
//! `static/admin/src/index.html`, so an error from `form::validate` or the resolver lands next to
//! its input with no table in between.

use super::problems::form_field;

/// What kind of control an input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A single-line text input.
    Text,
    /// A write-only password input: blank unless the admin replaces the stored value.
    Secret,
    /// A checkbox.
    Flag,
    /// A select of fixed choices.
    Choice(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Enabled,
    ServiceHostname,
    ClientId,
    ClientSecret,
    EpmApiVersion,
    WebhookUsername,
    WebhookPassword,
    ProjectKey,
    IssueTypeName,
    SummaryTemplate,
    AutomaticReporter,
    AssigneeName,
    CustomFieldId,
    Labels,
    CustomWebhookUrl,
    ApprovedStatus,
    DeniedStatus,
    ExpiredStatus,
    ApproverGroup,
    InternalNote,
    DecideByTransition,
    DurationFieldId,
    DefaultDuration,
    DecideByJsmApproval,
    TrustJsmApprovers,
}

/// The EPM management API versions the core accepts (`EpmSettings::validate`).
pub const API_VERSIONS: &[&str] = &["v2", "v3"];

impl Field {
    /// Every input, in page order (the first one with an error gets the focus).
    pub const ALL: [Field; 25] = [
        Field::Enabled,
        Field::ServiceHostname,
        Field::ClientId,
        Field::ClientSecret,
        Field::EpmApiVersion,
        Field::WebhookUsername,
        Field::WebhookPassword,
        Field::ProjectKey,
        Field::IssueTypeName,
        Field::SummaryTemplate,
        Field::AutomaticReporter,
        Field::AssigneeName,
        Field::CustomFieldId,
        Field::Labels,
        Field::CustomWebhookUrl,
        Field::ApprovedStatus,
        Field::DeniedStatus,
        Field::ExpiredStatus,
        Field::ApproverGroup,
        Field::InternalNote,
        Field::DecideByTransition,
        Field::DurationFieldId,
        Field::DefaultDuration,
        Field::DecideByJsmApproval,
        Field::TrustJsmApprovers,
    ];

    /// The core's name for it: the key of `fields` in an `invalid` answer, and the input's id.
    pub fn name(self) -> &'static str {
        match self {
            Field::Enabled => "enabled",
            Field::ServiceHostname => "serviceHostname",
            Field::ClientId => "clientId",
            Field::ClientSecret => "clientSecret",
            Field::EpmApiVersion => "epmApiVersion",
            Field::WebhookUsername => "webhookUsername",
            Field::WebhookPassword => "webhookPassword",
            Field::ProjectKey => "projectKey",
            Field::IssueTypeName => "issueTypeName",
            Field::SummaryTemplate => "summaryTemplate",
            Field::AutomaticReporter => "automaticReporter",
            Field::AssigneeName => "assigneeName",
            Field::CustomFieldId => "customFieldId",
            Field::Labels => "labels",
            Field::CustomWebhookUrl => "customWebhookUrl",
            Field::ApprovedStatus => "approvedStatus",
            Field::DeniedStatus => "deniedStatus",
            Field::ExpiredStatus => "expiredStatus",
            Field::ApproverGroup => "approverGroup",
            Field::InternalNote => "internalNote",
            Field::DecideByTransition => "decideByTransition",
            Field::DurationFieldId => "durationFieldId",
            Field::DefaultDuration => "defaultDuration",
            Field::DecideByJsmApproval => "decideByJsmApproval",
            Field::TrustJsmApprovers => "trustJsmApprovers",
        }
    }

    /// The label the page shows, also used in the error summary.
    pub fn label(self) -> &'static str {
        match self {
            Field::Enabled => "Enable integration",
            Field::ServiceHostname => "Service hostname",
            Field::ClientId => "Client ID",
            Field::ClientSecret => "Client secret",
            Field::EpmApiVersion => "EPM API version",
            Field::WebhookUsername => "Username",
            Field::WebhookPassword => "Password",
            Field::ProjectKey => "Project key",
            Field::IssueTypeName => "Issue type name",
            Field::SummaryTemplate => "Summary template",
            Field::AutomaticReporter => "Automatic reporter",
            Field::AssigneeName => "Assignee name",
            Field::CustomFieldId => "Custom field ID",
            Field::Labels => "Labels",
            Field::CustomWebhookUrl => "Custom webhook URL",
            Field::ApprovedStatus => "Approved status",
            Field::DeniedStatus => "Denied status",
            Field::ExpiredStatus => "Expired status",
            Field::ApproverGroup => "Who may approve",
            Field::InternalNote => "JSM internal note",
            Field::DecideByTransition => "Decide by moving the issue",
            Field::DurationFieldId => "Duration field ID",
            Field::DefaultDuration => "Default duration",
            Field::DecideByJsmApproval => "Decide by JSM approval",
            Field::TrustJsmApprovers => "Trust JSM approvers",
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Field::Enabled
            | Field::AutomaticReporter
            | Field::InternalNote
            | Field::DecideByTransition
            | Field::DecideByJsmApproval
            | Field::TrustJsmApprovers => Kind::Flag,
            Field::ClientSecret | Field::WebhookPassword => Kind::Secret,
            Field::EpmApiVersion => Kind::Choice(API_VERSIONS),
            _ => Kind::Text,
        }
    }

    pub fn by_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }
}

form_field!(Field);

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use pam_approvals::providers::epm::mapping::placeholders;
    use pam_approvals::providers::epm::settings::EpmSettings;
    use pam_approvals::providers::epm::settings::form::SecretInput;

    use super::*;

    fn keys(value: serde_json::Value) -> BTreeSet<String> {
        value.as_object().expect("an object").keys().cloned().collect()
    }

    /// A setting added to the core without an input here would be kept but never editable.
    #[test]
    fn every_setting_and_secret_has_an_input() {
        let mut wanted = keys(serde_json::to_value(EpmSettings::default()).unwrap());
        wanted.remove("version");
        wanted.extend(keys(serde_json::to_value(SecretInput::default()).unwrap()));
        let ours: BTreeSet<String> = Field::ALL.iter().map(|f| f.name().to_string()).collect();
        assert_eq!(ours, wanted);
        assert!(Field::ALL.iter().all(|f| Field::by_name(f.name()) == Some(*f)));
    }

    const PAGE: &str = include_str!("../../../static/admin/src/index.html");

    /// `dom::admin` finds each input by its name and shows its error in `<name>-error`; a label
    /// names it (`for`, or wrapping a checkbox).
    #[test]
    fn the_page_has_a_labelled_input_and_an_error_line_for_every_field() {
        for field in Field::ALL {
            let name = field.name();
            let input = PAGE
                .lines()
                .find(|line| line.contains(&format!("id=\"{name}\"")))
                .unwrap_or_else(|| panic!("no input #{name}"));
            assert!(
                input.contains(&format!("aria-describedby=\"{name}-error"))
                    || input.contains(&format!(" {name}-error\"")),
                "#{name} is not described by its error: {input}"
            );
            assert!(PAGE.contains(&format!("id=\"{name}-error\"")), "no #{name}-error");
            let labelled = PAGE.contains(&format!("for=\"{name}\""))
                || (field.kind() == Kind::Flag && input.trim_start().starts_with("<label"));
            assert!(labelled, "#{name} has no label");
        }
    }

    /// The summary template's hint names only placeholders the core fills in.
    #[test]
    fn the_page_names_only_placeholders_the_core_knows() {
        let named: Vec<&str> = PAGE.split("%%").skip(1).step_by(2).collect();
        assert!(named.len() >= 3, "{named:?}");
        for name in named {
            let placeholder = format!("%%{name}%%");
            assert_eq!(placeholders::check_template(&placeholder), Ok(()), "{placeholder}");
        }
    }

    #[test]
    fn the_api_versions_are_the_ones_the_core_accepts() {
        for version in API_VERSIONS {
            let config = EpmSettings {
                epm_api_version: version.to_string(),
                ..EpmSettings::default()
            };
            assert!(config.validate().is_empty(), "{version}");
        }
    }
}
