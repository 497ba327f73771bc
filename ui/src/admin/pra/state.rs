//! The PRA section as a state machine: a `section::Section` (load, edit, save, validate, as
//! EPM's) plus what is PRA's own: "Generate a new URL" (asked first while a URL secret is set),
//! the URL to paste (in the view of the one answer that has it, so the next answer takes it
//! away), and where focus goes for them and for session attribute rows. The page starts it once
//! EPM's answer names a `pra` section.

use serde_json::Value;

use super::fields::Field;
use super::form::{Edit, PraForm, Rotate};
use super::view::PraView;
use crate::admin::problems::FieldErrors;
pub use crate::admin::section::{Call, Phase};
use crate::admin::section::{Kind, Section, focus_from};
use crate::state::Notice;

/// The PRA section: its view, form and inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pra;

impl Kind for Pra {
    type View = PraView;
    type Form = PraForm;
    type Field = Field;
    type Focus = Focus;
    const LOAD_FAILED: &'static str = LOAD_FAILED;
    const SAVE_FAILED: &'static str = SAVE_FAILED;
    const VALIDATE_FAILED: &'static str = VALIDATE_FAILED;

    fn form(view: &PraView) -> PraForm {
        PraForm::from_settings(&view.settings)
    }
    fn has_changes(form: &PraForm) -> bool {
        form.has_changes()
    }
    fn payload(form: &PraForm) -> Result<Value, FieldErrors> {
        form.checked_payload()
    }
}

pub type Model = Section<Pra>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Notice,
    /// The first input (in page order) with an error.
    Field(Field),
    Checks,
    /// The URL to paste, just generated.
    UrlToPaste,
    /// The question after "Generate a new URL".
    ConfirmRotate,
    /// "Generate a new URL" again, after the question was put away.
    Rotate,
    /// The code name of the session attribute row just added.
    Attribute(usize),
    /// "Add attribute", after a row was removed.
    AddAttribute,
}

focus_from!(Focus, Field);

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    ConfigAnswered(Result<Value, String>),
    Edit(Edit),
    Save,
    /// "Generate a new URL": asks to confirm while a secret is set, else saves with a new one.
    AskRotate,
    ConfirmRotate,
    CancelRotate,
    SaveAnswered(Result<Value, String>),
    Validate,
    ValidateAnswered(Result<Value, String>),
    Retry,
}

pub const LOAD_FAILED: &str = "The PRA settings could not be loaded.";
pub const SAVE_FAILED: &str = "The PRA settings could not be saved.";
pub const VALIDATE_FAILED: &str = "The PRA configuration could not be validated.";
pub const NEW_URL: &str = "A new URL was generated: copy it below and paste it into PRA.";

/// Whether the action would save (the page lets one section save at a time).
pub fn saves(model: &Model, action: &Action) -> bool {
    match action {
        Action::Save | Action::AskRotate | Action::ConfirmRotate => true,
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
            let focus = match &edit {
                Edit::AddAttribute => model
                    .form
                    .as_ref()
                    .filter(|f| f.can_add_attribute())
                    .map(|f| Focus::Attribute(f.attributes.len())),
                Edit::RemoveAttribute(_) => Some(Focus::AddAttribute),
                _ => None,
            };
            if model.edit(edit.field(), |form| form.apply(edit)) && focus.is_some() {
                model.focus = focus;
            }
            Call::None
        }
        Action::Save => {
            set_rotate(model, Rotate::No);
            model.save()
        }
        Action::AskRotate => match model.view.as_ref() {
            Some(view) if view.secret_set => {
                if set_rotate(model, Rotate::Asking) {
                    model.focus = Some(Focus::ConfirmRotate);
                }
                Call::None
            }
            // No URL yet, so none stops working.
            _ => {
                set_rotate(model, Rotate::Yes);
                model.save()
            }
        },
        Action::ConfirmRotate if rotate(model) == Some(Rotate::Asking) => {
            set_rotate(model, Rotate::Yes);
            model.save()
        }
        Action::CancelRotate if rotate(model) == Some(Rotate::Asking) => {
            set_rotate(model, Rotate::No);
            model.focus = Some(Focus::Rotate);
            Call::None
        }
        Action::ConfirmRotate | Action::CancelRotate => Call::None,
        Action::SaveAnswered(answer) => {
            let fresh = model.saved(answer) && model.view.as_ref().is_some_and(|v| v.url_to_paste.is_some());
            if fresh {
                model.notice = model.notice.take().map(|n: Notice| n.line(NEW_URL));
                model.focus = Some(Focus::UrlToPaste);
            }
            Call::None
        }
        Action::Validate => {
            if rotate(model) == Some(Rotate::Asking) {
                set_rotate(model, Rotate::No);
            }
            model.validate()
        }
        Action::ValidateAnswered(answer) => {
            model.validated(answer);
            Call::None
        }
        Action::Retry => model.retry(),
    }
}

fn rotate(model: &Model) -> Option<Rotate> {
    model.form.as_ref().map(|form| form.rotate)
}

/// Sets the form's "Generate a new URL" state while the form is ready; whether it did.
fn set_rotate(model: &mut Model, rotate: Rotate) -> bool {
    match model.form.as_mut() {
        Some(form) if model.phase == Phase::Ready => {
            form.rotate = rotate;
            true
        }
        _ => false,
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
