//! Commander's answers as an admin or approver meets them: every status code, a slow queue,
//! a failed action; each mapped to a message that says what to do, and nothing lost.

use serde_json::json;

use super::*;

#[test]
fn each_commander_refusal_has_an_actionable_message_and_sends_nothing_more() {
    for (fault, says, code) in [
        (Some(401), "API key", "keeper-unavailable"),
        (Some(403), "command list", "keeper-unavailable"),
        (Some(404), "/api/v2", "keeper-unavailable"),
        (Some(429), "rate limit", "keeper-unavailable"),
        (Some(503), "queue is full", "keeper-unavailable"),
        (None, "could not be reached", "keeper-unavailable"),
    ] {
        let mut world = world();
        let key = kepm_issue(&mut world);
        world.keeper.faults.push_back(fault);
        let refused = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
        assert_eq!(refused["error"]["code"], json!(code), "{fault:?}: {refused}");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{fault:?}: {message}");
        assert!(
            !message.contains(crate::testkit_keeper::API_KEY),
            "the key is never shown"
        );
        assert!(world.keeper.actions().is_empty());
    }
}

#[test]
fn a_refused_action_releases_the_decision_so_it_can_be_made_again() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    // The read works; the action's submit hits the rate limit: nothing ran.
    view(&mut world, seed::CAROL_ADMIN, &key);
    world.keeper.allowed = vec!["service-status".into(), "device-approve".into()];
    let refused = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(refused["error"]["code"], json!("keeper-unavailable"), "{refused}");
    world.keeper.allowed.push("epm".into());
    let decided = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(decided["ok"], json!(true), "{decided}");
}

#[test]
fn an_action_keeper_only_warns_about_is_read_back_and_released() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    world.keeper.actions_fail = true;
    let refused = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(refused["error"]["code"], json!("keeper-failed"), "{refused}");
    assert_eq!(world.keeper.kepm[UID].status, "Pending");
    assert!(outcome(&world, &key).is_none());
    world.keeper.actions_fail = false;
    let decided = decide(&mut world, seed::CAROL_ADMIN, &key, "deny");
    assert_eq!(decided["view"]["outcome"]["result"], json!("denied"), "{decided}");
}

#[test]
fn a_slow_queue_answers_in_flight_and_the_job_finishes_it() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    world.keeper.slow_actions = 60;
    let started = world.now;
    let pending = decide(&mut world, seed::CAROL_ADMIN, &key, "approve");
    assert_eq!(pending["ok"], json!(true), "{pending}");
    assert_eq!(pending["view"]["live"], json!("sending"));
    assert!(world.now - started < 25_000, "the resolver ends within Forge's 25 s");
    assert!(world.queued(crate::providers::keeper::flows::settle::KIND) >= 1);
    world.keeper.catch_up();
    world.run_jobs(600_000);
    assert_eq!(outcome(&world, &key).expect("finished by the job").result, "approved");
    assert_eq!(world.status(&key), "Approved");
    assert_eq!(world.keeper.actions().len(), 1, "the action is never sent twice");
}

#[test]
fn a_slow_view_is_collected_on_the_next_look_without_a_second_command() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    world.keeper.slow_polls = 100;
    let first = view(&mut world, seed::CAROL_ADMIN, &key);
    assert_eq!(first["view"]["live"], json!("running"), "{first}");
    let reads = world.keeper.submitted.len();
    world.keeper.catch_up();
    let second = call(&mut world, seed::CAROL_ADMIN, "keeper.status", &key, json!({}));
    assert_eq!(second["view"]["live"], json!("current"), "{second}");
    // The queue's fake counts polls per entry: the remembered read was collected, not resent.
    assert_eq!(world.keeper.submitted.len(), reads);
}

#[test]
fn the_connection_test_runs_service_status_through_the_queue() {
    let mut world = world();
    world.user = Some(seed::CAROL_ADMIN.into());
    let validate = |world: &mut World| {
        let outcome = drive(
            world,
            Invocation::Resolver {
                name: "admin.validate".into(),
                payload: json!({"section": "keeper"}).to_string(),
                context: json!({"accountId": seed::CAROL_ADMIN}).to_string(),
            },
        );
        let Outcome::Value(text) = outcome else {
            panic!("{outcome:?}")
        };
        let value: Value = serde_json::from_str(&text).unwrap();
        value["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "keeper-connection")
            .cloned()
            .unwrap()
    };
    assert_eq!(validate(&mut world)["status"], json!("pass"));
    assert_eq!(world.keeper.submitted, vec!["service-status"]);
    world.keeper.faults.push_back(Some(401));
    let failed = validate(&mut world);
    assert_eq!(failed["status"], json!("fail"));
    assert!(failed["detail"].as_str().unwrap().contains("API key"), "{failed}");
}

#[test]
fn polling_honours_commanders_rate_limit() {
    let mut world = world();
    let key = kepm_issue(&mut world);
    world.keeper.limited_polls = 1;
    let before = world.now;
    let shown = view(&mut world, seed::CAROL_ADMIN, &key);
    assert_eq!(shown["view"]["live"], json!("current"), "{shown}");
    assert!(
        world.now - before >= 7_000,
        "the next look waited the 7 s Commander asked for"
    );
    // A limit longer than the view's budget leaves the read remembered, not failed.
    world.keeper.limited_polls = 1;
    let mut other = super::world();
    let other_key = kepm_issue(&mut other);
    other.keeper.limited_polls = 3;
    let slow = view(&mut other, seed::CAROL_ADMIN, &other_key);
    assert_eq!(slow["view"]["live"], json!("running"), "{slow}");
}
