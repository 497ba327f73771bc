//! Jobs given up: kept in KV under `jobs:dead:<kind>:<ids>` with why, so an operator (or a test)
//! can see what the app could not finish. A later job for the same work overwrites nothing it
//! needs: the work's own records say what is done.

use serde::{Deserialize, Serialize};

use super::Job;
use crate::caps::{CapError, Caps};
use crate::store;

const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub job: Job,
    pub attempts: u32,
    pub reason: String,
    pub at: u64,
}

pub fn key(job: &Job) -> String {
    let ids: Vec<String> = job.ids.iter().map(|i| store::key_part(i)).collect();
    format!("jobs:dead:{}:{}", store::key_part(&job.kind), ids.join(":"))
}

pub async fn keep(caps: &Caps, job: &Job, attempts: u32, reason: &str, now: u64) -> Result<(), CapError> {
    let letter = DeadLetter {
        job: job.clone(),
        attempts,
        reason: reason.into(),
        at: now,
    };
    caps.kv_set(&key(job), &store::encode(VERSION, &letter)).await?;
    // Listed for the configuration page's "retry now".
    super::runs::list_dead(caps, &letter).await;
    Ok(())
}

pub async fn read(caps: &Caps, job: &Job) -> Result<Option<DeadLetter>, CapError> {
    read_key(caps, &key(job)).await
}

/// The dead letter under `key` (a key [`key`] made).
pub async fn read_key(caps: &Caps, key: &str) -> Result<Option<DeadLetter>, CapError> {
    Ok(caps.kv_get(key).await?.and_then(|t| store::decode(VERSION, &t)))
}
