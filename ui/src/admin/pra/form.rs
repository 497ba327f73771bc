//! What the admin has typed in the PRA section, and the `admin.save` payload it makes. The rules
//! are the core's: `PraSettings::normalized` then `validate`, what the resolver runs before it
//! saves; this holds the inputs and turns them into `PraSettings`.

use pam_approvals::providers::pra::settings::{
    ATTRIBUTE_SOURCES, MAX_ATTRIBUTES, PraSettings, Rules, SessionAttribute,
};
use serde_json::{Value, json};

use super::fields::{ASSET_CHOICES, CUSTOM, Choices, Field, REQUESTER_CHOICES};
use crate::admin::problems::FieldErrors;

/// A select of fixed choices, or "Custom field…" with the id typed next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    /// A fixed choice's value, or `CUSTOM`.
    pub choice: String,
    /// The custom field id (kept while another choice is selected, in case the admin goes back).
    pub custom: String,
}

impl Pick {
    pub fn of(value: &str, fixed: &[&str]) -> Pick {
        if fixed.contains(&value) {
            Pick {
                choice: value.into(),
                custom: String::new(),
            }
        } else {
            Pick {
                choice: CUSTOM.into(),
                custom: value.into(),
            }
        }
    }

    pub fn is_custom(&self) -> bool {
        self.choice == CUSTOM
    }

    /// The setting's value.
    pub fn value(&self) -> String {
        if self.is_custom() {
            self.custom.clone()
        } else {
            self.choice.clone()
        }
    }
}

fn values(choices: Choices) -> Vec<&'static str> {
    choices.iter().map(|(value, _)| *value).collect()
}

/// One row of the session attributes table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub code_name: String,
    pub source: Pick,
}

/// One change the admin makes; each touches one setting (whose error it clears).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// `Enabled` or `SensitiveTicketId`.
    Flag(Field, bool),
    /// A text input; for `RequesterField` and `AssetField`, their custom field id.
    Text(Field, String),
    /// The select of `RequesterField` or `AssetField`.
    Choose(Field, String),
    /// A rule on or off, by its key in `Rules`.
    Rule(String, bool),
    /// A Jump Item value on or off.
    Match(String, bool),
    AttributeCode(usize, String),
    AttributeSource(usize, String),
    AttributeCustom(usize, String),
    AddAttribute,
    RemoveAttribute(usize),
}

impl Edit {
    pub fn field(&self) -> Field {
        match self {
            Edit::Flag(field, _) | Edit::Text(field, _) | Edit::Choose(field, _) => *field,
            Edit::Rule(..) => Field::Rules,
            Edit::Match(..) => Field::AssetMatch,
            _ => Field::SessionAttributes,
        }
    }
}

/// "Generate a new URL" (a new secret: the current URL stops working at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotate {
    No,
    /// Asked for; the page waits for the admin to confirm.
    Asking,
    /// Confirmed: the next save asks for a new secret.
    Yes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PraForm {
    /// The stored settings: what "unsaved changes" compares with.
    stored: PraSettings,
    pub enabled: bool,
    pub appliance_host: String,
    pub sensitive_ticket_id: bool,
    pub rules: Rules,
    /// Comma separated, as typed.
    pub allowed_projects: String,
    pub allowed_statuses: String,
    pub requester: Pick,
    pub asset: Pick,
    pub asset_match: Vec<String>,
    pub window_start_field: String,
    pub window_end_field: String,
    pub attributes: Vec<Attribute>,
    /// Not a setting: whether saving also generates a new URL.
    pub rotate: Rotate,
}

impl PraForm {
    pub fn from_settings(settings: &PraSettings) -> PraForm {
        PraForm {
            stored: settings.clone(),
            enabled: settings.enabled,
            appliance_host: settings.appliance_host.clone(),
            sensitive_ticket_id: settings.sensitive_ticket_id,
            rules: settings.rules,
            allowed_projects: settings.allowed_projects.join(", "),
            allowed_statuses: settings.allowed_statuses.join(", "),
            requester: Pick::of(&settings.requester_field, &values(REQUESTER_CHOICES)),
            asset: Pick::of(&settings.asset_field, &values(ASSET_CHOICES)),
            asset_match: settings.asset_match.clone(),
            window_start_field: settings.window_start_field.clone(),
            window_end_field: settings.window_end_field.clone(),
            attributes: settings
                .session_attributes
                .iter()
                .map(|a| Attribute {
                    code_name: a.code_name.clone(),
                    source: Pick::of(&a.source, &ATTRIBUTE_SOURCES),
                })
                .collect(),
            rotate: Rotate::No,
        }
    }

