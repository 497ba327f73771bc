//! The panel's flows, driven through `reduce` (as the DOM layer does) with the browser tests'
//! fixtures: real answers of the core (`tests/keeper_fixtures.rs`).

use serde_json::{Value, json};

use super::*;
use crate::keeper::screen::{self, APPROVING, LOADING, TIME_IS_UP, screen};
use crate::keeper::view::Live;
use crate::polling::{GIVE_UP_AFTER_MS, MAX_DELAY_MS};

macro_rules! fixtures {
    ($($name:literal),* $(,)?) => {
        fn fixture(name: &str) -> Value {
            let text = match name {
                $($name => include_str!(concat!("../../../tests/browser/fixtures/", $name, ".json")),)*
                other => panic!("no fixture {other}"),
            };
            serde_json::from_str(text).expect("fixtures are JSON")
        }
    };
}

fixtures!(
    "keeper-kepm-pending",
    "keeper-kepm-not-approver",
    "keeper-kepm-approved",
    "keeper-kepm-sending",
    "keeper-status-sending",
    "keeper-status-approved",
    "keeper-already-decided",
    "keeper-kepm-expired",
    "keeper-device-pending",
    "keeper-device-denied",
);

/// The page's monotonic clock when the first answer came.
const T0: u64 = 5_000;

fn shown(name: &str) -> Model {
    let mut model = Model::default();
    assert_eq!(reduce(&mut model, Action::Start), Effect::Load);
    assert_eq!(reduce(&mut model, Action::Loaded(Ok(fixture(name)), T0)), Effect::None);
    model
}

#[test]
fn loading_shows_progress_only() {
    let model = Model::default();
    let screen = screen(&model);
    assert_eq!(screen.busy, Some(LOADING));
    assert!(screen.request.is_none() && screen.buttons.is_none() && screen.countdown.is_none());
}

#[test]
fn a_kepm_request_shows_its_facts_the_buttons_and_the_countdown() {
    let model = shown("keeper-kepm-pending");
    assert_eq!(model.phase, Phase::Shown);
    let screen = screen(&model);
    let request = screen.request.unwrap();
    assert_eq!((request.issue_key.as_str(), request.state_kind), ("OPS-1", "pending"));
    assert_eq!(
        request.facts,
        [
            ("Requester", "bob@example.com".to_string()),
            ("Application", "Windows PowerShell (Microsoft)".into()),
            ("Justification", "Install the printer driver".into()),
            ("Endpoint (agent)", "agent-7".into()),
            ("Created", "2023-11-14 22:13:20 UTC".into()),
            ("Status in Keeper", "Pending".into()),
        ]
    );
    assert_eq!(
        screen.buttons,
        Some(screen::Buttons {
            disabled: false,
            sending: None
        })
    );
    assert_eq!(screen.countdown.unwrap().text, "29:00", "a minute after it was made");
    assert!(screen.notice.is_none() && screen.why_not.is_none() && screen.outcome.is_none());
}

#[test]
fn the_countdown_runs_on_the_servers_clock_and_asks_again_at_zero() {
    let mut model = shown("keeper-kepm-pending");
    // 59 seconds later by the page's own clock: whatever the browser's date says.
    assert_eq!(reduce(&mut model, Action::Tick(T0 + 59_000)), Effect::None);
    assert_eq!(screen(&model).countdown.unwrap().text, "28:01");
    // Seen as it was made, 200 ms later: 29:59 left (whole seconds, rounded down).
    let mut early = shown("keeper-kepm-pending");
    early.view.as_mut().unwrap().now -= 60_000;
    reduce(&mut early, Action::Tick(T0 + 200));
    assert_eq!(screen(&early).countdown.unwrap().text, "29:59");
    // One second before the end: still open.
    reduce(&mut model, Action::Tick(T0 + 29 * 60_000 - 1_000));
    let countdown = screen(&model).countdown.unwrap();
    assert_eq!((countdown.text.as_str(), countdown.expired), ("0:01", false));
    // Zero: the buttons are disabled, and the panel asks the server (once).
    assert_eq!(reduce(&mut model, Action::Tick(T0 + 29 * 60_000)), Effect::Load);
    let s = screen(&model);
    assert_eq!(
        s.countdown.as_ref().map(|c| (c.text.as_str(), c.expired)),
        Some(("0:00", true))
    );
    assert!(s.buttons.as_ref().unwrap().disabled);
    assert_eq!(s.notice.unwrap().title, TIME_UP);
    assert_eq!(
        reduce(&mut model, Action::Decide(Decision::Approve)),
        Effect::None,
        "too late"
    );
    assert_eq!(
        reduce(&mut model, Action::Tick(T0 + 29 * 60_000 + 1_000)),
        Effect::None,
        "asked once"
    );
    // The server says it expired.
    reduce(
        &mut model,
        Action::Loaded(Ok(fixture("keeper-kepm-expired")), T0 + 29 * 60_000 + 1_500),
    );
    let s = screen(&model);
    assert!(s.buttons.is_none() && s.countdown.is_none() && s.notice.is_none());
    assert!(s.outcome.unwrap().starts_with("Expired on"));
    assert_eq!(s.request.unwrap().state_kind, "expired");
    assert!(TIME_IS_UP.contains("30 minutes"));
}

