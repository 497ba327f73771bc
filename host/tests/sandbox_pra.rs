//! End to end: the sandbox PRA appliance served by the host over real HTTP, and the
//! `send-sample-pra` side of it that does not need the app's PRA web trigger: making a request
//! at the appliance, and waiting for the answer there.

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
