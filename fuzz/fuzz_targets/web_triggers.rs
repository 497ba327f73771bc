//! Every other invocation from outside, whole (`dispatch::run` in the in-memory world with every
//! provider configured): a web trigger (EPM, PRA, Keeper, or an unknown one) with any method,
//! query, headers and body; a Jira event; a queued job; a scheduled tick; a configuration
//! document (`Configure`, the provisioning save). A web trigger answers HTTP, the rest a value
//! or an error; never a panic.
//!
//! Input: byte 0 the kind (0-3 a web trigger: EPM, PRA, Keeper, unknown; 4 an event, 5 a job,
//! 6 a tick, 7 a configuration document), byte 1 options (web trigger: bits 0-2 the method,
//! bit 3 the right credentials (Basic for EPM, Bearer for Keeper, PRA's secret in the query),
//! bit 4 the `Authorization` field instead; event: bit 0 another event type; job: the
//! attempt), then NUL-separated: body (payload, tick name, document), query or queue, content
//! type, authorization.
#![no_main]

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use pam_approvals::protocol::{HttpRequest, Invocation, Outcome};
use pam_approvals::testkit::drive;

fuzz_target!(|data: &[u8]| {
    let ([kind, options], fields) = pam_approvals_fuzz::split::<2>(data, 4);
    let [body, second, content_type, authorization] = <[String; 4]>::try_from(fields).expect("four fields");
    let invocation = match kind % 8 {
        trigger @ 0..=3 => {
            let trigger = ["epm-webhook", "pra-ticket", "keeper-alert", "other"][usize::from(trigger)];
            let right = options & 8 != 0;
            let mut headers = Vec::new();
            if right && trigger == "epm-webhook" {
                let credentials = base64::engine::general_purpose::STANDARD.encode("hook:pw-123456");
                headers.push(("Authorization".to_string(), format!("Basic {credentials}")));
            }
            if right && trigger == "keeper-alert" {
                headers.push((
                    "Authorization".to_string(),
                    format!("Bearer {}", pam_approvals_fuzz::KEEPER_TOKEN),
                ));
            }
            if options & 16 != 0 {
                headers.push(("Authorization".to_string(), authorization));
            }
            if !content_type.is_empty() {
                headers.push(("Content-Type".to_string(), content_type));
            }
            let url = if right && trigger == "pra-ticket" {
                format!("?secret={}&{second}", pam_approvals_fuzz::PRA_SECRET)
            } else {
                second
            };
            let method = ["POST", "GET", "PUT", "post", "", "DELETE", "HEAD", "POST"][usize::from(options % 8)];
            Invocation::WebTrigger {
                trigger: trigger.into(),
                request: HttpRequest {
                    method: method.into(),
                    url,
                    headers,
                    body,
                },
            }
        }
        4 => Invocation::Event {
            event_type: if options & 1 == 0 {
                pam_approvals::jira::events::ISSUE_UPDATED.into()
            } else {
                "avi:jira:created:issue".into()
            },
            payload: body,
        },
        5 => Invocation::Job {
            queue: second,
            payload: body,
            attempt: u32::from(options),
        },
        6 => Invocation::Tick(body),
        _ => Invocation::Configure(body),
    };
    let web = matches!(invocation, Invocation::WebTrigger { .. });
    let mut world = pam_approvals_fuzz::world();
    match drive(&mut world, invocation) {
        Outcome::Http(response) => {
            assert!(web, "only a web trigger answers HTTP");
            assert!((200..600).contains(&response.status), "{}", response.status);
        }
        other => assert!(!web, "a web trigger answered {other:?}"),
    }
});
