//! The Keeper section as a state machine: a `section::Section` (load, edit, save, validate, as
//! EPM's and PRA's) plus what is Keeper's own: "Generate a new token" (a save that asks for a new
//! alert token), the token to paste (in the view of the one answer that has it, so the next
//! answer takes it away), and "Test connection", which is the section's `admin.validate` (its
//! `keeper-connection` check runs `service-status` through Commander). The page starts it once
//! EPM's answer names a `keeper` section.

use serde_json::Value;

use super::fields::Field;
use super::form::{Edit, KeeperForm};
use super::view::KeeperSettingsView;
use crate::admin::problems::FieldErrors;
pub use crate::admin::section::{Call, Phase};
use crate::admin::section::{Kind, Section, focus_from};

/// The Keeper section: its view, form and inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keeper;

impl Kind for Keeper {
    type View = KeeperSettingsView;
    type Form = KeeperForm;
    type Field = Field;
    type Focus = Focus;
    const LOAD_FAILED: &'static str = LOAD_FAILED;
    const SAVE_FAILED: &'static str = SAVE_FAILED;
    const VALIDATE_FAILED: &'static str = VALIDATE_FAILED;

    fn form(view: &KeeperSettingsView) -> KeeperForm {
        KeeperForm::from_settings(&view.settings, view.api_key_set)
    }
    fn has_changes(form: &KeeperForm) -> bool {
        form.has_changes()
    }
    fn payload(form: &KeeperForm) -> Result<Value, FieldErrors> {
        form.checked_payload()
    }
}

pub type Model = Section<Keeper>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Notice,
    /// The first input (in page order) with an error.
    Field(Field),
    Checks,
    /// The token to paste, just generated.
    TokenToPaste,
}

focus_from!(Focus, Field);

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    ConfigAnswered(Result<Value, String>),
    Edit(Edit),
    Save,
    /// "Generate a new token": saves the form with a new token (the old one stops working).
    Rotate,
    SaveAnswered(Result<Value, String>),
    /// "Test connection": validates the saved settings.
    Validate,
    ValidateAnswered(Result<Value, String>),
    Retry,
}

pub const LOAD_FAILED: &str = "The Keeper settings could not be loaded.";
pub const SAVE_FAILED: &str = "The Keeper settings could not be saved.";
pub const VALIDATE_FAILED: &str = "The connection to Keeper could not be tested.";
pub const NEW_TOKEN: &str = "A new token was generated: copy it below and put it in each Keeper alert's recipient.";

/// Whether the action would save (the page lets one section save at a time).
pub fn saves(model: &Model, action: &Action) -> bool {
    match action {
        Action::Save | Action::Rotate => true,
        Action::Retry => model.retries_save(),
        _ => false,
    }
}

pub fn reduce(model: &mut Model, action: Action) -> Call {
    match action {
        Action::ConfigAnswered(answer) => {
            model.loaded(answer);
            Call::None
        }
        Action::Edit(edit) => {
            model.edit(edit.field(), |form| form.apply(edit));
            Call::None
        }
        Action::Save => save(model, false),
        Action::Rotate => save(model, true),
        Action::SaveAnswered(answer) => {
            let fresh = model.saved(answer) && model.view.as_ref().is_some_and(|v| v.token_to_paste.is_some());
            if fresh {
                model.notice = model.notice.take().map(|n| n.line(NEW_TOKEN));
                model.focus = Some(Focus::TokenToPaste);
            }
            Call::None
        }
        Action::Validate => model.validate(),
        Action::ValidateAnswered(answer) => {
            model.validated(answer);
            Call::None
        }
        Action::Retry => model.retry(),
    }
}

fn save(model: &mut Model, rotate: bool) -> Call {
    match model.form.as_mut() {
        Some(form) if model.phase == Phase::Ready => form.rotate = rotate,
        _ => return Call::None,
    }
    model.save()
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
