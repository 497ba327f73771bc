//! What the app trusts (issue 11): who asked, which request an issue is, and whether and how it
//! was decided come from the app's own records, never from data a Jira user can write. Each test
//! is a way a requester (Bob) or a fault could make the app act on something it did not write.

use pam_sandboxes::jira::seed;
use serde_json::{Value, json};

use crate::protocol::{Call, HttpResponse};
use crate::providers::epm::tests::decide::{
    HOUR_MS, approve_4h, as_user, configure, decide, notes, resolver, status, update, world,
};
use crate::testkit::{SAMPLE, SAMPLE_REQUEST_ID, World, drive, http, webhook};

const TENANT: &str = "0b9e4f6a-1c2d-4e3f-8a7b-9c0d1e2f3a4b";

/// The page's view of PMCJIT-1 for `user`.
fn view_as(world: &mut World, user: &str) -> Value {
    as_user(world, user, resolver("epm.request", "PMCJIT-1", user, json!({})))
}

fn code(answer: &Value) -> &str {
    assert_eq!(answer["ok"], json!(false), "{answer}");
    answer["error"]["code"].as_str().unwrap()
}

/// Jira writes (anything but GET) aimed at one issue, by key or id.
fn writes_to(world: &World, key: &str) -> Vec<String> {
    let id = world.stored_issue(key).unwrap()["id"].as_str().unwrap().to_string();
    world
        .calls
        .iter()
        .filter_map(|c| match c {
            Call::Jira { method, path, .. } if method != "GET" => Some(format!("{method} {path}")),
            _ => None,
        })
        .filter(|p| p.contains(&format!("/issue/{key}")) || p.contains(&format!("/issue/{id}")))
        .collect()
}

/// Bob's own issue carrying a property he wrote, as the app would write it for his request.
fn forged_issue(world: &mut World, tenant: &str, extra: Value) -> String {
    forged_issue_in(
        world,
        seed::PMCJIT_PROJECT_ID,
        seed::ACCESS_REQUEST_TYPE_ID,
        tenant,
        extra,
    )
}

/// `forged_issue` in another project (its id and an issue type id of it).
fn forged_issue_in(world: &mut World, project: &str, issue_type: &str, tenant: &str, extra: Value) -> String {
    let mut property = world.app_property("PMCJIT-1");
    property["tenantId"] = json!(tenant);
    property["requesterAccountId"] = Value::Null;
    if let (Some(property), Some(extra)) = (property.as_object_mut(), extra.as_object()) {
        property.extend(extra.clone());
    }
    world.user_issue_in(project, issue_type, seed::BOB_REQUESTER, property)
}

#[test]
fn a_requester_cannot_approve_through_a_forged_property() {
    for tenant in [TENANT, "made-up-tenant"] {
        let mut world = world();
        let forged = forged_issue(&mut world, tenant, json!({}));
        let calls = world.calls.len();
        let decide_forged = |world: &mut World| {
            as_user(
                world,
                seed::BOB_REQUESTER,
                resolver(
                    "epm.decide",
                    &forged,
                    seed::BOB_REQUESTER,
                    json!({"decision": "approve", "duration": {"unit": "months", "count": 12}, "message": ""}),
                ),
            )
        };
        let answer = decide_forged(&mut world);
        assert_eq!(code(&answer), "not-epm", "{answer}");
        assert_eq!(code(&decide_forged(&mut world)), "not-epm");
        let view = as_user(
            &mut world,
            seed::BOB_REQUESTER,
            resolver("epm.request", &forged, seed::BOB_REQUESTER, json!({})),
        );
        assert_eq!(code(&view), "not-epm");
        assert!(world.epm.decisions.is_empty(), "EPM receives nothing");
        assert!(
            writes_to(&world, &forged).is_empty(),
            "{:?}",
            writes_to(&world, &forged)
        );
        assert!(
            !world.calls[calls..].iter().any(|c| matches!(c, Call::KvSet(..))),
            "nothing kept"
        );
        // Alice, a real approver, cannot be tricked into deciding it either.
        let alice = as_user(
            &mut world,
            seed::ALICE_APPROVER,
            resolver("epm.decide", &forged, seed::ALICE_APPROVER, approve_4h()),
        );
        assert_eq!(code(&alice), "not-epm");
        assert!(world.epm.decisions.is_empty());
    }
}

