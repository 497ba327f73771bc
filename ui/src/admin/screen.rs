//! What the configuration page shows for a model, as plain data: the DOM layer copies it into
//! elements and decides nothing itself, so everything a person sees is tested here natively.

use pam_approvals::config::check::{Status, Summary};
use pam_approvals::providers::epm::settings::form::MIN_PASSWORD_CHARS;
use pam_approvals::providers::epm::settings::view::AdminView;

use super::diagnostics::screen as diagnostics;
use super::fields::{Field, Kind};
use super::form::Approvers;
use super::keeper::screen as keeper;
use super::pra::screen::{self as pra, Section as PraSection};
use super::section::Phase;
use super::section::{self, Section};
use super::state::{Copied, Model, Report as Results, UNSAVED_NOTE};
use crate::state::Notice;

pub const LOADING: &str = "Loading the configuration…";
pub const SAVING: &str = "Saving…";
pub const VALIDATING: &str = "Validating the saved configuration…";
pub const SAVE: &str = "Save";
pub const VALIDATE: &str = "Validate configuration";

/// How a section's progress and buttons read.
pub struct Words {
    pub loading: &'static str,
    pub validating: &'static str,
    pub save: &'static str,
    pub validate: &'static str,
}

const EPM: Words = Words {
    loading: LOADING,
    validating: VALIDATING,
    save: SAVE,
    validate: VALIDATE,
};
pub const SECRET_SET: &str = "Set — leave blank to keep";
pub const SECRET_NOT_SET: &str = "Not set";
pub const COPY: &str = "Copy";
pub const COPIED: &str = "Copied";
pub const COPIED_STATUS: &str = "Copied to the clipboard.";

/// Everything on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen<'a> {
    /// The progress line (with a spinner) while a resolver runs.
    pub busy: Option<&'static str>,
    /// The whole page's message for someone who is not a Jira administrator.
    pub forbidden: Option<&'a str>,
    pub notice: Option<&'a Notice>,
    /// The view's warnings, each shown in the status banner.
    pub warnings: &'a [String],
    pub webhook: Option<Webhook>,
    /// Feedback of the last Copy, by item key.
    pub copied: Option<&'a Copied>,
    pub form: Option<Form<'a>>,
    pub report: Option<Report>,
    /// The PRA section, when this build has one (EPM's answer says so).
    pub pra: Option<PraSection<'a>>,
    /// The Keeper section, when this build has one.
    pub keeper: Option<keeper::Section<'a>>,
    /// The Diagnostics section, beside the settings.
    pub diagnostics: Option<diagnostics::Screen<'a>>,
}

/// "Webhook settings": what to paste into EPM. Owned, so that the DOM layer can keep the last
/// one it drew and rebuild it only when it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub urls: Vec<CopyItem>,
    pub templates: Vec<CopyItem>,
}

/// A text to copy: a URL or a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyItem {
    /// Names the item in `Action::Copy` (`state::copy_text`) and in element ids.
    pub key: String,
    pub title: String,
    pub text: String,
    /// The URL to paste (emphasised).
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form<'a> {
    /// Every input is disabled while saving.
    pub disabled: bool,
    pub inputs: Vec<Input<'a>>,
    pub approvers: Approvers,
    /// The group name input is shown for "Members of a Jira group" only.
    pub show_group: bool,
    /// "At least 12 characters.", from the core's rule.
    pub password_hint: String,
    pub buttons: Buttons,
}

/// A section's Save and Validate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buttons {
    /// While either runs, and while the other section saves (both write one record).
    pub save_disabled: bool,
    /// While either runs.
    pub validate_disabled: bool,
    pub saving: bool,
    pub save_label: &'static str,
    pub validating: bool,
    pub validate_label: &'static str,
}

/// A provider section's part of the page: its progress line while one of its resolvers runs,
/// its notice, its form (`F`, while shown) and its validation results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionScreen<'a, F> {
    pub busy: Option<&'static str>,
    pub notice: Option<&'a Notice>,
    pub form: Option<F>,
    pub report: Option<Report>,
}

/// A section's screen, with the form `form` makes while the section shows one.
pub fn section_screen<'a, K: section::Kind, F>(
    model: &'a Section<K>,
    words: &Words,
    form: impl FnOnce() -> Option<F>,
) -> SectionScreen<'a, F> {
    let shown = model.shown();
    SectionScreen {
        busy: busy(model.phase, words),
        notice: model.notice.as_ref(),
        form: if shown { form() } else { None },
        report: model.report.as_ref().filter(|_| shown).map(report),
    }
}

/// The progress line of a section in `phase`.
pub fn busy(phase: Phase, words: &Words) -> Option<&'static str> {
    match phase {
        Phase::Loading => Some(words.loading),
        Phase::Saving => Some(SAVING),
        Phase::Validating => Some(words.validating),
        _ => None,
    }
}

