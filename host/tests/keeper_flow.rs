//! Keeper end to end on the local host in sandbox mode: the sandbox enables Keeper against its
//! Commander on first start; an alert becomes an issue; the panel's resolvers (through the
//! bridge, signed in as Carol Admin) read the request live through Commander's queue and decide
//! it; Keeper's state changes; a request decided in Keeper is recorded as processed outside
//! Jira. Real HTTP, the real component, the sandbox Jira and Commander.

mod support;

/// The secret-storage key of the alert token (the core's `settings::secrets::ALERT_TOKEN`).
const ALERT_TOKEN: &str = "keeper.alert.token";
use pam_sandboxes::jira::seed;
use pam_sandboxes::keeper::seed::*;
use serde_json::{Value, json};
use support::*;

async fn alert(host: &Host, token: &str, body: &Value) -> (u16, Value) {
    let sent = client()
        .post(format!("{}/x/keeper-alert", host.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("answer");
    let status = sent.status().as_u16();
    (status, sent.json().await.unwrap_or(Value::Null))
}

async fn panel(host: &Host, name: &str, key: &str, payload: Value) -> Value {
    let cookie = sandbox_user_cookie(seed::CAROL_ADMIN);
    let (status, answer) = invoke(
        host,
        Some(&cookie),
        &json!({"functionKey": name, "payload": payload, "context": {"extension": {"issue": {"key": key}}}}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

async fn commander_state(host: &Host) -> Value {
    get_json(&format!("{}/sandbox/keeper/_sandbox/state", host.base)).await
}

#[tokio::test]
async fn a_kepm_request_and_a_device_request_are_decided_through_commander() {
    let dir = TempDir::new("keeper-flow");
    let host = Host::start(&dir.0);
    let token = stored_secret(&dir.0, ALERT_TOKEN).expect("the sandbox generated an alert token");

    // Alice's pending elevation request (seeded 5 minutes ago) arrives as Keeper's alert.
    let body = json!({"alert_name": "Agent created approval request", "username": KEPM_PENDING_EMAIL,
        "json": {"audit_event": "approval_request_created", "request_uid": KEPM_PENDING_UID}});
    let (status, made) = alert(&host, &token, &body).await;
    assert_eq!(status, 201, "{made}");
    let key = made["issueKey"].as_str().unwrap().to_string();
    let (again, same) = alert(&host, &token, &body).await;
    assert_eq!(
        (again, &same["issueKey"]),
        (200, &json!(key)),
        "a retry finds the issue"
    );

    let shown = panel(&host, "keeper.request", &key, json!({})).await;
    assert_eq!(shown["view"]["live"], "current", "{shown}");
    assert_eq!(shown["view"]["kepm"]["requester"], KEPM_PENDING_EMAIL);
    assert_eq!(shown["view"]["canDecide"], true, "{shown}");
    let decided = panel(&host, "keeper.decide", &key, json!({"decision": "approve"})).await;
    assert_eq!(decided["view"]["outcome"]["result"], "approved", "{decided}");
    let state = commander_state(&host).await;
    let request = state["kepm"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["uid"] == KEPM_PENDING_UID)
        .unwrap()
        .clone();
    assert_eq!(request["status"], "Approved", "{request}");
    let issue = get_json(&host.jira(&format!("/rest/api/3/issue/{key}?fields=status,labels"))).await;
    assert_eq!(issue["fields"]["status"]["name"], "Approved", "{issue}");

    // Dave's new device: denied.
    let body = json!({"alert_name": "Device admin approval requested", "username": DEVICE_EMAIL,
        "json": {"audit_event": "device_admin_approval_requested", "device_name": "Chrome on Windows 11"}});
    let (status, made) = alert(&host, &token, &body).await;
    assert_eq!(status, 201, "{made}");
    let device_key = made["issueKey"].as_str().unwrap().to_string();
    let decided = panel(&host, "keeper.decide", &device_key, json!({"decision": "deny"})).await;
    assert_eq!(decided["view"]["outcome"]["result"], "denied", "{decided}");
    let state = commander_state(&host).await;
    let device = state["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deviceId"] == DEVICE_ID)
        .unwrap()
        .clone();
    assert!(
        device.to_string().contains("deny") || device.to_string().contains("denied"),
        "{device}"
    );

    // Bob's request is denied in Keeper's console: the panel records it as processed outside.
    let body = json!({"alert_name": "Agent created approval request", "username": KEPM_PENDING_LATE_EMAIL,
        "json": {"audit_event": "approval_request_created", "request_uid": KEPM_PENDING_LATE_UID}});
    let (_, made) = alert(&host, &token, &body).await;
    let late_key = made["issueKey"].as_str().unwrap().to_string();
    let sent = client()
        .post(format!(
            "{}/sandbox/keeper/_sandbox/kepm/{KEPM_PENDING_LATE_UID}/decide",
            host.base
        ))
        .json(&json!({"status": "Denied"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 200);
    let shown = panel(&host, "keeper.request", &late_key, json!({})).await;
    assert_eq!(shown["view"]["outcome"]["source"], "keeper", "{shown}");
    assert_eq!(shown["view"]["outcome"]["result"], "denied");
    host.stop();
}
