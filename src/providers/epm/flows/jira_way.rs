//! Deciding the Jira way (`avi:jira:updated:issue`): a person moves an open request to the
//! approved or denied status, or a JSM approval on the request completes. The event only says
//! who moved the issue where; which request it is, whether it is decided, and who may decide
//! come from the app's records and from Jira's answers to the app, and the decision then takes
//! the action's own path (`decide::commit`: first decision wins, EPM first, then the issue). A
//! move the app cannot accept is moved back, with a note saying why.

use serde_json::{Value, json};

use super::approver::{self, Right};
use super::decide::{self, decision_record};
use super::deliver;
use super::trusted::{self, RequestRecord};
use crate::approver::{Approver, by_account};
use crate::caps::Caps;
use crate::jira::events::{self, Begun, IssueUpdated, StatusChange};
use crate::jira::{approvals, users};
use crate::lifecycle::recording;
use crate::protocol::{Actor, LogLevel, Outcome};
use crate::providers::epm::mapping::issue::{self, IssueFacts};
use crate::providers::epm::mapping::property::Source;
use crate::providers::epm::page::form::DecisionForm;
use crate::providers::epm::settings::{self, EpmSettings};
use crate::providers::epm::wire::duration::AccessDuration;

/// What became of an event.
enum Handled {
    /// Nothing to do (the reason is for the logs and the host's answer).
    Ignored(String),
    /// A decision went to EPM (or is being sent: `pending`).
    Decided { approved: bool, by: String, pending: bool },
    /// The move was not accepted: the issue was moved back (if the workflow allows) and noted.
    MovedBack { why: String, moved: bool },
}

/// The EPM part of an issue-updated event; `None` when the issue is not one of EPM's requests.
pub async fn on_issue_updated(caps: &Caps, event: &IssueUpdated) -> Option<Outcome> {
    let change = event.status.as_ref()?;
    let record = match trusted::for_issue(caps, &event.issue_id, None).await {
        Ok(found) => found?,
        Err(e) => return Some(Outcome::Error(format!("the app's storage failed ({e})"))),
    };
    let now = match caps.now().await {
        Ok(now) => now,
        Err(e) => return Some(Outcome::Error(format!("the clock failed ({e})"))),
    };
    match events::begin(caps, event, now).await {
        Ok(Begun::Handle) => {}
        Ok(Begun::Duplicate) => {
            return Some(answer(
                event,
                Handled::Ignored("a duplicate delivery of a change already handled".into()),
            ));
        }
        Err(e) => return Some(Outcome::Error(format!("the app's storage failed ({e})"))),
    }
    match handle(caps, event, change, &record, now).await {
        Ok(handled) => {
            events::done(caps, event, now).await;
            Some(answer(event, handled))
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
            Some(Outcome::Error(message))
        }
    }
}

