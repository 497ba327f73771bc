//! The sandbox's clock: real time plus an offset that only moves forward, so expiry and other
//! time-based rules can be tried without waiting. `POST /_sandbox/clock {"advanceMs": n}`
//! advances it; `GET /_sandbox/clock` reads it ([`controls`]). Sandbox mode only: the host's
//! sandbox mode gives it to the app as its clock (`Call::Now`, the job queue's due times), so
//! against a real site there is no offset at all. The offset lives in memory and starts at zero
//! with every host start.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

/// The largest single advance: 10 years of 365 days, far beyond any approval's duration.
pub const MAX_ADVANCE_MS: u64 = 10 * 365 * 24 * 60 * 60 * 1000;

#[derive(Debug, Default)]
pub struct SandboxClock {
    offset_ms: AtomicU64,
}

impl SandboxClock {
    /// Milliseconds since the Unix epoch, as the app sees them.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(crate::time::now_ms())
            .unwrap_or(0)
            .saturating_add(self.offset_ms())
    }

    pub fn offset_ms(&self) -> u64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock forward by `ms`; answers the total offset.
    pub fn advance(&self, ms: u64) -> u64 {
        let previous = self
            .offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |offset| {
                Some(offset.saturating_add(ms))
            })
            .unwrap_or_else(|offset| offset);
        previous.saturating_add(ms)
    }
}

/// Reads `{"advanceMs": n}`; the error names the problem.
fn advance_of(body: &[u8]) -> Result<u64, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let Value::Object(fields) = value else {
        return Err("the body must be a JSON object such as {\"advanceMs\": 3600000}".into());
    };
    if let Some(unknown) = fields.keys().find(|key| *key != "advanceMs") {
        return Err(format!("unknown field \"{unknown}\": only advanceMs is accepted"));
    }
    let advance = fields.get("advanceMs").ok_or("advanceMs is required")?;
    let ms = advance
        .as_u64()
        .ok_or_else(|| format!("advanceMs must be a non-negative whole number of milliseconds, not {advance}"))?;
    if ms > MAX_ADVANCE_MS {
        return Err(format!(
            "advanceMs must be at most {MAX_ADVANCE_MS} (10 years), not {ms}"
        ));
    }
    Ok(ms)
}

/// What the clock's controls act on: the clock, and what to do after it moved.
#[derive(Clone)]
struct Controls {
    clock: Arc<SandboxClock>,
    /// Called after every advance (the host wakes its job queue: jobs the advance made due run
    /// now, not at the workers' next look).
    on_advance: Arc<dyn Fn() + Send + Sync>,
}

/// `GET`/`POST /_sandbox/clock`, to merge into the host's router.
pub fn controls(clock: Arc<SandboxClock>, on_advance: impl Fn() + Send + Sync + 'static) -> Router {
    let controls = Controls {
        clock,
        on_advance: Arc::new(on_advance),
    };
    Router::new()
        .route("/_sandbox/clock", get(read).post(advance))
        .with_state(controls)
}

fn json_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

/// `GET /_sandbox/clock` → `{"offsetMs", "nowMs"}`.
async fn read(State(controls): State<Controls>) -> Response {
    let clock = &controls.clock;
    axum::Json(json!({"offsetMs": clock.offset_ms(), "nowMs": clock.now_ms()})).into_response()
}

/// `POST /_sandbox/clock` with `{"advanceMs": n}` → `{"offsetMs": total}`.
async fn advance(State(controls): State<Controls>, headers: HeaderMap, body: Bytes) -> Response {
    if !crate::media_type::is(&headers, "application/json") {
        return json_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send application/json");
    }
    match advance_of(&body) {
        Ok(ms) => {
            let total = controls.clock.advance(ms);
            tracing::info!(advanced_ms = ms, offset_ms = total, "sandbox clock advanced");
            (controls.on_advance)();
            axum::Json(json!({"offsetMs": total})).into_response()
        }
        Err(message) => json_error(StatusCode::BAD_REQUEST, &message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_add_up_and_never_go_back() {
        let clock = SandboxClock::default();
        let before = u64::try_from(crate::time::now_ms()).expect("after 1970");
        assert_eq!(clock.advance(1000), 1000);
        assert_eq!(clock.advance(0), 1000);
        assert_eq!(clock.advance(500), 1500);
        assert!(clock.now_ms() >= before + 1500);
        assert_eq!(clock.advance(u64::MAX), u64::MAX, "saturates instead of wrapping");
    }

    #[test]
    fn bodies_are_checked() {
        assert_eq!(advance_of(br#"{"advanceMs": 3601000}"#), Ok(3_601_000));
        assert_eq!(advance_of(br#"{"advanceMs": 0}"#), Ok(0));
        assert_eq!(
            advance_of(format!(r#"{{"advanceMs": {MAX_ADVANCE_MS}}}"#).as_bytes()),
            Ok(MAX_ADVANCE_MS)
        );
        for (body, expected) in [
            ("", "not JSON"),
            ("[1]", "must be a JSON object"),
            ("{}", "advanceMs is required"),
            (r#"{"advanceMs": -1}"#, "non-negative whole number"),
            (r#"{"advanceMs": 1.5}"#, "non-negative whole number"),
            (r#"{"advanceMs": "1000"}"#, "non-negative whole number"),
            (r#"{"advanceMs": 315360000001}"#, "at most 315360000000"),
            (r#"{"advanceMs": 1, "offsetMs": 2}"#, "unknown field \"offsetMs\""),
        ] {
            let error = advance_of(body.as_bytes()).expect_err(body);
            assert!(error.contains(expected), "{body}: {error}");
        }
    }
}
