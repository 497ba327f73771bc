//! The page as a state machine: loading → ready (or blocked) → submitting → decided, with
//! errors on the way, and sending (checking again until EPM confirms) when a decision is in
//! flight. `reduce` is pure: it changes the model and says what the outside world must do next
//! (`Effect`), including when to check again; the DOM layer only renders the model and runs
//! effects.

use pam_approvals::providers::epm::mapping::property::DecisionRecord;
use pam_approvals::providers::epm::page::form::FieldErrors;
use pam_approvals::providers::epm::page::view::RequestView;
use serde_json::Value;

use crate::answer::{Answer, DecideOutcome, Refusal};
use crate::form_state::{Decision, FormState};
use crate::polling::Polling;

/// Where the page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `epm.request` is running.
    Loading,
    /// The request could not be shown; the notice says why.
    Unavailable,
    /// The request is shown with the form.
    Ready,
    /// The request is shown without the form: the user may not decide (the notice says why).
    Blocked,
    /// `epm.decide` is running.
    Submitting,
    /// EPM has the decision.
    Decided,
    /// A decision is on its way to EPM (`RequestView::sending`): the request is shown without
    /// the form, and the page checks again (`Model::polling`) until the decision lands.
    Sending,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Warning,
    Error,
}

/// A message in the page's live region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub tone: Tone,
    pub title: String,
    pub lines: Vec<String>,
    /// Offer "Retry" (only where `docs/resolvers.md` says trying again may work).
    pub retry: bool,
}

impl Notice {
    pub(crate) fn new(tone: Tone, title: impl Into<String>) -> Notice {
        Notice {
            tone,
            title: title.into(),
            lines: Vec::new(),
            retry: false,
        }
    }

    pub(crate) fn line(mut self, line: impl Into<String>) -> Notice {
        self.lines.push(line.into());
        self
    }

    pub(crate) fn retry(mut self, retry: bool) -> Notice {
        self.retry = retry;
        self
    }
}

/// Where keyboard focus should go after a change, so that keyboard and screen reader users land
/// on what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Focus {
    Notice,
    /// The first field (in form order) with an error.
    Field(&'static str),
}

/// The form's fields, in the order they appear.
pub const FIELDS: [&str; 3] = ["decision", "duration", "message"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub phase: Phase,
    pub view: Option<RequestView>,
    pub form: FormState,
    pub field_errors: FieldErrors,
    pub notice: Option<Notice>,
    /// Set by `reduce`, taken by the DOM layer once it has moved focus.
    pub focus: Option<Focus>,
    /// Whether the issue may have changed since the page opened (a decision was answered), so
    /// closing should refresh Jira's issue view.
    pub issue_changed: bool,
    /// The checks while `Phase::Sending`; `None` otherwise.
    pub polling: Option<Polling>,
}

impl Default for Model {
    fn default() -> Model {
        Model {
            phase: Phase::Loading,
            view: None,
            form: FormState::default(),
            field_errors: FieldErrors::new(),
            notice: None,
            focus: None,
            issue_changed: false,
            polling: None,
        }
    }
}

/// Everything that can happen to the page. Resolver answers arrive as JSON, or as the bridge's
/// error message when the call itself failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Start,
    RequestAnswered(Result<Value, String>),
    ChooseDecision(Decision),
    ChooseUnit(String),
    ChooseCount(String),
    EditMessage(String),
    Submit,
    DecideAnswered(Result<Value, String>),
    /// `epm.request` answered a check made while sending (`Effect::Refresh`).
    Refreshed(Result<Value, String>),
    Retry,
    Close,
}

/// What the outside world must do after a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    /// Invoke `epm.request` and come back with `RequestAnswered`.
    Load,
    /// Invoke `epm.decide` with this payload and come back with `DecideAnswered`.
    Decide(Value),
    /// Wait `after_ms`, then invoke `epm.request` and come back with `Refreshed`.
    Refresh {
        after_ms: u32,
    },
    /// Close the dialog; `refresh` asks Jira to show the issue's new state.
    Close {
        refresh: bool,
    },
}

pub const FIELDS_NEED_ATTENTION: &str = "Some fields need attention.";
/// The notice's title while a decision is in flight.
pub const SENDING_TO_EPM: &str = "Sending the decision to EPM…";
/// After who decided (the resolver's `cannot_decide`, which says the app is sending it again).
pub const UPDATES_BY_ITSELF: &str = "This page updates by itself when EPM confirms it.";
/// The notice's title when the page stops checking (`polling::GIVE_UP_AFTER_MS`).
pub const STILL_NOT_CONFIRMED: &str = "Still not confirmed by EPM; reopen the request later.";
/// The notice's title when the decision in flight went away without being recorded (EPM refused
/// it in the end, so the app released the claim).
pub const NOT_TAKEN: &str = "EPM did not take the decision, so nothing was recorded.";

