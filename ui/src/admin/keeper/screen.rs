//! What the Keeper section shows for its model, as plain data (the DOM layer copies it into
//! elements and decides nothing itself).

use pam_approvals::providers::keeper::settings::Deciders;

use super::fields::Field;
use super::state::{Model, Phase};
use crate::admin::screen::{Buttons, CopyFeedback, SectionScreen, Words, buttons, copy_feedback, section_screen};
use crate::admin::state::Copied;

pub const LOADING: &str = "Loading the Keeper settings…";
pub const VALIDATING: &str = "Testing the connection to Keeper…";
pub const SAVE: &str = "Save Keeper settings";
pub const VALIDATE: &str = "Test connection";
const WORDS: Words = Words {
    loading: LOADING,
    validating: VALIDATING,
    save: SAVE,
    validate: VALIDATE,
};
pub const API_KEY_SET: &str = "Set — leave blank to keep";
pub const API_KEY_NOT_SET: &str = "Not set";
pub const TOKEN_SET: &str = "Set. The token was shown once, when it was generated; if it is lost, generate a new one (the old one stops working).";
pub const TOKEN_NOT_SET: &str = "Not set yet: enabling Keeper (or Generate a new token) makes one.";
pub const TOKEN_WARNING: &str =
    "Copy it now: it is not shown again. Put it in each alert's webhook recipient as the Authorization header.";
pub const NO_TRIGGER_URL: &str = "The host gave no web trigger URL, so none can be shown.";

/// The Copy keys of the section's texts (`admin::state::Action::Copy`).
pub const COPY_URL: &str = "keeper-url";
pub const COPY_TEMPLATE: &str = "keeper-template";
pub const COPY_TOKEN: &str = "keeper-token";
pub const COPY_AUTHORIZATION: &str = "keeper-authorization";

pub type Section<'a> = SectionScreen<'a, Form<'a>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form<'a> {
    /// Every input is disabled while saving.
    pub disabled: bool,
    /// `Enabled`, `InternalNote` and `DecideByTransition`.
    pub flags: Vec<(Field, bool)>,
    /// The text inputs, by field (`Field::TEXTS`).
    pub texts: Vec<(Field, &'a str)>,
    pub deciders: &'static str,
    /// The group name input is shown for "Members of a group" only.
    pub show_group: bool,
    /// Whether an API key is stored ("Set — leave blank to keep").
    pub api_key_status: &'static str,
    /// Every field's error, if any.
    pub errors: Vec<(Field, Option<&'a str>)>,
    /// "On Forge the app can reach only …".
    pub egress: String,
    pub alert: AlertSetup<'a>,
    pub buttons: Buttons,
    /// "Generate a new token" is disabled while the section (or another) saves.
    pub rotate_disabled: bool,
}

/// What to set up in Keeper's Admin Console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertSetup<'a> {
    pub trigger_url: &'a str,
    pub url_copy: CopyFeedback,
    pub template: &'a str,
    pub template_copy: CopyFeedback,
    pub alerts: &'a [String],
    pub token_status: &'static str,
    /// Only in the answer to the save that generated it.
    pub token: Option<TokenToPaste<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenToPaste<'a> {
    pub token: &'a str,
    pub token_copy: CopyFeedback,
    pub authorization: &'a str,
    pub authorization_copy: CopyFeedback,
}

pub fn deciders_value(deciders: Deciders) -> &'static str {
    match deciders {
        Deciders::Admins => "admins",
        Deciders::Group => "group",
    }
}

pub fn parse_deciders(value: &str) -> Option<Deciders> {
    match value {
        "admins" => Some(Deciders::Admins),
        "group" => Some(Deciders::Group),
        _ => None,
    }
}

/// `other_saving`: another section is saving, so this one may not (all write one record).
pub fn section<'a>(model: &'a Model, copied: Option<&'a Copied>, other_saving: bool) -> Section<'a> {
    section_screen(model, &WORDS, || form(model, copied, other_saving))
}

fn form<'a>(model: &'a Model, copied: Option<&'a Copied>, other_saving: bool) -> Option<Form<'a>> {
    let (view, form) = (model.view.as_ref()?, model.form.as_ref()?);
    let feedback = |key: &str| copy_feedback(copied.filter(|c| c.key == key).map(|c| &c.result));
    let buttons = buttons(model.phase, &WORDS, other_saving);
    Some(Form {
        disabled: model.phase == Phase::Saving,
        flags: vec![
            (Field::Enabled, form.enabled),
            (Field::InternalNote, form.internal_note),
            (Field::DecideByTransition, form.decide_by_transition),
        ],
        texts: Field::TEXTS
            .into_iter()
            .map(|field| (field, form.text(field)))
            .collect(),
        deciders: deciders_value(form.deciders),
        show_group: form.deciders == Deciders::Group,
        api_key_status: if form.api_key_set { API_KEY_SET } else { API_KEY_NOT_SET },
        errors: Field::ALL
            .into_iter()
            .map(|field| (field, model.field_errors.get(field.name()).map(String::as_str)))
            .collect(),
        egress: format!(
            "On Forge the app can reach only {}; a Commander elsewhere must be added to the app's manifest before it is deployed.",
            view.egress.join(", ")
        ),
        alert: AlertSetup {
            trigger_url: view.trigger_url.as_deref().unwrap_or(NO_TRIGGER_URL),
            url_copy: feedback(COPY_URL),
            template: &view.template,
            template_copy: feedback(COPY_TEMPLATE),
            alerts: &view.alerts,
            token_status: if view.token_set { TOKEN_SET } else { TOKEN_NOT_SET },
            token: view.token_to_paste.as_deref().map(|token| TokenToPaste {
                token,
                token_copy: feedback(COPY_TOKEN),
                authorization: view.authorization.as_deref().unwrap_or_default(),
                authorization_copy: feedback(COPY_AUTHORIZATION),
            }),
        },
        rotate_disabled: buttons.save_disabled,
        buttons,
    })
}

/// The status lines under the alert setup's texts and under the token's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFeedbackPair<'a> {
    pub setup: Option<&'a str>,
    pub token: Option<&'a str>,
}

impl Form<'_> {
    /// Each Copy button's feedback, in page order: URL, body, token, header.
    pub fn copy_feedback(&self) -> Vec<&CopyFeedback> {
        let alert = &self.alert;
        let mut all = vec![&alert.url_copy, &alert.template_copy];
        if let Some(token) = &alert.token {
            all.extend([&token.token_copy, &token.authorization_copy]);
        }
        all
    }

    /// The last copy's status line, under the texts it was one of.
    pub fn copy_status(&self) -> CopyFeedbackPair<'_> {
        fn first<'b>(a: &'b CopyFeedback, b: &'b CopyFeedback) -> Option<&'b str> {
            a.status.as_deref().or(b.status.as_deref())
        }
        let alert = &self.alert;
        CopyFeedbackPair {
            setup: first(&alert.url_copy, &alert.template_copy),
            token: alert
                .token
                .as_ref()
                .and_then(|t| first(&t.token_copy, &t.authorization_copy)),
        }
    }
}

/// The text behind one of the section's Copy buttons.
pub fn copy_text(model: &Model, key: &str) -> Option<String> {
    let view = model.view.as_ref()?;
    match key {
        COPY_URL => view.trigger_url.clone(),
        COPY_TEMPLATE => Some(view.template.clone()),
        COPY_TOKEN => view.token_to_paste.clone(),
        COPY_AUTHORIZATION => view.authorization.clone(),
        _ => None,
    }
}
