//! What the admin has typed in the Keeper section, and the `admin.save` payload it makes. The
//! rules are the core's: `KeeperSettings::normalized` then `validate`, what the resolver runs
//! before it saves, plus its API key rules (`secrets::acceptable_api_key`, required to enable
//! Keeper while none is stored); this holds the inputs and turns them into `KeeperSettings`.

use pam_approvals::config::bad;
use pam_approvals::providers::keeper::settings::{Deciders, KeeperSettings, secrets};
use serde_json::{Value, json};

use super::fields::Field;
use crate::admin::problems::FieldErrors;

/// One change the admin makes; each touches one input (whose error it clears).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// `Enabled`, `InternalNote` or `DecideByTransition`.
    Flag(Field, bool),
    Text(Field, String),
    Deciders(Deciders),
}

impl Edit {
    pub fn field(&self) -> Field {
        match self {
            Edit::Flag(field, _) | Edit::Text(field, _) => *field,
            Edit::Deciders(_) => Field::Deciders,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeeperForm {
    /// The stored settings: what "unsaved changes" compares with.
    stored: KeeperSettings,
    /// Whether an API key is stored (an empty input keeps it).
    pub api_key_set: bool,
    pub enabled: bool,
    pub api_url: String,
    /// A new API key; empty keeps the stored one.
    pub api_key: String,
    pub project_key: String,
    pub issue_type_name: String,
    pub subject_field: String,
    pub deciders: Deciders,
    pub decider_group: String,
    pub approved_status: String,
    pub denied_status: String,
    pub expired_status: String,
    pub internal_note: bool,
    pub decide_by_transition: bool,
    /// Not a setting: whether saving also generates a new alert token.
    pub rotate: bool,
}

impl KeeperForm {
    pub fn from_settings(settings: &KeeperSettings, api_key_set: bool) -> KeeperForm {
        KeeperForm {
            stored: settings.clone(),
            api_key_set,
            enabled: settings.enabled,
            api_url: settings.api_url.clone(),
            api_key: String::new(),
            project_key: settings.project_key.clone(),
            issue_type_name: settings.issue_type_name.clone(),
            subject_field: settings.subject_field.clone(),
            deciders: settings.deciders,
            decider_group: settings.decider_group.clone(),
            approved_status: settings.approved_status.clone(),
            denied_status: settings.denied_status.clone(),
            expired_status: settings.expired_status.clone(),
            internal_note: settings.internal_note,
            decide_by_transition: settings.decide_by_transition,
            rotate: false,
        }
    }

    pub fn apply(&mut self, edit: Edit) {
        match edit {
            Edit::Flag(Field::Enabled, on) => self.enabled = on,
            Edit::Flag(Field::InternalNote, on) => self.internal_note = on,
            Edit::Flag(Field::DecideByTransition, on) => self.decide_by_transition = on,
            Edit::Text(field, text) => {
                if let Some(slot) = self.text_mut(field) {
                    *slot = text;
                }
            }
            Edit::Deciders(deciders) => self.deciders = deciders,
            Edit::Flag(..) => {}
        }
    }

    pub fn text(&self, field: Field) -> &str {
        match field {
            Field::ApiUrl => &self.api_url,
            Field::ApiKey => &self.api_key,
            Field::ProjectKey => &self.project_key,
            Field::IssueTypeName => &self.issue_type_name,
            Field::SubjectField => &self.subject_field,
            Field::DeciderGroup => &self.decider_group,
            Field::ApprovedStatus => &self.approved_status,
            Field::DeniedStatus => &self.denied_status,
            Field::ExpiredStatus => &self.expired_status,
            _ => "",
        }
    }

    fn text_mut(&mut self, field: Field) -> Option<&mut String> {
        Some(match field {
            Field::ApiUrl => &mut self.api_url,
            Field::ApiKey => &mut self.api_key,
            Field::ProjectKey => &mut self.project_key,
            Field::IssueTypeName => &mut self.issue_type_name,
            Field::SubjectField => &mut self.subject_field,
            Field::DeciderGroup => &mut self.decider_group,
            Field::ApprovedStatus => &mut self.approved_status,
            Field::DeniedStatus => &mut self.denied_status,
            Field::ExpiredStatus => &mut self.expired_status,
            _ => return None,
        })
    }

    /// The settings as entered, normalized as the core will. Every field is named (no `..`),
    /// so a setting added to `KeeperSettings` does not compile until the page has an input for it.
    pub fn settings(&self) -> KeeperSettings {
        KeeperSettings {
            enabled: self.enabled,
            api_url: self.api_url.clone(),
            project_key: self.project_key.clone(),
            issue_type_name: self.issue_type_name.clone(),
            subject_field: self.subject_field.clone(),
            deciders: self.deciders,
            decider_group: self.decider_group.clone(),
            approved_status: self.approved_status.clone(),
            denied_status: self.denied_status.clone(),
            expired_status: self.expired_status.clone(),
            internal_note: self.internal_note,
            decide_by_transition: self.decide_by_transition,
        }
        .normalized()
    }

    fn new_api_key(&self) -> Option<&str> {
        Some(self.api_key.trim()).filter(|k| !k.is_empty())
    }

    pub fn has_changes(&self) -> bool {
        self.settings() != self.stored || self.new_api_key().is_some()
    }

    /// The `admin.save` payload, checked by the core's rules first (the resolver's own checks,
    /// which name one field).
    pub fn checked_payload(&self) -> Result<Value, FieldErrors> {
        let settings = self.settings();
        let key = self.new_api_key();
        let problem = settings.validate().err().or_else(|| match key {
            Some(key) if !secrets::acceptable_api_key(key) => Some(bad(
                "apiKey",
                "must be the key Commander printed: 8 to 512 characters, no spaces",
            )),
            None if settings.enabled && !self.api_key_set => Some(bad("apiKey", "is required to enable Keeper")),
            _ => None,
        });
        if let Some(problem) = problem {
            return Err(FieldErrors::from([(problem.field.to_string(), problem.problem)]));
        }
        let mut payload = json!({"section": "keeper", "settings": settings, "rotateToken": self.rotate});
        if let Some(key) = key {
            payload["apiKey"] = json!(key);
        }
        Ok(payload)
    }
}
