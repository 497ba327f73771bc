//! The "Keeper approval" issue panel's resolvers: `keeper.request` (the view, read live from
//! Keeper on every load), `keeper.status` (the same, for the page to poll while Keeper is slow
//! or a decision is in flight) and `keeper.decide` (`decide.rs`). Every answer is
//! `{"ok": true, "view": …}` or a refusal with a code (docs/resolvers.md).

use serde_json::{Value, json};

use super::super::commander::Endpoint;
use super::super::records::{self, Claim, Outcome, Request, keys};
use super::super::settings::{self, KeeperSettings, secrets};
use super::live::{self, Live};
use super::reconcile::{self, Said};
use super::ticket::{self, Ticket};
use super::{deciders, settle};
use crate::caps::Caps;
use crate::lifecycle::recording;
use crate::protocol::{Actor, LogLevel, Outcome as RunOutcome};
pub use crate::resolver::storage;
use crate::resolver::{self, Context, Refusal};

/// How long a view waits for Keeper (a Forge resolver has 25 s in all).
pub const VIEW_BUDGET_MS: u64 = 8_000;

/// The issue, its request and the settings, for the signed-in user.
pub struct Loaded {
    pub settings: KeeperSettings,
    pub ticket: Ticket,
    pub request: Request,
}

pub async fn load(caps: &Caps, context: &Context) -> Result<Loaded, Refusal> {
    let settings = settings::load(caps).await.map_err(|e| Refusal::new("unavailable", e))?;
    let key = context
        .issue_key
        .as_deref()
        .ok_or_else(|| Refusal::new("no-issue", "This panel was opened without an issue."))?;
    let ticket = ticket::load(caps, Actor::User, key, &settings).await?;
    let request = ticket::request_of(caps, &ticket, &settings).await?;
    Ok(Loaded {
        settings,
        ticket,
        request,
    })
}

/// What the page shows.
pub struct Seen {
    pub live: Live,
    pub outcome: Option<Outcome>,
    pub claim: Option<Claim>,
    pub now: u64,
}

/// Looks at Keeper and brings the app's records up to date with it: a decision in flight is
/// collected, an outside decision or an expiry is recorded once.
pub async fn look(caps: &Caps, loaded: &Loaded, endpoint: Option<&Endpoint>, budget_ms: u64) -> Result<Seen, Refusal> {
    let request = &loaded.request;
    let now = caps.now().await.map_err(storage)?;
    let outcome = records::read_outcome(caps, &request.sid).await.map_err(storage)?;
    if let Some(outcome) = outcome {
        repair(caps, &loaded.settings, request, &outcome, now).await;
        return Ok(Seen {
            live: Live::Running,
            outcome: Some(outcome),
            claim: None,
            now,
        });
    }
    let Some(endpoint) = endpoint else {
        return Ok(Seen {
            live: Live::Unreadable("Keeper is not configured".into()),
            outcome: None,
            claim: None,
            now,
        });
    };
    let claimed = reconcile::current_claim(caps, request).await.map_err(storage)?;
    if let Some((_, claim)) = &claimed
        && claim.state != crate::lifecycle::lease::State::Decided
    {
        // A decision in flight: collect it rather than read anything else.
        // Whatever it concluded is in the records read next.
        settle::collect(caps, &loaded.settings, endpoint, request, budget_ms).await;
        let outcome = records::read_outcome(caps, &request.sid).await.map_err(storage)?;
        let claim = reconcile::current_claim(caps, request)
            .await
            .map_err(storage)?
            .map(|(_, c)| c);
        return Ok(Seen {
            live: Live::Running,
            outcome,
            claim,
            now,
        });
    }
    let live = live::read(caps, endpoint, request, budget_ms).await;
    let outcome = match reconcile::said(request, &live, None, now) {
        Said::Closed(outcome) => Some(
            reconcile::conclude(caps, &loaded.settings, request, None, outcome)
                .await
                .map_err(storage)?,
        ),
        Said::Open | Said::Unknown => None,
    };
    Ok(Seen {
        live,
        outcome,
        claim: None,
        now,
    })
}

/// Completes an outcome's recording that a failed run left unfinished (after that run's time).
async fn repair(caps: &Caps, settings: &KeeperSettings, request: &Request, outcome: &Outcome, now: u64) {
    let event = format!("{}:{}", outcome.source, outcome.result);
    let done = recording::load(caps, &keys::recording(&request.issue_id), &event).await;
    if done.is_ok_and(|d| !d.complete()) && recording::wait_before_repair(outcome.at, now).is_none() {
        let _ = super::record::on_issue(caps, settings, request, outcome).await;
    }
}

