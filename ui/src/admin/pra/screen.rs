//! What the PRA section shows for its model, as plain data (the DOM layer copies it into
//! elements and decides nothing itself).

use super::fields::{ASSET_CHOICES, CUSTOM, CUSTOM_LABEL, Choices, Field, REQUESTER_CHOICES, match_choices};
use super::form::{Pick, Rotate};
use super::state::{Model, Phase};
use crate::admin::screen::{Buttons, CopyFeedback, SectionScreen, Words, buttons, copy_feedback, section_screen};
use crate::admin::state::{Copied, PRA_URL};

pub const LOADING: &str = "Loading the PRA settings…";
pub const VALIDATING: &str = "Validating the saved PRA configuration…";
pub const SAVE: &str = "Save PRA settings";
pub const VALIDATE: &str = "Validate PRA configuration";
const WORDS: Words = Words {
    loading: LOADING,
    validating: VALIDATING,
    save: SAVE,
    validate: VALIDATE,
};
pub const URL_WARNING: &str =
    "Copy it now: it is not shown again. Paste it into PRA: /login → Jump → Jump Policies → Ticket System URL.";
pub const ROTATE_WARNING: &str = "The current URL stops working at once.";
pub const ROTATE_SAVES_CHANGES: &str = "Your changes above are saved with it.";
pub const SECRET_SET: &str =
    "Set. The URL with its secret was shown once, when it was generated; if it is lost, generate a new one.";
pub const SECRET_NOT_SET: &str = "Not set yet: enabling PRA (or Generate a new URL) makes one.";
pub const NO_TRIGGER_URL: &str = "The host gave no web trigger URL, so none can be shown.";

pub type Section<'a> = SectionScreen<'a, Form<'a>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form<'a> {
    /// Every input is disabled while saving.
    pub disabled: bool,
    /// `Enabled` and `SensitiveTicketId`.
    pub flags: Vec<(Field, bool)>,
    /// The text inputs, by field.
    pub texts: Vec<(Field, &'a str)>,
    /// `RequesterField` and `AssetField`: a select, and the custom field id when chosen.
    pub picks: Vec<PickInput<'a>>,
    /// Every field's error, if any.
    pub errors: Vec<(Field, Option<&'a str>)>,
    /// The rules, in the order they are checked, with the core's titles.
    pub rules: Vec<Tick<'a>>,
    /// What of a Jump Item may match.
    pub matches: Vec<Tick<'static>>,
    pub attributes: Vec<AttributeRow<'a>>,
    pub can_add_attribute: bool,
    pub trigger_url: &'a str,
    pub secret_status: &'static str,
    pub url_to_paste: Option<UrlToPaste<'a>>,
    /// The question after "Generate a new URL", while it waits for an answer.
    pub confirm_rotate: Option<Vec<&'static str>>,
    /// "On Forge the app can reach only …": the manifest's egress for PRA.
    pub egress: String,
    pub buttons: Buttons,
}

/// A checkbox built from a list (a rule, a Jump Item value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick<'a> {
    pub key: &'a str,
    pub label: &'a str,
    pub on: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickInput<'a> {
    pub field: Field,
    pub choice: &'a str,
    pub custom: &'a str,
    pub show_custom: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeRow<'a> {
    pub code_name: &'a str,
    pub source: &'a str,
    pub custom: &'a str,
    pub show_custom: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlToPaste<'a> {
    pub url: &'a str,
    pub copy: CopyFeedback,
}

/// `other_saving`: EPM's section is saving, so this one may not (both write one record).
pub fn section<'a>(model: &'a Model, copied: Option<&'a Copied>, other_saving: bool) -> Section<'a> {
    section_screen(model, &WORDS, || form(model, copied, other_saving))
}

fn form<'a>(model: &'a Model, copied: Option<&'a Copied>, other_saving: bool) -> Option<Form<'a>> {
    let (view, form) = (model.view.as_ref()?, model.form.as_ref()?);
    let pick = |field, pick: &'a Pick| PickInput {
        field,
        choice: &pick.choice,
        custom: &pick.custom,
        show_custom: pick.is_custom(),
    };
    let copied = copied.filter(|c| c.key == PRA_URL).map(|c| &c.result);
    Some(Form {
        disabled: model.phase == Phase::Saving,
        flags: vec![
            (Field::Enabled, form.enabled),
            (Field::SensitiveTicketId, form.sensitive_ticket_id),
        ],
        texts: vec![
            (Field::ApplianceHost, &form.appliance_host),
            (Field::AllowedProjects, &form.allowed_projects),
            (Field::AllowedStatuses, &form.allowed_statuses),
            (Field::WindowStartField, &form.window_start_field),
            (Field::WindowEndField, &form.window_end_field),
        ],
        picks: vec![
            pick(Field::RequesterField, &form.requester),
            pick(Field::AssetField, &form.asset),
        ],
        errors: Field::ALL
            .into_iter()
            .map(|field| (field, model.field_errors.get(field.name()).map(String::as_str)))
            .collect(),
        rules: view
            .rules
            .iter()
            .map(|rule| Tick {
                key: &rule.key,
                label: &rule.title,
                on: form.rule(&rule.key),
            })
            .collect(),
        matches: match_choices()
            .into_iter()
            .map(|(key, label)| Tick {
                key,
                label,
                on: form.asset_match.iter().any(|m| m == key),
            })
            .collect(),
        attributes: form
            .attributes
            .iter()
            .map(|a| AttributeRow {
                code_name: &a.code_name,
                source: &a.source.choice,
                custom: &a.source.custom,
                show_custom: a.source.is_custom(),
            })
            .collect(),
        can_add_attribute: form.can_add_attribute(),
        trigger_url: view.trigger_url.as_deref().unwrap_or(NO_TRIGGER_URL),
        secret_status: if view.secret_set { SECRET_SET } else { SECRET_NOT_SET },
        url_to_paste: view.url_to_paste.as_deref().map(|url| UrlToPaste {
            url,
            copy: copy_feedback(copied),
        }),
        confirm_rotate: (form.rotate == Rotate::Asking).then(|| {
            let mut lines = vec![ROTATE_WARNING];
            if form.has_changes() {
                lines.push(ROTATE_SAVES_CHANGES);
            }
            lines
        }),
        egress: format!(
            "On Forge the app can reach only {}; an appliance elsewhere must be added to the app's manifest before it is deployed.",
            view.egress.join(", ")
        ),
        buttons: buttons(model.phase, &WORDS, other_saving),
    })
}

/// A select's options: the fixed choices, then "Custom field…".
pub fn options(choices: Choices) -> Vec<(&'static str, &'static str)> {
    choices.iter().copied().chain([(CUSTOM, CUSTOM_LABEL)]).collect()
}

/// The options of the requester and Jump Item field selects.
pub fn pick_options(field: Field) -> Vec<(&'static str, &'static str)> {
    options(if field == Field::RequesterField {
        REQUESTER_CHOICES
    } else {
        ASSET_CHOICES
    })
}
