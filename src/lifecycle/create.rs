//! Exactly one Jira issue per request, whatever the number of deliveries, their concurrency, or
//! a crash between steps. A provider plugs in where the creation lease lives, its own record of
//! the request's issue, and how it searches for, creates and records the issue ([`Creation`]);
//! [`run`] is the protocol.
//!
//! Protocol, per request:
//! The provider keeps the request (e.g. a webhook's body, `jobs::inbox`) and queues a job before
//! this runs, so a run that cannot finish ([`Created::Unfinished`]) leaves the rest to the queue.
//!
//! 1. The app's record (`Creation::recorded`) proves the issue exists: answer it.
//! 2. Otherwise take the creation lease (`lease.rs`: set-if-absent on the generation of
//!    `Creation::lease`, starting at the generation the hint names). Exactly one delivery wins a
//!    generation and creates (`Creation::create`); the others poll every `POLL_MS` for the
//!    record, at most `max_wait_ms`, then leave it unfinished.
//! 3. A lease is free for the next generation (`abandoned`) when its owner released it (Jira
//!    refused the create, so nothing was made: [`Failure::Refused`]), when it is older than
//!    [`CLAIM_STALE_MS`] (its run died; runs live under a minute) or was taken by a host process
//!    that is gone (`instance.rs`), or [`SETTLE_MS`] after its owner saw the create's outcome
//!    unknown ([`Failure::Unknown`]: a timeout or 5xx after the create, so the issue may exist)
//!    or could not write the record of an issue it made ([`Failure::NotRecorded`]). The owner of
//!    any later generation is asked to search first (`after_earlier`), so a create that happened
//!    is found, not repeated. The hint slides past used generations, so failures never lock a
//!    request out; one run tries at most `MAX_GENERATIONS`.
//!
//! A storage failure inside the protocol ends the run unfinished, with the reason.

use super::lease::{self, Envelope, Lease, State, Taken};
use crate::caps::{CapError, Caps};
use crate::protocol::LogLevel;

/// A lease older than this belongs to a run that died (Forge web triggers end within 55 s).
pub const CLAIM_STALE_MS: u64 = 60_000;
/// After a create with an unknown outcome, how long before the next owner searches for it
/// (Jira's search index lags a few seconds behind a create).
pub const SETTLE_MS: u64 = 10_000;
/// How long a web trigger waits for another delivery that is creating the issue.
pub const WEB_TRIGGER_WAIT_MS: u64 = 10_000;
/// How long a job waits for it (then it asks to run again later).
pub const JOB_WAIT_MS: u64 = 5_000;
/// How often a waiting delivery looks for the owner's record.
const POLL_MS: u32 = 200;
/// Generations tried by one run before it leaves the rest to the queued job.
const MAX_GENERATIONS: u32 = 5;

/// What the owner of a creation lease could not do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Jira refused the create: nothing was made; trying again makes the same request.
    Refused(String),
    /// The create's outcome is unknown (a timeout, a 5xx, a 429 after retries): the issue may
    /// exist.
    Unknown(String),
    /// The issue exists but the app's record of it could not be written.
    NotRecorded(String),
}

/// How far one run got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created<R> {
    /// The request has its issue: created by this run (`fresh`) or earlier.
    Recorded { record: Box<R>, fresh: bool },
    /// Not finished (Jira busy, a create whose outcome is unknown, another run creating it,
    /// storage failing): the queued job finishes it, after at least `hint_ms`.
    Unfinished { hint_ms: Option<u64>, reason: String },
    /// Jira refused the create: trying again makes the same request.
    Refused(String),
}

/// One request's issue creation, as a provider defines it.
#[allow(async_fn_in_trait)] // the core runs one future at a time: no Send bound is needed
pub trait Creation {
    type Record;
    /// Where the creation lease lives (e.g. `lease::Slots(format!("keeper:claim:{id}"))`).
    fn lease(&self) -> lease::Slots;
    /// The app's own record of this request's issue, if it was written.
    async fn recorded(&self, caps: &Caps) -> Result<Option<Self::Record>, CapError>;
    /// As the lease's owner at `now`: when `after_earlier`, first look for an issue an earlier
    /// owner made (the provider's own search); else create it; then write the app's record.
    /// Answers the record and whether this call created the issue (`fresh`).
    async fn create(&self, caps: &Caps, after_earlier: bool, now: u64) -> Result<(Self::Record, bool), Failure>;
}

/// Runs the protocol for one request; waits at most `max_wait_ms` for another owner.
pub async fn run<C: Creation>(caps: &Caps, creation: &C, max_wait_ms: u64) -> Created<C::Record> {
    match attempt(caps, creation, max_wait_ms).await {
        Ok(created) => created,
        Err(e) => {
            caps.log(
                LogLevel::Error,
                format!("storage failed while creating the issue ({}): {e}", creation.lease().0),
            )
            .await;
            Created::Unfinished {
                hint_ms: None,
                reason: format!("storage is unavailable ({e})"),
            }
        }
    }
}

