//! The Commander sandbox's SQLite storage: the KEPM requests and SSO device requests Keeper
//! holds, the API keys, and the sandbox's settings.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};

use super::seed;
use crate::time::utc_iso;

/// How the sandbox behaves (`/_sandbox/settings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Settings {
    /// Calls a minute per endpoint (Commander's `rate_limiting`, default `60/minute`).
    pub rate_limit_per_minute: u64,
    /// Most queued entries (Commander's `DEFAULT_QUEUE_MAX_SIZE`).
    pub queue_size: u64,
    /// How long the worker spends on each command.
    pub processing_ms: u64,
    /// The worker starts nothing new while paused.
    pub worker_paused: bool,
    /// 429 answers carry `Retry-After` (flask-limiter sends it only when its headers are on).
    pub retry_after_header: bool,
    /// The next n commands the worker runs fail (kept with the queue, in memory).
    pub fail_next: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            rate_limit_per_minute: 60,
            queue_size: 100,
            processing_ms: 100,
            worker_paused: false,
            retry_after_header: true,
            fail_next: 0,
        }
    }
}

/// A KEPM approval request as Keeper keeps it.
#[derive(Debug, Clone)]
pub(super) struct Kepm {
    pub uid: String,
    pub approval_type: String,
    pub agent_uid: String,
    pub account_info: Value,
    pub application_info: Value,
    pub justification: String,
    pub expire_in: i64,
    pub created_ms: i64,
    /// `Pending`, `Approved`, `Denied`, `Escalated` or `Expired`, as stored.
    pub stored_status: String,
    pub decided_at: Option<i64>,
    /// `commander` (an action through the API) or `keeper` (the control: decided elsewhere).
    pub decided_by: Option<String>,
}

impl Kepm {
    /// The status Commander shows at `now`: a pending request past its `expire_in` minutes is
    /// `Expired`.
    pub fn status(&self, now: i64) -> &str {
        if self.stored_status == "Pending" && now - self.created_ms > self.expire_in.saturating_mul(60_000) {
            "Expired"
        } else {
            &self.stored_status
        }
    }

    /// The control's view of it.
    pub fn to_json(&self, now: i64) -> Value {
        json!({
            "uid": self.uid,
            "approvalType": self.approval_type,
            "status": self.status(now),
            "storedStatus": self.stored_status,
            "agentUid": self.agent_uid,
            "accountInfo": self.account_info,
            "applicationInfo": self.application_info,
            "justification": self.justification,
            "expireIn": self.expire_in,
            "created": super::response::py_iso(self.created_ms),
            "createdAt": utc_iso(self.created_ms),
            "decidedAt": self.decided_at.map(utc_iso),
            "decidedBy": self.decided_by,
        })
    }
}

/// An SSO device waiting for an admin's approval.
#[derive(Debug, Clone)]
pub(super) struct Device {
    /// 20 lowercase hex characters (the first 10 bytes of the encrypted device token).
    pub device_id: String,
    pub email: String,
    pub device_name: String,
    pub device_type: String,
    pub ip_address: String,
    pub client_version: String,
    pub location: String,
    pub date_ms: i64,
    /// `pending`, `approved` or `denied`.
    pub state: String,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
}

impl Device {
    pub fn to_json(&self) -> Value {
        json!({
            "deviceId": self.device_id,
            "email": self.email,
            "deviceName": self.device_name,
            "deviceType": self.device_type,
            "ipAddress": self.ip_address,
            "clientVersion": self.client_version,
            "location": self.location,
            "date": super::response::gm_date(self.date_ms),
            "createdAt": utc_iso(self.date_ms),
            "state": self.state,
            "decidedAt": self.decided_at.map(utc_iso),
            "decidedBy": self.decided_by,
        })
    }
}

/// An API key with its allow-list (comma-separated first words) and expiry.
#[derive(Debug, Clone)]
pub(super) struct ApiKey {
    pub key: String,
    pub commands: String,
    /// None: never expires.
    pub expires_ms: Option<i64>,
}

