//! `keeper.decide`: an approver approves or denies the request on the issue. In order, all on
//! the server: the integration is on; the request is not already decided (the app's outcome);
//! Keeper's live state says it is still open (else it is recorded as processed outside Jira or
//! expired, and the answer says so); a KEPM request is within its 30 minutes whatever the page
//! showed; the user may decide and is not the requester (`deciders.rs`); first decision wins
//! (`lifecycle::claim`). Then the action goes to Commander, and Keeper's state is read again to
//! know what happened (`settle::collect`). What does not finish within the resolver's time is
//! answered as in flight, and the `keeper.settle` job finishes it.

use serde::Deserialize;
use serde_json::Value;

use super::super::commander::{self, Command, CommanderError};
use super::super::records::{Claim, Decision};
use super::super::settings::secrets;
use super::super::subject::Subject;
use super::live::Live;
use super::panel::Loaded;
use super::panel::{self, Seen, storage};
use super::reconcile;
use super::settle::{self, Collected};
use crate::caps::Caps;
use crate::lifecycle::claim::{self, Claimed};
use crate::lifecycle::lease::State;
use crate::protocol::LogLevel;
use crate::providers::keeper::records::keys;
use crate::resolver::{Context, Refusal};

/// Time for the first live read, then for the action's result and the read after it.
const READ_BUDGET_MS: u64 = 6_000;
const ACT_BUDGET_MS: u64 = 12_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Form {
    decision: Decision,
}

fn decided(seen_outcome: &super::super::records::Outcome) -> Refusal {
    let how = match seen_outcome.source.as_str() {
        "jira" => format!(
            "already {} in Jira by {}",
            seen_outcome.result,
            seen_outcome.by.as_deref().unwrap_or("someone")
        ),
        "expiry" => "expired: KEPM requests end 30 minutes after they were made".into(),
        _ if seen_outcome.result == "decided" => "already processed outside Jira (no longer pending in Keeper)".into(),
        _ => format!(
            "already processed outside Jira: Keeper shows it {}",
            seen_outcome.result
        ),
    };
    Refusal::new("already-decided", format!("This request was {how}."))
}

pub async fn decide(caps: &Caps, payload: &Value, context: &Context) -> Result<Value, Refusal> {
    let form: Form = serde_json::from_value(payload.clone()).map_err(|_| {
        Refusal::new(
            "invalid",
            "Send {\"decision\": \"approve\"} or {\"decision\": \"deny\"}.",
        )
        .with_fields(serde_json::json!({"decision": "must be approve or deny"}))
    })?;
    let loaded = panel::load(caps, context).await?;
    decide_as(caps, &loaded, form.decision, Who::SignedIn(context)).await
}

/// Who decides: the page's signed-in user, or a person an event names (their move of the
/// issue), checked as the app.
pub enum Who<'a> {
    SignedIn(&'a Context),
    Account(crate::approver::Approver),
}

