//! Deciding the Jira way (`avi:jira:updated:issue`): a person moves an open request to the
//! approved or denied status, or a JSM approval on the request completes. The event only says
//! who moved the issue where; which request it is, whether it is decided, and who may decide
//! come from the app's records and from Jira's answers to the app, and the decision then takes
//! the action's own path (`decide::commit`: first decision wins, EPM first, then the issue). A
//! move the app cannot accept is moved back, with a note saying why.

use serde_json::Value;

use super::approver::{self, Right};
use super::decide::{self, decision_record};
use super::deliver;
use super::trusted::{self, RequestRecord};
use crate::approver::{Approver, by_account};
use crate::caps::Caps;
use crate::jira::approvals;
use crate::jira::events::{IssueUpdated, StatusChange};
use crate::lifecycle::moves::{self, Handled};
use crate::protocol::{Actor, LogLevel, Outcome};
use crate::providers::epm::mapping::issue::{self, IssueFacts};
use crate::providers::epm::mapping::property::Source;
use crate::providers::epm::page::form::DecisionForm;
use crate::providers::epm::settings::{self, EpmSettings};
use crate::providers::epm::wire::duration::AccessDuration;

/// The EPM part of an issue-updated event; `None` when the issue is not one of EPM's requests.
pub async fn on_issue_updated(caps: &Caps, event: &IssueUpdated) -> Option<Outcome> {
    let change = event.status.as_ref()?;
    let record = match trusted::for_issue(caps, &event.issue_id, None).await {
        Ok(found) => found?,
        Err(e) => return Some(Outcome::Error(format!("the app's storage failed ({e})"))),
    };
    Some(moves::once(caps, event, |now| handle(caps, event, change, &record, now)).await)
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
    let Some(approved) = moves::meaning(&change.to_name, &config.approved_status, &config.denied_status) else {
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
    if moves::by_the_app(caps, event).await? {
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
        return refuse(caps, &config, &issue, change, &back_to, &mover, why).await;
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
        return refuse(
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
            Err(why) => return refuse(caps, &config, &issue, change, &change.from_name, &mover, why).await,
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
            refuse(
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

/// Moves a move the app does not accept back, with a note (`lifecycle::moves::move_back`).
async fn refuse(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    change: &StatusChange,
    to: &str,
    mover: &str,
    why: String,
) -> Result<Handled, String> {
    let refused = moves::Refused {
        issue: issue.at(),
        change,
        to,
        mover,
        system: "EPM",
        internal_note: config.internal_note,
    };
    moves::move_back(caps, refused, why).await
}
