//! Keeper's parsers of outside input (alerts, Commander's results, tickets' descriptions) under
//! arbitrary and mutated input: a value or an error, never a panic; whatever they accept makes a
//! command of exactly the documented words; and the web trigger answers anything with 2xx/4xx.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::alert::{Event, parse};
use super::commander::Finished;
use super::commander::command::Command;
use super::commander::result::{kepm_request, pending_devices};
use super::flows::ticket;
use super::settings::KeeperSettings;
use super::subject::{DeviceId, Email, Kind, Uid};
use super::tests::{TOKEN, kepm_alert, post, world};
use crate::testkit::drive;

/// A command line's words must be the documented ones: no value adds a word or an option.
fn words(command: &Command) -> Vec<String> {
    command.line().split_whitespace().map(String::from).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn the_alert_parser_never_panics(body in ".{0,400}") {
        let _ = parse(&body);
    }

    #[test]
    fn alerts_survive_mutation_and_accepted_uids_are_one_word(cut in 0usize..700, insert in "[\"{}:,a-zA-Z0-9_\\- ;\\\\\n]{0,10}") {
        let world = world();
        let mut body = kepm_alert(&world, super::tests::UID, "bob@example.com");
        let at = cut % (body.len() + 1);
        if body.is_char_boundary(at) {
            body.insert_str(at, &insert);
        }
        if let Ok(Event::Created(request)) = parse(&body)
            && let super::subject::Subject::Kepm { uid } = &request.subject
        {
            let approve = words(&Command::ActKepm(uid.clone(), true));
            prop_assert_eq!(approve.len(), 4);
            prop_assert!(approve[3].starts_with("--approve="));
        }
    }

    #[test]
    fn accepted_values_are_single_safe_words(text in ".{0,80}") {
        if let Ok(uid) = Uid::parse(&text) {
            let view = words(&Command::ViewKepm(uid.clone()));
            prop_assert_eq!(view.len(), 7);
            prop_assert_eq!(view[5].as_str(), "--");
            prop_assert!(uid.as_str().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        }
        if let Ok(id) = DeviceId::parse(&text) {
            prop_assert_eq!(words(&Command::ActDevice(id, false)).len(), 3);
        }
        if let Ok(email) = Email::parse(&text) {
            prop_assert!(!email.as_str().starts_with('-'));
            prop_assert!(!email.as_str().chars().any(|c| c.is_whitespace() || "\"';`$|&<>\\".contains(c)));
        }
    }

    #[test]
    fn commander_results_never_panic(status in 100u16..600, data in ".{0,200}") {
        let body: Value = serde_json::from_str(&data).unwrap_or_else(|_| json!({"status": "success", "data": data}));
        let finished = Finished { status, body };
        let _ = kepm_request(&finished, &Uid::parse("hV0Y0cF1SxSLFwQd0yQ8Kw").unwrap());
        let _ = pending_devices(&finished);
        let _ = finished.message();
    }

    #[test]
    fn ticket_descriptions_never_panic(text in ".{0,300}", kepm: bool) {
        let issue = json!({"id": "1", "key": "OPS-1", "fields": {"labels": [Kind::Kepm.label()],
            "description": {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]}}});
        let settings = KeeperSettings::default();
        let read = ticket::read("OPS-1", &issue, &settings);
        let kind = if kepm { Kind::Kepm } else { Kind::Device };
        let _ = ticket::subject_of(&read, kind, &settings);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn the_whole_web_trigger_answers_any_body(body in ".{0,300}") {
        let mut world = world();
        let auth = format!("Bearer {TOKEN}");
        match drive(&mut world, post(&body, Some(&auth))) {
            crate::Outcome::Http(r) => prop_assert!(matches!(r.status, 202 | 400), "{} {}", r.status, r.body),
            other => prop_assert!(false, "{:?}", other),
        }
    }
}
