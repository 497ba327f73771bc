//! The local job queue, the stand-in for Forge's async events: jobs the component pushes
//! (`call::queue-push`) are stored in the `jobs` table of `kv.sqlite` (`store.rs`), so they
//! survive a restart, and a pool of workers (`worker.rs`) delivers each as `invocation::job`
//! when it is due. Delivery is at least once, in no promised order (Forge gives no stronger
//! promise): the app handles a redelivery.

pub mod store;
pub mod worker;

use std::path::Path;

use anyhow::Result;
use tokio::sync::Notify;

pub use store::{JobStore, Stats};

/// Forge's longest delay (900 s), for pushes and for retries alike.
pub const MAX_DELAY_MS: u32 = 900_000;

pub struct Queue {
    store: JobStore,
    /// Wakes idle workers when a job is pushed (or the sandbox clock moves).
    wake: Notify,
}

impl Queue {
    /// The queue in the database at `path` (the KV's), for the process `instance`.
    pub fn open(path: &Path, instance: &str) -> Result<Queue> {
        Ok(Queue {
            store: JobStore::open(path, instance)?,
            wake: Notify::new(),
        })
    }

    /// Stores a job due `delay_ms` after `now` (the app's clock); Ok once the insert committed.
    /// A delay beyond Forge's 900 s is shortened to it, with a warning.
    pub fn push(&self, queue: &str, payload: &str, delay_ms: u32, now: u64) -> Result<()> {
        if delay_ms > MAX_DELAY_MS {
            tracing::warn!(%queue, delay_ms, "a job's delay exceeds Forge's 900 s; it is due in 900 s");
        }
        let due_at = now.saturating_add(u64::from(delay_ms.min(MAX_DELAY_MS)));
        let id = self.store.push(queue, payload, due_at, now)?;
        tracing::debug!(%queue, job = id, delay_ms, "job queued");
        self.wake();
        Ok(())
    }

    pub fn store(&self) -> &JobStore {
        &self.store
    }

    /// Makes idle workers look at the table now instead of at their next timer.
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }
}
