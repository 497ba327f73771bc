//! End to end: the UI bridge (`POST /bridge/invoke`) refuses what Forge's bridge would never
//! deliver, signs the caller in from the sandbox session (never from the page), and turns the
//! core's answers into HTTP.

mod support;

use serde_json::json;
use support::*;

const ALICE: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002";
const INACTIVE_IVAN: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000005";
const VERA: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000008";

/// A resolver name the core does not know: today's core answers `Outcome::Error` for it, which
/// proves the run happened (real resolvers come with the core's resolver work).
const UNKNOWN_RESOLVER: &str = "no.such.resolver";

fn call() -> serde_json::Value {
    json!({
        "functionKey": UNKNOWN_RESOLVER,
        "payload": {},
        "context": {"extension": {"issue": {"key": "PMCJIT-1"}}}
    })
}

struct Case<'a> {
    name: &'a str,
    cookie: &'a str,
    content_type: &'a str,
    body: String,
    status: u16,
    message: &'a str,
}

impl<'a> Case<'a> {
    fn new(name: &'a str, cookie: &'a str, content_type: &'a str, body: String, status: u16, message: &'a str) -> Self {
        Case {
            name,
            cookie,
            content_type,
            body,
            status,
            message,
        }
    }
}

/// Validates: each malformed or unauthorised invoke gets its status and a message, and none of
/// them reaches Jira.
#[tokio::test]
async fn bad_invokes_are_refused() {
    let dir = TempDir::new("bridge-bad");
    let host = Host::start(&dir.0);
    let alice = sandbox_user_cookie(ALICE);
    let unknown = "pam_sandbox_user=712020%3Anobody".to_string();
    let ivan = sandbox_user_cookie(INACTIVE_IVAN);
    let json = "application/json";
    let oversized = json!({"functionKey": "x", "payload": {"note": "a".repeat(70 * 1024)}}).to_string();
    let cases = [
        Case::new("not JSON", &alice, "text/plain", call().to_string(), 415, "JSON"),
        Case::new(
            "form",
            &alice,
            "application/x-www-form-urlencoded",
            "functionKey=x".into(),
            415,
            "JSON",
        ),
        Case::new(
            "malformed",
            &alice,
            json,
            "{\"functionKey\":".into(),
            400,
            "not valid JSON",
        ),
        Case::new(
            "no functionKey",
            &alice,
            json,
            r#"{"payload": {}}"#.into(),
            400,
            "functionKey is missing",
        ),
        Case::new(
            "payload not object",
            &alice,
            json,
            r#"{"functionKey": "x", "payload": 3}"#.into(),
            400,
            "payload must be",
        ),
        Case::new("oversized", &alice, json, oversized, 413, "exceeds 65536 bytes"),
        Case::new(
            "unknown person",
            &unknown,
            json,
            call().to_string(),
            401,
            "not signed in",
        ),
        Case::new("inactive person", &ivan, json, call().to_string(), 401, "not signed in"),
    ];
    for case in cases {
        let (got, answer) = invoke_raw(&host, Some(case.cookie), case.content_type, case.body).await;
        assert_eq!(got, case.status, "{}: {answer}", case.name);
        assert!(
            answer["error"].as_str().is_some_and(|m| m.contains(case.message)),
            "{}: {answer} lacks {:?}",
            case.name,
            case.message
        );
    }
    let get = client().get(host.bridge_url()).send().await.expect("GET");
    assert_eq!(get.status().as_u16(), 405);
    assert!(jira_requests(&host).await.is_empty());
}

/// Validates: a well-formed invoke runs the resolver invocation (the core's "unknown resolver"
/// error comes back as 400 `{"error"}`), for the default person, a chosen one, and when the
/// page claims to be someone else (the page's accountId is not what signs in).
#[tokio::test]
async fn invokes_run_the_resolver_as_the_signed_in_person() {
    let dir = TempDir::new("bridge-run");
    let host = Host::start(&dir.0);
    let vera = sandbox_user_cookie(VERA);
    let mut claims = call();
    claims["context"]["accountId"] = json!(ALICE);
    claims["accountId"] = json!(ALICE);
    for (name, cookie, body) in [
        ("default person", None, call()),
        ("chosen person", Some(vera.as_str()), call()),
        ("page claims an account", Some(vera.as_str()), claims),
    ] {
        let (status, answer) = invoke(&host, cookie, &body).await;
        assert_eq!(status, 400, "{name}: {answer}");
        let message = answer["error"].as_str().unwrap_or_default();
        assert!(
            message.contains("unknown resolver") && message.contains(UNKNOWN_RESOLVER),
            "{name}: {answer}"
        );
    }
    let (status, _) = invoke(
        &host,
        Some(&sandbox_user_cookie(INACTIVE_IVAN)),
        &json!({"functionKey": UNKNOWN_RESOLVER, "accountId": VERA, "context": {"accountId": VERA}}),
    )
    .await;
    assert_eq!(status, 401, "an accountId in the body never signs anyone in");
}