pub fn reduce(model: &mut Model, action: Action) -> Effect {
    match action {
        Action::Start => {
            *model = Model::default();
            Effect::Load
        }
        Action::RequestAnswered(answer) => loaded(model, answer),
        Action::ChooseDecision(decision) => edit(model, &["decision", "duration"], |f| f.decision = Some(decision)),
        Action::ChooseUnit(unit) => edit(model, &["duration"], |f| f.choose_unit(&unit)),
        Action::ChooseCount(count) => edit(model, &["duration"], |f| f.choose_count(&count)),
        Action::EditMessage(message) => edit(model, &["message"], |f| f.message = message),
        Action::Submit => submit(model),
        Action::DecideAnswered(answer) => decided(model, answer),
        Action::Refreshed(answer) => refreshed(model, answer),
        Action::Retry => match (&model.notice, model.phase) {
            (Some(notice), Phase::Unavailable) if notice.retry => reduce(model, Action::Start),
            (Some(notice), Phase::Ready) if notice.retry => submit(model),
            _ => Effect::None,
        },
        Action::Close if model.phase == Phase::Submitting => Effect::None,
        Action::Close => Effect::Close {
            refresh: model.issue_changed,
        },
    }
}

/// Changes the form (only while it is offered) and clears the errors of the fields it touched.
fn edit(model: &mut Model, fields: &[&str], change: impl FnOnce(&mut FormState)) -> Effect {
    if model.phase == Phase::Ready {
        change(&mut model.form);
        for field in fields {
            model.field_errors.remove(*field);
        }
    }
    Effect::None
}

fn submit(model: &mut Model) -> Effect {
    if model.phase != Phase::Ready {
        return Effect::None;
    }
    match model.form.checked_payload() {
        Err(errors) => {
            model.focus = first_field_with_error(&errors).map(Focus::Field);
            model.field_errors = errors;
            model.notice = Some(Notice::new(Tone::Error, FIELDS_NEED_ATTENTION));
            Effect::None
        }
        Ok(payload) => {
            model.phase = Phase::Submitting;
            model.field_errors.clear();
            model.notice = None;
            Effect::Decide(payload)
        }
    }
}

fn first_field_with_error(errors: &FieldErrors) -> Option<&'static str> {
    FIELDS.into_iter().find(|field| errors.contains_key(*field))
}

fn loaded(model: &mut Model, answer: Result<Value, String>) -> Effect {
    if model.phase != Phase::Loading {
        return Effect::None;
    }
    match answer.and_then(Answer::parse) {
        Ok(Answer::Ok { view, .. }) if view.sending => return sending(model, *view),
        Ok(Answer::Ok { view, .. }) => show(model, *view),
        Ok(Answer::Refused(refusal)) => {
            let tone = if refusal.can_retry() { Tone::Error } else { Tone::Info };
            model.notice = Some(Notice::new(tone, refusal.message.clone()).retry(refusal.can_retry()));
            model.phase = Phase::Unavailable;
        }
        Err(problem) => {
            model.notice = Some(
                Notice::new(Tone::Error, "The request could not be loaded.")
                    .line(problem)
                    .retry(true),
            );
            model.phase = Phase::Unavailable;
        }
    }
    Effect::None
}

/// Shows a request that is not in flight: with the form, or with why the user may not decide.
fn show(model: &mut Model, view: RequestView) {
    model.notice = (!view.can_decide).then(|| {
        let why = view
            .cannot_decide
            .clone()
            .unwrap_or_else(|| "You cannot decide this request.".into());
        Notice::new(Tone::Info, why)
    });
    model.phase = if view.can_decide { Phase::Ready } else { Phase::Blocked };
    model.view = Some(view);
}

fn decided(model: &mut Model, answer: Result<Value, String>) -> Effect {
    if model.phase != Phase::Submitting {
        return Effect::None;
    }
    model.issue_changed = true;
    model.focus = Some(Focus::Notice);
    match answer.and_then(Answer::parse) {
        Ok(Answer::Ok { view, .. }) if view.sending => return sending(model, *view),
        Ok(Answer::Ok { view, outcome }) => {
            model.notice = Some(result_notice(&view, &outcome.unwrap_or_default()));
            model.view = Some(*view);
            model.phase = Phase::Decided;
        }
        Ok(Answer::Refused(refusal)) => refused(model, refusal),
        Err(problem) => {
            // The call may have failed after EPM took the decision; trying again is safe because
            // the resolver lets only the first decision through and reports it.
            model.notice = Some(
                Notice::new(Tone::Error, "The decision could not be sent.")
                    .line(problem)
                    .line("Nothing is sent twice: if EPM already has a decision, trying again says so.")
                    .retry(true),
            );
            model.phase = Phase::Ready;
        }
    }
    Effect::None
}

/// A decision is in flight: the form is gone (nobody can send a different one meanwhile) and the
/// page checks again.
fn sending(model: &mut Model, view: RequestView) -> Effect {
    model.phase = Phase::Sending;
    model.view = Some(view);
    model.field_errors.clear();
    model.polling.get_or_insert_with(Polling::default).answered();
    check_again(model)
}

