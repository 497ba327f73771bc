//! What the admin has typed, and the `admin.save` payload it makes. The rules are the core's
//! (`providers::epm::settings::form::validate`, the function the resolver runs); this holds the inputs' text and
//! turns them into a `SaveRequest`.

use std::collections::BTreeMap;

use pam_approvals::providers::epm::page::form::FieldErrors;
use pam_approvals::providers::epm::settings::EpmSettings;
use pam_approvals::providers::epm::settings::form::{self, SaveRequest, SecretInput};
use pam_approvals::providers::epm::settings::view::{AdminView, SecretsState};
use serde_json::Value;

use super::fields::{Field, Kind};

/// Who may decide: the two choices of the "Who may approve" radio group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approvers {
    /// Anyone Jira lets transition the issue (`approverGroup` "").
    Anyone,
    /// Members of the group named in the `approverGroup` input.
    Group,
}

impl Approvers {
    /// The value the radio buttons carry.
    pub fn as_str(self) -> &'static str {
        match self {
            Approvers::Anyone => "anyone",
            Approvers::Group => "group",
        }
    }

    pub fn parse(text: &str) -> Option<Approvers> {
        match text {
            "anyone" => Some(Approvers::Anyone),
            "group" => Some(Approvers::Group),
            _ => None,
        }
    }
}

pub const GROUP_NAME_NEEDED: &str = "enter the group's name, or choose \"Anyone who can transition the issue\"";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminForm {
    /// The stored settings: `version` passes through as it came.
    stored: EpmSettings,
    /// Which credentials are stored (the core's checks need it: a blank secret keeps its value).
    secrets: SecretsState,
    texts: BTreeMap<Field, String>,
    flags: BTreeMap<Field, bool>,
    pub approvers: Approvers,
}

impl AdminForm {
    /// The form as the view has it: every setting, the stored username, blank secrets.
    pub fn from_view(view: &AdminView) -> AdminForm {
        let config = &view.config;
        let mut texts = BTreeMap::new();
        let mut flags = BTreeMap::new();
        for field in Field::ALL {
            match field.kind() {
                Kind::Flag => {
                    flags.insert(field, flag_of(config, field));
                }
                _ => {
                    texts.insert(field, text_of(config, &view.secrets, field));
                }
            }
        }
        AdminForm {
            stored: config.clone(),
            secrets: view.secrets.clone(),
            texts,
            flags,
            approvers: if config.approver_group.is_empty() {
                Approvers::Anyone
            } else {
                Approvers::Group
            },
        }
    }

    pub fn text(&self, field: Field) -> &str {
        self.texts.get(&field).map_or("", String::as_str)
    }

    pub fn flag(&self, field: Field) -> bool {
        self.flags.get(&field).copied().unwrap_or(false)
    }

    /// Takes an input's new text; ignored for a checkbox.
    pub fn set_text(&mut self, field: Field, text: String) {
        if field.kind() != Kind::Flag {
            self.texts.insert(field, text);
        }
    }

    /// Takes a checkbox's new state; ignored for anything else.
    pub fn set_flag(&mut self, field: Field, on: bool) {
        if field.kind() == Kind::Flag {
            self.flags.insert(field, on);
        }
    }

    pub fn secrets(&self) -> &SecretsState {
        &self.secrets
    }

    /// The settings as entered. Every field is named (no `..`), so a setting added to `EpmSettings`
    /// does not compile until the page has an input for it.
    pub fn config(&self) -> EpmSettings {
        // Surrounding spaces are never meant in a host name, key or status name.
        let text = |field| self.text(field).trim().to_string();
        EpmSettings {
            version: self.stored.version,
            enabled: self.flag(Field::Enabled),
            service_hostname: text(Field::ServiceHostname),
            client_id: text(Field::ClientId),
            epm_api_version: text(Field::EpmApiVersion),
            project_key: text(Field::ProjectKey),
            issue_type_name: text(Field::IssueTypeName),
            summary_template: text(Field::SummaryTemplate),
            automatic_reporter: self.flag(Field::AutomaticReporter),
            assignee_name: text(Field::AssigneeName),
            custom_field_id: text(Field::CustomFieldId),
            labels: self
                .text(Field::Labels)
                .split(',')
                .map(str::trim)
                .filter(|label| !label.is_empty())
                .map(String::from)
                .collect(),
            custom_webhook_url: text(Field::CustomWebhookUrl),
            approved_status: text(Field::ApprovedStatus),
            denied_status: text(Field::DeniedStatus),
            expired_status: text(Field::ExpiredStatus),
            approver_group: match self.approvers {
                Approvers::Anyone => String::new(),
                Approvers::Group => text(Field::ApproverGroup),
            },
            internal_note: self.flag(Field::InternalNote),
            decide_by_transition: self.flag(Field::DecideByTransition),
            duration_field_id: text(Field::DurationFieldId),
            default_duration: text(Field::DefaultDuration),
            decide_by_jsm_approval: self.flag(Field::DecideByJsmApproval),
            trust_jsm_approvers: self.flag(Field::TrustJsmApprovers),
        }
    }

