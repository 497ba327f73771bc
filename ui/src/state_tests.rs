//! The page's flows, driven through `reduce` with the resolver answers of the browser tests'
//! fixtures (made by the core; see `tests/fixtures.rs`).

use serde_json::{Value, json};

use super::*;

fn fixture(name: &str) -> Value {
    let text = match name {
        "request-pending" => include_str!("../../tests/browser/fixtures/request-pending.json"),
        "request-self-approval" => include_str!("../../tests/browser/fixtures/request-self-approval.json"),
        "request-approved" => include_str!("../../tests/browser/fixtures/request-approved.json"),
        "request-not-epm" => include_str!("../../tests/browser/fixtures/request-not-epm.json"),
        "decide-approved" => include_str!("../../tests/browser/fixtures/decide-approved.json"),
        "decide-invalid" => include_str!("../../tests/browser/fixtures/decide-invalid.json"),
        "decide-epm-failed" => include_str!("../../tests/browser/fixtures/decide-epm-failed.json"),
        "request-sending" => include_str!("../../tests/browser/fixtures/request-sending.json"),
        "decide-sending" => include_str!("../../tests/browser/fixtures/decide-sending.json"),
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).expect("fixtures are JSON")
}

/// A model showing the pending request, ready for a decision.
fn ready() -> Model {
    let mut model = Model::default();
    assert_eq!(reduce(&mut model, Action::Start), Effect::Load);
    reduce(&mut model, Action::RequestAnswered(Ok(fixture("request-pending"))));
    assert_eq!(model.phase, Phase::Ready);
    model
}

fn approve_four_hours(model: &mut Model) -> Effect {
    reduce(model, Action::ChooseDecision(Decision::Approve));
    reduce(model, Action::ChooseUnit("hours".into()));
    reduce(model, Action::ChooseCount("4".into()));
    reduce(model, Action::EditMessage("OK for the quarterly update".into()));
    reduce(model, Action::Submit)
}

#[test]
fn loads_then_approves() {
    let mut model = ready();
    assert!(model.notice.is_none());
    assert_eq!(model.view.as_ref().map(|v| v.issue_key.as_str()), Some("PMCJIT-1"));
    let effect = approve_four_hours(&mut model);
    assert_eq!(
        effect,
        Effect::Decide(json!({"decision": "approve", "duration": {"unit": "hours", "count": 4},
            "message": "OK for the quarterly update"}))
    );
    assert_eq!(model.phase, Phase::Submitting);
    assert_eq!(reduce(&mut model, Action::EditMessage("changed".into())), Effect::None);
    assert_eq!(
        model.form.message, "OK for the quarterly update",
        "the form is frozen while sending"
    );
    assert_eq!(reduce(&mut model, Action::Close), Effect::None, "no closing mid-flight");

    reduce(&mut model, Action::DecideAnswered(Ok(fixture("decide-approved"))));
    assert_eq!(model.phase, Phase::Decided);
    let notice = model.notice.clone().expect("a result");
    assert_eq!(
        (notice.tone, notice.title.as_str()),
        (Tone::Success, "Approved for 4 hours.")
    );
    assert_eq!(
        notice.lines,
        ["EPM has the decision; the note and status are on the issue."]
    );
    assert_eq!(model.focus, Some(Focus::Notice));
    assert!(model.view.as_ref().unwrap().state.label.starts_with("Approved until"));
    assert_eq!(reduce(&mut model, Action::Close), Effect::Close { refresh: true });
}

#[test]
fn a_request_the_user_cannot_decide_shows_why() {
    for (name, expected) in [
        ("request-self-approval", "You asked for this access"),
        (
            "request-approved",
            "This request is already decided: Approved by Alice Approver",
        ),
    ] {
        let mut model = Model::default();
        reduce(&mut model, Action::Start);
        reduce(&mut model, Action::RequestAnswered(Ok(fixture(name))));
        assert_eq!(model.phase, Phase::Blocked, "{name}");
        let notice = model.notice.clone().expect("why");
        assert!(notice.title.starts_with(expected), "{name}: {notice:?}");
        assert!(!notice.retry);
        assert_eq!(reduce(&mut model, Action::Submit), Effect::None);
        assert_eq!(reduce(&mut model, Action::Close), Effect::Close { refresh: false });
    }
}

