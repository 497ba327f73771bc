//! The `jobs` table, in the KV's database (`kv.sqlite`): push, take one due job atomically,
//! settle it (finish or retry), and the figures `/_sandbox/queue` shows. Every time is the app's
//! clock in ms, passed in by the caller, so a sandbox clock shift moves due times too.
//!
//! A take marks the row with this process's instance id and a visibility timeout
//! (`taken_until`); a row whose timeout passed is free again. Settling names the take it
//! settles (its `taken_until`), so a run that outlived its timeout cannot delete or reschedule
//! the job a later take now runs. Rows taken by an earlier process are freed when the store
//! opens: that process is gone.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

/// How long a taken job stays hidden from other workers before it counts as abandoned.
pub const VISIBILITY_MS: u64 = 5 * 60 * 1000;

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS jobs (
        id INTEGER PRIMARY KEY,
        queue TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 0,
        host_failures INTEGER NOT NULL DEFAULT 0,
        due_at INTEGER NOT NULL,
        taken_by TEXT,
        taken_until INTEGER,
        pushed_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS jobs_due ON jobs (due_at);
    CREATE TABLE IF NOT EXISTS job_totals (name TEXT PRIMARY KEY, n INTEGER NOT NULL);";

/// A job taken for one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub queue: String,
    pub payload: String,
    /// Deliveries before this one (the WIT's `job-call.attempt`).
    pub attempt: u32,
    /// Runs of this job that failed in the host (a trap, a host error), for the host's backoff.
    pub host_failures: u32,
    /// This take's `taken_until`: it identifies the take when the job is settled.
    taken_until: i64,
}

/// How a job left the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The run succeeded.
    Done,
    /// The app gave up on it (`outcome::error`) or the host did (too many failed runs).
    Dropped,
}

impl End {
    fn total(self) -> &'static str {
        match self {
            End::Done => "done",
            End::Dropped => "dropped",
        }
    }
}

/// The queue's figures: the first three are the table now, the last three totals since the
/// data dir was created (kept in the database, so they survive a restart).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Jobs waiting for a worker (due or not).
    pub pending: u64,
    /// Of those, the ones whose time has come.
    pub due: u64,
    /// Jobs being run now.
    pub taken: u64,
    /// Deliveries rescheduled: the app's retries and the host's retries after a failed run.
    pub retried: u64,
    pub done: u64,
    pub dropped: u64,
}

pub struct JobStore {
    conn: Mutex<Connection>,
    /// This process's instance id (`process_instance::mark`), written on the rows it takes.
    instance: String,
}

impl JobStore {
    /// Opens (creating if need be) the jobs table in the database at `path` with a connection of
    /// its own, and frees the jobs an earlier process had taken.
    pub fn open(path: &Path, instance: &str) -> Result<JobStore> {
        let conn = crate::kv::connect(path)?;
        conn.execute_batch(SCHEMA)?;
        let store = JobStore {
            conn: Mutex::new(conn),
            instance: instance.to_string(),
        };
        let freed = store.free_others()?;
        if freed > 0 {
            tracing::info!(jobs = freed, "jobs an earlier host process had taken are queued again");
        }
        Ok(store)
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable; SQLite keeps its own state.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Rows taken by another instance are free at once; their delivery happened (it may have
    /// run in part), so the next one counts as a redelivery.
    fn free_others(&self) -> Result<usize> {
        Ok(self.conn().execute(
            "UPDATE jobs SET taken_by = NULL, taken_until = NULL, attempt = attempt + 1
             WHERE taken_by IS NOT NULL AND taken_by <> ?1",
            params![self.instance],
        )?)
    }

    /// Stores a job due at `due_at`; answers its id once the insert is committed.
    pub fn push(&self, queue: &str, payload: &str, due_at: u64, now: u64) -> Result<i64> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO jobs (queue, payload, due_at, pushed_at) VALUES (?1, ?2, ?3, ?4)",
            params![queue, payload, ms(due_at), ms(now)],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Takes the earliest due free job, if any, for `VISIBILITY_MS`. One statement inside an
    /// immediate transaction: two takers, even on two connections, never get the same job.
    pub fn take_due(&self, now: u64) -> Result<Option<Job>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let job = tx
            .query_row(
                // A row still marked taken lost its run (timed out): this take is a redelivery.
                "UPDATE jobs SET taken_by = ?1, taken_until = ?2,
                     attempt = attempt + (taken_until IS NOT NULL)
                 WHERE id = (SELECT id FROM jobs
                             WHERE due_at <= ?3 AND (taken_until IS NULL OR taken_until <= ?3)
                             ORDER BY due_at, id LIMIT 1)
                 RETURNING id, queue, payload, attempt, host_failures, taken_until",
                params![self.instance, ms(now.saturating_add(VISIBILITY_MS)), ms(now)],
                |row| {
                    Ok(Job {
                        id: row.get(0)?,
                        queue: row.get(1)?,
                        payload: row.get(2)?,
                        attempt: row.get(3)?,
                        host_failures: row.get(4)?,
                        taken_until: row.get(5)?,
                    })
                },
            )
            .optional()?;
        tx.commit()?;
        Ok(job)
    }

    /// Deletes the job and counts how it ended. False when this take no longer holds it (its
    /// visibility timeout passed and another take has it): nothing changes then.
    pub fn finish(&self, job: &Job, end: End) -> Result<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let held = tx.execute(
            "DELETE FROM jobs WHERE id = ?1 AND taken_until = ?2",
            params![job.id, job.taken_until],
        )? == 1;
        if held {
            count(&tx, end.total())?;
        }
        tx.commit()?;
        Ok(held)
    }

