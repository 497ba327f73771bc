//! Alerts become one issue each; the panel shows the request live and decides it through
//! Commander; Keeper's own decisions and status alerts are recorded once.

use serde_json::json;

use super::*;

#[test]
fn a_kepm_alert_becomes_one_labelled_issue_and_a_retry_finds_it() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    let issue = world.stored_issue(&key).expect("issue");
    assert_eq!(
        issue["fields"]["labels"],
        json!(["ITSM_approval_request_created"]),
        "{issue}"
    );
    assert_eq!(
        world.property_of(&key, "pam-approvals.keeper")["sid"],
        json!(bound(&world, &key).sid)
    );
    assert!(
        world.property_of(&key, "pam-approvals.keeper")["openUntil"]
            .as_u64()
            .is_some()
    );
    // Keeper sends the alert again: the same issue, nothing new.
    let body = kepm_alert(&world, UID, seed::BOB_REQUESTER_EMAIL);
    let (status, answer) = send(&mut world, &body);
    assert_eq!((status, answer["issueKey"].as_str()), (200, Some(key.as_str())));
    assert_eq!(world.issue_count(), 1);
    // The kept alert's job finds the work done.
    world.run_jobs(60_000);
    assert_eq!(world.issue_count(), 1);
    assert!(
        world.kv.keys().all(|k| !k.starts_with("keeper:inbox:")),
        "the kept alert is dropped"
    );
}

#[test]
fn the_panel_shows_the_request_live_and_an_admin_approves_it_in_keeper() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    let shown = view(&mut world, seed::CAROL_ADMIN, &key);
    assert_eq!(shown["ok"], json!(true), "{shown}");
    let v = &shown["view"];
    assert_eq!(
        (v["kind"].as_str(), v["live"].as_str()),
        (Some("kepm"), Some("current"))
    );
    assert_eq!(v["kepm"]["status"], json!("Pending"));
    assert_eq!(v["kepm"]["requester"], json!(seed::BOB_REQUESTER_EMAIL));
    assert_eq!(v["kepm"]["justification"], json!("Install the printer driver"));
    let created = crate::time::parse(&world.keeper.kepm[UID].created).unwrap();
    assert_eq!(v["expiresAt"], json!(created + 30 * 60 * 1000));
    assert_eq!(v["canDecide"], json!(true), "{v}");
    world.now += 60_000;
    let decided = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(decided["ok"], json!(true), "{decided}");
    assert_eq!(decided["view"]["outcome"]["result"], json!("approved"));
    assert_eq!(decided["view"]["outcome"]["source"], json!("jira"));
    assert_eq!(world.keeper.kepm[UID].status, "Approved");
    assert_eq!(
        world.keeper.actions(),
        vec![format!("epm approval action --approve={UID}")]
    );
    assert_eq!(world.status(&key), "Approved");
    let notes = world.notes(&key);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].1.contains("approved in Jira by Carol Admin"), "{notes:?}");
    let property = world.property_of(&key, "pam-approvals.keeper");
    assert_eq!(property["outcome"]["result"], json!("approved"));
    assert!(property.get("openUntil").is_none());
    // A second decision is refused: first decision wins; nothing more is sent.
    let again = decide(&mut world, seed::CAROL_ADMIN, &key, "deny");
    assert_eq!(again["error"]["code"], json!("already-decided"), "{again}");
    assert_eq!(world.keeper.actions().len(), 1);
}

#[test]
fn a_device_request_is_denied_by_its_device_id() {
    let mut world = world();
    let key = device_issue(&mut world);
    let shown = view(&mut world, seed::CAROL_ADMIN, &key);
    assert_eq!(shown["view"]["kind"], json!("device"), "{shown}");
    assert_eq!(shown["view"]["devices"][0]["deviceName"], json!("Bob's laptop"));
    assert_eq!(
        shown["view"]["expiresAt"],
        json!(null),
        "device approvals do not expire"
    );
    let decided = decide(&mut world, seed::CAROL_ADMIN, &key, "deny");
    assert_eq!(decided["view"]["outcome"]["result"], json!("denied"), "{decided}");
    assert_eq!(
        world.keeper.actions(),
        vec![format!("device-approve --deny {DEVICE_ID}")]
    );
    assert_eq!(world.keeper.devices[0].decided, Some(false));
    assert_eq!(world.status(&key), "Denied");
}

