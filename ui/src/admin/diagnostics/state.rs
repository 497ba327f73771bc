//! The Diagnostics section as a state machine: closed → loading → shown, and retrying a dead
//! letter → shown again with the answer's fresh view. `reduce` is pure.

use pam_approvals::diagnostics::view::DiagnosticsView;
use serde::Deserialize;
use serde_json::Value;

use crate::admin::answer::{Reply, parse};
use crate::state::{Notice, Tone};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// Nothing asked yet.
    #[default]
    Closed,
    Loading,
    Shown,
    /// `admin.retry` runs for `Model::retrying`.
    Retrying,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Model {
    pub phase: Phase,
    pub view: Option<DiagnosticsView>,
    pub notice: Option<Notice>,
    /// The dead letter being retried.
    pub retrying: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// "Show diagnostics" / "Refresh".
    Load,
    Loaded(Result<Value, String>),
    /// "Retry now" on the dead letter with this key.
    RetryNow(String),
    Retried(Result<Value, String>),
}

/// The resolver call to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    None,
    /// `admin.diagnostics`, back as `Loaded`.
    Load,
    /// `admin.retry` with `{"deadLetter": key}`, back as `Retried`.
    Retry(String),
}

#[derive(Deserialize)]
struct Answer {
    diagnostics: DiagnosticsView,
}

pub const LOAD_FAILED: &str = "The diagnostics could not be loaded.";
pub const RETRY_FAILED: &str = "The job could not be queued again.";
pub const RETRIED: &str = "Queued again: the job runs within seconds. Refresh to follow it.";

pub fn reduce(model: &mut Model, action: Action) -> Call {
    let busy = matches!(model.phase, Phase::Loading | Phase::Retrying);
    match action {
        Action::Load if busy => Call::None,
        Action::Load => {
            model.phase = Phase::Loading;
            model.notice = None;
            Call::Load
        }
        Action::Loaded(answer) => {
            match read(answer) {
                Ok(view) => model.view = Some(view),
                Err(notice) => model.notice = Some(notice.titled(LOAD_FAILED)),
            }
            model.phase = if model.view.is_some() {
                Phase::Shown
            } else {
                Phase::Closed
            };
            Call::None
        }
        Action::RetryNow(_) if busy => Call::None,
        Action::RetryNow(key) => {
            let listed = model
                .view
                .as_ref()
                .is_some_and(|view| view.dead.iter().any(|letter| letter.key == key));
            if !listed {
                return Call::None;
            }
            model.phase = Phase::Retrying;
            model.notice = None;
            model.retrying = Some(key.clone());
            Call::Retry(key)
        }
        Action::Retried(answer) => {
            model.retrying = None;
            model.phase = Phase::Shown;
            match read(answer) {
                Ok(view) => {
                    model.view = Some(view);
                    model.notice = Some(Notice::new(Tone::Success, RETRIED));
                    Call::None
                }
                // Retried already (another admin, another tab): show the list as it is now.
                Err(Failure::Refused { code, message }) if code == "not-found" => {
                    model.notice = Some(Notice::new(Tone::Warning, message));
                    model.phase = Phase::Loading;
                    Call::Load
                }
                Err(failure) => {
                    model.notice = Some(failure.titled(RETRY_FAILED));
                    Call::None
                }
            }
        }
    }
}

/// Why an answer brought no view.
enum Failure {
    Refused { code: String, message: String },
    Broken(String),
}

impl Failure {
    fn titled(self, title: &str) -> Notice {
        let line = match self {
            Failure::Refused { message, .. } => message,
            Failure::Broken(message) => message,
        };
        Notice::new(Tone::Error, title).line(line)
    }
}

fn read(answer: Result<Value, String>) -> Result<DiagnosticsView, Failure> {
    match parse::<Answer>(answer.map_err(Failure::Broken)?) {
        Ok(Reply::Ok(answer)) => Ok(answer.diagnostics),
        Ok(Reply::Refused(refusal)) => Err(Failure::Refused {
            code: refusal.code,
            message: refusal.message,
        }),
        Err(message) => Err(Failure::Broken(message)),
    }
}
