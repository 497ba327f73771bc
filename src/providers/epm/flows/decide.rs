//! The approver's decision (`epm.decide`): checked form, the app's record of the request,
//! checked approver, first decision wins, EPM first (nothing is recorded as decided unless EPM
//! took it), then the issue.

use serde_json::{Value, json};

use super::approver::{self, Approver};
use super::claim::{self, Acquired, Claim, ClaimState, Intent};
use super::deliver::{self, Delivered};
use super::record;
use super::trusted::{self, RequestRecord};
use crate::caps::Caps;
use crate::protocol::{Actor, LogLevel};
use crate::providers::epm::mapping::issue::{self, IssueFacts};
use crate::providers::epm::mapping::property::{DecisionRecord, Source};
use crate::providers::epm::page::form::{self, DecisionForm};
use crate::providers::epm::page::view;
use crate::providers::epm::settings::EpmSettings;
use crate::resolver::{Context, Refusal};
use crate::time;

pub fn storage(e: crate::caps::CapError) -> Refusal {
    Refusal::new(
        "unavailable",
        format!("The app's storage failed ({e}). Nothing was changed; try again."),
    )
}

/// Loads the configuration a decision needs: enabled, with an EPM connection.
pub async fn decision_config(caps: &Caps) -> Result<EpmSettings, Refusal> {
    let config = crate::providers::epm::settings::load(caps)
        .await
        .map_err(|e| Refusal::new("unavailable", e))?;
    if !config.enabled {
        return Err(Refusal::new(
            "not-configured",
            "The EPM integration is turned off. A Jira admin can turn it on in the app's settings.",
        ));
    }
    if config.service_hostname.is_empty() || config.client_id.is_empty() {
        return Err(Refusal::new(
            "not-configured",
            "The EPM connection is not set up (service host name and client id). A Jira admin can set it in the app's settings.",
        ));
    }
    Ok(config)
}

/// The page's issue (read as the user, so nobody reaches an issue Jira hides from them) and the
/// app's record of the request it belongs to, found by the issue's Jira id. An issue the app did
/// not create for a request is `not-epm`, whatever its property says.
pub async fn load_request(caps: &Caps, context: &Context) -> Result<(IssueFacts, RequestRecord), Refusal> {
    let key = context
        .issue_key
        .as_deref()
        .ok_or_else(|| Refusal::new("no-issue", "This page was opened without an issue."))?;
    let issue = issue::load(caps, Actor::User, key).await?;
    let record = trusted::for_issue(caps, &issue.id, issue.property.as_ref())
        .await
        .map_err(storage)?;
    let record = record.ok_or_else(|| {
        Refusal::new(
            "not-epm",
            format!(
                "{} is not an EPM access request the app created, so there is nothing to decide here.",
                issue.key
            ),
        )
    })?;
    Ok((issue, record))
}

fn already(record: &DecisionRecord) -> Refusal {
    let lines = view::decision_lines(record);
    Refusal::new("already-decided", format!("Already decided: {}.", lines[0]))
}

/// Why nobody can decide while a decision's delivery is unknown.
pub fn in_flight_message(held: &Claim) -> String {
    format!(
        "{} {} this request; EPM has not confirmed it yet, so the app is sending the same decision again. Nobody can send a different one meanwhile.",
        held.by,
        if held.approved { "approved" } else { "denied" },
    )
}

pub async fn decide(caps: &Caps, context: &Context, payload: &Value) -> Result<Value, Refusal> {
    let form = form::validate(payload)
        .map_err(|fields| Refusal::new("invalid", "Some fields need attention.").with_fields(json!(fields)))?;
    let config = decision_config(caps).await?;
    let (issue, record) = load_request(caps, context).await?;
    let request = record.request_ref();
    if let Some(decision) = deliver::recorded(caps, &request).await.map_err(storage)? {
        return Err(already(&decision));
    }
    let account = context.account_id.as_deref();
    let (approver, blocked) = approver::check(caps, &config, &issue, &record.requester(), account).await?;
    if let Some(refusal) = blocked {
        return Err(refusal);
    }
    let now = caps.now().await.map_err(storage)?;
    let decision = decision_record(&form, &super::approver::person(&approver), now);
    commit(caps, &config, &issue, &record, &approver, decision, now).await
}

