//! Tests of the EPM sandbox through its router.

use std::path::Path;

use axum::Router;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{CLIENT_ID, ClientCredentials, EpmSandbox};
use crate::test_support::{FORM, JSON, Reply, TempDir, get, send};

const SECRET: &str = "s3cret-for-tests";
const NOTIFY: &str = "/management-api/v2/AuthorizationRequest/notification";

fn open(path: &Path) -> Router {
    EpmSandbox::open(
        path,
        ClientCredentials {
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
        },
    )
    .expect("opens")
    .router()
}

async fn token_call(router: &Router, form: &str) -> Reply {
    send(router, "POST", "/oauth/connect/token", &[FORM], form).await
}

async fn token(router: &Router) -> String {
    let reply = token_call(
        router,
        &format!("grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={SECRET}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    reply.json["access_token"].as_str().expect("token").to_string()
}

fn notification() -> Value {
    json!({
        "itsmRequestId": "PMCJIT-1",
        "systemId": "req-1",
        "ticketId": "PMCJIT-1",
        "ticketUrl": "http://127.0.0.1:8080/sandbox/jira/browse/PMCJIT-1",
        "decision": "Approved",
        "status": "2000",
        "duration": "Once",
        "decisionTime": "2026-11-23 10:04:00",
        "decisionPerformedByUser": "Alice Approver",
        "message": "ok",
    })
}

async fn notify(router: &Router, path: &str, token: &str, body: &Value) -> Reply {
    let auth = format!("Bearer {token}");
    send(
        router,
        "POST",
        path,
        &[("authorization", &auth), JSON],
        &body.to_string(),
    )
    .await
}

#[tokio::test]
async fn tokens_are_issued_to_the_client_only() {
    let router = open(Path::new(":memory:"));
    let good = token_call(
        &router,
        &format!("grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={SECRET}"),
    )
    .await;
    assert_eq!(good.status, StatusCode::OK);
    assert_eq!(good.json["token_type"], "Bearer");
    assert_eq!(good.json["expires_in"], 3600);
    assert_eq!(good.json["scope"], "urn:management:api");
    assert!(good.json["access_token"].as_str().is_some_and(|t| t.len() >= 32));
    assert_ne!(token(&router).await, token(&router).await, "tokens are random");

    let id = format!("client_id={CLIENT_ID}");
    let cases = [
        (
            format!("grant_type=password&{id}&client_secret={SECRET}"),
            "unsupported_grant_type",
        ),
        (format!("{id}&client_secret={SECRET}"), "invalid_request"),
        (
            format!("grant_type=client_credentials&{id}&client_secret=wrong"),
            "invalid_client",
        ),
        (
            format!("grant_type=client_credentials&client_id=other&client_secret={SECRET}"),
            "invalid_client",
        ),
        ("grant_type=client_credentials".to_string(), "invalid_client"),
        (
            format!("grant_type=client_credentials&grant_type=client_credentials&{id}&client_secret={SECRET}"),
            "invalid_request",
        ),
    ];
    for (form, error) in cases {
        let reply = token_call(&router, &form).await;
        assert_eq!(
            (reply.status, reply.json["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some(error)),
            "{form}"
        );
        assert!(reply.json["error_description"].is_string());
        assert!(!reply.json.to_string().contains(SECRET));
    }
    let as_json = send(
        &router,
        "POST",
        "/oauth/connect/token",
        &[JSON],
        &json!({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET}).to_string(),
    )
    .await;
    assert_eq!(as_json.json["error"], "invalid_request");
    let requests = get(&router, "/_sandbox/requests").await;
    assert!(!requests.to_string().contains(SECRET), "the log keeps no secret");
}

#[tokio::test]
async fn decisions_need_a_live_token_and_a_valid_body() {
    let router = open(Path::new(":memory:"));
    let token = token(&router).await;
    let ok = notify(&router, NOTIFY, &token, &notification()).await;
    assert_eq!((ok.status, ok.json.clone()), (StatusCode::OK, json!({})));
    let v3 = notify(
        &router,
        "/management-api/v3/AuthorizationRequest/notification",
        &token,
        &notification(),
    )
    .await;
    assert_eq!(v3.status, StatusCode::OK);
    let v9 = notify(
        &router,
        "/management-api/v9/AuthorizationRequest/notification",
        &token,
        &notification(),
    )
    .await;
    assert_eq!(v9.status, StatusCode::NOT_FOUND);

    let missing = send(&router, "POST", NOTIFY, &[JSON], &notification().to_string()).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.challenge.as_deref(), Some("Bearer"));
    let unknown = notify(&router, NOTIFY, "not-a-token", &notification()).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);

    let mut bad = notification();
    bad["status"] = json!("2001");
    let refused = notify(&router, NOTIFY, &token, &bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json["field"], "status");
    assert!(refused.json["message"].as_str().is_some_and(|m| m.contains("status")));
    let text = send(
        &router,
        "POST",
        NOTIFY,
        &[
            ("authorization", &format!("Bearer {token}")),
            ("content-type", "text/plain"),
        ],
        &notification().to_string(),
    )
    .await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let decisions = get(&router, "/_sandbox/decisions").await;
    assert_eq!(decisions.as_array().map(Vec::len), Some(2), "{decisions}");
    assert_eq!(decisions[0]["apiVersion"], "v2");
    assert_eq!(decisions[1]["apiVersion"], "v3");
    assert_eq!(decisions[0]["notification"]["systemId"], "req-1");
    assert!(decisions[0]["receivedAt"].as_str().is_some_and(|t| t.ends_with('Z')));

    let requests = get(&router, "/_sandbox/requests").await;
    let statuses: Vec<u64> = requests
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["status"].as_u64())
        .collect();
    assert_eq!(statuses, [200, 200, 200, 404, 401, 401, 400, 415]);
    assert!(!requests.to_string().contains(&token), "the log keeps no token");
    assert_eq!(requests[6]["error"].as_str().map(|e| e.contains("status")), Some(true));
}

#[tokio::test]
async fn revoked_and_expired_tokens_are_refused() {
    let router = open(Path::new(":memory:"));
    let first = token(&router).await;
    let revoked = send(&router, "POST", "/_sandbox/revoke-tokens", &[], "").await;
    assert_eq!(revoked.json["revoked"], 1);
    let reply = notify(&router, NOTIFY, &first, &notification()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.json["message"].as_str().is_some_and(|m| m.contains("revoked")));
    assert!(reply.challenge.is_some_and(|c| c.contains("invalid_token")));

    let second = token(&router).await;
    assert_eq!(
        notify(&router, NOTIFY, &second, &notification()).await.status,
        StatusCode::OK
    );
    let expired = send(&router, "POST", "/_sandbox/expire-tokens", &[], "").await;
    assert_eq!(expired.json["expired"], 1);
    let reply = notify(&router, NOTIFY, &second, &notification()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.json["message"].as_str().is_some_and(|m| m.contains("expired")));
}

#[tokio::test]
async fn failures_on_demand_then_reset() {
    let router = open(Path::new(":memory:"));
    let token = token(&router).await;
    let plan = send(
        &router,
        "POST",
        "/_sandbox/fail",
        &[JSON],
        r#"{"times": 2, "status": 503}"#,
    )
    .await;
    assert_eq!(plan.json, json!({"times": 2, "status": 503}));
    for _ in 0..2 {
        let reply = notify(&router, NOTIFY, &token, &notification()).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(reply.json["message"].is_string());
    }
    assert_eq!(
        notify(&router, NOTIFY, &token, &notification()).await.status,
        StatusCode::OK
    );

    send(
        &router,
        "POST",
        "/_sandbox/fail",
        &[JSON],
        r#"{"times": 1, "unreachable": true}"#,
    )
    .await;
    let cut = token_call(&router, "grant_type=client_credentials").await;
    assert!(cut.unreachable, "the token call is cut too");
    assert_eq!(
        notify(&router, NOTIFY, &token, &notification()).await.status,
        StatusCode::OK
    );

    let bad_plan = send(&router, "POST", "/_sandbox/fail", &[JSON], r#"{"times": 1}"#).await;
    assert_eq!(bad_plan.status, StatusCode::BAD_REQUEST);

    let requests = get(&router, "/_sandbox/requests").await;
    let cut_entry = requests
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["error"] == "unreachable")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (cut_entry["status"].clone(), cut_entry["injected"].clone()),
        (Value::Null, json!(true))
    );

    send(
        &router,
        "POST",
        "/_sandbox/fail",
        &[JSON],
        r#"{"times": 5, "status": 500}"#,
    )
    .await;
    assert_eq!(
        send(&router, "POST", "/_sandbox/reset", &[], "").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(get(&router, "/_sandbox/decisions").await, json!([]));
    assert_eq!(get(&router, "/_sandbox/requests").await, json!([]));
    assert_eq!(
        notify(&router, NOTIFY, &token, &notification()).await.status,
        StatusCode::OK,
        "reset drops planned failures and keeps tokens"
    );
}

#[tokio::test]
async fn restart_keeps_tokens_and_decisions() {
    let dir = TempDir::new("epm");
    let path = dir.0.join("epm.sqlite");
    let token = {
        let router = open(&path);
        let token = token(&router).await;
        assert_eq!(
            notify(&router, NOTIFY, &token, &notification()).await.status,
            StatusCode::OK
        );
        token
    };
    let router = open(&path);
    assert_eq!(
        notify(&router, NOTIFY, &token, &notification()).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get(&router, "/_sandbox/decisions").await.as_array().map(Vec::len),
        Some(2)
    );
}

mod faults;