/// The decision on a loaded request, by `who`, through Commander (the panel's and the moves'
/// path alike).
pub async fn decide_as(caps: &Caps, loaded: &Loaded, decision: Decision, who: Who<'_>) -> Result<Value, Refusal> {
    if !loaded.settings.enabled {
        return Err(Refusal::new(
            "disabled",
            "The Keeper integration is turned off in the app's configuration; nothing was sent.",
        ));
    }
    let endpoint = secrets::endpoint(caps, &loaded.settings)
        .await
        .map_err(|e| Refusal::new("keeper-unavailable", format!("{e}; nothing was sent.")))?;
    // What Keeper says now: an outside decision, an expiry, or a decision in flight comes first.
    let seen = panel::look(caps, loaded, Some(&endpoint), READ_BUDGET_MS).await?;
    if let Some(outcome) = &seen.outcome {
        return Err(decided(outcome));
    }
    if let Some(claim) = &seen.claim {
        return Err(Refusal::new(
            "already-decided",
            format!(
                "{} is already sending a decision ({}) to Keeper.",
                claim.by_name,
                claim.decision.past()
            ),
        ));
    }
    let request = &loaded.request;
    match &seen.live {
        Live::Kepm(_) | Live::Devices(_) => {}
        Live::Running => {
            return Err(Refusal::new(
                "keeper-busy",
                "Keeper is slow to answer; nothing was sent. Try again in a moment.",
            ));
        }
        Live::UnknownKepm => {
            return Err(Refusal::new(
                "keeper-failed",
                "Keeper does not know this request; nothing was sent.",
            ));
        }
        Live::Failed(e) => return Err(Refusal::new("keeper-unavailable", format!("{e}; nothing was sent."))),
        Live::Unreadable(e) => return Err(Refusal::new("keeper-unavailable", format!("{e}; nothing was sent."))),
    }
    // The server's own clock decides expiry, whatever the page's countdown showed.
    if let Some(end) = reconcile::expires_at(request, &seen.live)
        && seen.now >= end
    {
        return Err(Refusal::new(
            "expired",
            "This request expired (30 minutes after it was made); nothing was sent.",
        ));
    }
    // The action, from validated values only; a device by the one id Keeper listed for it.
    let approve = decision.approved();
    let command = match (&request.subject, &seen.live) {
        (Subject::Kepm { uid }, _) => Command::ActKepm(uid.clone(), approve),
        (Subject::Device { .. }, Live::Devices(devices)) => match devices.as_slice() {
            [one] => Command::ActDevice(one.device_id.clone(), approve),
            _ => {
                return Err(Refusal::new(
                    "ambiguous",
                    "This user has several pending devices in Keeper and the request does not say which; decide it in Keeper's Admin Console.",
                ));
            }
        },
        (Subject::Device { .. }, _) => {
            return Err(Refusal::new(
                "keeper-unavailable",
                "Keeper's list of pending devices could not be read; nothing was sent.",
            ));
        }
    };
    let device_id = match &command {
        Command::ActDevice(id, _) => Some(id.to_string()),
        _ => None,
    };
    let (approver, blocked) = match who {
        Who::SignedIn(context) => panel::decider(caps, loaded, &seen.live, context, seen.now).await?,
        Who::Account(approver) => {
            let requester = panel::requester(request, &seen.live);
            let blocked = super::deciders::verdict(
                caps,
                &loaded.settings,
                &loaded.ticket.project_key,
                requester.as_deref(),
                &approver,
                false,
                seen.now,
            )
            .await?;
            (approver, blocked)
        }
    };
    if let Some(refusal) = blocked {
        return Err(refusal);
    }
    let instance = crate::instance::current(caps).await;
    let mine = Claim {
        at: seen.now,
        state: State::Sending,
        instance,
        decision,
        by_account: approver.account_id.clone(),
        by_name: approver.display_name.clone(),
        device_id,
        command_id: None,
        submitted_at: seen.now,
    };
    let slots = keys::decision(&request.sid);
    let generation = match claim::claim(caps, &slots, &mine).await.map_err(storage)? {
        Claimed::Won(generation) => generation,
        Claimed::Decided(held) | Claimed::InFlight(_, held) | Claimed::Busy(Some(held)) => {
            return Err(Refusal::new(
                "already-decided",
                format!("{} decided first ({}).", held.by_name, held.decision.past()),
            ));
        }
        Claimed::Busy(None) | Claimed::Exhausted => {
            return Err(Refusal::new(
                "busy",
                "Someone else is deciding this request right now; reload in a moment.",
            ));
        }
    };
    caps.log(
        LogLevel::Info,
        format!(
            "{}: {} {} by {}",
            request.issue_key,
            decision.past(),
            request.subject.label(),
            approver.display_name
        ),
    )
    .await;
    let submitted = commander::submit(caps, &endpoint, &command).await;
    let mut claim = mine;
    match submitted {
        Ok(id) => {
            claim.command_id = Some(id);
            claim.submitted_at = caps.now().await.map_err(storage)?;
            claim::settle(caps, &slots, generation, &claim).await.map_err(storage)?;
        }
        Err(CommanderError::Unreachable(e)) => {
            // The command may have reached the queue: in flight until Keeper's state says.
            claim.state = State::Unknown;
            claim::settle(caps, &slots, generation, &claim).await.map_err(storage)?;
            let _ = settle::queue(caps, &request.sid, seen.now).await;
            return pending(caps, loaded, format!("Commander could not be reached ({e})")).await;
        }
        Err(e) => {
            // Refused before the queue (key, allow-list, URL, rate limit, queue full): nothing ran.
            claim.state = State::Released;
            claim::settle(caps, &slots, generation, &claim).await.map_err(storage)?;
            return Err(Refusal::new(
                "keeper-failed",
                format!("{e}. Nothing was changed in Keeper."),
            ));
        }
    }
    match settle::collect(caps, &loaded.settings, &endpoint, request, ACT_BUDGET_MS).await {
        Collected::Concluded(outcome) if outcome.source == "jira" => after(caps, loaded).await,
        Collected::Concluded(outcome) => Err(decided(&outcome)),
        Collected::Released(why) => Err(Refusal::new(
            "keeper-failed",
            format!("Keeper did not apply the decision: {why}. You may try again."),
        )),
        Collected::Nothing => after(caps, loaded).await,
        Collected::Waiting(why) => {
            let now = caps.now().await.map_err(storage)?;
            let _ = settle::queue(caps, &request.sid, now).await;
            pending(caps, loaded, why).await
        }
    }
}

/// The view after a decision.
async fn after(caps: &Caps, loaded: &Loaded) -> Result<Value, Refusal> {
    let now = caps.now().await.map_err(storage)?;
    let outcome = super::super::records::read_outcome(caps, &loaded.request.sid)
        .await
        .map_err(storage)?;
    let seen = Seen {
        live: Live::Running,
        outcome,
        claim: None,
        now,
    };
    Ok(panel::view(loaded, &seen, None, None))
}

/// The view of a decision in flight: the page polls `keeper.status`.
async fn pending(caps: &Caps, loaded: &Loaded, why: String) -> Result<Value, Refusal> {
    let now = caps.now().await.map_err(storage)?;
    let claim = reconcile::current_claim(caps, &loaded.request)
        .await
        .map_err(storage)?
        .map(|(_, c)| c);
    caps.log(
        LogLevel::Info,
        format!("{}: decision in flight ({why})", loaded.request.issue_key),
    )
    .await;
    let seen = Seen {
        live: Live::Running,
        outcome: None,
        claim,
        now,
    };
    let mut view = panel::view(loaded, &seen, None, None);
    view["view"]["pendingReason"] = Value::String(why);
    Ok(view)
}