/// A checked decision by a checked approver, from any path (the action, a transition, a JSM
/// approval): first decision wins, EPM first (nothing is recorded as decided unless EPM took
/// it), then the issue. The answer is the page's (view and outcome).
pub async fn commit(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    record: &RequestRecord,
    approver: &Approver,
    decision: DecisionRecord,
    now: u64,
) -> Result<Value, Refusal> {
    let request = record.request_ref();
    let claim = Claim {
        at: now,
        by: approver.display_name.clone(),
        approved: decision.approved,
        state: ClaimState::Sending,
        intent: Some(Intent {
            decision: decision.clone(),
            ticket_id: issue.key.clone(),
            ticket_url: issue.browse_url(),
        }),
        instance: crate::instance::current(caps).await,
    };
    let generation = match claim::acquire(caps, &request, &claim).await.map_err(storage)? {
        Acquired::Won(generation) => generation,
        Acquired::Decided(held) => {
            return Err(match deliver::recorded(caps, &request).await.map_err(storage)? {
                Some(decision) => already(&decision),
                None => Refusal::new(
                    "already-decided",
                    format!("Already decided by {} at {}.", held.by, time::display(held.at)),
                ),
            });
        }
        Acquired::InFlight(generation, held) => {
            if let Delivered::Sent = deliver::resend(caps, config, &request, generation, &held, now)
                .await
                .map_err(storage)?
                && let Some(intent) = &held.intent
            {
                finish(caps, config, issue, record, &intent.decision, now).await;
                return Err(already(&intent.decision));
            }
            return Err(Refusal::new("already-decided", in_flight_message(&held)));
        }
        Acquired::Busy(held) => {
            let who = held.as_ref().map_or("Someone else", |h| h.by.as_str());
            let since = held
                .as_ref()
                .map(|h| format!(" (since {})", time::display(h.at)))
                .unwrap_or_default();
            return Err(Refusal::new(
                "already-decided",
                format!("{who} is deciding this request right now{since}. Reopen it in a moment to see the outcome."),
            ));
        }
        Acquired::Exhausted => {
            return Err(Refusal::new(
                "unavailable",
                "Too many attempts to decide this request failed in a row; try again in a minute.",
            ));
        }
    };
    match deliver::deliver(caps, config, &request, generation, &claim, now, false)
        .await
        .map_err(storage)?
    {
        Delivered::Sent => {}
        Delivered::Refused(e) => {
            return Err(Refusal::new(
                "epm-failed",
                format!("{e}. Nothing was recorded; you can try again."),
            ));
        }
        Delivered::Unknown(e) => {
            // The outbox: the app's queue sends the same decision again until EPM answers.
            super::settle::queue(caps, &request, now, crate::jobs::backoff::BASE_MS).await;
            let mut view = view::build(
                &issue.key,
                &issue.summary,
                &issue.status,
                &record.property(None),
                Some(in_flight_message(&claim)),
                now,
            );
            view.sending = true;
            return Ok(json!({"view": view, "outcome": {
                "approved": decision.approved,
                "pending": true,
                "warning": format!("EPM did not confirm the decision ({e}). It may already have it: the app is sending the same decision again until EPM confirms, then records it on the issue."),
            }}));
        }
        // `deliver` always sends; only `resend` skips.
        Delivered::NotDue => {}
    }
    caps.log(
        LogLevel::Info,
        format!(
            "{} {} {} in EPM",
            approver.display_name,
            decision.word().to_lowercase(),
            issue.key
        ),
    )
    .await;
    Ok(finish(caps, config, issue, record, &decision, now).await)
}

/// The decision as recorded, from the form.
pub fn decision_record(
    form: &DecisionForm,
    by: &crate::providers::epm::mapping::property::Person,
    now: u64,
) -> DecisionRecord {
    let duration = form.duration.filter(|_| form.approve);
    DecisionRecord {
        approved: form.approve,
        duration,
        duration_label: duration.map(|d| d.label()).unwrap_or_default(),
        expires_at: duration.and_then(|d| d.seconds()).map(|s| now + s * 1000),
        decided_by: by.clone(),
        decided_at: now,
        message: form.message.clone(),
        source: Source::Jira,
        expired_at: None,
        kept_at: 0,
    }
}

/// Records the decision on the issue and answers with the new view.
pub async fn finish(
    caps: &Caps,
    config: &EpmSettings,
    issue: &IssueFacts,
    record: &RequestRecord,
    decision: &DecisionRecord,
    now: u64,
) -> Value {
    let (status, outcome) = match record::on_issue(caps, config, issue, record, decision).await {
        Ok(recorded) => (
            recorded.moved_to.clone().unwrap_or_else(|| issue.status.clone()),
            json!({
                "approved": decision.approved,
                "internalNote": recorded.internal_note,
                "movedTo": recorded.moved_to,
                "statusNote": recorded.status_note,
            }),
        ),
        Err(e) => {
            caps.log(LogLevel::Error, format!("{} decided but not recorded: {e}", issue.key))
                .await;
            super::settle::queue(caps, &record.request_ref(), now, super::record::REPAIR_AFTER_MS).await;
            (
                issue.status.clone(),
                json!({
                    "approved": decision.approved,
                    "warning": format!("EPM has the decision, but Jira could not record it yet ({e}). The app records it shortly."),
                }),
            )
        }
    };
    let view = view::build(
        &issue.key,
        &issue.summary,
        &status,
        &record.property(Some(decision)),
        None,
        now,
    );
    json!({"view": view, "outcome": outcome})
}
