//! Tests of the PRA sandbox through its router: the appliance's answer endpoint held to the
//! seed (refusals, 404, 403), its timeout on the sandbox clock, and a restart.

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{PraSandbox, RESPONSE_PATH};
use crate::clock::SandboxClock;
use crate::test_support::{FORM, JSON, Reply, TempDir, get, post_json, send};

/// A sandbox in memory on a clock the test moves.
fn open() -> (Router, Arc<SandboxClock>) {
    let clock = Arc::new(SandboxClock::default());
    let sandbox = PraSandbox::open(Path::new(":memory:"), Some(Arc::clone(&clock))).expect("opens");
    (sandbox.router(), clock)
}

/// `POST /_sandbox/requests` with `overrides`: the new request's id.
async fn jump_request(router: &Router, overrides: Value) -> String {
    let created = post_json(router, "/_sandbox/requests", &overrides).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    created.json["requestId"].as_str().expect("requestId").to_string()
}

async fn respond(router: &Router, form: &str) -> Reply {
    send(router, "POST", RESPONSE_PATH, &[FORM], form).await
}

fn allow(request_id: &str) -> String {
    format!("response_id={request_id}&response=allow")
}

async fn settings(router: &Router, body: Value) -> Reply {
    post_json(router, "/_sandbox/settings", &body).await
}

/// Validates: each way of breaking the contract is refused with its status and a message naming
/// the key, nothing is recorded, and the log keeps each refusal with its reason.
#[tokio::test]
async fn each_violation_is_refused_naming_its_key() {
    let (router, _) = open();
    let id = jump_request(&router, json!({})).await;
    let long = "m".repeat(256);
    let cases: Vec<(String, Option<&str>, &str)> = vec![
        (
            "response=allow".into(),
            Some("response_id"),
            "'response_id' is required",
        ),
        (
            "response_id=&response=allow".into(),
            Some("response_id"),
            "must not be empty",
        ),
        (
            format!("response_id={}&response=allow", "r".repeat(256)),
            Some("response_id"),
            "longer than 255",
        ),
        (format!("response_id={id}"), Some("response"), "'response' is required"),
        (
            format!("response_id={id}&response=Allow"),
            Some("response"),
            "allow or deny, not 'Allow'",
        ),
        (
            format!("response_id={id}&response=approve"),
            Some("response"),
            "allow or deny",
        ),
        (
            format!("{}&message={long}", allow(&id)),
            Some("message"),
            "256 characters",
        ),
        (format!("{}&response=deny", allow(&id)), Some("response"), "given twice"),
        (
            format!("{}&session.custom.a=1&session.custom.a=2", allow(&id)),
            Some("session.custom.a"),
            "given twice",
        ),
        (
            format!("{}&session.custom.a-b=1", allow(&id)),
            Some("session.custom.a-b"),
            "code name",
        ),
        (
            format!("{}&session.custom.=1", allow(&id)),
            Some("session.custom."),
            "code name",
        ),
        (
            format!("{}&ticket_id=PMCJIT-1", allow(&id)),
            Some("ticket_id"),
            "Unknown key 'ticket_id'",
        ),
        (
            format!("{}&request_id={id}", allow(&id)),
            Some("request_id"),
            "Unknown key",
        ),
    ];
    for (form, key, expected) in &cases {
        let reply = respond(&router, form).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{form}");
        assert_eq!(reply.json["field"].as_str(), *key, "{form}");
        let message = reply.json["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{form}: {message}");
    }
    let exactly_255 = format!("{}&message={}", allow(&id), "m".repeat(255));
    assert_eq!(
        respond(&router, &exactly_255).await.status,
        StatusCode::OK,
        "255 characters are allowed"
    );

    let as_json = send(
        &router,
        "POST",
        RESPONSE_PATH,
        &[JSON],
        &json!({"response_id": id, "response": "allow"}).to_string(),
    )
    .await;
    assert_eq!(as_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let bare = send(&router, "POST", RESPONSE_PATH, &[], &allow(&id)).await;
    assert_eq!(bare.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let responses = get(&router, "/_sandbox/responses").await;
    assert_eq!(responses.as_array().map(Vec::len), Some(1), "{responses}");
    let log = get(&router, "/_sandbox/log").await;
    let entries = log.as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), cases.len() + 3);
    assert_eq!(entries[0]["status"], 400);
    assert!(entries[0]["error"].as_str().is_some_and(|e| e.contains("response_id")));
    assert_eq!(entries[0]["body"], json!({"response": "allow"}));
    assert_eq!(entries[cases.len()]["status"], 200);
    assert_eq!(entries[cases.len()]["error"], Value::Null);
    assert_eq!(entries[cases.len() + 1]["status"], 415);
}

