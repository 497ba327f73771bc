//! Bad requests to the PRA web trigger: each gets its status and a message naming the problem,
//! and writes nothing (no record, no job, no answer to anyone).

use serde_json::json;

use super::*;
use crate::testkit::{World, drive, http};

fn pairs() -> Vec<(String, String)> {
    form("req-1", "OPS-1", |_| {})
}

fn without(key: &str) -> String {
    encode(&form("req-1", "OPS-1", |p| p.retain(|(k, _)| k != key)))
}

fn with(key: &str, value: &str) -> String {
    encode(&form("req-1", "OPS-1", |p| {
        for pair in p.iter_mut().filter(|(k, _)| k == key) {
            pair.1 = value.into();
        }
    }))
}

#[test]
fn each_bad_request_gets_its_status_and_message_and_writes_nothing() {
    let good = encode(&pairs());
    let secret = format!("?{}={SECRET}", secret::PARAM);
    let mut get = post(&good, FORM);
    if let Invocation::WebTrigger { request, .. } = &mut get {
        request.method = "GET".into();
    }
    let unknown_trigger = Invocation::WebTrigger {
        trigger: "pra-tickets".into(),
        request: HttpRequest {
            method: "POST".into(),
            url: secret.clone(),
            ..Default::default()
        },
    };
    let cases: Vec<(&str, Invocation, u16, &str)> = vec![
        ("no secret", post_to("", &good, FORM), 401, "\"secret\" parameter is missing or wrong"),
        ("wrong secret", post_to("?secret=0123", &good, FORM), 401, "missing or wrong"),
        ("secret twice", post_to(&format!("{secret}&secret={SECRET}"), &good, FORM), 401, "missing or wrong"),
        ("secret in another parameter", post_to(&format!("?token={SECRET}"), &good, FORM), 401, "missing or wrong"),
        ("wrong method", get, 405, "method GET is not allowed"),
        ("unknown trigger", unknown_trigger, 404, "unknown web trigger"),
        ("oversized body", post(&"a=b&".repeat(70_000), FORM), 413, "the limit is 262144 bytes"),
        ("no request_id", post(&without("request_id"), FORM), 400, "\"request_id\" is required"),
        ("no ticket_id", post(&without("ticket_id"), FORM), 400, "\"ticket_id\" is required"),
        ("blank ticket_id", post(&with("ticket_id", "  "), FORM), 400, "\"ticket_id\" is required"),
        ("no response_url", post(&without("response_url"), FORM), 400, "\"response_url\" is required"),
        ("256-character request id", post(&with("request_id", &"r".repeat(256)), FORM), 400, "\"request_id\" is longer than 255 characters"),
        ("control characters in the request id", post(&with("request_id", "a\u{7}b"), FORM), 400, "control characters"),
        ("http response_url", post(&with("response_url", "http://acme.beyondtrustcloud.com/api/endpoint_approval"), FORM), 400, "response_url is not https"),
        ("foreign response_url", post(&with("response_url", "https://evil.example/api/endpoint_approval"), FORM), 400, "response_url is not on the configured PRA appliance host"),
        ("metadata address", post(&with("response_url", "https://169.254.169.254/api/endpoint_approval"), FORM), 400, "response_url is not on the configured"),
        ("another path", post(&with("response_url", "https://acme.beyondtrustcloud.com/api/other"), FORM), 400, "response_url has another path"),
        ("user info", post(&with("response_url", "https://acme.beyondtrustcloud.com@evil.example/api/endpoint_approval"), FORM), 400, "response_url carries user info"),
        ("a port", post(&with("response_url", "https://acme.beyondtrustcloud.com:8443/api/endpoint_approval"), FORM), 400, "response_url names a port"),
        ("a key twice", post(&format!("{good}&ticket_id=OPS-2"), FORM), 400, "\"ticket_id\" is sent more than once"),
        ("invalid UTF-8 in a value", post(&format!("{}&user.username=%FF%FE", without("user.username")), FORM), 400, "the value of \"user.username\" is not valid UTF-8"),
        ("a value without a key", post(&format!("{good}&=x"), FORM), 400, "a value without a key"),
        ("empty body", post("", FORM), 400, "the body is empty"),
        ("not JSON", post("{\"request_id\": ", "application/json"), 400, "the body is not valid JSON"),
        ("a JSON list", post("[1,2]", "application/json"), 400, "not a JSON object"),
        ("a list value", post(&json!({"request_id": ["a"], "ticket_id": "OPS-1"}).to_string(), "application/json"), 400, "\"request_id\" is a list"),
        ("flat and nested twice", post(&json!({"request_id": "r", "ticket_id": "OPS-1", "response_url": RESPONSE_URL, "user.id": "1", "user": {"id": "2"}}).to_string(), "application/json"), 400, "\"user.id\" is sent more than once"),
        ("unknown content type", post(&good, "text/plain"), 400, "content type \"text/plain\" is not accepted"),
    ];
    assert!(cases.len() >= 20);
    for (what, invocation, status, message) in cases {
        let mut world = world();
        let before = (world.kv_state(), world.secrets.clone());
        let (got, body) = http(&drive(&mut world, invocation));
        assert_eq!(got, status, "{what}: {body}");
        let error = body["error"].as_str().unwrap_or_default();
        assert!(error.contains(message), "{what}: {error:?} lacks {message:?}");
        assert!(!error.contains(SECRET), "{what}: the secret is echoed");
        assert_eq!(
            (world.kv_state(), world.secrets.clone()),
            before,
            "{what}: nothing written"
        );
        assert!(world.queue.is_empty(), "{what}: nothing queued");
        assert_eq!(world.pra.calls, 0, "{what}: nothing sent");
    }
}

