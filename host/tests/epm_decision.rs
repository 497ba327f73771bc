//! End to end on the local host: an EPM webhook creates the issue, an approver decides through
//! the UI bridge, the sandbox EPM receives the decision, and the sandbox Jira shows the note,
//! the property and the status. Every Jira request is checked against Atlassian's OpenAPI by
//! the sandbox itself; the tests also assert that none was refused.

mod support;

use serde_json::{Value, json};
use support::*;

const ALICE: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002";
const BOB: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000003";
const CAROL: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000004";
const VERA: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000008";
const UPDATE: &str = include_str!("../../tests/fixtures/epm/decision-update.sample.json");

async fn create(host: &Host) {
    let (status, body) = post(host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["issueKey"], json!("PMCJIT-1"));
}

async fn resolve(host: &Host, user: &str, name: &str, payload: Value) -> Value {
    let call = json!({
        "functionKey": name,
        "payload": payload,
        "context": {"extension": {"type": "jira:issueAction", "issue": {"key": "PMCJIT-1"}}},
    });
    let (status, answer) = invoke(host, Some(&sandbox_user_cookie(user)), &call).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

fn approve_4h() -> Value {
    json!({"decision": "approve", "duration": {"unit": "hours", "count": 4}, "message": "OK for the tax update"})
}

async fn issue(host: &Host) -> Value {
    issues(host).await.into_iter().next().expect("one issue")
}

fn status_of(issue: &Value) -> &str {
    issue["fields"]["status"]["name"].as_str().unwrap_or("")
}

/// No Jira request of the app was refused by the sandbox's contract checks.
async fn assert_no_refusals(host: &Host) {
    for request in jira_requests(host).await {
        let status = request["status"].as_u64().unwrap_or(0);
        assert!(status < 400, "the sandbox refused {request}");
    }
}

#[tokio::test]
async fn approving_for_four_hours_reaches_epm_and_records_everything() {
    let dir = TempDir::new("decide-approve");
    let host = Host::start(&dir.0);
    create(&host).await;

    let view = resolve(&host, ALICE, "epm.request", json!({})).await;
    assert_eq!(view["ok"], json!(true), "{view}");
    assert_eq!(view["view"]["canDecide"], json!(true));
    assert_eq!(view["view"]["request"]["user"], json!("CORP\\bob"));

    let answer = resolve(&host, ALICE, "epm.decide", approve_4h()).await;
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert_eq!(answer["outcome"]["movedTo"], json!("Approved"));
    assert_eq!(answer["view"]["state"]["kind"], json!("approved"));

    let decisions = epm_decisions(&host).await;
    assert_eq!(decisions.len(), 1, "{decisions:?}");
    let sent = &decisions[0]["notification"];
    assert_eq!(decisions[0]["apiVersion"], json!("v2"));
    assert_eq!(sent["decision"], json!("Approved"));
    assert_eq!(sent["status"], json!("2000"));
    assert_eq!(sent["duration"], json!("14400"));
    assert_eq!(sent["systemId"], json!(SAMPLE_REQUEST_ID));
    assert_eq!(sent["ticketId"], json!("PMCJIT-1"));
    assert!(
        sent["ticketUrl"].as_str().unwrap().ends_with("/browse/PMCJIT-1"),
        "{sent}"
    );
    assert_eq!(sent["decisionPerformedByUser"], json!("Alice Approver"));
    assert_eq!(sent["message"], json!("OK for the tax update"));

    let issue = issue(&host).await;
    assert_eq!(status_of(&issue), "Approved");
    let decision = &issue["properties"]["pam-approvals.epm"]["decision"];
    assert_eq!(decision["approved"], json!(true));
    assert_eq!(decision["decidedBy"]["accountId"], json!(ALICE));
    assert_eq!(decision["durationLabel"], json!("4 hours"));
    let comments = issue["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert_eq!(comments[0]["internal"], json!(true), "a JSM internal note");
    let note = comments[0]["plainText"].as_str().unwrap_or_default();
    for expected in [
        "Approved by Alice Approver",
        "Duration: 4 hours",
        "OK for the tax update",
    ] {
        assert!(note.contains(expected), "{expected} not in {note}");
    }
    assert_no_refusals(&host).await;

    // EPM echoes the decision back: nothing more is added.
    let (status, body) = post(&host, Some((USER, PASSWORD)), UPDATE).await;
    assert_eq!((status, &body["applied"]), (200, &json!(false)), "{body}");
    assert_eq!(issue_comments(&host).await, 1);
}

async fn issue_comments(host: &Host) -> usize {
    issue(host).await["comments"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn denying_moves_the_issue_to_denied() {
    let dir = TempDir::new("decide-deny");
    let host = Host::start(&dir.0);
    create(&host).await;
    let answer = resolve(
        &host,
        CAROL,
        "epm.decide",
        json!({"decision": "deny", "message": "not now"}),
    )
    .await;
    assert_eq!(answer["ok"], json!(true), "{answer}");
    let decisions = epm_decisions(&host).await;
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0]["notification"]["decision"], json!("Denied"));
    assert_eq!(decisions[0]["notification"]["status"], json!("2001"));
    assert_eq!(status_of(&issue(&host).await), "Denied");
    assert_no_refusals(&host).await;
}

#[tokio::test]
async fn an_epm_failure_records_nothing_and_a_retry_succeeds() {
    let dir = TempDir::new("decide-epm-down");
    let host = Host::start(&dir.0);
    create(&host).await;
    let (status, _) = epm_control(&host, "fail", Some(json!({"times": 1, "unreachable": true}))).await;
    assert!(status < 300);
    let unreachable = resolve(&host, ALICE, "epm.decide", approve_4h()).await;
    assert_eq!(unreachable["error"]["code"], json!("epm-failed"), "{unreachable}");
    let (status, _) = epm_control(&host, "fail", Some(json!({"times": 1, "status": 503}))).await;
    assert!(status < 300);
    let refused = resolve(&host, ALICE, "epm.decide", approve_4h()).await;
    assert_eq!(refused["error"]["code"], json!("epm-failed"), "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Nothing was recorded")
    );

    assert!(epm_decisions(&host).await.is_empty());
    let issue_now = issue(&host).await;
    assert_eq!(status_of(&issue_now), "Open");
    assert!(issue_now["properties"]["pam-approvals.epm"]["decision"].is_null());
    assert_eq!(issue_comments(&host).await, 0);

    let retry = resolve(&host, ALICE, "epm.decide", approve_4h()).await;
    assert_eq!(retry["ok"], json!(true), "{retry}");
    assert_eq!(epm_decisions(&host).await.len(), 1);
    assert_eq!(status_of(&issue(&host).await), "Approved");
}

#[tokio::test]
async fn the_requester_and_people_without_the_right_cannot_decide() {
    let dir = TempDir::new("decide-refused");
    let host = Host::start(&dir.0);
    create(&host).await;
    let bob = resolve(&host, BOB, "epm.decide", approve_4h()).await;
    assert_eq!(bob["error"]["code"], json!("self-approval"), "{bob}");
    let vera = resolve(&host, VERA, "epm.decide", approve_4h()).await;
    assert_eq!(vera["error"]["code"], json!("forbidden"), "{vera}");
    let vera_view = resolve(&host, VERA, "epm.request", json!({})).await;
    assert_eq!(vera_view["view"]["canDecide"], json!(false));
    assert!(epm_decisions(&host).await.is_empty());
    assert!(epm_requests(&host).await.is_empty(), "no token was even requested");
    assert_eq!(status_of(&issue(&host).await), "Open");
}

#[tokio::test]
async fn a_double_submit_sends_one_decision() {
    let dir = TempDir::new("decide-double");
    let host = Host::start(&dir.0);
    create(&host).await;
    let (first, second) = tokio::join!(
        resolve(&host, ALICE, "epm.decide", approve_4h()),
        resolve(&host, CAROL, "epm.decide", json!({"decision": "deny"})),
    );
    let answers = [first, second];
    let won: Vec<&Value> = answers.iter().filter(|a| a["ok"] == json!(true)).collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    let lost = answers.iter().find(|a| a["ok"] == json!(false)).unwrap();
    assert_eq!(lost["error"]["code"], json!("already-decided"), "{lost}");
    assert_eq!(epm_decisions(&host).await.len(), 1);
    assert_eq!(issue_comments(&host).await, 1);
    // And a later attempt is told who decided.
    let late = resolve(&host, ALICE, "epm.decide", approve_4h()).await;
    assert!(
        late["error"]["message"].as_str().unwrap().contains("Already decided"),
        "{late}"
    );
}

#[tokio::test]
async fn an_update_before_the_create_is_applied_when_the_issue_arrives() {
    let dir = TempDir::new("decide-out-of-order");
    let host = Host::start(&dir.0);
    let (status, body) = post(&host, Some((USER, PASSWORD)), UPDATE).await;
    assert_eq!(status, 202, "{body}");
    assert!(issues(&host).await.is_empty());
    create(&host).await;
    let issue = issue(&host).await;
    assert_eq!(status_of(&issue), "Approved");
    assert_eq!(
        issue["properties"]["pam-approvals.epm"]["decision"]["source"],
        json!("epm")
    );
    let note = issue["comments"][0]["plainText"].as_str().unwrap_or_default();
    assert!(note.contains("in BeyondTrust EPM"), "{note}");
    assert!(
        epm_decisions(&host).await.is_empty(),
        "a decision from EPM is not sent back to it"
    );
    assert_no_refusals(&host).await;
}
