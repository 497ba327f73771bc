//! End to end: faults injected in the sandbox Jira (`/sandbox/jira/_sandbox/fail`) while the app
//! takes EPM webhooks over real HTTP; a failed create loses nothing and a redelivery duplicates
//! nothing.

mod support;

use serde_json::{Value, json};
use support::*;

/// Validates: when Jira fails the issue create once (HTTP 500), the app accepts the delivery
/// (202: its queue finishes it), the sandbox logs the injected failure, and a redelivery
/// creates exactly one issue.
#[tokio::test]
async fn a_failed_create_is_retried_by_redelivery_into_one_issue() {
    let dir = TempDir::new("fault-create");
    let host = Host::start(&dir.0);
    let rule = jira_fail(
        &host,
        json!({"method": "POST", "path": "/rest/api/3/issue", "fault": {"status": 500}, "times": 1}),
    )
    .await;
    assert_eq!(rule["id"], 1);

    let (status, body) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(
        (status, body.clone()),
        (
            202,
            json!({"accepted": true, "requestId": SAMPLE_REQUEST_ID,
                   "reason": "Jira is busy or unavailable (HTTP 500); the request is kept and the app finishes it shortly"})
        )
    );
    assert!(issues(&host).await.is_empty(), "nothing was created");

    let (status, body) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(
        (status, body.clone()),
        (201, json!({"issueKey": "PMCJIT-1", "created": true}))
    );
    let all = issues(&host).await;
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["fields"]["customfield_10001"], SAMPLE_REQUEST_ID);

    let creates: Vec<(Value, Value)> = jira_requests(&host)
        .await
        .into_iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/rest/api/3/issue")
        .map(|r| (r["status"].clone(), r["injected"].clone()))
        .collect();
    assert_eq!(creates, [(json!(500), json!(true)), (json!(201), json!(false))]);
    let rules = get_json(&host.jira("/_sandbox/fail")).await;
    assert_eq!(
        (rules[0]["matched"].clone(), rules[0]["failed"].clone()),
        (json!(2), json!(1))
    );
}

/// Validates: the lost answer — Jira creates the issue but the app gets a 503 — is accepted
/// (202), and a redelivery finds the issue instead of making a second.
#[tokio::test]
async fn a_lost_create_answer_makes_no_duplicate_on_redelivery() {
    let dir = TempDir::new("fault-lost");
    let host = Host::start(&dir.0);
    jira_fail(
        &host,
        json!({"method": "POST", "path": "/rest/api/3/issue", "fault": {"status": 503, "afterHandling": true}}),
    )
    .await;
    let (status, _) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(status, 202, "the app never learned the issue was created");
    assert_eq!(issues(&host).await.len(), 1, "but Jira made it");

    let (status, body) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(
        (status, body.clone()),
        (200, json!({"issueKey": "PMCJIT-1", "created": false}))
    );
    assert_eq!(issues(&host).await.len(), 1, "no duplicate");
    let creates = jira_requests(&host)
        .await
        .into_iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/rest/api/3/issue")
        .count();
    assert_eq!(creates, 1, "the redelivery searched instead of creating again");
}
