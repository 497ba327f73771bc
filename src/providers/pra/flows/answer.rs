//! Answering the appliance: one `POST` to the checked `response_url` per request, under the
//! lifecycle's claim (`pra:respond:<id>`), so two runs never both send. 2xx: delivered. 403 (the
//! request timed out or is unknown) and 404 (no ticket system configured) are final and kept as
//! such, like any other 4xx. A 5xx, a 429 or no answer leaves the claim `unknown`: the job sends
//! the same answer again with backoff until [`ANSWER_WITHIN_MS`] after the request arrived, then
//! gives up and keeps that.

use super::super::records::{Answering, Delivered, Received, Verdict, keys};
use super::super::wire::response;
use crate::caps::Caps;
use crate::jobs::Progress;
use crate::lifecycle::claim::{self, Claimed};
use crate::lifecycle::lease::State;
use crate::protocol::{HttpRequest, LogLevel};

/// How long after a request arrived the app keeps trying to answer it. PRA's user waits in the
/// access console; past this the appliance has long timed the request out (403).
pub const ANSWER_WITHIN_MS: u64 = 10 * 60 * 1000;

/// How the answer went, once it is settled; `Err` with the progress to report while it is not.
pub async fn answer(
    caps: &Caps,
    id: &str,
    received: &Received,
    verdict: &Verdict,
    now: u64,
) -> Result<Answering, Progress> {
    let instance = crate::instance::current(caps).await;
    let slots = keys::respond(id);
    let mine = Answering {
        at: now,
        state: State::Sending,
        instance,
        delivered: None,
        status: None,
    };
    let generation = match claim::claim(caps, &slots, &mine).await? {
        Claimed::Won(generation) | Claimed::InFlight(generation, _) => generation,
        Claimed::Decided(settled) => return Ok(settled),
        Claimed::Busy(_) => {
            return Err(Progress::Retry {
                hint_ms: Some(5_000),
                reason: "another run is answering the appliance".into(),
            });
        }
        Claimed::Exhausted => return Err(Progress::retry("the answer's claim could not be taken")),
    };
    let body = response::body(
        &received.request.request_id,
        verdict.decision,
        &verdict.message,
        &verdict.attributes,
    );
    let sent = caps
        .fetch(HttpRequest {
            method: "POST".into(),
            url: received.respond_to.clone(),
            headers: vec![
                ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
                ("Accept".into(), "application/json".into()),
            ],
            body,
        })
        .await;
    let (status, delivered) = match &sent {
        Ok(reply) => (Some(reply.status), classify(reply.status)),
        Err(_) => (None, None),
    };
    let why = match (&sent, status) {
        (Err(e), _) => format!("the appliance could not be reached: {e}"),
        (_, Some(status)) => format!("the appliance answered HTTP {status}"),
        _ => "the appliance did not answer".into(),
    };
    let too_late = now.saturating_sub(received.received_at) >= ANSWER_WITHIN_MS;
    let delivered = delivered.or(too_late.then_some(Delivered::GaveUp));
    // Settled for good, or `unknown`: resent (the same answer) by the next run.
    let settled = Answering {
        state: if delivered.is_some() {
            State::Decided
        } else {
            State::Unknown
        },
        delivered,
        status,
        ..mine
    };
    claim::settle(caps, &slots, generation, &settled).await?;
    match delivered {
        None => Err(Progress::retry(why)),
        Some(Delivered::Accepted) => Ok(settled),
        Some(Delivered::GaveUp) => {
            caps.log(
                LogLevel::Error,
                format!("PRA request {id}: {why}; given up after 10 minutes"),
            )
            .await;
            Ok(settled)
        }
        Some(other) => {
            caps.log(LogLevel::Warn, format!("PRA request {id}: {}", other.describe()))
                .await;
            Ok(settled)
        }
    }
}

/// A final answer's meaning; `None` for one worth sending again (429, 5xx, anything odd).
fn classify(status: u16) -> Option<Delivered> {
    match status {
        200..=299 => Some(Delivered::Accepted),
        403 => Some(Delivered::TimedOut),
        404 => Some(Delivered::NotConfigured),
        429 => None,
        // Redirects are never followed: the appliance's endpoint does not move.
        300..=499 => Some(Delivered::Refused),
        _ => None,
    }
}

/// The settled answer, if there is one.
pub async fn settled(caps: &Caps, id: &str) -> Option<Answering> {
    match claim::current::<Answering>(caps, &keys::respond(id)).await {
        Ok(Some((_, answering))) if answering.state == State::Decided => Some(answering),
        _ => None,
    }
}
