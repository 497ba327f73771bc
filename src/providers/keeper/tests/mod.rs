//! Keeper end to end in the test world: alerts, the panel's resolvers, the jobs and the tick,
//! against the sandbox Jira (every Jira request held to Atlassian's contract) and a fake
//! Commander held to docs/keeper.md's wire.

mod bad_input;
mod commander;
mod flow;
mod moves;
mod rules;

use serde_json::{Value, json};

use super::records;
use super::settings::{KeeperSettings, secrets};
use crate::protocol::{HttpRequest, Invocation, Outcome};
use crate::testkit::{World, drive, http};
use crate::testkit_keeper::{API_KEY, API_URL, Device, Kepm};
use pam_sandboxes::jira::seed;

pub const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// A KEPM request Bob made (pending, created at the world's start).
pub const UID: &str = "hV0Y0cF1SxSLFwQd0yQ8Kw";
/// Another, made by Carol (an administrator).
pub const CAROLS_UID: &str = "AAECAwQFBgcICQoLDA0ODw";
pub const DEVICE_ID: &str = "0a1b2c3d4e5f60718293";

pub fn settings() -> KeeperSettings {
    serde_json::from_value(json!({
        "enabled": true,
        "apiUrl": API_URL,
        "projectKey": "OPS",
        "issueTypeName": "Task",
    }))
    .expect("test settings")
}

pub fn set_settings(world: &mut World, settings: &KeeperSettings) {
    world.set_section(settings);
}

/// Commander's ISO-8601 time of `ms`, as it prints `created` (no offset: UTC).
pub fn iso(ms: u64) -> String {
    crate::time::iso(ms).trim_end_matches('Z').to_string()
}

/// A configured world: Keeper on, its secrets set, Commander holding Bob's pending KEPM
/// request, Carol's, and Bob's pending device.
pub fn world() -> World {
    let mut world = World::configured();
    set_settings(&mut world, &settings());
    world.secrets.insert(secrets::ALERT_TOKEN.into(), TOKEN.into());
    world.secrets.insert(secrets::API_KEY.into(), API_KEY.into());
    let created = iso(world.now);
    for (uid, requester) in [(UID, seed::BOB_REQUESTER_EMAIL), (CAROLS_UID, "carol@example.com")] {
        world.keeper.kepm.insert(
            uid.into(),
            Kepm {
                status: "Pending".into(),
                requester: requester.into(),
                created: created.clone(),
            },
        );
    }
    world.keeper.devices.push(Device {
        email: seed::BOB_REQUESTER_EMAIL.into(),
        id: DEVICE_ID.into(),
        name: "Bob's laptop".into(),
        decided: None,
    });
    world
}

/// A KEPM alert for `uid` raised by `username` at the world's time.
pub fn kepm_alert(world: &World, uid: &str, username: &str) -> String {
    json!({
        "alert_name": "Agent created approval request",
        "description": "An agent created an approval request",
        "timestamp": crate::time::iso(world.now),
        "remote_address": "203.0.113.7",
        "username": username,
        "json": {"audit_event": "approval_request_created", "category": "endpoint_privilege_manager",
                 "username": username, "timestamp": crate::time::iso(world.now), "enterprise_id": 1234,
                 "agent_uid": "agent-7", "request_uid": uid},
    })
    .to_string()
}

pub fn device_alert(world: &World) -> String {
    json!({
        "alert_name": "Device admin approval requested",
        "timestamp": crate::time::iso(world.now),
        "username": seed::BOB_REQUESTER_EMAIL,
        "json": {"audit_event": "device_admin_approval_requested", "username": seed::BOB_REQUESTER_EMAIL,
                 "timestamp": crate::time::iso(world.now), "device_name": "Bob's laptop"},
    })
    .to_string()
}

pub fn post(body: &str, authorization: Option<&str>) -> Invocation {
    let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    if let Some(auth) = authorization {
        headers.push(("Authorization".into(), auth.into()));
    }
    Invocation::WebTrigger {
        trigger: super::WEB_TRIGGER.into(),
        request: HttpRequest {
            method: "POST".into(),
            url: String::new(),
            headers,
            body: body.into(),
        },
    }
}

pub fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// Posts an alert with the token; the status and answer.
pub fn send(world: &mut World, body: &str) -> (u16, Value) {
    http(&drive(world, post(body, Some(&bearer()))))
}

/// Posts Bob's KEPM alert: the new issue's key.
pub fn kepm_issue(world: &mut World) -> String {
    let body = kepm_alert(world, UID, seed::BOB_REQUESTER_EMAIL);
    let (status, answer) = send(world, &body);
    assert_eq!(status, 201, "{answer}");
    answer["issueKey"].as_str().expect("issueKey").to_string()
}

pub fn device_issue(world: &mut World) -> String {
    let body = device_alert(world);
    let (status, answer) = send(world, &body);
    assert_eq!(status, 201, "{answer}");
    answer["issueKey"].as_str().expect("issueKey").to_string()
}

/// Resolver `name` on `key` as `person`: the answer.
pub fn call(world: &mut World, person: &str, name: &str, key: &str, payload: Value) -> Value {
    world.user = Some(person.into());
    let outcome = drive(
        world,
        Invocation::Resolver {
            name: name.into(),
            payload: payload.to_string(),
            context: json!({"accountId": person, "extension": {"type": "jira:issuePanel", "issue": {"key": key}}})
                .to_string(),
        },
    );
    match outcome {
        Outcome::Value(text) => serde_json::from_str(&text).expect("JSON answer"),
        other => panic!("expected a value, got {other:?}"),
    }
}

pub fn view(world: &mut World, person: &str, key: &str) -> Value {
    call(world, person, "keeper.request", key, json!({}))
}

pub fn decide(world: &mut World, person: &str, key: &str, decision: &str) -> Value {
    call(world, person, "keeper.decide", key, json!({ "decision": decision }))
}

/// The request the app bound to the issue.
pub fn bound(world: &World, key: &str) -> records::Request {
    let id = world.stored_issue(key).expect("issue")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let sid = &world.kv[&records::keys::by_issue(&id)];
    crate::store::decode(records::VERSION, &world.kv[&records::keys::request(sid)]).expect("request")
}

pub fn outcome(world: &World, key: &str) -> Option<records::Outcome> {
    let sid = bound(world, key).sid;
    world
        .kv
        .get(&records::keys::outcome(&sid))
        .and_then(|t| crate::store::decode(records::VERSION, t))
}
