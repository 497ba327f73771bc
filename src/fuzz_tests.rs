//! Property tests standing in for fuzzing on a stable toolchain: every parser of outside input
//! is fed arbitrary and mutated input and must answer with a value or an error, never panic.

use proptest::prelude::*;

use crate::auth::parse_basic;
use crate::providers::epm::mapping::placeholders::{check_template, render_summary};
use crate::providers::epm::settings::EpmSettings;
use crate::providers::epm::wire::{Event, parse};
use crate::testkit::{SAMPLE, World, drive, webhook};

/// An issue-updated event as the sandbox Jira makes it (a move of PMCJIT-1 to Approved).
const ISSUE_EVENT: &str = r#"{"eventType":"avi:jira:updated:issue","atlassianId":"712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002","issue":{"id":"10000","key":"PMCJIT-1","fields":{"status":{"id":"10002","name":"Approved"}}},"changelog":{"id":"10001","items":[{"field":"status","fieldtype":"jira","fieldId":"status","from":"10001","fromString":"Open","to":"10002","toString":"Approved"}]},"associatedUsers":[{"accountId":"712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002"}]}"#;

fn sample_request() -> crate::providers::epm::wire::TicketCreated {
    match parse(SAMPLE) {
        Ok(Event::TicketCreated(t)) => t,
        _ => unreachable!("the sample parses"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn webhook_parser_never_panics(body in ".{0,400}") {
        let _ = parse(&body);
    }

    #[test]
    fn webhook_parser_survives_mutations_of_the_sample(cut in 0usize..2200, insert in ".{0,8}") {
        let mut body = SAMPLE.to_string();
        let at = body.char_indices().map(|(i, _)| i).nth(cut % SAMPLE.chars().count()).unwrap_or(0);
        body.insert_str(at, &insert);
        let _ = parse(&body);
    }

    #[test]
    fn basic_auth_parser_never_panics(header in ".{0,80}") {
        let _ = parse_basic(Some(&header));
    }

    #[test]
    fn config_decoder_never_panics(text in ".{0,200}") {
        if let Ok(config) = EpmSettings::decode(&text) {
            let _ = config.validate();
        }
    }

    #[test]
    fn templates_never_panic(template in ".{0,120}") {
        let _ = check_template(&template);
        let summary = render_summary(&template, &sample_request());
        prop_assert!(summary.chars().count() <= 255);
        prop_assert!(!summary.contains('\n'));
    }

    #[test]
    fn the_whole_web_trigger_answers_any_body_without_panicking(body in ".{0,300}") {
        let mut world = World::configured();
        let outcome = drive(&mut world, webhook("hook", "pw-123456", &body));
        match outcome {
            crate::Outcome::Http(r) => prop_assert!(r.status == 400 || r.status == 201 || r.status == 202, "{}", r.status),
            other => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn decision_forms_never_panic(text in ".{0,200}") {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
            let _ = crate::providers::epm::page::form::validate(&value);
        }
    }

    #[test]
    fn resolvers_answer_any_payload_and_context(payload in ".{0,120}", context in ".{0,120}", decide in any::<bool>()) {
        let mut world = World::configured();
        world.user = Some("acc-alice".into());
        let name = if decide { "epm.decide" } else { "epm.request" };
        let outcome = drive(&mut world, crate::Invocation::Resolver { name: name.into(), payload, context });
        match outcome {
            crate::Outcome::Value(text) => {
                let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                prop_assert!(value["ok"].is_boolean(), "{text}");
            }
            crate::Outcome::Error(message) => prop_assert!(message.contains("not JSON"), "{message}"),
            other => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn admin_resolvers_answer_any_payload(payload in ".{0,160}", which in 0usize..3, admin in any::<bool>()) {
        let mut world = World::configured();
        world.user = Some(if admin { "acc-carol" } else { "acc-alice" }.into());
        let name = ["admin.config", "admin.save", "admin.validate"][which];
        let before = world.kv.clone();
        let outcome = drive(&mut world, crate::Invocation::Resolver {
            name: name.into(),
            payload,
            context: r#"{"accountId": "x"}"#.into(),
        });
        match outcome {
            crate::Outcome::Value(text) => {
                let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                prop_assert!(value["ok"].is_boolean(), "{text}");
                if value["ok"] == serde_json::json!(false) {
                    prop_assert_eq!(&world.kv, &before, "a refusal writes nothing");
                }
            }
            crate::Outcome::Error(message) => prop_assert!(message.contains("not JSON"), "{message}"),
            other => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn admin_form_validation_never_panics(text in ".{0,300}") {
        if let Ok(request) = serde_json::from_str::<crate::providers::epm::settings::form::SaveRequest>(&text) {
            let _ = crate::providers::epm::settings::form::validate(&request, &Default::default());
        }
    }

    #[test]
    fn issue_events_never_panic(text in ".{0,300}", cut in 0usize..600, insert in ".{0,8}") {
        let _ = crate::jira::events::parse(crate::jira::events::ISSUE_UPDATED, &text);
        let mut event = ISSUE_EVENT.to_string();
        let at = event.char_indices().map(|(i, _)| i).nth(cut % ISSUE_EVENT.chars().count()).unwrap_or(0);
        event.insert_str(at, &insert);
        let _ = crate::jira::events::parse(crate::jira::events::ISSUE_UPDATED, &event);
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&event) {
            let _ = crate::jira::approvals::newest_completed(&value);
        }
    }

    #[test]
    fn duration_labels_never_panic(text in ".{0,40}") {
        if let Ok(duration) = crate::providers::epm::wire::duration::AccessDuration::from_label(&text) {
            prop_assert_eq!(
                crate::providers::epm::wire::duration::AccessDuration::from_label(&duration.label()),
                Ok(duration)
            );
        }
    }

    /// Any event, delivered to a world with a request: an answer (ignored or an error naming
    /// the problem), never a panic, and nothing sent to EPM.
    #[test]
    fn the_event_entry_answers_any_payload(cut in 0usize..600, insert in ".{0,8}") {
        let mut world = World::configured();
        let mut event = ISSUE_EVENT.to_string();
        let at = event.char_indices().map(|(i, _)| i).nth(cut % ISSUE_EVENT.chars().count()).unwrap_or(0);
        event.insert_str(at, &insert);
        let outcome = drive(&mut world, crate::protocol::Invocation::Event {
            event_type: crate::jira::events::ISSUE_UPDATED.into(),
            payload: event,
        });
        prop_assert!(matches!(outcome, crate::Outcome::Value(_) | crate::Outcome::Error(_)), "{:?}", outcome);
        prop_assert!(world.epm.decisions.is_empty());
    }
}