pub(super) fn open(path: &Path) -> anyhow::Result<Connection> {
    crate::sqlite::open(
        path,
        "the Keeper Commander sandbox",
        "CREATE TABLE IF NOT EXISTS kepm (
             seq INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL UNIQUE,
             approval_type TEXT NOT NULL, agent_uid TEXT NOT NULL, account_info TEXT NOT NULL,
             application_info TEXT NOT NULL, justification TEXT NOT NULL, expire_in INTEGER NOT NULL,
             created_ms INTEGER NOT NULL, status TEXT NOT NULL, decided_at INTEGER, decided_by TEXT);
         CREATE TABLE IF NOT EXISTS devices (
             seq INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL UNIQUE, email TEXT NOT NULL,
             device_name TEXT NOT NULL, device_type TEXT NOT NULL, ip_address TEXT NOT NULL,
             client_version TEXT NOT NULL, location TEXT NOT NULL, date_ms INTEGER NOT NULL,
             state TEXT NOT NULL DEFAULT 'pending', decided_at INTEGER, decided_by TEXT);
         CREATE TABLE IF NOT EXISTS api_keys (
             seq INTEGER PRIMARY KEY AUTOINCREMENT, api_key TEXT NOT NULL UNIQUE,
             commands TEXT NOT NULL, expires_ms INTEGER);
         CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
    )
}

/// Seeds a database that was never seeded (a restart keeps what is there).
pub(super) fn seed_once(conn: &Connection, now: i64) -> rusqlite::Result<()> {
    let seeded: Option<i64> = conn
        .query_row("SELECT value FROM settings WHERE name = 'seeded'", [], |row| row.get(0))
        .optional()?;
    if seeded.is_none() {
        seed(conn, now)?;
    }
    Ok(())
}

/// Adds the seeds (`seed.rs`), aged relative to `now`.
fn seed(conn: &Connection, now: i64) -> rusqlite::Result<()> {
    add_key(
        conn,
        &ApiKey {
            key: seed::DEFAULT_API_KEY.into(),
            commands: seed::DEFAULT_API_KEY_COMMANDS.into(),
            expires_ms: None,
        },
    )?;
    for request in &seed::KEPM {
        let (name, path, publisher) = request.application;
        add_kepm(
            conn,
            &Kepm {
                uid: request.uid.into(),
                approval_type: seed::APPROVAL_TYPE.into(),
                agent_uid: seed::AGENT_UID.into(),
                account_info: json!({"username": request.email, "domain": "CORP"}),
                application_info: json!({"name": name, "path": path, "publisher": publisher}),
                justification: request.justification.into(),
                expire_in: seed::EXPIRE_IN_MINUTES,
                created_ms: now - request.age_minutes * 60_000,
                stored_status: "Pending".into(),
                decided_at: None,
                decided_by: None,
            },
        )?;
    }
    for (device_id, email, name, kind, ip, version, location, age) in seed::DEVICES {
        add_device(
            conn,
            &Device {
                device_id: device_id.into(),
                email: email.into(),
                device_name: name.into(),
                device_type: kind.into(),
                ip_address: ip.into(),
                client_version: version.into(),
                location: location.into(),
                date_ms: now - age * 60_000,
                state: "pending".into(),
                decided_at: None,
                decided_by: None,
            },
        )?;
    }
    conn.execute(
        "INSERT INTO settings (name, value) VALUES ('seeded', 1) ON CONFLICT (name) DO NOTHING",
        [],
    )?;
    Ok(())
}

/// Forgets everything and seeds again relative to `now` (settings to defaults).
pub(super) fn reset(conn: &Connection, now: i64) -> rusqlite::Result<()> {
    let transaction = conn.unchecked_transaction()?;
    transaction.execute_batch("DELETE FROM kepm; DELETE FROM devices; DELETE FROM api_keys; DELETE FROM settings;")?;
    seed(&transaction, now)?;
    transaction.commit()
}

