//! The decision flow end to end in the core: resolvers, EPM, the issue, and EPM's updates.

use pam_sandboxes::jira::seed;
use serde_json::{Value, json};

use crate::config::CONFIG_KEY;
use crate::protocol::{Call, Invocation, Outcome};
use crate::providers::epm::settings::{EpmSettings, SECRET_CLIENT_SECRET};
use crate::testkit::{SAMPLE, SAMPLE_REQUEST_ID, World, drive, drive_interleaved, http, webhook};
use crate::testkit_epm::{CLIENT_ID, CLIENT_SECRET, HOST};

const UPDATE: &str = include_str!("../../../../tests/fixtures/epm/decision-update.sample.json");
pub(super) const HOUR_MS: u64 = 3_600_000;

pub(super) fn configure(world: &mut World, change: impl FnOnce(&mut EpmSettings)) {
    let mut config = EpmSettings::from_stored(&world.kv[crate::config::CONFIG_KEY]).unwrap();
    change(&mut config);
    world.kv.insert(CONFIG_KEY.into(), config.stored());
}

/// A configured world with the sample request's issue PMCJIT-1 (reported by Bob).
pub(super) fn world() -> World {
    let mut world = World::configured();
    configure(&mut world, |c| {
        c.service_hostname = HOST.into();
        c.client_id = CLIENT_ID.into();
    });
    world.secrets.insert(SECRET_CLIENT_SECRET.into(), CLIENT_SECRET.into());
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
    assert_eq!(status, 201);
    world
}

pub(super) fn resolver(name: &str, key: &str, user: &str, payload: Value) -> Invocation {
    Invocation::Resolver {
        name: name.into(),
        payload: payload.to_string(),
        context: json!({"accountId": user, "extension": {"type": "jira:issueAction", "issue": {"key": key}}})
            .to_string(),
    }
}

pub(super) fn value(outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Value(text) => serde_json::from_str(text).unwrap(),
        other => panic!("expected a value, got {other:?}"),
    }
}

pub(super) fn as_user(world: &mut World, user: &str, invocation: Invocation) -> Value {
    world.user = Some(user.into());
    value(&drive(world, invocation))
}

pub(super) fn decide(world: &mut World, user: &str, payload: Value) -> Value {
    as_user(world, user, resolver("epm.decide", "PMCJIT-1", user, payload))
}

pub(super) fn approve_4h() -> Value {
    json!({"decision": "approve", "duration": {"unit": "hours", "count": 4}, "message": "for the driver update"})
}

fn error_code(answer: &Value) -> &str {
    assert_eq!(answer["ok"], json!(false), "{answer}");
    answer["error"]["code"].as_str().unwrap()
}

pub(super) fn status(world: &World) -> String {
    world.status("PMCJIT-1")
}

pub(super) fn notes(world: &World) -> Vec<(bool, String)> {
    world.notes("PMCJIT-1")
}

pub(super) fn update(decision: &str, timestamp: &str) -> Invocation {
    let body = UPDATE
        .replace("\"Decision\": \"Approved\"", &format!("\"Decision\": \"{decision}\""))
        .replace("2026-11-23T09:20:00Z", timestamp);
    webhook("hook", "pw-123456", &body)
}

