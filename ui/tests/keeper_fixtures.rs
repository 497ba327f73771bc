//! The Keeper panel's and the Keeper settings section's fake resolver answers
//! (`tests/browser/fixtures/keeper-*.json`, `admin-keeper-*.json`) are real answers: alerts
//! posted to the `keeper-alert` web trigger, then `keeper.request`, `keeper.status`,
//! `keeper.decide` and `admin.*` with `"section": "keeper"`, run by the core in its in-memory
//! world against the fake Commander (`pam_approvals::testkit_keeper`). A test binary of its own
//! and one test: the alert token comes from the world's random source, so nothing else may draw
//! from it for the answers to stay the same from run to run. `UPDATE_FIXTURES=1 cargo test -p
//! pam-approvals-ui --test keeper_fixtures` rewrites them.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use pam_approvals::config::{self, Config};
use pam_approvals::protocol::{HttpRequest, Invocation, Outcome};
use pam_approvals::providers::keeper::settings::{KeeperSettings, secrets};
use pam_approvals::testkit::{self, World};
use pam_approvals::testkit_keeper::{API_KEY, API_URL, Device, Kepm};
use pam_approvals_ui::admin::answer::{self, ChecksAnswer, Reply, ViewAnswer};
use pam_approvals_ui::admin::keeper::view::KeeperSettingsView;
use pam_approvals_ui::keeper::view::{Answer, KeeperView, Live};
use serde_json::{Value, json};

/// The sandbox site's people (`pam_sandboxes::jira::seed`).
const CAROL_ADMIN: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000004";
const ALICE_APPROVER: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002";
const BOB_EMAIL: &str = "bob@example.com";
/// Bob's KEPM request and his pending device, in the fake Commander.
const UID: &str = "hV0Y0cF1SxSLFwQd0yQ8Kw";
const DEVICE_ID: &str = "0a1b2c3d4e5f60718293";
const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// Web trigger URLs shaped like Forge's.
const EPM_URL: &str = "https://3d0f6c1e-7a6b-4c0e-9f3e-2b1d5c8a9e10.hello.atlassian-dev.net/x1/pA3mX9v2QeK7wT4n";
const KEEPER_URL: &str = "https://3d0f6c1e-7a6b-4c0e-9f3e-2b1d5c8a9e10.hello.atlassian-dev.net/x1/Kp7Qw2Er9Ty4Ui1O";

fn set_settings(world: &mut World, settings: Value) {
    let settings: KeeperSettings = serde_json::from_value(settings).expect("settings");
    let mut record = world
        .kv
        .get(config::CONFIG_KEY)
        .map(|t| Config::decode(t).expect("stored config"))
        .unwrap_or_default();
    record.set(&settings);
    world.kv.insert(config::CONFIG_KEY.into(), record.encode());
}

/// Keeper on, its secrets set, Commander holding Bob's pending KEPM request and device.
fn panel_world() -> World {
    let mut world = World::configured();
    set_settings(
        &mut world,
        json!({"enabled": true, "apiUrl": API_URL, "projectKey": "OPS", "issueTypeName": "Task"}),
    );
    world.secrets.insert(secrets::ALERT_TOKEN.into(), TOKEN.into());
    world.secrets.insert(secrets::API_KEY.into(), API_KEY.into());
    let created = pam_approvals::time::iso(world.now).trim_end_matches('Z').to_string();
    world.keeper.kepm.insert(
        UID.into(),
        Kepm {
            status: "Pending".into(),
            requester: BOB_EMAIL.into(),
            created,
        },
    );
    world.keeper.devices.push(Device {
        email: BOB_EMAIL.into(),
        id: DEVICE_ID.into(),
        name: "Bob's laptop".into(),
        decided: None,
    });
    world
}

