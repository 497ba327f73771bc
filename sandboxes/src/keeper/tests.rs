//! Tests of the Commander sandbox through its router: the API's answers and refusals in
//! Commander's order, the queue's worker on the sandbox clock, and a restart.

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::CommanderSandbox;
use super::seed::*;
use crate::clock::SandboxClock;
use crate::test_support::{JSON, Reply, TempDir, get, post_json, send};

const EXECUTE: &str = "/api/v2/executecommand-async";

/// A malformed submission: headers, body, the status and words expected.
type Case<'a> = (Vec<(&'a str, &'a str)>, String, StatusCode, &'a str);

/// A sandbox in memory on a clock the test moves; commands take no time unless a test says so.
async fn open() -> (Router, Arc<SandboxClock>) {
    let clock = Arc::new(SandboxClock::default());
    let sandbox = CommanderSandbox::open(Path::new(":memory:"), Some(Arc::clone(&clock))).expect("opens");
    let router = sandbox.router();
    settings(&router, json!({"processingMs": 0})).await;
    (router, clock)
}

async fn settings(router: &Router, body: Value) -> Reply {
    let reply = post_json(router, "/_sandbox/settings", &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply
}

/// Moves the sandbox clock by `seconds`.
fn advance(clock: &SandboxClock, seconds: u64) {
    clock.advance(seconds * 1000);
}

/// Submits `command` with `key`.
async fn submit_as(router: &Router, key: &str, command: &str) -> Reply {
    let body = json!({ "command": command }).to_string();
    send(router, "POST", EXECUTE, &[JSON, ("api-key", key)], &body).await
}

/// Submits `command` with the default key: its request id.
async fn submit(router: &Router, command: &str) -> String {
    let reply = submit_as(router, DEFAULT_API_KEY, command).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text);
    reply.json["request_id"].as_str().expect("request_id").to_string()
}

async fn status_as(router: &Router, key: &str, id: &str) -> Reply {
    send(router, "GET", &format!("/api/v2/status/{id}"), &[("api-key", key)], "").await
}

async fn status(router: &Router, id: &str) -> Value {
    let reply = status_as(router, DEFAULT_API_KEY, id).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json
}

async fn result_as(router: &Router, key: &str, id: &str) -> Reply {
    send(router, "GET", &format!("/api/v2/result/{id}"), &[("api-key", key)], "").await
}

async fn result(router: &Router, id: &str) -> Reply {
    result_as(router, DEFAULT_API_KEY, id).await
}

/// Submits `command` and reads its result (commands take no time in these tests).
async fn run(router: &Router, command: &str) -> Reply {
    let id = submit(router, command).await;
    result(router, &id).await
}

/// Validates: `/health` needs no key; the submission answers 202 with Commander's body; the
/// status shows Commander's `to_dict()` fields; the result is the command's.
#[tokio::test]
async fn health_submit_status_result() {
    let (router, _) = open().await;
    let health = send(&router, "GET", "/health", &[], "").await;
    assert_eq!(
        (health.status, health.json.clone()),
        (StatusCode::OK, json!({"status": "ok"}))
    );

    let submitted = submit_as(&router, DEFAULT_API_KEY, "service-status").await;
    assert_eq!(submitted.status, StatusCode::ACCEPTED);
    assert_eq!(submitted.json["success"], true);
    assert_eq!(submitted.json["status"], "queued");
    assert!(
        submitted.json["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Request queued successfully."))
    );
    let id = submitted.json["request_id"].as_str().expect("id");
    assert_eq!(id.len(), 36, "a UUID: {id}");

    let status = status(&router, id).await;
    assert_eq!(status["status"], "completed");
    assert_eq!(status["success"], true);
    assert_eq!(status["request_id"], id);
    assert_eq!(status["command"], "service-status");
    assert_eq!(status["status_code"], 200);
    assert_eq!(status["temp_files"], json!([]));
    for field in ["created_at", "started_at", "completed_at"] {
        let at = status[field].as_str().expect(field);
        assert!(
            at.len() >= 19 && at.as_bytes()[10] == b'T' && !at.ends_with('Z'),
            "{field}: {at}"
        );
    }

    let result = result(&router, id).await;
    assert_eq!(result.status, StatusCode::OK);
    assert_eq!(
        result.json,
        json!({"status": "success", "command": "service-status", "data": null,
               "message": "Current status: Commander Service is Running (PID: 4242, Terminal: unknown terminal)"})
    );
}

