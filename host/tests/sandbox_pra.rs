//! End to end: the sandbox PRA appliance served by the host over real HTTP, the CLI's pieces
//! against it (a request made at the appliance, the wait for the answer there), and
//! `send-sample-pra` itself through the app's PRA web trigger.

mod support;

use std::time::Duration;

use pam_approvals_host::sample_pra::{create_request, describe, wait_for_decision};
use serde_json::json;
use support::*;

const EVERY: Duration = Duration::from_millis(100);

/// Posts an answer to the sandbox appliance as the app would.
async fn answer(host: &Host, form: &str) -> u16 {
    client()
        .post(format!("{}/sandbox/pra/api/endpoint_approval", host.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_string())
        .send()
        .await
        .expect("answer")
        .status()
        .as_u16()
}

/// Validates: the host prints where the sandbox appliance is; a request made there carries the
/// CLI's overrides; once answered at `/api/endpoint_approval`, the CLI's poll reports the
/// decision with its message and session attributes.
#[tokio::test]
async fn the_cli_sees_the_answer_the_appliance_took() {
    let dir = TempDir::new("pra-answer");
    let host = Host::start(&dir.0);
    let printed = host.printed("sandbox PRA:");
    assert!(
        printed.contains("/sandbox/pra/") && printed.contains("https://pra.sandbox.test"),
        "{printed}"
    );

    let client = client();
    let request = create_request(
        &client,
        &host.base,
        "PMCJIT-7",
        Some("db-02.corp.example"),
        Some("carol@example.com"),
    )
    .await
    .expect("created");
    assert_eq!(request.json["ticket_id"], "PMCJIT-7");
    assert_eq!(request.json["jump_item.computer_name"], "db-02.corp.example");
    assert_eq!(request.json["user.email_address"], "carol@example.com");
    assert!(request.form.contains("ticket_id=PMCJIT-7&"), "{}", request.form);

    let form = format!(
        "response_id={}&response=deny&message=Outside+the+change+window&session.custom.jira_issue=PMCJIT-7",
        request.request_id
    );
    assert_eq!(answer(&host, &form).await, 200);
    let response = wait_for_decision(&client, &host.base, &request.request_id, Duration::from_secs(5), EVERY)
        .await
        .expect("decided");
    assert_eq!(response["response"], "deny");
    assert_eq!(
        describe(&request.request_id, &response),
        format!(
            "PRA request {}: the app answered deny\n  message: Outside the change window\n  session.custom.jira_issue = PMCJIT-7",
            request.request_id
        )
    );
}

/// Validates: the poll gives up after its wait while the request is pending, and says so at
/// once when the appliance timed the request out (the sandbox clock moved past its timeout).
#[tokio::test]
async fn the_cli_reports_no_decision() {
    let dir = TempDir::new("pra-wait");
    let host = Host::start(&dir.0);
    let client = client();
    let request = create_request(&client, &host.base, "PMCJIT-8", None, None)
        .await
        .expect("created");
    assert_eq!(request.json["user.email_address"], "bob@example.com");
    let started = std::time::Instant::now();
    let pending = wait_for_decision(&client, &host.base, &request.request_id, Duration::from_secs(1), EVERY)
        .await
        .expect_err("no decision");
    assert!(pending.to_string().contains("still has it pending"), "{pending}");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );

    let moved = client
        .post(format!("{}/_sandbox/clock", host.base))
        .json(&json!({"advanceMs": 121_000}))
        .send()
        .await
        .expect("clock");
    assert_eq!(moved.status().as_u16(), 200);
    let timed_out = wait_for_decision(&client, &host.base, &request.request_id, Duration::from_secs(5), EVERY)
        .await
        .expect_err("timed out");
    assert!(timed_out.to_string().contains("timed PRA request"), "{timed_out}");
    assert_eq!(
        answer(&host, &format!("response_id={}&response=allow", request.request_id)).await,
        403
    );
    let unknown = wait_for_decision(&client, &host.base, "never-made", Duration::from_secs(1), EVERY)
        .await
        .expect_err("unknown");
    assert!(unknown.to_string().contains("HTTP 404"), "{unknown}");
}

/// Runs `send-sample-pra` with the web trigger `url` and `args`; its exit success, stdout and
/// stderr.
async fn send_sample_pra(url: &str, dir: &TempDir, args: &[&str]) -> (bool, String, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_pam-approvals-host"))
        .args(["send-sample-pra", "--data-dir"])
        .arg(&dir.0)
        .args(["--url", url])
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .await
        .expect("send-sample-pra");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

/// Validates: the whole round as `send-sample-pra` plays it: sandbox mode configured PRA
/// against the sandbox appliance with a URL secret; the CLI adds that secret from the data dir
/// (and never prints it), posts the appliance's request to the web trigger, and prints the
/// app's answer once the appliance has it (a deny: the ticket does not exist). A wrong secret
/// in `--url` is kept as given, refused by the app, and the CLI fails.
#[tokio::test]
async fn send_sample_pra_prints_the_apps_answer() {
    let dir = TempDir::new("pra-cli");
    let host = Host::start(&dir.0);
    let secret = pam_approvals_host::credentials::pra_url_secret(&dir.0).expect("the sandbox made a URL secret");
    let trigger = format!("{}/x/pra-ticket", host.base);
    let (ok, stdout, stderr) = send_sample_pra(&trigger, &dir, &["--ticket", "OPS-999", "--wait", "30"]).await;
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("the web trigger answered HTTP 202"), "{stdout}");
    assert!(stdout.contains("the app answered deny"), "{stdout}");
    assert!(stdout.contains("OPS-999 does not exist"), "{stdout}");
    assert!(
        !stdout.contains(&secret) && !stderr.contains(&secret),
        "the secret is never printed"
    );

    let wrong = format!("{trigger}?secret=wrong-secret-value");
    let (ok, stdout, stderr) = send_sample_pra(&wrong, &dir, &["--ticket", "PMCJIT-1", "--json", "--wait", "1"]).await;
    assert!(!ok, "{stdout}");
    assert!(stdout.contains("HTTP 401"), "{stdout}");
    assert!(stderr.contains("the app refused the request"), "{stderr}");
}

