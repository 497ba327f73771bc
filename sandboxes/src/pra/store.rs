//! The PRA sandbox's SQLite storage: jump requests awaiting the ticket system, the responses the
//! appliance accepted, and its settings.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{Map, Value};

use super::validate::Answer;
use crate::time::utc_iso;

/// Whether a ticket system URL is configured, and how long a request waits for its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Settings {
    pub ticket_system_configured: bool,
    pub timeout_seconds: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            ticket_system_configured: true,
            timeout_seconds: 120,
        }
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum State {
    Pending,
    Answered,
    TimedOut,
}

impl State {
    fn column(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Answered => "answered",
            State::TimedOut => "timed_out",
        }
    }

    fn from_column(text: &str) -> State {
        match text {
            "answered" => State::Answered,
            "timed_out" => State::TimedOut,
            _ => State::Pending,
        }
    }
}

/// A response as the appliance accepted it (`GET /_sandbox/responses`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ResponseRecord {
    pub seq: i64,
    pub request_id: String,
    /// `allow` or `deny`.
    pub response: String,
    pub message: Option<String>,
    /// The `session.custom.<code name>` attributes by code name.
    pub session_custom: Value,
    pub received_at: String,
}

/// A jump request with its state (`GET /_sandbox/requests`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RequestRecord {
    pub request_id: String,
    pub state: State,
    pub created_at: String,
    /// When the appliance gave up waiting (timed out requests only).
    pub timed_out_at: Option<String>,
    /// The keys the appliance posted to the ticket system, as a flat JSON object.
    pub json: Value,
    pub response: Option<ResponseRecord>,
}

/// What became of an answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Recorded,
    Unknown,
    AlreadyAnswered,
    TimedOut,
}

pub(super) fn open(path: &Path) -> anyhow::Result<Connection> {
    crate::sqlite::open(
        path,
        "the PRA sandbox",
        "CREATE TABLE IF NOT EXISTS requests (
             seq INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL UNIQUE,
             created_at INTEGER NOT NULL, form TEXT NOT NULL,
             state TEXT NOT NULL DEFAULT 'pending', timed_out_at INTEGER);
         CREATE TABLE IF NOT EXISTS responses (
             seq INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL, response TEXT NOT NULL,
             message TEXT, session_custom TEXT NOT NULL, received_at INTEGER NOT NULL);
         CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
    )
}

pub(super) fn settings(conn: &Connection) -> rusqlite::Result<Settings> {
    let value = |name: &str| -> rusqlite::Result<Option<i64>> {
        conn.query_row("SELECT value FROM settings WHERE name = ?1", [name], |row| row.get(0))
            .optional()
    };
    let defaults = Settings::default();
    Ok(Settings {
        ticket_system_configured: value("ticket_system_configured")?
            .map_or(defaults.ticket_system_configured, |v| v != 0),
        timeout_seconds: value("timeout_seconds")?
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(defaults.timeout_seconds),
    })
}

pub(super) fn save_settings(conn: &Connection, settings: &Settings) -> rusqlite::Result<()> {
    let timeout = i64::try_from(settings.timeout_seconds).unwrap_or(i64::MAX);
    for (name, value) in [
        ("ticket_system_configured", i64::from(settings.ticket_system_configured)),
        ("timeout_seconds", timeout),
    ] {
        conn.execute(
            "INSERT INTO settings (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            params![name, value],
        )?;
    }
    Ok(())
}

/// Adds a pending request; false when one with this id exists.
pub(super) fn add_request(
    conn: &Connection,
    request_id: &str,
    created_at: i64,
    form: &[(String, String)],
) -> rusqlite::Result<bool> {
    let form = serde_json::to_string(form).unwrap_or_default();
    let added = conn.execute(
        "INSERT INTO requests (request_id, created_at, form) VALUES (?1, ?2, ?3)
         ON CONFLICT (request_id) DO NOTHING",
        params![request_id, created_at, form],
    )?;
    Ok(added == 1)
}

