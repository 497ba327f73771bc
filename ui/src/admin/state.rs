//! The configuration page as a state machine: loading → ready (or forbidden, or unavailable) →
//! saving or validating → ready again. `reduce` is pure: it changes the model and says what the
//! outside world must do next (`Effect`); the DOM layer only renders the model and runs effects.

use pam_approvals::config::check::{Check, Summary};
use pam_approvals::providers::epm::page::form::FieldErrors;
use pam_approvals::providers::epm::settings::view::AdminView;
use serde_json::Value;

use super::answer::{self, ChecksAnswer, Reply, ViewAnswer};
use super::fields::Field;
use super::form::{AdminForm, Approvers};
use crate::answer::Refusal;
use crate::state::{Notice, Tone};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `admin.config` is running.
    Loading,
    /// The configuration could not be loaded; the notice says why (and offers Retry).
    Unavailable,
    /// The user is not a Jira administrator: no form, only the message.
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
pub enum Focus {
    Notice,
    /// The first input (in page order) with an error.
    Field(Field),
    /// The validation results.
    Checks,
}

/// What a failed call would do again on Retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Load,
    Save,
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

/// The last Copy: which item (`screen::CopyItem::key`) and whether it worked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub key: String,
    pub result: Result<(), String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub phase: Phase,
    pub view: Option<AdminView>,
    pub form: Option<AdminForm>,
    pub field_errors: FieldErrors,
    pub notice: Option<Notice>,
    /// The refusal's message when the user may not see the configuration.
    pub forbidden: Option<String>,
    pub report: Option<Report>,
    pub copied: Option<Copied>,
    /// Set by `reduce`, taken by the DOM layer once it has moved focus.
    pub focus: Option<Focus>,
    /// What Retry does, while the notice offers it.
    retry: Option<Attempt>,
    /// Whether the running `admin.validate` was asked with unsaved changes.
    validating_unsaved: bool,
}

impl Default for Model {
    fn default() -> Model {
        Model {
            phase: Phase::Loading,
            view: None,
            form: None,
            field_errors: FieldErrors::new(),
            notice: None,
            forbidden: None,
            report: None,
            copied: None,
            focus: None,
            retry: None,
            validating_unsaved: false,
        }
    }
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
    /// Invoke `admin.config` and come back with `ConfigAnswered`.
    Load,
    /// Invoke `admin.save` with this payload and come back with `SaveAnswered`.
    Save(Value),
    /// Invoke `admin.validate` and come back with `ValidateAnswered`.
    Validate,
    /// Put `text` on the clipboard and come back with `Copied`.
    Copy {
        key: String,
        text: String,
    },
}

pub const SAVED: &str = "Saved.";
pub const LOAD_FAILED: &str = "The configuration could not be loaded.";
pub const SAVE_FAILED: &str = "The settings could not be saved.";
pub const VALIDATE_FAILED: &str = "The configuration could not be validated.";
pub const UNSAVED_NOTE: &str = "Validating the saved settings; save first to include your changes.";

/// "2 settings need attention; nothing was saved." — the resolver's own wording
/// (`src/providers/epm/settings/save.rs`), so both checks read alike.
pub fn attention(count: usize) -> String {
    let noun = if count == 1 { "setting needs" } else { "settings need" };
    format!("{count} {noun} attention; nothing was saved.")
}

