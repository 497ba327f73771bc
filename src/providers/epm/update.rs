//! "Decision updated" webhooks. EPM may send them before the create (no ordering guarantee),
//! so each is kept under the request's key; the newest by EPM's timestamp wins.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::keys;
use super::wire::DecisionUpdated;
use crate::caps::{CapError, Caps};
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

/// Keeps the update and answers 202. Applying it to the issue is the decision flow's job.
pub async fn accept(caps: &Caps, update: &DecisionUpdated) -> HttpResponse {
    match keep(caps, update).await {
        Ok(()) => HttpResponse::json(
            202,
            &json!({ "accepted": true, "requestId": update.request.request_id }),
        ),
        Err(e) => HttpResponse::error(503, format!("storage is unavailable ({e}); retry later"))
            .with_header("Retry-After", "5"),
    }
}

async fn keep(caps: &Caps, update: &DecisionUpdated) -> Result<(), CapError> {
    let key = keys::pending_update(&update.request);
    let previous = caps
        .kv_get(&key)
        .await?
        .and_then(|t| store::decode::<PendingUpdate>(RECORD_VERSION, &t));
    if let Some(previous) = previous
        && previous.timestamp.is_some()
        && previous.timestamp >= update.timestamp
    {
        return Ok(());
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
    Ok(())
}
