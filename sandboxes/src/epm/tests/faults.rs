//! Fault rules on the EPM sandbox (the syntax shared with the sandbox Jira): matching by method
//! and path, `afterHandling`, `Retry-After`, delays, seeded rates, and the older body.

use std::time::{Duration, Instant};

use super::*;
use crate::test_support::fail;

/// Validates: a rule on the notification path leaves token calls alone; `afterHandling`
/// records the decision yet answers 503 (EPM applied it, the app never learns); the log marks
/// it; GET lists the rule with its counts and DELETE clears it.
#[tokio::test]
async fn after_handling_records_the_decision_but_fails_the_answer() {
    let router = open(Path::new(":memory:"));
    let rule = fail(
        &router,
        json!({"method": "POST", "path": "/management-api/*/AuthorizationRequest/notification",
               "fault": {"status": 503, "afterHandling": true}}),
    )
    .await;
    assert_eq!(rule.status, StatusCode::OK);
    assert_eq!(rule.json["id"], 1);
    let token = token(&router).await;
    let lost = notify(&router, NOTIFY, &token, &notification()).await;
    assert_eq!(lost.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(lost.json["message"].is_string());
    assert_eq!(
        get(&router, "/_sandbox/decisions").await.as_array().map(Vec::len),
        Some(1),
        "the decision was recorded"
    );
    let requests = get(&router, "/_sandbox/requests").await;
    let entry = &requests[1];
    assert_eq!(
        crate::faults::logged_fault(entry),
        (
            json!(503),
            json!(true),
            json!("HTTP 503 after handling (handled: HTTP 200)")
        )
    );
    assert_eq!(requests[0]["injected"], false, "the token call did not match");

    let listed = get(&router, "/_sandbox/fail").await;
    assert_eq!(
        (listed[0]["matched"].clone(), listed[0]["failed"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(
        send(&router, "DELETE", "/_sandbox/fail", &[], "").await.json,
        json!({"cleared": 1})
    );
    assert_eq!(get(&router, "/_sandbox/fail").await, json!([]));
}

/// Validates: 429 with `retryAfter` sets `Retry-After`; a 200 ms delay holds the call that long
/// and then answers it; a wrong rule names its field.
#[tokio::test]
async fn retry_after_delay_and_bad_rules() {
    let router = open(Path::new(":memory:"));
    fail(
        &router,
        json!({"path": "/oauth/connect/token", "fault": {"status": 429, "retryAfter": 5}}),
    )
    .await;
    let limited = token_call(&router, "grant_type=client_credentials").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.retry_after.as_deref(), Some("5"));

    fail(
        &router,
        json!({"path": "/oauth/connect/token", "fault": {"delayMs": 200}}),
    )
    .await;
    let started = Instant::now();
    let _token = token(&router).await;
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );

    let bad = fail(&router, json!({"fault": {"status": 503}, "rate": 2})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json["field"], "rate");
    assert!(bad.json["message"].as_str().is_some_and(|m| m.starts_with("rate: ")));
}

async fn failures_at_rate(seed: u64) -> Vec<bool> {
    let router = open(Path::new(":memory:"));
    fail(
        &router,
        json!({"fault": {"status": 500}, "rate": 0.2, "seed": seed, "limit": 15}),
    )
    .await;
    let mut failed = Vec::new();
    for _ in 0..100 {
        let reply = token_call(&router, "grant_type=client_credentials").await;
        failed.push(reply.status == StatusCode::INTERNAL_SERVER_ERROR);
    }
    failed
}

/// Validates: the same seed fails the same calls; `limit` caps the failures.
#[tokio::test]
async fn a_seeded_rate_repeats_up_to_its_limit() {
    let first = failures_at_rate(42).await;
    assert_eq!(first, failures_at_rate(42).await);
    let count = first.iter().filter(|failed| **failed).count();
    assert!((10..=15).contains(&count), "{count} of 100 (limit 15)");
}

/// Validates: the older body still replaces every rule, and answers as it always has.
#[tokio::test]
async fn the_older_body_replaces_the_rules() {
    let router = open(Path::new(":memory:"));
    fail(&router, json!({"fault": {"status": 500}, "times": 10})).await;
    fail(&router, json!({"fault": {"status": 502}, "times": 10})).await;
    let older = fail(&router, json!({"times": 1, "status": 503})).await;
    assert_eq!(older.json, json!({"times": 1, "status": 503}));
    let listed = get(&router, "/_sandbox/fail").await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["fault"], json!({"status": 503}));
    assert_eq!(
        token_call(&router, "grant_type=client_credentials").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        fail(&router, json!({"times": 0, "status": 503})).await.json,
        json!({"times": 0})
    );
    assert_eq!(get(&router, "/_sandbox/fail").await, json!([]));
}
