//! End to end: the sandbox EPM served by the host over real HTTP (token, decision notification,
//! test controls), and the sandbox configuration that points the app at it.

mod support;

use serde_json::{Value, json};
use support::*;

/// Validates: the token endpoint issues tokens to the sandbox client only, with OAuth-style
/// refusals, and never echoes the secret.
#[tokio::test]
async fn tokens_for_the_sandbox_client_only() {
    let dir = TempDir::new("epm-token");
    let host = Host::start(&dir.0);
    let secret = epm_client_secret(&dir.0);
    let good = format!("grant_type=client_credentials&client_id={EPM_CLIENT_ID}&client_secret={secret}");
    let (status, body) = epm_token_request(&host, &good).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "urn:management:api");
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() >= 32));

    for (form, error) in [
        (good.replace("client_credentials", "password"), "unsupported_grant_type"),
        (good.replace(&secret, "wrong-secret"), "invalid_client"),
        (good.replace(EPM_CLIENT_ID, "someone-else"), "invalid_client"),
        (
            format!("client_id={EPM_CLIENT_ID}&client_secret={secret}"),
            "invalid_request",
        ),
    ] {
        let (status, body) = epm_token_request(&host, &form).await;
        assert_eq!((status, body["error"].as_str()), (400, Some(error)), "{form}: {body}");
        assert!(!body.to_string().contains(&secret));
    }
    let as_json = client()
        .post(host.epm("/oauth/connect/token"))
        .json(&json!({"grant_type": "client_credentials", "client_id": EPM_CLIENT_ID, "client_secret": secret}))
        .send()
        .await
        .expect("send");
    assert_eq!(as_json.status().as_u16(), 400);
    assert_eq!(as_json.json::<Value>().await.expect("JSON")["error"], "invalid_request");
    let log = epm_requests(&host).await;
    assert_eq!(log.len(), 6);
    assert!(!serde_json::to_string(&log).unwrap_or_default().contains(&secret));
}

/// Validates: a valid decision is recorded with its API version; each invalid field is refused
/// with a 400 naming it, and nothing is recorded for it.
#[tokio::test]
async fn decisions_are_validated_field_by_field() {
    let dir = TempDir::new("epm-decision");
    let host = Host::start(&dir.0);
    let token = epm_token(&host, &dir.0).await;
    let (status, body) = epm_notify(&host, "v2", Some(&token), &valid_notification()).await;
    assert_eq!((status, body), (200, json!({})));
    let (status, _) = epm_notify(&host, "v3", Some(&token), &valid_notification()).await;
    assert_eq!(status, 200);
    let (status, _) = epm_notify(&host, "v7", Some(&token), &valid_notification()).await;
    assert_eq!(status, 404);

    let cases: Vec<(&str, Value)> = vec![
        ("itsmRequestId", Value::Null),
        ("systemId", json!("")),
        ("ticketId", json!(42)),
        ("ticketUrl", json!("PMCJIT-1")),
        ("decision", json!("Maybe")),
        ("status", json!("1000")),
        ("duration", json!("0")),
        ("duration", json!("2 hours")),
        ("decisionTime", json!("2026-11-23T10:04:00Z")),
        ("decisionPerformedByUser", json!({"name": "Alice"})),
        ("message", Value::Null),
    ];
    for (field, value) in &cases {
        let mut body = valid_notification();
        if value.is_null() {
            body.as_object_mut().map(|o| o.remove(*field));
        } else {
            body[*field] = value.clone();
        }
        let (status, answer) = epm_notify(&host, "v2", Some(&token), &body).await;
        assert_eq!(status, 400, "{field} = {value}: {answer}");
        assert_eq!(answer["field"], *field, "{answer}");
        assert!(
            answer["message"].as_str().is_some_and(|m| m.contains(field)),
            "{answer}"
        );
    }
    let mut extra = valid_notification();
    extra["approver"] = json!("alice");
    let (status, answer) = epm_notify(&host, "v2", Some(&token), &extra).await;
    assert_eq!(status, 400);
    assert!(answer["message"].as_str().is_some_and(|m| m.contains("approver")));

    let decisions = epm_decisions(&host).await;
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[0]["apiVersion"], "v2");
    assert_eq!(decisions[1]["apiVersion"], "v3");
    assert_eq!(decisions[0]["notification"], valid_notification());
    assert!(decisions[0]["receivedAt"].is_string());
}

/// Validates: no bearer, an unknown, an expired and a revoked token are each refused with 401.
#[tokio::test]
async fn bearer_tokens_must_be_live() {
    let dir = TempDir::new("epm-bearer");
    let host = Host::start(&dir.0);
    let body = valid_notification();
    assert_eq!(epm_notify(&host, "v2", None, &body).await.0, 401);
    assert_eq!(epm_notify(&host, "v2", Some("made-up"), &body).await.0, 401);

    let expiring = epm_token(&host, &dir.0).await;
    assert_eq!(epm_control(&host, "expire-tokens", None).await.1["expired"], 1);
    let (status, answer) = epm_notify(&host, "v2", Some(&expiring), &body).await;
    assert_eq!(status, 401);
    assert!(
        answer["message"].as_str().is_some_and(|m| m.contains("expired")),
        "{answer}"
    );

    let revoked = epm_token(&host, &dir.0).await;
    assert_eq!(epm_notify(&host, "v2", Some(&revoked), &body).await.0, 200);
    assert_eq!(epm_control(&host, "revoke-tokens", None).await.1["revoked"], 1);
    let (status, answer) = epm_notify(&host, "v2", Some(&revoked), &body).await;
    assert_eq!(status, 401);
    assert!(
        answer["message"].as_str().is_some_and(|m| m.contains("revoked")),
        "{answer}"
    );
    let fresh = epm_token(&host, &dir.0).await;
    assert_eq!(epm_notify(&host, "v2", Some(&fresh), &body).await.0, 200);
}