pub fn reduce(model: &mut Model, action: Action) -> Effect {
    match action {
        Action::Start => {
            *model = Model::default();
            model.retry = Some(Attempt::Load);
            Effect::Load
        }
        Action::ConfigAnswered(answer) => {
            loaded(model, answer);
            Effect::None
        }
        Action::EditText(field, text) => edit(model, field, |form| form.set_text(field, text)),
        Action::SetFlag(field, on) => edit(model, field, |form| form.set_flag(field, on)),
        Action::ChooseApprovers(approvers) => edit(model, Field::ApproverGroup, |form| form.approvers = approvers),
        Action::Save => save(model),
        Action::SaveAnswered(answer) => {
            saved(model, answer);
            Effect::None
        }
        Action::Validate => validate(model),
        Action::ValidateAnswered(answer) => {
            validated(model, answer);
            Effect::None
        }
        Action::Retry => match (model.notice.as_ref().is_some_and(|n| n.retry), model.retry) {
            (true, Some(Attempt::Load)) if model.phase == Phase::Unavailable => reduce(model, Action::Start),
            (true, Some(Attempt::Save)) => save(model),
            (true, Some(Attempt::Validate)) => validate(model),
            _ => Effect::None,
        },
        Action::Copy(key) => match model.view.as_ref().and_then(|view| copy_text(view, &key)) {
            Some(text) => Effect::Copy { key, text },
            None => Effect::None,
        },
        Action::Copied(copied) => {
            model.copied = Some(copied);
            Effect::None
        }
    }
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

/// Changes the form (while it is editable) and clears the error of the input it touched.
fn edit(model: &mut Model, field: Field, change: impl FnOnce(&mut AdminForm)) -> Effect {
    if matches!(model.phase, Phase::Ready | Phase::Validating)
        && let Some(form) = model.form.as_mut()
    {
        change(form);
        model.field_errors.remove(field.name());
    }
    Effect::None
}

fn save(model: &mut Model) -> Effect {
    if model.phase != Phase::Ready {
        return Effect::None;
    }
    let Some(form) = model.form.as_ref() else {
        return Effect::None;
    };
    match form.checked_payload() {
        Err(errors) => {
            show_field_errors(model, attention(errors.len()), errors);
            Effect::None
        }
        Ok(payload) => {
            model.phase = Phase::Saving;
            model.field_errors.clear();
            model.notice = None;
            model.retry = Some(Attempt::Save);
            Effect::Save(payload)
        }
    }
}

/// Each error next to its input, and all of them in the notice (by label), focus on the first.
fn show_field_errors(model: &mut Model, title: String, errors: FieldErrors) {
    let mut notice = Notice::new(Tone::Error, title);
    for field in Field::ALL {
        if let Some(problem) = errors.get(field.name()) {
            notice.lines.push(format!("{}: {problem}", field.label()));
        }
    }
    // A field the form does not have is still shown.
    for (name, problem) in &errors {
        if Field::by_name(name).is_none() {
            notice.lines.push(format!("{name}: {problem}"));
        }
    }
    model.focus = Field::ALL
        .into_iter()
        .find(|f| errors.contains_key(f.name()))
        .map(Focus::Field)
        .or(Some(Focus::Notice));
    model.notice = Some(notice);
    model.field_errors = errors;
}

fn validate(model: &mut Model) -> Effect {
    if model.phase != Phase::Ready {
        return Effect::None;
    }
    model.validating_unsaved = model.form.as_ref().is_some_and(AdminForm::has_changes);
    model.phase = Phase::Validating;
    model.notice = None;
    model.report = None;
    model.retry = Some(Attempt::Validate);
    Effect::Validate
}

/// Shows a view: the form as stored, secrets blank, no errors.
fn show_view(model: &mut Model, view: AdminView) {
    model.form = Some(AdminForm::from_view(&view));
    model.view = Some(view);
    model.field_errors.clear();
    model.phase = Phase::Ready;
}

fn loaded(model: &mut Model, answer: Result<Value, String>) {
    if model.phase != Phase::Loading {
        return;
    }
    match answer.and_then(answer::parse::<ViewAnswer>) {
        Ok(Reply::Ok(ViewAnswer { view })) => show_view(model, view),
        Ok(Reply::Refused(refusal)) => refused(model, LOAD_FAILED, refusal),
        Err(problem) => failed(model, LOAD_FAILED, problem),
    }
}

fn saved(model: &mut Model, answer: Result<Value, String>) {
    if model.phase != Phase::Saving {
        return;
    }
    model.phase = Phase::Ready;
    match answer.and_then(answer::parse::<ViewAnswer>) {
        Ok(Reply::Ok(ViewAnswer { view })) => {
            show_view(model, view);
            // Earlier results describe what was saved before.
            model.report = None;
            model.notice = Some(Notice::new(Tone::Success, SAVED));
            model.focus = Some(Focus::Notice);
        }
        Ok(Reply::Refused(refusal)) if refusal.code == "invalid" => {
            let fields = refusal.fields.clone();
            show_field_errors(model, refusal.message, fields);
        }
        Ok(Reply::Refused(refusal)) => refused(model, SAVE_FAILED, refusal),
        Err(problem) => failed(model, SAVE_FAILED, problem),
    }
}

fn validated(model: &mut Model, answer: Result<Value, String>) {
    if model.phase != Phase::Validating {
        return;
    }
    model.phase = Phase::Ready;
    match answer.and_then(answer::parse::<ChecksAnswer>) {
        Ok(Reply::Ok(ChecksAnswer { checks, summary })) => {
            model.report = Some(Report {
                checks,
                summary,
                unsaved_changes: model.validating_unsaved,
            });
            model.focus = Some(Focus::Checks);
        }
        Ok(Reply::Refused(refusal)) => refused(model, VALIDATE_FAILED, refusal),
        Err(problem) => failed(model, VALIDATE_FAILED, problem),
    }
}

/// A refusal other than `invalid`: `forbidden` replaces the page; the rest are notices, with
/// Retry where trying again may work.
fn refused(model: &mut Model, what: &str, refusal: Refusal) {
    if refusal.code == "forbidden" {
        *model = Model {
            phase: Phase::Forbidden,
            forbidden: Some(refusal.message),
            ..Model::default()
        };
        return;
    }
    let retry = refusal.can_retry();
    let tone = if retry { Tone::Error } else { Tone::Warning };
    model.notice = Some(Notice::new(tone, what).line(refusal.message).retry(retry));
    model.focus = Some(Focus::Notice);
    if model.phase == Phase::Loading {
        model.phase = Phase::Unavailable;
    }
}

/// The call itself failed (the bridge, the network, the host).
fn failed(model: &mut Model, what: &str, problem: String) {
    model.notice = Some(Notice::new(Tone::Error, what).line(problem).retry(true));
    model.focus = Some(Focus::Notice);
    if model.phase == Phase::Loading {
        model.phase = Phase::Unavailable;
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