/// The view model (docs/keeper.md, "The panel").
pub fn view(
    loaded: &Loaded,
    seen: &Seen,
    approver: Option<(&str, Option<&Refusal>)>,
    endpoint_problem: Option<&str>,
) -> Value {
    let request = &loaded.request;
    let (live, live_message) = match &seen.live {
        _ if seen.outcome.is_some() => ("closed", None),
        _ if seen.claim.is_some() => ("sending", Some("Sending the decision to Keeper…".to_string())),
        Live::Kepm(_) | Live::Devices(_) => ("current", None),
        Live::Running => (
            "running",
            Some("Keeper is still answering; this panel asks again shortly.".into()),
        ),
        Live::UnknownKepm => (
            "unknown-request",
            Some("Keeper does not know this request (its UID may be wrong).".into()),
        ),
        Live::Failed(e) => ("unavailable", Some(e.to_string())),
        Live::Unreadable(e) => (
            "unavailable",
            Some(endpoint_problem.map_or_else(|| e.clone(), String::from)),
        ),
    };
    let kepm = match &seen.live {
        Live::Kepm(k) => json!(k),
        _ => Value::Null,
    };
    let devices = match &seen.live {
        Live::Devices(d) => json!(d),
        _ => Value::Null,
    };
    let expires_at = reconcile::expires_at(request, &seen.live);
    let open = seen.outcome.is_none() && seen.claim.is_none() && matches!(seen.live, Live::Kepm(_) | Live::Devices(_));
    let (can_decide, why_not) = match approver {
        Some((_, None)) if open && loaded.settings.enabled => (true, Value::Null),
        Some((_, Some(refusal))) => (false, json!({"code": refusal.code, "message": refusal.message})),
        _ if !loaded.settings.enabled => (
            false,
            json!({"code": "disabled", "message": "The Keeper integration is turned off in the app's configuration."}),
        ),
        _ => (false, Value::Null),
    };
    json!({ "view": {
        "issueKey": loaded.ticket.key,
        "kind": request.subject.kind(),
        "subject": request.subject,
        "label": request.subject.label(),
        "source": request.source,
        "live": live,
        "liveMessage": live_message,
        "kepm": kepm,
        "devices": devices,
        "now": seen.now,
        "expiresAt": expires_at,
        "outcome": seen.outcome,
        "pending": seen.claim.as_ref().map(|c| json!({"decision": c.decision, "by": c.by_name})),
        "canDecide": can_decide,
        "whyNot": why_not,
    }})
}

/// The requester Keeper names: the live answer, else the alert, else the device's user.
pub fn requester(request: &Request, live: &Live) -> Option<String> {
    let live_user = match live {
        Live::Kepm(k) => k.requester.clone(),
        _ => None,
    };
    let device_user = match &request.subject {
        super::super::subject::Subject::Device { email, .. } => Some(email.to_string()),
        _ => None,
    };
    live_user.or_else(|| request.username.clone()).or(device_user)
}

/// The signed-in user, and why they may not decide this request, if so.
pub async fn decider(
    caps: &Caps,
    loaded: &Loaded,
    live: &Live,
    context: &Context,
    now: u64,
) -> Result<(crate::approver::Approver, Option<Refusal>), Refusal> {
    let who = requester(&loaded.request, live);
    deciders::check(
        caps,
        &loaded.settings,
        &loaded.ticket.project_key,
        who.as_deref(),
        context.account_id.as_deref(),
        now,
    )
    .await
}

async fn show(caps: &Caps, context: &Context) -> Result<Value, Refusal> {
    let loaded = load(caps, context).await?;
    let endpoint = secrets::endpoint(caps, &loaded.settings).await;
    let seen = look(caps, &loaded, endpoint.as_ref().ok(), VIEW_BUDGET_MS).await?;
    let decider = if seen.outcome.is_none() && seen.claim.is_none() {
        let (me, blocked) = decider(caps, &loaded, &seen.live, context, seen.now).await?;
        Some((me.account_id, blocked))
    } else {
        None
    };
    let approver = decider.as_ref().map(|(id, blocked)| (id.as_str(), blocked.as_ref()));
    Ok(view(
        &loaded,
        &seen,
        approver,
        endpoint.as_ref().err().map(String::as_str),
    ))
}

/// `keeper.request` and `keeper.status`.
pub async fn run(caps: &Caps, name: &str, payload: &Value, context: &Context) -> RunOutcome {
    let result = match name {
        "keeper.request" | "keeper.status" => show(caps, context).await,
        "keeper.decide" => super::decide::decide(caps, payload, context).await,
        other => Err(Refusal::new(
            "unknown",
            format!("no resolver \"{}\"", crate::text::printable(other, 60)),
        )),
    };
    if let Err(refusal) = &result
        && refusal.code == "unavailable"
    {
        caps.log(LogLevel::Warn, format!("Keeper panel: {}", refusal.message))
            .await;
    }
    resolver::answer(result)
}
