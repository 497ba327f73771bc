//! EPM's decision claims: first decision wins (`lifecycle::claim`), keyed by the request, the
//! claim carrying EPM's decision (`Intent`: what is sent, kept so that a resend sends exactly the
//! same). Whoever decides (an approver in Jira, or EPM's own update) claims the request; a claim
//! whose delivery is unknown is in flight and never replaced (`deliver.rs` sends it again).

use crate::caps::{CapError, Caps};
use crate::lifecycle::claim::{self as lifecycle, Claimed};
use crate::providers::epm::keys;
pub use crate::providers::epm::records::{Claim, Intent};
use crate::providers::epm::wire::RequestRef;

pub use crate::lifecycle::claim::STALE_MS;
/// The states of a claim: `Sending`, then `Decided`, `Released` or `Unknown` (in flight).
pub use crate::lifecycle::lease::State as ClaimState;

impl Claim {
    /// Sent (or being sent) with an unknown outcome, or its sender died (`lifecycle::claim`).
    pub fn in_flight(&self, now: u64, instance: Option<&str>) -> bool {
        lifecycle::in_flight(self, now, instance)
    }
}

/// How an attempt to claim ended.
pub type Acquired = Claimed<Claim>;

pub async fn acquire(caps: &Caps, request: &RequestRef, claim: &Claim) -> Result<Acquired, CapError> {
    lifecycle::claim(caps, &keys::decision_claims(request), claim).await
}

/// The live claim of a request, if one is held (not released): for the page's view.
pub async fn current(caps: &Caps, request: &RequestRef) -> Result<Option<(u32, Claim)>, CapError> {
    lifecycle::current(caps, &keys::decision_claims(request)).await
}

/// Settles a claim this run won (or resent).
pub async fn settle(
    caps: &Caps,
    request: &RequestRef,
    generation: u32,
    claim: &Claim,
    state: ClaimState,
) -> Result<(), CapError> {
    let settled = Claim { state, ..claim.clone() };
    lifecycle::settle(caps, &keys::decision_claims(request), generation, &settled).await
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store;

    /// Claims written before the lifecycle existed read the same, and new ones are written in
    /// the same shape, so that runs of either version agree on who holds a request.
    #[test]
    fn the_stored_claim_is_unchanged() {
        let claim = Claim {
            at: 7,
            by: "Alice".into(),
            approved: true,
            state: ClaimState::Sending,
            intent: None,
            instance: Some("p1".into()),
        };
        let old = r#"{"v":1,"at":7,"by":"Alice","approved":true,"state":"sending","intent":null,"instance":"p1"}"#;
        assert_eq!(store::encode(crate::lifecycle::lease::VERSION, &claim), old);
        let older = store::encode(
            1,
            &json!({"at": 7, "by": "Alice", "approved": true, "state": "decided"}),
        );
        let read = store::decode::<Claim>(crate::lifecycle::lease::VERSION, &older).unwrap();
        assert_eq!(
            (read.state, read.intent, read.instance),
            (ClaimState::Decided, None, None)
        );
    }
}
