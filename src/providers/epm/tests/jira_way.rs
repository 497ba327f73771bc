//! Deciding the Jira way in the core: a person moves the issue (a transition in the sandbox
//! Jira, as that person), the sandbox's issue-updated event reaches the app, and the decision
//! goes to EPM with the action's rules, or the move is undone with a note.

use pam_sandboxes::jira::seed;
use serde_json::{Value, json};

use super::decide::{approve_4h, configure, decide, notes, status, world};
use crate::protocol::{Invocation, Outcome};
use crate::testkit::{World, drive};

/// The workflow's transitions (`seed.rs`).
const APPROVE: &str = "11";
const DENY: &str = "21";
const REOPEN: &str = "41";

fn move_issue(world: &mut World, person: &str, transition: &str) -> Vec<Value> {
    world.move_issue(person, "PMCJIT-1", transition)
}

fn deliver(world: &mut World, event: &Value) -> Value {
    world.deliver_event(event)
}

/// `person` moves PMCJIT-1; every event is delivered; the last answer.
fn moved(world: &mut World, person: &str, transition: &str) -> Value {
    let events = move_issue(world, person, transition);
    assert!(!events.is_empty(), "a transition makes an event");
    let mut last = Value::Null;
    for event in &events {
        last = deliver(world, event);
    }
    // The app's own moves (back, or its recording) make events too: they change nothing.
    for event in world.issue_events() {
        let answer = deliver(world, &event);
        assert_eq!(answer["result"], json!("ignored"), "{answer}");
    }
    last
}

#[test]
fn moving_to_approved_sends_the_decision_and_records_it() {
    let mut world = world();
    let answer = moved(&mut world, seed::ALICE_APPROVER, APPROVE);
    assert_eq!(answer["result"], json!("decided"), "{answer}");
    assert_eq!(world.epm.decisions.len(), 1);
    let sent = &world.epm.decisions[0];
    assert_eq!(sent["decision"], json!("Approved"));
    assert_eq!(sent["duration"], json!("Once"), "the default duration");
    assert_eq!(sent["decisionPerformedByUser"], json!("Alice Approver"));
    assert_eq!(status(&world), "Approved");
    let decision = &world.app_property("PMCJIT-1")["decision"];
    assert_eq!(decision["source"], json!("transition"));
    assert_eq!(decision["decidedBy"]["accountId"], json!(seed::ALICE_APPROVER));
    let notes = notes(&world);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].1.contains("Approved by Alice Approver"), "{notes:?}");
    assert!(notes[0].1.contains("by moving the issue in Jira"), "{notes:?}");
}

#[test]
fn moving_to_denied_denies_it() {
    let mut world = world();
    let answer = moved(&mut world, seed::ALICE_APPROVER, DENY);
    assert_eq!(answer["result"], json!("decided"), "{answer}");
    assert_eq!(world.epm.decisions[0]["decision"], json!("Denied"));
    assert_eq!(status(&world), "Denied");
}

#[test]
fn the_configured_default_duration_applies() {
    let mut world = world();
    configure(&mut world, |c| c.default_duration = "8 hours".into());
    moved(&mut world, seed::ALICE_APPROVER, APPROVE);
    assert_eq!(world.epm.decisions[0]["duration"], json!("28800"));
    let decision = &world.app_property("PMCJIT-1")["decision"];
    assert_eq!(decision["expiresAt"], json!(world.now + 8 * super::decide::HOUR_MS));
}

#[test]
fn without_any_duration_an_approval_is_moved_back() {
    let mut world = world();
    configure(&mut world, |c| c.default_duration = String::new());
    let answer = moved(&mut world, seed::ALICE_APPROVER, APPROVE);
    assert_eq!(answer["result"], json!("moved-back"), "{answer}");
    assert!(world.epm.decisions.is_empty());
    assert_eq!(status(&world), "Open");
    let notes = notes(&world);
    assert!(notes[0].1.contains("No access duration"), "{notes:?}");
}