#[test]
fn a_property_edited_on_the_real_issue_changes_nothing_the_app_acts_on() {
    let mut world = world();
    // Bob rewrites his request's property: no requester, a decision already made, other facts.
    let mut property = world.app_property("PMCJIT-1");
    property["requesterAccountId"] = Value::Null;
    property["request"]["application"] = json!("notepad.exe");
    property["decision"] = json!({"approved": true, "durationLabel": "12 months", "decidedAt": 1,
        "decidedBy": {"displayName": "Alice Approver"}, "source": "jira"});
    world.edit_property(seed::BOB_REQUESTER, "PMCJIT-1", &property);
    let view = view_as(&mut world, seed::ALICE_APPROVER);
    assert_eq!(view["view"]["state"]["kind"], json!("pending"), "{view}");
    assert_eq!(view["view"]["request"]["application"], json!("Tax Reporting Suite"));
    assert_eq!(view["view"]["canDecide"], json!(true));
    // The requester is still known from the app's record.
    assert_eq!(
        code(&decide(&mut world, seed::BOB_REQUESTER, approve_4h())),
        "self-approval"
    );
    assert!(world.epm.decisions.is_empty());
    let answer = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert_eq!(world.epm.decisions.len(), 1);
    // The app writes its own property back: the forged facts are gone.
    assert_eq!(
        world.app_property("PMCJIT-1")["request"]["application"],
        json!("Tax Reporting Suite")
    );
}

#[test]
fn the_expiry_tick_ignores_forged_open_expiry_and_is_not_starved_by_it() {
    let mut world = world();
    assert_eq!(
        decide(&mut world, seed::ALICE_APPROVER, approve_4h())["ok"],
        json!(true)
    );
    // 60 issues of Bob's with a due `openExpiry`, sorted before the real one (OPS-… keys come
    // before PMCJIT-… in the search's `ORDER BY key`).
    let mut forged = Vec::new();
    for _ in 0..60 {
        forged.push(forged_issue_in(
            &mut world,
            seed::OPS_PROJECT_ID,
            seed::TASK_TYPE_ID,
            TENANT,
            json!({"openExpiry": 1, "decision": {"approved": true, "expiresAt": 1}}),
        ));
    }
    world.now += 4 * HOUR_MS;
    let answer = crate::providers::epm::tests::expiry::tick(&mut world);
    assert_eq!(
        answer["expired"],
        json!([{"issueKey": "PMCJIT-1", "movedTo": "Expired"}]),
        "{answer}"
    );
    assert_eq!(answer["skipped"], json!(60));
    assert_eq!(status(&world), "Expired");
    for key in &forged {
        assert!(writes_to(&world, key).is_empty(), "{key}: {:?}", writes_to(&world, key));
    }
}

#[test]
fn a_real_issue_with_a_forged_open_expiry_does_not_expire_early() {
    let mut world = world();
    assert_eq!(
        decide(&mut world, seed::ALICE_APPROVER, approve_4h())["ok"],
        json!(true)
    );
    let mut property = world.app_property("PMCJIT-1");
    property["openExpiry"] = json!(1);
    world.edit_property(seed::BOB_REQUESTER, "PMCJIT-1", &property);
    world.now += HOUR_MS;
    let answer = crate::providers::epm::tests::expiry::tick(&mut world);
    assert_eq!(answer["expired"], json!([]), "{answer}");
    assert_eq!(status(&world), "Approved", "the app's record says 3 more hours");
    // The app wrote back its own property, so the next tick does not find the issue again.
    let end = world.app_property("PMCJIT-1")["decision"]["expiresAt"].clone();
    assert_eq!(world.app_property("PMCJIT-1")["openExpiry"], end);
    assert_eq!(
        crate::providers::epm::tests::expiry::tick(&mut world)["skipped"],
        json!(0)
    );
    // When the real end comes, it expires as usual.
    world.now += 3 * HOUR_MS;
    let answer = crate::providers::epm::tests::expiry::tick(&mut world);
    assert_eq!(answer["expired"][0]["movedTo"], json!("Expired"), "{answer}");
}