#[test]
fn refusals_while_loading() {
    let mut model = Model::default();
    reduce(&mut model, Action::Start);
    reduce(&mut model, Action::RequestAnswered(Ok(fixture("request-not-epm"))));
    assert_eq!(model.phase, Phase::Unavailable);
    let notice = model.notice.clone().unwrap();
    assert_eq!(notice.tone, Tone::Info);
    assert!(notice.title.contains("not an EPM access request") && !notice.retry);
    assert_eq!(reduce(&mut model, Action::Retry), Effect::None);

    reduce(&mut model, Action::Start);
    reduce(&mut model, Action::RequestAnswered(Err("HTTP 502: Bad Gateway".into())));
    let notice = model.notice.clone().unwrap();
    assert_eq!((notice.tone, notice.retry), (Tone::Error, true));
    assert_eq!(notice.lines, ["HTTP 502: Bad Gateway"]);
    assert_eq!(reduce(&mut model, Action::Retry), Effect::Load);
    assert_eq!(model.phase, Phase::Loading);
    assert!(model.notice.is_none());
}

#[test]
fn the_core_checks_the_form_before_sending() {
    let mut model = ready();
    assert_eq!(reduce(&mut model, Action::Submit), Effect::None);
    assert_eq!(model.field_errors["decision"], "choose Approve or Deny");
    assert_eq!(model.focus, Some(Focus::Field("decision")));
    assert_eq!(
        model.notice.as_ref().map(|n| n.title.as_str()),
        Some(FIELDS_NEED_ATTENTION)
    );
    reduce(&mut model, Action::ChooseDecision(Decision::Deny));
    assert!(model.field_errors.is_empty(), "choosing clears the error");
    reduce(&mut model, Action::EditMessage("a\u{7}b".into()));
    assert_eq!(reduce(&mut model, Action::Submit), Effect::None);
    assert!(model.field_errors["message"].contains("control characters"));
}

#[test]
fn server_field_errors_go_next_to_their_fields() {
    let mut model = ready();
    approve_four_hours(&mut model);
    reduce(&mut model, Action::DecideAnswered(Ok(fixture("decide-invalid"))));
    assert_eq!(model.phase, Phase::Ready);
    assert_eq!(model.field_errors["duration"], "hours must be 1 to 24");
    assert_eq!(model.focus, Some(Focus::Field("duration")));
    let notice = model.notice.clone().unwrap();
    assert_eq!(
        (notice.title.as_str(), notice.retry),
        ("Some fields need attention.", false)
    );

    // A field the form does not have is still shown, in the notice.
    let mut model = ready();
    approve_four_hours(&mut model);
    let odd = json!({"ok": false, "error": {"code": "invalid", "message": "Some fields need attention.", "fields": {"colour": "no"}}});
    reduce(&mut model, Action::DecideAnswered(Ok(odd)));
    assert_eq!(model.notice.unwrap().lines, ["colour: no"]);
}

#[test]
fn epm_failures_can_be_retried_with_the_same_form() {
    let mut model = ready();
    let first = approve_four_hours(&mut model);
    reduce(&mut model, Action::DecideAnswered(Ok(fixture("decide-epm-failed"))));
    assert_eq!(model.phase, Phase::Ready);
    let notice = model.notice.clone().unwrap();
    assert!(notice.retry && notice.title.starts_with("EPM refused the decision"));
    assert_eq!(reduce(&mut model, Action::Retry), first);
    assert_eq!(model.phase, Phase::Submitting);

    // A failed call is also retryable: the resolver never sends a decision twice.
    reduce(&mut model, Action::DecideAnswered(Err("the app did not answer".into())));
    let notice = model.notice.clone().unwrap();
    assert_eq!(
        (notice.title.as_str(), notice.retry),
        ("The decision could not be sent.", true)
    );
    assert_eq!(reduce(&mut model, Action::Retry), first);
}

