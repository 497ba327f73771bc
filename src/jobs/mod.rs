//! The app's durable jobs: work it accepted and must finish even when Jira, EPM or the host
//! fail. A job is small (a kind and the ids of what it is about; bodies live in KV, pushed
//! before the job) and is delivered at least once by the host's queue (Forge: `@forge/events`;
//! the local host: SQLite), so every kind is idempotent. Whether and when a job that did not
//! finish runs again is decided here (`backoff.rs`), never by a host; a job given up is kept as
//! a dead letter (`dead.rs`). A provider keeps a body for its job with `inbox.rs`.

pub mod backoff;
pub mod dead;
pub mod inbox;
pub mod runs;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::caps::{CapError, Caps};
use crate::protocol::{HttpResponse, LogLevel, Outcome};
use runs::Ended;

/// The one queue the app pushes to (the manifest's `consumer` module names it too).
pub const QUEUE: &str = "pam-jobs";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Which work, e.g. `epm.settle`; the provider before the dot.
    pub kind: String,
    /// What the work is about (e.g. tenant and request id), never a body.
    pub ids: Vec<String>,
    /// When the job was first pushed: the total-time bound counts from here.
    pub since: u64,
}

impl Job {
    pub fn new(kind: &str, ids: &[&str], since: u64) -> Job {
        Job {
            kind: kind.into(),
            ids: ids.iter().map(|s| s.to_string()).collect(),
            since,
        }
    }

    /// A stable number of this job (FNV-1a): the seed of its jitter.
    fn seed(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self
            .kind
            .bytes()
            .chain(self.ids.iter().flat_map(|i| i.bytes().chain([0])))
        {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        h
    }
}

/// How far a run of a job got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Everything the job stands for is done (or was already); what was done, for the logs.
    Done(String),
    /// Not finished, and worth another try: after at least `hint_ms` if given.
    Retry { hint_ms: Option<u64>, reason: String },
    /// Never going to work (e.g. Jira refused the create): given up at once.
    Failed(String),
}

impl Progress {
    pub fn retry(reason: impl Into<String>) -> Progress {
        Progress::Retry {
            hint_ms: None,
            reason: reason.into(),
        }
    }
}

impl From<CapError> for Progress {
    fn from(e: CapError) -> Progress {
        Progress::retry(format!("storage failed: {e}"))
    }
}

/// Queues a job to run after `delay_ms` (capped to the queue's limit).
pub async fn push(caps: &Caps, job: &Job, delay_ms: u64) -> Result<(), CapError> {
    let payload = serde_json::to_string(job).unwrap_or_default();
    let delay = delay_ms.min(backoff::QUEUE_MAX_DELAY_MS) as u32;
    caps.queue_push(QUEUE, &payload, delay).await
}

/// The job a delivery carries; an error outcome (final: nothing to retry) when it is not one.
pub fn parse(queue: &str, payload: &str) -> Result<Job, Outcome> {
    if queue != QUEUE {
        return Err(Outcome::Error(format!(
            "unknown queue \"{}\"",
            crate::text::printable(queue, 60)
        )));
    }
    serde_json::from_str(payload).map_err(|e| Outcome::Error(format!("the job is not one of the app's: {e}")))
}

/// Turns a run's progress into the outcome the host acts on: done, retry after the backoff, or
/// given up (kept as a dead letter, then a final error).
pub async fn conclude(caps: &Caps, job: &Job, attempt: u32, progress: Progress) -> Outcome {
    let (hint, reason) = match progress {
        Progress::Done(what) => {
            runs::record_run(caps, job, attempt, Ended::Done, &what).await;
            return Outcome::Value(json!({"done": what}).to_string());
        }
        Progress::Failed(reason) => return give_up(caps, job, attempt, reason).await,
        Progress::Retry { hint_ms, reason } => (hint_ms, reason),
    };
    let now = match caps.now().await {
        Ok(now) => now,
        Err(e) => return retry_outcome(backoff::BASE_MS, format!("{reason}; the clock failed: {e}")),
    };
    match backoff::next(attempt, job.since, now, hint, job.seed()) {
        backoff::Next::RetryAfter(ms) => {
            caps.log(
                LogLevel::Info,
                format!("job {} {:?}: {reason}; again in {ms} ms", job.kind, job.ids),
            )
            .await;
            runs::record_run(caps, job, attempt, Ended::Retrying, &reason).await;
            retry_outcome(u64::from(ms), reason)
        }
        backoff::Next::GiveUp => {
            give_up(
                caps,
                job,
                attempt,
                format!("{reason} (still failing after {} attempts)", attempt + 1),
            )
            .await
        }
    }
}

fn retry_outcome(after_ms: u64, reason: String) -> Outcome {
    Outcome::Retry {
        after_ms: after_ms as u32,
        reason,
    }
}

async fn give_up(caps: &Caps, job: &Job, attempt: u32, reason: String) -> Outcome {
    runs::record_run(caps, job, attempt, Ended::GivenUp, &reason).await;
    let now = caps.now().await.unwrap_or(0);
    if let Err(e) = dead::keep(caps, job, attempt + 1, &reason, now).await {
        caps.log(LogLevel::Error, format!("could not keep the dead letter: {e}"))
            .await;
    }
    caps.log(
        LogLevel::Error,
        format!("job {} {:?} given up: {reason}", job.kind, job.ids),
    )
    .await;
    Outcome::Error(reason)
}
/// 202 for a web trigger whose work the queue finishes: the request is kept, the sender need not
/// retry. Every provider answers unfinished work with it.
pub fn accepted(request_id: &str, reason: &str) -> HttpResponse {
    HttpResponse::json(
        202,
        &json!({
            "accepted": true,
            "requestId": request_id,
            // Jira's own "retry later" is the app's job now, not the sender's.
            "reason": format!(
                "{}; the request is kept and the app finishes it shortly",
                reason.trim_end_matches("; retry later")
            ),
        }),
    )
}
