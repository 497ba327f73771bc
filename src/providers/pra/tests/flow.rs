//! A request from the appliance to the answer and the audit, and what retries, duplicates and
//! failures do to it.

use serde_json::json;

use super::*;
use crate::providers::pra::flows::audit::PROPERTY;
use crate::testkit::{drive, http};

#[test]
fn an_allowed_request_is_answered_with_attributes_and_audited_on_the_issue() {
    let mut world = world();
    let key = ticket(&mut world, |_| {});
    let answer = ask(&mut world, &form("req-allow-1", &key.to_lowercase(), |_| {}));
    assert_eq!(answer["response"], "allow", "{answer:?}");
    assert_eq!(answer["session.custom.jira_issue"], key);
    assert_eq!(answer["session.custom.jira_summary"], "Patch the web tier");
    assert!(!answer.contains_key("message"));

    let notes = world.notes(&key);
    assert_eq!(notes.len(), 1, "{notes:?}");
    let (_, text) = &notes[0];
    for part in [
        "access allowed",
        "Bob Requester <bob@example.com>",
        "web-01.corp.example",
        "DC1 Jumpoint",
        "PRA received the answer",
    ] {
        assert!(text.contains(part), "{text} lacks {part}");
    }
    let issue = world.stored_issue(&key).expect("issue");
    let history = &issue["properties"][PROPERTY]["requests"];
    assert_eq!(history[0]["decision"], "allow", "{history}");
    assert_eq!(history[0]["delivered"], "accepted");
    assert_eq!(history[0]["rule"], "all-rules");
    assert_eq!(world.queue.len(), 0, "the job finished");
}

#[test]
fn json_bodies_flat_or_nested_decide_the_same() {
    for nested in [false, true] {
        let mut world = world();
        let key = ticket(&mut world, |_| {});
        let id = format!("req-json-{nested}");
        let pairs = form(&id, &key, |_| {});
        let body = if nested {
            let mut object = serde_json::Map::new();
            for (k, v) in &pairs {
                let mut at = &mut object;
                let parts: Vec<&str> = k.split('.').collect();
                for part in &parts[..parts.len() - 1] {
                    at = at
                        .entry(part.to_string())
                        .or_insert_with(|| json!({}))
                        .as_object_mut()
                        .unwrap();
                }
                at.insert(parts[parts.len() - 1].into(), json!(v));
            }
            Value::Object(object).to_string()
        } else {
            Value::Object(pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect()).to_string()
        };
        world.pra.pending.insert(id.clone());
        let (status, answer) = http(&drive(&mut world, post(&body, "application/json; charset=utf-8")));
        assert_eq!(status, 202, "{answer}");
        world.run_jobs(60_000);
        assert_eq!(world.pra.responses.len(), 1, "nested {nested}");
        assert_eq!(
            world.pra.responses[0]["response"], "allow",
            "nested {nested}: {:?}",
            world.pra.responses
        );
        assert_eq!(world.pra.responses[0]["response_id"], id);
    }
}

/// A request id with every kind of character comes back exactly.
#[test]
fn the_request_id_is_echoed_exactly() {
    let mut world = world();
    let key = ticket(&mut world, |_| {});
    let id = "Ab+/=&?é 中 %20".repeat(10);
    let answer = ask(&mut world, &form(&id, &key, |_| {}));
    assert_eq!(answer["response_id"], id);
}

#[test]
fn a_duplicate_delivery_is_accepted_and_answered_once() {
    let mut world = world();
    let key = ticket(&mut world, |_| {});
    let pairs = form("req-dup", &key, |_| {});
    world.pra.pending.insert("req-dup".into());
    let body = encode(&pairs);
    let (first, _) = http(&drive(&mut world, post(&body, FORM)));
    let (second, again) = http(&drive(&mut world, post(&body, FORM)));
    assert_eq!((first, second), (202, 202));
    assert_eq!(again["duplicate"], json!(true));
    world.run_jobs(120_000);
    let (third, late) = http(&drive(&mut world, post(&body, FORM)));
    assert_eq!((third, &late["duplicate"]), (202, &json!(true)));
    world.run_jobs(120_000);
    assert_eq!(world.pra.calls, 1, "one answer sent");
    assert_eq!(world.notes(&key).len(), 1, "one note");
    assert!(world.queue.is_empty());
}

#[test]
fn appliance_failures_are_retried_with_the_same_answer() {
    let mut world = world();
    let key = ticket(&mut world, |_| {});
    world.pra.faults.extend([Some(503), None, Some(429)]);
    let answer = ask(&mut world, &form("req-retry", &key, |_| {}));
    assert_eq!(answer["response"], "allow");
    assert_eq!(world.pra.calls, 4, "three failures, then the answer");
    assert_eq!(world.notes(&key).len(), 1);
    assert!(world.notes(&key)[0].1.contains("PRA received the answer"));
}

