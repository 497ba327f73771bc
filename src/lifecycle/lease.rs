//! The one generational lease on KV storage, which has set-if-absent but no compare-and-swap:
//! exactly one run wins generation N of a key with set-if-absent, and only the winner (or a
//! resend of the same payload) rewrites it. A lease the caller deems free (released, or left by
//! a run that died) moves everyone on to generation N+1. A hint key remembers where the live
//! generation is, so that used generations are never looked at again and a lease can be taken
//! any number of times (no lockout).
//!
//! What is stored is an [`Envelope`]: the plain [`Lease`] (creation and update locks) or a
//! provider's decision claim, which carries its payload beside the same `at`, `state` and
//! `instance` (`claim.rs`).

use std::ops::ControlFlow::{self, Break, Continue};

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::caps::{CapError, Caps};
use crate::store;

/// The version every envelope is stored with (leases and claims alike).
pub const VERSION: u32 = 1;

/// Where a lease is. `Held` and `Sending` have an owner at work; the others are settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Its owner is working (a lock, a creation lease): a stale one was abandoned.
    Held,
    /// Its owner is sending the payload out (a claim): a stale one is in flight, never free.
    Sending,
    /// Its owner gave up and changed nothing: free at once.
    Released,
    /// Its owner gave up after a step whose outcome is unknown (a create or a send that timed
    /// out).
    Unknown,
    /// Done: the payload took effect.
    Decided,
}

/// What a lease generation stores: when, in which state, by which host process.
pub trait Envelope: Serialize + DeserializeOwned + Clone {
    /// When its owner took (or last settled) it.
    fn at(&self) -> u64;
    fn state(&self) -> State;
    /// The host process of its owner (`instance.rs`), when the host says.
    fn instance(&self) -> Option<&str>;

    /// Owned by a host process that is gone (the local host restarted) while at work.
    fn orphaned(&self, current: Option<&str>) -> bool {
        matches!(self.state(), State::Held | State::Sending)
            && crate::instance::from_dead_process(self.instance(), current)
    }
}

/// A lease that carries nothing: the creation lease and the update lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub at: u64,
    pub state: State,
    /// The host process that took it (`instance.rs`), when the host says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

impl Lease {
    /// A lease being taken at `now` by a run of `instance`.
    pub fn held(now: u64, instance: Option<&str>) -> Self {
        Lease {
            at: now,
            state: State::Held,
            instance: instance.map(String::from),
        }
    }

    /// A lease its owner settles at `now`.
    pub fn settled(now: u64, state: State) -> Self {
        Lease {
            at: now,
            state,
            instance: None,
        }
    }
}

/// Implements `Envelope` for a record with the fields `at: u64`, `state: State` and
/// `instance: Option<String>` (a lease, or a claim carrying more beside them).
macro_rules! envelope {
    ($record:ty) => {
        impl $crate::lifecycle::lease::Envelope for $record {
            fn at(&self) -> u64 {
                self.at
            }
            fn state(&self) -> $crate::lifecycle::lease::State {
                self.state
            }
            fn instance(&self) -> Option<&str> {
                self.instance.as_deref()
            }
        }
    };
}
// Providers use it for their claims; a build without providers has none.
#[allow(unused_imports)]
pub(crate) use envelope;

envelope!(Lease);

/// Where a lease lives: `generation(n)` keys and one hint key.
pub trait Keys {
    fn generation(&self, n: u32) -> String;
    fn hint(&self) -> String;
}

/// The keys of a lease under one base key: `<base>:<n>` and the hint `<base>:next`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slots(pub String);

impl Keys for Slots {
    fn generation(&self, n: u32) -> String {
        format!("{}:{n}", self.0)
    }
    fn hint(&self) -> String {
        format!("{}:next", self.0)
    }
}

/// How taking a lease ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken<E> {
    /// This run holds generation `n`; `after_earlier` when an earlier generation existed (its
    /// owner may have done part of the work).
    Won { generation: u32, after_earlier: bool },
    /// Another run holds generation `n` (`None`: it exists but could not be read back yet).
    Held(u32, Option<E>),
    /// Every generation looked at was used; try later.
    Exhausted,
}

/// Visits generations from the hint on, at most `max`, until `visit` breaks (with an answer,
/// or `None` to stop); `visit` gets the hint's generation and the one to look at. The only
/// generation loop of the app.
async fn walk<T>(
    caps: &Caps,
    keys: &impl Keys,
    max: u32,
    mut visit: impl AsyncFnMut(u32, u32) -> Result<ControlFlow<Option<T>>, CapError>,
) -> Result<Option<T>, CapError> {
    let start = caps
        .kv_get(&keys.hint())
        .await?
        .and_then(|t| t.parse::<u32>().ok())
        .unwrap_or(0);
    for generation in start..start.saturating_add(max) {
        if let Break(found) = visit(start, generation).await? {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Tries generations from the hint on with `mine`; `free` says whether a lease another run
/// wrote may be passed over for the next generation.
pub async fn take<E: Envelope>(
    caps: &Caps,
    keys: &impl Keys,
    mine: &E,
    free: impl Fn(&E) -> bool,
    max_generations: u32,
) -> Result<Taken<E>, CapError> {
    let text = store::encode(VERSION, mine);
    let taken = walk(caps, keys, max_generations, async |start, generation| {
        let key = keys.generation(generation);
        if caps.kv_set_if_absent(&key, &text).await? {
            if generation != start {
                caps.kv_set(&keys.hint(), &generation.to_string()).await?;
            }
            return Ok(Break(Some(Taken::Won {
                generation,
                after_earlier: generation > 0,
            })));
        }
        Ok(match caps.kv_get(&key).await? {
            // It existed a moment ago: another run holds it (a store that is not yet
            // read-your-writes consistent). Held, never free.
            None => Break(Some(Taken::Held(generation, None))),
            Some(text) => match store::decode::<E>(VERSION, &text) {
                Some(lease) if !free(&lease) => Break(Some(Taken::Held(generation, Some(lease)))),
                // Free, or unreadable (nobody can ever settle it): move on.
                _ => Continue(()),
            },
        })
    })
    .await?;
    Ok(taken.unwrap_or(Taken::Exhausted))
}

/// The first generation from the hint on that exists and is not `passed` (skipping unreadable
/// ones); `None` at the first absent generation.
pub async fn find<E: Envelope>(
    caps: &Caps,
    keys: &impl Keys,
    passed: impl Fn(&E) -> bool,
    max_generations: u32,
) -> Result<Option<(u32, E)>, CapError> {
    walk(caps, keys, max_generations, async |_, generation| {
        let Some(text) = caps.kv_get(&keys.generation(generation)).await? else {
            return Ok(Break(None));
        };
        Ok(match store::decode::<E>(VERSION, &text) {
            Some(e) if !passed(&e) => Break(Some((generation, e))),
            _ => Continue(()),
        })
    })
    .await
}

/// Reads generation `n` (`None` when absent or unreadable).
pub async fn read<E: Envelope>(caps: &Caps, keys: &impl Keys, generation: u32) -> Result<Option<E>, CapError> {
    Ok(caps
        .kv_get(&keys.generation(generation))
        .await?
        .and_then(|t| store::decode(VERSION, &t)))
}

/// The owner settles (rewrites) its generation.
pub async fn settle<E: Envelope>(caps: &Caps, keys: &impl Keys, generation: u32, lease: &E) -> Result<(), CapError> {
    caps.kv_set(&keys.generation(generation), &store::encode(VERSION, lease))
        .await
}