    /// The credentials to replace: only what the admin typed. A blank secret is left out (the
    /// stored one stays), and so is an unchanged username.
    pub fn secret_input(&self) -> SecretInput {
        let given = |field| Some(self.text(field).to_string()).filter(|v| !v.is_empty());
        SecretInput {
            webhook_username: given(Field::WebhookUsername).filter(|u| *u != self.secrets.webhook_username),
            webhook_password: given(Field::WebhookPassword),
            client_secret: given(Field::ClientSecret),
        }
    }

    pub fn request(&self) -> SaveRequest {
        SaveRequest {
            config: self.config(),
            secrets: self.secret_input(),
        }
    }

    /// Whether saving would change anything: settings that differ from the stored ones, or a
    /// credential typed.
    pub fn has_changes(&self) -> bool {
        self.config() != self.stored || self.secret_input() != SecretInput::default()
    }

    /// The `admin.save` payload, checked by the core's `form::validate` (what the resolver
    /// runs); or every problem, by field.
    pub fn checked_payload(&self) -> Result<Value, FieldErrors> {
        let request = self.request();
        let mut errors: FieldErrors = form::fields_map(&form::validate(&request, &self.secrets))
            .into_iter()
            .map(|(field, problem)| (field, problem.as_str().unwrap_or_default().to_string()))
            .collect();
        // Not a rule of the core's: "" means anyone, so only the radio tells a forgotten name.
        if self.approvers == Approvers::Group && request.config.approver_group.is_empty() {
            errors
                .entry(Field::ApproverGroup.name().into())
                .or_insert_with(|| GROUP_NAME_NEEDED.into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(payload(&request))
    }
}

/// The request as JSON, with no key at all for a credential that is not replaced, so nothing
/// about a secret left blank crosses the bridge.
pub fn payload(request: &SaveRequest) -> Value {
    let mut value = serde_json::to_value(request).unwrap_or_default();
    if let Some(secrets) = value.get_mut("secrets").and_then(Value::as_object_mut) {
        secrets.retain(|_, v| !v.is_null());
    }
    value
}

fn flag_of(config: &EpmSettings, field: Field) -> bool {
    match field {
        Field::Enabled => config.enabled,
        Field::AutomaticReporter => config.automatic_reporter,
        Field::InternalNote => config.internal_note,
        Field::DecideByTransition => config.decide_by_transition,
        Field::DecideByJsmApproval => config.decide_by_jsm_approval,
        Field::TrustJsmApprovers => config.trust_jsm_approvers,
        _ => false,
    }
}

fn text_of(config: &EpmSettings, secrets: &SecretsState, field: Field) -> String {
    match field {
        Field::ServiceHostname => config.service_hostname.clone(),
        Field::ClientId => config.client_id.clone(),
        Field::EpmApiVersion => config.epm_api_version.clone(),
        Field::WebhookUsername => secrets.webhook_username.clone(),
        Field::ProjectKey => config.project_key.clone(),
        Field::IssueTypeName => config.issue_type_name.clone(),
        Field::SummaryTemplate => config.summary_template.clone(),
        Field::AssigneeName => config.assignee_name.clone(),
        Field::CustomFieldId => config.custom_field_id.clone(),
        Field::Labels => config.labels.join(", "),
        Field::CustomWebhookUrl => config.custom_webhook_url.clone(),
        Field::ApprovedStatus => config.approved_status.clone(),
        Field::DeniedStatus => config.denied_status.clone(),
        Field::ExpiredStatus => config.expired_status.clone(),
        Field::ApproverGroup => config.approver_group.clone(),
        Field::DurationFieldId => config.duration_field_id.clone(),
        Field::DefaultDuration => config.default_duration.clone(),
        // Write-only: never filled from an answer (which has none anyway).
        Field::ClientSecret | Field::WebhookPassword => String::new(),
        Field::Enabled
        | Field::AutomaticReporter
        | Field::InternalNote
        | Field::DecideByTransition
        | Field::DecideByJsmApproval
        | Field::TrustJsmApprovers => String::new(),
    }
}