    /// Whether a rule is on, by its key in `Rules` (the keys come with the view, in order).
    pub fn rule(&self, key: &str) -> bool {
        serde_json::to_value(self.rules)
            .ok()
            .and_then(|rules| rules.get(key)?.as_bool())
            .unwrap_or(false)
    }

    /// Whether more session attributes can be added (the core's `MAX_ATTRIBUTES`).
    pub fn can_add_attribute(&self) -> bool {
        self.attributes.len() < MAX_ATTRIBUTES
    }

    pub fn apply(&mut self, edit: Edit) {
        match edit {
            Edit::Flag(Field::Enabled, on) => self.enabled = on,
            Edit::Flag(Field::SensitiveTicketId, on) => self.sensitive_ticket_id = on,
            Edit::Text(field, text) => {
                if let Some(slot) = self.text_mut(field) {
                    *slot = text;
                }
            }
            Edit::Choose(Field::RequesterField, choice) => self.requester.choice = choice,
            Edit::Choose(Field::AssetField, choice) => self.asset.choice = choice,
            Edit::Rule(key, on) => self.set_rule(&key, on),
            Edit::Match(value, on) => {
                self.asset_match.retain(|m| *m != value);
                if on {
                    self.asset_match.push(value);
                }
            }
            Edit::AttributeCode(row, text) => {
                if let Some(attribute) = self.attributes.get_mut(row) {
                    attribute.code_name = text;
                }
            }
            Edit::AttributeSource(row, choice) => {
                if let Some(attribute) = self.attributes.get_mut(row) {
                    attribute.source.choice = choice;
                }
            }
            Edit::AttributeCustom(row, text) => {
                if let Some(attribute) = self.attributes.get_mut(row) {
                    attribute.source.custom = text;
                }
            }
            Edit::AddAttribute if self.can_add_attribute() => self.attributes.push(Attribute {
                code_name: String::new(),
                source: Pick::of(ATTRIBUTE_SOURCES[0], &ATTRIBUTE_SOURCES),
            }),
            Edit::RemoveAttribute(row) if row < self.attributes.len() => {
                self.attributes.remove(row);
            }
            _ => {}
        }
    }

    fn text_mut(&mut self, field: Field) -> Option<&mut String> {
        Some(match field {
            Field::ApplianceHost => &mut self.appliance_host,
            Field::AllowedProjects => &mut self.allowed_projects,
            Field::AllowedStatuses => &mut self.allowed_statuses,
            Field::RequesterField => &mut self.requester.custom,
            Field::AssetField => &mut self.asset.custom,
            Field::WindowStartField => &mut self.window_start_field,
            Field::WindowEndField => &mut self.window_end_field,
            _ => return None,
        })
    }

    /// Through the rules' JSON, so that the page names no rule itself: the view lists them.
    fn set_rule(&mut self, key: &str, on: bool) {
        let Ok(mut rules) = serde_json::to_value(self.rules) else {
            return;
        };
        if rules.get(key).is_some() {
            rules[key] = Value::Bool(on);
            if let Ok(changed) = serde_json::from_value(rules) {
                self.rules = changed;
            }
        }
    }

    /// The settings as entered, normalized as the core will. Every field is named (no `..`),
    /// so a setting added to `PraSettings` does not compile until the page has an input for it.
    pub fn settings(&self) -> PraSettings {
        let list = |text: &str| text.split(',').map(String::from).collect();
        PraSettings {
            enabled: self.enabled,
            appliance_host: self.appliance_host.clone(),
            sensitive_ticket_id: self.sensitive_ticket_id,
            rules: self.rules,
            allowed_projects: list(&self.allowed_projects),
            allowed_statuses: list(&self.allowed_statuses),
            requester_field: self.requester.value(),
            asset_field: self.asset.value(),
            asset_match: self.asset_match.clone(),
            window_start_field: self.window_start_field.clone(),
            window_end_field: self.window_end_field.clone(),
            session_attributes: self
                .attributes
                .iter()
                .map(|a| SessionAttribute {
                    code_name: a.code_name.clone(),
                    source: a.source.value(),
                })
                .collect(),
        }
        .normalized()
    }

    pub fn has_changes(&self) -> bool {
        self.settings() != self.stored
    }

    /// The `admin.save` payload, checked by the core's `validate` first (the resolver's own
    /// check, which names one field).
    pub fn checked_payload(&self) -> Result<Value, FieldErrors> {
        let settings = self.settings();
        let rotate = self.rotate == Rotate::Yes;
        match settings.validate() {
            Err(problem) => Err(FieldErrors::from([(problem.field.to_string(), problem.problem)])),
            Ok(()) => Ok(json!({"section": "pra", "settings": settings, "rotateSecret": rotate})),
        }
    }
}