/// Marks the requests pending longer than the timeout as timed out, for good (a longer timeout
/// set later does not bring them back, as on the appliance).
fn time_out(conn: &Connection, now: i64) -> rusqlite::Result<()> {
    let timeout_ms = i64::try_from(settings(conn)?.timeout_seconds)
        .unwrap_or(i64::MAX)
        .saturating_mul(1000);
    conn.execute(
        "UPDATE requests SET state = 'timed_out', timed_out_at = created_at + ?2
         WHERE state = 'pending' AND ?1 - created_at > ?2",
        params![now, timeout_ms],
    )?;
    Ok(())
}

/// Records `answer` if its request is pending at `now`.
pub(super) fn answer(conn: &Connection, now: i64, answer: &Answer) -> rusqlite::Result<Outcome> {
    let transaction = conn.unchecked_transaction()?;
    time_out(&transaction, now)?;
    let state: Option<String> = transaction
        .query_row(
            "SELECT state FROM requests WHERE request_id = ?1",
            [&answer.response_id],
            |row| row.get(0),
        )
        .optional()?;
    let outcome = match state.as_deref().map(State::from_column) {
        None => Outcome::Unknown,
        Some(State::Answered) => Outcome::AlreadyAnswered,
        Some(State::TimedOut) => Outcome::TimedOut,
        Some(State::Pending) => {
            let custom: Map<String, Value> = answer
                .session_custom
                .iter()
                .map(|(name, value)| (name.clone(), Value::String(value.clone())))
                .collect();
            transaction.execute(
                "INSERT INTO responses (request_id, response, message, session_custom, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    answer.response_id,
                    answer.response,
                    answer.message,
                    Value::Object(custom).to_string(),
                    now
                ],
            )?;
            transaction.execute(
                "UPDATE requests SET state = ?2 WHERE request_id = ?1",
                params![answer.response_id, State::Answered.column()],
            )?;
            Outcome::Recorded
        }
    };
    transaction.commit()?;
    Ok(outcome)
}

/// Every response, oldest first.
pub(super) fn responses(conn: &Connection) -> rusqlite::Result<Vec<ResponseRecord>> {
    responses_where(conn, None)
}

fn responses_where(conn: &Connection, request_id: Option<&str>) -> rusqlite::Result<Vec<ResponseRecord>> {
    let mut statement = conn.prepare(
        "SELECT seq, request_id, response, message, session_custom, received_at FROM responses
         WHERE ?1 IS NULL OR request_id = ?1 ORDER BY seq",
    )?;
    let rows = statement.query_map([request_id], |row| {
        let custom: String = row.get(4)?;
        Ok(ResponseRecord {
            seq: row.get(0)?,
            request_id: row.get(1)?,
            response: row.get(2)?,
            message: row.get(3)?,
            session_custom: serde_json::from_str(&custom).unwrap_or(Value::String(custom)),
            received_at: utc_iso(row.get(5)?),
        })
    })?;
    rows.collect()
}

/// Every request (or the one with `request_id`), oldest first, as it stands at `now`.
pub(super) fn requests(conn: &Connection, now: i64, request_id: Option<&str>) -> rusqlite::Result<Vec<RequestRecord>> {
    time_out(conn, now)?;
    let mut statement = conn.prepare(
        "SELECT request_id, state, created_at, timed_out_at, form FROM requests
         WHERE ?1 IS NULL OR request_id = ?1 ORDER BY seq",
    )?;
    let rows = statement.query_map([request_id], |row| {
        let state: String = row.get(1)?;
        let form: String = row.get(4)?;
        let pairs: Vec<(String, String)> = serde_json::from_str(&form).unwrap_or_default();
        Ok(RequestRecord {
            request_id: row.get(0)?,
            state: State::from_column(&state),
            created_at: utc_iso(row.get(2)?),
            timed_out_at: row.get::<_, Option<i64>>(3)?.map(utc_iso),
            json: super::jump_request::flat_json(&pairs),
            response: None,
        })
    })?;
    let mut requests = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    for request in &mut requests {
        request.response = responses_where(conn, Some(&request.request_id))?.pop();
    }
    Ok(requests)
}

/// Forgets every request and response, and the settings.
pub(super) fn clear(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("DELETE FROM requests; DELETE FROM responses; DELETE FROM settings;")
}
