//! JSON bodies with the form's keys: flat (`{"user.email_address": ...}`), nested
//! (`{"user": {"email_address": ...}}`) or both; nested objects become dotted keys. Values are
//! strings, numbers or booleans (read as their text); `null` is absent.

use serde_json::Value;

use super::{WireError, bad};

/// Deepest nesting read (`jump_item.custom.<name>` is three).
const MAX_DEPTH: usize = 4;

pub fn pairs(body: &str) -> Result<Vec<(String, String)>, WireError> {
    let value: Value = crate::text::parse_json(body).map_err(|e| match e {
        crate::text::JsonProblem::Syntax(e) => bad(format!("the body is not valid JSON: {e}")),
        crate::text::JsonProblem::DuplicateKey(key) => bad(format!("\"{key}\" is sent twice with different values")),
    })?;
    let Value::Object(object) = value else {
        return Err(bad("the body is not a JSON object"));
    };
    let mut pairs = Vec::new();
    flatten("", &Value::Object(object), 0, &mut pairs)?;
    Ok(pairs)
}

fn flatten(prefix: &str, value: &Value, depth: usize, out: &mut Vec<(String, String)>) -> Result<(), WireError> {
    let shown = || crate::text::printable(prefix, 60);
    match value {
        Value::Object(object) => {
            if depth == MAX_DEPTH {
                return Err(bad(format!("\"{}\" is nested too deeply", shown())));
            }
            for (key, inner) in object {
                if key.is_empty() {
                    return Err(bad("the body has an empty key"));
                }
                let dotted = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&dotted, inner, depth + 1, out)?;
            }
        }
        Value::String(text) => out.push((prefix.to_string(), text.clone())),
        Value::Number(number) => out.push((prefix.to_string(), number.to_string())),
        Value::Bool(flag) => out.push((prefix.to_string(), flag.to_string())),
        Value::Null => {}
        Value::Array(_) => return Err(bad(format!("\"{}\" is a list; send one value", shown()))),
    }
    Ok(())
}
