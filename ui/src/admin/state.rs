//! The configuration page as a state machine: EPM's section (a `section::Section`, loading →
//! ready or unavailable → saving or validating → ready again). `reduce` is pure: it changes the
//! model and says what the outside world must do next (`Effect`); the DOM layer only renders the
//! model and runs effects. What is the page's rather than the section's: a `forbidden` answer
//! ends the whole page (only its message is shown), focus, and the clipboard.

use pam_approvals::providers::epm::settings::view::AdminView;
use serde_json::Value;

use super::fields::Field;
use super::form::{AdminForm, Approvers};
use super::problems::FieldErrors;
use super::section::{self, Kind, Section};
pub use super::section::{Call, Phase, Report, SAVED};

/// EPM's section: its view, form and inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Epm;

impl Kind for Epm {
    type View = AdminView;
    type Form = AdminForm;
    type Field = Field;
    type Focus = section::Focus<Field>;
    const LOAD_FAILED: &'static str = LOAD_FAILED;
    const SAVE_FAILED: &'static str = SAVE_FAILED;
    const VALIDATE_FAILED: &'static str = VALIDATE_FAILED;

    fn form(view: &AdminView) -> AdminForm {
        AdminForm::from_view(view)
    }
    fn has_changes(form: &AdminForm) -> bool {
        form.has_changes()
    }
    fn payload(form: &AdminForm) -> Result<Value, FieldErrors> {
        form.checked_payload()
    }
}

/// Where keyboard focus should go after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Notice,
    /// The first input (in page order) with an error.
    Field(Field),
    /// The validation results.
    Checks,
}

impl From<section::Focus<Field>> for Focus {
    fn from(focus: section::Focus<Field>) -> Focus {
        match focus {
            section::Focus::Notice => Focus::Notice,
            section::Focus::Field(field) => Focus::Field(field),
            section::Focus::Checks => Focus::Checks,
        }
    }
}

/// The last Copy: which item (`screen::CopyItem::key`) and whether it worked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub key: String,
    pub result: Result<(), String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Model {
    /// EPM's section; its phase is the page's (`Forbidden` included).
    pub epm: Section<Epm>,
    /// The refusal's message when the user may not see the configuration.
    pub forbidden: Option<String>,
    pub copied: Option<Copied>,
    /// Set by `reduce`, taken by the DOM layer once it has moved focus.
    pub focus: Option<Focus>,
}

/// Everything that can happen to the page. Resolver answers arrive as JSON, or as the bridge's
/// error message when the call itself failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Start,
    ConfigAnswered(Result<Value, String>),
    EditText(Field, String),
    SetFlag(Field, bool),
    ChooseApprovers(Approvers),
    Save,
    SaveAnswered(Result<Value, String>),
    Validate,
    ValidateAnswered(Result<Value, String>),
    Retry,
    /// Copy the item with this key (a webhook URL or template) to the clipboard.
    Copy(String),
    Copied(Copied),
}

/// What the outside world must do after a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    /// A resolver call of EPM's section (no `section` key), back with `ConfigAnswered`,
    /// `SaveAnswered` or `ValidateAnswered`.
    Epm(Call),
    /// Put `text` on the clipboard and come back with `Copied`.
    Copy {
        key: String,
        text: String,
    },
}

pub const LOAD_FAILED: &str = "The configuration could not be loaded.";
pub const SAVE_FAILED: &str = "The settings could not be saved.";
pub const VALIDATE_FAILED: &str = "The configuration could not be validated.";
pub const UNSAVED_NOTE: &str = "Validating the saved settings; save first to include your changes.";

pub fn reduce(model: &mut Model, action: Action) -> Effect {
    let effect = match action {
        Action::Start => {
            *model = Model::default();
            Effect::Epm(Call::Load)
        }
        Action::ConfigAnswered(answer) => {
            model.epm.loaded(answer);
            Effect::None
        }
        Action::EditText(field, text) => edit(model, field, |form| form.set_text(field, text)),
        Action::SetFlag(field, on) => edit(model, field, |form| form.set_flag(field, on)),
        Action::ChooseApprovers(approvers) => edit(model, Field::ApproverGroup, |form| form.approvers = approvers),
        Action::Save => Effect::Epm(model.epm.save()),
        Action::SaveAnswered(answer) => {
            model.epm.saved(answer);
            Effect::None
        }
        Action::Validate => Effect::Epm(model.epm.validate()),
        Action::ValidateAnswered(answer) => {
            model.epm.validated(answer);
            Effect::None
        }
        Action::Retry => Effect::Epm(model.epm.retry()),
        Action::Copy(key) => match model.epm.view.as_ref().and_then(|view| copy_text(view, &key)) {
            Some(text) => Effect::Copy { key, text },
            None => Effect::None,
        },
        Action::Copied(copied) => {
            model.copied = Some(copied);
            Effect::None
        }
    };
    settle(model);
    match effect {
        Effect::Epm(Call::None) => Effect::None,
        effect => effect,
    }
}

/// What the section leaves for the page: a `forbidden` answer ends it; focus moves.
fn settle(model: &mut Model) {
    if let Some(message) = model.epm.forbidden.take() {
        *model = Model {
            forbidden: Some(message),
            ..Model::default()
        };
        model.epm.phase = Phase::Forbidden;
        return;
    }
    if let Some(focus) = model.epm.focus.take() {
        model.focus = Some(focus.into());
    }
}

fn edit(model: &mut Model, field: Field, change: impl FnOnce(&mut AdminForm)) -> Effect {
    model.epm.edit(field, change);
    Effect::None
}

/// The text behind a Copy button: `url-<n>` is the n-th webhook URL, `template-<key>` a template.
pub fn copy_text(view: &AdminView, key: &str) -> Option<String> {
    if let Some(index) = key.strip_prefix("url-") {
        let index: usize = index.parse().ok()?;
        return view.webhook_urls.get(index).map(|u| u.url.clone());
    }
    let key = key.strip_prefix("template-")?;
    view.templates.iter().find(|t| t.key == key).map(|t| t.body.clone())
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