#[test]
fn a_403_or_404_is_final_and_recorded() {
    for (unconfigured, expected) in [
        (false, "no longer knew the request"),
        (true, "no ticket system configured"),
    ] {
        let mut world = world();
        let key = ticket(&mut world, |_| {});
        world.pra.unconfigured = unconfigured;
        // Not pending: the appliance timed the request out.
        let (status, _) = http(&drive(&mut world, post(&encode(&form("req-late", &key, |_| {})), FORM)));
        assert_eq!(status, 202);
        world.run_jobs(600_000);
        assert_eq!(world.pra.calls, 1, "final at once");
        let notes = world.notes(&key);
        assert!(notes[0].1.contains(expected), "{notes:?}");
        let history = &world.stored_issue(&key).unwrap()["properties"][PROPERTY]["requests"];
        let delivered = if unconfigured { "not-configured" } else { "timed-out" };
        assert_eq!(history[0]["delivered"], delivered);
    }
}

#[test]
fn an_appliance_that_never_answers_is_given_up_after_ten_minutes() {
    let mut world = world();
    let key = ticket(&mut world, |_| {});
    world.pra.faults.extend(std::iter::repeat_n(None, 500));
    world.pra.pending.insert("req-gone".into());
    let (status, _) = http(&drive(&mut world, post(&encode(&form("req-gone", &key, |_| {})), FORM)));
    assert_eq!(status, 202);
    world.run_jobs(3_600_000);
    assert!(world.queue.is_empty(), "the job ended");
    assert!(world.pra.calls > 3 && world.pra.calls < 60, "{} sends", world.pra.calls);
    let notes = world.notes(&key);
    assert!(notes[0].1.contains("the answer was not delivered"), "{notes:?}");
}

/// The requester (Bob) cannot make the app allow a ticket assigned to someone else by editing
/// what Jira lets him edit: the app's property (a forged "allow" history), the labels, the
/// description naming himself.
#[test]
fn a_requester_cannot_allow_themselves_by_editing_the_issue() {
    let mut world = world();
    let key = ticket(&mut world, |f| {
        f["assignee"] = json!({"accountId": seed::ALICE_APPROVER})
    });
    let forged = json!({"requests": [{"id": records::id_of("req-self"), "decision": "allow", "rule": "all-rules", "delivered": "accepted"}]});
    let (status, body) = world.person_call(
        seed::BOB_REQUESTER,
        "PUT",
        &format!("/rest/api/3/issue/{key}/properties/{PROPERTY}"),
        Some(&forged),
    );
    assert!(matches!(status, 200 | 201), "{body}");
    let edit = json!({"fields": {"labels": ["approved", "bob@example.com"], "description": {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Assignee: bob@example.com"}]}]}}});
    let (status, body) = world.person_call(
        seed::BOB_REQUESTER,
        "PUT",
        &format!("/rest/api/3/issue/{key}"),
        Some(&edit),
    );
    assert_eq!(status, 204, "{body}");
    let answer = ask(&mut world, &form("req-self", &key, |_| {}));
    assert_eq!(answer["response"], "deny", "{answer:?}");
    assert_eq!(answer["message"], format!("Ticket {key} is not assigned to you."));
    let history = &world.stored_issue(&key).unwrap()["properties"][PROPERTY]["requests"];
    assert_eq!(
        history.as_array().unwrap().len(),
        1,
        "the forged history is replaced by the app's: {history}"
    );
    assert_eq!(history[0]["decision"], "deny");
}

/// "Treat the Ticket ID as sensitive": the ticket ID is in no log line, no answer to the
/// appliance, no web trigger answer, no error.
#[test]
fn a_sensitive_ticket_id_appears_nowhere() {
    let mut world = world_with(&PraSettings {
        sensitive_ticket_id: true,
        ..settings()
    });
    let key = ticket(&mut world, |f| {
        f["assignee"] = json!({"accountId": seed::ALICE_APPROVER})
    });
    let mut answers = Vec::new();
    let pairs = form("req-secret-ticket", &key, |_| {});
    answers.push(drive(&mut world, post(&encode(&pairs), FORM)));
    answers.push(drive(&mut world, post(&encode(&pairs), FORM)));
    let bad = form("req-bad", &key, |p| p.push(("ticket_id".into(), key.clone())));
    answers.push(drive(&mut world, post(&encode(&bad), FORM)));
    world.pra.pending.insert("req-secret-ticket".into());
    world.run_jobs(60_000);
    let deny = &world.pra.responses[0];
    assert_eq!(deny["response"], "deny");
    assert_eq!(deny["message"], "The ticket is not assigned to you.");
    let mut everything: Vec<String> = world.logs.clone();
    everything.extend(answers.iter().map(|a| format!("{a:?}")));
    everything.extend(world.pra.responses.iter().map(|r| format!("{r:?}")));
    everything.extend(world.job_runs.iter().map(|(_, o)| format!("{o:?}")));
    for line in &everything {
        assert!(
            !line.contains(&key) && !line.contains(&key.to_lowercase()),
            "the ticket ID shows: {line}"
        );
    }
    assert!(everything.len() > 5);
}