#[test]
fn a_stranger_learns_nothing_of_the_configuration() {
    let mut world = world();
    world.kv.insert(crate::config::CONFIG_KEY.into(), "{broken".into());
    let (status, _) = http(&drive(&mut world, post_to("", "x=1", FORM)));
    assert_eq!(status, 401);
    let (status, body) = http(&drive(&mut world, post("x=1", FORM)));
    assert_eq!(status, 503, "{body}");
    assert!(body["error"].as_str().unwrap().contains("unreadable"), "{body}");
}

#[test]
fn no_secret_configured_refuses_everyone() {
    let mut world = world();
    world.secrets.remove(secret::SECRET_KEY);
    let (status, _) = http(&drive(&mut world, post_to("?secret=", &encode(&pairs()), FORM)));
    assert_eq!(status, 401);
    let (status, _) = http(&drive(&mut world, post(&encode(&pairs()), FORM)));
    assert_eq!(status, 401);
    assert!(world.logs.iter().any(|l| l.contains("no URL secret is configured")));
}

#[test]
fn disabled_answers_503_after_authentication() {
    let mut world = world_with(&PraSettings {
        enabled: false,
        ..settings()
    });
    let (status, body) = http(&drive(&mut world, post(&encode(&pairs()), FORM)));
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["error"],
        json!("the PRA integration is disabled in the app's configuration")
    );
    let (status, _) = http(&drive(&mut world, post_to("", &encode(&pairs()), FORM)));
    assert_eq!(status, 401);
}

/// Storage or queue down: 503, and nothing stays kept (a redelivery must not be a duplicate).
#[test]
fn a_request_that_cannot_be_queued_is_not_kept() {
    let mut world: World = world();
    world.queue_down = true;
    let (status, body) = http(&drive(&mut world, post(&encode(&pairs()), FORM)));
    assert_eq!(status, 503, "{body}");
    assert!(!world.kv.keys().any(|k| k.starts_with("pra:")), "{:?}", world.kv.keys());
    world.queue_down = false;
    world.pra.pending.insert("req-1".into());
    let (status, body) = http(&drive(&mut world, post(&encode(&pairs()), FORM)));
    assert_eq!((status, body.get("duplicate")), (202, None), "{body}");
}
