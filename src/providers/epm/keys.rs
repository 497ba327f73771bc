//! KV keys of the EPM provider's records, all derived from the request identity.

use super::wire::RequestRef;
use crate::store::key_part;

fn id(request: &RequestRef) -> String {
    format!("{}:{}", key_part(&request.tenant_id), key_part(&request.request_id))
}

/// The proof that the request's issue exists: an `IntakeRecord`.
pub fn issue(request: &RequestRef) -> String {
    format!("epm:issue:{}", id(request))
}

/// Creation claim number `generation` (see `intake.rs` for the protocol).
pub fn claim(request: &RequestRef, generation: u32) -> String {
    format!("epm:claim:{}:{generation}", id(request))
}

/// A decision update that arrived for the request, kept until it is applied.
pub fn pending_update(request: &RequestRef) -> String {
    format!("epm:update:{}", id(request))
}

/// Decision claim number `generation` (see `claim.rs`).
pub fn decision_claim(request: &RequestRef, generation: u32) -> String {
    format!("epm:decide:{}:{generation}", id(request))
}

/// The generation to start looking at (a hint; only saves reads).
pub fn decision_hint(request: &RequestRef) -> String {
    format!("epm:decide:{}:next", id(request))
}

/// The decision of the request once EPM has it: a `DecisionRecord`.
pub fn decision(request: &RequestRef) -> String {
    format!("epm:decided:{}", id(request))
}