#[test]
fn refusals_that_end_the_form() {
    let mut model = ready();
    approve_four_hours(&mut model);
    let already = json!({"ok": false, "error": {"code": "already-decided",
        "message": "Already decided: Denied by Carol at 2026-11-23 09:19 UTC in Jira.", "fields": {}}});
    reduce(&mut model, Action::DecideAnswered(Ok(already)));
    assert_eq!(model.phase, Phase::Blocked);
    assert_eq!(model.notice.clone().unwrap().tone, Tone::Warning);
    assert_eq!(reduce(&mut model, Action::Retry), Effect::None);
    assert_eq!(reduce(&mut model, Action::Close), Effect::Close { refresh: true });
}

#[test]
fn results_name_the_decision() {
    let mut model = ready();
    reduce(&mut model, Action::ChooseDecision(Decision::Deny));
    reduce(&mut model, Action::Submit);
    let mut denied = fixture("decide-approved");
    denied["view"]["state"]["decision"]["approved"] = json!(false);
    denied["outcome"] =
        json!({"approved": false, "warning": "EPM has the decision, but Jira could not record it yet."});
    reduce(&mut model, Action::DecideAnswered(Ok(denied)));
    let notice = model.notice.unwrap();
    assert_eq!((notice.tone, notice.title.as_str()), (Tone::Warning, "Denied."));
    assert_eq!(
        notice.lines,
        ["EPM has the decision, but Jira could not record it yet."]
    );

    let mut model = ready();
    reduce(&mut model, Action::ChooseDecision(Decision::Approve));
    reduce(&mut model, Action::Submit);
    let mut pending = fixture("decide-approved");
    pending["view"]["state"]["decision"] = json!(null);
    pending["outcome"] = json!({"approved": true, "pending": true, "warning": "EPM did not confirm the decision."});
    reduce(&mut model, Action::DecideAnswered(Ok(pending)));
    let notice = model.notice.unwrap();
    assert_eq!(
        (notice.tone, notice.title.as_str()),
        (Tone::Warning, "Approval sent to EPM; waiting for EPM to confirm it.")
    );
    assert_eq!(notice.lines, ["EPM did not confirm the decision."]);

    let mut model = ready();
    reduce(&mut model, Action::ChooseDecision(Decision::Approve));
    reduce(&mut model, Action::Submit);
    let mut once = fixture("decide-approved");
    once["view"]["state"]["decision"]["durationLabel"] = json!("once");
    once["outcome"]["statusNote"] = json!("The workflow has no transition to Approved.");
    reduce(&mut model, Action::DecideAnswered(Ok(once)));
    let notice = model.notice.unwrap();
    assert_eq!(notice.title, "Approved once.");
    assert_eq!(notice.lines[1], "The workflow has no transition to Approved.");
}

#[test]
fn late_answers_are_ignored() {
    let mut model = ready();
    let before = model.clone();
    reduce(&mut model, Action::DecideAnswered(Ok(fixture("decide-approved"))));
    reduce(&mut model, Action::RequestAnswered(Ok(fixture("request-approved"))));
    assert_eq!(model, before);
}

/// A model that opened on a decision in flight; the effect it asked for.
fn opened_sending() -> (Model, Effect) {
    let mut model = Model::default();
    reduce(&mut model, Action::Start);
    let effect = reduce(&mut model, Action::RequestAnswered(Ok(fixture("request-sending"))));
    (model, effect)
}

/// The waits a model asks for while `answer` keeps coming back, until it stops asking.
fn waits_while(model: &mut Model, first: Effect, answer: impl Fn() -> Result<Value, String>) -> Vec<u32> {
    let mut waits = Vec::new();
    let mut effect = first;
    while let Effect::Refresh { after_ms } = effect {
        waits.push(after_ms);
        assert!(waits.len() < 1000, "never stops");
        effect = reduce(model, Action::Refreshed(answer()));
    }
    assert_eq!(effect, Effect::None);
    waits
}