    /// Frees the job for another delivery at `due_at` with `attempt` + 1 (and one more host
    /// failure when `host_failure`). False when this take no longer holds it.
    pub fn retry(&self, job: &Job, due_at: u64, host_failure: bool) -> Result<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let held = tx.execute(
            "UPDATE jobs SET attempt = attempt + 1, host_failures = host_failures + ?3, due_at = ?4,
                 taken_by = NULL, taken_until = NULL
             WHERE id = ?1 AND taken_until = ?2",
            params![job.id, job.taken_until, i64::from(host_failure), ms(due_at)],
        )? == 1;
        if held {
            count(&tx, "retried")?;
        }
        tx.commit()?;
        Ok(held)
    }

    /// When a job may next be taken: the earliest due time of a free job, or the end of a
    /// take's visibility timeout. None when the table is empty.
    pub fn next_due(&self) -> Result<Option<u64>> {
        let next: Option<i64> = self.conn().query_row(
            "SELECT MIN(CASE WHEN taken_until IS NULL THEN due_at ELSE MAX(due_at, taken_until) END) FROM jobs",
            [],
            |row| row.get(0),
        )?;
        Ok(next.map(|at| u64::try_from(at).unwrap_or(0)))
    }

    pub fn stats(&self, now: u64) -> Result<Stats> {
        let conn = self.conn();
        let now = ms(now);
        let (pending, due, taken): (u64, u64, u64) = conn.query_row(
            "SELECT
                 COUNT(*) FILTER (WHERE taken_until IS NULL OR taken_until <= ?1),
                 COUNT(*) FILTER (WHERE (taken_until IS NULL OR taken_until <= ?1) AND due_at <= ?1),
                 COUNT(*) FILTER (WHERE taken_until > ?1)
             FROM jobs",
            params![now],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        let total = |name: &str| -> Result<u64> {
            let n: Option<u64> = conn
                .query_row("SELECT n FROM job_totals WHERE name = ?1", params![name], |row| {
                    row.get(0)
                })
                .optional()?;
            Ok(n.unwrap_or(0))
        };
        Ok(Stats {
            pending,
            due,
            taken,
            retried: total("retried")?,
            done: total("done")?,
            dropped: total("dropped")?,
        })
    }
}

fn count(conn: &Connection, name: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO job_totals (name, n) VALUES (?1, 1) ON CONFLICT(name) DO UPDATE SET n = n + 1",
        params![name],
    )?;
    Ok(())
}

/// SQLite integers are signed; a clock past i64 (a sandbox clock pushed to the end) saturates.
fn ms(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
