//! What every section of the configuration page (EPM's, PRA's) does the same way: load its view,
//! let the admin edit a form made from it, save it once the core's rules pass, validate the
//! saved settings, and turn refusals and failed calls into notices with Retry. `Kind` says what
//! differs; the page (`state`) runs the sections and says what is the page's (a `forbidden`
//! answer ends the whole page).

use std::fmt::Debug;

use pam_approvals::config::check::{Check, Summary};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::answer::{self, ChecksAnswer, Reply, ViewAnswer};
use super::problems::{self, FieldErrors, FormField};
use crate::answer::Refusal;
use crate::state::{Notice, Tone};

/// A section: its view, its form and its inputs.
pub trait Kind {
    /// The `view` of its `admin.config` and `admin.save` answers.
    type View: DeserializeOwned + Debug + Clone + PartialEq + Eq;
    /// What the admin typed.
    type Form: Debug + Clone + PartialEq + Eq;
    type Field: FormField + Debug + PartialEq + Eq;
    /// Where focus may go in the section: at least `Focus<Field>`'s places.
    type Focus: From<Focus<Self::Field>> + Debug + Clone + PartialEq + Eq;
    const LOAD_FAILED: &'static str;
    const SAVE_FAILED: &'static str;
    const VALIDATE_FAILED: &'static str;
    /// The form as the view has it.
    fn form(view: &Self::View) -> Self::Form;
    /// Whether saving would change anything.
    fn has_changes(form: &Self::Form) -> bool;
    /// The `admin.save` payload, checked by the core's rules first; or every problem, by field.
    fn payload(form: &Self::Form) -> Result<Value, FieldErrors>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `admin.config` is running.
    Loading,
    /// The settings could not be loaded; the notice says why (and offers Retry).
    Unavailable,
    /// The user is not a Jira administrator (the page's, never a section's own).
    Forbidden,
    /// The form is shown.
    Ready,
    /// `admin.save` is running; the form is frozen.
    Saving,
    /// `admin.validate` is running; the form stays editable.
    Validating,
}

/// Where keyboard focus should go after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus<F> {
    Notice,
    /// The first input (in page order) with an error.
    Field(F),
    /// The validation results.
    Checks,
}

/// `From<Focus<$field>>` for an enum with the variants `Notice`, `Field($field)` and `Checks`
/// (and places of its own): where the page's or a section's focus comes from the machine's.
macro_rules! focus_from {
    ($focus:ty, $field:ty) => {
        impl From<$crate::admin::section::Focus<$field>> for $focus {
            fn from(focus: $crate::admin::section::Focus<$field>) -> $focus {
                match focus {
                    $crate::admin::section::Focus::Notice => <$focus>::Notice,
                    $crate::admin::section::Focus::Field(field) => <$focus>::Field(field),
                    $crate::admin::section::Focus::Checks => <$focus>::Checks,
                }
            }
        }
    };
}
pub(crate) use focus_from;

/// The resolver a section must call next.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    None,
    /// `admin.config`, back with the view.
    Load,
    /// `admin.save` with this payload.
    Save(Value),
    /// `admin.validate`.
    Validate,
}

/// The results of "Validate configuration".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub checks: Vec<Check>,
    pub summary: Summary,
    /// The form had unsaved changes when the admin asked: the results do not include them.
    pub unsaved_changes: bool,
}

/// What a failed call would do again on Retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attempt {
    Load,
    Save,
    Validate,
}

pub const SAVED: &str = "Saved.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section<K: Kind> {
    pub phase: Phase,
    pub view: Option<K::View>,
    pub form: Option<K::Form>,
    pub field_errors: FieldErrors,
    pub notice: Option<Notice>,
    pub report: Option<Report>,
    /// A `forbidden` answer's message, for the page to take over.
    pub forbidden: Option<String>,
    /// Set by the section, taken by the page.
    pub focus: Option<K::Focus>,
    /// What Retry does, while the notice offers it.
    retry: Option<Attempt>,
    /// Whether the running `admin.validate` was asked with unsaved changes.
    validating_unsaved: bool,
}

impl<K: Kind> Default for Section<K> {
    /// Loading: `admin.config` is (about to be) asked.
    fn default() -> Section<K> {
        Section {
            phase: Phase::Loading,
            view: None,
            form: None,
            field_errors: FieldErrors::new(),
            notice: None,
            report: None,
            forbidden: None,
            focus: None,
            retry: Some(Attempt::Load),
            validating_unsaved: false,
        }
    }
}

impl<K: Kind> Section<K> {
    /// Whether the form is shown (with the busy state of a call, if any).
    pub fn shown(&self) -> bool {
        matches!(self.phase, Phase::Ready | Phase::Saving | Phase::Validating)
    }

    /// Whether Retry would save.
    pub fn retries_save(&self) -> bool {
        self.retry == Some(Attempt::Save)
    }

    /// Changes the form (while it is editable) and clears the error of the input it touched;
    /// whether it did.
    pub fn edit(&mut self, field: K::Field, change: impl FnOnce(&mut K::Form)) -> bool {
        if !matches!(self.phase, Phase::Ready | Phase::Validating) {
            return false;
        }
        let Some(form) = self.form.as_mut() else {
            return false;
        };
        change(form);
        self.field_errors.remove(field.name());
        true
    }

