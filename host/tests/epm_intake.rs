//! End to end: the host binary with its sandbox Jira, EPM webhooks over real HTTP.

mod support;

use serde_json::{Value, json};
use support::*;

/// Validates: a webhook becomes one issue with every detail, people and the request id, and
/// every Jira request the app sent passed the sandbox's OpenAPI and ADF checks.
#[tokio::test]
async fn a_webhook_creates_a_complete_issue() {
    let dir = TempDir::new("create");
    let host = Host::start(&dir.0);

    let (status, body) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(
        (status, body.clone()),
        (201, json!({"issueKey": "PMCJIT-1", "created": true}))
    );

    let issue = get_json(&host.jira("/rest/api/3/issue/PMCJIT-1?properties=pam-approvals.epm")).await;
    let fields = &issue["fields"];
    assert_eq!(fields["summary"], "EPM JIT Application Access Request - CORP\\bob");
    assert_eq!(fields["customfield_10001"], SAMPLE_REQUEST_ID);
    assert_eq!(fields["assignee"]["displayName"], "John Doe");
    assert_eq!(fields["reporter"]["displayName"], "Bob Requester");
    assert_eq!(fields["issuetype"]["name"], "Access Request");
    assert_eq!(fields["status"]["name"], "Open");
    assert_eq!(issue["properties"]["pam-approvals.epm"]["requestId"], SAMPLE_REQUEST_ID);
    let description = fields["description"].to_string();
    for detail in [
        "FIN-LT-0042",
        "Tax Reporting Suite",
        "Example Tax Software Ltd",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "quarterly tax",
    ] {
        assert!(description.contains(detail), "description lacks {detail}");
    }

    let page = support::client()
        .get(host.jira("/browse/PMCJIT-1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for shown in [
        "PMCJIT-1",
        "John Doe",
        "Bob Requester",
        "beyondTrustEpmJitRequestSystemId",
        SAMPLE_REQUEST_ID,
        "FIN-LT-0042",
    ] {
        assert!(page.contains(shown), "the issue page lacks {shown}");
    }

    let requests = jira_requests(&host).await;
    assert!(!requests.is_empty());
    let rejected: Vec<&Value> = requests
        .iter()
        .filter(|r| r["status"].as_u64().unwrap_or(0) >= 400)
        .collect();
    assert!(rejected.is_empty(), "the sandbox rejected app requests: {rejected:#?}");
    let creates = requests
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"].as_str().unwrap_or("").ends_with("/rest/api/3/issue"))
        .count();
    assert_eq!(creates, 1, "one create call carries fields and properties");
}

/// Validates: three concurrent deliveries of one request make one issue and all get its key.
#[tokio::test]
async fn concurrent_duplicates_make_one_issue() {
    let dir = TempDir::new("concurrent");
    let host = Host::start(&dir.0);
    let auth = Some((USER, PASSWORD));
    let (a, b, c) = tokio::join!(
        post(&host, auth, SAMPLE),
        post(&host, auth, SAMPLE),
        post(&host, auth, SAMPLE)
    );
    let answers = [a, b, c];
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let duplicates = answers
        .iter()
        .filter(|(s, b)| *s == 200 && b["created"] == false)
        .count();
    assert_eq!((created, duplicates), (1, 2), "{answers:?}");
    assert!(answers.iter().all(|(_, b)| b["issueKey"] == "PMCJIT-1"), "{answers:?}");
    assert_eq!(issues(&host).await.len(), 1);
}

/// Validates: a restart keeps the proof of creation; a redelivery after it gets the same key.
#[tokio::test]
async fn a_restart_keeps_everything() {
    let dir = TempDir::new("restart");
    let host = Host::start(&dir.0);
    let (status, first) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(status, 201);
    assert!(host.stop().success(), "Ctrl-C/SIGTERM stops the host cleanly");

    let host = Host::start(&dir.0);
    let (status, again) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(
        (status, again["issueKey"].clone(), again["created"].clone()),
        (200, first["issueKey"].clone(), json!(false))
    );
    assert_eq!(issues(&host).await.len(), 1);
    let (status, other) = post(&host, Some((USER, PASSWORD)), sample_with_request_id("after-restart")).await;
    assert_eq!((status, other["issueKey"].clone()), (201, json!("PMCJIT-2")));
}

/// Validates: without PAM_WEBHOOK_* the sandbox generates credentials once, prints them, keeps
/// them across restarts, and they authenticate webhooks.
#[tokio::test]
async fn generated_sandbox_credentials_survive_a_restart() {
    let dir = TempDir::new("creds");
    let host = Host::start_without_credentials(&dir.0);
    let (user, password) = (host.printed("webhook user:"), host.printed("webhook password:"));
    assert!(password.len() >= 20, "a generated password is long");
    drop(host);
    let host = Host::start_without_credentials(&dir.0);
    assert_eq!(
        (host.printed("webhook user:"), host.printed("webhook password:")),
        (user.clone(), password.clone())
    );
    let (status, _) = post(&host, Some((&user, &password)), SAMPLE).await;
    assert_eq!(status, 201);
}

/// Validates: `send-sample` posts the seed template filled in, with a fresh request id each
/// time, and prints where to see the issue.
#[tokio::test]
async fn send_sample_makes_a_new_issue_each_time() {
    let dir = TempDir::new("sample");
    let host = Host::start(&dir.0);
    for expected in ["PMCJIT-1", "PMCJIT-2"] {
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_pam-approvals-host"))
            .args(["send-sample", "--url", &host.webhook_url()])
            .env("PAM_WEBHOOK_USER", USER)
            .env("PAM_WEBHOOK_PASSWORD", PASSWORD)
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout} {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("HTTP 201"), "{stdout}");
        assert!(stdout.contains(&format!("/sandbox/jira/browse/{expected}")), "{stdout}");
    }
    assert_eq!(issues(&host).await.len(), 2);
}
