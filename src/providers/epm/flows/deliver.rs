//! Delivering a claimed decision to EPM and settling its claim by EPM's answer; the app's
//! record of decisions EPM has (`keys::decision`), written before anything goes to the issue.

use super::claim::{self, Claim, ClaimState, Intent};
use crate::caps::{CapError, Caps};
use crate::protocol::LogLevel;
use crate::providers::epm::keys;
use crate::providers::epm::mapping::property::DecisionRecord;
use crate::providers::epm::settings::EpmSettings;
use crate::providers::epm::wire::RequestRef;
use crate::providers::epm::wire::api::{self, EpmError, Notification};
use crate::{store, time};

pub use crate::providers::epm::records::DECISION_VERSION as RECORD_VERSION;
/// At most one resend of an undelivered decision per this long.
pub const RESEND_EVERY_MS: u64 = 15_000;

/// What EPM made of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// EPM took it; the decision is kept and the claim settled.
    Sent,
    /// EPM refused it: nothing happened there; the claim is released.
    Refused(EpmError),
    /// EPM's answer is unknown (it may have applied it): the same decision is sent again later.
    Unknown(EpmError),
    /// Nothing was sent: another viewer resent it moments ago, or the claim is EPM's own.
    NotDue,
}

/// The decision of a request EPM has, from the app's record.
pub async fn recorded(caps: &Caps, request: &RequestRef) -> Result<Option<DecisionRecord>, CapError> {
    let text = caps.kv_get(&keys::decision(request)).await?;
    Ok(text.and_then(|t| store::decode(RECORD_VERSION, &t)))
}

/// Keeps a decision as the app's record (an EPM change of mind, an expiry).
pub async fn keep(caps: &Caps, request: &RequestRef, decision: &DecisionRecord) -> Result<(), CapError> {
    let kept = DecisionRecord {
        kept_at: caps.now().await?,
        ..decision.clone()
    };
    caps.kv_set(&keys::decision(request), &store::encode(RECORD_VERSION, &kept))
        .await
}

/// Keeps the decision EPM took and settles its claim as decided.
pub async fn remember(
    caps: &Caps,
    request: &RequestRef,
    generation: u32,
    claim: &Claim,
    decision: &DecisionRecord,
) -> Result<(), CapError> {
    keep(caps, request, decision).await?;
    claim::settle(caps, request, generation, claim, ClaimState::Decided).await
}

/// The notification of an intent: the same bytes however often it is sent.
pub fn notification(request: &RequestRef, intent: &Intent) -> Notification {
    let decision = &intent.decision;
    Notification {
        request_id: request.request_id.clone(),
        ticket_id: intent.ticket_id.clone(),
        ticket_url: intent.ticket_url.clone(),
        approved: decision.approved,
        duration: decision.duration.map_or_else(|| "Once".to_string(), |d| d.to_epm()),
        decision_time: time::epm_datetime(decision.decided_at),
        performed_by: decision.decided_by.display_name.clone(),
        message: decision.message.clone(),
    }
}

/// Whether EPM may have applied a call that failed: no answer after the call went out, or a
/// server error. A 4xx (including 429) is a refusal: EPM did nothing.
pub fn outcome_unknown(error: &EpmError) -> bool {
    match error {
        EpmError::NoAnswer(_) => true,
        EpmError::Refused { status, .. } => *status >= 500 || *status == 408,
        _ => false,
    }
}

/// Sends the claim's decision (`resending`: again, after an unknown outcome) and settles the
/// claim by the answer.
pub async fn deliver(
    caps: &Caps,
    config: &EpmSettings,
    request: &RequestRef,
    generation: u32,
    claim: &Claim,
    now: u64,
    resending: bool,
) -> Result<Delivered, CapError> {
    // A claim of EPM's own update holds nothing to send: EPM already has that decision, and the
    // update's redelivery settles the claim (`apply.rs`).
    let Some(intent) = &claim.intent else {
        return Ok(Delivered::NotDue);
    };
    match api::send_decision(caps, config, &notification(request, intent), now).await {
        Ok(()) => {
            remember(caps, request, generation, claim, &intent.decision).await?;
            Ok(Delivered::Sent)
        }
        // A resend that EPM throttles did nothing now, but an earlier send may have landed: the
        // claim stays in flight, never released for a different decision.
        Err(e) if outcome_unknown(&e) || (resending && throttled(&e)) => {
            let unknown = Claim {
                at: now,
                ..claim.clone()
            };
            claim::settle(caps, request, generation, &unknown, ClaimState::Unknown).await?;
            caps.log(
                LogLevel::Warn,
                format!(
                    "EPM's answer to the decision on {} is unknown ({e}); it is sent again",
                    intent.ticket_id
                ),
            )
            .await;
            Ok(Delivered::Unknown(e))
        }
        Err(e) => {
            claim::settle(caps, request, generation, claim, ClaimState::Released).await?;
            caps.log(
                LogLevel::Warn,
                format!("EPM did not take the decision for {}: {e}", intent.ticket_id),
            )
            .await;
            Ok(Delivered::Refused(e))
        }
    }
}

/// Sends an in-flight decision again, at most once per `RESEND_EVERY_MS` whoever asks.
pub async fn resend(
    caps: &Caps,
    config: &EpmSettings,
    request: &RequestRef,
    generation: u32,
    claim: &Claim,
    now: u64,
) -> Result<Delivered, CapError> {
    let slot = now / RESEND_EVERY_MS;
    if !caps
        .kv_set_if_absent(&keys::resend(request, generation, slot), &now.to_string())
        .await?
    {
        return Ok(Delivered::NotDue);
    }
    deliver(caps, config, request, generation, claim, now, true).await
}

fn throttled(error: &EpmError) -> bool {
    matches!(error, EpmError::Refused { status: 429, .. })
}
