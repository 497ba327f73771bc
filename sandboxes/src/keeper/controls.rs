//! Test controls under `/_sandbox/` (not Commander's API): add KEPM and device requests,
//! decide them in Keeper (outside Jira), manage API keys and settings, look at the state (the
//! module documentation lists them with their shapes). The fault and log controls are the
//! gate's.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::CommanderSandbox;
use super::api::digest;
use super::seed;
use super::store::{self, ApiKey, Device, Kepm, Refused, Settings};
use crate::answer::{message, problem};
use crate::gate::Gated;
use crate::sqlite::lock;
use crate::time::utc_iso;

type Shared = State<Arc<CommanderSandbox>>;

/// A refused control body: the field at fault and why.
struct Bad(Option<String>, String);

fn bad(field: &str, text: impl Into<String>) -> Bad {
    Bad(Some(field.to_string()), text.into())
}

fn refused(bad: Bad) -> Response {
    problem(StatusCode::BAD_REQUEST, bad.0.as_deref(), bad.1)
}

fn storage_failed(e: rusqlite::Error) -> Response {
    crate::answer::storage_failed("the Keeper Commander sandbox", e)
}

/// The body as a JSON object (an empty body is an empty object).
fn object(body: &[u8]) -> Result<Map<String, Value>, Bad> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(Bad(None, "The body must be a JSON object.".into())),
    }
}

