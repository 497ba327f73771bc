//! The request log of the EPM and PRA sandboxes (EPM's `GET /_sandbox/requests`, PRA's
//! `GET /_sandbox/log`): every API call with how it was answered. Secrets stay out of it: each
//! sandbox says which bodies it keeps (`gate::Gated::logged_body`), headers are never kept.

use std::collections::VecDeque;

use serde::Serialize;
use serde_json::Value;

/// The log keeps at most this many entries (oldest dropped first).
const MAX_ENTRIES: usize = 10_000;

/// One API call as the sandbox saw it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoggedRequest {
    pub seq: u64,
    pub at: String,
    pub method: String,
    pub path: String,
    /// The HTTP status answered; null when the sandbox played an unreachable host.
    pub status: Option<u16>,
    /// A fault rule fired on the call (`POST /_sandbox/fail`): failed, delayed or cut.
    pub injected: bool,
    /// Which fault (`HTTP 503`, `HTTP 503 after handling`, `delayed 200 ms`, `unreachable`...),
    /// with the status the call was handled with when it was performed first.
    pub fault: Option<String>,
    /// Why it was refused (status >= 400), or "unreachable".
    pub error: Option<String>,
    /// The body as the sandbox chose to keep it (EPM: a notification's JSON, never a token
    /// request's form, which holds the secret; PRA: the response form as a JSON object).
    pub body: Option<Value>,
}

#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    next_seq: u64,
    entries: VecDeque<LoggedRequest>,
}

impl RequestLog {
    pub(crate) fn push(&mut self, mut entry: LoggedRequest) {
        entry.seq = self.next_seq;
        self.next_seq += 1;
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    pub(crate) fn entries(&self) -> Vec<LoggedRequest> {
        self.entries.iter().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}
