//! Deciding "the Jira way": issue-updated events on transitions, edits and JSM approvals, the
//! permission a transition needs, the Access duration field, the issue page's Status control
//! and JSM approval buttons, and the `/_sandbox/events` and approvers controls.

use tokio::sync::mpsc::UnboundedReceiver;

use super::*;

fn sandbox() -> Arc<JiraSandbox> {
    JiraSandbox::open(Path::new(":memory:"), BASE, contracts()).expect("sandbox opens")
}

fn drain(events: &mut UnboundedReceiver<Value>) -> Vec<Value> {
    let mut all = Vec::new();
    while let Ok(event) = events.try_recv() {
        all.push(event);
    }
    all
}

fn cookie(account_id: &str) -> String {
    format!("{}={}", super::super::SESSION_COOKIE, account_id.replace(':', "%3A"))
}

/// A form post to a sandbox page as the person of `cookie`.
async fn post_form(router: &Router, uri: &str, form: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(form.to_string())).expect("request"))
        .await
        .expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
        unreachable: false,
    }
}

async fn page(router: &Router, uri: &str, cookie: Option<&str>) -> String {
    let mut request = Request::builder().uri(uri);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    String::from_utf8_lossy(&bytes).into_owned()
}

async fn status_of(router: &Router, key: &str) -> Value {
    let reply = call(
        router,
        "GET",
        &format!("/rest/api/3/issue/{key}?fields=status,{}", seed::ACCESS_DURATION_FIELD),
        None,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()["fields"].clone()
}

async fn create_ops(router: &Router) -> String {
    let body = json!({"fields": {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "Change"}});
    let reply = call(router, "POST", "/rest/api/3/issue", Some(body), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json()["key"].as_str().expect("key").to_string()
}

fn status_item(from: (&str, &str), to: (&str, &str)) -> Value {
    json!({"field": "status", "fieldtype": "jira", "fieldId": "status",
           "from": from.0, "fromString": from.1, "to": to.0, "toString": to.1})
}

fn duration_item(to: (&str, &str)) -> Value {
    json!({"field": "Access duration", "fieldtype": "custom", "fieldId": seed::ACCESS_DURATION_FIELD,
           "from": null, "fromString": null, "to": to.0, "toString": to.1})
}

/// A transition with a field records one event: the exact changelog, the actor, the issue.
#[tokio::test]
async fn a_transition_records_one_event() {
    let sandbox = sandbox();
    let router = sandbox.router();
    let mut events = sandbox.subscribe_events();
    let key = create(&router, "Access", "r-1").await;
    assert!(drain(&mut events).is_empty(), "a create is no update");
    let body = json!({"transition": {"id": "11"}, "fields": {seed::ACCESS_DURATION_FIELD: {"id": "10604"}}});
    let uri = format!("/rest/api/3/issue/{key}/transitions");
    let reply = call(&router, "POST", &uri, Some(body), Some(&basic("alice@example.com"))).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);

    let got = drain(&mut events);
    assert_eq!(got.len(), 1, "{got:?}");
    let event = &got[0];
    assert_eq!(event["eventType"], "avi:jira:updated:issue");
    assert_eq!(event["atlassianId"], seed::ALICE_APPROVER);
    assert_eq!(event["associatedUsers"], json!([{"accountId": seed::ALICE_APPROVER}]));
    assert_eq!(event["issue"]["key"], key.as_str());
    assert_eq!(event["issue"]["self"], format!("{BASE}/rest/api/3/issue/10000"));
    assert_eq!(
        event["issue"]["fields"]["status"],
        json!({"id": "10002", "name": "Approved"})
    );
    assert_eq!(event["issue"]["fields"]["project"]["key"], "PMCJIT");
    assert_eq!(event["issue"]["fields"]["labels"], json!(["epm", "jit"]));
    assert_eq!(
        event["changelog"]["items"],
        json!([
            status_item(("10001", "Open"), ("10002", "Approved")),
            duration_item(("10604", "4 hours"))
        ])
    );
    let id = event["changelog"]["id"].as_str().expect("a string id");
    assert!(id.bytes().all(|b| b.is_ascii_digit()), "{id}");

    // The field reads back as Jira's CustomFieldOption; the log has the event.
    let fields = status_of(&router, &key).await;
    assert_eq!(
        fields[seed::ACCESS_DURATION_FIELD],
        json!({"self": format!("{BASE}/rest/api/3/customFieldOption/10604"), "value": "4 hours", "id": "10604"})
    );
    let log = call(&router, "GET", "/_sandbox/events", None, None).await.json();
    assert_eq!(log, json!([event]));

    // Another change gets a larger changelog id, and is the log's last.
    let uri = format!("/rest/api/3/issue/{key}/transitions");
    let reply = call(&router, "POST", &uri, Some(json!({"transition": {"id": "41"}})), None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let next = drain(&mut events);
    assert_eq!(next.len(), 1);
    assert_eq!(next[0]["atlassianId"], seed::APP_ACCOUNT_ID);
    let next_id: u64 = next[0]["changelog"]["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("id");
    assert!(next_id > id.parse::<u64>().expect("id"));
    let log = call(&router, "GET", "/_sandbox/events", None, None).await.json();
    assert_eq!(log.as_array().map(Vec::len), Some(2));
    assert_eq!(log[1], next[0]);
}

/// An edit records its changes; an edit that changes nothing, property writes and comments
/// record nothing.
#[tokio::test]
async fn edits_record_events_properties_and_comments_do_not() {
    let sandbox = sandbox();
    let router = sandbox.router();
    let key = create(&router, "Access", "r-1").await;
    let mut events = sandbox.subscribe_events();
    let uri = format!("/rest/api/3/issue/{key}");
    let edit = json!({"fields": {"summary": "Access v2"}, "update": {"labels": [{"add": "urgent"}]}});
    let reply = call(&router, "PUT", &uri, Some(edit.clone()), None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let got = drain(&mut events);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["atlassianId"], seed::APP_ACCOUNT_ID);
    assert_eq!(
        got[0]["changelog"]["items"],
        json!([
            {"field": "summary", "fieldtype": "jira", "fieldId": "summary",
             "from": null, "fromString": "Access", "to": null, "toString": "Access v2"},
            {"field": "labels", "fieldtype": "jira", "fieldId": "labels",
             "from": null, "fromString": "epm jit", "to": null, "toString": "epm jit urgent"}
        ])
    );

    // The same edit again changes nothing.
    let reply = call(&router, "PUT", &uri, Some(edit), None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let only_properties = json!({"properties": [{"key": "pamRequest", "value": {"state": "approved"}}]});
    let reply = call(&router, "PUT", &uri, Some(only_properties), None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let reply = call(
        &router,
        "PUT",
        &format!("{uri}/properties/x"),
        Some(json!({"a": 1})),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let comment = json!({"body": doc("hello")});
    let reply = call(&router, "POST", &format!("{uri}/comment"), Some(comment), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let sd = json!({"body": "note", "public": false});
    let sd_uri = format!("/rest/servicedeskapi/request/{key}/comment");
    let reply = call(&router, "POST", &sd_uri, Some(sd), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert!(drain(&mut events).is_empty());
    assert_eq!(sandbox.events().len(), 1);

    // A bad option is refused, naming it, and writes nothing.
    let bad = json!({"fields": {seed::ACCESS_DURATION_FIELD: {"id": "999"}}});
    let reply = call(&router, "PUT", &uri, Some(bad), None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert!(reply.text.contains("Option id '999' is not valid"), "{}", reply.text);
    let bad = json!({"fields": {seed::ACCESS_DURATION_FIELD: {"value": "forever"}}});
    let reply = call(&router, "PUT", &uri, Some(bad), None).await;
    assert!(
        reply.text.contains("Option value 'forever' is not valid"),
        "{}",
        reply.text
    );
    assert_eq!(status_of(&router, &key).await[seed::ACCESS_DURATION_FIELD], Value::Null);
    assert!(drain(&mut events).is_empty());

    // Setting it by value, then clearing it.
    let set = json!({"fields": {seed::ACCESS_DURATION_FIELD: {"value": "1 day"}}});
    call(&router, "PUT", &uri, Some(set), None).await;
    let clear = json!({"fields": {seed::ACCESS_DURATION_FIELD: null}});
    call(&router, "PUT", &uri, Some(clear), None).await;
    let got = drain(&mut events);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["changelog"]["items"], json!([duration_item(("10606", "1 day"))]));
    assert_eq!(got[1]["changelog"]["items"][0]["fromString"], "1 day");
    assert_eq!(got[1]["changelog"]["items"][0]["to"], Value::Null);
}

/// Redelivery sends a logged event again; an unknown id is a 404 naming it.
#[tokio::test]
async fn redeliver_sends_an_event_again() {
    let sandbox = sandbox();
    let router = sandbox.router();
    let key = create(&router, "Access", "r-1").await;
    let uri = format!("/rest/api/3/issue/{key}/transitions");
    call(&router, "POST", &uri, Some(json!({"transition": {"id": "21"}})), None).await;
    let first = sandbox.events().pop().expect("an event");
    let id = first["changelog"]["id"].as_str().expect("id").to_string();

    // Nobody subscribed: not delivered, still logged.
    let reply = call(&router, "POST", &format!("/_sandbox/events/{id}/redeliver"), None, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json(), json!({"changelogId": id, "delivered": false}));

    let mut events = sandbox.subscribe_events();
    let reply = call(&router, "POST", &format!("/_sandbox/events/{id}/redeliver"), None, None).await;
    assert_eq!(reply.json()["delivered"], true);
    assert_eq!(drain(&mut events), vec![first]);

    let reply = call(&router, "POST", "/_sandbox/events/424242/redeliver", None, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.text.contains("'424242'"), "{}", reply.text);
    assert!(drain(&mut events).is_empty());
}

/// A transition needs TRANSITION_ISSUES in the issue's project; a refusal writes nothing.
#[tokio::test]
async fn a_transition_needs_the_permission() {
    let sandbox = sandbox();
    let router = sandbox.router();
    let key = create(&router, "Access", "r-1").await;
    let ops = create_ops(&router).await;
    let mut events = sandbox.subscribe_events();
    let approve = json!({"transition": {"id": "11"}, "fields": {seed::ACCESS_DURATION_FIELD: {"id": "10601"}}});
    let uri = format!("/rest/api/3/issue/{key}/transitions");
    let reply = call(
        &router,
        "POST",
        &uri,
        Some(approve.clone()),
        Some(&basic("vera@example.com")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    let message = reply.json()["errorMessages"][0]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("Transition Issues") && message.contains(&key),
        "{message}"
    );
    let fields = status_of(&router, &key).await;
    assert_eq!(fields["status"]["name"], "Open");
    assert_eq!(fields[seed::ACCESS_DURATION_FIELD], Value::Null);

    // People hold no permission in the software project; the app holds every one.
    let ops_uri = format!("/rest/api/3/issue/{ops}/transitions");
    let start = json!({"transition": {"id": "51"}});
    let reply = call(
        &router,
        "POST",
        &ops_uri,
        Some(start.clone()),
        Some(&basic("alice@example.com")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    assert!(drain(&mut events).is_empty());
    let reply = call(&router, "POST", &ops_uri, Some(start), None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let reply = call(&router, "POST", &uri, Some(approve), Some(&basic("bob@example.com"))).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    assert_eq!(drain(&mut events).len(), 2);
}

/// Access duration is a select field in the field list and both projects' create metadata.
#[tokio::test]
async fn the_access_duration_field_is_served_like_other_custom_fields() {
    let router = memory();
    let fields = call(&router, "GET", "/rest/api/3/field", None, None).await.json();
    let field = fields
        .as_array()
        .and_then(|all| all.iter().find(|f| f["id"] == seed::ACCESS_DURATION_FIELD))
        .cloned()
        .expect("listed");
    assert_eq!(field["name"], "Access duration");
    assert_eq!(field["custom"], true);
    assert_eq!(field["schema"]["type"], "option");
    assert_eq!(
        field["schema"]["custom"],
        "com.atlassian.jira.plugin.system.customfieldtypes:select"
    );
    for (project, issue_type) in [("PMCJIT", seed::ACCESS_REQUEST_TYPE_ID), ("OPS", seed::TASK_TYPE_ID)] {
        let uri = format!("/rest/api/3/issue/createmeta/{project}/issuetypes/{issue_type}");
        let meta = call(&router, "GET", &uri, None, None).await.json();
        let entry = meta["fields"]
            .as_array()
            .and_then(|all| all.iter().find(|f| f["fieldId"] == seed::ACCESS_DURATION_FIELD))
            .cloned()
            .unwrap_or_else(|| panic!("{project}: {meta}"));
        let values: Vec<&str> = entry["allowedValues"]
            .as_array()
            .expect("allowedValues")
            .iter()
            .filter_map(|v| v["value"].as_str())
            .collect();
        assert_eq!(
            values,
            [
                "Once", "1 hour", "2 hours", "4 hours", "8 hours", "1 day", "3 days", "7 days", "1 month"
            ]
        );
        assert_eq!(entry["operations"], json!(["set"]));
    }
}

/// The Status control: shown with stable ids; a post as the signed-in person moves the issue,
/// sets the duration, records the event and redirects back; refusals are pages.
#[tokio::test]
async fn the_status_control_moves_the_issue_as_the_person() {
    let sandbox = sandbox();
    let router = sandbox.router();
    let key = create(&router, "Access", "r-1").await;
    let mut events = sandbox.subscribe_events();
    let alice = cookie(seed::ALICE_APPROVER);
    let html = page(&router, &format!("/browse/{key}"), Some(&alice)).await;
    for needle in [
        format!("action=\"/sandbox/jira/browse/{key}/transition\" id=\"status-control\""),
        "<select name=\"transition\" id=\"transition\">".to_string(),
        "<option value=\"11\">Approve \u{2192} Approved</option>".to_string(),
        "<select name=\"duration\" id=\"duration\"><option value=\"\">\u{2014}</option>".to_string(),
        "<option value=\"10602\">1 hour</option>".to_string(),
        "id=\"move\">Move</button>".to_string(),
    ] {
        assert!(html.contains(&needle), "{needle} in {html}");
    }

    let target = format!("/browse/{key}/transition");
    let refused = post_form(&router, &target, "transition=99", Some(&alice)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.text.contains("Transition id &#x27;99&#x27;") || refused.text.contains("'99'"),
        "{}",
        refused.text
    );
    let refused = post_form(&router, &target, "duration=10602", Some(&alice)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text.contains("transition"), "{}", refused.text);
    let refused = post_form(&router, &target, "transition=11&duration=bogus", Some(&alice)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text.contains("bogus"), "{}", refused.text);
    let vera = cookie(seed::VERA_VIEWER);
    let refused = post_form(&router, &target, "transition=11", Some(&vera)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text.contains("permission to transition"), "{}", refused.text);
    let nobody = post_form(&router, &target, "transition=11", Some("pam_sandbox_user=nobody")).await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    let missing = post_form(&router, "/browse/PMCJIT-404/transition", "transition=11", Some(&alice)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&router, &key).await["status"]["name"], "Open");
    assert!(drain(&mut events).is_empty());

    let moved = post_form(&router, &target, "transition=11&duration=10602", Some(&alice)).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text);
    assert_eq!(
        moved.headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("/sandbox/jira/browse/{key}").as_str())
    );
    let fields = status_of(&router, &key).await;
    assert_eq!(fields["status"]["name"], "Approved");
    assert_eq!(fields[seed::ACCESS_DURATION_FIELD]["value"], "1 hour");
    let got = drain(&mut events);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["atlassianId"], seed::ALICE_APPROVER);
    assert_eq!(
        got[0]["changelog"]["items"],
        json!([
            status_item(("10001", "Open"), ("10002", "Approved")),
            duration_item(("10602", "1 hour"))
        ])
    );
    // From Approved there is no Approve, so no duration choice.
    let html = page(&router, &format!("/browse/{key}"), Some(&alice)).await;
    assert!(
        html.contains("id=\"status-control\"") && !html.contains("id=\"duration\""),
        "{html}"
    );
}

async fn approvals(router: &Router, key: &str, auth: Option<&str>) -> Reply {
    call(
        router,
        "GET",
        &format!("/rest/servicedeskapi/request/{key}/approval"),
        None,
        auth,
    )
    .await
}

/// A request's approval: listed in JSM's shape; an approver's answer completes it and moves the
/// issue (one event, as the approver); others are refused.
#[tokio::test]
async fn jsm_approvals_list_and_answer() {
    let sandbox = sandbox();
    let router = sandbox.router();
    let key = create(&router, "Access", "r-1").await;
    let mut events = sandbox.subscribe_events();
    let alice = basic("alice@example.com");
    let listed = approvals(&router, &key, Some(&alice)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let page = listed.json();
    assert_eq!(
        (page["size"].clone(), page["start"].clone(), page["isLastPage"].clone()),
        (json!(1), json!(0), json!(true))
    );
    let approval = &page["values"][0];
    assert_eq!(approval["name"], "Access approval");
    assert_eq!(approval["finalDecision"], "pending");
    assert_eq!(approval["canAnswerApproval"], true);
    assert!(approval.get("completedDate").is_none());
    assert!(approval["createdDate"]["epochMillis"].is_i64());
    let approvers: Vec<(&str, &str)> = approval["approvers"]
        .as_array()
        .expect("approvers")
        .iter()
        .filter_map(|a| Some((a["approver"]["accountId"].as_str()?, a["approverDecision"].as_str()?)))
        .collect();
    assert_eq!(
        approvers,
        [(seed::ALICE_APPROVER, "pending"), (seed::CAROL_ADMIN, "pending")]
    );
    assert_eq!(
        approval["approvers"][0]["approver"]["emailAddress"],
        "alice@example.com"
    );
    let id = approval["id"].as_str().expect("string id").to_string();
    let bob = basic(seed::BOB_REQUESTER_EMAIL);
    let as_bob = approvals(&router, &key, Some(&bob)).await.json();
    assert_eq!(as_bob["values"][0]["canAnswerApproval"], false);

    let answer_uri = format!("/rest/servicedeskapi/request/{key}/approval/{id}");
    let refused = call(
        &router,
        "POST",
        &answer_uri,
        Some(json!({"decision": "approve"})),
        Some(&bob),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert!(
        refused.json()["errorMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("not an approver")
    );
    let bad = call(
        &router,
        "POST",
        &answer_uri,
        Some(json!({"decision": "maybe"})),
        Some(&alice),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    let unknown = format!("/rest/servicedeskapi/request/{key}/approval/999");
    let missing = call(
        &router,
        "POST",
        &unknown,
        Some(json!({"decision": "approve"})),
        Some(&alice),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.text);
    assert!(missing.text.contains("'999'"), "{}", missing.text);
    assert!(drain(&mut events).is_empty());
    assert_eq!(status_of(&router, &key).await["status"]["name"], "Open");

    let answered = call(
        &router,
        "POST",
        &answer_uri,
        Some(json!({"decision": "approve"})),
        Some(&alice),
    )
    .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text);
    let dto = answered.json();
    assert_eq!(dto["finalDecision"], "approved");
    assert_eq!(dto["canAnswerApproval"], false);
    assert!(dto["completedDate"]["iso8601"].is_string(), "{dto}");
    assert_eq!(dto["approvers"][0]["approverDecision"], "approved");
    assert_eq!(dto["approvers"][1]["approverDecision"], "pending");
    assert_eq!(status_of(&router, &key).await["status"]["name"], "Approved");
    let got = drain(&mut events);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["atlassianId"], seed::ALICE_APPROVER);
    assert_eq!(
        got[0]["changelog"]["items"],
        json!([status_item(("10001", "Open"), ("10002", "Approved"))])
    );

    let carol = basic("carol@example.com");
    let again = call(
        &router,
        "POST",
        &answer_uri,
        Some(json!({"decision": "decline"})),
        Some(&carol),
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.text);
    assert!(again.text.contains("already complete"), "{}", again.text);
    assert!(drain(&mut events).is_empty());
    let one = call(&router, "GET", &answer_uri, None, Some(&carol)).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert_eq!(one.json()["finalDecision"], "approved");

    // A software project's issue is no request.
    let ops = create_ops(&router).await;
    let not_request = approvals(&router, &ops, None).await;
    assert_eq!(not_request.status, StatusCode::NOT_FOUND);
    assert!(
        not_request.json()["errorMessage"]
            .as_str()
            .unwrap_or_default()
            .contains(&ops)
    );
}

/// The approvers control replaces a pending approval's approvers (the requester can then
/// decline); bad input is refused, naming the problem.
#[tokio::test]
async fn the_approvers_control() {
    let sandbox = sandbox();
    let router = sandbox.router();
    let key = create(&router, "Access", "r-1").await;
    let uri = format!("/_sandbox/issues/{key}/approvers");
    let set = call(
        &router,
        "POST",
        &uri,
        Some(json!({"accountIds": [seed::BOB_REQUESTER]})),
        None,
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    assert_eq!(set.json()["approvers"][0]["approver"]["accountId"], seed::BOB_REQUESTER);
    for (body, needle) in [
        (json!({"accountIds": ["acc-nobody"]}), "acc-nobody"),
        (json!({"accountIds": [7]}), "7"),
        (json!({"ids": []}), "accountIds"),
    ] {
        let refused = call(&router, "POST", &uri, Some(body), None).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
        assert!(refused.text.contains(needle), "{}", refused.text);
    }
    let missing = call(
        &router,
        "POST",
        "/_sandbox/issues/PMCJIT-77/approvers",
        Some(json!({"accountIds": []})),
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text.contains("PMCJIT-77"), "{}", missing.text);
    let ops = create_ops(&router).await;
    let none = call(
        &router,
        "POST",
        &format!("/_sandbox/issues/{ops}/approvers"),
        Some(json!({"accountIds": []})),
        None,
    )
    .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);

    let bob = basic(seed::BOB_REQUESTER_EMAIL);
    let listed = approvals(&router, &key, Some(&bob)).await.json();
    assert_eq!(listed["values"][0]["canAnswerApproval"], true);
    let id = listed["values"][0]["id"].as_str().expect("id").to_string();
    let answer_uri = format!("/rest/servicedeskapi/request/{key}/approval/{id}");
    let alice = basic("alice@example.com");
    let refused = call(
        &router,
        "POST",
        &answer_uri,
        Some(json!({"decision": "approve"})),
        Some(&alice),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let declined = call(
        &router,
        "POST",
        &answer_uri,
        Some(json!({"decision": "decline"})),
        Some(&bob),
    )
    .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.text);
    assert_eq!(status_of(&router, &key).await["status"]["name"], "Denied");
    // Complete: nothing pending to change.
    let after = call(&router, "POST", &uri, Some(json!({"accountIds": []})), None).await;
    assert_eq!(after.status, StatusCode::NOT_FOUND);
}

/// The issue page shows the approval; an approver's buttons decide it; the outcome shows.
#[tokio::test]
async fn the_issue_page_answers_a_jsm_approval() {
    let sandbox = sandbox();
    let router = sandbox.router();
    let key = create(&router, "Access", "r-1").await;
    let mut events = sandbox.subscribe_events();
    let alice = cookie(seed::ALICE_APPROVER);
    let html = page(&router, &format!("/browse/{key}"), Some(&alice)).await;
    assert!(
        html.contains("Access approval") && html.contains("Waiting for approval"),
        "{html}"
    );
    assert!(
        html.contains("Alice Approver (pending), Carol Admin (pending)"),
        "{html}"
    );
    assert!(
        html.contains("id=\"jsm-approve\"") && html.contains("id=\"jsm-decline\""),
        "{html}"
    );
    let bob = cookie(seed::BOB_REQUESTER);
    let html = page(&router, &format!("/browse/{key}"), Some(&bob)).await;
    assert!(!html.contains("id=\"jsm-approve\""), "{html}");

    let target = format!("/browse/{key}/approval/1");
    let refused = post_form(&router, &target, "decision=approve", Some(&bob)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = post_form(&router, &target, "decision=later", Some(&alice)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text.contains("later"), "{}", refused.text);
    let refused = post_form(
        &router,
        &format!("/browse/{key}/approval/abc"),
        "decision=approve",
        Some(&alice),
    )
    .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(drain(&mut events).is_empty());

    let decided = post_form(&router, &target, "decision=decline", Some(&alice)).await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.text);
    assert_eq!(status_of(&router, &key).await["status"]["name"], "Denied");
    let got = drain(&mut events);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["atlassianId"], seed::ALICE_APPROVER);
    assert_eq!(
        got[0]["changelog"]["items"],
        json!([status_item(("10001", "Open"), ("10003", "Denied"))])
    );
    let html = page(&router, &format!("/browse/{key}"), Some(&alice)).await;
    assert!(html.contains("<strong>Declined</strong> by Alice Approver"), "{html}");
    assert!(!html.contains("id=\"jsm-approve\""), "{html}");
}
