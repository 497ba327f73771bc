use serde_json::{Value, json};

use super::screen::{self, NO_DELIVERIES, REFRESH, RETRY_NOW, RETRYING, SHOW};
use super::state::{Action, Call, Model, Phase, RETRIED, reduce};
use crate::state::Tone;

fn view(dead: Value) -> Value {
    json!({"ok": true, "diagnostics": {
        "limit": 100,
        "triggers": [
            {"trigger": "epm-webhook", "title": "EPM", "deliveries": [
                {"at": "2026-11-29T10:00:01.000Z", "event": "ticket created", "request": "r-1",
                 "status": 502, "outcome": "could not create the Jira issue: 400", "attempts": 2},
                {"at": "2026-11-29T09:00:00.000Z", "event": "decision updated", "request": "r-0",
                 "status": 200, "outcome": "", "attempts": 1}
            ]},
            {"trigger": "pra-ticket", "title": "PRA", "deliveries": []}
        ],
        "jobs": [{"at": "2026-11-29T10:00:30.000Z", "kind": "epm.webhook", "request": "r-1",
                  "outcome": "given up", "attempts": 1, "last": "Jira refused the create"}],
        "dead": dead,
    }})
}

fn letter() -> Value {
    json!([{"key": "jobs:dead:epm.webhook:abc", "at": "2026-11-29T10:00:30.000Z", "kind": "epm.webhook",
            "request": "r-1", "attempts": 1, "reason": "Jira refused the create"}])
}

fn shown() -> Model {
    let mut model = Model::default();
    assert_eq!(reduce(&mut model, Action::Load), Call::Load);
    assert_eq!(reduce(&mut model, Action::Loaded(Ok(view(letter())))), Call::None);
    model
}

#[test]
fn loading_shows_each_list_with_failures_marked() {
    let mut model = Model::default();
    assert_eq!(screen::screen(&model).load_label, SHOW);
    assert!(screen::screen(&model).tables.is_none());
    reduce(&mut model, Action::Load);
    let loading = screen::screen(&model);
    assert!(loading.busy.is_some() && loading.load_disabled);
    assert_eq!(reduce(&mut model, Action::Load), Call::None, "one load at a time");
    reduce(&mut model, Action::Loaded(Ok(view(letter()))));
    let shown = screen::screen(&model);
    assert_eq!(shown.load_label, REFRESH);
    let tables = shown.tables.unwrap();
    assert_eq!(
        tables.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        ["epm-webhook", "pra-ticket", "jobs", "dead"]
    );
    let epm = &tables[0];
    assert_eq!(
        epm.rows[0].cells,
        [
            "2026-11-29 10:00:01",
            "ticket created",
            "r-1",
            "502 could not create the Jira issue: 400",
            "2"
        ]
    );
    assert!(epm.rows[0].failed && !epm.rows[1].failed);
    assert_eq!(epm.rows[1].cells[3], "200");
    assert!(tables[1].rows.is_empty());
    assert_eq!(tables[1].empty, NO_DELIVERIES);
    let retry = tables[3].rows[0].retry.clone().unwrap();
    assert_eq!(
        (retry.key.as_str(), retry.label, retry.disabled),
        ("jobs:dead:epm.webhook:abc", RETRY_NOW, false)
    );
}

#[test]
fn retry_now_queues_the_listed_letter_once_and_shows_the_fresh_view() {
    let mut model = shown();
    assert_eq!(
        reduce(&mut model, Action::RetryNow("jobs:dead:other".into())),
        Call::None,
        "only listed keys"
    );
    assert_eq!(
        reduce(&mut model, Action::RetryNow("jobs:dead:epm.webhook:abc".into())),
        Call::Retry("jobs:dead:epm.webhook:abc".into())
    );
    assert_eq!(model.phase, Phase::Retrying);
    let retrying = screen::screen(&model).tables.unwrap()[3].rows[0].retry.clone().unwrap();
    assert_eq!((retrying.label, retrying.disabled), (RETRYING, true));
    assert_eq!(
        reduce(&mut model, Action::RetryNow("jobs:dead:epm.webhook:abc".into())),
        Call::None
    );
    assert_eq!(reduce(&mut model, Action::Retried(Ok(view(json!([]))))), Call::None);
    assert_eq!(model.phase, Phase::Shown);
    assert_eq!(
        model.notice.as_ref().map(|n| (n.tone, n.title.as_str())),
        Some((Tone::Success, RETRIED))
    );
    assert!(screen::screen(&model).tables.unwrap()[3].rows.is_empty());
}

#[test]
fn refusals_and_broken_answers_are_notices() {
    let mut model = shown();
    reduce(&mut model, Action::RetryNow("jobs:dead:epm.webhook:abc".into()));
    let gone = json!({"ok": false, "error": {"code": "not-found", "message": "Retried already."}});
    assert_eq!(
        reduce(&mut model, Action::Retried(Ok(gone))),
        Call::Load,
        "reloads the lists"
    );
    assert_eq!(model.notice.as_ref().map(|n| n.tone), Some(Tone::Warning));

    let mut model = Model::default();
    reduce(&mut model, Action::Load);
    reduce(&mut model, Action::Loaded(Err("the bridge failed".into())));
    assert_eq!(model.phase, Phase::Closed);
    let notice = model.notice.clone().unwrap();
    assert_eq!(
        (notice.tone, notice.lines),
        (Tone::Error, vec!["the bridge failed".to_string()])
    );
    reduce(&mut model, Action::Load);
    let forbidden = json!({"ok": false, "error": {"code": "forbidden", "message": "Only Jira administrators…"}});
    reduce(&mut model, Action::Loaded(Ok(forbidden)));
    assert_eq!(
        model.notice.unwrap().lines,
        vec!["Only Jira administrators…".to_string()]
    );
    assert!(model.view.is_none());
}
