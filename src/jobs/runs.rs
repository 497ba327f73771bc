//! The last queue jobs (each once, with its attempts and last error) and the index of dead
//! letters the configuration page can retry (`diagnostics`). A dead letter itself stays under
//! `jobs:dead:…` (`jobs::dead`); the index only lists the newest for the page.

use serde::{Deserialize, Serialize};

use super::{Job, dead};
use crate::caps::{CapError, Caps};
use crate::store::ring;
use crate::text::printable;

pub const RUNS_KEY: &str = "diag:jobs";
pub const DEAD_KEY: &str = "diag:dead";

/// How a run of a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ended {
    Done,
    Retrying,
    GivenUp,
}

/// A job, as its last run left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobRun {
    pub at: u64,
    pub kind: String,
    /// What the job is about: its ids (a request id, a body's digest), never a body.
    pub ids: Vec<String>,
    pub ended: Ended,
    /// Runs so far (the first is 1).
    pub attempts: u32,
    /// Why the last run did not finish, or what it did.
    pub last: String,
}

/// A dead letter as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadEntry {
    /// The dead letter's key: what "retry now" names.
    pub key: String,
    pub at: u64,
    pub kind: String,
    pub ids: Vec<String>,
    pub attempts: u32,
    pub reason: String,
}

fn ids(job: &Job) -> Vec<String> {
    job.ids.iter().map(|id| printable(id, 80)).collect()
}

/// Records how a run of `job` ended (`attempt`: 0 on the first run).
pub async fn record_run(caps: &Caps, job: &Job, attempt: u32, ended: Ended, last: &str) {
    let entry = JobRun {
        at: caps.now().await.unwrap_or(0),
        kind: printable(&job.kind, 40),
        ids: ids(job),
        ended,
        attempts: attempt.saturating_add(1),
        last: printable(last, 300),
    };
    ring::note(
        caps,
        RUNS_KEY,
        entry,
        |old: &JobRun, new: &JobRun| old.kind == new.kind && old.ids == new.ids,
        |_, new| new,
        "the job run",
    )
    .await;
}

/// Lists a dead letter just kept (the letter is kept either way).
pub async fn list_dead(caps: &Caps, letter: &dead::DeadLetter) {
    let entry = DeadEntry {
        key: dead::key(&letter.job),
        at: letter.at,
        kind: printable(&letter.job.kind, 40),
        ids: ids(&letter.job),
        attempts: letter.attempts,
        reason: printable(&letter.reason, 300),
    };
    ring::note(
        caps,
        DEAD_KEY,
        entry,
        |old: &DeadEntry, new: &DeadEntry| old.key == new.key,
        |_, new| new,
        "the dead letter",
    )
    .await;
}

pub async fn dead(caps: &Caps) -> Result<Vec<DeadEntry>, CapError> {
    ring::read(caps, DEAD_KEY).await
}

/// Takes a dead letter off the list (retried).
pub async fn unlist_dead(caps: &Caps, key: &str) -> Result<bool, CapError> {
    ring::remove(caps, DEAD_KEY, |e: &DeadEntry| e.key == key).await
}
