//! Web trigger requests, whatever the host and provider: the trigger is found in the provider
//! table, and method and size are checked before the provider sees the request (which then
//! authenticates the caller before reading any configuration). Nothing is written on a refusal.

use crate::caps::Caps;
use crate::protocol::{HttpRequest, HttpResponse};
use crate::providers;

/// Largest webhook body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub async fn handle(caps: &Caps, trigger: &str, request: &HttpRequest) -> HttpResponse {
    let Some(provider) = providers::by_web_trigger(trigger) else {
        return HttpResponse::error(404, format!("unknown web trigger \"{}\"", printable(trigger)));
    };
    if !request.method.eq_ignore_ascii_case("POST") {
        return HttpResponse::error(
            405,
            format!(
                "method {} is not allowed; {} webhooks use POST",
                printable(&request.method),
                provider.title
            ),
        )
        .with_header("Allow", "POST");
    }
    if request.body.len() > MAX_BODY_BYTES {
        return HttpResponse::error(
            413,
            format!(
                "request body is {} bytes; the limit is {MAX_BODY_BYTES} bytes",
                request.body.len()
            ),
        );
    }
    if request.body.starts_with('\u{FEFF}') {
        // JSON and forms alike: a BOM would be read as part of the first key or value.
        return HttpResponse::error(
            400,
            "request body starts with a byte order mark (U+FEFF); send UTF-8 text without one",
        );
    }
    let response = (provider.web_trigger)(caps, trigger, request).await;
    crate::diagnostics::deliveries::record(caps, provider, trigger, request, &response).await;
    response
}

/// Text from a caller, safe to echo in a message: no control characters, at most 40 chars.
fn printable(s: &str) -> String {
    crate::text::printable(s, 40)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::protocol::{HttpRequest, Invocation};
    use crate::testkit::{SAMPLE, World, drive, http, webhook};

    fn with_method(method: &str) -> Invocation {
        let Invocation::WebTrigger { trigger, mut request } = webhook("hook", "pw-123456", SAMPLE) else {
            unreachable!()
        };
        request.method = method.into();
        Invocation::WebTrigger { trigger, request }
    }

    #[test]
    fn refusals_write_nothing_and_say_why() {
        let no_auth = Invocation::WebTrigger {
            trigger: "epm-webhook".into(),
            request: HttpRequest {
                method: "POST".into(),
                body: SAMPLE.into(),
                ..Default::default()
            },
        };
        let unknown_trigger = match webhook("hook", "pw-123456", SAMPLE) {
            Invocation::WebTrigger { request, .. } => Invocation::WebTrigger {
                trigger: "nope".into(),
                request,
            },
            _ => unreachable!(),
        };
        let cases = vec![
            (with_method("GET"), 405, "method GET is not allowed"),
            (no_auth, 401, "authentication required"),
            (webhook("hook", "wrong", SAMPLE), 401, "authentication required"),
            (webhook("other", "pw-123456", SAMPLE), 401, "authentication required"),
            (
                webhook("hook", "pw-123456", &"x".repeat(300 * 1024)),
                413,
                "the limit is 262144 bytes",
            ),
            (webhook("hook", "pw-123456", "{"), 400, "not valid JSON"),
            (
                webhook("hook", "pw-123456", &format!("\u{FEFF}{SAMPLE}")),
                400,
                "byte order mark",
            ),
            (
                webhook(
                    "hook",
                    "pw-123456",
                    &SAMPLE.replacen('{', "{\"RequestId\": \"other\",", 1),
                ),
                400,
                "field `RequestId` is sent twice with different values",
            ),
            (unknown_trigger, 404, "unknown web trigger \"nope\""),
        ];
        for (invocation, status, message) in cases {
            let mut world = World::configured();
            let before = world.kv_state();
            let (got, body) = http(&drive(&mut world, invocation));
            assert_eq!(got, status, "{body}");
            assert!(
                body["error"].as_str().unwrap().contains(message),
                "{body} lacks {message}"
            );
            assert_eq!(world.kv_state(), before, "nothing written");
            assert_eq!(world.issue_count(), 0);
        }
    }

    #[test]
    fn disabled_integration_answers_503_after_authentication() {
        let mut world = World::configured();
        let config = crate::providers::epm::settings::EpmSettings {
            enabled: false,
            ..Default::default()
        };
        world.kv.insert(crate::config::CONFIG_KEY.into(), config.stored());
        let (status, body) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
        assert_eq!(
            (status, body),
            (
                503,
                json!({"error": "the EPM integration is disabled in the app's configuration"})
            )
        );
        let (status, _) = http(&drive(&mut world, webhook("hook", "bad", SAMPLE)));
        assert_eq!(status, 401, "no configuration detail before authentication");
    }

    #[test]
    fn the_401_challenges_and_does_not_say_which_part_was_wrong() {
        let mut world = World::configured();
        let outcome = drive(&mut world, webhook("hook", "wrong", SAMPLE));
        let crate::Outcome::Http(response) = outcome else {
            panic!()
        };
        assert!(response.header("www-authenticate").unwrap().starts_with("Basic"));
        assert!(!response.body.contains("password") && !response.body.contains("user"));
        assert!(!response.body.contains("pw-123456"));
    }

    /// Before authentication nothing about the configuration shows: an unreadable or missing
    /// record, or storage trouble reading it, answers a stranger 401 like everything else.
    #[test]
    fn the_configuration_is_read_only_after_authentication() {
        let mut world = World::configured();
        world
            .kv
            .insert(crate::config::CONFIG_KEY.into(), "{not a configuration".into());
        let (status, body) = http(&drive(&mut world, webhook("hook", "wrong", SAMPLE)));
        assert_eq!(status, 401, "{body}");
        assert!(
            !world.calls.iter().any(|c| matches!(c, crate::protocol::Call::KvGet(_))),
            "no configuration read for a stranger: {:?}",
            world.calls
        );
        let (status, body) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
        assert_eq!(status, 503, "{body}");
        assert!(body["error"].as_str().unwrap().contains("unreadable"), "{body}");

        // Storage down: 503 either way, and it says nothing about the configuration.
        world.storage_down = true;
        for password in ["wrong", "pw-123456"] {
            let (status, body) = http(&drive(&mut world, webhook("hook", password, SAMPLE)));
            assert_eq!(status, 503, "{body}");
            assert_eq!(body["error"], json!("secret storage is unavailable; retry later"));
        }
    }

    #[test]
    fn unconfigured_credentials_never_authenticate() {
        let mut world = World::configured();
        world.secrets.clear();
        let (status, _) = http(&drive(&mut world, webhook("", "", SAMPLE)));
        assert_eq!(status, 401);
    }
}