/// Validates: a valid answer is accepted (200, empty body) and recorded with its message and
/// session attributes; the request is answered, so a second answer is 403, as is an answer to
/// an id the appliance never issued.
#[tokio::test]
async fn an_answer_is_taken_once() {
    let (router, _) = open();
    let id = jump_request(&router, json!({"requestId": "req+1 &/ok"})).await;
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_id", &id)
        .append_pair("response", "deny")
        .append_pair("message", "No change window for PMCJIT-1 – try tomorrow")
        .append_pair("session.custom.jira_issue", "PMCJIT-1")
        .append_pair("session.custom.approver", "Alice Approver")
        .finish();
    let taken = respond(&router, &form).await;
    assert_eq!((taken.status, taken.text.as_str()), (StatusCode::OK, ""));

    let responses = get(&router, "/_sandbox/responses").await;
    assert_eq!(responses.as_array().map(Vec::len), Some(1));
    let recorded = &responses[0];
    assert_eq!(recorded["requestId"], "req+1 &/ok");
    assert_eq!(recorded["response"], "deny");
    assert_eq!(recorded["message"], "No change window for PMCJIT-1 – try tomorrow");
    assert_eq!(
        recorded["sessionCustom"],
        json!({"jira_issue": "PMCJIT-1", "approver": "Alice Approver"})
    );
    assert!(recorded["receivedAt"].as_str().is_some_and(|t| t.ends_with('Z')));

    let request = get(&router, "/_sandbox/requests/req+1%20&%2Fok").await;
    assert_eq!(request["state"], "answered");
    assert_eq!(request["response"], *recorded);

    let again = respond(
        &router,
        &allow(&form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()),
    )
    .await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    assert!(
        again.json["message"]
            .as_str()
            .is_some_and(|m| m.contains("already answered"))
    );
    let unknown = respond(&router, &allow("never-issued")).await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    assert!(
        unknown.json["message"]
            .as_str()
            .is_some_and(|m| m.contains("no such request"))
    );
    assert_eq!(
        get(&router, "/_sandbox/responses").await.as_array().map(Vec::len),
        Some(1),
        "refused answers are not recorded"
    );
}

/// Validates: a request pending longer than the timeout (120 s by default, on the sandbox
/// clock) is 403 and stays timed out; one answered within it is taken; the timeout is a
/// setting.
#[tokio::test]
async fn requests_time_out_on_the_sandbox_clock() {
    let (router, clock) = open();
    let late = jump_request(&router, json!({})).await;
    let in_time = jump_request(&router, json!({})).await;
    clock.advance(119_000);
    assert_eq!(respond(&router, &allow(&in_time)).await.status, StatusCode::OK);
    clock.advance(2_000);
    let refused = respond(&router, &allow(&late)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.json["message"]
            .as_str()
            .is_some_and(|m| m.contains("timed out"))
    );
    let request = get(&router, &format!("/_sandbox/requests/{late}")).await;
    assert_eq!(
        (request["state"].clone(), request["response"].clone()),
        (json!("timedOut"), Value::Null)
    );
    assert!(request["timedOutAt"].is_string());

    let longer = settings(&router, json!({"timeoutSeconds": 3600})).await;
    assert_eq!(
        longer.json,
        json!({"ticketSystemConfigured": true, "timeoutSeconds": 3600})
    );
    assert_eq!(
        respond(&router, &allow(&late)).await.status,
        StatusCode::FORBIDDEN,
        "a longer timeout does not bring a timed-out request back"
    );
    let short = settings(&router, json!({"timeoutSeconds": 5})).await;
    assert_eq!(short.status, StatusCode::OK);
    let quick = jump_request(&router, json!({})).await;
    assert_eq!(
        get(&router, &format!("/_sandbox/requests/{quick}")).await["state"],
        "pending"
    );
    clock.advance(5_001);
    let states: Vec<Value> = get(&router, "/_sandbox/requests")
        .await
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["state"].clone())
        .collect();
    assert_eq!(states, [json!("timedOut"), json!("answered"), json!("timedOut")]);
}

/// Validates: with no ticket system URL configured every valid answer is 404 and the request
/// stays pending; configured again, it is taken.
#[tokio::test]
async fn no_ticket_system_configured_is_404() {
    let (router, _) = open();
    let id = jump_request(&router, json!({})).await;
    let off = settings(&router, json!({"ticketSystemConfigured": false})).await;
    assert_eq!(
        off.json,
        json!({"ticketSystemConfigured": false, "timeoutSeconds": 120})
    );
    assert_eq!(get(&router, "/_sandbox/settings").await, off.json);
    let refused = respond(&router, &allow(&id)).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(
        refused.json["message"]
            .as_str()
            .is_some_and(|m| m.contains("No ticket system URL"))
    );
    assert_eq!(respond(&router, &allow("unknown")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        respond(&router, "response=allow").await.status,
        StatusCode::BAD_REQUEST,
        "a malformed answer is refused first"
    );
    assert_eq!(
        get(&router, &format!("/_sandbox/requests/{id}")).await["state"],
        "pending"
    );
    settings(&router, json!({"ticketSystemConfigured": true})).await;
    assert_eq!(respond(&router, &allow(&id)).await.status, StatusCode::OK);
}

/// Validates: pending requests, responses and settings survive a restart (the database file);
/// a request answered before it cannot be answered after.
#[tokio::test]
async fn a_restart_keeps_requests_and_settings() {
    let dir = TempDir::new("pra");
    let path = dir.0.join("pra.sqlite");
    let (pending, answered) = {
        let router = PraSandbox::open(&path, None).expect("opens").router();
        let pending = jump_request(&router, json!({})).await;
        let answered = jump_request(&router, json!({})).await;
        assert_eq!(respond(&router, &allow(&answered)).await.status, StatusCode::OK);
        settings(&router, json!({"timeoutSeconds": 600})).await;
        (pending, answered)
    };
    let router = PraSandbox::open(&path, None).expect("reopens").router();
    assert_eq!(get(&router, "/_sandbox/settings").await["timeoutSeconds"], 600);
    assert_eq!(
        get(&router, &format!("/_sandbox/requests/{pending}")).await["state"],
        "pending"
    );
    assert_eq!(respond(&router, &allow(&pending)).await.status, StatusCode::OK);
    assert_eq!(respond(&router, &allow(&answered)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        get(&router, "/_sandbox/responses").await.as_array().map(Vec::len),
        Some(2)
    );
}

mod controls;
mod faults;
