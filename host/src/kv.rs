//! Key-value storage and secrets in SQLite under the data dir: the local stand-in for Forge
//! KVS. `set_if_absent` is one INSERT OR IGNORE, atomic across concurrent runs.

use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};

/// A connection to the data dir's database (the KV's, and the job queue's): the file private
/// before SQLite writes a byte (it holds secrets; its -wal and -shm files take its mode), WAL,
/// and a busy wait for the other connection's writes.
pub fn connect(path: &Path) -> Result<Connection> {
    if path.as_os_str() != ":memory:" {
        crate::data_dir::private_file(path)?;
    }
    let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;")?;
    Ok(conn)
}

pub struct Kv {
    conn: Mutex<Connection>,
}

#[derive(Clone, Copy)]
pub enum Table {
    Values,
    Secrets,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Values => "kv",
            Table::Secrets => "secrets",
        }
    }
}

impl Kv {
    pub fn open(path: &Path) -> Result<Kv> {
        let conn = connect(path)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS secrets (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )?;
        Ok(Kv { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable; SQLite keeps its own state.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, table: Table, key: &str) -> Result<Option<String>> {
        let sql = format!("SELECT value FROM {} WHERE key = ?1", table.name());
        Ok(self.conn().query_row(&sql, params![key], |r| r.get(0)).optional()?)
    }

    pub fn set(&self, table: Table, key: &str, value: &str) -> Result<()> {
        let sql = format!(
            "INSERT INTO {} (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            table.name()
        );
        self.conn().execute(&sql, params![key, value])?;
        Ok(())
    }

    /// True when this call wrote the entry.
    pub fn set_if_absent(&self, key: &str, value: &str) -> Result<bool> {
        let changed = self.conn().execute(
            "INSERT OR IGNORE INTO kv (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(changed == 1)
    }

    pub fn delete(&self, key: &str) -> Result<()> {
        self.conn().execute("DELETE FROM kv WHERE key = ?1", params![key])?;
        Ok(())
    }

    /// Every value entry (not secrets), for inspection in tests and the index page.
    pub fn entries(&self) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT key, value FROM kv ORDER BY key")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_if_absent_has_one_winner_and_data_survives_reopen() {
        let dir = std::env::temp_dir().join(format!("pam-kv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("kv.sqlite");
        let _ = std::fs::remove_file(&path);
        {
            let kv = Kv::open(&path).unwrap();
            assert!(kv.set_if_absent("k", "1").unwrap());
            assert!(!kv.set_if_absent("k", "2").unwrap());
            kv.set(Table::Secrets, "s", "x").unwrap();
        }
        let kv = Kv::open(&path).unwrap();
        assert_eq!(kv.get(Table::Values, "k").unwrap().as_deref(), Some("1"));
        assert_eq!(kv.get(Table::Secrets, "s").unwrap().as_deref(), Some("x"));
        assert_eq!(
            kv.get(Table::Values, "s").unwrap(),
            None,
            "secrets are apart from values"
        );
        kv.delete("k").unwrap();
        assert_eq!(kv.get(Table::Values, "k").unwrap(), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