#[test]
fn a_decision_in_flight_is_shown_and_checked_again_with_growing_waits() {
    let (mut model, effect) = opened_sending();
    assert_eq!(effect, Effect::Refresh { after_ms: 3_000 });
    assert_eq!(model.phase, Phase::Sending);
    let notice = model.notice.clone().unwrap();
    assert_eq!((notice.tone, notice.title.as_str()), (Tone::Info, SENDING_TO_EPM));
    assert!(
        notice.lines[0].starts_with("Alice Approver approved this request"),
        "{notice:?}"
    );
    assert_eq!(notice.lines[1], UPDATES_BY_ITSELF);

    // The form is frozen: nothing can be chosen or sent meanwhile.
    assert_eq!(reduce(&mut model, Action::ChooseDecision(Decision::Deny)), Effect::None);
    assert_eq!(reduce(&mut model, Action::Submit), Effect::None);
    assert_eq!(model.form, FormState::default());
    assert_eq!(reduce(&mut model, Action::Retry), Effect::None);

    let mut waits = Vec::new();
    for _ in 0..5 {
        match reduce(&mut model, Action::Refreshed(Ok(fixture("request-sending")))) {
            Effect::Refresh { after_ms } => waits.push(after_ms),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(waits, [6_000, 12_000, 15_000, 15_000, 15_000]);
    assert_eq!(model.notice.as_ref().unwrap().title, SENDING_TO_EPM);
    // Closing is allowed: the app keeps sending without the page.
    assert_eq!(reduce(&mut model, Action::Close), Effect::Close { refresh: false });
}

#[test]
fn the_decision_landing_shows_it_and_ends_the_checks() {
    let (mut model, _) = opened_sending();
    reduce(&mut model, Action::Refreshed(Ok(fixture("request-sending"))));
    let effect = reduce(&mut model, Action::Refreshed(Ok(fixture("request-approved"))));
    assert_eq!(effect, Effect::None, "no further check");
    assert_eq!((model.phase, model.polling.as_ref()), (Phase::Decided, None));
    let notice = model.notice.clone().unwrap();
    assert_eq!(
        (notice.tone, notice.title.as_str()),
        (Tone::Success, "Approved for 4 hours.")
    );
    assert!(model.view.as_ref().unwrap().state.label.starts_with("Approved until"));
    // A late check's answer changes nothing.
    let before = model.clone();
    assert_eq!(
        reduce(&mut model, Action::Refreshed(Ok(fixture("request-sending")))),
        Effect::None
    );
    assert_eq!(model, before);
    assert_eq!(reduce(&mut model, Action::Close), Effect::Close { refresh: true });
}

#[test]
fn nothing_in_flight_means_no_checks() {
    for name in ["request-pending", "request-approved", "request-self-approval"] {
        let mut model = Model::default();
        reduce(&mut model, Action::Start);
        assert_eq!(
            reduce(&mut model, Action::RequestAnswered(Ok(fixture(name)))),
            Effect::None,
            "{name}"
        );
        assert_eq!(model.polling, None, "{name}");
        assert_eq!(
            reduce(&mut model, Action::Refreshed(Ok(fixture("request-sending")))),
            Effect::None,
            "{name}: an unasked check is ignored"
        );
        assert_ne!(model.phase, Phase::Sending, "{name}");
    }
    let mut model = ready();
    approve_four_hours(&mut model);
    assert_eq!(
        reduce(&mut model, Action::DecideAnswered(Ok(fixture("decide-approved")))),
        Effect::None
    );
    assert_eq!(model.polling, None);
}

#[test]
fn checks_stop_after_about_ten_minutes() {
    let (mut model, first) = opened_sending();
    let waits = waits_while(&mut model, first, || Ok(fixture("request-sending")));
    let total: u64 = waits.iter().copied().map(u64::from).sum();
    assert!(
        (9 * 60_000..=10 * 60_000).contains(&total),
        "{total} ms in {} checks",
        waits.len()
    );
    assert_eq!((model.phase, model.polling.as_ref()), (Phase::Blocked, None));
    let notice = model.notice.clone().unwrap();
    assert_eq!(
        (notice.tone, notice.title.as_str()),
        (Tone::Warning, STILL_NOT_CONFIRMED)
    );
    assert!(notice.lines[0].starts_with("Alice Approver approved"));
    assert_eq!(
        reduce(&mut model, Action::Refreshed(Ok(fixture("request-sending")))),
        Effect::None
    );
}

#[test]
fn failed_checks_keep_the_same_waits_and_say_so_only_when_they_keep_failing() {
    let (mut model, _) = opened_sending();
    let calm = model.notice.clone();
    let failed = |model: &mut Model| reduce(model, Action::Refreshed(Err("HTTP 502: Bad Gateway".into())));
    assert_eq!(failed(&mut model), Effect::Refresh { after_ms: 6_000 });
    assert_eq!(
        reduce(
            &mut model,
            Action::Refreshed(Ok(
                json!({"ok": false, "error": {"code": "unavailable", "message": "Jira did not answer."}})
            ))
        ),
        Effect::Refresh { after_ms: 12_000 }
    );
    assert_eq!(model.notice, calm, "two failures are not worth a word");
    assert_eq!(failed(&mut model), Effect::Refresh { after_ms: 15_000 });
    let notice = model.notice.clone().unwrap();
    assert_eq!((notice.tone, notice.title.as_str()), (Tone::Warning, SENDING_TO_EPM));
    assert_eq!(
        notice.lines[2],
        "The page could not check for a while (HTTP 502: Bad Gateway); it keeps trying."
    );
    assert_eq!(model.phase, Phase::Sending);
    // An answer calms it down again.
    reduce(&mut model, Action::Refreshed(Ok(fixture("request-sending"))));
    assert_eq!(model.notice, calm);

    // Failing all along still stops at the cap.
    let (mut model, first) = opened_sending();
    let waits = waits_while(&mut model, first, || Err("no answer".into()));
    assert!(waits.len() > 30);
    assert_eq!(model.notice.unwrap().title, STILL_NOT_CONFIRMED);
}

#[test]
fn a_decision_answered_in_flight_starts_the_checks() {
    let mut model = ready();
    approve_four_hours(&mut model);
    let effect = reduce(&mut model, Action::DecideAnswered(Ok(fixture("decide-sending"))));
    assert_eq!(effect, Effect::Refresh { after_ms: 3_000 });
    assert_eq!(model.phase, Phase::Sending);
    assert_eq!(model.notice.as_ref().unwrap().title, SENDING_TO_EPM);
    assert_eq!(model.focus, Some(Focus::Notice));
    reduce(&mut model, Action::Refreshed(Ok(fixture("request-approved"))));
    assert_eq!(model.phase, Phase::Decided);
    assert_eq!(reduce(&mut model, Action::Close), Effect::Close { refresh: true });
}

#[test]
fn a_decision_that_goes_away_unrecorded_gives_the_form_back() {
    let mut model = ready();
    approve_four_hours(&mut model);
    reduce(&mut model, Action::DecideAnswered(Ok(fixture("decide-sending"))));
    // EPM refused it in the end: the app released the claim, the request is pending again.
    let effect = reduce(&mut model, Action::Refreshed(Ok(fixture("request-pending"))));
    assert_eq!(effect, Effect::None);
    assert_eq!((model.phase, model.polling.as_ref()), (Phase::Ready, None));
    let notice = model.notice.clone().unwrap();
    assert_eq!((notice.tone, notice.title.as_str()), (Tone::Warning, NOT_TAKEN));
    assert_eq!(notice.lines, ["You can decide again."]);
    assert_eq!(
        model.form.message, "OK for the quarterly update",
        "the form as it was sent"
    );
}
