//! The `/_sandbox/` controls: requests added relative to the clock, decisions made in Keeper,
//! the state, reset, faults and the log.

use super::*;
use crate::test_support::fail;

/// Validates: a KEPM request added 40 minutes ago shows Expired; one added now can be decided
/// in Keeper (the API then shows it, a later action is refused), not twice; a device added then
/// decided leaves the pending list; bad bodies name their field.
#[tokio::test]
async fn requests_added_and_decided_outside_jira() {
    let (router, _) = open().await;
    let old = post_json(&router, "/_sandbox/kepm", &json!({"createdMinutesAgo": 40})).await;
    assert_eq!(old.status, StatusCode::CREATED, "{}", old.text);
    assert_eq!(old.json["status"], "Expired");
    let uid = old.json["uid"].as_str().expect("uid").to_string();
    assert_eq!(uid.len(), 22);

    let fresh = post_json(
        &router,
        "/_sandbox/kepm",
        &json!({"accountInfo": {"username": "gina@example.com", "domain": "CORP"}, "justification": "x"}),
    )
    .await;
    let fresh_uid = fresh.json["uid"].as_str().expect("uid").to_string();
    let decided = post_json(
        &router,
        &format!("/_sandbox/kepm/{fresh_uid}/decide"),
        &json!({"status": "Denied"}),
    )
    .await;
    assert_eq!(
        (decided.status, decided.json["status"].clone()),
        (StatusCode::OK, json!("Denied"))
    );
    assert_eq!(decided.json["decidedBy"], "keeper");
    let view = run(&router, &format!("epm approval view {fresh_uid} --format json")).await;
    assert_eq!(view.json["data"][0]["status"], "Denied");
    let action = run(&router, &format!("epm approval action --approve {fresh_uid}")).await;
    assert_eq!(action.status, StatusCode::INTERNAL_SERVER_ERROR);
    let twice = post_json(
        &router,
        &format!("/_sandbox/kepm/{fresh_uid}/decide"),
        &json!({"status": "Approved"}),
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let expired = post_json(
        &router,
        &format!("/_sandbox/kepm/{uid}/decide"),
        &json!({"status": "Approved"}),
    )
    .await;
    assert_eq!(expired.status, StatusCode::CONFLICT);
    let unknown = post_json(
        &router,
        "/_sandbox/kepm/AAAAAAAAAAAAAAAAAAAAAA/decide",
        &json!({"status": "Approved"}),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let exists = post_json(&router, "/_sandbox/kepm", &json!({"uid": KEPM_PENDING_UID})).await;
    assert_eq!(exists.status, StatusCode::CONFLICT);

    let device = post_json(
        &router,
        "/_sandbox/devices",
        &json!({"email": "hank@example.com", "createdSecondsAgo": 30}),
    )
    .await;
    assert_eq!(device.status, StatusCode::CREATED, "{}", device.text);
    let id = device.json["deviceId"].as_str().expect("id").to_string();
    assert_eq!(id.len(), 20);
    let listed = run(&router, "device-approve --reload --format json").await;
    assert_eq!(listed.json["data"].as_array().map(Vec::len), Some(3));
    let decide = post_json(
        &router,
        &format!("/_sandbox/devices/{id}/decide"),
        &json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(
        (decide.status, decide.json["state"].clone()),
        (StatusCode::OK, json!("approved"))
    );
    let listed = run(&router, "device-approve --reload --format json").await;
    assert_eq!(listed.json["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        post_json(
            &router,
            &format!("/_sandbox/devices/{id}/decide"),
            &json!({"decision": "deny"})
        )
        .await
        .status,
        StatusCode::CONFLICT
    );

    for (path, body, field) in [
        ("/_sandbox/kepm", json!({"uid": "short"}), "uid"),
        ("/_sandbox/kepm", json!({"colour": "red"}), "colour"),
        (
            "/_sandbox/kepm",
            json!({"createdSecondsAgo": 1, "createdMinutesAgo": 1}),
            "createdMinutesAgo",
        ),
        ("/_sandbox/devices", json!({"deviceId": "ABC"}), "deviceId"),
        ("/_sandbox/settings", json!({"queueSize": 0}), "queueSize"),
        ("/_sandbox/settings", json!({"workerPaused": "yes"}), "workerPaused"),
        ("/_sandbox/keys", json!({"key": "k"}), "commands"),
    ] {
        let reply = post_json(&router, path, &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path} {body}");
        assert_eq!(reply.json["field"], field, "{path} {body}: {}", reply.text);
    }
}

/// Validates: `GET state` shows requests, devices and the queue (the owner as a digest, never
/// the key); reset restores the seeds and forgets the queue, extra keys and changed settings.
#[tokio::test]
async fn state_and_reset() {
    let (router, _) = open().await;
    settings(&router, json!({"workerPaused": true})).await;
    let id = submit(&router, "service-status").await;
    post_json(&router, "/_sandbox/kepm", &json!({})).await;
    let state = get(&router, "/_sandbox/state").await;
    assert_eq!(state["kepm"].as_array().map(Vec::len), Some(4));
    assert_eq!(state["devices"].as_array().map(Vec::len), Some(2));
    assert_eq!(state["queue"][0]["request_id"], id.as_str());
    assert_eq!(state["queue"][0]["status"], "queued");
    assert!(
        state["queue"][0]["owner"]
            .as_str()
            .is_some_and(|o| o.starts_with("sha256:"))
    );
    assert!(!state.to_string().contains(DEFAULT_API_KEY));
    assert_eq!(state["worker"]["paused"], true);

    let reset = send(&router, "POST", "/_sandbox/reset", &[], "").await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    let state = get(&router, "/_sandbox/state").await;
    assert_eq!(state["kepm"].as_array().map(Vec::len), Some(3));
    assert_eq!(state["queue"], json!([]));
    assert_eq!(get(&router, "/_sandbox/settings").await["workerPaused"], false);
    assert_eq!(get(&router, "/_sandbox/keys").await.as_array().map(Vec::len), Some(1));
    assert_eq!(
        status_as(&router, DEFAULT_API_KEY, &id).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Validates: fault rules fail a submission in Commander's error shape (with `Retry-After`),
/// nothing is queued; the log keeps every API call with its status and the submitted JSON,
/// never the key.
#[tokio::test]
async fn faults_and_the_log() {
    let (router, _) = open().await;
    let rule = fail(
        &router,
        json!({"path": EXECUTE, "fault": {"status": 503, "retryAfter": 5}}),
    )
    .await;
    assert_eq!(rule.status, StatusCode::OK, "{}", rule.text);
    let failed = submit_as(&router, DEFAULT_API_KEY, "service-status").await;
    assert_eq!(failed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(failed.retry_after.as_deref(), Some("5"));
    assert_eq!(failed.json["status"], "error");
    assert!(
        failed.json["error"]
            .as_str()
            .is_some_and(|e| e.contains("Keeper Commander sandbox"))
    );
    assert_eq!(get(&router, "/_sandbox/state").await["queue"], json!([]));
    run(&router, "service-status").await;
    submit_as(&router, "wrong", "service-status").await;

    let log = get(&router, "/_sandbox/log").await;
    let entries = log.as_array().expect("log");
    let seen: Vec<(Value, Value)> = entries
        .iter()
        .map(|e| (e["path"].clone(), e["status"].clone()))
        .collect();
    assert_eq!(seen.len(), 4, "{log}");
    assert_eq!(seen[0], (json!(EXECUTE), json!(503)));
    assert_eq!(entries[0]["injected"], true);
    assert_eq!(seen[1], (json!(EXECUTE), json!(202)));
    assert_eq!(entries[1]["body"], json!({"command": "service-status"}));
    assert_eq!(seen[3], (json!(EXECUTE), json!(401)));
    assert_eq!(entries[3]["error"], "Please provide a valid api key");
    assert!(!log.to_string().contains(DEFAULT_API_KEY));
    assert_eq!(
        send(&router, "DELETE", "/_sandbox/fail", &[], "").await.json["cleared"],
        1
    );
}
