//! Kept bodies: a provider keeps what it was sent (a webhook's body) in KV before any work and
//! queues a job naming its digest, so whatever happens next (Jira busy, the PAM system down, the
//! host killed) the job finds the body and finishes the work without the sender delivering
//! again; the job drops the body once the work is done.
//!
//! A body is kept under `<prefix>:inbox:<sha-256 of the body>` (the head: a [`Head`] record) and,
//! when larger than `PART_BYTES`, in parts `<prefix>:inbox:<digest>:<n>` for n ≥ 1. What this
//! guarantees:
//! - the same body is kept under the same key (keeping it again rewrites the same values);
//! - a head means every part is there: parts are written first, the head last;
//! - a body is read whole or not at all: once its head is gone (dropped, head first) or a part is
//!   missing (a drop in progress), it reads as absent, i.e. finished.

use serde::{Deserialize, Serialize};

use crate::caps::{CapError, Caps};
use crate::store;

/// The version a head is stored with.
pub const VERSION: u32 = 1;

/// A kept body is stored in parts of at most this many bytes: Forge KVS takes values up to
/// 240 KiB as it stores them (JSON, so quotes and backslashes grow when escaped, twice: in the
/// app's record and in Forge's), and a webhook may be 256 KiB.
const PART_BYTES: usize = 50_000;

/// The head of a kept body: how many parts, and the first inline (most bodies are one part, one
/// write).
#[derive(Serialize, Deserialize)]
pub struct Head {
    pub parts: usize,
    pub first: String,
}

fn key(prefix: &str, digest: &str) -> String {
    format!("{prefix}:inbox:{digest}")
}

fn part_key(prefix: &str, digest: &str, part: usize) -> String {
    format!("{prefix}:inbox:{digest}:{part}")
}

/// `body` cut into parts of at most `PART_BYTES`, on character boundaries.
fn split(body: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = body;
    while rest.len() > PART_BYTES {
        let mut cut = PART_BYTES;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        parts.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    parts.push(rest);
    parts
}

/// Keeps `body` under `<prefix>:inbox:<sha-256 of body>` (parts after the first, then the head)
/// and answers the digest.
pub async fn keep(caps: &Caps, prefix: &str, body: &str) -> Result<String, CapError> {
    let digest = store::digest(body);
    let parts = split(body);
    for (n, part) in parts.iter().enumerate().skip(1) {
        caps.kv_set(&part_key(prefix, &digest, n), part).await?;
    }
    let head = Head {
        parts: parts.len(),
        first: parts[0].to_string(),
    };
    caps.kv_set(&key(prefix, &digest), &store::encode(VERSION, &head))
        .await?;
    Ok(digest)
}

/// The kept body and its part count; None once dropped (its work finished).
pub async fn read(caps: &Caps, prefix: &str, digest: &str) -> Result<Option<(String, usize)>, CapError> {
    let Some(head) = caps.kv_get(&key(prefix, digest)).await? else {
        return Ok(None);
    };
    let Some(head) = store::decode::<Head>(VERSION, &head) else {
        return Ok(None);
    };
    let mut body = head.first;
    for n in 1..head.parts {
        match caps.kv_get(&part_key(prefix, digest, n)).await? {
            Some(part) => body.push_str(&part),
            // Only a drop in progress removes parts: the work is finished.
            None => return Ok(None),
        }
    }
    Ok(Some((body, head.parts)))
}

/// Drops it (head first, so that nobody reads a body missing parts).
pub async fn drop(caps: &Caps, prefix: &str, digest: &str, parts: usize) -> Result<(), CapError> {
    caps.kv_delete(&key(prefix, digest)).await?;
    for n in 1..parts {
        caps.kv_delete(&part_key(prefix, digest, n)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_bodies_are_kept_in_parts_that_join_back() {
        let body = format!("{{\"x\": \"{}\"}}", "é".repeat(130_000));
        let parts = split(&body);
        assert_eq!(parts.len(), 6);
        assert!(parts.iter().all(|p| p.len() <= PART_BYTES && !p.is_empty()));
        assert_eq!(parts.concat(), body);
        assert_eq!(split("{}"), vec!["{}"]);
    }

    #[test]
    fn the_inbox_key_is_a_valid_forge_key_per_body() {
        let a = key("epm", &store::digest("{\"a\":1}"));
        assert_eq!(a.len(), "epm:inbox:".len() + 64);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == ':'));
        assert_ne!(a, key("epm", &store::digest("{\"a\":2}")));
    }

    /// The keys stored data is under: the head at `<prefix>:inbox:<digest>`, part n at `…:<n>`.
    #[test]
    fn the_keys_are_the_prefix_the_digest_and_the_part() {
        assert_eq!(key("epm", "d1"), "epm:inbox:d1");
        assert_eq!(part_key("epm", "d1", 2), "epm:inbox:d1:2");
    }
}