/// Posts an alert with the token: the new issue's key.
fn alert(world: &mut World, body: Value) -> String {
    let request = HttpRequest {
        method: "POST".into(),
        url: String::new(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Authorization".into(), format!("Bearer {TOKEN}")),
        ],
        body: body.to_string(),
    };
    let invocation = Invocation::WebTrigger {
        trigger: "keeper-alert".into(),
        request,
    };
    let (status, answer) = testkit::http(&testkit::drive(world, invocation));
    assert_eq!(status, 201, "{answer}");
    answer["issueKey"].as_str().expect("issueKey").to_string()
}

fn kepm_issue(world: &mut World) -> String {
    let at = pam_approvals::time::iso(world.now);
    alert(
        world,
        json!({"alert_name": "Agent created approval request", "description": "An agent created an approval request",
               "timestamp": at, "remote_address": "203.0.113.7", "username": BOB_EMAIL,
               "json": {"audit_event": "approval_request_created", "username": BOB_EMAIL, "timestamp": at,
                        "agent_uid": "agent-7", "request_uid": UID}}),
    )
}

fn device_issue(world: &mut World) -> String {
    let at = pam_approvals::time::iso(world.now);
    alert(
        world,
        json!({"alert_name": "Device admin approval requested", "timestamp": at, "username": BOB_EMAIL,
               "json": {"audit_event": "device_admin_approval_requested", "username": BOB_EMAIL,
                        "timestamp": at, "device_name": "Bob's laptop"}}),
    )
}

/// Resolver `name` on issue `key` as `person`, as the panel calls it.
fn panel(world: &mut World, person: &str, name: &str, key: &str, payload: Value) -> Value {
    world.user = Some(person.into());
    let context = json!({"accountId": person, "extension": {"type": "jira:issuePanel", "issue": {"key": key}}});
    run(world, name, payload, context)
}

fn run(world: &mut World, name: &str, payload: Value, context: Value) -> Value {
    let invocation = Invocation::Resolver {
        name: name.into(),
        payload: payload.to_string(),
        context: context.to_string(),
    };
    match testkit::drive(world, invocation) {
        Outcome::Value(text) => serde_json::from_str(&text).expect("resolver answers are JSON"),
        other => panic!("{name}: {other:?}"),
    }
}

/// The panel's answers, in the order the browser tests meet them.
fn panel_fixtures() -> Vec<(&'static str, Value)> {
    let mut world = panel_world();
    let kepm = kepm_issue(&mut world);
    let device = device_issue(&mut world);
    let request = |w: &mut World, person: &str, key: &str| panel(w, person, "keeper.request", key, json!({}));
    let decide = |w: &mut World, key: &str, decision: &str| {
        panel(w, CAROL_ADMIN, "keeper.decide", key, json!({ "decision": decision }))
    };
    // A minute after the request was made: 29 minutes left.
    world.now += 60_000;
    let kepm_pending = request(&mut world, CAROL_ADMIN, &kepm);
    let kepm_not_approver = request(&mut world, ALICE_APPROVER, &kepm);
    let device_pending = request(&mut world, CAROL_ADMIN, &device);
    // Keeper's worker is slow: the decision is in flight, the panel checks again.
    world.keeper.slow_actions = 1_000;
    let kepm_sending = decide(&mut world, &kepm, "approve");
    world.now += 3_000;
    let status_sending = panel(&mut world, CAROL_ADMIN, "keeper.status", &kepm, json!({}));
    world.keeper.catch_up();
    world.now += 6_000;
    let status_approved = panel(&mut world, CAROL_ADMIN, "keeper.status", &kepm, json!({}));
    let already_decided = decide(&mut world, &kepm, "deny");
    let device_denied = decide(&mut world, &device, "deny");
    // A second KEPM request, approved at once.
    let mut fresh = panel_world();
    let key = kepm_issue(&mut fresh);
    fresh.now += 60_000;
    let kepm_approved = decide(&mut fresh, &key, "approve");
    // A third, viewed after its 30 minutes.
    let mut late = panel_world();
    let key = kepm_issue(&mut late);
    late.now += 31 * 60_000;
    let kepm_expired = request(&mut late, CAROL_ADMIN, &key);
    vec![
        ("keeper-kepm-pending", kepm_pending),
        ("keeper-kepm-not-approver", kepm_not_approver),
        ("keeper-kepm-approved", kepm_approved),
        ("keeper-kepm-sending", kepm_sending),
        ("keeper-status-sending", status_sending),
        ("keeper-status-approved", status_approved),
        ("keeper-already-decided", already_decided),
        ("keeper-kepm-expired", kepm_expired),
        ("keeper-device-pending", device_pending),
        ("keeper-device-denied", device_denied),
    ]
}

