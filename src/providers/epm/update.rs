//! "Decision updated" webhooks. EPM may send them before the create (no ordering guarantee),
//! so each is kept under the request's key; the newest by EPM's timestamp (compared as instants)
//! wins, and is applied to the issue as soon as there is one. Keeping and applying one update is
//! atomic per request: a lease (`lease.rs`) lets one delivery at a time read, compare and write.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::apply;
use super::keys;
use super::wire::{DecisionUpdated, RequestRef};
use crate::caps::{CapError, Caps};
use crate::config::Config;
use crate::lease::{self, LeaseState, Taken};
use crate::protocol::{HttpResponse, LogLevel};
use crate::{store, time};

const RECORD_VERSION: u32 = 1;
/// A lock older than this belongs to a run that died.
const LOCK_STALE_MS: u64 = 60_000;

/// A decision update as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingUpdate {
    pub decision: String,
    pub decision_time: Option<String>,
    pub performed_by: Option<String>,
    pub duration: Option<String>,
    pub timestamp: Option<String>,
    pub received_at: u64,
}

struct LockKeys<'a>(&'a RequestRef);

impl lease::Keys for LockKeys<'_> {
    fn generation(&self, n: u32) -> String {
        keys::update_lock(self.0, n)
    }
    fn hint(&self) -> String {
        keys::update_lock_hint(self.0)
    }
}

/// Keeps the update, then applies it to the request's issue if that exists (`apply.rs`).
pub async fn accept(caps: &Caps, config: &Config, update: &DecisionUpdated) -> HttpResponse {
    match locked(caps, config, update).await {
        Ok(Some(response)) => response,
        Ok(None) => HttpResponse::error(
            503,
            "another decision update for this request is being applied; retry later",
        )
        .with_header("Retry-After", "5"),
        Err(e) => HttpResponse::error(503, format!("storage is unavailable ({e}); retry later"))
            .with_header("Retry-After", "5"),
    }
}

/// Runs `keep` and `apply` holding the request's update lock; `None` when another delivery
/// holds it.
async fn locked(caps: &Caps, config: &Config, update: &DecisionUpdated) -> Result<Option<HttpResponse>, CapError> {
    let keys = LockKeys(&update.request);
    let now = caps.now().await?;
    let instance = crate::instance::current(caps).await;
    let instance = instance.as_deref();
    let free = |l: &lease::Lease| {
        l.state != LeaseState::Held || now.saturating_sub(l.at) > LOCK_STALE_MS || l.orphaned(instance)
    };
    let generation = match lease::take(caps, &keys, now, instance, free, 20).await? {
        Taken::Won { generation, .. } => generation,
        Taken::Held(..) | Taken::Exhausted => return Ok(None),
    };
    let applied = async {
        match keep(caps, update).await? {
            Some(kept) => apply::apply(caps, config, &update.request, &kept).await.map(Some),
            None => Ok(None),
        }
    }
    .await;
    // Released whatever happened: the next delivery starts from the kept state.
    let released = lease::settle(caps, &keys, generation, now, LeaseState::Released).await;
    let response = match applied? {
        Some(applied) => apply::answer(&update.request, &applied),
        None => HttpResponse::json(
            200,
            &json!({
                "applied": false,
                "requestId": update.request.request_id,
                "reason": "a newer update for this request was already received",
            }),
        ),
    };
    released?;
    Ok(Some(response))
}

/// The update kept for a request, if any.
pub async fn kept(caps: &Caps, request: &RequestRef) -> Result<Option<PendingUpdate>, CapError> {
    let text = caps.kv_get(&keys::pending_update(request)).await?;
    Ok(text.and_then(|t| store::decode(RECORD_VERSION, &t)))
}

/// How an arriving update compares with the kept one.
#[derive(Debug, PartialEq, Eq)]
enum Newer {
    Yes,
    /// The same update delivered again: applied again (its first try may have been busy).
    Same,
    No,
}

/// EPM's timestamps compared as instants. An update whose timestamp cannot be read never
/// replaces one whose timestamp can; of two unreadable ones, the later arrival wins.
fn newer(previous: &PendingUpdate, update: &DecisionUpdated) -> Newer {
    let was = previous.timestamp.as_deref().and_then(time::parse);
    let is = update.timestamp.as_deref().and_then(time::parse);
    match (was, is) {
        (Some(was), Some(is)) if is > was => Newer::Yes,
        (Some(was), Some(is)) if is == was && previous.decision == update.decision => Newer::Same,
        (Some(_), _) => Newer::No,
        (None, _) => Newer::Yes,
    }
}

/// Keeps the update unless a newer one is kept; the kept update, `None` when this one is older.
async fn keep(caps: &Caps, update: &DecisionUpdated) -> Result<Option<PendingUpdate>, CapError> {
    let key = keys::pending_update(&update.request);
    if let Some(previous) = kept(caps, &update.request).await? {
        match newer(&previous, update) {
            Newer::Yes => {}
            Newer::Same => return Ok(Some(previous)),
            Newer::No => return Ok(None),
        }
    }
    let record = PendingUpdate {
        decision: update.decision.clone(),
        decision_time: update.decision_time.clone(),
        performed_by: update.performed_by.clone(),
        duration: update.duration.clone(),
        timestamp: update.timestamp.clone(),
        received_at: caps.now().await?,
    };
    caps.kv_set(&key, &store::encode(RECORD_VERSION, &record)).await?;
    caps.log(
        LogLevel::Info,
        format!(
            "kept decision update \"{}\" for EPM request {}",
            update.decision, update.request.request_id
        ),
    )
    .await;
    Ok(Some(record))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(decision: &str, timestamp: Option<&str>) -> DecisionUpdated {
        DecisionUpdated {
            request: RequestRef {
                tenant_id: "t".into(),
                request_id: "r".into(),
            },
            ticket_number: None,
            decision: decision.into(),
            decision_time: None,
            performed_by: None,
            duration: None,
            timestamp: timestamp.map(String::from),
        }
    }

    fn kept(decision: &str, timestamp: Option<&str>) -> PendingUpdate {
        PendingUpdate {
            decision: decision.into(),
            decision_time: None,
            performed_by: None,
            duration: None,
            timestamp: timestamp.map(String::from),
            received_at: 0,
        }
    }

    #[test]
    fn timestamps_are_compared_as_instants_not_text() {
        // As text "2026-11-23T10:00:00+02:00" > "2026-11-23T09:30:00Z"; as instants it is earlier.
        let previous = kept("Approved", Some("2026-11-23T09:30:00Z"));
        assert_eq!(
            newer(&previous, &update("Denied", Some("2026-11-23T10:00:00+02:00"))),
            Newer::No
        );
        assert_eq!(
            newer(&previous, &update("Denied", Some("2026-11-23 09:30:01"))),
            Newer::Yes
        );
        // "9:31" sorts after "10:00" as text; it is earlier as an instant.
        let ten = kept("Approved", Some("2026-11-23T10:00:00Z"));
        assert_eq!(newer(&ten, &update("Denied", Some("2026-11-23T9:31:00Z"))), Newer::No);
        assert_eq!(
            newer(&ten, &update("Approved", Some("2026-11-23 10:00:00"))),
            Newer::Same
        );
        assert_eq!(newer(&ten, &update("Denied", Some("2026-11-23 10:00:00"))), Newer::No);
        assert_eq!(newer(&ten, &update("Denied", None)), Newer::No);
        assert_eq!(newer(&kept("Approved", None), &update("Denied", None)), Newer::Yes);
    }
}
