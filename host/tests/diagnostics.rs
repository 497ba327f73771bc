//! End to end on the local host: `GET /_diagnostics` (the core's `admin.diagnostics`) shows a
//! Jira administrator a failed delivery and the dead letter its job became; "retry now"
//! (`admin.retry` through the bridge) queues it again and the issue is made. Others get 403 (401
//! when the session names nobody).

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;

const ALICE: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002";
const CAROL: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000004";

async fn diagnostics(host: &Host, cookie: Option<&str>) -> (u16, Value) {
    let mut request = client().get(format!("{}/_diagnostics", host.base));
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    let response = request.send().await.expect("GET /_diagnostics");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn advance_clock(host: &Host, ms: u64) {
    let response = client()
        .post(format!("{}/_sandbox/clock", host.base))
        .header("Content-Type", "application/json")
        .body(json!({"advanceMs": ms}).to_string())
        .send()
        .await
        .expect("clock");
    assert_eq!(response.status().as_u16(), 200);
}

/// Polls the diagnostics as Carol until `done` holds of them (the queue runs in the background).
async fn until(host: &Host, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let carol = sandbox_user_cookie(CAROL);
    let started = Instant::now();
    loop {
        let (status, answer) = diagnostics(host, Some(&carol)).await;
        assert_eq!(status, 200, "{answer}");
        if done(&answer["diagnostics"]) {
            return answer["diagnostics"].clone();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{what}: {answer}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_admin_sees_a_failed_delivery_and_retries_its_dead_letter() {
    let dir = TempDir::new("diagnostics");
    let host = Host::start(&dir.0);

    // Without a cookie the sandbox's session is Alice Approver's: no admin either.
    for cookie in [None, Some(sandbox_user_cookie(ALICE))] {
        let (status, answer) = diagnostics(&host, cookie.as_deref()).await;
        assert_eq!(status, 403, "{answer}");
        assert!(
            answer["error"].as_str().unwrap().contains("Only Jira administrators"),
            "{answer}"
        );
    }
    let (status, answer) = diagnostics(&host, Some("pam_sandbox_user=nobody")).await;
    assert_eq!(status, 401, "{answer}");

    // Jira refuses the create twice: the delivery's own try and the queued job's.
    jira_fail(
        &host,
        json!({"method": "POST", "path": "/rest/api/3/issue", "fault": {"status": 400}, "times": 2}),
    )
    .await;
    let (status, body) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(status, 502, "{body}");
    // The kept body's job is due after its grace period.
    advance_clock(&host, 30_000).await;
    let seen = until(&host, "the job given up", |d| {
        d["dead"].as_array().is_some_and(|dead| !dead.is_empty())
    })
    .await;
    let delivery = &seen["triggers"][0];
    assert_eq!(delivery["trigger"], json!("epm-webhook"));
    let first = &delivery["deliveries"][0];
    assert_eq!(
        (&first["status"], &first["event"], &first["request"], &first["attempts"]),
        (
            &json!(502),
            &json!("ticket created"),
            &json!(SAMPLE_REQUEST_ID),
            &json!(1)
        )
    );
    assert!(
        first["outcome"]
            .as_str()
            .unwrap()
            .contains("could not create the Jira issue"),
        "{first}"
    );
    let dead = &seen["dead"][0];
    assert_eq!(dead["request"], json!(SAMPLE_REQUEST_ID));
    assert!(!seen.to_string().contains(PASSWORD), "no secret");

    let call =
        json!({"functionKey": "admin.retry", "payload": {"deadLetter": dead["key"]}, "context": {"extension": {}}});
    let (status, answer) = invoke(&host, Some(&sandbox_user_cookie(ALICE)), &call).await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (200, &json!("forbidden")),
        "{answer}"
    );
    let (status, answer) = invoke(&host, Some(&sandbox_user_cookie(CAROL)), &call).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["diagnostics"]["dead"], json!([]), "{answer}");

    let done = until(&host, "the retried job done", |d| {
        d["jobs"][0]["outcome"] == json!("done")
    })
    .await;
    assert_eq!(done["jobs"][0]["request"], json!(SAMPLE_REQUEST_ID));
    assert_eq!(issues(&host).await.len(), 1, "the issue was made");
}
