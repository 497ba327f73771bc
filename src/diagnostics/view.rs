//! What the "Diagnostics" section shows (`admin.diagnostics`'s `diagnostics`), one type for the
//! core that makes it and the page that reads it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticsView {
    /// How many entries each list keeps.
    pub limit: usize,
    pub triggers: Vec<TriggerView>,
    pub jobs: Vec<JobView>,
    pub dead: Vec<DeadView>,
}

/// A web trigger and its last deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerView {
    /// The manifest's module key, e.g. `epm-webhook`.
    pub trigger: String,
    /// The PAM system, e.g. "EPM".
    pub title: String,
    pub deliveries: Vec<DeliveryView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    /// ISO-8601, UTC.
    pub at: String,
    pub event: String,
    pub request: String,
    pub status: u16,
    pub outcome: String,
    pub attempts: u32,
}

impl DeliveryView {
    /// Whether the app took the delivery (2xx); otherwise it failed and the sender was told why.
    pub fn taken(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    pub at: String,
    pub kind: String,
    pub request: String,
    /// "done", "retrying" or "given up".
    pub outcome: String,
    pub attempts: u32,
    pub last: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadView {
    /// What "retry now" sends back (`admin.retry`'s `deadLetter`).
    pub key: String,
    pub at: String,
    pub kind: String,
    pub request: String,
    pub attempts: u32,
    pub reason: String,
}
