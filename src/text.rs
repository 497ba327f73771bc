//! Text for people, whatever the provider: bounded lengths, and what of a caller's text a
//! message may quote.

/// Text from a caller, safe to quote in a message: no control characters, at most `max` chars.
pub fn printable(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// At most `max` characters, marking a cut with an ellipsis.
pub fn cap_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Why a caller's body is not JSON the app reads: a syntax error (serde_json's words), or an
/// object naming a key twice with different values. Duplicate keys are valid JSON, but parsers
/// disagree on which value wins (the first, the last), so the app refuses them rather than pick
/// one. The same value twice is no conflict, and EPM's own template sends `workstyle` twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonProblem {
    Syntax(String),
    /// The key sent twice with different values (printable, at most 60 characters).
    DuplicateKey(String),
}

/// Parses JSON text like `serde_json::from_str::<Value>` (same nesting limit), refusing an object
/// that names a key twice with different values (at any depth).
pub fn parse_json(text: &str) -> Result<serde_json::Value, JsonProblem> {
    use serde::Deserialize;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = Strict::deserialize(&mut deserializer).and_then(|Strict(value)| {
        deserializer.end()?;
        Ok(value)
    });
    parsed.map_err(|e| {
        if e.is_data() {
            // The only data error the visitor raises: the message is the key.
            JsonProblem::DuplicateKey(serde_message(&e))
        } else {
            JsonProblem::Syntax(e.to_string())
        }
    })
}

/// serde_json's message without the position it appends (" at line L column C").
pub fn serde_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_string(),
        None => text,
    }
}

/// A JSON value whose objects give each key one value.
struct Strict(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Strict, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Strict(value) = map.next_value()?;
            if object.get(&key).is_some_and(|first| *first != value) {
                return Err(serde::de::Error::custom(printable(&key, 60)));
            }
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_drops_control_characters_and_bounds_the_length() {
        assert_eq!(printable("a\u{7}b\nc", 10), "abc");
        assert_eq!(printable("héllo", 2), "hé");
    }

    #[test]
    fn json_with_a_key_twice_with_different_values_is_refused_naming_the_key() {
        assert_eq!(
            parse_json(r#"{"a": 1, "b": {"c": [1, 2.5, null, true, "x"]}}"#),
            Ok(serde_json::json!({"a": 1, "b": {"c": [1, 2.5, null, true, "x"]}}))
        );
        assert_eq!(
            parse_json(r#"{"a": 1, "b": {"c": 1, "c": 2}}"#),
            Err(JsonProblem::DuplicateKey("c".into()))
        );
        assert_eq!(parse_json(r#"{"a": "x", "a": "x"}"#), Ok(serde_json::json!({"a": "x"})));
        assert!(matches!(parse_json("{\"a\": "), Err(JsonProblem::Syntax(_))));
        assert!(matches!(parse_json("{} x"), Err(JsonProblem::Syntax(_))));
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(matches!(parse_json(&deep), Err(JsonProblem::Syntax(m)) if m.contains("recursion limit")));
    }

    #[test]
    fn cuts_by_characters_and_marks_the_cut() {
        assert_eq!(cap_chars("héllo", 5), "héllo");
        assert_eq!(cap_chars("héllo!", 5), "héll…");
        assert_eq!(cap_chars("中中中", 2), "中…");
    }
}
