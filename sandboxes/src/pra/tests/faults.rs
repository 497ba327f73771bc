//! Fault rules on the PRA sandbox (the syntax shared with the sandbox Jira and EPM).

use super::*;
use crate::test_support::fail;

/// Validates: a 503 rule fails the answer without recording it (the app may send it again);
/// `afterHandling` records it and then fails the answer (the appliance took it, the app never
/// learns: its retry gets 403); the log marks both; GET lists the rule, DELETE clears it.
#[tokio::test]
async fn failed_and_lost_answers() {
    let (router, _) = open();
    let id = jump_request(&router, json!({})).await;
    let rule = fail(
        &router,
        json!({"path": RESPONSE_PATH, "fault": {"status": 503, "retryAfter": 2}}),
    )
    .await;
    assert_eq!((rule.status, rule.json["id"].clone()), (StatusCode::OK, json!(1)));
    let failed = respond(&router, &allow(&id)).await;
    assert_eq!(failed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(failed.retry_after.as_deref(), Some("2"));
    assert!(
        failed.json["message"]
            .as_str()
            .is_some_and(|m| m.contains("PRA sandbox"))
    );
    assert_eq!(
        get(&router, &format!("/_sandbox/requests/{id}")).await["state"],
        "pending"
    );

    fail(
        &router,
        json!({"method": "POST", "path": RESPONSE_PATH, "fault": {"status": 502, "afterHandling": true}}),
    )
    .await;
    let lost = respond(&router, &allow(&id)).await;
    assert_eq!(lost.status, StatusCode::BAD_GATEWAY);
    assert_eq!(
        get(&router, &format!("/_sandbox/requests/{id}")).await["state"],
        "answered"
    );
    assert_eq!(
        respond(&router, &allow(&id)).await.status,
        StatusCode::FORBIDDEN,
        "the retry"
    );

    let log = get(&router, "/_sandbox/log").await;
    assert_eq!(
        crate::faults::logged_fault(&log[0]),
        (json!(503), json!(true), json!("HTTP 503"))
    );
    assert_eq!(
        crate::faults::logged_fault(&log[1]),
        (
            json!(502),
            json!(true),
            json!("HTTP 502 after handling (handled: HTTP 200)")
        )
    );
    let rules = get(&router, "/_sandbox/fail").await;
    assert_eq!(rules.as_array().map(Vec::len), Some(2));
    assert_eq!(
        (rules[0]["matched"].clone(), rules[0]["failed"].clone()),
        (json!(3), json!(1))
    );
    assert_eq!(
        send(&router, "DELETE", "/_sandbox/fail", &[], "").await.json,
        json!({"cleared": 2})
    );
}

/// Validates: an unreachable appliance gives no answer at all (and records nothing); a bad rule
/// names its field; the older EPM body is not a PRA rule.
#[tokio::test]
async fn an_unreachable_appliance_and_bad_rules() {
    let (router, _) = open();
    let id = jump_request(&router, json!({})).await;
    fail(&router, json!({"fault": {"unreachable": true}})).await;
    let cut = respond(&router, &allow(&id)).await;
    assert!(cut.unreachable);
    assert_eq!(get(&router, "/_sandbox/responses").await, json!([]));
    let log = get(&router, "/_sandbox/log").await;
    assert_eq!(
        (log[0]["status"].clone(), log[0]["error"].clone()),
        (Value::Null, json!("unreachable"))
    );
    assert_eq!(
        respond(&router, &allow(&id)).await.status,
        StatusCode::OK,
        "times defaults to 1"
    );

    let bad = fail(
        &router,
        json!({"path": "api/endpoint_approval", "fault": {"status": 503}}),
    )
    .await;
    assert_eq!(
        (bad.status, bad.json["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("path"))
    );
    let older = fail(&router, json!({"times": 1, "status": 503})).await;
    assert_eq!(
        (older.status, older.json["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("status"))
    );
}
