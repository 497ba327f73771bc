//! The panel as a state machine: loading → shown (or unavailable) → deciding → shown again,
//! with the result or the refusal in the notice. While Keeper is slow or a decision is in flight
//! (`live` running or sending) the panel asks `keeper.status` again (`polling`: 3 s doubling to
//! 15 s, for ten minutes). A KEPM request's countdown runs from the server's `expiresAt - now`
//! plus the time the page measured since that answer (`Tick`), never the browser's own date;
//! when it reaches zero the buttons are disabled and the panel asks `keeper.request` again (the
//! server decides). `reduce` is pure: it changes the model and says what the outside world must
//! do next; the DOM layer only renders the model and runs effects.

use pam_approvals::providers::keeper::records::Decision;
use serde_json::{Value, json};

use super::view::{Answer, KeeperView, settles};
use crate::answer::Refusal;
use crate::polling::Polling;
use crate::state::{Notice, Tone};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `keeper.request` is running, nothing shown yet.
    Loading,
    /// The request could not be shown; the notice says why.
    Unavailable,
    /// The request is shown (with the buttons when the user may decide).
    Shown,
    /// `keeper.decide` is running with this decision.
    Deciding(Decision),
}

/// Where keyboard focus should go after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Notice,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub phase: Phase,
    pub view: Option<KeeperView>,
    pub notice: Option<Notice>,
    /// The checks while Keeper is slow or a decision is in flight; `None` otherwise.
    pub polling: Option<Polling>,
    /// The page's monotonic clock (ms) when the shown view arrived, and now.
    pub received_at: u64,
    pub clock: u64,
    /// The countdown reached zero and `keeper.request` was asked again (once per view).
    pub expiry_asked: bool,
    /// Set by `reduce`, taken by the DOM layer once it has moved focus.
    pub focus: Option<Focus>,
}

impl Default for Model {
    fn default() -> Model {
        Model {
            phase: Phase::Loading,
            view: None,
            notice: None,
            polling: None,
            received_at: 0,
            clock: 0,
            expiry_asked: false,
            focus: None,
        }
    }
}

/// Everything that can happen to the panel. Resolver answers arrive as JSON, or as the bridge's
/// error message when the call itself failed, with the page's monotonic clock (ms) when they did.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Start,
    /// `keeper.request` answered (`Effect::Load`).
    Loaded(Result<Value, String>, u64),
    Decide(Decision),
    DecideAnswered(Result<Value, String>, u64),
    /// `keeper.status` answered a check (`Effect::Poll`).
    Polled(Result<Value, String>, u64),
    /// A second went by (the page's monotonic clock, ms).
    Tick(u64),
    Retry,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    /// Invoke `keeper.request`, back with `Loaded`.
    Load,
    /// Invoke `keeper.decide` with this payload, back with `DecideAnswered`.
    Decide(Value),
    /// Wait `after_ms`, then invoke `keeper.status`, back with `Polled`.
    Poll {
        after_ms: u32,
    },
}

pub const LOAD_FAILED: &str = "The Keeper request could not be loaded.";
pub const DECIDE_FAILED: &str = "The decision could not be sent.";
pub const NOTHING_TWICE: &str = "Nothing is sent twice: if Keeper already has a decision, trying again says so.";
pub const UPDATES_BY_ITSELF: &str = "This panel updates by itself.";
pub const STILL_WAITING: &str = "Keeper has still not answered; reload the issue later.";
pub const TIME_UP: &str = "The 30 minutes are up: checking with Keeper…";

pub fn reduce(model: &mut Model, action: Action) -> Effect {
    match action {
        Action::Start => {
            *model = Model::default();
            Effect::Load
        }
        Action::Loaded(answer, at) => loaded(model, answer, at),
        Action::Decide(decision) => decide(model, decision),
        Action::DecideAnswered(answer, at) => decided(model, answer, at),
        Action::Polled(answer, at) => polled(model, answer, at),
        Action::Tick(at) => tick(model, at),
        Action::Retry => match &model.notice {
            Some(notice) if notice.retry && model.phase == Phase::Unavailable => reduce(model, Action::Start),
            Some(notice) if notice.retry && model.phase == Phase::Shown => {
                model.notice = None;
                Effect::Load
            }
            _ => Effect::None,
        },
    }
}

/// The milliseconds left before a KEPM request expires, by the server's clock; `None` when it
/// has no countdown (a device request, or one with its outcome).
pub fn remaining_ms(model: &Model) -> Option<u64> {
    let view = model.view.as_ref()?;
    let end = view.expires_at?;
    if view.outcome.is_some() || view.kepm.is_none() {
        return None;
    }
    let elapsed = model.clock.saturating_sub(model.received_at);
    Some(end.saturating_sub(view.now.saturating_add(elapsed)))
}

/// Whether the buttons are offered: the server says the user may decide and time is not up.
pub fn may_decide(model: &Model) -> bool {
    model
        .view
        .as_ref()
        .is_some_and(|v| v.can_decide && v.outcome.is_none() && v.pending.is_none())
        && remaining_ms(model) != Some(0)
}

fn loaded(model: &mut Model, answer: Result<Value, String>, at: u64) -> Effect {
    if matches!(model.phase, Phase::Deciding(_)) {
        // The decision's answer brings the newer view.
        return Effect::None;
    }
    match answer.and_then(Answer::parse) {
        Ok(Answer::Ok(view)) => show(model, *view, at),
        Ok(Answer::Refused(refusal)) => {
            problem(
                model,
                Notice::new(tone(&refusal), LOAD_FAILED)
                    .line(refusal.message.clone())
                    .retry(retries(&refusal)),
            );
            Effect::None
        }
        Err(problem_text) => {
            problem(
                model,
                Notice::new(Tone::Error, LOAD_FAILED).line(problem_text).retry(true),
            );
            Effect::None
        }
    }
}

