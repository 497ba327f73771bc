//! The EPM sandbox's SQLite storage: issued access tokens and recorded decisions.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

/// A token's standing when presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenState {
    Valid,
    Unknown,
    Expired,
    Revoked,
}

/// One decision as EPM accepted it (`GET /_sandbox/decisions`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Decision {
    pub seq: i64,
    /// The management API version segment the app called (`v1`, `v2` or `v3`).
    pub api_version: String,
    /// When the sandbox received it (UTC ISO 8601).
    pub received_at: String,
    /// The notification body as sent.
    pub notification: Value,
}

pub(super) fn open(path: &Path) -> anyhow::Result<Connection> {
    crate::sqlite::open(
        path,
        "the EPM sandbox",
        "CREATE TABLE IF NOT EXISTS tokens (
             token TEXT PRIMARY KEY, client_id TEXT NOT NULL, expires_at INTEGER NOT NULL,
             revoked INTEGER NOT NULL DEFAULT 0);
         CREATE TABLE IF NOT EXISTS decisions (
             seq INTEGER PRIMARY KEY AUTOINCREMENT, api_version TEXT NOT NULL,
             received_at TEXT NOT NULL, notification TEXT NOT NULL);",
    )
}

pub(super) fn add_token(conn: &Connection, token: &str, client_id: &str, expires_at: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO tokens (token, client_id, expires_at) VALUES (?1, ?2, ?3)",
        params![token, client_id, expires_at],
    )?;
    Ok(())
}

pub(super) fn token_state(conn: &Connection, token: &str, now: i64) -> rusqlite::Result<TokenState> {
    let found: Option<(i64, bool)> = conn
        .query_row(
            "SELECT expires_at, revoked FROM tokens WHERE token = ?1",
            [token],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    Ok(match found {
        None => TokenState::Unknown,
        Some((_, true)) => TokenState::Revoked,
        Some((expires_at, false)) if expires_at <= now => TokenState::Expired,
        Some(_) => TokenState::Valid,
    })
}

/// Revokes every token; answers how many were still usable.
pub(super) fn revoke_all(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE tokens SET revoked = 1 WHERE revoked = 0 AND expires_at > ?1",
        [now],
    )
}

/// Makes every unexpired token expire now (as if an hour had passed); answers how many.
pub(super) fn expire_all(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE tokens SET expires_at = ?1 WHERE revoked = 0 AND expires_at > ?1",
        [now],
    )
}

pub(super) fn add_decision(
    conn: &Connection,
    api_version: &str,
    received_at: &str,
    notification: &Value,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO decisions (api_version, received_at, notification) VALUES (?1, ?2, ?3)",
        params![api_version, received_at, notification.to_string()],
    )?;
    Ok(())
}

pub(super) fn decisions(conn: &Connection) -> rusqlite::Result<Vec<Decision>> {
    let mut statement =
        conn.prepare("SELECT seq, api_version, received_at, notification FROM decisions ORDER BY seq")?;
    let rows = statement.query_map([], |row| {
        let text: String = row.get(3)?;
        Ok(Decision {
            seq: row.get(0)?,
            api_version: row.get(1)?,
            received_at: row.get(2)?,
            notification: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        })
    })?;
    rows.collect()
}

pub(super) fn clear_decisions(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM decisions", [])?;
    Ok(())
}
