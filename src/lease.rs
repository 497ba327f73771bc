//! A generational lease on KV storage, which has set-if-absent but no compare-and-swap: exactly
//! one run wins generation N of a key with set-if-absent, and only the winner rewrites it. A
//! lease the caller deems free (released, or left by a run that died) moves everyone on to
//! generation N+1. A hint key remembers where the live generation is, so that used generations
//! are never looked at again and a lease can be taken any number of times (no lockout).

use serde::{Deserialize, Serialize};

use crate::caps::{CapError, Caps};
use crate::store;

const VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeaseState {
    /// Its owner is working.
    Held,
    /// Its owner gave up and changed nothing: free at once.
    Released,
    /// Its owner gave up after a step whose outcome is unknown (e.g. a create that timed out).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub at: u64,
    pub state: LeaseState,
    /// The host process that took it (`instance.rs`), when the host says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

impl Lease {
    /// Held by a host process that is gone (the local host restarted).
    pub fn orphaned(&self, current: Option<&str>) -> bool {
        self.state == LeaseState::Held && crate::instance::from_dead_process(self.instance.as_deref(), current)
    }
}

/// Where a lease lives: `generation(n)` keys and one hint key.
pub trait Keys {
    fn generation(&self, n: u32) -> String;
    fn hint(&self) -> String;
}

/// How taking a lease ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// This run holds generation `n`; `after_earlier` when an earlier generation existed (its
    /// owner may have done part of the work).
    Won { generation: u32, after_earlier: bool },
    /// Another run holds generation `n` (`None`: it exists but could not be read back yet).
    Held(u32, Option<Lease>),
    /// Every generation looked at was used; try later.
    Exhausted,
}

/// Tries generations from the hint on; `free` says whether a held lease may be taken over.
pub async fn take(
    caps: &Caps,
    keys: &impl Keys,
    now: u64,
    instance: Option<&str>,
    free: impl Fn(&Lease) -> bool,
    max_generations: u32,
) -> Result<Taken, CapError> {
    let start = caps
        .kv_get(&keys.hint())
        .await?
        .and_then(|t| t.parse::<u32>().ok())
        .unwrap_or(0);
    let mine = store::encode(
        VERSION,
        &Lease {
            at: now,
            state: LeaseState::Held,
            instance: instance.map(String::from),
        },
    );
    for generation in start..start.saturating_add(max_generations) {
        let key = keys.generation(generation);
        if caps.kv_set_if_absent(&key, &mine).await? {
            if generation != start {
                caps.kv_set(&keys.hint(), &generation.to_string()).await?;
            }
            return Ok(Taken::Won {
                generation,
                after_earlier: generation > 0,
            });
        }
        match caps.kv_get(&key).await? {
            None => return Ok(Taken::Held(generation, None)),
            Some(text) => match store::decode::<Lease>(VERSION, &text) {
                Some(lease) if !free(&lease) => return Ok(Taken::Held(generation, Some(lease))),
                // Free, or unreadable (nobody can ever settle it): move on.
                _ => {}
            },
        }
    }
    Ok(Taken::Exhausted)
}

/// Reads generation `n` (`None` when absent or unreadable).
pub async fn read(caps: &Caps, keys: &impl Keys, generation: u32) -> Result<Option<Lease>, CapError> {
    Ok(caps
        .kv_get(&keys.generation(generation))
        .await?
        .and_then(|t| store::decode(VERSION, &t)))
}

/// The owner settles its lease.
pub async fn settle(
    caps: &Caps,
    keys: &impl Keys,
    generation: u32,
    now: u64,
    state: LeaseState,
) -> Result<(), CapError> {
    caps.kv_set(
        &keys.generation(generation),
        &store::encode(
            VERSION,
            &Lease {
                at: now,
                state,
                instance: None,
            },
        ),
    )
    .await
}
