//! First decision wins. Whoever decides (an approver in Jira, or EPM's own update) first claims
//! the request with set-if-absent; the claim holds while the decision travels to EPM and is
//! settled as decided, or released when EPM refused it so that someone may try again.
//!
//! Storage has no compare-and-swap, so a claim is never overwritten by anyone but its owner:
//! a released or dead claim (older than `STALE_MS`) moves everyone on to the next generation.

use serde::{Deserialize, Serialize};

use super::keys;
use super::wire::RequestRef;
use crate::caps::{CapError, Caps};
use crate::store;

/// A claim older than this belongs to a run that died (resolvers end within 25 s on Forge,
/// web triggers within 55 s).
pub const STALE_MS: u64 = 60_000;
/// Generations looked at per attempt; each EPM refusal uses one.
const MAX_GENERATIONS: u32 = 50;
const VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimState {
    Sending,
    Released,
    Decided,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    pub at: u64,
    /// Display name of who decides.
    pub by: String,
    pub approved: bool,
    pub state: ClaimState,
}

/// How an attempt to claim ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acquired {
    Won(u32),
    /// Someone else's decision is on its way to EPM.
    Busy(Claim),
    /// Someone else decided.
    Decided(Claim),
    /// Too many failed attempts in a row; try later.
    Exhausted,
}

pub async fn acquire(caps: &Caps, request: &RequestRef, claim: &Claim) -> Result<Acquired, CapError> {
    let start = caps
        .kv_get(&keys::decision_hint(request))
        .await?
        .and_then(|t| t.parse::<u32>().ok())
        .unwrap_or(0);
    let text = store::encode(VERSION, claim);
    for generation in start..start.saturating_add(MAX_GENERATIONS) {
        let key = keys::decision_claim(request, generation);
        if caps.kv_set_if_absent(&key, &text).await? {
            caps.kv_set(&keys::decision_hint(request), &generation.to_string())
                .await?;
            return Ok(Acquired::Won(generation));
        }
        let held = caps
            .kv_get(&key)
            .await?
            .and_then(|t| store::decode::<Claim>(VERSION, &t));
        match held {
            Some(c) if c.state == ClaimState::Decided => return Ok(Acquired::Decided(c)),
            Some(c) if c.state == ClaimState::Sending && claim.at.saturating_sub(c.at) < STALE_MS => {
                return Ok(Acquired::Busy(c));
            }
            // Released, dead or unreadable: the next generation is free to take.
            _ => {}
        }
    }
    Ok(Acquired::Exhausted)
}

/// Settles a claim this run won.
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