/// Refuses fields not in `known`.
fn only(object: &Map<String, Value>, known: &[&str]) -> Result<(), Bad> {
    match object.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(bad(
            unknown,
            format!("Unknown field '{unknown}': give {}.", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn text(object: &Map<String, Value>, field: &str, default: &str) -> Result<String, Bad> {
    match object.get(field) {
        None => Ok(default.to_string()),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(other) => Err(bad(field, format!("'{field}' must be a string, not {other}."))),
    }
}

fn number(object: &Map<String, Value>, field: &str, range: std::ops::RangeInclusive<u64>) -> Result<Option<u64>, Bad> {
    match object.get(field) {
        None => Ok(None),
        Some(value) => match value.as_u64() {
            Some(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(bad(
                field,
                format!(
                    "'{field}' must be a whole number from {} to {}, not {value}.",
                    range.start(),
                    range.end()
                ),
            )),
        },
    }
}

/// `createdSecondsAgo` or `createdMinutesAgo` (at most a year): the creation time.
fn created(object: &Map<String, Value>, now: i64) -> Result<i64, Bad> {
    const YEAR_SECONDS: u64 = 366 * 24 * 3600;
    let seconds = number(object, "createdSecondsAgo", 0..=YEAR_SECONDS)?;
    let minutes = number(object, "createdMinutesAgo", 0..=YEAR_SECONDS / 60)?;
    let ago = match (seconds, minutes) {
        (Some(_), Some(_)) => {
            return Err(bad(
                "createdMinutesAgo",
                "Give createdSecondsAgo or createdMinutesAgo, not both.",
            ));
        }
        (Some(s), None) => s * 1000,
        (None, Some(m)) => m * 60_000,
        (None, None) => 0,
    };
    Ok(now - i64::try_from(ago).unwrap_or(0))
}

/// A random KEPM UID: base64url of 16 bytes, never beginning with `-` (argparse would take it
/// for an option: give such a UID with `uid` to try that).
fn random_uid() -> String {
    use base64::Engine;
    loop {
        let bytes: [u8; 16] = rand::random();
        let uid = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        if !uid.starts_with('-') {
            return uid;
        }
    }
}

fn is_uid(uid: &str) -> bool {
    uid.len() == 22
        && uid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && uid.ends_with(['A', 'Q', 'g', 'w'])
}

fn kepm_of(object: &Map<String, Value>, now: i64) -> Result<Kepm, Bad> {
    only(
        object,
        &[
            "uid",
            "approvalType",
            "agentUid",
            "accountInfo",
            "applicationInfo",
            "justification",
            "expireIn",
            "status",
            "createdSecondsAgo",
            "createdMinutesAgo",
        ],
    )?;
    let uid = match object.get("uid") {
        None => random_uid(),
        Some(Value::String(uid)) if is_uid(uid) => uid.clone(),
        Some(other) => {
            return Err(bad(
                "uid",
                format!("'uid' must be base64url of 16 bytes (22 characters), not {other}."),
            ));
        }
    };
    let info = |field: &str, default: Value| -> Result<Value, Bad> {
        match object.get(field) {
            None => Ok(default),
            Some(value @ Value::Object(_)) => Ok(value.clone()),
            Some(other) => Err(bad(field, format!("'{field}' must be a JSON object, not {other}."))),
        }
    };
    let status = text(object, "status", "Pending")?;
    if !["Pending", "Approved", "Denied", "Escalated", "Expired"].contains(&status.as_str()) {
        return Err(bad(
            "status",
            format!("'status' must be Pending, Approved, Denied, Escalated or Expired, not '{status}'."),
        ));
    }
    let expire_in = number(object, "expireIn", 1..=525_600)?.map_or(seed::EXPIRE_IN_MINUTES, |m| {
        i64::try_from(m).unwrap_or(seed::EXPIRE_IN_MINUTES)
    });
    Ok(Kepm {
        uid,
        approval_type: text(object, "approvalType", seed::APPROVAL_TYPE)?,
        agent_uid: text(object, "agentUid", seed::AGENT_UID)?,
        account_info: info(
            "accountInfo",
            json!({"username": seed::KEPM_PENDING_EMAIL, "domain": "CORP"}),
        )?,
        application_info: info(
            "applicationInfo",
            json!({"name": "Windows PowerShell",
                   "path": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                   "publisher": "Microsoft Windows"}),
        )?,
        justification: text(object, "justification", "Sandbox request")?,
        expire_in,
        created_ms: created(object, now)?,
        stored_status: status,
        decided_at: None,
        decided_by: None,
    })
}

/// `POST kepm`: a new KEPM request, answered 201 with its record.
pub(super) async fn add_kepm(State(sandbox): Shared, body: Bytes) -> Response {
    let now = sandbox.now();
    let request = match object(&body).and_then(|o| kepm_of(&o, now)) {
        Ok(request) => request,
        Err(b) => return refused(b),
    };
    let (_queue, db) = sandbox.settled();
    match store::add_kepm(&db, &request) {
        Ok(true) => (StatusCode::CREATED, Json(request.to_json(now))).into_response(),
        Ok(false) => problem(
            StatusCode::CONFLICT,
            Some("uid"),
            format!("A KEPM request with the UID '{}' exists.", request.uid),
        ),
        Err(e) => storage_failed(e),
    }
}

fn device_of(object: &Map<String, Value>, now: i64) -> Result<Device, Bad> {
    only(
        object,
        &[
            "deviceId",
            "email",
            "deviceName",
            "deviceType",
            "ipAddress",
            "clientVersion",
            "location",
            "createdSecondsAgo",
            "createdMinutesAgo",
        ],
    )?;
    let device_id = match object.get("deviceId") {
        None => {
            let bytes: [u8; 10] = rand::random();
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        }
        Some(Value::String(id)) if id.len() == 20 && id.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')) => {
            id.clone()
        }
        Some(other) => {
            return Err(bad(
                "deviceId",
                format!("'deviceId' must be 20 lowercase hex characters, not {other}."),
            ));
        }
    };
    Ok(Device {
        device_id,
        email: text(object, "email", "frank@example.com")?,
        device_name: text(object, "deviceName", "Firefox on Ubuntu")?,
        device_type: text(object, "deviceType", "Web Vault")?,
        ip_address: text(object, "ipAddress", "192.0.2.10")?,
        client_version: text(object, "clientVersion", "w17.4.2")?,
        location: text(object, "location", "Austin, Texas, US")?,
        date_ms: created(object, now)?,
        state: "pending".into(),
        decided_at: None,
        decided_by: None,
    })
}

/// `POST devices`: a new pending device request, answered 201 with its record.
pub(super) async fn add_device(State(sandbox): Shared, body: Bytes) -> Response {
    let now = sandbox.now();
    let device = match object(&body).and_then(|o| device_of(&o, now)) {
        Ok(device) => device,
        Err(b) => return refused(b),
    };
    let (_queue, db) = sandbox.settled();
    match store::add_device(&db, &device) {
        Ok(true) => (StatusCode::CREATED, Json(device.to_json())).into_response(),
        Ok(false) => problem(
            StatusCode::CONFLICT,
            Some("deviceId"),
            format!("A device request with the id '{}' exists.", device.device_id),
        ),
        Err(e) => storage_failed(e),
    }
}

/// `POST kepm/{uid}/decide` `{"status": "Approved"|"Denied"|"Escalated"}`: decided in Keeper.
pub(super) async fn decide_kepm(State(sandbox): Shared, Path(uid): Path<String>, body: Bytes) -> Response {
    let status = match object(&body).and_then(|o| {
        only(&o, &["status"])?;
        match o.get("status").and_then(Value::as_str) {
            Some(s @ ("Approved" | "Denied" | "Escalated")) => Ok(s.to_string()),
            _ => Err(bad("status", "'status' must be Approved, Denied or Escalated.")),
        }
    }) {
        Ok(status) => status,
        Err(b) => return refused(b),
    };
    let now = sandbox.now();
    let (_queue, db) = sandbox.settled();
    match store::decide_kepm(&db, &uid, &status, now, "keeper") {
        Ok(Ok(request)) => Json(request.to_json(now)).into_response(),
        Ok(Err(Refused::Unknown)) => message(StatusCode::NOT_FOUND, format!("No KEPM request with the UID '{uid}'.")),
        Ok(Err(Refused::NotPending(current))) => message(
            StatusCode::CONFLICT,
            format!("The KEPM request '{uid}' is {current}, not pending."),
        ),
        Err(e) => storage_failed(e),
    }
}

/// `POST devices/{id}/decide` `{"decision": "approve"|"deny"}`: decided in Keeper.
pub(super) async fn decide_device(State(sandbox): Shared, Path(id): Path<String>, body: Bytes) -> Response {
    let state = match object(&body).and_then(|o| {
        only(&o, &["decision"])?;
        match o.get("decision").and_then(Value::as_str) {
            Some("approve") => Ok("approved"),
            Some("deny") => Ok("denied"),
            _ => Err(bad("decision", "'decision' must be approve or deny.")),
        }
    }) {
        Ok(state) => state,
        Err(b) => return refused(b),
    };
    let now = sandbox.now();
    let (_queue, db) = sandbox.settled();
    let found = match store::devices(&db, false) {
        Ok(all) => all.into_iter().find(|d| d.device_id == id),
        Err(e) => return storage_failed(e),
    };
    let Some(device) = found else {
        return message(StatusCode::NOT_FOUND, format!("No device request with the id '{id}'."));
    };
    match store::decide_device(&db, &id, state, now, "keeper") {
        Ok(true) => match store::devices(&db, false) {
            Ok(all) => Json(all.into_iter().find(|d| d.device_id == id).map(|d| d.to_json())).into_response(),
            Err(e) => storage_failed(e),
        },
        Ok(false) => message(
            StatusCode::CONFLICT,
            format!("The device request '{id}' is {}, not pending.", device.state),
        ),
        Err(e) => storage_failed(e),
    }
}

/// `GET state`.
pub(super) async fn state(State(sandbox): Shared) -> Response {
    let now = sandbox.now();
    let (queue, db) = sandbox.settled();
    let (kepm, devices, settings) = match (store::kepm(&db, None), store::devices(&db, false), store::settings(&db)) {
        (Ok(kepm), Ok(devices), Ok(settings)) => (kepm, devices, settings),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return storage_failed(e),
    };
    Json(json!({
        "now": utc_iso(now),
        "kepm": kepm.iter().map(|r| r.to_json(now)).collect::<Vec<_>>(),
        "devices": devices.iter().map(Device::to_json).collect::<Vec<_>>(),
        "queue": queue.entries().iter().map(|e| e.to_control()).collect::<Vec<_>>(),
        "worker": {
            "paused": settings.worker_paused,
            "queued": queue.queued(),
            "processingMs": settings.processing_ms,
            "failNext": queue.fail_next,
        },
    }))
    .into_response()
}

fn key_json(key: &ApiKey, now: i64, with_value: bool) -> Value {
    let mut answer = json!({
        "digest": format!("sha256:{}", &digest(&key.key)[..12]),
        "commands": key.commands,
        "expiresAt": key.expires_ms.map(utc_iso),
        "expired": key.expires_ms.is_some_and(|e| now > e),
    });
    if with_value {
        answer["key"] = json!(key.key);
    }
    answer
}

/// `POST keys`: a new key, answered 201 with its value (the one time it is shown).
pub(super) async fn add_key(State(sandbox): Shared, body: Bytes) -> Response {
    let now = sandbox.now();
    let key = match object(&body).and_then(|o| {
        only(&o, &["key", "commands", "expiresInSeconds", "expiresAt"])?;
        let value = match o.get("key") {
            None => {
                let bytes: [u8; 24] = rand::random();
                bytes.iter().map(|b| format!("{b:02x}")).collect()
            }
            Some(Value::String(k)) if !k.trim().is_empty() && k.trim() == k && k.len() <= 200 => k.clone(),
            Some(_) => {
                return Err(bad(
                    "key",
                    "'key' must be a non-empty string without surrounding spaces.",
                ));
            }
        };
        let commands = match o.get("commands") {
            Some(Value::String(list)) => list.clone(),
            Some(Value::Array(words)) if words.iter().all(Value::is_string) => {
                words.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",")
            }
            _ => {
                return Err(bad(
                    "commands",
                    "'commands' is required: a comma-separated string or an array of first words.",
                ));
            }
        };
        let expires_ms = match (
            number(&o, "expiresInSeconds", 0..=10 * 366 * 24 * 3600)?,
            o.get("expiresAt"),
        ) {
            (Some(_), Some(_)) => return Err(bad("expiresAt", "Give expiresInSeconds or expiresAt, not both.")),
            (Some(secs), None) => Some(now + i64::try_from(secs).unwrap_or(0) * 1000),
            (None, None | Some(Value::Null)) => None,
            (None, Some(Value::String(at))) => match at.parse::<jiff::Timestamp>() {
                Ok(at) => Some(at.as_millisecond()),
                Err(e) => return Err(bad("expiresAt", format!("'expiresAt' is not an ISO 8601 instant: {e}"))),
            },
            (None, Some(other)) => return Err(bad("expiresAt", format!("'expiresAt' must be a string, not {other}."))),
        };
        Ok(ApiKey {
            key: value,
            commands,
            expires_ms,
        })
    }) {
        Ok(key) => key,
        Err(b) => return refused(b),
    };
    match store::add_key(&sandbox.db(), &key) {
        Ok(true) => (StatusCode::CREATED, Json(key_json(&key, now, true))).into_response(),
        Ok(false) => problem(StatusCode::CONFLICT, Some("key"), "That key exists."),
        Err(e) => storage_failed(e),
    }
}

/// `GET keys`: never the values.
pub(super) async fn keys(State(sandbox): Shared) -> Response {
    let now = sandbox.now();
    match store::keys(&sandbox.db()) {
        Ok(keys) => Json(keys.iter().map(|k| key_json(k, now, false)).collect::<Vec<_>>()).into_response(),
        Err(e) => storage_failed(e),
    }
}

fn settings_json(settings: &Settings, fail_next: u64) -> Value {
    let mut answer = json!(settings);
    answer["failNext"] = json!(fail_next);
    answer
}

/// `GET settings`.
pub(super) async fn settings(State(sandbox): Shared) -> Response {
    let (queue, db) = sandbox.settled();
    match store::settings(&db) {
        Ok(settings) => Json(settings_json(&settings, queue.fail_next)).into_response(),
        Err(e) => storage_failed(e),
    }
}

/// Applies a `POST settings` body.
fn changed(mut settings: Settings, fail_next: &mut u64, body: &[u8]) -> Result<Settings, Bad> {
    let object = object(body)?;
    only(
        &object,
        &[
            "rateLimitPerMinute",
            "queueSize",
            "processingMs",
            "workerPaused",
            "retryAfterHeader",
            "failNext",
        ],
    )?;
    let flag = |field: &str| match object.get(field) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(bad(field, format!("'{field}' must be true or false, not {other}."))),
    };
    if let Some(n) = number(&object, "rateLimitPerMinute", 1..=100_000)? {
        settings.rate_limit_per_minute = n;
    }
    if let Some(n) = number(&object, "queueSize", 1..=10_000)? {
        settings.queue_size = n;
    }
    if let Some(n) = number(&object, "processingMs", 0..=600_000)? {
        settings.processing_ms = n;
    }
    if let Some(paused) = flag("workerPaused")? {
        settings.worker_paused = paused;
    }
    if let Some(header) = flag("retryAfterHeader")? {
        settings.retry_after_header = header;
    }
    if let Some(n) = number(&object, "failNext", 0..=1000)? {
        *fail_next = n;
    }
    Ok(settings)
}

/// `POST settings`: answers the settings in force. The worker catches up first, so a pause
/// or a new processing time applies from now on.
pub(super) async fn change_settings(State(sandbox): Shared, body: Bytes) -> Response {
    let now = sandbox.now();
    let (mut queue, db) = sandbox.settled();
    let current = match store::settings(&db) {
        Ok(settings) => settings,
        Err(e) => return storage_failed(e),
    };
    let mut fail_next = queue.fail_next;
    let settings = match changed(current, &mut fail_next, &body) {
        Ok(settings) => settings,
        Err(b) => return refused(b),
    };
    if let Err(e) = store::save_settings(&db, &settings) {
        return storage_failed(e);
    }
    if current.worker_paused && !settings.worker_paused {
        queue.resumed(now);
    }
    queue.fail_next = fail_next;
    Json(settings_json(&settings, fail_next)).into_response()
}

/// `POST reset`: a fresh Commander with the seeds, aged relative to now.
pub(super) async fn reset(State(sandbox): Shared) -> Response {
    let now = sandbox.now();
    {
        let mut queue = sandbox.queue();
        queue.clear();
        if let Err(e) = store::reset(&sandbox.db(), now) {
            return storage_failed(e);
        }
    }
    lock(&sandbox.limiter).clear();
    sandbox.forget_calls();
    StatusCode::NO_CONTENT.into_response()
}
