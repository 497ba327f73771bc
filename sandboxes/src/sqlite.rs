//! Opening a sandbox's SQLite database (EPM's, PRA's), and locking what the sandboxes share
//! between requests.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use anyhow::Context;
use rusqlite::Connection;

/// Opens (creating on first use) the database at `path` (":memory:" for tests) and creates
/// `schema`'s tables; `what` names the sandbox in errors ("the EPM sandbox").
pub(crate) fn open(path: &Path, what: &str, schema: &str) -> anyhow::Result<Connection> {
    let conn = if path.as_os_str() == ":memory:" {
        Connection::open_in_memory()
    } else {
        // Whoever opens the sandbox makes the file private first (the host: 0600 before SQLite
        // writes a byte, so its -wal/-shm files take that mode).
        Connection::open(path)
    }
    .with_context(|| format!("opening {what}'s database {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(schema)
        .with_context(|| format!("creating {what}'s tables"))?;
    Ok(conn)
}

/// Locks `mutex`, ignoring poisoning: every change a sandbox makes under a lock is one
/// statement or one push, so a panicking holder leaves nothing half done.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