/// A call to the sandbox Jira's REST API as Carol Admin (a person, not the app).
async fn as_carol(
    host: &Host,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let sent = client()
        .request(method, format!("{}/sandbox/jira{path}", host.base))
        .basic_auth("carol@example.com", Some("sandbox"))
        .json(&body)
        .send()
        .await
        .expect("sandbox Jira");
    let status = sent.status().as_u16();
    (status, sent.json().await.unwrap_or(serde_json::Value::Null))
}

/// Validates: the README's walk. A change ticket in OPS, assigned to Bob, listing web-01, moved
/// to In Progress: the appliance's request (form, then JSON) is allowed with the sandbox's
/// session attributes, and the issue gets one audit note per request and the
/// `pam-approvals.pra` property. A ticket in another project is denied by the project rule.
#[tokio::test]
async fn a_change_ticket_allows_the_jump_and_is_audited() {
    let dir = TempDir::new("pra-allow");
    let host = Host::start(&dir.0);
    let fields = json!({"fields": {
        "project": {"id": pam_sandboxes::jira::seed::OPS_PROJECT_ID},
        "issuetype": {"id": pam_sandboxes::jira::seed::TASK_TYPE_ID},
        "summary": "Patch the web tier",
        "assignee": {"accountId": pam_sandboxes::jira::seed::BOB_REQUESTER},
        (pam_sandboxes::jira::seed::AFFECTED_ASSETS_FIELD): ["web-01"],
    }});
    let (status, made) = as_carol(&host, reqwest::Method::POST, "/rest/api/3/issue", fields).await;
    assert_eq!(status, 201, "{made}");
    let key = made["key"].as_str().expect("key").to_string();
    let (status, _) = as_carol(
        &host,
        reqwest::Method::POST,
        &format!("/rest/api/3/issue/{key}/transitions"),
        json!({"transition": {"id": "51"}}),
    )
    .await;
    assert_eq!(status, 204);

    let trigger = format!("{}/x/pra-ticket", host.base);
    for json_body in [false, true] {
        let mut args = vec!["--ticket", key.as_str(), "--wait", "30"];
        if json_body {
            args.push("--json");
        }
        let (ok, stdout, stderr) = send_sample_pra(&trigger, &dir, &args).await;
        assert!(ok, "{stdout}\n{stderr}");
        assert!(stdout.contains("the app answered allow"), "{stdout}");
        assert!(
            stdout.contains(&format!("session.custom.jira_issue = {key}")),
            "{stdout}"
        );
    }
    let (status, issue) = as_carol(
        &host,
        reqwest::Method::GET,
        &format!("/rest/api/3/issue/{key}/properties/pam-approvals.pra"),
        json!(null),
    )
    .await;
    assert_eq!(status, 200, "{issue}");
    assert_eq!(issue["value"]["requests"].as_array().map(Vec::len), Some(2), "{issue}");
    assert_eq!(issue["value"]["requests"][1]["delivered"], "accepted");
    // The audit writes the property before its note: wait for the note (up to 10 s).
    let mut comments = json!(null);
    for _ in 0..100 {
        (_, comments) = as_carol(
            &host,
            reqwest::Method::GET,
            &format!("/rest/api/3/issue/{key}/comment"),
            json!(null),
        )
        .await;
        if comments["total"] == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(comments["total"], 2, "{comments}");

    let (ok, stdout, _) = send_sample_pra(&trigger, &dir, &["--ticket", "PMCJIT-1", "--wait", "30"]).await;
    assert!(ok, "{stdout}");
    assert!(
        stdout.contains("is not in a project that grants access (OPS)"),
        "{stdout}"
    );
}

/// Validates: a body that is not UTF-8 is refused by the host before the app (400, nothing
/// kept), with or without the right secret.
#[tokio::test]
async fn a_body_that_is_not_utf8_is_refused() {
    let dir = TempDir::new("pra-utf8");
    let host = Host::start(&dir.0);
    let secret = pam_approvals_host::credentials::pra_url_secret(&dir.0).expect("secret");
    let sent = client()
        .post(format!("{}/x/pra-ticket?secret={secret}", host.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(vec![b'r', b'e', b'q', 0xff, 0xfe, b'=', b'1'])
        .send()
        .await
        .expect("sent");
    assert_eq!(sent.status().as_u16(), 400);
    let body = sent.text().await.unwrap_or_default();
    assert!(body.contains("not UTF-8"), "{body}");
    assert!(!body.contains(&secret));
}
