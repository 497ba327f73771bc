//! The webhook bodies every benchmark uses: the realistic sample EPM sends (the fixture the
//! tests use) and a maximal one, plus the credentials and invocation that carry them.

use base64::Engine;
use pam_approvals::protocol::{HttpRequest, Invocation};
use pam_approvals::providers::epm::wire::MAX_ID_LEN;
use pam_approvals::providers::epm::wire::fields::{REQUEST_INFO, TOP_LEVEL};
use pam_approvals::webtrigger::MAX_BODY_BYTES;
use serde_json::{Map, Value, json};

/// A filled-in "ticket created" webhook as EPM sends it.
pub const REALISTIC: &str = include_str!("../../tests/fixtures/epm/ticket-created.sample.json");
/// The request id in [`REALISTIC`], replaced to make distinct requests.
pub const REALISTIC_REQUEST_ID: &str = "7f3c2a91-5d4e-4b8a-9c1f-2e6d8a4b0c13";

/// Webhook credentials every bench host and scripted world is configured with.
pub const WEBHOOK_USER: &str = "bench-hook";
pub const WEBHOOK_PASSWORD: &str = "bench-password-0123456789";

/// The unknown fields the issue description lists at most (`describe.rs`), so the maximal body
/// makes the mapping do the most work it can.
const EXTRA_FIELDS: usize = 40;

/// One named input of the core benchmarks.
pub struct Input {
    pub name: &'static str,
    pub body: String,
}

/// The realistic and the maximal webhook, in that order.
pub fn all() -> Vec<Input> {
    vec![
        Input {
            name: "realistic",
            body: REALISTIC.to_string(),
        },
        Input {
            name: "maximal",
            body: maximal(),
        },
    ]
}

/// The largest "ticket created" body the app accepts: ids at their length limit, every known
/// field and the most unknown fields the description shows, each value as long as fits under
/// the 256 KiB body limit. `user` stays a real person's, so the create request also carries a
/// reporter (the largest create request, not only the largest body).
pub fn maximal() -> String {
    let fields = REQUEST_INFO.len() + TOP_LEVEL.len() + EXTRA_FIELDS;
    // Leaves room for keys, quotes and separators (well under 100 bytes per field).
    let value_len = (MAX_BODY_BYTES - fields * 100) / fields;
    let long = |seed: &str| -> String {
        // Mixed ASCII and accented text, so UTF-8 handling is exercised as in real names.
        let unit = format!("{seed}: élévation requise pour l'installation, ");
        let mut value = String::with_capacity(value_len);
        for c in unit.chars().cycle() {
            if value.len() + c.len_utf8() > value_len {
                break;
            }
            value.push(c);
        }
        value
    };
    let mut info = Map::new();
    for field in REQUEST_INFO {
        let value = match field.key {
            "user" => "CORP\\bob".to_string(),
            _ => long(field.key),
        };
        info.insert(field.key.to_string(), Value::String(value));
    }
    for i in 0..EXTRA_FIELDS {
        info.insert(format!("vendorField{i:02}"), Value::String(long("vendor")));
    }
    let body = json!({
        "EventType": "URM_NATIVE_TICKET_CREATED",
        "RequestId": "r".repeat(MAX_ID_LEN),
        "TenantId": "t".repeat(MAX_ID_LEN),
        "Timestamp": "2026-11-23T09:14:05.123Z",
        "TicketNumber": long("TicketNumber"),
        "requestInfo": info,
    })
    .to_string();
    assert!(body.len() <= MAX_BODY_BYTES, "the maximal body must stay acceptable");
    body
}

/// The body with another request id (a new EPM request).
pub fn with_request_id(body: &str, old_id: &str, new_id: &str) -> String {
    body.replace(old_id, new_id)
}

/// The request id of a body (for re-keying the maximal one, whose id is not the sample's).
pub fn request_id(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["RequestId"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `Authorization` for the bench credentials.
pub fn authorization() -> String {
    let pair = format!("{WEBHOOK_USER}:{WEBHOOK_PASSWORD}");
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
}

/// The web trigger invocation a host builds for this body (as `server.rs` and Forge do).
pub fn webhook(body: &str) -> Invocation {
    Invocation::WebTrigger {
        trigger: "epm-webhook".into(),
        request: HttpRequest {
            method: "POST".into(),
            url: String::new(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("authorization".into(), authorization()),
            ],
            body: body.to_string(),
        },
    }
}
