//! Expiry on the server (`expiry.rs`): an approval's end is recorded once, by the tick, with a
//! note, the property and the move to the expired status.

use pam_sandboxes::jira::seed;
use serde_json::{Value, json};

use crate::protocol::{Call, HttpResponse, Invocation};
use crate::providers::epm::tests::decide::{
    HOUR_MS, approve_4h, configure, decide, notes, status, update, value, world,
};
use crate::testkit::{World, drive, http};

pub(super) fn tick(world: &mut World) -> Value {
    value(&drive(world, Invocation::Tick("epm-expiry".into())))
}

/// The sample's issue, approved for 4 hours by Alice, in the seed's workflow (which has an
/// "Expire" transition).
fn approved_for_4_hours() -> World {
    let mut world = world();
    let answer = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(answer["ok"], json!(true), "{answer}");
    world
}

#[test]
fn an_approval_expires_once_when_its_end_has_passed() {
    let mut world = approved_for_4_hours();
    let decided_at = world.now;
    assert_eq!(
        world.app_property("PMCJIT-1")["openExpiry"],
        json!(decided_at + 4 * HOUR_MS)
    );
    assert_eq!(
        tick(&mut world),
        json!({"due": 0, "expired": [], "failed": [], "skipped": 0, "more": false})
    );
    assert_eq!(status(&world), "Approved");

    world.now += 4 * HOUR_MS;
    let notes_before = notes(&world).len();
    assert_eq!(
        tick(&mut world),
        json!({"due": 1, "expired": [{"issueKey": "PMCJIT-1", "movedTo": "Expired"}], "failed": [], "skipped": 0, "more": false})
    );
    assert_eq!(status(&world), "Expired");
    let notes = notes(&world);
    assert_eq!(notes.len(), notes_before + 1);
    let (internal, text) = notes.last().unwrap();
    assert!(*internal, "an internal note on the service desk request");
    assert!(text.contains("EPM access expired"), "{text}");
    assert!(
        text.contains("The approval for 4 hours by Alice Approver ended at"),
        "{text}"
    );
    let property = world.app_property("PMCJIT-1");
    assert!(property.get("openExpiry").is_none(), "{property}");
    assert_eq!(property["expiredAt"], json!(world.now));
    assert_eq!(
        property["decision"]["approved"],
        json!(true),
        "the decision itself stays"
    );

    let calls = world.calls.len();
    assert_eq!(
        tick(&mut world),
        json!({"due": 0, "expired": [], "failed": [], "skipped": 0, "more": false})
    );
    let writes = world.calls[calls..]
        .iter()
        .filter(|c| matches!(c, Call::Jira { method, .. } if method != "GET" && !c_is_search(c)))
        .count();
    assert_eq!(writes, 0, "nothing twice");
}

fn c_is_search(call: &Call) -> bool {
    matches!(call, Call::Jira { path, .. } if path == "/rest/api/3/search/jql")
}

#[test]
fn once_approvals_and_denials_never_expire() {
    for payload in [
        json!({"decision": "approve", "duration": {"unit": "once"}, "message": "ok"}),
        json!({"decision": "deny", "message": "no"}),
    ] {
        let mut world = world();
        let answer = decide(&mut world, seed::ALICE_APPROVER, payload.clone());
        assert_eq!(answer["ok"], json!(true), "{answer}");
        assert!(world.app_property("PMCJIT-1").get("openExpiry").is_none());
        world.now += 400 * 24 * HOUR_MS;
        assert_eq!(tick(&mut world)["due"], json!(0), "{payload}");
    }
}

#[test]
fn an_approval_made_in_epm_expires_too() {
    let mut world = world();
    let (status, _) = http(&drive(&mut world, update("Approved", "2026-11-23T09:20:00Z")));
    assert_eq!(status, 200);
    let end = world.app_property("PMCJIT-1")["openExpiry"]
        .as_u64()
        .expect("openExpiry");
    world.now = end;
    assert_eq!(tick(&mut world)["expired"][0]["issueKey"], json!("PMCJIT-1"));
}

#[test]
fn without_an_expire_transition_the_note_says_so_and_it_is_not_repeated() {
    let mut world = world();
    // The workflow has no status "Gone".
    configure(&mut world, |c| c.expired_status = "Gone".into());
    decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    world.now += 5 * HOUR_MS;
    assert_eq!(
        tick(&mut world),
        json!({"due": 1, "expired": [{"issueKey": "PMCJIT-1", "movedTo": null}], "failed": [], "skipped": 0, "more": false})
    );
    assert_eq!(status(&world), "Approved");
    let (_, text) = notes(&world).last().cloned().unwrap();
    assert!(text.contains(r#"The status stays \"Approved\""#), "{text}");
    assert_eq!(tick(&mut world)["due"], json!(0));
}

#[test]
fn a_failed_search_or_record_is_retried_by_the_next_tick() {
    let mut world = approved_for_4_hours();
    world.now += 4 * HOUR_MS;
    world.jira_faults.push_back(None);
    let outcome = drive(&mut world, Invocation::Tick("epm-expiry".into()));
    assert!(
        matches!(&outcome, crate::protocol::Outcome::Error(m) if m.contains("the expiry search failed")),
        "{outcome:?}"
    );
    // The search answers (as Jira would), then reading the transitions is refused.
    let found = json!({"issues": [{
        "key": "PMCJIT-1",
        "id": world.stored_issue("PMCJIT-1").unwrap()["id"],
        "fields": {"status": {"name": "Approved"}, "project": {"projectTypeKey": "service_desk"}},
        "properties": {"pam-approvals.epm": world.app_property("PMCJIT-1")},
    }]});
    world.jira_faults.push_back(Some(HttpResponse::json(200, &found)));
    world
        .jira_faults
        .push_back(Some(HttpResponse::json(400, &json!({"errorMessages": ["no"]}))));
    let answer = tick(&mut world);
    assert_eq!(answer["failed"][0]["issueKey"], json!("PMCJIT-1"), "{answer}");
    assert!(
        world.app_property("PMCJIT-1").get("openExpiry").is_some(),
        "nothing recorded"
    );
    assert_eq!(status(&world), "Approved");
    // The failing issue waits out its backoff (5 minutes after the first failure)…
    assert_eq!(tick(&mut world)["skipped"], json!(1));
    world.now += 5 * 60_000;
    // …then the next tick records it.
    assert_eq!(tick(&mut world)["expired"][0]["movedTo"], json!("Expired"));
}

#[test]
fn a_disabled_integration_expires_nothing_and_calls_no_one() {
    let mut world = approved_for_4_hours();
    configure(&mut world, |c| c.enabled = false);
    world.now += 5 * HOUR_MS;
    let calls = world.calls.len();
    assert_eq!(tick(&mut world)["disabled"], json!(true));
    assert!(!world.calls[calls..].iter().any(|c| matches!(c, Call::Jira { .. })));
}

#[test]
fn an_unknown_scheduled_trigger_is_an_error() {
    let mut world = World::configured();
    let outcome = drive(&mut world, Invocation::Tick("nope".into()));
    assert_eq!(
        outcome,
        crate::protocol::Outcome::Error("unknown scheduled trigger \"nope\"".into())
    );
}
