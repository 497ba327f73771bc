//! End to end on the local host: the `epm-expiry` scheduled trigger ends an approval for an hour
//! once the sandbox clock passes its end (note, property, status), exactly once, and never
//! touches approvals without an end or denials; the sandbox controls that drive it check their
//! input and exist only in sandbox mode. Every Jira request is checked against Atlassian's
//! OpenAPI by the sandbox itself; the tests assert that none was refused.

mod support;

use serde_json::{Value, json};
use support::*;

const ALICE: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002";
const HOUR_MS: u64 = 3_600_000;

/// Creates an issue for EPM request `request_id` by webhook; answers its key.
async fn create(host: &Host, request_id: &str) -> String {
    let (status, body) = post(host, Some((USER, PASSWORD)), sample_with_request_id(request_id)).await;
    assert_eq!(status, 201, "{body}");
    body["issueKey"].as_str().expect("issueKey").to_string()
}

/// Decides on `key` through the UI bridge as Alice.
async fn decide(host: &Host, key: &str, form: Value) {
    let call = json!({
        "functionKey": "epm.decide",
        "payload": form,
        "context": {"extension": {"type": "jira:issueAction", "issue": {"key": key}}},
    });
    let (status, answer) = invoke(host, Some(&sandbox_user_cookie(ALICE)), &call).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["ok"], json!(true), "{answer}");
}

