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