pub(super) fn settings(conn: &Connection) -> rusqlite::Result<Settings> {
    let value = |name: &str| -> rusqlite::Result<Option<i64>> {
        conn.query_row("SELECT value FROM settings WHERE name = ?1", [name], |row| row.get(0))
            .optional()
    };
    let number = |name: &str, default: u64| -> rusqlite::Result<u64> {
        Ok(value(name)?.and_then(|v| u64::try_from(v).ok()).unwrap_or(default))
    };
    let defaults = Settings::default();
    Ok(Settings {
        rate_limit_per_minute: number("rate_limit_per_minute", defaults.rate_limit_per_minute)?,
        queue_size: number("queue_size", defaults.queue_size)?,
        processing_ms: number("processing_ms", defaults.processing_ms)?,
        worker_paused: value("worker_paused")?.map_or(defaults.worker_paused, |v| v != 0),
        retry_after_header: value("retry_after_header")?.map_or(defaults.retry_after_header, |v| v != 0),
        fail_next: defaults.fail_next,
    })
}

pub(super) fn save_settings(conn: &Connection, settings: &Settings) -> rusqlite::Result<()> {
    let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    for (name, value) in [
        ("rate_limit_per_minute", int(settings.rate_limit_per_minute)),
        ("queue_size", int(settings.queue_size)),
        ("processing_ms", int(settings.processing_ms)),
        ("worker_paused", i64::from(settings.worker_paused)),
        ("retry_after_header", i64::from(settings.retry_after_header)),
    ] {
        conn.execute(
            "INSERT INTO settings (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            params![name, value],
        )?;
    }
    Ok(())
}

/// Adds a KEPM request; false when one with this UID exists.
pub(super) fn add_kepm(conn: &Connection, request: &Kepm) -> rusqlite::Result<bool> {
    let added = conn.execute(
        "INSERT INTO kepm (uid, approval_type, agent_uid, account_info, application_info, justification,
                           expire_in, created_ms, status, decided_at, decided_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (uid) DO NOTHING",
        params![
            request.uid,
            request.approval_type,
            request.agent_uid,
            request.account_info.to_string(),
            request.application_info.to_string(),
            request.justification,
            request.expire_in,
            request.created_ms,
            request.stored_status,
            request.decided_at,
            request.decided_by,
        ],
    )?;
    Ok(added == 1)
}

/// Every KEPM request (or the one with `uid`), oldest first.
pub(super) fn kepm(conn: &Connection, uid: Option<&str>) -> rusqlite::Result<Vec<Kepm>> {
    let mut statement = conn.prepare(
        "SELECT uid, approval_type, agent_uid, account_info, application_info, justification, expire_in,
                created_ms, status, decided_at, decided_by
         FROM kepm WHERE ?1 IS NULL OR uid = ?1 ORDER BY seq",
    )?;
    let json = |text: String| serde_json::from_str(&text).unwrap_or(Value::String(text));
    let rows = statement.query_map([uid], |row| {
        Ok(Kepm {
            uid: row.get(0)?,
            approval_type: row.get(1)?,
            agent_uid: row.get(2)?,
            account_info: json(row.get(3)?),
            application_info: json(row.get(4)?),
            justification: row.get(5)?,
            expire_in: row.get(6)?,
            created_ms: row.get(7)?,
            stored_status: row.get(8)?,
            decided_at: row.get(9)?,
            decided_by: row.get(10)?,
        })
    })?;
    rows.collect()
}

/// Why a KEPM decision was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refused {
    Unknown,
    /// Its status at that moment (`Expired`, `Approved`, ...).
    NotPending(String),
}

