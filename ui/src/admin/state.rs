//! The configuration page as a state machine: EPM's section (a `section::Section`, loading →
//! ready or unavailable → saving or validating → ready again), then PRA's (`pra::state`) once
//! EPM's answer names it in `sections`. `reduce` is pure: it changes the model and says what the
//! outside world must do next (`Effect`); the DOM layer only renders the model and runs effects.
//! What is the page's rather than a section's: a `forbidden` answer from either ends the whole
//! page (only its message is shown), one section saves at a time (both write the one
//! configuration record), focus, and the clipboard.

use pam_approvals::providers::epm::settings::view::AdminView;
use serde_json::Value;

use super::diagnostics::state as diagnostics;
use super::fields::Field;
use super::form::{AdminForm, Approvers};
use super::keeper::screen as keeper_screen;
use super::keeper::state as keeper;
use super::pra::state as pra;
use super::problems::FieldErrors;
use super::section::{self, Kind, Section, focus_from};
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
    Pra(pra::Focus),
    Keeper(keeper::Focus),
}

focus_from!(Focus, Field);

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
    /// The PRA section, once EPM's answer says this build has one.
    pub pra: Option<pra::Model>,
    /// The Keeper section, once EPM's answer says this build has one.
    pub keeper: Option<keeper::Model>,
    /// The Diagnostics section (loaded when the admin asks).
    pub diagnostics: diagnostics::Model,
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
    /// Copy the item with this key (a webhook URL or template, or `PRA_URL`) to the clipboard.
    Copy(String),
    Copied(Copied),
    Pra(pra::Action),
    Keeper(keeper::Action),
    Diagnostics(diagnostics::Action),
}

/// What the outside world must do after a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    /// A resolver call of EPM's section (no `section` key), back with `ConfigAnswered`,
    /// `SaveAnswered` or `ValidateAnswered`.
    Epm(Call),
    /// One of the PRA section (`"section": "pra"`), back as `Action::Pra`.
    Pra(Call),
    /// One of the Keeper section (`"section": "keeper"`), back as `Action::Keeper`.
    Keeper(Call),
    /// One of the Diagnostics section, back as `Action::Diagnostics`.
    Diagnostics(diagnostics::Call),
    /// Several of the above (the PRA and Keeper sections load together).
    Several(Vec<Effect>),
    /// Put `text` on the clipboard and come back with `Copied`.
    Copy {
        key: String,
        text: String,
    },
}

/// The Copy key of the PRA section's URL to paste.
pub const PRA_URL: &str = "pra-url";

pub const LOAD_FAILED: &str = "The configuration could not be loaded.";
pub const SAVE_FAILED: &str = "The settings could not be saved.";
pub const VALIDATE_FAILED: &str = "The configuration could not be validated.";
pub const UNSAVED_NOTE: &str = "Validating the saved settings; save first to include your changes.";

pub fn reduce(model: &mut Model, action: Action) -> Effect {
    let epm_saving = model.epm.phase == Phase::Saving;
    let pra_saving = model.pra.as_ref().is_some_and(|s| s.phase == Phase::Saving);
    let keeper_saving = model.keeper.as_ref().is_some_and(|s| s.phase == Phase::Saving);
    let effect = match action {
        Action::Start => {
            *model = Model::default();
            Effect::Epm(Call::Load)
        }
        Action::ConfigAnswered(answer) => match model.epm.loaded(answer) {
            Some(sections) => {
                let named = |name: &str| sections.iter().any(|s| s == name);
                let mut calls = Vec::new();
                if named("pra") && model.pra.is_none() {
                    model.pra = Some(pra::Model::default());
                    calls.push(Effect::Pra(Call::Load));
                }
                if named("keeper") && model.keeper.is_none() {
                    model.keeper = Some(keeper::Model::default());
                    calls.push(Effect::Keeper(Call::Load));
                }
                match calls.len() {
                    0 => Effect::None,
                    1 => calls.remove(0),
                    _ => Effect::Several(calls),
                }
            }
            None => Effect::None,
        },
        Action::EditText(field, text) => edit(model, field, |form| form.set_text(field, text)),
        Action::SetFlag(field, on) => edit(model, field, |form| form.set_flag(field, on)),
        Action::ChooseApprovers(approvers) => edit(model, Field::ApproverGroup, |form| form.approvers = approvers),
        Action::Save if pra_saving || keeper_saving => Effect::None,
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
        Action::Retry if model.epm.retries_save() && (pra_saving || keeper_saving) => Effect::None,
        Action::Retry => Effect::Epm(model.epm.retry()),
        Action::Copy(key) => {
            let text = if key == PRA_URL {
                pra_url(model)
            } else if key.starts_with("keeper-") {
                model.keeper.as_ref().and_then(|k| keeper_screen::copy_text(k, &key))
            } else {
                model.epm.view.as_ref().and_then(|view| copy_text(view, &key))
            };
            match text {
                Some(text) => Effect::Copy { key, text },
                None => Effect::None,
            }
        }
        Action::Copied(copied) => {
            model.copied = Some(copied);
            Effect::None
        }
        Action::Pra(action) => match model.pra.as_mut() {
            // One section saves at a time.
            Some(section) if pra::saves(section, &action) && (epm_saving || keeper_saving) => Effect::None,
            Some(section) => Effect::Pra(pra::reduce(section, action)),
            None => Effect::None,
        },
        Action::Keeper(action) => match model.keeper.as_mut() {
            Some(section) if keeper::saves(section, &action) && (epm_saving || pra_saving) => Effect::None,
            Some(section) => Effect::Keeper(keeper::reduce(section, action)),
            None => Effect::None,
        },
        Action::Diagnostics(action) => Effect::Diagnostics(diagnostics::reduce(&mut model.diagnostics, action)),
    };
    settle(model);
    match effect {
        Effect::Epm(Call::None)
        | Effect::Pra(Call::None)
        | Effect::Keeper(Call::None)
        | Effect::Diagnostics(diagnostics::Call::None) => Effect::None,
        effect => effect,
    }
}

/// What the sections leave for the page: a `forbidden` answer ends it; focus moves.
fn settle(model: &mut Model) {
    let pra = model.pra.as_mut().and_then(|pra| pra.forbidden.take());
    let keeper = model.keeper.as_mut().and_then(|keeper| keeper.forbidden.take());
    let forbidden = pra.or(keeper).or_else(|| model.epm.forbidden.take());
    if let Some(message) = forbidden {
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
    if let Some(focus) = model.pra.as_mut().and_then(|pra| pra.focus.take()) {
        model.focus = Some(Focus::Pra(focus));
    }
    if let Some(focus) = model.keeper.as_mut().and_then(|keeper| keeper.focus.take()) {
        model.focus = Some(Focus::Keeper(focus));
    }
}

fn edit(model: &mut Model, field: Field, change: impl FnOnce(&mut AdminForm)) -> Effect {
    model.epm.edit(field, change);
    Effect::None
}

/// The PRA section's URL to paste, while its view has one.
fn pra_url(model: &Model) -> Option<String> {
    model.pra.as_ref()?.view.as_ref()?.url_to_paste.clone()
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
