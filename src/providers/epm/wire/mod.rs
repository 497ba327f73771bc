//! Parsing EPM webhook bodies (seed templates "Ticket Created" and "Decision Update") into typed
//! values. Every value arrives as a string; one EPM left as `%%Name%%`, or empty, is absent.
//! Errors name the field. Unknown fields are kept.

pub mod api;
pub mod duration;
pub mod fields;
pub mod templates;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use fields::Field;

pub const TICKET_CREATED: &str = "URM_NATIVE_TICKET_CREATED";
pub const DECISION_UPDATE: &str = "URM_NATIVE_DECISION_UPDATE";

/// Longest accepted RequestId / TenantId: they become storage keys and JQL values.
pub const MAX_ID_LEN: usize = 128;

/// A webhook body that cannot be accepted. The message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("request body is not valid JSON: {0}")]
    NotJson(String),
    #[error("field `{0}` is sent twice with different values")]
    DuplicateKey(String),
    #[error("request body must be a JSON object, got {0}")]
    NotObject(&'static str),
    #[error("missing field `{0}`")]
    Missing(String),
    #[error("field `{0}` is still the unsubstituted placeholder or empty; check the EPM webhook template")]
    Placeholder(String),
    #[error("field `{field}` must be {expected}, got {got}")]
    WrongType {
        field: String,
        expected: &'static str,
        got: &'static str,
    },
    #[error("unknown EventType \"{0}\"; expected {TICKET_CREATED} or {DECISION_UPDATE}")]
    UnknownEventType(String),
    #[error("field `{field}` is longer than {max} characters")]
    TooLong { field: String, max: usize },
    #[error("field `{0}` contains control characters")]
    ControlChars(String),
}

/// Identity of an EPM request: the idempotency key of everything the app does for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestRef {
    pub tenant_id: String,
    pub request_id: String,
}

/// "JIT Application Access Ticket Created".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketCreated {
    pub request: RequestRef,
    pub timestamp: Option<String>,
    pub ticket_number: Option<String>,
    /// Present `requestInfo` values of known fields, by JSON key.
    info: BTreeMap<&'static str, String>,
    /// Fields EPM sent that the template does not list (top level or `requestInfo`), kept.
    pub extra: BTreeMap<String, String>,
}

/// "JIT Application Access Decision Updated".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionUpdated {
    pub request: RequestRef,
    pub ticket_number: Option<String>,
    pub timestamp: Option<String>,
    pub decision: String,
    pub decision_time: Option<String>,
    pub performed_by: Option<String>,
    pub duration: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    TicketCreated(TicketCreated),
    DecisionUpdated(DecisionUpdated),
}

impl TicketCreated {
    /// The value of a known field by its JSON key (top level or `requestInfo`).
    pub fn get(&self, key: &str) -> Option<&str> {
        match key {
            "EventType" => Some(TICKET_CREATED),
            "RequestId" => Some(&self.request.request_id),
            "TenantId" => Some(&self.request.tenant_id),
            "Timestamp" => self.timestamp.as_deref(),
            "TicketNumber" => self.ticket_number.as_deref(),
            _ => self.info.get(key).map(String::as_str),
        }
    }

    pub fn user(&self) -> Option<&str> {
        self.get("user")
    }
    pub fn host_name(&self) -> Option<&str> {
        self.get("hostName")
    }
    pub fn reason(&self) -> Option<&str> {
        self.get("reason")
    }
    pub fn file_path(&self) -> Option<&str> {
        self.get("filePathObjectId").or_else(|| self.get("hostedFilePath"))
    }
    /// What the user wants to run, as a person would name it.
    pub fn application(&self) -> Option<&str> {
        self.get("productName")
            .or_else(|| self.get("productDescription"))
            .or_else(|| self.get("storeAppName"))
            .or_else(|| self.get("serviceName"))
            .or_else(|| self.file_path())
    }
    pub fn publisher(&self) -> Option<&str> {
        self.get("publisher")
    }
}

/// Parses a webhook body of either event type.
pub fn parse(body: &str) -> Result<Event, ParseError> {
    let value: Value = crate::text::parse_json(body).map_err(|e| match e {
        crate::text::JsonProblem::Syntax(e) => ParseError::NotJson(e),
        crate::text::JsonProblem::DuplicateKey(key) => ParseError::DuplicateKey(key),
    })?;
    let top = match value {
        Value::Object(map) => map,
        other => return Err(ParseError::NotObject(kind(&other))),
    };
    let event_type = required_text(&top, "EventType", "EventType")?;
    match event_type.as_str() {
        TICKET_CREATED => parse_created(&top).map(Event::TicketCreated),
        DECISION_UPDATE => parse_update(&top).map(Event::DecisionUpdated),
        _ => Err(ParseError::UnknownEventType(truncate_for_message(&event_type))),
    }
}

