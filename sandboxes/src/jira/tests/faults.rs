//! Faults on demand (`/_sandbox/fail`): the control, and what a request meets when a rule fires.

use std::time::{Duration, Instant};

use axum::http::HeaderMap;

use super::*;

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    json: Value,
    unreachable: bool,
}

async fn send(router: &Router, method: &str, uri: &str, body: Option<Value>) -> Answer {
    let reply = call(router, method, uri, body, None).await;
    Answer {
        status: reply.status,
        json: serde_json::from_str(&reply.text).unwrap_or(Value::Null),
        headers: reply.headers,
        unreachable: reply.unreachable,
    }
}

async fn fail(router: &Router, rule: Value) -> Value {
    let answer = send(router, "POST", "/_sandbox/fail", Some(rule.clone())).await;
    assert_eq!(answer.status, StatusCode::OK, "{rule}: {}", answer.json);
    answer.json
}

async fn log(router: &Router) -> Vec<Value> {
    send(router, "GET", "/_sandbox/requests", None)
        .await
        .json
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn issue_count(router: &Router) -> usize {
    send(router, "GET", "/_sandbox/issues", None)
        .await
        .json
        .as_array()
        .map_or(0, Vec::len)
}

/// Validates: POST adds rules (answering each with its id), a wrong body is a 400 in Jira's
/// error shape naming the field, GET lists the rules with their counts and DELETE clears them.
#[tokio::test]
async fn the_control_adds_lists_and_clears_rules() {
    let router = memory();
    let first = fail(
        &router,
        json!({"method": "GET", "path": "/rest/api/3/myself", "fault": {"status": 500}, "times": 1}),
    )
    .await;
    assert_eq!(first["id"], 1);
    let second = fail(&router, json!({"path": "/rest/api/3/field", "fault": {"status": 503}})).await;
    assert_eq!(second["id"], 2);

    let bad = send(
        &router,
        "POST",
        "/_sandbox/fail",
        Some(json!({"fault": {"status": 500, "retryAfter": 1}})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.json,
        json!({
            "errorMessages": ["fault.retryAfter: only goes with status 429 or 503"],
            "errors": {"fault.retryAfter": "only goes with status 429 or 503"}
        })
    );
    let not_json = send(&router, "POST", "/_sandbox/fail", None).await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert!(
        not_json.json["errorMessages"][0]
            .as_str()
            .is_some_and(|m| m.contains("not JSON"))
    );

    assert_eq!(
        call(&router, "GET", "/rest/api/3/myself", None, None).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        call(&router, "GET", "/rest/api/3/myself", None, None).await.status,
        StatusCode::OK
    );
    let listed = send(&router, "GET", "/_sandbox/fail", None).await.json;
    let counts: Vec<(Value, Value, Value, Value)> = listed
        .as_array()
        .into_iter()
        .flatten()
        .map(|rule| {
            (
                rule["id"].clone(),
                rule["matched"].clone(),
                rule["failed"].clone(),
                rule["active"].clone(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            (json!(1), json!(2), json!(1), json!(false)),
            (json!(2), json!(0), json!(0), json!(true))
        ]
    );

    assert_eq!(
        send(&router, "DELETE", "/_sandbox/fail", None).await.json,
        json!({"cleared": 2})
    );
    assert_eq!(send(&router, "GET", "/_sandbox/fail", None).await.json, json!([]));
    assert_eq!(
        call(&router, "GET", "/rest/api/3/field", None, None).await.status,
        StatusCode::OK
    );
}

/// Validates: an injected failure answers Jira's error shape, is logged with its status and
/// `injected: true`, leaves nothing written, and `times` stops after n; a broken request is
/// still refused by the contract check, not the rule.
#[tokio::test]
async fn injected_failures_are_logged_and_write_nothing() {
    let router = memory();
    fail(
        &router,
        json!({"method": "POST", "path": "/rest/api/3/issue", "fault": {"status": 500}, "times": 2}),
    )
    .await;
    let broken = send(&router, "POST", "/rest/api/3/issue", Some(json!({"fields": 3}))).await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST, "the contract comes first");
    for _ in 0..2 {
        let failed = send(&router, "POST", "/rest/api/3/issue", Some(create_body("One", "r-1"))).await;
        assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            failed.json,
            json!({"errorMessages": ["sandbox: injected fault"], "errors": {}})
        );
    }
    assert_eq!(
        issue_count(&router).await,
        0,
        "a failure before handling writes nothing"
    );
    create(&router, "One", "r-1").await;
    assert_eq!(issue_count(&router).await, 1);

    let entries = log(&router).await;
    let summary: Vec<(Value, Value, Value)> = entries.iter().map(crate::faults::logged_fault).collect();
    assert_eq!(
        summary,
        [
            (json!(400), json!(false), Value::Null),
            (json!(500), json!(true), json!("HTTP 500")),
            (json!(500), json!(true), json!("HTTP 500")),
            (json!(201), json!(false), Value::Null),
        ]
    );
    assert_eq!(entries[1]["rejected"], "sandbox: injected fault");
}

/// Validates: `afterHandling` performs the request (the issue exists) but answers the fault,
/// and the log says what the request was handled with.
#[tokio::test]
async fn after_handling_creates_the_issue_but_loses_the_answer() {
    let router = memory();
    fail(
        &router,
        json!({"method": "POST", "path": "/rest/api/3/issue", "fault": {"status": 503, "afterHandling": true}}),
    )
    .await;
    let lost = send(
        &router,
        "POST",
        "/rest/api/3/issue",
        Some(create_body("Lost", "r-lost")),
    )
    .await;
    assert_eq!(lost.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(lost.json["errorMessages"], json!(["sandbox: injected fault"]));
    let issues = send(&router, "GET", "/_sandbox/issues", None).await.json;
    assert_eq!(issues.as_array().map(Vec::len), Some(1), "the issue was created");
    assert_eq!(issues[0]["fields"]["summary"], "Lost");
    let entry = log(&router).await.pop().unwrap_or_default();
    assert_eq!(
        crate::faults::logged_fault(&entry),
        (
            json!(503),
            json!(true),
            json!("HTTP 503 after handling (handled: HTTP 201)")
        )
    );
}

/// Validates: 429 carries `Retry-After` in seconds; `delayMs` holds a request that long and then
/// answers it normally (logged as injected); `unreachable` gives no answer at all.
#[tokio::test]
async fn retry_after_delay_and_unreachable() {
    let router = memory();
    fail(
        &router,
        json!({"path": "/rest/api/3/myself", "fault": {"status": 429, "retryAfter": 2}}),
    )
    .await;
    let limited = send(&router, "GET", "/rest/api/3/myself", None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.headers.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("2")
    );

    fail(
        &router,
        json!({"path": "/rest/api/3/myself", "fault": {"delayMs": 200}}),
    )
    .await;
    let started = Instant::now();
    let slow = send(&router, "GET", "/rest/api/3/myself", None).await;
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(slow.status, StatusCode::OK);
    assert!(slow.headers.get("retry-after").is_none());
    let entry = log(&router).await.pop().unwrap_or_default();
    assert_eq!(
        crate::faults::logged_fault(&entry),
        (json!(200), json!(true), json!("delayed 200 ms"))
    );

    fail(
        &router,
        json!({"path": "/rest/api/3/myself", "fault": {"unreachable": true}}),
    )
    .await;
    let cut = send(&router, "GET", "/rest/api/3/myself", None).await;
    assert!(cut.unreachable);
    let entry = log(&router).await.pop().unwrap_or_default();
    assert_eq!(
        crate::faults::logged_fault(&entry),
        (Value::Null, json!(true), json!("unreachable"))
    );
}

async fn failures_at_rate(seed: u64) -> Vec<bool> {
    let router = memory();
    fail(
        &router,
        json!({"method": "GET", "path": "/rest/api/3/myself", "fault": {"status": 503}, "rate": 0.2, "seed": seed}),
    )
    .await;
    let mut failed = Vec::new();
    for _ in 0..100 {
        let status = call(&router, "GET", "/rest/api/3/myself", None, None).await.status;
        failed.push(status == StatusCode::SERVICE_UNAVAILABLE);
    }
    let injected = log(&router)
        .await
        .iter()
        .map(|entry| entry["injected"] == true)
        .collect::<Vec<_>>();
    assert_eq!(injected, failed, "the log marks exactly the injected failures");
    failed
}

/// Validates: the same seed fails the same requests over 100 (two fresh sandboxes), about 20 %
/// of them at rate 0.2.
#[tokio::test]
async fn a_seeded_rate_repeats() {
    let first = failures_at_rate(42).await;
    assert_eq!(first, failures_at_rate(42).await);
    let count = first.iter().filter(|failed| **failed).count();
    assert!((10..=30).contains(&count), "{count} of 100");
}