/// The next check, or the end of checking once it has gone on for too long.
fn check_again(model: &mut Model) -> Effect {
    let Some(polling) = model.polling.as_mut() else {
        return Effect::None;
    };
    match polling.next_wait() {
        Some(after_ms) => {
            model.notice = Some(sending_notice(model.view.as_ref(), polling));
            Effect::Refresh { after_ms }
        }
        None => {
            model.polling = None;
            model.phase = Phase::Blocked;
            let mut notice = Notice::new(Tone::Warning, STILL_NOT_CONFIRMED);
            notice
                .lines
                .extend(model.view.as_ref().and_then(|v| v.cannot_decide.clone()));
            model.notice = Some(notice);
            Effect::None
        }
    }
}

/// "Sending the decision to EPM…", who decided, and that the page follows it. Calm while checks
/// answer; a warning with the problem once they keep failing.
fn sending_notice(view: Option<&RequestView>, polling: &Polling) -> Notice {
    let who = view.and_then(|v| v.cannot_decide.clone()).unwrap_or_else(|| {
        "A decision on this request is on its way to EPM; the app keeps sending it until EPM confirms.".into()
    });
    let notice = Notice::new(Tone::Info, SENDING_TO_EPM)
        .line(who)
        .line(UPDATES_BY_ITSELF);
    match polling.keeps_failing() {
        None => notice,
        Some(problem) => Notice {
            tone: Tone::Warning,
            ..notice.line(format!(
                "The page could not check for a while ({problem}); it keeps trying."
            ))
        },
    }
}

/// The answer to a check: still in flight (check again), landed (show it, stop), or the check
/// failed (check again as planned, quietly at first).
fn refreshed(model: &mut Model, answer: Result<Value, String>) -> Effect {
    if model.phase != Phase::Sending {
        return Effect::None;
    }
    let problem = match answer.and_then(Answer::parse) {
        Ok(Answer::Ok { view, .. }) if view.sending => return sending(model, *view),
        Ok(Answer::Ok { view, .. }) => {
            landed(model, *view);
            return Effect::None;
        }
        // A refusal now (unavailable, say) does not undo the decision in flight.
        Ok(Answer::Refused(refusal)) => refusal.message,
        Err(problem) => problem,
    };
    if let Some(polling) = model.polling.as_mut() {
        polling.failed(problem);
    }
    check_again(model)
}

/// The decision is no longer in flight: recorded (show it as a result), or released without
/// being recorded (show the request as it is now, saying so).
fn landed(model: &mut Model, view: RequestView) {
    model.polling = None;
    match &view.state.decision {
        Some(decision) => {
            model.issue_changed = true;
            model.notice =
                Some(Notice::new(Tone::Success, decision_title(decision)).line("EPM confirmed the decision."));
            model.phase = Phase::Decided;
            model.view = Some(view);
        }
        None => {
            show(model, view);
            let mut notice = Notice::new(Tone::Warning, NOT_TAKEN);
            match model.notice.take() {
                Some(why) => notice.lines.push(why.title),
                None => notice.lines.push("You can decide again.".into()),
            }
            model.notice = Some(notice);
        }
    }
}

fn refused(model: &mut Model, refusal: Refusal) {
    if refusal.code == "invalid" {
        if let Some(field) = first_field_with_error(&refusal.fields) {
            model.focus = Some(Focus::Field(field));
        }
        let mut notice = Notice::new(Tone::Error, refusal.message);
        // A field the form does not show still has to be seen.
        for (field, problem) in &refusal.fields {
            if !FIELDS.contains(&field.as_str()) {
                notice.lines.push(format!("{field}: {problem}"));
            }
        }
        model.notice = Some(notice);
        model.field_errors = refusal.fields;
        model.phase = Phase::Ready;
    } else if refusal.can_retry() {
        model.notice = Some(Notice::new(Tone::Error, refusal.message).retry(true));
        model.phase = Phase::Ready;
    } else {
        // Already decided, no right, self-approval...: the form cannot help any more.
        model.notice = Some(Notice::new(Tone::Warning, refusal.message));
        model.phase = Phase::Blocked;
    }
}

/// "Approved for 4 hours." and what happened on the issue, from the recorded decision.
fn result_notice(view: &RequestView, outcome: &DecideOutcome) -> Notice {
    let title = match view.state.decision.as_ref() {
        None if outcome.pending => format!(
            "{} sent to EPM; waiting for EPM to confirm it.",
            if outcome.approved { "Approval" } else { "Denial" }
        ),
        Some(d) => decision_title(d),
        None if outcome.approved => "Approved.".to_string(),
        None => "Denied.".to_string(),
    };
    match &outcome.warning {
        Some(warning) => Notice::new(Tone::Warning, title).line(warning.clone()),
        None => {
            let mut notice =
                Notice::new(Tone::Success, title).line("EPM has the decision; the note and status are on the issue.");
            notice.lines.extend(outcome.status_note.clone());
            notice
        }
    }
}

/// "Approved for 4 hours.", "Approved once.", "Denied.".
fn decision_title(d: &DecisionRecord) -> String {
    if !d.approved {
        "Denied.".to_string()
    } else if d.duration_label == "once" {
        "Approved once.".to_string()
    } else if !d.duration_label.is_empty() {
        format!("Approved for {}.", d.duration_label)
    } else {
        "Approved.".to_string()
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