#[test]
fn approving_shows_the_result() {
    let mut model = shown("keeper-kepm-pending");
    let effect = reduce(&mut model, Action::Decide(Decision::Approve));
    assert_eq!(effect, Effect::Decide(json!({"decision": "approve"})));
    let s = screen(&model);
    assert_eq!(s.busy, Some(APPROVING));
    assert_eq!(
        s.buttons,
        Some(screen::Buttons {
            disabled: true,
            sending: Some(Decision::Approve)
        })
    );
    assert_eq!(
        reduce(&mut model, Action::Decide(Decision::Deny)),
        Effect::None,
        "one at a time"
    );
    let effect = reduce(
        &mut model,
        Action::DecideAnswered(Ok(fixture("keeper-kepm-approved")), T0 + 2_000),
    );
    assert_eq!(effect, Effect::None);
    assert_eq!(model.focus, Some(Focus::Notice));
    let s = screen(&model);
    let notice = s.notice.unwrap();
    assert_eq!(
        (notice.tone, notice.title.as_str()),
        (Tone::Success, s.outcome.as_deref().unwrap())
    );
    assert!(
        notice.title.starts_with("Approved in Jira by Carol Admin on "),
        "{notice:?}"
    );
    assert!(s.buttons.is_none() && s.countdown.is_none());
    let request = s.request.unwrap();
    assert_eq!(request.state_kind, "approved");
    assert_eq!(request.facts.len(), 5, "Keeper's facts stay shown after the decision");
    assert!(
        request.facts.iter().all(|(label, _)| *label != "Status in Keeper"),
        "not the status read before"
    );
}

#[test]
fn a_device_request_shows_the_device_and_is_denied() {
    let mut model = shown("keeper-device-pending");
    let s = screen(&model);
    assert!(s.countdown.is_none(), "device approvals do not expire");
    let facts = s.request.unwrap().facts;
    let labels: Vec<_> = facts.iter().map(|(l, _)| *l).collect();
    assert_eq!(
        labels,
        [
            "Email",
            "Device name",
            "Device type",
            "IP address",
            "Client version",
            "Location",
            "Requested"
        ]
    );
    assert_eq!(facts[1].1, "Bob's laptop");
    assert_eq!(
        reduce(&mut model, Action::Decide(Decision::Deny)),
        Effect::Decide(json!({"decision": "deny"}))
    );
    assert_eq!(screen(&model).busy, Some(screen::DENYING));
    reduce(
        &mut model,
        Action::DecideAnswered(Ok(fixture("keeper-device-denied")), T0 + 1_000),
    );
    let s = screen(&model);
    assert!(s.notice.unwrap().title.starts_with("Denied in Jira by Carol Admin"));
    assert_eq!(s.request.unwrap().state_kind, "denied");
}

#[test]
fn someone_who_may_not_decide_sees_why_instead_of_the_buttons() {
    let model = shown("keeper-kepm-not-approver");
    let s = screen(&model);
    assert!(s.buttons.is_none());
    assert!(s.why_not.unwrap().contains("administrators"), "{:?}", s.why_not);
    assert!(s.countdown.is_some(), "the time left is still shown");
}

#[test]
fn a_refusal_that_settles_the_request_shows_it_as_it_is_now() {
    let mut model = shown("keeper-kepm-pending");
    reduce(&mut model, Action::Decide(Decision::Deny));
    let effect = reduce(
        &mut model,
        Action::DecideAnswered(Ok(fixture("keeper-already-decided")), T0 + 1_000),
    );
    assert_eq!(effect, Effect::Load, "the panel reads the request again");
    let notice = model.notice.clone().unwrap();
    assert_eq!(notice.tone, Tone::Warning);
    assert!(notice.title.contains("already approved in Jira by Carol Admin"));
    reduce(
        &mut model,
        Action::Loaded(Ok(fixture("keeper-kepm-approved")), T0 + 2_000),
    );
    let s = screen(&model);
    assert_eq!(
        s.notice,
        Some(&notice),
        "the refusal stays until something else happens"
    );
    assert!(s.buttons.is_none() && s.outcome.is_some());
}

#[test]
fn a_refusal_keeper_may_not_repeat_keeps_the_buttons() {
    let mut model = shown("keeper-kepm-pending");
    reduce(&mut model, Action::Decide(Decision::Approve));
    let failed = json!({"ok": false, "error": {"code": "keeper-failed",
        "message": "Keeper did not apply the decision: no change. You may try again."}});
    assert_eq!(reduce(&mut model, Action::DecideAnswered(Ok(failed), T0)), Effect::None);
    let s = screen(&model);
    assert_eq!(s.notice.unwrap().tone, Tone::Error);
    assert!(!s.buttons.unwrap().disabled, "try again");
    // The call itself failed: nothing is sent twice, so trying again is safe.
    reduce(&mut model, Action::Decide(Decision::Approve));
    reduce(&mut model, Action::DecideAnswered(Err("HTTP 502".into()), T0));
    let notice = model.notice.clone().unwrap();
    assert_eq!(
        (notice.title.as_str(), notice.lines[0].as_str()),
        (DECIDE_FAILED, "HTTP 502")
    );
    assert_eq!(model.phase, Phase::Shown);
}