#[test]
fn approving_for_four_hours_reaches_epm_once_and_records_everything() {
    let mut world = world();
    let now = world.now;
    let answer = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert_eq!(answer["outcome"]["movedTo"], json!("Approved"));
    assert_eq!(answer["outcome"]["internalNote"], json!(true));
    assert_eq!(answer["view"]["state"]["kind"], json!("approved"));
    assert!(!answer["view"]["canDecide"].as_bool().unwrap());

    assert_eq!(world.epm.decisions.len(), 1);
    let sent = &world.epm.decisions[0];
    assert_eq!(sent["decision"], json!("Approved"));
    assert_eq!(sent["status"], json!("2000"));
    assert_eq!(sent["duration"], json!("14400"));
    assert_eq!(sent["systemId"], json!(SAMPLE_REQUEST_ID));
    assert_eq!(sent["ticketId"], json!("PMCJIT-1"));
    assert_eq!(sent["ticketUrl"], json!("https://acme.atlassian.net/browse/PMCJIT-1"));
    assert_eq!(sent["decisionTime"], json!(crate::time::epm_datetime(now)));
    assert_eq!(sent["decisionPerformedByUser"], json!("Alice Approver"));
    assert_eq!(sent["message"], json!("for the driver update"));
    assert_eq!(world.epm.token_requests, 1);

    assert_eq!(status(&world), "Approved");
    let decision = &world.app_property("PMCJIT-1")["decision"];
    assert_eq!(decision["approved"], json!(true));
    assert_eq!(decision["expiresAt"], json!(now + 4 * HOUR_MS));
    assert_eq!(decision["decidedBy"]["accountId"], json!(seed::ALICE_APPROVER));
    let notes = notes(&world);
    assert_eq!(notes.len(), 1);
    let (internal, text) = &notes[0];
    assert!(internal, "a JSM project gets an internal note");
    for expected in [
        "approved",
        "Approved by Alice Approver",
        "Duration: 4 hours",
        "for the driver update",
        SAMPLE_REQUEST_ID,
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    // The token is cached: a second request's decision asks for none.
    assert!(world.secrets.contains_key("epm.token"));
}

#[test]
fn denying_moves_to_denied_and_tells_epm() {
    let mut world = world();
    let answer = decide(
        &mut world,
        seed::ALICE_APPROVER,
        json!({"decision": "deny", "message": "not needed"}),
    );
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert_eq!(world.epm.decisions[0]["decision"], json!("Denied"));
    assert_eq!(world.epm.decisions[0]["status"], json!("2001"));
    assert_eq!(status(&world), "Denied");
    assert_eq!(answer["view"]["state"]["label"], json!("Denied"));
}

#[test]
fn the_first_decision_wins() {
    let mut world = world();
    decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    let second = decide(&mut world, seed::JOHN_DOE, json!({"decision": "deny"}));
    assert_eq!(error_code(&second), "already-decided");
    assert!(
        second["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Approved by Alice Approver")
    );
    assert_eq!(world.epm.decisions.len(), 1);
    assert_eq!(notes(&world).len(), 1);
}

#[test]
fn a_double_submit_sends_one_decision() {
    let mut world = world();
    world.user = Some(seed::ALICE_APPROVER.into());
    let outcomes = drive_interleaved(
        &mut world,
        vec![
            resolver("epm.decide", "PMCJIT-1", seed::ALICE_APPROVER, approve_4h()),
            resolver("epm.decide", "PMCJIT-1", seed::ALICE_APPROVER, approve_4h()),
        ],
    );
    let answers: Vec<Value> = outcomes.iter().map(value).collect();
    let ok = answers.iter().filter(|a| a["ok"] == json!(true)).count();
    assert_eq!(ok, 1, "{answers:?}");
    let refused = answers.iter().find(|a| a["ok"] == json!(false)).unwrap();
    assert_eq!(error_code(refused), "already-decided");
    assert_eq!(world.epm.decisions.len(), 1);
    assert_eq!(notes(&world).len(), 1);
}

#[test]
fn requesters_cannot_approve_themselves() {
    let mut world = world();
    let answer = decide(&mut world, seed::BOB_REQUESTER, approve_4h());
    assert_eq!(error_code(&answer), "self-approval");
    assert!(world.epm.decisions.is_empty() && world.epm.token_requests == 0);
    let view = as_user(
        &mut world,
        seed::BOB_REQUESTER,
        resolver("epm.request", "PMCJIT-1", seed::BOB_REQUESTER, json!({})),
    );
    assert_eq!(view["view"]["canDecide"], json!(false));
    assert!(view["view"]["cannotDecide"].as_str().unwrap().contains("someone else"));
}

#[test]
fn the_approval_right_is_checked_on_the_server() {
    let mut world = world();
    // Vera may browse the project but not transition its issues.
    let answer = decide(&mut world, seed::VERA_VIEWER, approve_4h());
    assert_eq!(error_code(&answer), "forbidden");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Transition issues")
    );

    // The seed's group: Alice and Carol, not John.
    configure(&mut world, |c| c.approver_group = seed::PAM_APPROVERS_GROUP.into());
    let john = decide(&mut world, seed::JOHN_DOE, approve_4h());
    assert_eq!(error_code(&john), "forbidden");
    assert!(john["error"]["message"].as_str().unwrap().contains("pam-approvers"));
    assert!(world.epm.decisions.is_empty());
    let alice = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(alice["ok"], json!(true), "{alice}");
}

