//! End to end: every malformed, oversized, unauthenticated or unknown web trigger request gets
//! the right 4xx/503 with a message naming the problem, and nothing reaches Jira.

mod support;

use serde_json::{Value, json};
use support::*;

struct Case {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    auth: Option<(&'static str, &'static str)>,
    raw_auth: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    message: &'static str,
}

fn case(name: &'static str, status: u16, message: &'static str, body: impl Into<Vec<u8>>) -> Case {
    Case {
        name,
        method: "POST",
        path: "/x/epm-webhook",
        auth: Some((USER, PASSWORD)),
        raw_auth: None,
        body: body.into(),
        status,
        message,
    }
}

fn edit(f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut body: Value = serde_json::from_str(SAMPLE).unwrap();
    f(&mut body);
    body.to_string().into_bytes()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            method: "GET",
            ..case("wrong method GET", 405, "method GET is not allowed", "")
        },
        Case {
            method: "PUT",
            ..case("wrong method PUT", 405, "method PUT is not allowed", SAMPLE)
        },
        Case {
            auth: None,
            ..case("no credentials", 401, "authentication required", SAMPLE)
        },
        Case {
            auth: Some((USER, "wrong-password")),
            ..case("wrong password", 401, "authentication required", SAMPLE)
        },
        Case {
            auth: Some(("someone-else", PASSWORD)),
            ..case("wrong user", 401, "authentication required", SAMPLE)
        },
        Case {
            auth: None,
            raw_auth: Some("Bearer abc.def"),
            ..case("not Basic", 401, "authentication required", SAMPLE)
        },
        Case {
            auth: None,
            raw_auth: Some("Basic %%%"),
            ..case("Basic not base64", 401, "authentication required", SAMPLE)
        },
        case(
            "malformed JSON",
            400,
            "request body is not valid JSON",
            "{\"EventType\": ",
        ),
        case("empty body", 400, "request body is not valid JSON", ""),
        case("JSON array", 400, "must be a JSON object, got an array", "[]"),
        case(
            "missing RequestId",
            400,
            "missing field `RequestId`",
            edit(|b| {
                b.as_object_mut().unwrap().remove("RequestId");
            }),
        ),
        case(
            "placeholder RequestId",
            400,
            "`RequestId` is still the unsubstituted placeholder",
            edit(|b| b["RequestId"] = json!("%%RequestId%%")),
        ),
        case(
            "unknown EventType",
            400,
            "unknown EventType \"URM_NATIVE_SOMETHING\"",
            edit(|b| b["EventType"] = json!("URM_NATIVE_SOMETHING")),
        ),
        case(
            "requestInfo not an object",
            400,
            "field `requestInfo` must be an object",
            edit(|b| b["requestInfo"] = json!([1])),
        ),
        case(
            "a value that is an object",
            400,
            "field `requestInfo.user` must be a string",
            edit(|b| b["requestInfo"]["user"] = json!({"x": 1})),
        ),
        case(
            "RequestId too long",
            400,
            "`RequestId` is longer than 128 characters",
            edit(|b| b["RequestId"] = json!("r".repeat(200))),
        ),
        case(
            "300 KiB body",
            413,
            "the limit is 262144 bytes",
            edit(|b| b["requestInfo"]["cmdArgs"] = json!("a".repeat(300 * 1024))),
        ),
        case("2 MiB body", 413, "request body exceeds", vec![b' '; 2 * 1024 * 1024]),
        case(
            "not UTF-8",
            400,
            "request body is not UTF-8 text",
            vec![0xff, 0xfe, 0x7b],
        ),
        Case {
            path: "/x/no-such-trigger",
            ..case(
                "unknown web trigger",
                404,
                "unknown web trigger \"no-such-trigger\"",
                SAMPLE,
            )
        },
    ]
}

/// Validates: each bad request's status and message, and that Jira saw no request and no
/// issue exists afterwards.
#[tokio::test]
async fn bad_requests_are_refused_and_write_nothing() {
    let dir = TempDir::new("bad-input");
    let host = Host::start(&dir.0);
    let cases = cases();
    assert!(cases.len() >= 15);
    for case in &cases {
        let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
        let mut request = client()
            .request(method, format!("{}{}", host.base, case.path))
            .body(case.body.clone());
        if let Some((user, password)) = case.auth {
            request = request.basic_auth(user, Some(password));
        }
        if let Some(raw) = case.raw_auth {
            request = request.header("Authorization", raw);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let status = response.status().as_u16();
        let challenge = response.headers().get("www-authenticate").is_some();
        let text = response.text().await.unwrap();
        assert_eq!(status, case.status, "{}: {text}", case.name);
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{}: not JSON: {text}", case.name));
        let message = body["error"].as_str().unwrap_or_default();
        assert!(
            message.contains(case.message),
            "{}: {message:?} lacks {:?}",
            case.name,
            case.message
        );
        assert!(!text.contains(PASSWORD), "{}: the password leaked", case.name);
        if status == 401 {
            assert!(challenge, "{}: 401 without WWW-Authenticate", case.name);
        }
    }
    assert!(
        jira_requests(&host).await.is_empty(),
        "no Jira call for refused requests"
    );
    assert!(issues(&host).await.is_empty());
}

/// Validates: with the integration switched off, an authenticated webhook gets 503 and a
/// message, an unauthenticated one still 401, and nothing is created.
#[tokio::test]
async fn a_disabled_integration_answers_503() {
    let dir = TempDir::new("disabled");
    let config = dir.0.join("config.json");
    std::fs::write(&config, r#"{"config": {"enabled": false}}"#).unwrap();
    let host = Host::start_with(&dir.0, &["--config", config.to_str().unwrap()]);
    let (status, body) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(
        (status, body),
        (
            503,
            json!({"error": "the EPM integration is disabled in the app's configuration"})
        )
    );
    let (status, _) = post(&host, Some((USER, "nope")), SAMPLE).await;
    assert_eq!(status, 401);
    assert!(issues(&host).await.is_empty());
}