/// The requester forges the app's property to look decided by someone else, then moves the
/// issue: the app goes by its records and the platform's word on who moved it.
#[test]
fn the_requester_moving_their_own_request_is_moved_back() {
    let mut world = world();
    let mut forged = world.app_property("PMCJIT-1");
    forged["decision"] = json!({"approved": true, "decidedBy": {"accountId": seed::ALICE_APPROVER, "displayName": "Alice Approver"}, "source": "transition"});
    forged["requester"] = json!({"accountId": seed::ALICE_APPROVER});
    world.edit_property(seed::BOB_REQUESTER, "PMCJIT-1", &forged);
    let answer = moved(&mut world, seed::BOB_REQUESTER, APPROVE);
    assert_eq!(answer["result"], json!("moved-back"), "{answer}");
    assert!(answer["reason"].as_str().unwrap().contains("someone else"), "{answer}");
    assert!(world.epm.decisions.is_empty() && world.epm.token_requests == 0);
    assert_eq!(status(&world), "Open");
    let notes = notes(&world);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].0, "internal on a service desk request");
    assert!(
        notes[0]
            .1
            .contains("Not sent to EPM: Bob Requester moved this request to"),
        "{notes:?}"
    );
    assert!(notes[0].1.contains("someone else has to decide it"), "{notes:?}");
    assert!(notes[0].1.contains("The app moved it back to"), "{notes:?}");
    // The request is still open: an approver decides it with the action.
    let answer = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(answer["ok"], json!(true), "{answer}");
}

#[test]
fn a_person_without_the_approval_right_is_moved_back() {
    let mut world = world();
    configure(&mut world, |c| c.approver_group = seed::PAM_APPROVERS_GROUP.into());
    let answer = moved(&mut world, seed::JOHN_DOE, APPROVE);
    assert_eq!(answer["result"], json!("moved-back"), "{answer}");
    assert!(answer["reason"].as_str().unwrap().contains("pam-approvers"), "{answer}");
    assert!(world.epm.decisions.is_empty());
    assert_eq!(status(&world), "Open");
}

#[test]
fn after_the_action_decided_a_move_makes_no_second_decision() {
    let mut world = world();
    let answer = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(answer["ok"], json!(true), "{answer}");
    // The action's own move to Approved was the app's: ignored.
    for event in world.issue_events() {
        assert_eq!(deliver(&mut world, &event)["result"], json!("ignored"));
    }
    // John reopens (decides nothing) and denies: the decision stands and the issue goes back.
    assert_eq!(moved(&mut world, seed::JOHN_DOE, REOPEN)["result"], json!("ignored"));
    let answer = moved(&mut world, seed::JOHN_DOE, DENY);
    assert_eq!(answer["result"], json!("moved-back"), "{answer}");
    assert!(
        answer["reason"].as_str().unwrap().contains("already decided"),
        "{answer}"
    );
    assert_eq!(world.epm.decisions.len(), 1);
    // The workflow has no Denied → Approved: the issue goes back to where it was moved from.
    assert_eq!(status(&world), "Open");
    assert_eq!(notes(&world).len(), 2, "the decision's note and the refusal's");
}

#[test]
fn epm_refusing_moves_the_issue_back_and_nothing_is_recorded() {
    let mut world = world();
    // EPM answers the first call (the token) with a refusal: nothing was sent.
    world.epm.faults.push_back(Some(400));
    let answer = moved(&mut world, seed::ALICE_APPROVER, APPROVE);
    assert_eq!(answer["result"], json!("moved-back"), "{answer}");
    assert!(world.epm.decisions.is_empty());
    assert_eq!(status(&world), "Open");
    assert!(world.app_property("PMCJIT-1")["decision"].is_null());
    // Nothing was claimed for good: the next move decides.
    let answer = moved(&mut world, seed::ALICE_APPROVER, APPROVE);
    assert_eq!(answer["result"], json!("decided"), "{answer}");
    assert_eq!(world.epm.decisions.len(), 1);
}

#[test]
fn duplicate_and_stale_events_change_nothing_twice() {
    let mut world = world();
    let events = move_issue(&mut world, seed::ALICE_APPROVER, APPROVE);
    let first = deliver(&mut world, &events[0]);
    assert_eq!(first["result"], json!("decided"));
    let again = deliver(&mut world, &events[0]);
    assert_eq!(again["result"], json!("ignored"), "{again}");
    assert!(again["reason"].as_str().unwrap().contains("duplicate"), "{again}");
    assert_eq!((world.epm.decisions.len(), notes(&world).len()), (1, 1));

    // An event about a move the issue has since left is stale.
    let mut other = super::decide::world();
    let events = move_issue(&mut other, seed::BOB_REQUESTER, APPROVE);
    move_issue(&mut other, seed::BOB_REQUESTER, REOPEN);
    let stale = deliver(&mut other, &events[0]);
    assert_eq!(stale["result"], json!("ignored"), "{stale}");
    assert!(stale["reason"].as_str().unwrap().contains("moved on"), "{stale}");
    assert!(other.epm.decisions.is_empty() && notes(&other).is_empty());
}

