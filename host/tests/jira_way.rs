//! Deciding the Jira way on the local host: people move the issue in the sandbox Jira (its REST
//! API and its issue page's Status control), the sandbox emits issue-updated events, the host
//! delivers them to the app asynchronously (as Forge's trigger does), and the decision reaches
//! the sandbox EPM, or the move is undone with a note.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;

const ALICE: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002";

async fn issue(host: &Host) -> Value {
    issues(host).await.into_iter().next().expect("one issue")
}

/// Waits (up to 20 s) until the issue has `notes` comments: the host's event delivery is
/// asynchronous.
async fn with_notes(host: &Host, notes: usize) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let issue = issue(host).await;
        if issue["comments"].as_array().map_or(0, Vec::len) >= notes {
            return issue;
        }
        assert!(Instant::now() < deadline, "no note {notes} yet: {issue}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn status_of(issue: &Value) -> &str {
    issue["fields"]["status"]["name"].as_str().unwrap_or("")
}

#[tokio::test]
async fn moves_in_the_sandbox_jira_decide_through_the_hosts_events() {
    let dir = TempDir::new("jira-way");
    let host = Host::start(&dir.0);
    let (status, body) = post(&host, Some((USER, PASSWORD)), SAMPLE).await;
    assert_eq!(status, 201, "{body}");

    // Bob, who asked, moves his own request to Approved through the REST API.
    let moved = client()
        .post(host.jira("/rest/api/3/issue/PMCJIT-1/transitions"))
        .basic_auth("bob@example.com", Some("sandbox"))
        .json(&json!({"transition": {"id": "11"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 204);
    let refused = with_notes(&host, 1).await;
    let note = refused["comments"][0]["plainText"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        note.contains("Not sent to EPM: Bob Requester moved this request"),
        "{note}"
    );
    assert_eq!(status_of(&refused), "Open", "moved back");
    assert!(epm_decisions(&host).await.is_empty());

    // Alice uses the issue page's Status control, choosing 4 hours.
    let page = client()
        .post(host.jira("/browse/PMCJIT-1/transition"))
        .header("cookie", sandbox_user_cookie(ALICE))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("transition=11&duration=10604")
        .send()
        .await
        .unwrap();
    assert!(
        page.status().is_success() || page.status().is_redirection(),
        "{}",
        page.status()
    );
    let decided = with_notes(&host, 2).await;
    assert_eq!(status_of(&decided), "Approved");
    let decisions = epm_decisions(&host).await;
    assert_eq!(decisions.len(), 1, "{decisions:?}");
    assert_eq!(decisions[0]["notification"]["decision"], json!("Approved"));
    assert_eq!(
        decisions[0]["notification"]["decisionPerformedByUser"],
        json!("Alice Approver")
    );
    // The sandbox's settings name its Access duration field: the 4 hours Alice chose.
    assert_eq!(decisions[0]["notification"]["duration"], json!("14400"));
    let property = &decided["properties"]["pam-approvals.epm"];
    assert_eq!(property["decision"]["source"], json!("transition"), "{property}");

    // Jira delivers Alice's event again: nothing changes.
    let events = get_json(&host.jira("/_sandbox/events")).await;
    let alices = events
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["atlassianId"] == json!(ALICE))
        .expect("Alice's event")
        .clone();
    let id = alices["changelog"]["id"].as_str().unwrap();
    let again = client()
        .post(host.jira(&format!("/_sandbox/events/{id}/redeliver")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(epm_decisions(&host).await.len(), 1);
    assert_eq!(issue(&host).await["comments"].as_array().unwrap().len(), 2);
    let app_requests = jira_requests(&host).await;
    let refused: Vec<&Value> = app_requests
        .iter()
        .filter(|r| r["caller"] == json!("557058:pam-approvals-app"))
        .filter(|r| r["status"].as_u64().unwrap_or(0) >= 400)
        .collect();
    assert!(refused.is_empty(), "the sandbox refused the app's {refused:?}");
}