/// What the admin browser test fills in and saves.
fn filled_in() -> Value {
    json!({
        "enabled": true,
        "apiUrl": API_URL,
        "projectKey": "OPS",
        "issueTypeName": "Task",
        "subjectField": "",
        "deciders": "group",
        "deciderGroup": "pam-approvers",
        "approvedStatus": "Approved",
        "deniedStatus": "Denied",
        "expiredStatus": "Expired",
        "internalNote": true,
        "decideByTransition": true
    })
}

/// `admin.*` as Carol (a Jira administrator), with the web trigger URLs a host gives.
fn admin(world: &mut World, name: &str, payload: Value) -> Value {
    let context =
        json!({"accountId": world.user, "webTriggerUrls": {"epm-webhook": EPM_URL, "keeper-alert": KEEPER_URL}});
    run(world, name, payload, context)
}

/// The section's answers, with the tokens they generated.
fn admin_fixtures() -> (Vec<(&'static str, Value)>, Vec<String>) {
    let mut world = World::admin_configured();
    let section = json!({"section": "keeper"});
    let config = admin(&mut world, "admin.config", section.clone());
    // Enabling needs an API key: the page checks it first too; only a page out of step sends it.
    let save_invalid = admin(
        &mut world,
        "admin.save",
        json!({"section": "keeper", "settings": filled_in(), "rotateToken": false}),
    );
    // Enabling with the key generates the first token.
    let saved = admin(
        &mut world,
        "admin.save",
        json!({"section": "keeper", "settings": filled_in(), "apiKey": API_KEY, "rotateToken": false}),
    );
    let first = world.secrets[secrets::ALERT_TOKEN].clone();
    let reloaded = admin(&mut world, "admin.config", section.clone());
    let rotated = admin(
        &mut world,
        "admin.save",
        json!({"section": "keeper", "settings": filled_in(), "rotateToken": true}),
    );
    let second = world.secrets[secrets::ALERT_TOKEN].clone();
    let validate = admin(&mut world, "admin.validate", section.clone());
    // Commander refuses the key, and a project the site does not have.
    let mut settings = filled_in();
    settings["projectKey"] = json!("LEGAL");
    admin(
        &mut world,
        "admin.save",
        json!({"section": "keeper", "settings": settings, "apiKey": "not-the-right-key"}),
    );
    let validate_failing = admin(&mut world, "admin.validate", section);
    let fixtures = vec![
        ("admin-keeper-config", config),
        ("admin-keeper-save-invalid", save_invalid),
        ("admin-keeper-saved", saved),
        ("admin-keeper-config-set", reloaded),
        ("admin-keeper-rotated", rotated),
        ("admin-keeper-validate", validate),
        ("admin-keeper-validate-failing", validate_failing),
    ];
    (fixtures, vec![first, second])
}

fn readable(name: &str, answer: &Value) {
    let ok = answer["ok"] == json!(true);
    let result = if name.starts_with("admin-keeper-validate") {
        answer::parse::<ChecksAnswer>(answer.clone()).map(|r| matches!(r, Reply::Ok(_)))
    } else if name.starts_with("admin-keeper") {
        answer::parse::<ViewAnswer<KeeperSettingsView>>(answer.clone()).map(|r| matches!(r, Reply::Ok(_)))
    } else {
        Answer::parse(answer.clone()).map(|r| matches!(r, Answer::Ok(_)))
    };
    assert_eq!(result, Ok(ok), "{name}: the page reads it otherwise: {answer}");
}

fn view(answer: &Value) -> KeeperView {
    match Answer::parse(answer.clone()) {
        Ok(Answer::Ok(view)) => *view,
        other => panic!("{other:?}"),
    }
}

#[test]
fn keeper_fixtures_are_what_the_core_answers() {
    let panel = panel_fixtures();
    let (admin, tokens) = admin_fixtures();
    let by_name = |name: &str| {
        panel
            .iter()
            .chain(&admin)
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    // What the browser and state tests rely on, said here so that a change in the core shows up
    // as a clear failure rather than an odd browser one.
    let pending = view(&by_name("keeper-kepm-pending"));
    assert!(pending.can_decide && pending.live == Live::Current, "{pending:?}");
    assert_eq!(pending.expires_at.map(|end| end - pending.now), Some(29 * 60_000));
    assert!(!view(&by_name("keeper-kepm-not-approver")).can_decide);
    assert_eq!(
        view(&by_name("keeper-kepm-approved")).outcome.unwrap().result,
        "approved"
    );
    let sending = view(&by_name("keeper-kepm-sending"));
    assert_eq!(
        (sending.live, sending.pending.is_some()),
        (Live::Sending, true),
        "{sending:?}"
    );
    assert_eq!(view(&by_name("keeper-status-sending")).live, Live::Sending);
    assert_eq!(
        view(&by_name("keeper-status-approved")).outcome.unwrap().result,
        "approved"
    );
    assert_eq!(
        by_name("keeper-already-decided")["error"]["code"],
        json!("already-decided")
    );
    assert_eq!(view(&by_name("keeper-kepm-expired")).outcome.unwrap().result, "expired");
    let device = view(&by_name("keeper-device-pending"));
    assert!(device.can_decide && device.expires_at.is_none() && device.devices.is_some_and(|d| d.len() == 1));
    assert_eq!(view(&by_name("keeper-device-denied")).outcome.unwrap().result, "denied");

    let config = &by_name("admin-keeper-config")["view"];
    assert_eq!(
        (
            config["apiKeySet"].clone(),
            config["tokenSet"].clone(),
            config["tokenToPaste"].clone()
        ),
        (json!(false), json!(false), Value::Null)
    );
    assert_eq!(config["triggerUrl"], json!(KEEPER_URL));
    assert_eq!(
        by_name("admin-keeper-save-invalid")["error"]["fields"],
        json!({"apiKey": "is required to enable Keeper"})
    );
    let saved = &by_name("admin-keeper-saved")["view"];
    assert_eq!(saved["settings"], filled_in(), "saved as the page sends it");
    assert_eq!(saved["tokenToPaste"], json!(tokens[0]));
    let reloaded = &by_name("admin-keeper-config-set")["view"];
    assert_eq!(
        (
            reloaded["apiKeySet"].clone(),
            reloaded["tokenSet"].clone(),
            reloaded["tokenToPaste"].clone()
        ),
        (json!(true), json!(true), Value::Null)
    );
    assert_eq!(
        by_name("admin-keeper-rotated")["view"]["tokenToPaste"],
        json!(tokens[1])
    );
    assert_ne!(tokens[0], tokens[1]);
    let connection = |name: &str| {
        by_name(name)["checks"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["id"] == json!("keeper-connection")).cloned())
            .expect("the connection check")["status"]
            .clone()
    };
    assert_eq!(connection("admin-keeper-validate"), json!("pass"));
    assert_eq!(connection("admin-keeper-validate-failing"), json!("fail"));
    for (name, answer) in &admin {
        // A token is only in the answer that generated it.
        let text = answer.to_string();
        let shown = tokens.iter().filter(|t| text.contains(t.as_str())).count();
        let expected = usize::from(matches!(*name, "admin-keeper-saved" | "admin-keeper-rotated"));
        assert_eq!(shown, expected, "{name}");
        assert!(!text.contains(API_KEY), "{name} shows the API key");
    }
    common::check(panel.into_iter().chain(admin).collect(), readable);
}
