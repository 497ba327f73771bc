//! First decision wins: a claim is a generation of the lease (`lease.rs`) whose envelope carries
//! the decision itself (the outbox entry). Whoever decides first takes it with set-if-absent; it
//! is `Sending` while the decision travels to the PAM system, then settled `Decided`, or
//! `Released` when the system refused it, so that someone may try again at the next generation.
//!
//! When the system's answer is unknown (a timeout or a 5xx after the call went out, or a run
//! that died while sending), it may already have applied the decision. Such a claim is *in
//! flight*: it is never passed over for someone else to send a different decision; its owner's
//! provider sends the same payload again until the system confirms or refuses it.
//!
//! A provider plugs in its keys (`lease::Keys`) and its claim record (`lease::Envelope`).

use super::lease::{self, Envelope, Keys, State, Taken};
use crate::caps::{CapError, Caps};

/// A sending claim older than this belongs to a run that died (resolvers end within 25 s on
/// Forge, web triggers within 55 s): its decision is in flight.
pub const STALE_MS: u64 = 60_000;
/// Generations looked at per attempt; each refusal uses one.
pub const MAX_GENERATIONS: u32 = 50;

/// How an attempt to claim ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed<C> {
    Won(u32),
    /// Someone else's decision is on its way right now (`None`: the claim exists but could not
    /// be read back yet).
    Busy(Option<C>),
    /// A decision whose delivery has an unknown outcome: send the same again, never another.
    InFlight(u32, C),
    /// Someone else decided.
    Decided(C),
    /// Too many failed attempts in a row; try later.
    Exhausted,
}

/// Sent (or being sent) with an unknown outcome, or its sender died (too long ago, or in a host
/// process that is gone): as seen at `now` by a run of `instance`.
pub fn in_flight(claim: &impl Envelope, now: u64, instance: Option<&str>) -> bool {
    match claim.state() {
        State::Unknown => true,
        State::Sending => now.saturating_sub(claim.at()) >= STALE_MS || claim.orphaned(instance),
        _ => false,
    }
}

/// What a claim another run wrote means to `mine`; `None` when it is free (released).
fn standing<C: Envelope>(held: C, generation: u32, mine: &C) -> Option<Claimed<C>> {
    match held.state() {
        State::Decided => Some(Claimed::Decided(held)),
        _ if in_flight(&held, mine.at(), mine.instance()) => Some(Claimed::InFlight(generation, held)),
        State::Sending => Some(Claimed::Busy(Some(held))),
        State::Held | State::Released | State::Unknown => None,
    }
}

/// Claims the request for `mine` (a `Sending` claim carrying the decision).
pub async fn claim<C: Envelope>(caps: &Caps, keys: &impl Keys, mine: &C) -> Result<Claimed<C>, CapError> {
    let free = |held: &C| standing(held.clone(), 0, mine).is_none();
    Ok(match lease::take(caps, keys, mine, free, MAX_GENERATIONS).await? {
        Taken::Won { generation, .. } => Claimed::Won(generation),
        Taken::Held(_, None) => Claimed::Busy(None),
        Taken::Held(generation, Some(held)) => standing(held, generation, mine).unwrap_or(Claimed::Exhausted),
        Taken::Exhausted => Claimed::Exhausted,
    })
}

/// The live claim (not released), if one is held: for views and the outbox.
pub async fn current<C: Envelope>(caps: &Caps, keys: &impl Keys) -> Result<Option<(u32, C)>, CapError> {
    lease::find(caps, keys, |c: &C| c.state() == State::Released, MAX_GENERATIONS).await
}

/// Settles a claim this run won (or resent): the claim as written, in its new state.
pub async fn settle<C: Envelope>(caps: &Caps, keys: &impl Keys, generation: u32, settled: &C) -> Result<(), CapError> {
    lease::settle(caps, keys, generation, settled).await
}
