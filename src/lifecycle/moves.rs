//! Deciding by moving an issue (the Jira way), the part every provider shares: an event handled
//! once (`once`), which decision a status means (`meaning`), the event's answer, and a move the
//! app does not accept moved back with a note saying why (`move_back`). What a move means for a
//! request, and who may make it, are the provider's.

use std::future::Future;

use serde_json::json;

use super::recording;
use crate::caps::Caps;
use crate::jira::events::{self, Begun, IssueUpdated, StatusChange};
use crate::protocol::{LogLevel, Outcome};

/// What became of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Nothing to do (the reason is for the logs and the answer).
    Ignored(String),
    /// A decision went to the PAM system (or is being sent: `pending`).
    Decided { approved: bool, by: String, pending: bool },
    /// The move was not accepted: moved back (if the workflow allows) and noted.
    MovedBack { why: String, moved: bool },
}

/// Runs `handle` once per change (`jira::events::begin`): a duplicate delivery is ignored, a
/// transient failure (`Err`) lets a redelivery try again. The answer of the event.
pub async fn once<F, Fut>(caps: &Caps, event: &IssueUpdated, handle: F) -> Outcome
where
    F: FnOnce(u64) -> Fut,
    Fut: Future<Output = Result<Handled, String>>,
{
    let now = match caps.now().await {
        Ok(now) => now,
        Err(e) => return Outcome::Error(format!("the clock failed ({e})")),
    };
    match events::begin(caps, event, now).await {
        Ok(Begun::Handle) => {}
        Ok(Begun::Duplicate) => {
            return answer(
                event,
                Handled::Ignored("a duplicate delivery of a change already handled".into()),
            );
        }
        Err(e) => return Outcome::Error(format!("the app's storage failed ({e})")),
    }
    match handle(now).await {
        Ok(handled) => {
            events::done(caps, event, now).await;
            answer(event, handled)
        }
        Err(message) => {
            events::abandon(caps, event).await;
            caps.log(
                LogLevel::Warn,
                format!(
                    "{}: event {} not handled: {message}",
                    event.issue_key, event.changelog_id
                ),
            )
            .await;
            Outcome::Error(message)
        }
    }
}

/// The event's answer: `{"issue", "changelog", "result", …}`.
pub fn answer(event: &IssueUpdated, handled: Handled) -> Outcome {
    let mut value = json!({"issue": event.issue_key, "changelog": event.changelog_id});
    match handled {
        Handled::Ignored(reason) => {
            value["result"] = json!("ignored");
            value["reason"] = json!(reason);
        }
        Handled::Decided { approved, by, pending } => {
            value["result"] = json!(if pending { "sending" } else { "decided" });
            value["approved"] = json!(approved);
            value["by"] = json!(by);
        }
        Handled::MovedBack { why, moved } => {
            value["result"] = json!(if moved { "moved-back" } else { "refused" });
            value["reason"] = json!(why);
        }
    }
    Outcome::Value(value.to_string())
}

/// Whether the change is the app's own (its recording, expiry or a move back): the actor is the
/// app's account (`jira::users::app_account`).
pub async fn by_the_app(caps: &Caps, event: &IssueUpdated) -> Result<bool, String> {
    let app = crate::jira::users::app_account(caps).await.map_err(|e| e.to_string())?;
    Ok(event.actor == app)
}

/// Which decision a status means (by name, ignoring case), if any.
pub fn meaning(status: &str, approved_status: &str, denied_status: &str) -> Option<bool> {
    if status.eq_ignore_ascii_case(approved_status.trim()) {
        Some(true)
    } else if status.eq_ignore_ascii_case(denied_status.trim()) {
        Some(false)
    } else {
        None
    }
}

/// A move the app does not accept.
pub struct Refused<'a> {
    pub issue: recording::Issue<'a>,
    pub change: &'a StatusChange,
    /// Where to move it: where it was, or where the decision already made leads (then, if the
    /// workflow has no way there, back where it was).
    pub to: &'a str,
    /// Who moved it ("" when unknown).
    pub mover: &'a str,
    /// The PAM system, as notes name it ("EPM", "Keeper").
    pub system: &'a str,
    pub internal_note: bool,
}

/// Moves the issue back and says why in a note.
pub async fn move_back(caps: &Caps, refused: Refused<'_>, why: String) -> Result<Handled, String> {
    let Refused {
        issue,
        change,
        mut to,
        mover,
        system,
        internal_note,
    } = refused;
    let mut moved = recording::move_to(caps, issue.id, to)
        .await
        .map_err(|e| e.to_string())?;
    if !moved && !to.eq_ignore_ascii_case(&change.from_name) {
        to = &change.from_name;
        moved = recording::move_to(caps, issue.id, to)
            .await
            .map_err(|e| e.to_string())?;
    }
    let mover = if mover.is_empty() { "Someone" } else { mover };
    let lines = vec![
        format!(
            "Not sent to {system}: {mover} moved this request to \"{}\".",
            change.to_name
        ),
        why.clone(),
        if moved {
            format!("The app moved it back to \"{to}\".")
        } else {
            format!("The workflow has no transition back to \"{to}\", so the status stays.")
        },
    ];
    recording::note(caps, issue, internal_note, &lines)
        .await
        .map_err(|e| e.to_string())?;
    caps.log(
        LogLevel::Info,
        format!("{}: {mover}'s move not accepted: {why}", issue.key),
    )
    .await;
    Ok(Handled::MovedBack { why, moved })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_mean_decisions_by_name() {
        assert_eq!(meaning("approved", "Approved", "Denied"), Some(true));
        assert_eq!(meaning("DENIED", "Approved", " Denied "), Some(false));
        assert_eq!(meaning("Open", "Approved", "Denied"), None);
    }
}