/// The sample's request with automatic reporter off: the app knows Bob only as `CORP\bob`.
fn without_reporter() -> World {
    let mut world = World::configured();
    configure(&mut world, |c| {
        c.service_hostname = crate::testkit_epm::HOST.into();
        c.client_id = crate::testkit_epm::CLIENT_ID.into();
        c.automatic_reporter = false;
    });
    world.secrets.insert(
        crate::providers::epm::settings::SECRET_CLIENT_SECRET.into(),
        crate::testkit_epm::CLIENT_SECRET.into(),
    );
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
    assert_eq!(status, 201);
    world
}

#[test]
fn without_a_requester_account_the_epm_name_still_refuses_the_requester() {
    let mut world = without_reporter();
    assert!(world.app_property("PMCJIT-1")["requesterAccountId"].is_null());
    assert_eq!(
        code(&decide(&mut world, seed::BOB_REQUESTER, approve_4h())),
        "self-approval"
    );
    let view = view_as(&mut world, seed::BOB_REQUESTER);
    assert_eq!(view["view"]["canDecide"], json!(false), "{view}");
    assert!(world.epm.decisions.is_empty());
    assert_eq!(
        decide(&mut world, seed::ALICE_APPROVER, approve_4h())["ok"],
        json!(true)
    );
}

