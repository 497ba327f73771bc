//! The bridge's request body, `{"functionKey", "payload", "context": {"extension"}}`
//! (see the parent module). Only serde_json and the core's JSON reading: the fuzz targets
//! (fuzz/) compile this file as is.

use pam_approvals::text::JsonProblem;
use serde_json::{Map, Value};

/// A parsed invoke request.
#[derive(Debug, PartialEq)]
pub struct Invoke {
    pub function_key: String,
    pub payload: Value,
    pub extension: Value,
}

pub fn parse(bytes: &[u8]) -> Result<Invoke, String> {
    if bytes.starts_with("\u{FEFF}".as_bytes()) {
        return Err("the request body starts with a byte order mark (U+FEFF); send JSON without one".into());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "the request body is not UTF-8 text".to_string())?;
    // The core's reading: a key named twice with different values is refused, not guessed at.
    let value = pam_approvals::text::parse_json(text).map_err(|problem| match problem {
        JsonProblem::Syntax(message) => format!("the request body is not valid JSON: {message}"),
        JsonProblem::DuplicateKey(key) => format!("the request body names \"{key}\" twice with different values"),
    })?;
    let Value::Object(mut object) = value else {
        return Err("the request body must be a JSON object".into());
    };
    let function_key = match object.remove("functionKey") {
        Some(Value::String(key)) if !key.trim().is_empty() => key,
        Some(_) => return Err("functionKey must be a non-empty string".into()),
        None => return Err("functionKey is missing".into()),
    };
    let payload = match object.remove("payload") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(payload @ Value::Object(_)) => payload,
        Some(_) => return Err("payload must be a JSON object".into()),
    };
    let extension = match object.remove("context") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(Value::Object(mut context)) => match context.remove("extension") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(extension @ Value::Object(_)) => extension,
            Some(_) => return Err("context.extension must be a JSON object".into()),
        },
        Some(_) => return Err("context must be a JSON object".into()),
    };
    Ok(Invoke {
        function_key,
        payload,
        extension,
    })
}
