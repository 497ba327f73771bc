//! The web trigger route of the bench host: the same translation as the host's
//! `server::web_trigger` (body → `Invocation::WebTrigger` → `Runtime::run` → HTTP answer), plus
//! a sum of every run's `RunStats`, which the host only logs. `/_bench/stats` reports the sums,
//! the host's own call `Counters` and the process's memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use pam_approvals_host::capabilities::{self, Capabilities};
use pam_approvals_host::runtime::{HttpRequest, Invocation, Outcome, RunContext, RunStats, Runtime, WebTriggerCall};
use pam_approvals_host::server::TRANSPORT_LIMIT;
use serde_json::{Value, json};

use super::rss::Rss;

#[derive(Default)]
pub struct Totals {
    runs: AtomicU64,
    steps: AtomicU64,
    in_component_ns: AtomicU64,
    in_calls_ns: AtomicU64,
}

impl Totals {
    fn add(&self, stats: &RunStats) {
        self.runs.fetch_add(1, Ordering::Relaxed);
        self.steps.fetch_add(u64::from(stats.steps), Ordering::Relaxed);
        self.in_component_ns
            .fetch_add(stats.in_component.as_nanos() as u64, Ordering::Relaxed);
        self.in_calls_ns
            .fetch_add(stats.in_calls.as_nanos() as u64, Ordering::Relaxed);
    }
}

#[derive(Clone)]
pub struct BenchState {
    runtime: Arc<Runtime>,
    caps: Arc<Capabilities>,
    totals: Arc<Totals>,
    pub rss: Arc<Rss>,
}

impl BenchState {
    pub fn new(runtime: Arc<Runtime>, caps: Arc<Capabilities>) -> BenchState {
        BenchState {
            runtime,
            caps,
            totals: Arc::default(),
            rss: Arc::default(),
        }
    }
}

pub async fn web_trigger(
    State(state): State<BenchState>,
    Path(key): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, TRANSPORT_LIMIT).await else {
        return error(StatusCode::PAYLOAD_TOO_LARGE, "request body too large");
    };
    let Ok(body) = String::from_utf8(bytes.to_vec()) else {
        return error(StatusCode::BAD_REQUEST, "request body is not UTF-8 text");
    };
    let invocation = Invocation::WebTrigger(WebTriggerCall {
        trigger: key,
        request: HttpRequest {
            method: method.to_string(),
            url: uri.query().map(|q| format!("?{q}")).unwrap_or_default(),
            headers: capabilities::header_pairs(&headers),
            body,
        },
    });
    match state.runtime.run(invocation, &state.caps, &RunContext::default()).await {
        Ok((Outcome::Http(response), stats)) => {
            state.totals.add(&stats);
            let mut builder = Response::builder().status(response.status);
            for (name, value) in &response.headers {
                builder = builder.header(name, value);
            }
            builder
                .body(Body::from(response.body))
                .unwrap_or_else(|_| error(StatusCode::INTERNAL_SERVER_ERROR, "invalid HTTP response"))
        }
        Ok((other, _)) => error(StatusCode::INTERNAL_SERVER_ERROR, &format!("no HTTP answer: {other:?}")),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &format!("the run failed: {e:#}")),
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// `GET /_bench/stats`.
pub async fn stats(State(state): State<BenchState>) -> Json<Value> {
    let t = &state.totals;
    let c = &state.caps.counters;
    let memory = state.rss.read();
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    Json(json!({
        "runs": load(&t.runs),
        "steps": load(&t.steps),
        "inComponentNs": load(&t.in_component_ns),
        "inCallsNs": load(&t.in_calls_ns),
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