/// Whether the next generation may be taken over this lease: released, left unknown long
/// enough for Jira's index, or held by a run that died (too old, or of a host process that is
/// gone: `instance.rs`).
fn abandoned(lease: &Lease, now: u64, instance: Option<&str>) -> bool {
    if lease.orphaned(instance) {
        return true;
    }
    let age = now.saturating_sub(lease.at);
    match lease.state {
        // `Decided` is never written to a creation lease: settled, like a release.
        State::Released | State::Decided => true,
        State::Unknown => age >= SETTLE_MS,
        State::Held | State::Sending => age > CLAIM_STALE_MS,
    }
}

enum Waited<R> {
    Recorded(Box<R>),
    Abandoned,
    TimedOut,
}

async fn attempt<C: Creation>(caps: &Caps, creation: &C, max_wait_ms: u64) -> Result<Created<C::Record>, CapError> {
    if let Some(record) = creation.recorded(caps).await? {
        return Ok(Created::Recorded {
            record: Box::new(record),
            fresh: false,
        });
    }
    let keys = creation.lease();
    let instance = crate::instance::current(caps).await;
    let instance = instance.as_deref();
    for _ in 0..MAX_GENERATIONS {
        let now = caps.now().await?;
        let free = |l: &Lease| abandoned(l, now, instance);
        match lease::take(caps, &keys, &Lease::held(now, instance), free, MAX_GENERATIONS).await? {
            Taken::Won {
                generation,
                after_earlier,
            } => return own(caps, creation, &keys, generation, after_earlier, now).await,
            Taken::Held(generation, _) => {
                match wait_for_owner(caps, creation, &keys, generation, instance, max_wait_ms).await? {
                    Waited::Recorded(record) => {
                        return Ok(Created::Recorded { record, fresh: false });
                    }
                    Waited::Abandoned => continue,
                    Waited::TimedOut => {
                        return Ok(Created::Unfinished {
                            hint_ms: Some(u64::from(POLL_MS) * 10),
                            reason: "the issue for this request is being created by another delivery".into(),
                        });
                    }
                }
            }
            Taken::Exhausted => break,
        }
    }
    Ok(Created::Unfinished {
        hint_ms: Some(SETTLE_MS),
        reason: "creating the issue for this request failed repeatedly".into(),
    })
}

async fn wait_for_owner<C: Creation>(
    caps: &Caps,
    creation: &C,
    keys: &lease::Slots,
    generation: u32,
    instance: Option<&str>,
    max_wait_ms: u64,
) -> Result<Waited<C::Record>, CapError> {
    let started = caps.now().await?;
    loop {
        let now = caps.now().await?;
        // Absent right after a conflict means not readable yet: keep waiting, never take it.
        if let Some(lease) = lease::read::<Lease>(caps, keys, generation).await?
            && abandoned(&lease, now, instance)
        {
            return Ok(Waited::Abandoned);
        }
        if now.saturating_sub(started) >= max_wait_ms {
            return Ok(Waited::TimedOut);
        }
        caps.sleep(POLL_MS).await?;
        if let Some(record) = creation.recorded(caps).await? {
            return Ok(Waited::Recorded(Box::new(record)));
        }
    }
}

/// The owner of `generation` creates (or finds) the issue and records it; a failure settles the
/// lease so that the next generation may be taken: at once after a refusal (nothing was made),
/// `SETTLE_MS` later when the issue may exist.
async fn own<C: Creation>(
    caps: &Caps,
    creation: &C,
    keys: &lease::Slots,
    generation: u32,
    after_earlier: bool,
    now: u64,
) -> Result<Created<C::Record>, CapError> {
    let (state, created) = match creation.create(caps, after_earlier, now).await {
        Ok((record, fresh)) => {
            return Ok(Created::Recorded {
                record: Box::new(record),
                fresh,
            });
        }
        // The issue may exist (a timeout or 5xx after the create), or exists unrecorded: the next
        // owner waits for Jira's index and searches before it creates.
        Err(Failure::Unknown(reason) | Failure::NotRecorded(reason)) => (
            State::Unknown,
            Created::Unfinished {
                hint_ms: Some(SETTLE_MS),
                reason,
            },
        ),
        // A refusal made nothing.
        Err(Failure::Refused(reason)) => (State::Released, Created::Refused(reason)),
    };
    lease::settle(caps, keys, generation, &Lease::settled(now, state)).await?;
    Ok(created)
}