fn parse_created(top: &Map<String, Value>) -> Result<TicketCreated, ParseError> {
    let request = request_ref(top)?;
    let info_map = request_info(top)?;
    let mut info = BTreeMap::new();
    let mut extra = BTreeMap::new();
    for (key, value) in info_map {
        let path = format!("requestInfo.{key}");
        let Some(text) = text(value, &path)? else { continue };
        match fields::REQUEST_INFO.iter().find(|f| f.key == key) {
            Some(field) => {
                info.insert(field.key, text);
            }
            None => {
                extra.insert(path, text);
            }
        }
    }
    for (key, value) in top {
        let known = fields::TOP_LEVEL.iter().any(|f| f.key == key) || key == "requestInfo";
        if !known && let Some(text) = text(value, key)? {
            extra.insert(key.clone(), text);
        }
    }
    Ok(TicketCreated {
        request,
        timestamp: optional_text(top, "Timestamp")?,
        ticket_number: optional_text(top, "TicketNumber")?,
        info,
        extra,
    })
}

fn parse_update(top: &Map<String, Value>) -> Result<DecisionUpdated, ParseError> {
    let request = request_ref(top)?;
    let info = request_info(top)?;
    let decision = required_text(info, "Decision", "requestInfo.Decision")?;
    let field = |key: &str| match info.get(key) {
        Some(v) => text(v, &format!("requestInfo.{key}")),
        None => Ok(None),
    };
    Ok(DecisionUpdated {
        request,
        ticket_number: optional_text(top, "TicketNumber")?,
        timestamp: optional_text(top, "Timestamp")?,
        decision,
        decision_time: field("DecisionTime")?,
        performed_by: field("DecisionPerformedByUser")?,
        duration: field("Duration")?,
    })
}

fn request_ref(top: &Map<String, Value>) -> Result<RequestRef, ParseError> {
    Ok(RequestRef {
        tenant_id: identifier(top, "TenantId")?,
        request_id: identifier(top, "RequestId")?,
    })
}

fn request_info(top: &Map<String, Value>) -> Result<&Map<String, Value>, ParseError> {
    match top.get("requestInfo") {
        Some(Value::Object(map)) => Ok(map),
        Some(other) => Err(ParseError::WrongType {
            field: "requestInfo".into(),
            expected: "an object",
            got: kind(other),
        }),
        None => Err(ParseError::Missing("requestInfo".into())),
    }
}

fn identifier(top: &Map<String, Value>, key: &str) -> Result<String, ParseError> {
    let id = required_text(top, key, key)?;
    if id.chars().count() > MAX_ID_LEN {
        return Err(ParseError::TooLong {
            field: key.into(),
            max: MAX_ID_LEN,
        });
    }
    if id.chars().any(char::is_control) {
        return Err(ParseError::ControlChars(key.into()));
    }
    Ok(id)
}

fn required_text(map: &Map<String, Value>, key: &str, path: &str) -> Result<String, ParseError> {
    match map.get(key) {
        None => Err(ParseError::Missing(path.into())),
        Some(v) => text(v, path)?.ok_or_else(|| ParseError::Placeholder(path.into())),
    }
}

fn optional_text(map: &Map<String, Value>, key: &str) -> Result<Option<String>, ParseError> {
    match map.get(key) {
        None => Ok(None),
        Some(v) => text(v, key),
    }
}

/// A scalar as text; `None` when absent (null, empty, or an unsubstituted `%%Name%%`).
fn text(value: &Value, path: &str) -> Result<Option<String>, ParseError> {
    let s = match value {
        Value::Null => return Ok(None),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => {
            return Err(ParseError::WrongType {
                field: path.into(),
                expected: "a string",
                got: kind(other),
            });
        }
    };
    Ok(if is_absent(&s) { None } else { Some(s) })
}

/// Empty, blank, or a whole-value placeholder such as `%%User%%`.
pub fn is_absent(s: &str) -> bool {
    let t = s.trim();
    t.is_empty()
        || (t.len() > 4
            && t.starts_with("%%")
            && t.ends_with("%%")
            && t[2..t.len() - 2]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn truncate_for_message(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(64).collect();
    if s.chars().count() > 64 {
        out.push('…');
    }
    out
}

/// Fields of the created event in display order, with values where present.
pub fn known_fields() -> impl Iterator<Item = &'static Field> {
    fields::all()
}
