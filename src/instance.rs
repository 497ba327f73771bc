//! Which host process runs the app, when the host says so. A host that can tell its restarts
//! apart (the local host: one process per data directory) writes a fresh id under `KEY` at
//! start; leases and claims record it, so that one left by an earlier process is known dead at
//! once instead of after the staleness timeout. Forge writes none: its runs are not processes
//! the app can see, and the staleness rule alone applies.

use crate::caps::Caps;

/// KV key the host writes at start; the core only reads it.
pub const KEY: &str = "host:instance";

/// The current process's id; `None` when the host does not say (or storage failed: then the
/// staleness rule applies, as on Forge).
pub async fn current(caps: &Caps) -> Option<String> {
    caps.kv_get(KEY).await.ok().flatten().filter(|id| !id.is_empty())
}

/// Whether something written by `writer` belongs to a process that is gone.
pub fn from_dead_process(writer: Option<&str>, current: Option<&str>) -> bool {
    matches!((writer, current), (Some(writer), Some(current)) if writer != current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_host_writes_this_key() {
        let host = include_str!("../host/src/process_instance.rs");
        assert!(host.contains(&format!("pub const KEY: &str = \"{KEY}\";")));
    }

    #[test]
    fn only_a_known_other_process_is_dead() {
        assert!(from_dead_process(Some("a"), Some("b")));
        assert!(!from_dead_process(Some("a"), Some("a")));
        assert!(
            !from_dead_process(None, Some("b")),
            "an older record: the staleness rule"
        );
        assert!(!from_dead_process(Some("a"), None), "a host that does not say (Forge)");
    }
}