    pub fn save(&mut self) -> Call {
        if self.phase != Phase::Ready {
            return Call::None;
        }
        let Some(form) = self.form.as_ref() else {
            return Call::None;
        };
        match K::payload(form) {
            Err(errors) => {
                self.show_field_errors(problems::attention(errors.len()), errors);
                Call::None
            }
            Ok(payload) => {
                self.phase = Phase::Saving;
                self.field_errors.clear();
                self.notice = None;
                self.retry = Some(Attempt::Save);
                Call::Save(payload)
            }
        }
    }

    pub fn validate(&mut self) -> Call {
        if self.phase != Phase::Ready {
            return Call::None;
        }
        self.validating_unsaved = self.form.as_ref().is_some_and(K::has_changes);
        self.phase = Phase::Validating;
        self.notice = None;
        self.report = None;
        self.retry = Some(Attempt::Validate);
        Call::Validate
    }

    pub fn retry(&mut self) -> Call {
        match (self.notice.as_ref().is_some_and(|n| n.retry), self.retry) {
            (true, Some(Attempt::Load)) if self.phase == Phase::Unavailable => {
                *self = Section::default();
                Call::Load
            }
            (true, Some(Attempt::Save)) => self.save(),
            (true, Some(Attempt::Validate)) => self.validate(),
            _ => Call::None,
        }
    }

    /// The answer of `admin.config`; the sections it names when it showed a view.
    pub fn loaded(&mut self, answer: Result<Value, String>) -> Option<Vec<String>> {
        if self.phase != Phase::Loading {
            return None;
        }
        match answer.and_then(answer::parse::<ViewAnswer<K::View>>) {
            Ok(Reply::Ok(ViewAnswer { view, sections })) => {
                self.show_view(view);
                return Some(sections);
            }
            Ok(Reply::Refused(refusal)) => self.refused(K::LOAD_FAILED, refusal),
            Err(problem) => self.failed(K::LOAD_FAILED, problem),
        }
        None
    }

    /// The answer of `admin.save`; whether it brought the saved view.
    pub fn saved(&mut self, answer: Result<Value, String>) -> bool {
        if self.phase != Phase::Saving {
            return false;
        }
        self.phase = Phase::Ready;
        match answer.and_then(answer::parse::<ViewAnswer<K::View>>) {
            Ok(Reply::Ok(ViewAnswer { view, .. })) => {
                self.show_view(view);
                // Earlier results describe what was saved before.
                self.report = None;
                self.notice = Some(Notice::new(Tone::Success, SAVED));
                self.focus = Some(Focus::Notice.into());
                return true;
            }
            Ok(Reply::Refused(refusal)) if refusal.code == "invalid" => {
                let fields = refusal.fields.clone();
                self.show_field_errors(refusal.message, fields);
            }
            Ok(Reply::Refused(refusal)) => self.refused(K::SAVE_FAILED, refusal),
            Err(problem) => self.failed(K::SAVE_FAILED, problem),
        }
        false
    }

    /// The answer of `admin.validate`.
    pub fn validated(&mut self, answer: Result<Value, String>) {
        if self.phase != Phase::Validating {
            return;
        }
        self.phase = Phase::Ready;
        match answer.and_then(answer::parse::<ChecksAnswer>) {
            Ok(Reply::Ok(ChecksAnswer { checks, summary })) => {
                self.report = Some(Report {
                    checks,
                    summary,
                    unsaved_changes: self.validating_unsaved,
                });
                self.focus = Some(Focus::Checks.into());
            }
            Ok(Reply::Refused(refusal)) => self.refused(K::VALIDATE_FAILED, refusal),
            Err(problem) => self.failed(K::VALIDATE_FAILED, problem),
        }
    }

    /// Shows a view: the form as stored, no errors.
    fn show_view(&mut self, view: K::View) {
        self.form = Some(K::form(&view));
        self.view = Some(view);
        self.field_errors.clear();
        self.phase = Phase::Ready;
    }

    /// Each error next to its input, and all of them in the notice (by label), focus on the
    /// first.
    fn show_field_errors(&mut self, title: String, errors: FieldErrors) {
        let (notice, first) = problems::field_errors::<K::Field>(title, &errors);
        self.focus = Some(first.map_or(Focus::Notice, Focus::Field).into());
        self.notice = Some(notice);
        self.field_errors = errors;
    }

    /// A refusal other than `invalid`: `forbidden` is the page's; the rest are notices.
    fn refused(&mut self, what: &str, refusal: Refusal) {
        if refusal.code == "forbidden" {
            self.forbidden = Some(refusal.message);
            return;
        }
        self.show_problem(problems::refused(what, refusal));
    }

    fn failed(&mut self, what: &str, problem: String) {
        self.show_problem(problems::failed(what, problem));
    }

    fn show_problem(&mut self, notice: Notice) {
        self.notice = Some(notice);
        self.focus = Some(Focus::Notice.into());
        if self.phase == Phase::Loading {
            self.phase = Phase::Unavailable;
        }
    }
}