/// `other_saving`: the other section is saving.
pub fn buttons(phase: Phase, words: &Words, other_saving: bool) -> Buttons {
    let saving = phase == Phase::Saving;
    let validating = phase == Phase::Validating;
    Buttons {
        save_disabled: saving || validating || other_saving,
        validate_disabled: saving || validating,
        saving,
        save_label: if saving { SAVING } else { words.save },
        validating,
        validate_label: if validating { words.validating } else { words.validate },
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input<'a> {
    pub field: Field,
    pub value: Value<'a>,
    /// For a write-only secret: whether one is stored.
    pub placeholder: Option<&'static str>,
    pub error: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    Text(&'a str),
    Flag(bool),
}

/// The validation results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub note: Option<&'static str>,
    /// "7 passed, 2 failed".
    pub summary: String,
    pub rows: Vec<CheckRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRow {
    pub id: String,
    pub title: String,
    /// CSS modifier of the badge: pass, fail, warn, skip.
    pub status: &'static str,
    pub badge: &'static str,
    pub detail: String,
    pub fix: String,
}

pub fn screen(model: &Model) -> Screen<'_> {
    let epm = &model.epm;
    let shown = epm.shown();
    let view = epm.view.as_ref().filter(|_| shown);
    Screen {
        busy: busy(epm.phase, &EPM),
        forbidden: model.forbidden.as_deref().filter(|_| epm.phase == Phase::Forbidden),
        notice: epm.notice.as_ref(),
        warnings: view.map_or(&[], |v| v.warnings.as_slice()),
        webhook: view.map(webhook),
        copied: model.copied.as_ref(),
        form: if shown { form(model) } else { None },
        report: epm.report.as_ref().filter(|_| shown).map(report),
        pra: model
            .pra
            .as_ref()
            .filter(|_| shown)
            .map(|section| pra::section(section, model.copied.as_ref(), saving(model, "pra"))),
        keeper: model
            .keeper
            .as_ref()
            .filter(|_| shown)
            .map(|section| keeper::section(section, model.copied.as_ref(), saving(model, "keeper"))),
        diagnostics: shown.then(|| diagnostics::screen(&model.diagnostics)),
    }
}

/// Whether a section other than `section` (`epm`, `pra`, `keeper`) is saving: all write one
/// record, so one saves at a time.
fn saving(model: &Model, section: &str) -> bool {
    [
        ("epm", Some(model.epm.phase)),
        ("pra", model.pra.as_ref().map(|s| s.phase)),
        ("keeper", model.keeper.as_ref().map(|s| s.phase)),
    ]
    .into_iter()
    .any(|(name, phase)| name != section && phase == Some(Phase::Saving))
}

/// The results of "Validate configuration", in either section.
pub fn report(report: &Results) -> Report {
    Report {
        note: report.unsaved_changes.then_some(UNSAVED_NOTE),
        summary: summary_line(&report.summary),
        rows: report
            .checks
            .iter()
            .map(|check| {
                let (status, badge) = badge(check.status);
                CheckRow {
                    id: check.id.clone(),
                    title: check.title.clone(),
                    status,
                    badge,
                    detail: check.detail.clone(),
                    fix: check.fix.clone(),
                }
            })
            .collect(),
    }
}

/// A Copy button's label and status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFeedback {
    pub label: &'static str,
    pub status: Option<String>,
}

/// What a Copy button says after the last copy of its text (`None`: not copied yet).
pub fn copy_feedback(result: Option<&Result<(), String>>) -> CopyFeedback {
    match result {
        Some(Ok(())) => CopyFeedback {
            label: COPIED,
            status: Some(COPIED_STATUS.into()),
        },
        Some(Err(problem)) => CopyFeedback {
            label: COPY,
            status: Some(format!("Could not copy ({problem}): select the text and copy it.")),
        },
        None => CopyFeedback {
            label: COPY,
            status: None,
        },
    }
}

fn webhook(view: &AdminView) -> Webhook {
    Webhook {
        urls: view
            .webhook_urls
            .iter()
            .enumerate()
            .map(|(index, url)| CopyItem {
                key: format!("url-{index}"),
                title: url.label.clone(),
                text: url.url.clone(),
                primary: url.primary,
            })
            .collect(),
        templates: view
            .templates
            .iter()
            .map(|template| CopyItem {
                key: format!("template-{}", template.key),
                title: template.event.clone(),
                text: template.body.clone(),
                primary: false,
            })
            .collect(),
    }
}

fn form(model: &Model) -> Option<Form<'_>> {
    let epm = &model.epm;
    let form = epm.form.as_ref()?;
    let secrets = form.secrets();
    let inputs = Field::ALL
        .into_iter()
        .map(|field| {
            let stored = match field {
                Field::ClientSecret => Some(secrets.client_secret_set),
                Field::WebhookPassword => Some(secrets.webhook_password_set),
                _ => None,
            };
            Input {
                field,
                value: match field.kind() {
                    Kind::Flag => Value::Flag(form.flag(field)),
                    _ => Value::Text(form.text(field)),
                },
                placeholder: stored.map(|set| if set { SECRET_SET } else { SECRET_NOT_SET }),
                error: epm.field_errors.get(field.name()).map(String::as_str),
            }
        })
        .collect();
    Some(Form {
        disabled: epm.phase == Phase::Saving,
        inputs,
        approvers: form.approvers,
        show_group: form.approvers == Approvers::Group,
        password_hint: format!("At least {MIN_PASSWORD_CHARS} characters."),
        buttons: buttons(epm.phase, &EPM, saving(model, "epm")),
    })
}

/// (CSS modifier, badge text) of a check's status.
pub fn badge(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Pass => ("pass", "Pass"),
        Status::Fail => ("fail", "Fail"),
        Status::Warn => ("warn", "Warning"),
        Status::Skip => ("skip", "Skipped"),
    }
}

/// "7 passed, 2 failed", then warnings and skipped checks when there are any.
pub fn summary_line(summary: &Summary) -> String {
    let mut parts = vec![
        format!("{} passed", summary.passed),
        format!("{} failed", summary.failed),
    ];
    match summary.warnings {
        0 => {}
        1 => parts.push("1 warning".into()),
        n => parts.push(format!("{n} warnings")),
    }
    if summary.skipped > 0 {
        parts.push(format!("{} skipped", summary.skipped));
    }
    parts.join(", ")
}
