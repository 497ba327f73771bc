//! "Decision updated" webhooks. EPM may send them before the create (no ordering guarantee),
//! so each is kept under the request's key; the newest by EPM's timestamp (compared as instants)
//! wins, and is applied to the issue as soon as there is one. Keeping and applying one update is
//! atomic per request: a lease (`lifecycle/lease.rs`) lets one delivery at a time read, compare and write.

use serde_json::json;

use super::apply;
use crate::caps::{CapError, Caps};
use crate::lifecycle::lease::{self, Envelope, Lease, State as LeaseState, Taken};
use crate::protocol::{HttpResponse, LogLevel};
use crate::providers::epm::keys;
pub use crate::providers::epm::records::PendingUpdate;
use crate::providers::epm::records::UPDATE_VERSION as RECORD_VERSION;
use crate::providers::epm::settings::EpmSettings;
use crate::providers::epm::wire::{DecisionUpdated, RequestRef};
use crate::{jobs, store, time};

/// A lock older than this belongs to a run that died.
const LOCK_STALE_MS: u64 = 60_000;

/// How far one run of an update got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Updated {
    /// Another run holds the request's update lock.
    LockBusy,
    /// A newer update for this request was already received; this one changes nothing.
    Older,
    Applied(apply::Applied),
    /// Storage failed.
    Storage(String),
}

impl Updated {
    /// Whether this update needs nothing more (the queued job then stops).
    pub fn finished(&self) -> bool {
        use apply::Applied::*;
        match self {
            Updated::Older => true,
            Updated::Applied(a) => matches!(a, Recorded(_) | Echo | NoIssueYet | NotADecision),
            Updated::LockBusy | Updated::Storage(_) => false,
        }
    }
}

/// Keeps the update, then applies it to the request's issue if that exists (`apply.rs`).
pub async fn run(caps: &Caps, config: &EpmSettings, update: &DecisionUpdated) -> Updated {
    match locked(caps, config, update).await {
        Ok(updated) => updated,
        Err(e) => Updated::Storage(e.to_string()),
    }
}

/// The web trigger's answer. The update's body is kept and a job queued before it ran
/// (`inbox.rs`), so what is not finished is accepted (202): the queue finishes it.
pub fn answer(update: &DecisionUpdated, updated: &Updated) -> HttpResponse {
    let id = &update.request.request_id;
    match updated {
        Updated::Older => HttpResponse::json(
            200,
            &json!({
                "applied": false,
                "requestId": id,
                "reason": "a newer update for this request was already received",
            }),
        ),
        Updated::Applied(applied) => applied_answer(&update.request, applied),
        Updated::LockBusy => jobs::accepted(id, "another decision update for this request is being applied"),
        Updated::Storage(e) => jobs::accepted(id, &format!("storage is unavailable ({e})")),
    }
}

/// The web trigger's answer for an applied update.
fn applied_answer(request: &RequestRef, applied: &apply::Applied) -> HttpResponse {
    let id = &request.request_id;
    match applied {
        apply::Applied::Recorded(key) => {
            HttpResponse::json(200, &json!({"applied": true, "issueKey": key, "requestId": id}))
        }
        apply::Applied::NotRecorded(key, error) => HttpResponse::json(
            202,
            &json!({"applied": false, "accepted": true, "issueKey": key, "requestId": id,
                    "reason": format!("kept as the app's record; Jira could not record it on the issue yet ({error}). The app's queue completes it")}),
        ),
        apply::Applied::Echo => HttpResponse::json(
            200,
            &json!({"applied": false, "requestId": id, "reason": "the issue already shows this decision"}),
        ),
        apply::Applied::NoIssueYet => HttpResponse::json(
            202,
            &json!({"accepted": true, "requestId": id, "reason": "kept until the request's issue exists"}),
        ),
        apply::Applied::NotADecision => HttpResponse::json(
            202,
            &json!({"accepted": true, "requestId": id, "reason": "not an approval or denial; kept"}),
        ),
        apply::Applied::Busy => jobs::accepted(id, "a different decision for this request is being sent"),
    }
}

/// After an issue is created: applies an update that arrived before it.
pub async fn apply_pending(caps: &Caps, config: &EpmSettings, request: &RequestRef) {
    let update = match kept(caps, request).await {
        Ok(Some(update)) => update,
        Ok(None) => return,
        Err(e) => {
            caps.log(
                LogLevel::Warn,
                format!("could not look for an early decision update: {e}"),
            )
            .await;
            return;
        }
    };
    if let Err(e) = apply::apply(caps, config, request, &update).await {
        caps.log(LogLevel::Warn, format!("could not apply an early decision update: {e}"))
            .await;
    }
}

/// Runs `keep` and `apply` holding the request's update lock.
async fn locked(caps: &Caps, config: &EpmSettings, update: &DecisionUpdated) -> Result<Updated, CapError> {
    let applied = with_lock(caps, &update.request, async || match keep(caps, update).await? {
        Some(kept) => apply::apply(caps, config, &update.request, &kept)
            .await
            .map(Updated::Applied),
        None => Ok(Updated::Older),
    })
    .await?;
    Ok(applied.unwrap_or(Updated::LockBusy))
}

/// Applies the update kept for a request (one that arrived before its issue), under the lock;
/// `None` when nothing is kept.
pub async fn apply_kept(caps: &Caps, config: &EpmSettings, request: &RequestRef) -> Result<Option<Updated>, CapError> {
    let Some(update) = kept(caps, request).await? else {
        return Ok(None);
    };
    let applied = with_lock(caps, request, async || {
        apply::apply(caps, config, request, &update).await.map(Updated::Applied)
    })
    .await?;
    Ok(Some(applied.unwrap_or(Updated::LockBusy)))
}

/// Runs `work` holding the request's update lock, released whatever happened; `None` when
/// another run holds it.
async fn with_lock<T>(
    caps: &Caps,
    request: &RequestRef,
    work: impl AsyncFnOnce() -> Result<T, CapError>,
) -> Result<Option<T>, CapError> {
    let keys = keys::update_lock(request);
    let now = caps.now().await?;
    let instance = crate::instance::current(caps).await;
    let instance = instance.as_deref();
    let free =
        |l: &Lease| l.state != LeaseState::Held || now.saturating_sub(l.at) > LOCK_STALE_MS || l.orphaned(instance);
    let generation = match lease::take(caps, &keys, &Lease::held(now, instance), free, 20).await? {
        Taken::Won { generation, .. } => generation,
        Taken::Held(..) | Taken::Exhausted => return Ok(None),
    };
    let result = work().await;
    // Released whatever happened: the next run starts from the kept state.
    let released = lease::settle(caps, &keys, generation, &Lease::settled(now, LeaseState::Released)).await;
    let value = result?;
    released?;
    Ok(Some(value))
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