/// Decides a pending, unexpired request at `now` (`status` `Approved`, `Denied`, `Escalated`).
pub(super) fn decide_kepm(
    conn: &Connection,
    uid: &str,
    status: &str,
    now: i64,
    by: &str,
) -> rusqlite::Result<Result<Kepm, Refused>> {
    let Some(request) = kepm(conn, Some(uid))?.pop() else {
        return Ok(Err(Refused::Unknown));
    };
    let current = request.status(now);
    if current != "Pending" {
        return Ok(Err(Refused::NotPending(current.to_string())));
    }
    conn.execute(
        "UPDATE kepm SET status = ?2, decided_at = ?3, decided_by = ?4 WHERE uid = ?1",
        params![uid, status, now, by],
    )?;
    Ok(Ok(kepm(conn, Some(uid))?.pop().unwrap_or(request)))
}

/// Drops KEPM requests (`epm approval action --remove`); false when unknown.
pub(super) fn remove_kepm(conn: &Connection, uid: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM kepm WHERE uid = ?1", [uid])? == 1)
}

/// Adds a device request; false when one with this id exists.
pub(super) fn add_device(conn: &Connection, device: &Device) -> rusqlite::Result<bool> {
    let added = conn.execute(
        "INSERT INTO devices (device_id, email, device_name, device_type, ip_address, client_version,
                              location, date_ms, state, decided_at, decided_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (device_id) DO NOTHING",
        params![
            device.device_id,
            device.email,
            device.device_name,
            device.device_type,
            device.ip_address,
            device.client_version,
            device.location,
            device.date_ms,
            device.state,
            device.decided_at,
            device.decided_by,
        ],
    )?;
    Ok(added == 1)
}

/// Every device request (only pending ones when `pending_only`), oldest first.
pub(super) fn devices(conn: &Connection, pending_only: bool) -> rusqlite::Result<Vec<Device>> {
    let mut statement = conn.prepare(
        "SELECT device_id, email, device_name, device_type, ip_address, client_version, location, date_ms,
                state, decided_at, decided_by
         FROM devices WHERE ?1 = 0 OR state = 'pending' ORDER BY seq",
    )?;
    let rows = statement.query_map([i64::from(pending_only)], |row| {
        Ok(Device {
            device_id: row.get(0)?,
            email: row.get(1)?,
            device_name: row.get(2)?,
            device_type: row.get(3)?,
            ip_address: row.get(4)?,
            client_version: row.get(5)?,
            location: row.get(6)?,
            date_ms: row.get(7)?,
            state: row.get(8)?,
            decided_at: row.get(9)?,
            decided_by: row.get(10)?,
        })
    })?;
    rows.collect()
}

/// Records a decision (`approved` or `denied`) on a pending device; false when it is not pending.
pub(super) fn decide_device(
    conn: &Connection,
    device_id: &str,
    state: &str,
    now: i64,
    by: &str,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE devices SET state = ?2, decided_at = ?3, decided_by = ?4
         WHERE device_id = ?1 AND state = 'pending'",
        params![device_id, state, now, by],
    )?;
    Ok(changed == 1)
}

/// Adds a key; false when it exists.
pub(super) fn add_key(conn: &Connection, key: &ApiKey) -> rusqlite::Result<bool> {
    let added = conn.execute(
        "INSERT INTO api_keys (api_key, commands, expires_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (api_key) DO NOTHING",
        params![key.key, key.commands, key.expires_ms],
    )?;
    Ok(added == 1)
}

/// The key with this value.
pub(super) fn key(conn: &Connection, value: &str) -> rusqlite::Result<Option<ApiKey>> {
    Ok(keys(conn)?.into_iter().find(|key| key.key == value))
}

/// Every key, oldest first.
pub(super) fn keys(conn: &Connection) -> rusqlite::Result<Vec<ApiKey>> {
    let mut statement = conn.prepare("SELECT api_key, commands, expires_ms FROM api_keys ORDER BY seq")?;
    let rows = statement.query_map([], |row| {
        Ok(ApiKey {
            key: row.get(0)?,
            commands: row.get(1)?,
            expires_ms: row.get(2)?,
        })
    })?;
    rows.collect()
}
