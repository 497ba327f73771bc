//! `GET /_sandbox/queue` (sandbox mode only): the job queue's figures, for tests and the README
//! walk. `{"pending", "due", "taken"}` describe the table now (by the app's clock);
//! `{"retried", "done", "dropped"}` are totals kept in the database since the data dir was
//! created, so they survive a restart. Payloads are not shown.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::server::{AppState, json_error};

pub async fn stats(State(state): State<AppState>) -> Response {
    match state.caps.queue.store().stats(state.caps.app_now_ms()) {
        Ok(stats) => axum::Json(stats).into_response(),
        Err(e) => {
            tracing::error!("reading the job queue: {e:#}");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "the job queue could not be read")
        }
    }
}
