//! The rules on the server: the 30-minute expiry on the app's clock, who may decide, never the
//! requester, first decision wins, and nothing a requester writes on the issue counts.

use serde_json::json;

use super::*;
use crate::testkit::drive;

const MINUTE: u64 = 60_000;

#[test]
fn a_kepm_request_can_be_decided_at_29_59_and_not_at_30_01() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    let created = crate::time::parse(&world.keeper.kepm[UID].created).unwrap();
    world.now = created + 30 * MINUTE - 1_000;
    let decided = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(decided["ok"], json!(true), "{decided}");

    let mut world = super::world();
    let key = kepm_issue(&mut world);
    world.now = created + 30 * MINUTE + 1_000;
    let refused = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(refused["error"]["code"], json!("already-decided"), "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("expired"));
    assert!(world.keeper.actions().is_empty(), "nothing is sent after expiry");
    assert_eq!(world.status(&key), "Expired");
}

#[test]
fn the_tick_marks_expired_requests_without_anyone_opening_them() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    world.now += 29 * MINUTE;
    let tick = || Invocation::Tick("keeper-expiry".into());
    let Outcome::Value(first) = drive(&mut world, tick()) else {
        panic!()
    };
    assert!(first.contains("\"expired\":0"), "{first}");
    world.now += 2 * MINUTE;
    let Outcome::Value(second) = drive(&mut world, tick()) else {
        panic!()
    };
    assert!(second.contains("\"expired\":1"), "{second}");
    assert_eq!(world.status(&key), "Expired");
    assert_eq!(outcome(&world, &key).unwrap().source, "expiry");
    assert!(
        world
            .property_of(&key, "pam-approvals.keeper")
            .get("openUntil")
            .is_none()
    );
    let Outcome::Value(third) = drive(&mut world, tick()) else {
        panic!()
    };
    assert!(third.contains("\"expired\":0"), "{third}");
    assert_eq!(world.notes(&key).len(), 1);
}

#[test]
fn only_administrators_or_the_configured_group_decide() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    let alice = view(&mut world, seed::ALICE_APPROVER, &key);
    assert_eq!(alice["view"]["canDecide"], json!(false));
    assert_eq!(alice["view"]["whyNot"]["code"], json!("not-approver"));
    let refused = decide(&mut world, seed::ALICE_APPROVER, &key, "approve");
    assert_eq!(refused["error"]["code"], json!("not-approver"), "{refused}");
    assert!(world.keeper.actions().is_empty());
    let mut group = settings();
    group.deciders = crate::providers::keeper::settings::Deciders::Group;
    group.decider_group = seed::PAM_APPROVERS_GROUP.into();
    set_settings(&mut world, &group);
    let allowed = decide(&mut world, seed::ALICE_APPROVER, &key, "approve");
    assert_eq!(allowed["ok"], json!(true), "{allowed}");
}

#[test]
fn the_requester_never_approves_their_own_request_even_by_editing_the_issue() {
    let mut world = world();
    // Carol (an administrator) asked for elevation in Keeper.
    let body = kepm_alert(&world, CAROLS_UID, "carol@example.com");
    let (status, made) = send(&mut world, &body);
    assert_eq!(status, 201, "{made}");
    let key = made["key"].as_str().or(made["issueKey"].as_str()).unwrap().to_string();
    let refused = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(refused["error"]["code"], json!("self-approval"), "{refused}");
    // She rewrites the app's property and the description to name Bob's request, and relabels:
    // the issue stays bound to her own request, whose requester Keeper says is her.
    world.edit_property_of(
        seed::CAROL_ADMIN,
        &key,
        "pam-approvals.keeper",
        &json!({"provider": "keeper", "sid": "forged", "subject": {"kind": "kepm", "uid": UID}, "outcome": {"result": "approved", "source": "jira"}}),
    );
    let path = format!("/rest/api/3/issue/{key}");
    let edit = json!({"fields": {"labels": ["ITSM_approval_request_created"], "description": {"type": "doc", "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": format!("Request UID: {UID}")}]}]}}});
    let (status, _) = world.person_call(seed::CAROL_ADMIN, "PUT", &path, Some(&edit));
    assert_eq!(status, 204);
    let again = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(again["error"]["code"], json!("self-approval"), "{again}");
    assert_eq!(world.keeper.kepm[CAROLS_UID].status, "Pending");
    assert_eq!(world.keeper.kepm[UID].status, "Pending");
    assert!(world.keeper.actions().is_empty());
    // The forged property's "approved" is never taken for a decision.
    let shown = view(&mut world, seed::CAROL_ADMIN, &key);
    assert_eq!(shown["view"]["outcome"], json!(null), "{shown}");
}

#[test]
fn two_admins_deciding_at_once_send_one_action() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    // Carol's decision is in flight (Commander slow); a second decision waits for it.
    world.keeper.slow_actions = 1_000;
    let first = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(first["view"]["live"], json!("sending"), "{first}");
    let second = decide(&mut world, seed::CAROL_ADMIN, &key, "deny");
    assert_eq!(second["error"]["code"], json!("already-decided"), "{second}");
    assert_eq!(world.keeper.actions().len(), 1);
    world.keeper.catch_up();
    world.run_jobs(120_000);
    assert_eq!(outcome(&world, &key).unwrap().result, "approved");
    assert_eq!(world.status(&key), "Approved");
}
