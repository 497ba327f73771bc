//! Tells the app which host process runs it: a fresh id under the KV key `host:instance` at
//! every start (read by the core's `instance.rs`). Leases and claims record it, so that those an
//! earlier process left behind (a crash, a kill) are known dead at once after a restart on the
//! same data directory, instead of after the 60 s staleness timeout.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;

use crate::kv::{Kv, Table};

/// The key the core reads (`pam_approvals::instance::KEY`; a core test keeps them equal).
pub const KEY: &str = "host:instance";

/// Writes a new id for this process and answers it.
pub fn mark(kv: &Kv) -> Result<String> {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let id = format!("{}-{nanos}", std::process::id());
    kv.set(Table::Values, KEY, &id)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_start_is_a_new_instance() {
        let kv = Kv::open(std::path::Path::new(":memory:")).unwrap();
        let first = mark(&kv).unwrap();
        let second = mark(&kv).unwrap();
        assert_ne!(first, second);
        assert_eq!(kv.get(Table::Values, KEY).unwrap(), Some(second));
    }
}
