//! Deciding a Keeper request by moving its issue: the sandbox Jira's issue-updated event
//! reaches the app, and the decision goes to Keeper through Commander with the panel's rules,
//! or the move is undone with a note.

use serde_json::json;

use super::*;

const APPROVE: &str = "11";

/// `person` moves the issue; its events, then the app's own that followed, delivered; the
/// answers in order.
fn moved(world: &mut World, person: &str, key: &str, transition: &str) -> Vec<serde_json::Value> {
    let events = world.move_issue(person, key, transition);
    let mut answers: Vec<_> = events.iter().map(|e| world.deliver_event(e)).collect();
    answers.extend(world.deliver_events());
    answers
}
const DENY: &str = "21";

/// Carol's own KEPM request: she administers Jira, so she may move it, but she asked.
fn carols_issue(world: &mut World) -> String {
    let body = kepm_alert(world, CAROLS_UID, "carol@example.com");
    let (status, answer) = send(world, &body);
    assert_eq!(status, 201, "{answer}");
    answer["issueKey"].as_str().expect("issueKey").to_string()
}

#[test]
fn an_administrator_moving_the_issue_approves_the_request_in_keeper() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    let answers = moved(&mut world, seed::CAROL_ADMIN, &key, APPROVE);
    assert_eq!(answers[0]["result"], json!("decided"), "{answers:?}");
    assert_eq!(world.keeper.kepm[UID].status, "Approved");
    assert_eq!(
        world.keeper.actions(),
        vec![format!("epm approval action --approve={UID}")]
    );
    assert_eq!(world.status(&key), "Approved");
    let notes = world.notes(&key);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].1.contains("approved in Jira by Carol Admin"), "{notes:?}");
    assert_eq!(outcome(&world, &key).unwrap().result, "approved");
    // The app's own changes that followed: nothing more.
    assert!(
        answers[1..].iter().all(|a| a["result"] == json!("ignored")),
        "{answers:?}"
    );
    assert_eq!(world.keeper.actions().len(), 1);
}

#[test]
fn moving_to_denied_denies_the_device() {
    let mut world = world();
    let key = device_issue(&mut world);
    let answers = moved(&mut world, seed::CAROL_ADMIN, &key, DENY);
    assert_eq!(answers[0]["result"], json!("decided"), "{answers:?}");
    assert_eq!(
        world.keeper.actions(),
        vec![format!("device-approve --deny {DEVICE_ID}")]
    );
    assert_eq!(world.status(&key), "Denied");
}

/// Carol asked for this request: moving it herself is refused and undone, whatever the issue's
/// property or fields say; Keeper gets nothing.
#[test]
fn the_requester_moving_their_own_request_is_moved_back() {
    let mut world = world();
    let key = carols_issue(&mut world);
    let mut forged = world.property_of(&key, "pam-approvals.keeper");
    forged["requester"] = json!("bob@example.com");
    world.edit_property_of(seed::CAROL_ADMIN, &key, "pam-approvals.keeper", &forged);
    let answers = moved(&mut world, seed::CAROL_ADMIN, &key, APPROVE);
    let refused = &answers[0];
    assert_eq!(refused["result"], json!("moved-back"), "{answers:?}");
    assert!(
        refused["reason"].as_str().unwrap().contains("someone else"),
        "{refused}"
    );
    assert!(world.keeper.actions().is_empty());
    assert_eq!(world.keeper.kepm[CAROLS_UID].status, "Pending");
    assert_eq!(world.status(&key), "Open");
    let notes = world.notes(&key);
    assert!(
        notes[0]
            .1
            .contains("Not sent to Keeper: Carol Admin moved this request"),
        "{notes:?}"
    );
}

#[test]
fn someone_outside_the_deciders_group_is_moved_back() {
    let mut world = world();
    let mut only_group = settings();
    only_group.deciders = crate::providers::keeper::settings::Deciders::Group;
    only_group.decider_group = "keeper-deciders".into();
    set_settings(&mut world, &only_group);
    let key = kepm_issue(&mut world);
    let answers = moved(&mut world, seed::CAROL_ADMIN, &key, APPROVE);
    assert_eq!(answers[0]["result"], json!("moved-back"), "{answers:?}");
    assert!(world.keeper.actions().is_empty());
    assert_eq!(world.status(&key), "Open");
}

#[test]
fn a_decided_request_is_not_decided_again_by_a_move() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    let decided = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(decided["ok"], json!(true), "{decided}");
    world.deliver_events();
    world.move_issue(seed::CAROL_ADMIN, &key, "41");
    let answers = moved(&mut world, seed::CAROL_ADMIN, &key, DENY);
    let last = &answers[0];
    assert_eq!(last["result"], json!("moved-back"), "{answers:?}");
    assert!(last["reason"].as_str().unwrap().contains("already closed"), "{last}");
    assert_eq!(world.keeper.actions().len(), 1);
}

#[test]
fn turned_off_moves_decide_nothing() {
    let mut world = world();
    let mut off = settings();
    off.decide_by_transition = false;
    set_settings(&mut world, &off);
    let key = kepm_issue(&mut world);
    let answers = moved(&mut world, seed::CAROL_ADMIN, &key, APPROVE);
    assert!(answers.iter().all(|a| a["result"] == json!("ignored")), "{answers:?}");
    assert!(world.keeper.actions().is_empty());
    assert_eq!(world.status(&key), "Approved", "the move stands");
}
