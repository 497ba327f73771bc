//! The bench host's own routes: `/_bench/stats` reports the host runtime's `RunStats` totals
//! (time in the component and in capability calls), the host's call `Counters` and the
//! process's memory; `/_bench/reset-peak` restarts the peak RSS.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pam_approvals_host::capabilities::Capabilities;
use pam_approvals_host::runtime::Runtime;
use serde_json::{Value, json};

use super::rss::Rss;

#[derive(Clone)]
pub struct BenchState {
    runtime: Arc<Runtime>,
    caps: Arc<Capabilities>,
    pub rss: Arc<Rss>,
}

impl BenchState {
    pub fn new(runtime: Arc<Runtime>, caps: Arc<Capabilities>) -> BenchState {
        BenchState {
            runtime,
            caps,
            rss: Arc::default(),
        }
    }
}

/// `GET /_bench/stats`.
pub async fn stats(State(state): State<BenchState>) -> Json<Value> {
    let t = state.runtime.totals();
    let c = &state.caps.counters;
    let memory = state.rss.read();
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    Json(json!({
        "runs": t.runs,
        "steps": t.steps,
        "inComponentNs": t.in_component_ns,
        "inCallsNs": t.in_calls_ns,
        "jira": load(&c.jira),
        "fetch": load(&c.fetch),
        "kv": load(&c.kv),
        "rssKb": memory.current_kb,
        "peakRssKb": memory.peak_kb,
        "peakSource": memory.peak_source,
    }))
}

/// `POST /_bench/reset-peak`: the peak RSS starts again from now.
pub async fn reset_peak(State(state): State<BenchState>) -> StatusCode {
    state.rss.reset_peak();
    StatusCode::NO_CONTENT
}