#[test]
fn a_decision_in_flight_is_followed_until_keeper_confirms_it() {
    let mut model = shown("keeper-kepm-pending");
    reduce(&mut model, Action::Decide(Decision::Approve));
    let effect = reduce(
        &mut model,
        Action::DecideAnswered(Ok(fixture("keeper-kepm-sending")), T0 + 1_000),
    );
    assert_eq!(effect, Effect::Poll { after_ms: 3_000 });
    let s = screen(&model);
    let notice = s.notice.unwrap();
    assert_eq!(notice.tone, Tone::Info);
    assert!(notice.title.starts_with("Approval sent to Keeper"), "{notice:?}");
    assert!(
        notice
            .lines
            .contains(&"Commander has not run the action yet".to_string())
    );
    assert!(s.buttons.is_none(), "nobody decides while one is in flight");
    assert_eq!(
        s.live,
        [
            "Sending the decision to Keeper…".to_string(),
            "Approved sent by Carol Admin.".into(),
            UPDATES_BY_ITSELF.into()
        ]
    );
    assert_eq!(s.request.unwrap().facts.len(), 6);
    // Still sending: the waits grow.
    let effect = reduce(
        &mut model,
        Action::Polled(Ok(fixture("keeper-status-sending")), T0 + 4_000),
    );
    assert_eq!(effect, Effect::Poll { after_ms: 6_000 });
    // A failed check is quiet: the next one is planned as before.
    let effect = reduce(&mut model, Action::Polled(Err("HTTP 503".into()), T0 + 10_000));
    assert_eq!(effect, Effect::Poll { after_ms: 12_000 });
    // Keeper confirmed it.
    let effect = reduce(
        &mut model,
        Action::Polled(Ok(fixture("keeper-status-approved")), T0 + 22_000),
    );
    assert_eq!(effect, Effect::None);
    assert!(model.polling.is_none());
    let s = screen(&model);
    assert_eq!(s.notice.unwrap().tone, Tone::Success);
    assert_eq!(s.request.unwrap().state_kind, "approved");
    assert!(s.live.is_empty(), "{:?}", s.live);
    // A late answer of a check changes nothing.
    assert_eq!(
        reduce(
            &mut model,
            Action::Polled(Ok(fixture("keeper-status-sending")), T0 + 30_000)
        ),
        Effect::None
    );
}

#[test]
fn polling_stops_after_ten_minutes() {
    let mut model = Model::default();
    reduce(&mut model, Action::Start);
    let first = reduce(&mut model, Action::Loaded(Ok(fixture("keeper-status-sending")), T0));
    assert_eq!(first, Effect::Poll { after_ms: 3_000 });
    assert_eq!(model.view.as_ref().unwrap().live, Live::Sending);
    let mut waited = 0u64;
    let mut at = T0;
    loop {
        let effect = reduce(&mut model, Action::Polled(Ok(fixture("keeper-status-sending")), at));
        match effect {
            Effect::Poll { after_ms } => {
                waited += u64::from(after_ms);
                at += u64::from(after_ms);
                assert!(after_ms <= MAX_DELAY_MS);
            }
            Effect::None => break,
            other => panic!("{other:?}"),
        }
    }
    assert!(waited <= GIVE_UP_AFTER_MS, "{waited}");
    assert!(model.polling.is_none());
    assert_eq!(model.notice.as_ref().unwrap().title, STILL_WAITING);
}

#[test]
fn a_panel_that_cannot_load_says_why_and_offers_retry_when_it_may_help() {
    let mut model = Model::default();
    reduce(&mut model, Action::Start);
    reduce(
        &mut model,
        Action::Loaded(Err("the app could not be reached".into()), T0),
    );
    assert_eq!(model.phase, Phase::Unavailable);
    let s = screen(&model);
    assert!(s.request.is_none() && s.notice.unwrap().retry);
    assert_eq!(reduce(&mut model, Action::Retry), Effect::Load);
    assert_eq!(model.phase, Phase::Loading);
    let not_keeper =
        json!({"ok": false, "error": {"code": "not-keeper", "message": "This issue is not a Keeper request."}});
    reduce(&mut model, Action::Loaded(Ok(not_keeper), T0));
    let notice = model.notice.clone().unwrap();
    assert_eq!((notice.tone, notice.retry), (Tone::Info, false));
    assert_eq!(notice.lines, ["This issue is not a Keeper request."]);
    assert_eq!(reduce(&mut model, Action::Retry), Effect::None);
}