#[test]
fn turned_off_or_other_issues_are_ignored_and_write_nothing() {
    let mut world = world();
    configure(&mut world, |c| c.decide_by_transition = false);
    let answer = moved(&mut world, seed::ALICE_APPROVER, APPROVE);
    assert_eq!(answer["result"], json!("ignored"), "{answer}");
    assert!(world.epm.decisions.is_empty() && notes(&world).is_empty());
    assert_eq!(
        status(&world),
        "Approved",
        "the move stands: the app does not decide by moves"
    );

    // An issue a person created, with the app's property forged on it.
    let mut world = super::decide::world();
    let forged = world.app_property("PMCJIT-1");
    let key = world.user_issue(seed::BOB_REQUESTER, forged);
    let body = json!({"transition": {"id": APPROVE}});
    let path = format!("/rest/api/3/issue/{key}/transitions");
    let (code, _) = world.person_call(seed::ALICE_APPROVER, "POST", &path, Some(&body));
    assert_eq!(code, 204);
    let kv_before = world.kv.clone();
    for event in world.issue_events() {
        let answer = deliver(&mut world, &event);
        assert_eq!(answer["result"], json!("ignored"), "{answer}");
    }
    assert_eq!(
        world.kv, kv_before,
        "nothing written for an issue that is not the app's"
    );
    assert!(world.epm.decisions.is_empty());
}

#[test]
fn malformed_events_are_errors_naming_the_problem_and_write_nothing() {
    let mut world = world();
    let kv_before = world.kv.clone();
    let cases = [
        ("avi:jira:deleted:issue", "{}".to_string(), "unknown event type"),
        ("avi:jira:updated:issue", "not json".to_string(), "not JSON"),
        (
            "avi:jira:updated:issue",
            json!({"issue": {"id": "1"}}).to_string(),
            "issue.key",
        ),
    ];
    for (event_type, payload, expected) in cases {
        let outcome = drive(
            &mut world,
            Invocation::Event {
                event_type: event_type.into(),
                payload,
            },
        );
        match outcome {
            Outcome::Error(message) => assert!(message.contains(expected), "{expected}: {message}"),
            other => panic!("{expected}: {other:?}"),
        }
    }
    assert_eq!(world.kv, kv_before);
}

#[test]
fn the_duration_comes_from_the_configured_field() {
    let mut world = world();
    configure(&mut world, |c| c.duration_field_id = seed::ACCESS_DURATION_FIELD.into());
    let body = json!({"transition": {"id": APPROVE}, "fields": {seed::ACCESS_DURATION_FIELD: {"id": "10604"}}});
    let (code, answer) = world.person_call(
        seed::ALICE_APPROVER,
        "POST",
        "/rest/api/3/issue/PMCJIT-1/transitions",
        Some(&body),
    );
    assert_eq!(code, 204, "{answer}");
    for event in world.issue_events() {
        deliver(&mut world, &event);
    }
    assert_eq!(world.epm.decisions.len(), 1);
    assert_eq!(world.epm.decisions[0]["duration"], json!("14400"), "4 hours");
    let decision = &world.app_property("PMCJIT-1")["decision"];
    assert_eq!(decision["durationLabel"], json!("4 hours"));
}

/// The JSM approval of PMCJIT-1 (the sandbox makes one per service desk request) answered by
/// `person`; the events delivered; the last answer.
fn jsm_answer(world: &mut World, person: &str, decision: &str) -> Value {
    let (code, approvals) = world.person_call(person, "GET", "/rest/servicedeskapi/request/PMCJIT-1/approval", None);
    assert_eq!(code, 200, "{approvals}");
    let id = approvals["values"][0]["id"].as_str().expect("an approval").to_string();
    let path = format!("/rest/servicedeskapi/request/PMCJIT-1/approval/{id}");
    let (code, answer) = world.person_call(person, "POST", &path, Some(&json!({"decision": decision})));
    assert_eq!(code, 200, "{person} answering: {answer}");
    let mut last = Value::Null;
    for event in world.issue_events() {
        last = deliver(world, &event);
    }
    for event in world.issue_events() {
        assert_eq!(deliver(world, &event)["result"], json!("ignored"));
    }
    last
}