#[test]
fn an_epm_failure_records_nothing_and_can_be_retried() {
    let mut world = world();
    world.epm.faults.push_back(None);
    let unreachable = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(error_code(&unreachable), "epm-failed");
    assert!(
        unreachable["error"]["message"]
            .as_str()
            .unwrap()
            .contains("could not be reached")
    );
    world.epm.faults.push_back(Some(503));
    let token_failed = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert!(
        token_failed["error"]["message"]
            .as_str()
            .unwrap()
            .contains("token service failed (HTTP 503)")
    );
    // With a good token, EPM refuses the decision itself.
    cache_token(&mut world, "good");
    world.epm.faults.push_back(Some(400));
    let refused = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(error_code(&refused), "epm-failed");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("HTTP 400") && message.contains("bad day"), "{message}");
    assert!(world.epm.decisions.is_empty());
    assert_eq!(status(&world), "Open");
    assert!(notes(&world).is_empty());
    assert!(world.app_property("PMCJIT-1")["decision"].is_null());

    let retry = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(retry["ok"], json!(true), "{retry}");
    assert_eq!(world.epm.decisions.len(), 1);
}

/// Puts a token in the app's cache; EPM knows it when it is "good".
pub(super) fn cache_token(world: &mut World, token: &str) {
    if token == "good" {
        world.epm.tokens.push(token.into());
    }
    world.secrets.insert(
        "epm.token".into(),
        crate::testkit_epm::cached_token_record(token, world.now + 10 * HOUR_MS),
    );
}

#[test]
fn a_revoked_token_is_replaced_once() {
    let mut world = world();
    cache_token(&mut world, "revoked");
    let answer = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert_eq!(world.epm.token_requests, 1, "one new token after the 401");
    assert_eq!(world.epm.decisions.len(), 1);
}

#[test]
fn bad_forms_name_the_field_and_call_nothing() {
    let mut world = world();
    let calls = world.calls.len();
    let answer = decide(
        &mut world,
        seed::ALICE_APPROVER,
        json!({"decision": "approve", "duration": {"unit": "days", "count": 40}}),
    );
    assert_eq!(error_code(&answer), "invalid");
    assert!(
        answer["error"]["fields"]["duration"]
            .as_str()
            .unwrap()
            .contains("1 to 31")
    );
    assert_eq!(world.calls.len(), calls);
}

#[test]
fn other_issues_and_missing_context_are_explained() {
    let mut world = world();
    let key = world.user_issue(seed::ALICE_APPROVER, Value::Null);
    let other = as_user(
        &mut world,
        seed::ALICE_APPROVER,
        resolver("epm.request", &key, seed::ALICE_APPROVER, json!({})),
    );
    assert_eq!(error_code(&other), "not-epm");
    let missing = as_user(
        &mut world,
        seed::ALICE_APPROVER,
        resolver("epm.request", "PMCJIT-77", seed::ALICE_APPROVER, json!({})),
    );
    assert_eq!(error_code(&missing), "no-issue");
    world.user = Some(seed::ALICE_APPROVER.into());
    let no_issue = value(&drive(
        &mut world,
        Invocation::Resolver {
            name: "epm.request".into(),
            payload: "{}".into(),
            context: json!({"accountId": seed::ALICE_APPROVER}).to_string(),
        },
    ));
    assert_eq!(error_code(&no_issue), "no-issue");
    let unknown = drive(
        &mut world,
        resolver("epm.nope", "PMCJIT-1", seed::ALICE_APPROVER, json!({})),
    );
    assert_eq!(unknown, Outcome::Error("unknown resolver \"epm.nope\"".into()));
}