#[test]
fn a_request_decided_in_keeper_is_shown_and_recorded_once() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    world.keeper.kepm.get_mut(UID).unwrap().status = "Denied".into();
    let shown = view(&mut world, seed::ALICE_APPROVER, &key);
    assert_eq!(shown["view"]["outcome"]["source"], json!("keeper"), "{shown}");
    assert_eq!(shown["view"]["outcome"]["result"], json!("denied"));
    assert_eq!(shown["view"]["canDecide"], json!(false));
    for _ in 0..3 {
        view(&mut world, seed::CAROL_ADMIN, &key);
    }
    let notes = world.notes(&key);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].1.contains("processed outside Jira"), "{notes:?}");
    assert_eq!(world.status(&key), "Denied");
    let refused = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(refused["error"]["code"], json!("already-decided"));
    assert!(world.keeper.actions().is_empty());
}

#[test]
fn a_status_alert_records_an_outside_decision_without_anyone_opening_the_issue() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    world.keeper.kepm.get_mut(UID).unwrap().status = "Approved".into();
    let body = json!({"alert_name": "Changed approval request status", "json": {"audit_event": "approval_request_status_changed", "request_uid": UID}}).to_string();
    let (status, answer) = send(&mut world, &body);
    assert_eq!(status, 202, "{answer}");
    world.run_jobs(60_000);
    assert_eq!(outcome(&world, &key).expect("outcome").source, "keeper");
    assert_eq!(world.status(&key), "Approved");
    assert_eq!(world.notes(&key).len(), 1);
}

#[test]
fn a_keeper_itsm_ticket_is_bound_once_from_its_description() {
    let mut world = world();
    // A ticket Keeper ITSM made: labelled, the UID in the description.
    let (status, made) = world.person_call(
        seed::CAROL_ADMIN,
        "POST",
        "/rest/api/3/issue",
        Some(&json!({"fields": {
            "project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "EPM approval",
            "labels": ["ITSM_approval_request_created"],
            "description": {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": format!("Request UID: {UID}")}]}]},
        }})),
    );
    assert_eq!(status, 201, "{made}");
    let key = made["key"].as_str().unwrap().to_string();
    let shown = view(&mut world, seed::CAROL_ADMIN, &key);
    assert_eq!(shown["view"]["source"], json!("ticket"), "{shown}");
    assert_eq!(shown["view"]["kepm"]["status"], json!("Pending"));
    // Editing the description later does not rebind the ticket to Carol's request.
    let path = format!("/rest/api/3/issue/{key}");
    let edit = json!({"fields": {"description": {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": format!("Request UID: {CAROLS_UID}")}]}]}}});
    let (status, _) = world.person_call(seed::BOB_REQUESTER, "PUT", &path, Some(&edit));
    assert!(status == 204 || status == 403, "{status}");
    assert_eq!(bound(&world, &key).subject.label(), format!("KEPM request {UID}"));
    // Bound, the ticket carries the app's property: the expiry tick finds it unopened.
    assert!(
        world.property_of(&key, "pam-approvals.keeper")["openUntil"]
            .as_u64()
            .is_some()
    );
    world.now += 31 * 60 * 1000;
    let crate::Outcome::Value(ticked) = crate::testkit::drive(&mut world, Invocation::Tick("keeper-expiry".into()))
    else {
        panic!()
    };
    assert!(ticked.contains("\"expired\":1"), "{ticked}");
    assert_eq!(world.status(&key), "Expired");
}

#[test]
fn unknown_alerts_are_accepted_and_only_logged() {
    let mut world = world();
    let body = json!({"alert_name": "Record shared", "json": {"audit_event": "record_share"}}).to_string();
    let (status, answer) = send(&mut world, &body);
    assert_eq!((status, answer["ignored"].as_bool()), (202, Some(true)));
    assert_eq!(world.issue_count(), 0);
    assert!(world.logs.iter().any(|l| l.contains("record_share")));
}

#[test]
fn a_request_keeper_does_not_know_is_shown_as_such_and_cannot_be_decided() {
    let mut world = world();
    let body = kepm_alert(&world, "AAAAAAAAAAAAAAAAAAAAAA", seed::BOB_REQUESTER_EMAIL);
    let (status, made) = send(&mut world, &body);
    assert_eq!(status, 201, "{made}");
    let key = made["issueKey"].as_str().unwrap().to_string();
    let shown = view(&mut world, seed::CAROL_ADMIN, &key);
    assert_eq!(shown["view"]["live"], json!("unknown-request"), "{shown}");
    assert_eq!(shown["view"]["canDecide"], json!(false));
    let refused = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(refused["error"]["code"], json!("keeper-failed"), "{refused}");
    assert!(world.keeper.actions().is_empty());
}
