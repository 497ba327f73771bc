//! Bad input on the alert web trigger and the panel's resolvers: the right 4xx (or refusal)
//! naming the problem, and nothing written or sent.

use serde_json::json;

use super::*;

fn kv_snapshot(world: &World) -> Vec<String> {
    world.kv.keys().filter(|k| k.starts_with("keeper:")).cloned().collect()
}

#[test]
fn bad_alerts_are_refused_naming_the_problem_and_nothing_is_kept() {
    let uid_alert =
        |uid: &str| json!({"json": {"audit_event": "approval_request_created", "request_uid": uid}}).to_string();
    let cases: Vec<(Option<String>, String, u16, &str)> = vec![
        (None, "{}".into(), 401, "authentication"),
        (Some("Bearer wrong".into()), "{}".into(), 401, "authentication"),
        (Some(format!("bearer {TOKEN}x")), "{}".into(), 401, "authentication"),
        (Some(format!("Basic {}", base64_of(&format!("admin:{TOKEN}")))), "{}".into(), 401, "authentication"),
        (Some(format!("Token {TOKEN}")), "{}".into(), 401, "authentication"),
        (Some(bearer()), "".into(), 400, "not JSON"),
        (Some(bearer()), "{".into(), 400, "not JSON"),
        (Some(bearer()), "[]".into(), 400, "JSON object"),
        (Some(bearer()), "\"text\"".into(), 400, "JSON object"),
        (Some(bearer()), json!({"json": 7}).to_string(), 400, "\"json\""),
        (Some(bearer()), json!({"json": "not json"}).to_string(), 400, "\"json\""),
        (Some(bearer()), uid_alert(""), 400, "json.request_uid"),
        (Some(bearer()), uid_alert("short"), 400, "json.request_uid"),
        (Some(bearer()), uid_alert(&format!("{UID}; rm -rf /")), 400, "json.request_uid"),
        (Some(bearer()), uid_alert("--approve"), 400, "json.request_uid"),
        (Some(bearer()), uid_alert("hV0Y0cF1SxSLFwQd0yQ8K\n"), 400, "json.request_uid"),
        (Some(bearer()), uid_alert("\"hV0Y0cF1SxSLFwQd0yQ8Kw\""), 400, "json.request_uid"),
        (Some(bearer()), json!({"json": {"audit_event": "device_admin_approval_requested"}}).to_string(), 400, "json.username"),
        (Some(bearer()), json!({"json": {"audit_event": "device_admin_approval_requested", "username": "bob@example.com --approve"}}).to_string(), 400, "json.username"),
        (Some(bearer()), json!({"json": {"audit_event": "device_admin_approval_requested", "username": "bob@example.com", "device_id": "xyz"}}).to_string(), 400, "json.device_id"),
        (Some(bearer()), json!({"json": {"audit_event": "approval_request_status_changed", "request_uid": "'; DROP"}}).to_string(), 400, "json.request_uid"),
    ];
    assert!(cases.len() >= 20);
    for (auth, body, want, says) in cases {
        let mut world = world();
        let before = kv_snapshot(&world);
        let (status, answer) = http(&drive(&mut world, post(&body, auth.as_deref())));
        assert_eq!(status, want, "{body:?}: {answer}");
        let message = answer["message"]
            .as_str()
            .or(answer["error"].as_str())
            .unwrap_or_default()
            .to_string()
            + &answer.to_string();
        assert!(message.contains(says), "{body:?}: {answer}");
        assert!(!message.contains(TOKEN), "the token is never echoed");
        assert_eq!(kv_snapshot(&world), before, "{body:?}: nothing kept");
        assert!(world.queue.is_empty() && world.keeper.calls == 0 && world.issue_count() == 0);
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn the_basic_form_of_the_token_is_accepted() {
    let mut world = world();
    let body = kepm_alert(&world, UID, seed::BOB_REQUESTER_EMAIL);
    let auth = format!("Basic {}", base64_of(&format!("keeper:{TOKEN}")));
    let (status, answer) = http(&drive(&mut world, post(&body, Some(&auth))));
    assert_eq!(status, 201, "{answer}");
}

#[test]
fn a_disabled_integration_answers_503_and_keeps_nothing() {
    let mut world = world();
    let mut off = settings();
    off.enabled = false;
    set_settings(&mut world, &off);
    let body = kepm_alert(&world, UID, seed::BOB_REQUESTER_EMAIL);
    let (status, answer) = send(&mut world, &body);
    assert_eq!(status, 503, "{answer}");
    assert!(kv_snapshot(&world).is_empty());
}

#[test]
fn bad_resolver_calls_are_refused_and_send_nothing() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    let cases = [
        ("keeper.decide", key.as_str(), json!({}), "invalid"),
        ("keeper.decide", key.as_str(), json!({"decision": "maybe"}), "invalid"),
        (
            "keeper.decide",
            key.as_str(),
            json!({"decision": "approve", "uid": UID}),
            "invalid",
        ),
        ("keeper.decide", key.as_str(), json!("approve"), "invalid"),
        ("keeper.decide", "OPS-999", json!({"decision": "approve"}), "no-issue"),
        ("keeper.request", "ops-1; rm", json!({}), "no-issue"),
        ("keeper.request", "../../x", json!({}), "no-issue"),
    ];
    for (name, issue, payload, code) in cases {
        let answer = call(&mut world, seed::CAROL_ADMIN, name, issue, payload.clone());
        assert_eq!(
            answer["error"]["code"],
            json!(code),
            "{name} {issue} {payload}: {answer}"
        );
    }
    // An issue without Keeper's labels is not a Keeper request, whatever its property says.
    let (status, made) = world.person_call(
        seed::CAROL_ADMIN,
        "POST",
        "/rest/api/3/issue",
        Some(&json!({"fields": {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "plain"}})),
    );
    assert_eq!(status, 201);
    let plain = made["key"].as_str().unwrap();
    world.edit_property_of(
        seed::CAROL_ADMIN,
        plain,
        "pam-approvals.keeper",
        &json!({"provider": "keeper", "sid": bound(&world, &key).sid}),
    );
    let answer = decide(&mut world, seed::CAROL_ADMIN, plain, "approve");
    assert_eq!(answer["error"]["code"], json!("not-keeper"), "{answer}");
    assert!(world.keeper.actions().is_empty());
}