/// Validates: keys as `auth_check` refuses them (none, unknown, expired: 401 with Commander's
/// words), the allow-list as `policy_check` (403), a key reading only its own requests (404
/// for another's), and an unknown id (404).
#[tokio::test]
async fn keys_and_allow_lists() {
    let (router, clock) = open().await;
    let none = send(&router, "POST", EXECUTE, &[JSON], r#"{"command": "service-status"}"#).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        none.json,
        json!({"status": "error", "error": "Please provide a valid api key"})
    );
    let unknown = submit_as(&router, "nope", "service-status").await;
    assert_eq!(
        (unknown.status, unknown.json["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("Please provide a valid api key"))
    );
    assert_eq!(status_as(&router, "", "x").await.status, StatusCode::UNAUTHORIZED);

    let created = post_json(
        &router,
        "/_sandbox/keys",
        &json!({"key": "short-lived", "commands": ["service-status"], "expiresInSeconds": 60}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json["key"], "short-lived");
    let forbidden = submit_as(
        &router,
        "short-lived",
        &format!("epm approval view {KEPM_PENDING_UID} --format json"),
    )
    .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_eq!(
        forbidden.json,
        json!({"status": "error", "error": "Not permitted to perform this function"})
    );
    let mine = submit_as(&router, "short-lived", "service-status").await;
    assert_eq!(mine.status, StatusCode::ACCEPTED);
    let id = mine.json["request_id"].as_str().expect("id").to_string();
    assert_eq!(status_as(&router, "short-lived", &id).await.status, StatusCode::OK);
    let theirs = status_as(&router, DEFAULT_API_KEY, &id).await;
    assert_eq!(
        (theirs.status, theirs.json.clone()),
        (
            StatusCode::NOT_FOUND,
            json!({"status": "error", "error": "Error: Request not found"})
        )
    );
    assert_eq!(
        result_as(&router, DEFAULT_API_KEY, &id).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        result_as(&router, DEFAULT_API_KEY, "no-such-id").await.status,
        StatusCode::NOT_FOUND
    );
    // An alias the allow-list does not name is refused: the first word is compared as sent.
    assert_eq!(
        submit_as(&router, DEFAULT_API_KEY, "kepm approval list").await.status,
        StatusCode::FORBIDDEN
    );

    advance(&clock, 61);
    let expired = status_as(&router, "short-lived", &id).await;
    assert_eq!(
        (expired.status, expired.json["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("API key has expired"))
    );
    let listed = get(&router, "/_sandbox/keys").await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert!(!listed.to_string().contains("short-lived") && !listed.to_string().contains(DEFAULT_API_KEY));
    assert_eq!(listed[1]["expired"], true);
}

/// Validates: each malformed submission is refused as Commander's decorators and route refuse
/// it, with its status and words.
#[tokio::test]
async fn malformed_submissions() {
    let (router, _) = open().await;
    let key = ("api-key", DEFAULT_API_KEY);
    let long = format!("epm {}", "x".repeat(4100));
    let cases: Vec<Case> = vec![
        (
            vec![key],
            r#"{"command": "service-status"}"#.into(),
            StatusCode::BAD_REQUEST,
            "Content-Type must be application/json",
        ),
        (
            vec![key, ("content-type", "text/plain")],
            r#"{"command": "service-status"}"#.into(),
            StatusCode::BAD_REQUEST,
            "Content-Type must be application/json",
        ),
        (
            vec![key, JSON],
            "{not json".into(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "400 Bad Request: The browser (or proxy) sent a request that this server could not understand.",
        ),
        (
            vec![key, JSON],
            String::new(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "400 Bad Request",
        ),
        (
            vec![key, JSON],
            "{}".into(),
            StatusCode::BAD_REQUEST,
            "Invalid or empty JSON",
        ),
        (
            vec![key, JSON],
            r#"{"cmd": "service-status"}"#.into(),
            StatusCode::BAD_REQUEST,
            "Missing required field \"command\"",
        ),
        (
            vec![key, JSON],
            r#"{"command": null}"#.into(),
            StatusCode::BAD_REQUEST,
            "Missing required field \"command\"",
        ),
        (
            vec![key, JSON],
            r#"{"command": 5}"#.into(),
            StatusCode::BAD_REQUEST,
            "Command must be a string",
        ),
        (
            vec![key, JSON],
            r#"{"command": ""}"#.into(),
            StatusCode::FORBIDDEN,
            "Not permitted to perform this function",
        ),
        (
            vec![key, JSON],
            r#"{"command": " service-status"}"#.into(),
            StatusCode::FORBIDDEN,
            "Not permitted to perform this function",
        ),
        (
            vec![key, JSON],
            json!({"command": long}).to_string(),
            StatusCode::BAD_REQUEST,
            "Command length exceeded",
        ),
    ];
    for (headers, body, expected, words) in cases {
        let reply = send(&router, "POST", EXECUTE, &headers, &body).await;
        assert_eq!(reply.status, expected, "{body}: {}", reply.text);
        assert_eq!(reply.json["status"], "error", "{body}");
        assert!(
            reply.json["error"].as_str().is_some_and(|e| e.contains(words)),
            "{body}: {}",
            reply.text
        );
    }
    // A JSON list: `request_data.get` raises; Flask's own 500 page.
    let list = send(&router, "POST", EXECUTE, &[key, JSON], "[1]").await;
    assert_eq!(list.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        list.text.contains("<title>500 Internal Server Error</title>"),
        "{}",
        list.text
    );
    // Unknown fields are ignored, as Commander does.
    let extra = send(
        &router,
        "POST",
        EXECUTE,
        &[key, JSON],
        r#"{"command": "service-status", "x": 1}"#,
    )
    .await;
    assert_eq!(extra.status, StatusCode::ACCEPTED);
    // Unknown paths and methods: Flask's pages.
    assert_eq!(
        send(&router, "GET", "/api/v2/nothing", &[key], "").await.status,
        StatusCode::NOT_FOUND
    );
    let wrong_method = send(&router, "GET", EXECUTE, &[key], "").await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// Validates: the rate limit per endpoint in a fixed window opened by the first call (429,
/// Flask's page, `Retry-After`), counted before the key is checked; `/health` is exempt;
/// the window's end lets calls through again; `Retry-After` can be turned off.
#[tokio::test]
async fn rate_limit() {
    let (router, clock) = open().await;
    settings(&router, json!({"rateLimitPerMinute": 3})).await;
    let id = submit(&router, "service-status").await;
    submit(&router, "service-status").await;
    assert_eq!(
        submit_as(&router, "bad key", "service-status").await.status,
        StatusCode::UNAUTHORIZED
    );
    let limited = submit_as(&router, DEFAULT_API_KEY, "service-status").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.text.contains("3 per 1 minute"), "{}", limited.text);
    let retry: u64 = limited
        .retry_after
        .as_deref()
        .and_then(|r| r.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(send(&router, "GET", "/health", &[], "").await.status, StatusCode::OK);
    assert_eq!(
        status_as(&router, DEFAULT_API_KEY, &id).await.status,
        StatusCode::OK,
        "another endpoint, another window"
    );

    advance(&clock, 60);
    assert_eq!(
        submit_as(&router, DEFAULT_API_KEY, "service-status").await.status,
        StatusCode::ACCEPTED
    );
    settings(&router, json!({"retryAfterHeader": false, "rateLimitPerMinute": 1})).await;
    let limited = submit_as(&router, DEFAULT_API_KEY, "service-status").await;
    assert_eq!(
        (limited.status, limited.retry_after),
        (StatusCode::TOO_MANY_REQUESTS, None)
    );
}

/// Validates: one worker, first in first out: while paused everything stays queued (result
/// 202), a full queue answers 503; resumed, each entry starts when the one before finished,
/// `processing` for its time, then `completed`.
#[tokio::test]
async fn fifo_pause_resume_and_a_full_queue() {
    let (router, clock) = open().await;
    settings(
        &router,
        json!({"workerPaused": true, "processingMs": 60_000, "queueSize": 3}),
    )
    .await;
    let ids = [
        submit(&router, "service-status").await,
        submit(&router, "device-approve --reload --format json").await,
        submit(&router, &format!("epm approval view {KEPM_PENDING_UID} --format json")).await,
    ];
    let full = submit_as(&router, DEFAULT_API_KEY, "service-status").await;
    assert_eq!(full.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        full.json,
        json!({"status": "error", "error": "Error: Request queue is full. Please try again later."})
    );
    let waiting = result(&router, &ids[0]).await;
    assert_eq!(
        (waiting.status, waiting.json.clone()),
        (
            StatusCode::ACCEPTED,
            json!({"status": "queued", "error": "Error: Request not completed yet"})
        )
    );
    let queue = send(
        &router,
        "GET",
        "/api/v2/queue/status",
        &[("api-key", DEFAULT_API_KEY)],
        "",
    )
    .await;
    assert_eq!(queue.json["queue_size"], 3);
    assert_eq!(queue.json["worker_running"], false);
    advance(&clock, 10);
    assert_eq!(status(&router, &ids[0]).await["status"], "queued", "paused");

    settings(&router, json!({"workerPaused": false})).await;
    let states = |ids: [String; 3], router: Router| async move {
        let mut states = Vec::new();
        for id in &ids {
            states.push(status(&router, id).await["status"].as_str().unwrap_or("?").to_string());
        }
        states
    };
    assert_eq!(
        states(ids.clone(), router.clone()).await,
        ["processing", "queued", "queued"]
    );
    assert_eq!(result(&router, &ids[0]).await.json["status"], "processing");
    advance(&clock, 60);
    assert_eq!(
        states(ids.clone(), router.clone()).await,
        ["completed", "processing", "queued"]
    );
    advance(&clock, 60);
    assert_eq!(
        states(ids.clone(), router.clone()).await,
        ["completed", "completed", "processing"]
    );
    advance(&clock, 60);
    assert_eq!(
        states(ids.clone(), router.clone()).await,
        ["completed", "completed", "completed"]
    );
    let (first, second) = (status(&router, &ids[0]).await, status(&router, &ids[1]).await);
    assert_eq!(
        first["completed_at"], second["started_at"],
        "the next starts when the one before finished"
    );
    assert_eq!(
        result(&router, &ids[1]).await.json["data"].as_array().map(Vec::len),
        Some(2)
    );
}

/// Validates: an entry still queued after 300 s expires (status `expired`, result 504 with
/// Commander's message) and never runs; results are forgotten 3,600 s after they finished.
#[tokio::test]
async fn expiry_and_retention_on_the_clock() {
    let (router, clock) = open().await;
    let done = submit(&router, &format!("epm approval action --approve {KEPM_PENDING_UID}")).await;
    assert_eq!(result(&router, &done).await.status, StatusCode::OK);
    settings(&router, json!({"workerPaused": true})).await;
    let stuck = submit(&router, &format!("epm approval action --deny {KEPM_PENDING_LATE_UID}")).await;
    advance(&clock, 299);
    assert_eq!(status(&router, &stuck).await["status"], "queued");
    advance(&clock, 2);
    let expired = status(&router, &stuck).await;
    assert_eq!(expired["status"], "expired");
    assert_eq!(
        expired["error_message"],
        "Error: Request expired after waiting more than 300s in queue"
    );
    let answer = result(&router, &stuck).await;
    assert_eq!(
        (answer.status, answer.json),
        (
            StatusCode::GATEWAY_TIMEOUT,
            json!({"error": "Error: Request expired after waiting more than 300s in queue"})
        )
    );
    settings(&router, json!({"workerPaused": false})).await;
    let state = get(&router, "/_sandbox/state").await;
    let late = state["kepm"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["uid"] == KEPM_PENDING_LATE_UID)
        .cloned();
    assert_eq!(
        late.map(|r| r["storedStatus"].clone()),
        Some(json!("Pending")),
        "the expired entry never ran"
    );

    advance(&clock, 3600 - 301 + 1);
    assert_eq!(
        result(&router, &done).await.status,
        StatusCode::NOT_FOUND,
        "done 3,601 s ago"
    );
    assert_eq!(
        status(&router, &stuck).await["status"],
        "expired",
        "expired 3,300 s ago: kept"
    );
    advance(&clock, 301);
    assert_eq!(
        status_as(&router, DEFAULT_API_KEY, &stuck).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Validates: `failNext` makes the worker fail a command (status `failed`, result 500).
#[tokio::test]
async fn a_failed_command() {
    let (router, _) = open().await;
    settings(&router, json!({"failNext": 1})).await;
    let id = submit(&router, "service-status").await;
    let failed = result(&router, &id).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(failed.json["error"].as_str().is_some_and(|e| e.contains("on purpose")));
    assert_eq!(status(&router, &id).await["status"], "failed");
    assert_eq!(
        run(&router, "service-status").await.status,
        StatusCode::OK,
        "only the next one"
    );
}

/// Validates: the database survives a restart (a decision stays made), the queue does not.
#[tokio::test]
async fn a_restart_keeps_state_not_the_queue() {
    let dir = TempDir::new("keeper");
    let path = dir.0.join("keeper.sqlite");
    let clock = Arc::new(SandboxClock::default());
    let router = CommanderSandbox::open(&path, Some(Arc::clone(&clock)))
        .expect("opens")
        .router();
    settings(&router, json!({"processingMs": 0})).await;
    let id = submit(&router, &format!("epm approval action --deny {KEPM_PENDING_UID}")).await;
    assert_eq!(result(&router, &id).await.status, StatusCode::OK);
    drop(router);

    let router = CommanderSandbox::open(&path, Some(clock)).expect("reopens").router();
    assert_eq!(
        result(&router, &id).await.status,
        StatusCode::NOT_FOUND,
        "the queue is in memory"
    );
    let view = run(&router, &format!("epm approval view {KEPM_PENDING_UID} --format json")).await;
    assert_eq!(view.json["data"][0]["status"], "Denied");
    assert_eq!(
        get(&router, "/_sandbox/settings").await["processingMs"],
        0,
        "settings kept"
    );
}

mod commands;
mod controls;