/// A problem with loading: the whole panel when nothing is shown yet, else the notice.
fn problem(model: &mut Model, notice: Notice) {
    model.notice = Some(notice);
    model.focus = Some(Focus::Notice);
    if model.view.is_none() {
        model.phase = Phase::Unavailable;
    }
}

fn tone(refusal: &Refusal) -> Tone {
    if retries(refusal) { Tone::Error } else { Tone::Info }
}

/// Whether loading again may work (Keeper or Jira was busy or unreachable).
fn retries(refusal: &Refusal) -> bool {
    matches!(
        refusal.code.as_str(),
        "unavailable" | "keeper-unavailable" | "keeper-busy" | "busy"
    )
}

/// Shows a view and checks again while Keeper is slow or a decision is in flight.
fn show(model: &mut Model, view: KeeperView, at: u64) -> Effect {
    let in_progress = view.live.in_progress();
    model.phase = Phase::Shown;
    model.received_at = at;
    model.clock = model.clock.max(at);
    let mut view = view;
    if let Some(old) = model.view.take() {
        keep_facts(old, &mut view);
    }
    model.view = Some(view);
    // Asked once per expiry: a view still at zero (Keeper slow to say) does not ask again.
    model.expiry_asked &= remaining_ms(model) == Some(0);
    if model.notice.as_ref().is_some_and(|n| n.title == TIME_UP) {
        model.notice = None;
    }
    if !in_progress {
        model.polling = None;
        return Effect::None;
    }
    model.polling.get_or_insert_with(Polling::default).answered();
    check_again(model)
}

/// Answers read no Keeper (after a decision, while one is in flight) carry no request: the
/// panel keeps showing what Keeper said last about the same issue.
fn keep_facts(old: KeeperView, new: &mut KeeperView) {
    if old.issue_key != new.issue_key {
        return;
    }
    if new.kepm.is_none() {
        new.kepm = old.kepm;
    }
    if new.devices.is_none() {
        new.devices = old.devices;
    }
}

fn check_again(model: &mut Model) -> Effect {
    let Some(polling) = model.polling.as_mut() else {
        return Effect::None;
    };
    match polling.next_wait() {
        Some(after_ms) => Effect::Poll { after_ms },
        None => {
            model.polling = None;
            model.notice = Some(Notice::new(Tone::Warning, STILL_WAITING));
            Effect::None
        }
    }
}

fn decide(model: &mut Model, decision: Decision) -> Effect {
    if model.phase != Phase::Shown || !may_decide(model) {
        return Effect::None;
    }
    model.phase = Phase::Deciding(decision);
    model.notice = None;
    Effect::Decide(json!({ "decision": decision }))
}

fn decided(model: &mut Model, answer: Result<Value, String>, at: u64) -> Effect {
    let Phase::Deciding(decision) = model.phase else {
        return Effect::None;
    };
    model.phase = Phase::Shown;
    model.focus = Some(Focus::Notice);
    match answer.and_then(Answer::parse) {
        Ok(Answer::Ok(view)) => {
            model.notice = Some(result_notice(&view, decision));
            show(model, *view, at)
        }
        Ok(Answer::Refused(refusal)) if settles(&refusal.code) => {
            // The request is settled for this user: show it as it is now, with why.
            model.notice = Some(Notice::new(Tone::Warning, refusal.message));
            Effect::Load
        }
        Ok(Answer::Refused(refusal)) => {
            // Keeper did not apply it, was busy or unreachable: the buttons stay.
            model.notice = Some(Notice::new(Tone::Error, refusal.message));
            Effect::None
        }
        Err(problem) => {
            model.notice = Some(
                Notice::new(Tone::Error, DECIDE_FAILED)
                    .line(problem)
                    .line(NOTHING_TWICE),
            );
            Effect::None
        }
    }
}

/// "Approved.", or that the decision is on its way.
fn result_notice(view: &KeeperView, decision: Decision) -> Notice {
    let verb = if decision == Decision::Approve {
        "Approval"
    } else {
        "Denial"
    };
    match &view.outcome {
        Some(outcome) => Notice::new(Tone::Success, super::screen::outcome_title(outcome))
            .line("Keeper has the decision; the note and status are on the issue."),
        None => {
            let mut notice = Notice::new(
                Tone::Info,
                format!("{verb} sent to Keeper; waiting for Keeper to confirm it."),
            );
            notice.lines.extend(view.pending_reason.clone());
            notice.line(UPDATES_BY_ITSELF)
        }
    }
}

fn polled(model: &mut Model, answer: Result<Value, String>, at: u64) -> Effect {
    if model.polling.is_none() || model.phase != Phase::Shown {
        return Effect::None;
    }
    let problem = match answer.and_then(Answer::parse) {
        Ok(Answer::Ok(view)) => {
            let landed = !view.live.in_progress();
            if landed && let Some(outcome) = &view.outcome {
                model.notice = Some(Notice::new(Tone::Success, super::screen::outcome_title(outcome)));
            }
            return show(model, *view, at);
        }
        // A refusal now (unavailable, say) does not end what is in flight.
        Ok(Answer::Refused(refusal)) => refusal.message,
        Err(problem) => problem,
    };
    if let Some(polling) = model.polling.as_mut() {
        polling.failed(problem);
    }
    check_again(model)
}

fn tick(model: &mut Model, at: u64) -> Effect {
    model.clock = model.clock.max(at);
    if remaining_ms(model) == Some(0) && !model.expiry_asked && model.phase == Phase::Shown {
        model.expiry_asked = true;
        model.notice = Some(Notice::new(Tone::Info, TIME_UP));
        return Effect::Load;
    }
    Effect::None
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