#[test]
fn the_view_shows_the_request() {
    let mut world = world();
    let answer = as_user(
        &mut world,
        seed::ALICE_APPROVER,
        resolver("epm.request", "PMCJIT-1", seed::ALICE_APPROVER, json!({})),
    );
    let view = &answer["view"];
    assert_eq!(view["canDecide"], json!(true), "{answer}");
    assert_eq!(view["state"]["kind"], json!("pending"));
    assert_eq!(view["status"], json!("Open"));
    assert_eq!(view["request"]["user"], json!("CORP\\bob"));
    for field in [
        "application",
        "filePath",
        "publisher",
        "hostName",
        "reason",
        "requestedAt",
    ] {
        assert!(view["request"][field].is_string(), "{field} missing: {view}");
    }
    assert!(!view["request"]["details"].as_array().unwrap().is_empty());
    // A turned-off integration still shows the request, without the form.
    configure(&mut world, |c| c.enabled = false);
    let off = as_user(
        &mut world,
        seed::ALICE_APPROVER,
        resolver("epm.request", "PMCJIT-1", seed::ALICE_APPROVER, json!({})),
    );
    assert!(off["view"]["cannotDecide"].as_str().unwrap().contains("turned off"));
}

#[test]
fn epms_echo_of_a_jira_decision_adds_nothing() {
    let mut world = world();
    decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    let (code, body) = http(&drive(&mut world, update("Approved", "2026-11-23T09:20:00Z")));
    assert_eq!((code, &body["applied"]), (200, &json!(false)), "{body}");
    assert_eq!(notes(&world).len(), 1);
    assert_eq!(world.jira_calls("POST", "/rest/api/3/issue/10000/transitions"), 1);
}

#[test]
fn a_decision_made_in_epm_is_recorded_and_ends_the_form() {
    let mut world = world();
    let (code, body) = http(&drive(&mut world, update("Denied", "2026-11-23T09:20:00Z")));
    assert_eq!((code, &body["applied"]), (200, &json!(true)), "{body}");
    assert_eq!(status(&world), "Denied");
    let (internal, text) = &notes(&world)[0];
    assert!(*internal && text.contains("Denied by admin@corp.example.com") && text.contains("in BeyondTrust EPM"));
    assert_eq!(world.app_property("PMCJIT-1")["decision"]["source"], json!("epm"));
    let late = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(error_code(&late), "already-decided");
    assert!(world.epm.decisions.is_empty());
    // The same update delivered again changes nothing.
    let (code, body) = http(&drive(&mut world, update("Denied", "2026-11-23T09:20:00Z")));
    assert_eq!((code, &body["applied"]), (200, &json!(false)));
    assert_eq!(notes(&world).len(), 1);
}

#[test]
fn an_update_before_its_create_is_applied_when_the_issue_arrives() {
    let mut world = World::configured();
    let (code, body) = http(&drive(&mut world, update("Approved", "2026-11-23T09:20:00Z")));
    assert_eq!(code, 202, "{body}");
    assert_eq!(world.issue_count(), 0);
    let (code, _) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
    assert_eq!(code, 201);
    assert_eq!(status(&world), "Approved");
    let decision = &world.app_property("PMCJIT-1")["decision"];
    assert_eq!(decision["durationLabel"], json!("4 hours"));
    assert_eq!(notes(&world).len(), 1);
    // An older update arriving later does not undo the newer one.
    let (code, body) = http(&drive(&mut world, update("Denied", "2026-11-23T09:00:00Z")));
    assert_eq!((code, &body["applied"]), (200, &json!(false)), "{body}");
    assert_eq!(status(&world), "Approved");
}

