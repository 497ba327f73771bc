//! What the appliance posts to the ticket system URL when a user enters a ticket ID for a Jump
//! Item (`POST /_sandbox/requests` builds it): the seed's keys in its order, from a realistic
//! default request with the control's overrides. Defaults:
//!
//! | override | key | default |
//! | --- | --- | --- |
//! | `requestId` | `request_id` | 32 random hex characters |
//! | `ticketId` | `ticket_id` | `PMCJIT-1` |
//! | | `response_url` | `https://pra.sandbox.test/api/endpoint_approval` |
//! | `computerName` | `jump_item.computer_name` | `web-01.corp.example` |
//! | `type` | `jump_item.type` | `shell_jump` |
//! | `comments` | `jump_item.comments` | `Customer-facing web server` |
//! | `group` | `jump_item.group` | `Production Web` |
//! | `tag` | `jump_item.tag` | `linux` |
//! | `jumpointName` | `jump_item.jumpoint_name` | `DC1 Jumpoint` |
//! | `publicIp` | `jump_item.public_ip` | `203.0.113.21` |
//! | `privateIp` | `jump_item.private_ip` | `10.0.4.21` |
//! | `custom` | `jump_item.custom.<name>` | `environment=production` |
//! | `user.id` | `user.id` | `7` |
//! | `user.username` | `user.username` | `bob.requester` |
//! | `user.publicDisplayName` | `user.public_display_name` | `Bob Requester` |
//! | `user.privateDisplayName` | `user.private_display_name` | `Bob Requester` |
//! | `user.emailAddress` | `user.email_address` | Bob's email in the sandbox Jira |

use rand::Rng;
use serde_json::{Map, Value};

use super::validate::{MAX_REQUEST_ID_CHARS, Problem, is_code_name, problem};
use super::{HOST, RESPONSE_PATH};
use crate::jira::seed::BOB_REQUESTER_EMAIL;

const DEFAULT_TICKET_ID: &str = "PMCJIT-1";

/// The Jump Item's keys: (override, form key, default).
const JUMP_ITEM: [(&str, &str, &str); 8] = [
    ("computerName", "jump_item.computer_name", "web-01.corp.example"),
    ("type", "jump_item.type", "shell_jump"),
    ("comments", "jump_item.comments", "Customer-facing web server"),
    ("group", "jump_item.group", "Production Web"),
    ("tag", "jump_item.tag", "linux"),
    ("jumpointName", "jump_item.jumpoint_name", "DC1 Jumpoint"),
    ("publicIp", "jump_item.public_ip", "203.0.113.21"),
    ("privateIp", "jump_item.private_ip", "10.0.4.21"),
];

/// The Jump Item's default custom fields.
const CUSTOM: [(&str, &str); 1] = [("environment", "production")];

/// The requesting user's keys: (override in `user`, form key, default).
const USER: [(&str, &str, &str); 5] = [
    ("id", "user.id", "7"),
    ("username", "user.username", "bob.requester"),
    ("publicDisplayName", "user.public_display_name", "Bob Requester"),
    ("privateDisplayName", "user.private_display_name", "Bob Requester"),
    ("emailAddress", "user.email_address", BOB_REQUESTER_EMAIL),
];

/// A jump request: its id and the keys the appliance posts, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct JumpRequest {
    pub request_id: String,
    pub form: Vec<(String, String)>,
}

/// The URL the appliance tells the ticket system to answer at.
pub(super) fn response_url() -> String {
    format!("https://{HOST}{RESPONSE_PATH}")
}

/// A fresh opaque request id: 32 random hex characters.
fn fresh_id() -> String {
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// An object's keys must be among `known`, else the problem names the first other one.
fn only_known(object: &Map<String, Value>, prefix: &str, known: &[&str]) -> Result<(), Problem> {
    match object.keys().find(|key| !known.contains(&key.as_str())) {
        Some(unknown) => Err(problem(
            &format!("{prefix}{unknown}"),
            format!("Unknown field '{prefix}{unknown}': give only {}.", known.join(", ")),
        )),
        None => Ok(()),
    }
}

/// An override: absent (the default), null (left out) or a string.
fn text<'a>(
    object: &'a Map<String, Value>,
    field: &str,
    shown: &str,
    default: &'a str,
) -> Result<Option<&'a str>, Problem> {
    match object.get(field) {
        None => Ok(Some(default)),
        Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(other) => Err(problem(
            shown,
            format!("'{shown}' must be a string or null, not {other}."),
        )),
    }
}