#[test]
fn an_ambiguous_or_refused_reporter_still_refuses_the_requester() {
    // Two accounts match "Sam Smith" (the seed's two Sams): the lookup is ambiguous, so no
    // reporter is set.
    let mut world = World::configured();
    let sample = SAMPLE.replace(r#""user": "CORP\\bob""#, r#""user": "CORP\\Sam Smith""#);
    assert_ne!(sample, SAMPLE);
    configure(&mut world, |c| {
        c.service_hostname = crate::testkit_epm::HOST.into();
        c.client_id = crate::testkit_epm::CLIENT_ID.into();
    });
    world.secrets.insert(
        crate::providers::epm::settings::SECRET_CLIENT_SECRET.into(),
        crate::testkit_epm::CLIENT_SECRET.into(),
    );
    assert_eq!(http(&drive(&mut world, webhook("hook", "pw-123456", &sample))).0, 201);
    assert!(world.app_property("PMCJIT-1")["requesterAccountId"].is_null());
    assert_eq!(
        code(&decide(&mut world, seed::SAM_SMITH_1, approve_4h())),
        "self-approval"
    );
    assert!(world.epm.decisions.is_empty());
}

#[test]
fn failed_creates_never_lock_a_request_out() {
    let mut world = World::configured();
    for _ in 0..7 {
        world.create_faults.push_back(HttpResponse::json(
            400,
            &json!({"errorMessages": ["project is archived"]}),
        ));
        let (status, body) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
        assert_eq!(status, 502, "{body}");
    }
    // The cause is fixed: the next delivery creates the issue at once.
    let (status, body) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
    assert_eq!((status, body["created"].clone()), (201, json!(true)), "{body}");
    assert_eq!(world.issue_count(), 1);
}

#[test]
fn a_create_with_an_unknown_outcome_is_found_not_repeated() {
    let mut world = World::configured();
    // Jira makes the issue, but its answer is lost (a 503 after the work was done).
    let first = drive_losing_create(&mut world);
    assert_eq!(first.0, 202, "accepted: the queue finishes it {:?}", first.1);
    assert_eq!(first.1["accepted"], json!(true));
    assert_eq!(world.issue_count(), 1);
    assert_eq!(world.queued("epm.webhook"), 1, "kept and queued before the work");
    assert_eq!(
        world.jira_calls("POST", "/rest/api/3/issue"),
        1,
        "a 503 on create is not retried"
    );
    // A redelivery waits for Jira's index to settle, then finds the issue by its exact request id.
    let before = world.now;
    let (status, body) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
    assert_eq!((status, &body["issueKey"]), (200, &json!("PMCJIT-1")), "{body}");
    assert!(world.now - before >= crate::providers::epm::flows::intake::SETTLE_MS);
    assert_eq!(world.issue_count(), 1, "no duplicate");
    let search = world
        .calls
        .iter()
        .find_map(|c| match c {
            Call::Jira { path, body, .. } if path == "/rest/api/3/search/jql" => body.clone(),
            _ => None,
        })
        .unwrap();
    assert!(
        search.contains(&format!(
            r#"issue.property[pam-approvals.epm].requestId = \"{SAMPLE_REQUEST_ID}\""#
        )),
        "an exact match: {search}"
    );
    // The request's own view works from the recovered record.
    let view = view_as(&mut world, seed::ALICE_APPROVER);
    assert_eq!(view["ok"], json!(true), "{view}");
}

/// Delivers the sample; the create call reaches the fake Jira, whose answer is replaced by 503.
fn drive_losing_create(world: &mut World) -> (u16, Value) {
    let mut run = crate::runner::Run::start(webhook("hook", "pw-123456", SAMPLE));
    let mut reply = None;
    loop {
        match run.next(reply.take()) {
            crate::protocol::Step::Done(outcome) => return http(&outcome),
            crate::protocol::Step::Call(call) => {
                let create =
                    matches!(&call, Call::Jira { method, path, .. } if method == "POST" && path == "/rest/api/3/issue");
                let answer = world.perform_for_tests(call);
                reply = Some(if create {
                    crate::protocol::Reply::Http(HttpResponse::json(503, &json!({"errorMessages": ["busy"]})))
                } else {
                    answer
                });
            }
        }
    }
}

#[test]
fn an_issue_a_person_copied_the_property_onto_is_never_adopted() {
    let mut world = World::configured();
    // Before the app could create it, Bob made an issue carrying the request's property.
    let property = json!({"provider": "epm", "tenantId": TENANT, "requestId": SAMPLE_REQUEST_ID, "version": 2});
    world.user_issue(seed::BOB_REQUESTER, property);
    world.kv.insert(
        "epm:claim:".to_string()
            + &crate::store::key_part(TENANT)
            + ":"
            + &crate::store::key_part(SAMPLE_REQUEST_ID)
            + ":0",
        crate::store::encode(1, &json!({"at": 0, "state": "unknown"})),
    );
    let (status, body) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
    assert_eq!((status, &body["issueKey"]), (201, &json!("PMCJIT-2")), "{body}");
    assert_eq!(world.issue_count(), 2);
}

#[test]
fn a_decision_whose_delivery_is_unknown_is_resent_never_replaced() {
    let mut world = world();
    // The token service down: nothing was sent, so this is a plain failure.
    world.epm.faults.push_back(None);
    assert_eq!(
        code(&decide(&mut world, seed::ALICE_APPROVER, approve_4h())),
        "epm-failed"
    );
    crate::providers::epm::tests::decide::cache_token(&mut world, "good");
    // EPM takes the call but answers 500 (twice): it may have applied the approval.
    world.epm.faults.push_back(Some(500));
    world.epm.faults.push_back(Some(500));
    let answer = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(answer["outcome"]["pending"], json!(true), "{answer}");
    assert_eq!(answer["view"]["canDecide"], json!(false));
    // John tries to deny meanwhile: the approval is resent (EPM fails again), the denial is not.
    let deny = json!({"decision": "deny", "message": "no"});
    let john = decide(&mut world, seed::JOHN_DOE, deny);
    assert_eq!(code(&john), "already-decided", "{john}");
    assert!(
        john["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sending the same decision again")
    );
    assert!(world.epm.decisions.is_empty());
    assert_eq!(world.epm.faults.len(), 0, "the resend reached EPM");
    // A minute later the next viewer resends the same approval, and it is recorded once.
    world.now += 60_000;
    let view = view_as(&mut world, seed::JOHN_DOE);
    assert_eq!(view["view"]["state"]["kind"], json!("approved"), "{view}");
    assert_eq!(world.epm.decisions.len(), 1);
    assert_eq!(world.epm.decisions[0]["decision"], json!("Approved"));
    assert_eq!(
        world.epm.decisions[0]["decisionPerformedByUser"],
        json!("Alice Approver")
    );
    assert_eq!(status(&world), "Approved");
    assert_eq!(notes(&world).len(), 1);
}

#[test]
fn epms_update_settles_a_decision_whose_delivery_is_unknown() {
    let mut world = world();
    crate::providers::epm::tests::decide::cache_token(&mut world, "good");
    world.epm.faults.push_back(Some(502));
    assert_eq!(
        decide(&mut world, seed::ALICE_APPROVER, approve_4h())["outcome"]["pending"],
        json!(true)
    );
    let (code, body) = http(&drive(&mut world, update("Approved", "2026-11-23T09:20:00Z")));
    assert_eq!((code, &body["applied"]), (200, &json!(true)), "{body}");
    assert_eq!(status(&world), "Approved");
    let (_, text) = notes(&world).last().cloned().unwrap();
    assert!(
        text.contains("Alice Approver"),
        "the approver's own decision is recorded: {text}"
    );
    assert!(world.epm.decisions.is_empty(), "nothing resent once EPM said it has it");
    world.now += 120_000;
    view_as(&mut world, seed::JOHN_DOE);
    assert!(world.epm.decisions.is_empty());
}

#[test]
fn a_claim_that_conflicts_but_reads_back_empty_is_busy_not_free() {
    let mut world = world();
    // Carol's run holds generation 0; this store's read right after the conflict misses it.
    let key = format!(
        "epm:decide:{}:{}:0",
        crate::store::key_part(TENANT),
        crate::store::key_part(SAMPLE_REQUEST_ID)
    );
    world.kv.insert(key.clone(), "held".into());
    world.hidden_after_conflict.push(key);
    let answer = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(code(&answer), "already-decided", "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().contains("right now"));
    assert!(world.epm.decisions.is_empty());
}

#[test]
fn a_failed_recording_step_is_completed_once_never_repeated() {
    let mut world = world();
    // The decision reaches EPM; Jira then refuses the transition (after property and note).
    let mut fail_transition = true;
    let answer = drive_failing(&mut world, &mut fail_transition);
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert!(
        answer["outcome"]["warning"]
            .as_str()
            .unwrap()
            .contains("could not record")
    );
    assert_eq!(notes(&world).len(), 1);
    assert_eq!(status(&world), "Open");
    // Viewers within 30 s do not race the deciding run; after that one of them repairs.
    for _ in 0..3 {
        view_as(&mut world, seed::JOHN_DOE);
    }
    assert_eq!(status(&world), "Open");
    world.now += 31_000;
    for _ in 0..3 {
        let view = view_as(&mut world, seed::JOHN_DOE);
        assert_eq!(view["view"]["status"], json!("Approved"), "{view}");
    }
    assert_eq!(status(&world), "Approved");
    assert_eq!(notes(&world).len(), 1, "the note is never posted twice");
    assert_eq!(world.jira_calls("PUT", "/rest/api/3/issue/10000/properties"), 1);
}

/// Alice approves; the first transition POST is answered 500 (three times: no retry helps).
fn drive_failing(world: &mut World, fail_transition: &mut bool) -> Value {
    world.user = Some(seed::ALICE_APPROVER.into());
    let mut run = crate::runner::Run::start(resolver("epm.decide", "PMCJIT-1", seed::ALICE_APPROVER, approve_4h()));
    let mut reply = None;
    loop {
        match run.next(reply.take()) {
            crate::protocol::Step::Done(outcome) => return crate::providers::epm::tests::decide::value(&outcome),
            crate::protocol::Step::Call(call) => {
                let transition = matches!(&call, Call::Jira { method, path, .. } if method == "POST" && path.ends_with("/transitions"));
                reply = Some(if transition && *fail_transition {
                    *fail_transition = false;
                    crate::protocol::Reply::Http(HttpResponse::json(
                        400,
                        &json!({"errorMessages": ["validator failed"]}),
                    ))
                } else {
                    world.perform_for_tests(call)
                });
            }
        }
    }
}

#[test]
fn an_update_is_applied_only_when_recorded_and_a_redelivery_completes_it() {
    let mut world = world();
    let invocation = update("Denied", "2026-11-23T09:20:00Z");
    world
        .jira_faults
        .push_back(Some(HttpResponse::json(500, &json!({"errorMessages": ["down"]}))));
    let (code, body) = http(&drive(&mut world, invocation.clone()));
    assert_eq!((code, &body["applied"]), (202, &json!(false)), "{body}");
    assert!(body["reason"].as_str().unwrap().contains("could not record"), "{body}");
    assert_eq!(status(&world), "Open");
    world.now += 31_000;
    let (code, body) = http(&drive(&mut world, invocation.clone()));
    assert_eq!((code, &body["applied"]), (200, &json!(true)), "{body}");
    assert_eq!(status(&world), "Denied");
    let (code, body) = http(&drive(&mut world, invocation));
    assert_eq!((code, &body["applied"]), (200, &json!(false)), "{body}");
    assert_eq!(notes(&world).len(), 1);
}

#[test]
fn a_perfect_property_without_the_apps_record_is_refused() {
    // The record, not the property, says which request an issue is.
    let mut world = world();
    world
        .kv
        .retain(|k, _| !k.starts_with("epm:by-issue:") && !k.starts_with("epm:issue:"));
    let view = view_as(&mut world, seed::ALICE_APPROVER);
    assert_eq!(code(&view), "not-epm");
    assert_eq!(code(&decide(&mut world, seed::ALICE_APPROVER, approve_4h())), "not-epm");
    assert!(world.epm.decisions.is_empty());
}

fn claim_key(kind: &str) -> String {
    format!(
        "epm:{kind}:{}:{}:0",
        crate::store::key_part(TENANT),
        crate::store::key_part(SAMPLE_REQUEST_ID)
    )
}

#[test]
fn a_creation_lease_of_a_host_process_that_is_gone_is_taken_over_at_once() {
    for (writer, waits) in [("process-before-restart", false), ("this-process", true)] {
        let mut world = World::configured();
        world.kv.insert(crate::instance::KEY.into(), "this-process".into());
        // A fresh lease (taken a moment ago) by `writer`.
        let lease = json!({"at": world.now, "state": "held", "instance": writer});
        world.kv.insert(claim_key("claim"), crate::store::encode(1, &lease));
        let before = world.now;
        let (status, body) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
        if waits {
            // A live run of this very process holds it: wait for it, then leave it to the queue.
            assert_eq!(status, 202, "{body}");
            assert!(world.now - before >= crate::providers::epm::flows::intake::WEB_TRIGGER_WAIT_MS);
            assert_eq!(world.issue_count(), 0);
            // That run never finishes (it died without the host restarting): once its lease is
            // stale, the queued job creates the issue.
            world.run_jobs(600_000);
            assert_eq!(world.issue_count(), 1, "{:?}", world.job_runs);
            assert!(world.queue.is_empty());
        } else {
            assert_eq!((status, &body["created"]), (201, &json!(true)), "{body}");
            assert!(world.now - before < 1_000, "no waiting for the dead run's timeout");
            assert_eq!(
                world.jira_calls("POST", "/rest/api/3/search/jql"),
                1,
                "it may have created the issue: searched first"
            );
        }
    }
}

#[test]
fn a_decision_being_sent_by_a_host_process_that_is_gone_is_resent_at_once() {
    let mut world = world();
    world.kv.insert(crate::instance::KEY.into(), "this-process".into());
    let intent = json!({
        "decision": {"approved": true, "duration": {"unit": "hours", "count": 4}, "durationLabel": "4 hours",
                     "decidedBy": {"accountId": seed::ALICE_APPROVER, "displayName": "Alice Approver"},
                     "decidedAt": world.now, "message": "", "source": "jira"},
        "ticketId": "PMCJIT-1", "ticketUrl": "https://acme.atlassian.net/browse/PMCJIT-1",
    });
    let claim = json!({"at": world.now, "by": "Alice Approver", "approved": true, "state": "sending",
                       "intent": intent, "instance": "process-before-restart"});
    world.kv.insert(claim_key("decide"), crate::store::encode(1, &claim));
    let view = view_as(&mut world, seed::JOHN_DOE);
    assert_eq!(view["view"]["state"]["kind"], json!("approved"), "{view}");
    assert_eq!(world.epm.decisions.len(), 1);
    assert_eq!(
        world.epm.decisions[0]["decisionPerformedByUser"],
        json!("Alice Approver")
    );
}