fn answer(event: &IssueUpdated, handled: Handled) -> Outcome {
    let base = json!({"issue": event.issue_key, "changelog": event.changelog_id});
    let mut value = base;
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

/// Which decision a status means under these settings, if any.
fn meaning(config: &EpmSettings, status: &str) -> Option<bool> {
    if status.eq_ignore_ascii_case(config.approved_status.trim()) {
        Some(true)
    } else if status.eq_ignore_ascii_case(config.denied_status.trim()) {
        Some(false)
    } else {
        None
    }
}

/// Who decided, and how their right is checked.
struct Decider {
    approver: Approver,
    right: Right,
    source: Source,
}

async fn handle(
    caps: &Caps,
    event: &IssueUpdated,
    change: &StatusChange,
    record: &RequestRecord,
    now: u64,
) -> Result<Handled, String> {
    let config = settings::load(caps).await?;
    if !config.enabled {
        return Ok(Handled::Ignored("the EPM integration is turned off".into()));
    }
    let Some(approved) = meaning(&config, &change.to_name) else {
        return Ok(Handled::Ignored(format!(
            "moved to \"{}\", which decides nothing",
            change.to_name
        )));
    };
    if !config.decide_by_transition && !config.decide_by_jsm_approval {
        return Ok(Handled::Ignored(
            "deciding by transition or JSM approval is turned off".into(),
        ));
    }
    let app = users::app_account(caps).await.map_err(|e| e.to_string())?;
    if event.actor == app {
        return Ok(Handled::Ignored("the app's own change".into()));
    }
    let issue = issue::load(caps, Actor::App, &event.issue_id)
        .await
        .map_err(|r| r.message)?;
    if !issue.status.eq_ignore_ascii_case(&change.to_name) {
        return Ok(Handled::Ignored(format!(
            "the issue has moved on to \"{}\" since",
            issue.status
        )));
    }
    let request = record.request_ref();
    if let Some(decision) = deliver::recorded(caps, &request).await.map_err(|e| e.to_string())? {
        if decision.approved == approved {
            return Ok(Handled::Ignored("the request is already decided so".into()));
        }
        let lines = crate::providers::epm::page::view::decision_lines(&decision);
        let why = format!("The request is already decided: {}.", lines[0]);
        let mover = by_account(caps, &event.actor)
            .await
            .map(|a| a.display_name)
            .unwrap_or_default();
        let back_to = super::record::target_status(&config, &decision);
        return move_back(caps, &config, &issue, change, &back_to, &mover, why).await;
    }
    let decider = match decider(caps, &config, event, &issue, approved).await? {
        Ok(decider) => decider,
        Err(ignored) => return Ok(Handled::Ignored(ignored)),
    };
    let mover = decider.approver.display_name.clone();
    let blocked = approver::blocker(
        caps,
        &config,
        &issue,
        &record.requester(),
        &decider.approver,
        decider.right,
    )
    .await
    .map_err(|r| r.message)?;
    if let Some(refusal) = blocked {
        return move_back(
            caps,
            &config,
            &issue,
            change,
            &change.from_name,
            &mover,
            refusal.message,
        )
        .await;
    }
    let duration = if approved {
        match duration(caps, &config, &issue).await? {
            Ok(duration) => Some(duration),
            Err(why) => return move_back(caps, &config, &issue, change, &change.from_name, &mover, why).await,
        }
    } else {
        None
    };
    let form = DecisionForm {
        approve: approved,
        duration,
        message: String::new(),
    };
    let mut decision = decision_record(&form, &approver::person(&decider.approver), now);
    decision.source = decider.source;
    match decide::commit(caps, &config, &issue, record, &decider.approver, decision, now).await {
        Ok(answer) => {
            caps.log(
                LogLevel::Info,
                format!(
                    "{mover} {} {} by {}",
                    if approved { "approved" } else { "denied" },
                    issue.key,
                    if decider.source == Source::Approval {
                        "JSM approval"
                    } else {
                        "transition"
                    }
                ),
            )
            .await;
            Ok(Handled::Decided {
                approved,
                by: mover,
                pending: answer
                    .pointer("/outcome/pending")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            })
        }
        Err(refusal) if refusal.code == "unavailable" => Err(refusal.message),
        Err(refusal) => {
            // Someone's decision is on its way (the same one: nothing to undo) or EPM refused.
            if refusal.code == "already-decided" && in_flight_is(caps, record, approved).await {
                return Ok(Handled::Ignored(refusal.message));
            }
            move_back(
                caps,
                &config,
                &issue,
                change,
                &change.from_name,
                &mover,
                refusal.message,
            )
            .await
        }
    }
}

/// Whether the decision being sent (claimed, not yet recorded) is `approved`.
async fn in_flight_is(caps: &Caps, record: &RequestRecord, approved: bool) -> bool {
    matches!(
        super::claim::current(caps, &record.request_ref()).await,
        Ok(Some((_, held))) if held.approved == approved
    )
}

/// The person who decided: the JSM approver when a completed approval says so (and that path is
/// on), else the person who moved the issue (when deciding by transition is on). `Err(Ok)` for
/// an event that decides nothing under these settings.
async fn decider(
    caps: &Caps,
    config: &EpmSettings,
    event: &IssueUpdated,
    issue: &IssueFacts,
    approved: bool,
) -> Result<Result<Decider, String>, String> {
    if config.decide_by_jsm_approval && issue.project_type == "service_desk" {
        let completed = approvals::completed(caps, &issue.key)
            .await
            .map_err(|e| format!("the JSM approvals could not be read: {e}"))?;
        if let Some(completed) = completed.filter(|c| c.approved == approved) {
            let approver = by_account(caps, &completed.approver).await.map_err(|r| r.message)?;
            let right = if config.trust_jsm_approvers {
                Right::JsmApprover
            } else {
                Right::Account
            };
            return Ok(Ok(Decider {
                approver,
                right,
                source: Source::Approval,
            }));
        }
    }
    if !config.decide_by_transition {
        return Ok(Err(
            "deciding by transition is turned off and no JSM approval completed".into(),
        ));
    }
    let approver = by_account(caps, &event.actor).await.map_err(|r| r.message)?;
    Ok(Ok(Decider {
        approver,
        right: Right::Account,
        source: Source::Transition,
    }))
}

/// The duration of an approval: the configured field's value, else the default. `Ok(Err)`
/// says why there is none.
async fn duration(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
) -> Result<Result<AccessDuration, String>, String> {
    let field = config.duration_field_id.trim();
    if !field.is_empty() {
        let path = format!("/rest/api/3/issue/{}?fields={field}", issue.id);
        let answer = crate::jira::client::call(caps, Actor::App, "GET", &path, None)
            .await
            .map_err(|e| e.to_string())?;
        let value = answer.pointer(&format!("/fields/{field}"));
        let text = value
            .and_then(|v| v.get("value").and_then(Value::as_str).or(v.as_str()))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if let Some(text) = text {
            return Ok(AccessDuration::from_label(text).map_err(|problem| {
                format!(
                    "The access duration \"{}\" cannot be used: {problem}.",
                    crate::text::printable(text, 40)
                )
            }));
        }
    }
    let default = config.default_duration.trim();
    if default.is_empty() {
        return Ok(Err(if field.is_empty() {
            "No access duration: the app has no duration field or default configured. An admin can set one in the app's settings; meanwhile decide with \"Manage JIT Access Request\".".into()
        } else {
            "No access duration: choose one in the access duration field, then move the issue again.".into()
        }));
    }
    Ok(AccessDuration::from_label(default)
        .map_err(|problem| format!("The default access duration cannot be used: {problem}.")))
}

/// Moves the issue back (`to`: where it was, or where the decision already made leads) and
/// says why in a note.
async fn move_back(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    change: &StatusChange,
    to: &str,
    mover: &str,
    why: String,
) -> Result<Handled, String> {
    let mut to = to;
    let mut moved = recording::move_to(caps, &issue.id, to)
        .await
        .map_err(|e| e.to_string())?;
    if !moved && !to.eq_ignore_ascii_case(&change.from_name) {
        // No way to the decision's status from here: at least undo the move.
        to = &change.from_name;
        moved = recording::move_to(caps, &issue.id, to)
            .await
            .map_err(|e| e.to_string())?;
    }
    let mover = if mover.is_empty() { "Someone" } else { mover };
    let mut lines = vec![format!(
        "Not sent to EPM: {mover} moved this request to \"{}\".",
        change.to_name
    )];
    lines.push(why.clone());
    lines.push(if moved {
        format!("The app moved it back to \"{to}\".")
    } else {
        format!("The workflow has no transition back to \"{to}\", so the status stays.")
    });
    let at = recording::Issue {
        id: &issue.id,
        key: &issue.key,
        status: &issue.status,
        project_type: &issue.project_type,
    };
    recording::note(caps, at, config.internal_note, &lines)
        .await
        .map_err(|e| e.to_string())?;
    caps.log(
        LogLevel::Info,
        format!("{}: {mover}'s move not accepted: {why}", issue.key),
    )
    .await;
    Ok(Handled::MovedBack { why, moved })
}
