//! "Decision updated" webhooks. EPM may send them before the create (no ordering guarantee),
//! so each is kept under the request's key; the newest by EPM's timestamp wins, and is applied
//! to the issue as soon as there is one.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::apply;
use super::keys;
use super::wire::{DecisionUpdated, RequestRef};
use crate::caps::{CapError, Caps};
use crate::config::Config;
use crate::protocol::{HttpResponse, LogLevel};
use crate::store;

const RECORD_VERSION: u32 = 1;

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

/// Keeps the update, then applies it to the request's issue if that exists (`apply.rs`).
pub async fn accept(caps: &Caps, config: &Config, update: &DecisionUpdated) -> HttpResponse {
    let applied = async {
        match keep(caps, update).await? {
            Some(kept) => apply::apply(caps, config, &update.request, &kept).await.map(Some),
            None => Ok(None),
        }
    }
    .await;
    match applied {
        Ok(Some(applied)) => apply::answer(&update.request, &applied),
        Ok(None) => HttpResponse::json(
            200,
            &json!({
                "applied": false,
                "requestId": update.request.request_id,
                "reason": "a newer update for this request was already received",
            }),
        ),
        Err(e) => HttpResponse::error(503, format!("storage is unavailable ({e}); retry later"))
            .with_header("Retry-After", "5"),
    }
}

/// The update kept for a request, if any.
pub async fn kept(caps: &Caps, request: &RequestRef) -> Result<Option<PendingUpdate>, CapError> {
    let text = caps.kv_get(&keys::pending_update(request)).await?;
    Ok(text.and_then(|t| store::decode(RECORD_VERSION, &t)))
}

/// Keeps the update unless a newer one is kept; the kept update, `None` when this one is older.
async fn keep(caps: &Caps, update: &DecisionUpdated) -> Result<Option<PendingUpdate>, CapError> {
    let key = keys::pending_update(&update.request);
    let previous = kept(caps, &update.request).await?;
    if let Some(previous) = previous
        && previous.timestamp.is_some()
        && previous.timestamp >= update.timestamp
    {
        // A redelivery of the kept update is applied again (its first try may have been busy).
        return Ok(
            (previous.timestamp == update.timestamp && previous.decision == update.decision).then_some(previous),
        );
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
