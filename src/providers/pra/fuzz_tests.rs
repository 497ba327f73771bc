//! PRA's parsers of outside input under arbitrary and mutated input: a value or an error, never
//! a panic; and the whole web trigger answers anything with a 2xx, 4xx or 503.

use proptest::prelude::*;
use serde_json::json;

use super::guard::response_url;
use super::rules::ticket::Ticket;
use super::tests::{FORM, encode, form, post, world};
use super::wire::parse;
use crate::testkit::drive;

fn sample_form() -> String {
    encode(&form("req-fuzz", "OPS-1", |_| {}))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn form_and_json_parsers_never_panic(body in ".{0,400}") {
        let _ = parse(Some("application/x-www-form-urlencoded"), &body);
        let _ = parse(Some("application/json"), &body);
        let _ = parse(None, &body);
    }

    #[test]
    fn the_form_parser_survives_mutations_of_a_request(cut in 0usize..600, insert in "[%&=+.a-z0-9\\x00-\\x7f]{0,8}") {
        let mut body = sample_form();
        let at = cut % (body.len() + 1);
        body.insert_str(at, &insert);
        if let Ok(request) = parse(Some("application/x-www-form-urlencoded"), &body) {
            prop_assert!(request.request_id.chars().count() <= 255);
            prop_assert!(!request.ticket_id.trim().is_empty());
        }
    }

    #[test]
    fn nested_json_never_panics(key in "[a-z_.]{0,12}", depth in 0usize..8, value in ".{0,20}") {
        let mut v = json!(value);
        for _ in 0..depth {
            v = json!({ key.clone(): v });
        }
        let _ = parse(Some("application/json"), &v.to_string());
    }

    #[test]
    fn the_response_url_guard_never_panics(url in ".{0,120}", host in "[a-z.]{0,20}") {
        if let Ok(url) = response_url(&url, &host) {
            prop_assert!(url.starts_with("https://"));
            prop_assert!(url.ends_with("/api/endpoint_approval"));
        }
    }

    #[test]
    fn ticket_ids_never_panic(ticket in ".{0,40}", sensitive: bool) {
        let ticket = Ticket::read(&ticket, sensitive);
        let (subject, object) = (ticket.subject(), ticket.object());
        if sensitive {
            prop_assert_eq!(subject, "The ticket");
            prop_assert_eq!(object, "the ticket");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn the_whole_web_trigger_answers_any_body(body in ".{0,300}", json_type: bool) {
        let mut world = world();
        let content_type = if json_type { "application/json" } else { FORM };
        match drive(&mut world, post(&body, content_type)) {
            crate::Outcome::Http(r) => prop_assert!(matches!(r.status, 202 | 400), "{} {}", r.status, r.body),
            other => prop_assert!(false, "{:?}", other),
        }
    }
}
