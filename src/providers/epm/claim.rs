//! First decision wins. Whoever decides (an approver in Jira, or EPM's own update) first claims
//! the request with set-if-absent. The claim carries the decision itself (the outbox entry):
//! it holds while the decision travels to EPM and is settled as decided, or released when EPM
//! refused it so that someone may try again.
//!
//! When EPM's answer is unknown (a timeout or a 5xx after the call went out, or a run that died
//! while sending), EPM may already have applied the decision. Such a claim is *in flight*: it is
//! never released for someone else to send a different decision; the same decision is sent again
//! (`deliver.rs`) until EPM confirms or refuses it, or EPM's own update webhook says what it did.
//!
//! Storage has no compare-and-swap, so a claim is only ever rewritten by its owner or by a
//! resend of the same decision; a released claim moves everyone on to the next generation.

use serde::{Deserialize, Serialize};

use super::keys;
use super::property::DecisionRecord;
use super::wire::RequestRef;
use crate::caps::{CapError, Caps};
use crate::store;

/// A sending claim older than this belongs to a run that died (resolvers end within 25 s on
/// Forge, web triggers within 55 s): its decision is in flight.
pub const STALE_MS: u64 = 60_000;
/// Generations looked at per attempt; each EPM refusal uses one.
const MAX_GENERATIONS: u32 = 50;
/// Version 1 still: `intent` and the `unknown` state are additions older claims read without.
const VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimState {
    Sending,
    Released,
    Decided,
    /// Sent, but EPM's answer is unknown: the same decision is sent again.
    Unknown,
}

/// What is sent to EPM, kept so that a resend sends exactly the same decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    pub decision: DecisionRecord,
    pub ticket_id: String,
    pub ticket_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    pub at: u64,
    /// Display name of who decides.
    pub by: String,
    pub approved: bool,
    pub state: ClaimState,
    /// The decision being sent; `None` for EPM's own updates (nothing to send).
    #[serde(default)]
    pub intent: Option<Intent>,
    /// The host process of the run that claimed it (`instance.rs`), when the host says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

impl Claim {
    /// Sent (or being sent) with an unknown outcome, or its sender died (too long ago, or in a
    /// host process that is gone).
    pub fn in_flight(&self, now: u64, instance: Option<&str>) -> bool {
        self.state == ClaimState::Unknown
            || (self.state == ClaimState::Sending
                && (now.saturating_sub(self.at) >= STALE_MS
                    || crate::instance::from_dead_process(self.instance.as_deref(), instance)))
    }
}

/// How an attempt to claim ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acquired {
    Won(u32),
    /// Someone else's decision is on its way to EPM right now (`None`: the claim exists but
    /// could not be read back yet).
    Busy(Option<Claim>),
    /// A decision whose delivery has an unknown outcome: send the same again, never another.
    InFlight(u32, Claim),
    /// Someone else decided.
    Decided(Claim),
    /// Too many failed attempts in a row; try later.
    Exhausted,
}

pub async fn acquire(caps: &Caps, request: &RequestRef, claim: &Claim) -> Result<Acquired, CapError> {
    let start = start(caps, request).await?;
    let text = store::encode(VERSION, claim);
    for generation in start..start.saturating_add(MAX_GENERATIONS) {
        let key = keys::decision_claim(request, generation);
        if caps.kv_set_if_absent(&key, &text).await? {
            caps.kv_set(&keys::decision_hint(request), &generation.to_string())
                .await?;
            return Ok(Acquired::Won(generation));
        }
        match caps.kv_get(&key).await? {
            // It existed a moment ago: another run holds it (a store that is not yet
            // read-your-writes consistent). Busy, never free.
            None => return Ok(Acquired::Busy(None)),
            Some(text) => match store::decode::<Claim>(VERSION, &text) {
                Some(c) if c.state == ClaimState::Decided => return Ok(Acquired::Decided(c)),
                Some(c) if c.in_flight(claim.at, claim.instance.as_deref()) => {
                    return Ok(Acquired::InFlight(generation, c));
                }
                Some(c) if c.state == ClaimState::Sending => return Ok(Acquired::Busy(Some(c))),
                // Released, or unreadable: the next generation is free to take.
                _ => {}
            },
        }
    }
    Ok(Acquired::Exhausted)
}

/// The live claim of a request, if one is held (not released): for the page's view.
pub async fn current(caps: &Caps, request: &RequestRef) -> Result<Option<(u32, Claim)>, CapError> {
    let start = start(caps, request).await?;
    for generation in start..start.saturating_add(MAX_GENERATIONS) {
        let Some(text) = caps.kv_get(&keys::decision_claim(request, generation)).await? else {
            return Ok(None);
        };
        match store::decode::<Claim>(VERSION, &text) {
            Some(c) if c.state != ClaimState::Released => return Ok(Some((generation, c))),
            _ => {}
        }
    }
    Ok(None)
}

async fn start(caps: &Caps, request: &RequestRef) -> Result<u32, CapError> {
    Ok(caps
        .kv_get(&keys::decision_hint(request))
        .await?
        .and_then(|t| t.parse::<u32>().ok())
        .unwrap_or(0))
}

/// Settles a claim this run won (or resent).
pub async fn settle(
    caps: &Caps,
    request: &RequestRef,
    generation: u32,
    claim: &Claim,
    state: ClaimState,
) -> Result<(), CapError> {
    let settled = Claim { state, ..claim.clone() };
    caps.kv_set(
        &keys::decision_claim(request, generation),
        &store::encode(VERSION, &settled),
    )
    .await
}