/// Builds a request from the control's body (empty: every default).
pub(super) fn from_body(body: &[u8]) -> Result<JumpRequest, Problem> {
    let overrides = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                return Err(Problem {
                    key: None,
                    message: "The body must be a JSON object of overrides.".into(),
                });
            }
            Err(e) => {
                return Err(Problem {
                    key: None,
                    message: format!("The body is not JSON: {e}"),
                });
            }
        }
    };
    let mut top: Vec<&str> = vec!["requestId", "ticketId", "custom", "user"];
    top.extend(JUMP_ITEM.iter().map(|(field, _, _)| *field));
    only_known(&overrides, "", &top)?;

    let request_id = match overrides.get("requestId") {
        None | Some(Value::Null) => fresh_id(),
        Some(Value::String(id)) if !id.is_empty() && id.chars().count() <= MAX_REQUEST_ID_CHARS => id.clone(),
        Some(other) => {
            return Err(problem(
                "requestId",
                format!("'requestId' must be a string of 1 to {MAX_REQUEST_ID_CHARS} characters, not {other}."),
            ));
        }
    };
    let ticket_id = match text(&overrides, "ticketId", "ticketId", DEFAULT_TICKET_ID)? {
        Some(ticket) => ticket.to_string(),
        None => return Err(problem("ticketId", "'ticketId' is always sent: give a string.")),
    };
    let mut form = vec![
        ("request_id".to_string(), request_id.clone()),
        ("ticket_id".to_string(), ticket_id),
        ("response_url".to_string(), response_url()),
    ];
    for (field, key, default) in JUMP_ITEM {
        if let Some(value) = text(&overrides, field, field, default)? {
            form.push((key.to_string(), value.to_string()));
        }
    }
    form.extend(custom_fields(overrides.get("custom"))?);
    let user = match overrides.get("user") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(user)) => user.clone(),
        Some(other) => return Err(problem("user", format!("'user' must be an object, not {other}."))),
    };
    only_known(&user, "user.", &USER.map(|(field, _, _)| field))?;
    for (field, key, default) in USER {
        if let Some(value) = text(&user, field, &format!("user.{field}"), default)? {
            form.push((key.to_string(), value.to_string()));
        }
    }
    Ok(JumpRequest { request_id, form })
}

/// `jump_item.custom.<name>` keys: the defaults, or the `custom` object instead.
fn custom_fields(custom: Option<&Value>) -> Result<Vec<(String, String)>, Problem> {
    let key = |name: &str| format!("jump_item.custom.{name}");
    let object = match custom {
        None => {
            return Ok(CUSTOM
                .iter()
                .map(|(name, value)| (key(name), value.to_string()))
                .collect());
        }
        Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(object)) => object,
        Some(other) => return Err(problem("custom", format!("'custom' must be an object, not {other}."))),
    };
    object
        .iter()
        .map(|(name, value)| {
            if !is_code_name(name) {
                return Err(problem(
                    &format!("custom.{name}"),
                    "A custom field's name is a code name: 1 to 64 letters, digits or underscores.",
                ));
            }
            match value {
                Value::String(value) => Ok((key(name), value.clone())),
                other => Err(problem(
                    &format!("custom.{name}"),
                    format!("must be a string, not {other}."),
                )),
            }
        })
        .collect()
}

/// The form body the appliance posts.
pub(super) fn form_body(form: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish()
}

/// The same keys as one flat JSON object.
pub(super) fn flat_json(form: &[(String, String)]) -> Value {
    Value::Object(
        form.iter()
            .map(|(key, value)| (key.clone(), Value::String(value.clone())))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(request: &JumpRequest) -> Vec<&str> {
        request.form.iter().map(|(key, _)| key.as_str()).collect()
    }

    #[test]
    fn defaults_carry_every_key_of_the_seed_in_its_order() {
        let request = from_body(b"").expect("defaults");
        assert_eq!(request.request_id.len(), 32);
        assert!(request.request_id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(
            keys(&request),
            [
                "request_id",
                "ticket_id",
                "response_url",
                "jump_item.computer_name",
                "jump_item.type",
                "jump_item.comments",
                "jump_item.group",
                "jump_item.tag",
                "jump_item.jumpoint_name",
                "jump_item.public_ip",
                "jump_item.private_ip",
                "jump_item.custom.environment",
                "user.id",
                "user.username",
                "user.public_display_name",
                "user.private_display_name",
                "user.email_address",
            ]
        );
        assert_ne!(from_body(b"{}").expect("defaults").request_id, request.request_id);
    }

    #[test]
    fn overrides_replace_and_null_leaves_out() {
        let request = from_body(
            br#"{"requestId": "r&1", "ticketId": "OPS-7", "publicIp": null, "custom": {"owner": "web"},
                 "user": {"emailAddress": "carol@example.com", "id": null}}"#,
        )
        .expect("valid");
        assert_eq!(request.request_id, "r&1");
        let json = flat_json(&request.form);
        assert_eq!(json["ticket_id"], "OPS-7");
        assert_eq!(json["jump_item.custom.owner"], "web");
        assert_eq!(json["user.email_address"], "carol@example.com");
        for gone in ["jump_item.public_ip", "jump_item.custom.environment", "user.id"] {
            assert!(json.get(gone).is_none(), "{gone}");
        }
        assert!(form_body(&request.form).starts_with(
            "request_id=r%261&ticket_id=OPS-7&response_url=https%3A%2F%2Fpra.sandbox.test%2Fapi%2Fendpoint_approval&"
        ));
    }

    #[test]
    fn wrong_overrides_name_their_field() {
        for (body, key) in [
            (r#"{"computer": "x"}"#, Some("computer")),
            (r#"{"user": {"email": "x"}}"#, Some("user.email")),
            (r#"{"tag": 1}"#, Some("tag")),
            (r#"{"user": {"id": 7}}"#, Some("user.id")),
            (r#"{"custom": {"a-b": "x"}}"#, Some("custom.a-b")),
            (r#"{"custom": {"a": 1}}"#, Some("custom.a")),
            (r#"{"ticketId": null}"#, Some("ticketId")),
            (r#"{"requestId": ""}"#, Some("requestId")),
            ("[1]", None),
            ("nope", None),
        ] {
            let refused = from_body(body.as_bytes()).expect_err(body);
            assert_eq!(refused.key.as_deref(), key, "{body}: {}", refused.message);
        }
    }
}
