//! End to end: the sandbox Keeper Commander (Service Mode, API v2) served by the host over real
//! HTTP under `/sandbox/keeper`, driven as the app drives it (submit, poll the status with short
//! sleeps, read the result), its refusals, its queue on the host's sandbox clock, decisions
//! made in Keeper; and `send-sample-keeper` against a stand-in web trigger.

mod support;

use std::time::{Duration, Instant};

use pam_sandboxes::keeper::DEFAULT_API_KEY;
use pam_sandboxes::keeper::seed::*;
use serde_json::{Value, json};
use support::*;

/// The sandbox Commander of a running host.
struct Commander<'a> {
    host: &'a Host,
    client: reqwest::Client,
}

/// An answer: status, JSON body (null when not JSON), `Retry-After`.
struct Answer {
    status: u16,
    json: Value,
    text: String,
    retry_after: Option<String>,
}

impl<'a> Commander<'a> {
    fn new(host: &'a Host) -> Commander<'a> {
        Commander { host, client: client() }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/sandbox/keeper{path}", self.host.base)
    }

    async fn answer(sent: reqwest::RequestBuilder) -> Answer {
        let response = sent.send().await.expect("the sandbox Commander answers");
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = response.text().await.unwrap_or_default();
        Answer {
            status,
            json: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
            retry_after,
        }
    }

    async fn submit_as(&self, key: Option<&str>, command: &str) -> Answer {
        let mut sent = self
            .client
            .post(self.url("/api/v2/executecommand-async"))
            .json(&json!({ "command": command }));
        if let Some(key) = key {
            sent = sent.header("api-key", key);
        }
        Commander::answer(sent).await
    }

    /// Submits with the default key: the request id.
    async fn submit(&self, command: &str) -> String {
        let answer = self.submit_as(Some(DEFAULT_API_KEY), command).await;
        assert_eq!(answer.status, 202, "{command}: {}", answer.text);
        answer.json["request_id"].as_str().expect("request_id").to_string()
    }

    async fn get(&self, path: &str) -> Answer {
        Commander::answer(self.client.get(self.url(path)).header("api-key", DEFAULT_API_KEY)).await
    }

    /// Polls the status every 20 ms until the request is finished: the statuses seen, then the
    /// result.
    async fn run(&self, command: &str) -> (Vec<String>, Answer) {
        let id = self.submit(command).await;
        let mut seen: Vec<String> = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let status = self.get(&format!("/api/v2/status/{id}")).await;
            assert_eq!(status.status, 200, "{}", status.text);
            let now = status.json["status"].as_str().unwrap_or("?").to_string();
            if seen.last() != Some(&now) {
                seen.push(now.clone());
            }
            if !["queued", "processing"].contains(&now.as_str()) {
                break;
            }
            assert!(Instant::now() < deadline, "{command} never finished: {seen:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        (seen, self.get(&format!("/api/v2/result/{id}")).await)
    }

    async fn control(&self, method: reqwest::Method, path: &str, body: Value) -> Answer {
        Commander::answer(
            self.client
                .request(method, self.url(&format!("/_sandbox/{path}")))
                .json(&body),
        )
        .await
    }

    async fn settings(&self, body: Value) {
        let answer = self.control(reqwest::Method::POST, "settings", body).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
    }

    /// Moves the host's sandbox clock.
    async fn advance(&self, seconds: u64) {
        let moved = self
            .client
            .post(format!("{}/_sandbox/clock", self.host.base))
            .json(&json!({"advanceMs": seconds * 1000}))
            .send()
            .await
            .expect("clock");
        assert_eq!(moved.status().as_u16(), 200);
    }
}

/// Validates: the host prints where the sandbox Commander is; `/health` needs no key; a call
/// without a key is 401, a command the key does not allow 403, a full queue 503, and calls over
/// the rate limit 429 with `Retry-After`, each with Commander's body.
#[tokio::test]
async fn refusals_over_http() {
    let dir = TempDir::new("keeper-refusals");
    let host = Host::start(&dir.0);
    let printed = host.printed("sandbox Keeper:");
    assert!(
        printed.contains("/sandbox/keeper/api/v2/") && printed.contains("https://keeper.sandbox.test/api/v2"),
        "{printed}"
    );
    let keeper = Commander::new(&host);
    let health = Commander::answer(keeper.client.get(keeper.url("/health"))).await;
    assert_eq!((health.status, health.json), (200, json!({"status": "ok"})));

    let none = keeper.submit_as(None, "service-status").await;
    assert_eq!(
        (none.status, none.json),
        (
            401,
            json!({"status": "error", "error": "Please provide a valid api key"})
        )
    );
    let created = keeper
        .control(
            reqwest::Method::POST,
            "keys",
            json!({"key": "status-only", "commands": "service-status"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let forbidden = keeper
        .submit_as(Some("status-only"), "device-approve --reload --format json")
        .await;
    assert_eq!(
        (forbidden.status, forbidden.json),
        (
            403,
            json!({"status": "error", "error": "Not permitted to perform this function"})
        )
    );

    keeper.settings(json!({"workerPaused": true, "queueSize": 1})).await;
    keeper.submit("service-status").await;
    let full = keeper.submit_as(Some(DEFAULT_API_KEY), "service-status").await;
    assert_eq!(
        (full.status, full.json),
        (
            503,
            json!({"status": "error", "error": "Error: Request queue is full. Please try again later."})
        )
    );

    keeper.settings(json!({"rateLimitPerMinute": 1})).await;
    let limited = keeper.get("/api/v2/queue/status").await;
    assert_eq!(limited.status, 200, "{}", limited.text);
    let limited = keeper.get("/api/v2/queue/status").await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    assert!(
        limited
            .retry_after
            .is_some_and(|r| r.parse::<u64>().is_ok_and(|s| (1..=60).contains(&s)))
    );
    keeper.advance(60).await;
    assert_eq!(keeper.get("/api/v2/queue/status").await.status, 200, "a new window");
}

/// Validates: the app's commands through the queue as it polls (it sees the entry processing,
/// then completed): view, list, action and device-approve over the seeds, with Commander's
/// result shapes; a decision made in Keeper (the control) shows in the next view and makes a
/// later action a warning.
#[tokio::test]
async fn commands_through_the_queue() {
    let dir = TempDir::new("keeper-commands");
    let host = Host::start(&dir.0);
    let keeper = Commander::new(&host);

    // Long enough for the poll to see it processing on a loaded machine (the default is 100 ms);
    // this test polls every 20 ms, far beyond Commander's 60 calls a minute per endpoint.
    keeper
        .settings(json!({"processingMs": 1500, "rateLimitPerMinute": 100_000}))
        .await;
    let (seen, view) = keeper
        .run(&format!("epm approval view {KEPM_PENDING_UID} --format json"))
        .await;
    assert_eq!(seen, ["processing", "completed"]);
    keeper.settings(json!({"processingMs": 100})).await;
    assert_eq!(view.status, 200, "{}", view.text);
    assert_eq!(view.json["status"], "success");
    let row = &view.json["data"][0];
    assert_eq!(row["status"], "Pending");
    assert_eq!(row["account_info"]["username"], KEPM_PENDING_EMAIL);
    assert_eq!(row["expire_in"], 30);

    let (_, list) = keeper.run("epm approval list --type pending --format json").await;
    let uids: Vec<&str> = list.json["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["approval_uid"].as_str())
        .collect();
    assert_eq!(uids, [KEPM_PENDING_UID, KEPM_PENDING_LATE_UID]);

    let (_, approved) = keeper
        .run(&format!("epm approval action --approve {KEPM_PENDING_UID}"))
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let (_, view) = keeper
        .run(&format!("epm approval view {KEPM_PENDING_UID} --format json"))
        .await;
    assert_eq!(view.json["data"][0]["status"], "Approved");

    let decided = keeper
        .control(
            reqwest::Method::POST,
            &format!("kepm/{KEPM_PENDING_LATE_UID}/decide"),
            json!({"status": "Denied"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{}", decided.text);
    let (_, view) = keeper
        .run(&format!("epm approval view {KEPM_PENDING_LATE_UID} --format json"))
        .await;
    assert_eq!(view.json["data"][0]["status"], "Denied");
    let (_, late) = keeper
        .run(&format!("epm approval action --approve {KEPM_PENDING_LATE_UID}"))
        .await;
    assert_eq!(late.status, 500);
    assert_eq!(
        late.json["error"],
        format!("Failed to approved \"{KEPM_PENDING_LATE_UID}\": approval request is already Denied")
    );

    let (_, devices) = keeper.run("device-approve --reload --format json").await;
    assert_eq!(devices.json["data"][0]["device_id"], DEVICE_ID);
    assert_eq!(devices.json["data"][1]["email"], DEVICE_2_EMAIL);
    let (_, approved) = keeper.run(&format!("device-approve --approve {DEVICE_ID}")).await;
    assert_eq!(approved.status, 200);
    let decided = keeper
        .control(
            reqwest::Method::POST,
            &format!("devices/{DEVICE_2_ID}/decide"),
            json!({"decision": "deny"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{}", decided.text);
    let (_, none) = keeper.run("device-approve --reload --format json").await;
    assert_eq!(none.json["message"], "There are no pending devices to approve");

    let log = keeper.control(reqwest::Method::GET, "log", Value::Null).await;
    assert!(log.json.as_array().is_some_and(|l| l.len() > 10));
    assert!(!log.text.contains(DEFAULT_API_KEY), "the key is never logged");
}

/// Validates: on the host's sandbox clock, a request queued behind a paused worker expires after
/// 300 s (status `expired`, result 504) and is forgotten 3,600 s later (404); the seeded
/// 29-minute request shows Expired once the clock passes 30 minutes.
#[tokio::test]
async fn expiry_and_retention_on_the_host_clock() {
    let dir = TempDir::new("keeper-expiry");
    let host = Host::start(&dir.0);
    let keeper = Commander::new(&host);
    keeper.settings(json!({"workerPaused": true})).await;
    let id = keeper.submit("service-status").await;
    let waiting = keeper.get(&format!("/api/v2/result/{id}")).await;
    assert_eq!(
        (waiting.status, waiting.json),
        (
            202,
            json!({"status": "queued", "error": "Error: Request not completed yet"})
        )
    );
    keeper.advance(301).await;
    let status = keeper.get(&format!("/api/v2/status/{id}")).await;
    assert_eq!(status.json["status"], "expired");
    let expired = keeper.get(&format!("/api/v2/result/{id}")).await;
    assert_eq!(
        (expired.status, expired.json),
        (
            504,
            json!({"error": "Error: Request expired after waiting more than 300s in queue"})
        )
    );
    keeper.advance(3601).await;
    assert_eq!(keeper.get(&format!("/api/v2/result/{id}")).await.status, 404);

    keeper.settings(json!({"workerPaused": false})).await;
    let (_, view) = keeper
        .run(&format!("epm approval view {KEPM_PENDING_LATE_UID} --format json"))
        .await;
    assert_eq!(view.json["data"][0]["status"], "Expired");
}

/// What a stand-in web trigger received.
#[derive(Debug, Clone)]
struct Received {
    authorization: String,
    content_type: String,
    body: Value,
}

/// A stand-in for the app's Keeper alert web trigger (the core's may not exist yet): records
/// what it gets and answers 202.
async fn stand_in_trigger() -> (String, tokio::sync::mpsc::UnboundedReceiver<Received>) {
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/x/keeper-alert",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let sender = sender.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                let _ = sender.send(Received {
                    authorization: header("authorization"),
                    content_type: header("content-type"),
                    body: serde_json::from_str(&body).unwrap_or(Value::Null),
                });
                (axum::http::StatusCode::ACCEPTED, "{\"accepted\":true}")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let url = format!("http://{}/x/keeper-alert", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, receiver)
}

/// Runs `send-sample-keeper` with `args`: success, stdout, stderr.
async fn send_sample_keeper(dir: &TempDir, args: &[&str]) -> (bool, String, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_pam-approvals-host"))
        .args(["send-sample-keeper", "--data-dir"])
        .arg(&dir.0)
        .args(args)
        .env_remove("PAM_KEEPER_ALERT_TOKEN")
        .env("RUST_BACKTRACE", "0")
        .output()
        .await
        .expect("send-sample-keeper");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

/// Validates: `send-sample-keeper` posts the KEPM alert (the seeded request by default) and the
/// device alert with `Authorization: Bearer <token>`, prints the answer and never the token;
/// without a token anywhere it fails saying where to find one.
#[tokio::test]
async fn send_sample_keeper_posts_the_alert() {
    let dir = TempDir::new("keeper-cli");
    let (url, mut received) = stand_in_trigger().await;
    let (ok, stdout, stderr) = send_sample_keeper(&dir, &["--url", &url, "--token", "alert-t0ken"]).await;
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("HTTP 202"), "{stdout}");
    assert!(stdout.contains(KEPM_PENDING_UID), "{stdout}");
    assert!(!stdout.contains("alert-t0ken") && !stderr.contains("alert-t0ken"));
    let got = received.recv().await.expect("received");
    assert_eq!(got.authorization, "Bearer alert-t0ken");
    assert_eq!(got.content_type, "application/json");
    assert_eq!(got.body["alert_name"], "Agent created approval request");
    assert_eq!(got.body["json"]["request_uid"], KEPM_PENDING_UID);
    assert_eq!(got.body["json"]["username"], KEPM_PENDING_EMAIL);

    let (ok, stdout, _) = send_sample_keeper(
        &dir,
        &[
            "--url",
            &url,
            "--token",
            "t",
            "--kind",
            "device",
            "--email",
            "erin@example.com",
        ],
    )
    .await;
    assert!(ok, "{stdout}");
    let got = received.recv().await.expect("received");
    assert_eq!(got.body["json"]["audit_event"], "device_admin_approval_requested");
    assert_eq!(got.body["username"], "erin@example.com");

    let (ok, _, stderr) = send_sample_keeper(&dir, &["--url", &url]).await;
    assert!(!ok);
    assert!(stderr.contains("no alert token"), "{stderr}");
}
