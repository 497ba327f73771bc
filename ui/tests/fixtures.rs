//! The browser tests' fake resolver answers (`tests/browser/fixtures/*.json`) are made by the
//! core's own functions (`view::build`, `resolver::ok` / `refused`) from the sample EPM webhook,
//! so they have exactly the shapes the real resolvers answer. This test fails when a fixture
//! drifts from what the core makes; `UPDATE_FIXTURES=1 cargo test -p pam-approvals-ui --test
//! fixtures` rewrites them.

mod common;

use pam_approvals::Outcome;
use pam_approvals::providers::epm::flows::claim::{Claim, ClaimState};
use pam_approvals::providers::epm::flows::decide;
use pam_approvals::providers::epm::mapping::property::{DecisionRecord, EpmProperty, Person, Source};
use pam_approvals::providers::epm::page::view;
use pam_approvals::providers::epm::wire::duration::AccessDuration;
use pam_approvals::providers::epm::wire::{self, Event};
use pam_approvals::resolver::{self, Refusal};
use pam_approvals::time;
use pam_approvals_ui::answer::Answer;
use serde_json::{Value, json};

const SAMPLE: &str = include_str!("../../tests/fixtures/epm/ticket-created.sample.json");
const SUMMARY: &str = "EPM JIT Application Access Request - CORP\\bob";

fn now() -> u64 {
    time::parse("2026-11-23 09:20:00").expect("a valid time")
}

fn property() -> EpmProperty {
    let Ok(Event::TicketCreated(request)) = wire::parse(SAMPLE) else {
        panic!("the sample is a ticket-created webhook")
    };
    EpmProperty::new(&request, Some("712020:bob".into()), now() - 60_000)
}

fn approved_for_four_hours() -> DecisionRecord {
    let duration = AccessDuration::Hours(4);
    DecisionRecord {
        approved: true,
        duration: Some(duration),
        duration_label: duration.label(),
        expires_at: duration.seconds().map(|s| now() + s * 1000),
        decided_by: Person {
            account_id: Some("712020:alice".into()),
            display_name: "Alice Approver".into(),
        },
        decided_at: now(),
        message: "OK for the quarterly update".into(),
        source: Source::Jira,
        expired_at: None,
        kept_at: 0,
    }
}

fn answer_json(outcome: Outcome) -> Value {
    let Outcome::Value(text) = outcome else {
        panic!("resolvers answer with a value")
    };
    serde_json::from_str(&text).expect("resolver answers are JSON")
}

fn view_answer(status: &str, property: &EpmProperty, blocker: Option<&str>) -> Value {
    let view = view::build("PMCJIT-1", SUMMARY, status, property, blocker.map(String::from), now());
    answer_json(resolver::ok(json!({ "view": view })))
}

/// The answer while Alice's approval is in flight: sent, EPM's answer unknown, the app's queue
/// sending it again (`resolvers::request` and `decide::decide` set `sending`).
fn sending_answer(property: &EpmProperty) -> Value {
    let held = Claim {
        at: now(),
        by: "Alice Approver".into(),
        approved: true,
        state: ClaimState::Unknown,
        intent: None,
        instance: None,
    };
    let mut view = view::build(
        "PMCJIT-1",
        SUMMARY,
        "Open",
        property,
        Some(decide::in_flight_message(&held)),
        now(),
    );
    view.sending = true;
    answer_json(resolver::ok(json!({ "view": view })))
}

fn refusal(code: &'static str, message: &str, fields: Value) -> Value {
    answer_json(resolver::refused(Refusal::new(code, message).with_fields(fields)))
}

fn fixtures() -> Vec<(&'static str, Value)> {
    let pending = property();
    let mut decided = property();
    decided.decision = Some(approved_for_four_hours());
    let mut approved = view_answer("Approved", &decided, None);
    approved["outcome"] = json!({"approved": true, "internalNote": true, "movedTo": "Approved", "statusNote": null});
    let mut decide_sending = sending_answer(&pending);
    decide_sending["outcome"] = json!({"approved": true, "pending": true,
        "warning": "EPM did not confirm the decision (EPM did not answer). It may already have it: the app is sending the same decision again until EPM confirms, then records it on the issue."});
    vec![
        ("request-pending", view_answer("Open", &pending, None)),
        (
            "request-self-approval",
            view_answer(
                "Open",
                &pending,
                Some("You asked for this access, so someone else has to decide it."),
            ),
        ),
        ("request-approved", view_answer("Approved", &decided, None)),
        ("request-sending", sending_answer(&pending)),
        (
            "request-not-epm",
            refusal(
                "not-epm",
                "PMCJIT-9 is not an EPM access request, so there is nothing to decide here.",
                json!({}),
            ),
        ),
        ("decide-approved", approved),
        ("decide-sending", decide_sending),
        (
            "decide-invalid",
            refusal(
                "invalid",
                "Some fields need attention.",
                json!({"duration": "hours must be 1 to 24", "message": "the message contains control characters"}),
            ),
        ),
        (
            "decide-epm-failed",
            refusal(
                "epm-failed",
                "EPM refused the decision (HTTP 503): Service Unavailable. Nothing was recorded; you can try again.",
                json!({}),
            ),
        ),
    ]
}

#[test]
fn fixtures_are_what_the_core_answers() {
    common::check(fixtures(), |name, answer| {
        Answer::parse(answer.clone()).unwrap_or_else(|e| panic!("{name}: the page cannot read it: {e}"));
    });
}