fn set_approvers(world: &mut World, people: &[&str]) {
    let body = json!({"accountIds": people}).to_string();
    let answer = world.sandbox_call(None, "POST", "/_sandbox/issues/PMCJIT-1/approvers", Some(&body));
    assert_eq!(answer.status, 200, "{}", answer.body);
}

fn jsm_world(trust: bool) -> World {
    let mut world = world();
    configure(&mut world, |c| {
        c.decide_by_jsm_approval = true;
        c.decide_by_transition = false;
        c.trust_jsm_approvers = trust;
        c.approver_group = seed::PAM_APPROVERS_GROUP.into();
    });
    world
}

#[test]
fn a_completed_jsm_approval_is_the_decision_and_its_approver_decides() {
    let mut world = jsm_world(false);
    let answer = jsm_answer(&mut world, seed::ALICE_APPROVER, "approve");
    assert_eq!(answer["result"], json!("decided"), "{answer}");
    assert_eq!(answer["by"], json!("Alice Approver"));
    assert_eq!(world.epm.decisions.len(), 1);
    assert_eq!(
        world.epm.decisions[0]["decisionPerformedByUser"],
        json!("Alice Approver")
    );
    let decision = &world.app_property("PMCJIT-1")["decision"];
    assert_eq!(decision["source"], json!("approval"));
    let notes = notes(&world);
    assert!(notes[0].1.contains("Jira Service Management approval"), "{notes:?}");

    let mut world = jsm_world(false);
    let answer = jsm_answer(&mut world, seed::ALICE_APPROVER, "decline");
    assert_eq!(answer["result"], json!("decided"), "{answer}");
    assert_eq!(world.epm.decisions[0]["decision"], json!("Denied"));
}

/// JSM lets the requester be an approver of their own request: the app never accepts it, with
/// JSM's approver list trusted or not, whatever the property says.
#[test]
fn the_requester_approving_in_jsm_is_not_sent_to_epm() {
    for trust in [false, true] {
        let mut world = jsm_world(trust);
        let mut forged = world.app_property("PMCJIT-1");
        forged["requester"] = json!({"accountId": seed::ALICE_APPROVER, "displayName": "Alice"});
        world.edit_property(seed::BOB_REQUESTER, "PMCJIT-1", &forged);
        set_approvers(&mut world, &[seed::BOB_REQUESTER]);
        let answer = jsm_answer(&mut world, seed::BOB_REQUESTER, "approve");
        assert_eq!(answer["result"], json!("moved-back"), "trust {trust}: {answer}");
        assert!(world.epm.decisions.is_empty(), "trust {trust}");
        assert_eq!(status(&world), "Open");
    }
}

/// A JSM approver outside the configured group: refused unless JSM's list is trusted.
#[test]
fn trusting_jsm_approvers_is_the_admins_choice() {
    for (trust, expected) in [(false, "moved-back"), (true, "decided")] {
        let mut world = jsm_world(trust);
        set_approvers(&mut world, &[seed::JOHN_DOE]);
        let answer = jsm_answer(&mut world, seed::JOHN_DOE, "approve");
        assert_eq!(answer["result"], json!(expected), "trust {trust}: {answer}");
        assert_eq!(world.epm.decisions.len(), usize::from(trust));
    }
}

/// Without a group, the right is Jira's *Transition issues* on the issue, looked up for the
/// approver as the app: Vera may browse but not transition, so her JSM approval is refused.
#[test]
fn a_jsm_approver_without_transition_rights_is_refused() {
    let mut world = jsm_world(false);
    configure(&mut world, |c| c.approver_group = String::new());
    set_approvers(&mut world, &[seed::VERA_VIEWER]);
    let answer = jsm_answer(&mut world, seed::VERA_VIEWER, "approve");
    assert_eq!(answer["result"], json!("moved-back"), "{answer}");
    assert!(
        answer["reason"].as_str().unwrap().contains("Transition issues"),
        "{answer}"
    );
    assert!(world.epm.decisions.is_empty());
}