async fn post_json(url: &str, content_type: &str, body: String) -> (u16, Value) {
    let response = client()
        .post(url)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .expect("POST");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn advance_clock(host: &Host, ms: u64) -> Value {
    let (status, body) = post_json(
        &format!("{}/_sandbox/clock", host.base),
        "application/json",
        json!({"advanceMs": ms}).to_string(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Runs a scheduled trigger now; answers status and JSON.
async fn run_scheduled(host: &Host, key: &str) -> (u16, Value) {
    post_json(
        &format!("{}/_sandbox/scheduled/{key}", host.base),
        "application/json",
        String::new(),
    )
    .await
}

async fn expiry_tick(host: &Host) -> Value {
    let (status, outcome) = run_scheduled(host, "epm-expiry").await;
    assert_eq!(status, 200, "{outcome}");
    outcome
}

async fn issue(host: &Host, key: &str) -> Value {
    issues(host)
        .await
        .into_iter()
        .find(|issue| issue["key"] == json!(key))
        .unwrap_or_else(|| panic!("no issue {key}"))
}

fn status_of(issue: &Value) -> &str {
    issue["fields"]["status"]["name"].as_str().unwrap_or("")
}

fn notes(issue: &Value) -> Vec<String> {
    issue["comments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["plainText"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// No Jira request of the app was refused by the sandbox's contract checks.
async fn assert_no_refusals(host: &Host) {
    let requests = jira_requests(host).await;
    assert!(!requests.is_empty());
    for request in requests {
        let status = request["status"].as_u64().unwrap_or(0);
        assert!(status < 400, "the sandbox refused {request}");
    }
}

#[tokio::test]
async fn an_approval_for_an_hour_expires_once_its_end_has_passed() {
    let dir = TempDir::new("expiry");
    let host = Host::start_with(&dir.0, &["--expiry-interval", "0"]);
    let hour = create(&host, "11111111-1111-4111-8111-111111111111").await;
    let once = create(&host, "22222222-2222-4222-8222-222222222222").await;
    let denied = create(&host, "33333333-3333-4333-8333-333333333333").await;
    decide(
        &host,
        &hour,
        json!({"decision": "approve", "duration": {"unit": "hours", "count": 1}, "message": "For the patch window"}),
    )
    .await;
    decide(
        &host,
        &once,
        json!({"decision": "approve", "duration": {"unit": "once"}, "message": "Just this once"}),
    )
    .await;
    decide(&host, &denied, json!({"decision": "deny", "message": "Not now"})).await;
    let property = &issue(&host, &hour).await["properties"]["pam-approvals.epm"];
    assert!(property["openExpiry"].is_u64(), "{property}");
    let notes_before = notes(&issue(&host, &hour).await).len();

    // Before the end: nothing is due.
    let outcome = expiry_tick(&host).await;
    assert_eq!(outcome["due"], json!(0), "{outcome}");
    assert_eq!(outcome["expired"], json!([]), "{outcome}");
    assert_eq!(status_of(&issue(&host, &hour).await), "Approved");

    // One hour and a second later (as the app sees time), the hour's approval ends.
    let clock = advance_clock(&host, HOUR_MS + 1000).await;
    assert_eq!(clock, json!({"offsetMs": HOUR_MS + 1000}));
    let outcome = expiry_tick(&host).await;
    assert_eq!(outcome["due"], json!(1), "{outcome}");
    assert_eq!(
        outcome["expired"],
        json!([{"issueKey": hour, "movedTo": "Expired"}]),
        "{outcome}"
    );
    assert_eq!(outcome["failed"], json!([]), "{outcome}");

    let expired = issue(&host, &hour).await;
    assert_eq!(status_of(&expired), "Expired");
    let notes_after = notes(&expired);
    assert_eq!(notes_after.len(), notes_before + 1, "{notes_after:?}");
    let note = notes_after.last().expect("a note");
    assert!(note.to_lowercase().contains("expired"), "{note}");
    let property = &expired["properties"]["pam-approvals.epm"];
    assert!(property.get("openExpiry").is_none(), "{property}");
    assert!(property["expiredAt"].is_u64(), "{property}");

    // Nothing twice, and never an approval without an end or a denial, however late it gets.
    let outcome = expiry_tick(&host).await;
    assert_eq!(outcome["due"], json!(0), "{outcome}");
    advance_clock(&host, 400 * 24 * HOUR_MS).await;
    let outcome = expiry_tick(&host).await;
    assert_eq!(outcome["due"], json!(0), "{outcome}");
    assert_eq!(status_of(&issue(&host, &once).await), "Approved");
    assert_eq!(status_of(&issue(&host, &denied).await), "Denied");
    assert_eq!(notes(&issue(&host, &hour).await).len(), notes_before + 1);
    assert_no_refusals(&host).await;
}

#[tokio::test]
async fn the_sandbox_controls_check_their_input() {
    let dir = TempDir::new("expiry-controls");
    let host = Host::start_with(&dir.0, &["--expiry-interval", "0"]);
    let clock_url = format!("{}/_sandbox/clock", host.base);

    let read = get_json(&clock_url).await;
    assert_eq!(read["offsetMs"], json!(0), "{read}");
    assert!(
        read["nowMs"].as_u64().is_some_and(|now| now > 1_700_000_000_000),
        "{read}"
    );

    for (body, expected) in [
        ("{", "not JSON"),
        ("{}", "advanceMs is required"),
        (r#"{"advanceMs": -5}"#, "non-negative whole number"),
        (r#"{"advanceMs": 2.5}"#, "non-negative whole number"),
        (r#"{"advanceMs": 315360000001}"#, "at most"),
        (r#"{"advanceMs": 5, "extra": 1}"#, "unknown field \"extra\""),
    ] {
        let (status, answer) = post_json(&clock_url, "application/json", body.into()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let message = answer["error"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{body}: {message}");
    }
    let (status, _) = post_json(&clock_url, "text/plain", r#"{"advanceMs": 5}"#.into()).await;
    assert_eq!(status, 415);
    assert_eq!(
        get_json(&clock_url).await["offsetMs"],
        json!(0),
        "refused bodies move nothing"
    );

    advance_clock(&host, 250).await;
    let total = advance_clock(&host, 750).await;
    assert_eq!(total, json!({"offsetMs": 1000}));
    let read = get_json(&clock_url).await;
    assert_eq!(read["offsetMs"], json!(1000));

    let (status, answer) = run_scheduled(&host, "nightly-cleanup").await;
    assert_eq!(status, 404, "{answer}");
    let message = answer["error"].as_str().unwrap_or_default();
    assert!(
        message.contains("nightly-cleanup") && message.contains("epm-expiry"),
        "{message}"
    );
}

#[tokio::test]
async fn outside_sandbox_mode_there_are_no_controls() {
    let dir = TempDir::new("expiry-site");
    // Port 9 (discard): nothing below reaches the site.
    let host = Host::start_against_site(&dir.0, "http://127.0.0.1:9", &["--expiry-interval", "0"]);
    let response = client()
        .get(format!("{}/_sandbox/clock", host.base))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 404);
    let (status, _) = post_json(
        &format!("{}/_sandbox/clock", host.base),
        "application/json",
        json!({"advanceMs": 1000}).to_string(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = run_scheduled(&host, "epm-expiry").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_timer_runs_the_expiry_on_its_own() {
    let dir = TempDir::new("expiry-timer");
    let host = Host::start_with(&dir.0, &["--expiry-interval", "1"]);
    let key = create(&host, "44444444-4444-4444-8444-444444444444").await;
    decide(
        &host,
        &key,
        json!({"decision": "approve", "duration": {"unit": "hours", "count": 1}}),
    )
    .await;
    advance_clock(&host, HOUR_MS + 1000).await;
    let mut status = String::new();
    for _ in 0..100 {
        status = status_of(&issue(&host, &key).await).to_string();
        if status == "Expired" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "Expired", "the timer did not expire {key}");
    assert_no_refusals(&host).await;
}