/// Request headers as name/value pairs.
type Headers<'a> = Vec<(&'a str, &'a str)>;

const CAROL_ADMIN: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000004";

/// Validates: a page on another site (its `Origin`, or `Sec-Fetch-Site: cross-site`) and a
/// DNS-rebound host name (`Host: evil.example:<port>`) are refused with 403 and a message
/// naming the problem, before anyone is signed in: the admin's save writes nothing and Jira
/// hears nothing. The same call from this host's own page (matching `Origin`, `same-origin`),
/// and from a client that sends no `Origin` (curl), is answered.
#[tokio::test]
async fn cross_site_and_rebound_requests_are_refused() {
    let dir = TempDir::new("bridge-origin");
    let host = Host::start(&dir.0);
    let carol = sandbox_user_cookie(CAROL_ADMIN);
    let own = host.base.trim_start_matches("http://").to_string();
    let port = own.rsplit_once(':').map(|(_, p)| p.to_string()).expect("port");
    let json_type = ("Content-Type", "application/json");

    // No Origin (curl): answered.
    let read =
        json!({"functionKey": "admin.config", "payload": {}, "context": {"extension": {"type": "jira:adminPage"}}});
    let (status, answer) = invoke(&host, Some(&carol), &read).await;
    assert_eq!(status, 200, "{answer}");
    let mut config = answer["view"]["config"].clone();
    config["summaryTemplate"] = json!("Changed by a cross-site page");
    let save = json!({
        "functionKey": "admin.save",
        "payload": {"config": config, "secrets": {"webhookPassword": "a-password-from-evil-1"}},
        "context": {"extension": {"type": "jira:adminPage"}},
    })
    .to_string();
    let before_config = stored_config(&dir.0);
    let before_password = stored_secret(&dir.0, "epm.webhook.password");
    let before_jira = jira_requests(&host).await.len();

    let rebound = format!("evil.example:{port}");
    let cases: [(&str, Headers, &str); 5] = [
        (
            "evil origin",
            vec![json_type, ("Origin", "http://evil.example")],
            "cross-origin request refused: Origin http://evil.example is not this host",
        ),
        (
            "null origin",
            vec![json_type, ("Origin", "null")],
            "Origin null is not this host",
        ),
        (
            "cross-site fetch",
            vec![json_type, ("Sec-Fetch-Site", "cross-site")],
            "Sec-Fetch-Site is cross-site",
        ),
        (
            "DNS rebinding",
            vec![json_type, ("Host", rebound.as_str())],
            "Host evil.example",
        ),
        (
            "DNS rebinding with its own origin",
            vec![json_type, ("Host", rebound.as_str()), ("Origin", "http://evil.example")],
            "is not this host",
        ),
    ];
    for (name, headers, expected) in cases {
        let (status, answer) = invoke_with_headers(&host, Some(&carol), &headers, save.clone()).await;
        assert_eq!(status, 403, "{name}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|m| m.contains(expected)),
            "{name}: {answer} lacks {expected:?}"
        );
    }
    assert_eq!(stored_config(&dir.0), before_config, "nothing saved");
    assert_eq!(stored_secret(&dir.0, "epm.webhook.password"), before_password);
    assert_eq!(jira_requests(&host).await.len(), before_jira, "Jira heard nothing");

    // This host's own page: same origin.
    let origin = format!("http://{own}");
    let page = [
        json_type,
        ("Origin", origin.as_str()),
        ("Sec-Fetch-Site", "same-origin"),
    ];
    let (status, answer) = invoke_with_headers(&host, Some(&carol), &page, save.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert_eq!(
        stored_config(&dir.0)["epm"]["summaryTemplate"],
        json!("Changed by a cross-site page")
    );

    // localhost on the same port is this host too.
    let localhost = format!("localhost:{port}");
    let by_name = [json_type, ("Host", localhost.as_str())];
    let (status, answer) = invoke_with_headers(&host, Some(&carol), &by_name, read.to_string()).await;
    assert_eq!(status, 200, "{answer}");
}
