//! The PRA sandbox's controls: the request the appliance would post, the listings, settings
//! and reset.

use super::*;

/// Validates: `POST requests` answers 201 with the id, the exact form the appliance posts (every
/// key of the seed, the response URL on the sandbox host, Bob from the sandbox Jira) and the
/// same keys as JSON; overrides apply; a taken id is 409; wrong overrides name their field.
#[tokio::test]
async fn a_jump_request_is_the_appliances_form() {
    let (router, _) = open();
    let created = send(&router, "POST", "/_sandbox/requests", &[], "").await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.json["requestId"].as_str().expect("id").to_string();
    let form = created.json["form"].as_str().expect("form");
    assert!(
        form.starts_with(&format!(
            "request_id={id}&ticket_id=PMCJIT-1&response_url=https%3A%2F%2Fpra.sandbox.test%2Fapi%2Fendpoint_approval&jump_item.computer_name=web-01.corp.example&jump_item.type=shell_jump&"
        )),
        "{form}"
    );
    let decoded: serde_json::Map<String, Value> = form_urlencoded::parse(form.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    assert_eq!(
        Value::Object(decoded),
        created.json["json"],
        "form and json hold the same keys"
    );
    let json = &created.json["json"];
    assert_eq!(json["jump_item.private_ip"], "10.0.4.21");
    assert_eq!(json["jump_item.group"], "Production Web");
    assert_eq!(json["jump_item.jumpoint_name"], "DC1 Jumpoint");
    assert_eq!(json["user.username"], "bob.requester");
    assert_eq!(json["user.email_address"], crate::jira::seed::BOB_REQUESTER_EMAIL);
    assert_eq!(json.as_object().map(|o| o.len()), Some(17));

    let overridden = send(
        &router,
        "POST",
        "/_sandbox/requests",
        &[JSON],
        &json!({"ticketId": "OPS-3", "computerName": "db-02", "user": {"emailAddress": "carol@example.com"}})
            .to_string(),
    )
    .await;
    assert_eq!(overridden.json["json"]["ticket_id"], "OPS-3");
    assert_eq!(overridden.json["json"]["jump_item.computer_name"], "db-02");
    assert_eq!(overridden.json["json"]["user.email_address"], "carol@example.com");

    let taken = send(
        &router,
        "POST",
        "/_sandbox/requests",
        &[JSON],
        &json!({"requestId": id}).to_string(),
    )
    .await;
    assert_eq!(
        (taken.status, taken.json["field"].clone()),
        (StatusCode::CONFLICT, json!("requestId"))
    );
    let wrong = send(
        &router,
        "POST",
        "/_sandbox/requests",
        &[JSON],
        r#"{"user": {"mail": "x"}}"#,
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.json["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("user.mail"))
    );

    let listed = get(&router, "/_sandbox/requests").await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert_eq!(listed[0]["requestId"], id.as_str());
    assert_eq!(listed[0]["state"], "pending");
    assert_eq!(listed[0]["json"], created.json["json"]);
    assert_eq!(listed[0]["response"], Value::Null);
    let missing = send(&router, "GET", "/_sandbox/requests/nope", &[], "").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&router, "/_sandbox/log").await,
        json!([]),
        "controls are not logged"
    );
}

/// Validates: settings take either field and refuse anything else naming the field; reset
/// forgets requests, responses, the log and faults, and restores the default settings.
#[tokio::test]
async fn settings_and_reset() {
    let (router, _) = open();
    assert_eq!(
        get(&router, "/_sandbox/settings").await,
        json!({"ticketSystemConfigured": true, "timeoutSeconds": 120})
    );
    for (body, field) in [
        (json!({"timeoutSeconds": 0}), Some("timeoutSeconds")),
        (json!({"timeoutSeconds": 86401}), Some("timeoutSeconds")),
        (json!({"timeoutSeconds": "60"}), Some("timeoutSeconds")),
        (json!({"ticketSystemConfigured": "no"}), Some("ticketSystemConfigured")),
        (json!({"timeout": 60}), Some("timeout")),
        (json!([]), None),
    ] {
        let reply = settings(&router, body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.json["field"].as_str(), field, "{body}");
    }
    settings(&router, json!({"ticketSystemConfigured": false, "timeoutSeconds": 30})).await;
    let id = jump_request(&router, json!({})).await;
    respond(&router, &allow(&id)).await;
    crate::test_support::fail(&router, json!({"fault": {"status": 500}})).await;

    let reset = send(&router, "POST", "/_sandbox/reset", &[], "").await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(get(&router, "/_sandbox/requests").await, json!([]));
    assert_eq!(get(&router, "/_sandbox/responses").await, json!([]));
    assert_eq!(get(&router, "/_sandbox/log").await, json!([]));
    assert_eq!(get(&router, "/_sandbox/fail").await, json!([]));
    assert_eq!(
        get(&router, "/_sandbox/settings").await,
        json!({"ticketSystemConfigured": true, "timeoutSeconds": 120})
    );
    let other = send(&router, "POST", "/api/other", &[FORM], "").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}
