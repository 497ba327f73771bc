//! KV keys of the EPM provider's records, all derived from the request identity (or, for the
//! reverse index, from the Jira issue id the app created).

use super::wire::RequestRef;
use crate::store::key_part;

fn id(request: &RequestRef) -> String {
    format!("{}:{}", key_part(&request.tenant_id), key_part(&request.request_id))
}

/// The app's record of the request and its issue: a `trusted::RequestRecord`.
pub fn issue(request: &RequestRef) -> String {
    format!("epm:issue:{}", id(request))
}

/// The reverse index: which request the issue with this Jira id belongs to.
pub fn by_issue(issue_id: &str) -> String {
    format!("epm:by-issue:{}", key_part(issue_id))
}

/// Creation claim number `generation` (see `intake.rs` for the protocol).
pub fn claim(request: &RequestRef, generation: u32) -> String {
    format!("epm:claim:{}:{generation}", id(request))
}

/// The creation generation to start at (a hint that slides past used generations).
pub fn claim_hint(request: &RequestRef) -> String {
    format!("epm:claim:{}:next", id(request))
}

/// A decision update that arrived for the request, kept until it is applied.
pub fn pending_update(request: &RequestRef) -> String {
    format!("epm:update:{}", id(request))
}

/// The lock that makes keeping and applying one decision update atomic, per generation.
pub fn update_lock(request: &RequestRef, generation: u32) -> String {
    format!("epm:update-lock:{}:{generation}", id(request))
}

/// The update-lock generation to start at.
pub fn update_lock_hint(request: &RequestRef) -> String {
    format!("epm:update-lock:{}:next", id(request))
}

/// Decision claim number `generation` (see `claim.rs`).
pub fn decision_claim(request: &RequestRef, generation: u32) -> String {
    format!("epm:decide:{}:{generation}", id(request))
}

/// The generation to start looking at (a hint; only saves reads).
pub fn decision_hint(request: &RequestRef) -> String {
    format!("epm:decide:{}:next", id(request))
}

/// One resend of an undelivered decision per time slot, so that viewers do not all resend.
pub fn resend(request: &RequestRef, generation: u32, slot: u64) -> String {
    format!("epm:resend:{}:{generation}:{slot}", id(request))
}

/// The decision of the request once EPM has it: a `DecisionRecord`.
pub fn decision(request: &RequestRef) -> String {
    format!("epm:decided:{}", id(request))
}

/// Which steps of recording an event on the issue are done (`record.rs`).
pub fn recording(request: &RequestRef) -> String {
    format!("epm:recording:{}", id(request))
}

/// The expiry tick's failure budget for one issue (`expiry.rs`).
pub fn expiry_retry(issue_id: &str) -> String {
    format!("epm:expiry-retry:{}", key_part(issue_id))
}