#[test]
fn a_workflow_without_the_status_gets_a_note_instead() {
    let mut world = world();
    // The workflow has no status "Granted".
    configure(&mut world, |c| {
        c.internal_note = false;
        c.approved_status = "Granted".into();
    });
    let answer = decide(&mut world, seed::ALICE_APPROVER, approve_4h());
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert!(
        answer["outcome"]["statusNote"]
            .as_str()
            .unwrap()
            .contains("no transition to \"Granted\"")
    );
    assert_eq!(status(&world), "Open");
    let (internal, text) = &notes(&world)[0];
    assert!(!internal, "internal notes are off: a platform comment");
    assert!(text.contains("The status stays"));
}

/// Alice approves PMCJIT-1 for 4 hours while Jira answers every `GET …/transitions` 503, for
/// good, after EPM took the decision; her answer.
pub(super) fn approve_while_transitions_fail(world: &mut World) -> Value {
    world.user = Some(seed::ALICE_APPROVER.into());
    let invocation = resolver("epm.decide", "PMCJIT-1", seed::ALICE_APPROVER, approve_4h());
    let mut run = crate::runner::Run::start(invocation);
    let mut reply = None;
    let outcome = loop {
        match run.next(reply.take()) {
            crate::protocol::Step::Done(outcome) => break outcome,
            crate::protocol::Step::Call(call) => {
                let transitions = matches!(&call, Call::Jira { method, path, .. } if method == "GET" && path.ends_with("/transitions"));
                reply = Some(if transitions {
                    crate::protocol::Reply::Http(crate::protocol::HttpResponse::json(503, &json!({})))
                } else {
                    world.perform_for_tests(call)
                });
            }
        }
    };
    value(&outcome)
}

#[test]
fn a_decision_jira_could_not_record_is_completed_by_the_next_viewer() {
    let mut world = world();
    let answer = approve_while_transitions_fail(&mut world);
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert!(
        answer["outcome"]["warning"]
            .as_str()
            .unwrap()
            .contains("EPM has the decision")
    );
    assert_eq!(world.epm.decisions.len(), 1);
    assert!(notes(&world).is_empty());
    world.now += 31_000;
    let view = as_user(
        &mut world,
        seed::JOHN_DOE,
        resolver("epm.request", "PMCJIT-1", seed::JOHN_DOE, json!({})),
    );
    assert_eq!(view["view"]["state"]["kind"], json!("approved"), "{view}");
    assert_eq!(status(&world), "Approved");
    assert_eq!(notes(&world).len(), 1);
    assert_eq!(world.epm.decisions.len(), 1);
}

#[test]
fn a_service_desk_note_is_an_adf_comment_kept_internal() {
    let mut world = world();
    let answer = decide(
        &mut world,
        seed::ALICE_APPROVER,
        json!({"decision": "approve", "duration": {"unit": "hours", "count": 4}, "message": "*bold* [~accountid:acc-bob] {color:red}x{color}"}),
    );
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert_eq!(answer["outcome"]["internalNote"], json!(true));
    let (internal, text) = &notes(&world)[0];
    assert!(*internal, "marked internal with sd.public.comment: {text}");
    assert!(text.contains("Approved by Alice Approver"));
    // The approver's message is a text node: no markup, no mention.
    assert!(
        text.contains(r#""text":"Message: *bold* [~accountid:acc-bob] {color:red}x{color}""#),
        "{text}"
    );
    assert!(!text.contains("\"mention\""), "{text}");
    assert_eq!(world.jira_calls("POST", "/rest/servicedeskapi"), 0);
}
