//! A bounded list of recent entries in one KV value, newest first: the diagnostics' storage
//! (`jobs::runs`, `diagnostics::deliveries`).
//! One key per list keeps the view to a few reads and a record to one read and one write.
//! Two records at the very same moment can each write over the other's (read, change, write:
//! KV has no compare-and-set); the list is a diagnostic aid, never a record the app relies on.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::caps::{CapError, Caps};
use crate::protocol::LogLevel;
use crate::store;

const VERSION: u32 = 1;

/// Most entries a list keeps.
pub const LIMIT: usize = 100;

#[derive(Serialize, Deserialize)]
struct Stored<T> {
    entries: Vec<T>,
}

/// The entries under `key`, newest first; none when absent or unreadable (a list is never
/// worth failing for).
pub async fn read<T: DeserializeOwned>(caps: &Caps, key: &str) -> Result<Vec<T>, CapError> {
    Ok(caps
        .kv_get(key)
        .await?
        .and_then(|text| store::decode::<Stored<T>>(VERSION, &text))
        .map(|stored| stored.entries)
        .unwrap_or_default())
}

/// Puts `entry` first under `key`. An entry `same` says is the same (the same request delivered
/// again, the same job run again) is taken out and handed to `merge` with the new one, so that a
/// list shows each once, with its attempts. The oldest beyond [`LIMIT`] are dropped.
pub async fn push<T: Serialize + DeserializeOwned>(
    caps: &Caps,
    key: &str,
    entry: T,
    same: impl Fn(&T, &T) -> bool,
    merge: impl FnOnce(T, T) -> T,
) -> Result<(), CapError> {
    let mut entries: Vec<T> = read(caps, key).await?;
    let entry = match entries.iter().position(|old| same(old, &entry)) {
        Some(at) => merge(entries.remove(at), entry),
        None => entry,
    };
    entries.insert(0, entry);
    entries.truncate(LIMIT);
    caps.kv_set(key, &store::encode(VERSION, &Stored { entries })).await
}

/// [`push`] for a diagnostic list: a failure is logged (naming `what`), never the caller's.
pub async fn note<T: Serialize + DeserializeOwned>(
    caps: &Caps,
    key: &str,
    entry: T,
    same: impl Fn(&T, &T) -> bool,
    merge: impl FnOnce(T, T) -> T,
    what: &str,
) {
    if let Err(e) = push(caps, key, entry, same, merge).await {
        caps.log(LogLevel::Warn, format!("could not record {what} for diagnostics: {e}"))
            .await;
    }
}

/// Takes the entries `gone` names out of the list under `key`; answers whether any was.
pub async fn remove<T: Serialize + DeserializeOwned>(
    caps: &Caps,
    key: &str,
    gone: impl Fn(&T) -> bool,
) -> Result<bool, CapError> {
    let mut entries: Vec<T> = read(caps, key).await?;
    let before = entries.len();
    entries.retain(|e| !gone(e));
    if entries.len() == before {
        return Ok(false);
    }
    caps.kv_set(key, &store::encode(VERSION, &Stored { entries })).await?;
    Ok(true)
}