/// Validates: planned failures answer the chosen status, "unreachable" cuts the connection,
/// both for exactly the planned number of calls; reset forgets decisions, log and plans.
#[tokio::test]
async fn failures_on_demand_and_reset() {
    let dir = TempDir::new("epm-faults");
    let host = Host::start(&dir.0);
    let token = epm_token(&host, &dir.0).await;
    let body = valid_notification();
    let (status, plan) = epm_control(&host, "fail", Some(json!({"times": 2, "status": 503}))).await;
    assert_eq!((status, plan), (200, json!({"times": 2, "status": 503})));
    for _ in 0..2 {
        let (status, answer) = epm_notify(&host, "v2", Some(&token), &body).await;
        assert_eq!(status, 503);
        assert!(answer["message"].is_string());
    }
    assert_eq!(epm_notify(&host, "v2", Some(&token), &body).await.0, 200);

    epm_control(&host, "fail", Some(json!({"times": 1, "unreachable": true}))).await;
    let cut = async {
        let response = client()
            .post(host.epm(&notification_path("v2")))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await?;
        response.text().await
    }
    .await;
    assert!(cut.is_err(), "an unreachable EPM gives no complete answer: {cut:?}");
    assert_eq!(epm_notify(&host, "v2", Some(&token), &body).await.0, 200);
    let (status, _) = epm_control(&host, "fail", Some(json!({"times": 1, "status": 200}))).await;
    assert_eq!(status, 400, "a plan must fail");

    let log = epm_requests(&host).await;
    let statuses: Vec<Value> = log.iter().map(|r| r["status"].clone()).collect();
    assert_eq!(
        statuses,
        [json!(200), json!(503), json!(503), json!(200), Value::Null, json!(200)]
    );
    assert_eq!(epm_decisions(&host).await.len(), 2);

    epm_control(&host, "fail", Some(json!({"times": 3, "status": 500}))).await;
    let (status, _) = epm_control(&host, "reset", None).await;
    assert_eq!(status, 204);
    assert!(epm_decisions(&host).await.is_empty());
    assert!(epm_requests(&host).await.is_empty());
    assert_eq!(
        epm_notify(&host, "v2", Some(&token), &body).await.0,
        200,
        "plans and decisions gone, token kept"
    );
}

/// Validates: a fresh sandbox data dir configures the app for the sandbox EPM (host, client id,
/// secret); a data dir configured for another EPM gets the sandbox EPM on the next sandbox
/// start while its other settings stay; decisions survive a restart.
#[tokio::test]
async fn the_app_is_pointed_at_the_sandbox_epm() {
    let dir = TempDir::new("epm-config");
    let old = dir.0.join("old.json");
    std::fs::write(
        &old,
        r#"{"config": {"enabled": true, "serviceHostname": "pmc-services.example.com", "clientId": "old", "assigneeName": "Bob Requester"}}"#,
    )
    .expect("write");
    let host = Host::start_with(&dir.0, &["--config", old.to_str().expect("path")]);
    let token = epm_token(&host, &dir.0).await;
    assert_eq!(
        epm_notify(&host, "v2", Some(&token), &valid_notification()).await.0,
        200
    );
    assert_eq!(
        stored_config(&dir.0)["epm"]["serviceHostname"],
        "pmc-services.example.com",
        "a document that names an EPM host wins"
    );
    host.stop();

    let host = Host::start(&dir.0);
    let config = &stored_config(&dir.0)["epm"];
    assert_eq!(config["serviceHostname"], EPM_HOST);
    assert_eq!(config["clientId"], EPM_CLIENT_ID);
    assert_eq!(config["assigneeName"], "Bob Requester", "other settings are kept");
    assert_eq!(
        stored_secret(&dir.0, "epm.client.secret"),
        Some(epm_client_secret(&dir.0))
    );
    assert!(
        host.stdout
            .iter()
            .any(|line| line.contains("sandbox EPM:") && line.contains(EPM_HOST)),
        "{:?}",
        host.stdout
    );
    assert_eq!(epm_decisions(&host).await.len(), 1, "decisions survive a restart");
    assert_eq!(
        epm_notify(&host, "v2", Some(&token), &valid_notification()).await.0,
        200,
        "so do tokens"
    );

    let fresh = TempDir::new("epm-config-fresh");
    let _fresh_host = Host::start(&fresh.0);
    let config = &stored_config(&fresh.0)["epm"];
    assert_eq!(
        (config["serviceHostname"].clone(), config["enabled"].clone()),
        (json!(EPM_HOST), json!(true))
    );
}
