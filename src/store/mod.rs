//! Records the app keeps in KV storage: their keys and one encode/decode pair each, versioned.
//! Forge KVS keys allow `[a-zA-Z0-9:._\s-#]` and at most 500 characters.

pub mod ring;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// Escapes text for use inside a key: ASCII letters, digits, `-` and `.` stay; any other byte
/// becomes `_XX` (hex), so distinct inputs give distinct keys.
pub fn key_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' {
            out.push(b as char);
        } else {
            out.push_str(&format!("_{b:02X}"));
        }
    }
    out
}

/// The SHA-256 of `text` in lowercase hex (64 digits): a key part for text too long or too free
/// to be one (a body, an opaque id).
pub fn digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A record as stored: `{"v": N, ...}`. Decoding refuses other versions.
#[derive(Serialize, Deserialize)]
struct Versioned<T> {
    v: u32,
    #[serde(flatten)]
    body: T,
}

pub fn encode<T: Serialize>(version: u32, body: &T) -> String {
    serde_json::to_string(&Versioned { v: version, body }).unwrap_or_default()
}

/// `None` for a record of another version or shape (treated as absent, never a panic).
pub fn decode<T: DeserializeOwned>(version: u32, text: &str) -> Option<T> {
    let record: Versioned<T> = serde_json::from_str(text).ok()?;
    (record.v == version).then_some(record.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_parts_are_safe_and_distinct() {
        assert_eq!(key_part("abc-DEF.1"), "abc-DEF.1");
        assert_eq!(key_part("a b"), "a_20b");
        assert_eq!(key_part("a_b"), "a_5Fb");
        assert_ne!(key_part("a_20b"), key_part("a b"));
        assert!(
            key_part("é\\\"")
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        );
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct R {
        a: String,
    }

    #[test]
    fn records_round_trip_and_refuse_other_versions() {
        let text = encode(2, &R { a: "x".into() });
        assert_eq!(decode::<R>(2, &text), Some(R { a: "x".into() }));
        assert_eq!(decode::<R>(1, &text), None);
        assert_eq!(decode::<R>(2, "not json"), None);
    }
}
