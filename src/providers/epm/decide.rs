//! The approver's decision (`epm.decide`): checked form, checked approver, first decision
//! wins, EPM first (nothing is recorded as decided unless EPM took it), then the issue.

use serde_json::{Value, json};

use super::api::{self, Notification};
use super::approver;
use super::claim::{self, Acquired, Claim, ClaimState};
use super::form::{self, DecisionForm};
use super::issue::{self, IssueFacts};
use super::keys;
use super::property::{DecisionRecord, EpmProperty, Source};
use super::record;
use super::view;
use super::wire::RequestRef;
use crate::caps::Caps;
use crate::config::Config;
use crate::protocol::{Actor, LogLevel};
use crate::resolver::{Context, Refusal};
use crate::{store, time};

pub const RECORD_VERSION: u32 = 1;

/// The request identity of an issue's property.
pub fn request_ref(property: &EpmProperty) -> RequestRef {
    RequestRef {
        tenant_id: property.tenant_id.clone(),
        request_id: property.request_id.clone(),
    }
}

/// The recorded decision of a request, if EPM has one.
pub async fn recorded(caps: &Caps, request: &RequestRef) -> Result<Option<DecisionRecord>, Refusal> {
    let text = caps.kv_get(&keys::decision(request)).await.map_err(storage)?;
    Ok(text.and_then(|t| store::decode(RECORD_VERSION, &t)))
}

pub fn storage(e: crate::caps::CapError) -> Refusal {
    Refusal::new(
        "unavailable",
        format!("The app's storage failed ({e}). Nothing was changed; try again."),
    )
}

/// Loads the configuration a decision needs: enabled, with an EPM connection.
pub async fn decision_config(caps: &Caps) -> Result<Config, Refusal> {
    let config = crate::webtrigger::load_config(caps)
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

/// The issue of the page and its EPM property.
pub async fn load_request(caps: &Caps, context: &Context) -> Result<(IssueFacts, EpmProperty), Refusal> {
    let key = context
        .issue_key
        .as_deref()
        .ok_or_else(|| Refusal::new("no-issue", "This page was opened without an issue."))?;
    let issue = issue::load(caps, Actor::User, key).await?;
    let property = issue.property.clone().ok_or_else(|| {
        Refusal::new(
            "not-epm",
            format!("{key} is not an EPM access request, so there is nothing to decide here."),
        )
    })?;
    Ok((issue, property))
}

fn already(record: &DecisionRecord) -> Refusal {
    let lines = view::decision_lines(record);
    Refusal::new("already-decided", format!("Already decided: {}.", lines[0]))
}

pub async fn decide(caps: &Caps, context: &Context, payload: &Value) -> Result<Value, Refusal> {
    let form = form::validate(payload)
        .map_err(|fields| Refusal::new("invalid", "Some fields need attention.").with_fields(json!(fields)))?;
    let config = decision_config(caps).await?;
    let (issue, property) = load_request(caps, context).await?;
    let request = request_ref(&property);
    if let Some(decision) = &property.decision {
        return Err(already(decision));
    }
    if let Some(decision) = recorded(caps, &request).await? {
        return Err(already(&decision));
    }
    let (approver, blocked) = approver::check(caps, &config, &issue, &property, context.account_id.as_deref()).await?;
    if let Some(refusal) = blocked {
        return Err(refusal);
    }
    let now = caps.now().await.map_err(storage)?;
    let claim = Claim {
        at: now,
        by: approver.display_name.clone(),
        approved: form.approve,
        state: ClaimState::Sending,
    };
    let generation = match claim::acquire(caps, &request, &claim).await.map_err(storage)? {
        Acquired::Won(generation) => generation,
        Acquired::Decided(held) => {
            return Err(match recorded(caps, &request).await? {
                Some(decision) => already(&decision),
                None => Refusal::new(
                    "already-decided",
                    format!("Already decided by {} at {}.", held.by, time::display(held.at)),
                ),
            });
        }
        Acquired::Busy(held) => {
            return Err(Refusal::new(
                "already-decided",
                format!(
                    "{} is deciding this request right now (since {}). Reopen it in a moment to see the outcome.",
                    held.by,
                    time::display(held.at)
                ),
            ));
        }
        Acquired::Exhausted => {
            return Err(Refusal::new(
                "unavailable",
                "Too many attempts to decide this request failed in a row; try again in a minute.",
            ));
        }
    };
    let decision = decision_record(&form, &approver.person(), now);
    let notification = Notification {
        request_id: property.request_id.clone(),
        ticket_id: issue.key.clone(),
        ticket_url: issue.browse_url(),
        approved: form.approve,
        duration: form.duration.map_or_else(|| "Once".to_string(), |d| d.to_epm()),
        decision_time: time::epm_datetime(now),
        performed_by: approver.display_name.clone(),
        message: form.message.clone(),
    };
    if let Err(e) = api::send_decision(caps, &config, &notification, now).await {
        if let Err(store_error) = claim::settle(caps, &request, generation, &claim, ClaimState::Released).await {
            caps.log(
                LogLevel::Error,
                format!("could not release the decision claim: {store_error}"),
            )
            .await;
        }
        caps.log(
            LogLevel::Warn,
            format!("EPM did not take the decision for {}: {e}", issue.key),
        )
        .await;
        return Err(Refusal::new(
            "epm-failed",
            format!("{e}. Nothing was recorded; you can try again."),
        ));
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
    remember(caps, &request, generation, &claim, &decision).await;
    Ok(finish(caps, &config, &issue, &property, &decision, now).await)
}

/// The decision as recorded, from the form.
pub fn decision_record(form: &DecisionForm, by: &super::property::Person, now: u64) -> DecisionRecord {
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
    }
}

/// Keeps the decision EPM took. Storage failing here loses no decision (EPM has it and its
/// update webhook brings it back), so it is logged, not refused.
pub async fn remember(caps: &Caps, request: &RequestRef, generation: u32, claim: &Claim, decision: &DecisionRecord) {
    let kept = caps
        .kv_set(&keys::decision(request), &store::encode(RECORD_VERSION, decision))
        .await;
    let settled = claim::settle(caps, request, generation, claim, ClaimState::Decided).await;
    if let Err(e) = kept.and(settled) {
        caps.log(LogLevel::Error, format!("could not keep the decision: {e}"))
            .await;
    }
}

/// Records the decision on the issue and answers with the new view.
async fn finish(
    caps: &Caps,
    config: &Config,
    issue: &IssueFacts,
    property: &EpmProperty,
    decision: &DecisionRecord,
    now: u64,
) -> Value {
    let mut decided = property.clone();
    decided.decision = Some(decision.clone());
    let (status, outcome) = match record::on_issue(caps, config, issue, property, decision).await {
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
            (
                issue.status.clone(),
                json!({
                    "approved": decision.approved,
                    "warning": format!("EPM has the decision, but Jira could not record it yet ({e}). It is recorded when the request is opened again."),
                }),
            )
        }
    };
    let view = view::build(&issue.key, &issue.summary, &status, &decided, None, now);
    json!({"view": view, "outcome": outcome})
}
