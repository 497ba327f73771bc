//! The security scenario of issue 11, end to end on the local host: Bob Requester's EPM request
//! becomes PMCJIT-1; Bob creates an ordinary issue, writes the app's issue property on it
//! himself (as anyone with "Edit issues" may), pointing at his own request, and tries to approve
//! it for 12 months through the issue action. The app trusts only its own records: the answer is
//! `not-epm`, EPM receives nothing, and nothing is written to the forged issue.

mod support;

use serde_json::{Value, json};
use support::*;

const ALICE: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002";
const BOB: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000003";

/// A REST call to the sandbox Jira as Bob (Basic auth with his e-mail and the sandbox password).
async fn as_bob(host: &Host, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = client()
        .request(method, host.jira(path))
        .basic_auth("bob@example.com", Some("sandbox"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("sandbox Jira");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn decide(host: &Host, user: &str, key: &str, payload: Value) -> Value {
    let call = json!({
        "functionKey": "epm.decide",
        "payload": payload,
        "context": {"extension": {"type": "jira:issueAction", "issue": {"key": key}}},
    });
    let (status, answer) = invoke(host, Some(&sandbox_user_cookie(user)), &call).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

fn twelve_months() -> Value {
    json!({"decision": "approve", "duration": {"unit": "months", "count": 12}, "message": "self-service"})
}

#[tokio::test]
async fn a_requester_cannot_approve_their_own_request_through_a_forged_property() {
    let dir = TempDir::new("forged-property");
    let host = Host::start(&dir.0);
    let (status, body) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(status, 201, "{body}");

    // Bob reads his request's property (he may browse the issue).
    let (status, real) = as_bob(
        &host,
        reqwest::Method::GET,
        "/rest/api/3/issue/PMCJIT-1/properties/pam-approvals.epm",
        None,
    )
    .await;
    assert_eq!(status, 200, "{real}");
    let real = real["value"].clone();
    assert_eq!(real["requestId"], json!(SAMPLE_REQUEST_ID));

    for (n, tenant) in [real["tenantId"].clone(), json!("made-up-tenant")]
        .into_iter()
        .enumerate()
    {
        // An ordinary issue of Bob's…
        let (status, created) = as_bob(
            &host,
            reqwest::Method::POST,
            "/rest/api/3/issue",
            Some(json!({"fields": {
                "project": {"key": "PMCJIT"},
                "issuetype": {"name": "Access Request"},
                "summary": format!("Printer on floor {n} is broken"),
            }})),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        let key = created["key"].as_str().unwrap().to_string();
        // …with the app's property written by Bob, no requester, pointing at his request.
        let mut forged = real.clone();
        forged["tenantId"] = tenant;
        forged["requesterAccountId"] = Value::Null;
        let path = format!("/rest/api/3/issue/{key}/properties/pam-approvals.epm");
        let (status, answer) = as_bob(&host, reqwest::Method::PUT, &path, Some(forged.clone())).await;
        assert!(status == 200 || status == 201, "{status} {answer}");

        let answer = decide(&host, BOB, &key, twelve_months()).await;
        assert_eq!(answer["ok"], json!(false), "{answer}");
        assert_eq!(answer["error"]["code"], json!("not-epm"), "{answer}");
        let again = decide(&host, BOB, &key, twelve_months()).await;
        assert_eq!(again["error"]["code"], json!("not-epm"), "{again}");
        // Alice, a real approver, is not tricked into deciding it either.
        let alice = decide(&host, ALICE, &key, twelve_months()).await;
        assert_eq!(alice["error"]["code"], json!("not-epm"), "{alice}");

        assert!(epm_decisions(&host).await.is_empty(), "EPM receives nothing");
        let (_, comments) = as_bob(
            &host,
            reqwest::Method::GET,
            &format!("/rest/api/3/issue/{key}/comment"),
            None,
        )
        .await;
        assert_eq!(comments["total"], json!(0), "{comments}");
        let (_, property) = as_bob(&host, reqwest::Method::GET, &path, None).await;
        assert_eq!(property["value"], forged, "the forged issue is untouched");
        let (_, issue) = as_bob(
            &host,
            reqwest::Method::GET,
            &format!("/rest/api/3/issue/{key}?fields=status"),
            None,
        )
        .await;
        assert_eq!(issue["fields"]["status"]["name"], json!("Open"));
    }

    // On his real request Bob is still the requester, whatever he writes on it.
    let mut edited = real.clone();
    edited["requesterAccountId"] = Value::Null;
    let (status, _) = as_bob(
        &host,
        reqwest::Method::PUT,
        "/rest/api/3/issue/PMCJIT-1/properties/pam-approvals.epm",
        Some(edited),
    )
    .await;
    assert!(status == 200 || status == 201);
    let answer = decide(&host, BOB, "PMCJIT-1", twelve_months()).await;
    assert_eq!(answer["error"]["code"], json!("self-approval"), "{answer}");
    assert!(epm_decisions(&host).await.is_empty());
    // Every request the app sent passed the sandbox's contract checks.
    for request in jira_requests(&host).await {
        assert!(request["status"].as_u64().unwrap_or(0) < 400, "refused: {request}");
    }
    host.stop();
}
